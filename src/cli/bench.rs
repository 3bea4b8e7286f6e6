//! `silico bench analysis`: times the estimators on a synthetic conjoint of the size
//! (1,000,000 profile rows × 8 attributes with 40 levels, 50,000 respondents, 500,000 paired tasks).
//! `silico bench compare`: times the twin comparison on 1,000 persons × 1,000 questions of paired
//! answers. Build with optimisations for meaningful numbers (see `--help`).

use std::process::ExitCode;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::analysis::prepare::{prepare, Columns};
use crate::analysis::{
    amce_prepared, choice_data, clogit_fit, mm_prepared, ClogitSpec, ClusterSe, Formula,
    LevelOrders,
};
use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource, ResponseTable};

#[derive(clap::Subcommand, Debug, Clone)]
pub enum BenchTarget {
    /// AMCE, marginal means and conditional logit on synthetic data. For release numbers run
    /// `CARGO_PROFILE_RELEASE_OPT_LEVEL=3 cargo run --release -- bench analysis` (the release
    /// profile is tuned for a small wasm file, not for speed).
    Analysis {
        /// Respondents (each does --tasks paired tasks, 2 profiles each).
        #[arg(long, default_value_t = 50_000)]
        respondents: usize,
        #[arg(long, default_value_t = 10)]
        tasks: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the synthetic table as CSV (respondent,task,chosen,a1..a8) to this file and stop,
        /// so other tools can be timed on the same data (scripts/bench-analysis.sh).
        #[arg(long, value_name = "FILE.csv")]
        write_csv: Option<std::path::PathBuf>,
    },
    /// Read a synthetic survey export (~200 MB of CSV: ids, numbers, labels, quoted free text) with
    /// the chunked reader in slices, as the page's worker reads a File, and report MB/s. Same
    /// release-build advice as `bench analysis`.
    Import {
        /// Size of the generated CSV in megabytes (10^6 bytes).
        #[arg(long, default_value_t = 200)]
        mb: usize,
        /// Slice size in KiB handed to the reader per push.
        #[arg(long, default_value_t = 8192)]
        slice_kib: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The twin comparison (`silico compare` after reading: grouping, every per-question metric,
    /// retest ceiling, per-respondent agreement, agreement matrix, subgroup alignment) on synthetic
    /// 1–7 answers with a retest wave and two groups.
    Compare {
        #[arg(long, default_value_t = 1000)]
        persons: usize,
        #[arg(long, default_value_t = 1000)]
        questions: usize,
    },
}

const LEVELS_PER_ATTRIBUTE: [usize; 8] = [5, 5, 5, 5, 5, 5, 5, 5];

/// A long conjoint table with numeric level codes (1..=L) per attribute, a forced choice drawn from
/// a logit with known part-worths, respondent and task ids.
pub fn synthetic_table(respondents: usize, tasks: usize, seed: u64) -> ResponseTable {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows = respondents * tasks * 2;
    let mut attributes: Vec<Vec<Option<f64>>> =
        vec![Vec::with_capacity(rows); LEVELS_PER_ATTRIBUTE.len()];
    let mut chosen = Vec::with_capacity(rows);
    let mut respondent = Vec::with_capacity(rows);
    let mut task = Vec::with_capacity(rows);
    // Part-worth of level l of attribute a: a smooth pattern, 0 at the baseline.
    let worth = |a: usize, l: usize| 0.15 * l as f64 * if a.is_multiple_of(2) { 1.0 } else { -0.5 };
    for r in 0..respondents {
        for t in 0..tasks {
            let mut utility = [0.0; 2];
            for (a, levels) in LEVELS_PER_ATTRIBUTE.iter().enumerate() {
                for u in &mut utility {
                    let l = rng.gen_range(0..*levels);
                    attributes[a].push(Some((l + 1) as f64));
                    *u += worth(a, l);
                }
            }
            let p_first = 1.0 / (1.0 + (utility[1] - utility[0]).exp());
            let first = rng.gen::<f64>() < p_first;
            chosen.push(Some(if first { 1.0 } else { 0.0 }));
            chosen.push(Some(if first { 0.0 } else { 1.0 }));
            for _ in 0..2 {
                respondent.push(Some(r as f64));
                task.push(Some((r * tasks + t) as f64));
            }
        }
    }
    let mut columns = vec![
        number_column("respondent", respondent),
        number_column("task", task),
        number_column("chosen", chosen),
    ];
    for (a, values) in attributes.into_iter().enumerate() {
        columns.push(number_column(&format!("a{}", a + 1), values));
    }
    ResponseTable {
        name: "synthetic".into(),
        source: ResponseSource::Simulated,
        provenance: Provenance::default(),
        columns,
    }
}

fn number_column(name: &str, values: Vec<Option<f64>>) -> Column {
    Column {
        name: name.to_string(),
        role: ColumnRole::default(),
        values: ColumnValues::Number(values),
    }
}

/// Writes a numeric table as CSV; codes are whole numbers, written without a decimal point.
fn write_table_csv(table: &ResponseTable, path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    writeln!(out, "{}", names.join(","))?;
    let columns: Vec<&[Option<f64>]> = table
        .columns
        .iter()
        .filter_map(|c| match &c.values {
            ColumnValues::Number(v) => Some(v.as_slice()),
            ColumnValues::Text(_) => None,
        })
        .collect();
    let mut line = String::new();
    for row in 0..table.row_count() {
        line.clear();
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            if let Some(x) = column[row] {
                line.push_str(&format!("{x}"));
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

fn time<T>(label: &str, rows: usize, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    println!("{label},{rows},{:.3}", start.elapsed().as_secs_f64());
    out
}

pub fn run(target: &BenchTarget) -> ExitCode {
    match target {
        BenchTarget::Compare { persons, questions } => compare_bench(*persons, *questions),
        BenchTarget::Analysis {
            respondents,
            tasks,
            seed,
            write_csv,
        } => run_analysis(*respondents, *tasks, *seed, write_csv.as_deref()),
        BenchTarget::Import {
            mb,
            slice_kib,
            seed,
        } => super::bench_import::run(*mb, *slice_kib, *seed),
    }
}

fn run_analysis(
    respondents: usize,
    tasks: usize,
    seed: u64,
    write_csv: Option<&std::path::Path>,
) -> ExitCode {
    let (respondents, tasks, seed) = (&respondents, &tasks, &seed);
    if let Some(path) = write_csv {
        let table = synthetic_table(*respondents, *tasks, *seed);
        return match write_table_csv(&table, path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(super::EXIT_BAD_INPUT)
            }
        };
    }
    println!("step,rows,seconds");
    let table = time("generate", respondents * tasks * 2, || {
        synthetic_table(*respondents, *tasks, *seed)
    });
    let rows = table.row_count();
    let names: Vec<String> = (1..=LEVELS_PER_ATTRIBUTE.len())
        .map(|a| format!("a{a}"))
        .collect();
    let formula = Formula::additive(&names);
    let columns = Columns {
        outcome: "chosen",
        id: Some("respondent"),
        weights: None,
        factors: names.iter().map(String::as_str).collect(),
    };
    let outcome = (|| -> Result<(), crate::analysis::AnalysisError> {
        let (data, _) = time("encode (outcome, clusters, 8 factors)", rows, || {
            prepare(&table, &columns, &LevelOrders::new())
        })?;
        let amce = time("amce (OLS + clustered SE)", rows, || {
            amce_prepared(&data, &formula, ClusterSe::Cregg)
        })?;
        let mm = time("mm (clustered SE)", rows, || {
            mm_prepared(&data, names.len(), ClusterSe::Cregg, 0.5)
        })?;
        let spec = ClogitSpec {
            choice: "chosen".into(),
            group: "task".into(),
            id: Some("respondent".into()),
            vars: names.iter().map(|n| format!("factor({n})")).collect(),
            ..ClogitSpec::default()
        };
        let choices = time("clogit: build choice sets", rows, || {
            choice_data(&table, &spec)
        })?;
        let fit = time(
            &format!(
                "clogit ({} sets x 2, Newton + model/robust/cluster SE)",
                choices.n_sets()
            ),
            rows,
            || clogit_fit(&choices),
        )?;
        eprintln!(
            "check: AMCE a1=2 {:.4} (SE {:.5}); MM a1=1 {:.4}; clogit a1=2 {:.4} (true 0.15), {} iterations",
            amce.table.find("a1", "2").and_then(|r| r.estimate).unwrap_or(f64::NAN),
            amce.table.find("a1", "2").and_then(|r| r.std_error).unwrap_or(f64::NAN),
            mm.table.find("a1", "1").and_then(|r| r.estimate).unwrap_or(f64::NAN),
            fit.estimate[0],
            fit.iterations
        );
        Ok(())
    })();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A long table of `persons × questions` rows (person, question, human, twin, retest, group) with
/// 1–7 answers: the twin and the retest are the human answer moved by a small random step, so the
/// metrics are not degenerate.
pub fn synthetic_pairs(persons: usize, questions: usize, seed: u64) -> ResponseTable {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows = persons * questions;
    let labels: Vec<String> = (0..questions).map(|q| format!("q{q}")).collect();
    let mut person = Vec::with_capacity(rows);
    let mut question = Vec::with_capacity(rows);
    let mut human = Vec::with_capacity(rows);
    let mut twin = Vec::with_capacity(rows);
    let mut retest = Vec::with_capacity(rows);
    let mut group = Vec::with_capacity(rows);
    let near = |rng: &mut ChaCha8Rng, x: i32| f64::from((x + rng.gen_range(-1..=1)).clamp(1, 7));
    for p in 0..persons {
        for label in &labels {
            let h: i32 = rng.gen_range(1..=7);
            person.push(Some(p as f64));
            question.push(Some(label.clone()));
            human.push(Some(f64::from(h)));
            twin.push(Some(near(&mut rng, h)));
            retest.push(Some(near(&mut rng, h)));
            group.push(Some(if p % 2 == 0 { 1.0 } else { 2.0 }));
        }
    }
    ResponseTable {
        name: "bench".into(),
        source: ResponseSource::Simulated,
        provenance: Provenance::default(),
        columns: vec![
            number_column("person", person),
            Column {
                name: "question".into(),
                role: ColumnRole::default(),
                values: ColumnValues::Text(question),
            },
            number_column("human", human),
            number_column("twin", twin),
            number_column("retest", retest),
            number_column("group", group),
        ],
    }
}

/// Times the comparison steps on `persons × questions` synthetic pairs; prints CSV like `analysis`.
pub fn compare_bench(persons: usize, questions: usize) -> ExitCode {
    use crate::compare::{compare_paired, paired, Extras, PairColumns, Ranges};
    println!("step,pairs,seconds");
    let table = time("generate", persons * questions, || {
        synthetic_pairs(persons, questions, 1)
    });
    let mut ranges = Ranges::default();
    for q in 0..questions {
        ranges.insert(vec![format!("q{q}")], 1.0, 7.0);
    }
    let columns = PairColumns {
        person: "person".into(),
        question: vec!["question".into()],
        human: "human".into(),
        twin: "twin".into(),
    };
    let extras = Extras {
        retest: Some("retest".into()),
        group: Some("group".into()),
    };
    let pairs = table.row_count();
    let start = Instant::now();
    let grouped = match time("group pairs (with retest and group)", pairs, || {
        paired(&table, &columns, &extras)
    }) {
        Ok(grouped) => grouped,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let comparison = time(
        "metrics: per question + retest + respondents + matrix + subgroups",
        pairs,
        || compare_paired(&grouped, &columns.question, &ranges),
    );
    println!("total,{pairs},{:.3}", start.elapsed().as_secs_f64());
    eprintln!(
        "check: {} questions, {} respondents, overall accuracy {:.4}, retest share {:.4}",
        comparison.questions.len(),
        comparison.respondents.len(),
        comparison.overall.accuracy,
        comparison.overall_retest.map_or(f64::NAN, |r| r.share)
    );
    ExitCode::SUCCESS
}

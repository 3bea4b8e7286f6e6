//! `silico compare PAIRS.csv --person COL --question COLS --human COL --twin COL [--ranges FILE]`:
//! twin-vs-human metrics per question as CSV on stdout, then an overall row.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::compare::{
    compare_questions, overall, paired_questions, read_ranges, CompareError, PairColumns,
    QuestionMetrics, RangeColumns, Ranges,
};
use crate::data::{read_delimited, ReadOptions, TableReadError};
use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource, ResponseTable};

use super::EXIT_BAD_INPUT;

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "\
Output columns: the question key columns, then \
n,accuracy,correlation,sd_ratio,glass_delta,paired_t,paired_p,mean_human,mean_twin \
(add --distributions for representativeness,js_divergence and --sds for sd_human,sd_twin). \
A row counts only when both the human and the twin answered; empty cells (and NA) are missing. \
accuracy = 1 - mean|human - twin| / (max - min), empty without a range; sd_ratio and Glass's delta \
use population sds (ddof 0); paired_t/paired_p are scipy's ttest_rel(human, twin). The last row, \
`overall`, has n = all pairs and every other metric averaged over the questions where it is defined.

Ranges file: the key columns, then min and max. Key columns are matched by the --question names \
if the file has them, else taken by position (the first ones); min/max by the names `min`/`max`, \
else the two columns after the key. So the mega-study's `study_name,DV_variable,DV_min,DV_max` \
works as is with --question study_name,variable_name; --range-key/--range-min-col/--range-max-col \
name them explicitly. A row with an empty min or max gives that question no range.

Exit codes: 0 success, 2 bad input (the message names the file, column and line).")]
pub struct CompareArgs {
    /// Paired answers (CSV, or TSV by extension), one row per person × question.
    #[arg(required_unless_present = "bench")]
    pub pairs: Option<PathBuf>,
    /// The person (respondent) id column.
    #[arg(long, required_unless_present = "bench")]
    pub person: Option<String>,
    /// Column(s) that together identify a question, comma-separated (e.g. study_name,variable_name).
    #[arg(long, value_delimiter = ',', required_unless_present = "bench")]
    pub question: Vec<String>,
    /// The human answer column (numeric).
    #[arg(long, required_unless_present = "bench")]
    pub human: Option<String>,
    /// The twin (LLM) answer column (numeric).
    #[arg(long, required_unless_present = "bench")]
    pub twin: Option<String>,
    /// Each question's scale range (see below), for accuracy.
    #[arg(long)]
    pub ranges: Option<PathBuf>,
    /// The ranges file's key columns, comma-separated, in --question order.
    #[arg(long, value_delimiter = ',')]
    pub range_key: Vec<String>,
    /// The ranges file's minimum column.
    #[arg(long)]
    pub range_min_col: Option<String>,
    /// The ranges file's maximum column.
    #[arg(long)]
    pub range_max_col: Option<String>,
    /// Also print representativeness (1 - Wasserstein/W_max on ordinal positions) and
    /// Jensen-Shannon divergence (bits).
    #[arg(long)]
    pub distributions: bool,
    /// Also print sd_human and sd_twin (ddof 1).
    #[arg(long)]
    pub sds: bool,
    /// Benchmark: time the metrics over this many synthetic pairs instead of reading a file.
    #[arg(long, hide = true)]
    pub bench: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Table {
        path: String,
        source: TableReadError,
    },
    #[error(transparent)]
    Compare(#[from] CompareError),
}

pub fn run(args: &CompareArgs) -> ExitCode {
    if let Some(pairs) = args.bench {
        return bench(pairs);
    }
    match compute(args) {
        Ok((keys, rows)) => {
            let text = to_csv(&keys, &rows, args.distributions, args.sds);
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn compute(args: &CompareArgs) -> Result<(Vec<String>, Vec<QuestionMetrics>), Failure> {
    let (Some(path), Some(person), Some(human), Some(twin)) =
        (&args.pairs, &args.person, &args.human, &args.twin)
    else {
        // clap enforces these unless --bench, which returned earlier.
        return Err(CompareError::Layout {
            table: "arguments".into(),
            message: "PAIRS, --person, --question, --human and --twin are required".into(),
        }
        .into());
    };
    let columns = PairColumns {
        person: person.clone(),
        question: args.question.clone(),
        human: human.clone(),
        twin: twin.clone(),
    };
    let table = read_table(path)?;
    let questions = paired_questions(&table, &columns)?;
    let ranges = match &args.ranges {
        None => Ranges::default(),
        Some(path) => {
            let spec = RangeColumns {
                key: (!args.range_key.is_empty()).then(|| args.range_key.clone()),
                min: args.range_min_col.clone(),
                max: args.range_max_col.clone(),
                kind: None,
            };
            read_ranges(&read_table(path)?, &columns.question, &spec)?
        }
    };
    let mut rows = compare_questions(&questions, &ranges);
    rows.push(overall(&rows, columns.question.len()));
    Ok((columns.question, rows))
}

fn read_table(path: &Path) -> Result<ResponseTable, Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Failure::Read {
        path: shown.clone(),
        source,
    })?;
    let mut options = ReadOptions::default();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        options.delimiter = b'\t';
    }
    read_delimited(
        &bytes,
        &shown,
        ResponseSource::Human,
        Provenance {
            source_file: shown.clone(),
            ..Provenance::default()
        },
        &options,
    )
    .map_err(|source| Failure::Table {
        path: shown,
        source,
    })
}

/// CSV with full-precision numbers (shortest round-trip form, exponent notation for tiny p values);
/// undefined metrics are empty.
pub fn to_csv(keys: &[String], rows: &[QuestionMetrics], distributions: bool, sds: bool) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = keys.iter().map(|k| quote(k)).collect();
    header.extend(
        "n,accuracy,correlation,sd_ratio,glass_delta,paired_t,paired_p,mean_human,mean_twin"
            .split(',')
            .map(String::from),
    );
    if distributions {
        header.extend(["representativeness".into(), "js_divergence".into()]);
    }
    if sds {
        header.extend(["sd_human".into(), "sd_twin".into()]);
    }
    out.push_str(&header.join(","));
    out.push('\n');
    for row in rows {
        let mut cells: Vec<String> = row.key.iter().map(|k| quote(k)).collect();
        cells.push(row.n.to_string());
        let mut values = vec![
            row.accuracy,
            row.correlation,
            row.sd_ratio,
            row.glass_delta,
            row.paired_t,
            row.paired_p,
            row.mean_human,
            row.mean_twin,
        ];
        if distributions {
            values.extend([
                row.distances.representativeness,
                row.distances.js_divergence,
            ]);
        }
        if sds {
            values.extend([row.sd_human, row.sd_twin]);
        }
        cells.extend(values.into_iter().map(number));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        String::new()
    }
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Times grouping (from a long table, as `silico compare` does after reading) plus every metric
/// over `pairs` synthetic 1–7 answers: 10,000 persons × 100 questions at a million pairs.
fn bench(pairs: usize) -> ExitCode {
    let questions = 100;
    // A fixed LCG keeps the data identical run to run without an RNG dependency here.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        Some(((state >> 33) % 7) as f64 + 1.0)
    };
    let number = |name: &str, values: Vec<Option<f64>>| Column {
        name: name.into(),
        role: ColumnRole::default(),
        values: ColumnValues::Number(values),
    };
    let labels: Vec<String> = (0..questions).map(|q| format!("q{q}")).collect();
    let table = ResponseTable {
        name: "bench".into(),
        source: ResponseSource::Simulated,
        provenance: Provenance::default(),
        columns: vec![
            number(
                "person",
                (0..pairs).map(|i| Some((i / questions) as f64)).collect(),
            ),
            Column {
                name: "question".into(),
                role: ColumnRole::default(),
                values: ColumnValues::Text(
                    (0..pairs)
                        .map(|i| Some(labels[i % questions].clone()))
                        .collect(),
                ),
            },
            number("human", (0..pairs).map(|_| next()).collect()),
            number("twin", (0..pairs).map(|_| next()).collect()),
        ],
    };
    let mut ranges = Ranges::default();
    for label in &labels {
        ranges.insert(vec![label.clone()], 1.0, 7.0);
    }
    let columns = PairColumns {
        person: "person".into(),
        question: vec!["question".into()],
        human: "human".into(),
        twin: "twin".into(),
    };
    let start = Instant::now();
    let grouped = match paired_questions(&table, &columns) {
        Ok(grouped) => grouped,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let rows = compare_questions(&grouped, &ranges);
    let total = overall(&rows, 1);
    let elapsed = start.elapsed();
    println!(
        "compare: {} pairs in {} questions (grouping + all metrics): {:.1} ms (overall accuracy {:.4})",
        total.n,
        rows.len(),
        elapsed.as_secs_f64() * 1e3,
        total.accuracy
    );
    ExitCode::SUCCESS
}

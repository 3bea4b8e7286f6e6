//! `silico compare PAIRS.csv --person COL --question COLS --human COL --twin COL [--ranges FILE]`:
//! twin-vs-human metrics per question as CSV on stdout, then an overall row. Optional retest and
//! group columns add the test–retest ceiling and subgroup alignment; `--respondents`,
//! `--subgroups`, `--plots` and `--report` write the other tables, the charts and the HTML report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::compare::{
    compare, groups_csv, matrix_csv, questions_csv, read_ranges, respondents_csv, subgroups_csv,
    CompareError, Comparison, CsvColumns, Extras, PairColumns, RangeColumns, Ranges,
};
use crate::plot::report::{self, ReportInfo};
use crate::plot::{self, ComparePlot, PlotError};
use crate::study::{ResponseSource, ResponseTable};

use super::failure::Failure;
use super::files::{create_dir, write_file, Delimiter, FileError};
use super::EXIT_BAD_INPUT;

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "\
Output columns: the question key columns, then \
n,accuracy,correlation,sd_ratio,glass_delta,paired_t,paired_p,mean_human,mean_twin \
(add --distributions for representativeness,js_divergence, which are empty for numeric questions and \
representativeness also for nominal ones; --sds for sd_human,sd_twin; --exact for kind,exact_match). \
A row counts only when both the human and the twin answered; empty cells (and NA) are missing. \
accuracy = 1 - mean|human - twin| / (max - min), empty without a range; sd_ratio and Glass's delta \
use population sds (ddof 0); paired_t/paired_p are scipy's ttest_rel(human, twin). The last row, \
`overall`, has n = all pairs and every other metric averaged over the questions where it is defined.

Ranges file: the key columns, then min and max. Key columns are matched by the --question names \
if the file has them, else taken by position (the first ones); min/max by the names `min`/`max`, \
else the two columns after the key. So the mega-study's `study_name,DV_variable,DV_min,DV_max` \
works as is with --question study_name,variable_name; --range-key/--range-min-col/--range-max-col \
name them explicitly. A row with an empty min or max gives that question no range. An optional `kind` column (ordinal, numeric, nominal; --range-kind-col names another) sets how a question is compared: nominal questions get exact match as their accuracy. Without it a question is ordinal when its answers are whole numbers with at most 20 distinct values, numeric otherwise.

--retest COL (the human's answer in a later wave) adds retest_n, retest_accuracy (the human test-retest ceiling), twin_accuracy_retested (the twin on the same people) and retest_share (their ratio). --group COL (a respondent variable) adds subgroup alignment (--subgroups) and a group column to --respondents.

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
    /// Also print kind (ordinal, numeric, nominal) and exact_match (share of identical answers).
    #[arg(long)]
    pub exact: bool,
    /// The ranges file's kind column (default: a column named `kind`, if any).
    #[arg(long, value_name = "COL")]
    pub range_kind_col: Option<String>,
    /// The human retest column (same person, same question, later wave): adds the ceiling columns.
    #[arg(long, value_name = "COL")]
    pub retest: Option<String>,
    /// A respondent grouping column (e.g. gender): subgroup alignment and per-group accuracy.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// Write per-respondent agreement as CSV: person,[group,]n,accuracy,exact_match.
    #[arg(long, value_name = "OUT.csv")]
    pub respondents: Option<PathBuf>,
    /// Write the respondent × question agreement matrix as CSV (person, then one column per
    /// question; empty = no pair or no range).
    #[arg(long, value_name = "OUT.csv")]
    pub matrix: Option<PathBuf>,
    /// With --group: write the per-question group differences as CSV, their summary per contrast
    /// beside it as OUT-summary.csv and per-group accuracy as OUT-groups.csv.
    #[arg(long, value_name = "OUT.csv", requires = "group")]
    pub subgroups: Option<PathBuf>,
    /// Write the charts as SVG into this directory (created if needed): means.svg, accuracy.svg,
    /// heatmap.svg and distribution-NNN.svg per ordinal or nominal question.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// With --plots: also write each chart as PNG.
    #[arg(long, requires = "plots")]
    pub png: bool,
    /// Write the whole comparison as one self-contained HTML file (opens offline).
    #[arg(long, value_name = "REPORT.html")]
    pub report: Option<PathBuf>,
    /// The report's heading.
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
    /// Benchmark: time the metrics over this many synthetic pairs instead of reading a file
    /// (`silico bench compare` is the full benchmark).
    #[arg(long, hide = true)]
    pub bench: Option<usize>,
}

pub fn run(args: &CompareArgs) -> ExitCode {
    if let Some(pairs) = args.bench {
        return super::bench::compare_bench(pairs.div_ceil(100), 100);
    }
    match compute(args).and_then(|comparison| write_outputs(args, &comparison).map(|()| comparison))
    {
        Ok(comparison) => {
            let columns = CsvColumns {
                distributions: args.distributions,
                sds: args.sds,
                exact: args.exact,
                retest: args.retest.is_some(),
            };
            let text = questions_csv(&comparison, columns);
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

fn compute(args: &CompareArgs) -> Result<Comparison, Failure> {
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
    let extras = Extras {
        retest: args.retest.clone(),
        group: args.group.clone(),
    };
    let table = read_table(path)?;
    let ranges = match &args.ranges {
        None => Ranges::default(),
        Some(path) => {
            let spec = RangeColumns {
                key: (!args.range_key.is_empty()).then(|| args.range_key.clone()),
                min: args.range_min_col.clone(),
                max: args.range_max_col.clone(),
                kind: args.range_kind_col.clone(),
            };
            read_ranges(&read_table(path)?, &columns.question, &spec)?
        }
    };
    Ok(compare(&table, &columns, &extras, &ranges)?)
}

/// Everything besides stdout: respondents, subgroups, plots, report. Written before stdout so a
/// failure is reported with the exit code and no half output.
fn write_outputs(args: &CompareArgs, comparison: &Comparison) -> Result<(), Failure> {
    if let Some(path) = &args.respondents {
        write_file(path, respondents_csv(comparison))?;
    }
    if let Some(path) = &args.matrix {
        write_file(path, matrix_csv(&comparison.matrix))?;
    }
    if let Some(path) = &args.subgroups {
        let (differences, summary) = subgroups_csv(comparison);
        write_file(path, &differences)?;
        write_file(&sibling(path, "summary"), &summary)?;
        write_file(&sibling(path, "groups"), groups_csv(comparison))?;
    }
    if let Some(dir) = &args.plots {
        write_plots(dir, comparison, args.png)?;
    }
    if let Some(path) = &args.report {
        let info = ReportInfo {
            title: args.report_title.clone().unwrap_or_default(),
            source_file: args
                .pairs
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            date: utc_now(),
            columns: format!(
                "person={}, question={}, human={}, twin={}{}{}",
                args.person.as_deref().unwrap_or(""),
                args.question.join(","),
                args.human.as_deref().unwrap_or(""),
                args.twin.as_deref().unwrap_or(""),
                args.retest
                    .as_ref()
                    .map(|c| format!(", retest={c}"))
                    .unwrap_or_default(),
                args.group
                    .as_ref()
                    .map(|c| format!(", group={c}"))
                    .unwrap_or_default(),
            ),
        };
        write_file(path, report::html(comparison, &info, None))?;
    }
    Ok(())
}

fn write_plots(dir: &Path, comparison: &Comparison, png: bool) -> Result<(), Failure> {
    create_dir(dir)?;
    let limit = (comparison.questions.len() > 60).then_some(20);
    let mut charts = vec![
        ("means".to_string(), ComparePlot::Means),
        ("accuracy".to_string(), ComparePlot::Accuracy { limit }),
        ("heatmap".to_string(), ComparePlot::Heatmap),
    ];
    for (i, q) in comparison.questions.iter().enumerate() {
        if q.shares.is_some() {
            charts.push((
                format!("distribution-{:03}", i + 1),
                ComparePlot::Distribution { question: i },
            ));
        }
    }
    for (name, which) in charts {
        let chart = match plot::compare_chart(comparison, &which) {
            Ok(chart) => chart,
            // A chart with nothing to show (e.g. no ranges for accuracy) is skipped, not fatal.
            Err(PlotError::Empty(why)) => {
                eprintln!("note: no {name} plot: {why}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let svg = plot::chart_to_svg(&chart, plot::DEFAULT_WIDTH)?;
        write_file(&dir.join(format!("{name}.svg")), &svg)?;
        if png {
            plot::write_chart_png(
                &chart,
                plot::DEFAULT_WIDTH,
                &dir.join(format!("{name}.png")),
            )?;
        }
    }
    Ok(())
}

/// Now as `YYYY-MM-DD HH:MM UTC` for the report (no date crate: days since 1970 to a civil date).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// `OUT.csv` → `OUT-{what}.csv`, beside it.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}-{what}.csv"))
}

fn read_table(path: &Path) -> Result<ResponseTable, FileError> {
    super::files::read_table(path, ResponseSource::Human, Delimiter::Comma, &[])
}

//! `silico compare-survey HUMANS.csv LLM.csv --study STUDY.json`: people and an LLM sample,
//! unpaired, compared question by question (and matrix item / option by option) as answer
//! distributions; one CSV row per item on stdout, notes and the summary on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::compare::{
    compare_survey, survey_items_csv, survey_summary_csv, NumericTest, SurveyComparison,
    SurveyOptions,
};
use crate::plot::{self, PlotError};
use crate::study::{ResponseSource, ResponseTable};

use super::failure::Failure;
use super::files::{create_dir, write_file, Delimiter, FileError};
use super::{load_study, report_load_error, EXIT_BAD_INPUT};

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "\
Both tables are long: one row per respondent × question, with columns question and answer (and a \
respondent id: respondent, ResponseId, …). `silico import RESPONSES.csv --study STUDY.json --out \
LONG.csv` writes the people's; the fielded survey table of `silico field` is the LLM's (each \
sample of a respondent counts as one respondent). Question ids like Q5_1 name a matrix item, a \
multi-select option or a ranked option of Q5; a multi-select answer may also list its codes \
(a|b, or a JSON array), a ranking its order, a matrix a JSON object item -> value.

Output columns ([group,] first with --group): question,parent,item,type,kind,categories,n_human,n_llm,\
missing_human,missing_llm,unreadable_human,unreadable_llm,mean_human,mean_llm,sd_human,sd_llm,\
sd_ratio,wasserstein,representativeness,js_divergence,tv_distance,representativeness_uniform_human,\
representativeness_uniform_llm,js_uniform_human,js_uniform_llm,tv_uniform_human,tv_uniform_llm,\
entropy_human,entropy_llm,test,statistic,df,p_value,p_adjusted. Empty cells are undefined.

kind: single choice is nominal; scales, matrix items, multi-select options (0/1) and ranks are \
ordinal; numeric questions numeric; types this version does not know are nominal when they list \
options, else decided from the answers. Categorical items are compared over all their options: \
representativeness = 1 - W/(K-1) with W the Wasserstein distance on positions (ordinal only), \
js_divergence in bits (0 same, 1 disjoint), tv_distance = half the summed absolute share \
differences, *_uniform_* the same from each sample to the uniform distribution over the K options, \
entropy = Shannon entropy / ln K. SDs use ddof 1; sd_ratio = sd_llm / sd_human. test: chi_square \
(homogeneity, no continuity correction) for categorical items, welch_t or mann_whitney \
(--numeric-test) for numeric ones; p_adjusted is Benjamini-Hochberg over the rows of one group. \
Numeric items give wasserstein in answer units and, with min and max, representativeness = \
1 - W/(max - min).

Exit codes: 0 success, 2 bad input (the message names the file, column and line).")]
pub struct CompareSurveyArgs {
    /// The people's answers: a long table (CSV, or TSV by extension).
    pub humans: PathBuf,
    /// The LLM sample's answers: a long table (the fielded survey table).
    pub llm: PathBuf,
    /// The study both answered (its survey's questions decide kinds and categories).
    #[arg(long)]
    pub study: PathBuf,
    /// Compare within groups: a column of both tables (e.g. a persona field) or a question id of
    /// the study (each respondent's answer to it). The output then has one row per group × item.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// The test for numeric items: welch (Welch's t) or mann-whitney.
    #[arg(long, value_name = "TEST", default_value = "welch", value_parser = parse_test)]
    pub numeric_test: NumericTest,
    /// Write the item table here instead of stdout.
    #[arg(long, value_name = "OUT.csv")]
    pub out: Option<PathBuf>,
    /// Write the summary across items (whole samples, then each group) as CSV.
    #[arg(long, value_name = "SUMMARY.csv")]
    pub summary: Option<PathBuf>,
    /// Write charts as SVG into this directory: summary.svg and one NNN-QUESTION.svg per item.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// With --plots: also write each chart as PNG.
    #[arg(long, requires = "plots")]
    pub png: bool,
}

fn parse_test(text: &str) -> Result<NumericTest, String> {
    NumericTest::parse(text).ok_or_else(|| format!("{text:?}: use welch or mann-whitney"))
}

pub fn run(args: &CompareSurveyArgs) -> ExitCode {
    let study = match load_study(&args.study) {
        Ok(study) => study,
        Err(error) => return report_load_error(&error),
    };
    let outcome = (|| {
        let humans = read_table(&args.humans, ResponseSource::Human)?;
        let llm = read_table(&args.llm, ResponseSource::Llm)?;
        let options = SurveyOptions {
            group: args.group.clone(),
            numeric_test: args.numeric_test,
        };
        let comparison = compare_survey(&humans, &llm, &study.survey, &options)?;
        write_outputs(args, &comparison)?;
        Ok::<_, Failure>(comparison)
    })();
    match outcome {
        Ok(comparison) => {
            print_notes(&comparison);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn write_outputs(args: &CompareSurveyArgs, comparison: &SurveyComparison) -> Result<(), Failure> {
    let items = survey_items_csv(comparison, comparison.group.is_some());
    if let Some(path) = &args.summary {
        write_file(path, survey_summary_csv(comparison))?;
    }
    if let Some(dir) = &args.plots {
        write_plots(dir, comparison, args.png)?;
    }
    match &args.out {
        Some(path) => write_file(path, &items)?,
        // A closed pipe (e.g. `| head`) is not an error worth a panic.
        None => {
            let _ = std::io::stdout().write_all(items.as_bytes());
        }
    }
    Ok(())
}

fn print_notes(c: &SurveyComparison) {
    for s in &c.skipped {
        eprintln!("note: {} not compared: {}", s.question, s.reason);
    }
    for u in &c.unknown_questions {
        eprintln!(
            "note: {}: question {:?} ({} rows) is not in the study; left out",
            u.table, u.question, u.rows
        );
    }
    for u in &c.unreadable {
        eprintln!(
            "note: {}: line {}: {:?} is not an answer {} knows; left out",
            u.table, u.line, u.value, u.question
        );
    }
    let s = &c.summary;
    let f = |x: f64| {
        if x.is_finite() {
            format!("{x:.3}")
        } else {
            "–".into()
        }
    };
    eprintln!(
        "{} items; {} people, {} LLM respondents; mean JS divergence {}, representativeness {}; \
         LLM nearer uniform than people on {} of categorical items; median SD ratio {}; \
         {} of tested items differ (BH-adjusted p < 0.05)",
        s.items,
        c.human_respondents,
        c.llm_respondents,
        f(s.mean_js_divergence),
        f(s.mean_representativeness),
        f(s.nearer_uniform_share),
        f(s.median_sd_ratio),
        f(s.different_share)
    );
}

/// A file name from a question id: letters, digits, `-` and `_` kept.
fn file_part(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn write_plots(dir: &Path, comparison: &SurveyComparison, png: bool) -> Result<(), Failure> {
    create_dir(dir)?;
    let mut charts = Vec::new();
    match plot::survey_summary_figure(comparison) {
        Ok(figure) => charts.push(("summary".to_string(), figure)),
        Err(PlotError::Empty(why)) => eprintln!("note: no summary plot: {why}"),
        Err(e) => return Err(e.into()),
    }
    for (i, item) in comparison.items.iter().enumerate() {
        match plot::survey_distribution_figure(item) {
            Ok(figure) => charts.push((
                format!("{:03}-{}", i + 1, file_part(&item.question)),
                figure,
            )),
            Err(PlotError::Empty(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    for (name, figure) in charts {
        let chart = figure.into();
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

/// Reads a long table; the delimiter is a tab for `.tsv`, else guessed (comma, tab, semicolon).
fn read_table(path: &Path, source: ResponseSource) -> Result<ResponseTable, FileError> {
    super::files::read_table(path, source, Delimiter::Guess, &[])
}

//! `silico amce DATA.csv --outcome COL --id COL [...]`: AMCEs as a tidy CSV on stdout.
//! Also holds the arguments and input handling shared with `silico mm`, `anova` and `clogit`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analysis::{
    cj, AnalysisError, Breakdown, ClusterSe, ConjointSpec, Estimand, Estimates, Formula,
    LevelOrders,
};
use crate::study::{ColumnValues, ResponseSource, ResponseTable};

use super::files::{self, Delimiter, FileError};
use super::EXIT_BAD_INPUT;

/// Arguments shared by `amce` and `mm`.
#[derive(clap::Args, Debug, Clone)]
pub struct ConjointArgs {
    /// Long response table: one row per respondent × task × profile (CSV; TSV if it ends in .tsv).
    pub data: PathBuf,
    /// The outcome column (0/1 choice or a rating).
    #[arg(long, value_name = "COL")]
    pub outcome: String,
    /// Respondent id column; standard errors are clustered by it.
    #[arg(long, value_name = "COL")]
    pub id: String,
    /// Survey weights column.
    #[arg(long, value_name = "COL")]
    pub weights: Option<String>,
    /// Features, e.g. "A + B*C + D" (`B*C` = constrained pair, averaged as cregg does). Without it:
    /// the variables listed in --levels, in file order; without --levels too, every text column
    /// except the id, weights and --by columns. Always additive then.
    #[arg(long, value_name = "FORMULA")]
    pub formula: Option<String>,
    /// Level order per feature: CSV with columns variable,level_index,level (index 1 = baseline).
    /// Unlisted variables get their levels sorted.
    #[arg(long, value_name = "LEVELS.csv")]
    pub levels: Option<PathBuf>,
    /// Make LEVEL the baseline of FEATURE (repeatable), e.g. --baseline "Job=Janitor".
    #[arg(long, value_name = "FEATURE=LEVEL")]
    pub baseline: Vec<String>,
    /// Estimate within each group of this respondent variable; adds a BY column first.
    #[arg(long, value_name = "COL")]
    pub by: Option<String>,
    /// With --by: print each group's difference from the first group instead.
    #[arg(long, requires = "by")]
    pub diffs: bool,
    /// Standard-error convention.
    #[arg(long, value_enum, default_value_t = ClusterSe::Cregg)]
    pub se: ClusterSe,
    /// Cell text that means "missing" (repeatable; default NA). Empty cells are always missing;
    /// "None" is a level unless listed here.
    #[arg(long = "missing", value_name = "CODE")]
    pub missing: Vec<String>,
}

/// A command-line failure: the message to print, always about input the user can fix.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: {source}")]
    Levels { path: String, source: AnalysisError },
    #[error("--baseline {0:?}: write FEATURE=LEVEL")]
    Baseline(String),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}

/// Prints the error and returns the bad-input exit code.
pub fn fail(error: &InputError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Reads a CSV/TSV file into a table; `missing` adds missing-value codes to the default `NA`.
pub fn read_table(path: &Path, missing: &[String]) -> Result<ResponseTable, InputError> {
    Ok(files::read_table(
        path,
        ResponseSource::Human,
        Delimiter::Comma,
        missing,
    )?)
}

/// Reads `--levels` and applies `--baseline`.
pub fn level_orders(path: Option<&Path>, baselines: &[String]) -> Result<LevelOrders, InputError> {
    let mut orders = match path {
        Some(path) => {
            let text = files::read_text(path)?;
            LevelOrders::from_csv(&text).map_err(|source| InputError::Levels {
                path: path.display().to_string(),
                source,
            })?
        }
        None => LevelOrders::new(),
    };
    for baseline in baselines {
        let (feature, level) = baseline
            .split_once('=')
            .ok_or_else(|| InputError::Baseline(baseline.clone()))?;
        orders.set_baseline(feature.trim(), level.trim());
    }
    Ok(orders)
}

impl ConjointArgs {
    /// The table and the estimation spec these arguments describe.
    pub fn load(&self) -> Result<(ResponseTable, ConjointSpec), InputError> {
        let table = read_table(&self.data, &self.missing)?;
        let levels = level_orders(self.levels.as_deref(), &self.baseline)?;
        let formula = match &self.formula {
            Some(text) => Formula::parse(text, Some(&self.outcome))?,
            None => {
                let skip = [
                    Some(self.outcome.as_str()),
                    Some(self.id.as_str()),
                    self.weights.as_deref(),
                    self.by.as_deref(),
                ];
                let features: Vec<String> = if self.levels.is_some() {
                    levels
                        .variables()
                        .iter()
                        .filter(|v| !skip.contains(&Some(v.as_str())))
                        .filter(|v| table.column(v).is_some())
                        .cloned()
                        .collect()
                } else {
                    table
                        .columns
                        .iter()
                        .filter(|c| matches!(c.values, ColumnValues::Text(_)))
                        .map(|c| c.name.clone())
                        .filter(|n| !skip.contains(&Some(n.as_str())))
                        .collect()
                };
                if features.is_empty() {
                    return Err(AnalysisError::Formula {
                        formula: String::new(),
                        message: "no features: give --formula, or --levels listing them".into(),
                    }
                    .into());
                }
                Formula::additive(&features)
            }
        };
        let spec = ConjointSpec {
            outcome: self.outcome.clone(),
            id: Some(self.id.clone()),
            weights: self.weights.clone(),
            formula,
            levels,
            se: self.se,
        };
        Ok((table, spec))
    }
}

/// Prints the table as CSV and the warnings on stderr. Exit 2 if some requested estimate is missing
/// (an empty or collinear level), so scripts notice; the other estimates are still printed.
pub fn print_estimates(estimates: &Estimates) -> ExitCode {
    print!("{}", estimates.table.to_csv());
    for warning in &estimates.warnings {
        eprintln!("warning: {warning}");
    }
    if estimates.warnings.iter().any(|w| w.is_missing_estimate()) {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

impl ConjointArgs {
    /// Which estimates `--by` and `--diffs` ask for.
    pub fn breakdown(&self) -> Breakdown<'_> {
        match (&self.by, self.diffs) {
            (None, _) => Breakdown::Overall,
            (Some(by), false) => Breakdown::By(by),
            (Some(by), true) => Breakdown::Differences(by),
        }
    }

    /// Reads the table and estimates `estimand` as these arguments say.
    pub fn estimate(&self, estimand: Estimand, h0: f64) -> Result<Estimates, InputError> {
        let (table, spec) = self.load()?;
        Ok(cj(&table, &spec, estimand, self.breakdown(), h0)?)
    }
}

pub fn run(args: &ConjointArgs) -> ExitCode {
    match args.estimate(Estimand::Amce, 0.0) {
        Ok(estimates) => print_estimates(&estimates),
        Err(error) => fail(&error),
    }
}

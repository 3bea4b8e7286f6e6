//! `silico plot amce|mm DATA.csv --outcome COL --id COL [the amce/mm flags] --out FILE.svg|FILE.png`:
//! estimates as `silico amce`/`mm` do and writes the plot instead of the table. With `--by`, the
//! groups are overlaid (colour per group) beside a panel of their differences from the first group.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analysis::{cj, Breakdown, Estimand, Estimates};
use crate::plot::{self, EstimateKind, Figure, PlotError};

use super::amce::{fail, ConjointArgs, InputError};
use super::mm::MmArgs;
use super::EXIT_BAD_INPUT;

#[derive(clap::Subcommand, Debug)]
pub enum PlotCommand {
    /// AMCE plot: one row per level under feature headers, baselines at 0 without an interval, a
    /// line at 0. With --by: groups overlaid and their differences from the first group.
    Amce {
        #[command(flatten)]
        common: ConjointArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Marginal-means plot with a line at --h0 (0.5 for a forced choice).
    Mm {
        #[command(flatten)]
        args: MmArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// The plot file: .svg (vector) or .png (raster at twice --width).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    pub out: PathBuf,
    /// Width in pixels; the height follows from the number of levels.
    #[arg(long, default_value_t = plot::DEFAULT_WIDTH)]
    pub width: u32,
}

fn subtitle(estimates: &Estimates, common: &ConjointArgs) -> String {
    format!(
        "{} rows, {} respondents; 95% intervals from SEs clustered by {} ({})",
        estimates.n_rows, estimates.n_respondents, common.id, common.se
    )
}

/// Why no plot was written: bad input (as for `silico amce`) or the plot itself.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Plot(#[from] PlotError),
}

impl From<crate::analysis::AnalysisError> for Failure {
    fn from(error: crate::analysis::AnalysisError) -> Self {
        Self::Input(error.into())
    }
}

/// Estimates (per group and their differences, with --by) and builds the figure.
fn figure(common: &ConjointArgs, kind: EstimateKind) -> Result<(Figure, Estimates), Failure> {
    let (table, spec) = common.load()?;
    let (estimand, h0) = match kind {
        EstimateKind::Amce => (Estimand::Amce, 0.0),
        EstimateKind::MarginalMeans { null } => (Estimand::MarginalMeans, null),
    };
    let estimate = |by: Option<&str>, diffs: bool| {
        let breakdown = match (by, diffs) {
            (None, _) => Breakdown::Overall,
            (Some(by), false) => Breakdown::By(by),
            (Some(by), true) => Breakdown::Differences(by),
        };
        cj(&table, &spec, estimand, breakdown, h0)
    };
    match common.by.as_deref() {
        None => {
            let estimates = estimate(None, false)?;
            let sub = subtitle(&estimates, common);
            let figure = match kind {
                EstimateKind::Amce => plot::amce_figure(&estimates.table, &sub),
                EstimateKind::MarginalMeans { null } => {
                    plot::mm_figure(&estimates.table, null, &sub)
                }
            };
            Ok((figure?, estimates))
        }
        Some(by) if common.diffs => {
            // Only the differences: drawn as the estimates of a grouped table, tested against 0.
            let estimates = estimate(Some(by), true)?;
            let sub = subtitle(&estimates, common);
            Ok((plot::amce_figure(&estimates.table, &sub)?, estimates))
        }
        Some(by) => {
            let per_group = estimate(Some(by), false)?;
            // Differences need an additive formula for AMCEs; without them the overlay still helps.
            let differences = match estimate(Some(by), true) {
                Ok(d) => Some(d),
                Err(e) => {
                    eprintln!("warning: no difference panel: {e}");
                    None
                }
            };
            let sub = subtitle(&per_group, common);
            let figure = plot::subgroup_figure(
                &per_group.table,
                differences.as_ref().map(|d| &d.table),
                kind,
                &sub,
            );
            Ok((figure?, per_group))
        }
    }
}

/// Writes the figure in the format the file name asks for.
pub fn write(figure: &Figure, out: &Path, width: u32) -> Result<(), PlotError> {
    let extension = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("svg") => {
            let svg = plot::to_svg(figure, width)?;
            std::fs::write(out, svg).map_err(|source| PlotError::Write {
                path: out.display().to_string(),
                source,
            })
        }
        Some("png") => plot::write_png(figure, width, out),
        _ => Err(PlotError::Format(out.display().to_string())),
    }
}

pub fn run(command: &PlotCommand) -> ExitCode {
    let (common, kind, output) = match command {
        PlotCommand::Amce { common, output } => (common, EstimateKind::Amce, output),
        PlotCommand::Mm { args, output } => (
            &args.common,
            EstimateKind::MarginalMeans { null: args.h0 },
            output,
        ),
    };
    // Check the file name before estimating, so a typo costs nothing.
    if let Err(e @ PlotError::Format(_)) = write_check(&output.out) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let (figure, estimates) = match figure(common, kind) {
        Ok(done) => done,
        Err(Failure::Input(error)) => return fail(&error),
        Err(Failure::Plot(error)) => return plot_failed(&error),
    };
    for warning in &estimates.warnings {
        eprintln!("warning: {warning}");
    }
    match write(&figure, &output.out, output.width) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => plot_failed(&error),
    }
}

fn plot_failed(error: &PlotError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(match error {
        PlotError::Format(_) | PlotError::Write { .. } | PlotError::Empty(_) => EXIT_BAD_INPUT,
        PlotError::Draw(_) => 1,
    })
}

fn write_check(out: &Path) -> Result<(), PlotError> {
    match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") || e.eq_ignore_ascii_case("png") => Ok(()),
        _ => Err(PlotError::Format(out.display().to_string())),
    }
}

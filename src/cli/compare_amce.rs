//! `silico compare-amce HUMANS.csv TWINS.csv`: two tidy estimate tables (as `silico amce` or `mm`
//! write them) side by side, each level's twin − human difference tested as independent samples,
//! as CSV on stdout; `--summary` prints the summary instead; `--plot` draws both on one axis.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::compare::{compare_estimates, read_tidy_csv};
use crate::plot::{self, Chart, EstimateKind, PlotError};

use super::failure::Failure;
use super::files::{read_text, write_file};
use super::EXIT_BAD_INPUT;

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "\
Input: CSV with columns feature,level,estimate,std_error (and BY for grouped tables; other columns \
are ignored). Levels are matched by (BY, feature, level). Output columns: [BY,]feature,level,human,\
human_se,twin,twin_se,difference,std_error,z,p,lower,upper with difference = twin - human, \
std_error = sqrt(human_se^2 + twin_se^2), z = difference / std_error, two-sided normal p and 95% \
interval. Baselines (no standard error) get no test.

--summary prints metric,value rows: levels, compared (levels with a standard error on both sides), \
correlation of the estimates, sign_agreement and significant_share (p < 0.05) over the compared \
levels, mean_abs_difference.

Exit codes: 0 success, 2 bad input.")]
pub struct CompareAmceArgs {
    /// The humans' estimates.
    pub humans: PathBuf,
    /// The twins' estimates.
    pub twins: PathBuf,
    /// Print the summary instead of the per-level table.
    #[arg(long)]
    pub summary: bool,
    /// Also draw both sets on one axis with their differences (.svg or .png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// The estimates are marginal means with this null (the plot's reference line) instead of AMCEs.
    #[arg(long, value_name = "NULL")]
    pub mm: Option<f64>,
}

fn read(path: &Path) -> Result<Vec<crate::analysis::TidyRow>, Failure> {
    let text = read_text(path)?;
    Ok(read_tidy_csv(&text, &path.display().to_string())?)
}

fn compute(args: &CompareAmceArgs) -> Result<String, Failure> {
    let comparison = compare_estimates(&read(&args.humans)?, &read(&args.twins)?);
    if let Some(path) = &args.plot {
        let kind = match args.mm {
            Some(null) => EstimateKind::MarginalMeans { null },
            None => EstimateKind::Amce,
        };
        let subtitle = format!(
            "{} levels compared; correlation {:.3}, same sign {:.3}",
            comparison.summary.compared,
            comparison.summary.correlation,
            comparison.summary.sign_agreement
        );
        let chart = Chart::Rows(plot::estimate_comparison_figure(
            &comparison,
            kind,
            &subtitle,
        )?);
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("svg") => {
                write_file(path, plot::chart_to_svg(&chart, plot::DEFAULT_WIDTH)?)?
            }
            Some(e) if e.eq_ignore_ascii_case("png") => {
                plot::write_chart_png(&chart, plot::DEFAULT_WIDTH, path)?
            }
            _ => return Err(PlotError::Format(path.display().to_string()).into()),
        }
    }
    Ok(if args.summary {
        comparison.summary_csv()
    } else {
        comparison.to_csv()
    })
}

pub fn run(args: &CompareAmceArgs) -> ExitCode {
    match compute(args) {
        Ok(text) => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

//! `silico mm DATA.csv --outcome COL --id COL [...]`: marginal means as a tidy CSV on stdout.

use std::process::ExitCode;

use super::amce::{fail, print_estimates, ConjointArgs};
use crate::analysis::Estimand;

#[derive(clap::Args, Debug, Clone)]
pub struct MmArgs {
    #[command(flatten)]
    pub common: ConjointArgs,
    /// Null value for z and p: 0.5 = no preference in a two-profile forced choice (use 0 for
    /// ratings, or the scale midpoint). Differences (--diffs) are always tested against 0.
    #[arg(long, default_value_t = 0.5)]
    pub h0: f64,
}

pub fn run(args: &MmArgs) -> ExitCode {
    match args.common.estimate(Estimand::MarginalMeans, args.h0) {
        Ok(estimates) => print_estimates(&estimates),
        Err(error) => fail(&error),
    }
}

//! One front door for conjoint estimation, as cregg's `cj()`: the estimand (AMCE or marginal
//! means), overall or within each group of a respondent variable, or each group's difference from
//! the first. The page's worker, the command line and the tests all come through here, so the
//! choice of estimator is made in one place.

use serde::{Deserialize, Serialize};

use super::amce::{amce, ConjointSpec};
use super::mm::mm;
use super::subgroup::{amce_by, amce_diffs, mm_by, mm_diffs};
use super::tidy::Estimates;
use super::AnalysisError;
use crate::study::ResponseTable;

/// What a conjoint analysis estimates.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum Estimand {
    /// Average marginal component effects: each level against its feature's baseline.
    Amce,
    /// Marginal means: the mean outcome at each level.
    MarginalMeans,
}

impl std::fmt::Display for Estimand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Amce => "AMCE",
            Self::MarginalMeans => "marginal means",
        })
    }
}

/// Where the estimates come from: the whole sample, each group of `by`, or each group's
/// difference from the first group of `by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breakdown<'a> {
    Overall,
    By(&'a str),
    Differences(&'a str),
}

/// The estimates of `estimand` (cregg's `cj(data, formula, id, estimate = …, by = …)`). `h0` is
/// the null of the marginal means (0.5 for a forced choice between two profiles); differences and
/// AMCEs are always tested against 0.
pub fn cj(
    table: &ResponseTable,
    spec: &ConjointSpec,
    estimand: Estimand,
    breakdown: Breakdown<'_>,
    h0: f64,
) -> Result<Estimates, AnalysisError> {
    match (estimand, breakdown) {
        (Estimand::Amce, Breakdown::Overall) => amce(table, spec),
        (Estimand::Amce, Breakdown::By(by)) => amce_by(table, spec, by),
        (Estimand::Amce, Breakdown::Differences(by)) => amce_diffs(table, spec, by),
        (Estimand::MarginalMeans, Breakdown::Overall) => mm(table, spec, h0),
        (Estimand::MarginalMeans, Breakdown::By(by)) => mm_by(table, spec, by, h0),
        (Estimand::MarginalMeans, Breakdown::Differences(by)) => mm_diffs(table, spec, by),
    }
}

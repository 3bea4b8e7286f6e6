//! Twins vs people: per-question agreement metrics over paired answers (one human answer and the
//! answer of that person's LLM twin), plus distribution distances, per-respondent and subgroup
//! agreement, the human retest ceiling and AMCE comparisons (the HTML report that draws them is
//! `plot::report`, so plots depend on comparisons and never the other way). No browser types, so
//! the page's worker and the CLI run the same code.
//!
//! - `pairs`: groups a long table into questions of complete (human, twin) pairs, keeping whose
//!   pair each is, the retest answers and each person's group.
//! - `ranges`: each question's scale range (for accuracy) and optionally its kind.
//! - `kind`: ordinal, numeric or nominal, and the agreement of one pair of answers.
//! - `metrics`: accuracy (exact match for nominal), correlation, sd ratio, Glass's Δ, paired t,
//!   means and sds, and the overall row.
//! - `distribution`: Wasserstein-based representativeness, Jensen–Shannon divergence, answer shares.
//! - `retest`: the human test–retest ceiling and the twin's accuracy as a share of it.
//! - `respondents`: agreement per respondent and per group.
//! - `matrix`: the respondent × question agreement matrix (sorted, binned).
//! - `subgroups`: do twins reproduce the differences between groups?
//! - `comparison`: all of the above in one serde result.
//! - `amce_compare`: two sets of AMCEs (or marginal means) side by side with difference tests.
//! - `export`: the tables as CSV.
//! - `twins`: twins fielded from the study paired with the people they stand for.
//! - `survey`: people vs an LLM sample, unpaired: each question's two answer distributions.

mod amce_compare;
mod comparison;
mod distribution;
mod error;
mod export;
mod fast_hash;
mod kind;
mod matrix;
mod metrics;
pub mod nan_serde;
mod pairs;
mod ranges;
mod respondents;
mod retest;
mod subgroups;
pub mod survey;
mod twins;

pub use amce_compare::{
    compare_estimates, read_tidy_csv, EstimateComparison, EstimateSummary, LevelComparison,
};
pub use comparison::{compare, compare_paired, Comparison, QuestionResult};
pub use distribution::{js_divergence, representativeness, DistributionDistances, PositionShares};
pub use error::{CompareError, GroupConflict};
pub use export::{
    groups_csv, matrix_csv, number, questions_csv, respondents_csv, subgroups_csv, CsvColumns,
};
pub use kind::{QuestionKind, Scale, MAX_ORDINAL_POSITIONS};
pub use matrix::{agreement_matrix, question_label, AgreementMatrix};
pub use metrics::{
    compare_questions, overall, question_metrics, question_metrics_as, QuestionMetrics,
};
pub use pairs::{paired, paired_questions, Extras, Groups, PairColumns, Paired, QuestionPairs};
pub use ranges::{read_ranges, RangeColumns, Ranges};
pub use respondents::{group_metrics, respondent_metrics, GroupMetrics, RespondentMetrics};
pub use retest::{overall_ceiling, retest_ceiling, RetestCeiling};
pub use subgroups::{
    subgroup_alignment, AlignmentSummary, GroupDifference, SubgroupAlignment, MIN_GROUP_PAIRS,
};
pub use survey::{
    compare_survey, items_csv as survey_items_csv, summary_csv as survey_summary_csv,
    Distribution as SurveyDistribution, ItemComparison, NumericTest, SurveyComparison,
    SurveyOptions, SurveySamplesError, SurveySummary,
};
pub use twins::{twin_pairs, TwinPairs, TwinPairsError};

//! Twins vs people: per-question agreement metrics over paired answers (one human answer and the
//! answer of that person's LLM twin), plus distribution distances. No browser types, so the page's
//! worker and the CLI run the same code.
//!
//! - `pairs`: groups a long table into questions of complete (human, twin) pairs.
//! - `ranges`: each question's scale range, for accuracy.
//! - `metrics`: accuracy, correlation, sd ratio, Glass's Δ, paired t, means and sds, and the overall row.
//! - `distribution`: Wasserstein-based representativeness and Jensen–Shannon divergence.

mod distribution;
mod error;
mod metrics;
mod pairs;
mod ranges;

pub use distribution::{js_divergence, representativeness, DistributionDistances};
pub use error::CompareError;
pub use metrics::{compare_questions, overall, question_metrics, QuestionMetrics};
pub use pairs::{paired_questions, PairColumns, QuestionPairs};
pub use ranges::{read_ranges, RangeColumns, Ranges};

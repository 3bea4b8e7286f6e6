//! Across questions: how far the LLM sample is from the people on average, how often it is nearer
//! the uniform distribution than they are (the drift to uniform), how much less it varies, and how
//! many items differ after adjusting for the number of tests.

use serde::{Deserialize, Serialize};

use super::stats::ItemComparison;
use crate::compare::{nan_serde, QuestionKind};

/// Items with a p-value below this (after Benjamini–Hochberg) count as differing.
pub const ALPHA: f64 = 0.05;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SurveySummary {
    pub group: Option<String>,
    /// Items with answers on both sides.
    pub items: usize,
    pub ordinal: usize,
    pub nominal: usize,
    pub numeric: usize,
    /// Means over the items where each is defined.
    #[serde(with = "nan_serde::f64")]
    pub mean_representativeness: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_js_divergence: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_tv_distance: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_js_uniform_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_js_uniform_llm: f64,
    /// Share of categorical items whose LLM distribution is nearer uniform (by JS) than people's.
    #[serde(with = "nan_serde::f64")]
    pub nearer_uniform_share: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_entropy_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_entropy_llm: f64,
    /// The median of the SD ratios (a ratio's mean is pulled up by a few large ones).
    #[serde(with = "nan_serde::f64")]
    pub median_sd_ratio: f64,
    /// Share of tested items with an adjusted p below [`ALPHA`].
    #[serde(with = "nan_serde::f64")]
    pub different_share: f64,
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    if values.len() % 2 == 1 {
        values[m]
    } else {
        0.5 * (values[m - 1] + values[m])
    }
}

/// The summary of one group's rows (all rows for the whole samples).
pub fn summarise(group: Option<String>, rows: &[&ItemComparison]) -> SurveySummary {
    let both: Vec<&ItemComparison> = rows
        .iter()
        .copied()
        .filter(|r| r.n_human > 0 && r.n_llm > 0)
        .collect();
    let count = |kind| both.iter().filter(|r| r.kind == kind).count();
    let pairs: Vec<(f64, f64)> = both
        .iter()
        .map(|r| {
            (
                r.human_to_uniform.js_divergence,
                r.llm_to_uniform.js_divergence,
            )
        })
        .filter(|(h, l)| h.is_finite() && l.is_finite())
        .collect();
    let tested: Vec<f64> = both
        .iter()
        .map(|r| r.p_adjusted)
        .filter(|p| p.is_finite())
        .collect();
    SurveySummary {
        group,
        items: both.len(),
        ordinal: count(QuestionKind::Ordinal),
        nominal: count(QuestionKind::Nominal),
        numeric: count(QuestionKind::Numeric),
        mean_representativeness: mean(both.iter().map(|r| r.distances.representativeness)),
        mean_js_divergence: mean(both.iter().map(|r| r.distances.js_divergence)),
        mean_tv_distance: mean(both.iter().map(|r| r.distances.tv_distance)),
        mean_js_uniform_human: mean(both.iter().map(|r| r.human_to_uniform.js_divergence)),
        mean_js_uniform_llm: mean(both.iter().map(|r| r.llm_to_uniform.js_divergence)),
        nearer_uniform_share: if pairs.is_empty() {
            f64::NAN
        } else {
            pairs.iter().filter(|(h, l)| l < h).count() as f64 / pairs.len() as f64
        },
        mean_entropy_human: mean(both.iter().map(|r| r.entropy_human)),
        mean_entropy_llm: mean(both.iter().map(|r| r.entropy_llm)),
        median_sd_ratio: median(both.iter().map(|r| r.sd_ratio).collect()),
        different_share: if tested.is_empty() {
            f64::NAN
        } else {
            tested.iter().filter(|p| **p < ALPHA).count() as f64 / tested.len() as f64
        },
    }
}

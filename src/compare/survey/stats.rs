//! One item's two samples side by side: sizes, means and SDs (ddof 1) with their ratio, the
//! distances between the people's and the LLM's answer distributions and from each to the uniform
//! distribution over the item's categories, normalised entropies and a test of difference.
//!
//! Categorical items (ordinal, nominal) are compared over *all* their categories, chosen or not,
//! so K is the number of options: representativeness 1 − W/W_max with W the 1-Wasserstein
//! distance on positions 0..K−1 and W_max = K − 1 (ordinal only: unordered codes have no
//! distance), Jensen–Shannon divergence in bits (0 = same, 1 = disjoint; the convention of
//! [`crate::compare::js_divergence`]; scipy's `jensenshannon(p, q, base=2) ** 2`), total
//! variation ½Σ|p − q|, entropy −Σp ln p / ln K. Numeric items get W in answer units and, with a
//! range, 1 − W/(max − min).

use serde::{Deserialize, Serialize};

use super::difference::{chi_square, mann_whitney, welch_t, Difference, NumericTest};
use super::items::{Category, ItemSpec};
use crate::compare::distribution::{js_of, representativeness_of};
use crate::compare::{nan_serde, QuestionKind};
use crate::study::number_text;

/// Shares per category (or per bin, for numbers) of both samples: a chart's data.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Distribution {
    pub labels: Vec<String>,
    pub human: Vec<f64>,
    pub llm: Vec<f64>,
    /// Numbers put into equal-width bins (the labels are the bins' lower edges).
    pub binned: bool,
}

/// Distances between two distributions over the same categories; NaN where undefined.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Distances {
    #[serde(with = "nan_serde::f64")]
    pub representativeness: f64,
    #[serde(with = "nan_serde::f64")]
    pub js_divergence: f64,
    #[serde(with = "nan_serde::f64")]
    pub tv_distance: f64,
}

impl Distances {
    pub const UNDEFINED: Self = Self {
        representativeness: f64::NAN,
        js_divergence: f64::NAN,
        tv_distance: f64::NAN,
    };

    /// `p` and `q` are shares over the same K categories (in order for ordinal items).
    pub fn between(p: &[f64], q: &[f64], ordinal: bool) -> Self {
        if p.is_empty() || q.is_empty() {
            return Self::UNDEFINED;
        }
        Self {
            representativeness: if ordinal {
                representativeness_of(p, q)
            } else {
                f64::NAN
            },
            js_divergence: js_of(p, q),
            tv_distance: 0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>(),
        }
    }
}

/// One item (within one group, if grouped): every column of `silico compare-survey`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ItemComparison {
    /// The group's value; `None` for the whole samples.
    pub group: Option<String>,
    /// The id answers carry: the question id, or `question_item` for matrix items and options.
    pub question: String,
    /// The study question.
    pub parent: String,
    pub item: Option<String>,
    /// The question's type in the study file (`scale`, `matrix`, …).
    pub type_name: String,
    pub kind: QuestionKind,
    /// K, the number of categories (0 for numbers).
    pub categories: usize,
    pub n_human: usize,
    pub n_llm: usize,
    pub missing_human: usize,
    pub missing_llm: usize,
    pub unreadable_human: usize,
    pub unreadable_llm: usize,
    #[serde(with = "nan_serde::f64")]
    pub mean_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_llm: f64,
    #[serde(with = "nan_serde::f64")]
    pub sd_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub sd_llm: f64,
    /// sd_llm / sd_human: below 1 the LLM's answers vary less than people's.
    #[serde(with = "nan_serde::f64")]
    pub sd_ratio: f64,
    /// 1-Wasserstein distance: in positions (ordinal) or answer units (numeric).
    #[serde(with = "nan_serde::f64")]
    pub wasserstein: f64,
    /// People vs LLM.
    pub distances: Distances,
    /// The people's distribution vs uniform over the categories.
    pub human_to_uniform: Distances,
    /// The LLM's distribution vs uniform: the drift to uniform when it is nearer than people's.
    pub llm_to_uniform: Distances,
    #[serde(with = "nan_serde::f64")]
    pub entropy_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub entropy_llm: f64,
    pub difference: Difference,
    /// The test's p-value adjusted over the items of the same group (Benjamini–Hochberg).
    #[serde(with = "nan_serde::f64")]
    pub p_adjusted: f64,
    pub distribution: Option<Distribution>,
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = if x.len() < 2 {
        f64::NAN
    } else {
        (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    (mean, sd)
}

/// Shares of each category; values that are no category are not counted (there are none: values
/// come from the categories).
fn shares(values: &[f64], categories: &[Category]) -> (Vec<f64>, Vec<f64>) {
    let mut counts = vec![0.0; categories.len()];
    for v in values {
        if let Some(i) = categories.iter().position(|c| c.value == *v) {
            counts[i] += 1.0;
        }
    }
    let total: f64 = counts.iter().sum();
    let shares = counts
        .iter()
        .map(|c| if total > 0.0 { c / total } else { f64::NAN })
        .collect();
    (counts, shares)
}

/// −Σ p ln p / ln K; NaN with fewer than two categories or no answers.
pub fn normalised_entropy(p: &[f64]) -> f64 {
    if p.len() < 2 || p.iter().any(|x| !x.is_finite()) {
        return f64::NAN;
    }
    let h: f64 = p.iter().filter(|&&x| x > 0.0).map(|&x| -x * x.ln()).sum();
    h / (p.len() as f64).ln()
}

/// The 1-Wasserstein distance between two samples of numbers (scipy's `wasserstein_distance`):
/// the area between their empirical CDFs.
pub fn wasserstein(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let mut all: Vec<f64> = a.iter().chain(&b).copied().collect();
    all.sort_by(f64::total_cmp);
    all.dedup();
    let cdf =
        |sorted: &[f64], x: f64| sorted.partition_point(|v| *v <= x) as f64 / sorted.len() as f64;
    all.windows(2)
        .map(|w| (cdf(&a, w[0]) - cdf(&b, w[0])).abs() * (w[1] - w[0]))
        .sum()
}

/// At most this many equal-width bins for a numeric item's chart.
const BINS: usize = 10;

fn binned(a: &[f64], b: &[f64], range: Option<(f64, f64)>) -> Option<Distribution> {
    let pooled = a.iter().chain(b);
    let (lo, hi) = range.unwrap_or_else(|| {
        pooled.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
    });
    if !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let bins = if hi > lo { BINS } else { 1 };
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let share = |x: &[f64]| {
        let mut c = vec![0.0; bins];
        for v in x {
            let i = (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1);
            c[i] += 1.0;
        }
        let n = x.len() as f64;
        c.into_iter()
            .map(|v| if n > 0.0 { v / n } else { f64::NAN })
            .collect()
    };
    Some(Distribution {
        labels: (0..bins)
            .map(|i| number_text(lo + i as f64 * width))
            .collect(),
        human: share(a),
        llm: share(b),
        binned: true,
    })
}

/// The categories an item of undecided kind is compared over: the distinct answers of both sides.
fn observed_categories(a: &[f64], b: &[f64]) -> Vec<Category> {
    let mut values: Vec<f64> = a.iter().chain(b).map(|x| x + 0.0).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
        .into_iter()
        .map(|value| Category {
            value,
            label: number_text(value),
        })
        .collect()
}

/// Counts of missing and unreadable cells, per side.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gaps {
    pub missing: (usize, usize),
    pub unreadable: (usize, usize),
}

/// Compares the people's (`human`) and the LLM's (`llm`) answers to one item.
pub fn compare_item(
    spec: &ItemSpec,
    group: Option<String>,
    human: &[f64],
    llm: &[f64],
    gaps: Gaps,
    numeric_test: NumericTest,
) -> ItemComparison {
    let kind = spec
        .kind
        .unwrap_or_else(|| QuestionKind::decide(None, human, llm));
    let categories = match (kind, spec.categories.is_empty()) {
        (QuestionKind::Numeric, _) => Vec::new(),
        (_, true) => observed_categories(human, llm),
        (_, false) => spec.categories.clone(),
    };
    let ((mean_human, sd_human), (mean_llm, sd_llm)) = if kind == QuestionKind::Nominal {
        ((f64::NAN, f64::NAN), (f64::NAN, f64::NAN))
    } else {
        (mean_sd(human), mean_sd(llm))
    };
    let mut row = ItemComparison {
        group,
        question: spec.id.clone(),
        parent: spec.question.clone(),
        item: spec.item.clone(),
        type_name: spec.type_name.clone(),
        kind,
        categories: categories.len(),
        n_human: human.len(),
        n_llm: llm.len(),
        missing_human: gaps.missing.0,
        missing_llm: gaps.missing.1,
        unreadable_human: gaps.unreadable.0,
        unreadable_llm: gaps.unreadable.1,
        mean_human,
        mean_llm,
        sd_human,
        sd_llm,
        sd_ratio: if sd_human > 0.0 {
            sd_llm / sd_human
        } else {
            f64::NAN
        },
        wasserstein: f64::NAN,
        distances: Distances::UNDEFINED,
        human_to_uniform: Distances::UNDEFINED,
        llm_to_uniform: Distances::UNDEFINED,
        entropy_human: f64::NAN,
        entropy_llm: f64::NAN,
        difference: Difference {
            test: String::new(),
            statistic: f64::NAN,
            df: f64::NAN,
            p_value: f64::NAN,
        },
        p_adjusted: f64::NAN,
        distribution: None,
    };
    if kind == QuestionKind::Numeric {
        row.wasserstein = wasserstein(human, llm);
        if let Some((lo, hi)) = spec.range {
            row.distances.representativeness = 1.0 - row.wasserstein / (hi - lo);
        }
        row.difference = match numeric_test {
            NumericTest::Welch => welch_t(human, llm),
            NumericTest::MannWhitney => mann_whitney(human, llm),
        };
        row.distribution = binned(human, llm, spec.range);
        return row;
    }
    let ordinal = kind == QuestionKind::Ordinal;
    let (counts_h, p) = shares(human, &categories);
    let (counts_l, q) = shares(llm, &categories);
    let k = categories.len();
    let uniform = vec![1.0 / k.max(1) as f64; k];
    let defined = |s: &[f64]| s.iter().all(|x| x.is_finite()) && !s.is_empty();
    if defined(&p) && defined(&q) {
        row.distances = Distances::between(&p, &q, ordinal);
        if ordinal && k > 1 {
            row.wasserstein = (1.0 - row.distances.representativeness) * (k - 1) as f64;
        }
    }
    if defined(&p) {
        row.human_to_uniform = Distances::between(&p, &uniform, ordinal);
        row.entropy_human = normalised_entropy(&p);
    }
    if defined(&q) {
        row.llm_to_uniform = Distances::between(&q, &uniform, ordinal);
        row.entropy_llm = normalised_entropy(&q);
    }
    row.difference = chi_square(&counts_h, &counts_l);
    row.distribution = Some(Distribution {
        labels: categories.iter().map(|c| c.label.clone()).collect(),
        human: p,
        llm: q,
        binned: false,
    });
    row
}

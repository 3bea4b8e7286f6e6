//! Per-question agreement between twins and people, with the definitions of the Twin-2K-500
//! mega-study (`compute_vector_metrics.py`), so the published numbers are reproduced exactly:
//! Pearson r (0 when either side is constant), accuracy = 1 − mean|h − t| / range, sd ratio and
//! Glass's Δ with population sds (ddof 0), reported sds with ddof 1, and scipy's `ttest_rel(h, t)`.
//! Nominal questions (unordered codes) get the exact-match share as their accuracy instead, and
//! no metric that treats codes as numbers.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::nan_serde;
use super::{DistributionDistances, QuestionKind, QuestionPairs, Ranges};

/// One question's metrics; NaN where a metric is undefined (no range, constant human answers,
/// fewer than two pairs, a nominal question). NaN travels as `null` in JSON.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct QuestionMetrics {
    pub key: Vec<String>,
    pub kind: QuestionKind,
    pub n: usize,
    /// 1 − mean|h − t| / range (ordinal, numeric); the exact-match share (nominal).
    #[serde(with = "nan_serde::f64")]
    pub accuracy: f64,
    /// Share of pairs where the twin gave exactly the human's answer.
    #[serde(with = "nan_serde::f64")]
    pub exact_match: f64,
    #[serde(with = "nan_serde::f64")]
    pub correlation: f64,
    #[serde(with = "nan_serde::f64")]
    pub sd_ratio: f64,
    #[serde(with = "nan_serde::f64")]
    pub glass_delta: f64,
    #[serde(with = "nan_serde::f64")]
    pub paired_t: f64,
    #[serde(with = "nan_serde::f64")]
    pub paired_p: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub mean_twin: f64,
    #[serde(with = "nan_serde::f64")]
    pub sd_human: f64,
    #[serde(with = "nan_serde::f64")]
    pub sd_twin: f64,
    pub distances: DistributionDistances,
}

/// Metrics for every question; a question missing from `ranges` gets accuracy NaN (unless it is
/// nominal), and its kind comes from `ranges` or else from its answers.
pub fn compare_questions(questions: &[QuestionPairs], ranges: &Ranges) -> Vec<QuestionMetrics> {
    questions
        .iter()
        .map(|q| {
            let kind = QuestionKind::decide(ranges.kind(&q.key), &q.human, &q.twin);
            question_metrics_as(q, ranges.get(&q.key), kind)
        })
        .collect()
}

/// Metrics for one question with its scale range `(min, max)`, if known; the kind is decided from
/// the answers (ordinal or numeric, never nominal).
pub fn question_metrics(pairs: &QuestionPairs, range: Option<(f64, f64)>) -> QuestionMetrics {
    let kind = QuestionKind::decide(None, &pairs.human, &pairs.twin);
    question_metrics_as(pairs, range, kind)
}

/// Metrics for one question of a known kind.
pub fn question_metrics_as(
    pairs: &QuestionPairs,
    range: Option<(f64, f64)>,
    kind: QuestionKind,
) -> QuestionMetrics {
    let (h, t) = (&pairs.human, &pairs.twin);
    let n = h.len().min(t.len());
    let (h, t) = (&h[..n], &t[..n]);
    let exact_match = if n == 0 {
        f64::NAN
    } else {
        h.iter().zip(t).filter(|(x, y)| x == y).count() as f64 / n as f64
    };
    if kind == QuestionKind::Nominal {
        return nominal_metrics(pairs, n, exact_match);
    }
    let nf = n as f64;
    let mean_human = mean(h);
    let mean_twin = mean(t);
    // Sums of squares about the means (two passes: stable for answers far from zero).
    let ss_h: f64 = h.iter().map(|x| (x - mean_human).powi(2)).sum();
    let ss_t: f64 = t.iter().map(|x| (x - mean_twin).powi(2)).sum();
    let sp: f64 = h
        .iter()
        .zip(t)
        .map(|(x, y)| (x - mean_human) * (y - mean_twin))
        .sum();
    let sd0_h = (ss_h / nf).sqrt();
    let sd0_t = (ss_t / nf).sqrt();
    let correlation = if n == 0 {
        f64::NAN
    } else if ss_h == 0.0 || ss_t == 0.0 {
        0.0
    } else {
        sp / (ss_h * ss_t).sqrt()
    };
    let accuracy = match range {
        Some((lo, hi)) if hi > lo && n > 0 => {
            let mad = h.iter().zip(t).map(|(x, y)| (x - y).abs()).sum::<f64>() / nf;
            1.0 - mad / (hi - lo)
        }
        _ => f64::NAN,
    };
    let (paired_t, paired_p) = paired_t_test(h, t);
    QuestionMetrics {
        key: pairs.key.clone(),
        kind,
        n,
        accuracy,
        exact_match,
        correlation,
        sd_ratio: sd0_t / sd0_h,
        glass_delta: (mean_twin - mean_human).abs() / sd0_h,
        paired_t,
        paired_p,
        mean_human,
        mean_twin,
        sd_human: (ss_h / (nf - 1.0)).sqrt(),
        sd_twin: (ss_t / (nf - 1.0)).sqrt(),
        distances: match kind {
            QuestionKind::Ordinal => DistributionDistances::of(h, t),
            // Each distinct value of a continuous answer would be its own "position".
            _ => DistributionDistances::undefined(),
        },
    }
}

/// A nominal question: exact match is the accuracy; JSD compares the category shares; everything
/// that would treat codes as numbers is NaN.
fn nominal_metrics(pairs: &QuestionPairs, n: usize, exact_match: f64) -> QuestionMetrics {
    let (h, t) = (&pairs.human[..n], &pairs.twin[..n]);
    QuestionMetrics {
        key: pairs.key.clone(),
        kind: QuestionKind::Nominal,
        n,
        accuracy: exact_match,
        exact_match,
        correlation: f64::NAN,
        sd_ratio: f64::NAN,
        glass_delta: f64::NAN,
        paired_t: f64::NAN,
        paired_p: f64::NAN,
        mean_human: f64::NAN,
        mean_twin: f64::NAN,
        sd_human: f64::NAN,
        sd_twin: f64::NAN,
        distances: DistributionDistances {
            representativeness: f64::NAN,
            js_divergence: super::js_divergence(h, t),
        },
    }
}

/// The overall row: n is the number of pairs, every other metric the unweighted mean over the
/// questions where it is defined (the mega-study reports averages over DVs, not pooled answers,
/// because the questions' scales differ).
pub fn overall(rows: &[QuestionMetrics], key_columns: usize) -> QuestionMetrics {
    let avg = |f: fn(&QuestionMetrics) -> f64| {
        let defined: Vec<f64> = rows.iter().map(f).filter(|x| x.is_finite()).collect();
        if defined.is_empty() {
            f64::NAN
        } else {
            mean(&defined)
        }
    };
    let mut key = vec![String::new(); key_columns.max(1)];
    key[0] = "overall".into();
    // The overall row's kind only labels it: ordinal unless every question is something else.
    let kind = rows
        .first()
        .map(|r| r.kind)
        .filter(|k| rows.iter().all(|r| r.kind == *k))
        .unwrap_or(QuestionKind::Ordinal);
    QuestionMetrics {
        key,
        kind,
        n: rows.iter().map(|r| r.n).sum(),
        accuracy: avg(|r| r.accuracy),
        exact_match: avg(|r| r.exact_match),
        correlation: avg(|r| r.correlation),
        sd_ratio: avg(|r| r.sd_ratio),
        glass_delta: avg(|r| r.glass_delta),
        // A t test across questions on different scales means nothing; leave it out.
        paired_t: f64::NAN,
        paired_p: f64::NAN,
        mean_human: avg(|r| r.mean_human),
        mean_twin: avg(|r| r.mean_twin),
        sd_human: avg(|r| r.sd_human),
        sd_twin: avg(|r| r.sd_twin),
        distances: DistributionDistances {
            representativeness: avg(|r| r.distances.representativeness),
            js_divergence: avg(|r| r.distances.js_divergence),
        },
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// scipy's `ttest_rel(a, b)`: t = mean(d) / (sd(d, ddof 1) / √n) with d = a − b, two-sided p from
/// Student's t with n − 1 df. NaN when n < 2 or every difference is equal (scipy gives NaN too
/// when all differences are zero).
fn paired_t_test(a: &[f64], b: &[f64]) -> (f64, f64) {
    let n = a.len();
    if n < 2 {
        return (f64::NAN, f64::NAN);
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let md = mean(&d);
    let var = d.iter().map(|x| (x - md).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    if var == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let t = md / (var / n as f64).sqrt();
    let p = match StudentsT::new(0.0, 1.0, n as f64 - 1.0) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => f64::NAN,
    };
    (t, p)
}

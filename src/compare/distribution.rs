//! Distances between the human and the twin answer distributions of one question, on ordinal
//! positions: the distinct answers of both sides, sorted, become positions 0..K−1, so a 1–7 scale
//! and a 0/1 item are treated alike and gaps in the codes do not count as distance.

use serde::{Deserialize, Serialize};

use super::nan_serde;

/// Representativeness (1 = same distribution) and Jensen–Shannon divergence (0 = same); NaN (null
/// in JSON) where undefined.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct DistributionDistances {
    #[serde(with = "nan_serde::f64")]
    pub representativeness: f64,
    #[serde(with = "nan_serde::f64")]
    pub js_divergence: f64,
}

/// Each ordinal position (the distinct answers of both sides, sorted) with the share of human and
/// of twin answers there: the data of a distribution overlay.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PositionShares {
    pub positions: Vec<f64>,
    pub human: Vec<f64>,
    pub twin: Vec<f64>,
}

impl PositionShares {
    /// `None` when a side has no answers.
    pub fn of(human: &[f64], twin: &[f64]) -> Option<Self> {
        let (positions, human, twin) = shares(human, twin)?;
        Some(Self {
            positions,
            human,
            twin,
        })
    }
}

impl DistributionDistances {
    pub fn undefined() -> Self {
        Self {
            representativeness: f64::NAN,
            js_divergence: f64::NAN,
        }
    }

    /// Both distances from one tally of the answers.
    pub fn of(human: &[f64], twin: &[f64]) -> Self {
        match shares(human, twin) {
            Some((_, p, q)) => Self {
                representativeness: representativeness_of(&p, &q),
                js_divergence: js_of(&p, &q),
            },
            None => Self::undefined(),
        }
    }
}

/// Past this many distinct answers the support is found by sorting instead of a linear scan.
const SCAN_DISTINCT: usize = 64;

/// The distinct answers of both sides, sorted. Ordinal questions have a handful, so a linear scan
/// of the ones seen so far beats sorting thousands of answers; many distinct values fall back to
/// sort and dedup.
fn support(human: &[f64], twin: &[f64]) -> Vec<f64> {
    let mut distinct: Vec<f64> = Vec::with_capacity(16);
    for &x in human.iter().chain(twin) {
        // `+ 0.0` turns −0.0 into 0.0, so the total order below sees one zero.
        let x = x + 0.0;
        if !distinct.iter().any(|d| d.total_cmp(&x).is_eq()) {
            if distinct.len() == SCAN_DISTINCT {
                let mut all: Vec<f64> = human.iter().chain(twin).map(|x| x + 0.0).collect();
                all.sort_by(f64::total_cmp);
                all.dedup_by(|a, b| a.total_cmp(b).is_eq());
                return all;
            }
            distinct.push(x);
        }
    }
    distinct.sort_by(f64::total_cmp);
    distinct
}

/// The support and the shares of each position for both sides, over the union of their answers.
fn shares(human: &[f64], twin: &[f64]) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    if human.is_empty() || twin.is_empty() {
        return None;
    }
    let support = support(human, twin);
    let count = |side: &[f64]| {
        let mut c = vec![0.0; support.len()];
        for x in side {
            if let Ok(i) = support.binary_search_by(|s| s.total_cmp(&(x + 0.0))) {
                c[i] += 1.0;
            }
        }
        let total = side.len() as f64;
        c.iter_mut().for_each(|v| *v /= total);
        c
    };
    let (p, q) = (count(human), count(twin));
    Some((support, p, q))
}

/// 1 − W/W_max, with W the 1-Wasserstein distance between the two distributions on ordinal
/// positions and W_max = K − 1, the distance between point masses on the two extreme positions.
/// 1 when only one position occurs; NaN when a side has no answers.
pub fn representativeness(human: &[f64], twin: &[f64]) -> f64 {
    match shares(human, twin) {
        Some((_, p, q)) => representativeness_of(&p, &q),
        None => f64::NAN,
    }
}

pub(crate) fn representativeness_of(p: &[f64], q: &[f64]) -> f64 {
    let k = p.len();
    if k < 2 {
        return 1.0;
    }
    // On a line with unit steps, W is the summed absolute difference of the two CDFs.
    let (mut cp, mut cq, mut w) = (0.0, 0.0, 0.0);
    for i in 0..k - 1 {
        cp += p[i];
        cq += q[i];
        w += (cp - cq).abs();
    }
    1.0 - w / (k - 1) as f64
}

/// Jensen–Shannon divergence in bits (so it lies in [0, 1]); NaN when a side has no answers.
pub fn js_divergence(human: &[f64], twin: &[f64]) -> f64 {
    match shares(human, twin) {
        Some((_, p, q)) => js_of(&p, &q),
        None => f64::NAN,
    }
}

pub(crate) fn js_of(p: &[f64], q: &[f64]) -> f64 {
    let kl_to_mix = |a: f64, m: f64| if a > 0.0 { a * (a / m).log2() } else { 0.0 };
    let js: f64 = p
        .iter()
        .zip(q)
        .map(|(&a, &b)| {
            let m = 0.5 * (a + b);
            0.5 * kl_to_mix(a, m) + 0.5 * kl_to_mix(b, m)
        })
        .sum();
    js.max(0.0)
}

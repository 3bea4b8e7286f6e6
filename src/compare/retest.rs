//! The human test–retest ceiling: people do not give the same answer twice, so a twin cannot be
//! expected to match a person's answer better than the person matches themselves in a later wave.
//! Twin accuracy as a share of that ceiling (Twin-2K-500's "normalised accuracy") says how much of
//! the attainable agreement the twin reaches.

use serde::{Deserialize, Serialize};

use super::nan_serde;
use super::Scale;

/// One question's ceiling, over the persons with a human, a twin and a retest answer (so the twin
/// and the retest are judged on the same people).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct RetestCeiling {
    /// Persons with all three answers.
    pub n: usize,
    /// Mean agreement of the person's first and retest answers (the ceiling).
    #[serde(with = "nan_serde::f64")]
    pub human_accuracy: f64,
    /// Mean agreement of twin and first answer over the same persons.
    #[serde(with = "nan_serde::f64")]
    pub twin_accuracy: f64,
    /// twin_accuracy / human_accuracy.
    #[serde(with = "nan_serde::f64")]
    pub share: f64,
    /// Pearson r of first and retest answers across persons (the correlation ceiling).
    #[serde(with = "nan_serde::f64")]
    pub human_correlation: f64,
    /// Pearson r of first and twin answers over the same persons.
    #[serde(with = "nan_serde::f64")]
    pub twin_correlation: f64,
}

/// The ceiling of one question: `human`, `twin` and `retest` are parallel (retest NaN = missing).
pub fn retest_ceiling(human: &[f64], twin: &[f64], retest: &[f64], scale: Scale) -> RetestCeiling {
    let mut first = Vec::new();
    let mut second = Vec::new();
    let mut model = Vec::new();
    for ((&h, &t), &r) in human.iter().zip(twin).zip(retest) {
        if r.is_finite() {
            first.push(h);
            second.push(r);
            model.push(t);
        }
    }
    let accuracy = |other: &[f64]| {
        if first.is_empty() {
            return f64::NAN;
        }
        first
            .iter()
            .zip(other)
            .map(|(&a, &b)| scale.agreement(a, b))
            .sum::<f64>()
            / first.len() as f64
    };
    let human_accuracy = accuracy(&second);
    let twin_accuracy = accuracy(&model);
    let nominal = scale.kind == super::QuestionKind::Nominal;
    RetestCeiling {
        n: first.len(),
        human_accuracy,
        twin_accuracy,
        share: if human_accuracy > 0.0 {
            twin_accuracy / human_accuracy
        } else {
            f64::NAN
        },
        human_correlation: if nominal {
            f64::NAN
        } else {
            pearson(&first, &second)
        },
        twin_correlation: if nominal {
            f64::NAN
        } else {
            pearson(&first, &model)
        },
    }
}

/// The overall ceiling: mean ceiling and mean twin accuracy over the questions where both are
/// defined, and their ratio (a ratio of means, so questions with tiny ceilings do not dominate).
pub fn overall_ceiling(rows: &[RetestCeiling]) -> RetestCeiling {
    let both: Vec<&RetestCeiling> = rows
        .iter()
        .filter(|r| r.human_accuracy.is_finite() && r.twin_accuracy.is_finite())
        .collect();
    let mean = |f: fn(&RetestCeiling) -> f64, over: &[&RetestCeiling]| {
        mean_of_finite(over.iter().map(|r| f(r)))
    };
    let human_accuracy = mean(|r| r.human_accuracy, &both);
    let twin_accuracy = mean(|r| r.twin_accuracy, &both);
    let all: Vec<&RetestCeiling> = rows.iter().collect();
    RetestCeiling {
        n: rows.iter().map(|r| r.n).sum(),
        human_accuracy,
        twin_accuracy,
        share: if human_accuracy > 0.0 {
            twin_accuracy / human_accuracy
        } else {
            f64::NAN
        },
        human_correlation: mean(|r| r.human_correlation, &all),
        twin_correlation: mean(|r| r.twin_correlation, &all),
    }
}

/// The mean of the defined values (undefined metrics are NaN and left out); NaN when none is
/// defined. Summaries over questions and over respondents average this way.
pub(super) fn mean_of_finite(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in values.filter(|x| x.is_finite()) {
        sum += x;
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Pearson r; NaN with fewer than two values, 0 when a side is constant (as the metrics do).
pub(super) fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return f64::NAN;
    }
    let ma = a[..n].iter().sum::<f64>() / n as f64;
    let mb = b[..n].iter().sum::<f64>() / n as f64;
    let (mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0);
    for (x, y) in a[..n].iter().zip(&b[..n]) {
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
        sab += (x - ma) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::QuestionKind;

    #[test]
    fn ceiling_and_share_by_hand() {
        let scale = Scale {
            kind: QuestionKind::Ordinal,
            range: Some((1.0, 5.0)),
        };
        // Person 3 has no retest and is left out of both accuracies.
        let human = [1.0, 3.0, 5.0, 2.0];
        let retest = [1.0, 4.0, f64::NAN, 2.0];
        let twin = [2.0, 3.0, 1.0, 4.0];
        let c = retest_ceiling(&human, &twin, &retest, scale);
        assert_eq!(c.n, 3);
        // Retest: |0|,|1|,|0| over range 4 → 1 − (1/3)/4.
        assert!((c.human_accuracy - (1.0 - 1.0 / 12.0)).abs() < 1e-12);
        // Twin on the same three: |1|,|0|,|2| → 1 − 1/4.
        assert!((c.twin_accuracy - 0.75).abs() < 1e-12);
        assert!((c.share - 0.75 / (11.0 / 12.0)).abs() < 1e-12);
    }
}

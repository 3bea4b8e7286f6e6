//! What kind of scale a question has, which decides how agreement is measured: distance on the scale
//! (ordinal and numeric) or exact match (nominal codes, where 3 is no closer to 4 than to 1).

use serde::{Deserialize, Serialize};

/// A question's scale.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Ordered whole-number answers (a Likert item, a 0/1 choice): every metric, and the distribution
    /// distances on ordinal positions.
    Ordinal,
    /// Continuous answers (a price, a log WTP, many distinct values): every metric except the
    /// distribution distances, which would treat each distinct value as a position.
    Numeric,
    /// Unordered codes: accuracy is the exact-match share, JSD compares the category shares; means,
    /// correlations and Wasserstein distances are undefined.
    Nominal,
}

/// More distinct whole-number answers than this make a question numeric rather than ordinal (a
/// 0–100 slider is a measurement, not 101 ordered categories).
pub const MAX_ORDINAL_POSITIONS: usize = 20;

impl QuestionKind {
    /// Parses `ordinal`, `numeric` or `nominal` (any case; also `categorical`, `continuous`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ordinal" | "likert" => Some(Self::Ordinal),
            "numeric" | "continuous" | "interval" => Some(Self::Numeric),
            "nominal" | "categorical" => Some(Self::Nominal),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Ordinal => "ordinal",
            Self::Numeric => "numeric",
            Self::Nominal => "nominal",
        }
    }

    /// The kind of a question: `given` when the ranges file (or the page) says so; otherwise ordinal
    /// when every answer is a whole number with at most [`MAX_ORDINAL_POSITIONS`] distinct values,
    /// numeric otherwise. Nominal is never guessed: codes look the same as ratings.
    pub fn decide(given: Option<Self>, human: &[f64], twin: &[f64]) -> Self {
        if let Some(kind) = given {
            return kind;
        }
        let mut seen: Vec<f64> = Vec::with_capacity(MAX_ORDINAL_POSITIONS + 1);
        for &x in human.iter().chain(twin) {
            if x.fract() != 0.0 {
                return Self::Numeric;
            }
            // `+ 0.0` makes −0 and 0 one value.
            let x = x + 0.0;
            if !seen.contains(&x) {
                if seen.len() == MAX_ORDINAL_POSITIONS {
                    return Self::Numeric;
                }
                seen.push(x);
            }
        }
        Self::Ordinal
    }
}

/// How one question's answers are compared: its kind and, for distances, its range.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub kind: QuestionKind,
    pub range: Option<(f64, f64)>,
}

impl Scale {
    /// Agreement of one pair of answers, in [0, 1] for answers inside the range: exact match for a
    /// nominal question, 1 − |a − b| / (max − min) otherwise; NaN without a range.
    pub fn agreement(&self, a: f64, b: f64) -> f64 {
        match (self.kind, self.range) {
            (QuestionKind::Nominal, _) => f64::from(u8::from(a == b)),
            (_, Some((lo, hi))) if hi > lo => 1.0 - (a - b).abs() / (hi - lo),
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{QuestionKind, Scale};

    #[test]
    fn whole_numbers_with_few_values_are_ordinal_others_numeric() {
        assert_eq!(
            QuestionKind::decide(None, &[1.0, 2.0, 7.0], &[3.0]),
            QuestionKind::Ordinal
        );
        assert_eq!(
            QuestionKind::decide(None, &[1.0, 2.5], &[3.0]),
            QuestionKind::Numeric
        );
        let slider: Vec<f64> = (0..=100).map(f64::from).collect();
        assert_eq!(
            QuestionKind::decide(None, &slider, &[]),
            QuestionKind::Numeric
        );
        assert_eq!(
            QuestionKind::decide(Some(QuestionKind::Nominal), &[1.0], &[2.0]),
            QuestionKind::Nominal
        );
        assert_eq!(
            QuestionKind::parse(" Nominal "),
            Some(QuestionKind::Nominal)
        );
        assert_eq!(QuestionKind::parse("ratio"), None);
    }

    #[test]
    fn agreement_is_distance_on_the_scale_or_exact_match() {
        let likert = Scale {
            kind: QuestionKind::Ordinal,
            range: Some((1.0, 5.0)),
        };
        assert_eq!(likert.agreement(2.0, 5.0), 0.25);
        let nominal = Scale {
            kind: QuestionKind::Nominal,
            range: None,
        };
        assert_eq!(nominal.agreement(2.0, 3.0), 0.0);
        assert_eq!(nominal.agreement(3.0, 3.0), 1.0);
        let unscaled = Scale {
            kind: QuestionKind::Numeric,
            range: None,
        };
        assert!(unscaled.agreement(1.0, 1.0).is_nan());
    }
}

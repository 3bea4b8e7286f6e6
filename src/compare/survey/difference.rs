//! Tests of a difference between two independent samples: the chi-square test of homogeneity for
//! categories (scipy's `chi2_contingency(table, correction=False)`: no Yates correction, so a 2 × 2
//! table is tested like any other), Welch's t (`ttest_ind(equal_var=False)`) and the Mann–Whitney
//! U test (`mannwhitneyu(method="asymptotic")`: normal approximation with the tie correction and
//! the continuity correction) for numbers. All two-sided; NaN where undefined.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

use crate::compare::nan_serde;

/// Which test a numeric item gets.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum NumericTest {
    #[default]
    Welch,
    MannWhitney,
}

impl NumericTest {
    pub fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "welch" | "welch_t" | "t" => Some(Self::Welch),
            "mann_whitney" | "mannwhitney" | "wilcoxon" | "u" => Some(Self::MannWhitney),
            _ => None,
        }
    }
}

/// A test's name (`chi_square`, `welch_t`, `mann_whitney`), statistic, degrees of freedom (empty
/// for Mann–Whitney) and two-sided p-value.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Difference {
    pub test: String,
    #[serde(with = "nan_serde::f64")]
    pub statistic: f64,
    #[serde(with = "nan_serde::f64")]
    pub df: f64,
    #[serde(with = "nan_serde::f64")]
    pub p_value: f64,
}

impl Difference {
    fn undefined(test: &str) -> Self {
        Self {
            test: test.into(),
            statistic: f64::NAN,
            df: f64::NAN,
            p_value: f64::NAN,
        }
    }
}

/// Chi-square test of homogeneity of two rows of counts over the same categories. Categories no
/// one chose in either sample are left out (their expected count is 0); fewer than two left, or an
/// empty row, make the test undefined.
pub fn chi_square(a: &[f64], b: &[f64]) -> Difference {
    const NAME: &str = "chi_square";
    let (na, nb): (f64, f64) = (a.iter().sum(), b.iter().sum());
    let columns: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| **x + **y > 0.0)
        .map(|(x, y)| (*x, *y))
        .collect();
    if na <= 0.0 || nb <= 0.0 || columns.len() < 2 {
        return Difference::undefined(NAME);
    }
    let n = na + nb;
    let statistic: f64 = columns
        .iter()
        .map(|&(x, y)| {
            let total = x + y;
            let (ea, eb) = (na * total / n, nb * total / n);
            (x - ea).powi(2) / ea + (y - eb).powi(2) / eb
        })
        .sum();
    let df = (columns.len() - 1) as f64;
    let p_value = ChiSquared::new(df).map_or(f64::NAN, |d| d.sf(statistic));
    Difference {
        test: NAME.into(),
        statistic,
        df,
        p_value,
    }
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// Welch's t of `a` − `b` with the Welch–Satterthwaite degrees of freedom. Needs two answers on
/// each side and some spread.
pub fn welch_t(a: &[f64], b: &[f64]) -> Difference {
    const NAME: &str = "welch_t";
    if a.len() < 2 || b.len() < 2 {
        return Difference::undefined(NAME);
    }
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let (sa, sb) = (va / a.len() as f64, vb / b.len() as f64);
    let se2 = sa + sb;
    if se2 <= 0.0 || !se2.is_finite() {
        return Difference::undefined(NAME);
    }
    let statistic = (ma - mb) / se2.sqrt();
    let df =
        se2.powi(2) / (sa.powi(2) / (a.len() as f64 - 1.0) + sb.powi(2) / (b.len() as f64 - 1.0));
    let p_value = StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| 2.0 * t.sf(statistic.abs()));
    Difference {
        test: NAME.into(),
        statistic,
        df,
        p_value: p_value.min(1.0),
    }
}

/// Mann–Whitney U of `a` (scipy's `U1`: the count of pairs where `a` is larger, ties half) with
/// the two-sided asymptotic p-value. Undefined when a side is empty or every answer is the same.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Difference {
    const NAME: &str = "mann_whitney";
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return Difference::undefined(NAME);
    }
    // Average ranks over the pooled sample, and the tie term Σ(t³ − t).
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (mut rank_sum_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < pooled.len() {
        let mut j = i;
        while j + 1 < pooled.len() && pooled[j + 1].0 == pooled[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_sum_a += rank * pooled[i..=j].iter().filter(|p| p.1).count() as f64;
        i = j + 1;
    }
    let n = n1 + n2;
    let u1 = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mu = n1 * n2 / 2.0;
    let var = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if var <= 0.0 || !var.is_finite() {
        return Difference::undefined(NAME);
    }
    let u = u1.max(n1 * n2 - u1);
    let z = (u - mu - 0.5) / var.sqrt();
    let p_value = Normal::standard().sf(z) * 2.0;
    Difference {
        test: NAME.into(),
        statistic: u1,
        df: f64::NAN,
        p_value: p_value.clamp(0.0, 1.0),
    }
}

/// Benjamini–Hochberg adjusted p-values (NaN stays NaN and does not count towards m).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_finite()).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let m = order.len() as f64;
    let mut adjusted = vec![f64::NAN; p.len()];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m / (rank + 1) as f64);
        adjusted[i] = running.min(1.0);
    }
    adjusted
}

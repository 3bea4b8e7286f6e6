//! Analytic power for an AMCE in a forced-choice conjoint, after Schuessler and Freitag (2020) as
//! implemented in the R package cjpowR (`cjpowr_amce`).
//!
//! The AMCE is the difference of two choice probabilities estimated from n/levels profiles each:
//! under the alternative the level is chosen with probability δ₀ + AMCE and the baseline with
//! δ₀ = ½ − AMCE · treat_prob. With z = Φ⁻¹(1 − α/2) + Φ⁻¹(power), the effective sample size
//! (respondents × tasks × profiles) is
//!
//! n = (levels / 2) / AMCE² · z² · [ (δ₀+AMCE)(1−δ₀−AMCE)/½ + δ₀(1−δ₀)/½ ].
//!
//! The expected exaggeration ratio (type M error) is computed in closed form, not by simulation.

use serde::{Deserialize, Serialize};

use super::numeric::{norm_cdf, norm_pdf, norm_quantile};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PowerError {
    #[error("the AMCE must be a non-zero number with 0 < ½ + AMCE·(1 − treat_prob) < 1, got {0}")]
    BadAmce(f64),
    #[error("alpha must be between 0 and 1, got {0}")]
    BadAlpha(f64),
    #[error("power must be between 0 and 1, got {0}")]
    BadPower(f64),
    #[error("the number of levels must be at least 2, got {0}")]
    BadLevels(u32),
    #[error("the effective sample size must be positive, got {0}")]
    BadSampleSize(f64),
    #[error("treat_prob must be between 0 and 1, got {0}")]
    BadTreatProb(f64),
    #[error(transparent)]
    Design(#[from] super::DesignError),
    #[error("no attribute named {0:?}")]
    UnknownAttribute(String),
    #[error("attribute {attribute:?} has no level {level:?}")]
    UnknownLevel { attribute: String, level: String },
    #[error("{level:?} is the baseline of {attribute:?}; choose another level (the AMCE is measured against the baseline)")]
    BaselineLevel { attribute: String, level: String },
    #[error("give at least one number of respondents")]
    NoSampleSizes,
    #[error("give at least one replication")]
    ZeroReplications,
}

/// Required sample size or power for one AMCE, with the sign and magnitude errors to expect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerResult {
    pub amce: f64,
    pub alpha: f64,
    pub levels: u32,
    pub treat_prob: f64,
    /// Effective sample size: respondents × tasks × profiles.
    pub n: f64,
    pub power: f64,
    /// Probability that a significant estimate has the wrong sign.
    pub type_s: f64,
    /// Expected |estimate| / |AMCE| among significant estimates (type M error).
    pub exaggeration: f64,
}

struct Setup {
    amce: f64,
    alpha: f64,
    levels: u32,
    treat_prob: f64,
    /// The bracket of the variance formula.
    spread: f64,
}

fn setup(amce: f64, alpha: f64, levels: u32, treat_prob: f64) -> Result<Setup, PowerError> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(PowerError::BadAlpha(alpha));
    }
    if levels < 2 {
        return Err(PowerError::BadLevels(levels));
    }
    if !(0.0..=1.0).contains(&treat_prob) {
        return Err(PowerError::BadTreatProb(treat_prob));
    }
    let delta0 = 0.5 - amce * treat_prob;
    let treated = delta0 + amce;
    let usable = amce.is_finite()
        && amce != 0.0
        && treated > 0.0
        && treated < 1.0
        && delta0 > 0.0
        && delta0 < 1.0;
    if !usable {
        return Err(PowerError::BadAmce(amce));
    }
    Ok(Setup {
        amce,
        alpha,
        levels,
        treat_prob,
        spread: treated * (1.0 - treated) / 0.5 + delta0 * (1.0 - delta0) / 0.5,
    })
}

/// The minimum effective sample size for `power` (cjpowR's `cjpowr_amce(amce, power = …)`).
/// `cjpowr_amce(0.05, 0.8, 5, 0.05, 0.5)` gives n = 7829.258.
pub fn cjpowr_amce(
    amce: f64,
    power: f64,
    levels: u32,
    alpha: f64,
    treat_prob: f64,
) -> Result<PowerResult, PowerError> {
    if !(power > 0.0 && power < 1.0) {
        return Err(PowerError::BadPower(power));
    }
    let s = setup(amce, alpha, levels, treat_prob)?;
    let z = norm_quantile(1.0 - alpha / 2.0) + norm_quantile(power);
    let n = (f64::from(levels) / 2.0) / (amce * amce) * z * z * s.spread;
    // Like cjpowR, report the power asked for (the computed one adds the negligible wrong-sign tail).
    Ok(PowerResult {
        power,
        ..evaluate(&s, n)
    })
}

/// The power for an effective sample size `n` (cjpowR's `cjpowr_amce(amce, n = …)`).
pub fn cjpowr_power(
    amce: f64,
    n: f64,
    levels: u32,
    alpha: f64,
    treat_prob: f64,
) -> Result<PowerResult, PowerError> {
    if !(n > 0.0 && n.is_finite()) {
        return Err(PowerError::BadSampleSize(n));
    }
    let s = setup(amce, alpha, levels, treat_prob)?;
    Ok(evaluate(&s, n))
}

fn evaluate(s: &Setup, n: f64) -> PowerResult {
    let se = s.spread.sqrt() / (2.0 * (n / f64::from(s.levels))).sqrt();
    let critical = norm_quantile(1.0 - s.alpha / 2.0);
    let z = s.amce.abs() / se;
    let wrong_sign = norm_cdf(-z - critical);
    let power = norm_cdf(z - critical) + wrong_sign;
    // E[|X|; |X| > c] for X ~ N(μ, σ²), c = critical·σ, in closed form.
    let (mu, c) = (s.amce.abs(), critical * se);
    let upper = mu * (1.0 - norm_cdf((c - mu) / se)) + se * norm_pdf((c - mu) / se);
    let lower = -mu * norm_cdf((-c - mu) / se) + se * norm_pdf((-c - mu) / se);
    PowerResult {
        amce: s.amce,
        alpha: s.alpha,
        levels: s.levels,
        treat_prob: s.treat_prob,
        n,
        power,
        type_s: wrong_sign / power,
        exaggeration: (upper + lower) / power / mu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_cjpowr() {
        let r = cjpowr_amce(0.05, 0.8, 5, 0.05, 0.5).unwrap();
        assert!((r.n - 7829.258).abs() < 5e-4, "{}", r.n);
        assert!((r.power - 0.8).abs() < 1e-12);
        let back = cjpowr_power(0.05, r.n, 5, 0.05, 0.5).unwrap();
        assert!((back.power - 0.8).abs() < 1e-5);
        assert!(back.exaggeration > 1.0 && back.exaggeration < 1.2);
        assert!(back.type_s < 1e-5);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert_eq!(
            cjpowr_amce(0.0, 0.8, 5, 0.05, 0.5),
            Err(PowerError::BadAmce(0.0))
        );
        assert_eq!(
            cjpowr_amce(0.05, 1.0, 5, 0.05, 0.5),
            Err(PowerError::BadPower(1.0))
        );
        assert_eq!(
            cjpowr_amce(0.05, 0.8, 1, 0.05, 0.5),
            Err(PowerError::BadLevels(1))
        );
    }
}

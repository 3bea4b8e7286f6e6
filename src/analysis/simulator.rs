//! Market simulator on conditional-logit part-worths: utilities, shares of preference (logit) and
//! first-choice shares of user-defined profiles, and the best profile under the estimates.

use super::clogit::ClogitFit;
use super::AnalysisError;

/// A product profile: one `(feature, level)` per attribute. For a numeric variable the level is its
/// value (e.g. `("price", "12.5")`); a categorical level without a parameter is the baseline.
pub type Profile = Vec<(String, String)>;

#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    pub utilities: Vec<f64>,
    /// Logit shares exp(u) / Σ exp(u).
    pub share_of_preference: Vec<f64>,
    /// 1 for the highest utility (split evenly on ties), 0 otherwise.
    pub first_choice: Vec<f64>,
}

fn utility(fit: &ClogitFit, profile: &Profile) -> Result<f64, AnalysisError> {
    let mut total = 0.0;
    for (feature, level) in profile {
        let mut known = false;
        for (k, (f, l)) in fit.names.iter().enumerate() {
            if f != feature {
                continue;
            }
            known = true;
            if l.is_empty() {
                let x: f64 = level
                    .trim()
                    .parse()
                    .map_err(|_| AnalysisError::NotNumeric {
                        column: feature.clone(),
                        row: 0,
                        value: level.clone(),
                    })?;
                total += fit.estimate[k] * x;
            } else if l == level {
                total += fit.estimate[k];
            }
        }
        if !known {
            return Err(AnalysisError::MissingColumn {
                column: feature.clone(),
            });
        }
    }
    Ok(total)
}

/// Shares among the given profiles.
pub fn simulate(fit: &ClogitFit, profiles: &[Profile]) -> Result<Simulation, AnalysisError> {
    let utilities = profiles
        .iter()
        .map(|p| utility(fit, p))
        .collect::<Result<Vec<_>, _>>()?;
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = utilities.iter().map(|u| (u - max).exp()).collect();
    let total: f64 = exp.iter().sum();
    let best = utilities.iter().filter(|&&u| u == max).count() as f64;
    Ok(Simulation {
        share_of_preference: exp.iter().map(|e| e / total).collect(),
        first_choice: utilities
            .iter()
            .map(|&u| if u == max { 1.0 / best } else { 0.0 })
            .collect(),
        utilities,
    })
}

/// The best level of each categorical feature: the level with the largest part-worth, or `None`
/// when every level is below the baseline (the baseline is best). Numeric variables are left out.
pub fn best_profile(fit: &ClogitFit) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>, f64)> = Vec::new();
    for (k, (feature, level)) in fit.names.iter().enumerate() {
        if level.is_empty() {
            continue;
        }
        let b = fit.estimate[k];
        match out.iter_mut().find(|(f, _, _)| f == feature) {
            Some(entry) => {
                if b > entry.2 {
                    *entry = (feature.clone(), Some(level.clone()), b);
                }
            }
            None if b > 0.0 => out.push((feature.clone(), Some(level.clone()), b)),
            None => out.push((feature.clone(), None, 0.0)),
        }
    }
    out.into_iter().map(|(f, l, _)| (f, l)).collect()
}

//! Average marginal component effects: OLS of the outcome on level dummies (first level = baseline),
//! clustered by respondent, with cregg's averaging for constrained pairs declared as `A*B`.

use super::design_matrix::Design;
use super::formula::Formula;
use super::levels::{Factor, LevelOrders};
use super::ols::{self, ClusterSe, OlsFit};
use super::prepare::{prepare, Columns, ModelData};
use super::tidy::{Estimates, TidyRow, TidyTable};
use super::{AnalysisError, AnalysisWarning};
use crate::study::ResponseTable;

/// What to estimate: shared by AMCEs, marginal means and their subgroup versions.
#[derive(Clone, Debug)]
pub struct ConjointSpec {
    pub outcome: String,
    /// Respondent id (cluster). Without it every row is its own cluster, as cregg's `id = ~0`.
    pub id: Option<String>,
    pub weights: Option<String>,
    pub formula: Formula,
    pub levels: LevelOrders,
    pub se: ClusterSe,
}

impl ConjointSpec {
    pub fn new(outcome: &str, id: &str, formula: Formula) -> Self {
        Self {
            outcome: outcome.to_string(),
            id: Some(id.to_string()),
            weights: None,
            formula,
            levels: LevelOrders::new(),
            se: ClusterSe::Cregg,
        }
    }

    pub(crate) fn columns<'a>(&'a self, extra: Option<&'a str>) -> Columns<'a> {
        let mut factors: Vec<&str> = self.formula.features.iter().map(String::as_str).collect();
        factors.extend(extra);
        Columns {
            outcome: &self.outcome,
            id: self.id.as_deref(),
            weights: self.weights.as_deref(),
            factors,
        }
    }
}

/// AMCEs of every feature in the formula, one row per level (baselines at 0).
pub fn amce(table: &ResponseTable, spec: &ConjointSpec) -> Result<Estimates, AnalysisError> {
    let (data, mut warnings) = prepare(table, &spec.columns(None), &spec.levels)?;
    let (rows, more) = amce_rows(&data, &spec.formula, spec.se, None)?;
    warnings.extend(more);
    Ok(Estimates {
        table: TidyTable {
            group_column: None,
            rows,
        },
        warnings,
        n_rows: data.len(),
        n_respondents: data.clusters.as_ref().map_or(data.len(), |c| c.count),
    })
}

/// AMCEs on already prepared data (the first factors are the formula's features): lets a caller
/// encode the table once and re-estimate, e.g. with another SE convention.
pub fn amce_prepared(
    data: &ModelData,
    formula: &Formula,
    se: ClusterSe,
) -> Result<Estimates, AnalysisError> {
    let (rows, warnings) = amce_rows(data, formula, se, None)?;
    Ok(Estimates {
        table: TidyTable {
            group_column: None,
            rows,
        },
        warnings,
        n_rows: data.len(),
        n_respondents: data.clusters.as_ref().map_or(data.len(), |c| c.count),
    })
}

/// Checks that every feature can carry an effect: two levels or more, and a baseline that was shown.
pub(crate) fn check_features(factors: &[Factor]) -> Result<(), AnalysisError> {
    for factor in factors {
        let counts = factor.counts();
        if factor.levels.len() < 2 {
            return Err(AnalysisError::SingleLevel {
                feature: factor.name.clone(),
                level: factor.levels.first().cloned().unwrap_or_default(),
            });
        }
        if counts[0] == 0 {
            return Err(AnalysisError::EmptyBaseline {
                feature: factor.name.clone(),
                level: factor.levels[0].clone(),
            });
        }
    }
    Ok(())
}

/// The design of a formula over `data.factors` (whose first factors are the formula's features).
pub(crate) fn formula_design(data: &ModelData, formula: &Formula) -> Design {
    let n_levels = data.factors.iter().map(|f| f.levels.len()).collect();
    let mut terms: Vec<Vec<usize>> = (0..formula.features.len()).map(|f| vec![f]).collect();
    terms.extend(formula.constraints.iter().map(|&(a, b)| vec![a, b]));
    Design::new(n_levels, terms)
}

/// The AMCE rows of a fitted model on already prepared data.
pub(crate) fn amce_rows(
    data: &ModelData,
    formula: &Formula,
    se: ClusterSe,
    group: Option<&str>,
) -> Result<(Vec<TidyRow>, Vec<AnalysisWarning>), AnalysisError> {
    let factors = &data.factors[..formula.features.len()];
    check_features(factors)?;
    let design = formula_design(data, formula);
    let fit = ols::fit(data, &design, Some(se))?;
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for (f, factor) in factors.iter().enumerate() {
        rows.push(TidyRow::baseline(&factor.name, &factor.levels[0]));
        for level in 1..factor.levels.len() {
            let row = match level_effect(&fit, &design, formula, factors, f, level as u32) {
                Ok((estimate, std_error)) => TidyRow::estimated(
                    &factor.name,
                    &factor.levels[level],
                    estimate,
                    std_error,
                    0.0,
                ),
                Err(problem) => {
                    warnings.push(problem.warning(group, &factor.name, &factor.levels[level]));
                    TidyRow::missing(&factor.name, &factor.levels[level])
                }
            };
            rows.push(row);
        }
    }
    if let Some(group) = group {
        rows = rows.into_iter().map(|r| r.in_group(group)).collect();
    }
    Ok((rows, warnings))
}

/// Why a level has no estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LevelProblem {
    Empty,
    Collinear,
}

impl LevelProblem {
    pub(crate) fn warning(
        self,
        group: Option<&str>,
        feature: &str,
        level: &str,
    ) -> AnalysisWarning {
        let (group, feature, level) = (
            group.map(str::to_string),
            feature.to_string(),
            level.to_string(),
        );
        match self {
            Self::Empty => AnalysisWarning::EmptyLevel {
                group,
                feature,
                level,
            },
            Self::Collinear => AnalysisWarning::Collinear {
                group,
                feature,
                level,
            },
        }
    }
}

/// The AMCE of one level with its clustered standard error, or why it has none.
fn level_effect(
    fit: &OlsFit,
    design: &Design,
    formula: &Formula,
    factors: &[Factor],
    feature: usize,
    level: u32,
) -> Result<(f64, f64), LevelProblem> {
    let main = design.column(feature, &[level]);
    if fit.coef[main].is_none() {
        return Err(if fit.column_weight[main] == 0.0 {
            LevelProblem::Empty
        } else {
            LevelProblem::Collinear
        });
    }
    // cregg: average the main coefficient with the estimable interaction coefficients of this
    // level, weighting the main effect 1 and each interaction 1/n (n = 1 + their number).
    let mut columns = vec![main];
    if let Some(partner) = formula.partner(feature) {
        let term = formula.features.len()
            + formula
                .constraints
                .iter()
                .position(|&(a, b)| a == feature || b == feature)
                .unwrap_or_default();
        let first = design.terms[term][0] == feature;
        for other in 1..factors[partner].levels.len() as u32 {
            let codes = if first {
                [level, other]
            } else {
                [other, level]
            };
            let column = design.column(term, &codes);
            if fit.coef[column].is_some() {
                columns.push(column);
            }
        }
    }
    let n = columns.len() as f64;
    let weights: Vec<f64> = (0..columns.len())
        .map(|i| if i == 0 { 1.0 } else { 1.0 / n })
        .collect();
    let estimate: f64 = columns
        .iter()
        .zip(&weights)
        .map(|(&c, &w)| w * fit.coef[c].unwrap_or(0.0))
        .sum();
    let variance = fit
        .combination_variance(&columns, &weights)
        .unwrap_or(f64::NAN);
    Ok((estimate, variance.sqrt()))
}

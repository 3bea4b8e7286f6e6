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
    let (columns, weights) = level_combination(fit, design, formula, factors, feature, level)?;
    Ok(combine(fit, &columns, &weights))
}

/// Estimate and standard error of `Σ w_c b_c`.
fn combine(fit: &OlsFit, columns: &[usize], weights: &[f64]) -> (f64, f64) {
    let estimate: f64 = columns
        .iter()
        .zip(weights)
        .map(|(&c, &w)| w * fit.coef[c].unwrap_or(0.0))
        .sum();
    let variance = fit
        .combination_variance(columns, weights)
        .unwrap_or(f64::NAN);
    (estimate, variance.sqrt())
}

/// The AMCE of a level as a combination of coefficients (empty for the baseline).
fn level_combination(
    fit: &OlsFit,
    design: &Design,
    formula: &Formula,
    factors: &[Factor],
    feature: usize,
    level: u32,
) -> Result<(Vec<usize>, Vec<f64>), LevelProblem> {
    if level == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
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
    Ok((columns, weights))
}

/// Tests whether two levels of a feature have the same AMCE: the difference `a − b` with its clustered
/// standard error (from the joint covariance, not from the two SEs alone). The row's level reads
/// `"a - b"`.
pub fn amce_contrast(
    table: &ResponseTable,
    spec: &ConjointSpec,
    feature: &str,
    level_a: &str,
    level_b: &str,
) -> Result<TidyRow, AnalysisError> {
    let (data, _) = prepare(table, &spec.columns(None), &spec.levels)?;
    let f = spec
        .formula
        .features
        .iter()
        .position(|x| x == feature)
        .ok_or_else(|| AnalysisError::MissingColumn {
            column: feature.to_string(),
        })?;
    let factors = &data.factors[..spec.formula.features.len()];
    check_features(factors)?;
    let code = |level: &str| {
        factors[f]
            .levels
            .iter()
            .position(|l| l == level)
            .map(|c| c as u32)
            .ok_or_else(|| AnalysisError::UnknownLevel {
                feature: feature.to_string(),
                level: level.to_string(),
            })
    };
    let (a, b) = (code(level_a)?, code(level_b)?);
    let design = formula_design(&data, &spec.formula);
    let fit = ols::fit(&data, &design, Some(spec.se))?;
    let label = format!("{level_a} - {level_b}");
    let combination = |level: u32, name: &str| {
        level_combination(&fit, &design, &spec.formula, factors, f, level).map_err(|problem| {
            AnalysisError::Singular {
                term: match problem {
                    LevelProblem::Empty => format!("{feature} = {name} (no rows)"),
                    LevelProblem::Collinear => format!("{feature} = {name}"),
                },
            }
        })
    };
    let (mut columns, mut weights) = combination(a, level_a)?;
    let (columns_b, weights_b) = combination(b, level_b)?;
    columns.extend(columns_b);
    weights.extend(weights_b.iter().map(|w| -w));
    let (estimate, std_error) = combine(&fit, &columns, &weights);
    Ok(TidyRow::estimated(
        feature, &label, estimate, std_error, 0.0,
    ))
}

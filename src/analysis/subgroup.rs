//! Subgroup analysis by a respondent variable (`by`): AMCEs and marginal means per group, and their
//! differences from the first group with standard errors.

use super::amce::{amce_rows, check_features, ConjointSpec};
use super::design_matrix::Design;
use super::mm::mm_rows;
use super::ols;
use super::prepare::{prepare, ModelData};
use super::tidy::{Estimates, TidyRow, TidyTable};
use super::{AnalysisError, AnalysisWarning};
use crate::study::ResponseTable;

/// Rows of each group of the last factor (the `by` variable), in level order; empty groups skipped.
fn groups(data: &ModelData) -> Vec<(String, Vec<usize>)> {
    let Some(by) = data.factors.last() else {
        return Vec::new();
    };
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); by.levels.len()];
    for (i, &code) in by.codes.iter().enumerate() {
        rows[code as usize].push(i);
    }
    by.levels
        .iter()
        .cloned()
        .zip(rows)
        .filter(|(_, r)| !r.is_empty())
        .collect()
}

fn estimates(
    by: &str,
    data: &ModelData,
    rows: Vec<TidyRow>,
    warnings: Vec<AnalysisWarning>,
) -> Estimates {
    Estimates {
        table: TidyTable {
            group_column: Some(by.to_string()),
            rows,
        },
        warnings,
        n_rows: data.len(),
        n_respondents: data.clusters.as_ref().map_or(data.len(), |c| c.count),
    }
}

/// AMCEs estimated separately in each group of `by` (cregg's `cj(..., by = ~by)`).
pub fn amce_by(
    table: &ResponseTable,
    spec: &ConjointSpec,
    by: &str,
) -> Result<Estimates, AnalysisError> {
    let (data, mut warnings) = prepare(table, &spec.columns(Some(by)), &spec.levels)?;
    let mut rows = Vec::new();
    for (label, subset) in groups(&data) {
        let (r, w) = amce_rows(&data.subset(&subset), &spec.formula, spec.se, Some(&label))?;
        rows.extend(r);
        warnings.extend(w);
    }
    Ok(estimates(by, &data, rows, warnings))
}

/// Marginal means in each group of `by`.
pub fn mm_by(
    table: &ResponseTable,
    spec: &ConjointSpec,
    by: &str,
    h0: f64,
) -> Result<Estimates, AnalysisError> {
    let (data, mut warnings) = prepare(table, &spec.columns(Some(by)), &spec.levels)?;
    let features = spec.formula.features.len();
    let mut rows = Vec::new();
    for (label, subset) in groups(&data) {
        let (r, w) = mm_rows(&data.subset(&subset), features, spec.se, h0, Some(&label))?;
        rows.extend(r);
        warnings.extend(w);
    }
    Ok(estimates(by, &data, rows, warnings))
}

/// Differences in marginal means between each group and the first, with SE √(se₁² + se₀²) (the
/// groups are independent samples of respondents, as cregg's `mm_diffs` assumes). z tests the
/// difference against 0. Groups are labelled `"b - a"`.
pub fn mm_diffs(
    table: &ResponseTable,
    spec: &ConjointSpec,
    by: &str,
) -> Result<Estimates, AnalysisError> {
    let per_group = mm_by(table, spec, by, 0.0)?;
    let mut labels: Vec<&str> = Vec::new();
    for row in &per_group.table.rows {
        let g = row.group.as_deref().unwrap_or_default();
        if !labels.contains(&g) {
            labels.push(g);
        }
    }
    let mut rows = Vec::new();
    let Some((&first, others)) = labels.split_first() else {
        return Ok(per_group);
    };
    let of = |g: &str| -> Vec<TidyRow> {
        per_group
            .table
            .rows
            .iter()
            .filter(|r| r.group.as_deref() == Some(g))
            .cloned()
            .collect()
    };
    for &other in others {
        let label = format!("{other} - {first}");
        for (a, b) in of(other).iter().zip(&of(first)) {
            let row = match (a.estimate, a.std_error, b.estimate, b.std_error) {
                (Some(ea), Some(sa), Some(eb), Some(sb)) => TidyRow::estimated(
                    &a.feature,
                    &a.level,
                    ea - eb,
                    (sa * sa + sb * sb).sqrt(),
                    0.0,
                ),
                _ => TidyRow::missing(&a.feature, &a.level),
            };
            rows.push(row.in_group(&label));
        }
    }
    Ok(Estimates {
        table: TidyTable {
            group_column: Some(by.to_string()),
            rows,
        },
        ..per_group
    })
}

/// Differences in AMCEs between each group of `by` and the first: the feature × group interaction
/// coefficients of one pooled model `y ~ (features) * by`, clustered by respondent (cregg's
/// `amce_diffs`). Constrained formulas are not supported, as in cregg.
pub fn amce_diffs(
    table: &ResponseTable,
    spec: &ConjointSpec,
    by: &str,
) -> Result<Estimates, AnalysisError> {
    if !spec.formula.constraints.is_empty() {
        return Err(AnalysisError::Unsupported {
            message: "AMCE differences by group need an additive formula (no `A*B`), as in cregg"
                .into(),
        });
    }
    let (data, mut warnings) = prepare(table, &spec.columns(Some(by)), &spec.levels)?;
    let features = spec.formula.features.len();
    check_features(&data.factors[..features])?;
    let by_factor = &data.factors[features];
    let n_levels = data.factors.iter().map(|f| f.levels.len()).collect();
    let mut terms: Vec<Vec<usize>> = (0..=features).map(|f| vec![f]).collect();
    terms.extend((0..features).map(|f| vec![f, features]));
    let design = Design::new(n_levels, terms);
    let fit = ols::fit(&data, &design, Some(spec.se))?;
    let first = &by_factor.levels[0];
    let counts = by_factor.counts();
    let mut rows = Vec::new();
    for (g, group) in by_factor.levels.iter().enumerate().skip(1) {
        if counts[g] == 0 {
            continue;
        }
        let label = format!("{group} - {first}");
        for (f, factor) in data.factors[..features].iter().enumerate() {
            rows.push(TidyRow::baseline(&factor.name, &factor.levels[0]).in_group(&label));
            for level in 1..factor.levels.len() {
                let column = design.column(features + 1 + f, &[level as u32, g as u32]);
                let name = &factor.levels[level];
                let row = match (fit.coef[column], fit.std_error(column)) {
                    (Some(b), Some(se)) => TidyRow::estimated(&factor.name, name, b, se, 0.0),
                    _ => {
                        warnings.push(AnalysisWarning::Collinear {
                            group: Some(label.clone()),
                            feature: factor.name.clone(),
                            level: name.clone(),
                        });
                        TidyRow::missing(&factor.name, name)
                    }
                };
                rows.push(row.in_group(&label));
            }
        }
    }
    Ok(estimates(by, &data, rows, warnings))
}

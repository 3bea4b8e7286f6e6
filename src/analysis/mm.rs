//! Marginal means: the (weighted) mean outcome at each level of each feature, i.e. cregg's
//! `svyglm(y ~ 0 + level)` per feature, with respondent-clustered standard errors.

use super::amce::{ConjointSpec, LevelProblem};
use super::ols::ClusterSe;
use super::prepare::{prepare, ModelData};
use super::tidy::{Estimates, TidyRow, TidyTable};
use super::{AnalysisError, AnalysisWarning};
use crate::study::ResponseTable;

/// Marginal means of every feature in the formula (constraints are ignored, as in cregg). z and p
/// test each mean against `h0` (0.5 for a forced choice between two profiles).
pub fn mm(table: &ResponseTable, spec: &ConjointSpec, h0: f64) -> Result<Estimates, AnalysisError> {
    let (data, mut warnings) = prepare(table, &spec.columns(None), &spec.levels)?;
    let (rows, more) = mm_rows(&data, spec.formula.features.len(), spec.se, h0, None)?;
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

/// Marginal means on already prepared data (the first `n_features` factors).
pub fn mm_prepared(
    data: &ModelData,
    n_features: usize,
    se: ClusterSe,
    h0: f64,
) -> Result<Estimates, AnalysisError> {
    let (rows, warnings) = mm_rows(data, n_features, se, h0, None)?;
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

/// Marginal-mean rows for the first `n_features` factors of prepared data.
pub(crate) fn mm_rows(
    data: &ModelData,
    n_features: usize,
    se: ClusterSe,
    h0: f64,
    group: Option<&str>,
) -> Result<(Vec<TidyRow>, Vec<AnalysisWarning>), AnalysisError> {
    let n = data.len();
    let (clusters, n_clusters): (Option<&[u32]>, usize) = match &data.clusters {
        Some(c) => (Some(&c.index), c.count),
        None => (None, n),
    };
    if n_clusters < 2 {
        return Err(AnalysisError::TooFewClusters {
            column: data
                .clusters
                .as_ref()
                .map_or("(rows)".into(), |c| c.column.clone()),
            found: n_clusters,
        });
    }
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for factor in &data.factors[..n_features] {
        let l = factor.levels.len();
        let mut sum_w = vec![0.0; l];
        let mut sum_wy = vec![0.0; l];
        for (i, &code) in factor.codes.iter().enumerate() {
            let w = data.weight(i);
            sum_w[code as usize] += w;
            sum_wy[code as usize] += w * data.y[i];
        }
        let mean: Vec<f64> = sum_wy.iter().zip(&sum_w).map(|(a, b)| a / b).collect();
        // Cluster score totals per level: Σ w (y - mean) over the cluster's rows at that level.
        let mut scores = vec![0.0; n_clusters * l];
        for (i, &code) in factor.codes.iter().enumerate() {
            let g = clusters.map_or(i, |c| c[i] as usize);
            let code = code as usize;
            scores[g * l + code] += data.weight(i) * (data.y[i] - mean[code]);
        }
        let mut meat = vec![0.0; l];
        for s in scores.chunks_exact(l) {
            for (m, x) in meat.iter_mut().zip(s) {
                *m += x * x;
            }
        }
        let estimable = sum_w.iter().filter(|&&w| w > 0.0).count();
        let factor_se = se.factor(n_clusters, n, estimable);
        for level in 0..l {
            let label = &factor.levels[level];
            if sum_w[level] == 0.0 {
                warnings.push(LevelProblem::Empty.warning(group, &factor.name, label));
                rows.push(TidyRow::missing(&factor.name, label));
                continue;
            }
            let std_error = (factor_se * meat[level]).sqrt() / sum_w[level];
            rows.push(TidyRow::estimated(
                &factor.name,
                label,
                mean[level],
                std_error,
                h0,
            ));
        }
    }
    if let Some(group) = group {
        rows = rows.into_iter().map(|r| r.in_group(group)).collect();
    }
    Ok((rows, warnings))
}

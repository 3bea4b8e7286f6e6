//! Weighted least squares on an implicit dummy design, with respondent-clustered sandwich variance.
//!
//! X'WX and the cluster score totals are accumulated row by row from each row's few non-zero columns,
//! so the cost is O(rows × active columns²) plus O(clusters × p²), never O(rows × p²).

use super::design_matrix::Design;
use super::linalg::{Cholesky, Square, ALIAS_TOLERANCE};
use super::prepare::ModelData;
use super::AnalysisError;

/// Small-sample factor of the clustered variance: the one convention type of the engine, the
/// worker's requests (serde) and the command line's `--se` (clap).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum ClusterSe {
    /// cregg / survey::svyglm: sandwich by respondent with the G/(G-1) factor only.
    #[default]
    Cregg,
    /// Stata / statsmodels default (CR1): G/(G-1) × (N-1)/(N-K).
    Cr1,
}

impl std::fmt::Display for ClusterSe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Cregg => "cregg",
            Self::Cr1 => "CR1",
        })
    }
}

impl ClusterSe {
    pub fn factor(self, clusters: usize, n: usize, rank: usize) -> f64 {
        let g = clusters as f64;
        let base = g / (g - 1.0);
        match self {
            Self::Cregg => base,
            Self::Cr1 => base * (n as f64 - 1.0) / (n as f64 - rank as f64),
        }
    }
}

/// A least-squares fit. Coefficients are indexed by design column; aliased columns have none.
#[derive(Clone, Debug)]
pub struct OlsFit {
    pub coef: Vec<Option<f64>>,
    /// Design columns that were estimated, in order; `vcov` is indexed like this.
    pub kept: Vec<usize>,
    /// Each design column's index in `kept`.
    pub position: Vec<Option<usize>>,
    /// Clustered variance of the kept coefficients (when requested).
    pub vcov: Option<Square>,
    /// Weighted residual sum of squares.
    pub rss: f64,
    pub n: usize,
    pub rank: usize,
    pub n_clusters: usize,
    /// Sum of weights per design column (0 = the column has no rows).
    pub column_weight: Vec<f64>,
}

impl OlsFit {
    /// The variance of `Σ w_c b_c` over the given design columns (all must be kept).
    pub fn combination_variance(&self, columns: &[usize], weights: &[f64]) -> Option<f64> {
        let vcov = self.vcov.as_ref()?;
        let mut total = 0.0;
        for (&a, &wa) in columns.iter().zip(weights) {
            for (&b, &wb) in columns.iter().zip(weights) {
                total += wa * wb * vcov.get(self.position[a]?, self.position[b]?);
            }
        }
        Some(total)
    }

    pub fn std_error(&self, column: usize) -> Option<f64> {
        let i = self.position[column]?;
        Some(self.vcov.as_ref()?.get(i, i).sqrt())
    }
}

/// Fits `y ~ design` by (weighted) least squares. With `se`, the variance is clustered by the data's
/// respondent clusters, or by row when there are none (cregg's `id = ~0`).
pub fn fit(
    data: &ModelData,
    design: &Design,
    se: Option<ClusterSe>,
) -> Result<OlsFit, AnalysisError> {
    let p = design.n_columns();
    let n = data.len();
    let mut xtx = Square::zeros(p);
    let mut xty = vec![0.0; p];
    let mut active = Vec::with_capacity(design.terms.len() + 1);
    for row in 0..n {
        design.row_columns(&data.factors, row, &mut active);
        let w = data.weight(row);
        let wy = w * data.y[row];
        for (i, &a) in active.iter().enumerate() {
            xty[a] += wy;
            let base = a * p;
            for &b in &active[i..] {
                xtx.data[base + b] += w;
            }
        }
    }
    let column_weight: Vec<f64> = (0..p).map(|j| xtx.get(j, j)).collect();
    let chol = Cholesky::in_order(&xtx, ALIAS_TOLERANCE);
    let kept = chol.kept.clone();
    let mut position = vec![None; p];
    for (i, &c) in kept.iter().enumerate() {
        position[c] = Some(i);
    }
    let rhs: Vec<f64> = kept.iter().map(|&c| xty[c]).collect();
    let beta = chol.solve(&rhs);
    let mut coef = vec![None; p];
    for (&c, &b) in kept.iter().zip(&beta) {
        coef[c] = Some(b);
    }
    // Coefficient per design column with aliased ones at 0, for fast fitted values.
    let dense: Vec<f64> = coef.iter().map(|c| c.unwrap_or(0.0)).collect();

    let k = kept.len();
    let (cluster_of, n_clusters): (Box<dyn Fn(usize) -> usize>, usize) = match &data.clusters {
        Some(c) => (Box::new(move |row| c.index[row] as usize), c.count),
        None => (Box::new(|row| row), n),
    };
    let mut scores = if se.is_some() {
        vec![0.0; n_clusters * k]
    } else {
        Vec::new()
    };
    let mut rss = 0.0;
    for row in 0..n {
        design.row_columns(&data.factors, row, &mut active);
        let fitted: f64 = active.iter().map(|&a| dense[a]).sum();
        let e = data.y[row] - fitted;
        let w = data.weight(row);
        rss += w * e * e;
        if se.is_some() {
            let base = cluster_of(row) * k;
            for &a in &active {
                if let Some(i) = position[a] {
                    scores[base + i] += w * e;
                }
            }
        }
    }
    let vcov = match se {
        None => None,
        Some(kind) => {
            if n_clusters < 2 {
                return Err(AnalysisError::TooFewClusters {
                    column: data
                        .clusters
                        .as_ref()
                        .map_or("(rows)".into(), |c| c.column.clone()),
                    found: n_clusters,
                });
            }
            // The score totals sum to X'We = 0 at the solution, so centring them (as svyrecvar
            // does) would change nothing.
            let mut meat = Square::zeros(k);
            for s in scores.chunks_exact(k) {
                for (a, &sa) in s.iter().enumerate() {
                    if sa == 0.0 {
                        continue;
                    }
                    let dst = &mut meat.data[a * k..(a + 1) * k];
                    for b in a..k {
                        dst[b] += sa * s[b];
                    }
                }
            }
            meat.symmetrise_from_upper();
            let bread = chol.inverse();
            Some(Square::sandwich(
                &bread,
                &meat,
                kind.factor(n_clusters, n, k),
            ))
        }
    };
    Ok(OlsFit {
        coef,
        kept,
        position,
        vcov,
        rss,
        n,
        rank: k,
        n_clusters,
        column_weight,
    })
}

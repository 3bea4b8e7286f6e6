//! The estimation job: one response table, one model spec, one tidy table back.

use serde::{Deserialize, Serialize};

use crate::analysis::{self, AnalysisError, ClusterSe, ConjointSpec, Formula, LevelOrders};
use crate::study::{ColumnRole, Conjoint, ResponseTable};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    Amce,
    MarginalMeans,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SeConvention {
    /// cregg / survey::svyglm: G/(G-1) only.
    Cregg,
    /// Stata / statsmodels CR1: G/(G-1) × (N-1)/(N-K).
    Cr1,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateRequest {
    pub estimator: Estimator,
    pub table: ResponseTable,
    pub outcome: String,
    pub id: Option<String>,
    pub weights: Option<String>,
    /// `A + B*C + D`; `*` declares a constrained pair, averaged as cregg does.
    pub formula: String,
    /// Level order per feature; the first level is the baseline.
    pub level_orders: Vec<(String, Vec<String>)>,
    pub se: SeConvention,
    /// The null hypothesis for marginal means (0.5 for a forced choice between two profiles).
    pub mm_null: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateRow {
    pub feature: String,
    pub level: String,
    pub estimate: Option<f64>,
    pub std_error: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateReply {
    pub estimator: Estimator,
    pub rows: Vec<EstimateRow>,
    pub warnings: Vec<String>,
    pub n_rows: usize,
    pub n_respondents: usize,
    /// The same table as CSV with cregg's column names, ready to download.
    pub csv: String,
}

/// A sensible first model for a table: its outcome and respondent columns by role, every attribute
/// column additively, in the design's level order.
pub fn default_request(
    table: &ResponseTable,
    conjoint: Option<&Conjoint>,
    estimator: Estimator,
) -> EstimateRequest {
    let by_role = |role| {
        table
            .columns
            .iter()
            .find(|c| c.role == role)
            .map(|c| c.name.clone())
    };
    let attributes: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.role == ColumnRole::Attribute)
        .map(|c| c.name.clone())
        .collect();
    let level_orders = conjoint
        .map(|c| {
            c.attributes
                .iter()
                .map(|a| {
                    (
                        a.name.clone(),
                        a.levels.iter().map(|l| l.name.clone()).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    EstimateRequest {
        estimator,
        table: table.clone(),
        outcome: by_role(ColumnRole::Outcome).unwrap_or_default(),
        id: by_role(ColumnRole::Respondent),
        weights: by_role(ColumnRole::Weight),
        formula: attributes.join(" + "),
        level_orders,
        se: SeConvention::Cregg,
        mm_null: 0.5,
    }
}

pub(super) fn estimate(request: &EstimateRequest) -> Result<EstimateReply, AnalysisError> {
    let formula = Formula::parse(&request.formula, Some(&request.outcome))?;
    let mut levels = LevelOrders::new();
    for (feature, order) in &request.level_orders {
        if formula.features.contains(feature) {
            levels.set(feature, order.clone())?;
        }
    }
    let spec = ConjointSpec {
        outcome: request.outcome.clone(),
        id: request.id.clone(),
        weights: request.weights.clone(),
        formula,
        levels,
        se: match request.se {
            SeConvention::Cregg => ClusterSe::Cregg,
            SeConvention::Cr1 => ClusterSe::Cr1,
        },
    };
    let estimates = match request.estimator {
        Estimator::Amce => analysis::amce(&request.table, &spec)?,
        Estimator::MarginalMeans => analysis::mm(&request.table, &spec, request.mm_null)?,
    };
    Ok(EstimateReply {
        estimator: request.estimator,
        csv: estimates.table.to_csv(),
        rows: estimates
            .table
            .rows
            .iter()
            .map(|r| EstimateRow {
                feature: r.feature.clone(),
                level: r.level.clone(),
                estimate: r.estimate,
                std_error: r.std_error,
                z: r.z,
                p: r.p,
                lower: r.lower,
                upper: r.upper,
            })
            .collect(),
        warnings: estimates.warnings.iter().map(ToString::to_string).collect(),
        n_rows: estimates.n_rows,
        n_respondents: estimates.n_respondents,
    })
}

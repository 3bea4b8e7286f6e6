//! The estimation job: one response table, one model spec, one tidy table back (per subgroup and
//! their differences when a `by` variable is chosen), plus the plot built from it.

use serde::{Deserialize, Serialize};

use super::protocol::{JobError, Operation};
use crate::analysis::{
    cj, AnalysisError, Breakdown, ClusterSe, ConjointSpec, Estimand, Estimates, Formula,
    LevelOrders, TidyTable,
};
use crate::plot::{self, EstimateKind, Figure, PlotError};
use crate::study::{ColumnRole, Conjoint, ResponseTable};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateRequest {
    pub estimator: Estimand,
    pub table: ResponseTable,
    pub outcome: String,
    pub id: Option<String>,
    pub weights: Option<String>,
    /// `A + B*C + D`; `*` declares a constrained pair, averaged as cregg does.
    pub formula: String,
    /// Level order per feature; the first level is the baseline.
    pub level_orders: Vec<(String, Vec<String>)>,
    pub se: ClusterSe,
    /// The null hypothesis for marginal means (0.5 for a forced choice between two profiles).
    pub mm_null: f64,
    /// A respondent variable: estimate within each of its groups, and each group's difference from
    /// the first.
    #[serde(default)]
    pub by: Option<String>,
}

/// One row of the reply: the analysis' own tidy row, sent as it is.
pub use crate::analysis::TidyRow as EstimateRow;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateReply {
    pub estimator: Estimand,
    pub rows: Vec<EstimateRow>,
    pub warnings: Vec<String>,
    pub n_rows: usize,
    pub n_respondents: usize,
    /// The same table as CSV with cregg's column names, ready to download.
    pub csv: String,
    /// The `by` variable, when the estimates are per group.
    #[serde(default)]
    pub by: Option<String>,
    /// With `by`: each group's difference from the first group (empty when they cannot be
    /// estimated, e.g. AMCE differences under a constrained formula; a warning says why).
    #[serde(default)]
    pub differences: Vec<EstimateRow>,
    #[serde(default)]
    pub differences_csv: String,
    /// The null of the marginal means (their plot's reference line).
    #[serde(default)]
    pub mm_null: f64,
}

fn rows_of(table: &TidyTable) -> Vec<EstimateRow> {
    table.rows.clone()
}

fn table_of(rows: &[EstimateRow], group_column: Option<&str>) -> TidyTable {
    TidyTable {
        group_column: group_column.map(str::to_string),
        rows: rows.to_vec(),
    }
}

impl EstimateReply {
    /// The estimates as the engine's tidy table.
    pub fn table(&self) -> TidyTable {
        table_of(&self.rows, self.by.as_deref())
    }

    /// The plot of these estimates: AMCE or marginal means, or with `by` the groups overlaid beside
    /// their differences. Built where it is drawn (the page's main thread), not in the worker.
    pub fn figure(&self) -> Result<Figure, PlotError> {
        let kind = match self.estimator {
            Estimand::Amce => EstimateKind::Amce,
            Estimand::MarginalMeans => EstimateKind::MarginalMeans { null: self.mm_null },
        };
        let subtitle = format!(
            "{} rows, {} respondents; 95% intervals, SEs clustered by respondent",
            self.n_rows, self.n_respondents
        );
        match (&self.by, kind) {
            (Some(_), kind) => {
                let differences = (!self.differences.is_empty())
                    .then(|| table_of(&self.differences, self.by.as_deref()));
                plot::subgroup_figure(&self.table(), differences.as_ref(), kind, &subtitle)
            }
            (None, EstimateKind::Amce) => plot::amce_figure(&self.table(), &subtitle),
            (None, EstimateKind::MarginalMeans { null }) => {
                plot::mm_figure(&self.table(), null, &subtitle)
            }
        }
    }
}

/// A sensible first model for a table: its outcome and respondent columns by role, every attribute
/// column additively, in the design's level order.
pub fn default_request(
    table: &ResponseTable,
    conjoint: Option<&Conjoint>,
    estimator: Estimand,
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
        se: ClusterSe::Cregg,
        mm_null: 0.5,
        by: None,
    }
}

impl Operation for EstimateRequest {
    type Reply = EstimateReply;

    fn run(self) -> Result<EstimateReply, JobError> {
        Ok(estimate(&self)?)
    }
}

fn estimate(request: &EstimateRequest) -> Result<EstimateReply, AnalysisError> {
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
        se: request.se,
    };
    let (table, estimand, h0) = (&request.table, request.estimator, request.mm_null);
    // With a `by` variable the page shows the groups and their differences side by side.
    let (estimates, differences) = match request.by.as_deref() {
        None => (cj(table, &spec, estimand, Breakdown::Overall, h0)?, None),
        Some(by) => (
            cj(table, &spec, estimand, Breakdown::By(by), h0)?,
            Some(cj(table, &spec, estimand, Breakdown::Differences(by), h0)),
        ),
    };
    let mut warnings: Vec<String> = estimates.warnings.iter().map(ToString::to_string).collect();
    // The per-group estimates stand on their own; differences that cannot be estimated (AMCEs under
    // a constrained formula) only lose their panel.
    let differences: Option<Estimates> = match differences {
        Some(Ok(d)) => {
            warnings.extend(d.warnings.iter().map(ToString::to_string));
            Some(d)
        }
        Some(Err(e)) => {
            warnings.push(format!("no differences between groups: {e}"));
            None
        }
        None => None,
    };
    Ok(EstimateReply {
        estimator: request.estimator,
        csv: estimates.table.to_csv(),
        rows: rows_of(&estimates.table),
        warnings,
        n_rows: estimates.n_rows,
        n_respondents: estimates.n_respondents,
        by: request.by.clone(),
        differences: differences
            .as_ref()
            .map(|d| rows_of(&d.table))
            .unwrap_or_default(),
        differences_csv: differences
            .as_ref()
            .map(|d| d.table.to_csv())
            .unwrap_or_default(),
        mm_null: request.mm_null,
    })
}

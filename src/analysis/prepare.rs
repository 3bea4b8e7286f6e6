//! Pulls the columns a model needs out of a long response table: the numeric outcome, optional
//! weights, respondent clusters and the features as level codes, on the rows with no missing value.

use std::collections::HashMap;

use super::levels::{encode, Factor, LevelOrders};
use super::{AnalysisError, AnalysisWarning};
use crate::study::{Column, ColumnValues, ResponseTable};

/// Which columns a model reads.
#[derive(Clone, Debug)]
pub struct Columns<'a> {
    pub outcome: &'a str,
    /// Respondent id; rows of one respondent form one cluster.
    pub id: Option<&'a str>,
    pub weights: Option<&'a str>,
    pub factors: Vec<&'a str>,
}

/// Respondent clusters as dense indices `0..count`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clusters {
    pub column: String,
    pub index: Vec<u32>,
    pub count: usize,
}

/// The encoded rows of one model. All vectors have one entry per used row.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelData {
    pub outcome: String,
    pub y: Vec<f64>,
    pub weights: Option<Vec<f64>>,
    pub clusters: Option<Clusters>,
    pub factors: Vec<Factor>,
}

impl ModelData {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    pub fn weight(&self, row: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[row])
    }

    /// The same model restricted to some rows; clusters are renumbered densely.
    pub fn subset(&self, rows: &[usize]) -> Self {
        let clusters = self.clusters.as_ref().map(|c| {
            let mut renumber: HashMap<u32, u32> = HashMap::new();
            let index = rows
                .iter()
                .map(|&r| {
                    let next = renumber.len() as u32;
                    *renumber.entry(c.index[r]).or_insert(next)
                })
                .collect();
            Clusters {
                column: c.column.clone(),
                index,
                count: renumber.len(),
            }
        });
        Self {
            outcome: self.outcome.clone(),
            y: rows.iter().map(|&r| self.y[r]).collect(),
            weights: self
                .weights
                .as_ref()
                .map(|w| rows.iter().map(|&r| w[r]).collect()),
            clusters,
            factors: self.factors.iter().map(|f| f.subset(rows)).collect(),
        }
    }
}

pub fn column<'t>(table: &'t ResponseTable, name: &str) -> Result<&'t Column, AnalysisError> {
    table
        .column(name)
        .ok_or_else(|| AnalysisError::MissingColumn {
            column: name.to_string(),
        })
}

/// The values of a numeric column; a text column is an error naming its first non-number.
pub fn numbers(column: &Column) -> Result<&[Option<f64>], AnalysisError> {
    match &column.values {
        ColumnValues::Number(v) => Ok(v),
        ColumnValues::Text(v) => {
            let (row, value) = v
                .iter()
                .enumerate()
                .find_map(|(i, cell)| {
                    cell.as_ref()
                        .filter(|c| c.trim().parse::<f64>().is_err())
                        .map(|c| (i, c.clone()))
                })
                .unwrap_or((0, String::new()));
            Err(AnalysisError::NotNumeric {
                column: column.name.clone(),
                row: row + 1,
                value,
            })
        }
    }
}

fn is_missing(values: &ColumnValues, row: usize) -> bool {
    match values {
        ColumnValues::Number(v) => v[row].is_none(),
        ColumnValues::Text(v) => v[row].is_none(),
    }
}

/// Dense cluster indices for the given rows; a missing id is an error naming the row (1-based).
pub fn cluster_index(column: &Column, rows: &[usize]) -> Result<Clusters, AnalysisError> {
    let missing = |row: usize| AnalysisError::MissingId {
        column: column.name.clone(),
        row: row + 1,
    };
    let mut index = Vec::with_capacity(rows.len());
    let count = match &column.values {
        ColumnValues::Number(v) => {
            let mut ids: HashMap<u64, u32> = HashMap::new();
            for &row in rows {
                let x = v[row].ok_or_else(|| missing(row))?;
                let next = ids.len() as u32;
                index.push(*ids.entry(x.to_bits()).or_insert(next));
            }
            ids.len()
        }
        ColumnValues::Text(v) => {
            let mut ids: HashMap<&str, u32> = HashMap::new();
            for &row in rows {
                let x = v[row].as_deref().ok_or_else(|| missing(row))?;
                let next = ids.len() as u32;
                index.push(*ids.entry(x).or_insert(next));
            }
            ids.len()
        }
    };
    Ok(Clusters {
        column: column.name.clone(),
        index,
        count,
    })
}

/// Reads and encodes the model's columns. Rows with a missing outcome, weight or feature are left out
/// (as R's `na.omit` does) and reported in a warning; a missing respondent id is an error.
pub fn prepare(
    table: &ResponseTable,
    columns: &Columns<'_>,
    orders: &LevelOrders,
) -> Result<(ModelData, Vec<AnalysisWarning>), AnalysisError> {
    let outcome_column = column(table, columns.outcome)?;
    let y = numbers(outcome_column)?;
    let weights = match columns.weights {
        Some(name) => Some((name, numbers(column(table, name)?)?)),
        None => None,
    };
    let id = columns.id.map(|name| column(table, name)).transpose()?;
    let factor_columns: Vec<&Column> = columns
        .factors
        .iter()
        .map(|name| column(table, name))
        .collect::<Result<_, _>>()?;

    let n = table.row_count();
    let mut rows = Vec::with_capacity(n);
    for row in 0..n {
        let complete = y[row].is_some()
            && weights.is_none_or(|(_, w)| w[row].is_some())
            && factor_columns.iter().all(|c| !is_missing(&c.values, row));
        if complete {
            rows.push(row);
        }
    }
    let mut used_names: Vec<&str> = vec![columns.outcome];
    used_names.extend(columns.weights);
    used_names.extend(columns.factors.iter().copied());
    let used_names = used_names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if rows.is_empty() {
        return Err(AnalysisError::NoRows {
            columns: used_names,
        });
    }
    let mut warnings = Vec::new();
    if rows.len() < n {
        warnings.push(AnalysisWarning::DroppedRows {
            count: n - rows.len(),
            columns: used_names,
        });
    }
    let weights = match weights {
        Some((name, w)) => {
            let mut out = Vec::with_capacity(rows.len());
            for &row in &rows {
                let value = w[row].unwrap_or(f64::NAN);
                if !(value.is_finite() && value > 0.0) {
                    return Err(AnalysisError::BadWeight {
                        column: name.to_string(),
                        row: row + 1,
                        value,
                    });
                }
                out.push(value);
            }
            Some(out)
        }
        None => None,
    };
    let clusters = id.map(|c| cluster_index(c, &rows)).transpose()?;
    let factors = factor_columns
        .iter()
        .map(|c| encode(c, &rows, orders))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        ModelData {
            outcome: columns.outcome.to_string(),
            y: rows.iter().map(|&r| y[r].unwrap_or(f64::NAN)).collect(),
            weights,
            clusters,
            factors,
        },
        warnings,
    ))
}

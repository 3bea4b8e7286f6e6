//! Turning the app's tables into a large view's data: a long table's two numeric columns into a
//! scatter (coloured by a text column), and a wide matrix CSV (first column = row label) into a
//! heatmap's values.

use thiserror::Error;

use crate::study::{ColumnValues, ResponseTable};

/// Categories beyond this many share the last colour as "other".
pub const MAX_CATEGORIES: usize = 8;

#[derive(Debug, Error, PartialEq)]
pub enum InputError {
    #[error("column {0:?} is not in the table")]
    MissingColumn(String),
    #[error("column {0:?} holds text; the scatter needs numbers")]
    NotNumeric(String),
    #[error("the matrix CSV, line {line}: {message}")]
    Csv { line: usize, message: String },
}

pub struct ScatterColumns {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub categories: Vec<u16>,
    /// Category names by index (the last may be "other").
    pub names: Vec<String>,
}

fn numbers(table: &ResponseTable, name: &str) -> Result<Vec<f64>, InputError> {
    match &table
        .column(name)
        .ok_or_else(|| InputError::MissingColumn(name.into()))?
        .values
    {
        ColumnValues::Number(v) => Ok(v.iter().map(|x| x.unwrap_or(f64::NAN)).collect()),
        ColumnValues::Text(_) => Err(InputError::NotNumeric(name.into())),
    }
}

fn cell_text(values: &ColumnValues, i: usize) -> String {
    match values {
        ColumnValues::Number(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
        ColumnValues::Text(v) => v[i].clone().unwrap_or_default(),
    }
}

/// `x` and `y` from numeric columns; colour by `colour` (most frequent categories first, the rest
/// as "other"). `jitter` spreads points by up to ± that many units, deterministically per row,
/// so answers on the same scale point do not hide each other.
pub fn scatter_columns(
    table: &ResponseTable,
    x: &str,
    y: &str,
    colour: Option<&str>,
    jitter: f64,
) -> Result<ScatterColumns, InputError> {
    let mut xs = numbers(table, x)?;
    let mut ys = numbers(table, y)?;
    if jitter > 0.0 {
        for (i, (x, y)) in xs.iter_mut().zip(ys.iter_mut()).enumerate() {
            // Two low-discrepancy sequences: even spread, same picture on every load.
            let a = (i as f64 * 0.754_877_666).fract() * 2.0 - 1.0;
            let b = (i as f64 * 0.569_840_291).fract() * 2.0 - 1.0;
            *x += a * jitter;
            *y += b * jitter;
        }
    }
    let (categories, names) = match colour {
        None => (vec![0; xs.len()], Vec::new()),
        Some(name) => {
            let column = table
                .column(name)
                .ok_or_else(|| InputError::MissingColumn(name.into()))?;
            let labels: Vec<String> = (0..xs.len())
                .map(|i| cell_text(&column.values, i))
                .collect();
            let mut counts: std::collections::HashMap<&str, usize> = Default::default();
            for l in &labels {
                *counts.entry(l.as_str()).or_default() += 1;
            }
            let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let named = if ranked.len() > MAX_CATEGORIES {
                MAX_CATEGORIES - 1
            } else {
                ranked.len()
            };
            let index: std::collections::HashMap<&str, u16> = ranked
                .iter()
                .enumerate()
                .map(|(i, (l, _))| (*l, i.min(named) as u16))
                .collect();
            let mut names: Vec<String> =
                ranked[..named].iter().map(|(l, _)| l.to_string()).collect();
            if ranked.len() > named {
                names.push(format!("other ({} more)", ranked.len() - named));
            }
            (labels.iter().map(|l| index[l.as_str()]).collect(), names)
        }
    };
    Ok(ScatterColumns {
        xs,
        ys,
        categories,
        names,
    })
}

/// A wide CSV (header: a row-label column, then one column per matrix column; empty = no value).
pub struct WideMatrix {
    pub row_labels: Vec<String>,
    pub column_labels: Vec<String>,
    pub values: Vec<f32>,
}

pub fn matrix_from_wide_csv(text: &str) -> Result<WideMatrix, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| InputError::Csv {
        line: 1,
        message: e.to_string(),
    })?;
    let column_labels: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
    let mut row_labels = Vec::new();
    let mut values = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| InputError::Csv {
            line,
            message: e.to_string(),
        })?;
        if record.len() != column_labels.len() + 1 {
            return Err(InputError::Csv {
                line,
                message: format!(
                    "{} fields, the header has {}",
                    record.len(),
                    column_labels.len() + 1
                ),
            });
        }
        row_labels.push(record[0].to_string());
        for (c, field) in record.iter().skip(1).enumerate() {
            let v = if field.trim().is_empty() {
                f32::NAN
            } else {
                field.trim().parse::<f32>().map_err(|_| InputError::Csv {
                    line,
                    message: format!("column {:?}: {field:?} is not a number", column_labels[c]),
                })?
            };
            values.push(v);
        }
    }
    Ok(WideMatrix {
        row_labels,
        column_labels,
        values,
    })
}

/// A design's attribute-pair co-occurrence counts as one square matrix over every level
/// ("attribute: level"): cell (a, b) = profiles showing both levels; NaN within one attribute
/// (two levels of one attribute never meet) and for pairs the diagnostics did not count.
pub fn pair_matrix(
    levels: &[(String, String)],
    pairs: &[(String, String, Vec<Vec<u64>>)],
) -> WideMatrix {
    let n = levels.len();
    let labels: Vec<String> = levels.iter().map(|(a, l)| format!("{a}: {l}")).collect();
    let first_of = |attribute: &str| levels.iter().position(|(a, _)| a == attribute);
    let mut values = vec![f32::NAN; n * n];
    for (first, second, counts) in pairs {
        let (Some(i0), Some(j0)) = (first_of(first), first_of(second)) else {
            continue;
        };
        for (i, row) in counts.iter().enumerate() {
            for (j, &c) in row.iter().enumerate() {
                let (a, b) = (i0 + i, j0 + j);
                if a < n && b < n {
                    values[a * n + b] = c as f32;
                    values[b * n + a] = c as f32;
                }
            }
        }
    }
    WideMatrix {
        row_labels: labels.clone(),
        column_labels: labels,
        values,
    }
}

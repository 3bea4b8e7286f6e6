//! A heatmap's matrix, checked: one value per cell (NaN = no value; infinities become no value and
//! are counted), labels per row and column, and matrices larger than a GPU texture averaged into
//! bins of whole rows/columns so a 50-million-cell matrix still draws.

use thiserror::Error;

/// The largest side drawn as one texture: WebGL2 guarantees 2048 (WebGPU 8192).
pub const MAX_SIDE: usize = 2048;
/// Refused above this many cells: the values alone would take over 1 GB.
pub const MAX_CELLS: usize = 256_000_000;

#[derive(Debug, Error, PartialEq)]
pub enum MatrixError {
    #[error("the matrix is empty ({rows} rows × {columns} columns)")]
    Empty { rows: usize, columns: usize },
    #[error("the matrix has {got} values but {rows} rows × {columns} columns need {expected}")]
    LengthMismatch {
        rows: usize,
        columns: usize,
        got: usize,
        expected: usize,
    },
    #[error("{what} labels: {got} given for {expected} {what}s")]
    Labels {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("the matrix has {cells} cells, more than a browser tab can hold ({MAX_CELLS}); bin it before drawing")]
    TooLarge { cells: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub columns: usize,
    /// Row-major.
    pub values: Vec<f32>,
    pub row_labels: Vec<String>,
    pub column_labels: Vec<String>,
    /// Cells whose value was infinite (drawn as missing).
    pub non_finite: usize,
    /// Source rows / columns averaged into one drawn row / column (1 = none).
    pub row_bin: usize,
    pub column_bin: usize,
    /// Finite range of the values (0..1 when there is none).
    pub lo: f32,
    pub hi: f32,
}

impl Matrix {
    pub fn new(
        rows: usize,
        columns: usize,
        mut values: Vec<f32>,
        row_labels: Vec<String>,
        column_labels: Vec<String>,
    ) -> Result<Self, MatrixError> {
        if rows == 0 || columns == 0 {
            return Err(MatrixError::Empty { rows, columns });
        }
        let expected = rows.saturating_mul(columns);
        if expected > MAX_CELLS {
            return Err(MatrixError::TooLarge { cells: expected });
        }
        if values.len() != expected {
            return Err(MatrixError::LengthMismatch {
                rows,
                columns,
                got: values.len(),
                expected,
            });
        }
        for (what, got, want) in [
            ("row", row_labels.len(), rows),
            ("column", column_labels.len(), columns),
        ] {
            if got != want {
                return Err(MatrixError::Labels {
                    what,
                    got,
                    expected: want,
                });
            }
        }
        let mut non_finite = 0;
        for v in &mut values {
            if v.is_infinite() {
                *v = f32::NAN;
                non_finite += 1;
            }
        }
        let row_bin = rows.div_ceil(MAX_SIDE);
        let column_bin = columns.div_ceil(MAX_SIDE);
        let (values, rows_drawn, columns_drawn) = if row_bin > 1 || column_bin > 1 {
            bin_mean(&values, rows, columns, row_bin, column_bin)
        } else {
            (values, rows, columns)
        };
        let bin_labels = |labels: &[String], bin: usize, n: usize| -> Vec<String> {
            if bin == 1 {
                return labels.to_vec();
            }
            (0..n)
                .map(|i| {
                    let (a, b) = (i * bin, ((i + 1) * bin).min(labels.len()) - 1);
                    format!("{} … {}", labels[a], labels[b])
                })
                .collect()
        };
        let (lo, hi) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        Ok(Matrix {
            row_labels: bin_labels(&row_labels, row_bin, rows_drawn),
            column_labels: bin_labels(&column_labels, column_bin, columns_drawn),
            rows: rows_drawn,
            columns: columns_drawn,
            values,
            non_finite,
            row_bin,
            column_bin,
            lo,
            hi,
        })
    }

    pub fn value(&self, row: usize, column: usize) -> f32 {
        self.values[row * self.columns + column]
    }

    /// What the view says under the chart about binning or infinite values, if anything.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.non_finite > 0 {
            parts.push(format!(
                "{} infinite value(s) shown as missing",
                self.non_finite
            ));
        }
        if self.row_bin > 1 || self.column_bin > 1 {
            parts.push(format!(
                "averaged in bins of {} rows × {} columns to fit the GPU",
                self.row_bin, self.column_bin
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Means of the finite values in each bin (NaN when a bin has none).
fn bin_mean(
    values: &[f32],
    rows: usize,
    columns: usize,
    row_bin: usize,
    column_bin: usize,
) -> (Vec<f32>, usize, usize) {
    let (nr, nc) = (rows.div_ceil(row_bin), columns.div_ceil(column_bin));
    let mut sum = vec![0f64; nr * nc];
    let mut count = vec![0u32; nr * nc];
    for r in 0..rows {
        let row = &values[r * columns..(r + 1) * columns];
        let base = (r / row_bin) * nc;
        for (c, &v) in row.iter().enumerate() {
            if v.is_finite() {
                sum[base + c / column_bin] += v as f64;
                count[base + c / column_bin] += 1;
            }
        }
    }
    let out = sum
        .iter()
        .zip(&count)
        .map(|(&s, &n)| {
            if n == 0 {
                f32::NAN
            } else {
                (s / n as f64) as f32
            }
        })
        .collect();
    (out, nr, nc)
}

//! The respondent × question agreement matrix behind the heatmap: one cell per pair, the pair's
//! agreement (1 − |h − t| / range, or exact match), NaN where the person has no pair or the question
//! no scale. Stored compactly (labels plus row-major f32) so it crosses to the page cheaply, and
//! binned for drawing when it has more rows or columns than pixels to spare.

use serde::{Deserialize, Serialize};

use super::nan_serde;
use super::{Paired, Scale};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AgreementMatrix {
    /// Respondents (or bins of them, labelled "first … last").
    pub rows: Vec<String>,
    /// Questions (the key joined with " / "), or bins of them.
    pub columns: Vec<String>,
    /// Row-major, `rows.len() × columns.len()`; NaN (null in JSON) = no value.
    #[serde(with = "nan_serde::vec_f32")]
    pub values: Vec<f32>,
}

/// A question's key as one label.
pub fn question_label(key: &[String]) -> String {
    key.join(" / ")
}

/// The matrix of every person (first-appearance order) × question; `scales` parallel to questions.
pub fn agreement_matrix(paired: &Paired, scales: &[Scale]) -> AgreementMatrix {
    let (rows, cols) = (paired.persons.len(), paired.questions.len());
    // Pairs come question by question, so fill question-major (contiguous writes) and transpose in
    // tiles: writing person-major directly would jump a whole row per pair and miss the cache.
    let mut by_question = vec![f32::NAN; rows * cols];
    for (c, ((q, who), scale)) in paired
        .questions
        .iter()
        .zip(&paired.pair_persons)
        .zip(scales)
        .enumerate()
    {
        let column = &mut by_question[c * rows..(c + 1) * rows];
        for ((&h, &t), &p) in q.human.iter().zip(&q.twin).zip(who) {
            column[p as usize] = scale.agreement(h, t) as f32;
        }
    }
    AgreementMatrix {
        rows: paired.persons.clone(),
        columns: paired
            .questions
            .iter()
            .map(|q| question_label(&q.key))
            .collect(),
        values: transpose(&by_question, cols, rows),
    }
}

/// `rows × cols` row-major → `cols × rows` row-major, in cache-sized tiles.
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    const TILE: usize = 32;
    let mut out = vec![f32::NAN; values.len()];
    for r0 in (0..rows).step_by(TILE) {
        for c0 in (0..cols).step_by(TILE) {
            for r in r0..(r0 + TILE).min(rows) {
                for c in c0..(c0 + TILE).min(cols) {
                    out[c * rows + r] = values[r * cols + c];
                }
            }
        }
    }
    out
}

impl AgreementMatrix {
    pub fn get(&self, row: usize, column: usize) -> f32 {
        self.values
            .get(row * self.columns.len() + column)
            .copied()
            .unwrap_or(f32::NAN)
    }

    /// Rows and columns reordered by their mean agreement, best first, so the heatmap shows
    /// structure (which people and which questions the twins get right) instead of file order.
    pub fn sorted(&self) -> Self {
        let (r, c) = (self.rows.len(), self.columns.len());
        let mean = |cells: &mut dyn Iterator<Item = f32>| {
            let (mut s, mut n) = (0.0f64, 0usize);
            for v in cells.filter(|v| v.is_finite()) {
                s += f64::from(v);
                n += 1;
            }
            if n == 0 {
                f64::NEG_INFINITY
            } else {
                s / n as f64
            }
        };
        let row_means: Vec<f64> = (0..r)
            .map(|i| mean(&mut self.values[i * c..(i + 1) * c].iter().copied()))
            .collect();
        let col_means: Vec<f64> = (0..c)
            .map(|j| mean(&mut (0..r).map(|i| self.values[i * c + j])))
            .collect();
        let mut row_order: Vec<usize> = (0..r).collect();
        row_order.sort_by(|&a, &b| row_means[b].total_cmp(&row_means[a]));
        let mut col_order: Vec<usize> = (0..c).collect();
        col_order.sort_by(|&a, &b| col_means[b].total_cmp(&col_means[a]));
        let mut values = Vec::with_capacity(r * c);
        for &i in &row_order {
            values.extend(col_order.iter().map(|&j| self.values[i * c + j]));
        }
        Self {
            rows: row_order.iter().map(|&i| self.rows[i].clone()).collect(),
            columns: col_order.iter().map(|&j| self.columns[j].clone()).collect(),
            values,
        }
    }

    /// At most `max_rows × max_columns` cells: consecutive rows (columns) are merged into equal bins
    /// whose value is the mean of their defined cells. Unchanged when it already fits.
    pub fn binned(&self, max_rows: usize, max_columns: usize) -> Self {
        let (r, c) = (self.rows.len(), self.columns.len());
        let row_bins = bins(r, max_rows.max(1));
        let col_bins = bins(c, max_columns.max(1));
        if row_bins.len() == r && col_bins.len() == c {
            return self.clone();
        }
        let mut values = Vec::with_capacity(row_bins.len() * col_bins.len());
        for &(r0, r1) in &row_bins {
            for &(c0, c1) in &col_bins {
                let (mut s, mut n) = (0.0f64, 0usize);
                for i in r0..r1 {
                    for v in &self.values[i * c + c0..i * c + c1] {
                        if v.is_finite() {
                            s += f64::from(*v);
                            n += 1;
                        }
                    }
                }
                values.push(if n == 0 {
                    f32::NAN
                } else {
                    (s / n as f64) as f32
                });
            }
        }
        let label = |labels: &[String], (a, b): (usize, usize)| {
            if b - a == 1 {
                labels[a].clone()
            } else {
                format!("{} … {}", labels[a], labels[b - 1])
            }
        };
        Self {
            rows: row_bins.iter().map(|&b| label(&self.rows, b)).collect(),
            columns: col_bins.iter().map(|&b| label(&self.columns, b)).collect(),
            values,
        }
    }
}

/// `n` items split into at most `max` consecutive, near-equal half-open ranges.
fn bins(n: usize, max: usize) -> Vec<(usize, usize)> {
    let count = n.min(max);
    (0..count)
        .map(|k| (k * n / count, (k + 1) * n / count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> AgreementMatrix {
        AgreementMatrix {
            rows: vec!["a".into(), "b".into(), "c".into()],
            columns: vec!["q1".into(), "q2".into()],
            values: vec![1.0, 0.0, f32::NAN, 0.5, 0.25, 0.75],
        }
    }

    #[test]
    fn transposing_in_tiles_moves_every_cell() {
        let values: Vec<f32> = (0..70 * 45).map(|v| v as f32).collect();
        let t = transpose(&values, 70, 45);
        assert_eq!(t[3 * 70 + 69], values[69 * 45 + 3]);
        assert_eq!(transpose(&t, 45, 70), values);
    }

    #[test]
    fn binning_averages_the_defined_cells() {
        let m = matrix().binned(2, 1);
        assert_eq!(m.rows, vec!["a", "b … c"]);
        assert_eq!(m.columns, vec!["q1 … q2"]);
        // a: (1 + 0)/2; b and c: (0.5 + 0.25 + 0.75)/3, the NaN left out.
        assert_eq!(m.values, vec![0.5, 0.5]);
        // NaN ≠ NaN, so compare the printed form.
        assert_eq!(
            format!("{:?}", matrix().binned(10, 10)),
            format!("{:?}", matrix())
        );
    }

    #[test]
    fn sorting_puts_the_best_rows_and_columns_first() {
        let m = AgreementMatrix {
            rows: vec!["a".into(), "b".into(), "c".into()],
            columns: vec!["q1".into(), "q2".into()],
            values: vec![0.2, 0.4, 1.0, 1.0, f32::NAN, 0.6],
        }
        .sorted();
        assert_eq!(m.rows, vec!["b", "c", "a"]);
        assert_eq!(m.columns, vec!["q2", "q1"]);
        assert_eq!(&m.values[..3], &[1.0, 1.0, 0.6]);
        assert!(m.values[3].is_nan());
        assert_eq!(&m.values[4..], &[0.4, 0.2]);
    }
}

//! What a large view holds between frames: the checked data, its index, the camera, and the
//! bytes the GPU gets once (a scatter's instances, a heatmap's texture). Redraws after a zoom or
//! pan change only the camera's uniform.

use serde::{Deserialize, Serialize};

use super::colour;
use super::grid_index::GridIndex;
use super::matrix::Matrix;
use super::ordering::{self, Order};
use super::points::Points;
use super::viewport::{Bounds, Viewport};

/// Bytes per scatter instance: x, y (f32), RGBA (u8 × 4), diameter in pixels (f32).
pub const INSTANCE_BYTES: usize = 16;

/// A scatter's hover answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointPick {
    /// Index among the kept points.
    pub index: u32,
    /// Row in the caller's data.
    pub row: u32,
    pub x: f32,
    pub y: f32,
    pub category: u16,
}

pub struct ScatterScene {
    pub points: Points,
    /// Diameter per kept point in CSS pixels.
    pub sizes: Vec<f32>,
    index: GridIndex,
    pub viewport: Viewport,
    /// The view "reset" returns to: the data with a margin.
    pub home: Bounds,
}

impl ScatterScene {
    /// `sizes` (per source row, in pixels) default to `point_px` for every point.
    pub fn new(
        points: Points,
        sizes: Option<&[f32]>,
        point_px: f32,
        width: f64,
        height: f64,
    ) -> Self {
        let sizes = points
            .rows
            .iter()
            .map(|&r| {
                sizes
                    .and_then(|s| s.get(r as usize))
                    .copied()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .unwrap_or(point_px)
                    .clamp(1.0, 64.0)
            })
            .collect();
        let index = GridIndex::new(&points);
        let home = points.bounds.padded(0.04);
        Self {
            viewport: Viewport::new(home, width, height),
            points,
            sizes,
            index,
            home,
        }
    }

    pub fn reset(&mut self) {
        self.viewport = Viewport::new(self.home, self.viewport.width, self.viewport.height);
    }

    /// The GPU's vertex buffer, uploaded once.
    pub fn instance_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.points.len() * INSTANCE_BYTES);
        self.instance_bytes_into(0..self.points.len(), &mut out);
        out
    }

    /// The instances of points `range`, appended to `out` (uploads go in slices, so the whole
    /// buffer never sits in memory beside the points).
    pub fn instance_bytes_into(&self, range: std::ops::Range<usize>, out: &mut Vec<u8>) {
        for i in range {
            out.extend_from_slice(&self.points.xs[i].to_le_bytes());
            out.extend_from_slice(&self.points.ys[i].to_le_bytes());
            out.extend_from_slice(&colour::category(self.points.categories[i]));
            out.extend_from_slice(&self.sizes[i].to_le_bytes());
        }
    }

    /// The largest point's diameter in pixels (0 for no points).
    pub fn largest_size(&self) -> f32 {
        self.sizes.iter().copied().fold(0.0, f32::max)
    }

    /// The point under pixel (px, py) within `radius` pixels (nearest in pixels).
    pub fn pick(&self, px: f64, py: f64, radius: f64) -> Option<PointPick> {
        let (x, y) = self.viewport.to_data(px, py);
        let i = self
            .index
            .nearest(&self.points, x, y, self.viewport.scale(), radius)?;
        Some(self.describe(i))
    }

    pub fn describe(&self, i: u32) -> PointPick {
        let k = i as usize;
        PointPick {
            index: i,
            row: self.points.rows[k],
            x: self.points.xs[k],
            y: self.points.ys[k],
            category: self.points.categories[k],
        }
    }

    /// Source rows inside the pixel rectangle between corners a and b.
    pub fn select_box(&self, a: (f64, f64), b: (f64, f64)) -> Vec<u32> {
        let (xa, ya) = self.viewport.to_data(a.0, a.1);
        let (xb, yb) = self.viewport.to_data(b.0, b.1);
        let mut area = Bounds::EMPTY;
        area.include(xa, ya);
        area.include(xb, yb);
        self.rows_of(self.index.in_box(&self.points, &area))
    }

    /// Source rows inside a lasso drawn in pixels.
    pub fn select_lasso(&self, polygon_px: &[(f64, f64)]) -> Vec<u32> {
        let polygon: Vec<(f64, f64)> = polygon_px
            .iter()
            .map(|&(px, py)| self.viewport.to_data(px, py))
            .collect();
        self.rows_of(self.index.in_polygon(&self.points, &polygon))
    }

    fn rows_of(&self, indices: Vec<u32>) -> Vec<u32> {
        indices
            .into_iter()
            .map(|i| self.points.rows[i as usize])
            .collect()
    }

    /// Bytes held for this scatter on the CPU and the GPU (the memory budget).
    pub fn memory_bytes(&self) -> usize {
        let n = self.points.len();
        // xs, ys, rows, sizes (4 B each), categories (2 B), index ids (4 B) + cells, GPU instances.
        n * (4 * 4 + 2 + 4) + n + n * INSTANCE_BYTES
    }
}

/// How the heatmap's rows and columns are ordered (on the wire: `"mean"`, `{"by_column": 3}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatrixOrder {
    /// As given.
    Source,
    /// Rows and columns by mean, highest first.
    Mean,
    /// Similar rows (and columns) next to each other: first principal axis.
    Seriation,
    /// Rows by their value in this column.
    ByColumn(usize),
}

/// A heatmap's hover answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellPick {
    /// Drawn (possibly binned) row and column in the matrix, before ordering.
    pub row: usize,
    pub column: usize,
    /// NaN for a cell with no value (JSON has no NaN: it travels as null).
    #[serde(deserialize_with = "super::protocol::null_as_nan")]
    pub value: f32,
    /// Where it is drawn: position in the current row and column order.
    pub drawn_row: usize,
    pub drawn_column: usize,
}

pub struct HeatmapScene {
    pub matrix: Matrix,
    pub row_order: Order,
    pub column_order: Order,
    pub viewport: Viewport,
    pub home: Bounds,
}

impl HeatmapScene {
    /// Cell (row i, column j) in the current order covers x ∈ [j, j+1], y ∈ [R−1−i, R−i]: row 0 on top.
    pub fn new(matrix: Matrix, width: f64, height: f64) -> Self {
        let home = Bounds {
            x0: 0.0,
            x1: matrix.columns as f64,
            y0: 0.0,
            y1: matrix.rows as f64,
        };
        Self {
            row_order: ordering::identity(matrix.rows),
            column_order: ordering::identity(matrix.columns),
            viewport: Viewport::new(home, width, height),
            home,
            matrix,
        }
    }

    pub fn reset(&mut self) {
        self.viewport = Viewport::new(self.home, self.viewport.width, self.viewport.height);
    }

    pub fn set_order(&mut self, order: MatrixOrder) {
        let m = &self.matrix;
        (self.row_order, self.column_order) = match order {
            MatrixOrder::Source => (ordering::identity(m.rows), ordering::identity(m.columns)),
            MatrixOrder::Mean => (ordering::rows_by_mean(m), ordering::columns_by_mean(m)),
            MatrixOrder::Seriation => ordering::seriate(m),
            MatrixOrder::ByColumn(c) => (
                ordering::rows_by_column(m, c),
                ordering::identity(m.columns),
            ),
        };
    }

    /// The texture, rows × columns RGBA in the current order, row 0 first; uploaded once per order.
    pub fn rgba(&self) -> Vec<u8> {
        let m = &self.matrix;
        let span = (m.hi - m.lo) as f64;
        let mut out = Vec::with_capacity(m.rows * m.columns * 4);
        for &r in &self.row_order {
            for &c in &self.column_order {
                let v = m.value(r, c) as f64;
                let t = if span > 0.0 {
                    (v - m.lo as f64) / span
                } else {
                    0.5
                };
                out.extend_from_slice(&colour::sequential(t));
            }
        }
        out
    }

    /// The drawn position (i, j) of the cell under pixel (px, py), if inside the matrix.
    pub fn position_at(&self, px: f64, py: f64) -> Option<(usize, usize)> {
        let (x, y) = self.viewport.to_data(px, py);
        let rows = self.matrix.rows as f64;
        if !(x >= 0.0 && x < self.matrix.columns as f64 && y > 0.0 && y <= rows) {
            return None;
        }
        let i = (rows - y).floor() as usize;
        Some((i.min(self.matrix.rows - 1), x.floor() as usize))
    }

    pub fn pick(&self, px: f64, py: f64) -> Option<CellPick> {
        let (i, j) = self.position_at(px, py)?;
        let (row, column) = (self.row_order[i], self.column_order[j]);
        Some(CellPick {
            row,
            column,
            value: self.matrix.value(row, column),
            drawn_row: i,
            drawn_column: j,
        })
    }

    /// Matrix rows (source order) whose drawn rows meet the pixel rectangle between a and b.
    pub fn select_box(&self, a: (f64, f64), b: (f64, f64)) -> Vec<u32> {
        let rows = self.matrix.rows as f64;
        let (_, ya) = self.viewport.to_data(a.0, a.1);
        let (_, yb) = self.viewport.to_data(b.0, b.1);
        let (lo, hi) = (ya.min(yb).max(0.0), ya.max(yb).min(rows));
        if lo >= hi {
            return Vec::new();
        }
        let first = (rows - hi).floor() as usize;
        let last = ((rows - lo).ceil() as usize).min(self.matrix.rows);
        let mut out: Vec<u32> = self.row_order[first..last]
            .iter()
            .map(|&r| r as u32)
            .collect();
        out.sort_unstable();
        out
    }
}

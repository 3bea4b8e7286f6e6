//! A scatter's points, checked: non-finite coordinates are dropped (and counted), each kept point
//! remembers its row in the caller's data, and more points than a tab can hold are thinned to an
//! even sample instead of crashing the page.

use thiserror::Error;

use super::viewport::Bounds;

/// Above this many points a scatter is thinned by an even stride (every k-th row kept). 1M points
/// take 16 MB on the GPU and ~28 MB here; 8M stay under a quarter of a tab's usual memory.
pub const MAX_POINTS: usize = 8_000_000;

#[derive(Debug, Error, PartialEq)]
pub enum PointsError {
    #[error("the scatter has no points to draw")]
    Empty,
    #[error(
        "none of the {rows} rows has finite x and y values (all are missing, NaN or infinite)"
    )]
    NoFinitePoints { rows: usize },
    #[error(
        "{what} has {got} values but x has {expected}: every column must have one value per row"
    )]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
}

/// Points ready to index and draw. Parallel vectors, one entry per kept point.
#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    pub xs: Vec<f32>,
    pub ys: Vec<f32>,
    /// Category per point (colour index); all 0 without categories.
    pub categories: Vec<u16>,
    /// The point's row in the caller's data (what a tooltip or a selection names).
    pub rows: Vec<u32>,
    /// Rows left out because x or y was NaN or infinite.
    pub dropped_non_finite: usize,
    /// Rows left out by thinning (kept every `stride`-th finite point).
    pub thinned: usize,
    pub stride: usize,
    pub bounds: Bounds,
}

impl Points {
    /// Checks `xs`/`ys` (and optional per-row `categories`), keeping finite points with their row
    /// numbers; thins to at most [`MAX_POINTS`].
    pub fn new(xs: &[f64], ys: &[f64], categories: Option<&[u16]>) -> Result<Self, PointsError> {
        Self::with_limit(xs, ys, categories, MAX_POINTS)
    }

    pub fn with_limit(
        xs: &[f64],
        ys: &[f64],
        categories: Option<&[u16]>,
        limit: usize,
    ) -> Result<Self, PointsError> {
        if ys.len() != xs.len() {
            return Err(PointsError::LengthMismatch {
                what: "y",
                got: ys.len(),
                expected: xs.len(),
            });
        }
        if let Some(c) = categories.filter(|c| c.len() != xs.len()) {
            return Err(PointsError::LengthMismatch {
                what: "the colour column",
                got: c.len(),
                expected: xs.len(),
            });
        }
        if xs.is_empty() {
            return Err(PointsError::Empty);
        }
        // f32 overflow counts as non-finite too: the GPU could not place it.
        let finite = |i: usize| {
            let (x, y) = (xs[i] as f32, ys[i] as f32);
            x.is_finite() && y.is_finite()
        };
        let n_finite = (0..xs.len()).filter(|&i| finite(i)).count();
        if n_finite == 0 {
            return Err(PointsError::NoFinitePoints { rows: xs.len() });
        }
        let stride = n_finite.div_ceil(limit.max(1)).max(1);
        let kept = n_finite.div_ceil(stride);
        let mut out = Points {
            xs: Vec::with_capacity(kept),
            ys: Vec::with_capacity(kept),
            categories: Vec::with_capacity(kept),
            rows: Vec::with_capacity(kept),
            dropped_non_finite: xs.len() - n_finite,
            thinned: n_finite - kept,
            stride,
            bounds: Bounds::EMPTY,
        };
        for (seen, i) in (0..xs.len()).filter(|&i| finite(i)).enumerate() {
            if seen % stride != 0 {
                continue;
            }
            let (x, y) = (xs[i] as f32, ys[i] as f32);
            out.xs.push(x);
            out.ys.push(y);
            out.categories.push(categories.map_or(0, |c| c[i]));
            out.rows.push(i as u32);
            out.bounds.include(x as f64, y as f64);
        }
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.xs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// What the view says under the chart about left-out rows, if any.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.dropped_non_finite > 0 {
            parts.push(format!(
                "{} row(s) with missing, NaN or infinite values left out",
                self.dropped_non_finite
            ));
        }
        if self.thinned > 0 {
            parts.push(format!(
                "too many points for one tab: every {}th drawn ({} of {})",
                self.stride,
                self.len(),
                self.len() + self.thinned
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

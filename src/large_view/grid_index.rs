//! A uniform grid over the points for hover picking and box/lasso selection: each query looks only
//! at the cells its rectangle touches, then tests the points exactly, so answers equal a scan of
//! every point (the property tests check that) in a fraction of the time.

use super::points::Points;
use super::viewport::Bounds;

#[derive(Clone, Debug)]
pub struct GridIndex {
    bounds: Bounds,
    nx: usize,
    ny: usize,
    /// `starts[c]..starts[c + 1]` are cell c's entries in `ids`.
    starts: Vec<u32>,
    /// Point indices grouped by cell, ascending within a cell.
    ids: Vec<u32>,
}

/// About this many points per cell on average.
const PER_CELL: f64 = 4.0;

impl GridIndex {
    pub fn new(points: &Points) -> Self {
        let n = points.len();
        let bounds = if points.bounds.is_empty() {
            Bounds {
                x0: 0.0,
                x1: 1.0,
                y0: 0.0,
                y1: 1.0,
            }
        } else {
            points.bounds
        };
        let (w, h) = (bounds.x1 - bounds.x0, bounds.y1 - bounds.y0);
        let cells = (n as f64 / PER_CELL).clamp(1.0, 4_000_000.0);
        // Square-ish cells in data units; a flat extent gets one row or column.
        let (nx, ny) = if w <= 0.0 && h <= 0.0 {
            (1, 1)
        } else if h <= 0.0 {
            (cells as usize, 1)
        } else if w <= 0.0 {
            (1, cells as usize)
        } else {
            let nx = (cells * w / h).sqrt().clamp(1.0, cells);
            (nx as usize, (cells / nx).max(1.0) as usize)
        };
        let mut index = GridIndex {
            bounds,
            nx: nx.max(1),
            ny: ny.max(1),
            starts: Vec::new(),
            ids: Vec::new(),
        };
        let cell_of: Vec<u32> = (0..n)
            .map(|i| index.cell(points.xs[i] as f64, points.ys[i] as f64) as u32)
            .collect();
        let mut starts = vec![0u32; index.nx * index.ny + 1];
        for &c in &cell_of {
            starts[c as usize + 1] += 1;
        }
        for c in 1..starts.len() {
            starts[c] += starts[c - 1];
        }
        let mut fill = starts.clone();
        let mut ids = vec![0u32; n];
        for (i, &c) in cell_of.iter().enumerate() {
            ids[fill[c as usize] as usize] = i as u32;
            fill[c as usize] += 1;
        }
        index.starts = starts;
        index.ids = ids;
        index
    }

    fn column(&self, x: f64) -> usize {
        let w = self.bounds.x1 - self.bounds.x0;
        if w <= 0.0 {
            return 0;
        }
        (((x - self.bounds.x0) / w * self.nx as f64).floor().max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        let h = self.bounds.y1 - self.bounds.y0;
        if h <= 0.0 {
            return 0;
        }
        (((y - self.bounds.y0) / h * self.ny as f64).floor().max(0.0) as usize).min(self.ny - 1)
    }

    fn cell(&self, x: f64, y: f64) -> usize {
        self.row(y) * self.nx + self.column(x)
    }

    /// Every point index in cells touching `area`, cell by cell (to be tested exactly).
    fn candidates(&self, area: &Bounds, mut visit: impl FnMut(u32)) {
        if area.is_empty()
            || area.x1 < self.bounds.x0
            || area.x0 > self.bounds.x1
            || area.y1 < self.bounds.y0
            || area.y0 > self.bounds.y1
        {
            return;
        }
        let (c0, c1) = (self.column(area.x0), self.column(area.x1));
        let (r0, r1) = (self.row(area.y0), self.row(area.y1));
        for r in r0..=r1 {
            for c in c0..=c1 {
                let cell = r * self.nx + c;
                let range = self.starts[cell] as usize..self.starts[cell + 1] as usize;
                for &i in &self.ids[range] {
                    visit(i);
                }
            }
        }
    }

    /// The point nearest to data (x, y) in *pixel* distance (`scale` = pixels per data unit along
    /// x and y), within `radius` pixels; ties go to the lower index.
    pub fn nearest(
        &self,
        points: &Points,
        x: f64,
        y: f64,
        scale: (f64, f64),
        radius: f64,
    ) -> Option<u32> {
        let (sx, sy) = scale;
        if !(sx > 0.0 && sy > 0.0 && radius >= 0.0) {
            return None;
        }
        let area = Bounds {
            x0: x - radius / sx,
            x1: x + radius / sx,
            y0: y - radius / sy,
            y1: y + radius / sy,
        };
        let mut best: Option<(f64, u32)> = None;
        self.candidates(&area, |i| {
            let dx = (points.xs[i as usize] as f64 - x) * sx;
            let dy = (points.ys[i as usize] as f64 - y) * sy;
            let d = dx * dx + dy * dy;
            if d <= radius * radius && best.is_none_or(|(bd, bi)| d < bd || (d == bd && i < bi)) {
                best = Some((d, i));
            }
        });
        best.map(|(_, i)| i)
    }

    /// Indices (ascending) of the points inside the closed rectangle.
    pub fn in_box(&self, points: &Points, area: &Bounds) -> Vec<u32> {
        let mut out = Vec::new();
        self.candidates(area, |i| {
            let (x, y) = (points.xs[i as usize] as f64, points.ys[i as usize] as f64);
            if x >= area.x0 && x <= area.x1 && y >= area.y0 && y <= area.y1 {
                out.push(i);
            }
        });
        out.sort_unstable();
        out
    }

    /// Indices (ascending) of the points inside the polygon (even–odd rule; data coordinates).
    pub fn in_polygon(&self, points: &Points, polygon: &[(f64, f64)]) -> Vec<u32> {
        if polygon.len() < 3 {
            return Vec::new();
        }
        let mut area = Bounds::EMPTY;
        for &(x, y) in polygon {
            area.include(x, y);
        }
        let mut out = Vec::new();
        self.candidates(&area, |i| {
            if inside(
                polygon,
                points.xs[i as usize] as f64,
                points.ys[i as usize] as f64,
            ) {
                out.push(i);
            }
        });
        out.sort_unstable();
        out
    }
}

/// Even–odd point-in-polygon test (a ray to the right crosses an odd number of edges).
pub fn inside(polygon: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut odd = false;
    let mut j = polygon.len() - 1;
    for i in 0..polygon.len() {
        let (xi, yi) = polygon[i];
        let (xj, yj) = polygon[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            odd = !odd;
        }
        j = i;
    }
    odd
}

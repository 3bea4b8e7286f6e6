//! Density mode for overplotted scatters: points counted into square pixel bins over the current
//! view, coloured by log count, so a million points on a few answer values read as where the mass
//! is rather than as a solid blob. Recounted on each zoom from the kept points (a linear pass).

use super::colour;
use super::points::Points;
use super::viewport::Viewport;

/// Counts per bin over the viewport, row 0 at the top.
#[derive(Clone, Debug, PartialEq)]
pub struct DensityGrid {
    pub columns: usize,
    pub rows: usize,
    pub counts: Vec<u32>,
    pub max: u32,
}

/// Bins of `bin_px` × `bin_px` pixels covering the viewport (the last row/column may be cut off).
pub fn bin(points: &Points, viewport: &Viewport, bin_px: f64) -> DensityGrid {
    let bin_px = bin_px.max(1.0);
    let columns = (viewport.width / bin_px).ceil().max(1.0) as usize;
    let rows = (viewport.height / bin_px).ceil().max(1.0) as usize;
    let mut counts = vec![0u32; columns * rows];
    let (sx, sy) = viewport.scale();
    let (x0, y1) = (viewport.view.x0, viewport.view.y1);
    for (&x, &y) in points.xs.iter().zip(&points.ys) {
        let px = (x as f64 - x0) * sx;
        let py = (y1 - y as f64) * sy;
        if px < 0.0 || py < 0.0 || px >= viewport.width || py >= viewport.height {
            continue;
        }
        let (c, r) = ((px / bin_px) as usize, (py / bin_px) as usize);
        if c < columns && r < rows {
            counts[r * columns + c] += 1;
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    DensityGrid {
        columns,
        rows,
        counts,
        max,
    }
}

impl DensityGrid {
    /// RGBA bytes, row 0 first; empty bins transparent.
    pub fn rgba(&self) -> Vec<u8> {
        let scale = ((self.max as f64) + 1.0).ln().max(f64::MIN_POSITIVE);
        let mut out = Vec::with_capacity(self.counts.len() * 4);
        for &c in &self.counts {
            if c == 0 {
                out.extend_from_slice(&[0, 0, 0, 0]);
            } else {
                // Lowest counts start a little up the map so single points stay visible.
                let t = 0.15 + 0.85 * ((c as f64) + 1.0).ln() / scale;
                out.extend_from_slice(&colour::sequential(t));
            }
        }
        out
    }
}

//! Any chart silico draws: the row charts ([`Figure`]: estimates, bars), the x–y scatter and the
//! heatmap. The page's canvas, SVG export and PNG files all go through these four functions, so a
//! new chart kind needs no change where charts are shown.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::heatmap::{self, Heatmap};
use super::scatter::{self, Scatter};
use super::{Figure, PlotError};

#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    Rows(Figure),
    Scatter(Scatter),
    Heatmap(Heatmap),
}

impl From<Figure> for Chart {
    fn from(figure: Figure) -> Self {
        Self::Rows(figure)
    }
}

impl Chart {
    pub fn title(&self) -> &str {
        match self {
            Self::Rows(f) => &f.title,
            Self::Scatter(s) => &s.title,
            Self::Heatmap(h) => &h.title,
        }
    }
}

/// The height the chart needs at `scale` when `width` pixels wide (at scale 1).
pub fn chart_height(chart: &Chart, width: u32, scale: f64) -> u32 {
    match chart {
        Chart::Rows(f) => super::height(f, scale),
        Chart::Scatter(s) => scatter::height(s, (f64::from(width) * scale) as u32, scale),
        Chart::Heatmap(h) => heatmap::height(h, scale),
    }
}

/// Draws the chart filling `area`, every size multiplied by `scale`.
pub fn draw_chart<DB: DrawingBackend>(
    chart: &Chart,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), PlotError> {
    match chart {
        Chart::Rows(f) => super::draw_scaled(f, area, scale),
        Chart::Scatter(s) => scatter::draw(s, area, scale),
        Chart::Heatmap(h) => heatmap::draw(h, area, scale),
    }
}

/// The chart as an SVG document `width` pixels wide.
pub fn chart_to_svg(chart: &Chart, width: u32) -> Result<String, PlotError> {
    #[cfg(not(target_arch = "wasm32"))]
    super::font::ensure_registered();
    let mut svg = String::new();
    {
        let size = (width, chart_height(chart, width, 1.0));
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw_chart(chart, &root, 1.0)?;
        root.present()
            .map_err(|e| PlotError::draw(format!("{e:?}")))?;
    }
    Ok(svg)
}

/// Writes the chart as a PNG at twice `width`.
#[cfg(not(target_arch = "wasm32"))]
pub fn write_chart_png(chart: &Chart, width: u32, path: &std::path::Path) -> Result<(), PlotError> {
    super::font::ensure_registered();
    let scale = 2.0;
    let size = (width * 2, chart_height(chart, width, scale));
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw_chart(chart, &root, scale)?;
    root.present().map_err(|e| PlotError::Write {
        path: path.display().to_string(),
        source: std::io::Error::other(format!("{e:?}")),
    })
}

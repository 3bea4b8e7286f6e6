//! Figures as SVG text (everywhere) and PNG files (natively).

use plotters::prelude::*;

use super::draw::{draw_scaled, height};
use super::{Figure, PlotError};

/// A width that fits a page column and a printed page.
pub const DEFAULT_WIDTH: u32 = 880;

/// The figure as an SVG document `width` pixels wide (its height follows from the rows).
pub fn to_svg(figure: &Figure, width: u32) -> Result<String, PlotError> {
    #[cfg(not(target_arch = "wasm32"))]
    super::font::ensure_registered();
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width, height(figure, 1.0))).into_drawing_area();
        draw_scaled(figure, &root, 1.0)?;
        root.present()
            .map_err(|e| PlotError::draw(format!("{e:?}")))?;
    }
    Ok(svg)
}

/// Writes the figure as a PNG at twice `width` (sharp on screens and in print).
#[cfg(not(target_arch = "wasm32"))]
pub fn write_png(figure: &Figure, width: u32, path: &std::path::Path) -> Result<(), PlotError> {
    super::font::ensure_registered();
    let scale = 2.0;
    let size = (width * 2, height(figure, scale));
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw_scaled(figure, &root, scale)?;
    root.present().map_err(|e| PlotError::Write {
        path: path.display().to_string(),
        source: std::io::Error::other(format!("{e:?}")),
    })
}

//! Plots of analysis results: a chart is first described as a [`Figure`] (rows under feature headers,
//! one or more panels of dots with intervals or bars), built from the tidy table or survey statistics
//! by the functions in [`charts`], then drawn by [`draw`] on any plotters `DrawingBackend` — a
//! `<canvas>` in the page, SVG and PNG files natively. Nothing here knows about the browser.

pub mod charts;
mod draw;
mod error;
pub mod figure;
#[cfg(not(target_arch = "wasm32"))]
mod font;
pub mod palette;
mod render;
mod scale;

pub use charts::{
    amce_figure, distribution_figure, level_frequency_figure, mm_figure, position_bias_figure,
    subgroup_figure, EstimateKind,
};
pub use draw::{draw, draw_scaled, height};
pub use error::PlotError;
pub use figure::{Figure, Mark, Panel, Point, RowLabel, Series};
#[cfg(not(target_arch = "wasm32"))]
pub use render::write_png;
pub use render::{to_svg, DEFAULT_WIDTH};

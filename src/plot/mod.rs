//! Plots of analysis results: a chart is first described as a [`Figure`] (rows under feature headers,
//! one or more panels of dots with intervals or bars), built from the tidy table or survey statistics
//! by the functions in [`charts`], then drawn by [`draw`] on any plotters `DrawingBackend` — a
//! `<canvas>` in the page, SVG and PNG files natively. Nothing here knows about the browser.
//! Two charts are not row lists — the x–y [`Scatter`] and the [`Heatmap`] — so [`Chart`] wraps all
//! three and [`draw_chart`]/[`chart_to_svg`] draw any of them; the comparison charts live in
//! [`compare_charts`], those of the unpaired survey comparison in [`survey_charts`]; [`report`]
//! writes a comparison as one self-contained HTML file with its charts inline.

mod chart;
pub mod charts;
pub mod compare_charts;
mod draw;
mod error;
pub mod figure;
#[cfg(not(target_arch = "wasm32"))]
mod font;
pub mod heatmap;
pub mod palette;
mod render;
pub mod report;
mod scale;
pub mod scatter;
pub mod survey_charts;

#[cfg(not(target_arch = "wasm32"))]
pub use chart::write_chart_png;
pub use chart::{chart_height, chart_to_svg, draw_chart, Chart};
pub use charts::{
    amce_figure, distribution_figure, estimate_comparison_figure, level_frequency_figure,
    mm_figure, position_bias_figure, subgroup_figure, EstimateKind,
};
pub use compare_charts::{
    accuracy_figure, agreement_heatmap, compare_chart, distribution_overlay, means_scatter,
    ComparePlot,
};
pub use draw::{draw, draw_scaled, height};
pub use error::PlotError;
pub use figure::{Figure, Mark, Panel, Point, RowLabel, Series};
pub use heatmap::Heatmap;
#[cfg(not(target_arch = "wasm32"))]
pub use render::write_png;
pub use render::{to_svg, DEFAULT_WIDTH};
pub use scatter::Scatter;
pub use survey_charts::{survey_distribution_figure, survey_summary_figure};

//! Parts of the Analyze tab beyond the model form (`analyze_view.rs`): the plot of the estimates.

mod plot_view;

pub use plot_view::{ChartCanvas, PlotView};

//! What can go wrong when drawing or writing a plot.

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Nothing to draw (e.g. every estimate missing).
    #[error("nothing to plot: {0}")]
    Empty(String),
    /// The drawing backend failed (a file could not be written, a canvas is gone, a font is missing).
    #[error("the plot could not be drawn: {0}")]
    Draw(String),
    /// The output file name does not end in .svg or .png.
    #[error("{0}: the plot file must end in .svg or .png")]
    Format(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl PlotError {
    pub(crate) fn draw(error: impl std::fmt::Display) -> Self {
        Self::Draw(error.to_string())
    }
}

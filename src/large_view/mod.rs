//! Large views: the engine side of the page's GPU scatter and heatmap (millions of marks).
//!
//! Everything here is plain Rust so it is tested natively: checking and thinning the data
//! (`points`, `matrix`), the camera (`viewport`: data ↔ pixel, zoom about a point, pan), axis ticks
//! (`ticks`), a grid index for hover picking and box/lasso selection (`grid_index`), density bins
//! for overplotted scatters (`density`), pass 1 of large scatters on a software rasteriser
//! (`binning`), row/column ordering of a matrix (`ordering`), colours
//! (`colour`), the GPU-ready bytes both views upload once (`scene`) and the typed messages between
//! the page and its renderer worker (`protocol`). The page's renderer (`app::large_view`) only
//! moves these bytes to WebGPU, WebGL2 or a 2D canvas.

pub mod binning;
pub mod colour;
pub mod density;
pub mod grid_index;
pub mod inputs;
pub mod matrix;
pub mod ordering;
pub mod points;
pub mod protocol;
pub mod scene;
pub mod ticks;
pub mod viewport;

pub use grid_index::GridIndex;
pub use matrix::{Matrix, MatrixError};
pub use points::{Points, PointsError};
pub use protocol::{Backend, FromRenderer, ToRenderer};
pub use scene::{HeatmapScene, ScatterScene};
pub use viewport::{Bounds, Viewport};

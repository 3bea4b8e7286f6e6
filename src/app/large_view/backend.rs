//! Which renderer draws a large view: the engine's [`Backend`] (WebGPU first, then WebGL2, then
//! Canvas2D), named on the wire by its slug.

pub use crate::large_view::protocol::Backend;

/// Canvas2D draws each point itself; above this many it switches the scatter to density bins.
pub const CANVAS2D_MAX_POINTS: usize = 200_000;

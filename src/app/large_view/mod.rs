//! Large views in the page: a GPU scatter (millions of points) and heatmap (millions of cells).
//!
//! The page's side (`view`) draws axes, ticks, selection and the tooltip on a 2D overlay canvas
//! and handles wheel, drag, pinch and keys; the marks are drawn by a separate worker
//! (`silico-gpu`, `worker_side`) on an OffscreenCanvas the page hands over, through WebGPU,
//! WebGL2 (`gpu`, one wgpu code path) or a 2D canvas (`canvas2d`). That worker — and wgpu in it —
//! loads only when a large view opens, so the app's first load does not carry it.
//! The data maths (camera, picking, selection, binning, ordering) is the engine's `large_view`,
//! and so are the messages between the page and the worker (`large_view::protocol`: typed JSON
//! text, with the large arrays transferred beside it in an `envelope`).

pub mod backend;
pub mod bench;
mod bindings;
pub mod canvas2d;
pub mod envelope;
pub mod gpu;
mod js;
mod splat;
pub mod stage;
pub mod view;
pub mod worker_side;

pub use backend::Backend;
pub use splat::PassOne;
pub use view::{LargeData, LargeView, LargeViewSpec};

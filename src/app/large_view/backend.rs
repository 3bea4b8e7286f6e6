//! Which renderer draws a large view: WebGPU first, then WebGL2, then Canvas2D (small data only).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    WebGpu,
    WebGl2,
    Canvas2d,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::WebGpu, Backend::WebGl2, Backend::Canvas2d];

    pub fn name(self) -> &'static str {
        match self {
            Backend::WebGpu => "WebGPU",
            Backend::WebGl2 => "WebGL2",
            Backend::Canvas2d => "Canvas2D",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Backend::WebGpu => "webgpu",
            Backend::WebGl2 => "webgl2",
            Backend::Canvas2d => "canvas2d",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.slug() == slug)
    }

    /// The one to try after this one fails.
    pub fn next(self) -> Option<Backend> {
        match self {
            Backend::WebGpu => Some(Backend::WebGl2),
            Backend::WebGl2 => Some(Backend::Canvas2d),
            Backend::Canvas2d => None,
        }
    }
}

/// Canvas2D draws each point itself; above this many it switches the scatter to density bins.
pub const CANVAS2D_MAX_POINTS: usize = 200_000;

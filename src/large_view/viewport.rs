//! The camera: which data rectangle fills the plot's pixels. Data y grows upwards, pixel y
//! downwards; pixel (0, 0) is the top-left corner of the plot area, pixel centres at +0.5.

/// A data-space rectangle.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bounds {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Bounds {
    pub const EMPTY: Bounds = Bounds {
        x0: f64::INFINITY,
        x1: f64::NEG_INFINITY,
        y0: f64::INFINITY,
        y1: f64::NEG_INFINITY,
    };

    pub fn include(&mut self, x: f64, y: f64) {
        self.x0 = self.x0.min(x);
        self.x1 = self.x1.max(x);
        self.y0 = self.y0.min(y);
        self.y1 = self.y1.max(y);
    }

    pub fn is_empty(&self) -> bool {
        !(self.x0 <= self.x1 && self.y0 <= self.y1)
    }

    /// Widened by `fraction` of its size on each side; a zero-width side (one point, or all
    /// points on a line) gets a unit around it so the view has a scale.
    pub fn padded(&self, fraction: f64) -> Bounds {
        if self.is_empty() {
            return Bounds {
                x0: 0.0,
                x1: 1.0,
                y0: 0.0,
                y1: 1.0,
            };
        }
        let pad = |lo: f64, hi: f64| {
            let span = hi - lo;
            if span <= f64::EPSILON * lo.abs().max(1.0) {
                let half = (lo.abs() * 0.05).max(0.5);
                (lo - half, hi + half)
            } else {
                (lo - span * fraction, hi + span * fraction)
            }
        };
        let (x0, x1) = pad(self.x0, self.x1);
        let (y0, y1) = pad(self.y0, self.y1);
        Bounds { x0, x1, y0, y1 }
    }
}

/// The visible data rectangle and the plot's size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub view: Bounds,
    pub width: f64,
    pub height: f64,
}

/// Zooming stops where f32 positions on the GPU could no longer tell neighbours apart, and at
/// a view a million times wider than the data.
const MIN_SPAN: f64 = 1e-9;
const MAX_SPAN: f64 = 1e12;

impl Viewport {
    pub fn new(view: Bounds, width: f64, height: f64) -> Self {
        Self {
            view,
            width: width.max(1.0),
            height: height.max(1.0),
        }
    }

    /// Pixels per data unit along x and y.
    pub fn scale(&self) -> (f64, f64) {
        (
            self.width / (self.view.x1 - self.view.x0),
            self.height / (self.view.y1 - self.view.y0),
        )
    }

    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let (sx, sy) = self.scale();
        ((x - self.view.x0) * sx, (self.view.y1 - y) * sy)
    }

    pub fn to_data(&self, px: f64, py: f64) -> (f64, f64) {
        let (sx, sy) = self.scale();
        (self.view.x0 + px / sx, self.view.y1 - py / sy)
    }

    /// Zooms by `factor` (2 = twice as close) keeping the data under pixel (px, py) in place.
    pub fn zoom_about(&self, px: f64, py: f64, factor: f64) -> Self {
        self.zoom_axes(px, py, factor, factor)
    }

    /// Zoom with separate x and y factors (1 leaves that axis alone).
    pub fn zoom_axes(&self, px: f64, py: f64, fx: f64, fy: f64) -> Self {
        let (x, y) = self.to_data(px, py);
        let v = self.view;
        let clamp = |span: f64, f: f64| {
            let f = if f.is_finite() && f > 0.0 { f } else { 1.0 };
            (span / f).clamp(MIN_SPAN, MAX_SPAN) / span
        };
        let (kx, ky) = (clamp(v.x1 - v.x0, fx), clamp(v.y1 - v.y0, fy));
        Self {
            view: Bounds {
                x0: x - (x - v.x0) * kx,
                x1: x + (v.x1 - x) * kx,
                y0: y - (y - v.y0) * ky,
                y1: y + (v.y1 - y) * ky,
            },
            ..*self
        }
    }

    /// Moves the content by (dx, dy) pixels (a drag to the right shows data further left).
    pub fn pan(&self, dx: f64, dy: f64) -> Self {
        let (sx, sy) = self.scale();
        let (ddx, ddy) = (dx / sx, dy / sy);
        Self {
            view: Bounds {
                x0: self.view.x0 - ddx,
                x1: self.view.x1 - ddx,
                y0: self.view.y0 + ddy,
                y1: self.view.y1 + ddy,
            },
            ..*self
        }
    }

    /// The view after a box drag from pixel a to pixel b (a zoom to that rectangle).
    pub fn zoom_to_pixels(&self, a: (f64, f64), b: (f64, f64)) -> Self {
        let (xa, ya) = self.to_data(a.0, a.1);
        let (xb, yb) = self.to_data(b.0, b.1);
        let mut view = Bounds::EMPTY;
        view.include(xa, ya);
        view.include(xb, yb);
        if view.x1 - view.x0 < MIN_SPAN || view.y1 - view.y0 < MIN_SPAN {
            return *self;
        }
        Self { view, ..*self }
    }

    pub fn resized(&self, width: f64, height: f64) -> Self {
        Self::new(self.view, width, height)
    }

    /// Data → clip space as `clip = data * scale + offset` per axis, for the GPU's uniform.
    /// Centred on the view so large coordinates keep their precision in f32.
    pub fn clip_transform(&self) -> [f32; 4] {
        let v = self.view;
        let sx = 2.0 / (v.x1 - v.x0);
        let sy = 2.0 / (v.y1 - v.y0);
        [
            sx as f32,
            sy as f32,
            (-1.0 - v.x0 * sx) as f32,
            (-1.0 - v.y0 * sy) as f32,
        ]
    }
}

//! The fallback renderer: a 2D context on the same OffscreenCanvas. Fine for small scatters and
//! for heatmaps (the matrix is one image scaled by drawImage); large scatters draw as density.

use wasm_bindgen::{Clamped, JsCast, JsValue};

use super::gpu::Frame;
use crate::large_view::colour;
use crate::large_view::{Bounds, Viewport};

pub struct Canvas2dRenderer {
    canvas: web_sys::OffscreenCanvas,
    context: web_sys::OffscreenCanvasRenderingContext2d,
    /// Points by category: x, y, diameter.
    points: Vec<(u16, f32, f32, f32)>,
    image: Option<(web_sys::OffscreenCanvas, Bounds)>,
}

/// The canvas's 2D context, or `missing` as the error.
fn context_2d(
    canvas: &web_sys::OffscreenCanvas,
    missing: &str,
) -> Result<web_sys::OffscreenCanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| missing.to_string())
}

impl Canvas2dRenderer {
    pub fn new(canvas: web_sys::OffscreenCanvas) -> Result<Self, String> {
        let context = context_2d(&canvas, "this browser offers no 2D canvas in a worker")?;
        Ok(Self {
            canvas,
            context,
            points: Vec::new(),
            image: None,
        })
    }

    pub fn set_points(&mut self, xs: &[f32], ys: &[f32], categories: &[u16], sizes: &[f32]) {
        let mut points: Vec<(u16, f32, f32, f32)> = (0..xs.len())
            .map(|i| (categories[i], xs[i], ys[i], sizes[i]))
            .collect();
        // One fillStyle change per category.
        points.sort_by_key(|p| p.0);
        self.points = points;
    }

    pub fn set_image(
        &mut self,
        width: u32,
        height: u32,
        rgba: &[u8],
        rect: Bounds,
    ) -> Result<(), String> {
        let source = web_sys::OffscreenCanvas::new(width, height).map_err(js_message)?;
        let context = context_2d(&source, "no 2D canvas for the image")?;
        let data =
            web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
                .map_err(js_message)?;
        context
            .put_image_data(&data, 0.0, 0.0)
            .map_err(js_message)?;
        self.image = Some((source, rect));
        Ok(())
    }

    pub fn resize(&mut self, width: u32, height: u32) {
        self.canvas.set_width(width.max(1));
        self.canvas.set_height(height.max(1));
    }

    pub fn draw(&self, frame: &Frame, viewport: &Viewport) -> Result<(), String> {
        let c = &self.context;
        let (w, h) = (frame.width as f64, frame.height as f64);
        let ratio = frame.pixel_ratio as f64;
        c.set_fill_style_str("#ffffff");
        c.fill_rect(0.0, 0.0, w, h);
        // The viewport is in CSS pixels; the canvas in device pixels.
        let to_px = |x: f64, y: f64| {
            let (px, py) = viewport.to_pixel(x, y);
            (px * ratio, py * ratio)
        };
        if let (true, Some((source, rect))) = (frame.image, self.image.as_ref()) {
            c.set_image_smoothing_enabled(false);
            let (x0, y0) = to_px(rect.x0, rect.y1);
            let (x1, y1) = to_px(rect.x1, rect.y0);
            c.draw_image_with_offscreen_canvas_and_dw_and_dh(source, x0, y0, x1 - x0, y1 - y0)
                .map_err(js_message)?;
        }
        if frame.points {
            let mut current = None;
            for &(category, x, y, size) in &self.points {
                let (px, py) = to_px(x as f64, y as f64);
                let d = size as f64 * ratio;
                if px < -d || py < -d || px > w + d || py > h + d {
                    continue;
                }
                if current != Some(category) {
                    let [r, g, b, _] = colour::category(category);
                    c.set_fill_style_str(&format!("rgb({r},{g},{b})"));
                    current = Some(category);
                }
                c.begin_path();
                let _ = c.arc(px, py, d / 2.0, 0.0, std::f64::consts::TAU);
                c.fill();
            }
        }
        Ok(())
    }

    /// Draws and reads one pixel, which makes the browser finish the drawing.
    pub fn finish_frame(&self, frame: &Frame, viewport: &Viewport) -> Result<(), String> {
        self.draw(frame, viewport)?;
        self.context
            .get_image_data(0.0, 0.0, 1.0, 1.0)
            .map(|_| ())
            .map_err(js_message)
    }

    /// The frame as RGBA, top row first.
    pub fn read_pixels(&self, frame: &Frame, viewport: &Viewport) -> Result<Vec<u8>, String> {
        self.draw(frame, viewport)?;
        let data = self
            .context
            .get_image_data(0.0, 0.0, frame.width as f64, frame.height as f64)
            .map_err(js_message)?;
        Ok(data.data().0)
    }
}

fn js_message(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

//! One large view as the renderer's worker holds it: the scene (data, index, camera) and whichever
//! renderer draws it. Data arrive once; zoom, pan, hover and selection only touch the camera and
//! the index. Also what the browser tests drive directly.

use super::backend::{Backend, CANVAS2D_MAX_POINTS};
use super::canvas2d::Canvas2dRenderer;
use super::gpu::{Frame, GpuRenderer, OnLost};
pub use crate::large_view::protocol::Pick;
use crate::large_view::scene::MatrixOrder;
use crate::large_view::{density, Bounds, HeatmapScene, Matrix, Points, ScatterScene, Viewport};

pub enum Renderer {
    Gpu(Box<GpuRenderer>),
    Canvas(Canvas2dRenderer),
}

impl Renderer {
    pub fn backend(&self) -> Backend {
        match self {
            Renderer::Gpu(g) => g.backend,
            Renderer::Canvas(_) => Backend::Canvas2d,
        }
    }

    pub fn adapter(&self) -> String {
        match self {
            Renderer::Gpu(g) => g.adapter_name.clone(),
            Renderer::Canvas(_) => "2D canvas".into(),
        }
    }

    /// A software rasteriser, for which large scatters' pass 1 runs on the CPU.
    pub fn software(&self) -> bool {
        matches!(self, Renderer::Gpu(g) if g.pass_one() == super::splat::PassOne::Cpu)
    }
}

/// Whether WebGPU has an adapter here (asked without touching any canvas, so a "no" leaves the
/// canvas free for WebGL2).
pub async fn webgpu_available() -> bool {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::BROWSER_WEBGPU;
    let gpu = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"gpu".into()))
        .is_ok_and(|g| !g.is_undefined() && !g.is_null());
    gpu && wgpu::Instance::new(descriptor)
        .request_adapter(&wgpu::RequestAdapterOptions::default())
        .await
        .is_ok()
}

/// Whether WebGL2 works in this context (probed on a throwaway canvas).
pub fn webgl2_available() -> bool {
    web_sys::OffscreenCanvas::new(1, 1)
        .ok()
        .and_then(|c| c.get_context("webgl2").ok().flatten())
        .is_some()
}

/// The first backend from `wanted` on (in WebGPU → WebGL2 → Canvas2D order) that this browser has.
pub async fn choose(wanted: Backend) -> Backend {
    let mut b = wanted;
    loop {
        let ok = match b {
            Backend::WebGpu => webgpu_available().await,
            Backend::WebGl2 => webgl2_available(),
            Backend::Canvas2d => true,
        };
        match (ok, b.next()) {
            (true, _) | (false, None) => return b,
            (false, Some(next)) => b = next,
        }
    }
}

/// A renderer for `backend` on `canvas`.
pub async fn renderer(
    backend: Backend,
    canvas: web_sys::OffscreenCanvas,
    on_lost: OnLost,
) -> Result<Renderer, String> {
    Ok(match backend {
        Backend::Canvas2d => Renderer::Canvas(Canvas2dRenderer::new(canvas)?),
        gpu => Renderer::Gpu(Box::new(
            GpuRenderer::new(gpu, Some(canvas), on_lost).await?,
        )),
    })
}

pub enum Scene {
    Empty,
    Scatter(Box<ScatterScene>),
    Heatmap(Box<HeatmapScene>),
}

pub struct Stage {
    pub renderer: Option<Renderer>,
    pub scene: Scene,
    /// Plot size in CSS pixels and the device pixel ratio.
    pub width: f64,
    pub height: f64,
    pub ratio: f64,
    /// Density bins instead of points (asked for, or forced on Canvas2D by the point count).
    pub density: bool,
    canvas: Option<web_sys::OffscreenCanvas>,
}

impl Stage {
    pub fn new(width: f64, height: f64, ratio: f64) -> Self {
        Self {
            renderer: None,
            scene: Scene::Empty,
            width: width.max(1.0),
            height: height.max(1.0),
            ratio: if ratio > 0.0 { ratio } else { 1.0 },
            density: false,
            canvas: None,
        }
    }

    fn device_size(&self) -> (u32, u32) {
        (
            (self.width * self.ratio).round().max(1.0) as u32,
            (self.height * self.ratio).round().max(1.0) as u32,
        )
    }

    /// Takes a renderer (and its canvas) and gives it the current scene.
    pub fn attach(&mut self, renderer: Renderer, canvas: Option<web_sys::OffscreenCanvas>) {
        self.renderer = Some(renderer);
        self.canvas = canvas;
        self.resize(self.width, self.height, self.ratio);
        self.upload();
    }

    pub fn detach(&mut self) {
        self.renderer = None;
        self.canvas = None;
    }

    fn draws_density(&self) -> bool {
        match &self.scene {
            Scene::Scatter(s) => {
                self.density
                    || (matches!(self.renderer, Some(Renderer::Canvas(_)))
                        && s.points.len() > CANVAS2D_MAX_POINTS)
            }
            _ => false,
        }
    }

    /// Sends the scene's marks to the renderer (once per data set or order).
    fn upload(&mut self) {
        let Some(renderer) = self.renderer.as_mut() else {
            return;
        };
        match (&self.scene, renderer) {
            (Scene::Scatter(s), Renderer::Gpu(g)) => g.upload_points(s),
            (Scene::Scatter(s), Renderer::Canvas(c)) => {
                c.set_points(&s.points.xs, &s.points.ys, &s.points.categories, &s.sizes)
            }
            (Scene::Heatmap(h), Renderer::Gpu(g)) => g.upload_image(
                h.matrix.columns as u32,
                h.matrix.rows as u32,
                &h.rgba(),
                h.home,
            ),
            (Scene::Heatmap(h), Renderer::Canvas(c)) => {
                let _ = c.set_image(
                    h.matrix.columns as u32,
                    h.matrix.rows as u32,
                    &h.rgba(),
                    h.home,
                );
            }
            (Scene::Empty, _) => {}
        }
    }

    /// Loads a scatter; returns its note (left-out rows) and home view.
    pub fn load_scatter(
        &mut self,
        points: Points,
        sizes: Option<&[f32]>,
        point_px: f32,
    ) -> (Option<String>, Bounds) {
        let note = points.note();
        let scene = ScatterScene::new(points, sizes, point_px, self.width, self.height);
        let home = scene.home;
        self.scene = Scene::Scatter(Box::new(scene));
        self.upload();
        (note, home)
    }

    pub fn load_heatmap(&mut self, matrix: Matrix) -> (Option<String>, Bounds) {
        let note = matrix.note();
        let scene = HeatmapScene::new(matrix, self.width, self.height);
        let home = scene.home;
        self.scene = Scene::Heatmap(Box::new(scene));
        self.upload();
        (note, home)
    }

    pub fn set_order(&mut self, order: MatrixOrder) {
        if let Scene::Heatmap(h) = &mut self.scene {
            h.set_order(order);
            self.upload();
        }
    }

    pub fn viewport(&self) -> Option<Viewport> {
        match &self.scene {
            Scene::Scatter(s) => Some(s.viewport),
            Scene::Heatmap(h) => Some(h.viewport),
            Scene::Empty => None,
        }
    }

    pub fn set_view(&mut self, view: Bounds) {
        let v = Viewport::new(view, self.width, self.height);
        match &mut self.scene {
            Scene::Scatter(s) => s.viewport = v,
            Scene::Heatmap(h) => h.viewport = v,
            Scene::Empty => {}
        }
    }

    pub fn resize(&mut self, width: f64, height: f64, ratio: f64) {
        self.width = width.max(1.0);
        self.height = height.max(1.0);
        self.ratio = if ratio > 0.0 { ratio } else { 1.0 };
        if let Some(v) = self.viewport() {
            self.set_view(v.view);
        }
        let (w, h) = self.device_size();
        if let Some(c) = &self.canvas {
            c.set_width(w);
            c.set_height(h);
        }
        match self.renderer.as_mut() {
            Some(Renderer::Gpu(g)) => g.resize(w, h),
            Some(Renderer::Canvas(c)) => c.resize(w, h),
            None => {}
        }
    }

    /// The frame for the current camera; in density mode, recounts the bins for this view first.
    fn frame(&mut self) -> Option<(Frame, Viewport)> {
        let v = self.viewport()?;
        let (width, height) = self.device_size();
        let density = self.draws_density();
        if density {
            if let (Scene::Scatter(s), Some(r)) = (&self.scene, self.renderer.as_mut()) {
                let grid = density::bin(&s.points, &v, 2.0);
                let rgba = grid.rgba();
                let (c, rows) = (grid.columns as u32, grid.rows as u32);
                // The grid covers whole bins, so it may reach past the view's right/bottom edge.
                let (sx, sy) = v.scale();
                let rect = Bounds {
                    x0: v.view.x0,
                    x1: v.view.x0 + c as f64 * 2.0 / sx,
                    y0: v.view.y1 - rows as f64 * 2.0 / sy,
                    y1: v.view.y1,
                };
                match r {
                    Renderer::Gpu(g) => g.upload_image(c, rows, &rgba, rect),
                    Renderer::Canvas(cv) => {
                        let _ = cv.set_image(c, rows, &rgba, rect);
                    }
                }
            }
        }
        let scatter = matches!(self.scene, Scene::Scatter(_));
        let frame = Frame {
            transform: v.clip_transform(),
            width,
            height,
            pixel_ratio: self.ratio as f32,
            points: scatter && !density,
            image: !scatter || density,
        };
        if let (Scene::Scatter(s), Some(Renderer::Gpu(g))) = (&self.scene, self.renderer.as_mut()) {
            g.prepare_points(&s.points, &frame);
        }
        Some((frame, v))
    }

    /// Draws the current view on the canvas.
    pub fn draw(&mut self) -> Result<(), String> {
        let Some((frame, v)) = self.frame() else {
            return Ok(());
        };
        match self.renderer.as_mut() {
            Some(Renderer::Gpu(g)) => g.present(&frame),
            Some(Renderer::Canvas(c)) => c.draw(&frame, &v),
            None => Ok(()),
        }
    }

    /// Draws the current view offscreen and returns (width, height, RGBA) in device pixels.
    pub async fn pixels(&mut self) -> Result<(u32, u32, Vec<u8>), String> {
        let Some((frame, v)) = self.frame() else {
            return Err("nothing to draw yet".into());
        };
        let rgba = match self.renderer.as_mut() {
            Some(Renderer::Gpu(g)) => g.read_pixels(&frame).await?,
            Some(Renderer::Canvas(c)) => c.read_pixels(&frame, &v)?,
            None => return Err("no renderer".into()),
        };
        Ok((frame.width, frame.height, rgba))
    }

    /// Draws the current view offscreen and waits for the GPU to finish it (the benchmark's frame).
    pub async fn finish_frame(&mut self) -> Result<(), String> {
        let Some((frame, v)) = self.frame() else {
            return Err("nothing to draw yet".into());
        };
        match self.renderer.as_mut() {
            Some(Renderer::Gpu(g)) => g.finish_frame(&frame).await,
            Some(Renderer::Canvas(c)) => c.finish_frame(&frame, &v),
            None => Err("no renderer".into()),
        }
    }

    /// What is under CSS pixel (px, py) of the plot.
    pub fn pick(&self, px: f64, py: f64) -> Option<Pick> {
        match &self.scene {
            Scene::Scatter(s) => s.pick(px, py, 8.0).map(Pick::Point),
            Scene::Heatmap(h) => h.pick(px, py).map(Pick::Cell),
            Scene::Empty => None,
        }
    }

    pub fn select_box(&self, a: (f64, f64), b: (f64, f64)) -> Vec<u32> {
        match &self.scene {
            Scene::Scatter(s) => s.select_box(a, b),
            Scene::Heatmap(h) => h.select_box(a, b),
            Scene::Empty => Vec::new(),
        }
    }

    pub fn select_lasso(&self, polygon: &[(f64, f64)]) -> Vec<u32> {
        match &self.scene {
            Scene::Scatter(s) => s.select_lasso(polygon),
            // A heatmap's lasso selects the rows its bounding box spans.
            Scene::Heatmap(h) => {
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &(_, y) in polygon {
                    lo = lo.min(y);
                    hi = hi.max(y);
                }
                if lo <= hi {
                    h.select_box((0.0, lo), (0.0, hi))
                } else {
                    Vec::new()
                }
            }
            Scene::Empty => Vec::new(),
        }
    }
}

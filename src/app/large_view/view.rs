//! The page's side of a large view: a toolbar, the marks' canvas (handed to the `silico-gpu`
//! worker as an OffscreenCanvas), a 2D overlay on top for axes, ticks, labels, selection and the
//! hovered mark (crisp at any zoom), a tooltip, the backend in the corner (overridable), and the
//! table of selected rows. The page keeps the camera; every zoom or pan sends it to the worker.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::backend::Backend;
use super::envelope::{Envelope, Received};
use super::js::num;
use crate::large_view::protocol::{Buffer, FromRenderer, Pick, ProtocolError, ToRenderer};
use crate::large_view::scene::MatrixOrder;
use crate::large_view::ticks::{self, AxisNames};
use crate::large_view::{Bounds, Viewport};

/// Where Trunk puts the renderer worker's loader (workers keep unhashed names).
const WORKER_URL: &str = "./silico-gpu_loader.js";
const HEIGHT: f64 = 460.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 44.0;
/// Named axes: the names' font, and the least distance between two names.
const NAME_FONT: &str = "11px system-ui, sans-serif";
const NAME_SPACING: f64 = 12.0;
/// Rows listed under the view for a selection (the count is always complete).
const TABLE_ROWS: usize = 200;

pub enum LargeData {
    Scatter {
        xs: Vec<f64>,
        ys: Vec<f64>,
        /// Colour index per row (Okabe–Ito), optional.
        categories: Option<Vec<u16>>,
        /// Diameter per row in CSS pixels, optional.
        sizes: Option<Vec<f32>>,
        point_px: f32,
    },
    /// Row-major values; NaN = no value.
    Heatmap {
        rows: usize,
        columns: usize,
        values: Vec<f32>,
    },
}

/// What the pointer is over, for the tooltip.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The caller's row (scatter) or matrix row (heatmap).
    pub row: u32,
    /// The matrix column (heatmap only).
    pub column: Option<u32>,
    pub x: f64,
    pub y: f64,
    /// The cell's value (heatmap) or the point's category.
    pub value: f64,
}

#[derive(Clone)]
pub struct LargeViewSpec {
    /// Names the view in test ids and file names.
    pub name: String,
    pub x_label: String,
    pub y_label: String,
    pub data: Rc<LargeData>,
    /// Legend: category index → name (scatter).
    pub categories: Vec<String>,
    /// The tooltip's text for a hit (rendered as text).
    pub describe: Rc<dyn Fn(&Hit) -> String>,
    /// The linked table: its header and one selected row's cells.
    pub table_header: Vec<String>,
    pub table_row: Rc<dyn Fn(u32) -> Vec<String>>,
    /// A heatmap whose rows and columns are the same named things (the design's levels): the
    /// axes name them instead of numbering them, in a wider margin and a squarer plot.
    pub axis_names: Option<Rc<AxisNames>>,
}

/// Where the plot sits in the view: margins for the axes' labels, and the view's height.
#[derive(Clone, Copy)]
struct Frame {
    left: f64,
    bottom: f64,
    height: f64,
}

impl Frame {
    fn for_view(width: f64, named: bool) -> Self {
        if !named {
            return Self {
                left: LEFT,
                bottom: BOTTOM,
                height: HEIGHT,
            };
        }
        // "ReasonForApplication: Reunite with Family" needs about 220 px at 11 px; longer names
        // are cut with an ellipsis (the tooltip has them whole). The plot is about square, so
        // 50 levels get about 12 px each, room for every name.
        let left = (width * 0.26).clamp(110.0, 230.0);
        let side = (width - left - RIGHT).clamp(160.0, 640.0);
        Self {
            left,
            bottom: left,
            height: TOP + side + left,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Pan,
    Box,
    Lasso,
}

enum Drag {
    None,
    Pan { last: (f64, f64) },
    Box { from: (f64, f64), to: (f64, f64) },
    Lasso(Vec<(f64, f64)>),
}

struct State {
    viewport: Viewport,
    home: Bounds,
    loaded: bool,
    mode: Mode,
    drag: Drag,
    pointers: HashMap<i32, (f64, f64)>,
    pinch: Option<f64>,
    hover: Option<Hit>,
    /// Where the last hover was asked (plot pixels), for the tooltip.
    pointer: (f64, f64),
    pick_seq: u32,
    picking: bool,
    pick_next: Option<(f64, f64)>,
    backend: Backend,
    canvas: Option<web_sys::HtmlCanvasElement>,
    /// A heatmap's drawn row and column → source row and column (the worker's current order).
    row_order: Vec<usize>,
    column_order: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Signals {
    backend: RwSignal<String>,
    message: RwSignal<Option<String>>,
    note: RwSignal<Option<String>>,
    tooltip: RwSignal<Option<(f64, f64, String)>>,
    selected: RwSignal<Option<(usize, Vec<Vec<String>>)>>,
    ready: RwSignal<bool>,
    /// A heatmap's value range, the ends of its colour bar.
    range: RwSignal<Option<(f64, f64)>>,
    /// The renderer's adapter, in full.
    adapter: RwSignal<String>,
}

struct Controller {
    spec: LargeViewSpec,
    host: web_sys::HtmlElement,
    overlay: web_sys::HtmlCanvasElement,
    worker: web_sys::Worker,
    state: RefCell<State>,
    signals: Signals,
    width: f64,
    frame: Frame,
    ratio: f64,
    listeners: RefCell<Vec<Box<dyn std::any::Any>>>,
}

impl Controller {
    fn plot_size(&self) -> (f64, f64) {
        (
            self.width - self.frame.left - RIGHT,
            self.frame.height - TOP - self.frame.bottom,
        )
    }

    /// Posts a message with the buffers beside it (transferred).
    fn post(&self, envelope: Result<Envelope, ProtocolError>) {
        let sent = envelope.and_then(|e| {
            let (data, transfer) = e.sealed()?;
            Ok(self.worker.post_message_with_transfer(data, transfer))
        });
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.signals.message.set(Some(format!(
                "The view's worker refused a message: {}",
                super::js::message(&e)
            ))),
            Err(e) => self.show_protocol_error(&e),
        }
    }

    /// Posts a message that has no buffers.
    fn send(&self, message: &ToRenderer) {
        self.post(Envelope::new(message));
    }

    /// A message one side could not read or complete: the page and its renderer disagree.
    fn show_protocol_error(&self, e: &ProtocolError) {
        self.signals.message.set(Some(format!(
            "The page and its renderer disagree ({e}); reloading the page may help."
        )));
    }

    /// A fresh canvas for the marks (a canvas keeps its first context type, so each backend
    /// gets its own) handed to the worker with the backend to start from.
    fn start_backend(&self, backend: Backend) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(canvas) = document.create_element("canvas").and_then(|c| {
            c.dyn_into::<web_sys::HtmlCanvasElement>()
                .map_err(JsValue::from)
        }) else {
            return;
        };
        let (w, h) = self.plot_size();
        canvas.set_width((w * self.ratio).round() as u32);
        canvas.set_height((h * self.ratio).round() as u32);
        let left = self.frame.left;
        let _ = canvas.set_attribute(
            "style",
            &format!("position:absolute;left:{left}px;top:{TOP}px;width:{w}px;height:{h}px;"),
        );
        let _ = canvas.set_attribute("data-testid", "large-view-marks");
        let _ = canvas.set_attribute("aria-hidden", "true");
        let mut state = self.state.borrow_mut();
        if let Some(old) = state.canvas.take() {
            old.remove();
        }
        let _ = self.host.insert_before(&canvas, Some(&self.overlay));
        state.backend = backend;
        state.canvas = Some(canvas.clone());
        drop(state);
        let offscreen = match canvas.transfer_control_to_offscreen() {
            Ok(o) => o,
            Err(e) => {
                self.signals.message.set(Some(format!(
                    "This browser cannot hand a canvas to a worker ({}); the large view needs a current browser.",
                    super::js::message(&e)
                )));
                return;
            }
        };
        self.signals
            .backend
            .set(format!("starting {}…", backend.name()));
        let init = ToRenderer::Init {
            backend,
            width: w,
            height: h,
            ratio: self.ratio,
            offscreen: false,
            pass_one: None,
        };
        self.post(Envelope::new(&init).map(|e| e.with(Buffer::Canvas, &offscreen)));
    }

    fn send_data(&self) {
        match self.spec.data.as_ref() {
            LargeData::Scatter {
                xs,
                ys,
                categories,
                sizes,
                point_px,
            } => {
                let message = ToRenderer::Scatter {
                    point_px: *point_px,
                    categories: categories.is_some(),
                    sizes: sizes.is_some(),
                };
                let envelope = Envelope::new(&message).map(|mut e| {
                    e = e
                        .with(Buffer::Xs, &js_sys::Float64Array::from(xs.as_slice()))
                        .with(Buffer::Ys, &js_sys::Float64Array::from(ys.as_slice()));
                    if let Some(c) = categories {
                        e = e.with(Buffer::Categories, &js_sys::Uint16Array::from(c.as_slice()));
                    }
                    if let Some(s) = sizes {
                        e = e.with(Buffer::Sizes, &js_sys::Float32Array::from(s.as_slice()));
                    }
                    e
                });
                self.post(envelope);
            }
            LargeData::Heatmap {
                rows,
                columns,
                values,
            } => {
                let message = ToRenderer::Heatmap {
                    rows: *rows,
                    columns: *columns,
                };
                let values = js_sys::Float32Array::from(values.as_slice());
                self.post(Envelope::new(&message).map(|e| e.with(Buffer::Values, &values)));
            }
        }
    }

    fn is_heatmap(&self) -> bool {
        matches!(self.spec.data.as_ref(), LargeData::Heatmap { .. })
    }

    /// Sets the camera, tells the worker, redraws the overlay.
    fn set_view(&self, viewport: Viewport) {
        let v = viewport.view;
        if !(v.x0.is_finite() && v.x1.is_finite() && v.y0.is_finite() && v.y1.is_finite()) {
            return;
        }
        self.state.borrow_mut().viewport = viewport;
        self.state.borrow_mut().hover = None;
        self.signals.tooltip.set(None);
        let (w, h) = self.plot_size();
        self.send(&ToRenderer::View {
            view: v,
            width: w,
            height: h,
            ratio: self.ratio,
        });
        self.draw_overlay(true);
    }

    fn reset(&self) {
        let (home, vp) = {
            let s = self.state.borrow();
            (s.home, s.viewport)
        };
        self.set_view(Viewport::new(home, vp.width, vp.height));
    }

    fn zoom(&self, px: f64, py: f64, factor: f64) {
        let v = self.state.borrow().viewport;
        self.set_view(v.zoom_about(px, py, factor));
    }

    fn pan(&self, dx: f64, dy: f64) {
        let v = self.state.borrow().viewport;
        self.set_view(v.pan(dx, dy));
    }

    /// Axes, ticks and labels; with `marks`, also the selection being drawn and the hovered mark.
    fn draw_overlay(&self, marks: bool) {
        let Some(c) = self
            .overlay
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let r = self.ratio;
        let _ = c.set_transform(r, 0.0, 0.0, r, 0.0, 0.0);
        let Frame { left, height, .. } = self.frame;
        c.clear_rect(0.0, 0.0, self.width, height);
        let state = self.state.borrow();
        let (w, h) = self.plot_size();
        c.set_stroke_style_str("#5b636e");
        c.set_line_width(1.0);
        c.stroke_rect(left - 0.5, TOP - 0.5, w + 1.0, h + 1.0);
        if !state.loaded {
            return;
        }
        let v = state.viewport;
        c.set_fill_style_str("#1f2328");
        c.set_font("12px system-ui, sans-serif");
        match (&self.spec.axis_names, self.spec.data.as_ref()) {
            (Some(names), LargeData::Heatmap { rows, columns, .. }) => {
                self.draw_named_axes(&c, &state, names, *rows, *columns);
                c.set_font("12px system-ui, sans-serif");
            }
            _ => self.draw_numbered_axes(&c, &v),
        }
        // Named axes say "Education: 4th Grade" at every tick: a title would only take their room.
        if self.spec.axis_names.is_none() {
            c.set_text_align("center");
            c.set_text_baseline("bottom");
            let _ = c.fill_text(&self.spec.x_label, left + w / 2.0, height - 2.0);
            c.save();
            let _ = c.translate(14.0, TOP + h / 2.0);
            let _ = c.rotate(-std::f64::consts::FRAC_PI_2);
            c.set_text_baseline("middle");
            let _ = c.fill_text(&self.spec.y_label, 0.0, 0.0);
            c.restore();
        }
        if !marks {
            return;
        }
        c.save();
        c.begin_path();
        c.rect(left, TOP, w, h);
        c.clip();
        c.set_stroke_style_str("#d55e00");
        c.set_line_width(1.5);
        match &state.drag {
            Drag::Box { from, to } => {
                c.set_fill_style_str("rgba(213,94,0,0.08)");
                let (x, y) = (left + from.0.min(to.0), TOP + from.1.min(to.1));
                let (bw, bh) = ((to.0 - from.0).abs(), (to.1 - from.1).abs());
                c.fill_rect(x, y, bw, bh);
                c.stroke_rect(x, y, bw, bh);
            }
            Drag::Lasso(path) if path.len() > 1 => {
                c.begin_path();
                c.move_to(left + path[0].0, TOP + path[0].1);
                for p in &path[1..] {
                    c.line_to(left + p.0, TOP + p.1);
                }
                c.close_path();
                c.set_fill_style_str("rgba(213,94,0,0.08)");
                c.fill();
                c.stroke();
            }
            _ => {}
        }
        if let Some(hit) = &state.hover {
            let rows = match self.spec.data.as_ref() {
                LargeData::Heatmap { rows, .. } => *rows as f64,
                _ => 0.0,
            };
            c.set_stroke_style_str("#000000");
            c.set_line_width(2.0);
            if let Some(col) = hit.column {
                // x, y hold the cell's drawn column and row (row 0 on top).
                let _ = col;
                let (x0, y0) = v.to_pixel(hit.x, rows - hit.y);
                let (x1, y1) = v.to_pixel(hit.x + 1.0, rows - hit.y - 1.0);
                c.stroke_rect(left + x0, TOP + y0, x1 - x0, y1 - y0);
            } else {
                let (px, py) = v.to_pixel(hit.x, hit.y);
                c.begin_path();
                let _ = c.arc(left + px, TOP + py, 7.0, 0.0, std::f64::consts::TAU);
                c.stroke();
            }
        }
        c.restore();
    }

    /// Round ticks (scatter) or row and column numbers from 1 (heatmap, row 1 on top).
    fn draw_numbered_axes(&self, c: &web_sys::CanvasRenderingContext2d, v: &Viewport) {
        let left = self.frame.left;
        let (w, h) = self.plot_size();
        let heatmap = self.is_heatmap();
        let x_ticks = ticks::ticks(v.view.x0, v.view.x1, (w / 90.0).max(2.0) as usize);
        c.set_text_align("center");
        c.set_text_baseline("top");
        for t in &x_ticks {
            if heatmap && t.value.fract() != 0.0 {
                continue;
            }
            let (px, _) = v.to_pixel(if heatmap { t.value + 0.5 } else { t.value }, 0.0);
            if !(0.0..=w).contains(&px) {
                continue;
            }
            let x = left + px;
            c.begin_path();
            c.move_to(x, TOP + h);
            c.line_to(x, TOP + h + 5.0);
            c.stroke();
            let label = if heatmap {
                format!("{}", t.value as i64 + 1)
            } else {
                t.label.clone()
            };
            let _ = c.fill_text(&label, x, TOP + h + 8.0);
        }
        let y_ticks = ticks::ticks(v.view.y0, v.view.y1, (h / 60.0).max(2.0) as usize);
        c.set_text_align("right");
        c.set_text_baseline("middle");
        let rows = match self.spec.data.as_ref() {
            LargeData::Heatmap { rows, .. } => *rows as f64,
            _ => 0.0,
        };
        for t in &y_ticks {
            if heatmap && t.value.fract() != 0.0 {
                continue;
            }
            let (_, py) = v.to_pixel(0.0, if heatmap { t.value - 0.5 } else { t.value });
            if !(0.0..=h).contains(&py) || (heatmap && (t.value < 1.0 || t.value > rows)) {
                continue;
            }
            let y = TOP + py;
            c.begin_path();
            c.move_to(left - 5.0, y);
            c.line_to(left, y);
            c.stroke();
            let label = if heatmap {
                format!("{}", (rows - t.value) as i64 + 1)
            } else {
                t.label.clone()
            };
            let _ = c.fill_text(&label, left - 8.0, y);
        }
    }

    /// A heatmap's rows and columns by name: every one when 12 px apart fit, else every 2nd,
    /// 5th, 10th…; the group (attribute) named at its first labelled member, and thin lines
    /// between groups while they are contiguous (the source order). Names too long for the
    /// margin end in an ellipsis; the tooltip names the cell in full.
    fn draw_named_axes(
        &self,
        c: &web_sys::CanvasRenderingContext2d,
        state: &State,
        names: &AxisNames,
        rows: usize,
        columns: usize,
    ) {
        let Frame { left, bottom, .. } = self.frame;
        let (w, h) = self.plot_size();
        let v = state.viewport;
        // Cell p of the x axis spans x in [p, p + 1); drawn row r spans y in [rows - r - 1, rows - r).
        let px_x = w / (v.view.x1 - v.view.x0);
        let px_y = h / (v.view.y1 - v.view.y0);
        // Beside the tick, to the view's edge.
        let room = left - 10.0;
        let room_x = bottom - 10.0;
        c.set_font(NAME_FONT);
        let order_or_identity = |o: &[usize], n: usize| -> Vec<usize> {
            if o.len() == n {
                o.to_vec()
            } else {
                (0..n).collect()
            }
        };
        let row_order = order_or_identity(&state.row_order, rows);
        let column_order = order_or_identity(&state.column_order, columns);
        // Group boundaries as thin white lines across the plot, where groups are contiguous.
        let contiguous = |o: &[usize]| names.boundaries(o).len() < names.groups.len();
        c.save();
        c.begin_path();
        c.rect(left, TOP, w, h);
        c.clip();
        c.set_stroke_style_str("rgba(255,255,255,0.9)");
        if contiguous(&column_order) {
            for b in names.boundaries(&column_order) {
                let (px, _) = v.to_pixel(b as f64, 0.0);
                c.begin_path();
                c.move_to(left + px, TOP);
                c.line_to(left + px, TOP + h);
                c.stroke();
            }
        }
        if contiguous(&row_order) {
            for b in names.boundaries(&row_order) {
                let (_, py) = v.to_pixel(0.0, (rows - b) as f64);
                c.begin_path();
                c.move_to(left, TOP + py);
                c.line_to(left + w, TOP + py);
                c.stroke();
            }
        }
        c.restore();
        c.set_stroke_style_str("#5b636e");
        // Rows: drawn position r has its centre at y = rows - r - 0.5.
        let shown = ticks::named_positions(
            rows as f64 - v.view.y1,
            rows as f64 - v.view.y0,
            rows,
            px_y,
            NAME_SPACING,
        );
        let labels = names.labels(&shown, &row_order);
        c.set_text_align("right");
        c.set_text_baseline("middle");
        for (&r, label) in shown.iter().zip(&labels) {
            let (_, py) = v.to_pixel(0.0, rows as f64 - r as f64 - 0.5);
            let y = TOP + py;
            c.begin_path();
            c.move_to(left - 4.0, y);
            c.line_to(left, y);
            c.stroke();
            let _ = c.fill_text(&fit(c, label, room), left - 6.0, y);
        }
        // Columns: names read upwards, ending at the tick.
        let shown = ticks::named_positions(v.view.x0, v.view.x1, columns, px_x, NAME_SPACING);
        let labels = names.labels(&shown, &column_order);
        for (&p, label) in shown.iter().zip(&labels) {
            let (px, _) = v.to_pixel(p as f64 + 0.5, 0.0);
            let x = left + px;
            c.begin_path();
            c.move_to(x, TOP + h);
            c.line_to(x, TOP + h + 4.0);
            c.stroke();
            c.save();
            let _ = c.translate(x, TOP + h + 6.0);
            let _ = c.rotate(-std::f64::consts::FRAC_PI_2);
            c.set_text_align("right");
            c.set_text_baseline("middle");
            let _ = c.fill_text(&fit(c, label, room_x), 0.0, 0.0);
            c.restore();
        }
    }

    fn request_pick(&self, px: f64, py: f64) {
        let mut s = self.state.borrow_mut();
        if !s.loaded {
            return;
        }
        if s.picking {
            s.pick_next = Some((px, py));
            return;
        }
        s.picking = true;
        s.pointer = (px, py);
        s.pick_seq += 1;
        let seq = s.pick_seq;
        drop(s);
        self.send(&ToRenderer::Pick { seq, px, py });
    }

    fn on_worker_message(self: &Rc<Self>, data: JsValue) {
        // A message the page cannot read is shown, not dropped: the view would wait forever.
        let received = match Received::<FromRenderer>::read(data) {
            Ok(r) => r,
            Err(e) => return self.show_protocol_error(&e),
        };
        if let Err(e) = self.on_message(&received) {
            self.show_protocol_error(&e);
        }
    }

    fn on_message(self: &Rc<Self>, received: &Received<FromRenderer>) -> Result<(), ProtocolError> {
        match &received.message {
            FromRenderer::Ready => {
                let backend = self.state.borrow().backend;
                self.start_backend(backend);
                self.send_data();
            }
            FromRenderer::Backend {
                backend,
                adapter: full,
                software,
            } => {
                self.state.borrow_mut().backend = *backend;
                // Adapter names run long ("ANGLE (Google, Vulkan …"): the first words say enough,
                // and the label's tooltip has all of it.
                self.signals.adapter.set(full.clone());
                let mut adapter: String = full.chars().take(36).collect();
                if adapter.len() < full.len() {
                    adapter.push('…');
                }
                // On a software rasteriser large scatters are placed on the CPU: say so.
                let software = if *software { " · software" } else { "" };
                self.signals
                    .backend
                    .set(format!("{} · {adapter}{software}", backend.name()));
            }
            FromRenderer::Loaded {
                note, home, range, ..
            } => {
                let (w, h) = self.plot_size();
                {
                    let mut s = self.state.borrow_mut();
                    s.home = *home;
                    s.viewport = Viewport::new(*home, w, h);
                    s.loaded = true;
                }
                self.signals.note.set(note.clone());
                self.signals
                    .range
                    .set(range.map(|(lo, hi)| (f64::from(lo), f64::from(hi))));
                self.signals.ready.set(true);
                self.reset();
            }
            FromRenderer::Lost {
                backend: failed,
                message: reason,
            } => {
                // Only the backend drawing now may switch; a late report from a replaced one is noise.
                if self.state.borrow().backend != *failed {
                    return Ok(());
                }
                match failed.next() {
                    Some(next) => {
                        self.signals.message.set(Some(format!(
                            "{} stopped working ({reason}); drawing with {} instead.",
                            failed.name(),
                            next.name()
                        )));
                        self.start_backend(next);
                    }
                    None => self.signals.message.set(Some(format!(
                        "This view cannot be drawn in this browser: {reason}"
                    ))),
                }
            }
            FromRenderer::Picked { seq, pick } => {
                let next = {
                    let mut s = self.state.borrow_mut();
                    s.picking = false;
                    s.pick_next.take()
                };
                if *seq == self.state.borrow().pick_seq {
                    let hover = pick.as_ref().map(|pick| match pick {
                        Pick::Point(p) => Hit {
                            row: p.row,
                            column: None,
                            x: f64::from(p.x),
                            y: f64::from(p.y),
                            value: f64::from(p.category),
                        },
                        // For a cell, x and y are its drawn column and row (for the outline).
                        Pick::Cell(c) => Hit {
                            row: c.row as u32,
                            column: Some(c.column as u32),
                            x: c.drawn_column as f64,
                            y: c.drawn_row as f64,
                            value: f64::from(c.value),
                        },
                    });
                    self.show_hover(hover);
                }
                if let Some((px, py)) = next {
                    self.request_pick(px, py);
                }
            }
            FromRenderer::Selected => {
                let rows = received
                    .buffer::<js_sys::Uint32Array>(Buffer::Rows)?
                    .to_vec();
                let table: Vec<Vec<String>> = rows
                    .iter()
                    .take(TABLE_ROWS)
                    .map(|&r| (self.spec.table_row)(r))
                    .collect();
                self.signals.selected.set(Some((rows.len(), table)));
            }
            FromRenderer::Ordered => {
                let order = |buffer| -> Result<Vec<usize>, ProtocolError> {
                    Ok(received
                        .buffer::<js_sys::Uint32Array>(buffer)?
                        .to_vec()
                        .into_iter()
                        .map(|i| i as usize)
                        .collect())
                };
                let (rows, columns) = (order(Buffer::Rows)?, order(Buffer::Columns)?);
                {
                    let mut s = self.state.borrow_mut();
                    s.row_order = rows;
                    s.column_order = columns;
                }
                self.draw_overlay(true);
            }
            FromRenderer::Pixels { width, height } => {
                let rgba = received.buffer::<js_sys::Uint8ClampedArray>(Buffer::Rgba)?;
                self.export_png(*width, *height, &rgba);
            }
            FromRenderer::Error { message } => self.signals.message.set(Some(message.clone())),
            // Only the benchmark asks for frame timings.
            FromRenderer::Bench { .. } => return Err(received.unexpected()),
        }
        Ok(())
    }

    fn show_hover(&self, hover: Option<Hit>) {
        let (px, py) = self.state.borrow().pointer;
        let tooltip = hover.as_ref().map(|hit| {
            (
                self.frame.left + px + 14.0,
                TOP + py + 14.0,
                (self.spec.describe)(hit),
            )
        });
        self.state.borrow_mut().hover = hover;
        self.signals.tooltip.set(tooltip);
        self.draw_overlay(true);
    }

    fn export_png(&self, w: u32, h: u32, rgba: &js_sys::Uint8ClampedArray) {
        let result = (|| -> Result<(), JsValue> {
            let document = web_sys::window()
                .and_then(|w| w.document())
                .ok_or("no document")?;
            let canvas: web_sys::HtmlCanvasElement =
                document.create_element("canvas")?.dyn_into()?;
            canvas.set_width((self.width * self.ratio).round() as u32);
            canvas.set_height((self.frame.height * self.ratio).round() as u32);
            let c: web_sys::CanvasRenderingContext2d = canvas
                .get_context("2d")?
                .ok_or("no 2D context")?
                .dyn_into()?;
            c.set_fill_style_str("#ffffff");
            c.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
            let image = web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(rgba, w, h)?;
            c.put_image_data(&image, self.frame.left * self.ratio, TOP * self.ratio)?;
            self.draw_overlay(false);
            c.draw_image_with_html_canvas_element(&self.overlay, 0.0, 0.0)?;
            self.draw_overlay(true);
            let url = canvas.to_data_url_with_type("image/png")?;
            let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
            anchor.set_href(&url);
            anchor.set_download(&format!("{}.png", self.spec.name));
            anchor.click();
            Ok(())
        })();
        if let Err(e) = result {
            self.signals.message.set(Some(format!(
                "PNG export failed: {}",
                super::js::message(&e)
            )));
        }
    }

    fn plot_point(&self, e: &web_sys::MouseEvent) -> (f64, f64) {
        (
            e.offset_x() as f64 - self.frame.left,
            e.offset_y() as f64 - TOP,
        )
    }

    fn pointer_down(&self, e: web_sys::PointerEvent) {
        let p = self.plot_point(&e);
        let _ = self.overlay.set_pointer_capture(e.pointer_id());
        let mut s = self.state.borrow_mut();
        s.pointers.insert(e.pointer_id(), p);
        if s.pointers.len() == 2 {
            let mut it = s.pointers.values();
            let (a, b) = (*it.next().unwrap_or(&p), *it.next().unwrap_or(&p));
            s.pinch = Some(((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt());
            s.drag = Drag::None;
            return;
        }
        s.drag = match (s.mode, e.shift_key()) {
            (Mode::Box, _) | (Mode::Pan, true) => Drag::Box { from: p, to: p },
            (Mode::Lasso, _) => Drag::Lasso(vec![p]),
            (Mode::Pan, false) => Drag::Pan { last: p },
        };
    }

    fn pointer_move(&self, e: web_sys::PointerEvent) {
        let p = self.plot_point(&e);
        let mut s = self.state.borrow_mut();
        if s.pointers.contains_key(&e.pointer_id()) {
            s.pointers.insert(e.pointer_id(), p);
        }
        if let (2, Some(before)) = (s.pointers.len(), s.pinch) {
            let mut it = s.pointers.values();
            let (a, b) = (*it.next().unwrap_or(&p), *it.next().unwrap_or(&p));
            let now = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            s.pinch = Some(now);
            drop(s);
            if before > 0.0 && now > 0.0 {
                self.zoom((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0, now / before);
            }
            return;
        }
        match &mut s.drag {
            Drag::Pan { last } => {
                let (dx, dy) = (p.0 - last.0, p.1 - last.1);
                *last = p;
                drop(s);
                self.pan(dx, dy);
            }
            Drag::Box { to, .. } => {
                *to = p;
                drop(s);
                self.draw_overlay(true);
            }
            Drag::Lasso(path) => {
                path.push(p);
                drop(s);
                self.draw_overlay(true);
            }
            Drag::None => {
                drop(s);
                let (w, h) = self.plot_size();
                if (0.0..w).contains(&p.0) && (0.0..h).contains(&p.1) {
                    self.request_pick(p.0, p.1);
                } else if self.state.borrow().hover.is_some() {
                    self.show_hover(None);
                }
            }
        }
    }

    fn pointer_up(&self, e: web_sys::PointerEvent) {
        let mut s = self.state.borrow_mut();
        s.pointers.remove(&e.pointer_id());
        if s.pointers.len() < 2 {
            s.pinch = None;
        }
        let drag = std::mem::replace(&mut s.drag, Drag::None);
        drop(s);
        match drag {
            Drag::Box { from, to }
                if (from.0 - to.0).abs() > 2.0 && (from.1 - to.1).abs() > 2.0 =>
            {
                self.send(&ToRenderer::SelectBox { from, to });
            }
            Drag::Lasso(path) if path.len() > 2 => {
                self.send(&ToRenderer::SelectLasso { polygon: path });
            }
            _ => {}
        }
        self.draw_overlay(true);
    }

    fn wheel(&self, e: web_sys::WheelEvent) {
        e.prevent_default();
        let (px, py) = self.plot_point(&e);
        // Lines (deltaMode 1) are ~16 px.
        let dy = e.delta_y() * if e.delta_mode() == 1 { 16.0 } else { 1.0 };
        self.zoom(px, py, (-dy * 0.002).exp());
    }

    fn key(&self, e: web_sys::KeyboardEvent) {
        let (w, h) = self.plot_size();
        let step = 40.0;
        match e.key().as_str() {
            "ArrowLeft" => self.pan(step, 0.0),
            "ArrowRight" => self.pan(-step, 0.0),
            "ArrowUp" => self.pan(0.0, step),
            "ArrowDown" => self.pan(0.0, -step),
            "+" | "=" => self.zoom(w / 2.0, h / 2.0, 1.5),
            "-" | "_" => self.zoom(w / 2.0, h / 2.0, 1.0 / 1.5),
            "0" | "r" | "Home" => self.reset(),
            _ => return,
        }
        e.prevent_default();
    }
}

/// `text`, cut with an ellipsis to `room` pixels in the context's current font.
fn fit(c: &web_sys::CanvasRenderingContext2d, text: &str, room: f64) -> String {
    // measureText through JS: web-sys's binding needs its TextMetrics feature, and turning a
    // web-sys feature on rebuilds every crate that depends on it.
    let measure = js_sys::Reflect::get(c.as_ref(), &"measureText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let width = |t: &str| {
        measure
            .as_ref()
            .and_then(|f| f.call1(c.as_ref(), &t.into()).ok())
            .map_or(0.0, |m| num(&m, "width"))
    };
    if width(text) <= room {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if width(&cut) <= room {
            return cut;
        }
    }
    String::new()
}

fn listen<E: JsCast + 'static>(
    ctl: &Rc<Controller>,
    target: &web_sys::EventTarget,
    name: &str,
    handler: impl Fn(&Controller, E) + 'static,
) {
    let weak = Rc::downgrade(ctl);
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let (Some(ctl), Ok(e)) = (weak.upgrade(), e.dyn_into::<E>()) {
            handler(&ctl, e);
        }
    });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(false);
    let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
        name,
        closure.as_ref().unchecked_ref(),
        &options,
    );
    ctl.listeners.borrow_mut().push(Box::new(closure));
}

fn mount(
    spec: LargeViewSpec,
    host: web_sys::HtmlElement,
    signals: Signals,
    backend: Backend,
) -> Result<Rc<Controller>, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    // Leptos may rebuild a view of the same shape in place (opening the scatter after the heatmap
    // reuses the host element), so canvases a previous view appended would stay on top of this one.
    remove_canvases(&host);
    let ratio = crate::app::browser::pixel_ratio();
    // At least 300 px: narrower plots say little, and a phone's column (about 360 px) still fits.
    let width = (host.client_width() as f64).clamp(300.0, 1100.0);
    let frame = Frame::for_view(
        width,
        spec.axis_names.is_some() && matches!(spec.data.as_ref(), LargeData::Heatmap { .. }),
    );
    let height = frame.height;
    let overlay: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| super::js::message(&e))?
        .dyn_into()
        .map_err(|_| "no canvas element")?;
    overlay.set_width((width * ratio).round() as u32);
    overlay.set_height((height * ratio).round() as u32);
    let _ = overlay.set_attribute(
        "style",
        &format!("position:absolute;left:0;top:0;width:{width}px;height:{height}px;touch-action:none;cursor:crosshair;"),
    );
    let _ = overlay.set_attribute("tabindex", "0");
    let _ = overlay.set_attribute("data-testid", "large-view-overlay");
    let _ = overlay.set_attribute(
        "aria-label",
        &format!("{} against {}: drag to pan, wheel or +/− to zoom, arrow keys to pan, 0 to reset, shift-drag to select", spec.y_label, spec.x_label),
    );
    let _ = host.set_attribute(
        "style",
        &format!("position:relative;width:{width}px;height:{height}px;"),
    );
    host.append_child(&overlay)
        .map_err(|e| super::js::message(&e))?;
    let worker = web_sys::Worker::new(WORKER_URL).map_err(|e| {
        format!(
            "the view's renderer could not start: {}",
            super::js::message(&e)
        )
    })?;
    let (w, h) = (width - frame.left - RIGHT, height - TOP - frame.bottom);
    let home = Bounds {
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };
    let ctl = Rc::new(Controller {
        spec,
        host,
        overlay: overlay.clone(),
        worker: worker.clone(),
        state: RefCell::new(State {
            viewport: Viewport::new(home, w, h),
            home,
            loaded: false,
            mode: Mode::Pan,
            drag: Drag::None,
            pointers: HashMap::new(),
            pinch: None,
            hover: None,
            pointer: (0.0, 0.0),
            pick_seq: 0,
            picking: false,
            pick_next: None,
            backend,
            canvas: None,
            row_order: Vec::new(),
            column_order: Vec::new(),
        }),
        signals,
        width,
        frame,
        ratio,
        listeners: RefCell::new(Vec::new()),
    });
    let weak = Rc::downgrade(&ctl);
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(ctl) = weak.upgrade() {
                ctl.on_worker_message(e.data());
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ctl.listeners.borrow_mut().push(Box::new(on_message));
    let failed = signals.message;
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        failed.set(Some(format!("The view's renderer failed: {}", e.message())));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    ctl.listeners.borrow_mut().push(Box::new(on_error));
    let target: &web_sys::EventTarget = overlay.as_ref();
    listen(&ctl, target, "pointerdown", Controller::pointer_down);
    listen(&ctl, target, "pointermove", Controller::pointer_move);
    listen(&ctl, target, "pointerup", Controller::pointer_up);
    listen(&ctl, target, "pointercancel", Controller::pointer_up);
    listen(&ctl, target, "wheel", Controller::wheel);
    listen(&ctl, target, "keydown", Controller::key);
    listen(
        &ctl,
        target,
        "dblclick",
        |c: &Controller, _: web_sys::MouseEvent| c.reset(),
    );
    listen(
        &ctl,
        target,
        "pointerleave",
        |c: &Controller, _: web_sys::PointerEvent| {
            if c.state.borrow().hover.is_some() {
                c.show_hover(None);
            }
        },
    );
    ctl.draw_overlay(true);
    Ok(ctl)
}

/// Removes the marks and overlay canvases a view appended to its host (with their listeners).
fn remove_canvases(host: &web_sys::HtmlElement) {
    if let Ok(list) = host.query_selector_all(":scope > canvas") {
        for i in 0..list.length() {
            if let Some(node) = list.item(i) {
                if let Some(parent) = node.parent_node() {
                    let _ = parent.remove_child(&node);
                }
            }
        }
    }
}

/// A heatmap's colour scale: the sequential map from `lo` to `hi`, and the colour of missing cells.
#[component]
fn ColourBar(lo: f64, hi: f64) -> impl IntoView {
    let stops = (0..=8)
        .map(|i| {
            let [r, g, b, _] = crate::large_view::colour::sequential(f64::from(i) / 8.0);
            format!("rgb({r},{g},{b}) {}%", i * 100 / 8)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let [r, g, b, _] = crate::large_view::colour::MISSING;
    let end = |v: f64| {
        if v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-3) {
            format!("{v:.2e}")
        } else {
            let s = format!("{v:.3}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    view! {
        <div class="legend row colour-bar" data-testid="large-view-colour-bar">
            <span data-testid="colour-bar-lo">{end(lo)}</span>
            <span class="colour-bar-ramp" role="img" aria-label=format!("colour scale from {} to {}", end(lo), end(hi))
                style=format!("background:linear-gradient(to right, {stops})")></span>
            <span data-testid="colour-bar-hi">{end(hi)}</span>
            <span class="legend-item"><span class="swatch" style=format!("background:rgb({r},{g},{b})")></span>"no value"</span>
        </div>
    }
}

/// A large scatter or heatmap. Its renderer worker starts when this mounts and stops when it goes.
#[component]
pub fn LargeView(spec: LargeViewSpec) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let signals = Signals {
        backend: RwSignal::new("loading the renderer…".to_string()),
        message: RwSignal::new(None),
        note: RwSignal::new(None),
        tooltip: RwSignal::new(None),
        selected: RwSignal::new(None),
        ready: RwSignal::new(false),
        range: RwSignal::new(None),
        adapter: RwSignal::new(String::new()),
    };
    let controller = StoredValue::new_local(None::<Rc<Controller>>);
    let heatmap = matches!(spec.data.as_ref(), LargeData::Heatmap { .. });
    let name = spec.name.clone();
    let legend = spec.categories.clone();
    let header = spec.table_header.clone();
    let pending = StoredValue::new_local(Some(spec));
    Effect::new(move |_| {
        let Some(element) = host.get() else {
            return;
        };
        let Some(spec) = pending.try_update_value(|p| p.take()).flatten() else {
            return;
        };
        let element: web_sys::HtmlElement = element.unchecked_into();
        match mount(spec, element, signals, Backend::WebGpu) {
            Ok(ctl) => controller.set_value(Some(ctl)),
            Err(e) => signals.message.set(Some(e)),
        }
    });
    on_cleanup(move || {
        controller.update_value(|c| {
            if let Some(c) = c.take() {
                c.worker.terminate();
                remove_canvases(&c.host);
            }
        });
    });
    let with = move |f: &dyn Fn(&Rc<Controller>)| controller.with_value(|c| c.iter().for_each(f));
    let set_mode = move |mode: Mode| with(&|c| c.state.borrow_mut().mode = mode);
    let choose_backend = move |ev: leptos::ev::Event| {
        let slug = event_target_value(&ev);
        let backend = Backend::from_slug(&slug).unwrap_or(Backend::WebGpu);
        with(&|c| {
            c.signals.message.set(None);
            c.start_backend(backend);
        });
    };
    let legend_view = (!legend.is_empty()).then(|| {
        legend
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let [r, g, b, _] = crate::large_view::colour::category(i as u16);
                view! { <span class="legend-item"><span class="swatch" style=format!("background:rgb({r},{g},{b})")></span>{n.clone()}</span> }
            })
            .collect_view()
    });
    view! {
        <div class="large-view" data-testid=format!("large-view-{name}")>
            <div class="large-view-toolbar row">
                <span role="radiogroup" aria-label="Drag mode" class="row">
                    <label class="check"><input type="radio" name=format!("{name}-mode") checked on:change=move |_| set_mode(Mode::Pan) />" Pan"</label>
                    <label class="check"><input type="radio" name=format!("{name}-mode") on:change=move |_| set_mode(Mode::Box) />" Box select"</label>
                    <label class="check"><input type="radio" name=format!("{name}-mode") on:change=move |_| set_mode(Mode::Lasso) />" Lasso"</label>
                </span>
                <button class="secondary" on:click=move |_| with(&|c| c.reset())>"Reset view"</button>
                <button class="secondary" on:click=move |_| with(&|c| c.send(&ToRenderer::Pixels))>"Export PNG"</button>
                {(!heatmap).then(|| view! {
                    <label class="check"><input type="checkbox" on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        with(&|c| c.send(&ToRenderer::Density { on }));
                    } />" Density"</label>
                })}
                {heatmap.then(|| view! {
                    <label>"Order "
                        <select aria-label="Order rows and columns" on:change=move |ev| {
                            let order = match event_target_value(&ev).as_str() {
                                "mean" => MatrixOrder::Mean,
                                "seriation" => MatrixOrder::Seriation,
                                _ => MatrixOrder::Source,
                            };
                            with(&|c| c.send(&ToRenderer::Order { order }));
                        }>
                            <option value="source">"as given"</option>
                            <option value="mean">"by mean"</option>
                            <option value="seriation">"similar together (seriation)"</option>
                        </select>
                    </label>
                })}
                <label class="large-view-backend">
                    <span
                        data-testid="large-view-backend"
                        title=move || format!("The renderer drawing this view: {}. On a software renderer (no GPU), scatters of 100,000 points or more are placed pixel by pixel on the CPU and coloured on the renderer.", signals.adapter.get())
                    >
                        {move || signals.backend.get()}
                    </span>
                    " "
                    <select aria-label="Renderer" on:change=choose_backend>
                        <option value="">"renderer…"</option>
                        <option value="webgpu">"WebGPU"</option>
                        <option value="webgl2">"WebGL2"</option>
                        <option value="canvas2d">"Canvas2D"</option>
                    </select>
                </label>
            </div>
            {legend_view.map(|l| view! { <div class="legend row">{l}</div> })}
            {move || signals.range.get().map(|(lo, hi)| view! { <ColourBar lo hi /> })}
            {move || signals.message.get().map(|m| view! { <div class="notice" role="status" data-testid="large-view-message">{m}</div> })}
            <div class="large-view-plot" node_ref=host>
                {move || signals.tooltip.get().map(|(x, y, t)| view! {
                    <div class="large-view-tooltip" role="tooltip" data-testid="large-view-tooltip" style=format!("left:{x}px;top:{y}px")>{t}</div>
                })}
            </div>
            {move || signals.note.get().map(|n| view! { <p class="muted" data-testid="large-view-note">{n}</p> })}
            {move || signals.selected.get().map(|(count, rows)| {
                let shown = rows.len();
                let header = header.clone();
                view! {
                    <div data-testid="large-view-selection">
                        <p>{format!("{count} selected")}{(count > shown).then(|| format!(" (first {shown} listed)"))}
                            " " <button class="secondary" on:click=move |_| signals.selected.set(None)>"Clear selection"</button>
                        </p>
                        <div class="table-scroll large-view-table">
                            <table>
                                <thead><tr>{header.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}</tr></thead>
                                <tbody>{rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                            </table>
                        </div>
                    </div>
                }
            })}
        </div>
    }
}

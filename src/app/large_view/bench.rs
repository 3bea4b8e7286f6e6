//! The large views' benchmark page (`#/bench/large-views`, driven by scripts/bench-gpu-views.mjs):
//! 1,000,000 points and a 1,000 × 1,000 heatmap, time per redraw after a zoom step, for each
//! renderer in the `silico-gpu` worker and for plotters-canvas drawing the same data on the page.
//! GPU frames are timed to completion (a one-pixel readback after each).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::backend::Backend;
use super::envelope::{Envelope, Received};
use crate::large_view::protocol::{Buffer, FromRenderer, PassOne, ProtocolError, ToRenderer};
use crate::large_view::{colour, Bounds, HeatmapScene, Matrix, Viewport};

const W: u32 = 800;
const H: u32 = 600;
const N_POINTS: usize = 1_000_000;
const SIDE: usize = 1000;
const FRAMES: usize = 10;

fn points() -> (Vec<f64>, Vec<f64>, Vec<u16>) {
    // Deterministic clusters: low-discrepancy angles and radii around 8 centres.
    let mut xs = Vec::with_capacity(N_POINTS);
    let mut ys = Vec::with_capacity(N_POINTS);
    let mut cs = Vec::with_capacity(N_POINTS);
    for i in 0..N_POINTS {
        let c = (i % 8) as u16;
        let a = (i as f64 * 0.618_033_988_7).fract() * std::f64::consts::TAU;
        let r = (i as f64 * 0.754_877_666).fract().sqrt() * 1.5;
        xs.push((c as f64 * 0.785).cos() * 4.0 + r * a.cos());
        ys.push((c as f64 * 0.785).sin() * 4.0 + r * a.sin());
        cs.push(c);
    }
    (xs, ys, cs)
}

fn matrix_values() -> Vec<f32> {
    (0..SIDE * SIDE)
        .map(|i| {
            let (r, c) = ((i / SIDE) as f32, (i % SIDE) as f32);
            ((r * 0.01).sin() * (c * 0.013).cos() + 1.0) / 2.0
        })
        .collect()
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn canvas() -> Result<web_sys::HtmlCanvasElement, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let c: web_sys::HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    c.set_width(W);
    c.set_height(H);
    Ok(c)
}

type Area = DrawingArea<CanvasBackend, plotters::coord::Shift>;

/// Times plotters-canvas over `FRAMES` zoom steps from `start`: a fresh canvas each frame, filled
/// white, marks drawn by `draw` for that frame's camera, and a 1-pixel readback so the canvas has
/// finished drawing before the clock stops.
fn time_plotters(
    start: Viewport,
    mut draw: impl FnMut(&Area, &Viewport) -> Result<(), String>,
) -> Result<Vec<f64>, JsValue> {
    let mut v = start;
    let mut times = Vec::new();
    for i in 0..FRAMES {
        v = v.zoom_about(
            W as f64 / 2.0,
            H as f64 / 2.0,
            if i % 2 == 0 { 1.25 } else { 0.8 },
        );
        let c = canvas()?;
        let t0 = now();
        let root = CanvasBackend::with_canvas_object(c.clone())
            .ok_or("no 2D context")?
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| format!("{e:?}"))?;
        draw(&root, &v)?;
        root.present().map_err(|e| format!("{e:?}"))?;
        let ctx: web_sys::CanvasRenderingContext2d =
            c.get_context("2d")?.ok_or("no 2D")?.dyn_into()?;
        let _ = ctx.get_image_data(0.0, 0.0, 1.0, 1.0)?;
        times.push(now() - t0);
    }
    Ok(times)
}

/// Plotters-canvas: the scatter's visible points as filled circles.
fn plotters_scatter(xs: &[f64], ys: &[f64], cs: &[u16]) -> Result<Vec<f64>, JsValue> {
    let home = Bounds {
        x0: -6.0,
        x1: 6.0,
        y0: -6.0,
        y1: 6.0,
    };
    time_plotters(Viewport::new(home, W as f64, H as f64), |root, v| {
        for k in 0..xs.len() {
            let (px, py) = v.to_pixel(xs[k], ys[k]);
            if px < 0.0 || py < 0.0 || px >= W as f64 || py >= H as f64 {
                continue;
            }
            let [r, g, b, _] = colour::category(cs[k]);
            root.draw(&Circle::new(
                (px as i32, py as i32),
                2,
                RGBColor(r, g, b).filled(),
            ))
            .map_err(|e| format!("{e:?}"))?;
        }
        Ok(())
    })
}

/// Plotters-canvas: the heatmap's visible cells as filled rectangles.
fn plotters_heatmap(values: &[f32]) -> Result<Vec<f64>, JsValue> {
    let names = |n: usize| (0..n).map(|i| i.to_string()).collect();
    let m = Matrix::new(SIDE, SIDE, values.to_vec(), names(SIDE), names(SIDE))
        .map_err(|e| e.to_string())?;
    let scene = HeatmapScene::new(m, W as f64, H as f64);
    let rgba = scene.rgba();
    time_plotters(scene.viewport, |root, v| {
        for r in 0..SIDE {
            for col in 0..SIDE {
                let (x0, y0) = v.to_pixel(col as f64, (SIDE - r) as f64);
                let (x1, y1) = v.to_pixel(col as f64 + 1.0, (SIDE - r - 1) as f64);
                if x1 < 0.0 || y1 < 0.0 || x0 >= W as f64 || y0 >= H as f64 {
                    continue;
                }
                let k = (r * SIDE + col) * 4;
                let colour = RGBColor(rgba[k], rgba[k + 1], rgba[k + 2]);
                root.draw(&Rectangle::new(
                    [(x0 as i32, y0 as i32), (x1.ceil() as i32, y1.ceil() as i32)],
                    colour.filled(),
                ))
                .map_err(|e| format!("{e:?}"))?;
            }
        }
        Ok(())
    })
}

/// What one worker benchmark reports: the backend used, ms per frame, the worker's wasm memory (MB).
type WorkerBench = (String, Vec<f64>, Option<f64>);

/// Runs the worker's benchmark for one backend and data set (a scatter or heatmap message with
/// its buffers); `pass_one` says where a large scatter's pass 1 runs.
async fn worker_bench(
    backend: Backend,
    pass_one: Option<PassOne>,
    data: Envelope,
) -> Result<WorkerBench, String> {
    let worker =
        web_sys::Worker::new("./silico-gpu_loader.js").map_err(|e| super::js::message(&e))?;
    let (send, receive) = futures::channel::oneshot::channel::<Result<WorkerBench, String>>();
    let send = Rc::new(RefCell::new(Some(send)));
    let used = Rc::new(RefCell::new(String::new()));
    let w2 = worker.clone();
    let post = move |envelope: Result<Envelope, ProtocolError>| -> Result<(), String> {
        let envelope = envelope.map_err(|e| e.to_string())?;
        let (data, transfer) = envelope.sealed().map_err(|e| e.to_string())?;
        w2.post_message_with_transfer(data, transfer)
            .map_err(|e| super::js::message(&e))
    };
    let data = RefCell::new(Some(data));
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let finish = |r: Result<WorkerBench, String>| {
                if let Some(s) = send.borrow_mut().take() {
                    let _ = s.send(r);
                }
            };
            let received = match Received::<FromRenderer>::read(e.data()) {
                Ok(r) => r,
                Err(e) => return finish(Err(e.to_string())),
            };
            let step = match &received.message {
                FromRenderer::Ready => {
                    let init = ToRenderer::Init {
                        backend,
                        width: W as f64,
                        height: H as f64,
                        ratio: 1.0,
                        offscreen: true,
                        pass_one,
                    };
                    start_run(&init, data.borrow_mut().take(), &post)
                }
                FromRenderer::Backend {
                    backend, adapter, ..
                } => {
                    *used.borrow_mut() = format!("{} ({adapter})", backend.slug());
                    Ok(())
                }
                FromRenderer::Loaded { .. } => post(Envelope::new(&ToRenderer::Bench {
                    frames: FRAMES as u32,
                })),
                FromRenderer::Bench { wasm_mb } => {
                    let ms = received.buffer::<js_sys::Float64Array>(Buffer::Ms);
                    return finish(
                        ms.map(|ms| (used.borrow().clone(), ms.to_vec(), *wasm_mb))
                            .map_err(|e| e.to_string()),
                    );
                }
                FromRenderer::Lost { message, .. } | FromRenderer::Error { message } => {
                    Err(message.clone())
                }
                // The benchmark never hovers, selects, orders or exports.
                FromRenderer::Picked { .. }
                | FromRenderer::Selected
                | FromRenderer::Ordered
                | FromRenderer::Pixels { .. } => Err(received.unexpected().to_string()),
            };
            if let Err(e) = step {
                finish(Err(e));
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let result = receive
        .await
        .map_err(|_| "the worker stopped".to_string())
        .and_then(|r| r);
    worker.terminate();
    drop(on_message);
    result
}

type Post<'a> = &'a dyn Fn(Result<Envelope, ProtocolError>) -> Result<(), String>;

/// Hands the renderer a fresh canvas, then the data.
fn start_run(init: &ToRenderer, data: Option<Envelope>, post: Post) -> Result<(), String> {
    let c = canvas().map_err(|_| "no canvas".to_string())?;
    let off = c
        .transfer_control_to_offscreen()
        .map_err(|_| "no OffscreenCanvas".to_string())?;
    post(Envelope::new(init).map(|e| e.with(Buffer::Canvas, &off)))?;
    match data {
        Some(d) => post(Ok(d)),
        None => Err("the renderer said it was ready twice".into()),
    }
}

fn scatter_message(xs: &[f64], ys: &[f64], cs: &[u16]) -> Result<Envelope, ProtocolError> {
    let message = ToRenderer::Scatter {
        point_px: 4.0,
        categories: true,
        sizes: false,
    };
    Ok(Envelope::new(&message)?
        .with(Buffer::Xs, &js_sys::Float64Array::from(xs))
        .with(Buffer::Ys, &js_sys::Float64Array::from(ys))
        .with(Buffer::Categories, &js_sys::Uint16Array::from(cs)))
}

fn heatmap_message(values: &[f32]) -> Result<Envelope, ProtocolError> {
    let message = ToRenderer::Heatmap {
        rows: SIDE,
        columns: SIDE,
    };
    Ok(Envelope::new(&message)?.with(Buffer::Values, &js_sys::Float32Array::from(values)))
}

#[component]
pub fn BenchPage() -> impl IntoView {
    let lines = RwSignal::new(Vec::<String>::new());
    let done = RwSignal::new(false);
    let say = move |l: String| lines.update(|v| v.push(l));
    spawn_local(async move {
        let (xs, ys, cs) = points();
        let values = matrix_values();
        say(format!(
            "{{\"machine\":\"{}\",\"width\":{W},\"height\":{H},\"frames\":{FRAMES}}}",
            web_sys::window()
                .map(|w| w.navigator().user_agent().unwrap_or_default())
                .unwrap_or_default()
                .replace('"', "'")
        ));
        for backend in Backend::ALL {
            // A GPU scatter's pass 1 both ways: on the renderer, and on the CPU (the default on
            // software rasterisers such as this machine's).
            let passes: &[Option<PassOne>] = if backend == Backend::Canvas2d {
                &[None]
            } else {
                &[Some(PassOne::Gpu), Some(PassOne::Cpu)]
            };
            let mut runs: Vec<(&str, Option<PassOne>)> =
                passes.iter().map(|&p| ("scatter 1M", p)).collect();
            runs.push(("heatmap 1000x1000", None));
            for (data, pass_one) in runs {
                let message = if data.starts_with("scatter") {
                    scatter_message(&xs, &ys, &cs)
                } else {
                    heatmap_message(&values)
                };
                let how = match pass_one {
                    Some(PassOne::Gpu) => "; pass 1 on the GPU",
                    Some(PassOne::Cpu) => "; pass 1 on the CPU",
                    None => "",
                };
                let outcome = match message {
                    Ok(message) => worker_bench(backend, pass_one, message).await,
                    Err(e) => Err(e.to_string()),
                };
                let line = match outcome {
                    Ok((used, ms, mb)) => {
                        // JSON has no NaN: an unread memory size is null.
                        let mb = mb.map_or("null".into(), |mb| format!("{mb:.1}"));
                        format!("{{\"renderer\":\"{}\",\"used\":\"{used}{how}\",\"data\":\"{data}\",\"median_ms\":{:.2},\"wasm_mb\":{mb}}}", backend.slug(), median(ms))
                    }
                    Err(e) => format!(
                        "{{\"renderer\":\"{}\",\"data\":\"{data}\",\"error\":\"{}\"}}",
                        backend.slug(),
                        e.replace('"', "'")
                    ),
                };
                say(line);
            }
        }
        let line = match plotters_scatter(&xs, &ys, &cs) {
            Ok(ms) => format!(
                "{{\"renderer\":\"plotters-canvas\",\"data\":\"scatter 1M\",\"median_ms\":{:.2}}}",
                median(ms)
            ),
            Err(e) => format!(
                "{{\"renderer\":\"plotters-canvas\",\"data\":\"scatter 1M\",\"error\":\"{}\"}}",
                super::js::message(&e)
            ),
        };
        say(line);
        let line = match plotters_heatmap(&values) {
            Ok(ms) => format!("{{\"renderer\":\"plotters-canvas\",\"data\":\"heatmap 1000x1000\",\"median_ms\":{:.2}}}", median(ms)),
            Err(e) => format!("{{\"renderer\":\"plotters-canvas\",\"data\":\"heatmap 1000x1000\",\"error\":\"{}\"}}", super::js::message(&e)),
        };
        say(line);
        done.set(true);
    });
    view! {
        <h2>"Large views benchmark"</h2>
        <pre data-testid="bench-results" data-done=move || done.get().to_string()>{move || lines.get().join("\n")}</pre>
    }
}

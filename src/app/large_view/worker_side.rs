//! The renderer's worker (`silico-gpu`): receives the page's OffscreenCanvas and data, draws, and
//! answers hover, selection and export requests. Messages are handled one at a time in arrival
//! order (an async loop), so a readback in flight never races a new zoom.

use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::backend::Backend;
use super::js::{self, get, num, object, text};
use super::stage::{self, Pick, Stage};
use crate::large_view::scene::MatrixOrder;
use crate::large_view::{Bounds, Matrix, Points};

fn post(message: &JsValue, transfer: Option<&js_sys::Array>) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let sent = match transfer {
        Some(t) => scope.post_message_with_transfer(message, t),
        None => scope.post_message(message),
    };
    if let Err(e) = sent {
        web_sys::console::error_1(&e);
    }
}

fn post_lost(backend: Backend, message: String) {
    post(
        &object(&[
            ("kind", "lost".into()),
            ("backend", backend.slug().into()),
            ("message", message.into()),
        ])
        .into(),
        None,
    );
}

/// The worker's entry point: installs the message handler and says it is ready.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (send, mut receive) = futures::channel::mpsc::unbounded::<JsValue>();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let _ = send.unbounded_send(e.data());
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as its view; so does the handler.
    on_message.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let mut stage = Stage::new(1.0, 1.0, 1.0);
        while let Some(message) = receive.next().await {
            handle(&mut stage, &message).await;
        }
    });
    post(&object(&[("kind", "ready".into())]).into(), None);
}

fn bounds(message: &JsValue) -> Bounds {
    Bounds {
        x0: num(message, "x0"),
        x1: num(message, "x1"),
        y0: num(message, "y0"),
        y1: num(message, "y1"),
    }
}

fn bounds_value(b: &Bounds) -> JsValue {
    object(&[
        ("x0", b.x0.into()),
        ("x1", b.x1.into()),
        ("y0", b.y0.into()),
        ("y1", b.y1.into()),
    ])
    .into()
}

fn draw(stage: &mut Stage) {
    if let Err(e) = stage.draw() {
        let backend = stage
            .renderer
            .as_ref()
            .map_or(Backend::Canvas2d, |r| r.backend());
        stage.detach();
        post_lost(backend, e);
    }
}

async fn handle(stage: &mut Stage, message: &JsValue) {
    match text(message, "kind").as_str() {
        "init" => init(stage, message).await,
        "scatter" => {
            // The f64 copies go as soon as the points are checked, before the scene is built.
            let points = {
                let xs = js_sys::Float64Array::new(&get(message, "xs")).to_vec();
                let ys = js_sys::Float64Array::new(&get(message, "ys")).to_vec();
                let categories = get(message, "categories");
                let categories = (!categories.is_undefined() && !categories.is_null())
                    .then(|| js_sys::Uint16Array::new(&categories).to_vec());
                Points::new(&xs, &ys, categories.as_deref())
            };
            let sizes = get(message, "sizes");
            let sizes = (!sizes.is_undefined() && !sizes.is_null())
                .then(|| js_sys::Float32Array::new(&sizes).to_vec());
            match points {
                Ok(points) => {
                    let count = points.len();
                    let point_px = num(message, "pointPx");
                    let (note, home) = stage.load_scatter(
                        points,
                        sizes.as_deref(),
                        if point_px.is_finite() {
                            point_px as f32
                        } else {
                            3.0
                        },
                    );
                    loaded(note, &home, count, None);
                    draw(stage);
                }
                Err(e) => post_error(e.to_string()),
            }
        }
        "heatmap" => {
            let rows = num(message, "rows") as usize;
            let columns = num(message, "columns") as usize;
            let values = js_sys::Float32Array::new(&get(message, "values")).to_vec();
            let labels = |n: usize| (0..n).map(|i| (i + 1).to_string()).collect();
            match Matrix::new(rows, columns, values, labels(rows), labels(columns)) {
                Ok(m) => {
                    let count = m.rows * m.columns;
                    // The colour bar's ends: the range the colours span (after any binning).
                    let range = (m.lo, m.hi);
                    let (note, home) = stage.load_heatmap(m);
                    loaded(note, &home, count, Some(range));
                    draw(stage);
                }
                Err(e) => post_error(e.to_string()),
            }
        }
        "view" => {
            stage.resize(
                num(message, "width"),
                num(message, "height"),
                num(message, "ratio"),
            );
            stage.set_view(bounds(message));
            draw(stage);
        }
        "density" => {
            stage.density = get(message, "on").is_truthy();
            draw(stage);
        }
        "order" => {
            let order = match text(message, "order").as_str() {
                "mean" => MatrixOrder::Mean,
                "seriation" => MatrixOrder::Seriation,
                s => s
                    .strip_prefix("column:")
                    .and_then(|c| c.parse().ok())
                    .map_or(MatrixOrder::Source, MatrixOrder::ByColumn),
            };
            stage.set_order(order);
            draw(stage);
            // The page names rows and columns on the axes: it needs to know which is drawn where.
            if let super::stage::Scene::Heatmap(h) = &stage.scene {
                let as_u32 = |o: &[usize]| o.iter().map(|&i| i as u32).collect::<Vec<_>>();
                let rows = js_sys::Uint32Array::from(as_u32(h.row_order.as_slice()).as_slice());
                let columns =
                    js_sys::Uint32Array::from(as_u32(h.column_order.as_slice()).as_slice());
                let transfer = js_sys::Array::of2(&rows.buffer(), &columns.buffer());
                let fields = [
                    ("kind", JsValue::from("ordered")),
                    ("rows", rows.into()),
                    ("columns", columns.into()),
                ];
                post(&object(&fields).into(), Some(&transfer));
            }
        }
        "pick" => {
            let found = stage.pick(num(message, "px"), num(message, "py"));
            let mut fields = vec![("kind", "picked".into()), ("seq", get(message, "seq"))];
            match found {
                Some(Pick::Point(p)) => fields.extend([
                    ("row", JsValue::from(p.row)),
                    ("x", (p.x as f64).into()),
                    ("y", (p.y as f64).into()),
                    ("category", (p.category as u32).into()),
                ]),
                Some(Pick::Cell(c)) => fields.extend([
                    ("row", JsValue::from(c.row as u32)),
                    ("column", JsValue::from(c.column as u32)),
                    ("value", (c.value as f64).into()),
                    ("drawnRow", (c.drawn_row as f64).into()),
                    ("drawnColumn", (c.drawn_column as f64).into()),
                ]),
                None => {}
            }
            post(&object(&fields).into(), None);
        }
        "select" => {
            let lasso = get(message, "lasso");
            let rows = if lasso.is_undefined() {
                stage.select_box(
                    (num(message, "ax"), num(message, "ay")),
                    (num(message, "bx"), num(message, "by")),
                )
            } else {
                let flat = js_sys::Float64Array::new(&lasso).to_vec();
                let polygon: Vec<(f64, f64)> = flat.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                stage.select_lasso(&polygon)
            };
            let array = js_sys::Uint32Array::from(rows.as_slice());
            let transfer = js_sys::Array::of1(&array.buffer());
            post(
                &object(&[("kind", "selected".into()), ("rows", array.into())]).into(),
                Some(&transfer),
            );
        }
        "pixels" => match stage.pixels().await {
            Ok((w, h, rgba)) => {
                let array = js_sys::Uint8ClampedArray::from(rgba.as_slice());
                let transfer = js_sys::Array::of1(&array.buffer());
                post(
                    &object(&[
                        ("kind", "pixels".into()),
                        ("width", w.into()),
                        ("height", h.into()),
                        ("rgba", array.into()),
                    ])
                    .into(),
                    Some(&transfer),
                );
            }
            Err(e) => post_error(format!("export failed: {e}")),
        },
        "bench" => bench(stage, message).await,
        other => post_error(format!("unknown message {other:?}")),
    }
}

async fn init(stage: &mut Stage, message: &JsValue) {
    stage.detach();
    let Ok(canvas) = get(message, "canvas").dyn_into::<web_sys::OffscreenCanvas>() else {
        post_error("the view sent no canvas".into());
        return;
    };
    stage.resize(
        num(message, "width"),
        num(message, "height"),
        num(message, "ratio"),
    );
    let wanted = Backend::from_slug(&text(message, "backend")).unwrap_or(Backend::WebGpu);
    let backend = stage::choose(wanted).await;
    let on_lost: super::gpu::OnLost = std::sync::Arc::new(move |m: String| post_lost(backend, m));
    let offscreen = get(message, "offscreen").is_truthy() && backend == Backend::WebGpu;
    let made = if offscreen {
        super::gpu::GpuRenderer::new(backend, None, on_lost)
            .await
            .map(|g| stage::Renderer::Gpu(Box::new(g)))
    } else {
        stage::renderer(backend, canvas.clone(), on_lost).await
    };
    match made {
        Ok(mut renderer) => {
            // The benchmark compares where a large scatter's pass 1 runs; views use the default.
            if let stage::Renderer::Gpu(g) = &mut renderer {
                match text(message, "passOne").as_str() {
                    "gpu" => g.set_pass_one(super::splat::PassOne::Gpu),
                    "cpu" => g.set_pass_one(super::splat::PassOne::Cpu),
                    _ => {}
                }
            }
            let adapter = renderer.adapter();
            let software = renderer.software();
            stage.attach(renderer, Some(canvas));
            post(
                &object(&[
                    ("kind", "backend".into()),
                    ("backend", backend.slug().into()),
                    ("adapter", adapter.into()),
                    ("software", software.into()),
                ])
                .into(),
                None,
            );
            draw(stage);
        }
        // The page gives the next backend a fresh canvas (a canvas keeps its first context type).
        Err(e) => post_lost(backend, e),
    }
}

fn loaded(note: Option<String>, home: &Bounds, count: usize, range: Option<(f32, f32)>) {
    let end = |v: Option<f32>| v.map_or(JsValue::NULL, |v| JsValue::from(f64::from(v)));
    post(
        &object(&[
            ("kind", "loaded".into()),
            ("note", note.map_or(JsValue::NULL, JsValue::from)),
            ("home", bounds_value(home)),
            ("count", (count as f64).into()),
            ("lo", end(range.map(|r| r.0))),
            ("hi", end(range.map(|r| r.1))),
        ])
        .into(),
        None,
    );
}

fn post_error(message: String) {
    post(
        &object(&[("kind", "error".into()), ("message", message.into())]).into(),
        None,
    );
}

/// Times `frames` redraws, each after a zoom step, waiting for each frame to finish (a 1-pixel
/// readback), and replies with the milliseconds per frame.
async fn bench(stage: &mut Stage, message: &JsValue) {
    let frames = num(message, "frames").max(1.0) as usize;
    let Some(start) = stage.viewport() else {
        post_error("bench: nothing loaded".into());
        return;
    };
    let now = || {
        js::get(&js_sys::global(), "performance")
            .dyn_into::<web_sys::Performance>()
            .map_or(0.0, |p| p.now())
    };
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames {
        let factor = if i % 2 == 0 { 1.25 } else { 0.8 };
        let v = stage.viewport().unwrap_or(start).zoom_about(
            stage.width / 2.0,
            stage.height / 2.0,
            factor,
        );
        stage.set_view(v.view);
        let t0 = now();
        if let Err(e) = stage.finish_frame().await {
            post_error(format!("bench: {e}"));
            return;
        }
        times.push(now() - t0);
    }
    let array = js_sys::Float64Array::from(times.as_slice());
    // The worker's whole linear memory (data, index, instance bytes; GPU buffers live outside it).
    let wasm_mb = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(f64::NAN, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(f64::NAN, |b| b.byte_length() as f64 / 1e6)
        });
    post(
        &object(&[
            ("kind", "bench".into()),
            ("ms", array.into()),
            ("wasm_mb", wasm_mb.into()),
        ])
        .into(),
        None,
    );
}

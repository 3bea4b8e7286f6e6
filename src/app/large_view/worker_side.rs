//! The renderer's worker (`silico-gpu`): receives the page's OffscreenCanvas and data, draws, and
//! answers hover, selection and export requests. Messages are the engine's typed
//! `large_view::protocol` ([`ToRenderer`] in, [`FromRenderer`] out) in `envelope`s; one it cannot
//! read is answered with an `error` naming it. Messages are handled one at a time in arrival
//! order (an async loop), so a readback in flight never races a new zoom.

use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::backend::Backend;
use super::envelope::{Envelope, Received};
use super::js;
use super::stage::{self, Scene, Stage};
use crate::large_view::protocol::{Buffer, FromRenderer, PassOne, ProtocolError, ToRenderer};
use crate::large_view::{Matrix, Points};

/// Posts an envelope; one that cannot be written or lacks a buffer becomes an `error` message.
fn post_envelope(envelope: Result<Envelope, ProtocolError>) {
    match envelope.and_then(|e| deliver(&e)) {
        Ok(()) => {}
        Err(e) => post(&e.into()),
    }
}

/// Posts a message that has no buffers.
fn post(message: &FromRenderer) {
    // Only a message that cannot be written gets here, and an `error` (text only) always can.
    if let Err(e) = Envelope::new(message).and_then(|e| deliver(&e)) {
        web_sys::console::error_1(&e.to_string().into());
    }
}

fn deliver(envelope: &Envelope) -> Result<(), ProtocolError> {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (data, transfer) = envelope.sealed()?;
    if let Err(e) = scope.post_message_with_transfer(data, transfer) {
        web_sys::console::error_1(&e);
    }
    Ok(())
}

fn post_error(message: String) {
    post(&FromRenderer::Error { message });
}

fn post_lost(backend: Backend, message: String) {
    post(&FromRenderer::Lost { backend, message });
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
        while let Some(data) = receive.next().await {
            // A message this worker cannot read is answered, so the page shows what went wrong.
            match Received::<ToRenderer>::read(data) {
                Ok(message) => {
                    if let Err(e) = handle(&mut stage, message).await {
                        post(&e.into());
                    }
                }
                Err(e) => post(&e.into()),
            }
        }
    });
    post(&FromRenderer::Ready);
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

/// One message; an error is a buffer the message named but did not bring.
async fn handle(stage: &mut Stage, received: Received<ToRenderer>) -> Result<(), ProtocolError> {
    match &received.message {
        ToRenderer::Init {
            backend,
            width,
            height,
            ratio,
            offscreen,
            pass_one,
        } => {
            let init_message = Init {
                canvas: received.buffer(Buffer::Canvas)?,
                backend: *backend,
                size: (*width, *height, *ratio),
                offscreen: *offscreen,
                pass_one: *pass_one,
            };
            init(stage, init_message).await;
        }
        ToRenderer::Scatter {
            point_px,
            categories,
            sizes,
        } => {
            // The f64 copies go as soon as the points are checked, before the scene is built.
            let points = {
                let xs = received
                    .buffer::<js_sys::Float64Array>(Buffer::Xs)?
                    .to_vec();
                let ys = received
                    .buffer::<js_sys::Float64Array>(Buffer::Ys)?
                    .to_vec();
                let categories = if *categories {
                    Some(received.buffer::<js_sys::Uint16Array>(Buffer::Categories)?)
                } else {
                    None
                }
                .map(|c| c.to_vec());
                Points::new(&xs, &ys, categories.as_deref())
            };
            let sizes = if *sizes {
                Some(
                    received
                        .buffer::<js_sys::Float32Array>(Buffer::Sizes)?
                        .to_vec(),
                )
            } else {
                None
            };
            match points {
                Ok(points) => {
                    let count = points.len();
                    let point_px = if point_px.is_finite() { *point_px } else { 3.0 };
                    let (note, home) = stage.load_scatter(points, sizes.as_deref(), point_px);
                    post(&FromRenderer::Loaded {
                        note,
                        home,
                        count,
                        range: None,
                    });
                    draw(stage);
                }
                Err(e) => post_error(e.to_string()),
            }
        }
        ToRenderer::Heatmap { rows, columns } => {
            let values = received
                .buffer::<js_sys::Float32Array>(Buffer::Values)?
                .to_vec();
            let labels = |n: usize| (0..n).map(|i| (i + 1).to_string()).collect();
            match Matrix::new(*rows, *columns, values, labels(*rows), labels(*columns)) {
                Ok(m) => {
                    let count = m.rows * m.columns;
                    // The colour bar's ends: the range the colours span (after any binning).
                    let range = Some((m.lo, m.hi));
                    let (note, home) = stage.load_heatmap(m);
                    post(&FromRenderer::Loaded {
                        note,
                        home,
                        count,
                        range,
                    });
                    draw(stage);
                }
                Err(e) => post_error(e.to_string()),
            }
        }
        ToRenderer::View {
            view,
            width,
            height,
            ratio,
        } => {
            stage.resize(*width, *height, *ratio);
            stage.set_view(*view);
            draw(stage);
        }
        ToRenderer::Density { on } => {
            stage.density = *on;
            draw(stage);
        }
        ToRenderer::Order { order } => {
            stage.set_order(*order);
            draw(stage);
            // The page names rows and columns on the axes: it needs to know which is drawn where.
            if let Scene::Heatmap(h) = &stage.scene {
                let as_u32 = |o: &[usize]| o.iter().map(|&i| i as u32).collect::<Vec<_>>();
                let rows = js_sys::Uint32Array::from(as_u32(h.row_order.as_slice()).as_slice());
                let columns =
                    js_sys::Uint32Array::from(as_u32(h.column_order.as_slice()).as_slice());
                post_envelope(
                    Envelope::new(&FromRenderer::Ordered)
                        .map(|e| e.with(Buffer::Rows, &rows).with(Buffer::Columns, &columns)),
                );
            }
        }
        ToRenderer::Pick { seq, px, py } => post(&FromRenderer::Picked {
            seq: *seq,
            pick: stage.pick(*px, *py),
        }),
        ToRenderer::SelectBox { from, to } => selected(&stage.select_box(*from, *to)),
        ToRenderer::SelectLasso { polygon } => selected(&stage.select_lasso(polygon)),
        ToRenderer::Pixels => match stage.pixels().await {
            Ok((width, height, rgba)) => {
                let rgba = js_sys::Uint8ClampedArray::from(rgba.as_slice());
                post_envelope(
                    Envelope::new(&FromRenderer::Pixels { width, height })
                        .map(|e| e.with(Buffer::Rgba, &rgba)),
                );
            }
            Err(e) => post_error(format!("export failed: {e}")),
        },
        ToRenderer::Bench { frames } => bench(stage, *frames as usize).await,
    }
    Ok(())
}

fn selected(rows: &[u32]) {
    let rows = js_sys::Uint32Array::from(rows);
    post_envelope(Envelope::new(&FromRenderer::Selected).map(|e| e.with(Buffer::Rows, &rows)));
}

/// Where and how the view is drawn (the `init` message, its canvas taken out).
struct Init {
    canvas: web_sys::OffscreenCanvas,
    backend: Backend,
    size: (f64, f64, f64),
    offscreen: bool,
    pass_one: Option<PassOne>,
}

async fn init(stage: &mut Stage, init: Init) {
    stage.detach();
    let Init {
        canvas,
        backend: wanted,
        size: (width, height, ratio),
        offscreen,
        pass_one,
    } = init;
    stage.resize(width, height, ratio);
    let backend = stage::choose(wanted).await;
    let on_lost: super::gpu::OnLost = std::sync::Arc::new(move |m: String| post_lost(backend, m));
    let offscreen = offscreen && backend == Backend::WebGpu;
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
            if let (stage::Renderer::Gpu(g), Some(p)) = (&mut renderer, pass_one) {
                g.set_pass_one(p);
            }
            let adapter = renderer.adapter();
            let software = renderer.software();
            stage.attach(renderer, Some(canvas));
            post(&FromRenderer::Backend {
                backend,
                adapter,
                software,
            });
            draw(stage);
        }
        // The page gives the next backend a fresh canvas (a canvas keeps its first context type).
        Err(e) => post_lost(backend, e),
    }
}

/// Times `frames` redraws, each after a zoom step, waiting for each frame to finish (a 1-pixel
/// readback), and replies with the milliseconds per frame.
async fn bench(stage: &mut Stage, frames: usize) {
    let frames = frames.max(1);
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
    let ms = js_sys::Float64Array::from(times.as_slice());
    // The worker's whole linear memory (data, index, instance bytes; GPU buffers live outside it).
    let wasm_mb = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as f64 / 1e6);
    post_envelope(Envelope::new(&FromRenderer::Bench { wasm_mb }).map(|e| e.with(Buffer::Ms, &ms)));
}

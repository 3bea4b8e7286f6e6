//! The large views' renderers in headless Chromium (flags in webdriver.json: WebGPU through
//! SwiftShader's adapter, WebGL2 through SwiftShader): known data drawn offscreen and read back —
//! a point lands on the expected pixel in its category's colour, zoom ×2 moves it where the
//! camera says, picking names its row; heatmap cells get their colours.

use std::sync::Arc;

use silico::app::large_view::gpu::GpuRenderer;
use silico::app::large_view::stage::{self, Pick, Renderer, Stage};
use silico::app::large_view::Backend;
use silico::app::large_view::PassOne;
use silico::large_view::{colour, Bounds, Matrix, Points};
use wasm_bindgen_test::*;

const W: u32 = 200;
const H: u32 = 100;

async fn stage_on(backend: Backend) -> Stage {
    let mut stage = Stage::new(W as f64, H as f64, 1.0);
    let on_lost = Arc::new(|m: String| panic!("device lost: {m}"));
    match backend {
        // WebGPU cannot present to a canvas here; it renders offscreen without one.
        Backend::WebGpu => {
            let gpu = GpuRenderer::new(Backend::WebGpu, None, on_lost)
                .await
                .expect("a WebGPU device");
            stage.attach(Renderer::Gpu(Box::new(gpu)), None);
        }
        other => {
            let canvas = web_sys::OffscreenCanvas::new(W, H).unwrap();
            let r = stage::renderer(other, canvas.clone(), on_lost)
                .await
                .expect("a renderer");
            stage.attach(r, Some(canvas));
        }
    }
    assert_eq!(stage.renderer.as_ref().unwrap().backend(), backend);
    stage
}

fn pixel(rgba: &[u8], x: u32, y: u32) -> [u8; 4] {
    let i = ((y * W + x) * 4) as usize;
    [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
}

fn close(got: [u8; 4], want: [u8; 4], what: &str) {
    let near = got
        .iter()
        .zip(&want)
        .take(3)
        .all(|(a, b)| (*a as i32 - *b as i32).abs() <= 3);
    assert!(near, "{what}: got {got:?}, want {want:?}");
}

const WHITE: [u8; 4] = [255, 255, 255, 255];

/// The data window of the known-data scatters: 20 × 10 pixels per data unit on the 200 × 100 target.
const TEN_BY_TEN: Bounds = Bounds {
    x0: 0.0,
    x1: 10.0,
    y0: 0.0,
    y1: 10.0,
};

/// How a scatter is drawn: one quad per point, or the two-pass path of large scatters with its
/// pass 1 (a draw number per pixel) on the GPU or on the CPU.
#[derive(Clone, Copy, Debug)]
enum Path {
    Quads,
    TwoPass(PassOne),
}

/// Makes the stage's GPU renderer draw even a few points by `path`.
fn draw_by(stage: &mut Stage, path: Path) {
    if let Path::TwoPass(pass_one) = path {
        match stage.renderer.as_mut() {
            Some(Renderer::Gpu(g)) => {
                g.splat_from = 0;
                g.set_pass_one(pass_one);
            }
            _ => panic!("not a GPU renderer"),
        }
    }
}

/// With a two-pass `path`, the GPU draws even these three points the way it draws large scatters
/// (a draw number per pixel, discs resolved per pixel).
async fn scatter_lands_zooms_and_picks(backend: Backend, path: Path) {
    let mut stage = stage_on(backend).await;
    draw_by(&mut stage, path);
    let backend = format!("{backend:?} {path:?}");
    // Row 0 is NaN (dropped), so the point at (2, 3) is row 1.
    let points = Points::new(&[f64::NAN, 2.0, 8.0], &[1.0, 3.0, 7.0], Some(&[0, 1, 2])).unwrap();
    stage.load_scatter(points, None, 8.0);
    stage.set_view(TEN_BY_TEN);
    let (w, h, rgba) = stage.pixels().await.unwrap();
    assert_eq!((w, h), (W, H));
    // (2, 3) → pixel (40, 70); (8, 7) → (160, 30).
    close(
        pixel(&rgba, 40, 70),
        colour::category(1),
        &format!("{backend:?}: point (2, 3)"),
    );
    close(
        pixel(&rgba, 160, 30),
        colour::category(2),
        &format!("{backend:?}: point (8, 7)"),
    );
    close(
        pixel(&rgba, 100, 50),
        WHITE,
        &format!("{backend:?}: background"),
    );
    match stage.pick(41.0, 69.0) {
        Some(Pick::Point(p)) => assert_eq!((p.row, p.x, p.y), (1, 2.0, 3.0)),
        _ => panic!("{backend:?}: no point picked at (41, 69)"),
    }
    // Zoom ×2 about the bottom-left corner: (2, 3) moves to (80, 40).
    let v = stage.viewport().unwrap().zoom_about(0.0, 100.0, 2.0);
    stage.set_view(v.view);
    let (_, _, rgba) = stage.pixels().await.unwrap();
    close(
        pixel(&rgba, 80, 40),
        colour::category(1),
        &format!("{backend:?}: zoomed point"),
    );
    close(
        pixel(&rgba, 40, 70),
        WHITE,
        &format!("{backend:?}: old place now empty"),
    );
    match stage.pick(80.0, 40.0) {
        Some(Pick::Point(p)) => assert_eq!(p.row, 1),
        _ => panic!("{backend:?}: no point picked after zoom"),
    }
    assert_eq!(stage.select_box((60.0, 20.0), (100.0, 60.0)), vec![1]);
}

async fn heatmap_cells_get_their_colours(backend: Backend) {
    let mut stage = stage_on(backend).await;
    let m = Matrix::new(
        2,
        2,
        vec![0.0, 1.0, f32::NAN, 0.5],
        vec!["a".into(), "b".into()],
        vec!["x".into(), "y".into()],
    )
    .unwrap();
    stage.load_heatmap(m);
    let (_, _, rgba) = stage.pixels().await.unwrap();
    // Home view: each cell 100 × 50 px, row 0 on top.
    close(
        pixel(&rgba, 50, 25),
        colour::sequential(0.0),
        &format!("{backend:?}: cell (0, 0)"),
    );
    close(
        pixel(&rgba, 150, 25),
        colour::sequential(1.0),
        &format!("{backend:?}: cell (0, 1)"),
    );
    close(
        pixel(&rgba, 50, 75),
        colour::MISSING,
        &format!("{backend:?}: missing cell"),
    );
    close(
        pixel(&rgba, 150, 75),
        colour::sequential(0.5),
        &format!("{backend:?}: cell (1, 1)"),
    );
    match stage.pick(150.0, 75.0) {
        Some(Pick::Cell(c)) => assert_eq!((c.row, c.column, c.value), (1, 1, 0.5)),
        _ => panic!("{backend:?}: no cell picked"),
    }
}

#[wasm_bindgen_test]
async fn webgpu_draws_scatter_points_where_the_camera_says() {
    scatter_lands_zooms_and_picks(Backend::WebGpu, Path::Quads).await;
}

#[wasm_bindgen_test]
async fn webgpu_draws_large_scatters_in_two_passes_where_the_camera_says() {
    scatter_lands_zooms_and_picks(Backend::WebGpu, Path::TwoPass(PassOne::Gpu)).await;
    scatter_lands_zooms_and_picks(Backend::WebGpu, Path::TwoPass(PassOne::Cpu)).await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_large_scatters_in_two_passes_where_the_camera_says() {
    scatter_lands_zooms_and_picks(Backend::WebGl2, Path::TwoPass(PassOne::Gpu)).await;
    scatter_lands_zooms_and_picks(Backend::WebGl2, Path::TwoPass(PassOne::Cpu)).await;
}

/// Where marks overlap, the later row is on top: the same rule for quads and the two-pass path.
async fn later_points_cover_earlier(backend: Backend, path: Path) {
    let mut stage = stage_on(backend).await;
    draw_by(&mut stage, path);
    let points = Points::new(&[5.0, 5.0, 5.2], &[5.0, 5.0, 5.0], Some(&[1, 2, 3])).unwrap();
    stage.load_scatter(points, None, 6.0);
    stage.set_view(TEN_BY_TEN);
    let (_, _, rgba) = stage.pixels().await.unwrap();
    // (5, 5) → pixel (100, 50), drawn over by row 2; row 3 at (104, 50) covers (103, 50).
    close(
        pixel(&rgba, 99, 50),
        colour::category(2),
        &format!("{backend:?} {path:?}: later of two equal points"),
    );
    close(
        pixel(&rgba, 103, 50),
        colour::category(3),
        &format!("{backend:?} {path:?}: overlapping later point"),
    );
}

#[wasm_bindgen_test]
async fn webgpu_draws_later_points_on_top_both_ways() {
    later_points_cover_earlier(Backend::WebGpu, Path::Quads).await;
    later_points_cover_earlier(Backend::WebGpu, Path::TwoPass(PassOne::Gpu)).await;
    later_points_cover_earlier(Backend::WebGpu, Path::TwoPass(PassOne::Cpu)).await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_later_points_on_top_both_ways() {
    later_points_cover_earlier(Backend::WebGl2, Path::Quads).await;
    later_points_cover_earlier(Backend::WebGl2, Path::TwoPass(PassOne::Gpu)).await;
    later_points_cover_earlier(Backend::WebGl2, Path::TwoPass(PassOne::Cpu)).await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_scatter_points_where_the_camera_says() {
    scatter_lands_zooms_and_picks(Backend::WebGl2, Path::Quads).await;
}

#[wasm_bindgen_test]
async fn canvas2d_draws_scatter_points_where_the_camera_says() {
    scatter_lands_zooms_and_picks(Backend::Canvas2d, Path::Quads).await;
}

#[wasm_bindgen_test]
async fn webgpu_draws_heatmap_cells() {
    heatmap_cells_get_their_colours(Backend::WebGpu).await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_heatmap_cells() {
    heatmap_cells_get_their_colours(Backend::WebGl2).await;
}

#[wasm_bindgen_test]
async fn canvas2d_draws_heatmap_cells() {
    heatmap_cells_get_their_colours(Backend::Canvas2d).await;
}

#[wasm_bindgen_test]
async fn capability_detection_finds_webgpu_here() {
    assert_eq!(stage::choose(Backend::WebGpu).await, Backend::WebGpu);
    assert_eq!(stage::choose(Backend::WebGl2).await, Backend::WebGl2);
}

/// Waits `ms` milliseconds (the browser's event loop runs meanwhile).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A WebGL2 context the browser takes back (driver reset, too many contexts) is reported, so the
/// view can fall back to the next renderer instead of silently drawing nothing.
#[wasm_bindgen_test]
async fn a_lost_webgl2_context_is_reported() {
    let lost = Arc::new(std::sync::Mutex::new(None::<String>));
    let seen = Arc::clone(&lost);
    let on_lost = Arc::new(move |m: String| *seen.lock().unwrap() = Some(m));
    let canvas = web_sys::OffscreenCanvas::new(W, H).unwrap();
    let renderer = stage::renderer(Backend::WebGl2, canvas.clone(), on_lost)
        .await
        .expect("a WebGL2 renderer");
    let mut stage = Stage::new(W as f64, H as f64, 1.0);
    stage.attach(renderer, Some(canvas.clone()));
    let points = Points::new(&[1.0, 2.0], &[1.0, 2.0], None).unwrap();
    stage.load_scatter(points, None, 4.0);
    stage.draw().expect("a first frame");
    sleep(50).await;
    assert_eq!(*lost.lock().unwrap(), None, "lost before anything happened");
    // The same context wgpu draws with, asked to pretend the GPU took it back.
    let gl = canvas
        .get_context("webgl2")
        .unwrap()
        .expect("the WebGL2 context");
    let get_extension: js_sys::Function = js_sys::Reflect::get(&gl, &"getExtension".into())
        .unwrap()
        .into();
    let extension = get_extension
        .call1(&gl, &"WEBGL_lose_context".into())
        .unwrap();
    let lose: js_sys::Function = js_sys::Reflect::get(&extension, &"loseContext".into())
        .unwrap()
        .into();
    lose.call0(&extension).unwrap();
    for _ in 0..50 {
        if lost.lock().unwrap().is_some() {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(
        lost.lock().unwrap().as_deref(),
        Some("the WebGL2 context was lost")
    );
}

/// Each point keeps its own size, in the two-pass path too: the big disc (8 px) reaches 2 pixels
/// from its centre, the small one (2 px) does not.
async fn points_keep_their_sizes(backend: Backend, path: Path) {
    let mut stage = stage_on(backend).await;
    draw_by(&mut stage, path);
    // Centres on pixel centres, so the quads' sub-pixel edges do not blur the checks.
    let points = Points::new(&[2.025, 8.025], &[4.95, 4.95], Some(&[1, 2])).unwrap();
    stage.load_scatter(points, Some(&[8.0, 2.0]), 4.0);
    stage.set_view(TEN_BY_TEN);
    let (_, _, rgba) = stage.pixels().await.unwrap();
    // Pixel (40, 50) with radius 4; pixel (160, 50) with radius 1.
    let what = |w: &str| format!("{backend:?} {path:?}: {w}");
    close(
        pixel(&rgba, 42, 50),
        colour::category(1),
        &what("big point, 2 px out"),
    );
    close(
        pixel(&rgba, 160, 50),
        colour::category(2),
        &what("small point's centre"),
    );
    close(
        pixel(&rgba, 162, 50),
        WHITE,
        &what("2 px beyond the small point"),
    );
}

#[wasm_bindgen_test]
async fn webgpu_draws_each_point_at_its_size() {
    points_keep_their_sizes(Backend::WebGpu, Path::Quads).await;
    points_keep_their_sizes(Backend::WebGpu, Path::TwoPass(PassOne::Gpu)).await;
    points_keep_their_sizes(Backend::WebGpu, Path::TwoPass(PassOne::Cpu)).await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_each_point_at_its_size() {
    points_keep_their_sizes(Backend::WebGl2, Path::Quads).await;
    points_keep_their_sizes(Backend::WebGl2, Path::TwoPass(PassOne::Gpu)).await;
    points_keep_their_sizes(Backend::WebGl2, Path::TwoPass(PassOne::Cpu)).await;
}

//! The estimates' plot on a `<canvas>` (drawn by the engine's plot module through plotters-canvas),
//! with PNG (from the canvas) and SVG (from the same figure) downloads.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::browser;
use crate::plot::{self, Chart, Figure};

/// The plot's width in CSS pixels; the canvas holds `devicePixelRatio` times more for sharp text.
const WIDTH: u32 = plot::DEFAULT_WIDTH;

/// Sizes the canvas and draws the chart on it.
fn paint(canvas: web_sys::HtmlCanvasElement, chart: &Chart) -> Result<(), String> {
    let ratio = browser::pixel_ratio();
    let height = plot::chart_height(chart, WIDTH, 1.0);
    canvas.set_width((f64::from(WIDTH) * ratio).round() as u32);
    canvas.set_height((f64::from(height) * ratio).round() as u32);
    let style = format!("width: {WIDTH}px; aspect-ratio: {WIDTH} / {height};");
    canvas
        .set_attribute("style", &style)
        .map_err(|e| format!("{e:?}"))?;
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or("this browser cannot draw on a canvas (no 2D context)")?;
    let root = backend.into_drawing_area();
    plot::draw_chart(chart, &root, ratio).map_err(|e| e.to_string())?;
    root.present().map_err(|e| format!("{e:?}"))
}

/// Offers a data URL (the canvas's PNG) as a download.
fn download_url(filename: &str, url: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(url);
    anchor.set_download(filename);
    anchor.click();
    Ok(())
}

/// The estimates' plot, with downloads named after `file_stem`.
#[component]
pub fn PlotView(figure: Figure, file_stem: String) -> impl IntoView {
    let label = format!("{}. The table below lists every estimate.", figure.title);
    view! { <ChartCanvas chart=Chart::from(figure) file_stem=file_stem label=label testid="estimates-plot" /> }
}

/// Any chart of the plot module drawn on a canvas (on the page's thread: plotters measures text
/// with the browser's canvas, which a worker lacks), with PNG and SVG downloads.
#[component]
pub fn ChartCanvas(
    chart: Chart,
    file_stem: String,
    label: String,
    testid: &'static str,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let problem = RwSignal::new(None::<String>);
    let figure = StoredValue::new(chart);
    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            if let Err(message) = figure.with_value(|f| paint(canvas, f)) {
                problem.set(Some(message));
            }
        }
    });
    let png_name = format!("{file_stem}.png");
    let svg_name = format!("{file_stem}.svg");
    let download_png = move |_| {
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        match canvas.to_data_url_with_type("image/png") {
            Ok(url) => {
                let _ = download_url(&png_name, &url);
            }
            Err(e) => problem.set(Some(format!("the PNG could not be made: {e:?}"))),
        }
    };
    let download_svg = move |_| match figure.with_value(|f| plot::chart_to_svg(f, WIDTH)) {
        Ok(svg) => {
            let _ = browser::download(&svg_name, "image/svg+xml", &svg);
        }
        Err(e) => problem.set(Some(e.to_string())),
    };
    view! {
        <div class="plot-view">
            <div class="plot-actions">
                <button type="button" class="secondary" on:click=download_png>"Download PNG"</button>
                <button type="button" class="secondary" on:click=download_svg>"Download SVG"</button>
            </div>
            {move || problem.get().map(|message| view! {
                <p class="notice notice-error" role="alert">"The plot could not be drawn: " {message}</p>
            })}
            <div class="plot-scroll">
                <canvas node_ref=canvas_ref data-testid=testid role="img" aria-label=label></canvas>
            </div>
        </div>
    }
}

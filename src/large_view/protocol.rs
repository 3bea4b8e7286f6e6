//! The messages between a large view's page and its renderer (the `silico-gpu` worker), typed both
//! ways as the model and jobs workers' are: [`ToRenderer`] (page → renderer) and [`FromRenderer`]
//! (renderer → page), each sent as JSON text in an envelope `{text, …}`. The large binary payloads
//! — a million x and y values, a heatmap's values, a frame's RGBA — stay out of the JSON: they
//! travel beside the text as typed arrays that are transferred (moved, not copied), under the names
//! of [`Buffer`], and each message says which travel with it ([`Message::buffers`]). A message its
//! reader cannot read is an error that names it, never silently dropped.
//!
//! The envelope itself (JS objects, transfer lists) is the page's, in `app::large_view::envelope`.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use super::scene::{CellPick, MatrixOrder, PointPick};
use super::viewport::Bounds;

/// Which renderer draws a large view: WebGPU first, then WebGL2, then Canvas2D (small data only).
/// On the wire (and in the page's renderer menu) by its slug: `webgpu`, `webgl2`, `canvas2d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// Where a large scatter's pass 1 (a draw number per pixel) runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassOne {
    /// A compute pass (WebGPU) or point primitives (WebGL2): right for real GPUs.
    Gpu,
    /// A loop in the worker, then one upload of the ids: right for software rasterisers.
    Cpu,
}

/// What the pointer is over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pick {
    Point(PointPick),
    Cell(CellPick),
}

/// A binary payload that travels beside a message's text, under this name, transferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buffer {
    /// The marks' canvas (an OffscreenCanvas), for `init`.
    Canvas,
    /// A scatter's x and y per row (Float64Array each).
    Xs,
    Ys,
    /// A scatter's colour index per row (Uint16Array).
    Categories,
    /// A scatter's diameter per row in CSS pixels (Float32Array).
    Sizes,
    /// A heatmap's values, row-major, NaN = no value (Float32Array).
    Values,
    /// Rows (Uint32Array): the selected source rows, or each drawn row's matrix row.
    Rows,
    /// Each drawn column's matrix column (Uint32Array).
    Columns,
    /// A frame's pixels, row by row (Uint8ClampedArray).
    Rgba,
    /// Milliseconds per benchmark frame (Float64Array).
    Ms,
}

impl Buffer {
    /// Its field in the envelope.
    pub fn name(self) -> &'static str {
        match self {
            Buffer::Canvas => "canvas",
            Buffer::Xs => "xs",
            Buffer::Ys => "ys",
            Buffer::Categories => "categories",
            Buffer::Sizes => "sizes",
            Buffer::Values => "values",
            Buffer::Rows => "rows",
            Buffer::Columns => "columns",
            Buffer::Rgba => "rgba",
            Buffer::Ms => "ms",
        }
    }
}

impl fmt::Display for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Page → renderer. The renderer handles them one at a time, in arrival order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToRenderer {
    /// Draw on the `canvas` sent beside, with `backend` or the next one this browser has; the
    /// plot is `width` × `height` CSS pixels at `ratio` device pixels each. `offscreen` (the
    /// benchmark) renders WebGPU without presenting; `pass_one` overrides where a large
    /// scatter's pass 1 runs (the benchmark compares both). Buffers: `canvas`.
    Init {
        backend: Backend,
        width: f64,
        height: f64,
        ratio: f64,
        offscreen: bool,
        pass_one: Option<PassOne>,
    },
    /// A scatter, `point_px` wide where no size is given. Buffers: `xs`, `ys`, and `categories`
    /// and `sizes` when these say so.
    Scatter {
        point_px: f32,
        categories: bool,
        sizes: bool,
    },
    /// A heatmap of `rows` × `columns` cells. Buffers: `values`.
    Heatmap { rows: usize, columns: usize },
    /// The camera: `view` fills a plot of `width` × `height` CSS pixels at `ratio`.
    View {
        view: Bounds,
        width: f64,
        height: f64,
        ratio: f64,
    },
    /// Density bins instead of points (a scatter).
    Density { on: bool },
    /// A heatmap's row and column order; answered with `ordered`.
    Order { order: MatrixOrder },
    /// What is under plot pixel (`px`, `py`); answered with `picked` and the same `seq`.
    Pick { seq: u32, px: f64, py: f64 },
    /// The rows inside the pixel rectangle between two corners; answered with `selected`.
    SelectBox { from: (f64, f64), to: (f64, f64) },
    /// The rows inside a polygon drawn in plot pixels; answered with `selected`.
    SelectLasso { polygon: Vec<(f64, f64)> },
    /// The current view's pixels; answered with `pixels`.
    Pixels,
    /// Time `frames` redraws, each after a zoom step; answered with `bench`.
    Bench { frames: u32 },
}

/// Renderer → page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromRenderer {
    /// The renderer's wasm is running and takes messages.
    Ready,
    /// `backend` draws the view, on `adapter`; `software`: a CPU rasteriser (large scatters'
    /// pass 1 then runs on the CPU).
    Backend {
        backend: Backend,
        adapter: String,
        software: bool,
    },
    /// The data are in: `count` marks, `home` the view reset returns to, `note` what was left
    /// out, `range` a heatmap's colour scale ends.
    Loaded {
        note: Option<String>,
        home: Bounds,
        count: usize,
        range: Option<(f32, f32)>,
    },
    /// `backend` failed or lost its device; the page gives the next one a fresh canvas.
    Lost { backend: Backend, message: String },
    /// The answer to `pick` number `seq`: the mark there, if any.
    Picked { seq: u32, pick: Option<Pick> },
    /// The selected source rows. Buffers: `rows`.
    Selected,
    /// A heatmap's order, for the axes' names. Buffers: `rows` and `columns` (drawn → matrix).
    Ordered,
    /// The current view, `width` × `height` device pixels. Buffers: `rgba`.
    Pixels { width: u32, height: u32 },
    /// Milliseconds per frame, and the renderer's wasm memory in MB where it could be read.
    /// Buffers: `ms`.
    Bench { wasm_mb: Option<f64> },
    /// Something the page asked for failed (or could not be read); `message` says which and why.
    Error { message: String },
}

/// One direction's messages: read as JSON text, with buffers beside it.
pub trait Message: Serialize + DeserializeOwned {
    /// Who reads these (for errors: "the renderer cannot read …").
    const READER: &'static str;

    /// The buffers that travel beside this message's text.
    fn buffers(&self) -> Vec<Buffer>;
}

impl Message for ToRenderer {
    const READER: &'static str = "the renderer";

    fn buffers(&self) -> Vec<Buffer> {
        match self {
            ToRenderer::Init { .. } => vec![Buffer::Canvas],
            ToRenderer::Scatter {
                categories, sizes, ..
            } => {
                let mut b = vec![Buffer::Xs, Buffer::Ys];
                if *categories {
                    b.push(Buffer::Categories);
                }
                if *sizes {
                    b.push(Buffer::Sizes);
                }
                b
            }
            ToRenderer::Heatmap { .. } => vec![Buffer::Values],
            ToRenderer::View { .. }
            | ToRenderer::Density { .. }
            | ToRenderer::Order { .. }
            | ToRenderer::Pick { .. }
            | ToRenderer::SelectBox { .. }
            | ToRenderer::SelectLasso { .. }
            | ToRenderer::Pixels
            | ToRenderer::Bench { .. } => Vec::new(),
        }
    }
}

impl Message for FromRenderer {
    const READER: &'static str = "the page";

    fn buffers(&self) -> Vec<Buffer> {
        match self {
            FromRenderer::Selected => vec![Buffer::Rows],
            FromRenderer::Ordered => vec![Buffer::Rows, Buffer::Columns],
            FromRenderer::Pixels { .. } => vec![Buffer::Rgba],
            FromRenderer::Bench { .. } => vec![Buffer::Ms],
            FromRenderer::Ready
            | FromRenderer::Backend { .. }
            | FromRenderer::Loaded { .. }
            | FromRenderer::Lost { .. }
            | FromRenderer::Picked { .. }
            | FromRenderer::Error { .. } => Vec::new(),
        }
    }
}

/// A message that could not be written, read or completed.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ProtocolError {
    /// Not one of the reader's messages (an unknown kind, a missing or mistyped field, not JSON).
    #[error("{reader} cannot read {what}: {reason}")]
    Unreadable {
        reader: &'static str,
        /// The message as far as it can be named: "the message `zoom`", "an empty message".
        what: String,
        reason: String,
    },
    /// A buffer the message names is not beside it (or is not the typed array it should be).
    #[error("the message `{kind}` came without its `{buffer}` buffer (for {reader})")]
    MissingBuffer {
        reader: &'static str,
        kind: String,
        buffer: Buffer,
    },
    /// One of the reader's messages, but not an answer to anything it asked.
    #[error("{reader} did not expect the message `{kind}`")]
    Unexpected { reader: &'static str, kind: String },
    #[error("the message could not be written: {reason}")]
    Unwritable { reason: String },
}

impl From<ProtocolError> for FromRenderer {
    /// The renderer's answer to a message it could not read or complete.
    fn from(error: ProtocolError) -> Self {
        FromRenderer::Error {
            message: error.to_string(),
        }
    }
}

/// The JSON text of `message`.
pub fn encode<M: Message>(message: &M) -> Result<String, ProtocolError> {
    serde_json::to_string(message).map_err(|e| ProtocolError::Unwritable {
        reason: e.to_string(),
    })
}

/// The message in `text`, or an error naming it and saying what is wrong.
pub fn decode<M: Message>(text: &str) -> Result<M, ProtocolError> {
    serde_json::from_str(text).map_err(|e| ProtocolError::Unreadable {
        reader: M::READER,
        what: describe(text),
        reason: e.to_string(),
    })
}

/// The `kind` a message's text claims, if it is JSON with one.
pub fn kind_of(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
    }
    serde_json::from_str::<Kind>(text).ok().map(|k| k.kind)
}

/// A message named for an error: by its kind, else by its start.
fn describe(text: &str) -> String {
    if let Some(kind) = kind_of(text) {
        return format!("the message `{kind}`");
    }
    if text.trim().is_empty() {
        return "an empty message (no JSON text in the envelope)".into();
    }
    let start: String = text.chars().take(60).collect();
    let cut = if start.len() < text.len() { "…" } else { "" };
    format!("the message {start:?}{cut}")
}

/// JSON has no NaN (serde_json writes it as null): a float that may be NaN reads null back as NaN.
pub(crate) fn null_as_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn bounds() -> Bounds {
        Bounds {
            x0: -1.5,
            x1: 2.25,
            y0: 0.1,
            y1: 1e9,
        }
    }

    fn to_renderer() -> Vec<ToRenderer> {
        vec![
            ToRenderer::Init {
                backend: Backend::WebGl2,
                width: 800.0,
                height: 460.0,
                ratio: 2.0,
                offscreen: false,
                pass_one: None,
            },
            ToRenderer::Init {
                backend: Backend::WebGpu,
                width: 800.0,
                height: 600.0,
                ratio: 1.0,
                offscreen: true,
                pass_one: Some(PassOne::Cpu),
            },
            ToRenderer::Scatter {
                point_px: 3.5,
                categories: true,
                sizes: false,
            },
            ToRenderer::Heatmap {
                rows: 1000,
                columns: 7,
            },
            ToRenderer::View {
                view: bounds(),
                width: 1022.0,
                height: 406.0,
                ratio: 1.25,
            },
            ToRenderer::Density { on: true },
            ToRenderer::Order {
                order: MatrixOrder::Seriation,
            },
            ToRenderer::Order {
                order: MatrixOrder::ByColumn(12),
            },
            ToRenderer::Pick {
                seq: 41,
                px: 10.5,
                py: 99.0,
            },
            ToRenderer::SelectBox {
                from: (1.0, 2.0),
                to: (30.5, 40.0),
            },
            ToRenderer::SelectLasso {
                polygon: vec![(0.0, 0.0), (10.0, 0.0), (5.0, 8.5)],
            },
            ToRenderer::Pixels,
            ToRenderer::Bench { frames: 10 },
        ]
    }

    fn from_renderer() -> Vec<FromRenderer> {
        vec![
            FromRenderer::Ready,
            FromRenderer::Backend {
                backend: Backend::Canvas2d,
                adapter: "2D canvas".into(),
                software: false,
            },
            FromRenderer::Loaded {
                note: Some("12 rows left out: x or y missing".into()),
                home: bounds(),
                count: 1_000_000,
                range: None,
            },
            FromRenderer::Loaded {
                note: None,
                home: bounds(),
                count: 250_000,
                range: Some((-0.25, 0.1)),
            },
            FromRenderer::Lost {
                backend: Backend::WebGpu,
                message: "the device was lost".into(),
            },
            FromRenderer::Picked { seq: 3, pick: None },
            FromRenderer::Picked {
                seq: 4,
                pick: Some(Pick::Point(PointPick {
                    index: 7,
                    row: 9,
                    x: 0.1,
                    y: -3.5,
                    category: 2,
                })),
            },
            FromRenderer::Picked {
                seq: 5,
                pick: Some(Pick::Cell(CellPick {
                    row: 1,
                    column: 2,
                    value: 0.3,
                    drawn_row: 4,
                    drawn_column: 0,
                })),
            },
            FromRenderer::Selected,
            FromRenderer::Ordered,
            FromRenderer::Pixels {
                width: 1600,
                height: 812,
            },
            FromRenderer::Bench {
                wasm_mb: Some(61.5),
            },
            FromRenderer::Bench { wasm_mb: None },
            FromRenderer::Error {
                message: "export failed: no renderer".into(),
            },
        ]
    }

    /// Every kind serde knows, from its error for a kind it does not know.
    fn known_kinds<M: Message>() -> BTreeSet<String> {
        let reason = match decode::<M>(r#"{"kind":"?"}"#) {
            Err(ProtocolError::Unreadable { reason, .. }) => reason,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("a kind `?` was read"),
        };
        let (_, list) = reason.split_once("expected one of").unwrap();
        list.split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect()
    }

    /// Each message survives the JSON unchanged, and the list covers every kind there is.
    fn round_trips<M: Message + PartialEq + std::fmt::Debug>(all: &[M]) {
        let mut kinds = BTreeSet::new();
        for m in all {
            let text = encode(m).unwrap();
            assert_eq!(&decode::<M>(&text).unwrap(), m, "{text}");
            kinds.insert(kind_of(&text).unwrap());
        }
        assert_eq!(kinds, known_kinds::<M>());
    }

    #[test]
    fn every_message_to_the_renderer_round_trips() {
        round_trips(&to_renderer());
    }

    #[test]
    fn every_message_from_the_renderer_round_trips() {
        round_trips(&from_renderer());
    }

    #[test]
    fn the_wire_uses_snake_case_and_typed_fields() {
        let text = encode(&ToRenderer::Init {
            backend: Backend::WebGl2,
            width: 1.0,
            height: 2.0,
            ratio: 1.0,
            offscreen: false,
            pass_one: Some(PassOne::Gpu),
        })
        .unwrap();
        assert_eq!(
            text,
            r#"{"kind":"init","backend":"webgl2","width":1.0,"height":2.0,"ratio":1.0,"offscreen":false,"pass_one":"gpu"}"#
        );
        let order = encode(&ToRenderer::Order {
            order: MatrixOrder::ByColumn(3),
        })
        .unwrap();
        assert_eq!(order, r#"{"kind":"order","order":{"by_column":3}}"#);
        let lasso = encode(&ToRenderer::SelectBox {
            from: (1.0, 2.0),
            to: (3.0, 4.0),
        })
        .unwrap();
        assert_eq!(
            lasso,
            r#"{"kind":"select_box","from":[1.0,2.0],"to":[3.0,4.0]}"#
        );
        let picked = encode(&FromRenderer::Picked {
            seq: 1,
            pick: Some(Pick::Point(PointPick {
                index: 0,
                row: 5,
                x: 0.5,
                y: 1.0,
                category: 1,
            })),
        })
        .unwrap();
        assert_eq!(
            picked,
            r#"{"kind":"picked","seq":1,"pick":{"kind":"point","index":0,"row":5,"x":0.5,"y":1.0,"category":1}}"#
        );
        // The slug the page's renderer menu uses is the wire name.
        for b in Backend::ALL {
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                format!("\"{}\"", b.slug())
            );
            assert_eq!(Backend::from_slug(b.slug()), Some(b));
        }
    }

    #[test]
    fn a_cell_with_no_value_travels_as_null_and_comes_back_nan() {
        let m = FromRenderer::Picked {
            seq: 2,
            pick: Some(Pick::Cell(CellPick {
                row: 0,
                column: 1,
                value: f32::NAN,
                drawn_row: 0,
                drawn_column: 1,
            })),
        };
        let text = encode(&m).unwrap();
        assert!(text.contains(r#""value":null"#), "{text}");
        match decode::<FromRenderer>(&text).unwrap() {
            FromRenderer::Picked {
                pick: Some(Pick::Cell(c)),
                ..
            } => assert!(c.value.is_nan() && (c.row, c.column) == (0, 1)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_kind_is_an_error_naming_it() {
        let e = decode::<ToRenderer>(r#"{"kind":"zoom","factor":2}"#).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("the renderer cannot read the message `zoom`: unknown variant `zoom`"),
            "{text}"
        );
        assert!(text.contains("`select_lasso`"), "lists the kinds: {text}");
        // The renderer answers with it, so the page shows it.
        assert_eq!(FromRenderer::from(e), FromRenderer::Error { message: text });
        let e = decode::<FromRenderer>(r#"{"kind":"hovered"}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the page cannot read the message `hovered`: unknown variant"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_messages_say_what_is_wrong() {
        // The old untyped style: camelCase keys, a string order.
        let e = decode::<ToRenderer>(r#"{"kind":"scatter","pointPx":3}"#).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "the renderer cannot read the message `scatter`: missing field `point_px`"
            ),
            "{e}"
        );
        let e = decode::<ToRenderer>(r#"{"kind":"order","order":"column:3"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant `column:3`"), "{e}");
        let e = decode::<ToRenderer>("").unwrap_err();
        assert!(e.to_string().contains("an empty message"), "{e}");
        let e = decode::<ToRenderer>(r#"{"x0":1}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(r#"the renderer cannot read the message "{\"x0\":1}": "#),
            "{e}"
        );
        // A NaN where a number is due (JSON writes it as null) is refused, not read as 0.
        let e = decode::<FromRenderer>(
            r#"{"kind":"loaded","note":null,"home":{"x0":null,"x1":1,"y0":0,"y1":1},"count":1,"range":null}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("invalid type: null"), "{e}");
    }

    #[test]
    fn messages_name_the_buffers_that_travel_with_them() {
        let names = |b: Vec<Buffer>| b.iter().map(|b| b.name()).collect::<Vec<_>>();
        let scatter = |categories, sizes| ToRenderer::Scatter {
            point_px: 3.0,
            categories,
            sizes,
        };
        assert_eq!(names(scatter(false, false).buffers()), ["xs", "ys"]);
        assert_eq!(
            names(scatter(true, true).buffers()),
            ["xs", "ys", "categories", "sizes"]
        );
        let heatmap = ToRenderer::Heatmap {
            rows: 1,
            columns: 1,
        };
        assert_eq!(names(heatmap.buffers()), ["values"]);
        assert_eq!(names(to_renderer()[0].buffers()), ["canvas"]);
        assert_eq!(names(FromRenderer::Ordered.buffers()), ["rows", "columns"]);
        assert_eq!(names(FromRenderer::Selected.buffers()), ["rows"]);
        let pixels = FromRenderer::Pixels {
            width: 1,
            height: 1,
        };
        assert_eq!(names(pixels.buffers()), ["rgba"]);
        assert_eq!(
            names(FromRenderer::Bench { wasm_mb: None }.buffers()),
            ["ms"]
        );
        // The small messages carry everything in their text.
        assert!(ToRenderer::Pixels.buffers().is_empty());
        assert!(FromRenderer::Ready.buffers().is_empty());
    }
}

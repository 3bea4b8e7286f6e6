//! The Compare tab's large views: every respondent × question agreement cell as a GPU heatmap, and
//! every pair's human vs twin answer as a GPU scatter, each opened on demand (the renderer loads
//! only then) and linked to a table of the selected rows.

use std::rc::Rc;

use leptos::prelude::*;

use super::large_view::view::Hit;
use super::large_view::{LargeData, LargeView, LargeViewSpec};
use crate::large_view::inputs;
use crate::study::ResponseTable;

fn fmt(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "–".into()
    }
}

fn heatmap_spec(matrix_csv: &str) -> Result<LargeViewSpec, String> {
    let m = inputs::matrix_from_wide_csv(matrix_csv).map_err(|e| e.to_string())?;
    let (rows, columns) = (m.row_labels.len(), m.column_labels.len());
    let people = Rc::new(m.row_labels);
    let questions = Rc::new(m.column_labels);
    let values = Rc::new(m.values);
    let (p, q) = (people.clone(), questions.clone());
    let (p2, v2) = (people.clone(), values.clone());
    Ok(LargeViewSpec {
        name: "agreement".into(),
        x_label: format!("question (1–{columns})"),
        y_label: format!("respondent (1–{rows})"),
        data: Rc::new(LargeData::Heatmap {
            rows,
            columns,
            values: values.to_vec(),
        }),
        categories: Vec::new(),
        describe: Rc::new(move |hit: &Hit| {
            let column = hit.column.unwrap_or(0) as usize;
            format!(
                "person {} · {} · agreement {}",
                p.get(hit.row as usize).map_or("?", |s| s.as_str()),
                q.get(column).map_or("?", |s| s.as_str()),
                fmt(hit.value)
            )
        }),
        table_header: vec![
            "person".into(),
            "mean agreement".into(),
            "questions answered".into(),
        ],
        table_row: Rc::new(move |row: u32| {
            let r = row as usize;
            let cells = &v2[r * columns..(r + 1) * columns];
            let finite: Vec<f64> = cells
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| v as f64)
                .collect();
            let mean = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
            vec![
                p2.get(r).cloned().unwrap_or_default(),
                if finite.is_empty() {
                    "–".into()
                } else {
                    fmt(mean)
                },
                finite.len().to_string(),
            ]
        }),
        axis_names: None,
    })
}

fn scatter_spec(
    table: &ResponseTable,
    person: &str,
    question: &[String],
    human: &str,
    twin: &str,
) -> Result<LargeViewSpec, String> {
    let colour = question.first().map(String::as_str);
    let s = inputs::scatter_columns(table, human, twin, colour, 0.3).map_err(|e| e.to_string())?;
    let text = |name: &str| -> Rc<Vec<String>> {
        let n = s.xs.len();
        Rc::new(match table.column(name).map(|c| &c.values) {
            Some(crate::study::ColumnValues::Text(v)) => {
                v.iter().map(|x| x.clone().unwrap_or_default()).collect()
            }
            Some(crate::study::ColumnValues::Number(v)) => v
                .iter()
                .map(|x| x.map(|x| x.to_string()).unwrap_or_default())
                .collect(),
            None => vec![String::new(); n],
        })
    };
    let people = text(person);
    let keys: Vec<Rc<Vec<String>>> = question.iter().map(|q| text(q)).collect();
    let (hs, ts) = (text(human), text(twin));
    let describe_row = {
        let (people, keys, hs, ts) = (people.clone(), keys.clone(), hs.clone(), ts.clone());
        Rc::new(move |row: u32| {
            let r = row as usize;
            let key: Vec<String> = keys
                .iter()
                .map(|k| k.get(r).cloned().unwrap_or_default())
                .collect();
            vec![
                (r + 1).to_string(),
                people.get(r).cloned().unwrap_or_default(),
                key.join(" / "),
                hs.get(r).cloned().unwrap_or_default(),
                ts.get(r).cloned().unwrap_or_default(),
            ]
        })
    };
    let tooltip_row = describe_row.clone();
    Ok(LargeViewSpec {
        name: "pairs".into(),
        x_label: format!("{human} (human answer, jittered ±0.3)"),
        y_label: format!("{twin} (twin answer, jittered ±0.3)"),
        data: Rc::new(LargeData::Scatter {
            xs: s.xs,
            ys: s.ys,
            categories: Some(s.categories),
            sizes: None,
            point_px: 3.0,
        }),
        categories: s.names,
        describe: Rc::new(move |hit: &Hit| {
            let c = tooltip_row(hit.row);
            format!(
                "row {} · person {} · {} · human {} · twin {}",
                c[0], c[1], c[2], c[3], c[4]
            )
        }),
        table_header: vec![
            "row".into(),
            "person".into(),
            "question".into(),
            "human".into(),
            "twin".into(),
        ],
        table_row: describe_row,
        axis_names: None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Open {
    None,
    Heatmap,
    Scatter,
}

/// Buttons that open the large views (one at a time) under the comparison's results.
#[component]
pub fn CompareLargeViews(
    table: ResponseTable,
    person: String,
    question: Vec<String>,
    human: String,
    twin: String,
    matrix_csv: String,
) -> impl IntoView {
    let open = RwSignal::new(Open::None);
    let pairs = table.columns.first().map_or(0, |c| c.values.len());
    let heatmap = StoredValue::new_local(heatmap_spec(&matrix_csv));
    let scatter = StoredValue::new_local(scatter_spec(&table, &person, &question, &human, &twin));
    let shown = move |which: Open| {
        let spec = match which {
            Open::None => return None,
            Open::Heatmap => heatmap.get_value(),
            Open::Scatter => scatter.get_value(),
        };
        Some(match spec {
            Ok(spec) => view! { <LargeView spec=spec /> }.into_any(),
            Err(e) => view! { <div class="notice notice-error" role="alert">{e}</div> }.into_any(),
        })
    };
    view! {
        <h3>"Large views (GPU)"</h3>
        <p class="muted">"Every cell and every pair, drawn on the GPU: drag to pan, wheel or pinch to zoom, shift-drag to select rows."</p>
        <div class="row">
            <button class="secondary" on:click=move |_| open.set(Open::Heatmap)>"Open agreement heatmap (every respondent × question)"</button>
            <button class="secondary" on:click=move |_| open.set(Open::Scatter)>{format!("Open human vs twin scatter ({pairs} pairs)")}</button>
            {move || (open.get() != Open::None).then(|| view! { <button class="secondary" on:click=move |_| open.set(Open::None)>"Close large view"</button> })}
        </div>
        {move || shown(open.get())}
    }
}

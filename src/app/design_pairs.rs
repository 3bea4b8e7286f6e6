//! The design diagnostics' attribute-pair table as one GPU heatmap: every level against every
//! level, the number of profiles that showed both (restricted pairs stand out as zeros).

use std::rc::Rc;

use leptos::prelude::*;

use super::large_view::view::Hit;
use super::large_view::{LargeData, LargeView, LargeViewSpec};
use crate::design::Diagnostics;
use crate::large_view::inputs;
use crate::large_view::ticks::AxisNames;

fn spec(d: &Diagnostics) -> LargeViewSpec {
    let levels: Vec<(String, String)> = d
        .levels
        .iter()
        .map(|l| (l.attribute.clone(), l.level.clone()))
        .collect();
    let pairs: Vec<(String, String, Vec<Vec<u64>>)> = d
        .pairs
        .iter()
        .map(|p| (p.first.clone(), p.second.clone(), p.counts.clone()))
        .collect();
    let m = inputs::pair_matrix(&levels, &pairs);
    let names = Rc::new(AxisNames::grouped(&levels));
    let n = m.row_labels.len();
    let labels = Rc::new(m.row_labels);
    let values = Rc::new(m.values);
    let (l1, l2, v2) = (labels.clone(), labels.clone(), values.clone());
    LargeViewSpec {
        name: "design-pairs".into(),
        x_label: "attribute: level".into(),
        y_label: "attribute: level".into(),
        data: Rc::new(LargeData::Heatmap {
            rows: n,
            columns: n,
            values: values.to_vec(),
        }),
        categories: Vec::new(),
        describe: Rc::new(move |hit: &Hit| {
            let c = hit.column.unwrap_or(0) as usize;
            let count = if hit.value.is_finite() {
                format!("{} profiles", hit.value)
            } else {
                "same attribute".into()
            };
            format!("{} × {} · {count}", l1[hit.row as usize], l1[c])
        }),
        table_header: vec!["level".into(), "fewest profiles with another level".into()],
        table_row: Rc::new(move |row: u32| {
            let r = row as usize;
            let min = v2[r * n..(r + 1) * n]
                .iter()
                .filter(|v| v.is_finite())
                .fold(f32::INFINITY, |m, &v| m.min(v));
            vec![
                l2[r].clone(),
                if min.is_finite() {
                    min.to_string()
                } else {
                    "–".into()
                },
            ]
        }),
        axis_names: Some(names),
    }
}

#[component]
pub fn PairHeatmap(diagnostics: Diagnostics) -> impl IntoView {
    let open = RwSignal::new(false);
    let spec = StoredValue::new_local(spec(&diagnostics));
    view! {
        <div class="row">
            <button class="secondary" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "Close level-pair heatmap" } else { "Open level-pair heatmap (GPU)" }}
            </button>
        </div>
        {move || open.get().then(|| view! { <LargeView spec=spec.get_value() /> })}
    }
}

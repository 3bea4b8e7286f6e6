//! Every settled call of the run as a GPU scatter: call number (in the order settled) against its
//! latency, coloured by status; hover names the call, a box selection lists the calls. Opened on
//! demand, so the renderer's worker loads only then; a snapshot of the records at that moment.

use std::rc::Rc;

use leptos::prelude::*;

use super::driver::Driver;
use crate::app::large_view::view::Hit;
use crate::app::large_view::{LargeData, LargeView, LargeViewSpec};
use crate::field::{CallRecord, Status};

const STATUSES: [Status; 4] = [
    Status::Answered,
    Status::Refused,
    Status::Unparsed,
    Status::Failed,
];

fn spec(records: Vec<CallRecord>) -> LargeViewSpec {
    let xs: Vec<f64> = (1..=records.len()).map(|i| i as f64).collect();
    // Cache hits and calls without a timing have no latency (NaN): left out and counted.
    let ys: Vec<f64> = records
        .iter()
        .map(|r| {
            if r.cache_hit {
                f64::NAN
            } else {
                r.latency_ms.unwrap_or(f64::NAN)
            }
        })
        .collect();
    let categories: Vec<u16> = records
        .iter()
        .map(|r| STATUSES.iter().position(|s| *s == r.status).unwrap_or(3) as u16)
        .collect();
    let records = Rc::new(records);
    let cells = {
        let records = records.clone();
        Rc::new(move |row: u32| {
            let r = &records[row as usize];
            vec![
                (row + 1).to_string(),
                r.custom_id.clone(),
                r.status.as_str().to_string(),
                r.answer.clone().unwrap_or_default(),
                r.latency_ms.map(|l| format!("{l:.0}")).unwrap_or_default(),
                r.attempts.to_string(),
            ]
        })
    };
    let tooltip = cells.clone();
    LargeViewSpec {
        name: "latency".into(),
        x_label: "call (in the order settled)".into(),
        y_label: "latency (ms)".into(),
        data: Rc::new(LargeData::Scatter {
            xs,
            ys,
            categories: Some(categories),
            sizes: None,
            point_px: 4.0,
        }),
        categories: STATUSES.iter().map(|s| s.as_str().to_string()).collect(),
        describe: Rc::new(move |hit: &Hit| {
            let c = tooltip(hit.row);
            format!(
                "call {} · {} · {} · answer {} · {} ms · {} attempt(s)",
                c[0], c[1], c[2], c[3], c[4], c[5]
            )
        }),
        table_header: ["call", "id", "status", "answer", "latency (ms)", "attempts"]
            .map(String::from)
            .to_vec(),
        table_row: cells,
        axis_names: None,
    }
}

#[component]
pub fn LatencyView(driver: RwSignal<Option<Rc<Driver>>, LocalStorage>) -> impl IntoView {
    let shown = RwSignal::new_local(None::<Result<LargeViewSpec, String>>);
    let open = move |_| {
        shown.set(Some(match driver.get_untracked() {
            Some(d) if !d.records().is_empty() => Ok(spec(d.records())),
            _ => Err("No settled calls yet: start a run first.".into()),
        }));
    };
    view! {
        <section class="panel" data-testid="field-latency">
            <h2>"Calls: latency and answers (GPU)"</h2>
            <div class="row">
                <button class="secondary" on:click=open>"Open latency scatter"</button>
                {move || shown.with(|s| s.is_some()).then(|| view! { <button class="secondary" on:click=move |_| shown.set(None)>"Close"</button> })}
            </div>
            {move || shown.get().map(|s| match s {
                Ok(spec) => view! { <LargeView spec=spec /> }.into_any(),
                Err(e) => view! { <p class="notice" role="status">{e}</p> }.into_any(),
            })}
        </section>
    }
}

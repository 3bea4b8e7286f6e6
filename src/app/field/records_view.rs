//! The latest replies as text (never markup: a reply is untrusted), and every export of a run:
//! records, response tables, batch request files, and importing a provider's batch results.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::driver::Driver;
use super::run_store::{self, StoredRun};
use crate::app::open_study::OpenStudy;
use crate::app::{browser, storage};
use crate::data::table_to_csv;
use crate::field::batch::{
    anthropic_batch_requests, openai_batch_jsonl, read_results, records_from_results,
};
use crate::field::{records_csv, records_jsonl, response_tables_with_hidden, CallRecord, RunSpec};
use crate::study::ProviderKind;

/// A record's row stays the same element while it is among the latest (so a "show all" opened on
/// it survives the view's refreshes); a retried call settles as a new row.
fn row_key(r: &CallRecord) -> (String, u32, &'static str) {
    (r.custom_id.clone(), r.attempts, r.status.as_str())
}

#[component]
pub fn RecentRecords(driver: Rc<Driver>) -> impl IntoView {
    let view = driver.view.clone();
    let records = move || view.with(|v| v.recent.clone());
    // The table has a fixed layout with the reply taking the room left by the narrow columns;
    // on a phone the rows become cards (style/field.css), each cell named by its data-label.
    view! {
        <h3>"Latest replies"</h3>
        <div class="table-scroll">
            <table class="data replies" data-testid="field-records">
                <colgroup>
                    <col class="col-call" /><col class="col-status" /><col class="col-answer" />
                    <col class="col-reply" /><col class="col-reason" />
                </colgroup>
                <thead><tr><th>"Call"</th><th>"Status"</th><th>"Answer"</th><th>"Reply (as text)"</th><th>"Reason"</th></tr></thead>
                <tbody>
                    <For each=records key=row_key let:r>
                        <tr>
                            <td data-label="Call">{r.custom_id.clone()}</td>
                            <td data-label="Status">{r.status.as_str()}</td>
                            <td data-label="Answer">{r.answer.clone().unwrap_or_default()}</td>
                            <td data-label="Reply" class="reply"><Clamped text=r.raw_reply.clone().unwrap_or_default() /></td>
                            <td data-label="Reason" class="reason"><Clamped text=r.reason.clone().unwrap_or_default() /></td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// Untrusted text (a model's reply, or a reason quoting one), shown as text and clamped to a few
/// lines (style/field.css) so one long reply cannot stretch the page; "show all" appears only when
/// the clamp actually hid something, which depends on the column's width, so it is measured.
#[component]
fn Clamped(text: String) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let clipped = RwSignal::new(false);
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            // After layout: the row has just been inserted.
            request_animation_frame(move || {
                clipped.set(el.scroll_height() > el.client_height() + 1);
            });
        }
    });
    let empty = text.is_empty();
    view! {
        <div class="clamp" class:open=move || expanded.get() node_ref=node>{text}</div>
        {move || (!empty && (clipped.get() || expanded.get())).then(|| view! {
            <button type="button" class="link-button" aria-expanded=move || expanded.get().to_string()
                on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || if expanded.get() { "show less" } else { "show all" }}
            </button>
        })}
    }
}

fn stem(open: OpenStudy) -> String {
    open.study
        .with_untracked(|s| browser::file_stem(&s.metadata.name))
}

#[component]
pub fn Exports(
    open: OpenStudy,
    spec: RwSignal<RunSpec>,
    driver: RwSignal<Option<Rc<Driver>>, LocalStorage>,
    message: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let fail = move |e: String| message.set(Some(Err(e)));
    let with_records = move |f: &dyn Fn(&Driver)| match driver.get_untracked() {
        Some(d) if !d.records().is_empty() => f(&d),
        _ => fail("No answers yet: start a run (or import batch results) first.".into()),
    };
    let download = move |name: String, mime: &str, text: &str| {
        if browser::download(&name, mime, text).is_err() {
            fail("The browser refused the download.".into());
        }
    };
    let records_csv_click = move |_| {
        with_records(&|d| {
            download(
                format!("{}-records.csv", stem(open)),
                "text/csv",
                &records_csv(&d.records()),
            )
        })
    };
    let records_jsonl_click = move |_| {
        with_records(&|d| {
            download(
                format!("{}-records.jsonl", stem(open)),
                "application/jsonl",
                &records_jsonl(&d.records()),
            )
        })
    };
    let tables_click = move |_| {
        with_records(&|d| {
            let endpoint = d.spec.endpoint_config(None);
            let tables = open.study.with_untracked(|s| {
                response_tables_with_hidden(s, &endpoint, &d.records(), &d.not_shown())
            });
            for table in tables {
                download(
                    format!("{}-{}.csv", stem(open), browser::file_stem(&table.name)),
                    "text/csv",
                    &table_to_csv(&table),
                );
            }
        })
    };
    let batch_click = move |kind: ProviderKind| {
        let spec = spec.get_untracked();
        let plan = match open.study.with_untracked(|s| spec.plan(s)) {
            Ok(p) => p,
            Err(e) => return fail(e.to_string()),
        };
        // Batch files never carry the key: the provider's upload step authenticates.
        let mut endpoint = spec.endpoint_config(None);
        endpoint.provider = kind;
        let (text, suffix) = match kind {
            ProviderKind::Anthropic => (
                anthropic_batch_requests(&plan.calls, &endpoint),
                "anthropic-batch.jsonl",
            ),
            _ => (
                openai_batch_jsonl(&plan.calls, &endpoint),
                "openai-batch.jsonl",
            ),
        };
        download(
            format!("{}-{suffix}", stem(open)),
            "application/jsonl",
            &text,
        );
    };
    let import_batch = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let result = async {
                let bytes = browser::read_file(&file).await?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| format!("{}: not UTF-8 text", file.name()))?;
                let spec_now = spec.get_untracked();
                let study = open.study.get_untracked();
                let kind = match spec_now.endpoint.provider {
                    ProviderKind::Anthropic => ProviderKind::Anthropic,
                    _ => ProviderKind::OpenaiCompatible,
                };
                let results =
                    read_results(kind, &text).map_err(|e| format!("{}: {e}", file.name()))?;
                let plan = spec_now.plan(&study).map_err(|e| e.to_string())?;
                let endpoint = spec_now.endpoint_config(None);
                let (records, unknown) = records_from_results(&plan.calls, &endpoint, results);
                let run_id = spec_now.run_id(&study);
                let db = storage::open().await.map_err(|e| e.to_string())?;
                let settled: Vec<_> = records.iter().map(|r| (r.clone(), None)).collect();
                run_store::save_settled_many(&db, &study.id, &run_id, &settled)
                    .await
                    .map_err(|e| e.to_string())?;
                run_store::save_run(
                    &db,
                    &StoredRun {
                        study_id: study.id.clone(),
                        run_id,
                        spec: spec_now.clone(),
                        total: plan.calls.len(),
                        started: browser::now(),
                        finished: true,
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
                let answered = records.iter().filter(|r| r.answer.is_some()).count();
                driver.set(Some(Driver::open(study, spec_now, None, false, false)));
                Ok::<String, String>(format!(
                    "{}: {answered} of {} calls answered{}.",
                    file.name(),
                    plan.calls.len(),
                    if unknown.is_empty() {
                        String::new()
                    } else {
                        format!("; {} line(s) with unknown ids were ignored", unknown.len())
                    }
                ))
            }
            .await;
            message.set(Some(result));
        });
    };
    view! {
        <section class="panel" aria-labelledby="exports-heading">
            <h2 id="exports-heading">"Exports"</h2>
            <div class="row">
                <button class="secondary" on:click=records_csv_click>"Records (CSV)"</button>
                <button class="secondary" on:click=records_jsonl_click>"Records (JSONL)"</button>
                <button class="secondary" on:click=tables_click>"Response tables (CSV)"</button>
            </div>
            <p class="muted">"Runs too large for a tab: send the batch file to the provider's batch API, then import its result file here."</p>
            <div class="row">
                <button class="secondary" on:click=move |_| batch_click(ProviderKind::OpenaiCompatible)>"OpenAI batch file (JSONL)"</button>
                <button class="secondary" on:click=move |_| batch_click(ProviderKind::Anthropic)>"Anthropic batch requests (JSONL)"</button>
                <label class="button secondary" for="batch-import">"Import batch results…"</label>
                <input id="batch-import" class="visually-hidden" type="file" accept=".jsonl,.json,application/jsonl" on:change=import_batch />
            </div>
        </section>
    }
}

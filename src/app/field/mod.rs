//! The Field tab: configure an endpoint, see exactly what will be sent, field the study with the
//! engine's scheduler (fetch, IndexedDB cache, resume after reload), watch progress and cost,
//! read every reply as text, and export records, response tables and batch files.

mod bias_view;
mod driver;
mod fetch;
mod key_store;
mod latency_view;
mod progress_view;
mod records_view;
mod run_store;
mod settings_form;
mod write_ahead;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::local_model;
use super::open_study::OpenStudy;
use super::storage;
use crate::field::{outgoing_persona_fields, respondents, response_tables_with_hidden, RunSpec};
use crate::study::{ProviderKind, Study};
use bias_view::PositionBias;
use driver::{Driver, Phase};
use progress_view::ProgressView;
use records_view::{Exports, RecentRecords};
use settings_form::SettingsForm;

/// What the preview shows before anything is sent.
#[derive(Clone, Debug, PartialEq)]
struct Preview {
    calls: usize,
    respondents: u32,
    /// Where the number of respondents comes from, in words.
    respondents_reason: String,
    skipped: Vec<String>,
    persona_fields: Vec<String>,
    persona_people: usize,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn preview(study: &Study, spec: &RunSpec, key: &str) -> Result<Preview, String> {
    let plan = spec.plan(study).map_err(|e| e.to_string())?;
    let respondents_reason = respondents(study, &spec.settings)
        .map(|r| r.reason())
        .map_err(|e| e.to_string())?;
    let (persona_fields, persona_people) = outgoing_persona_fields(&plan);
    let respondents = plan.respondents;
    let calls = plan.calls.len();
    let skipped = plan.skipped.clone();
    let run = spec
        .start(plan, crate::providers::ApiKey::new(key))
        .map_err(|e| e.to_string())?;
    let request = run
        .preview(0)
        .ok_or("the plan has no calls: nothing to send")?;
    let body = serde_json::from_str::<serde_json::Value>(&request.body)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or(request.body.clone());
    Ok(Preview {
        calls,
        respondents,
        respondents_reason,
        skipped,
        persona_fields,
        persona_people,
        url: request.url,
        headers: request.headers,
        body,
    })
}

/// Puts the run's response tables into the study (replacing tables of the same name), so the
/// Analyze tab estimates from them.
fn save_tables(open: OpenStudy, driver: &Driver) -> Result<Vec<String>, String> {
    let records = driver.records();
    if records.is_empty() {
        return Err("no answers yet".into());
    }
    let endpoint = driver.spec.endpoint_config(None);
    let tables = open.study.with_untracked(|s| {
        response_tables_with_hidden(s, &endpoint, &records, &driver.not_shown())
    });
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    open.edit(move |study| {
        for table in tables {
            study.put_result(table);
        }
        Ok::<(), String>(())
    });
    Ok(names)
}

#[component]
pub fn FieldView(open: OpenStudy) -> impl IntoView {
    let study_id = open.study.with_untracked(|s| s.id.clone());
    let driver = RwSignal::new_local(driver::active(&study_id));
    let spec = RwSignal::new(
        driver
            .get_untracked()
            .map(|d| d.spec.clone())
            .unwrap_or_else(|| open.study.with_untracked(RunSpec::with_default_endpoint)),
    );
    let (provider, url) =
        spec.with_untracked(|s| (s.endpoint.provider, s.endpoint.base_url.clone()));
    let key = RwSignal::new(key_store::get(provider, &url).unwrap_or_default());
    let remember = RwSignal::new(key_store::is_remembered(provider, &url));
    let shown = RwSignal::new(None::<Result<Preview, String>>);
    // The Respondents placeholder: the number fielded when none is typed, and why. Read from the
    // study signal, so a design stored or a table added elsewhere shows here at once.
    let respondents_hint = Signal::derive(move || {
        open.study.with(|study| {
            spec.with(|s| {
                let mut settings = s.settings.clone();
                settings.respondents = None;
                match respondents(study, &settings) {
                    Ok(r) => format!("{} ({})", r.count, r.reason()),
                    Err(e) => e.to_string(),
                }
            })
        })
    });
    let message = RwSignal::new(None::<Result<String, String>>);
    let stale_run = RwSignal::new(None::<String>);

    // A run stored by an earlier visit (or before a reload) is reopened without sending anything.
    if driver.get_untracked().is_none() {
        let study_id = study_id.clone();
        spawn_local(async move {
            let Ok(db) = storage::open().await else {
                return;
            };
            let Ok(Some(stored)) = run_store::load_run(&db, &study_id).await else {
                return;
            };
            let study = open.study.get_untracked();
            spec.set(stored.spec.clone());
            let (p, u) = (
                stored.spec.endpoint.provider,
                stored.spec.endpoint.base_url.clone(),
            );
            key.set(key_store::get(p, &u).unwrap_or_default());
            remember.set(key_store::is_remembered(p, &u));
            if stored.spec.run_id(&study) == stored.run_id {
                let key = key_store::api_key(p, &u);
                driver.set(Some(Driver::open(study, stored.spec, key, false, false)));
            } else {
                stale_run.set(Some(format!(
                    "The study has changed since the run started on {}, so that run cannot be resumed. A new run starts from scratch; calls whose exact request is unchanged are answered from the cache for free.",
                    stored.started
                )));
            }
        });
    }

    let keep_key = move || {
        let (p, u) = spec.with_untracked(|s| (s.endpoint.provider, s.endpoint.base_url.clone()));
        key_store::set(p, &u, &key.get_untracked(), remember.get_untracked());
        key_store::api_key(p, &u)
    };
    let on_preview = move |_| {
        let result = open.study.with_untracked(|study| {
            spec.with_untracked(|s| preview(study, s, &key.get_untracked()))
        });
        shown.set(Some(result));
    };
    let start = move || {
        let spec_now = spec.get_untracked();
        let api_key = keep_key();
        message.set(None);
        stale_run.set(None);
        // The endpoint (never the key) is kept with the study so its file says where it was fielded.
        let endpoint = spec_now.endpoint.clone();
        open.edit(move |study| {
            study.fielding.endpoints.retain(|e| e.id != endpoint.id);
            study.fielding.endpoints.insert(0, endpoint);
            Ok::<(), String>(())
        });
        let study = open.study.get_untracked();
        driver.set(Some(Driver::open(study, spec_now, api_key, true, true)));
    };
    let on_start = move |_| {
        let spec_now = spec.get_untracked();
        if let Err(e) = spec_now.check() {
            message.set(Some(Err(e.to_string())));
            return;
        }
        if spec_now.endpoint.provider != ProviderKind::Local {
            start();
            return;
        }
        // The local model is loaded (downloaded if need be) before the run starts, so a model
        // that cannot be had is reported once rather than as every call's failure.
        message.set(None);
        spawn_local(async move {
            match local_model::client::load(spec_now.endpoint.base_url.trim(), None).await {
                Ok(_) => start(),
                Err(e) => message.set(Some(Err(format!(
                    "The local model could not be loaded, so nothing was started: {e}"
                )))),
            }
        });
    };
    let phase = move || driver.get().and_then(|d| d.view.with(|v| v.phase.clone()));
    let running = Signal::derive(move || {
        matches!(
            phase(),
            Some(Phase::Running | Phase::Paused | Phase::Preparing)
        )
    });

    // Answers go into the study when a run finishes while this tab is open (and on request).
    let saved_run = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let (Some(Phase::Finished), Some(d)) = (phase(), driver.get()) {
            if saved_run.get_untracked().as_deref() != Some(d.run_id.as_str()) {
                saved_run.set(Some(d.run_id.clone()));
                let t0 = js_sys::Date::now();
                let saved = save_tables(open, &d);
                web_sys::console::log_1(
                    &format!("TIMING save_tables {}", js_sys::Date::now() - t0).into(),
                );
                message.set(Some(saved.map(|names| {
                    format!(
                        "Answers saved in the study as {}: estimate them in the Analyze tab.",
                        names.join(" and ")
                    )
                })));
            }
        }
    });

    let discard = move |_| {
        let study_id = open.study.with_untracked(|s| s.id.clone());
        driver::forget(&study_id);
        driver.set(None);
        spawn_local(async move {
            let result = async {
                let db = storage::open().await?;
                run_store::discard(&db, &study_id).await
            }
            .await;
            message.set(Some(
                result
                    .map(|()| "The run and its records were removed from this browser.".to_string())
                    .map_err(|e| e.to_string()),
            ));
        });
    };

    view! {
        <p class="lead">"Ask an LLM endpoint the study's questions and conjoint tasks. Nothing is sent until you press Start; the preview shows exactly what will leave this browser."</p>
        {move || stale_run.get().map(|m| view! { <div class="notice" role="status">{m}</div> })}
        <SettingsForm spec=spec key=key remember=remember locked=running respondents_hint=respondents_hint />
        <div class="row">
            <button class="secondary" on:click=on_preview>"Preview the first request"</button>
            <button on:click=on_start disabled=move || running.get() data-testid="field-start">"Start fielding"</button>
        </div>
        {move || message.get().map(|m| match m {
            Ok(text) => view! { <div class="notice notice-success" role="status" data-testid="field-message">{text}</div> }.into_any(),
            Err(text) => view! { <div class="notice notice-error" role="alert" data-testid="field-message">{text}</div> }.into_any(),
        })}
        {move || shown.get().map(|p| match p {
            Err(e) => view! { <div class="notice notice-error" role="alert" data-testid="field-preview">{e}</div> }.into_any(),
            Ok(p) => view! { <PreviewPanel preview=p /> }.into_any(),
        })}
        {move || driver.get().map(|d| {
            let on_pause = move |_| { if let Some(d) = driver.get_untracked() { d.pause() } };
            let on_resume = move |_| { if let Some(d) = driver.get_untracked() { d.resume(keep_key()) } };
            let on_cancel = move |_| { if let Some(d) = driver.get_untracked() { d.cancel() } };
            let on_retry = move |_| {
                if let Some(d) = driver.get_untracked() {
                    let api_key = keep_key();
                    let study = open.study.get_untracked();
                    driver.set(Some(Driver::open(study, d.spec.clone(), api_key, true, true)));
                }
            };
            let failed = {
                let view = d.view.clone();
                move || view.with(|v| v.progress.failed)
            };
            let on_save = move |_| {
                if let Some(d) = driver.get_untracked() {
                    message.set(Some(save_tables(open, &d).map(|names| format!("Answers saved in the study as {}.", names.join(" and ")))));
                }
            };
            view! {
                <section class="panel" aria-labelledby="run-heading" data-testid="field-run">
                    <h2 id="run-heading">"Run"</h2>
                    <ProgressView driver=Rc::clone(&d) />
                    <div class="row">
                        {move || match phase() {
                            Some(Phase::Running) => view! { <button class="secondary" on:click=on_pause>"Pause"</button> }.into_any(),
                            Some(Phase::Paused | Phase::Waiting | Phase::Cancelled) => view! { <button on:click=on_resume>"Resume"</button> }.into_any(),
                            _ => ().into_any(),
                        }}
                        {move || matches!(phase(), Some(Phase::Running | Phase::Paused))
                            .then(|| view! { <button class="secondary" on:click=on_cancel>"Cancel"</button> })}
                        {move || (failed() > 0 && !running.get())
                            .then(|| view! { <button class="secondary" on:click=on_retry>{format!("Retry {} failed call(s)", failed())}</button> })}
                        <button class="secondary" on:click=on_save>"Save answers to the study"</button>
                        <button class="secondary danger" on:click=discard disabled=move || running.get()>"Discard this run"</button>
                    </div>
                    <RecentRecords driver=Rc::clone(&d) />
                    <PositionBias driver=d />
                </section>
            }
        })}
        <Exports open=open spec=spec driver=driver message=message />
        <latency_view::LatencyView driver=driver />
    }
}

#[component]
fn PreviewPanel(preview: Preview) -> impl IntoView {
    let headers = preview
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let outgoing = if preview.persona_fields.is_empty() {
        "No persona data: only the study's own texts are sent.".to_string()
    } else {
        format!(
            "Persona fields of {} respondent(s) leave this browser: {}.",
            preview.persona_people,
            preview.persona_fields.join(", ")
        )
    };
    view! {
        <section class="panel" aria-labelledby="preview-heading" data-testid="field-preview">
            <h2 id="preview-heading">"What will be sent"</h2>
            <p data-testid="preview-calls">{format!("{} call(s) for {} respondent(s) ({}).", preview.calls, preview.respondents, preview.respondents_reason)}</p>
            <p data-testid="outgoing-data">{outgoing}</p>
            {(!preview.skipped.is_empty()).then(|| view! {
                <ul class="muted">{preview.skipped.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
            })}
            <h3>"The first request"</h3>
            <pre class="prompt">{format!("POST {}\n{}\n\n{}", preview.url, headers, preview.body)}</pre>
        </section>
    }
}

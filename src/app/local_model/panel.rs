//! The local model in the Field tab: where the model comes from (this site, a URL, a picked
//! file), loading it with a progress bar, what the model is (its `ModelInfo`), and the models
//! kept in this browser, each of which can be deleted.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::client::{self, ModelState};
use super::protocol::{Stage, PICKED};
use super::stored::{self, megabytes, StoredModel};
use crate::field::RunSpec;

fn progress_text(stage: Stage, done: f64, total: Option<f64>) -> String {
    let what = match stage {
        Stage::Download => "Downloading into this browser's storage",
        Stage::Store => "Keeping the picked file in this browser's storage",
        Stage::Load => "Reading the model into memory",
    };
    match total.filter(|t| *t > 0.0) {
        Some(total) => format!(
            "{what}: {:.0}% ({} of {})",
            100.0 * done / total,
            megabytes(done),
            megabytes(total)
        ),
        None if done > 0.0 => format!("{what}: {}", megabytes(done)),
        None => format!("{what}…"),
    }
}

/// 134515008 → 134,515,008 (integers only; anything else as written).
fn thousands(digits: &str) -> String {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_string();
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One row per field of the model's `ModelInfo`, in its own order.
fn info_rows(info: &serde_json::Value) -> Vec<(String, String)> {
    let Some(fields) = info.as_object() else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(name, value)| {
            let shown = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) if name.contains("bytes") => {
                    megabytes(n.as_f64().unwrap_or(0.0))
                }
                serde_json::Value::Number(n) => thousands(&n.to_string()),
                serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
                other => other.to_string(),
            };
            (name.replace('_', " "), shown)
        })
        .collect()
}

async fn stored_models() -> Result<Vec<StoredModel>, String> {
    let storage = stored::page_storage().ok_or("this browser offers no storage for models")?;
    stored::list(&stored::models_dir(&storage).await?).await
}

async fn delete_stored(name: String) -> Result<(), String> {
    let storage = stored::page_storage().ok_or("this browser offers no storage for models")?;
    stored::remove(&stored::models_dir(&storage).await?, &name).await
}

#[component]
pub fn LocalModelPanel(spec: RwSignal<RunSpec>, locked: Signal<bool>) -> impl IntoView {
    let state = client::state();
    let memory = client::memory();
    let kept = RwSignal::new(None::<Result<Vec<StoredModel>, String>>);
    let refresh = move || {
        spawn_local(async move { kept.set(Some(stored_models().await)) });
    };
    refresh();
    let source = move || spec.with(|s| s.endpoint.base_url.clone());
    let load = move |file: Option<web_sys::File>| {
        let source = source();
        spawn_local(async move {
            if let Ok(info) = client::load(&source, file).await {
                // Records need a model name; the file's own name is used only if none was given.
                if let Some(name) = info.get("name").and_then(|n| n.as_str()) {
                    if spec.with_untracked(|s| s.endpoint.model.trim().is_empty()) {
                        let name = name.to_string();
                        spec.update(|s| s.endpoint.model = name);
                    }
                }
            }
            refresh();
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        let picked = format!("{PICKED}{}", file.name());
        spec.update(|s| s.endpoint.base_url = picked);
        load(Some(file));
    };
    let status = {
        let state = state.clone();
        move || {
            match state.get() {
            ModelState::NotLoaded => view! {
                <p class="muted" data-testid="local-model-state">"Not loaded yet. The model runs in this browser: nothing you field leaves it, and no key is needed."</p>
            }.into_any(),
            ModelState::Starting => view! {
                <p class="muted" data-testid="local-model-state">"Starting the model worker…"</p>
            }.into_any(),
            ModelState::Working { stage, done, total } => view! {
                <div data-testid="local-model-state">
                    <p>{progress_text(stage, done, total)}</p>
                    <progress max="1" value=total.filter(|t| *t > 0.0).map(|t| (done / t).to_string()).unwrap_or_default()></progress>
                </div>
            }.into_any(),
            ModelState::Ready { source, info, load_ms } => view! {
                <div data-testid="local-model-state">
                    <p class="notice notice-success" role="status">{format!("Ready: {source}, read into memory in {:.1} s.", load_ms / 1000.0)}</p>
                    <table class="compact" data-testid="local-model-info">
                        <tbody>
                            {info_rows(&info).into_iter().map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> }).collect_view()}
                            {memory.get().map(|bytes| view! {
                                <tr data-testid="local-model-memory"><th scope="row">"memory in use"</th><td>{megabytes(bytes)}</td></tr>
                            })}
                        </tbody>
                    </table>
                </div>
            }.into_any(),
            ModelState::Failed { message } => view! {
                <p class="notice notice-error" role="alert" data-testid="local-model-state">{message}</p>
            }.into_any(),
        }
        }
    };
    let busy = move || {
        matches!(
            state.get(),
            ModelState::Starting | ModelState::Working { .. }
        )
    };
    let kept_list = move || {
        match kept.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <p class="muted">{e}</p> }.into_any(),
        Some(Ok(models)) if models.is_empty() => {
            view! { <p class="muted" data-testid="stored-models">"No models kept in this browser yet."</p> }.into_any()
        }
        Some(Ok(models)) => view! {
            <table class="compact" data-testid="stored-models">
                <thead><tr><th>"Kept in this browser"</th><th>"Size"</th><th></th></tr></thead>
                <tbody>
                    {models.into_iter().map(|m| {
                        let name = m.name.clone();
                        let use_source = m.source.clone();
                        let on_delete = move |_| {
                            let name = name.clone();
                            spawn_local(async move {
                                if let Err(e) = delete_stored(name).await {
                                    kept.set(Some(Err(format!("{e}; the model may be in use: wait until it has loaded"))));
                                    return;
                                }
                                refresh();
                            });
                        };
                        let on_use = move |_| {
                            let chosen = use_source.clone();
                            spec.update(|s| s.endpoint.base_url = chosen);
                        };
                        view! {
                            <tr>
                                <td>{m.source.clone()}{(!m.complete).then_some(" (incomplete download)")}</td>
                                <td>{megabytes(m.bytes)}</td>
                                <td class="row">
                                    {m.complete.then(|| view! { <button class="secondary" on:click=on_use disabled=move || locked.get()>"Use"</button> })}
                                    <button class="secondary danger" on:click=on_delete>"Delete"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }.into_any(),
    }
    };
    view! {
        <div class="local-model" data-testid="local-model">
            <div class="grid">
                <div class="field">
                    <label for="local-source">"Model file: a path on this site or a URL (GGUF)"</label>
                    <input id="local-source" type="text" prop:value=source disabled=move || locked.get()
                        placeholder=super::protocol::DEFAULT_SOURCE
                        on:change=move |ev| spec.update(|s| s.endpoint.base_url = event_target_value(&ev).trim().to_string()) />
                </div>
                <div class="field">
                    <label for="local-file">"…or a GGUF file on this computer"</label>
                    <input id="local-file" type="file" accept=".gguf" disabled=move || locked.get() on:change=on_pick />
                </div>
            </div>
            <div class="row">
                <button class="secondary" on:click=move |_| load(None) disabled=move || busy() || locked.get()>"Load the model"</button>
            </div>
            {status}
            {kept_list}
        </div>
    }
}

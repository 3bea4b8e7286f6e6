//! The study library: create, open, rename, duplicate, delete, import, export, and bundled examples.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::browser;
use super::notice::{Notice, NoticeView};
use super::route::{Route, Tab};
use super::storage;
use crate::study::library::{self, StudySummary};
use crate::study::{parse_study, parse_study_unvalidated, Study, StudyError};

/// One entry of `examples/index.json`.
#[derive(Deserialize, Clone, Debug, PartialEq)]
struct Example {
    file: String,
    name: String,
    description: String,
}

/// The library's shared state; signals are `Copy`, so handlers capture it freely.
#[derive(Clone, Copy)]
struct Library {
    studies: RwSignal<Vec<StudySummary>>,
    loaded: RwSignal<bool>,
    storage_problem: RwSignal<Option<String>>,
    notice: RwSignal<Option<Notice>>,
}

impl Library {
    fn refresh(self) {
        spawn_local(async move {
            match list().await {
                Ok(studies) => {
                    self.studies.set(studies);
                    self.loaded.set(true);
                }
                Err(e) => self.storage_problem.set(Some(e.to_string())),
            }
        });
    }

    fn fail(self, title: &str, error: impl std::fmt::Display) {
        self.notice
            .set(Some(Notice::error(title, vec![error.to_string()])));
    }

    /// Stores a study that came from outside (a file or an example) without replacing anything.
    fn admit(self, study: Study, what: String) {
        spawn_local(async move {
            let result = async {
                let db = storage::open().await?;
                let existing = storage::list(&db).await?;
                let ids: Vec<String> = existing.iter().map(|s| s.id.clone()).collect();
                let names: Vec<String> = existing.iter().map(|s| s.name.clone()).collect();
                let study = library::admit_import(study, &ids, &names, browser::fresh_id);
                storage::save(&db, &study).await?;
                Ok::<_, storage::StorageError>(study.metadata.name)
            }
            .await;
            match result {
                Ok(name) => {
                    self.notice.set(Some(Notice::success(format!(
                        "Added “{name}” from {what}."
                    ))));
                    self.refresh();
                }
                Err(e) => self.fail("The study could not be stored", e),
            }
        });
    }
}

async fn list() -> Result<Vec<StudySummary>, storage::StorageError> {
    let db = storage::open().await?;
    storage::list(&db).await
}

async fn load(id: &str) -> Result<Study, String> {
    let db = storage::open().await.map_err(|e| e.to_string())?;
    let json = storage::load_json(&db, id)
        .await
        .map_err(|e| e.to_string())?;
    parse_study_unvalidated(json.as_bytes()).map_err(|e| e.to_string())
}

fn problem_lines(error: &StudyError) -> Vec<String> {
    error.problems().iter().map(ToString::to_string).collect()
}

#[component]
pub fn LibraryPage() -> impl IntoView {
    let state = Library {
        studies: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(false),
        storage_problem: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    state.refresh();

    view! {
        <Show
            when=move || state.storage_problem.get().is_none()
            fallback=move || view! { <StorageUnavailable reason=state.storage_problem.get().unwrap_or_default() /> }
        >
            <h1>"Study library"</h1>
            <NoticeView notice=state.notice />
            <div class="panels">
                <section class="panel" aria-labelledby="start-heading">
                    <h2 id="start-heading">"Start"</h2>
                    <NewStudyForm state=state />
                    <ImportForm state=state />
                </section>
                <Examples state=state />
            </div>
            <section aria-labelledby="studies-heading">
                <h2 id="studies-heading">"Your studies"</h2>
                <StudyList state=state />
            </section>
        </Show>
    }
}

#[component]
fn StorageUnavailable(reason: String) -> impl IntoView {
    view! {
        <section class="unsupported" role="alert" data-testid="storage-unavailable">
            <h1>"silico cannot store studies in this browser"</h1>
            <p>"silico keeps your study library in the browser's IndexedDB storage, which is not available here."</p>
            <p><code>{reason}</code></p>
            <p>"Private or incognito windows and some privacy settings turn it off. Open silico in a normal window of a current browser (Chrome, Edge, Firefox, Safari)."</p>
        </section>
    }
}

#[component]
fn NewStudyForm(state: Library) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = name.get();
        if chosen.trim().is_empty() {
            state.fail(
                "A new study needs a name",
                "Type a name, then press Create.",
            );
            return;
        }
        let study = library::new_study(browser::fresh_id(), &chosen, &browser::now());
        name.set(String::new());
        state.admit(study, "scratch".into());
    };
    view! {
        <form class="row" on:submit=create>
            <label for="new-study-name">"New study"</label>
            <input id="new-study-name" type="text" placeholder="e.g. Immigration attitudes 2026"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev)) />
            <button type="submit">"Create"</button>
        </form>
    }
}

/// Reads the file the user just picked and hands its name and bytes to `then`; a file that cannot be
/// read is reported. The picker is cleared so choosing the same file again (after fixing it) fires again.
fn with_picked_file(
    state: Library,
    ev: &leptos::ev::Event,
    then: impl FnOnce(String, Vec<u8>) + 'static,
) {
    let input: web_sys::HtmlInputElement = event_target(ev);
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    input.set_value("");
    let file_name = file.name();
    spawn_local(async move {
        match browser::read_file(&file).await {
            Ok(bytes) => then(file_name, bytes),
            Err(e) => state.fail(&format!("Could not read {file_name}"), e),
        }
    });
}

/// A Qualtrics survey file through the same engine function as `silico import-qsf`; a survey whose
/// logic does not validate is refused with the problems, and what was left out is named.
fn admit_qsf(state: Library, file_name: String, bytes: &[u8]) {
    let refused = format!("{file_name} was not imported. Your library is unchanged.");
    let imported = match crate::qualtrics_qsf::import_qsf(bytes) {
        Ok(imported) => imported,
        Err(e) => return state.fail(&refused, e),
    };
    let problems: Vec<String> = crate::study::validate(&imported.study)
        .iter()
        .map(|p| p.to_string())
        .collect();
    if !problems.is_empty() {
        state.notice.set(Some(Notice::error(refused, problems)));
        return;
    }
    let mut study = imported.study;
    let now = browser::now();
    study.metadata.created = now.clone();
    study.metadata.modified = now;
    let what = match imported.notes.len() {
        0 => file_name,
        n => format!(
            "{file_name}; {n} not imported: {}",
            imported
                .notes
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    state.admit(study, what);
}

#[component]
fn ImportForm(state: Library) -> impl IntoView {
    let on_change =
        move |ev: leptos::ev::Event| {
            with_picked_file(state, &ev, move |file_name, bytes| {
                if file_name.to_ascii_lowercase().ends_with(".qsf") {
                    admit_qsf(state, file_name, &bytes);
                    return;
                }
                match parse_study(&bytes) {
                    Ok(study) => state.admit(study, file_name),
                    Err(error) => {
                        let problems = problem_lines(&error);
                        let count = match problems.len() {
                            1 => "1 problem".to_string(),
                            n => format!("{n} problems"),
                        };
                        state.notice.set(Some(Notice::error(
                    format!("{file_name} was not imported ({count}). Your library is unchanged."),
                    problems,
                )))
                    }
                }
            });
        };
    let on_sdt = move |ev: leptos::ev::Event| {
        with_picked_file(state, &ev, move |file_name, bytes| {
            let name = file_name.trim_end_matches(".sdt").replace(['_', '-'], " ");
            match crate::design::study_from_sdt(&bytes, &browser::fresh_id(), &name) {
                Ok(mut study) => {
                    let now = browser::now();
                    study.metadata.created = now.clone();
                    study.metadata.modified = now;
                    state.admit(study, file_name);
                }
                Err(e) => state.fail(
                    &format!("{file_name} was not imported. Your library is unchanged."),
                    e,
                ),
            }
        });
    };
    view! {
        <div class="row">
            <label for="import-study">"Import a study file (.json) or a Qualtrics survey (.qsf)"</label>
            <input id="import-study" type="file" accept=".json,.qsf,application/json" on:change=on_change />
        </div>
        <div class="row">
            <label for="import-sdt">"Import a Conjoint Survey Design Tool design (.sdt)"</label>
            <input id="import-sdt" type="file" accept=".sdt" on:change=on_sdt />
        </div>
    }
}

#[component]
fn Examples(state: Library) -> impl IntoView {
    let examples = LocalResource::new(|| async {
        let response = gloo_net::http::Request::get("examples/index.json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        response
            .json::<Vec<Example>>()
            .await
            .map_err(|e| e.to_string())
    });
    let load_example = move |example: Example| {
        spawn_local(async move {
            let fetched = async {
                let response = gloo_net::http::Request::get(&format!("examples/{}", example.file))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.ok() {
                    return Err(format!("the server answered {}", response.status()));
                }
                response.binary().await.map_err(|e| e.to_string())
            }
            .await;
            match fetched.map(|bytes| parse_study(&bytes)) {
                Ok(Ok(study)) => state.admit(study, format!("the example “{}”", example.name)),
                Ok(Err(error)) => state.notice.set(Some(Notice::error(
                    format!("The example {} is damaged: {error}", example.file),
                    problem_lines(&error),
                ))),
                Err(e) => state.fail(
                    &format!("Could not download the example {}", example.file),
                    e,
                ),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="examples-heading">
            <h2 id="examples-heading">"Examples with real data"</h2>
            <Suspense fallback=|| view! { <p>"Loading the examples…"</p> }>
                {move || examples.get().map(|result| match result {
                    Err(e) => view! { <p class="muted">"Examples are unavailable: " {e}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="examples">
                            {list.into_iter().map(|example| {
                                let chosen = example.clone();
                                view! {
                                    <li>
                                        <div>
                                            <strong>{example.name.clone()}</strong>
                                            <p class="muted">{example.description.clone()}</p>
                                        </div>
                                        <button
                                            aria-label=format!("Load example: {}", example.name)
                                            on:click=move |_| load_example(chosen.clone())
                                        >"Load"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StudyList(state: Library) -> impl IntoView {
    view! {
        <Show
            when=move || !state.studies.get().is_empty()
            fallback=move || view! {
                <p class="muted" data-testid="empty-library">
                    {move || if state.loaded.get() {
                        "No studies yet. Create one, import a study file, or load an example."
                    } else {
                        "Opening your library…"
                    }}
                </p>
            }
        >
            <ul class="study-list" data-testid="study-list">
                <For each=move || state.studies.get() key=|s| (s.id.clone(), s.name.clone(), s.modified.clone()) let:summary>
                    <StudyRow summary=summary state=state />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn StudyRow(summary: StudySummary, state: Library) -> impl IntoView {
    let renaming = RwSignal::new(false);
    let confirming_delete = RwSignal::new(false);
    let draft = RwSignal::new(summary.name.clone());
    let id = StoredValue::new(summary.id.clone());
    let name = summary.name.clone();
    let open_href = Route::Study {
        id: summary.id.clone(),
        tab: Tab::Design,
    }
    .href();

    let save_name = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new_name = draft.get();
        spawn_local(async move {
            let id = id.get_value();
            let result = async {
                let mut study = load(&id).await?;
                library::rename(&mut study, &new_name, &browser::now())
                    .map_err(|e| e.to_string())?;
                let db = storage::open().await.map_err(|e| e.to_string())?;
                storage::save(&db, &study).await.map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(()) => {
                    renaming.set(false);
                    state.refresh();
                }
                Err(e) => state.fail("The study was not renamed", e),
            }
        });
    };
    let duplicate = move |_| {
        spawn_local(async move {
            let result = async {
                let study = load(&id.get_value()).await?;
                let names: Vec<String> = state
                    .studies
                    .get_untracked()
                    .iter()
                    .map(|s| s.name.clone())
                    .collect();
                let copy = library::duplicate(&study, browser::fresh_id(), &names, &browser::now());
                let db = storage::open().await.map_err(|e| e.to_string())?;
                storage::save(&db, &copy).await.map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(()) => state.refresh(),
                Err(e) => state.fail("The study was not duplicated", e),
            }
        });
    };
    let export = move |_| {
        spawn_local(async move {
            match load(&id.get_value()).await {
                Ok(study) => {
                    let file = format!("{}.silico.json", browser::file_stem(&study.metadata.name));
                    if let Err(e) = browser::download(
                        &file,
                        "application/json",
                        &crate::study::write_study(&study),
                    ) {
                        state.fail("The download did not start", format!("{e:?}"));
                    }
                }
                Err(e) => state.fail("The study could not be exported", e),
            }
        });
    };
    let delete = move |_| {
        spawn_local(async move {
            let result = async {
                let db = storage::open().await?;
                storage::delete(&db, &id.get_value()).await
            }
            .await;
            match result {
                Ok(()) => state.refresh(),
                Err(e) => state.fail("The study was not deleted", e),
            }
        });
    };

    let details = format!(
        "{} attributes · {} questions · {} response rows · modified {}",
        summary.attributes,
        summary.questions,
        summary.response_rows,
        summary
            .modified
            .get(..16)
            .unwrap_or(&summary.modified)
            .replace('T', " ")
    );
    let label_name = name.clone();
    view! {
        <li class="study" data-testid="study-row">
            <Show
                when=move || renaming.get()
                fallback={
                    let name = name.clone();
                    let open_href = open_href.clone();
                    move || view! {
                        <a class="study-name" href=open_href.clone()>{name.clone()}</a>
                    }
                }
            >
                <form class="row" on:submit=save_name>
                    <label class="visually-hidden" for=format!("rename-{}", id.get_value())>"New name"</label>
                    <input id=format!("rename-{}", id.get_value()) type="text" data-testid="rename-input"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev)) />
                    <button type="submit">"Save name"</button>
                    <button type="button" class="secondary" on:click=move |_| renaming.set(false)>"Cancel"</button>
                </form>
            </Show>
            <p class="muted">{details}</p>
            <div class="actions">
                <button class="secondary" aria-label=format!("Rename {label_name}") on:click=move |_| renaming.set(true)>"Rename"</button>
                <button class="secondary" on:click=duplicate>"Duplicate"</button>
                <button class="secondary" on:click=export>"Export"</button>
                <Show
                    when=move || confirming_delete.get()
                    fallback=move || view! {
                        <button class="secondary danger" on:click=move |_| confirming_delete.set(true)>"Delete"</button>
                    }
                >
                    <span class="confirm">"Delete for good?"</span>
                    <button class="danger" on:click=delete>"Yes, delete"</button>
                    <button class="secondary" on:click=move |_| confirming_delete.set(false)>"Keep it"</button>
                </Show>
            </div>
        </li>
    }
}

//! One study, across the four stages of its life: Design, Field, Analyze, Compare.

use leptos::prelude::*;

use super::analyze_view::AnalyzeView;
use super::compare_view::CompareView;
use super::design_view::DesignView;
use super::field::FieldView;
use super::open_study::OpenStudy;
use super::route::{Route, Tab};
use super::storage;
use crate::study::{parse_study_unvalidated, Study};

#[component]
pub fn StudyPage(id: String, tab: Tab) -> impl IntoView {
    let lookup = id.clone();
    let study = LocalResource::new(move || {
        let id = lookup.clone();
        async move {
            let db = storage::open().await.map_err(|e| e.to_string())?;
            let json = storage::load_json(&db, &id)
                .await
                .map_err(|e| e.to_string())?;
            parse_study_unvalidated(json.as_bytes()).map_err(|e| e.to_string())
        }
    });
    view! {
        <p><a href="#/">"← Study library"</a></p>
        <Suspense fallback=|| view! { <p>"Opening the study…"</p> }>
            {move || {
                let id = id.clone();
                study.get().map(move |result| match result {
                    Err(e) => view! {
                        <div class="notice notice-error" role="alert">
                            <strong>"This study could not be opened: "</strong>{e}
                        </div>
                    }.into_any(),
                    Ok(study) => view! { <StudyView study=study id=id tab=tab /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn StudyView(study: Study, id: String, tab: Tab) -> impl IntoView {
    let open = OpenStudy::new(study.clone());
    let tabs = Tab::ALL
        .into_iter()
        .map(|t| {
            let href = Route::Study {
                id: id.clone(),
                tab: t,
            }
            .href();
            let current = (t == tab).then_some("page");
            view! { <a href=href class:active=t == tab aria-current=current>{t.title()}</a> }
        })
        .collect_view();
    let body = match tab {
        Tab::Design => view! { <DesignView open=open /> }.into_any(),
        Tab::Field => view! { <FieldView open=open /> }.into_any(),
        Tab::Analyze => view! { <AnalyzeView open=open /> }.into_any(),
        Tab::Compare => view! { <CompareView open=open /> }.into_any(),
    };
    view! {
        <h1 data-testid="study-title">{move || open.study.with(|s| s.metadata.name.clone())}</h1>
        {(!study.metadata.description.is_empty()).then(|| view! { <p class="lead">{study.metadata.description.clone()}</p> })}
        <nav class="tabs" aria-label="Study stages">{tabs}</nav>
        <section class="tab-body" aria-label=tab.title()>{body}</section>
    }
}

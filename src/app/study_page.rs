//! One study, across the four stages of its life: Design, Field, Analyze, Compare.

use leptos::prelude::*;

use super::analyze_view::AnalyzeView;
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
        Tab::Design => view! { <DesignSummary study=study.clone() /> }.into_any(),
        Tab::Field => view! { <FieldSummary study=study.clone() /> }.into_any(),
        Tab::Analyze => view! { <AnalyzeView study=study.clone() /> }.into_any(),
        Tab::Compare => view! {
            <p class="muted">"Compare LLM respondents and digital twins with the people in your human data: individual accuracy against the test-retest ceiling, distribution distances and AMCE agreement. Import human data and field the study first."</p>
        }.into_any(),
    };
    view! {
        <h1 data-testid="study-title">{study.metadata.name.clone()}</h1>
        {(!study.metadata.description.is_empty()).then(|| view! { <p class="lead">{study.metadata.description.clone()}</p> })}
        <nav class="tabs" aria-label="Study stages">{tabs}</nav>
        <section class="tab-body" aria-label=tab.title()>{body}</section>
    }
}

#[component]
fn DesignSummary(study: Study) -> impl IntoView {
    let conjoint = study.conjoint.clone().map(|c| {
        let attributes = c
            .attributes
            .iter()
            .map(|a| {
                let levels = a.levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>().join(", ");
                view! { <tr><th scope="row">{a.name.clone()}</th><td>{a.levels.len()}</td><td>{levels}</td></tr> }
            })
            .collect_view();
        let restrictions = c
            .restrictions
            .iter()
            .map(|r| {
                let text = r
                    .exclude
                    .iter()
                    .map(|s| format!("{} ∈ {{{}}}", s.attribute, s.levels.join(", ")))
                    .collect::<Vec<_>>()
                    .join(" with ");
                view! { <li>"Never " {text}</li> }
            })
            .collect_view();
        view! {
            <h2>"Conjoint"</h2>
            <p>{format!("{} profiles per task, {} tasks per respondent.", c.profiles_per_task, c.tasks_per_respondent)}</p>
            <table class="data">
                <caption>"Attributes and levels"</caption>
                <thead><tr><th scope="col">"Attribute"</th><th scope="col">"Levels"</th><th scope="col">"Level names"</th></tr></thead>
                <tbody>{attributes}</tbody>
            </table>
            {(!c.restrictions.is_empty()).then(|| view! {
                <h3>{format!("Restrictions ({})", c.restrictions.len())}</h3>
                <ul>{restrictions}</ul>
            })}
        }
    });
    let questions = study
        .survey
        .questions
        .iter()
        .map(|q| view! { <li><code>{q.id.clone()}</code> " " {q.text.clone()} " " <span class="muted">{format!("({})", q.answer.type_name())}</span></li> })
        .collect_view();
    view! {
        {conjoint.map(IntoAny::into_any).unwrap_or_else(|| view! { <p class="muted">"This study has no conjoint yet."</p> }.into_any())}
        <h2>{format!("Survey questions ({})", study.survey.questions.len())}</h2>
        <ol class="questions">{questions}</ol>
    }
}

#[component]
fn FieldSummary(study: Study) -> impl IntoView {
    let endpoints = study
        .fielding
        .endpoints
        .iter()
        .map(|e| view! { <li>{format!("{} — {:?} model {} at {}", e.id, e.provider, e.model, e.base_url)}</li> })
        .collect_view();
    view! {
        <h2>"Fielding settings"</h2>
        <p>{format!("{} endpoint(s) configured; {} sample(s) per item; option order {}.",
            study.fielding.endpoints.len(),
            study.fielding.samples_per_item,
            if study.fielding.randomise_option_order { "randomised per call" } else { "fixed" })}</p>
        <ul>{endpoints}</ul>
        <h3>"Prompt template for survey questions"</h3>
        <pre class="prompt">{study.fielding.templates.survey_question.clone()}</pre>
    }
}

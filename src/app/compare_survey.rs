//! The Compare tab's unpaired comparison: two of the study's response tables (the people's and an
//! LLM sample's answers to its survey) compared question by question in the worker — the same
//! engine as `silico compare-survey` — with the summary across questions, a chart per question
//! (people vs LLM shares) and the item table. Charts are drawn on the page's thread.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::analyze::PlotView;
use super::open_study::OpenStudy;
use super::table_select::{first_of, TableSelect};
use super::{browser, worker};
use crate::compare::{ItemComparison, SurveyOptions};
use crate::jobs::{CompareSurveyReply, CompareSurveyRequest, TableInput};
use crate::study::ResponseSource;

fn fmt(x: f64, digits: usize) -> String {
    if x.is_finite() {
        format!("{x:.digits$}")
    } else {
        "–".into()
    }
}

#[component]
pub fn SurveyComparisonPanel(open: OpenStudy) -> impl IntoView {
    let tables = open.study.with_untracked(|s| s.results.clone());
    let survey = open.study.with_untracked(|s| s.survey.clone());
    if survey.questions.is_empty() || tables.len() < 2 {
        return view! {
            <section class="panel" aria-labelledby="survey-compare-heading">
                <h2 id="survey-compare-heading">"Survey: people vs LLM sample"</h2>
                <p class="muted">"With survey questions and two response tables in the study (the people's answers imported in the Analyze tab, and an LLM run from the Field tab), their answers are compared here question by question."</p>
            </section>
        }
        .into_any();
    }
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let human = RwSignal::new(first_of(&tables, ResponseSource::Human, 0));
    let llm = RwSignal::new(first_of(&tables, ResponseSource::Llm, 1));
    let group = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<CompareSurveyReply>);
    let tables = StoredValue::new(tables);
    let survey = StoredValue::new(survey);
    let run = move |_| {
        let (h, l) = (human.get_untracked(), llm.get_untracked());
        let group = group.get_untracked();
        let request = tables.with_value(|ts| CompareSurveyRequest {
            humans: TableInput::Table {
                table: ts[h].clone(),
            },
            llm: TableInput::Table {
                table: ts[l].clone(),
            },
            survey: survey.get_value(),
            options: SurveyOptions {
                group: (!group.trim().is_empty()).then(|| group.trim().to_string()),
                ..SurveyOptions::default()
            },
        });
        busy.set(true);
        problem.set(None);
        result.set(None);
        spawn_local(async move {
            match worker::call(request).await {
                Ok(reply) => result.set(Some(reply)),
                Err(e) => problem.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let stem = open
        .study
        .with_untracked(|s| browser::file_stem(&s.metadata.name));
    view! {
        <section class="panel" aria-labelledby="survey-compare-heading" data-testid="survey-compare">
            <h2 id="survey-compare-heading">"Survey: people vs LLM sample"</h2>
            <p class="muted">"Two unpaired samples of answers to this survey, question by question (matrix items and multi-select options one by one): means and SDs, how far apart the distributions are, how near each is to answering uniformly at random, and a test of difference."</p>
            <div class="grid">
                <TableSelect id="survey-humans" label="People (table)" names=names.clone() selected=human />
                <TableSelect id="survey-llm" label="LLM sample (table)" names=names selected=llm />
                <div class="field">
                    <label for="survey-group">"Group by (column or question id, optional)"</label>
                    <input id="survey-group" type="text" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                </div>
            </div>
            <div class="row">
                <button on:click=run disabled=move || busy.get()>{move || if busy.get() { "Comparing…" } else { "Compare answers" }}</button>
            </div>
            {move || problem.get().map(|p| view! { <div class="notice notice-error" role="alert" data-testid="survey-compare-problem">{p}</div> })}
            {move || result.get().map(|r| view! { <SurveyResult reply=r stem=stem.clone() /> })}
        </section>
    }
    .into_any()
}

fn summary_line(reply: &CompareSurveyReply) -> String {
    let c = &reply.comparison;
    let s = &c.summary;
    format!(
        "{} items · {} people, {} LLM respondents · mean JS divergence {} · mean representativeness {} · LLM nearer uniform than people on {} of items · median SD ratio {} · differing after adjustment {}",
        s.items,
        c.human_respondents,
        c.llm_respondents,
        fmt(s.mean_js_divergence, 3),
        fmt(s.mean_representativeness, 3),
        fmt(s.nearer_uniform_share, 2),
        fmt(s.median_sd_ratio, 2),
        fmt(s.different_share, 2),
    )
}

fn item_row(r: &ItemComparison) -> impl IntoView {
    view! {
        <tr>
            <td>{r.question.clone()}</td>
            <td>{r.kind.name()}</td>
            <td>{r.n_human}</td>
            <td>{r.n_llm}</td>
            <td>{fmt(r.mean_human, 2)}</td>
            <td>{fmt(r.mean_llm, 2)}</td>
            <td>{fmt(r.sd_ratio, 2)}</td>
            <td>{fmt(r.distances.representativeness, 3)}</td>
            <td>{fmt(r.distances.js_divergence, 3)}</td>
            <td>{fmt(r.distances.tv_distance, 3)}</td>
            <td>{fmt(r.human_to_uniform.js_divergence, 3)}</td>
            <td>{fmt(r.llm_to_uniform.js_divergence, 3)}</td>
            <td>{fmt(r.entropy_human, 2)}</td>
            <td>{fmt(r.entropy_llm, 2)}</td>
            <td>{fmt(r.difference.p_value, 4)}</td>
            <td>{fmt(r.p_adjusted, 4)}</td>
        </tr>
    }
}

#[component]
fn SurveyResult(reply: CompareSurveyReply, stem: String) -> impl IntoView {
    let summary = summary_line(&reply);
    let notes: Vec<String> = reply
        .comparison
        .skipped
        .iter()
        .map(|s| format!("{} not compared: {}", s.question, s.reason))
        .chain(reply.comparison.unknown_questions.iter().map(|u| {
            format!(
                "{}: question {} ({} rows) is not in the study",
                u.table, u.question, u.rows
            )
        }))
        .chain(reply.comparison.unreadable.iter().map(|u| {
            format!(
                "{}: line {}: {:?} is not an answer {} knows",
                u.table, u.line, u.value, u.question
            )
        }))
        .collect();
    let items = reply.comparison.items.clone();
    let labels: Vec<String> = items.iter().map(|r| r.question.clone()).collect();
    let rows = items.iter().map(item_row).collect_view();
    let chosen = RwSignal::new(0usize);
    let items = StoredValue::new(items);
    let summary_figure = crate::plot::survey_summary_figure(&reply.comparison);
    let downloads = {
        let (items_csv, summary_csv, group_csv) = (
            reply.items_csv.clone(),
            reply.summary_csv.clone(),
            reply.group_items_csv.clone(),
        );
        let (a, b, c) = (
            format!("{stem}-survey-comparison.csv"),
            format!("{stem}-survey-summary.csv"),
            format!("{stem}-survey-groups.csv"),
        );
        let has_groups = !group_csv.is_empty();
        view! {
            <div class="row">
                <button class="secondary" on:click=move |_| { let _ = browser::download(&a, "text/csv", &items_csv); }>"Items (CSV)"</button>
                <button class="secondary" on:click=move |_| { let _ = browser::download(&b, "text/csv", &summary_csv); }>"Summary (CSV)"</button>
                {has_groups.then(|| view! { <button class="secondary" on:click=move |_| { let _ = browser::download(&c, "text/csv", &group_csv); }>"Per group (CSV)"</button> })}
            </div>
        }
    };
    let stem_chart = stem.clone();
    view! {
        <p data-testid="survey-compare-summary">{summary}</p>
        {(!notes.is_empty()).then(|| view! { <ul class="muted" data-testid="survey-compare-notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> })}
        {downloads}
        <div class="charts">
            {match summary_figure {
                Ok(f) => view! { <PlotView figure=f file_stem=format!("{stem}-survey-summary") /> }.into_any(),
                Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
            }}
            <div>
                <div class="field">
                    <label for="survey-question">"Question"</label>
                    <select id="survey-question" on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {labels.iter().enumerate().map(|(i, l)| view! { <option value=i.to_string()>{l.clone()}</option> }).collect_view()}
                    </select>
                </div>
                {move || {
                    let i = chosen.get();
                    let figure = items.with_value(|items| items.get(i).map(crate::plot::survey_distribution_figure));
                    match figure {
                        Some(Ok(f)) => view! { <div data-testid="survey-question-chart"><PlotView figure=f file_stem=format!("{stem_chart}-survey-question") /></div> }.into_any(),
                        Some(Err(e)) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
                        None => view! { <p class="muted">"No question chosen."</p> }.into_any(),
                    }
                }}
            </div>
        </div>
        <h3>"Per question"</h3>
        <div class="table-scroll tall">
            <table data-testid="survey-compare-items">
                <thead><tr><th>"Question"</th><th>"Kind"</th><th>"n (people)"</th><th>"n (LLM)"</th><th>"Mean (people)"</th><th>"Mean (LLM)"</th><th>"SD ratio"</th><th>"Representativeness"</th><th>"JS divergence"</th><th>"TV distance"</th><th>"JS to uniform (people)"</th><th>"JS to uniform (LLM)"</th><th>"Entropy (people)"</th><th>"Entropy (LLM)"</th><th>"p"</th><th>"p (BH)"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

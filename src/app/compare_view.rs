//! The Compare tab: twins (or any LLM respondents) against the people they stand for.
//!
//! Two comparisons: paired answers (one row per person × question with the human's and the twin's
//! answer: accuracy, correlation, SD ratio, Glass's Δ, paired t, distances, retest ceiling,
//! subgroups, charts, the HTML report), and the conjoint's estimates from two of the study's
//! tables (AMCEs side by side); and two unpaired samples of survey answers, people vs an LLM
//! sample (`compare_survey.rs`). All the work runs in the worker.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::analyze::{ChartCanvas, PlotView};
use super::compare_survey::SurveyComparisonPanel;
use super::open_study::OpenStudy;
use super::table_select::{first_of, TableSelect};
use super::twin_builder::TwinsFromStudy;
use super::{browser, worker};
use crate::analysis::Estimand;
use crate::compare::Comparison;
use crate::jobs::{
    default_request, CompareEstimatesRequest, CompareReply, CompareRequest, EstimatesComparedReply,
    FileReadOptions, ReadTableRequest, TableInput,
};
use crate::plot::report::ReportInfo;
use crate::plot::{ComparePlot, EstimateKind};
use crate::study::ResponseTable;

fn fmt(x: f64, digits: usize) -> String {
    if x.is_finite() {
        format!("{x:.digits$}")
    } else {
        "–".into()
    }
}

/// The first column whose lower-case name is one of `names`.
fn guess(table: &ResponseTable, names: &[&str]) -> String {
    names
        .iter()
        .find_map(|n| {
            table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
        })
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// Which columns pair the answers: guessed from the usual names, editable.
#[derive(Clone, Debug, Default, PartialEq)]
struct Columns {
    person: String,
    question: Vec<String>,
    human: String,
    twin: String,
    retest: String,
    group: String,
}

impl Columns {
    fn guess(table: &ResponseTable) -> Self {
        let question: Vec<String> = ["study_name", "variable_name"]
            .iter()
            .filter(|n| table.columns.iter().any(|c| c.name == **n))
            .map(|n| n.to_string())
            .collect();
        let question = if question.is_empty() {
            let q = guess(table, &["question", "item", "variable", "question_id"]);
            if q.is_empty() {
                Vec::new()
            } else {
                vec![q]
            }
        } else {
            question
        };
        Self {
            person: guess(
                table,
                &[
                    "twin_id",
                    "person",
                    "person_id",
                    "respondent",
                    "respondent_id",
                    "pid",
                    "id",
                ],
            ),
            question,
            human: guess(
                table,
                &["human", "human_answer", "answer_human", "human_value"],
            ),
            twin: guess(
                table,
                &["twin", "twin_answer", "answer_twin", "llm", "twin_value"],
            ),
            retest: guess(table, &["retest", "human_retest", "wave2", "human_wave2"]),
            group: String::new(),
        }
    }
}

#[component]
pub fn CompareView(open: OpenStudy) -> impl IntoView {
    // The conjoint comparison, once computed, also goes into the paired comparison's HTML report.
    let amce = RwSignal::new(None::<EstimatesComparedReply>);
    view! {
        <p class="lead">"Does the LLM stand in for these people, where, and by how much? Upload paired answers (one row per person and question with the human's and the twin's answer), or compare the conjoint estimates of two of the study's tables."</p>
        <PairedComparison open=open amce=amce />
        <SurveyComparisonPanel open=open />
        <EstimateComparison open=open result=amce />
    }
}

#[component]
fn PairedComparison(
    open: OpenStudy,
    amce: RwSignal<Option<EstimatesComparedReply>>,
) -> impl IntoView {
    let table = RwSignal::new(None::<ResponseTable>);
    let file_name = RwSignal::new(String::new());
    let ranges = RwSignal::new(None::<(String, String)>);
    let columns = RwSignal::new(Columns::default());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<CompareReply>);

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        problem.set(None);
        result.set(None);
        spawn_local(async move {
            let read = async {
                let bytes = browser::read_file(&file).await?;
                let job = ReadTableRequest {
                    options: FileReadOptions {
                        name: "pairs".into(),
                        file_name: file.name(),
                        ..FileReadOptions::default()
                    },
                    bytes,
                };
                Ok::<_, String>(worker::call(job).await?.imported.table)
            }
            .await;
            match read {
                Ok(t) => {
                    columns.set(Columns::guess(&t));
                    file_name.set(file.name());
                    table.set(Some(t));
                }
                Err(e) => problem.set(Some(format!("{}: {e}", file.name()))),
            }
            busy.set(false);
        });
    };
    let on_ranges = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            match browser::read_file(&file).await {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => ranges.set(Some((file.name(), text))),
                    Err(_) => problem.set(Some(format!("{}: not UTF-8 text", file.name()))),
                },
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let run = move |_| {
        let Some(data) = table.get_untracked() else {
            return;
        };
        let c = columns.get_untracked();
        let optional = |s: String| (!s.is_empty()).then_some(s);
        let request = CompareRequest {
            data: TableInput::Table { table: data },
            person: c.person,
            question: c.question,
            human: c.human,
            twin: c.twin,
            retest: optional(c.retest),
            group: optional(c.group),
            ranges: ranges.get_untracked().map(|(name, text)| TableInput::Csv {
                name,
                text,
                delimiter: None,
            }),
            range_key: None,
            range_min: None,
            range_max: None,
            range_kind: None,
            kinds: Vec::new(),
            // The full matrix as CSV is offered for download.
            matrix_csv: true,
        };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            match worker::call(request).await {
                Ok(reply) => result.set(Some(reply)),
                Err(e) => problem.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let column_names = move || {
        table.with(|t| {
            t.as_ref()
                .map(|t| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       optional: bool,
                       get: fn(&Columns) -> String,
                       set: fn(&mut Columns, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id prop:value=move || columns.with(get)
                    on:change=move |ev| columns.update(|c| set(c, event_target_value(&ev)))>
                    {optional.then(|| view! { <option value="">"(none)"</option> })}
                    {move || column_names().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    let question_checks = move || {
        column_names()
            .into_iter()
            .map(|name| {
                let checked = {
                    let name = name.clone();
                    move || columns.with(|c| c.question.contains(&name))
                };
                let toggle = {
                    let name = name.clone();
                    move |ev| {
                        let on = event_target_checked(&ev);
                        columns.update(|c| {
                            c.question.retain(|q| q != &name);
                            if on {
                                c.question.push(name.clone());
                            }
                        })
                    }
                };
                view! { <label class="check"><input type="checkbox" prop:checked=checked on:change=toggle />" "{name.clone()}</label> }
            })
            .collect_view()
    };
    // The study's twins paired with their people, instead of an uploaded file.
    let from_study = move |pairs: crate::compare::TwinPairs| {
        columns.set(Columns::guess(&pairs.pairs));
        file_name.set("the study's twins and their people".into());
        ranges.set(Some((
            "ranges from the survey".into(),
            crate::data::table_to_csv(&pairs.ranges),
        )));
        table.set(Some(pairs.pairs));
        result.set(None);
        problem.set(None);
    };
    let study_name = open.study.with_untracked(|s| s.metadata.name.clone());
    view! {
        <section class="panel" aria-labelledby="pairs-heading">
            <h2 id="pairs-heading">"Twins vs people: paired answers"</h2>
            <div class="row">
                <label for="pairs-file">"Paired answers (CSV, TSV or .xlsx)"</label>
                <input id="pairs-file" type="file" accept=".csv,.tsv,.txt,.xlsx" on:change=on_file />
            </div>
            <div class="row">
                <label for="ranges-file">"Question ranges (optional CSV: key columns, min, max)"</label>
                <input id="ranges-file" type="file" accept=".csv,.tsv,.txt" on:change=on_ranges />
                {move || ranges.get().map(|(n, _)| view! { <span class="muted">{n}</span> })}
            </div>
            <TwinsFromStudy open on_pairs=from_study />
            {move || problem.get().map(|p| view! { <div class="notice notice-error" role="alert" data-testid="compare-problem">{p}</div> })}
            {move || table.get().map(|t| view! {
                <p class="muted" data-testid="pairs-summary">{format!("{}: {} rows, {} columns.", file_name.get_untracked(), t.row_count(), t.columns.len())}</p>
                <div class="grid">
                    {select("pairs-person", "Person", false, |c| c.person.clone(), |c, v| c.person = v)}
                    {select("pairs-human", "Human answer", false, |c| c.human.clone(), |c, v| c.human = v)}
                    {select("pairs-twin", "Twin answer", false, |c| c.twin.clone(), |c, v| c.twin = v)}
                    {select("pairs-retest", "Human retest (optional)", true, |c| c.retest.clone(), |c, v| c.retest = v)}
                    {select("pairs-group", "Subgroup (optional)", true, |c| c.group.clone(), |c, v| c.group = v)}
                </div>
                <fieldset class="row"><legend>"Question key"</legend><div class="checks">{question_checks}</div></fieldset>
                <div class="row">
                    <button on:click=run disabled=move || busy.get()>{move || if busy.get() { "Comparing…" } else { "Compare" }}</button>
                </div>
            })}
            {move || result.get().map(|r| view! { <ComparisonResults reply=r file_name=file_name.get_untracked() study_name=study_name.clone() amce /> })}
            // Every pair and cell on the GPU (src/app/compare_large.rs), opened on demand.
            {move || result.get().zip(table.get_untracked()).map(|(r, t)| {
                let c = columns.get_untracked();
                view! { <super::compare_large::CompareLargeViews table=t person=c.person question=c.question human=c.human twin=c.twin matrix_csv=r.matrix_csv /> }
            })}
        </section>
    }
}

#[component]
fn ComparisonResults(
    reply: CompareReply,
    file_name: String,
    study_name: String,
    amce: RwSignal<Option<EstimatesComparedReply>>,
) -> impl IntoView {
    let stem = browser::file_stem(&study_name);
    let o = reply.comparison.overall.clone();
    let retest = reply
        .comparison
        .overall_retest
        .as_ref()
        .map(|r| {
            format!(
                " · human test–retest ceiling {} · twin accuracy / ceiling {}",
                fmt(r.human_accuracy, 3),
                fmt(r.share, 3)
            )
        })
        .unwrap_or_default();
    let overall = format!(
        "{} questions, {} pairs · accuracy {} · exact match {} · correlation {} · SD ratio {} · Glass's Δ {}{}",
        reply.comparison.questions.len(),
        o.n,
        fmt(o.accuracy, 4),
        fmt(o.exact_match, 4),
        fmt(o.correlation, 4),
        fmt(o.sd_ratio, 4),
        fmt(o.glass_delta, 4),
        retest
    );
    let rows = reply
        .comparison
        .questions
        .iter()
        .map(|q| {
            let m = &q.metrics;
            view! {
                <tr>
                    <td>{q.label()}</td>
                    <td>{m.n}</td>
                    <td>{fmt(m.accuracy, 4)}</td>
                    <td>{fmt(m.correlation, 4)}</td>
                    <td>{fmt(m.sd_ratio, 4)}</td>
                    <td>{fmt(m.glass_delta, 4)}</td>
                    <td>{fmt(m.paired_t, 3)}</td>
                    <td>{fmt(m.paired_p, 4)}</td>
                    <td>{fmt(m.mean_human, 3)}</td>
                    <td>{fmt(m.mean_twin, 3)}</td>
                    <td>{fmt(m.distances.representativeness, 3)}</td>
                    <td>{fmt(m.distances.js_divergence, 3)}</td>
                </tr>
            }
        })
        .collect_view();
    let downloads = [
        ("Per question (CSV)", "questions", reply.questions_csv.clone()),
        ("Per respondent (CSV)", "respondents", reply.respondents_csv.clone()),
        ("Agreement matrix (CSV)", "matrix", reply.matrix_csv.clone()),
        ("Subgroups (CSV)", "subgroups", reply.subgroups_csv.clone()),
    ]
    .into_iter()
    .filter(|(_, _, text)| !text.is_empty())
    .map(|(label, suffix, text)| {
        let name = format!("{stem}-compare-{suffix}.csv");
        view! { <button class="secondary" on:click=move |_| { let _ = browser::download(&name, "text/csv", &text); }>{label}</button> }
    })
    .collect_view();
    let comparison = StoredValue::new(reply.comparison.clone());
    let report_problem = RwSignal::new(None::<String>);
    let report = {
        let stem = stem.clone();
        move |_| {
            let info = ReportInfo {
                title: study_name.clone(),
                source_file: file_name.clone(),
                date: browser::now(),
                columns: String::new(),
            };
            // Drawn here rather than in the worker: plotters measures text with the page's canvas.
            let html = comparison.with_value(|c| {
                amce.with_untracked(|a| {
                    let estimates = a.as_ref().map(|r| (&r.comparison, EstimateKind::Amce));
                    crate::plot::report::html(c, &info, estimates)
                })
            });
            if browser::download(&format!("{stem}-comparison.html"), "text/html", &html).is_err() {
                report_problem.set(Some("The browser refused the download.".into()));
            }
        }
    };
    let question_labels: Vec<String> = reply
        .comparison
        .questions
        .iter()
        .map(|q| q.label())
        .collect();
    let chosen_question = RwSignal::new(0usize);
    view! {
        <h3>"Overall"</h3>
        <p data-testid="compare-overall">{overall}</p>
        <div class="row">
            {downloads}
            <button on:click=report>"HTML report (opens offline)"</button>
        </div>
        {move || report_problem.get().map(|p| view! { <div class="notice notice-error" role="alert">{p}</div> })}
        <div class="charts">
            <ChartView comparison=comparison which=ComparePlot::Means stem=stem.clone() name="means" />
            <ChartView comparison=comparison which=ComparePlot::Accuracy { limit: Some(25) } stem=stem.clone() name="accuracy" />
        </div>
        <div class="charts">
            <ChartView comparison=comparison which=ComparePlot::Heatmap stem=stem.clone() name="agreement" />
            <div>
                <div class="field">
                    <label for="distribution-question">"Distribution of question"</label>
                    <select id="distribution-question" on:change=move |ev| chosen_question.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {question_labels.iter().enumerate().map(|(i, l)| view! { <option value=i.to_string()>{l.clone()}</option> }).collect_view()}
                    </select>
                </div>
                {move || {
                    let q = chosen_question.get();
                    view! { <ChartView comparison=comparison which=ComparePlot::Distribution { question: q } stem=stem.clone() name="distribution" /> }
                }}
            </div>
        </div>
        <h3>"Per question"</h3>
        <div class="table-scroll tall">
            <table data-testid="compare-questions">
                <thead><tr><th>"Question"</th><th>"n"</th><th>"Accuracy"</th><th>"Correlation"</th><th>"SD ratio"</th><th>"Glass's Δ"</th><th>"Paired t"</th><th>"p"</th><th>"Mean (human)"</th><th>"Mean (twin)"</th><th>"Representativeness"</th><th>"JS divergence"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One comparison chart, drawn on the page's thread from the comparison the worker returned.
#[component]
fn ChartView(
    comparison: StoredValue<Comparison>,
    which: ComparePlot,
    stem: String,
    name: &'static str,
) -> impl IntoView {
    match comparison.with_value(|c| crate::plot::compare_chart(c, &which)) {
        Err(e) => view! { <div class="notice" role="status" data-testid=format!("chart-{name}-problem")>{e.to_string()}</div> }.into_any(),
        Ok(chart) => view! {
            <figure class="chart" data-testid=format!("chart-{name}")>
                <ChartCanvas chart=chart file_stem=format!("{stem}-{name}") label=format!("{name} chart") testid="compare-chart" />
            </figure>
        }
        .into_any(),
    }
}

/// Conjoint estimates of two of the study's tables side by side.
#[component]
fn EstimateComparison(
    open: OpenStudy,
    result: RwSignal<Option<EstimatesComparedReply>>,
) -> impl IntoView {
    let tables = open.study.with_untracked(|s| s.results.clone());
    let conjoint = open.study.with_untracked(|s| s.conjoint.clone());
    if conjoint.is_none() || tables.len() < 2 {
        return view! {
            <section class="panel" aria-labelledby="amce-compare-heading">
                <h2 id="amce-compare-heading">"Conjoint: people vs LLM"</h2>
                <p class="muted">"With a conjoint and two response tables in the study (for example the human data and an LLM run from the Field tab), their AMCEs are compared here."</p>
            </section>
        }
        .into_any();
    }
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let human = RwSignal::new(0usize);
    let twin = RwSignal::new(first_of(&tables, crate::study::ResponseSource::Llm, 1));
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let tables = StoredValue::new(tables);
    let conjoint = StoredValue::new(conjoint);
    let run = move |_| {
        let (h, t) = (human.get_untracked(), twin.get_untracked());
        let requests = tables.with_value(|ts| {
            conjoint
                .with_value(|c| [h, t].map(|i| default_request(&ts[i], c.as_ref(), Estimand::Amce)))
        });
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let outcome = async {
                let mut rows = Vec::new();
                for request in requests {
                    rows.push(worker::call(request).await?.rows);
                }
                let twins = rows.pop().unwrap_or_default();
                let humans = rows.pop().unwrap_or_default();
                Ok::<_, String>(worker::call(CompareEstimatesRequest { humans, twins }).await?)
            }
            .await;
            match outcome {
                Ok(r) => result.set(Some(r)),
                Err(e) => problem.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let stem = open
        .study
        .with_untracked(|s| browser::file_stem(&s.metadata.name));
    view! {
        <section class="panel" aria-labelledby="amce-compare-heading">
            <h2 id="amce-compare-heading">"Conjoint: people vs LLM"</h2>
            <div class="grid">
                <TableSelect id="amce-humans" label="People (table)" names=names.clone() selected=human />
                <TableSelect id="amce-twins" label="LLM (table)" names=names selected=twin />
            </div>
            <div class="row">
                <button on:click=run disabled=move || busy.get()>{move || if busy.get() { "Estimating…" } else { "Compare AMCEs" }}</button>
            </div>
            {move || problem.get().map(|p| view! { <div class="notice notice-error" role="alert">{p}</div> })}
            {move || result.get().map(|r| {
                let s = &r.comparison.summary;
                let summary = format!(
                    "{} levels compared · correlation {} · same sign {} · significant differences {}",
                    s.compared, fmt(s.correlation, 3), fmt(s.sign_agreement, 3), fmt(s.significant_share, 3));
                let figure = crate::plot::estimate_comparison_figure(&r.comparison, EstimateKind::Amce, "");
                let csv = r.csv.clone();
                let name = format!("{stem}-amce-comparison.csv");
                view! {
                    <p data-testid="amce-compare-summary">{summary}</p>
                    <div class="row"><button class="secondary" on:click=move |_| { let _ = browser::download(&name, "text/csv", &csv); }>"Comparison (CSV)"</button></div>
                    {match figure {
                        Ok(f) => view! { <PlotView figure=f file_stem=format!("{stem}-amce-comparison") /> }.into_any(),
                        Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
                    }}
                }
            })}
        </section>
    }
    .into_any()
}

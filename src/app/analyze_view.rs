//! The Analyze tab: pick a response table and a model, estimate in the background worker, read the
//! tidy table and download it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser;
use super::worker;
use crate::jobs::{default_request, EstimateReply, Estimator, Job, Reply, SeConvention};
use crate::study::{ColumnValues, ResponseTable, Study};

#[component]
pub fn AnalyzeView(study: Study) -> impl IntoView {
    if study.results.is_empty() {
        return view! { <p class="muted">"No response tables yet: import human data or field the study."</p> }.into_any();
    }
    let tables = StoredValue::new(study.results.clone());
    let conjoint = StoredValue::new(study.conjoint.clone());
    let study_name = study.metadata.name.clone();
    let chosen_table = RwSignal::new(0usize);
    let estimator = RwSignal::new(Estimator::Amce);
    let first = default_request(&study.results[0], study.conjoint.as_ref(), Estimator::Amce);
    let outcome = RwSignal::new(first.outcome);
    let id = RwSignal::new(first.id.unwrap_or_default());
    let formula = RwSignal::new(first.formula);
    let se = RwSignal::new(SeConvention::Cregg);
    let running = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<EstimateReply, String>>);

    let column_names = move || {
        tables.with_value(|t| {
            t[chosen_table.get()]
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        })
    };
    let choose_table = move |index: usize| {
        chosen_table.set(index);
        let request = tables.with_value(|t| {
            default_request(&t[index], conjoint.get_value().as_ref(), Estimator::Amce)
        });
        outcome.set(request.outcome);
        id.set(request.id.unwrap_or_default());
        formula.set(request.formula);
        result.set(None);
    };
    let estimate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut request = tables.with_value(|t| {
            default_request(
                &t[chosen_table.get_untracked()],
                conjoint.get_value().as_ref(),
                estimator.get_untracked(),
            )
        });
        request.outcome = outcome.get_untracked();
        request.id = Some(id.get_untracked()).filter(|s| !s.is_empty());
        request.formula = formula.get_untracked();
        request.se = se.get_untracked();
        running.set(true);
        result.set(None);
        spawn_local(async move {
            let reply = match worker::run(&Job::Estimate(request)).await {
                Ok(Reply::Estimates(reply)) => Ok(reply),
                Ok(Reply::Failed { message }) => Err(message),
                Ok(_) => Err("the worker answered with something else".to_string()),
                Err(e) => Err(e),
            };
            result.set(Some(reply));
            running.set(false);
        });
    };
    let options = move |selected: RwSignal<String>| {
        column_names()
            .into_iter()
            .map(|name| {
                let is_selected = selected.get_untracked() == name;
                view! { <option value=name.clone() selected=is_selected>{name.clone()}</option> }
            })
            .collect_view()
    };

    view! {
        <DataTables tables=study.results.clone() />
        <section class="panel" aria-labelledby="estimate-heading">
            <h2 id="estimate-heading">"Estimate effects"</h2>
            <form class="model-form" on:submit=estimate>
                <div class="row">
                    <label for="table-choice">"Response table"</label>
                    <select id="table-choice" on:change=move |ev| choose_table(event_target_value(&ev).parse().unwrap_or(0))>
                        {tables.with_value(|t| t.iter().enumerate().map(|(i, table)| {
                            view! { <option value=i.to_string()>{format!("{} ({} rows)", table.name, table.row_count())}</option> }
                        }).collect_view())}
                    </select>
                </div>
                <fieldset class="row">
                    <legend>"Estimator"</legend>
                    <label><input type="radio" name="estimator" checked=true on:change=move |_| estimator.set(Estimator::Amce) />" AMCE"</label>
                    <label><input type="radio" name="estimator" on:change=move |_| estimator.set(Estimator::MarginalMeans) />" Marginal means"</label>
                </fieldset>
                <div class="row">
                    <label for="outcome-choice">"Outcome"</label>
                    <select id="outcome-choice" on:change=move |ev| outcome.set(event_target_value(&ev))>
                        {move || options(outcome)}
                    </select>
                    <label for="id-choice">"Respondent id (clusters)"</label>
                    <select id="id-choice" on:change=move |ev| id.set(event_target_value(&ev))>
                        {move || options(id)}
                    </select>
                </div>
                <div class="row">
                    <label for="formula">"Features"</label>
                    <input id="formula" type="text" prop:value=move || formula.get()
                        on:input=move |ev| formula.set(event_target_value(&ev))
                        aria-describedby="formula-help" />
                </div>
                <p id="formula-help" class="muted">"Separate features with +. Write A*B for a restricted pair (e.g. Education*Job), averaged as cregg does."</p>
                <div class="row">
                    <label for="se-choice">"Standard errors"</label>
                    <select id="se-choice" on:change=move |ev| se.set(if event_target_value(&ev) == "cr1" { SeConvention::Cr1 } else { SeConvention::Cregg })>
                        <option value="cregg">"Clustered by respondent, cregg / survey (G/(G−1))"</option>
                        <option value="cr1">"Clustered, Stata / statsmodels CR1"</option>
                    </select>
                    <button type="submit" disabled=move || running.get()>
                        {move || if running.get() { "Estimating…" } else { "Estimate" }}
                    </button>
                </div>
            </form>
        </section>
        {move || result.get().map(|r| match r {
            Err(message) => view! {
                <div class="notice notice-error" role="alert" data-testid="estimate-error">
                    <strong>"The model could not be estimated: "</strong>{message}
                </div>
            }.into_any(),
            Ok(reply) => view! { <EstimatesTable reply=reply study_name=study_name.clone() /> }.into_any(),
        })}
    }
    .into_any()
}

fn format_number(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

#[component]
fn EstimatesTable(reply: EstimateReply, study_name: String) -> impl IntoView {
    let title = match reply.estimator {
        Estimator::Amce => "Average marginal component effects",
        Estimator::MarginalMeans => "Marginal means",
    };
    let csv = reply.csv.clone();
    let file = format!(
        "{}-{}.csv",
        browser::file_stem(&study_name),
        match reply.estimator {
            Estimator::Amce => "amce",
            Estimator::MarginalMeans => "mm",
        }
    );
    let mut last_feature = String::new();
    let rows = reply
        .rows
        .iter()
        .map(|row| {
            let feature = if row.feature == last_feature {
                String::new()
            } else {
                row.feature.clone()
            };
            last_feature = row.feature.clone();
            let ci = match (row.lower, row.upper) {
                (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
                _ => String::new(),
            };
            view! {
                <tr>
                    <th scope="row">{feature}</th>
                    <td>{row.level.clone()}</td>
                    <td class="num">{format_number(row.estimate, 6)}</td>
                    <td class="num">{format_number(row.std_error, 6)}</td>
                    <td class="num">{format_number(row.z, 3)}</td>
                    <td class="num">{format_number(row.p, 4)}</td>
                    <td class="num">{ci}</td>
                </tr>
            }
        })
        .collect_view();
    let warnings = reply
        .warnings
        .iter()
        .map(|w| view! { <li>{w.clone()}</li> })
        .collect_view();
    view! {
        <section class="panel" data-testid="estimates" aria-labelledby="estimates-heading">
            <h2 id="estimates-heading">{title}</h2>
            <p class="muted">{format!("{} rows, {} respondents. Baselines at 0 without a standard error.", reply.n_rows, reply.n_respondents)}</p>
            {(!reply.warnings.is_empty()).then(|| view! { <ul class="warnings">{warnings}</ul> })}
            <button class="secondary" on:click=move |_| { let _ = browser::download(&file, "text/csv", &csv); }>"Download CSV"</button>
            <table class="data estimates">
                <thead><tr>
                    <th scope="col">"Feature"</th><th scope="col">"Level"</th><th scope="col">"Estimate"</th>
                    <th scope="col">"Std. error"</th><th scope="col">"z"</th><th scope="col">"p"</th><th scope="col">"95% CI"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
fn DataTables(tables: Vec<ResponseTable>) -> impl IntoView {
    tables
        .into_iter()
        .map(|table| {
            let columns = table
                .columns
                .iter()
                .map(|c| {
                    let (kind, missing) = match &c.values {
                        ColumnValues::Number(v) => ("number", v.iter().filter(|x| x.is_none()).count()),
                        ColumnValues::Text(v) => ("text", v.iter().filter(|x| x.is_none()).count()),
                    };
                    view! { <tr><th scope="row">{c.name.clone()}</th><td>{format!("{:?}", c.role).to_lowercase()}</td><td>{kind}</td><td>{missing}</td></tr> }
                })
                .collect_view();
            view! {
                <details class="panel" data-testid="response-table">
                    <summary>
                        <strong>{format!("Table “{}” ({:?}): ", table.name, table.source)}</strong>
                        {format!("{} rows × {} columns.", table.row_count(), table.columns.len())}
                    </summary>
                    <p class="muted">{table.provenance.description.clone()}</p>
                    {(!table.provenance.citation.is_empty()).then(|| view! { <p class="muted">"Cite: " {table.provenance.citation.clone()}</p> })}
                    <table class="data">
                        <thead><tr><th scope="col">"Column"</th><th scope="col">"Role"</th><th scope="col">"Type"</th><th scope="col">"Missing"</th></tr></thead>
                        <tbody>{columns}</tbody>
                    </table>
                </details>
            }
        })
        .collect_view()
}

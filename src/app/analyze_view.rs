//! The Analyze tab: pick a response table and a model (weights, baselines, a subgroup variable),
//! estimate in the background worker, see the plot and the tidy table, and download them.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::analyze::PlotView;
use super::browser;
use super::human_data::HumanDataImport;
use super::open_study::OpenStudy;
use super::worker;
use crate::analysis::{ClusterSe, Estimand};
use crate::jobs::{default_request, EstimateReply};
use crate::study::{ColumnRole, ColumnValues, ResponseTable, Study};

/// Columns that can split respondents into groups: not the outcome, id, attributes or weights.
fn group_candidates(table: &ResponseTable) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| {
            !matches!(
                c.role,
                ColumnRole::Attribute
                    | ColumnRole::Outcome
                    | ColumnRole::Respondent
                    | ColumnRole::Weight
            )
        })
        .map(|c| c.name.clone())
        .collect()
}

/// Columns that hold numbers (candidates for survey weights).
fn numeric_columns(table: &ResponseTable) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| matches!(c.values, ColumnValues::Number(_)))
        .map(|c| c.name.clone())
        .collect()
}

/// `order` with `level` moved first (the baseline).
fn with_baseline(order: &[String], level: &str) -> Vec<String> {
    let mut reordered = vec![level.to_string()];
    reordered.extend(order.iter().filter(|l| *l != level).cloned());
    reordered
}

/// Human data import above the estimator; the estimator is rebuilt when the study's tables change
/// (e.g. a table was just imported), so it always lists them all.
#[component]
pub fn AnalyzeView(open: OpenStudy) -> impl IntoView {
    // Names and sizes are enough to notice a table added or replaced, without cloning the data.
    let results = Memo::new(move |_| {
        open.study.with(|s| {
            s.results
                .iter()
                .map(|t| (t.name.clone(), t.row_count(), t.columns.len()))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <HumanDataImport open />
        {move || {
            let _ = results.get();
            view! { <Estimates study=open.study.get_untracked() /> }
        }}
    }
}

#[component]
fn Estimates(study: Study) -> impl IntoView {
    if study.results.is_empty() {
        return view! { <p class="muted">"No response tables yet: import human data or field the study."</p> }.into_any();
    }
    let tables = StoredValue::new(study.results.clone());
    let conjoint = StoredValue::new(study.conjoint.clone());
    let study_name = study.metadata.name.clone();
    let chosen_table = RwSignal::new(0usize);
    let estimator = RwSignal::new(Estimand::Amce);
    let first = default_request(&study.results[0], study.conjoint.as_ref(), Estimand::Amce);
    let outcome = RwSignal::new(first.outcome);
    let id = RwSignal::new(first.id.unwrap_or_default());
    let formula = RwSignal::new(first.formula);
    let se = RwSignal::new(ClusterSe::Cregg);
    let weights = RwSignal::new(first.weights.unwrap_or_default());
    let by = RwSignal::new(String::new());
    // The design's level orders (fixed per table) and the baseline chosen for each feature; the
    // order sent to the worker is the design's with the chosen baseline moved first.
    let level_orders = RwSignal::new(first.level_orders);
    let baselines = RwSignal::new(Vec::<(String, String)>::new());
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
            default_request(&t[index], conjoint.get_value().as_ref(), Estimand::Amce)
        });
        outcome.set(request.outcome);
        id.set(request.id.unwrap_or_default());
        formula.set(request.formula);
        weights.set(request.weights.unwrap_or_default());
        by.set(String::new());
        level_orders.set(request.level_orders);
        baselines.set(Vec::new());
        result.set(None);
    };
    let weight_columns = move || tables.with_value(|t| numeric_columns(&t[chosen_table.get()]));
    let by_columns = move || tables.with_value(|t| group_candidates(&t[chosen_table.get()]));
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
        request.weights = Some(weights.get_untracked()).filter(|s| !s.is_empty());
        request.by = Some(by.get_untracked()).filter(|s| !s.is_empty());
        let chosen = baselines.get_untracked();
        request.level_orders = level_orders
            .get_untracked()
            .into_iter()
            .map(|(feature, order)| {
                let order = match chosen.iter().find(|(f, _)| *f == feature) {
                    Some((_, level)) => with_baseline(&order, level),
                    None => order,
                };
                (feature, order)
            })
            .collect();
        running.set(true);
        result.set(None);
        spawn_local(async move {
            let reply = worker::call(request).await.map_err(|e| e.to_string());
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
                    <label><input type="radio" name="estimator" checked=true on:change=move |_| estimator.set(Estimand::Amce) />" AMCE"</label>
                    <label><input type="radio" name="estimator" on:change=move |_| estimator.set(Estimand::MarginalMeans) />" Marginal means"</label>
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
                    <label for="weights-choice">"Weights"</label>
                    <select id="weights-choice" on:change=move |ev| weights.set(event_target_value(&ev))>
                        <option value="" selected=move || weights.get().is_empty()>"None (every row counts once)"</option>
                        {move || weight_columns().into_iter().map(|name| {
                            let selected = weights.get_untracked() == name;
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <label for="by-choice">"Subgroups by"</label>
                    <select id="by-choice" aria-describedby="by-help" on:change=move |ev| by.set(event_target_value(&ev))>
                        <option value="" selected=move || by.get().is_empty()>"No subgroups"</option>
                        {move || by_columns().into_iter().map(|name| {
                            let selected = by.get_untracked() == name;
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <p id="by-help" class="muted">"With subgroups: estimates within each group of a respondent variable, and each group's difference from the first."</p>
                <BaselineChoices level_orders=level_orders baselines=baselines />
                <div class="row">
                    <label for="se-choice">"Standard errors"</label>
                    <select id="se-choice" on:change=move |ev| se.set(if event_target_value(&ev) == "cr1" { ClusterSe::Cr1 } else { ClusterSe::Cregg })>
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
            Ok(reply) => view! {
                <EstimatesPlot reply=reply.clone() study_name=study_name.clone() />
                <EstimatesTable reply=reply study_name=study_name.clone() />
            }.into_any(),
        })}
    }
    .into_any()
}

/// One select per feature choosing its baseline level (the level every AMCE is compared with). The
/// options keep the design's order; the choice lives in `baselines`, so the lists never reorder
/// under the user's pointer.
#[component]
fn BaselineChoices(
    level_orders: RwSignal<Vec<(String, Vec<String>)>>,
    baselines: RwSignal<Vec<(String, String)>>,
) -> impl IntoView {
    let choices = move || {
        level_orders
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, (feature, levels))| {
                let id = format!("baseline-{index}");
                let design_baseline = levels.first().cloned().unwrap_or_default();
                let name = feature.clone();
                let value = move || {
                    baselines
                        .get()
                        .into_iter()
                        .find(|(f, _)| *f == name)
                        .map_or_else(|| design_baseline.clone(), |(_, l)| l)
                };
                let name = feature.clone();
                let on_change = move |ev: leptos::ev::Event| {
                    let level = event_target_value(&ev);
                    baselines.update(|chosen| {
                        chosen.retain(|(f, _)| *f != name);
                        chosen.push((name.clone(), level));
                    });
                };
                view! {
                    <label for=id.clone()>{feature.clone()}</label>
                    <select id=id prop:value=value on:change=on_change>
                        {levels.into_iter().map(|level| {
                            view! { <option value=level.clone()>{level.clone()}</option> }
                        }).collect_view()}
                    </select>
                }
            })
            .collect_view()
    };
    view! {
        <details class="baselines">
            <summary>"Baseline levels (AMCEs are differences from these)"</summary>
            <div class="baseline-grid">{choices}</div>
        </details>
    }
}

#[component]
fn EstimatesPlot(reply: EstimateReply, study_name: String) -> impl IntoView {
    let stem = format!(
        "{}-{}{}",
        browser::file_stem(&study_name),
        match reply.estimator {
            Estimand::Amce => "amce",
            Estimand::MarginalMeans => "mm",
        },
        reply
            .by
            .as_deref()
            .map(|b| format!("-by-{}", browser::file_stem(b)))
            .unwrap_or_default()
    );
    view! {
        <section class="panel plot-panel" aria-labelledby="plot-heading">
            <h2 id="plot-heading">"Plot"</h2>
            {match reply.figure() {
                Ok(figure) => view! { <PlotView figure=figure file_stem=stem /> }.into_any(),
                Err(e) => view! { <p class="muted" data-testid="plot-unavailable">{e.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}

fn format_number(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

#[component]
fn EstimatesTable(reply: EstimateReply, study_name: String) -> impl IntoView {
    let title = match reply.estimator {
        Estimand::Amce => "Average marginal component effects",
        Estimand::MarginalMeans => "Marginal means",
    };
    let csv = reply.csv.clone();
    let file = format!(
        "{}-{}.csv",
        browser::file_stem(&study_name),
        match reply.estimator {
            Estimand::Amce => "amce",
            Estimand::MarginalMeans => "mm",
        }
    );
    let grouped = reply.by.is_some();
    let group_heading = reply.by.clone().unwrap_or_default();
    let differences = (!reply.differences_csv.is_empty()).then(|| {
        let csv = reply.differences_csv.clone();
        let name = file.replace(".csv", "-differences.csv");
        view! {
            <button class="secondary" on:click=move |_| { let _ = browser::download(&name, "text/csv", &csv); }>"Download differences CSV"</button>
        }
    });
    let mut last = (None::<String>, String::new());
    let rows = reply
        .rows
        .iter()
        .map(|row| {
            // Name the feature (and group) only where it changes, so the table reads in blocks.
            let key = (row.group.clone(), row.feature.clone());
            let feature = if key == last {
                String::new()
            } else {
                row.feature.clone()
            };
            last = key;
            let group = grouped.then(|| view! { <td>{row.group.clone().unwrap_or_default()}</td> });
            let ci = match (row.lower, row.upper) {
                (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
                _ => String::new(),
            };
            view! {
                <tr>
                    {group}
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
            {differences}
            <table class="data estimates">
                <thead><tr>
                    {grouped.then(|| view! { <th scope="col">{group_heading.clone()}</th> })}
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

//! Checking a design before fielding: diagnostics of a generated design, the power to detect an
//! effect, a respondent's tasks as they will be shown, and exports. Heavy work runs in the worker.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::open_study::OpenStudy;
use super::{browser, worker};
use crate::design::{cjpowr_amce, Diagnostics, PowerPoint, PowerSimulation, ShownQuestion};
use crate::jobs::{
    DesignFormat, DesignRequest, Diagnose, ExportDesignRequest, PreviewReply, PreviewRequest,
    PreviewTask, SimulatePowerRequest,
};

fn design_request(open: OpenStudy, respondents: u32) -> Option<DesignRequest> {
    open.study.with_untracked(|s| {
        s.conjoint.clone().map(|conjoint| DesignRequest {
            seed: conjoint.randomisation.seed,
            conjoint,
            respondents,
        })
    })
}

#[component]
pub fn DesignCheck(open: OpenStudy) -> impl IntoView {
    let respondents = RwSignal::new(1000u32);
    let diagnostics = RwSignal::new(None::<Result<Diagnostics, String>>);
    let busy = RwSignal::new(false);
    let run = move || {
        let Some(request) = design_request(open, respondents.get_untracked()) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = worker::call(Diagnose(request))
                .await
                .map_err(|e| e.to_string());
            diagnostics.set(Some(result));
            busy.set(false);
        });
    };
    // Once diagnostics are on screen they follow every edit of the conjoint; the worker does the work,
    // so the page stays responsive.
    Effect::new(move |previous: Option<Option<crate::study::Conjoint>>| {
        let current = open.study.with(|s| s.conjoint.clone());
        if previous.is_some_and(|p| p != current) && diagnostics.get_untracked().is_some() {
            run();
        }
        current
    });
    let export = move |format: DesignFormat| {
        let Some(request) = design_request(open, respondents.get_untracked()) else {
            return;
        };
        let stem = open
            .study
            .with_untracked(|s| browser::file_stem(&s.metadata.name));
        spawn_local(async move {
            match worker::call(ExportDesignRequest { request, format }).await {
                Ok(text) => {
                    let suffix = if format == DesignFormat::Long {
                        "long"
                    } else {
                        "wide"
                    };
                    let _ = browser::download(
                        &format!("{stem}-design-{suffix}.csv"),
                        "text/csv",
                        &text,
                    );
                }
                Err(e) => diagnostics.set(Some(Err(e.to_string()))),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="check-heading">
            <h2 id="check-heading">"Check the design"</h2>
            <div class="row">
                <label for="design-respondents">"Respondents"</label>
                <input id="design-respondents" type="number" min="1" prop:value=move || respondents.get().to_string()
                    on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() { respondents.set(n.max(1)); } } />
                <button on:click=move |_| run() disabled=move || busy.get()>{move || if busy.get() { "Generating…" } else { "Generate and diagnose" }}</button>
                <button class="secondary" on:click=move |_| export(DesignFormat::Long)>"Download design (long CSV)"</button>
                <button class="secondary" on:click=move |_| export(DesignFormat::Wide)>"Download design (wide CSV)"</button>
                <button class="secondary" on:click=move |_| {
                    let (name, conjoint) = open.study.with_untracked(|s| (s.metadata.name.clone(), s.conjoint.clone()));
                    let Some(conjoint) = conjoint else { return };
                    match crate::design::qualtrics_randomiser(&conjoint, &name) {
                        Ok(script) => { let _ = browser::download(&format!("{}-qualtrics.js", browser::file_stem(&name)), "text/javascript", &script); }
                        Err(e) => diagnostics.set(Some(Err(e.to_string()))),
                    }
                }>"Download Qualtrics randomiser (.js)"</button>
            </div>
            {move || diagnostics.get().map(|result| match result {
                Err(message) => view! { <div class="notice notice-error" role="alert" data-testid="design-error">{message}</div> }.into_any(),
                Ok(d) => view! { <DiagnosticsReport diagnostics=d.clone() /> <super::design_pairs::PairHeatmap diagnostics=d /> }.into_any(),
            })}
        </section>
        <PowerPanel open=open />
    }
}

#[component]
fn DiagnosticsReport(diagnostics: Diagnostics) -> impl IntoView {
    let restricted = diagnostics
        .restricted
        .iter()
        .map(|r| {
            let ok = r.count == 0;
            view! {
                <tr class:bad=!ok>
                    <td>{r.rule.clone()}</td><td>{r.description.clone()}</td>
                    <td class="num">{r.cells}</td><td class="num">{r.count}</td>
                    <td>{if ok { "✓ never shown" } else { "✗ shown" }}</td>
                </tr>
            }
        })
        .collect_view();
    let mut last = String::new();
    let levels = diagnostics
        .levels
        .iter()
        .map(|l| {
            let attribute = if l.attribute == last {
                String::new()
            } else {
                l.attribute.clone()
            };
            last = l.attribute.clone();
            view! {
                <tr>
                    <th scope="row">{attribute}</th><td>{l.level.clone()}</td>
                    <td class="num">{l.count}</td>
                    <td class="num">{format!("{:.1}%", 100.0 * l.share)}</td>
                    <td class="num">{format!("{:.1}%", 100.0 * l.target)}</td>
                </tr>
            }
        })
        .collect_view();
    let overlap = diagnostics.overlap.iter().map(|o| view! {
        <tr><th scope="row">{o.attribute.clone()}</th><td class="num">{format!("{:.2}", o.mean_distinct)}</td><td class="num">{format!("{:.1}%", 100.0 * o.all_same)}</td></tr>
    }).collect_view();
    let summary = format!(
        "{} respondents, {} tasks, {} profiles.{}",
        diagnostics.respondents,
        diagnostics.tasks,
        diagnostics.profiles,
        diagnostics
            .d_error
            .map(|d| format!(" D-error {d:.4}."))
            .unwrap_or_default()
    );
    view! {
        <div data-testid="diagnostics">
            <p>{summary}</p>
            {(!diagnostics.restricted.is_empty()).then(|| view! {
                <table class="data">
                    <caption>"Restricted combinations (must never appear)"</caption>
                    <thead><tr><th scope="col">"Rule"</th><th scope="col">"Combination"</th><th scope="col">"Cells"</th><th scope="col">"Profiles"</th><th scope="col">"Check"</th></tr></thead>
                    <tbody>{restricted}</tbody>
                </table>
            })}
            <details>
                <summary>"Level frequencies"</summary>
                <table class="data">
                    <thead><tr><th scope="col">"Attribute"</th><th scope="col">"Level"</th><th scope="col">"Profiles"</th><th scope="col">"Share"</th><th scope="col">"Target"</th></tr></thead>
                    <tbody>{levels}</tbody>
                </table>
            </details>
            <details>
                <summary>"Overlap within tasks"</summary>
                <table class="data">
                    <thead><tr><th scope="col">"Attribute"</th><th scope="col">"Distinct levels per task"</th><th scope="col">"Tasks with one level only"</th></tr></thead>
                    <tbody>{overlap}</tbody>
                </table>
            </details>
        </div>
    }
}

#[component]
fn PowerPanel(open: OpenStudy) -> impl IntoView {
    let amce = RwSignal::new("0.05".to_string());
    let power = RwSignal::new("0.8".to_string());
    let levels = RwSignal::new(
        open.study
            .with_untracked(|s| {
                s.conjoint
                    .as_ref()
                    .and_then(|c| c.attributes.iter().map(|a| a.levels.len()).max())
            })
            .unwrap_or(2)
            .max(2)
            .to_string(),
    );
    let answer = move || -> Result<String, String> {
        let parse = |text: String, what: &str| {
            text.trim()
                .parse::<f64>()
                .map_err(|_| format!("{what} must be a number"))
        };
        let amce = parse(amce.get(), "the AMCE")?;
        let power = parse(power.get(), "the power")?;
        let levels = levels
            .get()
            .trim()
            .parse::<u32>()
            .map_err(|_| "levels must be a whole number".to_string())?;
        let result = cjpowr_amce(amce, power, levels, 0.05, 0.5).map_err(|e| e.to_string())?;
        let per_respondent = open.study.with(|s| {
            s.conjoint
                .as_ref()
                .map_or(1, |c| c.tasks_per_respondent * c.profiles_per_task)
        });
        Ok(format!(
            "{:.0} profiles (n = {:.3}), i.e. about {:.0} respondents with {} profiles each. Type S error {:.4}, exaggeration ratio {:.3}.",
            result.n.ceil(),
            result.n,
            (result.n / f64::from(per_respondent.max(1))).ceil(),
            per_respondent,
            result.type_s,
            result.exaggeration
        ))
    };
    let input = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label for=id>{label}</label>
            <input id=id type="number" step="any" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <section class="panel" aria-labelledby="power-heading">
            <h2 id="power-heading">"Power"</h2>
            <p class="muted">"Sample size needed to detect an AMCE (cjpowR's analytic formula, α = 0.05, two-sided)."</p>
            <div class="row">
                {input("power-amce", "Expected AMCE", amce)}
                {input("power-levels", "Levels of the attribute", levels)}
                {input("power-target", "Target power", power)}
            </div>
            <p data-testid="power-answer" role="status">{move || match answer() {
                Ok(text) => text,
                Err(e) => format!("⚠ {e}"),
            }}</p>
            <PowerCurve open=open amce=amce />
        </section>
    }
}

/// Power by simulation for this very design (restrictions, weights and all), over several sample sizes.
#[component]
fn PowerCurve(open: OpenStudy, amce: RwSignal<String>) -> impl IntoView {
    let attributes = move || {
        open.study.with(|s| {
            s.conjoint.as_ref().map_or_else(Vec::new, |c| {
                c.attributes
                    .iter()
                    .map(|a| {
                        (
                            a.name.clone(),
                            a.levels
                                .iter()
                                .skip(1)
                                .map(|l| l.name.clone())
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let attribute = RwSignal::new(0usize);
    let level = RwSignal::new(0usize);
    let grid = RwSignal::new("100, 250, 500, 1000, 2000".to_string());
    let points = RwSignal::new(None::<Result<Vec<PowerPoint>, String>>);
    let busy = RwSignal::new(false);
    let simulate = move |_| {
        let chosen = attributes();
        let Some((name, levels)) = chosen.get(attribute.get_untracked()) else {
            return;
        };
        let Some(level_name) = levels.get(level.get_untracked()).cloned() else {
            return;
        };
        let sizes: Result<Vec<u32>, _> = grid
            .get_untracked()
            .split(',')
            .map(|n| n.trim().parse::<u32>())
            .collect();
        let (Ok(mut sizes), Ok(effect)) = (sizes, amce.get_untracked().trim().parse::<f64>())
        else {
            points.set(Some(Err(
                "the sample sizes must be whole numbers separated by commas, and the AMCE a number"
                    .into(),
            )));
            return;
        };
        sizes.sort_unstable();
        let largest = sizes.last().copied().unwrap_or(1);
        let Some(request) = design_request(open, largest) else {
            return;
        };
        let simulation = PowerSimulation {
            attribute: name.clone(),
            level: level_name,
            amce: effect,
            respondents: sizes,
            replications: 100,
            alpha: 0.05,
        };
        busy.set(true);
        spawn_local(async move {
            let result = worker::call(SimulatePowerRequest {
                request,
                simulation,
            })
            .await
            .map_err(|e| e.to_string());
            points.set(Some(result));
            busy.set(false);
        });
    };
    view! {
        <h3>"Power curve for this design (simulation)"</h3>
        <div class="row">
            <label for="power-attribute">"Attribute"</label>
            <select id="power-attribute" on:change=move |ev| { attribute.set(event_target_value(&ev).parse().unwrap_or(0)); level.set(0); }>
                {move || attributes().into_iter().enumerate().map(|(i, (name, _))| view! { <option value=i.to_string() selected=attribute.get_untracked() == i>{name}</option> }).collect_view()}
            </select>
            <label for="power-level">"Level (vs. baseline)"</label>
            <select id="power-level" on:change=move |ev| level.set(event_target_value(&ev).parse().unwrap_or(0))>
                {move || attributes().get(attribute.get()).map(|(_, levels)| levels.iter().enumerate().map(|(i, name)| view! { <option value=i.to_string()>{name.clone()}</option> }).collect_view())}
            </select>
        </div>
        <div class="row">
            <label for="power-grid">"Respondents to simulate"</label>
            <input id="power-grid" type="text" prop:value=move || grid.get() on:input=move |ev| grid.set(event_target_value(&ev)) />
            <button on:click=simulate disabled=move || busy.get()>{move || if busy.get() { "Simulating…" } else { "Simulate power curve" }}</button>
        </div>
        {move || points.get().map(|result| match result {
            Err(message) => view! { <div class="notice notice-error" role="alert">{message}</div> }.into_any(),
            Ok(points) => view! {
                <table class="data power-curve" data-testid="power-curve">
                    <caption>"Share of 100 simulated studies that detect the effect (α = 0.05)"</caption>
                    <thead><tr><th scope="col">"Respondents"</th><th scope="col">"Power"</th><th scope="col">"Mean estimate"</th><th scope="col">"Mean SE"</th></tr></thead>
                    <tbody>
                        {points.into_iter().map(|p| view! {
                            <tr>
                                <th scope="row">{p.respondents}</th>
                                <td><div class="bar" style=format!("width: {:.1}%", 70.0 * p.power)></div>{format!("{:.2}", p.power)}</td>
                                <td class="num">{format!("{:.4}", p.mean_estimate)}</td>
                                <td class="num">{format!("{:.4}", p.mean_std_error)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        })}
    }
}

/// A respondent's survey and conjoint tasks exactly as they will be shown.
#[component]
pub fn PreviewPanel(open: OpenStudy) -> impl IntoView {
    let respondent = RwSignal::new(1u32);
    let tasks = RwSignal::new(None::<Result<(Vec<PreviewTask>, Vec<ShownQuestion>), String>>);
    let show = move |_| {
        let (study, seed) = open.study.with_untracked(|s| {
            let mut design_only = s.clone();
            design_only.results.clear();
            let seed = s.conjoint.as_ref().map_or(0, |c| c.randomisation.seed);
            (design_only, seed)
        });
        let respondent = respondent.get_untracked();
        spawn_local(async move {
            let result = worker::call(PreviewRequest {
                study: Box::new(study),
                respondent,
                seed,
            })
            .await
            .map(|PreviewReply { tasks, survey }| (tasks, survey))
            .map_err(|e| e.to_string());
            tasks.set(Some(result));
        });
    };
    view! {
        <section class="panel" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview a respondent"</h2>
            <div class="row">
                <label for="preview-respondent">"Respondent"</label>
                <input id="preview-respondent" type="number" min="1" prop:value=move || respondent.get().to_string()
                    on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() { respondent.set(n.max(1)); } } />
                <button on:click=show>"Show tasks"</button>
            </div>
            {move || tasks.get().map(|result| match result {
                Err(message) => view! { <div class="notice notice-error" role="alert">{message}</div> }.into_any(),
                Ok((list, survey)) => view! {
                    {(!survey.is_empty()).then(|| view! {
                        <h3>"Survey"</h3>
                        <ol class="shown-survey" data-testid="preview-survey">
                            {survey.into_iter().map(|q| view! {
                                <li>
                                    <p><code>{q.id.clone()}</code> " " {q.text.clone()}
                                        {q.condition.clone().map(|c| view! { " " <span class="muted">{format!("({c})")}</span> })}</p>
                                    {(!q.options.is_empty()).then(|| view! {
                                        <ul class="shown-options">{q.options.iter().map(|(_, label)| view! { <li>{label.clone()}</li> }).collect_view()}</ul>
                                    })}
                                </li>
                            }).collect_view()}
                        </ol>
                    })}
                    {list.into_iter().map(|task| {
                    let heading = match task.repeats {
                        Some(of) => format!("Task {} (repeats task {of})", task.task),
                        None => format!("Task {}", task.task),
                    };
                    let headers = (1..=task.profiles.len()).map(|p| view! { <th scope="col">{format!("Profile {p}")}</th> }).collect_view();
                    let rows = task.attributes.iter().enumerate().map(|(a, attribute)| {
                        let cells = task.profiles.iter().map(|p| view! { <td>{p[a].clone()}</td> }).collect_view();
                        view! { <tr><th scope="row">{attribute.clone()}</th>{cells}</tr> }
                    }).collect_view();
                    view! {
                        <article class="preview-task" data-testid="preview-task">
                            <h3>{heading}</h3>
                            <table class="data conjoint-table"><thead><tr><td></td>{headers}</tr></thead><tbody>{rows}</tbody></table>
                            <details><summary>"As the LLM prompt"</summary><pre class="prompt">{task.prompt}</pre></details>
                        </article>
                    }
                }).collect_view()}
                }.into_any(),
            })}
        </section>
    }
}

//! The Design tab: build the conjoint (attributes, levels, weights, restrictions, randomisation) and see
//! the survey's questions. Every edit goes through `study::edit`, so the engine decides what is valid.

use leptos::prelude::*;

use super::design_check::{DesignCheck, PreviewPanel};
use super::open_study::{OpenStudy, SaveStatus};
use super::survey_editor::SurveyEditor;
use crate::study::edit::{self, EditError};
use crate::study::{AttributeOrder, Conjoint, DesignStrategy, LevelSet, Outcome};

/// Applies an edit to the study's conjoint.
fn edit_conjoint(open: OpenStudy, change: impl FnOnce(&mut Conjoint) -> Result<(), EditError>) {
    open.edit(|study| match study.conjoint.as_mut() {
        Some(conjoint) => change(conjoint).map_err(|e| e.to_string()),
        None => Err("this study has no conjoint yet".to_string()),
    });
}

fn conjoint_of(open: OpenStudy) -> Option<Conjoint> {
    open.study.with(|s| s.conjoint.clone())
}

#[component]
pub fn DesignView(open: OpenStudy) -> impl IntoView {
    // Only adding or removing the conjoint rebuilds this part; edits update the panels inside.
    let has_conjoint = Memo::new(move |_| open.study.with(|s| s.conjoint.is_some()));
    view! {
        <SaveStatus open=open />
        {move || match has_conjoint.get() {
            false => view! {
                <section class="panel">
                    <h2>"Conjoint experiment"</h2>
                    <p class="muted">"This study has no conjoint yet."</p>
                    <button on:click=move |_| open.edit(|s| {
                        s.conjoint = Some(edit::new_conjoint());
                        Ok::<_, String>(())
                    })>"Add a conjoint experiment"</button>
                </section>
            }.into_any(),
            true => view! {
                <ConjointSettings open=open />
                <AttributesEditor open=open />
                <RestrictionsEditor open=open />
                <DesignCheck open=open />
            }.into_any(),
        }}
        <SurveyEditor open=open />
        <PreviewPanel open=open />
    }
}

fn parse_count(text: &str, what: &str, min: u32) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(format!("{what} must be a whole number of at least {min}")),
    }
}

#[component]
fn ConjointSettings(open: OpenStudy) -> impl IntoView {
    let value = move |read: fn(&Conjoint) -> String| {
        move || conjoint_of(open).map(|c| read(&c)).unwrap_or_default()
    };
    let set_count = move |what: &'static str, min: u32, apply: fn(&mut Conjoint, u32)| {
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            open.edit(|s| {
                let n = parse_count(&text, what, min)?;
                let c = s.conjoint.as_mut().ok_or("no conjoint")?;
                apply(c, n);
                c.tasks.clear();
                Ok::<_, String>(())
            });
        }
    };
    view! {
        <section class="panel" aria-labelledby="settings-heading">
            <h2 id="settings-heading">"Conjoint settings"</h2>
            <div class="settings-grid">
                <label for="profiles-per-task">"Profiles per task"</label>
                <input id="profiles-per-task" type="number" min="2" prop:value=value(|c| c.profiles_per_task.to_string())
                    on:change=set_count("Profiles per task", 2, |c, n| c.profiles_per_task = n) />
                <label for="tasks-per-respondent">"Tasks per respondent"</label>
                <input id="tasks-per-respondent" type="number" min="1" prop:value=value(|c| c.tasks_per_respondent.to_string())
                    on:change=set_count("Tasks per respondent", 1, |c, n| c.tasks_per_respondent = n) />
                <label for="outcome-type">"Outcome"</label>
                <select id="outcome-type" on:change=move |ev| {
                    let choice = event_target_value(&ev);
                    edit_conjoint(open, |c| {
                        c.outcome = match choice.as_str() {
                            "rating" => Outcome::Rating { min: 1, max: 7 },
                            "both" => Outcome::ChoiceAndRating { min: 1, max: 7 },
                            _ => Outcome::ForcedChoice,
                        };
                        Ok(())
                    });
                }>
                    {move || {
                        let current = conjoint_of(open).map(|c| c.outcome).unwrap_or_default();
                        [("choice", "Forced choice", matches!(current, Outcome::ForcedChoice)),
                         ("rating", "Rating of each profile (1–7)", matches!(current, Outcome::Rating { .. })),
                         ("both", "Choice and rating", matches!(current, Outcome::ChoiceAndRating { .. }))]
                            .into_iter()
                            .map(|(v, label, selected)| view! { <option value=v selected=selected>{label}</option> })
                            .collect_view()
                    }}
                </select>
                <label for="none-option">"“None of these” option"</label>
                <input id="none-option" type="checkbox" prop:checked=move || conjoint_of(open).is_some_and(|c| c.none_option)
                    on:change=move |ev| { let on = event_target_checked(&ev); edit_conjoint(open, |c| { c.none_option = on; Ok(()) }); } />
                <label for="attribute-order">"Attribute order"</label>
                <select id="attribute-order" on:change=move |ev| {
                    let choice = event_target_value(&ev);
                    edit_conjoint(open, |c| {
                        c.randomisation.attribute_order = match choice.as_str() {
                            "respondent" => AttributeOrder::PerRespondent,
                            "task" => AttributeOrder::PerTask,
                            _ => AttributeOrder::Fixed,
                        };
                        c.tasks.clear();
                        Ok(())
                    });
                }>
                    {move || {
                        let current = conjoint_of(open).map(|c| c.randomisation.attribute_order).unwrap_or_default();
                        [("fixed", "Fixed (as listed)", AttributeOrder::Fixed),
                         ("respondent", "Randomised once per respondent", AttributeOrder::PerRespondent),
                         ("task", "Randomised in every task", AttributeOrder::PerTask)]
                            .into_iter()
                            .map(|(v, label, order)| view! { <option value=v selected=current == order>{label}</option> })
                            .collect_view()
                    }}
                </select>
                <label for="design-strategy">"Design strategy"</label>
                <select id="design-strategy" on:change=move |ev| {
                    let choice = event_target_value(&ev);
                    edit_conjoint(open, |c| {
                        c.randomisation.strategy = match choice.as_str() {
                            "balanced" => DesignStrategy::Balanced,
                            "efficient" => DesignStrategy::DEfficient { choice_sets: 12, prior_means: Vec::new(), prior_sds: Vec::new() },
                            _ => DesignStrategy::FullyRandom,
                        };
                        c.tasks.clear();
                        Ok(())
                    });
                }>
                    {move || {
                        let current = conjoint_of(open).map(|c| c.randomisation.strategy).unwrap_or_default();
                        [("random", "Fully randomised (standard for AMCEs)", matches!(current, DesignStrategy::FullyRandom)),
                         ("balanced", "Balanced / minimal overlap", matches!(current, DesignStrategy::Balanced)),
                         ("efficient", "D-efficient fixed design (logit)", matches!(current, DesignStrategy::DEfficient { .. }))]
                            .into_iter()
                            .map(|(v, label, selected)| view! { <option value=v selected=selected>{label}</option> })
                            .collect_view()
                    }}
                </select>
                <label for="design-seed">"Seed"</label>
                <input id="design-seed" type="number" min="0" prop:value=value(|c| c.randomisation.seed.to_string())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        open.edit(|s| {
                            let seed = text.trim().parse::<u64>().map_err(|_| "the seed must be a whole number ≥ 0".to_string())?;
                            let c = s.conjoint.as_mut().ok_or("no conjoint")?;
                            c.randomisation.seed = seed;
                            c.tasks.clear();
                            Ok::<_, String>(())
                        });
                    } />
            </div>
            <label for="task-prompt" class="block-label">"Task wording"</label>
            <textarea id="task-prompt" rows="2" prop:value=value(|c| c.prompt.clone())
                on:change=move |ev| { let text = event_target_value(&ev); edit_conjoint(open, |c| { c.prompt = text; Ok(()) }); }></textarea>
        </section>
    }
}

#[component]
fn AttributesEditor(open: OpenStudy) -> impl IntoView {
    let new_name = RwSignal::new(String::new());
    view! {
        <section class="panel" aria-labelledby="attributes-heading">
            <h2 id="attributes-heading">"Attributes and levels"</h2>
            <ol class="attributes" data-testid="attributes">
                {move || conjoint_of(open).map(|c| c.attributes.into_iter().enumerate().map(|(a, attribute)| {
                    let count = attribute.levels.len();
                    let name = attribute.name.clone();
                    view! {
                        <li class="attribute" data-testid="attribute">
                            <div class="row">
                                <label class="visually-hidden" for=format!("attribute-{a}")>{format!("Name of attribute {}", a + 1)}</label>
                                <input id=format!("attribute-{a}") class="attribute-name" type="text" prop:value=attribute.name.clone()
                                    on:change=move |ev| { let text = event_target_value(&ev); edit_conjoint(open, |c| edit::rename_attribute(c, a, &text)); } />
                                <button class="secondary" aria-label=format!("Move {name} up") on:click=move |_| edit_conjoint(open, |c| edit::move_attribute(c, a, -1))>"↑"</button>
                                <button class="secondary" aria-label=format!("Move {name} down") on:click=move |_| edit_conjoint(open, |c| edit::move_attribute(c, a, 1))>"↓"</button>
                                <button class="secondary danger" aria-label=format!("Delete attribute {name}") on:click=move |_| edit_conjoint(open, |c| edit::remove_attribute(c, a))>"Delete"</button>
                            </div>
                            <table class="data levels">
                                <thead><tr><th scope="col">"Level"</th><th scope="col">"Weight"</th><th scope="col">"Probability"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {
                                        let total: f64 = attribute.levels.iter().map(|l| l.weight).sum();
                                        attribute.levels.into_iter().enumerate().map(|(l, level)| {
                                            let level_name = level.name.clone();
                                            view! {
                                                <tr>
                                                    <td><input type="text" aria-label=format!("{} level {}", attribute.name, l + 1) prop:value=level.name.clone()
                                                        on:change=move |ev| { let text = event_target_value(&ev); edit_conjoint(open, |c| edit::rename_level(c, a, l, &text)); } /></td>
                                                    <td><input type="number" min="0" step="any" class="weight" aria-label=format!("Weight of {level_name}") prop:value=level.weight.to_string()
                                                        on:change=move |ev| { let w = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN); edit_conjoint(open, |c| edit::set_weight(c, a, l, w)); } /></td>
                                                    <td class="num">{format!("{:.1}%", 100.0 * level.weight / total)}</td>
                                                    <td class="level-actions">
                                                        <button class="secondary" aria-label=format!("Move {level_name} up") on:click=move |_| edit_conjoint(open, |c| edit::move_level(c, a, l, -1))>"↑"</button>
                                                        <button class="secondary" aria-label=format!("Delete level {level_name}") disabled=count <= 2
                                                            on:click=move |_| edit_conjoint(open, |c| edit::remove_level(c, a, l))>"✕"</button>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()
                                    }
                                </tbody>
                            </table>
                            <button class="secondary" on:click=move |_| edit_conjoint(open, |c| edit::add_level(c, a))>{format!("Add a level to {name}")}</button>
                        </li>
                    }
                }).collect_view())}
            </ol>
            <form class="row" on:submit=move |ev| {
                ev.prevent_default();
                let name = new_name.get_untracked();
                edit_conjoint(open, |c| edit::add_attribute(c, &name));
                if open.problem.get_untracked().is_none() {
                    new_name.set(String::new());
                }
            }>
                <label for="new-attribute">"New attribute"</label>
                <input id="new-attribute" type="text" placeholder="e.g. Price" prop:value=move || new_name.get()
                    on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button type="submit">"Add attribute"</button>
            </form>
        </section>
    }
}

#[component]
fn RestrictionsEditor(open: OpenStudy) -> impl IntoView {
    let first = RwSignal::new(0usize);
    let second = RwSignal::new(1usize);
    let first_levels = RwSignal::new(Vec::<String>::new());
    let second_levels = RwSignal::new(Vec::<String>::new());
    let attribute_names = move || {
        conjoint_of(open)
            .map(|c| {
                c.attributes
                    .iter()
                    .map(|a| a.name.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let level_boxes = move |which: RwSignal<usize>,
                            chosen: RwSignal<Vec<String>>,
                            group: &'static str| {
        move || {
            let levels = conjoint_of(open)
                .and_then(|c| {
                    c.attributes
                        .get(which.get())
                        .map(|a| a.levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>())
                })
                .unwrap_or_default();
            levels.into_iter().enumerate().map(|(i, level)| {
                let id = format!("{group}-level-{i}");
                let label_for = id.clone();
                let value = level.clone();
                view! {
                    <label class="check" for=label_for>
                        <input id=id type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&value)) on:change={
                            let level = level.clone();
                            move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { c.retain(|x| *x != level); if on { c.push(level.clone()); } });
                            }
                        } />
                        " " {level.clone()}
                    </label>
                }
            }).collect_view()
        }
    };
    let attribute_select = move |id: &'static str,
                                 which: RwSignal<usize>,
                                 chosen: RwSignal<Vec<String>>| {
        view! {
            <select id=id on:change=move |ev| { which.set(event_target_value(&ev).parse().unwrap_or(0)); chosen.set(Vec::new()); }>
                {move || attribute_names().into_iter().enumerate().map(|(i, name)| {
                    view! { <option value=i.to_string() selected=which.get_untracked() == i>{name}</option> }
                }).collect_view()}
            </select>
        }
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let names = attribute_names();
        let (Some(a), Some(b)) = (
            names.get(first.get_untracked()),
            names.get(second.get_untracked()),
        ) else {
            open.problem.set(Some("choose two attributes".into()));
            return;
        };
        let first_set = LevelSet {
            attribute: a.clone(),
            levels: first_levels.get_untracked(),
        };
        let second_set = LevelSet {
            attribute: b.clone(),
            levels: second_levels.get_untracked(),
        };
        edit_conjoint(open, |c| edit::add_restriction(c, first_set, second_set));
        if open.problem.get_untracked().is_none() {
            first_levels.set(Vec::new());
            second_levels.set(Vec::new());
        }
    };
    view! {
        <section class="panel" aria-labelledby="restrictions-heading">
            <h2 id="restrictions-heading">"Restrictions"</h2>
            <p class="muted">"Level combinations that must never appear in one profile (e.g. Job = Doctor with Education = No Formal)."</p>
            <ul class="restrictions" data-testid="restrictions">
                {move || conjoint_of(open).map(|c| c.restrictions.iter().enumerate().map(|(r, restriction)| {
                    // The diagnostics' table of restricted combinations says it the same way.
                    let text = crate::design::describe_restriction(&c, restriction);
                    view! {
                        <li>"Never " {text}
                            " " <button class="secondary danger" aria-label=format!("Delete restriction {}", r + 1)
                                on:click=move |_| edit_conjoint(open, |c| { edit::remove_restriction(c, r); Ok(()) })>"Delete"</button>
                        </li>
                    }
                }).collect_view())}
            </ul>
            <form class="restriction-form" on:submit=add>
                <fieldset>
                    <legend>"Never show"</legend>
                    <label for="restriction-first" class="visually-hidden">"First attribute"</label>
                    {attribute_select("restriction-first", first, first_levels)}
                    <div class="checks">{level_boxes(first, first_levels, "first")}</div>
                </fieldset>
                <fieldset>
                    <legend>"together with"</legend>
                    <label for="restriction-second" class="visually-hidden">"Second attribute"</label>
                    {attribute_select("restriction-second", second, second_levels)}
                    <div class="checks">{level_boxes(second, second_levels, "second")}</div>
                </fieldset>
                <button type="submit">"Add restriction"</button>
            </form>
        </section>
    }
}

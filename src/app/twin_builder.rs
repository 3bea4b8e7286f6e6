//! Digital twins from the human data: per person a persona made of the columns the researcher picks,
//! the target questions held out of it (a target's column can never be a persona column), the
//! study set up to ask the twins only those questions with k samples; and, in the Compare tab, the
//! twins' answers paired with their people's without exporting anything.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::human_data::Imported;
use super::notice::Notice;
use super::open_study::OpenStudy;
use super::worker;
use crate::compare::TwinPairs;
use crate::data::Mapping;
use crate::jobs::{
    ApplyMappingRequest, HeldTable, TableSource, TakeTableRequest, TwinPairsRequest,
};
use crate::study::{
    ColumnRole, ColumnValues, PersonaSource, PersonaStyle, ResponseSource, ResponseTable,
};

/// How many people the preview lists by name.
const PREVIEW_PEOPLE: usize = 5;

fn cell(values: &ColumnValues, row: usize) -> String {
    values.text(row).unwrap_or_default()
}

/// The persona table: the respondent id (role Respondent) and the persona columns, nothing else.
async fn persona_table(
    state: Imported,
    persona: &[String],
    respondent: &str,
    name: String,
) -> Result<ResponseTable, String> {
    let Some(TableSource::Held(held)) = state.table() else {
        return Err("read a file first".into());
    };
    let columns = state
        .read
        .with_untracked(|r| {
            r.as_ref()
                .map(|r| super::human_data::column_names(&r.summary))
        })
        .unwrap_or_default();
    let leave_out = columns
        .into_iter()
        .filter(|c| !persona.contains(c) && c != respondent)
        .chain(held.leave_out)
        .collect();
    let source = TableSource::Held(HeldTable {
        held: held.held,
        leave_out,
    });
    let mut table = worker::call(TakeTableRequest(source)).await?;
    table.name = name;
    for c in &mut table.columns {
        c.role = if c.name == respondent {
            ColumnRole::Respondent
        } else {
            ColumnRole::Covariate
        };
    }
    Ok(table)
}

/// Picks persona columns and held-out target questions, previews exactly what leaves the browser
/// for whom, and sets the study up to field the twins.
#[component]
pub fn TwinBuilder(
    open: OpenStudy,
    state: Imported,
    mapping: RwSignal<Option<Mapping>>,
    respondent: RwSignal<String>,
) -> impl IntoView {
    let summary = state
        .read
        .with_untracked(|r| r.as_ref().map(|r| r.summary.clone()));
    let Some(summary) = summary else {
        return ().into_any();
    };
    let all_columns = super::human_data::column_names(&summary);
    let personal: Vec<String> = summary
        .personal_data
        .iter()
        .map(|f| f.column.clone())
        .collect();
    let persona = RwSignal::new(summary.persona_columns.clone());
    let targets = RwSignal::new(Vec::<String>::new());
    let style = RwSignal::new(PersonaStyle::Transcript);
    let samples = RwSignal::new(1u32);
    let preview = RwSignal::new(None::<ResponseTable>);
    let busy = RwSignal::new(false);
    let table_stem = summary_stem(&state);

    // The columns of the chosen target questions: never persona columns.
    let target_columns = move || {
        let chosen = targets.get();
        mapping.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.columns
                        .iter()
                        .filter(|c| chosen.contains(&c.question))
                        .map(|c| c.column.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let file_columns = StoredValue::new(summary.columns.clone());
    let chosen_persona = move || {
        let held_out = target_columns();
        let id = respondent.get();
        persona.with(|p| {
            file_columns
                .with_value(|columns| all_columns_order(columns, p))
                .into_iter()
                .filter(|c| !held_out.contains(c) && *c != id)
                .collect::<Vec<_>>()
        })
    };

    let target_boxes = move || {
        mapping.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.columns
                        .iter()
                        .map(|entry| {
                            let question = entry.question.clone();
                            let checked = {
                                let question = question.clone();
                                move || targets.with(|t| t.contains(&question))
                            };
                            let toggle = {
                                let question = question.clone();
                                move |ev| {
                                    let on = event_target_checked(&ev);
                                    preview.set(None);
                                    targets.update(|t| {
                                        t.retain(|q| *q != question);
                                        if on {
                                            t.push(question.clone());
                                        }
                                    });
                                }
                            };
                            view! {
                                <label class="check">
                                    <input type="checkbox" aria-label=format!("Target {question}")
                                        prop:checked=checked on:change=toggle />
                                    {format!(" {} (column {})", entry.question, entry.column)}
                                </label>
                            }
                        })
                        .collect_view()
                })
                .unwrap_or_default()
        })
    };
    let persona_boxes = {
        let personal = personal.clone();
        move || {
            let held_out = target_columns();
            let id = respondent.get();
            all_columns
                .iter()
                .filter(|c| **c != id)
                .map(|column| {
                    let is_target = held_out.contains(column);
                    let is_personal =
                        personal.contains(column) && !state.kept.with(|k| k.contains(column));
                    let checked = {
                        let column = column.clone();
                        move || !is_target && persona.with(|p| p.contains(&column))
                    };
                    let toggle = {
                        let column = column.clone();
                        move |ev| {
                            let on = event_target_checked(&ev);
                            preview.set(None);
                            persona.update(|p| {
                                p.retain(|c| *c != column);
                                if on {
                                    p.push(column.clone());
                                }
                            });
                        }
                    };
                    let note = if is_target {
                        " — a target: held out"
                    } else if is_personal {
                        " — personal data (keep it above to use it)"
                    } else {
                        ""
                    };
                    view! {
                        <label class="check" class:muted=is_target || is_personal>
                            <input type="checkbox" aria-label=format!("Persona {column}")
                                disabled=is_target || is_personal
                                prop:checked=checked on:change=toggle />
                            {format!(" {column}{note}")}
                        </label>
                    }
                })
                .collect_view()
        }
    };

    let show = {
        let table_stem = table_stem.clone();
        move |_| {
            let columns = chosen_persona();
            let id = respondent.get_untracked();
            let name = format!("{table_stem}-persona");
            busy.set(true);
            spawn_local(async move {
                match persona_table(state, &columns, &id, name).await {
                    Ok(table) => preview.set(Some(table)),
                    Err(e) => state.notice.set(Some(Notice::error(
                        "The personas could not be made. Nothing in the study was changed.",
                        vec![e],
                    ))),
                }
                busy.set(false);
            });
        }
    };
    let set_up = {
        let table_stem = table_stem.clone();
        move |_| {
            let columns = chosen_persona();
            let chosen = targets.get_untracked();
            let id = respondent.get_untracked();
            let (k, persona_style) = (samples.get_untracked().max(1), style.get_untracked());
            let Some(mut held_out) = mapping.get_untracked() else {
                return;
            };
            held_out.columns.retain(|c| chosen.contains(&c.question));
            held_out.respondent = Some(id.clone()).filter(|r| !r.is_empty());
            let Some(source) = state.table() else { return };
            let survey = open.study.with_untracked(|s| Box::new(s.survey.clone()));
            let stem = table_stem.clone();
            busy.set(true);
            spawn_local(async move {
                let outcome = async {
                    let personas =
                        persona_table(state, &columns, &id, format!("{stem}-persona")).await?;
                    let job = ApplyMappingRequest {
                        table: source,
                        mapping: held_out,
                        survey,
                    };
                    let mut answers = worker::call(job).await?;
                    answers.name = format!("{stem}-targets");
                    answers.source = ResponseSource::Human;
                    Ok((personas, answers))
                }
                .await;
                busy.set(false);
                let (personas, answers) = match outcome {
                    Ok(tables) => tables,
                    Err(e) => {
                        state.notice.set(Some(Notice::error(
                            "The twins could not be set up. Nothing in the study was changed.",
                            vec![e],
                        )));
                        return;
                    }
                };
                let people = personas.row_count();
                let (persona_name, answers_name) = (personas.name.clone(), answers.name.clone());
                open.edit(|s| -> Result<(), String> {
                    s.put_result(personas);
                    s.put_result(answers);
                    s.fielding.personas = PersonaSource::Table {
                        table: persona_name.clone(),
                        columns: columns.clone(),
                        style: persona_style,
                    };
                    s.fielding.samples_per_item = k;
                    s.fielding.ask_only = chosen.clone();
                    Ok(())
                });
                state.notice.set(Some(Notice::success(format!(
                    "Twins set up: {people} personas from “{persona_name}” ({}), asked {} with {k} sample(s) each; \
                     the people's answers are in “{answers_name}”. Field them in the Field tab, then compare in the Compare tab.",
                    columns.join(", "),
                    chosen.join(", ")
                ))));
            });
        }
    };
    let ready = move || !targets.with(Vec::is_empty) && !chosen_persona().is_empty();
    view! {
        <section class="twin-builder" aria-labelledby="twins-heading" data-testid="twin-builder">
            <h3 id="twins-heading">"Build twins"</h3>
            <p class="muted">"Each person becomes a persona made of the columns you choose; the target questions are held out of it and asked to their twin. A target's column is never part of a persona."</p>
            <fieldset>
                <legend>"Target questions (held out, asked to the twins)"</legend>
                <div class="checks">{target_boxes}</div>
            </fieldset>
            <fieldset>
                <legend>"Persona columns (sent to the model)"</legend>
                <div class="checks">{persona_boxes}</div>
            </fieldset>
            <div class="row">
                <label for="twin-style">"Persona as"</label>
                <select id="twin-style" on:change=move |ev| style.set(match event_target_value(&ev).as_str() {
                    "summary" => PersonaStyle::Summary,
                    "json" => PersonaStyle::Json,
                    _ => PersonaStyle::Transcript,
                })>
                    <option value="transcript" selected=true>"Q&A transcript"</option>
                    <option value="summary">"Short summary"</option>
                    <option value="json">"JSON"</option>
                </select>
                <label for="twin-samples">"Samples per question (k)"</label>
                <input id="twin-samples" type="number" min="1" max="50" prop:value=move || samples.get().to_string()
                    on:change=move |ev| samples.set(event_target_value(&ev).parse().unwrap_or(1).clamp(1, 50)) />
            </div>
            <div class="row">
                <button type="button" class="secondary" on:click=show disabled=move || busy.get() || !ready()>"Show what leaves the browser"</button>
                <button type="button" on:click=set_up disabled=move || busy.get() || !ready()>"Use these twins for fielding"</button>
            </div>
            {move || preview.get().map(|table| view! { <OutgoingPreview table /> })}
        </section>
    }
    .into_any()
}

/// The file's stem, for naming the twins' tables.
fn summary_stem(state: &Imported) -> String {
    Some(state.name.get_untracked())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "human".into())
}

/// `chosen` in the file's column order.
fn all_columns_order(columns: &[crate::data::ColumnSummary], chosen: &[String]) -> Vec<String> {
    columns
        .iter()
        .filter(|c| chosen.contains(&c.name))
        .map(|c| c.name.clone())
        .collect()
}

/// Exactly what the twins' prompts will carry: each person's persona fields, as values.
#[component]
fn OutgoingPreview(table: ResponseTable) -> impl IntoView {
    let id = table
        .columns
        .iter()
        .position(|c| c.role == ColumnRole::Respondent);
    let fields: Vec<usize> = (0..table.columns.len())
        .filter(|&i| Some(i) != id)
        .collect();
    let names: Vec<String> = fields
        .iter()
        .map(|&i| table.columns[i].name.clone())
        .collect();
    let people = table.row_count();
    let rows = (0..people.min(PREVIEW_PEOPLE))
        .map(|r| {
            let person = id.map_or_else(|| (r + 1).to_string(), |i| cell(&table.columns[i].values, r));
            view! {
                <tr>
                    <th scope="row">{person}</th>
                    {fields.iter().map(|&i| view! { <td>{cell(&table.columns[i].values, r)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div data-testid="twin-outgoing">
            <p><strong>{format!(
                "{people} people. These fields of each person leave the browser: {}.",
                names.join(", ")
            )}</strong>" Nothing else from the file is sent."</p>
            <div class="table-scroll">
                <table class="data">
                    <thead><tr>
                        <th scope="col">"Person"</th>
                        {names.iter().map(|n| view! { <th scope="col">{n.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {(people > PREVIEW_PEOPLE).then(|| view! {
                <p class="muted">{format!("… and {} more people, with the same fields.", people - PREVIEW_PEOPLE)}</p>
            })}
        </div>
    }
}

/// The Compare tab's way in: the study's twins (an LLM survey table) paired with the people they
/// stand for (the held-out answers), handed to the paired comparison.
#[component]
pub fn TwinsFromStudy(
    open: OpenStudy,
    on_pairs: impl Fn(TwinPairs) + Copy + 'static,
) -> impl IntoView {
    let study = open.study.get_untracked();
    let PersonaSource::Table {
        table: persona_name,
        ..
    } = &study.fielding.personas
    else {
        return ().into_any();
    };
    let has_question = |t: &&ResponseTable| {
        t.columns
            .iter()
            .any(|c| c.role == ColumnRole::Question || c.name == "question")
    };
    let people: Vec<String> = study
        .results
        .iter()
        .filter(|t| t.source == ResponseSource::Human)
        .filter(has_question)
        .map(|t| t.name.clone())
        .collect();
    let twins: Vec<String> = study
        .results
        .iter()
        .filter(|t| t.source == ResponseSource::Llm)
        .filter(has_question)
        .map(|t| t.name.clone())
        .collect();
    let persona_name = persona_name.clone();
    if people.is_empty() || twins.is_empty() {
        return view! {
            <p class="muted" data-testid="twins-from-study">{format!(
                "The study's twins come from “{persona_name}”: once they are fielded (Field tab), pair them with their people here."
            )}</p>
        }
        .into_any();
    }
    // The targets table the twin builder made, and the newest LLM run.
    let default_people = people
        .iter()
        .position(|n| n.ends_with("-targets"))
        .unwrap_or(0);
    let human = RwSignal::new(people[default_people].clone());
    let twin = RwSignal::new(twins[twins.len() - 1].clone());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let pair = {
        let persona_name = persona_name.clone();
        move |_| {
            let study = open.study.get_untracked();
            let find = |name: &str| study.results.iter().find(|t| t.name == name).cloned();
            let (Some(people), Some(twins), Some(personas)) = (
                find(&human.get_untracked()),
                find(&twin.get_untracked()),
                find(&persona_name),
            ) else {
                problem.set(Some(format!(
                    "the study no longer has the persona table “{persona_name}” or one of the chosen tables"
                )));
                return;
            };
            let job = TwinPairsRequest {
                people: Box::new(people),
                twins: Box::new(twins),
                personas: Box::new(personas),
                survey: Box::new(study.survey.clone()),
            };
            busy.set(true);
            problem.set(None);
            spawn_local(async move {
                match worker::call(job).await {
                    Ok(pairs) => on_pairs(pairs),
                    Err(e) => problem.set(Some(e.to_string())),
                }
                busy.set(false);
            });
        }
    };
    let options = |names: Vec<String>, chosen: RwSignal<String>| {
        names
            .into_iter()
            .map(|n| {
                let selected = chosen.get_untracked() == n;
                view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="row" data-testid="twins-from-study">
            <label for="twins-people">"People's answers"</label>
            <select id="twins-people" on:change=move |ev| human.set(event_target_value(&ev))>{options(people, human)}</select>
            <label for="twins-twins">"Twins' answers"</label>
            <select id="twins-twins" on:change=move |ev| twin.set(event_target_value(&ev))>{options(twins, twin)}</select>
            <button type="button" class="secondary" on:click=pair disabled=move || busy.get()>"Pair the study's twins with their people"</button>
        </div>
        {move || problem.get().map(|p| view! { <div class="notice notice-error" role="alert">{p}</div> })}
    }
    .into_any()
}

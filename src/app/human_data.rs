//! Importing the researcher's human data in the Analyze tab: read a file in the worker, show what
//! was found (format, columns, personal data, Qualtrics question texts), reshape a wide Qualtrics
//! conjoint export or map survey columns, and add the table to the study's results.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser;
use super::notice::{Notice, NoticeView};
use super::open_study::OpenStudy;
use super::worker;
use crate::data::{
    ConjointLayout, FileFormat, ImportSummary, Mapping, MappingPreview, ReshapeSummary,
    TextEncoding,
};
use crate::jobs::{Job, ReadTableRequest, Reply, TableRead};
use crate::study::{ColumnRole, ResponseTable, Study};

/// A Qualtrics conjoint export carries its design in embedded-data fields `F-task-profile-row`.
fn is_wide_conjoint(table: &ResponseTable) -> bool {
    table.columns.iter().any(|c| c.name.starts_with("F-1-1-"))
}

/// Guesses the choice-column pattern: the prefix `P` with the longest run `P1`, `P2`, … among the
/// columns (design fields excluded), as `P{task}`; `Q{task}` when nothing fits.
fn guess_choice_pattern(table: &ResponseTable) -> String {
    let has = |name: &str| table.columns.iter().any(|c| c.name == name);
    table
        .columns
        .iter()
        .filter_map(|c| c.name.strip_suffix('1'))
        .filter(|prefix| !prefix.starts_with("F-") && !prefix.is_empty())
        .map(|prefix| {
            let run = (1..).take_while(|t| has(&format!("{prefix}{t}"))).count();
            (run, prefix)
        })
        .filter(|(run, _)| *run >= 2)
        .max_by_key(|(run, _)| *run)
        .map(|(_, prefix)| format!("{prefix}{{task}}"))
        .unwrap_or_else(|| "Q{task}".to_string())
}

/// Whether `name` is one of the choice columns `pattern` describes (`Q{task}` → Q1, Q2, …).
fn is_choice_column(name: &str, pattern: &str) -> bool {
    let Some((prefix, suffix)) = pattern.split_once("{task}") else {
        return false;
    };
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|task| !task.is_empty() && task.chars().all(|c| c.is_ascii_digit()))
}

/// Respondent-level columns worth carrying onto the long table as covariates (for subgroups): what
/// the engine deems usable in a persona plus the personal data kept, minus the design fields, the
/// choices and the respondent id the reshape already places.
fn covariates(read: &TableRead, pattern: &str, kept: &[String]) -> Vec<String> {
    const IDS: [&str; 3] = ["ResponseId", "ResponseID", "_recordId"];
    read.imported
        .table
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| read.summary.persona_columns.contains(n) || kept.contains(n))
        .filter(|n| {
            !n.starts_with("F-") && !is_choice_column(n, pattern) && !IDS.contains(&n.as_str())
        })
        .collect()
}

/// The table without the personal-data columns the researcher did not choose to keep.
fn without_personal(
    mut table: ResponseTable,
    summary: &ImportSummary,
    kept: &[String],
) -> ResponseTable {
    table.columns.retain(|c| {
        !summary.personal_data.iter().any(|f| f.column == c.name) || kept.contains(&c.name)
    });
    table
}

/// Puts `table` into the study, replacing a table of the same name.
fn add_table(study: &mut Study, table: ResponseTable) -> Result<(), String> {
    match study.results.iter_mut().find(|t| t.name == table.name) {
        Some(existing) => *existing = table,
        None => study.results.push(table),
    }
    Ok(())
}

/// An error reply as a notice; the study is untouched.
fn failure(title: &str, message: String) -> Notice {
    Notice::error(
        format!("{title} Nothing in the study was changed."),
        vec![message],
    )
}

/// One imported file's state, shared by the steps below the file input.
#[derive(Clone, Copy)]
struct Imported {
    read: RwSignal<Option<TableRead>>,
    /// Personal-data columns the researcher chose to keep.
    kept: RwSignal<Vec<String>>,
    notice: RwSignal<Option<Notice>>,
}

impl Imported {
    /// The table as read, minus the personal data not kept.
    fn table(self) -> Option<ResponseTable> {
        let kept = self.kept.get_untracked();
        self.read.with_untracked(|r| {
            r.as_ref()
                .map(|r| without_personal(r.imported.table.clone(), &r.summary, &kept))
        })
    }
}

#[component]
pub fn HumanDataImport(open: OpenStudy) -> impl IntoView {
    let state = Imported {
        read: RwSignal::new(None),
        kept: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
    };
    let reading = RwSignal::new(false);
    // Detected unless the researcher says otherwise (an ambiguous file needs to be told).
    let delimiter = RwSignal::new(None::<char>);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Cleared so picking the same file again (after fixing it) reads it again.
        input.set_value("");
        let file_name = file.name();
        reading.set(true);
        state.notice.set(None);
        spawn_local(async move {
            let outcome = match browser::read_file(&file).await {
                Err(e) => Err(e),
                Ok(bytes) => {
                    let request = ReadTableRequest {
                        name: browser::file_stem(
                            file_name.rsplit_once('.').map_or(&file_name, |(s, _)| s),
                        ),
                        file_name: file_name.clone(),
                        bytes,
                        sheet: None,
                        delimiter: delimiter.get_untracked(),
                        missing: None,
                    };
                    match worker::run(&Job::ReadTable(Box::new(request))).await {
                        Ok(Reply::TableRead(read)) => Ok(*read),
                        Ok(Reply::Failed { message }) => Err(message),
                        Ok(_) => Err("the worker answered with something else".to_string()),
                        Err(e) => Err(e),
                    }
                }
            };
            match outcome {
                Ok(read) => {
                    state.kept.set(Vec::new());
                    state.read.set(Some(read));
                }
                // A bad file leaves the last good one (and the study) as they were.
                Err(message) => state.notice.set(Some(failure(
                    &format!("{file_name} could not be read."),
                    message,
                ))),
            }
            reading.set(false);
        });
    };
    // A memo, so adding a table (an edit of the study) does not rebuild the steps below.
    let has_conjoint = Memo::new(move |_| open.study.with(|s| s.conjoint.is_some()));
    view! {
        <section class="panel human-data" aria-labelledby="human-data-heading">
            <h2 id="human-data-heading">"Human data"</h2>
            <div class="row">
                <label for="human-data-file">"Import human data"</label>
                <input id="human-data-file" type="file"
                    accept=".csv,.tsv,.txt,.xlsx,text/csv,text/tab-separated-values"
                    on:change=on_change />
                <label for="human-data-delimiter">"Delimiter"</label>
                <select id="human-data-delimiter" on:change=move |ev| {
                    delimiter.set(event_target_value(&ev).chars().next());
                }>
                    <option value="" selected=true>"Detect"</option>
                    <option value=",">"Comma"</option>
                    <option value="\t">"Tab"</option>
                    <option value=";">"Semicolon"</option>
                </select>
                {move || reading.get().then(|| view! { <span class="muted" role="status">"Reading…"</span> })}
            </div>
            <p class="muted">"CSV, TSV, semicolon CSV, Excel (.xlsx) or a Qualtrics export with its three header rows. Columns that look like personal data are left out unless you keep them."</p>
            <NoticeView notice=state.notice />
            {move || state.read.with(|r| r.as_ref().map(|r| r.summary.clone())).map(|summary| {
                let wide = state.read.with(|r| r.as_ref().is_some_and(|r| is_wide_conjoint(&r.imported.table)));
                view! {
                    <ReadSummary summary=summary.clone() kept=state.kept />
                    {if wide && has_conjoint.get() {
                        view! { <ReshapeStep open state /> }.into_any()
                    } else {
                        view! { <AddAsRead open state summary /> }.into_any()
                    }}
                }
            })}
        </section>
    }
}

fn format_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Csv => "CSV",
        FileFormat::Tsv => "TSV",
        FileFormat::SemicolonCsv => "semicolon-separated CSV",
        FileFormat::Xlsx => "Excel workbook",
    }
}

fn encoding_name(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 => ", UTF-8",
        TextEncoding::Utf8Bom => ", UTF-8 with byte-order mark",
        TextEncoding::Utf16Le => ", UTF-16 (little-endian)",
        TextEncoding::Utf16Be => ", UTF-16 (big-endian)",
    }
}

/// What the worker found in the file.
#[component]
fn ReadSummary(summary: ImportSummary, kept: RwSignal<Vec<String>>) -> impl IntoView {
    let format = format!(
        "{}{}{}",
        format_name(summary.format),
        if summary.qualtrics {
            ", Qualtrics export"
        } else {
            ""
        },
        summary.encoding.map(encoding_name).unwrap_or_default()
    );
    let columns = summary
        .columns
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.name.clone()}</th>
                    <td>{c.kind.clone()}</td>
                    <td>{c.missing}</td>
                    <td>{c.examples.join(", ")}</td>
                    <td>{c.question_text.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let personal = summary
        .personal_data
        .iter()
        .map(|flag| {
            let column = flag.column.clone();
            let id = format!("keep-{}", browser::file_stem(&column));
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                let column = column.clone();
                kept.update(|k| {
                    k.retain(|c| *c != column);
                    if on {
                        k.push(column);
                    }
                });
            };
            view! {
                <li>
                    <input type="checkbox" id=id.clone() on:change=toggle />
                    <label for=id>{format!("Keep {}", flag.column)}</label>
                    <span class="muted">{format!(" — {}", flag.reason)}</span>
                </li>
            }
        })
        .collect_view();
    let has_personal = !summary.personal_data.is_empty();
    view! {
        <div data-testid="import-summary">
            <p>
                <strong>{format!("{} rows × {} columns. ", summary.rows, summary.columns.len())}</strong>
                {format!("Format: {format}.")}
            </p>
            {has_personal.then(|| view! {
                <fieldset class="personal-data">
                    <legend>"Personal data (left out unless kept)"</legend>
                    <ul>{personal}</ul>
                </fieldset>
            })}
            <details>
                <summary>"Columns"</summary>
                <div class="table-scroll">
                    <table class="data">
                        <thead><tr>
                            <th scope="col">"Column"</th><th scope="col">"Type"</th><th scope="col">"Missing"</th>
                            <th scope="col">"Examples"</th><th scope="col">"Question"</th>
                        </tr></thead>
                        <tbody>{columns}</tbody>
                    </table>
                </div>
            </details>
        </div>
    }
}

/// A wide Qualtrics conjoint export: reshape to the long table, check the summary, add it.
#[component]
fn ReshapeStep(open: OpenStudy, state: Imported) -> impl IntoView {
    let guess = state
        .read
        .with_untracked(|r| r.as_ref().map(|r| guess_choice_pattern(&r.imported.table)))
        .unwrap_or_else(|| "Q{task}".to_string());
    let pattern = RwSignal::new(guess);
    let reshaped = RwSignal::new(None::<(ResponseTable, ReshapeSummary)>);
    let running = RwSignal::new(false);
    let reshape = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(table) = state.table() else { return };
        let conjoint = open
            .study
            .with_untracked(|s| s.conjoint.clone().map(Box::new));
        let mut layout = ConjointLayout::new(&pattern.get_untracked());
        let kept = state.kept.get_untracked();
        layout.keep = state.read.with_untracked(|r| {
            r.as_ref()
                .map(|r| covariates(r, &layout.choice, &kept))
                .unwrap_or_default()
        });
        let job = Job::ReshapeConjoint {
            table: Box::new(table),
            conjoint,
            layout,
        };
        running.set(true);
        reshaped.set(None);
        state.notice.set(None);
        spawn_local(async move {
            match worker::run(&job).await {
                Ok(Reply::Reshaped { table, summary }) => reshaped.set(Some((*table, summary))),
                Ok(Reply::Failed { message }) => state.notice.set(Some(failure(
                    "The conjoint could not be reshaped.",
                    message,
                ))),
                Ok(_) => state.notice.set(Some(failure(
                    "The conjoint could not be reshaped.",
                    "the worker answered with something else".to_string(),
                ))),
                Err(e) => state
                    .notice
                    .set(Some(failure("The conjoint could not be reshaped.", e))),
            }
            running.set(false);
        });
    };
    let add = move |_| {
        let Some((table, _)) = reshaped.get_untracked() else {
            return;
        };
        let name = table.name.clone();
        open.edit(|s| add_table(s, table));
        state.notice.set(Some(Notice::success(format!(
            "Added “{name}” to the study: pick it under Response table to estimate."
        ))));
    };
    view! {
        <form class="reshape" on:submit=reshape>
            <p>"This looks like a Qualtrics conjoint export (one row per respondent, design in F- fields)."</p>
            <div class="row">
                <label for="choice-pattern">"Choice columns"</label>
                <input id="choice-pattern" type="text" prop:value=move || pattern.get()
                    on:input=move |ev| pattern.set(event_target_value(&ev))
                    aria-describedby="choice-pattern-help" />
                <button type="submit" disabled=move || running.get()>"Reshape the conjoint"</button>
            </div>
            <p id="choice-pattern-help" class="muted">"{task} stands for the task number: Q{task} reads Q1, Q2, …"</p>
        </form>
        {move || reshaped.get().map(|(_, summary)| view! {
            <ReshapeReport summary />
            <button type="button" on:click=add>"Add to the study"</button>
        })}
    }
}

/// What the reshape found, for the researcher to check before analysing.
#[component]
fn ReshapeReport(summary: ReshapeSummary) -> impl IntoView {
    let mut problems = Vec::new();
    for u in &summary.unknown_levels {
        problems.push(format!(
            "{}: level “{}” is not in the study ({}×)",
            u.attribute, u.level, u.count
        ));
    }
    for a in &summary.unknown_attributes {
        problems.push(format!("attribute “{a}” is not in the study"));
    }
    for a in &summary.attributes_not_shown {
        problems.push(format!("attribute “{a}” of the study was never shown"));
    }
    for c in &summary.unreadable_choices {
        problems.push(format!(
            "answer “{}” names no profile ({}×)",
            c.value, c.count
        ));
    }
    view! {
        <div data-testid="reshape-summary">
            <p>{format!(
                "{} respondents, {} tasks × {} profiles, {} tasks shown, {} missing choices, {} rows.",
                summary.respondents, summary.tasks, summary.profiles, summary.tasks_shown,
                summary.missing_choices, summary.rows
            )}</p>
            {if problems.is_empty() {
                view! { <p class="muted">"No unknown attributes or levels."</p> }.into_any()
            } else {
                view! { <ul class="problems">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }.into_any()
            }}
        </div>
    }
}

/// Any other table: pick the respondent column, optionally map survey columns, add it.
#[component]
fn AddAsRead(open: OpenStudy, state: Imported, summary: ImportSummary) -> impl IntoView {
    let respondent = RwSignal::new(
        summary
            .columns
            .iter()
            .find(|c| matches!(c.name.as_str(), "ResponseId" | "ResponseID" | "respondent"))
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    );
    let names: Vec<String> = summary.columns.iter().map(|c| c.name.clone()).collect();
    let add = move |_| {
        let Some(mut table) = state.table() else {
            return;
        };
        let id = respondent.get_untracked();
        // The estimator preselects columns by role, so the chosen id becomes the respondent.
        for c in &mut table.columns {
            if c.name == id {
                c.role = ColumnRole::Respondent;
            }
        }
        let name = table.name.clone();
        open.edit(|s| add_table(s, table));
        state.notice.set(Some(Notice::success(format!(
            "Added “{name}” to the study."
        ))));
    };
    let has_questions = open
        .study
        .with_untracked(|s| !s.survey.questions.is_empty());
    view! {
        <div class="row">
            <label for="respondent-column">"Respondent id column"</label>
            <select id="respondent-column" on:change=move |ev| respondent.set(event_target_value(&ev))>
                <option value="" selected=respondent.get_untracked().is_empty()>"None"</option>
                {names.into_iter().map(|n| {
                    let selected = respondent.get_untracked() == n;
                    view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                }).collect_view()}
            </select>
            <button type="button" on:click=add>"Add to the study"</button>
        </div>
        {has_questions.then(|| view! { <MapSurvey open state respondent /> })}
    }
}

/// Matches columns to the survey's questions and previews the recoding.
#[component]
fn MapSurvey(open: OpenStudy, state: Imported, respondent: RwSignal<String>) -> impl IntoView {
    let preview = RwSignal::new(None::<MappingPreview>);
    let mapping = StoredValue::new(None::<Mapping>);
    // The long respondent × question table, replacing the wide one of the same name if added.
    let apply = move |_| {
        let (Some(table), Some(mut chosen)) = (state.table(), mapping.get_value()) else {
            return;
        };
        chosen.respondent = Some(respondent.get_untracked()).filter(|r| !r.is_empty());
        let job = Job::ApplyMapping {
            table: Box::new(table),
            mapping: chosen,
            survey: open.study.with_untracked(|s| Box::new(s.survey.clone())),
        };
        spawn_local(async move {
            match worker::run(&job).await {
                Ok(Reply::Table(table)) => {
                    let name = table.name.clone();
                    open.edit(|s| add_table(s, *table));
                    state.notice.set(Some(Notice::success(format!(
                        "Added the matched answers as “{name}” (one row per respondent and question)."
                    ))));
                }
                Ok(Reply::Failed { message }) => state
                    .notice
                    .set(Some(failure("The answers could not be recoded.", message))),
                Ok(_) | Err(_) => state.notice.set(Some(failure(
                    "The answers could not be recoded.",
                    "the worker did not answer".to_string(),
                ))),
            }
        });
    };
    let map = move |_| {
        let Some(table) = state.table() else { return };
        let qualtrics = state
            .read
            .with_untracked(|r| r.as_ref().and_then(|r| r.imported.qualtrics.clone()));
        let survey = open.study.with_untracked(|s| Box::new(s.survey.clone()));
        let job = Job::MapColumns {
            table: Box::new(table),
            qualtrics,
            survey,
        };
        spawn_local(async move {
            match worker::run(&job).await {
                Ok(Reply::Mapping {
                    mapping: m,
                    preview: p,
                }) => {
                    mapping.set_value(Some(m));
                    preview.set(Some(p));
                }
                Ok(Reply::Failed { message }) => state
                    .notice
                    .set(Some(failure("The columns could not be matched.", message))),
                Ok(_) | Err(_) => state.notice.set(Some(failure(
                    "The columns could not be matched.",
                    "the worker did not answer".to_string(),
                ))),
            }
        });
    };
    view! {
        <button type="button" on:click=map>"Match columns to survey questions"</button>
        {move || preview.get().map(|p| {
            let rows = p.columns.iter().map(|c| view! {
                <tr>
                    <th scope="row">{c.column.clone()}</th>
                    <td>{c.question.clone()}</td>
                    <td>{c.answered}</td>
                    <td>{c.missing}</td>
                    <td>{c.problems.join("; ")}</td>
                </tr>
            }).collect_view();
            view! {
                <table class="data" data-testid="mapping-preview">
                    <thead><tr>
                        <th scope="col">"Column"</th><th scope="col">"Question"</th><th scope="col">"Answers"</th>
                        <th scope="col">"Missing"</th><th scope="col">"Problems"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <button type="button" on:click=apply>"Add the matched answers"</button>
                {(!p.unmapped_questions.is_empty()).then(|| view! {
                    <p class="muted">{format!("Questions without a column: {}", p.unmapped_questions.join(", "))}</p>
                })}
            }
        })}
    }
}

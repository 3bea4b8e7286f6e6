//! Importing the researcher's human data in the Analyze tab: read a file in the worker, show what
//! was found (format, columns, personal data, Qualtrics question texts), reshape a wide Qualtrics
//! conjoint export or map survey columns, and add the table to the study's results.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser;
use super::notice::{Notice, NoticeView};
use super::open_study::OpenStudy;
use super::twin_builder::TwinBuilder;
use super::worker;
use super::worker::FileProgress;
use crate::data::{
    conjoint_covariates, guess_choice_pattern, is_wide_conjoint, ConjointLayout, FileFormat,
    ImportSummary, Mapping, MappingPreview, ReshapeSummary, TextEncoding,
};
use crate::jobs::{
    ApplyMappingRequest, FileReadOptions, HeldRead, HeldTable, MapColumnsRequest, MappingReply,
    PreviewMappingRequest, ReadFileRequest, ReshapeConjointRequest, Reshaped, TableSource,
    TakeTableRequest,
};
use crate::study::{ColumnRole, ResponseTable, Study};

/// The column names of the file read.
pub(super) fn column_names(summary: &ImportSummary) -> Vec<String> {
    summary.columns.iter().map(|c| c.name.clone()).collect()
}

/// The personal-data columns the researcher did not choose to keep.
fn left_out(summary: &ImportSummary, kept: &[String]) -> Vec<String> {
    summary
        .personal_data
        .iter()
        .map(|f| f.column.clone())
        .filter(|c| !kept.contains(c))
        .collect()
}

/// Puts `table` into the study, replacing a table of the same name (an edit that cannot fail).
fn add_table(study: &mut Study, table: ResponseTable) -> Result<(), String> {
    study.put_result(table);
    Ok(())
}

/// An error reply as a notice; the study is untouched.
fn failure(title: &str, message: String) -> Notice {
    Notice::error(
        format!("{title} Nothing in the study was changed."),
        vec![message],
    )
}

/// One imported file's state, shared by the steps below the file input. The table itself stays in
/// the worker; jobs name it by its handle.
#[derive(Clone, Copy)]
pub(super) struct Imported {
    pub read: RwSignal<Option<HeldRead>>,
    /// The table's name (the file's stem).
    pub name: RwSignal<String>,
    /// Personal-data columns the researcher chose to keep.
    pub kept: RwSignal<Vec<String>>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Imported {
    /// The table as read, minus the personal data not kept.
    pub fn table(self) -> Option<TableSource> {
        let kept = self.kept.get_untracked();
        self.read.with_untracked(|r| {
            r.as_ref().map(|r| {
                TableSource::Held(HeldTable {
                    held: r.held,
                    leave_out: left_out(&r.summary, &kept),
                })
            })
        })
    }
}

#[component]
pub fn HumanDataImport(open: OpenStudy) -> impl IntoView {
    let state = Imported {
        read: RwSignal::new(None),
        name: RwSignal::new(String::new()),
        kept: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
    };
    let reading = RwSignal::new(false);
    let progress = RwSignal::new(None::<FileProgress>);
    // The read under way, so Cancel can name it.
    let job_id = RwSignal::new(None::<u32>);
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
        progress.set(Some(FileProgress {
            total: file.size(),
            ..FileProgress::default()
        }));
        state.notice.set(None);
        let request = ReadFileRequest {
            options: FileReadOptions {
                name: browser::file_stem(file_name.rsplit_once('.').map_or(&file_name, |(s, _)| s)),
                file_name: file_name.clone(),
                delimiter: delimiter.get_untracked(),
                ..FileReadOptions::default()
            },
        };
        let table_name = request.options.name.clone();
        // The worker reads the File itself: the page never holds its bytes.
        let job = worker::read_file(&request, &file, move |p| progress.set(Some(p)));
        spawn_local(async move {
            let outcome = match job {
                Err(e) => Err(e.to_string()),
                Ok(job) => {
                    job_id.set(Some(job.id));
                    job.reply().await.map_err(|e| e.to_string())
                }
            };
            job_id.set(None);
            progress.set(None);
            match outcome {
                Ok(read) => {
                    state.kept.set(Vec::new());
                    state.name.set(table_name);
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
    let cancel = move |_| {
        if let Some(id) = job_id.get_untracked() {
            worker::cancel(id);
        }
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
            </div>
            {move || reading.get().then(|| view! { <ReadProgressView progress cancel /> })}
            <p class="muted">"CSV, TSV, semicolon CSV, Excel (.xlsx) or a Qualtrics export with its three header rows. Columns that look like personal data are left out unless you keep them."</p>
            <NoticeView notice=state.notice />
            {move || state.read.with(|r| r.as_ref().map(|r| r.summary.clone())).map(|summary| {
                let wide = is_wide_conjoint(summary.columns.iter().map(|c| c.name.as_str()));
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

/// Bytes and rows read so far, with a Cancel.
#[component]
fn ReadProgressView(
    progress: RwSignal<Option<FileProgress>>,
    cancel: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    const MB: f64 = 1_000_000.0;
    let text = move || {
        progress.get().map_or_else(String::new, |p| {
            format!(
                "Reading… {:.1} of {:.1} MB, {} rows",
                p.bytes / MB,
                p.total / MB,
                // The header is not a row.
                (p.rows - 1.0).max(0.0)
            )
        })
    };
    view! {
        <div class="row read-progress" data-testid="read-progress">
            <progress max=move || progress.get().map_or(1.0, |p| p.total.max(1.0))
                value=move || progress.get().map_or(0.0, |p| p.bytes) />
            <span class="muted" role="status">{text}</span>
            <button type="button" on:click=cancel>"Cancel"</button>
        </div>
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
        .with_untracked(|r| {
            r.as_ref()
                .map(|r| guess_choice_pattern(&column_names(&r.summary)))
        })
        .unwrap_or_else(|| guess_choice_pattern(&[]));
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
                .map(|r| conjoint_covariates(&r.summary, &layout.choice, &kept))
                .unwrap_or_default()
        });
        let job = ReshapeConjointRequest {
            table,
            conjoint,
            layout,
        };
        running.set(true);
        reshaped.set(None);
        state.notice.set(None);
        spawn_local(async move {
            match worker::call(job).await {
                Ok(Reshaped { table, summary }) => reshaped.set(Some((*table, summary))),
                Err(e) => state.notice.set(Some(failure(
                    "The conjoint could not be reshaped.",
                    e.to_string(),
                ))),
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
        let Some(source) = state.table() else {
            return;
        };
        let id = respondent.get_untracked();
        spawn_local(async move {
            let mut table = match worker::call(TakeTableRequest(source)).await {
                Ok(table) => table,
                Err(e) => {
                    state.notice.set(Some(failure(
                        "The table could not be added.",
                        e.to_string(),
                    )));
                    return;
                }
            };
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
        });
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

/// Matches columns to the survey's questions, lets the researcher change every match and recoding
/// by hand, and previews the result (counts and problems per column) after each change.
#[component]
fn MapSurvey(open: OpenStudy, state: Imported, respondent: RwSignal<String>) -> impl IntoView {
    let preview = RwSignal::new(None::<MappingPreview>);
    let mapping = RwSignal::new(None::<Mapping>);
    // A recoding the page could not read; the mapping keeps its last good state.
    let edit_problem = RwSignal::new(None::<String>);
    let survey = StoredValue::new(open.study.with_untracked(|s| s.survey.clone()));
    let columns = state
        .read
        .with_untracked(|r| r.as_ref().map(|r| column_names(&r.summary)))
        .unwrap_or_default();
    // Each edit asks the worker for a fresh preview; a reply to an older edit is dropped.
    let generation = StoredValue::new(0u32);
    let refresh = move || {
        let (Some(table), Some(chosen)) = (state.table(), mapping.get_untracked()) else {
            return;
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let job = PreviewMappingRequest {
            table,
            mapping: chosen,
            survey: Box::new(survey.get_value()),
        };
        spawn_local(async move {
            let outcome = worker::call(job).await;
            if generation.get_value() != mine {
                return;
            }
            match outcome {
                Ok(p) => preview.set(Some(p)),
                Err(e) => state.notice.set(Some(failure(
                    "The preview could not be made.",
                    e.to_string(),
                ))),
            }
        });
    };
    let edit = move |change: &dyn Fn(&mut Mapping)| {
        mapping.update(|m| {
            if let Some(m) = m {
                change(m);
            }
        });
        refresh();
    };
    // The long respondent × question table, replacing the wide one of the same name if added.
    let apply = move |_| {
        let (Some(table), Some(mut chosen)) = (state.table(), mapping.get_untracked()) else {
            return;
        };
        chosen.respondent = Some(respondent.get_untracked()).filter(|r| !r.is_empty());
        let job = ApplyMappingRequest {
            table,
            mapping: chosen,
            survey: Box::new(survey.get_value()),
        };
        spawn_local(async move {
            match worker::call(job).await {
                Ok(table) => {
                    let name = table.name.clone();
                    open.edit(|s| add_table(s, table));
                    state.notice.set(Some(Notice::success(format!(
                        "Added the matched answers as “{name}” (one row per respondent and question)."
                    ))));
                }
                Err(e) => state.notice.set(Some(failure(
                    "The answers could not be recoded.",
                    e.to_string(),
                ))),
            }
        });
    };
    let map = move |_| {
        let Some(table) = state.table() else { return };
        // The worker knows the question texts of the file it holds.
        let job = MapColumnsRequest {
            table,
            qualtrics: None,
            survey: Box::new(survey.get_value()),
        };
        spawn_local(async move {
            match worker::call(job).await {
                Ok(MappingReply {
                    mapping: m,
                    preview: p,
                }) => {
                    mapping.set(Some(m));
                    preview.set(Some(p));
                }
                Err(e) => state.notice.set(Some(failure(
                    "The columns could not be matched.",
                    e.to_string(),
                ))),
            }
        });
    };
    let questions: Vec<(String, String)> = survey.with_value(|s| {
        s.questions
            .iter()
            .map(|q| {
                let text: String = q.text.chars().take(50).collect();
                (q.id.clone(), format!("{} — {text}", q.id))
            })
            .collect()
    });
    let questions = StoredValue::new(questions);
    let columns = StoredValue::new(columns);
    let rows = move || {
        let Some(m) = mapping.get() else {
            return Vec::new();
        };
        let shown = preview.get();
        m.columns
            .iter()
            .map(|entry| {
                let counts = shown
                    .as_ref()
                    .and_then(|p| p.columns.iter().find(|c| c.column == entry.column))
                    .cloned();
                view! { <MappingRow entry=entry.clone() counts questions edit edit_problem survey /> }
            })
            .collect::<Vec<_>>()
    };
    let add_column = move |ev: leptos::ev::Event| {
        let column = event_target_value(&ev);
        if column.is_empty() {
            return;
        }
        // A free question if there is one, else the first: the researcher picks the right one next.
        let question = survey.with_value(|s| {
            let taken = mapping.with_untracked(|m| {
                m.as_ref()
                    .map(|m| {
                        m.columns
                            .iter()
                            .map(|c| c.question.clone())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            });
            s.questions
                .iter()
                .find(|q| !taken.contains(&q.id))
                .or(s.questions.first())
                .map(|q| q.id.clone())
        });
        let survey = survey.get_value();
        edit(&move |m: &mut Mapping| {
            m.assign(&column, question.as_deref(), &survey);
        });
    };
    // Only when a mapping appears or goes: the builder keeps its choices while the mapping is edited.
    let mapped = Memo::new(move |_| mapping.with(Option::is_some));
    view! {
        <button type="button" on:click=map>"Match columns to survey questions"</button>
        {move || edit_problem.get().map(|p| view! { <div class="notice notice-error" role="alert" data-testid="mapping-problem">{p}</div> })}
        {move || preview.get().map(|p| {
            let unmapped: Vec<String> = columns.with_value(|all| {
                mapping.with(|m| {
                    all.iter()
                        .filter(|c| !m.as_ref().is_some_and(|m| m.columns.iter().any(|e| &&e.column == c)))
                        .cloned()
                        .collect()
                })
            });
            let problems: usize = p.columns.iter().filter(|c| !c.problems.is_empty()).count();
            view! {
                <p class="muted" data-testid="mapping-status">{if problems == 0 {
                    "Every mapped column reads cleanly.".to_string()
                } else {
                    format!("{problems} column(s) with problems: fix them with the recoding, or they become missing answers.")
                }}</p>
                <div class="table-scroll">
                    <table class="data mapping" data-testid="mapping-preview">
                        <thead><tr>
                            <th scope="col">"Column"</th><th scope="col">"Question"</th><th scope="col">"Answers"</th>
                            <th scope="col">"Missing"</th><th scope="col">"Codes"</th><th scope="col">"Problems"</th>
                            <th scope="col">"Recoding"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {(!p.problems.is_empty()).then(|| view! {
                    <ul class="problems">{p.problems.iter().map(|x| view! { <li>{x.clone()}</li> }).collect_view()}</ul>
                })}
                <div class="row">
                    <label for="map-another">"Map another column"</label>
                    <select id="map-another" on:change=add_column prop:value="">
                        <option value="">"—"</option>
                        {unmapped.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                    <button type="button" on:click=apply>"Add the matched answers"</button>
                </div>
                {(!p.unmapped_questions.is_empty()).then(|| view! {
                    <p class="muted">{format!("Questions without a column: {}", p.unmapped_questions.join(", "))}</p>
                })}
            }
        })}
        {move || mapped.get().then(|| view! { <TwinBuilder open state mapping respondent /> })}
    }
}

fn counted(values: &[crate::data::ValueCount]) -> String {
    values
        .iter()
        .map(|v| format!("{} ×{}", v.value, v.count))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One mapped column: its question, counts, problems, and its recoding to edit.
#[component]
fn MappingRow(
    entry: crate::data::ColumnMapping,
    counts: Option<crate::data::ColumnPreview>,
    questions: StoredValue<Vec<(String, String)>>,
    edit: impl Fn(&dyn Fn(&mut Mapping)) + Copy + 'static,
    edit_problem: RwSignal<Option<String>>,
    survey: StoredValue<crate::study::Survey>,
) -> impl IntoView {
    let column = entry.column.clone();
    let scale = survey.with_value(|s| {
        s.questions.iter().any(|q| {
            q.id == entry.question
                && matches!(
                    q.answer,
                    crate::study::QuestionKind::Scale { .. }
                        | crate::study::QuestionKind::Matrix { .. }
                )
        })
    });
    let on_question = {
        let column = column.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let column = column.clone();
            let survey = survey.get_value();
            edit_problem.set(None);
            edit(&move |m: &mut Mapping| {
                m.assign(
                    &column,
                    Some(value.as_str()).filter(|v| !v.is_empty()),
                    &survey,
                );
            });
        }
    };
    let on_values = {
        let column = column.clone();
        move |ev: leptos::ev::Event| match crate::data::parse_recode_lines(&event_target_value(&ev))
        {
            Err(e) => edit_problem.set(Some(format!("{column}: {e}"))),
            Ok(values) => {
                edit_problem.set(None);
                let column = column.clone();
                edit(&move |m: &mut Mapping| {
                    if let Some(r) = m.recode_mut(&column) {
                        r.values = values.clone();
                    }
                });
            }
        }
    };
    let on_missing = {
        let column = column.clone();
        move |ev: leptos::ev::Event| {
            let codes = crate::data::parse_missing_codes(&event_target_value(&ev));
            let column = column.clone();
            edit(&move |m: &mut Mapping| {
                if let Some(r) = m.recode_mut(&column) {
                    r.missing = codes.clone();
                }
            });
        }
    };
    let on_reverse = {
        let column = column.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            let column = column.clone();
            edit(&move |m: &mut Mapping| {
                if let Some(r) = m.recode_mut(&column) {
                    r.reverse = on;
                }
            });
        }
    };
    let chosen = entry.question.clone();
    let options = questions.with_value(|qs| {
        qs.iter()
            .map(|(id, label)| {
                view! { <option value=id.clone() selected=*id == chosen>{label.clone()}</option> }
            })
            .collect_view()
    });
    let (answered, missing, codes, problems) = counts
        .map(|c| {
            (
                c.answered.to_string(),
                c.missing.to_string(),
                counted(&c.codes),
                c.problems,
            )
        })
        .unwrap_or_default();
    let has_problems = !problems.is_empty();
    let values_text = crate::data::recode_lines(&entry.recode.values);
    let missing_text = entry.recode.missing.join(", ");
    let recoded = !entry.recode.values.is_empty() || entry.recode.reverse;
    view! {
        <tr class:has-problems=has_problems>
            <th scope="row">{column.clone()}</th>
            <td>
                <select aria-label=format!("Question for {column}") on:change=on_question>
                    <option value="">"(not an answer)"</option>
                    {options}
                </select>
            </td>
            <td>{answered}</td>
            <td>{missing}</td>
            <td class="codes">{codes}</td>
            <td class="problem-cell">{problems.join("; ")}</td>
            <td>
                <details open=recoded>
                    <summary>"Recode"</summary>
                    <label class="stacked">"Values (value in the file = code, one per line)"
                        <textarea rows="3" aria-label=format!("Recode values of {column}")
                            prop:value=values_text on:change=on_values></textarea>
                    </label>
                    <label class="stacked">"Missing codes (comma-separated)"
                        <input type="text" aria-label=format!("Missing codes of {column}")
                            prop:value=missing_text on:change=on_missing />
                    </label>
                    {scale.then(|| view! {
                        <label class="check">
                            <input type="checkbox" aria-label=format!("Reverse the scale of {column}")
                                prop:checked=entry.recode.reverse on:change=on_reverse />
                            " Reversed scale"
                        </label>
                    })}
                </details>
            </td>
        </tr>
    }
}

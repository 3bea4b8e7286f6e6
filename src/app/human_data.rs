//! Human data into a study: a CSV, TSV, semicolon or Excel file, or a Qualtrics export (three
//! header rows), read in the worker; a summary with the columns that look like personal data
//! (left out unless kept); a wide Qualtrics conjoint reshaped to one row per respondent × task ×
//! profile; then the table joins the study's response tables for the Analyze and Compare tabs.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::open_study::OpenStudy;
use super::{browser, worker};
use crate::data::{ConjointLayout, ImportSummary, ReshapeSummary};
use crate::jobs::{Job, ReadTableRequest, Reply};
use crate::study::{ColumnRole, ResponseTable};

async fn ask(job: Job) -> Result<Reply, String> {
    match worker::run(&job).await? {
        Reply::Failed { message } => Err(message),
        reply => Ok(reply),
    }
}

/// A wide Qualtrics conjoint export carries the randomiser's `F-{task}-{profile}-{row}` fields.
fn is_wide_conjoint(table: &ResponseTable) -> bool {
    table.columns.iter().any(|c| c.name.starts_with("F-1-1-"))
}

/// The choice columns' pattern: `Q{task}` when Q1, Q2 … exist, else empty for the user to say.
fn guess_choice(table: &ResponseTable) -> String {
    let has = |n: &str| table.columns.iter().any(|c| c.name == n);
    if has("Q1") && has("Q2") {
        "Q{task}".into()
    } else {
        String::new()
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Read {
    file: String,
    summary: ImportSummary,
    table: ResponseTable,
}

#[component]
pub fn HumanDataImport(open: OpenStudy) -> impl IntoView {
    let read = RwSignal::new(None::<Read>);
    let reshaped = RwSignal::new(None::<(ResponseTable, ReshapeSummary)>);
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = RwSignal::new("human".to_string());
    let choice = RwSignal::new(String::new());
    let respondent = RwSignal::new(String::new());
    let keep = RwSignal::new(Vec::<String>::new());

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        problem.set(None);
        done.set(None);
        reshaped.set(None);
        spawn_local(async move {
            let result = async {
                let bytes = browser::read_file(&file).await?;
                let job = Job::ReadTable(Box::new(ReadTableRequest {
                    name: name.get_untracked(),
                    file_name: file.name(),
                    bytes,
                    sheet: None,
                    delimiter: None,
                    missing: None,
                }));
                match ask(job).await? {
                    Reply::TableRead(r) => Ok(*r),
                    _ => Err("the worker answered with something else".to_string()),
                }
            }
            .await;
            match result {
                Ok(r) => {
                    choice.set(guess_choice(&r.imported.table));
                    respondent.set(
                        r.imported
                            .table
                            .columns
                            .iter()
                            .find(|c| {
                                ["ResponseId", "CaseID", "respondent", "id"]
                                    .iter()
                                    .any(|n| c.name.eq_ignore_ascii_case(n))
                            })
                            .map(|c| c.name.clone())
                            .unwrap_or_default(),
                    );
                    keep.set(Vec::new());
                    read.set(Some(Read {
                        file: file.name(),
                        summary: r.summary,
                        table: r.imported.table,
                    }));
                }
                Err(e) => {
                    read.set(None);
                    problem.set(Some(format!("{}: {e}", file.name())));
                }
            }
            busy.set(false);
        });
    };

    let reshape = move |_| {
        let Some(r) = read.get_untracked() else {
            return;
        };
        let mut layout = ConjointLayout::new(choice.get_untracked().trim());
        let id = respondent.get_untracked();
        if !id.is_empty() {
            layout.respondent = Some(id);
        }
        let job = Job::ReshapeConjoint {
            table: Box::new(r.table),
            conjoint: open
                .study
                .with_untracked(|s| s.conjoint.clone())
                .map(Box::new),
            layout,
        };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            match ask(job).await {
                Ok(Reply::Reshaped { table, summary }) => reshaped.set(Some((*table, summary))),
                Ok(_) => problem.set(Some("the worker answered with something else".into())),
                Err(e) => problem.set(Some(e)),
            }
            busy.set(false);
        });
    };

    // The table that joins the study: the reshaped one, or the file as read with its respondent
    // column marked and personal data left out unless kept.
    let add = move |_| {
        let Some(r) = read.get_untracked() else {
            return;
        };
        let flagged: Vec<String> = r
            .summary
            .personal_data
            .iter()
            .map(|f| f.column.clone())
            .filter(|c| !keep.get_untracked().contains(c))
            .collect();
        let mut table = match reshaped.get_untracked() {
            Some((t, _)) => t,
            None => {
                let mut t = r.table;
                let id = respondent.get_untracked();
                for column in &mut t.columns {
                    if column.name == id {
                        column.role = ColumnRole::Respondent;
                    }
                }
                t
            }
        };
        table.columns.retain(|c| !flagged.contains(&c.name));
        table.name = name.get_untracked().trim().to_string();
        if table.name.is_empty() {
            table.name = "human".into();
        }
        let (table_name, rows, dropped) = (table.name.clone(), table.row_count(), flagged.len());
        open.edit(move |study| {
            study.results.retain(|t| t.name != table.name);
            study.results.insert(0, table);
            Ok::<(), String>(())
        });
        done.set(Some(format!(
            "Table {table_name:?} ({rows} rows) added to the study{}. Estimate from it below, or compare it with an LLM run in the Compare tab.",
            if dropped > 0 { format!("; {dropped} personal-data column(s) left out") } else { String::new() }
        )));
    };

    let column_names = move || {
        read.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.table
                        .columns
                        .iter()
                        .map(|c| c.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let has_conjoint = open.study.with_untracked(|s| s.conjoint.is_some());
    view! {
        <section class="panel" aria-labelledby="human-data-heading">
            <h2 id="human-data-heading">"Human data"</h2>
            <div class="row">
                <label for="human-data-name">"Table name"</label>
                <input id="human-data-name" type="text" prop:value=move || name.get() on:change=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="row">
                <label for="human-data-file">"Import human data (CSV, TSV, .xlsx, Qualtrics export)"</label>
                <input id="human-data-file" type="file" accept=".csv,.tsv,.txt,.xlsx" on:change=on_file disabled=move || busy.get() />
            </div>
            {move || problem.get().map(|p| view! { <div class="notice notice-error" role="alert" data-testid="human-data-problem">{p}</div> })}
            {move || done.get().map(|d| view! { <div class="notice notice-success" role="status" data-testid="human-data-done">{d}</div> })}
            {move || read.get().map(|r| {
                let s = &r.summary;
                let summary = format!("{}: {:?}{}, {} rows, {} columns.", r.file, s.format,
                    if s.qualtrics { " (Qualtrics export, three header rows)" } else { "" }, s.rows, s.columns.len());
                let flags = s.personal_data.iter().map(|f| {
                    let column = f.column.clone();
                    let toggle = {
                        let column = column.clone();
                        move |ev| {
                            let on = event_target_checked(&ev);
                            keep.update(|k| { k.retain(|c| c != &column); if on { k.push(column.clone()); } });
                        }
                    };
                    view! { <li><label class="check"><input type="checkbox" on:change=toggle />" keep "<strong>{column.clone()}</strong></label>" — "{f.reason.clone()}</li> }
                }).collect_view();
                let wide = has_conjoint && is_wide_conjoint(&r.table);
                view! {
                    <p data-testid="human-data-summary">{summary}</p>
                    {(!s.personal_data.is_empty()).then(|| view! {
                        <p>"These columns look like personal data and are left out unless you keep them:"</p>
                        <ul data-testid="personal-data">{flags}</ul>
                    })}
                    <div class="grid">
                        <div class="field">
                            <label for="human-data-respondent">"Respondent id"</label>
                            <select id="human-data-respondent" prop:value=move || respondent.get() on:change=move |ev| respondent.set(event_target_value(&ev))>
                                <option value="">"(row number)"</option>
                                {move || column_names().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        {wide.then(|| view! {
                            <div class="field">
                                <label for="human-data-choice">"Choice column per task ({task} = task number)"</label>
                                <input id="human-data-choice" type="text" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev)) />
                            </div>
                        })}
                    </div>
                    <div class="row">
                        {wide.then(|| view! { <button on:click=reshape disabled=move || busy.get()>"Reshape the conjoint"</button> })}
                        <button class:secondary=wide on:click=add disabled=move || busy.get()>"Add to the study"</button>
                    </div>
                }
            })}
            {move || reshaped.get().map(|(_, s)| view! {
                <p data-testid="reshape-summary">{format!(
                    "Reshaped: {} respondents, {} tasks × {} profiles, {} rows; {} tasks without a choice, {} unreadable choices, {} unknown levels.",
                    s.respondents, s.tasks, s.profiles, s.rows, s.missing_choices,
                    s.unreadable_choices.iter().map(|c| c.count).sum::<usize>(), s.unknown_levels.len())}</p>
            })}
        </section>
    }
}

//! `silico import FILE --out LONG.csv [--study STUDY.json] [--conjoint-choice PATTERN] [--sheet NAME]`
//!
//! Reads the human data a researcher has (CSV, TSV, semicolon-separated, Excel, Qualtrics exports),
//! prints what it found to stderr, and writes the table as CSV — a Qualtrics conjoint export
//! (recognised by its design fields, as the page recognises it) reshaped to one row per respondent ×
//! task × profile, its choice columns guessed unless `--conjoint-choice` names them; with a survey
//! `--study`, the answers mapped onto its questions.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::data::{
    apply_mapping, auto_map, import_table, is_wide_conjoint, preview_mapping, reshape_conjoint,
    summarize, table_to_csv, ConjointLayout, ImportOptions, ImportSummary, Mapping, MappingPreview,
    MatchedBy, ReadOptions, ReshapeSummary,
};
use crate::study::{Provenance, ResponseSource};

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The data file: .csv, .tsv, semicolon-separated text or .xlsx (format and encoding detected).
    pub file: PathBuf,
    /// Where to write the (long) table as CSV.
    #[arg(long)]
    pub out: PathBuf,
    /// The study the data belong to: its conjoint's attributes and levels check the reshaped data.
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// The choice column of each task of a Qualtrics conjoint export, `{task}` for its number (e.g.
    /// `Q{task}` for Q1…Q5). Without it, an export with the randomiser's embedded-data fields
    /// F-1-1, F-1-1-1, … is reshaped with the longest run of numbered columns as the choices.
    #[arg(long, value_name = "PATTERN")]
    pub conjoint_choice: Option<String>,
    /// For a conjoint: ratings of each profile, e.g. `R{task}_{profile}`.
    #[arg(long, value_name = "PATTERN")]
    pub conjoint_rating: Option<String>,
    /// For a conjoint: the respondent id column (default ResponseId, else the row number).
    #[arg(long, value_name = "COLUMN")]
    pub respondent: Option<String>,
    /// For a conjoint: respondent-level columns to copy onto every row (repeatable).
    #[arg(long = "keep", value_name = "COLUMN")]
    pub keep: Vec<String>,
    /// For Excel files: the sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The delimiter, if detection should not decide: comma, tab or semicolon.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Cells that mean "missing" besides the empty cell (repeatable). Default: NA.
    #[arg(long = "missing", value_name = "CODE")]
    pub missing: Vec<String>,
}

fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}

pub fn run(args: &ImportArgs) -> ExitCode {
    let study = match &args.study {
        Some(path) => match load_study(path) {
            Ok(study) => Some(study),
            Err(error) => return report_load_error(&error),
        },
        None => None,
    };
    let conjoint = study.as_ref().and_then(|s| s.conjoint.clone());
    let mut read = ReadOptions::default();
    if let Some(name) = &args.delimiter {
        read.delimiter = Some(match name.as_str() {
            "comma" | "," => b',',
            "tab" | "\\t" => b'\t',
            "semicolon" | ";" => b';',
            other => {
                return fail(format!(
                    "--delimiter {other:?}: use comma, tab or semicolon"
                ))
            }
        });
    }
    if !args.missing.is_empty() {
        read.missing = args.missing.clone();
    }
    let options = ImportOptions {
        read,
        sheet: args.sheet.clone(),
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(e) => return fail(format!("cannot read {}: {e}", args.file.display())),
    };
    let shown = args.file.display().to_string();
    let provenance = Provenance {
        description: format!("imported from {shown}"),
        source_file: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..Provenance::default()
    };
    let imported = match import_table(&bytes, "human", ResponseSource::Human, provenance, &options)
    {
        Ok(imported) => imported,
        Err(e) => return fail(format!("{shown}: {e}")),
    };
    // Printed once everything worked, so a failure is one line.
    let summary = summarize(&imported);
    let imported_qualtrics = imported.qualtrics.clone();
    let imported_table = imported.table;
    // With a survey study and no conjoint to reshape, the file's columns are mapped onto the
    // study's questions (by export tag, sub-columns `tag_1` included) and the long table written.
    // A wide Qualtrics conjoint export is recognised by its design fields and reshaped with the
    // guessed choice columns, as the page does; --conjoint-choice says which columns instead.
    let layout = match &args.conjoint_choice {
        Some(choice) => Some(ConjointLayout {
            choice: choice.clone(),
            rating: args.conjoint_rating.clone(),
            respondent: args.respondent.clone(),
            keep: args.keep.clone(),
        }),
        None if is_wide_conjoint(imported_table.columns.iter().map(|c| c.name.as_str())) => {
            let mut layout = ConjointLayout::guess(&summary, &args.keep);
            layout.rating = args.conjoint_rating.clone();
            layout.respondent = args.respondent.clone();
            eprintln!(
                "detected a Qualtrics conjoint export: choices read from {} (--conjoint-choice PATTERN to read others)",
                layout.choice
            );
            Some(layout)
        }
        None => None,
    };
    let survey_study = study
        .as_ref()
        .filter(|s| layout.is_none() && s.survey.questions.iter().any(|q| q.answer.is_asked()));
    let mapping =
        survey_study.map(|s| auto_map(&imported_table, imported_qualtrics.as_ref(), &s.survey));
    let (table, reshaped) = match &layout {
        None => match (survey_study, &mapping) {
            (Some(s), Some(mapping)) => {
                if mapping.columns.is_empty() {
                    return fail(format!(
                        "{shown}: none of its {} columns matches a question of the study (by export tag, \
                         sub-column such as tag_1, name or question text); is it the export of this survey? \
                         The study's questions: {}",
                        imported_table.columns.len(),
                        s.survey.questions.iter().filter(|q| q.answer.is_asked()).map(|q| q.id.as_str()).take(12).collect::<Vec<_>>().join(", ")
                    ));
                }
                (
                    apply_mapping(
                        &imported_table,
                        mapping,
                        &s.survey,
                        imported_table.provenance.clone(),
                    ),
                    None,
                )
            }
            _ => (imported_table.clone(), None),
        },
        Some(layout) => match reshape_conjoint(&imported_table, conjoint.as_ref(), layout) {
            Ok((long, reshaped)) => (long, Some(reshaped)),
            Err(e) => return fail(format!("{shown}: {e}")),
        },
    };
    if let Err(e) = std::fs::write(&args.out, table_to_csv(&table)) {
        return fail(format!("cannot write {}: {e}", args.out.display()));
    }
    print_summary(&summary);
    if let Some(reshaped) = &reshaped {
        print_reshape(reshaped);
    }
    if let Some(study) = study.filter(|s| !s.survey.questions.is_empty()) {
        let mapping = mapping.unwrap_or_else(|| {
            auto_map(&imported_table, imported_qualtrics.as_ref(), &study.survey)
        });
        print_mapping(
            &mapping,
            &preview_mapping(&imported_table, &mapping, &study.survey),
        );
    }
    ExitCode::SUCCESS
}

fn print_summary(summary: &ImportSummary) {
    let mut format = serde_json::to_value(summary.format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    if summary.qualtrics {
        format.push_str(", Qualtrics export (question texts and import ids read)");
    }
    if let Some(sheet) = &summary.sheet {
        format.push_str(&format!(", sheet {sheet:?}"));
    }
    eprintln!("format: {format}");
    eprintln!("rows: {}, columns: {}", summary.rows, summary.columns.len());
    if summary.personal_data.is_empty() {
        eprintln!("personal data: none found");
    } else {
        eprintln!("personal data (left out of personas by default):");
        for flag in &summary.personal_data {
            eprintln!("  {}: {}", flag.column, flag.reason);
        }
    }
}

fn print_reshape(summary: &ReshapeSummary) {
    eprintln!(
        "conjoint: {} respondents, {} tasks × {} profiles, {} tasks shown, {} without an answer (kept, outcome missing) → {} rows",
        summary.respondents,
        summary.tasks,
        summary.profiles,
        summary.tasks_shown,
        summary.missing_choices,
        summary.rows
    );
    for unreadable in &summary.unreadable_choices {
        eprintln!(
            "  answer {:?} names no profile ({} times; outcome missing)",
            unreadable.value, unreadable.count
        );
    }
    for attribute in &summary.unknown_attributes {
        eprintln!("  attribute {attribute:?} is not in the study");
    }
    for attribute in &summary.attributes_not_shown {
        eprintln!("  the study's attribute {attribute:?} was never shown");
    }
    for level in &summary.unknown_levels {
        eprintln!(
            "  {} = {:?} is not a level of the study ({} profiles)",
            level.attribute, level.level, level.count
        );
    }
}

/// The automatic column → question matches, and what recoding would leave unanswered.
fn print_mapping(mapping: &Mapping, preview: &MappingPreview) {
    eprintln!("survey questions matched to columns:");
    for (entry, column) in mapping.columns.iter().zip(&preview.columns) {
        let by = match &entry.matched_by {
            MatchedBy::Id => "id".to_string(),
            MatchedBy::Name => "name".to_string(),
            MatchedBy::QuestionText { score } => format!("question text, {score:.2}"),
            MatchedBy::Hand => "hand".to_string(),
        };
        let part = entry
            .item
            .as_ref()
            .map(|i| format!(" item {i}"))
            .unwrap_or_default();
        eprintln!(
            "  {}{part} ← {} (by {by}): {} answered, {} missing",
            entry.question, entry.column, column.answered, column.missing
        );
        for problem in &column.problems {
            eprintln!("    {problem}");
        }
    }
    if !preview.unmapped_questions.is_empty() {
        eprintln!("  no column for: {}", preview.unmapped_questions.join(", "));
    }
}

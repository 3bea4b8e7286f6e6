//! `silico info STUDY.json`

use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{load_study, report_load_error};
use crate::study::Study;

pub fn run(path: &Path) -> ExitCode {
    match load_study(path) {
        Ok(study) => {
            print!("{}", describe(&study));
            ExitCode::SUCCESS
        }
        Err(error) => report_load_error(&error),
    }
}

/// A short plain-text summary of a study.
pub fn describe(study: &Study) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "name: {}", study.metadata.name);
    if !study.metadata.description.is_empty() {
        let _ = writeln!(out, "description: {}", study.metadata.description);
    }
    let _ = writeln!(out, "format: {}", study.format);
    let _ = writeln!(out, "questions: {}", study.survey.questions.len());
    for question in &study.survey.questions {
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            question.id,
            question.answer.type_name(),
            question.text
        );
    }
    match &study.conjoint {
        None => {
            let _ = writeln!(out, "conjoint: none");
        }
        Some(conjoint) => {
            let _ = writeln!(
                out,
                "conjoint attributes: {} ({} profiles per task, {} tasks per respondent, {} restrictions)",
                conjoint.attributes.len(),
                conjoint.profiles_per_task,
                conjoint.tasks_per_respondent,
                conjoint.restrictions.len()
            );
            for attribute in &conjoint.attributes {
                let levels: Vec<&str> = attribute.levels.iter().map(|l| l.name.as_str()).collect();
                let _ = writeln!(
                    out,
                    "  {} ({} levels): {}",
                    attribute.name,
                    levels.len(),
                    levels.join(", ")
                );
            }
        }
    }
    let _ = writeln!(out, "response tables: {}", study.results.len());
    for table in &study.results {
        let _ = writeln!(
            out,
            "  {} ({:?}): {} rows × {} columns",
            table.name,
            table.source,
            table.row_count(),
            table.columns.len()
        );
    }
    out
}

//! Qualtrics survey files (`.qsf`, JSON) in and out.
//!
//! Reading: [`import_qsf`] turns the file's `SurveyElements` — questions (`SQ`), blocks (`BL`) and
//! the survey flow (`FL`) — into a study. Each question's `DataExportTag` becomes its id, so the
//! columns of the survey's response export map onto the study by name. Whatever cannot be carried
//! over (an unknown question type, a flow element silico does not run, piping it cannot resolve)
//! is skipped and listed as a [`Note`] naming the element; only a file that is not a survey at all
//! is an error ([`QsfError`]).
//!
//! Writing: [`export_qsf`] writes a survey Qualtrics imports: the questions with their choices and
//! recode values, blocks, the flow and display logic; a conjoint becomes embedded data plus the
//! randomiser JavaScript of [`crate::design::qualtrics`].
//!
//! One file per job: `envelope` (the JSON around the elements), `text` (HTML and piping),
//! `choices`, `question`, `logic`, `blocks`, `flow`, and `write*` for the way out.

mod blocks;
mod choices;
mod envelope;
mod error;
mod flow;
mod logic;
mod question;
mod text;
mod write;
mod write_logic;

pub use error::{Note, QsfError, QsfExportError};
pub use write::{export_qsf, QsfExport};

use crate::study::{Metadata, Study, FORMAT_V1};

/// A survey read from a .qsf: the study and what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct QsfImport {
    pub study: Study,
    /// What was not imported, each with the element and the reason.
    pub notes: Vec<Note>,
}

/// Reads a .qsf file's bytes into a study (not yet validated: the caller runs
/// [`crate::study::validate`], which names the path of any problem in the logic).
pub fn import_qsf(bytes: &[u8]) -> Result<QsfImport, QsfError> {
    let envelope = envelope::read(bytes)?;
    let mut notes = envelope.notes.clone();
    let tags = question::export_tags(&envelope, &mut notes);
    let questions: Vec<_> = envelope
        .questions
        .iter()
        .filter_map(|element| question::read(element, &tags, &mut notes))
        .collect();
    let codes: logic::Codes = questions
        .iter()
        .map(|q| (q.qid.clone(), q.codes.clone()))
        .collect();
    let read_blocks = blocks::read(&envelope, &tags, &mut notes)?;
    let flow = match &envelope.flow {
        Some(flow) => flow::read(flow, &read_blocks, &codes, &mut notes)?,
        None => Vec::new(),
    };
    let survey = blocks::assemble(questions, &codes, read_blocks, flow, &mut notes);
    let name = envelope.name.clone();
    let study = Study {
        format: FORMAT_V1.to_string(),
        id: study_id(&envelope.survey_id, &name),
        metadata: Metadata {
            name: if name.is_empty() {
                "Imported Qualtrics survey".to_string()
            } else {
                name
            },
            description: envelope.description.clone(),
            tags: vec!["qualtrics".to_string()],
            ..Metadata::default()
        },
        survey,
        conjoint: None,
        fielding: Default::default(),
        results: Vec::new(),
    };
    Ok(QsfImport { study, notes })
}

/// A study id from the survey's: `SV_8AhN…` is stable across exports of the same survey.
fn study_id(survey_id: &str, name: &str) -> String {
    let source = if survey_id.is_empty() {
        name
    } else {
        survey_id
    };
    let id: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.is_empty() {
        "qualtrics-survey".to_string()
    } else {
        format!("qsf-{id}")
    }
}

//! Reading and writing study files: bytes in, a validated [`Study`] out, with every problem located.

use serde::Serialize;

use super::error::{Problem, StudyError};
use super::json_format::StudyFormatter;
use super::migrate::migrate_to_current;
use super::model::Study;
use super::validate::validate;

/// Study files above this size are refused before parsing; response tables that large belong in CSV.
pub const MAX_STUDY_BYTES: usize = 32 * 1024 * 1024;

/// Parses, migrates and validates a study file.
pub fn parse_study(bytes: &[u8]) -> Result<Study, StudyError> {
    let study = parse_study_unvalidated(bytes)?;
    let problems = validate(&study);
    if problems.is_empty() {
        Ok(study)
    } else {
        Err(StudyError::Invalid(problems))
    }
}

/// Parses and migrates without the semantic checks (for tools that repair studies).
pub fn parse_study_unvalidated(bytes: &[u8]) -> Result<Study, StudyError> {
    if bytes.len() > MAX_STUDY_BYTES {
        return Err(StudyError::TooLarge {
            size_mb: bytes.len() as f64 / (1024.0 * 1024.0),
            limit_mb: (MAX_STUDY_BYTES / (1024 * 1024)) as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| StudyError::NotText {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(StudyError::Empty);
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| StudyError::Json {
        message: json_message(&e),
        line: e.line(),
        column: e.column(),
    })?;
    if !value.is_object() {
        return Err(StudyError::NotAStudy {
            reason: "the top level is not a JSON object".into(),
        });
    }
    let value = migrate_to_current(value)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        StudyError::Invalid(vec![Problem::new(path, e.into_inner().to_string())])
    })
}

/// serde_json appends " at line L column C"; we report those separately.
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Writes a study as indented JSON with long arrays on one line (stable field order, so files diff well).
pub fn write_study(study: &Study) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, StudyFormatter::new());
    // Serialising our own types into memory cannot fail: no maps with non-string keys, no I/O.
    study
        .serialize(&mut serializer)
        .unwrap_or_else(|e| unreachable!("study serialises: {e}"));
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_else(|e| unreachable!("serde_json writes UTF-8: {e}"))
}

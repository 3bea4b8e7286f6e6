//! Study-library operations that do not depend on where studies are stored: creating, renaming,
//! duplicating and importing studies, and the summary the library lists. The page stores the results in
//! IndexedDB; these functions decide what is stored.

use serde::{Deserialize, Serialize};

use super::model::{Metadata, Study, FORMAT_V1};

/// What the library shows for a study without loading all of it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StudySummary {
    pub id: String,
    pub name: String,
    pub modified: String,
    pub questions: usize,
    pub attributes: usize,
    pub response_rows: usize,
}

impl StudySummary {
    pub fn of(study: &Study) -> Self {
        Self {
            id: study.id.clone(),
            name: study.metadata.name.clone(),
            modified: study.metadata.modified.clone(),
            questions: study.survey.questions.len(),
            attributes: study.conjoint.as_ref().map_or(0, |c| c.attributes.len()),
            response_rows: study.results.iter().map(|t| t.row_count()).sum(),
        }
    }
}

/// An empty study with a name, ready to be designed.
pub fn new_study(id: String, name: &str, now: &str) -> Study {
    Study {
        format: FORMAT_V1.into(),
        id,
        metadata: Metadata {
            name: name.trim().to_string(),
            created: now.into(),
            modified: now.into(),
            ..Metadata::default()
        },
        survey: Default::default(),
        conjoint: None,
        fielding: Default::default(),
        results: Vec::new(),
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenameError {
    #[error("a study needs a name")]
    EmptyName,
}

/// Renames a study and marks it modified.
pub fn rename(study: &mut Study, name: &str, now: &str) -> Result<(), RenameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(RenameError::EmptyName);
    }
    study.metadata.name = name.to_string();
    study.metadata.modified = now.into();
    Ok(())
}

/// A copy under a new id, named so the two are told apart in the library.
pub fn duplicate(study: &Study, new_id: String, existing_names: &[String], now: &str) -> Study {
    let mut copy = study.clone();
    copy.id = new_id;
    copy.metadata.name = unique_name(&format!("{} (copy)", study.metadata.name), existing_names);
    copy.metadata.created = now.into();
    copy.metadata.modified = now.into();
    copy
}

/// Prepares an imported study for the library without overwriting anything already there: a study whose
/// id is taken gets a fresh id, and a taken name gets a suffix.
pub fn admit_import(
    mut study: Study,
    existing_ids: &[String],
    existing_names: &[String],
    fresh_id: impl FnOnce() -> String,
) -> Study {
    if existing_ids.contains(&study.id) {
        study.id = fresh_id();
        study.metadata.name = unique_name(
            &format!("{} (imported)", study.metadata.name),
            existing_names,
        );
    } else {
        study.metadata.name = unique_name(&study.metadata.name, existing_names);
    }
    study
}

/// `base`, or `base 2`, `base 3`, … whichever is not taken yet.
pub fn unique_name(base: &str, existing: &[String]) -> String {
    if !existing.iter().any(|n| n == base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base} {i}"))
        .find(|candidate| !existing.iter().any(|n| n == candidate))
        .unwrap_or_else(|| base.to_string())
}

/// A short random identifier from 64 random bits (the caller supplies them: the page uses the
/// browser's crypto, tests a seeded generator).
pub fn id_from_bits(bits: u64) -> String {
    format!("study-{bits:016x}")
}

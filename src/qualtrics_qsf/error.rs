//! What can go wrong reading or writing a .qsf, each naming its place in the file.

/// The file is not a Qualtrics survey: nothing can be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QsfError {
    #[error("not JSON (line {line}, column {column}): {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the file is JSON but has no SurveyElements list, so it is not a Qualtrics survey (.qsf)"
    )]
    NoSurveyElements,
    #[error("SurveyElements[{index}]: {reason}")]
    Element { index: usize, reason: String },
}

/// Something a survey holds that was left out of the study, with the element and the reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Note {
    /// e.g. `SurveyElements[12] (QID7)` or `survey flow FL_9`.
    pub place: String,
    pub reason: String,
}

impl Note {
    pub fn new(place: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            place: place.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.reason)
    }
}

/// A study that cannot be written as a .qsf.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QsfExportError {
    #[error("the conjoint's randomiser: {0}")]
    Conjoint(String),
    #[error("cannot write JSON: {0}")]
    Json(String),
}

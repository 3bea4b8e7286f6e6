//! What can be wrong with a study file, in words a researcher understands.

use std::fmt;

/// One problem found in a study, located by its path (`conjoint.attributes[2].levels[0]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(file)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// Why a study file could not be read. Every variant lists its problems with paths via [`StudyError::problems`].
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StudyError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size_mb:.1} MB; study files are limited to {limit_mb} MB (import large response tables as CSV instead)")]
    TooLarge { size_mb: f64, limit_mb: u64 },
    #[error("the file is not UTF-8 text (byte {offset} is invalid); is it a spreadsheet or a binary file?")]
    NotText { offset: usize },
    #[error("the file is not valid JSON: {message} (line {line}, column {column})")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("the file is JSON but not a silico study: {reason}")]
    NotAStudy { reason: String },
    #[error("the study is in format {found}, which is newer than this version of silico reads ({supported}); update silico to open it")]
    FutureVersion { found: String, supported: String },
    #[error("{}", summarise(.0))]
    Invalid(Vec<Problem>),
}

fn summarise(problems: &[Problem]) -> String {
    match problems {
        [one] => one.to_string(),
        _ => format!(
            "{} problems, first: {}",
            problems.len(),
            problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
    }
}

impl StudyError {
    /// The problems as `path: problem` items; errors about the whole file have the path `(file)`.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Invalid(problems) => problems.clone(),
            Self::Json {
                message,
                line,
                column,
            } => vec![Problem::new(
                format!("line {line}, column {column}"),
                format!("the file is not valid JSON: {message}"),
            )],
            other => vec![Problem::new("", other.to_string())],
        }
    }
}

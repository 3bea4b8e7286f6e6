//! What can stop fielding before any call is made.

/// A problem with the study or the run settings, worded for the researcher.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    #[error(
        "the study has nothing to field: no conjoint and no survey questions of a supported type"
    )]
    NothingToField,
    #[error("the number of respondents to field must be at least 1")]
    NoRespondents,
    #[error("the conjoint design could not be generated: {0}")]
    Design(#[from] crate::design::DesignError),
    #[error("persona table {0:?} is not among the study's response tables")]
    NoPersonaTable(String),
    #[error("persona table {table:?} has no column {column:?}")]
    NoPersonaColumn { table: String, column: String },
    #[error("persona field {field:?}: {message}")]
    PersonaField { field: String, message: String },
    #[error("the response cache cannot be used: {0}")]
    Cache(String),
    #[error("the run settings: {0}")]
    Settings(String),
    #[error("the batch result file, line {line}: {message}")]
    BatchLine { line: usize, message: String },
}

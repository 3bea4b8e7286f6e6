//! Why a comparison could not be computed; every message names the column and, where one is at
//! fault, the data line (1 = the header, so the first data row is line 2).

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CompareError {
    #[error("{table}: no column {name:?} (columns: {available})")]
    MissingColumn {
        table: String,
        name: String,
        available: String,
    },
    #[error("{table}: column {column:?}, line {line}: {value:?} is not a number")]
    NotNumeric {
        table: String,
        column: String,
        line: usize,
        value: String,
    },
    #[error("{table}: column {column:?}, line {line}: the cell is empty")]
    MissingKey {
        table: String,
        column: String,
        line: usize,
    },
    #[error("{table}: line {line}: person {person:?} answers question {question:?} a second time")]
    DuplicatePair {
        table: String,
        line: usize,
        person: String,
        question: String,
    },
    #[error("{table}: line {line}: question {question:?} is listed twice")]
    DuplicateRange {
        table: String,
        line: usize,
        question: String,
    },
    #[error("{table}: line {line}: the range min {min} is not below max {max}")]
    EmptyRange {
        table: String,
        line: usize,
        min: f64,
        max: f64,
    },
    #[error("{table}: line {line}: kind {value:?} is not ordinal, numeric or nominal")]
    BadKind {
        table: String,
        line: usize,
        value: String,
    },
    /// Boxed: six fields would make every `Result` of this module large.
    #[error(transparent)]
    GroupConflict(Box<GroupConflict>),
    #[error("{table}: {message}")]
    Layout { table: String, message: String },
}

/// A person whose group column holds two different values.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{table}: column {column:?}, line {line}: person {person:?} is in group {second:?} here but in {first:?} on an earlier line")]
pub struct GroupConflict {
    pub table: String,
    pub column: String,
    pub line: usize,
    pub person: String,
    pub first: String,
    pub second: String,
}

//! Why two samples of survey answers could not be compared. Every message names the table (the
//! file name on the command line) and, where one is at fault, the column and the data line
//! (1 = the header, so the first data row is line 2).

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurveySamplesError {
    #[error(
        "{table}: no {what} column (looked for a column with that role or named {tried}; \
         columns: {available}){hint}"
    )]
    MissingColumn {
        table: String,
        what: &'static str,
        tried: String,
        available: String,
        /// Said when the table looks like a wide export (one column per question).
        hint: String,
    },
    #[error("{table}: the group column {column:?} is neither a column of the table nor a question of the study (columns: {available})")]
    MissingGroup {
        table: String,
        column: String,
        available: String,
    },
    #[error(
        "{table}: no question id in column {column:?} is a question of the study (first ids: \
         {seen}; the study's questions: {known})"
    )]
    NothingMatches {
        table: String,
        column: String,
        seen: String,
        known: String,
    },
    #[error("{table}: the table has no rows")]
    Empty { table: String },
    #[error("the study has no survey questions to compare")]
    NoQuestions,
}

//! The study model: types, the versioned file format, validation with paths, schema and migration.

mod answer_mode;
mod cell;
pub mod edit;
mod error;
mod json_format;
pub mod library;
mod load;
pub mod migrate;
mod model;
mod schema;
pub mod survey_edit;
mod validate;

pub use answer_mode::AnswerMode;
pub use cell::number_text;
pub use error::{Problem, StudyError};
pub use load::{parse_study, parse_study_unvalidated, write_study, MAX_STUDY_BYTES};
pub use model::*;
pub use schema::study_schema_json;
pub use validate::validate;

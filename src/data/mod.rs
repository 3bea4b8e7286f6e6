//! Human and LLM data in and out: delimited text and Excel files into long response tables (typed
//! columns), Qualtrics exports and their wide conjoint layout, column mapping to a study's questions,
//! personal-data flags, and CSV back out for R/pandas.

mod attach;
mod chunked;
mod conjoint_reshape;
mod csv_table;
mod delimiter;
mod qualtrics_export;
mod table_builder;
mod text_encoding;

pub use attach::{attach_table, parse_role, AttachError};
pub use chunked::{ChunkedReader, DelimitedTable};
pub use conjoint_reshape::{
    parse_choice, reshape_conjoint, ConjointLayout, ReshapeError, ReshapeSummary, UnknownLevel,
    ValueCount,
};
pub use csv_table::{
    read_delimited, read_delimited_file, table_to_csv, ReadOptions, TableReadError,
};
pub use delimiter::{delimiter_name, sniff_delimiter, SniffProblem, CANDIDATES};
pub use qualtrics_export::{import_id, ColumnInfo, QualtricsColumns};
pub use text_encoding::TextEncoding;

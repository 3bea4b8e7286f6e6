//! Human and LLM data in and out: delimited text and Excel files into long response tables (typed
//! columns), Qualtrics exports and their wide conjoint layout, column mapping to a study's questions,
//! personal-data flags, and CSV back out for R/pandas.

mod attach;
mod chunked;
mod column_mapping;
mod conjoint_detect;
mod conjoint_reshape;
pub(crate) mod csv_table;
mod delimiter;
mod import;
mod personal_data;
mod qualtrics_export;
mod recode;
mod table_builder;
mod text_encoding;
mod xlsx;

pub use attach::{attach_table, parse_role, AttachError};
pub use chunked::{ChunkedReader, DelimitedTable};
pub use column_mapping::{
    apply_mapping, auto_map, preview_mapping, text_similarity, ColumnMapping, ColumnPreview,
    Mapping, MappingPreview, MatchedBy, TEXT_MATCH_THRESHOLD,
};
pub use conjoint_detect::{conjoint_covariates, guess_choice_pattern, is_wide_conjoint};
pub use conjoint_reshape::{
    parse_choice, reshape_conjoint, ConjointLayout, ReshapeError, ReshapeSummary, UnknownLevel,
    ValueCount,
};
pub use csv_table::{
    csv_cell, read_delimited, read_delimited_file, table_to_csv, ReadOptions, TableReadError,
};
pub use delimiter::{delimiter_name, sniff_delimiter, SniffProblem, CANDIDATES};
pub use import::{
    from_delimited, import_table, summarize, ColumnSummary, FileFormat, ImportError, ImportOptions,
    ImportSummary, ImportedTable,
};
pub use personal_data::{
    default_persona_columns, detect_personal_data, PersonalDataFlag, PersonalKind,
};
pub use qualtrics_export::{import_id, ColumnInfo, QualtricsColumns};
pub use recode::{
    default_missing_codes, parse_missing_codes, parse_recode_lines, recode_lines, recode_part,
    recode_value, Recode, RecodeLineError, Recoded, COMMON_MISSING_CODES,
};
pub use text_encoding::TextEncoding;
pub use xlsx::{looks_like_legacy_xls, looks_like_xlsx, read_xlsx, XlsxError, XlsxTable};

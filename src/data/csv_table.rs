//! Delimited text (CSV/TSV) ↔ [`ResponseTable`], with each column typed as numbers or text.

use crate::study::{number_text, ColumnValues, Provenance, ResponseSource, ResponseTable};

use super::chunked::{ChunkedReader, DelimitedTable};

/// How to read a delimited file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The field delimiter; `None` guesses it from the file (comma, tab or semicolon).
    pub delimiter: Option<u8>,
    /// Cells that mean "missing" (besides the empty cell). Note `None` is a real level in some studies,
    /// so it is not a missing code unless listed here.
    pub missing: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            missing: vec!["NA".into()],
        }
    }
}

/// Why a file could not be read as a table. Rows are counted as a spreadsheet shows them: the header
/// is row 1.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum TableReadError {
    #[error("the file is empty")]
    Empty,
    #[error("row {row}, column {column:?}: not UTF-8 text{hint}")]
    NotText {
        row: usize,
        column: String,
        /// What the bytes look like and what to do, e.g. " (looks like Latin-1/Windows-1252; …)".
        hint: String,
    },
    #[error("row {row}: {found} fields, the header has {expected}")]
    RaggedRow {
        row: usize,
        found: usize,
        expected: usize,
    },
    #[error("column {index}: empty column name in the header")]
    EmptyHeader { index: usize },
    #[error("column {name:?} appears twice in the header")]
    DuplicateHeader { name: String },
    #[error("cannot tell the delimiter: {candidates} both split every row evenly; say which one the file uses")]
    AmbiguousDelimiter { candidates: String },
    #[error("with the {used} as delimiter the file has one column, but it looks {likely}-separated; read it with the {likely} as delimiter")]
    WrongDelimiter { used: String, likely: String },
}

/// Reads a header row and data rows into a table. Columns whose every non-missing cell is a number
/// become numeric; all others stay text. A Qualtrics export's two extra header rows are recognised
/// and skipped (see [`read_delimited_file`](super::read_delimited_file) to keep them).
pub fn read_delimited(
    bytes: &[u8],
    name: &str,
    source: ResponseSource,
    provenance: Provenance,
    options: &ReadOptions,
) -> Result<ResponseTable, TableReadError> {
    read_delimited_file(bytes, name, source, provenance, options).map(|read| read.table)
}

/// Like [`read_delimited`], also returning the delimiter, encoding and Qualtrics metadata found.
pub fn read_delimited_file(
    bytes: &[u8],
    name: &str,
    source: ResponseSource,
    provenance: Provenance,
    options: &ReadOptions,
) -> Result<DelimitedTable, TableReadError> {
    let mut reader = ChunkedReader::new(name, source, provenance, options.clone());
    reader.push(bytes)?;
    reader.finish()
}

/// Writes a table as CSV with a header row; missing values are empty cells (R's `read.csv` and pandas
/// read them as NA/NaN).
pub fn table_to_csv(table: &ResponseTable) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = writer.write_record(table.columns.iter().map(|c| c.name.as_str()));
    for row in 0..table.row_count() {
        let _ = writer.write_record(table.columns.iter().map(|c| {
            match &c.values {
                ColumnValues::Number(v) => v
                    .get(row)
                    .copied()
                    .flatten()
                    .map(number_text)
                    .unwrap_or_default(),
                ColumnValues::Text(v) => v.get(row).cloned().flatten().unwrap_or_default(),
            }
        }));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// One CSV cell as the `csv` crate writes it: quoted only when it holds the delimiter, a quote or
/// a line break, quotes doubled. For tables written a cell at a time (the comparison's exports).
pub fn csv_cell(text: &str) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = writer.write_record([text]);
    let mut bytes = writer.into_inner().unwrap_or_default();
    bytes.pop();
    // A lone empty field is written as `""` (so the record is not a blank line); as one cell of
    // many it is just empty.
    if bytes == b"\"\"" {
        bytes.clear();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

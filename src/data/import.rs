//! One entry for "here is the file the researcher has": CSV, TSV, semicolon-separated or Excel,
//! plain or a Qualtrics export, told apart by the bytes, read into a table with a summary the page and
//! the command line show before anything else happens.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::study::{ColumnValues, Provenance, ResponseSource, ResponseTable};

use super::chunked::DelimitedTable;
use super::csv_table::{read_delimited_file, ReadOptions, TableReadError};
use super::personal_data::{default_persona_columns, detect_personal_data, PersonalDataFlag};
use super::qualtrics_export::QualtricsColumns;
use super::text_encoding::TextEncoding;
use super::xlsx::{looks_like_legacy_xls, looks_like_xlsx, read_xlsx, XlsxError};
use crate::study::number_text;

/// The kind of file that was read.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Tsv,
    /// Semicolon-separated (Excel's CSV in locales with decimal commas).
    SemicolonCsv,
    Xlsx,
}

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub read: ReadOptions,
    /// For Excel files: the sheet to read (default: the first).
    pub sheet: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ImportError {
    #[error(transparent)]
    Table(#[from] TableReadError),
    #[error(transparent)]
    Excel(#[from] XlsxError),
    #[error("this is an old Excel .xls file; open it in Excel or LibreOffice and save it as .xlsx or CSV")]
    LegacyExcel,
}

/// A file read into a table, with what was detected.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ImportedTable {
    pub table: ResponseTable,
    pub format: FileFormat,
    /// For text files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<TextEncoding>,
    /// For Excel files: the sheet read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Qualtrics' question texts and import ids, when the file is a Qualtrics export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualtrics: Option<QualtricsColumns>,
}

/// Reads CSV/TSV/semicolon text (any of the encodings [`TextEncoding`] lists) or an `.xlsx` workbook.
pub fn import_table(
    bytes: &[u8],
    name: &str,
    source: ResponseSource,
    provenance: Provenance,
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    if looks_like_legacy_xls(bytes) {
        return Err(ImportError::LegacyExcel);
    }
    if looks_like_xlsx(bytes) {
        let read = read_xlsx(
            bytes,
            options.sheet.as_deref(),
            name,
            source,
            provenance,
            &options.read.missing,
        )?;
        return Ok(ImportedTable {
            table: read.table,
            format: FileFormat::Xlsx,
            encoding: None,
            sheet: Some(read.sheet),
            qualtrics: read.qualtrics,
        });
    }
    let read = read_delimited_file(bytes, name, source, provenance, &options.read)?;
    Ok(from_delimited(read))
}

/// The result of a [`ChunkedReader`](super::ChunkedReader) as an imported table.
pub fn from_delimited(read: DelimitedTable) -> ImportedTable {
    ImportedTable {
        format: match read.delimiter {
            b'\t' => FileFormat::Tsv,
            b';' => FileFormat::SemicolonCsv,
            _ => FileFormat::Csv,
        },
        table: read.table,
        encoding: Some(read.encoding),
        sheet: None,
        qualtrics: read.qualtrics,
    }
}

/// One column in the summary.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ColumnSummary {
    pub name: String,
    /// `number` or `text`.
    pub kind: String,
    pub missing: usize,
    /// Distinct present values, counted up to 1,000 (then reported as 1000).
    pub distinct: usize,
    /// Up to three values as written.
    pub examples: Vec<String>,
    /// The Qualtrics question text, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub question_text: String,
}

/// What the page shows after a file is read, and what `silico import` prints.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ImportSummary {
    pub format: FileFormat,
    pub qualtrics: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<TextEncoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
    pub personal_data: Vec<PersonalDataFlag>,
    /// Columns a persona may use by default (personal data and bookkeeping left out).
    pub persona_columns: Vec<String>,
}

const DISTINCT_CAP: usize = 1000;

/// Distinct values (counted up to [`DISTINCT_CAP`]) and the first three of them.
fn distinct_values<'a, T: 'a, K: std::hash::Hash + Eq>(
    values: impl Iterator<Item = &'a T>,
    key: impl Fn(&&'a T) -> K,
) -> (usize, Vec<&'a T>) {
    let mut seen = std::collections::HashSet::new();
    let mut examples = Vec::new();
    for value in values {
        if seen.insert(key(&value)) && examples.len() < 3 {
            examples.push(value);
        }
        if seen.len() >= DISTINCT_CAP {
            break;
        }
    }
    (seen.len(), examples)
}

pub fn summarize(imported: &ImportedTable) -> ImportSummary {
    let table = &imported.table;
    let columns = table
        .columns
        .iter()
        .map(|column| {
            // Distinct values by reference (text) or by bits (numbers): no allocation per cell, which
            // matters on a million-row file.
            let (kind, missing, distinct, examples) = match &column.values {
                ColumnValues::Number(v) => {
                    let (distinct, examples) = distinct_values(v.iter().flatten(), |x| x.to_bits());
                    let examples = examples.into_iter().map(|x| number_text(*x)).collect();
                    (
                        "number",
                        v.iter().filter(|x| x.is_none()).count(),
                        distinct,
                        examples,
                    )
                }
                ColumnValues::Text(v) => {
                    let (distinct, examples) =
                        distinct_values(v.iter().flatten(), |s: &&String| s.as_str());
                    let examples = examples.into_iter().map(|s| (*s).clone()).collect();
                    (
                        "text",
                        v.iter().filter(|x| x.is_none()).count(),
                        distinct,
                        examples,
                    )
                }
            };
            ColumnSummary {
                name: column.name.clone(),
                kind: kind.into(),
                missing,
                distinct,
                examples,
                question_text: imported
                    .qualtrics
                    .as_ref()
                    .and_then(|q| q.get(&column.name))
                    .map(|info| info.question_text.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let personal_data = detect_personal_data(table);
    ImportSummary {
        format: imported.format,
        qualtrics: imported.qualtrics.is_some(),
        encoding: imported.encoding,
        sheet: imported.sheet.clone(),
        rows: table.row_count(),
        columns,
        persona_columns: default_persona_columns(table, &personal_data),
        personal_data,
    }
}

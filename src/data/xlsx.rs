//! Excel `.xlsx` workbooks into the same typed table as CSV: the first sheet (or a named one), its
//! first used row as the header. Cells become text the way Excel would export them to CSV, and then go
//! through the same typing as a CSV file, so a column is numeric exactly when a CSV of it would be.
//! Dates become ISO 8601 text (`2024-03-01` or `2024-03-01 10:15:00`).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::study::{Provenance, ResponseSource};

use super::csv_table::TableReadError;
use super::qualtrics_export::QualtricsColumns;
use super::table_builder::TableBuilder;
use crate::study::number_text;
use crate::study::ResponseTable;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum XlsxError {
    #[error("the Excel file cannot be read ({0}); re-save it as .xlsx or CSV")]
    Unreadable(String),
    #[error("the workbook has no sheet named {sheet:?}; its sheets are {available}")]
    NoSuchSheet { sheet: String, available: String },
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("sheet {sheet:?}: {source}")]
    Table {
        sheet: String,
        source: TableReadError,
    },
}

/// A sheet read into a table, and which sheet it was.
#[derive(Clone, Debug, PartialEq)]
pub struct XlsxTable {
    pub table: ResponseTable,
    pub sheet: String,
    pub sheets: Vec<String>,
    pub qualtrics: Option<QualtricsColumns>,
}

/// Whether the bytes are a zip archive (an .xlsx is one); legacy .xls starts with the OLE signature.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

pub fn looks_like_legacy_xls(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

pub fn read_xlsx(
    bytes: &[u8],
    sheet: Option<&str>,
    name: &str,
    source: ResponseSource,
    provenance: Provenance,
    missing: &[String],
) -> Result<XlsxTable, XlsxError> {
    let mut workbook =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| XlsxError::Unreadable(e.to_string()))?;
    let sheets = workbook.sheet_names();
    let chosen = match sheet {
        Some(wanted) => sheets
            .iter()
            .find(|s| s.as_str() == wanted)
            .cloned()
            .ok_or_else(|| XlsxError::NoSuchSheet {
                sheet: wanted.to_string(),
                available: sheets
                    .iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
        None => sheets.first().cloned().ok_or(XlsxError::NoSheets)?,
    };
    let range = workbook
        .worksheet_range(&chosen)
        .map_err(|e| XlsxError::Unreadable(e.to_string()))?;
    let in_sheet = |source: TableReadError| XlsxError::Table {
        sheet: chosen.clone(),
        source,
    };
    // Rows as the sheet numbers them, so messages point at the row Excel shows.
    let first_row = range.start().map_or(1, |(row, _)| row as usize + 1);
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(in_sheet(TableReadError::Empty));
    };
    // Formatting often leaves empty cells right of the data; the header decides the width.
    let width = header
        .iter()
        .rposition(|c| !matches!(c, Data::Empty))
        .map_or(0, |last| last + 1);
    let mut builder = TableBuilder::new(missing.to_vec());
    let mut cells: Vec<String> = Vec::with_capacity(width);
    for (offset, row) in std::iter::once(header).chain(rows).enumerate() {
        // A value right of the header has no column to go to: say so rather than drop it.
        let used = row
            .iter()
            .rposition(|c| !matches!(c, Data::Empty))
            .map_or(0, |last| last + 1);
        if used > width {
            return Err(in_sheet(TableReadError::RaggedRow {
                row: first_row + offset,
                found: used,
                expected: width,
            }));
        }
        cells.clear();
        cells.extend(row.iter().take(width).map(cell_text));
        // Blank rows are skipped, as the CSV reader skips empty lines.
        if offset > 0 && cells.iter().all(String::is_empty) {
            continue;
        }
        cells.resize(width, String::new());
        builder
            .push(cells.iter().map(String::as_str), first_row + offset)
            .map_err(in_sheet)?;
    }
    let built = builder.finish(name, source, provenance).map_err(in_sheet)?;
    Ok(XlsxTable {
        table: built.table,
        sheet: chosen,
        sheets,
        qualtrics: built.qualtrics,
    })
}

/// A cell as Excel's CSV export would write it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        // Durations stay numbers of days, as Excel stores them.
        Data::DateTime(d) => number_text(d.as_f64()),
    }
}

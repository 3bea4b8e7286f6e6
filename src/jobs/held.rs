//! A data file the worker reads itself, slice by slice, and keeps. A 200 MB export parsed into a
//! table would take seconds to send back to the page and to decode there (freezing it), so the page
//! gets only the summary and a handle; later jobs (map columns, reshape, add to the study) name the
//! handle instead of carrying the table. The worker keeps one such table: reading the next file
//! drops the last.

use std::borrow::Cow;
use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use super::import::FileReadOptions;
use crate::data::{
    from_delimited, import_table, summarize, ChunkedReader, ImportSummary, ImportedTable,
    QualtricsColumns,
};
use crate::study::{ResponseSource, ResponseTable};

/// How to read the `File` that travels beside this request (structured-cloned, never copied whole).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ReadFileRequest {
    #[serde(flatten)]
    pub options: FileReadOptions,
}

/// What the page gets back: the summary, and the handle naming the table the worker keeps.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct HeldRead {
    pub held: u32,
    pub summary: ImportSummary,
}

/// A table the worker holds, minus the columns the page leaves out (personal data not kept).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct HeldTable {
    pub held: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leave_out: Vec<String>,
}

/// A job's table: one the worker holds, or the table itself.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum TableSource {
    Held(HeldTable),
    Inline(Box<ResponseTable>),
}

impl From<ResponseTable> for TableSource {
    fn from(table: ResponseTable) -> Self {
        Self::Inline(Box::new(table))
    }
}

impl From<Box<ResponseTable>> for TableSource {
    fn from(table: Box<ResponseTable>) -> Self {
        Self::Inline(table)
    }
}

thread_local! {
    /// The last file read by the worker, with its handle.
    static HELD: RefCell<Option<(u32, ImportedTable)>> = const { RefCell::new(None) };
}

/// Keeps `imported` (dropping the table held before) and answers with its summary and handle.
pub fn hold(imported: ImportedTable) -> HeldRead {
    let summary = summarize(&imported);
    let held = HELD.with(|cell| {
        let mut slot = cell.borrow_mut();
        let held = slot.as_ref().map_or(1, |(id, _)| id + 1);
        // Drop the last table before keeping the next, so two large files are never held at once.
        *slot = None;
        *slot = Some((held, imported));
        held
    });
    HeldRead { held, summary }
}

/// Runs `f` on the table `source` names, with its Qualtrics question texts when the worker read it.
pub(super) fn with_table<R>(
    source: &TableSource,
    f: impl FnOnce(&ResponseTable, Option<&QualtricsColumns>) -> R,
) -> Result<R, String> {
    match source {
        TableSource::Inline(table) => Ok(f(table, None)),
        TableSource::Held(wanted) => HELD.with(|cell| {
            let slot = cell.borrow();
            let Some((_, imported)) = slot.as_ref().filter(|(id, _)| *id == wanted.held) else {
                return Err(
                    "the file read earlier is no longer in memory (another file was read since); read it again"
                        .to_string(),
                );
            };
            let table = if imported
                .table
                .columns
                .iter()
                .any(|c| wanted.leave_out.contains(&c.name))
            {
                let whole = &imported.table;
                Cow::Owned(ResponseTable {
                    name: whole.name.clone(),
                    source: whole.source,
                    provenance: whole.provenance.clone(),
                    columns: whole
                        .columns
                        .iter()
                        .filter(|c| !wanted.leave_out.contains(&c.name))
                        .cloned()
                        .collect(),
                })
            } else {
                Cow::Borrowed(&imported.table)
            };
            Ok(f(&table, imported.qualtrics.as_ref()))
        }),
    }
}

/// What has been read so far: bytes pushed and records completed (the header counts as one).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
pub struct ReadProgress {
    pub bytes: u64,
    pub rows: u64,
}

enum Reading {
    /// Nothing arrived yet: the first bytes say whether this is a workbook.
    Start,
    Delimited(Box<ChunkedReader>),
    /// Workbooks (and old .xls, to be refused by name) are zip or OLE containers that need the
    /// whole file; they are small next to the CSVs that need streaming.
    Whole(Vec<u8>),
}

/// A file pushed slice by slice as the worker reads it: CSV/TSV/semicolon text streams through the
/// chunked reader; a workbook is gathered and read at the end.
pub struct FileRead {
    request: ReadFileRequest,
    reading: Reading,
    bytes: u64,
}

impl FileRead {
    pub fn new(request: ReadFileRequest) -> Self {
        Self {
            request,
            reading: Reading::Start,
            bytes: 0,
        }
    }

    /// Reads the next slice. An error names the row and column (as the whole-file read does).
    pub fn push(&mut self, slice: &[u8]) -> Result<(), String> {
        if slice.is_empty() {
            return Ok(());
        }
        self.bytes += slice.len() as u64;
        if matches!(self.reading, Reading::Start) {
            // A zip or OLE signature is 4–8 bytes; the first slice is always at least that long
            // unless the whole file is shorter, and then `finish` reads it whole anyway.
            self.reading = if crate::data::looks_like_xlsx(slice)
                || crate::data::looks_like_legacy_xls(slice)
            {
                Reading::Whole(Vec::new())
            } else {
                let options = &self.request.options;
                Reading::Delimited(Box::new(ChunkedReader::new(
                    &options.name,
                    ResponseSource::Human,
                    options.provenance(),
                    options.read_options()?,
                )))
            };
        }
        match &mut self.reading {
            Reading::Start => Ok(()),
            Reading::Delimited(reader) => reader.push(slice).map_err(|e| e.to_string()),
            Reading::Whole(bytes) => {
                bytes.extend_from_slice(slice);
                Ok(())
            }
        }
    }

    pub fn progress(&self) -> ReadProgress {
        ReadProgress {
            bytes: self.bytes,
            rows: match &self.reading {
                Reading::Delimited(reader) => reader.records() as u64,
                _ => 0,
            },
        }
    }

    /// The table read, not yet held.
    pub fn finish_table(self) -> Result<ImportedTable, String> {
        match self.reading {
            Reading::Delimited(reader) => reader
                .finish()
                .map(from_delimited)
                .map_err(|e| e.to_string()),
            Reading::Start | Reading::Whole(_) => {
                let bytes = match &self.reading {
                    Reading::Whole(bytes) => bytes.as_slice(),
                    _ => &[],
                };
                let options = &self.request.options;
                import_table(
                    bytes,
                    &options.name,
                    ResponseSource::Human,
                    options.provenance(),
                    &options.import_options()?,
                )
                .map_err(|e| e.to_string())
            }
        }
    }

    /// Reads what is left, keeps the table in the worker and answers with its summary.
    pub fn finish(self) -> Result<HeldRead, String> {
        self.finish_table().map(hold)
    }
}

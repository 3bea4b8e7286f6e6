//! Import jobs: read the file the researcher picked, reshape a Qualtrics conjoint, match columns to
//! the study's questions and preview or apply the recoding. Each is one engine call; the worker may
//! also read a large file itself with [`ChunkedReader`](crate::data::ChunkedReader) slice by slice
//! and keep it (`held`); later jobs name either table by a [`TableSource`].

use serde::{Deserialize, Serialize};

use super::held::{with_table, TableSource};
use super::protocol::{JobError, Operation};
use crate::data::{
    apply_mapping, auto_map, import_table, preview_mapping, reshape_conjoint, summarize,
    ConjointLayout, ImportOptions, ImportSummary, ImportedTable, Mapping, MappingPreview,
    QualtricsColumns, ReadOptions, ReshapeSummary,
};
use crate::study::{Conjoint, Provenance, ResponseSource, ResponseTable, Survey};

/// How to read a data file into a study table: what the page asks whether it sends the bytes
/// ([`ReadTableRequest`]) or has the worker read the `File` itself
/// ([`ReadFileRequest`](super::ReadFileRequest)). Both flatten it, so on the wire these are plain
/// fields of the request.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct FileReadOptions {
    /// The table's name in the study, e.g. `human`.
    pub name: String,
    /// The file's name, kept as provenance and named in errors.
    #[serde(default)]
    pub file_name: String,
    /// For Excel files: the sheet (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// `,`, `\t` or `;`; default: detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// Missing-value cells besides the empty cell; default `NA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

impl FileReadOptions {
    /// The reader's options; a delimiter that is not one byte is refused by name.
    pub(super) fn read_options(&self) -> Result<ReadOptions, String> {
        let mut read = ReadOptions::default();
        if let Some(d) = self.delimiter {
            read.delimiter =
                Some(u8::try_from(d).map_err(|_| format!("{d:?} is not a delimiter"))?);
        }
        if let Some(missing) = &self.missing {
            read.missing = missing.clone();
        }
        Ok(read)
    }

    pub(super) fn import_options(&self) -> Result<ImportOptions, String> {
        Ok(ImportOptions {
            read: self.read_options()?,
            sheet: self.sheet.clone(),
        })
    }

    /// Where the table came from, as the study records it.
    pub(super) fn provenance(&self) -> Provenance {
        Provenance {
            description: format!("imported from {}", self.file_name),
            source_file: self.file_name.clone(),
            ..Provenance::default()
        }
    }
}

/// A file's bytes and how to read them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReadTableRequest {
    #[serde(flatten)]
    pub options: FileReadOptions,
    pub bytes: Vec<u8>,
}

/// The table read, with what the page shows about it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TableRead {
    pub summary: ImportSummary,
    pub imported: ImportedTable,
}

fn read_table(request: &ReadTableRequest) -> Result<TableRead, String> {
    let options = &request.options;
    let imported = import_table(
        &request.bytes,
        &options.name,
        ResponseSource::Human,
        options.provenance(),
        &options.import_options()?,
    )
    .map_err(|e| e.to_string())?;
    Ok(table_read(imported))
}

/// The reply for a table the worker read itself (e.g. chunk by chunk).
pub fn table_read(imported: ImportedTable) -> TableRead {
    TableRead {
        summary: summarize(&imported),
        imported,
    }
}

impl Operation for ReadTableRequest {
    type Reply = TableRead;

    fn run(self) -> Result<TableRead, JobError> {
        Ok(read_table(&self)?)
    }
}

/// A Qualtrics conjoint export (one row per respondent) into the long table.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReshapeConjointRequest {
    pub table: TableSource,
    /// The study's conjoint, to check attributes and levels against; optional.
    #[serde(default)]
    pub conjoint: Option<Box<Conjoint>>,
    pub layout: ConjointLayout,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Reshaped {
    pub table: Box<ResponseTable>,
    pub summary: ReshapeSummary,
}

impl Operation for ReshapeConjointRequest {
    type Reply = Reshaped;

    fn run(self) -> Result<Reshaped, JobError> {
        let (table, summary) = with_table(&self.table, |table, _| {
            reshape_conjoint(table, self.conjoint.as_deref(), &self.layout)
                .map_err(|e| e.to_string())
        })??;
        Ok(Reshaped {
            table: Box::new(table),
            summary,
        })
    }
}

/// Match the table's columns to the survey's questions, and preview that mapping.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MapColumnsRequest {
    pub table: TableSource,
    /// The export's question texts when the page has them (the worker knows them for a table it read).
    #[serde(default)]
    pub qualtrics: Option<QualtricsColumns>,
    pub survey: Box<Survey>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MappingReply {
    pub mapping: Mapping,
    pub preview: MappingPreview,
}

impl Operation for MapColumnsRequest {
    type Reply = MappingReply;

    fn run(self) -> Result<MappingReply, JobError> {
        Ok(with_table(&self.table, |table, held_qualtrics| {
            let mapping = auto_map(
                table,
                self.qualtrics.as_ref().or(held_qualtrics),
                &self.survey,
            );
            let preview = preview_mapping(table, &mapping, &self.survey);
            MappingReply { mapping, preview }
        })?)
    }
}

/// Preview a (hand-edited) mapping: counts and problems per column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PreviewMappingRequest {
    pub table: TableSource,
    pub mapping: Mapping,
    pub survey: Box<Survey>,
}

impl Operation for PreviewMappingRequest {
    type Reply = MappingPreview;

    fn run(self) -> Result<MappingPreview, JobError> {
        Ok(with_table(&self.table, |table, _| {
            preview_mapping(table, &self.mapping, &self.survey)
        })?)
    }
}

/// Apply a mapping: the long respondent × question table.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ApplyMappingRequest {
    pub table: TableSource,
    pub mapping: Mapping,
    pub survey: Box<Survey>,
}

impl Operation for ApplyMappingRequest {
    type Reply = ResponseTable;

    fn run(self) -> Result<ResponseTable, JobError> {
        Ok(with_table(&self.table, |table, _| {
            apply_mapping(table, &self.mapping, &self.survey, table.provenance.clone())
        })?)
    }
}

/// The table a source names, e.g. to add a file the worker holds to the study.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(transparent)]
pub struct TakeTableRequest(pub TableSource);

impl Operation for TakeTableRequest {
    type Reply = ResponseTable;

    fn run(self) -> Result<ResponseTable, JobError> {
        Ok(with_table(&self.0, |table, _| table.clone())?)
    }
}

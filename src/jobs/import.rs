//! Import jobs: read the file the researcher picked, reshape a Qualtrics conjoint, match columns to
//! the study's questions and preview or apply the recoding. Each is one engine call; the worker may
//! also read a large file itself with [`ChunkedReader`](crate::data::ChunkedReader) slice by slice and
//! answer with [`table_read_reply`], so both paths give the page the same reply.

use serde::{Deserialize, Serialize};

use crate::data::{
    import_table, summarize, ImportOptions, ImportSummary, ImportedTable, ReadOptions,
};
use crate::study::{Provenance, ResponseSource};

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

pub(super) fn read_table(request: &ReadTableRequest) -> Result<TableRead, String> {
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

/// [`table_read`] as a worker reply.
pub fn table_read_reply(imported: ImportedTable) -> super::Reply {
    super::Reply::TableRead(Box::new(table_read(imported)))
}

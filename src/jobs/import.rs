//! Import jobs: read the file the researcher picked, reshape a Qualtrics conjoint, match columns to
//! the study's questions and preview or apply the recoding. Each is one engine call; the worker may
//! also read a large file itself with [`ChunkedReader`](crate::data::ChunkedReader) slice by slice and
//! answer with [`table_read_reply`], so both paths give the page the same reply.

use serde::{Deserialize, Serialize};

use crate::data::{
    import_table, summarize, ImportOptions, ImportSummary, ImportedTable, ReadOptions,
};
use crate::study::{Provenance, ResponseSource};

/// A file's bytes and how to read them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReadTableRequest {
    /// The table's name in the study, e.g. `human`.
    pub name: String,
    /// The file's name, kept as provenance.
    #[serde(default)]
    pub file_name: String,
    pub bytes: Vec<u8>,
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

/// The table read, with what the page shows about it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TableRead {
    pub summary: ImportSummary,
    pub imported: ImportedTable,
}

pub(super) fn read_table(request: &ReadTableRequest) -> Result<TableRead, String> {
    let mut read = ReadOptions::default();
    if let Some(d) = request.delimiter {
        read.delimiter = Some(u8::try_from(d).map_err(|_| format!("{d:?} is not a delimiter"))?);
    }
    if let Some(missing) = &request.missing {
        read.missing = missing.clone();
    }
    let options = ImportOptions {
        read,
        sheet: request.sheet.clone(),
    };
    let provenance = Provenance {
        description: format!("imported from {}", request.file_name),
        source_file: request.file_name.clone(),
        ..Provenance::default()
    };
    let imported = import_table(
        &request.bytes,
        &request.name,
        ResponseSource::Human,
        provenance,
        &options,
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

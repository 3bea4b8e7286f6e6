//! Files as every command reads and writes them: errors that name the file, and response tables
//! read with the project's one rule for delimiters.

use std::path::Path;

use crate::data::{read_delimited, ReadOptions, TableReadError};
use crate::study::{Provenance, ResponseSource, ResponseTable};

/// A file that could not be read, parsed or written; the message names it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Table {
        path: String,
        source: TableReadError,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

pub fn read_bytes(path: &Path) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(|source| FileError::Read {
        path: path.display().to_string(),
        source,
    })
}

pub fn read_text(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.display().to_string(),
        source,
    })
}

pub fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), FileError> {
    std::fs::write(path, contents).map_err(|source| FileError::Write {
        path: path.display().to_string(),
        source,
    })
}

pub fn create_dir(dir: &Path) -> Result<(), FileError> {
    std::fs::create_dir_all(dir).map_err(|source| FileError::Write {
        path: dir.display().to_string(),
        source,
    })
}

/// How a table file's delimiter is chosen when it does not end in `.tsv` (which is always tabs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// A comma: estimation inputs, as R and pandas write them.
    Comma,
    /// Guessed from the records (comma, tab or semicolon): exports from other tools.
    Guess,
}

/// Reads a delimited table; `missing` adds missing-value codes to the default `NA`.
pub fn read_table(
    path: &Path,
    source: ResponseSource,
    delimiter: Delimiter,
    missing: &[String],
) -> Result<ResponseTable, FileError> {
    let shown = path.display().to_string();
    let bytes = read_bytes(path)?;
    let tsv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let mut options = ReadOptions {
        delimiter: match (tsv, delimiter) {
            (true, _) => Some(b'\t'),
            (false, Delimiter::Comma) => Some(b','),
            (false, Delimiter::Guess) => None,
        },
        ..ReadOptions::default()
    };
    options.missing.extend(missing.iter().cloned());
    read_delimited(
        &bytes,
        &shown,
        source,
        Provenance {
            source_file: shown.clone(),
            ..Provenance::default()
        },
        &options,
    )
    .map_err(|source| FileError::Table {
        path: shown,
        source,
    })
}

//! Reading a delimited file in slices: `push` chunks of any size as they arrive (the page reads a
//! 200 MB `File` slice by slice), then `finish`. The result is the same as reading the whole file at
//! once; [`read_delimited`](super::read_delimited) is exactly this reader given one chunk.

use crate::study::{Provenance, ResponseSource, ResponseTable};

use super::csv_table::{ReadOptions, TableReadError};
use super::delimiter::{check_delimiter, delimiter_name, sniff_delimiter, SniffProblem};
use super::qualtrics_export::QualtricsColumns;
use super::table_builder::TableBuilder;
use super::text_encoding::{encoding_hint, TextEncoding, Utf8Stream};

/// How much text to look at before guessing the delimiter. Qualtrics' question-text row can be long,
/// so the guess waits for at least two whole records unless the file is that large.
const SNIFF_BYTES: usize = 256 * 1024;
const SNIFF_MAX_BYTES: usize = 8 * 1024 * 1024;

/// A delimited file read into a table, with what was detected on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct DelimitedTable {
    pub table: ResponseTable,
    pub delimiter: u8,
    pub encoding: TextEncoding,
    /// Present when the file is a Qualtrics export (three header rows).
    pub qualtrics: Option<QualtricsColumns>,
}

/// A delimited file read slice by slice. The delimiter is decided once the first 256 KiB (or the whole
/// file, if smaller) have arrived; until then slices are held.
pub struct ChunkedReader {
    name: String,
    source: ResponseSource,
    provenance: Provenance,
    options: ReadOptions,
    decoder: Utf8Stream,
    /// UTF-8 text waiting for the delimiter to be decided, and its line count so far.
    pending: Vec<u8>,
    pending_lines: usize,
    parser: Option<(csv_core::Reader, u8)>,
    /// The record being parsed: its field bytes and field ends, grown as needed.
    output: Vec<u8>,
    ends: Vec<usize>,
    output_len: usize,
    ends_len: usize,
    builder: TableBuilder,
    /// Records completed so far (the header is record 1).
    records: usize,
    /// The first error, kept so later pushes are ignored and `finish` reports it.
    failed: Option<TableReadError>,
    /// Whether any byte arrived (a 0-byte file is "empty", not "no header").
    any_bytes: bool,
}

impl ChunkedReader {
    pub fn new(
        name: &str,
        source: ResponseSource,
        provenance: Provenance,
        options: ReadOptions,
    ) -> Self {
        let builder = TableBuilder::new(options.missing.clone());
        Self {
            name: name.to_string(),
            source,
            provenance,
            options,
            decoder: Utf8Stream::new(),
            pending: Vec::new(),
            pending_lines: 0,
            parser: None,
            output: vec![0; 64 * 1024],
            ends: vec![0; 256],
            output_len: 0,
            ends_len: 0,
            builder,
            records: 0,
            failed: None,
            any_bytes: false,
        }
    }

    /// Records completed so far, the header included (for progress reports).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Reads the next slice of the file. An error is final: later pushes do nothing.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TableReadError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if chunk.is_empty() {
            return Ok(());
        }
        self.any_bytes = true;
        if self.parser.is_some() && self.decoder.passes_through() {
            let outcome = self.parse(chunk, false);
            return self.remember(outcome);
        }
        let mut text = Vec::with_capacity(chunk.len());
        self.decoder.push(chunk, &mut text);
        let outcome = self.take_text(text, false);
        self.remember(outcome)
    }

    /// Reads what is left and returns the table.
    pub fn finish(mut self) -> Result<DelimitedTable, TableReadError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        if !self.any_bytes {
            return Err(TableReadError::Empty);
        }
        let mut text = Vec::new();
        self.decoder.finish(&mut text);
        self.take_text(text, true)?;
        // An empty slice tells csv-core the input ended: the last record completes without a newline.
        self.parse(&[], true)?;
        let delimiter = self.parser.as_ref().map_or(b',', |(_, d)| *d);
        let encoding = self.decoder.encoding();
        let built = self
            .builder
            .finish(&self.name, self.source, self.provenance)?;
        Ok(DelimitedTable {
            table: built.table,
            delimiter,
            encoding,
            qualtrics: built.qualtrics,
        })
    }

    fn remember(&mut self, outcome: Result<(), TableReadError>) -> Result<(), TableReadError> {
        if let Err(error) = &outcome {
            self.failed = Some(error.clone());
        }
        outcome
    }

    /// Decoded text: held until the delimiter is known, then parsed.
    fn take_text(&mut self, text: Vec<u8>, last: bool) -> Result<(), TableReadError> {
        if self.parser.is_some() {
            return self.parse(&text, false);
        }
        self.pending.extend_from_slice(&text);
        // Counted per slice, so tiny slices do not rescan what is already held.
        self.pending_lines += text.iter().filter(|&&b| b == b'\n').count();
        let enough = (self.pending.len() >= SNIFF_BYTES && self.pending_lines >= 2)
            || self.pending.len() >= SNIFF_MAX_BYTES;
        if !(enough || last) {
            return Ok(());
        }
        if self.pending.iter().all(u8::is_ascii_whitespace) {
            return if last {
                Err(TableReadError::Empty)
            } else {
                Ok(())
            };
        }
        let delimiter = self.choose_delimiter(last)?;
        self.parser = Some((
            csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
        ));
        let pending = std::mem::take(&mut self.pending);
        self.parse(&pending, false)
    }

    fn choose_delimiter(&self, whole_file: bool) -> Result<u8, TableReadError> {
        let outcome = match self.options.delimiter {
            Some(d) => check_delimiter(&self.pending, d, whole_file).map(|()| d),
            None => sniff_delimiter(&self.pending, whole_file),
        };
        outcome.map_err(|problem| match problem {
            SniffProblem::Ambiguous(candidates) => TableReadError::AmbiguousDelimiter {
                candidates: candidates
                    .iter()
                    .map(|&d| delimiter_name(d))
                    .collect::<Vec<_>>()
                    .join(" and "),
            },
            SniffProblem::Wrong { used, likely } => TableReadError::WrongDelimiter {
                used: delimiter_name(used),
                likely: delimiter_name(likely),
            },
        })
    }

    /// Feeds text to csv-core; every completed record goes to the table builder. `input` empty with
    /// `end` set signals the end of the file (csv-core reads an empty slice as end of input).
    fn parse(&mut self, mut input: &[u8], end: bool) -> Result<(), TableReadError> {
        if input.is_empty() && !end {
            return Ok(());
        }
        let Some((parser, _)) = self.parser.as_mut() else {
            return Ok(());
        };
        loop {
            let (result, read, written, fields) = parser.read_record(
                input,
                &mut self.output[self.output_len..],
                &mut self.ends[self.ends_len..],
            );
            input = &input[read..];
            self.output_len += written;
            self.ends_len += fields;
            match result {
                // All of this slice is consumed; the record (if any) continues in the next one.
                csv_core::ReadRecordResult::InputEmpty => return Ok(()),
                csv_core::ReadRecordResult::OutputFull => {
                    let grown = self.output.len() * 2;
                    self.output.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    self.records += 1;
                    let outcome = record_to_builder(
                        &mut self.builder,
                        &self.output[..self.output_len],
                        &self.ends[..self.ends_len],
                        self.records,
                    );
                    self.output_len = 0;
                    self.ends_len = 0;
                    outcome?;
                    // After the last record of a pushed slice, calling again with an empty slice
                    // would tell csv-core the file ended.
                    if input.is_empty() && !end {
                        return Ok(());
                    }
                }
                csv_core::ReadRecordResult::End => return Ok(()),
            }
        }
    }
}

/// Checks a record is UTF-8 (naming the row and column when it is not) and hands its fields on.
fn record_to_builder(
    builder: &mut TableBuilder,
    bytes: &[u8],
    ends: &[usize],
    row: usize,
) -> Result<(), TableReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return Err(not_text(builder, bytes, ends, row)),
    };
    // Field boundaries fall on ASCII delimiters, so slicing the validated text there is sound.
    let fields = FieldIter {
        text,
        ends,
        start: 0,
        next: 0,
    };
    builder.push(fields, row)
}

#[derive(Clone)]
struct FieldIter<'a> {
    text: &'a str,
    ends: &'a [usize],
    start: usize,
    next: usize,
}

impl<'a> Iterator for FieldIter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let end = *self.ends.get(self.next)?;
        let field = self.text.get(self.start..end).unwrap_or("");
        self.start = end;
        self.next += 1;
        Some(field)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.ends.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for FieldIter<'_> {}

fn not_text(builder: &TableBuilder, bytes: &[u8], ends: &[usize], row: usize) -> TableReadError {
    let mut start = 0;
    for (index, &end) in ends.iter().enumerate() {
        let field = bytes.get(start..end).unwrap_or(&[]);
        if std::str::from_utf8(field).is_err() {
            return TableReadError::NotText {
                row,
                column: builder.column_label(index),
                hint: encoding_hint(field).to_string(),
            };
        }
        start = end;
    }
    TableReadError::NotText {
        row,
        column: String::new(),
        hint: encoding_hint(bytes).to_string(),
    }
}

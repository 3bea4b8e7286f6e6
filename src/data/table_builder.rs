//! Records (a header, then rows of text fields) into a column-typed [`ResponseTable`], in one pass.
//!
//! A column stays numeric while every present cell is a number, stored as `f64` (8 bytes instead of a
//! string per cell). When a text cell turns up, the numbers seen so far become text again exactly as
//! they were written: a number whose text is not its canonical form ("1.50", " 3") keeps its original
//! text on the side, which is rare, so memory stays lean and the result equals a two-pass read.

use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource, ResponseTable};

use super::csv_table::TableReadError;
use super::qualtrics_export::{import_id, is_import_id_row, ColumnInfo, QualtricsColumns};
use crate::study::number_text;

enum Values {
    Numbers {
        values: Vec<Option<f64>>,
        /// (row index, original text) for numbers not written canonically.
        verbatim: Vec<(usize, String)>,
        any: bool,
    },
    Text(Vec<Option<String>>),
}

impl Values {
    fn new() -> Self {
        Self::Numbers {
            values: Vec::new(),
            verbatim: Vec::new(),
            any: false,
        }
    }

    fn push(&mut self, cell: &str, missing: bool) {
        match self {
            Self::Numbers {
                values,
                verbatim,
                any,
            } => {
                if missing {
                    values.push(None);
                    return;
                }
                match parse_number(cell) {
                    Some(x) => {
                        if !is_canonical(cell, x) {
                            verbatim.push((values.len(), cell.to_string()));
                        }
                        values.push(Some(x));
                        *any = true;
                    }
                    None => {
                        let mut text = self.take_as_text();
                        text.push(Some(cell.to_string()));
                        *self = Self::Text(text);
                    }
                }
            }
            Self::Text(values) => values.push((!missing).then(|| cell.to_string())),
        }
    }

    /// The column so far as text, numbers written as they were in the file.
    fn take_as_text(&mut self) -> Vec<Option<String>> {
        match std::mem::replace(self, Self::Text(Vec::new())) {
            Self::Text(values) => values,
            Self::Numbers {
                values, verbatim, ..
            } => {
                let mut verbatim = verbatim.into_iter().peekable();
                values
                    .into_iter()
                    .enumerate()
                    .map(|(row, value)| {
                        let x = value?;
                        Some(match verbatim.next_if(|(r, _)| *r == row) {
                            Some((_, text)) => text,
                            None => number_text(x),
                        })
                    })
                    .collect()
            }
        }
    }

    fn finish(self) -> ColumnValues {
        match self {
            Self::Numbers { values, any, .. } if any => ColumnValues::Number(values),
            Self::Numbers { values, .. } => ColumnValues::Text(vec![None; values.len()]),
            Self::Text(values) => ColumnValues::Text(values),
        }
    }
}

pub(crate) fn parse_number(cell: &str) -> Option<f64> {
    cell.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Whether `number_text(x)` gives back exactly `cell`. Plain integers and plain decimals, most cells
/// of most survey files, are checked without formatting.
fn is_canonical(cell: &str, x: f64) -> bool {
    let unsigned = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let plain_whole = digits(whole) && (whole == "0" || !whole.starts_with('0'));
    match fraction {
        // "-0" parses to -0.0, which is written "0".
        None if plain_whole && whole.len() <= 15 => cell != "-0",
        // A decimal with at most 15 significant digits and no trailing zero is the shortest text
        // of its f64, which is what Rust's Display writes (it never uses an exponent).
        Some(fraction)
            if plain_whole
                && digits(fraction)
                && !fraction.ends_with('0')
                && significant_digits(whole, fraction) <= 15 =>
        {
            cell != "-0" && x.is_normal()
        }
        _ => number_text(x) == cell,
    }
}

fn significant_digits(whole: &str, fraction: &str) -> usize {
    if whole == "0" {
        fraction.trim_start_matches('0').len()
    } else {
        whole.len() + fraction.len()
    }
}

/// Header rows seen so far: Qualtrics' three-row header is decided by the third record.
enum Stage {
    Header,
    /// The header is read; the next record may be Qualtrics' question-text row, held until the one
    /// after it shows whether it is.
    MaybeQualtrics,
    HoldingSecond(Vec<String>),
    Data,
}

pub(crate) struct TableBuilder {
    names: Vec<String>,
    columns: Vec<Values>,
    missing: Vec<String>,
    stage: Stage,
    qualtrics: Option<QualtricsColumns>,
}

/// A finished table and what was learnt about its header.
pub(crate) struct BuiltTable {
    pub table: ResponseTable,
    pub qualtrics: Option<QualtricsColumns>,
}

impl TableBuilder {
    pub(crate) fn new(missing: Vec<String>) -> Self {
        Self {
            names: Vec::new(),
            columns: Vec::new(),
            missing,
            stage: Stage::Header,
            qualtrics: None,
        }
    }

    /// The name of column `index` (0-based) for messages, also before the header is complete.
    pub(crate) fn column_label(&self, index: usize) -> String {
        self.names
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("column {}", index + 1))
    }

    /// Adds one record; `row` is its 1-based position in the file (the header is row 1).
    pub(crate) fn push<'a>(
        &mut self,
        fields: impl ExactSizeIterator<Item = &'a str> + Clone,
        row: usize,
    ) -> Result<(), TableReadError> {
        match std::mem::replace(&mut self.stage, Stage::Data) {
            Stage::Header => {
                self.set_header(fields)?;
                self.stage = Stage::MaybeQualtrics;
                Ok(())
            }
            Stage::MaybeQualtrics => {
                self.check_width(fields.len(), row)?;
                self.stage = Stage::HoldingSecond(fields.map(str::to_string).collect());
                Ok(())
            }
            Stage::HoldingSecond(second) => {
                self.check_width(fields.len(), row)?;
                if is_import_id_row(fields.clone()) {
                    let columns = self
                        .names
                        .iter()
                        .zip(second)
                        .zip(fields)
                        .map(|((name, text), id)| ColumnInfo {
                            name: name.clone(),
                            question_text: text,
                            import_id: import_id(id).unwrap_or_default(),
                        })
                        .collect();
                    self.qualtrics = Some(QualtricsColumns { columns });
                    Ok(())
                } else {
                    self.add_row(second.iter().map(String::as_str));
                    self.add_row(fields);
                    Ok(())
                }
            }
            Stage::Data => {
                self.check_width(fields.len(), row)?;
                self.add_row(fields);
                Ok(())
            }
        }
    }

    fn set_header<'a>(
        &mut self,
        fields: impl Iterator<Item = &'a str>,
    ) -> Result<(), TableReadError> {
        let mut seen = std::collections::HashSet::new();
        for (index, header) in fields.enumerate() {
            if header.trim().is_empty() {
                return Err(TableReadError::EmptyHeader { index: index + 1 });
            }
            if !seen.insert(header.to_string()) {
                return Err(TableReadError::DuplicateHeader {
                    name: header.to_string(),
                });
            }
            self.names.push(header.to_string());
            self.columns.push(Values::new());
        }
        Ok(())
    }

    fn check_width(&self, found: usize, row: usize) -> Result<(), TableReadError> {
        if found == self.names.len() {
            Ok(())
        } else {
            Err(TableReadError::RaggedRow {
                row,
                found,
                expected: self.names.len(),
            })
        }
    }

    fn add_row<'a>(&mut self, fields: impl Iterator<Item = &'a str>) {
        for (column, cell) in self.columns.iter_mut().zip(fields) {
            let missing = cell.is_empty() || self.missing.iter().any(|m| m == cell);
            column.push(cell, missing);
        }
    }

    pub(crate) fn finish(
        mut self,
        name: &str,
        source: ResponseSource,
        provenance: Provenance,
    ) -> Result<BuiltTable, TableReadError> {
        match std::mem::replace(&mut self.stage, Stage::Data) {
            Stage::Header => return Err(TableReadError::Empty),
            Stage::HoldingSecond(second) => self.add_row(second.iter().map(String::as_str)),
            Stage::MaybeQualtrics | Stage::Data => {}
        }
        let columns = self
            .names
            .into_iter()
            .zip(self.columns)
            .map(|(name, values)| Column {
                name,
                role: ColumnRole::default(),
                values: values.finish(),
            })
            .collect();
        Ok(BuiltTable {
            table: ResponseTable {
                name: name.to_string(),
                source,
                provenance,
                columns,
            },
            qualtrics: self.qualtrics,
        })
    }
}

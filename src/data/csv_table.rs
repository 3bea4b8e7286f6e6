//! Delimited text (CSV/TSV) ↔ [`ResponseTable`], with each column typed as numbers or text.

use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource, ResponseTable};

/// How to read a delimited file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub delimiter: u8,
    /// Cells that mean "missing" (besides the empty cell). Note `None` is a real level in some studies,
    /// so it is not a missing code unless listed here.
    pub missing: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            delimiter: b',',
            missing: vec!["NA".into()],
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TableReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not UTF-8 text (line {line})")]
    NotText { line: u64 },
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
    #[error("line {line}: {found} fields, the header has {expected}")]
    RaggedRow {
        line: u64,
        found: usize,
        expected: usize,
    },
    #[error("column {index}: empty column name in the header")]
    EmptyHeader { index: usize },
    #[error("column {name:?} appears twice in the header")]
    DuplicateHeader { name: String },
}

/// Reads a header row and data rows into a table. Columns whose every non-missing cell is a number
/// become numeric; all others stay text.
pub fn read_delimited(
    bytes: &[u8],
    name: &str,
    source: ResponseSource,
    provenance: Provenance,
    options: &ReadOptions,
) -> Result<ResponseTable, TableReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableReadError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader.headers().map_err(convert_error)?.clone();
    let mut seen = std::collections::HashSet::new();
    for (index, header) in headers.iter().enumerate() {
        if header.trim().is_empty() {
            return Err(TableReadError::EmptyHeader { index: index + 1 });
        }
        if !seen.insert(header) {
            return Err(TableReadError::DuplicateHeader {
                name: header.to_string(),
            });
        }
    }
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    for record in reader.records() {
        let record = record.map_err(convert_error)?;
        if record.len() != headers.len() {
            return Err(TableReadError::RaggedRow {
                line: record.position().map_or(0, |p| p.line()),
                found: record.len(),
                expected: headers.len(),
            });
        }
        for (column, cell) in cells.iter_mut().zip(record.iter()) {
            let missing = cell.is_empty() || options.missing.iter().any(|m| m == cell);
            column.push((!missing).then(|| cell.to_string()));
        }
    }
    let columns = headers
        .iter()
        .zip(cells)
        .map(|(header, values)| Column {
            name: header.to_string(),
            role: ColumnRole::default(),
            values: type_column(values),
        })
        .collect();
    Ok(ResponseTable {
        name: name.to_string(),
        source,
        provenance,
        columns,
    })
}

fn type_column(values: Vec<Option<String>>) -> ColumnValues {
    let numbers: Option<Vec<Option<f64>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some),
        })
        .collect();
    match numbers {
        Some(numbers) if numbers.iter().any(Option::is_some) => ColumnValues::Number(numbers),
        _ => ColumnValues::Text(values),
    }
}

fn convert_error(error: csv::Error) -> TableReadError {
    let line = error.position().map_or(0, |p| p.line());
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => TableReadError::NotText { line },
        _ => TableReadError::Malformed {
            line,
            message: error.to_string(),
        },
    }
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
                    .map(format_number)
                    .unwrap_or_default(),
                ColumnValues::Text(v) => v.get(row).cloned().flatten().unwrap_or_default(),
            }
        }));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

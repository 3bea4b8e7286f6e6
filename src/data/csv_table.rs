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
    // Two passes: the first checks the shape and decides each column's type without storing anything,
    // the second stores numbers as numbers. Holding every cell as a string first would cost several
    // times the file's size in memory on a million-row table.
    let width = headers.len();
    let is_missing = |cell: &str| cell.is_empty() || options.missing.iter().any(|m| m == cell);
    let parse_number = |cell: &str| cell.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let mut numeric = vec![true; width];
    let mut any_number = vec![false; width];
    let mut rows = 0usize;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(convert_error)? {
        if record.len() != width {
            return Err(TableReadError::RaggedRow {
                line: record.position().map_or(0, |p| p.line()),
                found: record.len(),
                expected: width,
            });
        }
        for (c, cell) in record.iter().enumerate() {
            if numeric[c] && !is_missing(cell) {
                match parse_number(cell) {
                    Some(_) => any_number[c] = true,
                    None => numeric[c] = false,
                }
            }
        }
        rows += 1;
    }
    let mut values: Vec<ColumnValues> = (0..width)
        .map(|c| {
            if numeric[c] && any_number[c] {
                ColumnValues::Number(Vec::with_capacity(rows))
            } else {
                ColumnValues::Text(Vec::with_capacity(rows))
            }
        })
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .flexible(true)
        .from_reader(bytes);
    reader.headers().map_err(convert_error)?;
    while reader.read_record(&mut record).map_err(convert_error)? {
        for (column, cell) in values.iter_mut().zip(record.iter()) {
            let present = !is_missing(cell);
            match column {
                ColumnValues::Number(v) => v.push(if present { parse_number(cell) } else { None }),
                ColumnValues::Text(v) => v.push(present.then(|| cell.to_string())),
            }
        }
    }
    let columns = headers
        .iter()
        .zip(values)
        .map(|(header, values)| Column {
            name: header.to_string(),
            role: ColumnRole::default(),
            values,
        })
        .collect();
    Ok(ResponseTable {
        name: name.to_string(),
        source,
        provenance,
        columns,
    })
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

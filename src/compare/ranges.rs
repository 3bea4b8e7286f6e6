//! Each question's scale range (for accuracy) from a table of key columns plus min and max.
//! Real files name their columns differently (`study_name, DV_variable, DV_min, DV_max`), so
//! columns are matched by name when present and otherwise by position: the first key-count columns
//! are the key, the next two are min and max. An optional `kind` column (ordinal, numeric, nominal)
//! says how a question's answers are compared; a nominal question needs no min and max.

use std::collections::HashMap;

use super::pairs::{find, numbers, Interned};
use super::{CompareError, QuestionKind};
use crate::study::{ColumnValues, ResponseTable};

/// Names of the range table's columns; `None` means "by position".
#[derive(Clone, Debug, Default)]
pub struct RangeColumns {
    /// The key columns in the ranges table, in the order of the pairs' key columns.
    pub key: Option<Vec<String>>,
    pub min: Option<String>,
    pub max: Option<String>,
    /// The kind column; `None` means a column named `kind` if there is one.
    pub kind: Option<String>,
}

/// Question key → (min, max). Rows with an empty min or max give no range (accuracy NaN).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ranges {
    by_key: HashMap<Vec<String>, (f64, f64)>,
    kinds: HashMap<Vec<String>, QuestionKind>,
}

impl Ranges {
    pub fn get(&self, key: &[String]) -> Option<(f64, f64)> {
        self.by_key.get(key).copied()
    }

    pub fn insert(&mut self, key: Vec<String>, min: f64, max: f64) {
        self.by_key.insert(key, (min, max));
    }

    /// The kind the file gives the question, if any (otherwise it is decided from the answers).
    pub fn kind(&self, key: &[String]) -> Option<QuestionKind> {
        self.kinds.get(key).copied()
    }

    pub fn set_kind(&mut self, key: Vec<String>, kind: QuestionKind) {
        self.kinds.insert(key, kind);
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// Reads ranges for questions identified by `pair_keys` (the pairs table's key column names).
/// Key columns: `columns.key`, else `pair_keys` if the table has them all, else the first columns.
/// Min/max: `columns.min`/`max`, else columns named `min`/`max`, else the two after the key.
pub fn read_ranges(
    table: &ResponseTable,
    pair_keys: &[String],
    columns: &RangeColumns,
) -> Result<Ranges, CompareError> {
    let k = pair_keys.len();
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let by_position = |i: usize, what: &str| {
        names
            .get(i)
            .map(|s| s.to_string())
            .ok_or_else(|| CompareError::Layout {
                table: table.name.clone(),
                message: format!(
                    "needs {} key column(s) then min and max; column {} ({what}) is absent",
                    k,
                    i + 1
                ),
            })
    };
    let key_names: Vec<String> = match &columns.key {
        Some(key) if key.len() != k => {
            return Err(CompareError::Layout {
                table: table.name.clone(),
                message: format!(
                    "{} range key column(s) given for {k} question column(s)",
                    key.len()
                ),
            })
        }
        Some(key) => key.clone(),
        None if pair_keys.iter().all(|c| names.contains(&c.as_str())) => pair_keys.to_vec(),
        None => (0..k)
            .map(|i| by_position(i, "key"))
            .collect::<Result<_, _>>()?,
    };
    let pick = |given: &Option<String>, named: &str, position: usize| match given {
        Some(name) => Ok(name.clone()),
        None if names.contains(&named) => Ok(named.to_string()),
        None => by_position(position, named),
    };
    let min_name = pick(&columns.min, "min", k)?;
    let max_name = pick(&columns.max, "max", k + 1)?;

    let keys = key_names
        .iter()
        .map(|name| Interned::of(table, find(table, name)?))
        .collect::<Result<Vec<_>, _>>()?;
    let min = numbers(table, find(table, &min_name)?)?;
    let max = numbers(table, find(table, &max_name)?)?;
    let kind_column = match &columns.kind {
        Some(name) => Some(find(table, name)?),
        None => table.column("kind"),
    };
    let mut ranges = Ranges::default();
    let mut seen = std::collections::HashSet::new();
    for row in 0..table.row_count() {
        let key: Vec<String> = keys
            .iter()
            .map(|c| c.labels[c.ids[row] as usize].clone())
            .collect();
        if !seen.insert(key.clone()) {
            return Err(CompareError::DuplicateRange {
                table: table.name.clone(),
                line: row + 2,
                question: key.join(","),
            });
        }
        if let Some(column) = kind_column {
            if let Some(text) = kind_cell(&column.values, row) {
                let kind = QuestionKind::parse(&text).ok_or_else(|| CompareError::BadKind {
                    table: table.name.clone(),
                    line: row + 2,
                    value: text.clone(),
                })?;
                ranges.set_kind(key.clone(), kind);
            }
        }
        if let (Some(lo), Some(hi)) = (min[row], max[row]) {
            if lo >= hi {
                return Err(CompareError::EmptyRange {
                    table: table.name.clone(),
                    line: row + 2,
                    min: lo,
                    max: hi,
                });
            }
            ranges.insert(key, lo, hi);
        }
    }
    Ok(ranges)
}

/// A kind cell as text; empty cells (and a numeric column of blanks) give none.
fn kind_cell(values: &ColumnValues, row: usize) -> Option<String> {
    match values {
        ColumnValues::Text(v) => v.get(row).cloned().flatten(),
        ColumnValues::Number(v) => v.get(row).copied().flatten().map(|x| x.to_string()),
    }
}

//! From a long table (person × question rows with a human and a twin answer) to questions of
//! complete pairs. A row counts only when both sides answered: the published metrics are computed
//! over complete pairs, while the files keep a row if either side answered.

use std::collections::HashMap;

use super::CompareError;
use crate::study::{Column, ColumnValues, ResponseTable};

/// Which columns hold what.
#[derive(Clone, Debug)]
pub struct PairColumns {
    pub person: String,
    /// One or more columns that together identify a question, e.g. `study_name`, `variable_name`.
    pub question: Vec<String>,
    pub human: String,
    pub twin: String,
}

/// One question's complete pairs, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionPairs {
    /// The question key, one value per key column.
    pub key: Vec<String>,
    pub human: Vec<f64>,
    pub twin: Vec<f64>,
}

/// Groups the table's complete pairs by question, questions in order of first appearance.
/// Errors name the column and line: unknown columns, non-numeric answers, empty key or person
/// cells, and a person answering one question twice (which would silently double-weight them).
pub fn paired_questions(
    table: &ResponseTable,
    columns: &PairColumns,
) -> Result<Vec<QuestionPairs>, CompareError> {
    if columns.question.is_empty() {
        return Err(CompareError::Layout {
            table: table.name.clone(),
            message: "no question key column given".into(),
        });
    }
    // Every named column must exist before any cell is checked: a misspelt flag is the likelier fault.
    let key_columns = columns
        .question
        .iter()
        .map(|name| find(table, name))
        .collect::<Result<Vec<_>, _>>()?;
    let person = find(table, &columns.person)?;
    let human = find(table, &columns.human)?;
    let twin = find(table, &columns.twin)?;
    let keys = key_columns
        .into_iter()
        .map(|column| Interned::of(table, column))
        .collect::<Result<Vec<_>, _>>()?;
    let person = Interned::of(table, person)?;
    let human = numbers(table, human)?;
    let twin = numbers(table, twin)?;

    // Combine the key columns' ids pairwise so no row allocates: (id so far, next column's id) → id.
    let rows = table.row_count();
    let mut combined: Vec<u32> = keys[0].ids.clone();
    for key in &keys[1..] {
        let mut map: HashMap<(u32, u32), u32> = HashMap::new();
        for (slot, &next) in combined.iter_mut().zip(&key.ids) {
            let fresh = map.len() as u32;
            *slot = *map.entry((*slot, next)).or_insert(fresh);
        }
    }

    let mut question_of: HashMap<u32, usize> = HashMap::new();
    let mut questions: Vec<QuestionPairs> = Vec::new();
    let mut seen: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
    for row in 0..rows {
        let index = *question_of.entry(combined[row]).or_insert_with(|| {
            questions.push(QuestionPairs {
                key: keys
                    .iter()
                    .map(|k| k.labels[k.ids[row] as usize].clone())
                    .collect(),
                human: Vec::new(),
                twin: Vec::new(),
            });
            questions.len() - 1
        });
        if !seen.insert((combined[row], person.ids[row])) {
            return Err(CompareError::DuplicatePair {
                table: table.name.clone(),
                line: row + 2,
                person: person.labels[person.ids[row] as usize].clone(),
                question: questions[index].key.join(","),
            });
        }
        if let (Some(h), Some(t)) = (human[row], twin[row]) {
            questions[index].human.push(h);
            questions[index].twin.push(t);
        }
    }
    Ok(questions)
}

pub(super) fn find<'a>(table: &'a ResponseTable, name: &str) -> Result<&'a Column, CompareError> {
    table
        .column(name)
        .ok_or_else(|| CompareError::MissingColumn {
            table: table.name.clone(),
            name: name.to_string(),
            available: table
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// A numeric column's values; a text column means some cell is not a number, so name the first.
pub(super) fn numbers<'a>(
    table: &ResponseTable,
    column: &'a Column,
) -> Result<std::borrow::Cow<'a, [Option<f64>]>, CompareError> {
    match &column.values {
        ColumnValues::Number(values) => Ok(std::borrow::Cow::Borrowed(values)),
        ColumnValues::Text(values) => {
            let mut out = Vec::with_capacity(values.len());
            for (row, cell) in values.iter().enumerate() {
                match cell {
                    None => out.push(None),
                    Some(text) => match text.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() => out.push(Some(x)),
                        _ => {
                            return Err(CompareError::NotNumeric {
                                table: table.name.clone(),
                                column: column.name.clone(),
                                line: row + 2,
                                value: text.clone(),
                            })
                        }
                    },
                }
            }
            Ok(std::borrow::Cow::Owned(out))
        }
    }
}

/// A key column as small integer ids plus the label of each id.
pub(super) struct Interned {
    pub ids: Vec<u32>,
    pub labels: Vec<String>,
}

impl Interned {
    pub fn of(table: &ResponseTable, column: &Column) -> Result<Self, CompareError> {
        let missing = |row: usize| CompareError::MissingKey {
            table: table.name.clone(),
            column: column.name.clone(),
            line: row + 2,
        };
        let mut ids = Vec::with_capacity(column.values.len());
        let mut labels = Vec::new();
        match &column.values {
            ColumnValues::Text(values) => {
                let mut map: HashMap<&str, u32> = HashMap::new();
                for (row, cell) in values.iter().enumerate() {
                    let text = cell.as_deref().ok_or_else(|| missing(row))?;
                    let id = *map.entry(text).or_insert_with(|| {
                        labels.push(text.to_string());
                        labels.len() as u32 - 1
                    });
                    ids.push(id);
                }
            }
            ColumnValues::Number(values) => {
                let mut map: HashMap<u64, u32> = HashMap::new();
                for (row, cell) in values.iter().enumerate() {
                    let x = cell.ok_or_else(|| missing(row))?;
                    // 0.0 and -0.0 are one key.
                    let bits = if x == 0.0 { 0 } else { x.to_bits() };
                    let id = *map.entry(bits).or_insert_with(|| {
                        labels.push(format!("{x}"));
                        labels.len() as u32 - 1
                    });
                    ids.push(id);
                }
            }
        }
        Ok(Self { ids, labels })
    }
}

//! From a long table (person × question rows with a human and a twin answer) to questions of
//! complete pairs. A row counts only when both sides answered: the published metrics are computed
//! over complete pairs, while the files keep a row if either side answered.

use super::fast_hash::FastMap;

use super::error::GroupConflict;
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
    Ok(paired(table, columns, &Extras::default())?.questions)
}

/// Optional columns beyond the pairs: a human retest wave and a respondent grouping variable.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// The same person's answer to the same question in a later wave (for the test–retest ceiling).
    pub retest: Option<String>,
    /// A respondent variable (e.g. gender): subgroup alignment compares its groups.
    pub group: Option<String>,
}

/// Each respondent's group: labels in order of first appearance and each person's index into them.
#[derive(Clone, Debug, PartialEq)]
pub struct Groups {
    pub column: String,
    pub labels: Vec<String>,
    /// Indexed by person id; `None` when the person's group cell is always empty.
    pub of_person: Vec<Option<u32>>,
}

/// The table grouped by question, remembering whose pair each is, so per-respondent metrics, the
/// agreement matrix and subgroups can be computed without going back to the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    pub questions: Vec<QuestionPairs>,
    /// Person labels; ids below index this.
    pub persons: Vec<String>,
    /// Per question, the person id of each pair (parallel to `human`/`twin`).
    pub pair_persons: Vec<Vec<u32>>,
    /// Per question, the retest answer of each pair (NaN where the retest is missing); `None`
    /// without a retest column.
    pub retest: Option<Vec<Vec<f64>>>,
    pub groups: Option<Groups>,
    /// Rows in the table (complete pairs or not).
    pub rows: usize,
}

/// Above this many question × person cells the duplicate check uses a hash set instead of a bitmap
/// (the bitmap would take more than 16 MB).
const BITMAP_CELLS: usize = 128 * 1024 * 1024;

/// Groups the table as [`paired_questions`] does, keeping persons, the retest answers and groups.
pub fn paired(
    table: &ResponseTable,
    columns: &PairColumns,
    extras: &Extras,
) -> Result<Paired, CompareError> {
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
    let retest = extras
        .retest
        .as_deref()
        .map(|n| find(table, n))
        .transpose()?;
    let group = extras
        .group
        .as_deref()
        .map(|n| find(table, n))
        .transpose()?;
    let keys = key_columns
        .into_iter()
        .map(|column| Interned::of(table, column))
        .collect::<Result<Vec<_>, _>>()?;
    let person = Interned::of(table, person)?;
    let human = numbers(table, human)?;
    let twin = numbers(table, twin)?;
    let retest = retest.map(|c| numbers(table, c)).transpose()?;

    // Combine the key columns' ids pairwise so no row allocates: (id so far, next column's id) → id.
    // Ids are handed out in order of first appearance, so a combined id is the question's index.
    let rows = table.row_count();
    let mut combined: Vec<u32> = keys[0].ids.clone();
    for key in &keys[1..] {
        let mut map: FastMap<(u32, u32), u32> = FastMap::default();
        for (slot, &next) in combined.iter_mut().zip(&key.ids) {
            let fresh = map.len() as u32;
            *slot = *map.entry((*slot, next)).or_insert(fresh);
        }
    }

    let n_persons = person.labels.len();
    let n_questions = combined.iter().max().map_or(0, |&m| m as usize + 1);
    let mut seen = Seen::new(n_questions, n_persons);
    let mut questions: Vec<QuestionPairs> = Vec::new();
    let mut pair_persons: Vec<Vec<u32>> = Vec::new();
    let mut retests: Vec<Vec<f64>> = Vec::new();
    for row in 0..rows {
        let index = combined[row] as usize;
        if index == questions.len() {
            questions.push(QuestionPairs {
                key: keys
                    .iter()
                    .map(|k| k.labels[k.ids[row] as usize].clone())
                    .collect(),
                human: Vec::new(),
                twin: Vec::new(),
            });
            pair_persons.push(Vec::new());
            if retest.is_some() {
                retests.push(Vec::new());
            }
        }
        let who = person.ids[row];
        if !seen.insert(index, who) {
            return Err(CompareError::DuplicatePair {
                table: table.name.clone(),
                line: row + 2,
                person: person.labels[who as usize].clone(),
                question: questions[index].key.join(","),
            });
        }
        if let (Some(h), Some(t)) = (human[row], twin[row]) {
            questions[index].human.push(h);
            questions[index].twin.push(t);
            pair_persons[index].push(who);
            if let Some(retest) = &retest {
                retests[index].push(retest[row].unwrap_or(f64::NAN));
            }
        }
    }
    let groups = match group {
        Some(column) => Some(groups_of(table, column, &person)?),
        None => None,
    };
    Ok(Paired {
        questions,
        persons: person.labels,
        pair_persons,
        retest: retest.map(|_| retests),
        groups,
        rows,
    })
}

/// Which (question, person) cells have a row: a bitmap while it is small, else a hash set.
enum Seen {
    Bits { persons: usize, words: Vec<u64> },
    Set(std::collections::HashSet<(usize, u32)>),
}

impl Seen {
    fn new(questions: usize, persons: usize) -> Self {
        match questions.checked_mul(persons) {
            Some(cells) if cells <= BITMAP_CELLS => Self::Bits {
                persons,
                words: vec![0; cells.div_ceil(64)],
            },
            _ => Self::Set(std::collections::HashSet::new()),
        }
    }

    /// Marks the cell; false if it was already marked.
    fn insert(&mut self, question: usize, person: u32) -> bool {
        match self {
            Self::Bits { persons, words } => {
                let bit = question * *persons + person as usize;
                let mask = 1u64 << (bit % 64);
                let fresh = words[bit / 64] & mask == 0;
                words[bit / 64] |= mask;
                fresh
            }
            Self::Set(set) => set.insert((question, person)),
        }
    }
}

/// Each person's group from the group column: the first non-empty cell; a person with two different
/// groups is an error (a respondent variable cannot change between their answers).
fn groups_of(
    table: &ResponseTable,
    column: &Column,
    person: &Interned,
) -> Result<Groups, CompareError> {
    // Intern by the cell itself so no row allocates; only new labels are copied.
    let mut labels: Vec<String> = Vec::new();
    let mut text_ids: FastMap<&str, u32> = FastMap::default();
    let mut number_ids: FastMap<u64, u32> = FastMap::default();
    let mut of_person: Vec<Option<u32>> = vec![None; person.labels.len()];
    for row in 0..table.row_count() {
        let id = match &column.values {
            ColumnValues::Text(v) => match v[row].as_deref() {
                None => continue,
                Some(text) => *text_ids.entry(text).or_insert_with(|| {
                    labels.push(text.to_string());
                    labels.len() as u32 - 1
                }),
            },
            ColumnValues::Number(v) => match v[row] {
                None => continue,
                Some(x) => {
                    let bits = if x == 0.0 { 0 } else { x.to_bits() };
                    *number_ids.entry(bits).or_insert_with(|| {
                        labels.push(crate::study::number_text(x));
                        labels.len() as u32 - 1
                    })
                }
            },
        };
        let who = person.ids[row] as usize;
        match of_person[who] {
            None => of_person[who] = Some(id),
            Some(first) if first != id => {
                return Err(CompareError::GroupConflict(Box::new(GroupConflict {
                    table: table.name.clone(),
                    column: column.name.clone(),
                    line: row + 2,
                    person: person.labels[who].clone(),
                    first: labels[first as usize].clone(),
                    second: labels[id as usize].clone(),
                })))
            }
            Some(_) => {}
        }
    }
    Ok(Groups {
        column: column.name.clone(),
        labels,
        of_person,
    })
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
                let mut map: FastMap<&str, u32> = FastMap::default();
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
                let mut map: FastMap<u64, u32> = FastMap::default();
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

//! A Qualtrics conjoint export (one row per respondent) into the long table the analyses read (one row
//! per respondent × task × profile). The design comes from the embedded-data fields the randomiser
//! (ours, `design::qualtrics_randomiser`, or the Conjoint Survey Design Tool's) stores: `F-{task}-{row}`
//! is the attribute shown in that row and `F-{task}-{profile}-{row}` its level, so the attribute order
//! may differ per respondent or task. The answers come from columns the researcher names by pattern.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::study::{Column, ColumnRole, ColumnValues, Conjoint, ResponseTable};

/// Where the answers are in the wide export.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ConjointLayout {
    /// The choice column of each task, `{task}` standing for the task number: `Q{task}` reads Q1, Q2, …
    /// Values may be the profile number (1, 2), a letter (A, B) or a label ending in either
    /// ("Profile 1", "Candidate B").
    pub choice: String,
    /// Ratings of each profile, e.g. `R{task}_{profile}`; optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// The respondent id column. Default: `ResponseId` (or `ResponseID`, `_recordId`) when present,
    /// otherwise the row number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent: Option<String>,
    /// Respondent-level columns (covariates) copied onto each of the respondent's rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
}

impl ConjointLayout {
    pub fn new(choice: &str) -> Self {
        Self {
            choice: choice.to_string(),
            rating: None,
            respondent: None,
            keep: Vec::new(),
        }
    }
}

/// A value and how often it occurred.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ValueCount {
    pub value: String,
    pub count: usize,
}

/// A level in the data that the study's attribute does not have (a typo, or a design edited later).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct UnknownLevel {
    pub attribute: String,
    pub level: String,
    pub count: usize,
}

/// What the reshape found, for the researcher to check before analysing.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
pub struct ReshapeSummary {
    pub respondents: usize,
    /// Tasks per respondent in the design fields, and profiles per task.
    pub tasks: u32,
    pub profiles: u32,
    /// Tasks that were shown (design fields filled), over all respondents.
    pub tasks_shown: usize,
    /// Shown tasks without an answer: their rows are kept with a missing outcome.
    pub missing_choices: usize,
    /// Answers that name no profile, with counts; their outcome is missing too.
    pub unreadable_choices: Vec<ValueCount>,
    /// Rows in the long table.
    pub rows: usize,
    /// Attributes in the data but not in the study.
    pub unknown_attributes: Vec<String>,
    /// Attributes of the study never shown in the data.
    pub attributes_not_shown: Vec<String>,
    pub unknown_levels: Vec<UnknownLevel>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ReshapeError {
    #[error("no conjoint design fields: expected embedded-data columns named F-1-1 (attribute shown in task 1, row 1) and F-1-1-1 (its level in profile 1)")]
    NoDesignFields,
    #[error(
        "the choice pattern {0:?} has no {{task}} in it (e.g. Q{{task}} for columns Q1, Q2, …)"
    )]
    PatternWithoutTask(String),
    #[error(
        "the rating pattern {0:?} needs both {{task}} and {{profile}} (e.g. R{{task}}_{{profile}})"
    )]
    RatingPatternIncomplete(String),
    #[error("there is no column {column:?} for the answer to task {task} (from the pattern {pattern:?})")]
    NoAnswerColumn {
        pattern: String,
        task: u32,
        column: String,
    },
    #[error("the table has no column {0:?}")]
    NoSuchColumn(String),
}

/// The design fields found in the header: which column holds what.
struct DesignFields {
    tasks: u32,
    profiles: u32,
    rows: u32,
    /// (task, row) → column of the attribute name.
    attribute_at: HashMap<(u32, u32), usize>,
    /// (task, profile, row) → column of the level.
    level_at: HashMap<(u32, u32, u32), usize>,
}

fn design_fields(table: &ResponseTable) -> Result<DesignFields, ReshapeError> {
    let mut fields = DesignFields {
        tasks: 0,
        profiles: 0,
        rows: 0,
        attribute_at: HashMap::new(),
        level_at: HashMap::new(),
    };
    for (index, column) in table.columns.iter().enumerate() {
        let Some(rest) = column.name.strip_prefix("F-") else {
            continue;
        };
        let numbers: Option<Vec<u32>> = rest.split('-').map(|p| p.parse().ok()).collect();
        match numbers.as_deref() {
            Some(&[task, row]) if task > 0 && row > 0 => {
                fields.attribute_at.insert((task, row), index);
                fields.tasks = fields.tasks.max(task);
                fields.rows = fields.rows.max(row);
            }
            Some(&[task, profile, row]) if task > 0 && profile > 0 && row > 0 => {
                fields.level_at.insert((task, profile, row), index);
                fields.profiles = fields.profiles.max(profile);
            }
            _ => {}
        }
    }
    if fields.attribute_at.is_empty() || fields.level_at.is_empty() {
        return Err(ReshapeError::NoDesignFields);
    }
    Ok(fields)
}

/// One cell as text (numbers as the CSV writer writes them); `None` when missing.
pub(crate) fn cell_text(column: &Column, row: usize) -> Option<String> {
    column.text(row)
}

/// The profile an answer names: `2`, `B`, `Profile 2`, `Candidate B`; `None` if it names none.
pub fn parse_choice(answer: &str, profiles: u32) -> Option<u32> {
    let last = answer.split_whitespace().last()?;
    let index = match last.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && x >= 1.0 => x as u32,
        Ok(_) => return None,
        Err(_) => {
            let mut chars = last.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => {
                    u32::from(c.to_ascii_uppercase() as u8 - b'A') + 1
                }
                _ => return None,
            }
        }
    };
    (1..=profiles).contains(&index).then_some(index)
}

fn column_index(table: &ResponseTable, name: &str) -> Result<usize, ReshapeError> {
    table
        .columns
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| ReshapeError::NoSuchColumn(name.to_string()))
}

/// Copies the cells of `rows` (source row indices) into a new column of the same type.
fn gather(values: &ColumnValues, rows: &[usize]) -> ColumnValues {
    match values {
        ColumnValues::Number(v) => {
            ColumnValues::Number(rows.iter().map(|&r| v.get(r).copied().flatten()).collect())
        }
        ColumnValues::Text(v) => {
            ColumnValues::Text(rows.iter().map(|&r| v.get(r).cloned().flatten()).collect())
        }
    }
}

fn column(name: &str, role: ColumnRole, values: ColumnValues) -> Column {
    Column {
        name: name.to_string(),
        role,
        values,
    }
}

/// The long table and a summary. Attribute columns follow the study's attribute order (then any
/// attribute the study lacks); without a study, the order they first appear in.
pub fn reshape_conjoint(
    table: &ResponseTable,
    conjoint: Option<&Conjoint>,
    layout: &ConjointLayout,
) -> Result<(ResponseTable, ReshapeSummary), ReshapeError> {
    if !layout.choice.contains("{task}") {
        return Err(ReshapeError::PatternWithoutTask(layout.choice.clone()));
    }
    if let Some(rating) = &layout.rating {
        if !(rating.contains("{task}") && rating.contains("{profile}")) {
            return Err(ReshapeError::RatingPatternIncomplete(rating.clone()));
        }
    }
    let design = design_fields(table)?;
    let answer_columns: Vec<usize> = (1..=design.tasks)
        .map(|task| {
            let name = layout.choice.replace("{task}", &task.to_string());
            column_index(table, &name).map_err(|_| ReshapeError::NoAnswerColumn {
                pattern: layout.choice.clone(),
                task,
                column: name,
            })
        })
        .collect::<Result<_, _>>()?;
    let rating_columns: Option<HashMap<(u32, u32), usize>> = layout
        .rating
        .as_ref()
        .map(|pattern| {
            let mut at = HashMap::new();
            for task in 1..=design.tasks {
                for profile in 1..=design.profiles {
                    let name = pattern
                        .replace("{task}", &task.to_string())
                        .replace("{profile}", &profile.to_string());
                    at.insert((task, profile), column_index(table, &name)?);
                }
            }
            Ok(at)
        })
        .transpose()?;
    let respondent = match &layout.respondent {
        Some(name) => Some(column_index(table, name)?),
        None => ["ResponseId", "ResponseID", "_recordId"]
            .iter()
            .find_map(|name| table.columns.iter().position(|c| c.name == *name)),
    };
    let keep: Vec<usize> = layout
        .keep
        .iter()
        .map(|name| column_index(table, name))
        .collect::<Result<_, _>>()?;

    let mut attributes: Vec<String> = conjoint
        .map(|c| c.attributes.iter().map(|a| a.name.clone()).collect())
        .unwrap_or_default();
    let known_attributes = attributes.len();
    let mut levels: Vec<Vec<Option<String>>> = vec![Vec::new(); attributes.len()];
    let mut source_rows = Vec::new();
    let (mut task_values, mut profile_values) = (Vec::new(), Vec::new());
    let mut chosen = Vec::new();
    let mut ratings = Vec::new();
    let mut summary = ReshapeSummary {
        respondents: table.row_count(),
        tasks: design.tasks,
        profiles: design.profiles,
        ..ReshapeSummary::default()
    };
    let mut unreadable: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown_levels: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut shown_attributes = vec![false; attributes.len()];

    for row in 0..table.row_count() {
        for task in 1..=design.tasks {
            // Which attribute each display row showed in this task.
            let shown: Vec<(u32, String)> = (1..=design.rows)
                .filter_map(|r| {
                    let index = design.attribute_at.get(&(task, r))?;
                    Some((r, cell_text(&table.columns[*index], row)?))
                })
                .collect();
            if shown.is_empty() {
                continue;
            }
            summary.tasks_shown += 1;
            let answer = cell_text(&table.columns[answer_columns[task as usize - 1]], row);
            let choice = match &answer {
                None => {
                    summary.missing_choices += 1;
                    None
                }
                Some(text) => {
                    let choice = parse_choice(text, design.profiles);
                    if choice.is_none() {
                        *unreadable.entry(text.clone()).or_default() += 1;
                    }
                    choice
                }
            };
            for profile in 1..=design.profiles {
                let mut profile_levels: Vec<Option<String>> = vec![None; attributes.len()];
                for (display_row, attribute) in &shown {
                    let level = design
                        .level_at
                        .get(&(task, profile, *display_row))
                        .and_then(|&c| cell_text(&table.columns[c], row));
                    let a = match attributes.iter().position(|name| name == attribute) {
                        Some(a) => a,
                        None => {
                            attributes.push(attribute.clone());
                            shown_attributes.push(false);
                            // Earlier rows did not show this attribute.
                            levels.push(vec![None; source_rows.len()]);
                            profile_levels.push(None);
                            attributes.len() - 1
                        }
                    };
                    shown_attributes[a] = true;
                    if let (Some(level), Some(known)) =
                        (&level, conjoint.and_then(|c| c.attributes.get(a)))
                    {
                        if !known.levels.iter().any(|l| &l.name == level) {
                            *unknown_levels
                                .entry((attribute.clone(), level.clone()))
                                .or_default() += 1;
                        }
                    }
                    profile_levels[a] = level;
                }
                for (column, level) in levels.iter_mut().zip(profile_levels) {
                    column.push(level);
                }
                source_rows.push(row);
                task_values.push(Some(f64::from(task)));
                profile_values.push(Some(f64::from(profile)));
                chosen.push(choice.map(|c| if c == profile { 1.0 } else { 0.0 }));
                if let Some(at) = &rating_columns {
                    let value =
                        at.get(&(task, profile))
                            .and_then(|&c| match &table.columns[c].values {
                                ColumnValues::Number(v) => v.get(row).copied().flatten(),
                                ColumnValues::Text(v) => v
                                    .get(row)
                                    .cloned()
                                    .flatten()
                                    .and_then(|s| s.trim().parse::<f64>().ok()),
                            });
                    ratings.push(value);
                }
            }
        }
    }

    let mut columns = Vec::new();
    match respondent {
        Some(index) => {
            let source = &table.columns[index];
            columns.push(column(
                &source.name,
                ColumnRole::Respondent,
                gather(&source.values, &source_rows),
            ));
        }
        None => columns.push(column(
            "respondent",
            ColumnRole::Respondent,
            ColumnValues::Number(source_rows.iter().map(|&r| Some(r as f64 + 1.0)).collect()),
        )),
    }
    columns.push(column(
        "task",
        ColumnRole::Task,
        ColumnValues::Number(task_values),
    ));
    columns.push(column(
        "profile",
        ColumnRole::Profile,
        ColumnValues::Number(profile_values),
    ));
    for (name, values) in attributes.iter().zip(levels) {
        columns.push(column(
            name,
            ColumnRole::Attribute,
            ColumnValues::Text(values),
        ));
    }
    columns.push(column(
        "chosen",
        ColumnRole::Outcome,
        ColumnValues::Number(chosen),
    ));
    if rating_columns.is_some() {
        columns.push(column(
            "rating",
            ColumnRole::Outcome,
            ColumnValues::Number(ratings),
        ));
    }
    for &index in &keep {
        let source = &table.columns[index];
        columns.push(column(
            &source.name,
            ColumnRole::Covariate,
            gather(&source.values, &source_rows),
        ));
    }

    summary.rows = source_rows.len();
    summary.unreadable_choices = unreadable
        .into_iter()
        .map(|(value, count)| ValueCount { value, count })
        .collect();
    summary.unknown_levels = unknown_levels
        .into_iter()
        .map(|((attribute, level), count)| UnknownLevel {
            attribute,
            level,
            count,
        })
        .collect();
    summary.unknown_attributes = attributes[known_attributes..].to_vec();
    summary.attributes_not_shown = attributes[..known_attributes]
        .iter()
        .zip(&shown_attributes)
        .filter(|(_, shown)| !**shown)
        .map(|(name, _)| name.clone())
        .collect();
    Ok((
        ResponseTable {
            name: table.name.clone(),
            source: table.source,
            provenance: table.provenance.clone(),
            columns,
        },
        summary,
    ))
}

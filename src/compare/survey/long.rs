//! A long table of survey answers (one row per respondent × question) as plain rows, whichever of
//! the project's shapes it comes in: `silico import … --study` writes `respondent` (or the
//! export's id column, e.g. `ResponseId`), `question`, `answer`; the fielded survey table
//! (`field::survey_table`) has `respondent`, `question`, `sample`, `answer` and more. Columns are
//! found by role (tables in the page keep roles), else by the usual names, so a CSV read back from
//! disk works too.

use crate::study::{Column, ColumnRole, ResponseTable, Survey};

use super::error::SurveySamplesError;

/// One answer row. `line` is the data line in the file (header = 1).
#[derive(Clone, Debug, PartialEq)]
pub struct LongRow {
    pub line: usize,
    /// The respondent, with the sample number appended for fielded tables (`3#2`), since each
    /// sample of an LLM respondent is a separate draw.
    pub respondent: String,
    pub question: String,
    pub answer: Option<String>,
    /// The row's value of the group column, when the group is a column of this table.
    pub group: Option<String>,
}

/// Where a respondent's group comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupSource {
    None,
    /// A column of the table: each row's own value.
    Column,
    /// A question of the study: the respondent's answer to it.
    Question(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LongTable {
    pub name: String,
    pub rows: Vec<LongRow>,
    pub group: GroupSource,
}

const QUESTION_NAMES: [&str; 4] = ["question", "question_id", "variable", "item"];
const ANSWER_NAMES: [&str; 4] = ["answer", "value", "response", "code"];
const RESPONDENT_NAMES: [&str; 9] = [
    "respondent",
    "ResponseId",
    "ResponseID",
    "_recordId",
    "respondent_id",
    "person",
    "person_id",
    "pid",
    "id",
];

/// A column's cell as text; numbers as the CSV wrote them (1, not 1.0); blank text is missing.
pub(crate) fn cell(column: &Column, row: usize) -> Option<String> {
    column.text(row)
}

fn by_role_or_name<'t>(
    table: &'t ResponseTable,
    role: ColumnRole,
    names: &[&str],
) -> Option<&'t Column> {
    table.columns.iter().find(|c| c.role == role).or_else(|| {
        names.iter().find_map(|n| {
            table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
        })
    })
}

fn available(table: &ResponseTable) -> String {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let shown = names
        .iter()
        .take(12)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 12 {
        format!("{shown}, … ({} in all)", names.len())
    } else {
        shown
    }
}

fn required<'t>(
    table: &'t ResponseTable,
    role: ColumnRole,
    names: &[&str],
    what: &'static str,
    survey: &Survey,
) -> Result<&'t Column, SurveySamplesError> {
    by_role_or_name(table, role, names).ok_or_else(|| {
        // A wide export (one column per question) is the usual mistake: say how to make it long.
        let wide = table
            .columns
            .iter()
            .filter(|c| survey.questions.iter().any(|q| q.id == c.name))
            .count();
        let hint = if wide > 0 {
            format!(
                "; it looks like a wide table ({wide} columns are question ids): make it long \
                 with `silico import FILE --study STUDY.json --out LONG.csv`"
            )
        } else {
            String::new()
        };
        SurveySamplesError::MissingColumn {
            table: table.name.clone(),
            what,
            tried: names.join(", "),
            available: available(table),
            hint,
        }
    })
}

/// Reads the rows of a long table. `group` names a column of the table or a question of the
/// study (checked here, so the message can name this table).
pub fn read_long(
    table: &ResponseTable,
    survey: &Survey,
    group: Option<&str>,
) -> Result<LongTable, SurveySamplesError> {
    if table.row_count() == 0 {
        return Err(SurveySamplesError::Empty {
            table: table.name.clone(),
        });
    }
    let question = required(
        table,
        ColumnRole::Question,
        &QUESTION_NAMES,
        "question",
        survey,
    )?;
    let answer = required(table, ColumnRole::Answer, &ANSWER_NAMES, "answer", survey)?;
    let respondent = by_role_or_name(table, ColumnRole::Respondent, &RESPONDENT_NAMES);
    let sample = table
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case("sample"));
    let (group_column, group_source) = match group {
        None => (None, GroupSource::None),
        Some(name) => match table.column(name) {
            Some(column) => (Some(column), GroupSource::Column),
            None if survey.questions.iter().any(|q| q.id == name) => {
                (None, GroupSource::Question(name.to_string()))
            }
            None => {
                return Err(SurveySamplesError::MissingGroup {
                    table: table.name.clone(),
                    column: name.to_string(),
                    available: available(table),
                })
            }
        },
    };
    let mut rows = Vec::with_capacity(table.row_count());
    for row in 0..table.row_count() {
        let line = row + 2;
        // A row without a question id says nothing about any question.
        let Some(question) = cell(question, row) else {
            continue;
        };
        let mut who = match respondent.and_then(|c| cell(c, row)) {
            Some(id) => id,
            // Without a respondent column each row is its own respondent.
            None => format!("line {line}"),
        };
        if let Some(s) = sample.and_then(|c| cell(c, row)) {
            who.push('#');
            who.push_str(&s);
        }
        rows.push(LongRow {
            line,
            respondent: who,
            question: question.trim().to_string(),
            answer: cell(answer, row).map(|a| a.trim().to_string()),
            group: group_column.and_then(|c| cell(c, row)),
        });
    }
    Ok(LongTable {
        name: table.name.clone(),
        rows,
        group: group_source,
    })
}

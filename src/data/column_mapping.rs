//! Which column holds which of the study's questions: matched automatically — by exact id, then by
//! normalised name, then by the similarity of Qualtrics' question text to the study's wording — and
//! returned as a [`Mapping`] the researcher can edit in the page (it is plain serde data). The
//! preview applies it and counts what would happen to every value; [`apply_mapping`] makes the long
//! table (respondent, question, answer) that fielded LLM answers also have, so the two can be compared.

use std::collections::{BTreeMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseTable, Survey};

use super::conjoint_reshape::{cell_text, ValueCount};
use super::qualtrics_export::QualtricsColumns;
use super::recode::{default_missing_codes, recode_part, Recode, Recoded};

/// How a column was matched to its question.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum MatchedBy {
    /// The column name (or Qualtrics import id) is the question id.
    Id,
    /// Equal after lower-casing and dropping spaces and punctuation (`Party ID` ~ `party_id`).
    Name,
    /// The column's question text resembles the question's (word overlap, 0–1).
    QuestionText { score: f64 },
    /// Set by the researcher.
    Hand,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ColumnMapping {
    pub column: String,
    /// The question id.
    pub question: String,
    /// The part of the question the column holds: a slider's or matrix's item id, a multiple
    /// choice's, ranking's or constant sum's option code (Qualtrics' `tag_1`, `tag_item` columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub matched_by: MatchedBy,
    #[serde(default)]
    pub recode: Recode,
}

/// Column → question assignments; columns not listed are not answers (ids, covariates, bookkeeping).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
pub struct Mapping {
    pub columns: Vec<ColumnMapping>,
    /// The respondent id column of the long table; `None` numbers the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent: Option<String>,
}

impl Mapping {
    /// The researcher points `column` at `question` (or, with `None`, says it holds no answer).
    /// A column given a new question starts from that question's missing codes and no recoding,
    /// since labels and codes of one question rarely fit another; a question already taken by
    /// another column is moved here, so each question keeps one column. Returns the column the
    /// question was taken from, if any.
    pub fn assign(
        &mut self,
        column: &str,
        question: Option<&str>,
        survey: &Survey,
    ) -> Option<String> {
        let Some(question) = question else {
            self.columns.retain(|c| c.column != column);
            return None;
        };
        if self
            .columns
            .iter()
            .any(|c| c.column == column && c.question == question)
        {
            return None;
        }
        let taken_from = self
            .columns
            .iter()
            .find(|c| c.question == question && c.column != column)
            .map(|c| c.column.clone());
        self.columns
            .retain(|c| c.question != question || c.column == column);
        let recode = Recode {
            missing: survey
                .questions
                .iter()
                .find(|q| q.id == question)
                .map(default_missing_codes)
                .unwrap_or_default(),
            ..Recode::default()
        };
        let entry = ColumnMapping {
            column: column.to_string(),
            question: question.to_string(),
            item: None,
            matched_by: MatchedBy::Hand,
            recode,
        };
        match self.columns.iter_mut().find(|c| c.column == column) {
            Some(existing) => *existing = entry,
            None => self.columns.push(entry),
        }
        taken_from
    }

    /// The recoding of `column`, to edit in place.
    pub fn recode_mut(&mut self, column: &str) -> Option<&mut Recode> {
        self.columns
            .iter_mut()
            .find(|c| c.column == column)
            .map(|c| &mut c.recode)
    }
}

/// Word overlap needed to match by question text.
pub const TEXT_MATCH_THRESHOLD: f64 = 0.5;

fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words of a question text, without Qualtrics' suffixes and very common words.
fn words(text: &str) -> HashSet<String> {
    const STOP: [&str; 16] = [
        "the", "a", "an", "of", "to", "and", "or", "in", "on", "you", "your", "is", "are", "do",
        "how", "what",
    ];
    let text = text
        .trim_end_matches(" - Selected Choice")
        .trim_end_matches(" - Text");
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// Dice coefficient of the two word sets: 1 for the same words, 0 for none shared.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

const RESPONDENT_COLUMNS: [&str; 6] = [
    "ResponseId",
    "ResponseID",
    "_recordId",
    "respondent",
    "respondent_id",
    "id",
];

/// Matches columns to the survey's questions; each question gets at most one column.
pub fn auto_map(
    table: &ResponseTable,
    qualtrics: Option<&QualtricsColumns>,
    survey: &Survey,
) -> Mapping {
    let mut taken_questions: HashSet<&str> = HashSet::new();
    let mut taken_columns: HashSet<&str> = HashSet::new();
    // Descriptive text has no answer, so no column is its; sub-columns (`tag_1`) are claimed
    // first so a loose name match cannot take them for another question.
    for q in survey.questions.iter().filter(|q| !q.answer.is_asked()) {
        taken_questions.insert(&q.id);
    }
    let parts = sub_columns(table, survey);
    for part in &parts {
        taken_columns.insert(part.column.as_str());
    }
    let mut found: Vec<(usize, &str, MatchedBy)> = Vec::new();
    let import_id = |column: &str| {
        qualtrics
            .and_then(|q| q.get(column))
            .map(|c| c.import_id.as_str())
    };
    let question_text = |column: &Column| {
        qualtrics
            .and_then(|q| q.get(&column.name))
            .map(|c| c.question_text.clone())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| column.name.clone())
    };
    // Passes from the surest to the loosest, so a sure match is never taken by a loose one.
    for pass in 0..2 {
        for (index, column) in table.columns.iter().enumerate() {
            if taken_columns.contains(column.name.as_str()) {
                continue;
            }
            let hit = survey.questions.iter().find(|q| {
                !taken_questions.contains(q.id.as_str())
                    && match pass {
                        0 => q.id == column.name || import_id(&column.name) == Some(q.id.as_str()),
                        _ => normalise(&q.id) == normalise(&column.name),
                    }
            });
            if let Some(q) = hit {
                taken_questions.insert(&q.id);
                taken_columns.insert(&column.name);
                let by = if pass == 0 {
                    MatchedBy::Id
                } else {
                    MatchedBy::Name
                };
                found.push((index, &q.id, by));
            }
        }
    }
    let mut candidates: Vec<(f64, usize, &str)> = Vec::new();
    for (index, column) in table.columns.iter().enumerate() {
        if taken_columns.contains(column.name.as_str()) {
            continue;
        }
        let text = question_text(column);
        for q in &survey.questions {
            if taken_questions.contains(q.id.as_str()) {
                continue;
            }
            let score = text_similarity(&text, &q.text);
            if score >= TEXT_MATCH_THRESHOLD {
                candidates.push((score, index, &q.id));
            }
        }
    }
    // Best pairs first; ties by column order, so the result does not depend on hashing.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (score, index, question) in candidates {
        let column = table.columns[index].name.as_str();
        if taken_columns.contains(column) || taken_questions.contains(question) {
            continue;
        }
        taken_columns.insert(column);
        taken_questions.insert(question);
        found.push((index, question, MatchedBy::QuestionText { score }));
    }
    found.sort_by_key(|(index, _, _)| *index);
    let mut columns: Vec<ColumnMapping> = found
        .into_iter()
        .filter_map(|(index, question, matched_by)| {
            let q = survey.questions.iter().find(|q| q.id == question)?;
            Some(ColumnMapping {
                column: table.columns[index].name.clone(),
                question: question.to_string(),
                item: None,
                matched_by,
                recode: Recode {
                    missing: default_missing_codes(q),
                    ..Recode::default()
                },
            })
        })
        .collect();
    columns.extend(parts);
    columns.sort_by_key(|c| table.columns.iter().position(|t| t.name == c.column));
    let respondent = RESPONDENT_COLUMNS
        .iter()
        .find(|name| table.column(name).is_some())
        .map(|name| name.to_string());
    Mapping {
        columns,
        respondent,
    }
}

/// The parts a question's export splits into: (item or option code) for sliders and matrices
/// (items), multiple choice, rankings and constant sums (option codes).
fn question_parts(question: &crate::study::Question) -> Vec<String> {
    use crate::study::QuestionKind;
    match &question.answer {
        QuestionKind::Slider { items, .. } | QuestionKind::Matrix { items, .. } => {
            items.iter().map(|i| i.id.clone()).collect()
        }
        QuestionKind::MultipleChoice { options, .. }
        | QuestionKind::Ranking { options, .. }
        | QuestionKind::ConstantSum { options, .. } => {
            options.iter().map(|o| o.code.clone()).collect()
        }
        _ => Vec::new(),
    }
}

/// Qualtrics' sub-columns `{question}_{part}` (`future_help1_1`, `trust_police`, `Q5_3`).
fn sub_columns(table: &ResponseTable, survey: &Survey) -> Vec<ColumnMapping> {
    let mut out = Vec::new();
    for question in &survey.questions {
        for part in question_parts(question) {
            let name = format!("{}_{part}", question.id);
            if table.column(&name).is_some()
                && !out.iter().any(|c: &ColumnMapping| c.column == name)
            {
                out.push(ColumnMapping {
                    column: name,
                    question: question.id.clone(),
                    item: Some(part),
                    matched_by: MatchedBy::Id,
                    recode: Recode {
                        missing: default_missing_codes(question),
                        ..Recode::default()
                    },
                });
            }
        }
    }
    out
}

/// What the mapping does to one column.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ColumnPreview {
    pub column: String,
    pub question: String,
    /// Cells that become answers, and how often each code occurs (most frequent first, up to 20).
    pub answered: usize,
    pub codes: Vec<ValueCount>,
    /// Cells that are empty or a missing-value code.
    pub missing: usize,
    /// Values the question does not know, with counts (most frequent first, up to 10).
    pub unknown: Vec<ValueCount>,
    /// Numbers outside the question's range, with counts (up to 10).
    pub out_of_range: Vec<ValueCount>,
    /// Problems in words, e.g. `12 cells ("Agree strongly" ×12) are not options of Q3; add them to
    /// the recoding or mark them missing`.
    pub problems: Vec<String>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct MappingPreview {
    pub columns: Vec<ColumnPreview>,
    /// Questions of the study no column is mapped to.
    pub unmapped_questions: Vec<String>,
    /// Problems with the mapping itself (a column or question that does not exist).
    pub problems: Vec<String>,
}

fn top(counts: BTreeMap<String, usize>, limit: usize) -> Vec<ValueCount> {
    let mut list: Vec<ValueCount> = counts
        .into_iter()
        .map(|(value, count)| ValueCount { value, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    list.truncate(limit);
    list
}

fn examples(values: &[ValueCount]) -> String {
    values
        .iter()
        .take(3)
        .map(|v| format!("{:?} ×{}", v.value, v.count))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies the mapping without changing anything and reports, per column, what would happen.
pub fn preview_mapping(
    table: &ResponseTable,
    mapping: &Mapping,
    survey: &Survey,
) -> MappingPreview {
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for entry in &mapping.columns {
        let Some(column) = table.column(&entry.column) else {
            problems.push(format!("the table has no column {:?}", entry.column));
            continue;
        };
        let Some(question) = survey.questions.iter().find(|q| q.id == entry.question) else {
            problems.push(format!(
                "column {:?} is mapped to {:?}, which is not a question of the study",
                entry.column, entry.question
            ));
            continue;
        };
        let (mut codes, mut unknown, mut out_of_range) =
            (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        let (mut answered, mut missing) = (0, 0);
        for row in 0..table.row_count() {
            let Some(raw) = cell_text(column, row) else {
                missing += 1;
                continue;
            };
            match recode_part(&raw, question, entry.item.as_deref(), &entry.recode) {
                Recoded::Missing => missing += 1,
                Recoded::Unknown => *unknown.entry(raw).or_default() += 1,
                Recoded::OutOfRange(_) => *out_of_range.entry(raw).or_default() += 1,
                recoded => {
                    answered += 1;
                    let code = recoded.as_answer().unwrap_or_default();
                    *codes.entry(code).or_default() += 1;
                }
            }
        }
        let unknown_total: usize = unknown.values().sum();
        let range_total: usize = out_of_range.values().sum();
        let (unknown, out_of_range) = (top(unknown, 10), top(out_of_range, 10));
        let mut column_problems = Vec::new();
        if unknown_total > 0 {
            column_problems.push(format!(
                "{unknown_total} cells ({}) are not answers {} knows; add them to the recoding or mark them missing",
                examples(&unknown),
                question.id
            ));
        }
        if range_total > 0 {
            column_problems.push(format!(
                "{range_total} cells ({}) are numbers outside the range of {}",
                examples(&out_of_range),
                question.id
            ));
        }
        columns.push(ColumnPreview {
            column: entry.column.clone(),
            question: entry.question.clone(),
            answered,
            codes: top(codes, 20),
            missing,
            unknown,
            out_of_range,
            problems: column_problems,
        });
    }
    if let Some(respondent) = &mapping.respondent {
        if table.column(respondent).is_none() {
            problems.push(format!(
                "the respondent column {respondent:?} is not in the table"
            ));
        }
    }
    let unmapped_questions = survey
        .questions
        .iter()
        .filter(|q| q.answer.is_asked())
        .filter(|q| !mapping.columns.iter().any(|c| c.question == q.id))
        .map(|q| q.id.clone())
        .collect();
    MappingPreview {
        columns,
        unmapped_questions,
        problems,
    }
}

/// The long table: one row per respondent × mapped question, answers as the study's codes (scale
/// and numeric answers as numbers written as text). Values the preview reports as unknown or out of
/// range become missing answers.
pub fn apply_mapping(
    table: &ResponseTable,
    mapping: &Mapping,
    survey: &Survey,
    provenance: Provenance,
) -> ResponseTable {
    let respondent = mapping
        .respondent
        .as_deref()
        .and_then(|name| table.column(name));
    let mut ids = Vec::new();
    let mut questions = Vec::new();
    let mut items = Vec::new();
    let mut answers = Vec::new();
    let pairs: Vec<(&Column, &crate::study::Question, &ColumnMapping)> = mapping
        .columns
        .iter()
        .filter_map(|m| {
            let column = table.column(&m.column)?;
            let question = survey.questions.iter().find(|q| q.id == m.question)?;
            Some((column, question, m))
        })
        .collect();
    for row in 0..table.row_count() {
        for (column, question, entry) in &pairs {
            let recode = &entry.recode;
            items.push(entry.item.clone());
            ids.push(match respondent {
                Some(c) => cell_text(c, row),
                None => Some((row + 1).to_string()),
            });
            questions.push(Some(question.id.clone()));
            answers.push(cell_text(column, row).and_then(|raw| {
                recode_part(&raw, question, entry.item.as_deref(), recode).as_answer()
            }));
        }
    }
    let text = |name: &str, role, values| Column {
        name: name.to_string(),
        role,
        values: ColumnValues::Text(values),
    };
    let mut columns = vec![
        text(
            respondent.map_or("respondent", |c| c.name.as_str()),
            ColumnRole::Respondent,
            ids,
        ),
        text("question", ColumnRole::Question, questions),
    ];
    // The item column only when a column holds part of a question: whole-question tables keep
    // the respondent, question, answer shape the pairing of twins with people reads.
    if mapping.columns.iter().any(|c| c.item.is_some()) {
        columns.push(text("item", ColumnRole::Covariate, items));
    }
    columns.push(text("answer", ColumnRole::Answer, answers));
    ResponseTable {
        name: table.name.clone(),
        source: table.source,
        provenance,
        columns,
    }
}

//! Digital twins fielded from the study, set beside the people they stand for: the people's answers
//! to the held-out questions (the long table the column mapping makes) and their twins' answers
//! (the fielding engine's survey table) become the paired table [`compare`](super::compare) reads,
//! with each question's range and kind taken from the survey. Twin respondent `r` is the `r`-th
//! person of the persona table (see [`crate::field::person_ids`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::kind::QuestionKind;
use crate::study::{
    Column, ColumnRole, ColumnValues, Provenance, Question, QuestionKind as AnswerKind,
    ResponseSource, ResponseTable, Survey,
};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TwinPairsError {
    #[error("table {table:?} has no {what} column (a column with that role, or named {name:?})")]
    MissingColumn {
        table: String,
        what: &'static str,
        name: &'static str,
    },
    #[error(
        "no person answered a question their twin answered: check that the twins were fielded \
         from this persona table and that the people's table holds the held-out questions"
    )]
    NothingPaired,
}

/// The paired table (`person`, `question`, `human`, `twin`, `twin_samples`) and the ranges table
/// (`question`, `min`, `max`, `kind`) for the comparison, with what could not be paired.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TwinPairs {
    pub pairs: ResponseTable,
    pub ranges: ResponseTable,
    /// Twin answers whose respondent number has no person in the persona table.
    pub twins_without_person: usize,
    /// Answers (either side) that are not values of their question, left out.
    pub unreadable: usize,
}

/// A column by role, else by name.
fn column<'t>(
    table: &'t ResponseTable,
    role: ColumnRole,
    what: &'static str,
    name: &'static str,
) -> Result<&'t Column, TwinPairsError> {
    table
        .columns
        .iter()
        .find(|c| c.role == role)
        .or_else(|| table.column(name))
        .ok_or_else(|| TwinPairsError::MissingColumn {
            table: table.name.clone(),
            what,
            name,
        })
}

fn cell(column: &Column, row: usize) -> Option<String> {
    column.text(row)
}

/// How a question's answers become numbers, and its range and kind for the comparison.
struct Scoring<'q> {
    question: &'q Question,
    kind: QuestionKind,
    range: Option<(f64, f64)>,
}

impl<'q> Scoring<'q> {
    /// `None` for questions the comparison cannot score (free text, multiple answers).
    fn of(question: &'q Question) -> Option<Self> {
        let (kind, range) = match &question.answer {
            // Codes are unordered: scored by exact match on their position in the options.
            AnswerKind::SingleChoice { options } => {
                (QuestionKind::Nominal, Some((1.0, options.len() as f64)))
            }
            AnswerKind::Scale {
                labels,
                first_value,
            } => {
                let first = f64::from(*first_value);
                (
                    QuestionKind::Ordinal,
                    Some((first, first + labels.len().saturating_sub(1) as f64)),
                )
            }
            AnswerKind::Numeric { min, max, .. } => (QuestionKind::Numeric, min.zip(*max)),
            _ => return None,
        };
        Some(Self {
            question,
            kind,
            range,
        })
    }

    /// One answer (a code, a scale value or label, a number) as the number compared.
    fn value(&self, answer: &str) -> Option<f64> {
        let answer = answer.trim();
        match &self.question.answer {
            AnswerKind::SingleChoice { options } => options
                .iter()
                .position(|o| o.code == answer)
                .map(|i| (i + 1) as f64),
            AnswerKind::Scale {
                labels,
                first_value,
            } => answer.parse::<f64>().ok().or_else(|| {
                labels
                    .iter()
                    .position(|l| l.trim().eq_ignore_ascii_case(answer))
                    .map(|i| f64::from(*first_value) + i as f64)
            }),
            _ => answer.parse::<f64>().ok(),
        }
        .filter(|x| x.is_finite())
    }

    /// The twin's answer over its k samples: the mean, or for unordered codes the most frequent
    /// (ties to the first option), so a twin is one answer as a person is.
    fn combine(&self, samples: &[f64]) -> f64 {
        if self.kind == QuestionKind::Nominal {
            let mut counts: BTreeMap<u64, (usize, f64)> = BTreeMap::new();
            for &x in samples {
                counts.entry(x.to_bits()).or_insert((0, x)).0 += 1;
            }
            let mut best: Option<(usize, f64)> = None;
            for &(n, x) in counts.values() {
                if best.is_none_or(|(bn, bx)| n > bn || (n == bn && x < bx)) {
                    best = Some((n, x));
                }
            }
            best.map_or(f64::NAN, |(_, x)| x)
        } else {
            samples.iter().sum::<f64>() / samples.len() as f64
        }
    }
}

/// Pairs each person's answer to each held-out question with their twin's (k samples combined).
/// `persons[r - 1]` is the person twin respondent `r` stands for.
pub fn twin_pairs(
    people: &ResponseTable,
    twins: &ResponseTable,
    persons: &[String],
    survey: &Survey,
) -> Result<TwinPairs, TwinPairsError> {
    let scoring: HashMap<&str, Scoring> = survey
        .questions
        .iter()
        .filter_map(|q| Scoring::of(q).map(|s| (q.id.as_str(), s)))
        .collect();
    let mut unreadable = 0;

    // The twins' answers by (person, question), samples gathered.
    let (t_respondent, t_question, t_answer) = (
        column(twins, ColumnRole::Respondent, "respondent", "respondent")?,
        column(twins, ColumnRole::Question, "question", "question")?,
        column(twins, ColumnRole::Answer, "answer", "answer")?,
    );
    let mut twin_answers: HashMap<(String, String), Vec<f64>> = HashMap::new();
    let mut twins_without_person = 0;
    for row in 0..twins.row_count() {
        let (Some(r), Some(q)) = (cell(t_respondent, row), cell(t_question, row)) else {
            continue;
        };
        let Some(scoring) = scoring.get(q.as_str()) else {
            continue;
        };
        // Refused, unparsed and failed calls keep their rows with no answer: not a sample.
        let Some(answer) = cell(t_answer, row) else {
            continue;
        };
        let person = r
            .parse::<usize>()
            .ok()
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| persons.get(i));
        let Some(person) = person else {
            twins_without_person += 1;
            continue;
        };
        match scoring.value(&answer) {
            Some(x) => twin_answers.entry((person.clone(), q)).or_default().push(x),
            None => unreadable += 1,
        }
    }

    // The people's answers, in their table's order, each kept when the twin answered too.
    let (p_respondent, p_question, p_answer) = (
        column(people, ColumnRole::Respondent, "respondent", "respondent")?,
        column(people, ColumnRole::Question, "question", "question")?,
        column(people, ColumnRole::Answer, "answer", "answer")?,
    );
    let (mut person, mut question, mut human, mut twin, mut samples) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut asked: Vec<&str> = Vec::new();
    for row in 0..people.row_count() {
        let (Some(p), Some(q), Some(answer)) = (
            cell(p_respondent, row),
            cell(p_question, row),
            cell(p_answer, row),
        ) else {
            continue;
        };
        let Some((id, scoring)) = scoring.get_key_value(q.as_str()) else {
            continue;
        };
        let Some(drawn) = twin_answers.get(&(p.clone(), q.clone())) else {
            continue;
        };
        let Some(h) = scoring.value(&answer) else {
            unreadable += 1;
            continue;
        };
        if !asked.contains(id) {
            asked.push(id);
        }
        person.push(Some(p));
        question.push(Some(q));
        human.push(Some(h));
        twin.push(Some(scoring.combine(drawn)));
        samples.push(Some(drawn.len() as f64));
    }
    if person.is_empty() {
        return Err(TwinPairsError::NothingPaired);
    }
    let text = |name: &str, role, values| Column {
        name: name.into(),
        role,
        values: ColumnValues::Text(values),
    };
    let number = |name: &str, role, values| Column {
        name: name.into(),
        role,
        values: ColumnValues::Number(values),
    };
    let pairs = ResponseTable {
        name: "twin-pairs".into(),
        source: ResponseSource::Human,
        provenance: Provenance {
            description: format!(
                "people ({}) paired with their twins ({})",
                people.name, twins.name
            ),
            ..Provenance::default()
        },
        columns: vec![
            text("person", ColumnRole::Respondent, person),
            text("question", ColumnRole::Question, question),
            number("human", ColumnRole::Answer, human),
            number("twin", ColumnRole::Covariate, twin),
            number("twin_samples", ColumnRole::Covariate, samples),
        ],
    };
    // Survey order, so the comparison lists questions as the study does.
    let ordered: Vec<&Scoring> = survey
        .questions
        .iter()
        .filter(|q| asked.contains(&q.id.as_str()))
        .filter_map(|q| scoring.get(q.id.as_str()))
        .collect();
    let ranges = ResponseTable {
        name: "twin-ranges".into(),
        source: ResponseSource::Human,
        provenance: Provenance::default(),
        columns: vec![
            text(
                "question",
                ColumnRole::Question,
                ordered
                    .iter()
                    .map(|s| Some(s.question.id.clone()))
                    .collect(),
            ),
            number(
                "min",
                ColumnRole::Covariate,
                ordered.iter().map(|s| s.range.map(|r| r.0)).collect(),
            ),
            number(
                "max",
                ColumnRole::Covariate,
                ordered.iter().map(|s| s.range.map(|r| r.1)).collect(),
            ),
            text(
                "kind",
                ColumnRole::Covariate,
                ordered
                    .iter()
                    .map(|s| Some(s.kind.name().to_string()))
                    .collect(),
            ),
        ],
    };
    Ok(TwinPairs {
        pairs,
        ranges,
        twins_without_person,
        unreadable,
    })
}

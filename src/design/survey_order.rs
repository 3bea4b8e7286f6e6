//! What one respondent's survey looks like: block order, answer order (shuffled or reversed, anchored
//! options kept in place), display conditions and piped text. Seeded per respondent like the conjoint,
//! so a respondent's survey is the same wherever it is rendered.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::sampling::{below, stream, DesignRng};
use crate::study::{AnswerOption, OptionOrder, Question, QuestionKind, Survey};

/// Survey streams sit apart from the conjoint's respondent streams and the power simulation's.
const SURVEY_STREAM: u64 = 1 << 40;

/// A question as one respondent sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ShownQuestion {
    pub id: String,
    /// The text with `{{Q}}` and `{{persona.field}}` filled in where the values are known.
    pub text: String,
    /// Options (or scale points, or matrix items) in the order shown, as (code, label).
    pub options: Vec<(String, String)>,
    /// Why the question may be skipped, e.g. `shown if party is one of D, R`.
    pub condition: Option<String>,
    /// False when a known earlier answer rules the question out.
    pub shown: bool,
}

fn shuffle<T>(items: &mut [T], rng: &mut DesignRng) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i as u32 + 1) as usize;
        items.swap(i, j);
    }
}

/// Reorders the free options, leaving anchored ones at their listed positions.
fn arrange(
    options: &[AnswerOption],
    order: OptionOrder,
    rng: &mut DesignRng,
) -> Vec<(String, String)> {
    let mut free: Vec<&AnswerOption> = options.iter().filter(|o| !o.anchored).collect();
    match order {
        OptionOrder::Fixed => {}
        OptionOrder::Shuffle => shuffle(&mut free, rng),
        OptionOrder::Reverse => {
            if below(rng, 2) == 1 {
                free.reverse();
            }
        }
    }
    let mut free = free.into_iter();
    options
        .iter()
        .map(|o| {
            if o.anchored {
                o
            } else {
                free.next().unwrap_or(o)
            }
        })
        .map(|o| (o.code.clone(), o.label.clone()))
        .collect()
}

fn pipe(
    text: &str,
    answers: &HashMap<String, String>,
    persona: &HashMap<String, String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        let value = match name.strip_prefix("persona.") {
            Some(field) => persona.get(field),
            None => answers.get(name),
        };
        match value {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The order in which questions are asked: unblocked questions first as listed, then the blocks
/// (shuffled when the survey says so).
fn question_order<'a>(survey: &'a Survey, rng: &mut DesignRng) -> Vec<&'a Question> {
    let by_id: HashMap<&str, &Question> = survey
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q))
        .collect();
    let in_blocks: Vec<&str> = survey
        .blocks
        .iter()
        .flat_map(|b| b.questions.iter().map(String::as_str))
        .collect();
    let mut blocks: Vec<_> = survey.blocks.iter().collect();
    if survey.randomise_block_order {
        shuffle(&mut blocks, rng);
    }
    survey
        .questions
        .iter()
        .filter(|q| !in_blocks.contains(&q.id.as_str()))
        .chain(blocks.into_iter().flat_map(|b| {
            b.questions
                .iter()
                .filter_map(|id| by_id.get(id.as_str()).copied())
        }))
        .collect()
}

/// Respondent `respondent`'s survey. `answers` (question id → code) decides display conditions and
/// piping where known; `persona` fills `{{persona.field}}`.
pub fn survey_for_respondent(
    survey: &Survey,
    respondent: u32,
    seed: u64,
    answers: &HashMap<String, String>,
    persona: &HashMap<String, String>,
) -> Vec<ShownQuestion> {
    let mut rng = stream(seed, SURVEY_STREAM + u64::from(respondent));
    let labels: HashMap<(&str, &str), &str> = survey
        .questions
        .iter()
        .flat_map(|q| {
            q.answer
                .options()
                .unwrap_or(&[])
                .iter()
                .map(move |o| ((q.id.as_str(), o.code.as_str()), o.label.as_str()))
        })
        .collect();
    let answer_labels: HashMap<String, String> = answers
        .iter()
        .map(|(q, code)| {
            (
                q.clone(),
                labels
                    .get(&(q.as_str(), code.as_str()))
                    .map_or_else(|| code.clone(), |l| (*l).to_string()),
            )
        })
        .collect();
    question_order(survey, &mut rng)
        .into_iter()
        .map(|question| {
            let options = match &question.answer {
                QuestionKind::SingleChoice { options }
                | QuestionKind::MultipleChoice { options, .. }
                | QuestionKind::Ranking { options } => {
                    arrange(options, question.option_order, &mut rng)
                }
                QuestionKind::Scale {
                    labels,
                    first_value,
                } => {
                    let points: Vec<AnswerOption> = labels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| AnswerOption {
                            code: (*first_value as usize + i).to_string(),
                            label: l.clone(),
                            anchored: false,
                        })
                        .collect();
                    arrange(&points, question.option_order, &mut rng)
                }
                QuestionKind::Matrix { items, .. } => items
                    .iter()
                    .map(|i| (i.id.clone(), i.text.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let (condition, shown) = match &question.display_if {
                None => (None, true),
                Some(c) => {
                    let shown = answers
                        .get(&c.question)
                        .is_none_or(|a| c.any_of.contains(a));
                    (
                        Some(format!(
                            "shown if {} is one of {}",
                            c.question,
                            c.any_of.join(", ")
                        )),
                        shown,
                    )
                }
            };
            ShownQuestion {
                id: question.id.clone(),
                text: pipe(&question.text, &answer_labels, persona),
                options,
                condition,
                shown,
            }
        })
        .collect()
}

//! What one respondent's survey looks like: block order, answer order (shuffled or reversed, anchored
//! options kept in place), display conditions and piped text. Seeded per respondent like the conjoint,
//! so a respondent's survey is the same wherever it is rendered.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::sampling::{below, stream, DesignRng};
use super::survey_flow::{evaluate, pipe, AnswerState, RespondentProgram, Truth};
use crate::study::{AnswerOption, OptionOrder, Question, QuestionKind, Survey};

/// Survey streams sit apart from the conjoint's respondent streams and the power simulation's.
const SURVEY_STREAM: u64 = 1 << 40;

fn shuffle<T>(items: &mut [T], rng: &mut DesignRng) {
    super::survey_flow::shuffle_in(items, rng);
}

/// A question as one respondent sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ShownQuestion {
    pub id: String,
    /// The text with `{{Q}}` and `{{persona.field}}` filled in where the values are known.
    pub text: String,
    /// Options (or scale points, or matrix items, or sliders) in the order shown, as
    /// (code, label).
    pub options: Vec<(String, String)>,
    /// A matrix's scale points in the order shown, as (code, label).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scale: Vec<(String, String)>,
    /// Why the question may be skipped, e.g. `shown if party is one of D, R`.
    pub condition: Option<String>,
    /// False when a known earlier answer rules the question out.
    pub shown: bool,
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

/// How one question's answers are laid out for one respondent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Options, scale points, matrix items or sliders in the order shown, as (code, label).
    pub options: Vec<(String, String)>,
    /// A matrix's scale points in the order shown.
    pub scale: Vec<(String, String)>,
}

/// A respondent's survey: the program to walk and each question's layout (drawn in program
/// order from the respondent's stream, after the flow's own draws).
pub struct RespondentSurvey<'a> {
    pub program: RespondentProgram<'a>,
    /// By question index; `None` for questions the program never reaches.
    pub layouts: Vec<Option<Layout>>,
}

fn points(labels: &[String], first: usize) -> Vec<AnswerOption> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| AnswerOption {
            code: (first + i).to_string(),
            label: l.clone(),
            anchored: false,
            exclusive: false,
        })
        .collect()
}

fn layout(question: &Question, rng: &mut DesignRng) -> Layout {
    match &question.answer {
        QuestionKind::Scale {
            labels,
            first_value,
        } => Layout {
            options: arrange(
                &points(labels, *first_value as usize),
                question.option_order,
                rng,
            ),
            scale: Vec::new(),
        },
        QuestionKind::Matrix { items, scale, .. } => {
            let rows: Vec<AnswerOption> = items
                .iter()
                .map(|i| AnswerOption {
                    code: i.id.clone(),
                    label: i.text.clone(),
                    anchored: false,
                    exclusive: false,
                })
                .collect();
            let mut scale = points(scale, 1);
            // Shuffle moves the rows; reverse flips the scale's direction for half the
            // respondents (the rows keep their order).
            let options = match question.option_order {
                OptionOrder::Shuffle => arrange(&rows, OptionOrder::Shuffle, rng),
                _ => arrange(&rows, OptionOrder::Fixed, rng),
            };
            if question.option_order == OptionOrder::Reverse && below(rng, 2) == 1 {
                scale.reverse();
            }
            Layout {
                options,
                scale: scale.into_iter().map(|o| (o.code, o.label)).collect(),
            }
        }
        QuestionKind::Slider { items, .. } => Layout {
            options: items
                .iter()
                .map(|i| (i.id.clone(), i.text.clone()))
                .collect(),
            scale: Vec::new(),
        },
        kind => Layout {
            options: kind
                .options()
                .map(|o| arrange(o, question.option_order, rng))
                .unwrap_or_default(),
            scale: Vec::new(),
        },
    }
}

/// Respondent `respondent`'s survey under `seed`.
pub fn respondent_survey(survey: &Survey, respondent: u32, seed: u64) -> RespondentSurvey<'_> {
    let mut rng = stream(seed, SURVEY_STREAM + u64::from(respondent));
    let program = RespondentProgram::build(survey, respondent, seed, &mut rng);
    let mut layouts = vec![None; survey.questions.len()];
    for q in program.questions() {
        layouts[q] = Some(layout(&survey.questions[q], &mut rng));
    }
    RespondentSurvey { program, layouts }
}

/// The text an answer pipes as: the labels of the chosen codes (joined with ", "), or the
/// value as written.
pub fn piped_answer(question: &Question, value: &str) -> String {
    let label_of = |code: &str| -> String {
        match &question.answer {
            QuestionKind::Scale {
                labels,
                first_value,
            } => code
                .parse::<usize>()
                .ok()
                .and_then(|c| c.checked_sub(*first_value as usize))
                .and_then(|i| labels.get(i))
                .cloned()
                .unwrap_or_else(|| code.to_string()),
            kind => kind
                .options()
                .and_then(|o| o.iter().find(|o| o.code == code))
                .map_or_else(|| code.to_string(), |o| o.label.clone()),
        }
    };
    match &question.answer {
        QuestionKind::MultipleChoice { .. } | QuestionKind::Ranking { .. } => {
            super::survey_flow::split_list(value)
                .into_iter()
                .map(label_of)
                .collect::<Vec<_>>()
                .join(", ")
        }
        QuestionKind::SingleChoice { .. }
        | QuestionKind::Dropdown { .. }
        | QuestionKind::Scale { .. } => label_of(value),
        _ => value.to_string(),
    }
}

/// Respondent `respondent`'s survey as the Design tab previews it. `answers` (question id →
/// answer) decides display conditions and piping where known; a condition on an answer not
/// given leaves the question shown (it may be); `persona` fills `{{persona.field}}`.
pub fn survey_for_respondent(
    survey: &Survey,
    respondent: u32,
    seed: u64,
    answers: &HashMap<String, String>,
    persona: &HashMap<String, String>,
) -> Vec<ShownQuestion> {
    let shown = respondent_survey(survey, respondent, seed);
    let by_id: HashMap<&str, &Question> = survey
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q))
        .collect();
    let answer = |id: &str| match answers.get(id) {
        Some(value) => AnswerState::Answered(value.as_str()),
        None => AnswerState::Pending,
    };
    let kind = |id: &str| by_id.get(id).map(|q| &q.answer);
    let lookup = |name: &str| -> Option<String> {
        if let Some(field) = name.strip_prefix("persona.") {
            return persona.get(field).cloned();
        }
        let question = by_id.get(name)?;
        answers.get(name).map(|v| piped_answer(question, v))
    };
    let none = HashMap::new();
    shown
        .program
        .questions()
        .into_iter()
        .map(|q| {
            let question = &survey.questions[q];
            let layout = shown.layouts[q].clone().unwrap_or_default();
            let (condition, visible) = match &question.display_if {
                None => (None, true),
                Some(c) => (
                    Some(format!("shown if {c}")),
                    evaluate(c, &answer, &kind, persona, &none) != Truth::False,
                ),
            };
            ShownQuestion {
                id: question.id.clone(),
                text: pipe(&question.text, &lookup),
                options: layout.options,
                scale: layout.scale,
                condition,
                shown: visible,
            }
        })
        .collect()
}

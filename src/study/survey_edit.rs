//! Edits to the survey in the designer: adding questions, changing their type, editing options as
//! lines of text, anchoring, display conditions. Codes stay stable when labels are only reworded, so
//! answers already collected keep their meaning.

use super::model::{
    AnswerOption, DisplayCondition, MatrixItem, Question, QuestionKind, Study, Survey,
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SurveyEditError {
    #[error("no question number {0}")]
    NoQuestion(usize),
    #[error("{0:?} is not a question type (single_choice, multiple_choice, scale, numeric, free_text, ranking, matrix)")]
    UnknownType(String),
    #[error("a question id must be letters, digits or _ and start with a letter; got {0:?}")]
    BadId(String),
    #[error("another question already has the id {0:?}")]
    DuplicateId(String),
    #[error("a question can only depend on a choice question asked before it")]
    BadCondition,
    #[error("{0:?} is the only question the twins are asked (fielding.ask_only); build the twins with other target questions before deleting it")]
    LastTwinQuestion(String),
}

/// The question types, in the order the designer offers them.
pub const QUESTION_TYPES: &[(&str, &str)] = &[
    ("single_choice", "Single choice"),
    ("multiple_choice", "Multiple choice (select all)"),
    ("scale", "Scale / Likert"),
    ("numeric", "Number"),
    ("free_text", "Free text"),
    ("ranking", "Ranking"),
    ("matrix", "Matrix (items on one scale)"),
];

fn options(labels: &[&str]) -> Vec<AnswerOption> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| AnswerOption {
            code: (i + 1).to_string(),
            label: (*label).to_string(),
            anchored: false,
            exclusive: false,
        })
        .collect()
}

fn agreement_scale() -> Vec<String> {
    [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    .map(String::from)
    .to_vec()
}

/// A new question of the given type with placeholder content, so the study stays valid.
pub fn blank_kind(type_name: &str) -> Result<QuestionKind, SurveyEditError> {
    Ok(match type_name {
        "single_choice" => QuestionKind::SingleChoice {
            options: options(&["Yes", "No"]),
        },
        "multiple_choice" => QuestionKind::MultipleChoice {
            options: options(&["Option 1", "Option 2", "None of these"]),
            min_selected: None,
            max_selected: None,
        },
        "scale" => QuestionKind::Scale {
            labels: agreement_scale(),
            first_value: 1,
        },
        "numeric" => QuestionKind::Numeric {
            min: None,
            max: None,
            integer: false,
        },
        "free_text" => QuestionKind::FreeText { max_length: None },
        "ranking" => QuestionKind::Ranking {
            options: options(&["Option 1", "Option 2", "Option 3"]),
            top_k: None,
        },
        "matrix" => QuestionKind::Matrix {
            items: vec![
                MatrixItem {
                    id: "a".into(),
                    text: "Statement A".into(),
                },
                MatrixItem {
                    id: "b".into(),
                    text: "Statement B".into(),
                },
            ],
            scale: agreement_scale(),
            ask: Default::default(),
        },
        other => return Err(SurveyEditError::UnknownType(other.to_string())),
    })
}

/// Appends a question with the next free id (`Q1`, `Q2`, …).
pub fn add_question(survey: &mut Survey, type_name: &str) -> Result<(), SurveyEditError> {
    let answer = blank_kind(type_name)?;
    let id = (survey.questions.len() + 1..)
        .map(|n| format!("Q{n}"))
        .find(|id| !survey.questions.iter().any(|q| &q.id == id))
        .unwrap_or_default();
    survey.questions.push(Question {
        id,
        text: "New question".into(),
        answer,
        option_order: Default::default(),
        display_if: None,
        skip: Vec::new(),
        required: false,
    });
    Ok(())
}

fn question_mut(survey: &mut Survey, index: usize) -> Result<&mut Question, SurveyEditError> {
    survey
        .questions
        .get_mut(index)
        .ok_or(SurveyEditError::NoQuestion(index))
}

/// Changes a question's id and every reference to it: display conditions, blocks and the questions
/// the twins are asked (`fielding.ask_only`).
pub fn set_id(study: &mut Study, index: usize, id: &str) -> Result<(), SurveyEditError> {
    let id = id.trim();
    let valid = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(SurveyEditError::BadId(id.to_string()));
    }
    let survey = &mut study.survey;
    if survey
        .questions
        .iter()
        .enumerate()
        .any(|(i, q)| i != index && q.id == id)
    {
        return Err(SurveyEditError::DuplicateId(id.to_string()));
    }
    let old = std::mem::replace(&mut question_mut(survey, index)?.id, id.to_string());
    for question in &mut survey.questions {
        for condition in question
            .display_if
            .iter_mut()
            .chain(question.skip.iter_mut().map(|rule| &mut rule.condition))
        {
            condition.rename_question(&old, id);
        }
    }
    let members = survey
        .blocks
        .iter_mut()
        .flat_map(|b| b.questions.iter_mut());
    for member in members.chain(study.fielding.ask_only.iter_mut()) {
        if *member == old {
            *member = id.to_string();
        }
    }
    Ok(())
}

/// Changes the answer type, keeping the options where both types have them.
pub fn set_type(survey: &mut Survey, index: usize, type_name: &str) -> Result<(), SurveyEditError> {
    let mut answer = blank_kind(type_name)?;
    let question = question_mut(survey, index)?;
    if let Some(old) = question.answer.options().map(<[AnswerOption]>::to_vec) {
        match &mut answer {
            QuestionKind::SingleChoice { options }
            | QuestionKind::MultipleChoice { options, .. }
            | QuestionKind::Ranking { options, .. } => *options = old,
            QuestionKind::Scale { labels, .. } => {
                *labels = old.into_iter().map(|o| o.label).collect()
            }
            _ => {}
        }
    }
    question.answer = answer;
    Ok(())
}

/// Replaces the options (or scale labels, or matrix items) with one per non-empty line. A reworded
/// option keeps its code when it stays in the same place; new options get fresh codes.
pub fn set_lines(survey: &mut Survey, index: usize, text: &str) -> Result<(), SurveyEditError> {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let question = question_mut(survey, index)?;
    match &mut question.answer {
        QuestionKind::SingleChoice { options }
        | QuestionKind::MultipleChoice { options, .. }
        | QuestionKind::Ranking { options, .. } => {
            let mut next = options
                .iter()
                .filter_map(|o| o.code.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
                + 1;
            let old = std::mem::take(options);
            for (i, label) in lines.into_iter().enumerate() {
                let kept = old.iter().find(|o| o.label == label).or_else(|| old.get(i));
                let (code, anchored) = match kept {
                    Some(o) if !options.iter().any(|x: &AnswerOption| x.code == o.code) => {
                        (o.code.clone(), o.anchored)
                    }
                    _ => {
                        next += 1;
                        ((next - 1).to_string(), false)
                    }
                };
                options.push(AnswerOption {
                    code,
                    label,
                    anchored,
                    exclusive: false,
                });
            }
        }
        QuestionKind::Scale { labels, .. } => *labels = lines,
        QuestionKind::Matrix { items, .. } => {
            *items = lines
                .into_iter()
                .enumerate()
                .map(|(i, text)| MatrixItem {
                    id: format!("{}", (b'a' + (i % 26) as u8) as char).repeat(1 + i / 26),
                    text,
                })
                .collect();
        }
        _ => {}
    }
    Ok(())
}

/// Anchors (or frees) an option so it keeps its place when the others are shuffled.
pub fn set_anchored(
    survey: &mut Survey,
    index: usize,
    code: &str,
    anchored: bool,
) -> Result<(), SurveyEditError> {
    let question = question_mut(survey, index)?;
    if let QuestionKind::SingleChoice { options }
    | QuestionKind::MultipleChoice { options, .. }
    | QuestionKind::Ranking { options, .. } = &mut question.answer
    {
        for option in options.iter_mut().filter(|o| o.code == code) {
            option.anchored = anchored;
        }
    }
    Ok(())
}

/// Shows question `index` only when question `on` (asked earlier, with options) was answered with one
/// of `codes`; `None` removes the condition.
pub fn set_condition(
    survey: &mut Survey,
    index: usize,
    condition: Option<(usize, Vec<String>)>,
) -> Result<(), SurveyEditError> {
    let display_if = match condition {
        None => None,
        Some((on, codes)) => {
            let earlier = survey
                .questions
                .get(on)
                .filter(|_| on < index)
                .ok_or(SurveyEditError::BadCondition)?;
            if earlier.answer.options().is_none() || codes.is_empty() {
                return Err(SurveyEditError::BadCondition);
            }
            Some(DisplayCondition::answer_is(&earlier.id, codes))
        }
    };
    question_mut(survey, index)?.display_if = display_if;
    Ok(())
}

/// Removes a question and the conditions that depended on it; it leaves the blocks and the questions
/// the twins are asked. The twins' only question is refused: with none left they would be asked
/// every question, including those their personas answer.
pub fn remove_question(study: &mut Study, index: usize) -> Result<(), SurveyEditError> {
    let removed = study
        .survey
        .questions
        .get(index)
        .ok_or(SurveyEditError::NoQuestion(index))?
        .id
        .clone();
    let ask_only = &mut study.fielding.ask_only;
    if !ask_only.is_empty() && ask_only.iter().all(|q| *q == removed) {
        return Err(SurveyEditError::LastTwinQuestion(removed));
    }
    ask_only.retain(|q| *q != removed);
    let survey = &mut study.survey;
    survey.questions.remove(index);
    for question in &mut survey.questions {
        if question
            .display_if
            .as_ref()
            .is_some_and(|c| c.questions().contains(&removed.as_str()))
        {
            question.display_if = None;
        }
        question
            .skip
            .retain(|rule| !rule.condition.questions().contains(&removed.as_str()));
    }
    for block in &mut survey.blocks {
        block.questions.retain(|q| *q != removed);
    }
    Ok(())
}

/// The lines the designer shows for a question's options, labels or items.
pub fn lines_of(answer: &QuestionKind) -> Option<String> {
    match answer {
        QuestionKind::SingleChoice { options }
        | QuestionKind::MultipleChoice { options, .. }
        | QuestionKind::Ranking { options, .. } => Some(
            options
                .iter()
                .map(|o| o.label.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        QuestionKind::Scale { labels, .. } => Some(labels.join("\n")),
        QuestionKind::Matrix { items, .. } => Some(
            items
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

//! Whether a display condition (or a branch's, or a skip rule's) holds for one respondent.

use std::collections::HashMap;

use super::answer::{split_items, split_list, AnswerState};
use crate::study::{AnswerCondition, DisplayCondition, QuestionKind};

/// Three-valued: a condition on an answer still pending is not known yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn from_bool(b: bool) -> Self {
        if b {
            Self::True
        } else {
            Self::False
        }
    }
}

/// Evaluates `condition`. `answer(question)` tells what is known of a question's answer,
/// `kind(question)` its type (how its answer is written), `persona` and `embedded` the fields.
/// As in Qualtrics, a test of a question without an answer is false (so `not` of it is true).
pub fn evaluate<'a>(
    condition: &DisplayCondition,
    answer: &dyn Fn(&str) -> AnswerState<'a>,
    kind: &dyn Fn(&str) -> Option<&'a QuestionKind>,
    persona: &HashMap<String, String>,
    embedded: &HashMap<String, String>,
) -> Truth {
    match condition {
        DisplayCondition::Answer(a) => match answer(&a.question) {
            AnswerState::Pending => Truth::Unknown,
            AnswerState::NoAnswer => Truth::False,
            AnswerState::Answered(value) => {
                Truth::from_bool(answer_holds(a, value, kind(&a.question)))
            }
        },
        DisplayCondition::Persona(p) => Truth::from_bool(
            persona
                .get(&p.persona)
                .is_some_and(|v| p.any_of.iter().any(|a| a == v)),
        ),
        DisplayCondition::Embedded(e) => Truth::from_bool(
            embedded
                .get(&e.embedded)
                .is_some_and(|v| e.any_of.iter().any(|a| a == v)),
        ),
        DisplayCondition::All { all } => {
            let mut truth = Truth::True;
            for c in all {
                match evaluate(c, answer, kind, persona, embedded) {
                    // One false part decides, whatever the pending ones say.
                    Truth::False => return Truth::False,
                    Truth::Unknown => truth = Truth::Unknown,
                    Truth::True => {}
                }
            }
            truth
        }
        DisplayCondition::Any { any } => {
            let mut truth = Truth::False;
            for c in any {
                match evaluate(c, answer, kind, persona, embedded) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => truth = Truth::Unknown,
                    Truth::False => {}
                }
            }
            truth
        }
        DisplayCondition::Not { not } => match evaluate(not, answer, kind, persona, embedded) {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        },
    }
}

fn answer_holds(condition: &AnswerCondition, value: &str, kind: Option<&QuestionKind>) -> bool {
    // The part of the answer the condition tests: an item's value, or the whole answer.
    let part: Option<&str> = match &condition.item {
        Some(item) => split_items(value)
            .into_iter()
            .find(|(i, _)| i == item)
            .map(|(_, v)| v)
            // A matrix asked item by item stores each item's answer on its own.
            .or(Some(value).filter(|_| !value.contains('='))),
        None => Some(value),
    };
    let Some(part) = part else {
        return false;
    };
    if let (Some(op), Some(target)) = (condition.op, condition.value) {
        return part
            .trim()
            .parse::<f64>()
            .is_ok_and(|x| op.holds(x, target));
    }
    let listed = matches!(
        kind,
        Some(QuestionKind::MultipleChoice { .. } | QuestionKind::Ranking { .. })
    );
    if listed && condition.item.is_none() {
        split_list(part)
            .iter()
            .any(|code| condition.any_of.iter().any(|a| a == code))
    } else {
        condition.any_of.iter().any(|a| a == part.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{AnswerOption, CompareOp};

    fn multi() -> QuestionKind {
        QuestionKind::MultipleChoice {
            options: vec![
                AnswerOption {
                    code: "1".into(),
                    label: "a".into(),
                    anchored: false,
                    exclusive: false,
                },
                AnswerOption {
                    code: "2".into(),
                    label: "b".into(),
                    anchored: false,
                    exclusive: false,
                },
            ],
            min_selected: None,
            max_selected: None,
        }
    }

    fn eval(condition: &DisplayCondition, answers: &[(&str, AnswerState<'static>)]) -> Truth {
        let kinds: &'static QuestionKind = Box::leak(Box::new(multi()));
        let answers: Vec<(String, AnswerState<'static>)> =
            answers.iter().map(|(q, a)| (q.to_string(), *a)).collect();
        evaluate(
            condition,
            &|q| {
                answers
                    .iter()
                    .find(|(id, _)| id == q)
                    .map_or(AnswerState::NoAnswer, |(_, a)| *a)
            },
            &|q| (q == "M").then_some(kinds),
            &HashMap::new(),
            &HashMap::new(),
        )
    }

    #[test]
    fn and_or_not_over_pending_and_settled_answers() {
        let yes = DisplayCondition::answer_is("Q1", vec!["1".into()]);
        let m2 = DisplayCondition::answer_is("M", vec!["2".into()]);
        assert_eq!(
            eval(&yes, &[("Q1", AnswerState::Answered("1"))]),
            Truth::True
        );
        assert_eq!(
            eval(&yes, &[("Q1", AnswerState::Answered("2"))]),
            Truth::False
        );
        assert_eq!(eval(&yes, &[("Q1", AnswerState::Pending)]), Truth::Unknown);
        assert_eq!(eval(&yes, &[]), Truth::False);
        let not = DisplayCondition::Not {
            not: Box::new(yes.clone()),
        };
        assert_eq!(eval(&not, &[]), Truth::True);
        let all = DisplayCondition::All {
            all: vec![yes.clone(), m2.clone()],
        };
        // A false part decides even while another is pending.
        assert_eq!(
            eval(
                &all,
                &[
                    ("Q1", AnswerState::Pending),
                    ("M", AnswerState::Answered("1"))
                ]
            ),
            Truth::False
        );
        assert_eq!(
            eval(
                &all,
                &[
                    ("Q1", AnswerState::Answered("1")),
                    ("M", AnswerState::Answered("1;2"))
                ]
            ),
            Truth::True
        );
        let any = DisplayCondition::Any { any: vec![yes, m2] };
        assert_eq!(
            eval(
                &any,
                &[
                    ("Q1", AnswerState::Pending),
                    ("M", AnswerState::Answered("2"))
                ]
            ),
            Truth::True
        );
    }

    #[test]
    fn numbers_compare_and_items_are_read_from_item_answers() {
        let over = DisplayCondition::Answer(AnswerCondition {
            question: "S".into(),
            item: Some("x".into()),
            any_of: Vec::new(),
            op: Some(CompareOp::Gt),
            value: Some(50.0),
        });
        assert_eq!(
            eval(&over, &[("S", AnswerState::Answered("x=60;y=40"))]),
            Truth::True
        );
        assert_eq!(
            eval(&over, &[("S", AnswerState::Answered("x=40;y=60"))]),
            Truth::False
        );
        assert_eq!(
            eval(&over, &[("S", AnswerState::Answered("x=abc"))]),
            Truth::False
        );
    }
}

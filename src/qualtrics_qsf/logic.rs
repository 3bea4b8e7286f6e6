//! Qualtrics logic (`DisplayLogic`, a flow `Branch`'s `BranchLogic`, `SkipLogic`) → a
//! [`DisplayCondition`].
//!
//! Qualtrics writes logic as condition sets keyed "0", "1", …, each holding expressions keyed the
//! same way; every expression after the first carries `Conjuction` (sic) "And"/"Or", and every set
//! after the first a `Type` "And"/"Or". Qualtrics evaluates `And` before `Or`, so a run of
//! expressions joined by `And` is one `all`, and the runs are joined by `any`.

use std::collections::HashMap;

use serde_json::Value;

use super::envelope::{as_list, as_number, as_text};
use crate::study::{AnswerCondition, CompareOp, DisplayCondition, EmbeddedCondition};

/// What logic needs to know about each question: its id in the study and its choices' codes.
#[derive(Clone, Debug, Default)]
pub struct QuestionCodes {
    pub tag: String,
    /// Choice id → option code (or matrix/slider item id).
    pub choices: HashMap<String, String>,
    /// Matrix: answer id → its scale value (1, 2, …).
    pub answers: HashMap<String, f64>,
    /// Whether choice ids name items (matrix, slider, constant sum) rather than options.
    pub choices_are_items: bool,
}

pub type Codes = HashMap<String, QuestionCodes>;

/// Joins `(conjunction, condition)` pairs with `And` before `Or`.
fn join(parts: Vec<(bool, DisplayCondition)>) -> Option<DisplayCondition> {
    let mut runs: Vec<Vec<DisplayCondition>> = Vec::new();
    for (is_or, condition) in parts {
        match runs.last_mut() {
            Some(run) if !is_or => run.push(condition),
            _ => runs.push(vec![condition]),
        }
    }
    let mut anded: Vec<DisplayCondition> = runs
        .into_iter()
        .map(|mut run| {
            if run.len() == 1 {
                run.remove(0)
            } else {
                DisplayCondition::All { all: run }
            }
        })
        .collect();
    match anded.len() {
        0 => None,
        1 => Some(anded.remove(0)),
        _ => Some(DisplayCondition::Any { any: anded }),
    }
}

fn is_or(value: Option<&Value>) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("or"))
}

/// Reads a logic object. `Err` names the first expression that could not be read and why.
pub fn read_logic(logic: &Value, codes: &Codes) -> Result<DisplayCondition, String> {
    let mut sets = Vec::new();
    for (s, set) in as_list(logic).into_iter().enumerate() {
        let mut parts = Vec::new();
        for (e, expression) in as_list(set).into_iter().enumerate() {
            let condition = read_expression(expression, codes)
                .map_err(|r| format!("condition {s}.{e}: {r}"))?;
            let conjunction = expression
                .get("Conjuction")
                .or_else(|| expression.get("Conjunction"));
            parts.push((e > 0 && is_or(conjunction), condition));
        }
        if let Some(condition) = join(parts) {
            sets.push((s > 0 && is_or(set.get("Type")), condition));
        }
    }
    join(sets).ok_or_else(|| "the logic has no conditions".to_string())
}

fn compare_op(operator: &str) -> Option<CompareOp> {
    Some(match operator {
        "EqualTo" => CompareOp::Eq,
        "NotEqualTo" => CompareOp::Ne,
        "GreaterThan" => CompareOp::Gt,
        "GreaterThanOrEqual" => CompareOp::Ge,
        "LessThan" => CompareOp::Lt,
        "LessThanOrEqual" => CompareOp::Le,
        _ => return None,
    })
}

fn negate(condition: DisplayCondition) -> DisplayCondition {
    DisplayCondition::Not {
        not: Box::new(condition),
    }
}

fn read_expression(e: &Value, codes: &Codes) -> Result<DisplayCondition, String> {
    let operator = e
        .get("Operator")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match e
        .get("LogicType")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "Question" => read_question_expression(e, operator, codes),
        "EmbeddedField" => {
            let field = e
                .get("LeftOperand")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim_start_matches("e://Field/")
                .to_string();
            let value = e.get("RightOperand").and_then(as_text).unwrap_or_default();
            let condition = DisplayCondition::Embedded(EmbeddedCondition {
                embedded: field,
                any_of: vec![value],
            });
            match operator {
                "EqualTo" => Ok(condition),
                "NotEqualTo" => Ok(negate(condition)),
                other => Err(format!(
                    "embedded data compared with {other:?}; silico tests embedded data for equality only"
                )),
            }
        }
        other => Err(format!("logic of type {other:?} is not supported")),
    }
}

/// `q://QID5/SelectableChoice/2`, `q://QID5/SelectableAnswer/1/3` (matrix row 1, answer 3),
/// `q://QID5/ChoiceNumericEntryValue/1`, `q://QID5/ChoiceTextEntryValue`.
fn read_question_expression(
    e: &Value,
    operator: &str,
    codes: &Codes,
) -> Result<DisplayCondition, String> {
    let locator = e
        .get("ChoiceLocator")
        .or_else(|| e.get("LeftOperand"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let path: Vec<&str> = locator.trim_start_matches("q://").split('/').collect();
    let qid = e
        .get("QuestionID")
        .and_then(Value::as_str)
        .or_else(|| path.first().copied())
        .unwrap_or_default();
    let Some(question) = codes.get(qid) else {
        // Kept, naming the missing question, so validation reports the path instead of the
        // question silently being shown to everyone.
        let choice = path.get(2).map(|c| c.to_string()).unwrap_or_default();
        let condition = DisplayCondition::answer_is(qid, vec![choice]);
        return Ok(if operator == "NotSelected" {
            negate(condition)
        } else {
            condition
        });
    };
    let what = path.get(1).copied().unwrap_or_default();
    let choice = path.get(2).copied();
    let answer = |any_of: Vec<String>, item: Option<String>| AnswerCondition {
        question: question.tag.clone(),
        item,
        any_of,
        op: None,
        value: None,
    };
    match (what, operator) {
        ("SelectableChoice", "Selected" | "NotSelected") if !question.choices_are_items => {
            let id = choice.unwrap_or_default();
            let Some(code) = question.choices.get(id) else {
                return Err(format!("{qid} has no choice {id:?}"));
            };
            let condition = DisplayCondition::Answer(answer(vec![code.clone()], None));
            Ok(if operator == "Selected" {
                condition
            } else {
                negate(condition)
            })
        }
        ("SelectableAnswer", "Selected" | "NotSelected") => {
            // Matrix: row `choice`, scale point `path[3]`.
            let row = choice.unwrap_or_default();
            let point = path.get(3).copied().unwrap_or_default();
            let (Some(item), Some(value)) = (question.choices.get(row), question.answers.get(point))
            else {
                return Err(format!("{qid} has no row {row:?} with answer {point:?}"));
            };
            let condition = DisplayCondition::Answer(AnswerCondition {
                op: Some(CompareOp::Eq),
                value: Some(*value),
                ..answer(Vec::new(), Some(item.clone()))
            });
            Ok(if operator == "Selected" {
                condition
            } else {
                negate(condition)
            })
        }
        ("ChoiceNumericEntryValue" | "ChoiceTextEntryValue" | "SelectableChoice", op) => {
            let Some(op) = compare_op(op) else {
                return Err(format!("operator {operator:?} is not supported"));
            };
            let Some(value) = as_number(e.get("RightOperand")) else {
                return Err(format!(
                    "compares {qid} with {:?}, which is not a number",
                    e.get("RightOperand").and_then(as_text).unwrap_or_default()
                ));
            };
            let item = match choice {
                Some(id) if question.choices_are_items => question.choices.get(id).cloned(),
                _ => None,
            };
            Ok(DisplayCondition::Answer(AnswerCondition {
                op: Some(op),
                value: Some(value),
                ..answer(Vec::new(), item)
            }))
        }
        _ => Err(format!(
            "{operator:?} on {locator:?} is not supported (silico tests selected choices and numbers)"
        )),
    }
}

//! A [`DisplayCondition`] → Qualtrics logic. Qualtrics logic is two levels deep (sets of
//! expressions), so a condition is written as an `or` of `and`s of simple tests; what does not fit
//! (an `or` inside an `and`, `not` of a compound) is returned as a reason for a note.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::study::{AnswerCondition, CompareOp, DisplayCondition};

/// Study question id → (QID, option code → choice id, item id → choice id).
pub type Ids = HashMap<String, (String, HashMap<String, String>)>;

fn op_name(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "EqualTo",
        CompareOp::Ne => "NotEqualTo",
        CompareOp::Gt => "GreaterThan",
        CompareOp::Ge => "GreaterThanOrEqual",
        CompareOp::Lt => "LessThan",
        CompareOp::Le => "LessThanOrEqual",
    }
}

/// Simple tests, each one Qualtrics expression; an `any_of` of several codes is an `or` of them.
fn simple(c: &DisplayCondition, negated: bool, ids: &Ids) -> Result<Vec<Vec<Value>>, String> {
    match c {
        DisplayCondition::Answer(a) => answer(a, negated, ids),
        DisplayCondition::Embedded(e) => Ok(or_of(
            &e.any_of,
            negated,
            |v, neg| json!({"LogicType": "EmbeddedField", "LeftOperand": e.embedded, "Operator": if neg {"NotEqualTo"} else {"EqualTo"}, "RightOperand": v, "Type": "Expression"}),
        )),
        DisplayCondition::Persona(p) => Ok(or_of(
            &p.any_of,
            negated,
            |v, neg| json!({"LogicType": "EmbeddedField", "LeftOperand": p.persona, "Operator": if neg {"NotEqualTo"} else {"EqualTo"}, "RightOperand": v, "Type": "Expression"}),
        )),
        DisplayCondition::Not { not } => simple(not, !negated, ids),
        DisplayCondition::All { all } if !negated => and_of(all, ids),
        DisplayCondition::Any { any } if !negated => {
            let mut out = Vec::new();
            for c in any {
                out.extend(simple(c, false, ids)?);
            }
            Ok(out)
        }
        _ => Err("a negated all/any does not fit Qualtrics' two-level logic".into()),
    }
}

/// `any_of` as an `or` (negated: an `and` of "not").
fn or_of(
    values: &[String],
    negated: bool,
    mut make: impl FnMut(&str, bool) -> Value,
) -> Vec<Vec<Value>> {
    if negated {
        vec![values.iter().map(|v| make(v, true)).collect()]
    } else {
        values.iter().map(|v| vec![make(v, false)]).collect()
    }
}

fn and_of(list: &[DisplayCondition], ids: &Ids) -> Result<Vec<Vec<Value>>, String> {
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for c in list {
        let alternatives = simple(c, false, ids)?;
        if alternatives.len() > 1 && product.len() * alternatives.len() > 16 {
            return Err("too many alternatives to write as Qualtrics logic".into());
        }
        let mut next = Vec::new();
        for left in &product {
            for right in &alternatives {
                let mut joined = left.clone();
                joined.extend(right.iter().cloned());
                next.push(joined);
            }
        }
        product = next;
    }
    Ok(product)
}

fn answer(a: &AnswerCondition, negated: bool, ids: &Ids) -> Result<Vec<Vec<Value>>, String> {
    let Some((qid, choice_ids)) = ids.get(&a.question) else {
        return Err(format!("{:?} is not a question of the survey", a.question));
    };
    if let (Some(op), Some(value)) = (a.op, a.value) {
        let op = if negated { negated_op(op) } else { op };
        let item = a
            .item
            .as_ref()
            .and_then(|i| choice_ids.get(i))
            .cloned()
            .unwrap_or_else(|| "1".into());
        let locator = format!("q://{qid}/ChoiceNumericEntryValue/{item}");
        return Ok(vec![vec![
            json!({"LogicType": "Question", "QuestionID": qid, "QuestionIsInLoop": "no",
            "ChoiceLocator": locator, "LeftOperand": locator, "Operator": op_name(op), "RightOperand": value.to_string(), "Type": "Expression"}),
        ]]);
    }
    let mut missing = None;
    let out = or_of(&a.any_of, negated, |code, neg| {
        let id = choice_ids.get(code).cloned().unwrap_or_else(|| {
            missing = Some(code.to_string());
            code.to_string()
        });
        let locator = format!("q://{qid}/SelectableChoice/{id}");
        json!({"LogicType": "Question", "QuestionID": qid, "QuestionIsInLoop": "no", "ChoiceLocator": locator,
            "LeftOperand": locator, "Operator": if neg {"NotSelected"} else {"Selected"}, "Type": "Expression"})
    });
    match missing {
        Some(code) => Err(format!("{:?} has no option {code:?}", a.question)),
        None => Ok(out),
    }
}

fn negated_op(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
    }
}

/// The logic object: one set per `and` group, the sets joined by `Or`.
pub fn write_logic(condition: &DisplayCondition, ids: &Ids) -> Result<Value, String> {
    let groups = simple(condition, false, ids)?;
    let mut root = Map::new();
    for (g, group) in groups.into_iter().enumerate() {
        let mut set = Map::new();
        for (e, mut expression) in group.into_iter().enumerate() {
            if e > 0 {
                expression["Conjuction"] = json!("And");
            }
            set.insert(e.to_string(), expression);
        }
        set.insert("Type".into(), json!(if g == 0 { "If" } else { "Or" }));
        root.insert(g.to_string(), Value::Object(set));
    }
    root.insert("Type".into(), json!("BooleanExpression"));
    Ok(Value::Object(root))
}

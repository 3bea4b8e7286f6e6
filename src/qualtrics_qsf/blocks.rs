//! The `BL` element → blocks, and putting the survey together: questions in the order the flow
//! shows their blocks (the study's validation asks that logic test only earlier questions, and
//! `SurveyElements` are in no useful order), display and skip logic converted once every
//! question's codes are known.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::envelope::{as_list, Envelope};
use super::error::{Note, QsfError};
use super::logic::{read_logic, Codes};
use super::question::ReadQuestion;
use super::text::{html_to_text, Tags};
use crate::study::{Block, FlowElement, SkipRule, SkipTarget, Survey};

#[derive(Clone, Debug)]
pub struct ReadBlock {
    pub block: Block,
    /// The Qualtrics ids of its questions.
    pub qids: Vec<String>,
}

pub fn read(
    envelope: &Envelope,
    tags: &Tags,
    notes: &mut Vec<Note>,
) -> Result<Vec<ReadBlock>, QsfError> {
    let Some((index, payload)) = &envelope.blocks else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (b, block) in as_list(payload).into_iter().enumerate() {
        let Some(id) = block.get("ID").and_then(Value::as_str) else {
            return Err(QsfError::Element {
                index: *index,
                reason: format!("block {b} has no ID"),
            });
        };
        let kind = block
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let elements = block.get("BlockElements").map(as_list).unwrap_or_default();
        let qids: Vec<String> = elements
            .iter()
            .filter(|e| e.get("Type").and_then(Value::as_str) == Some("Question"))
            .filter_map(|e| {
                e.get("QuestionID")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect();
        if kind == "Trash" {
            for qid in &qids {
                notes.push(Note::new(
                    format!("question {qid}"),
                    "in the trash (unused questions): not imported",
                ));
            }
            continue;
        }
        let randomise = block
            .get("Options")
            .and_then(|o| o.get("RandomizeQuestions"))
            .is_some_and(|r| !matches!(r, Value::Bool(false)) && r.as_str() != Some("false"));
        let title = html_to_text(
            block
                .get("Description")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        out.push(ReadBlock {
            block: Block {
                id: id.to_string(),
                title,
                questions: qids.iter().filter_map(|q| tags.get(q).cloned()).collect(),
                randomise_questions: randomise,
            },
            qids,
        });
    }
    Ok(out)
}

/// Block ids in the order the flow first shows them.
fn flow_blocks(flow: &[FlowElement], out: &mut Vec<String>) {
    for element in flow {
        match element {
            FlowElement::Block { block } => out.push(block.clone()),
            FlowElement::Branch { flow, .. }
            | FlowElement::Randomizer { flow, .. }
            | FlowElement::Group { flow } => flow_blocks(flow, out),
            FlowElement::EmbeddedData { .. } | FlowElement::EndSurvey => {}
        }
    }
}

fn skip_target(rule: &Value) -> Option<SkipTarget> {
    let destination = rule
        .get("SkipToDestination")
        .or_else(|| rule.get("SkipLogicDestination"))
        .and_then(Value::as_str)?;
    match destination.to_ascii_lowercase().as_str() {
        "endofsurvey" | "eos" => Some(SkipTarget::EndOfSurvey),
        "endofblock" | "eob" | "endblock" => Some(SkipTarget::EndOfBlock),
        _ => None,
    }
}

/// Builds the survey: questions ordered by the flow's blocks, logic converted.
pub fn assemble(
    questions: Vec<ReadQuestion>,
    codes: &Codes,
    blocks: Vec<ReadBlock>,
    flow: Vec<FlowElement>,
    notes: &mut Vec<Note>,
) -> Survey {
    let mut order = Vec::new();
    flow_blocks(&flow, &mut order);
    for b in &blocks {
        if !order.contains(&b.block.id) {
            order.push(b.block.id.clone());
        }
    }
    let by_qid: HashMap<&str, &ReadQuestion> =
        questions.iter().map(|q| (q.codes_qid(), q)).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut ordered: Vec<&ReadQuestion> = Vec::new();
    for id in &order {
        let Some(block) = blocks.iter().find(|b| &b.block.id == id) else {
            continue;
        };
        for qid in &block.qids {
            if let Some(q) = by_qid.get(qid.as_str()) {
                if placed.insert(qid.as_str()) {
                    ordered.push(q);
                }
            }
        }
    }
    for q in &questions {
        if !placed.contains(q.codes_qid()) && !blocks.is_empty() {
            notes.push(Note::new(
                q.place.clone(),
                "in no block, so Qualtrics never shows it: not imported",
            ));
        } else if !placed.contains(q.codes_qid()) {
            ordered.push(q);
        }
    }
    let kept: HashSet<&str> = ordered.iter().map(|q| q.question.id.as_str()).collect();
    let mut out = Vec::new();
    for read in ordered {
        let mut question = read.question.clone();
        if let Some(logic) = &read.display_logic {
            match read_logic(logic, codes) {
                Ok(condition) => question.display_if = Some(condition),
                Err(reason) => notes.push(Note::new(
                    read.place.clone(),
                    format!("display logic not imported (the question is always shown): {reason}"),
                )),
            }
        }
        if let Some(rules) = &read.skip_logic {
            for rule in as_list(rules) {
                let Some(to) = skip_target(rule) else {
                    notes.push(Note::new(
                        read.place.clone(),
                        "skip logic to a question or block: silico skips to the end of the block or survey only; not imported",
                    ));
                    continue;
                };
                let expression = serde_json::json!({"0": {"0": {
                    "LogicType": "Question",
                    "QuestionID": read.codes_qid(),
                    "ChoiceLocator": rule.get("ChoiceLocator").cloned().unwrap_or_default(),
                    "Operator": rule.get("Condition").cloned().unwrap_or_default(),
                    "RightOperand": rule.get("RightOperand").cloned().unwrap_or_default(),
                }}});
                match read_logic(&expression, codes) {
                    Ok(condition) => question.skip.push(SkipRule { condition, to }),
                    Err(reason) => notes.push(Note::new(
                        read.place.clone(),
                        format!("skip logic not imported: {reason}"),
                    )),
                }
            }
        }
        out.push(question);
    }
    let blocks = blocks
        .into_iter()
        .map(|mut b| {
            b.block.questions.retain(|q| kept.contains(q.as_str()));
            b.block
        })
        .collect();
    Survey {
        questions: out,
        blocks,
        randomise_block_order: false,
        flow,
    }
}

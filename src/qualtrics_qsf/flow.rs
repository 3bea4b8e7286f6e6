//! The `FL` element → the survey flow. `Block` and `Standard` elements show a block (Qualtrics
//! uses both for the same thing), `Branch` runs its flow when its `BranchLogic` holds,
//! `BlockRandomizer` and `Randomizer` show `SubSet` of their elements (`EvenPresentation`
//! balances them), `EmbeddedData` sets fields, `Group` runs its elements in order, `EndSurvey`
//! ends the survey. Web services, authenticators, quotas and the like are noted and left out.

use serde_json::Value;

use super::blocks::ReadBlock;
use super::envelope::{as_flag, as_list, as_number, as_text};
use super::error::{Note, QsfError};
use super::logic::{read_logic, Codes};
use crate::study::{EmbeddedField, FlowElement};

pub fn read(
    (index, payload): &(usize, Value),
    blocks: &[ReadBlock],
    codes: &Codes,
    notes: &mut Vec<Note>,
) -> Result<Vec<FlowElement>, QsfError> {
    let Some(flow) = payload.get("Flow") else {
        return Err(QsfError::Element {
            index: *index,
            reason: "the survey flow (FL) has no Flow list".into(),
        });
    };
    Ok(read_list(flow, blocks, codes, notes))
}

fn read_list(
    flow: &Value,
    blocks: &[ReadBlock],
    codes: &Codes,
    notes: &mut Vec<Note>,
) -> Vec<FlowElement> {
    as_list(flow)
        .into_iter()
        .filter_map(|element| read_element(element, blocks, codes, notes))
        .collect()
}

fn read_element(
    element: &Value,
    blocks: &[ReadBlock],
    codes: &Codes,
    notes: &mut Vec<Note>,
) -> Option<FlowElement> {
    let kind = element
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let flow_id = element.get("FlowID").and_then(Value::as_str).unwrap_or("?");
    let place = format!("survey flow {flow_id}");
    let inner = |notes: &mut Vec<Note>| {
        element
            .get("Flow")
            .map(|f| read_list(f, blocks, codes, notes))
            .unwrap_or_default()
    };
    match kind {
        "Block" | "Standard" => {
            let id = element
                .get("ID")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if blocks.iter().any(|b| b.block.id == id) {
                Some(FlowElement::Block {
                    block: id.to_string(),
                })
            } else {
                notes.push(Note::new(
                    place,
                    format!("shows block {id:?}, which is not in the survey (or is the trash)"),
                ));
                None
            }
        }
        "Branch" => {
            let flow = inner(notes);
            let logic = element.get("BranchLogic").cloned().unwrap_or_default();
            match read_logic(&logic, codes) {
                Ok(condition) => Some(FlowElement::Branch { condition, flow }),
                Err(reason) => {
                    notes.push(Note::new(
                        place,
                        format!(
                            "branch not imported ({reason}); its {} elements are left out",
                            flow.len()
                        ),
                    ));
                    None
                }
            }
        }
        "BlockRandomizer" | "Randomizer" => {
            let flow = inner(notes);
            let show = as_number(element.get("SubSet"))
                .map(|n| n as u32)
                .filter(|&n| n >= 1 && (n as usize) < flow.len());
            Some(FlowElement::Randomizer {
                flow,
                show,
                even: as_flag(element.get("EvenPresentation")),
                keep_order: false,
            })
        }
        "EmbeddedData" => {
            let fields = element
                .get("EmbeddedData")
                .map(as_list)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| {
                    let name = f.get("Field").and_then(Value::as_str)?.to_string();
                    let value = f.get("Value").and_then(as_text).unwrap_or_default();
                    Some(EmbeddedField { name, value })
                })
                .collect();
            Some(FlowElement::EmbeddedData { fields })
        }
        "Group" => Some(FlowElement::Group { flow: inner(notes) }),
        "EndSurvey" => Some(FlowElement::EndSurvey),
        other => {
            notes.push(Note::new(
                place,
                format!("flow element {other:?} is not something silico runs; left out"),
            ));
            None
        }
    }
}

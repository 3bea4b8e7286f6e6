//! Choices (and a matrix's answers): the `Choices` object keyed by choice id, shown in `ChoiceOrder`;
//! a choice's code is its `RecodeValues` entry when set, else its id — which is what Qualtrics'
//! numeric export writes, so the export's values are the study's codes. `Randomization` becomes the
//! option order, with the choices Qualtrics keeps fixed anchored.

use serde_json::Value;

use super::envelope::{as_flag, as_text};
use super::error::Note;
use super::text::html_to_text;
use crate::study::{AnswerOption, OptionOrder};

/// One choice as read: its Qualtrics id and the study's option.
#[derive(Clone, Debug)]
pub struct ReadChoice {
    pub id: String,
    pub option: AnswerOption,
}

/// The ids in display order: `order` when it lists them, else the object's keys numerically.
fn ordered_ids(choices: &serde_json::Map<String, Value>, order: Option<&Value>) -> Vec<String> {
    let listed: Vec<String> = order
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(as_text).collect())
        .unwrap_or_default();
    let mut ids: Vec<String> = listed
        .into_iter()
        .filter(|id| choices.contains_key(id))
        .collect();
    // Choices missing from the order are still choices (Qualtrics appends them).
    let mut rest: Vec<&String> = choices.keys().filter(|k| !ids.contains(k)).collect();
    rest.sort_by_key(|k| (k.parse::<u64>().unwrap_or(u64::MAX), (*k).clone()));
    ids.extend(rest.into_iter().cloned());
    ids
}

/// Reads `Choices` (or `Answers`, with `AnswerOrder`) with their recode values.
pub fn read_choices(
    payload: &Value,
    choices_key: &str,
    order_key: &str,
    recode_key: &str,
    place: &str,
    notes: &mut Vec<Note>,
) -> Vec<ReadChoice> {
    let Some(choices) = payload.get(choices_key).and_then(Value::as_object) else {
        return Vec::new();
    };
    let recodes = payload.get(recode_key).and_then(Value::as_object);
    let mut out: Vec<ReadChoice> = Vec::new();
    for id in ordered_ids(choices, payload.get(order_key)) {
        let Some(choice) = choices.get(&id) else {
            continue;
        };
        let label = html_to_text(
            choice
                .get("Display")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        let code = recodes
            .and_then(|r| r.get(&id))
            .and_then(as_text)
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| id.clone());
        if out.iter().any(|c| c.option.code == code) {
            notes.push(Note::new(
                place,
                format!("choice {id} repeats the recode value {code:?}; it keeps its choice id as its code"),
            ));
        }
        let code = if out.iter().any(|c| c.option.code == code) {
            format!("{id}_{code}")
        } else {
            code
        };
        if as_flag(choice.get("TextEntry")) {
            notes.push(Note::new(
                place,
                format!("choice {id} ({label:?}) has a text box; the typed text is not imported"),
            ));
        }
        out.push(ReadChoice {
            id,
            option: AnswerOption {
                code,
                label,
                anchored: false,
                exclusive: as_flag(choice.get("ExclusiveAnswer")),
            },
        });
    }
    out
}

/// `Randomization` → option order; choices Qualtrics keeps in place while the rest are shuffled
/// (Advanced randomisation's `FixedOrder` entries other than `{~Randomized~}`) are anchored.
pub fn read_randomisation(
    payload: &Value,
    choices: &mut [ReadChoice],
    place: &str,
    notes: &mut Vec<Note>,
) -> OptionOrder {
    let Some(r) = payload.get("Randomization").filter(|r| r.is_object()) else {
        return OptionOrder::Fixed;
    };
    match r.get("Type").and_then(Value::as_str).unwrap_or_default() {
        "All" => OptionOrder::Shuffle,
        "RandomSubset" => {
            notes.push(Note::new(
                place,
                "showing a random subset of the choices is not supported; all are shown, shuffled",
            ));
            OptionOrder::Shuffle
        }
        "Advanced" => {
            let advanced = r.get("Advanced");
            let fixed: Vec<String> = advanced
                .and_then(|a| a.get("FixedOrder"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(as_text).collect())
                .unwrap_or_default();
            let randomised: Vec<String> = advanced
                .and_then(|a| a.get("Randomize"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(as_text).collect())
                .unwrap_or_default();
            for choice in choices.iter_mut() {
                if fixed.contains(&choice.id) && !randomised.contains(&choice.id) {
                    choice.option.anchored = true;
                }
            }
            OptionOrder::Shuffle
        }
        _ => OptionOrder::Fixed,
    }
}

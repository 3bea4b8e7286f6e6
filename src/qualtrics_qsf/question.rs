//! One `SQ` element → a question, by `QuestionType` / `Selector` / `SubSelector`. The id is the
//! `DataExportTag` (the response export's column name); display and skip logic are read later by
//! `blocks::assemble`, once every question's codes are known.

use std::collections::HashMap;

use serde_json::Value;

use super::choices::{read_choices, read_randomisation};
use super::envelope::{as_flag, as_number, Envelope, QuestionElement};
use super::error::Note;
use super::logic::QuestionCodes;
use super::text::{convert_piping, html_to_text, Tags};
use crate::study::{MatrixAsk, MatrixItem, OptionOrder, Question, QuestionKind};

/// A question read from its element, with what logic needs.
#[derive(Clone, Debug)]
pub struct ReadQuestion {
    pub qid: String,
    pub question: Question,
    pub codes: QuestionCodes,
    pub display_logic: Option<Value>,
    pub skip_logic: Option<Value>,
    pub place: String,
}

/// QID → export tag for every question; a missing tag falls back to the QID, a repeated one gets
/// the QID appended (the study needs unique ids).
pub fn export_tags(envelope: &Envelope, notes: &mut Vec<Note>) -> Tags {
    let mut tags = Tags::new();
    let mut used: HashMap<String, String> = HashMap::new();
    for element in &envelope.questions {
        let tag = element
            .payload
            .get("DataExportTag")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(&element.qid)
            .to_string();
        let tag = if let Some(first) = used.get(&tag) {
            let renamed = format!("{tag}_{}", element.qid);
            notes.push(Note::new(
                element.place(),
                format!("export tag {tag:?} is also {first}'s; this question is imported as {renamed:?}"),
            ));
            renamed
        } else {
            tag
        };
        used.insert(tag.clone(), element.qid.clone());
        tags.insert(element.qid.clone(), tag);
    }
    tags
}

fn text_field<'a>(payload: &'a Value, key: &str) -> &'a str {
    payload.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn items_of(choices: &[super::choices::ReadChoice]) -> Vec<MatrixItem> {
    choices
        .iter()
        .map(|c| MatrixItem {
            id: c.id.clone(),
            text: c.option.label.clone(),
        })
        .collect()
}

/// Reads a question; `None` (with a note) for a type silico does not have.
pub fn read(element: &QuestionElement, tags: &Tags, notes: &mut Vec<Note>) -> Option<ReadQuestion> {
    let p = &element.payload;
    let place = element.place();
    let tag = tags
        .get(&element.qid)
        .cloned()
        .unwrap_or_else(|| element.qid.clone());
    let qtype = text_field(p, "QuestionType");
    let selector = text_field(p, "Selector");
    let sub = text_field(p, "SubSelector");
    let mut choices = read_choices(p, "Choices", "ChoiceOrder", "RecodeValues", &place, notes);
    let mut option_order = read_randomisation(p, &mut choices, &place, notes);
    let options = || choices.iter().map(|c| c.option.clone()).collect::<Vec<_>>();
    let mut codes = QuestionCodes {
        tag: tag.clone(),
        choices: choices
            .iter()
            .map(|c| (c.id.clone(), c.option.code.clone()))
            .collect(),
        ..QuestionCodes::default()
    };
    let config = p.get("Configuration");
    let validation = p.get("Validation").and_then(|v| v.get("Settings"));
    let skip = |notes: &mut Vec<Note>, why: String| {
        notes.push(Note::new(place.clone(), why));
        None
    };
    let answer = match (qtype, selector) {
        ("MC", "SAVR" | "SAHR" | "SACOL" | "SB") => QuestionKind::SingleChoice { options: options() },
        ("MC", "DL") => QuestionKind::Dropdown { options: options() },
        ("MC", "MAVR" | "MAHR" | "MACOL" | "MSB") => QuestionKind::MultipleChoice {
            options: options(),
            min_selected: None,
            max_selected: None,
        },
        ("Matrix", "Likert") if sub == "SingleAnswer" || sub.is_empty() => {
            let answers = read_choices(p, "Answers", "AnswerOrder", "AnswerRecodeValues", &place, notes);
            codes.answers = answers
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.clone(), (i + 1) as f64))
                .collect();
            codes.choices_are_items = true;
            codes.choices = choices.iter().map(|c| (c.id.clone(), c.id.clone())).collect();
            let numbered = answers
                .iter()
                .enumerate()
                .all(|(i, a)| a.option.code == (i + 1).to_string());
            if !numbered {
                notes.push(Note::new(
                    place.clone(),
                    "the matrix's answers are recoded to other values than 1, 2, …; silico codes a matrix's scale points 1, 2, … in order",
                ));
            }
            if option_order != OptionOrder::Fixed {
                // Qualtrics randomises the statements (rows); silico shuffles matrix rows the same way.
                option_order = OptionOrder::Shuffle;
            }
            QuestionKind::Matrix {
                items: items_of(&choices),
                scale: answers.into_iter().map(|a| a.option.label).collect(),
                ask: MatrixAsk::PerItem,
            }
        }
        ("Slider", "HSLIDER" | "HBAR" | "STAR") => {
            codes.choices_are_items = true;
            codes.choices = choices.iter().map(|c| (c.id.clone(), c.id.clone())).collect();
            let min = as_number(config.and_then(|c| c.get("CSSliderMin"))).unwrap_or(0.0);
            let max = as_number(config.and_then(|c| c.get("CSSliderMax"))).unwrap_or(100.0);
            let decimals = as_number(config.and_then(|c| c.get("NumDecimals"))).unwrap_or(0.0);
            let grid = as_number(config.and_then(|c| c.get("GridLines")));
            let step = match grid {
                Some(lines) if as_flag(config.and_then(|c| c.get("SnapToGrid"))) && lines > 0.0 => {
                    (max - min) / lines
                }
                _ => 10f64.powi(-(decimals.clamp(0.0, 6.0) as i32)),
            };
            QuestionKind::Slider {
                items: items_of(&choices),
                min,
                max,
                step,
            }
        }
        ("TE", "SL" | "ML" | "ESTB" | "PW") => {
            let is_number = validation
                .and_then(|v| v.get("ContentType"))
                .and_then(Value::as_str)
                == Some("ValidNumber");
            if is_number {
                let range = validation.and_then(|v| v.get("ValidNumber"));
                let decimals = range.and_then(|r| r.get("NumDecimals"));
                QuestionKind::Numeric {
                    min: as_number(range.and_then(|r| r.get("Min"))),
                    max: as_number(range.and_then(|r| r.get("Max"))),
                    integer: as_number(decimals) == Some(0.0),
                }
            } else {
                QuestionKind::FreeText {
                    max_length: as_number(validation.and_then(|v| v.get("MaxChars")))
                        .map(|x| x as u32),
                }
            }
        }
        ("RO", "DND" | "RB" | "TB" | "SB") => QuestionKind::Ranking {
            options: options(),
            top_k: None,
        },
        ("CS", _) => {
            codes.choices_are_items = true;
            let total = as_number(validation.and_then(|v| v.get("ChoiceTotal"))).unwrap_or(100.0);
            QuestionKind::ConstantSum {
                options: options(),
                total,
            }
        }
        ("DB", _) => QuestionKind::Descriptive,
        ("Matrix", _) => {
            return skip(
                notes,
                format!("matrix type {selector}/{sub} is not supported (silico imports single-answer Likert matrices)"),
            )
        }
        ("SBS", _) => {
            return skip(notes, "side-by-side questions are not supported".to_string())
        }
        ("Timing" | "Meta" | "Captcha", _) => {
            return skip(
                notes,
                format!("{qtype} questions record the respondent's browser or timing; nothing to ask"),
            )
        }
        _ => {
            let shown = if selector.is_empty() {
                format!("{qtype:?}")
            } else {
                format!("{qtype:?}/{selector:?}")
            };
            return skip(notes, format!("unknown question type {shown}"));
        }
    };
    if matches!(
        answer,
        QuestionKind::Ranking { .. } | QuestionKind::ConstantSum { .. }
    ) && choices.iter().any(|c| c.option.exclusive)
    {
        notes.push(Note::new(
            place.clone(),
            "an exclusive choice only applies to multiple choice; ignored",
        ));
    }
    let text = convert_piping(
        &html_to_text(text_field(p, "QuestionText")),
        tags,
        &place,
        notes,
    );
    let required = validation
        .and_then(|v| v.get("ForceResponse"))
        .is_some_and(|f| as_flag(Some(f)));
    let question = Question {
        id: tag,
        text: if text.trim().is_empty() {
            html_to_text(text_field(p, "QuestionDescription"))
        } else {
            text
        },
        answer,
        option_order,
        display_if: None,
        skip: Vec::new(),
        required,
    };
    Some(ReadQuestion {
        qid: element.qid.clone(),
        question,
        codes,
        display_logic: p.get("DisplayLogic").filter(|l| l.is_object()).cloned(),
        skip_logic: p.get("SkipLogic").filter(|l| !l.is_null()).cloned(),
        place,
    })
}

impl ReadQuestion {
    /// The Qualtrics id this question was read from.
    pub fn codes_qid(&self) -> &str {
        &self.qid
    }
}

//! A study → a .qsf Qualtrics imports: `SurveyEntry`, then `BL` (blocks), `FL` (flow), `SO`
//! (options), `QC` (question count) and one `SQ` per question. Questions get QIDs in study order
//! and keep their ids as `DataExportTag`, so Qualtrics' response export has the study's column
//! names; option codes become recode values. A conjoint becomes embedded data fields in the flow
//! and a block whose descriptive question carries the randomiser JavaScript.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::error::{Note, QsfExportError};
use super::text::{text_to_html, to_qualtrics_piping};
use super::write_logic::{write_logic, Ids};
use crate::study::{
    AnswerOption, FlowElement, OptionOrder, Question, QuestionKind, SkipTarget, Study,
};

/// The file's text and what could not be written.
#[derive(Clone, Debug, PartialEq)]
pub struct QsfExport {
    pub text: String,
    pub notes: Vec<Note>,
}

const SURVEY_ID: &str = "SV_silico";
const DEFAULT_BLOCK: &str = "BL_silico_questions";
const CONJOINT_BLOCK: &str = "BL_silico_conjoint";

fn element(kind: &str, primary: &str, secondary: Value, payload: Value) -> Value {
    json!({"SurveyID": SURVEY_ID, "Element": kind, "PrimaryAttribute": primary,
           "SecondaryAttribute": secondary, "TertiaryAttribute": null, "Payload": payload})
}

fn choices(options: &[AnswerOption]) -> (Value, Value, Value) {
    let mut map = Map::new();
    let mut recodes = Map::new();
    let mut order = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let id = (i + 1).to_string();
        let mut choice = json!({"Display": text_to_html(&o.label)});
        if o.exclusive {
            choice["ExclusiveAnswer"] = json!(true);
        }
        map.insert(id.clone(), choice);
        recodes.insert(id.clone(), json!(o.code));
        order.push(json!(id));
    }
    (
        Value::Object(map),
        Value::Array(order),
        Value::Object(recodes),
    )
}

fn items(items: &[(String, String)]) -> (Value, Value) {
    let mut map = Map::new();
    let mut order = Vec::new();
    for (id, text) in items {
        map.insert(id.clone(), json!({"Display": text_to_html(text)}));
        order.push(json!(id));
    }
    (Value::Object(map), Value::Array(order))
}

fn randomisation(order: OptionOrder, options: &[AnswerOption]) -> Value {
    match order {
        OptionOrder::Fixed => Value::Null,
        _ if options.iter().any(|o| o.anchored) => {
            let fixed: Vec<Value> = options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    if o.anchored {
                        json!((i + 1).to_string())
                    } else {
                        json!("{~Randomized~}")
                    }
                })
                .collect();
            let shuffled: Vec<Value> = options
                .iter()
                .enumerate()
                .filter(|(_, o)| !o.anchored)
                .map(|(i, _)| json!((i + 1).to_string()))
                .collect();
            json!({"Type": "Advanced", "Advanced": {"FixedOrder": fixed, "Randomize": shuffled, "RandomizeAll": [], "RandomSubSet": [], "Undisplayed": [], "TotalRandSubset": 0}, "TotalRandSubset": ""})
        }
        _ => json!({"Type": "All", "TotalRandSubset": ""}),
    }
}

/// The question's payload without logic.
fn payload(
    q: &Question,
    qid: &str,
    piping: &HashMap<String, (String, bool)>,
    notes: &mut Vec<Note>,
) -> Value {
    let text = text_to_html(&to_qualtrics_piping(&q.text, piping));
    let mut p = json!({"QuestionText": text, "DataExportTag": q.id, "QuestionID": qid,
        "QuestionDescription": q.text.chars().take(100).collect::<String>(),
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "Validation": {"Settings": {"ForceResponse": if q.required {"ON"} else {"OFF"}, "Type": "None"}},
        "Language": [], "DataVisibility": {"Private": false, "Hidden": false}});
    let set = |p: &mut Value, qtype: &str, selector: &str, sub: Option<&str>| {
        p["QuestionType"] = json!(qtype);
        p["Selector"] = json!(selector);
        if let Some(sub) = sub {
            p["SubSelector"] = json!(sub);
        }
    };
    let with_options = |p: &mut Value, options: &[AnswerOption]| {
        let (c, o, r) = choices(options);
        p["Choices"] = c;
        p["ChoiceOrder"] = o;
        p["RecodeValues"] = r;
        let rand = randomisation(q.option_order, options);
        if !rand.is_null() {
            p["Randomization"] = rand;
        }
    };
    match &q.answer {
        QuestionKind::SingleChoice { options } => {
            set(&mut p, "MC", "SAVR", Some("TX"));
            with_options(&mut p, options);
        }
        QuestionKind::Dropdown { options } => {
            set(&mut p, "MC", "DL", None);
            with_options(&mut p, options);
        }
        QuestionKind::MultipleChoice { options, .. } => {
            set(&mut p, "MC", "MAVR", Some("TX"));
            with_options(&mut p, options);
        }
        QuestionKind::Ranking { options, .. } => {
            set(&mut p, "RO", "DND", Some("TX"));
            with_options(&mut p, options);
        }
        QuestionKind::ConstantSum { options, total } => {
            set(&mut p, "CS", "VRTL", None);
            with_options(&mut p, options);
            p["Validation"]["Settings"]["Type"] = json!("ChoicesTotal");
            p["Validation"]["Settings"]["ChoiceTotal"] = json!(total.to_string());
        }
        QuestionKind::Scale {
            labels,
            first_value,
        } => {
            // A scale is a single-answer question whose recode values are the scale's numbers.
            set(&mut p, "MC", "SAHR", Some("TX"));
            let options: Vec<AnswerOption> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| AnswerOption {
                    code: (*first_value as usize + i).to_string(),
                    label: l.clone(),
                    anchored: false,
                    exclusive: false,
                })
                .collect();
            with_options(&mut p, &options);
            notes.push(Note::new(format!("question {}", q.id), "a scale is written as a single-answer question (Qualtrics has no separate scale type); it reads back as single choice"));
        }
        QuestionKind::Matrix {
            items: rows, scale, ..
        } => {
            set(&mut p, "Matrix", "Likert", Some("SingleAnswer"));
            let rows: Vec<(String, String)> = rows
                .iter()
                .map(|i| (i.id.clone(), i.text.clone()))
                .collect();
            let (c, o) = items(&rows);
            p["Choices"] = c;
            p["ChoiceOrder"] = o;
            let points: Vec<(String, String)> = scale
                .iter()
                .enumerate()
                .map(|(i, l)| ((i + 1).to_string(), l.clone()))
                .collect();
            let (a, ao) = items(&points);
            p["Answers"] = a;
            p["AnswerOrder"] = ao;
            if q.option_order != OptionOrder::Fixed {
                p["Randomization"] = json!({"Type": "All", "TotalRandSubset": ""});
            }
        }
        QuestionKind::Slider {
            items: sliders,
            min,
            max,
            step,
        } => {
            set(&mut p, "Slider", "HSLIDER", None);
            let rows: Vec<(String, String)> = if sliders.is_empty() {
                vec![("1".into(), String::new())]
            } else {
                sliders
                    .iter()
                    .map(|i| (i.id.clone(), i.text.clone()))
                    .collect()
            };
            let (c, o) = items(&rows);
            p["Choices"] = c;
            p["ChoiceOrder"] = o;
            let decimals = if step.fract() == 0.0 {
                0
            } else {
                (-step.log10()).ceil().max(0.0) as i32
            };
            p["Configuration"] = json!({"QuestionDescriptionOption": "UseText", "CSSliderMin": min, "CSSliderMax": max,
                "GridLines": 10, "SnapToGrid": false, "NumDecimals": decimals.to_string(), "ShowValue": true, "CustomStart": false, "NotApplicable": false, "MobileFirst": true});
        }
        QuestionKind::Numeric { min, max, integer } => {
            set(&mut p, "TE", "SL", None);
            let show = |x: &Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
            p["Validation"]["Settings"]["Type"] = json!("ContentType");
            p["Validation"]["Settings"]["ContentType"] = json!("ValidNumber");
            p["Validation"]["Settings"]["ValidNumber"] = json!({"Min": show(min), "Max": show(max), "NumDecimals": if *integer {"0"} else {""}});
        }
        QuestionKind::FreeText { max_length } => {
            set(&mut p, "TE", "SL", None);
            if let Some(n) = max_length {
                p["Validation"]["Settings"]["MaxChars"] = json!(n.to_string());
            }
        }
        QuestionKind::Descriptive => set(&mut p, "DB", "TB", None),
    }
    p
}

/// The study's question id → what logic and piping need.
fn ids_of(study: &Study) -> (Ids, HashMap<String, (String, bool)>) {
    let mut ids = Ids::new();
    let mut piping = HashMap::new();
    for (i, q) in study.survey.questions.iter().enumerate() {
        let qid = format!("QID{}", i + 1);
        let mut map = HashMap::new();
        if let Some(options) = q.answer.options() {
            for (k, o) in options.iter().enumerate() {
                map.insert(o.code.clone(), (k + 1).to_string());
            }
        }
        match &q.answer {
            QuestionKind::Matrix { items, .. } | QuestionKind::Slider { items, .. } => {
                for item in items {
                    map.insert(item.id.clone(), item.id.clone());
                }
            }
            _ => {}
        }
        piping.insert(q.id.clone(), (qid.clone(), q.answer.options().is_some()));
        ids.insert(q.id.clone(), (qid, map));
    }
    (ids, piping)
}

fn flow_json(flow: &[FlowElement], ids: &Ids, next: &mut u32, notes: &mut Vec<Note>) -> Vec<Value> {
    let mut out = Vec::new();
    for element in flow {
        *next += 1;
        let flow_id = format!("FL_{next}");
        out.push(match element {
            FlowElement::Block { block } => json!({"Type": "Standard", "ID": block, "FlowID": flow_id, "Autofill": []}),
            FlowElement::Branch { condition, flow } => {
                let logic = match write_logic(condition, ids) {
                    Ok(logic) => logic,
                    Err(reason) => {
                        notes.push(Note::new(format!("survey flow branch ({condition})"), format!("not written: {reason}")));
                        continue;
                    }
                };
                json!({"Type": "Branch", "FlowID": flow_id, "Description": "New Branch", "BranchLogic": logic, "Flow": flow_json(flow, ids, next, notes)})
            }
            FlowElement::Randomizer { flow, show, even, keep_order } => {
                if *keep_order {
                    notes.push(Note::new(format!("survey flow {flow_id}"), "keep_order has no Qualtrics equivalent: the randomiser shuffles"));
                }
                let inner = flow_json(flow, ids, next, notes);
                let all_blocks = flow.iter().all(|f| matches!(f, FlowElement::Block { .. }));
                json!({"Type": if all_blocks {"BlockRandomizer"} else {"Randomizer"}, "FlowID": flow_id,
                       "SubSet": show.unwrap_or(flow.len() as u32), "EvenPresentation": even, "Flow": inner})
            }
            FlowElement::EmbeddedData { fields } => json!({"Type": "EmbeddedData", "FlowID": flow_id,
                "EmbeddedData": fields.iter().map(|f| json!({"Description": f.name, "Type": "Custom", "Field": f.name, "VariableType": "String", "DataVisibility": [], "AnalyzeText": false, "Value": f.value})).collect::<Vec<_>>()}),
            FlowElement::Group { flow } => json!({"Type": "Group", "FlowID": flow_id, "Description": "Group", "Flow": flow_json(flow, ids, next, notes)}),
            FlowElement::EndSurvey => json!({"Type": "EndSurvey", "FlowID": flow_id}),
        });
    }
    out
}

/// Writes the study as a .qsf.
pub fn export_qsf(study: &Study) -> Result<QsfExport, QsfExportError> {
    let mut notes = Vec::new();
    let survey = &study.survey;
    let (ids, piping) = ids_of(study);
    let qid_of = |id: &str| ids.get(id).map(|(qid, _)| qid.clone());
    // Blocks: the study's, and one for questions in no block.
    let mut blocks: Vec<Value> = vec![
        json!({"Type": "Trash", "Description": "Trash / Unused Questions", "ID": "BL_silico_trash", "BlockElements": []}),
    ];
    let in_blocks: Vec<&str> = survey
        .blocks
        .iter()
        .flat_map(|b| b.questions.iter().map(String::as_str))
        .collect();
    let loose: Vec<&Question> = survey
        .questions
        .iter()
        .filter(|q| !in_blocks.contains(&q.id.as_str()))
        .collect();
    let block_json = |id: &str, title: &str, qids: Vec<String>, randomise: bool| {
        json!({"Type": "Standard", "SubType": "", "Description": title, "ID": id,
               "BlockElements": qids.into_iter().map(|q| json!({"Type": "Question", "QuestionID": q})).collect::<Vec<_>>(),
               "Options": {"BlockLocking": "false", "RandomizeQuestions": if randomise {"RandomWithXPerPage"} else {"false"}, "BlockVisibility": "Expanded"}})
    };
    if !loose.is_empty() {
        blocks.push(block_json(
            DEFAULT_BLOCK,
            "Questions",
            loose.iter().filter_map(|q| qid_of(&q.id)).collect(),
            false,
        ));
    }
    for b in &survey.blocks {
        blocks.push(block_json(
            &b.id,
            if b.title.is_empty() { &b.id } else { &b.title },
            b.questions.iter().filter_map(|q| qid_of(q)).collect(),
            b.randomise_questions,
        ));
    }
    // The flow: the study's, or (as silico runs a survey without one) loose questions, then the blocks.
    let mut flow = survey.flow.clone();
    if flow.is_empty() {
        let block_flow: Vec<FlowElement> = survey
            .blocks
            .iter()
            .map(|b| FlowElement::Block {
                block: b.id.clone(),
            })
            .collect();
        if !loose.is_empty() {
            flow.push(FlowElement::Block {
                block: DEFAULT_BLOCK.into(),
            });
        }
        if survey.randomise_block_order && block_flow.len() > 1 {
            flow.push(FlowElement::Randomizer {
                flow: block_flow,
                show: None,
                even: false,
                keep_order: false,
            });
        } else {
            flow.extend(block_flow);
        }
    } else if !loose.is_empty() {
        flow.insert(
            0,
            FlowElement::Block {
                block: DEFAULT_BLOCK.into(),
            },
        );
    }
    let mut elements = Vec::new();
    let mut question_elements = Vec::new();
    for q in &survey.questions {
        let Some(qid) = qid_of(&q.id) else { continue };
        let mut p = payload(q, &qid, &piping, &mut notes);
        if let Some(condition) = &q.display_if {
            match write_logic(condition, &ids) {
                Ok(mut logic) => {
                    logic["inPage"] = json!(false);
                    p["DisplayLogic"] = logic;
                }
                Err(reason) => notes.push(Note::new(
                    format!("question {}", q.id),
                    format!("display logic not written: {reason}"),
                )),
            }
        }
        let mut skips = Vec::new();
        for (k, rule) in q.skip.iter().enumerate() {
            let single = match &rule.condition {
                crate::study::DisplayCondition::Answer(a)
                    if a.question == q.id && a.any_of.len() == 1 && a.op.is_none() =>
                {
                    ids.get(&q.id)
                        .and_then(|(_, m)| m.get(&a.any_of[0]))
                        .cloned()
                }
                _ => None,
            };
            let Some(choice) = single else {
                notes.push(Note::new(
                    format!("question {} skip[{k}]", q.id),
                    "Qualtrics skip logic tests one choice of the question itself; not written",
                ));
                continue;
            };
            let destination = match rule.to {
                SkipTarget::EndOfBlock => "ENDOFBLOCK",
                SkipTarget::EndOfSurvey => "EndOfSurvey",
            };
            skips.push(json!({"SkipLogicID": k + 1, "ChoiceLocator": format!("q://{qid}/SelectableChoice/{choice}"), "Condition": "Selected", "SkipToDestination": destination, "Locator": format!("q://{qid}/SelectableChoice/{choice}")}));
        }
        if !skips.is_empty() {
            p["SkipLogic"] = Value::Array(skips);
        }
        question_elements.push(element(
            "SQ",
            &qid,
            json!(q.text.chars().take(100).collect::<String>()),
            p,
        ));
    }
    if let Some(conjoint) = &study.conjoint {
        let js = crate::design::qualtrics_randomiser(conjoint, &study.metadata.name)
            .map_err(|e| QsfExportError::Conjoint(e.to_string()))?;
        let qid = format!("QID{}", survey.questions.len() + 1);
        let mut fields = Vec::new();
        for task in 1..=conjoint.tasks_per_respondent {
            for a in 1..=conjoint.attributes.len() {
                fields.push(crate::study::EmbeddedField {
                    name: format!("F-{task}-{a}"),
                    value: String::new(),
                });
                for profile in 1..=conjoint.profiles_per_task {
                    fields.push(crate::study::EmbeddedField {
                        name: format!("F-{task}-{profile}-{a}"),
                        value: String::new(),
                    });
                }
            }
        }
        flow.insert(0, FlowElement::EmbeddedData { fields });
        flow.push(FlowElement::Block {
            block: CONJOINT_BLOCK.into(),
        });
        blocks.push(block_json(
            CONJOINT_BLOCK,
            "Conjoint",
            vec![qid.clone()],
            false,
        ));
        let text = if conjoint.prompt.is_empty() {
            "Conjoint tasks".to_string()
        } else {
            conjoint.prompt.clone()
        };
        question_elements.push(element("SQ", &qid, json!(text), json!({"QuestionText": text_to_html(&text), "DataExportTag": "conjoint_randomiser", "QuestionID": qid,
            "QuestionType": "DB", "Selector": "TB", "QuestionJS": js, "Configuration": {"QuestionDescriptionOption": "UseText"}, "Language": []})));
        notes.push(Note::new("conjoint", "written as embedded data F-task-attribute / F-task-profile-attribute and the randomiser JavaScript on a descriptive question; add the choice questions in Qualtrics"));
    }
    let mut next = 0;
    let flow_value = flow_json(&flow, &ids, &mut next, &mut notes);
    elements.push(element(
        "BL",
        "Survey Blocks",
        Value::Null,
        Value::Array(blocks),
    ));
    elements.push(element("FL", "Survey Flow", Value::Null, json!({"Type": "Root", "FlowID": "FL_1", "Flow": flow_value, "Properties": {"Count": next + 1}})));
    elements.push(element("SO", "Survey Options", Value::Null, json!({"BackButton": "false", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey", "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "", "ProgressBarDisplay": "None", "PartialData": "+1 week", "SurveyTitle": study.metadata.name, "SurveyLanguage": "EN"})));
    elements.push(element(
        "QC",
        "Survey Question Count",
        json!(question_elements.len().to_string()),
        Value::Null,
    ));
    elements.extend(question_elements);
    let root = json!({"SurveyEntry": {"SurveyID": SURVEY_ID, "SurveyName": study.metadata.name, "SurveyDescription": study.metadata.description,
        "SurveyLanguage": "EN", "SurveyStatus": "Inactive", "SurveyStartDate": "0000-00-00 00:00:00", "SurveyExpirationDate": "0000-00-00 00:00:00"},
        "SurveyElements": elements});
    let text =
        serde_json::to_string_pretty(&root).map_err(|e| QsfExportError::Json(e.to_string()))?;
    Ok(QsfExport { text, notes })
}

//! The JSON around the survey: `SurveyEntry` (name, id) and `SurveyElements`, sorted by their
//! `Element` code. Qualtrics writes the questions in no particular order (alphabetically by text in
//! many exports), so order comes from the blocks and the flow, never from this list.

use serde_json::Value;

use super::error::{Note, QsfError};

/// One `SQ` element: a question.
#[derive(Clone, Debug)]
pub struct QuestionElement {
    /// Position in `SurveyElements`, for messages.
    pub index: usize,
    /// `QID7`: the id blocks, logic and piping use.
    pub qid: String,
    pub payload: Value,
}

impl QuestionElement {
    /// `SurveyElements[12] (QID7)`.
    pub fn place(&self) -> String {
        format!("SurveyElements[{}] ({})", self.index, self.qid)
    }
}

#[derive(Clone, Debug)]
pub struct Envelope {
    pub survey_id: String,
    pub name: String,
    pub description: String,
    pub questions: Vec<QuestionElement>,
    /// The `BL` element's payload and its index.
    pub blocks: Option<(usize, Value)>,
    /// The `FL` element's payload and its index.
    pub flow: Option<(usize, Value)>,
    pub notes: Vec<Note>,
}

fn text_of(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Elements that describe the survey's administration, not what a respondent sees.
const BOOKKEEPING: [&str; 12] = [
    "PL", "SO", "QGO", "SCO", "PROJ", "STAT", "QC", "QG", "RS", "SQA", "TR", "NT",
];

pub fn read(bytes: &[u8]) -> Result<Envelope, QsfError> {
    // A UTF-8 byte-order mark is common in files saved by Windows editors.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| QsfError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Some(elements) = root.get("SurveyElements").and_then(Value::as_array) else {
        return Err(QsfError::NoSurveyElements);
    };
    let entry = root.get("SurveyEntry");
    let mut envelope = Envelope {
        survey_id: text_of(entry.and_then(|e| e.get("SurveyID"))),
        name: text_of(entry.and_then(|e| e.get("SurveyName"))),
        description: text_of(entry.and_then(|e| e.get("SurveyDescription"))),
        questions: Vec::new(),
        blocks: None,
        flow: None,
        notes: Vec::new(),
    };
    for (index, element) in elements.iter().enumerate() {
        let Some(kind) = element.get("Element").and_then(Value::as_str) else {
            return Err(QsfError::Element {
                index,
                reason: "has no \"Element\" code (SQ, BL, FL, …)".into(),
            });
        };
        let payload = element.get("Payload").cloned().unwrap_or(Value::Null);
        match kind {
            "SQ" => {
                let qid = payload
                    .get("QuestionID")
                    .and_then(Value::as_str)
                    .or_else(|| element.get("PrimaryAttribute").and_then(Value::as_str));
                let Some(qid) = qid else {
                    return Err(QsfError::Element {
                        index,
                        reason: "a question (SQ) without a QuestionID".into(),
                    });
                };
                if !payload.is_object() {
                    return Err(QsfError::Element {
                        index,
                        reason: format!("question {qid} has no Payload object"),
                    });
                }
                envelope.questions.push(QuestionElement {
                    index,
                    qid: qid.to_string(),
                    payload,
                });
            }
            "BL" => envelope.blocks = Some((index, payload)),
            "FL" => envelope.flow = Some((index, payload)),
            other if BOOKKEEPING.contains(&other) => {}
            other => envelope.notes.push(Note::new(
                format!("SurveyElements[{index}]"),
                format!("element type {other:?} is not part of what silico imports"),
            )),
        }
    }
    Ok(envelope)
}

/// A JSON value Qualtrics writes as a number or a string (`"ChoiceOrder": [1, "2"]`, `"SubSet": "1"`).
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number written as a number or a string.
pub fn as_number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A flag Qualtrics writes as `true`, `"true"`, `"ON"` or `1`.
pub fn as_flag(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "ON" | "1" | "on"),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        _ => false,
    }
}

/// Qualtrics writes lists either as JSON arrays or as objects keyed "0", "1", … (`BL`'s payload,
/// logic conjunctions); both read as the values in key order.
pub fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => {
            let mut keyed: Vec<(usize, &Value)> = map
                .iter()
                .filter_map(|(k, v)| k.parse::<usize>().ok().map(|i| (i, v)))
                .collect();
            keyed.sort_by_key(|(i, _)| *i);
            keyed.into_iter().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    }
}

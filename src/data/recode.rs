//! Turning a file's answers into the study's answer codes: option labels or codes, Qualtrics' numeric
//! "recode values" (option positions), scale labels or numbers (optionally reversed), missing-value
//! codes such as -99 or "Don't know", and numbers outside a question's range.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::study::{Question, QuestionKind};

use super::table_builder::parse_number;
use crate::study::number_text;

/// How one column's values become the question's codes. Editable by hand in the page.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
pub struct Recode {
    /// Value as written in the file → code (or number, for scales), applied before any other rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// The file's scale runs the other way round (1 = strongly agree where the study has 1 = strongly
    /// disagree): v becomes first + last − v.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// Values that mean "no answer".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// A recoding line the page could not read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecodeLineError {
    #[error("recoding line {line} ({text:?}) has no “=”: write it as  value in the file = code")]
    NoEquals { line: usize, text: String },
    #[error("recoding line {line} ({text:?}) has nothing before the “=”")]
    NoValue { line: usize, text: String },
    #[error("recoding line {line}: {value:?} is recoded twice")]
    Twice { line: usize, value: String },
}

/// Reads the page's recoding lines, one `value in the file = code` per line (blank lines skipped;
/// an empty code recodes the value to missing). Values keep their inner spaces; the spaces around
/// the `=` are dropped. The first `=` separates, so a code may contain `=`.
pub fn parse_recode_lines(text: &str) -> Result<BTreeMap<String, String>, RecodeLineError> {
    let mut values = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let Some((value, code)) = raw.split_once('=') else {
            return Err(RecodeLineError::NoEquals {
                line,
                text: raw.to_string(),
            });
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(RecodeLineError::NoValue {
                line,
                text: raw.to_string(),
            });
        }
        if values
            .insert(value.to_string(), code.trim().to_string())
            .is_some()
        {
            return Err(RecodeLineError::Twice {
                line,
                value: value.to_string(),
            });
        }
    }
    Ok(values)
}

/// The recoding as the lines [`parse_recode_lines`] reads.
pub fn recode_lines(values: &BTreeMap<String, String>) -> String {
    values
        .iter()
        .map(|(value, code)| format!("{value} = {code}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Missing-value codes as the page writes them: separated by commas or new lines, trimmed.
pub fn parse_missing_codes(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Missing-value codes common in survey exports. An option of the question with the same label or
/// code is an answer, not a missing value, so [`default_missing_codes`] leaves those out.
pub const COMMON_MISSING_CODES: [&str; 9] = [
    "-99",
    "-98",
    "-97",
    "-9",
    "Don't know",
    "Don’t know",
    "Refused",
    "Prefer not to say",
    "N/A",
];

pub fn default_missing_codes(question: &Question) -> Vec<String> {
    let known = |code: &str| -> bool {
        let same = |s: &str| s.trim().eq_ignore_ascii_case(code);
        match &question.answer {
            QuestionKind::SingleChoice { options }
            | QuestionKind::Dropdown { options }
            | QuestionKind::MultipleChoice { options, .. }
            | QuestionKind::Ranking { options, .. }
            | QuestionKind::ConstantSum { options, .. } => {
                options.iter().any(|o| same(&o.code) || same(&o.label))
            }
            QuestionKind::Scale { labels, .. } => labels.iter().any(|l| same(l)),
            QuestionKind::Matrix { scale, .. } => scale.iter().any(|l| same(l)),
            QuestionKind::Numeric { .. }
            | QuestionKind::FreeText { .. }
            | QuestionKind::Slider { .. }
            | QuestionKind::Descriptive => false,
        }
    };
    COMMON_MISSING_CODES
        .iter()
        .filter(|c| !known(c))
        .map(|c| c.to_string())
        .collect()
}

/// One value after recoding.
#[derive(Clone, Debug, PartialEq)]
pub enum Recoded {
    /// The answer code (choice questions) or the value as text (free text).
    Code(String),
    Number(f64),
    Missing,
    /// Not a label, code or number the question knows.
    Unknown,
    /// A number outside the question's range.
    OutOfRange(f64),
}

impl Recoded {
    /// The value as the long table stores it.
    pub fn as_answer(&self) -> Option<String> {
        match self {
            Self::Code(code) => Some(code.clone()),
            Self::Number(x) => Some(number_text(*x)),
            Self::Missing | Self::Unknown | Self::OutOfRange(_) => None,
        }
    }
}

fn same_text(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// An ordinal scale: labels[i] is first + i.
fn recode_scale(raw: &str, labels: &[String], first: f64, recode: &Recode) -> Recoded {
    let last = first + labels.len().saturating_sub(1) as f64;
    let value = match labels.iter().position(|l| same_text(l, raw)) {
        Some(i) => first + i as f64,
        None => match parse_number(raw) {
            Some(x) if x < first || x > last || x.fract() != 0.0 => return Recoded::OutOfRange(x),
            Some(x) => x,
            None => return Recoded::Unknown,
        },
    };
    Recoded::Number(if recode.reverse {
        first + last - value
    } else {
        value
    })
}

/// Recodes one raw cell (as written in the file) for `question`.
pub fn recode_value(raw: &str, question: &Question, recode: &Recode) -> Recoded {
    let raw = match recode.values.get(raw) {
        Some(mapped) => mapped.as_str(),
        None => raw,
    };
    if raw.trim().is_empty() || recode.missing.iter().any(|m| same_text(m, raw)) {
        return Recoded::Missing;
    }
    match &question.answer {
        QuestionKind::SingleChoice { options }
        | QuestionKind::Dropdown { options }
        | QuestionKind::MultipleChoice { options, .. }
        | QuestionKind::Ranking { options, .. } => {
            if let Some(o) = options.iter().find(|o| o.code == raw) {
                return Recoded::Code(o.code.clone());
            }
            if let Some(o) = options.iter().find(|o| same_text(&o.label, raw)) {
                return Recoded::Code(o.code.clone());
            }
            // Qualtrics' numeric export: the option's position (its default recode value).
            match parse_number(raw) {
                Some(x) if x.fract() == 0.0 && x >= 1.0 && x <= options.len() as f64 => {
                    Recoded::Code(options[x as usize - 1].code.clone())
                }
                Some(x) => Recoded::OutOfRange(x),
                None => Recoded::Unknown,
            }
        }
        QuestionKind::Scale {
            labels,
            first_value,
        } => recode_scale(raw, labels, f64::from(*first_value), recode),
        QuestionKind::Matrix { scale, .. } => recode_scale(raw, scale, 1.0, recode),
        QuestionKind::Numeric { min, max, .. } => match parse_number(raw) {
            Some(x) if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) => {
                Recoded::OutOfRange(x)
            }
            Some(x) => Recoded::Number(x),
            None => Recoded::Unknown,
        },
        QuestionKind::Slider { min, max, .. } => match parse_number(raw) {
            Some(x) if x < *min || x > *max => Recoded::OutOfRange(x),
            Some(x) => Recoded::Number(x),
            None => Recoded::Unknown,
        },
        QuestionKind::ConstantSum { total, .. } => match parse_number(raw) {
            Some(x) if x < 0.0 || x > *total => Recoded::OutOfRange(x),
            Some(x) => Recoded::Number(x),
            None => Recoded::Unknown,
        },
        QuestionKind::FreeText { .. } => Recoded::Code(raw.to_string()),
        QuestionKind::Descriptive => Recoded::Missing,
    }
}

/// Recodes one cell of a column that holds `item` of the question (a Qualtrics sub-column such as
/// `tag_1`), or the whole question when `item` is `None`. A slider or constant-sum part is a number
/// in the question's range, a matrix item a point of its scale, a ranking part the rank given to
/// that option (1 = first), a multiple-choice part "1" when the option was selected (Qualtrics
/// writes the option's code or 1 there, and leaves the cell empty otherwise).
pub fn recode_part(raw: &str, question: &Question, item: Option<&str>, recode: &Recode) -> Recoded {
    if item.is_none() {
        return recode_value(raw, question, recode);
    }
    let raw = match recode.values.get(raw) {
        Some(mapped) => mapped.as_str(),
        None => raw,
    };
    if raw.trim().is_empty() || recode.missing.iter().any(|m| same_text(m, raw)) {
        return Recoded::Missing;
    }
    match &question.answer {
        QuestionKind::MultipleChoice { .. } => Recoded::Code("1".to_string()),
        QuestionKind::Ranking { options, .. } => match parse_number(raw) {
            Some(x) if x.fract() == 0.0 && x >= 1.0 && x <= options.len() as f64 => {
                Recoded::Number(x)
            }
            Some(x) => Recoded::OutOfRange(x),
            None => Recoded::Unknown,
        },
        // Sliders, constant sums and matrices read a part the way they read a whole answer.
        _ => recode_value(raw, question, recode),
    }
}

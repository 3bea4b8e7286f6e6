//! One answer, as written in a long table, as the number its item compares: a code or label of
//! an option, a scale value or label, a number in range, a selection, a rank. A question-level
//! answer that holds several items (a multi-select's codes, a ranking's order, a matrix as a JSON
//! object) is split into its items.

use super::items::{ItemSpec, Items, Reading};
use crate::study::number_text;

/// What one cell says about one item.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Value(f64),
    /// Not a code, label or number the item knows (kept out of the counts, reported).
    Unreadable,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

fn option_position(options: &[(String, String)], answer: &str) -> Option<usize> {
    options
        .iter()
        .position(|(code, _)| code == answer.trim())
        .or_else(|| options.iter().position(|(_, label)| same(label, answer)))
}

fn in_range(x: f64, range: Option<(f64, f64)>) -> bool {
    range.is_none_or(|(lo, hi)| x >= lo && x <= hi)
}

/// The value of one answer to one item.
pub fn read_value(spec: &ItemSpec, answer: &str) -> Outcome {
    let value = match spec.reading {
        Reading::Option => option_position(&spec.options, answer).map(|i| (i + 1) as f64),
        Reading::Scale => spec
            .categories
            .iter()
            .find(|c| same(&c.label, answer))
            .map(|c| c.value)
            .or_else(|| {
                number(answer)
                    .filter(|x| x.fract() == 0.0 && spec.categories.iter().any(|c| c.value == *x))
            }),
        Reading::Number => number(answer).filter(|x| in_range(*x, spec.range)),
        Reading::Selected => selected(spec, answer),
        Reading::Rank => number(answer).filter(|x| x.fract() == 0.0 && in_range(*x, spec.range)),
        Reading::Unknown if !spec.options.is_empty() => {
            option_position(&spec.options, answer).map(|i| (i + 1) as f64)
        }
        Reading::Unknown => number(answer),
    };
    value.map_or(Outcome::Unreadable, Outcome::Value)
}

/// A multi-select option's cell: 1/0, true/false, yes/no, or the option's own code or label
/// (Qualtrics writes the code in the selected option's column).
fn selected(spec: &ItemSpec, answer: &str) -> Option<f64> {
    let a = answer.trim().to_ascii_lowercase();
    match a.as_str() {
        "1" | "true" | "yes" | "selected" => return Some(1.0),
        "0" | "false" | "no" | "not selected" => return Some(0.0),
        _ => {}
    }
    let item = spec.item.as_deref()?;
    spec.options
        .iter()
        .find(|(code, _)| code == item)
        .filter(|(code, label)| code == answer.trim() || same(label, answer))
        .map(|_| 1.0)
}

/// A list answer: a JSON array of strings or numbers, else values separated by `|`, `;` or `,`.
fn list(answer: &str) -> Vec<String> {
    let answer = answer.trim();
    if answer.starts_with('[') {
        if let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(answer) {
            return values.iter().map(json_text).collect();
        }
    }
    let separator = ['|', ';', ','].into_iter().find(|s| answer.contains(*s));
    match separator {
        Some(s) => answer.split(s).map(|p| p.trim().to_string()).collect(),
        None => vec![answer.to_string()],
    }
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect()
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.as_f64().map(number_text).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// A question-level answer split into its items: `(item index, outcome)`. Multi-select: every
/// option, 1 when listed, 0 when not (a code that is no option makes the whole answer
/// unreadable); ranking: each listed option's place; matrix: a JSON object item → value.
pub fn split_question(items: &Items, question: &str, answer: &str) -> Vec<(usize, Outcome)> {
    let children = items.children(question);
    let Some(&first) = children.first() else {
        return Vec::new();
    };
    let spec = items.get(first);
    let unreadable = || children.iter().map(|&i| (i, Outcome::Unreadable)).collect();
    match spec.reading {
        Reading::Selected | Reading::Rank => {
            let listed = list(answer);
            let mut positions = Vec::with_capacity(listed.len());
            for entry in &listed {
                match option_position(&spec.options, entry) {
                    Some(p) if !positions.contains(&p) => positions.push(p),
                    _ => return unreadable(),
                }
            }
            children
                .iter()
                .filter_map(|&i| {
                    let code = items.get(i).item.as_deref()?;
                    let p = spec.options.iter().position(|(c, _)| c == code)?;
                    let place = positions.iter().position(|&q| q == p);
                    match (&spec.reading, place) {
                        (Reading::Selected, place) => {
                            Some((i, Outcome::Value(f64::from(u8::from(place.is_some())))))
                        }
                        // A top-k ranking leaves the rest unranked: no value, not unreadable.
                        (_, Some(place)) => Some((i, Outcome::Value((place + 1) as f64))),
                        (_, None) => None,
                    }
                })
                .collect()
        }
        Reading::Scale => {
            let Ok(object) =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(answer)
            else {
                return unreadable();
            };
            children
                .iter()
                .filter_map(|&i| {
                    let spec = items.get(i);
                    let value = object.get(spec.item.as_deref()?)?;
                    Some((i, read_value(spec, &json_text(value))))
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

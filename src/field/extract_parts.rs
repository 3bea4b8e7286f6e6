//! Answers with several parts: the options a multiple choice selects, a ranking's order, and one
//! value per item (a matrix battery asked in one call, several sliders, a constant sum). Read
//! from structured output (`{"answer": [...]}` or `{"answer": {...}}`) or from free text; the
//! value is written as `design::survey_flow` reads it (`a;b` or `item=value;item=value`).
//! Anything that does not add up (a label twice, too few choices, points that do not sum to the
//! total) is kept unparsed with the reason.

use serde_json::Value;

use super::extract::{
    clip, contains_phrase, first_number, is_refusal, strip_lead, Extracted, Method,
};
use super::plan::{Expect, ShownOption};
use crate::design::survey_flow::{ITEM_SEPARATOR, LIST_SEPARATOR};
use crate::study::number_text;

fn unparsed(reason: String) -> Extracted {
    Extracted::Unparsed { reason }
}

fn structured(text: &str) -> Option<Value> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let value: Value = serde_json::from_str(text.get(start..=end)?).ok()?;
    value.get("answer").cloned()
}

/// The option a token names: its label (any case), else its whole text.
fn option_named<'a>(token: &str, shown: &'a [ShownOption]) -> Option<&'a ShownOption> {
    let t = strip_lead(token)
        .trim_matches(|c: char| !c.is_alphanumeric())
        .trim();
    if t.is_empty() {
        return None;
    }
    shown
        .iter()
        .find(|o| o.label == t)
        .or_else(|| shown.iter().find(|o| o.label.eq_ignore_ascii_case(t)))
        .or_else(|| shown.iter().find(|o| o.text.eq_ignore_ascii_case(t)))
}

/// The options a reply lists, in its order: a list of labels ("A, C", "A and C", "A\nC"), or
/// else the option texts it mentions, in the order they appear. Repeats are an error.
fn listed<'a>(text: &str, shown: &'a [ShownOption]) -> Result<Vec<&'a ShownOption>, String> {
    let body = strip_lead(text);
    let tokens: Vec<&str> = body
        .split([',', ';', '\n', '>'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let by_label: Option<Vec<&ShownOption>> =
        tokens.iter().map(|t| option_named(t, shown)).collect();
    let found = match by_label {
        Some(found) if !found.is_empty() => found,
        _ => {
            let lower = text.to_lowercase();
            let mut hits: Vec<(usize, &ShownOption)> = shown
                .iter()
                .filter(|o| !o.text.is_empty() && contains_phrase(&lower, &o.text.to_lowercase()))
                .filter_map(|o| Some((lower.find(&o.text.to_lowercase())?, o)))
                .collect();
            hits.sort_by_key(|(at, _)| *at);
            hits.into_iter().map(|(_, o)| o).collect()
        }
    };
    for (i, o) in found.iter().enumerate() {
        if found[..i].iter().any(|p| p.code == o.code) {
            return Err(format!("the reply names {} twice", o.label));
        }
    }
    Ok(found)
}

fn from_json_list<'a>(
    value: &Value,
    shown: &'a [ShownOption],
) -> Option<Result<Vec<&'a ShownOption>, String>> {
    let items = value.as_array()?;
    let mut out = Vec::new();
    for item in items {
        let token = match item {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Some(Err(format!("the answer list holds {item}"))),
        };
        match option_named(&token, shown) {
            Some(o) if out.iter().any(|p: &&ShownOption| p.code == o.code) => {
                return Some(Err(format!("the reply names {} twice", o.label)))
            }
            Some(o) => out.push(o),
            None => return Some(Err(format!("{token:?} is not one of the options"))),
        }
    }
    Some(Ok(out))
}

fn codes(options: &[&ShownOption]) -> String {
    options
        .iter()
        .map(|o| o.code.as_str())
        .collect::<Vec<_>>()
        .join(&LIST_SEPARATOR.to_string())
}

/// Reads a multiple choice: between `min` and `max` options, an exclusive one alone.
pub fn multiple(
    text: &str,
    shown: &[ShownOption],
    min: u32,
    max: u32,
    structured_on: bool,
) -> Extracted {
    let (found, method) = match structured_on
        .then(|| structured(text))
        .flatten()
        .and_then(|v| from_json_list(&v, shown))
    {
        Some(result) => (result, Method::Structured),
        None => (listed(text, shown), Method::Label),
    };
    let found = match found {
        Ok(found) => found,
        Err(reason) => return unparsed(format!("{reason}: {}", clip(text))),
    };
    if found.is_empty() {
        if is_refusal(text) {
            return Extracted::Refused {
                reason: format!("the reply declines: {}", clip(text)),
            };
        }
        return unparsed(format!(
            "the reply names none of the options: {}",
            clip(text)
        ));
    }
    let n = found.len() as u32;
    if n < min || n > max {
        let wanted = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return unparsed(format!(
            "the reply selects {n} options, not {wanted}: {}",
            clip(text)
        ));
    }
    if found.len() > 1 {
        if let Some(only) = found.iter().find(|o| o.exclusive) {
            return unparsed(format!(
                "the reply combines {} (which excludes the others) with other options: {}",
                only.label,
                clip(text)
            ));
        }
    }
    // Selected options in the order shown, so the value does not depend on the reply's order.
    let mut ordered: Vec<&ShownOption> = shown
        .iter()
        .filter(|o| found.iter().any(|f| f.code == o.code))
        .collect();
    ordered.dedup_by(|a, b| a.code == b.code);
    Extracted::Answered {
        value: codes(&ordered),
        method,
    }
}

/// Reads a ranking of the top `count` options, most preferred first.
pub fn ranking(text: &str, shown: &[ShownOption], count: u32, structured_on: bool) -> Extracted {
    let (found, method) = match structured_on
        .then(|| structured(text))
        .flatten()
        .and_then(|v| from_json_list(&v, shown))
    {
        Some(result) => (result, Method::Structured),
        None => (listed(text, shown), Method::Label),
    };
    let mut found = match found {
        Ok(found) => found,
        Err(reason) => return unparsed(format!("{reason}: {}", clip(text))),
    };
    let count = count as usize;
    // A full ranking that leaves out only the last option still says where it goes.
    if count == shown.len() && found.len() + 1 == count {
        if let Some(last) = shown
            .iter()
            .find(|o| !found.iter().any(|f| f.code == o.code))
        {
            found.push(last);
        }
    }
    if found.len() != count {
        if found.is_empty() && is_refusal(text) {
            return Extracted::Refused {
                reason: format!("the reply declines: {}", clip(text)),
            };
        }
        return unparsed(format!(
            "the reply ranks {} options, not {count}: {}",
            found.len(),
            clip(text)
        ));
    }
    Extracted::Answered {
        value: codes(&found),
        method,
    }
}

/// What each item's value must be.
enum ItemValue<'a> {
    /// One of these scale points (a matrix battery).
    Point(&'a [ShownOption]),
    /// A number in a range, rounded to a step.
    Number { min: f64, max: f64, step: f64 },
}

fn item_value(raw: &str, kind: &ItemValue<'_>) -> Result<String, String> {
    match kind {
        ItemValue::Point(points) => option_named(raw, points)
            .map(|o| o.code.clone())
            .ok_or_else(|| format!("{:?} is not a point of the scale", raw.trim())),
        ItemValue::Number { min, max, step } => {
            let x = first_number(raw).ok_or_else(|| format!("no number in {:?}", raw.trim()))?;
            if x < *min || x > *max {
                return Err(format!("{x} is outside {min} to {max}"));
            }
            let rounded = if *step > 0.0 {
                min + ((x - min) / step).round() * step
            } else {
                x
            };
            Ok(number_text(rounded))
        }
    }
}

/// The value a reply gives each item: `{"answer": {"1": "B", …}}`, or one line per item
/// starting with its label or text ("1: B", "2 - Agree", "Price: 40").
fn per_item(
    text: &str,
    items: &[ShownOption],
    kind: &ItemValue<'_>,
    structured_on: bool,
) -> Result<(Vec<String>, Method), String> {
    if structured_on {
        if let Some(Value::Object(map)) = structured(text) {
            let mut out = Vec::new();
            for item in items {
                let raw = map
                    .get(&item.label)
                    .or_else(|| map.get(&item.text))
                    .or_else(|| map.get(&item.code))
                    .ok_or_else(|| format!("the answer has no value for item {}", item.label))?;
                let raw = match raw {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push(item_value(&raw, kind).map_err(|e| format!("item {}: {e}", item.label))?);
            }
            return Ok((out, Method::Structured));
        }
    }
    let lines: Vec<(&str, &str)> = text
        .lines()
        .flat_map(|l| l.split(';'))
        .filter_map(|line| {
            let line = line.trim().trim_start_matches(['-', '*', ' ']);
            let at = line.find([':', '=', '-', '.', ')'])?;
            Some((line[..at].trim(), line[at + 1..].trim()))
        })
        .collect();
    let mut out = Vec::new();
    for item in items {
        let found = lines.iter().find(|(head, _)| {
            let head = head.trim_matches(|c: char| !c.is_alphanumeric());
            head == item.label
                || head.eq_ignore_ascii_case(&item.text)
                || head.eq_ignore_ascii_case(&format!("item {}", item.label))
        });
        let Some((_, raw)) = found else {
            return Err(format!("the reply gives no value for item {}", item.label));
        };
        out.push(item_value(raw, kind).map_err(|e| format!("item {}: {e}", item.label))?);
    }
    Ok((out, Method::Label))
}

fn joined(items: &[ShownOption], values: &[String]) -> String {
    items
        .iter()
        .zip(values)
        .map(|(item, v)| format!("{}{ITEM_SEPARATOR}{v}", item.code))
        .collect::<Vec<_>>()
        .join(&LIST_SEPARATOR.to_string())
}

/// Reads a reply to a call whose answer has several parts.
pub fn extract_parts(
    text: &str,
    shown: &[ShownOption],
    items: &[ShownOption],
    expect: Expect,
    structured_on: bool,
) -> Extracted {
    match expect {
        Expect::Multiple { min, max } => multiple(text, shown, min, max, structured_on),
        Expect::Ranking { count } => ranking(text, shown, count, structured_on),
        Expect::Rating => match per_item(text, items, &ItemValue::Point(shown), structured_on) {
            Ok((values, method)) => Extracted::Answered {
                value: joined(items, &values),
                method,
            },
            Err(reason) => unparsed(format!("{reason}: {}", clip(text))),
        },
        Expect::Sliders { min, max, step } => {
            match per_item(
                text,
                items,
                &ItemValue::Number { min, max, step },
                structured_on,
            ) {
                Ok((values, method)) => Extracted::Answered {
                    value: joined(items, &values),
                    method,
                },
                Err(reason) => unparsed(format!("{reason}: {}", clip(text))),
            }
        }
        Expect::Allocation { total } => {
            let kind = ItemValue::Number {
                min: 0.0,
                max: total,
                step: 0.0,
            };
            match per_item(text, items, &kind, structured_on) {
                Ok((values, method)) => {
                    let sum: f64 = values.iter().filter_map(|v| v.parse::<f64>().ok()).sum();
                    // Rounding in the reply's numbers is forgiven; a wrong sum is not.
                    if (sum - total).abs() > 1e-6 * total.max(1.0) {
                        return unparsed(format!(
                            "the points add up to {}, not {}: {}",
                            number_text(sum),
                            number_text(total),
                            clip(text)
                        ));
                    }
                    Extracted::Answered {
                        value: joined(items, &values),
                        method,
                    }
                }
                Err(reason) => unparsed(format!("{reason}: {}", clip(text))),
            }
        }
        Expect::Bounded { min, max, step } => {
            match item_value(text, &ItemValue::Number { min, max, step }) {
                Ok(value) => Extracted::Answered {
                    value,
                    method: Method::Number,
                },
                Err(reason) => unparsed(format!("{reason}: {}", clip(text))),
            }
        }
        Expect::Choice | Expect::Number | Expect::Text => {
            unparsed("a single answer read as several parts (a bug)".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(n: usize, start: char) -> Vec<ShownOption> {
        let texts = ["Cats", "Dogs", "Fish", "None of these"];
        (0..n)
            .map(|i| ShownOption {
                code: format!("c{i}"),
                label: ((start as u8 + i as u8) as char).to_string(),
                text: texts[i % 4].to_string(),
                levels: Vec::new(),
                exclusive: i == 3,
            })
            .collect()
    }

    fn value(e: Extracted) -> Result<String, String> {
        match e {
            Extracted::Answered { value, .. } => Ok(value),
            Extracted::Unparsed { reason } | Extracted::Refused { reason } => Err(reason),
        }
    }

    #[test]
    fn multiple_choice_reads_labels_texts_and_json_and_checks_counts() {
        let o = options(4, 'A');
        assert_eq!(value(multiple("A, C", &o, 0, 4, false)), Ok("c0;c2".into()));
        assert_eq!(
            value(multiple("C and A.", &o, 0, 4, false)),
            Ok("c0;c2".into())
        );
        assert_eq!(
            value(multiple("I like cats and fish", &o, 0, 4, false)),
            Ok("c0;c2".into())
        );
        assert_eq!(
            value(multiple("{\"answer\": [\"B\"]}", &o, 1, 2, true)),
            Ok("c1".into())
        );
        assert!(value(multiple("A, B, C", &o, 1, 2, false))
            .unwrap_err()
            .contains("selects 3"));
        assert!(value(multiple("A, D", &o, 0, 4, false))
            .unwrap_err()
            .contains("excludes"));
        assert!(value(multiple("A, A", &o, 0, 4, false))
            .unwrap_err()
            .contains("twice"));
        assert!(value(multiple("Nothing", &o, 0, 4, false)).is_err());
    }

    #[test]
    fn ranking_needs_every_place_but_infers_the_last() {
        let o = options(3, 'A');
        assert_eq!(
            value(ranking("B > C > A", &o, 3, false)),
            Ok("c1;c2;c0".into())
        );
        assert_eq!(value(ranking("B, C", &o, 3, false)), Ok("c1;c2;c0".into()));
        assert_eq!(value(ranking("B", &o, 1, false)), Ok("c1".into()));
        assert!(value(ranking("B", &o, 3, false))
            .unwrap_err()
            .contains("ranks 1"));
    }

    #[test]
    fn items_read_from_lines_or_json_and_sums_are_checked() {
        let scale = options(3, 'A');
        let items: Vec<ShownOption> = (1..=2)
            .map(|i| ShownOption {
                code: format!("it{i}"),
                label: i.to_string(),
                text: format!("Statement {i}"),
                levels: Vec::new(),
                exclusive: false,
            })
            .collect();
        let rating = |t: &str, s: bool| value(extract_parts(t, &scale, &items, Expect::Rating, s));
        assert_eq!(rating("1: B\n2: A", false), Ok("it1=c1;it2=c0".into()));
        assert_eq!(
            rating("{\"answer\": {\"1\": \"C\", \"2\": \"Dogs\"}}", true),
            Ok("it1=c2;it2=c1".into())
        );
        assert!(rating("1: B", false).unwrap_err().contains("item 2"));
        let sum = |t: &str| {
            value(extract_parts(
                t,
                &[],
                &items,
                Expect::Allocation { total: 100.0 },
                false,
            ))
        };
        assert_eq!(sum("1: 70\n2: 30"), Ok("it1=70;it2=30".into()));
        assert!(sum("1: 70\n2: 20").unwrap_err().contains("add up to 90"));
        let sliders = |t: &str| {
            value(extract_parts(
                t,
                &[],
                &items,
                Expect::Sliders {
                    min: 0.0,
                    max: 10.0,
                    step: 0.5,
                },
                false,
            ))
        };
        assert_eq!(sliders("1: 3.4\n2: 10"), Ok("it1=3.5;it2=10".into()));
        assert!(sliders("1: 11\n2: 1").unwrap_err().contains("outside"));
    }
}

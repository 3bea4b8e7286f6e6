//! Reading the answer out of a reply: structured output, a label or an option's text in free
//! text, or the first-token probability distribution over the labels. A reply that names no
//! option, names several, or refuses is kept with its reason and never counted as an answer.

use serde::{Deserialize, Serialize};

use super::plan::{Expect, ShownOption};
use crate::providers::ProviderReply;
use crate::study::number_text;

/// How the answer was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Structured,
    Label,
    OptionText,
    Number,
    Text,
}

/// The parsed outcome of one reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Extracted {
    Answered {
        /// The option code (choices), the number as text, or the text.
        value: String,
        method: Method,
    },
    Refused {
        reason: String,
    },
    Unparsed {
        reason: String,
    },
}

/// A first-token distribution over the shown options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelDistribution {
    /// (option code, probability), in the shown order, normalised over the labels.
    pub probabilities: Vec<(String, f64)>,
    /// Probability mass the model put on the labels before normalising (low = it meant
    /// something else).
    pub label_mass: f64,
}

const REFUSALS: &[&str] = &[
    "i can't",
    "i cannot",
    "i can not",
    "i won't",
    "i will not",
    "i'm not able",
    "i am not able",
    "i'm unable",
    "i am unable",
    "as an ai",
    "as a language model",
    "i don't have personal",
    "i do not have personal",
    "i prefer not to",
];

/// Reads the answer from `reply` given the options the call showed.
pub fn extract(
    reply: &ProviderReply,
    shown: &[ShownOption],
    expect: Expect,
    structured: bool,
) -> Extracted {
    if let Some(refusal) = &reply.refusal {
        return Extracted::Refused {
            reason: format!("the provider reports a refusal: {}", clip(refusal)),
        };
    }
    let mut text = reply.text.trim().to_string();
    if text.is_empty() {
        return Extracted::Unparsed {
            reason: "the reply is empty".into(),
        };
    }
    if structured {
        if let Some(answer) = structured_answer(&text) {
            if expect == Expect::Choice {
                if let Some(option) = match_whole(&answer, shown) {
                    return answered(option.code.clone(), Method::Structured);
                }
            } else {
                return answered_scalar(&answer, expect, Method::Structured);
            }
            text = answer;
        }
    }
    match expect {
        Expect::Choice => choice(&text, shown),
        _ if expect.has_parts() => Extracted::Unparsed {
            reason: "an answer with several parts read as one (a bug)".into(),
        },
        _ => {
            if is_refusal(&text) {
                return Extracted::Refused {
                    reason: format!("the reply declines: {}", clip(&text)),
                };
            }
            let method = if expect == Expect::Number {
                Method::Number
            } else {
                Method::Text
            };
            answered_scalar(&text, expect, method)
        }
    }
}

fn answered(value: String, method: Method) -> Extracted {
    Extracted::Answered { value, method }
}

fn answered_scalar(text: &str, expect: Expect, method: Method) -> Extracted {
    match expect {
        Expect::Number => match first_number(text) {
            Some(x) => answered(number_text(x), method),
            None => Extracted::Unparsed {
                reason: format!("no number in the reply: {}", clip(text)),
            },
        },
        _ => answered(text.to_string(), method),
    }
}

/// `{"answer": …}` (possibly inside a ```json fence).
fn structured_answer(text: &str) -> Option<String> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let value: serde_json::Value = serde_json::from_str(text.get(start..=end)?).ok()?;
    match value.get("answer")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn choice(text: &str, shown: &[ShownOption]) -> Extracted {
    if let Some(option) = match_whole(text, shown) {
        return answered(option.code.clone(), Method::Label);
    }
    // "A", "A.", "(A) because…", "Profile A", "Answer: B": the label as the reply's first word.
    let lead = strip_lead(text);
    let first: String = lead.chars().take_while(|c| c.is_alphanumeric()).collect();
    if !first.is_empty() {
        // "A." or "(C) because" name a label; "A lot" is an article, so a label followed by a
        // space and more words is not taken as the answer.
        let after = lead[first.len()..].chars().next();
        let word_ends = after.is_none_or(|c| !c.is_alphanumeric() && c != ' ');
        if word_ends {
            if let Some(option) = shown.iter().find(|o| o.label == first) {
                return answered(option.code.clone(), Method::Label);
            }
        }
    }
    // The option's text inside a sentence, when exactly one option's text appears.
    let lower = text.to_lowercase();
    let named: Vec<&ShownOption> = shown
        .iter()
        .filter(|o| !o.text.is_empty() && contains_phrase(&lower, &o.text.to_lowercase()))
        .collect();
    // An option whose text is inside another's ("Agree" in "Strongly agree") is not a second hit.
    let named: Vec<&ShownOption> = named
        .iter()
        .filter(|o| {
            !named.iter().any(|other| {
                other.code != o.code
                    && other.text.len() > o.text.len()
                    && other.text.to_lowercase().contains(&o.text.to_lowercase())
            })
        })
        .copied()
        .collect();
    if named.len() == 1 {
        return answered(named[0].code.clone(), Method::OptionText);
    }
    if is_refusal(text) {
        return Extracted::Refused {
            reason: format!("the reply declines: {}", clip(text)),
        };
    }
    let labels: Vec<&str> = shown.iter().map(|o| o.label.as_str()).collect();
    let reason = if named.len() > 1 {
        format!("the reply names several options: {}", clip(text))
    } else {
        format!(
            "the reply names none of the options ({}): {}",
            labels.join(", "),
            clip(text)
        )
    };
    Extracted::Unparsed { reason }
}

/// The whole reply (trimmed of quotes, brackets and a final full stop) is a label or an option text.
pub(super) fn match_whole<'a>(text: &str, shown: &'a [ShownOption]) -> Option<&'a ShownOption> {
    let t = strip_lead(text)
        .trim_end_matches(['.', ')', ']', '"', '\'', '*', '`', ' '])
        .trim();
    shown
        .iter()
        .find(|o| o.label == t)
        .or_else(|| shown.iter().find(|o| o.label.eq_ignore_ascii_case(t)))
        .or_else(|| shown.iter().find(|o| o.text.eq_ignore_ascii_case(t)))
}

/// Drops "Answer:", "Profile", "Option", quotes and brackets in front of a label.
pub(super) fn strip_lead(text: &str) -> &str {
    let mut t = text.trim();
    loop {
        let before = t;
        t = t.trim_start_matches(['(', '[', '"', '\'', '*', '`', ' ', '\n']);
        for prefix in [
            "answer:",
            "answer",
            "my answer is",
            "profile",
            "option",
            "choice:",
        ] {
            if t.len() >= prefix.len()
                && t.is_char_boundary(prefix.len())
                && t[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                t = t[prefix.len()..].trim_start();
            }
        }
        if t == before {
            return t;
        }
    }
}

/// `phrase` appears in `text` with no letter or digit glued to either side.
pub(super) fn contains_phrase(text: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find(phrase) {
        let start = from + at;
        let end = start + phrase.len();
        let before_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = text[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = start + phrase.len().max(1);
        if from >= text.len() {
            return false;
        }
    }
    false
}

pub(super) fn is_refusal(text: &str) -> bool {
    let lower = text.to_lowercase();
    REFUSALS.iter().any(|r| lower.contains(r))
}

pub(super) fn first_number(text: &str) -> Option<f64> {
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let signed = (c == '-' || c == '+') && bytes.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        if c.is_ascii_digit() || signed {
            let mut j = i + 1;
            while j < bytes.len()
                && (bytes[j].is_ascii_digit() || bytes[j] == '.' || bytes[j] == ',')
            {
                j += 1;
            }
            let s: String = bytes[i..j].iter().filter(|c| **c != ',').collect();
            let s = s.trim_end_matches('.');
            if let Ok(x) = s.parse::<f64>() {
                return Some(x);
            }
        }
        i += 1;
    }
    None
}

pub(super) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(160).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// The first-token distribution over the shown labels, when the reply carries log-probabilities
/// and at least one alternative is a label. Tokens are compared after trimming spaces and
/// punctuation (" A", "A.", "(A" all count for A).
pub fn label_distribution(
    reply: &ProviderReply,
    shown: &[ShownOption],
) -> Option<LabelDistribution> {
    let top = reply.first_token_logprobs.as_ref()?;
    let mut mass = vec![0.0; shown.len()];
    for (token, logprob) in top {
        let t = token
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string();
        if t.is_empty() || !logprob.is_finite() {
            continue;
        }
        let hit = shown.iter().position(|o| o.label == t).or_else(|| {
            // Text labels: a token that starts exactly one option's text.
            let lower = t.to_lowercase();
            let starts: Vec<usize> = shown
                .iter()
                .enumerate()
                .filter(|(_, o)| o.label.len() > 2 && o.label.to_lowercase().starts_with(&lower))
                .map(|(i, _)| i)
                .collect();
            (starts.len() == 1).then(|| starts[0])
        });
        if let Some(i) = hit {
            mass[i] += logprob.exp();
        }
    }
    let total: f64 = mass.iter().sum();
    (total > 0.0).then(|| LabelDistribution {
        probabilities: shown
            .iter()
            .zip(&mass)
            .map(|(o, m)| (o.code.clone(), m / total))
            .collect(),
        label_mass: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(labels: &[(&str, &str)]) -> Vec<ShownOption> {
        labels
            .iter()
            .enumerate()
            .map(|(i, (l, t))| ShownOption {
                code: format!("c{i}"),
                label: l.to_string(),
                text: t.to_string(),
                levels: Vec::new(),
                exclusive: false,
            })
            .collect()
    }

    fn reply(text: &str) -> ProviderReply {
        ProviderReply {
            text: text.into(),
            ..Default::default()
        }
    }

    fn value(e: Extracted) -> Option<String> {
        match e {
            Extracted::Answered { value, .. } => Some(value),
            _ => None,
        }
    }

    #[test]
    fn labels_in_free_text() {
        let o = options(&[("A", "Agree"), ("B", "Strongly agree"), ("C", "Disagree")]);
        for (text, want) in [
            ("A", Some("c0")),
            ("B.", Some("c1")),
            ("(C) because", Some("c2")),
            ("Answer: B", Some("c1")),
            ("I strongly agree with that", Some("c1")),
            ("Disagree.", Some("c2")),
            ("A lot of things", None),
            ("Hmm, hard to say", None),
        ] {
            assert_eq!(
                value(extract(&reply(text), &o, Expect::Choice, false)).as_deref(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn refusal_is_kept_with_reason() {
        let o = options(&[("A", "Yes"), ("B", "No")]);
        let e = extract(
            &reply("I cannot answer questions about politics."),
            &o,
            Expect::Choice,
            false,
        );
        assert!(matches!(e, Extracted::Refused { .. }));
    }

    #[test]
    fn structured_answers() {
        let o = options(&[("A", "Yes"), ("B", "No")]);
        let e = extract(&reply("{\"answer\": \"B\"}"), &o, Expect::Choice, true);
        assert_eq!(value(e).as_deref(), Some("c1"));
    }

    #[test]
    fn first_token_distribution() {
        let o = options(&[("A", "Yes"), ("B", "No")]);
        let r = ProviderReply {
            first_token_logprobs: Some(vec![
                ("A".into(), -0.5),
                (" B".into(), -1.5),
                ("The".into(), -3.0),
            ]),
            ..Default::default()
        };
        let d = label_distribution(&r, &o).expect("distribution");
        let pa = (-0.5f64).exp() / ((-0.5f64).exp() + (-1.5f64).exp());
        assert!((d.probabilities[0].1 - pa).abs() < 1e-12);
        assert!(d.label_mass < 1.0);
    }

    #[test]
    fn numbers() {
        assert_eq!(
            value(extract(
                &reply("About 1,200 dollars."),
                &[],
                Expect::Number,
                false
            ))
            .as_deref(),
            Some("1200")
        );
    }
}

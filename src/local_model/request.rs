//! An OpenAI chat-completions request body, as `providers::OpenAiCompatible` builds it, read into
//! what generation needs. `response_format` (structured output) is accepted and ignored: the
//! answer is read from the text as for any endpoint without structured output. Two fields of our
//! own (`providers::Local` adds them): `"answer_mode": "labels"` with `"answer_labels": [...]`
//! asks for the labels to be scored instead of text generated.

use serde_json::Value;

use super::error::LocalModelError;
use super::template::TemplateMessage;

/// OpenAI's default when a request names no temperature.
const DEFAULT_TEMPERATURE: f64 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub struct CompletionRequest {
    pub messages: Vec<TemplateMessage>,
    pub temperature: f64,
    pub top_p: f64,
    pub seed: Option<u64>,
    pub max_tokens: Option<usize>,
    pub stop: Vec<String>,
    /// Some(k) when `logprobs` is true: k alternatives per token (0..=20).
    pub top_logprobs: Option<usize>,
    /// Some(labels) in label mode: the answer is one of these, chosen from their probabilities.
    pub answer_labels: Option<Vec<String>>,
}

fn bad(message: String) -> LocalModelError {
    LocalModelError::BadRequest(message)
}

fn number(body: &Value, field: &str) -> Result<Option<f64>, LocalModelError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| bad(format!("{field} must be a number, not {v}"))),
    }
}

fn count(body: &Value, field: &str) -> Result<Option<u64>, LocalModelError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad(format!("{field} must be a whole number ≥ 0, not {v}"))),
    }
}

impl CompletionRequest {
    pub fn from_body(body: &Value) -> Result<Self, LocalModelError> {
        let messages = body
            .get("messages")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("the request has no messages array".into()))?
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let role = m.get("role").and_then(Value::as_str);
                let content = match m.get("content") {
                    Some(Value::String(s)) => Some(s.clone()),
                    // The array form: text parts joined.
                    Some(Value::Array(parts)) => Some(
                        parts
                            .iter()
                            .filter_map(|p| p.get("text").and_then(Value::as_str))
                            .collect::<Vec<_>>()
                            .join(""),
                    ),
                    _ => None,
                };
                match (role, content) {
                    (Some(role), Some(content)) => Ok(TemplateMessage {
                        role: role.to_string(),
                        content,
                    }),
                    _ => Err(bad(format!(
                        "messages[{i}] needs a role and a text content"
                    ))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if messages.is_empty() {
            return Err(bad("the request has no messages".into()));
        }
        let temperature = number(body, "temperature")?.unwrap_or(DEFAULT_TEMPERATURE);
        if !(0.0..=2.0).contains(&temperature) {
            return Err(bad(format!(
                "temperature must be between 0 and 2, not {temperature}"
            )));
        }
        let top_p = number(body, "top_p")?.unwrap_or(1.0);
        if !(top_p > 0.0 && top_p <= 1.0) {
            return Err(bad(format!(
                "top_p must be above 0 and at most 1, not {top_p}"
            )));
        }
        let max_tokens = count(body, "max_completion_tokens")?
            .or(count(body, "max_tokens")?)
            .map(|m| m as usize);
        if max_tokens == Some(0) {
            return Err(bad("max_tokens must be at least 1".into()));
        }
        let stop = match body.get("stop") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|s| {
                    s.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| bad(format!("stop must hold strings, not {s}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(bad(format!(
                    "stop must be a string or a list of strings, not {other}"
                )))
            }
        };
        let stop: Vec<String> = stop.into_iter().filter(|s| !s.is_empty()).collect();
        let logprobs = body
            .get("logprobs")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let top = count(body, "top_logprobs")?.unwrap_or(0);
        if top > 20 {
            return Err(bad(format!("top_logprobs must be at most 20, not {top}")));
        }
        Ok(Self {
            messages,
            temperature,
            top_p,
            seed: count(body, "seed")?,
            max_tokens,
            stop,
            top_logprobs: logprobs.then_some(top as usize),
            answer_labels: answer_labels(body)?,
        })
    }
}

/// The labels to score, when `answer_mode` is `"labels"`; `"generate"` (or no mode) generates.
fn answer_labels(body: &Value) -> Result<Option<Vec<String>>, LocalModelError> {
    match body.get("answer_mode").and_then(Value::as_str) {
        None | Some("generate") => return Ok(None),
        Some("labels") => {}
        Some(other) => {
            return Err(bad(format!(
                "answer_mode must be \"labels\" or \"generate\", not {other:?}"
            )))
        }
    }
    let labels = body
        .get("answer_labels")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("answer_mode \"labels\" needs an answer_labels list".into()))?
        .iter()
        .map(|l| match l.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
            _ => Err(bad(format!(
                "answer_labels must hold non-empty strings, not {l}"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if labels.is_empty() {
        return Err(bad(
            "answer_labels is empty: there is nothing to choose".into()
        ));
    }
    Ok(Some(labels))
}

//! Batch files for runs too large for a tab: the OpenAI Batch API input (JSONL) and the Anthropic
//! Message Batches request file, and reading their result files back into call records by custom
//! id. Batch files carry request bodies only, never keys.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::cache::cache_key;
use super::error::FieldError;
use super::plan::PlannedCall;
use super::record::{failed_record, reply_record, CallRecord, Outcome};
use crate::providers::{
    Anthropic, EndpointConfig, OpenAiCompatible, Provider, ProviderError, ProviderReply,
};
use crate::study::ProviderKind;

/// One line per call: `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`.
pub fn openai_batch_jsonl(calls: &[PlannedCall], endpoint: &EndpointConfig) -> String {
    let mut out = String::new();
    for call in calls {
        let line = json!({
            "custom_id": call.custom_id,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": OpenAiCompatible.body(endpoint, &call.call),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// The body of `POST /v1/messages/batches`: `{"requests": [{"custom_id", "params"}, …]}`.
pub fn anthropic_batch_requests(calls: &[PlannedCall], endpoint: &EndpointConfig) -> String {
    let requests: Vec<Value> = calls
        .iter()
        .map(|call| json!({"custom_id": call.custom_id, "params": Anthropic.body(endpoint, &call.call)}))
        .collect();
    let mut text =
        serde_json::to_string_pretty(&json!({ "requests": requests })).unwrap_or_default();
    text.push('\n');
    text
}

/// One line of a result file.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchResult {
    pub custom_id: String,
    pub reply: Result<ProviderReply, ProviderError>,
    /// The reply body, as the cache stores it.
    pub body: Option<String>,
}

/// Reads a result file of either provider (JSONL).
pub fn read_results(kind: ProviderKind, text: &str) -> Result<Vec<BatchResult>, FieldError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| FieldError::BatchLine {
            line: i + 1,
            message,
        };
        let value: Value = serde_json::from_str(line).map_err(|e| bad(format!("not JSON: {e}")))?;
        let custom_id = value
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no custom_id".into()))?
            .to_string();
        let (reply, body) = match kind {
            ProviderKind::Anthropic => anthropic_line(&value),
            _ => openai_line(&value),
        };
        out.push(BatchResult {
            custom_id,
            reply,
            body,
        });
    }
    Ok(out)
}

type Line = (Result<ProviderReply, ProviderError>, Option<String>);

fn openai_line(value: &Value) -> Line {
    if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the batch reports an error")
            .to_string();
        return (Err(ProviderError::Rejected { status: 0, message }), None);
    }
    let status = value
        .pointer("/response/status_code")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u16;
    let Some(body) = value.pointer("/response/body") else {
        return (
            Err(ProviderError::Malformed(
                "the line has no response body".into(),
            )),
            None,
        );
    };
    let body_text = body.to_string();
    if status != 200 {
        let message = body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_string();
        return (Err(ProviderError::Rejected { status, message }), None);
    }
    (OpenAiCompatible.parse_body(&body_text), Some(body_text))
}

fn anthropic_line(value: &Value) -> Line {
    let kind = value.pointer("/result/type").and_then(Value::as_str);
    match kind {
        Some("succeeded") => match value.pointer("/result/message") {
            Some(message) => (
                crate::providers::anthropic::message_reply(message),
                Some(message.to_string()),
            ),
            None => (
                Err(ProviderError::Malformed(
                    "a succeeded line without a message".into(),
                )),
                None,
            ),
        },
        Some(other) => {
            let message = value
                .pointer("/result/error/error/message")
                .or_else(|| value.pointer("/result/error/message"))
                .and_then(Value::as_str)
                .map_or_else(
                    || format!("the batch request {other}"),
                    |m| format!("{other}: {m}"),
                );
            (Err(ProviderError::Rejected { status: 0, message }), None)
        }
        None => (
            Err(ProviderError::Malformed(
                "the line has no result type".into(),
            )),
            None,
        ),
    }
}

/// Records for every planned call from a batch's results: matched by custom id; calls missing
/// from the file are failed records saying so. Lines with unknown ids are returned separately.
pub fn records_from_results(
    calls: &[PlannedCall],
    endpoint: &EndpointConfig,
    results: Vec<BatchResult>,
) -> (Vec<CallRecord>, Vec<String>) {
    let provider: Box<dyn Provider> = match endpoint.provider {
        ProviderKind::Anthropic => Box::new(Anthropic),
        _ => Box::new(OpenAiCompatible),
    };
    let name = super::run::provider_name(endpoint.provider);
    let known: HashMap<&str, usize> = calls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.custom_id.as_str(), i))
        .collect();
    let mut by_call: Vec<Option<BatchResult>> = vec![None; calls.len()];
    let mut unknown = Vec::new();
    for result in results {
        match known.get(result.custom_id.as_str()) {
            Some(&i) => by_call[i] = Some(result),
            None => unknown.push(result.custom_id),
        }
    }
    let records = calls
        .iter()
        .zip(by_call)
        .map(|(call, result)| {
            let key = cache_key(&provider.build(endpoint, &call.call), call.sample);
            let outcome = Outcome {
                provider: name,
                model: &endpoint.model,
                parameters: &endpoint.parameters,
                cache_key: key,
                attempts: 1,
                cache_hit: false,
                latency_ms: None,
            };
            match result {
                None => failed_record(
                    call,
                    outcome,
                    "no line for this call in the result file".into(),
                ),
                Some(BatchResult { reply: Err(e), .. }) => {
                    failed_record(call, outcome, e.to_string())
                }
                Some(BatchResult {
                    reply: Ok(reply), ..
                }) => reply_record(call, outcome, &reply),
            }
        })
        .collect();
    (records, unknown)
}

//! Anthropic Messages API. The browser needs `anthropic-dangerous-direct-browser-access: true`;
//! the header is harmless natively, so it is always sent and the page and the tool send the same
//! request. Anthropic reports no log-probabilities.

use serde_json::{json, Value};

use super::http::HttpRequest;
use super::{
    join_url, max_tokens_for, temperature, with_extra_headers, ChatCall, EndpointConfig, Provider,
    ProviderError, ProviderReply, Usage,
};
use crate::study::ProviderKind;

const API_VERSION: &str = "2023-06-01";

#[derive(Clone, Copy, Debug, Default)]
pub struct Anthropic;

impl Provider for Anthropic {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Anthropic
    }

    fn body(&self, endpoint: &EndpointConfig, call: &ChatCall) -> Value {
        let p = &endpoint.parameters;
        let (system, conversation) = call.split_system();
        let messages: Vec<Value> = conversation
            .iter()
            .map(|m| json!({"role": m.role, "content": m.content}))
            .collect();
        let mut body = json!({
            "model": endpoint.model,
            "max_tokens": max_tokens_for(p, call),
            "temperature": temperature(p),
            "messages": messages,
        });
        if let Some(system) = system {
            body["system"] = json!(system);
        }
        if let Some(t) = p.top_p {
            body["top_p"] = json!(t);
        }
        if p.structured_output {
            // Structured output through a forced tool call whose input is the answer object.
            body["tools"] = json!([{
                "name": "answer",
                "description": "Record the answer.",
                "input_schema": super::openai::answer_schema(&call.answer_labels, &call.answer_shape)
            }]);
            body["tool_choice"] = json!({"type": "tool", "name": "answer"});
        }
        body
    }

    fn build(&self, endpoint: &EndpointConfig, call: &ChatCall) -> HttpRequest {
        let mut headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("anthropic-version".to_string(), API_VERSION.to_string()),
            (
                "anthropic-dangerous-direct-browser-access".to_string(),
                "true".to_string(),
            ),
        ];
        if let Some(key) = &endpoint.api_key {
            headers.push(("x-api-key".to_string(), key.expose().to_string()));
        }
        HttpRequest {
            url: join_url(&endpoint.base_url, "messages"),
            headers: with_extra_headers(headers, endpoint),
            body: self.body(endpoint, call).to_string(),
        }
    }

    fn parse_body(&self, body: &str) -> Result<ProviderReply, ProviderError> {
        let value: Value = serde_json::from_str(body)
            .map_err(|e| ProviderError::Malformed(format!("{e} in a Messages reply")))?;
        message_reply(&value)
    }
}

/// Reads a Messages `message` object (a reply body, or `result.message` in a batch result).
pub(crate) fn message_reply(value: &Value) -> Result<ProviderReply, ProviderError> {
    let content = value
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("the reply has no content".into()))?;
    let mut text = String::new();
    for block in content {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => text.push_str(block.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("tool_use") => {
                if let Some(input) = block.get("input") {
                    text.push_str(&input.to_string());
                }
            }
            _ => {}
        }
    }
    let stop = value
        .get("stop_reason")
        .and_then(Value::as_str)
        .map(str::to_string);
    let refusal = (stop.as_deref() == Some("refusal")).then(|| text.clone());
    let usage = value.get("usage").map_or_else(Usage::default, |u| Usage {
        input: u.get("input_tokens").and_then(Value::as_u64),
        output: u.get("output_tokens").and_then(Value::as_u64),
        reasoning: None,
    });
    Ok(ProviderReply {
        text,
        first_token_logprobs: None,
        usage,
        model: value
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        finish_reason: stop,
        refusal,
    })
}

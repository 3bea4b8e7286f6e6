//! OpenAI-compatible Chat Completions (OpenAI, vLLM, llama.cpp, Ollama's `/v1`, LM Studio,
//! OpenRouter, Together, Groq…).

use serde_json::{json, Value};

use super::http::HttpRequest;
use super::{
    join_url, max_tokens_for, temperature, with_extra_headers, AnswerShape, ChatCall,
    EndpointConfig, Provider, ProviderError, ProviderReply, Usage,
};
use crate::study::ProviderKind;

/// `POST {base_url}/chat/completions` with `Authorization: Bearer KEY`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenAiCompatible;

/// The JSON schema that constrains a reply to `{"answer": …}`: one of the labels, several or an
/// order of them, one value per item, or a number, as the call's answer shape says.
pub fn answer_schema(labels: &[String], shape: &AnswerShape) -> Value {
    let mut label = json!({"type": "string"});
    if !labels.is_empty() {
        label["enum"] = json!(labels);
    }
    let answer = match shape {
        AnswerShape::One => label,
        AnswerShape::Number => json!({"type": "number"}),
        AnswerShape::Several { min, max } => json!({
            "type": "array", "items": label, "uniqueItems": true,
            "minItems": min, "maxItems": max
        }),
        AnswerShape::Order { count } => json!({
            "type": "array", "items": label, "uniqueItems": true,
            "minItems": count, "maxItems": count
        }),
        AnswerShape::PerItem { items, numeric } => {
            let value = if *numeric {
                json!({"type": "number"})
            } else {
                label
            };
            let properties: serde_json::Map<String, Value> =
                items.iter().map(|i| (i.clone(), value.clone())).collect();
            json!({
                "type": "object", "properties": properties, "required": items,
                "additionalProperties": false
            })
        }
    };
    json!({
        "type": "object",
        "properties": {"answer": answer},
        "required": ["answer"],
        "additionalProperties": false
    })
}

impl Provider for OpenAiCompatible {
    fn kind(&self) -> ProviderKind {
        ProviderKind::OpenaiCompatible
    }

    fn body(&self, endpoint: &EndpointConfig, call: &ChatCall) -> Value {
        let p = &endpoint.parameters;
        let mut body = json!({
            "model": endpoint.model,
            "messages": call.messages,
            "temperature": temperature(p),
            "max_tokens": max_tokens_for(p, call),
        });
        if let Some(t) = p.top_p {
            body["top_p"] = json!(t);
        }
        if let Some(seed) = call.seed {
            body["seed"] = json!(seed);
        }
        if p.top_logprobs > 0 {
            body["logprobs"] = json!(true);
            body["top_logprobs"] = json!(p.top_logprobs.min(20));
        }
        if p.structured_output {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": "answer", "strict": true, "schema": answer_schema(&call.answer_labels, &call.answer_shape)}
            });
        }
        body
    }

    fn build(&self, endpoint: &EndpointConfig, call: &ChatCall) -> HttpRequest {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(key) = &endpoint.api_key {
            headers.push((
                "authorization".to_string(),
                format!("Bearer {}", key.expose()),
            ));
        }
        HttpRequest {
            url: join_url(&endpoint.base_url, "chat/completions"),
            headers: with_extra_headers(headers, endpoint),
            body: self.body(endpoint, call).to_string(),
        }
    }

    fn parse_body(&self, body: &str) -> Result<ProviderReply, ProviderError> {
        let value: Value = serde_json::from_str(body)
            .map_err(|e| ProviderError::Malformed(format!("{e} in a Chat Completions reply")))?;
        let choice = value
            .pointer("/choices/0")
            .ok_or_else(|| ProviderError::Malformed("the reply has no choices".into()))?;
        let message = choice
            .get("message")
            .ok_or_else(|| ProviderError::Malformed("the first choice has no message".into()))?;
        let text = message
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let refusal = message
            .get("refusal")
            .and_then(Value::as_str)
            .map(str::to_string);
        let first_token_logprobs = choice.pointer("/logprobs/content/0").map(|first| {
            match first.get("top_logprobs").and_then(Value::as_array) {
                Some(top) if !top.is_empty() => top.iter().filter_map(token_logprob).collect(),
                _ => token_logprob(first).into_iter().collect(),
            }
        });
        let usage = value.get("usage").map_or_else(Usage::default, |u| Usage {
            input: u.get("prompt_tokens").and_then(Value::as_u64),
            output: u.get("completion_tokens").and_then(Value::as_u64),
            reasoning: u
                .pointer("/completion_tokens_details/reasoning_tokens")
                .and_then(Value::as_u64),
        });
        Ok(ProviderReply {
            text,
            first_token_logprobs,
            usage,
            model: value
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_string),
            finish_reason: choice
                .get("finish_reason")
                .and_then(Value::as_str)
                .map(str::to_string),
            refusal,
        })
    }
}

fn token_logprob(entry: &Value) -> Option<(String, f64)> {
    Some((
        entry.get("token")?.as_str()?.to_string(),
        entry.get("logprob")?.as_f64()?,
    ))
}

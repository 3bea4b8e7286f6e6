//! Google Gemini `generateContent`.

use serde_json::{json, Value};

use super::http::HttpRequest;
use super::{
    join_url, max_tokens_for, temperature, with_extra_headers, ChatCall, EndpointConfig, Provider,
    ProviderError, ProviderReply, Usage,
};
use crate::study::ProviderKind;

/// `POST {base_url}/models/{model}:generateContent` with the key in `x-goog-api-key` (never in
/// the URL, where it would end up in logs).
#[derive(Clone, Copy, Debug, Default)]
pub struct Gemini;

impl Provider for Gemini {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Gemini
    }

    fn body(&self, endpoint: &EndpointConfig, call: &ChatCall) -> Value {
        let p = &endpoint.parameters;
        let (system, conversation) = call.split_system();
        let contents: Vec<Value> = conversation
            .iter()
            .map(|m| {
                let role = if m.role == "assistant" {
                    "model"
                } else {
                    "user"
                };
                json!({"role": role, "parts": [{"text": m.content}]})
            })
            .collect();
        let mut config = json!({
            "temperature": temperature(p),
            "maxOutputTokens": max_tokens_for(p, call),
        });
        if let Some(t) = p.top_p {
            config["topP"] = json!(t);
        }
        if let Some(seed) = call.seed {
            // Gemini's seed is a 32-bit integer.
            config["seed"] = json!(seed % (1 << 31));
        }
        if p.top_logprobs > 0 {
            config["responseLogprobs"] = json!(true);
            config["logprobs"] = json!(p.top_logprobs.min(20));
        }
        if p.structured_output {
            let mut answer = json!({"type": "STRING"});
            if !call.answer_labels.is_empty() {
                answer["enum"] = json!(call.answer_labels);
            }
            config["responseMimeType"] = json!("application/json");
            config["responseSchema"] = json!({
                "type": "OBJECT", "properties": {"answer": answer}, "required": ["answer"]
            });
        }
        let mut body = json!({ "contents": contents, "generationConfig": config });
        if let Some(system) = system {
            body["systemInstruction"] = json!({"parts": [{"text": system}]});
        }
        body
    }

    fn build(&self, endpoint: &EndpointConfig, call: &ChatCall) -> HttpRequest {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(key) = &endpoint.api_key {
            headers.push(("x-goog-api-key".to_string(), key.expose().to_string()));
        }
        HttpRequest {
            url: join_url(
                &endpoint.base_url,
                &format!("models/{}:generateContent", endpoint.model),
            ),
            headers: with_extra_headers(headers, endpoint),
            body: self.body(endpoint, call).to_string(),
        }
    }

    fn parse_body(&self, body: &str) -> Result<ProviderReply, ProviderError> {
        let value: Value = serde_json::from_str(body)
            .map_err(|e| ProviderError::Malformed(format!("{e} in a generateContent reply")))?;
        let candidate = value.pointer("/candidates/0");
        let text: String = candidate
            .and_then(|c| c.pointer("/content/parts"))
            .and_then(Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        let finish = candidate
            .and_then(|c| c.get("finishReason"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let blocked = value
            .pointer("/promptFeedback/blockReason")
            .and_then(Value::as_str);
        if candidate.is_none() && blocked.is_none() {
            return Err(ProviderError::Malformed(
                "the reply has no candidates".into(),
            ));
        }
        let refusal = match (blocked, finish.as_deref()) {
            (Some(reason), _) => Some(format!("prompt blocked: {reason}")),
            (None, Some("SAFETY" | "PROHIBITED_CONTENT" | "BLOCKLIST")) => Some(format!(
                "reply blocked: {}",
                finish.clone().unwrap_or_default()
            )),
            _ => None,
        };
        let first_token_logprobs = candidate
            .and_then(|c| c.pointer("/logprobsResult/topCandidates/0/candidates"))
            .and_then(Value::as_array)
            .map(|top| {
                top.iter()
                    .filter_map(|t| {
                        Some((
                            t.get("token")?.as_str()?.to_string(),
                            t.get("logProbability")?.as_f64()?,
                        ))
                    })
                    .collect()
            });
        let usage = value
            .get("usageMetadata")
            .map_or_else(Usage::default, |u| Usage {
                input: u.get("promptTokenCount").and_then(Value::as_u64),
                output: u
                    .get("candidatesTokenCount")
                    .and_then(Value::as_u64)
                    .map(|c| {
                        c + u
                            .get("thoughtsTokenCount")
                            .and_then(Value::as_u64)
                            .unwrap_or(0)
                    }),
                reasoning: u.get("thoughtsTokenCount").and_then(Value::as_u64),
            });
        Ok(ProviderReply {
            text,
            first_token_logprobs,
            usage,
            model: value
                .get("modelVersion")
                .and_then(Value::as_str)
                .map(str::to_string),
            finish_reason: finish,
            refusal,
        })
    }
}

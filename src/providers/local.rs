//! The in-process model (in the page's worker, or the command-line tool): the OpenAI-compatible
//! body and reply, sent to a `local:` address instead of over HTTP, so cache keys, records and
//! batch files work as for any endpoint.
//!
//! In [`AnswerMode::Labels`] (the default) a call with option labels also carries
//! `"answer_mode": "labels"` and `"answer_labels": [...]`: the model then scores the labels
//! after the prompt instead of generating (see `local_model::labels`), and replies with the chosen
//! label and every label's log-probability in `logprobs`, so the reply is read like any other.
//! The labels are part of the request, hence of the cache key: a label-scored answer is never
//! confused with a generated one.

use serde_json::{json, Value};

use super::http::HttpRequest;
use super::{ChatCall, EndpointConfig, OpenAiCompatible, Provider, ProviderError, ProviderReply};
use crate::study::{AnswerMode, ProviderKind};

/// The model a study with no endpoint of its own is fielded to: the file the README's serve
/// command puts on the page's own site (the page's storage keeps it once loaded), so a newcomer
/// needs no key.
pub const DEFAULT_SOURCE: &str = "/models/SmolLM2-135M-Instruct.Q4_1.gguf";
/// The default model's name, used until its file says otherwise.
pub const DEFAULT_MODEL: &str = "SmolLM2-135M-Instruct";

/// `local:{base_url}`, or `local:{model}` when the endpoint has no base URL: the model file's
/// path (command line) or its name in the page's storage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Local;

/// The address of the local model an endpoint names.
pub fn local_url(endpoint: &EndpointConfig) -> String {
    let place = if endpoint.base_url.trim().is_empty() {
        endpoint.model.trim()
    } else {
        endpoint.base_url.trim()
    };
    if place.starts_with("local:") {
        place.to_string()
    } else {
        format!("local:{place}")
    }
}

impl Provider for Local {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Local
    }

    fn body(&self, endpoint: &EndpointConfig, call: &ChatCall) -> Value {
        let mut body = OpenAiCompatible.body(endpoint, call);
        // Numeric and free-text questions have no labels: they are generated, max_tokens long.
        if endpoint.parameters.answer_mode == AnswerMode::Labels
            && !call.answer_labels.is_empty()
            // Answers with several parts (multiple choice, ranking, batteries) are generated.
            && call.answer_shape.is_one()
        {
            body["answer_mode"] = json!("labels");
            body["answer_labels"] = json!(call.answer_labels);
        }
        body
    }

    fn build(&self, endpoint: &EndpointConfig, call: &ChatCall) -> HttpRequest {
        HttpRequest {
            url: local_url(endpoint),
            headers: vec![("content-type".to_string(), "application/json".to_string())],
            body: self.body(endpoint, call).to_string(),
        }
    }

    fn parse_body(&self, body: &str) -> Result<ProviderReply, ProviderError> {
        OpenAiCompatible.parse_body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{Message, DEFAULT_MAX_TOKENS};

    fn endpoint(mode: AnswerMode) -> EndpointConfig {
        let parameters = crate::study::SamplingParameters {
            answer_mode: mode,
            ..Default::default()
        };
        EndpointConfig {
            provider: ProviderKind::Local,
            base_url: String::new(),
            model: "models/m.gguf".into(),
            headers: Vec::new(),
            parameters,
            api_key: None,
        }
    }

    fn call(labels: &[&str]) -> ChatCall {
        ChatCall {
            messages: vec![Message {
                role: "user".into(),
                content: "Which?".into(),
            }],
            answer_labels: labels.iter().map(|l| l.to_string()).collect(),
            answer_shape: Default::default(),
            seed: Some(3),
        }
    }

    #[test]
    fn choices_carry_their_labels_and_every_request_a_token_limit() {
        let body = Local.body(&endpoint(AnswerMode::default()), &call(&["A", "B"]));
        assert_eq!(body["answer_mode"], "labels");
        assert_eq!(body["answer_labels"], json!(["A", "B"]));
        assert_eq!(body["max_tokens"], DEFAULT_MAX_TOKENS);
        assert_eq!(body["temperature"], 1.0);
        // A number or a text is generated.
        let open = Local.body(&endpoint(AnswerMode::Labels), &call(&[]));
        assert!(open.get("answer_labels").is_none() && open.get("answer_mode").is_none());
        assert_eq!(open["max_tokens"], DEFAULT_MAX_TOKENS);
        // Free generation on request, still with the limit.
        let generated = Local.body(&endpoint(AnswerMode::Generate), &call(&["A", "B"]));
        assert!(generated.get("answer_labels").is_none());
        assert_eq!(generated["max_tokens"], DEFAULT_MAX_TOKENS);
    }
}

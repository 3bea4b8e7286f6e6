//! LLM providers: how one chat call becomes an HTTP request and how the reply becomes text, token
//! counts and first-token log-probabilities. Each provider is a request builder plus a response
//! parser behind [`Provider`], with no I/O, so the page and the command-line tool share them.

pub(crate) mod anthropic;
mod gemini;
pub mod http;
mod local;
mod openai;
mod retry;

pub use anthropic::Anthropic;
pub use gemini::Gemini;
pub use local::{
    local_url, Local, DEFAULT_MODEL as DEFAULT_LOCAL_MODEL, DEFAULT_SOURCE as DEFAULT_LOCAL_SOURCE,
};
pub use openai::OpenAiCompatible;
pub use retry::retry_after_seconds;

use serde::{Deserialize, Serialize};

use crate::study::{ProviderKind, SamplingParameters};
use http::{HttpRequest, HttpResponse};

/// Tokens a reply may take when the run sets none. Sent to every provider (and the local model),
/// so a model that rambles is cut off rather than writing to its context limit; a label, a
/// number or a short phrase fits. The Field form shows it as the placeholder and the command
/// line as `--max-tokens`'s default: both read it from here.
pub const DEFAULT_MAX_TOKENS: u32 = 16;

/// The temperature when the run sets none: 1 samples from the model's own distribution (what a
/// silicon sample is meant to show), and is every provider's documented default, so sending it
/// changes nothing for them while the value used is known and recorded.
pub const DEFAULT_TEMPERATURE: f64 = 1.0;

/// The max-tokens limit a request carries.
pub fn max_tokens(parameters: &SamplingParameters) -> u32 {
    parameters.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS).max(1)
}

/// The max-tokens limit of one call: the run's limit when one is set; else the default, raised
/// for answers with several parts (a line per item, a label per choice) so they are not cut off.
pub fn max_tokens_for(parameters: &SamplingParameters, call: &ChatCall) -> u32 {
    if parameters.max_tokens.is_some() {
        return max_tokens(parameters);
    }
    let parts = match &call.answer_shape {
        AnswerShape::One | AnswerShape::Number => 0,
        AnswerShape::PerItem { items, .. } => items.len(),
        AnswerShape::Several { .. } | AnswerShape::Order { .. } => call.answer_labels.len(),
    };
    DEFAULT_MAX_TOKENS + 8 * parts as u32
}

/// The temperature a request carries.
pub fn temperature(parameters: &SamplingParameters) -> f64 {
    parameters.temperature.unwrap_or(DEFAULT_TEMPERATURE)
}

/// Where and how to send calls: the study's endpoint plus the session's key (never stored).
#[derive(Clone, PartialEq)]
pub struct EndpointConfig {
    pub provider: ProviderKind,
    /// e.g. `https://api.openai.com/v1`, `http://127.0.0.1:18080/v1`.
    pub base_url: String,
    pub model: String,
    /// Extra, non-secret headers.
    pub headers: Vec<(String, String)>,
    pub parameters: SamplingParameters,
    pub api_key: Option<ApiKey>,
}

impl std::fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("headers", &self.headers)
            .field("parameters", &self.parameters)
            .field("api_key", &self.api_key)
            .finish()
    }
}

/// An API key. Its `Debug` and `Display` never show it; [`ApiKey::redact`] scrubs it from text
/// that an endpoint may echo (error messages).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// None for an empty key.
    pub fn new(key: &str) -> Option<Self> {
        let key = key.trim();
        (!key.is_empty()).then(|| Self(key.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key (and of its long prefixes, which providers echo
    /// as `sk-abc…xyz`) replaced by `[redacted]`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(&self.0, "[redacted]");
        if self.0.len() >= 12 {
            out = out.replace(&self.0[..8], "[redacted]");
        }
        out
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// A chat message as sent and recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system` or `user`.
    pub role: String,
    pub content: String,
}

/// One question to ask: messages plus what the answer may be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatCall {
    pub messages: Vec<Message>,
    /// The labels a valid answer may take, for structured output (a JSON-schema enum).
    pub answer_labels: Vec<String>,
    /// The answer's shape, for structured output's schema.
    #[serde(default, skip_serializing_if = "AnswerShape::is_one")]
    pub answer_shape: AnswerShape,
    /// The per-call seed, when the run has one.
    pub seed: Option<u64>,
}

impl ChatCall {
    /// The system prompt (all system messages, joined) and the conversation without them: the shape
    /// Anthropic and Gemini want, where the system prompt is a field of its own.
    pub fn split_system(&self) -> (Option<String>, Vec<&Message>) {
        let system: Vec<&str> = self
            .messages
            .iter()
            .filter(|m| m.role == "system")
            .map(|m| m.content.as_str())
            .collect();
        let rest = self
            .messages
            .iter()
            .filter(|m| m.role != "system")
            .collect();
        ((!system.is_empty()).then(|| system.join("\n\n")), rest)
    }
}

/// What structured output asks for in `{"answer": …}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum AnswerShape {
    /// One label (or, without labels, a string).
    #[default]
    One,
    /// Between `min` and `max` distinct labels.
    Several { min: u32, max: u32 },
    /// `count` distinct labels in order.
    Order { count: u32 },
    /// An object with one value per item: a label, or a number when `numeric`.
    PerItem { items: Vec<String>, numeric: bool },
    /// A number.
    Number,
}

impl AnswerShape {
    pub fn is_one(&self) -> bool {
        *self == Self::One
    }
}

/// Token counts as the provider reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input: Option<u64>,
    pub output: Option<u64>,
    /// Reasoning ("thinking") tokens, included in `output` by the providers that report them.
    pub reasoning: Option<u64>,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.input.unwrap_or(0) + self.output.unwrap_or(0)
    }
}

/// A parsed successful reply.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderReply {
    pub text: String,
    /// The alternatives for the first generated token with their natural-log probabilities.
    pub first_token_logprobs: Option<Vec<(String, f64)>>,
    pub usage: Usage,
    /// The model that answered, when reported (may differ from the one asked for).
    pub model: Option<String>,
    pub finish_reason: Option<String>,
    /// A refusal the provider reports as such (OpenAI's `refusal`, Anthropic's stop reason).
    pub refusal: Option<String>,
}

/// Why a reply is not an answer, and whether asking again may help.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ProviderError {
    #[error("rate limited by the endpoint (HTTP 429){}", retry_note(*.retry_after_s))]
    RateLimited { retry_after_s: Option<f64> },
    #[error("the endpoint failed (HTTP {status}): {message}")]
    Server {
        status: u16,
        message: String,
        retry_after_s: Option<f64>,
    },
    #[error("the endpoint refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("the reply is not the JSON the provider documents: {0}")]
    Malformed(String),
}

fn retry_note(after: Option<f64>) -> String {
    after.map_or_else(String::new, |s| format!(", retry after {s} s"))
}

impl ProviderError {
    /// 429, 5xx and garbled bodies are worth retrying; other 4xx (bad key, bad model) are not.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Rejected { .. })
    }

    pub fn retry_after_s(&self) -> Option<f64> {
        match self {
            Self::RateLimited { retry_after_s } | Self::Server { retry_after_s, .. } => {
                *retry_after_s
            }
            _ => None,
        }
    }
}

/// A provider's wire format.
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// The exact HTTP request for `call`.
    fn build(&self, endpoint: &EndpointConfig, call: &ChatCall) -> HttpRequest;
    /// The request body alone (the part batch files carry), as JSON.
    fn body(&self, endpoint: &EndpointConfig, call: &ChatCall) -> serde_json::Value;
    /// Reads a reply with any status.
    fn parse(&self, response: &HttpResponse) -> Result<ProviderReply, ProviderError> {
        if !(200..300).contains(&response.status) {
            return Err(status_error(response));
        }
        self.parse_body(&response.body)
    }
    /// Reads a successful reply's body (also the body inside a batch result line).
    fn parse_body(&self, body: &str) -> Result<ProviderReply, ProviderError>;
}

/// The provider for a kind.
pub fn provider_for(kind: ProviderKind) -> Box<dyn Provider> {
    match kind {
        ProviderKind::OpenaiCompatible => Box::new(OpenAiCompatible),
        ProviderKind::Anthropic => Box::new(Anthropic),
        ProviderKind::Gemini => Box::new(Gemini),
        ProviderKind::Local => Box::new(Local),
    }
}

/// The error for a non-2xx reply, with the provider's own message when the body has one.
pub fn status_error(response: &HttpResponse) -> ProviderError {
    let message = error_message(&response.body);
    let retry_after_s = retry_after_seconds(response);
    match response.status {
        429 => ProviderError::RateLimited { retry_after_s },
        s if s >= 500 => ProviderError::Server {
            status: s,
            message,
            retry_after_s,
        },
        s => ProviderError::Rejected { status: s, message },
    }
}

/// `error.message` (OpenAI, Anthropic, Gemini all nest it so), else the start of the body.
fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    if let Some(message) = parsed
        .as_ref()
        .and_then(|v| v.pointer("/error/message"))
        .and_then(|m| m.as_str())
    {
        return message.to_string();
    }
    let mut text: String = body.chars().take(200).collect();
    if text.trim().is_empty() {
        text = "no message".into();
    }
    text
}

/// Joins a base URL and a path without doubling or losing the slash.
pub(crate) fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

pub(crate) fn with_extra_headers(
    mut headers: Vec<(String, String)>,
    endpoint: &EndpointConfig,
) -> Vec<(String, String)> {
    headers.extend(endpoint.headers.iter().cloned());
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(role: &str, content: &str) -> Message {
        Message {
            role: role.into(),
            content: content.into(),
        }
    }

    #[test]
    fn system_messages_are_joined_and_the_conversation_keeps_its_order() {
        let call = ChatCall {
            messages: vec![
                message("system", "Be brief."),
                message("user", "Q1"),
                message("system", "Answer with a label."),
                message("assistant", "A"),
            ],
            answer_labels: Vec::new(),
            answer_shape: AnswerShape::One,
            seed: None,
        };
        let (system, rest) = call.split_system();
        assert_eq!(system.as_deref(), Some("Be brief.\n\nAnswer with a label."));
        assert_eq!(
            rest.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(),
            ["Q1", "A"]
        );
        let no_system = ChatCall {
            messages: vec![message("user", "Q1")],
            ..call
        };
        assert_eq!(no_system.split_system().0, None);
    }
}

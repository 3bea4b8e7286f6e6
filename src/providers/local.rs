//! The in-process model (in the page's worker, or the command-line tool): the OpenAI-compatible
//! body and reply, sent to a `local:` address instead of over HTTP, so cache keys, records and
//! batch files work as for any endpoint.

use serde_json::Value;

use super::{ChatCall, EndpointConfig, OpenAiCompatible, Provider, ProviderError, ProviderReply};
use crate::field::http::HttpRequest;
use crate::study::ProviderKind;

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
        OpenAiCompatible.body(endpoint, call)
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

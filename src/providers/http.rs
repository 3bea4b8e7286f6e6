//! HTTP as plain values: the engine produces [`HttpRequest`]s and consumes [`HttpResponse`]s, so the
//! same fielding code runs with a native client (the command-line tool) and the browser's fetch (the
//! page). Nothing here performs I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Header names whose values are secrets: never printed, logged, recorded or cached.
const SECRET_HEADERS: &[&str] = &["authorization", "x-api-key", "x-goog-api-key", "api-key"];

/// Whether a header carries a credential.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// A POST request, ready for any HTTP client.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    /// Includes the credential header when a key was given; see the `Debug` impl.
    pub headers: Vec<(String, String)>,
    /// JSON text.
    pub body: String,
}

// A hand-written Debug so a request printed in a log or a panic never shows the key.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                if is_secret_header(name) {
                    (name.as_str(), "[redacted]")
                } else {
                    (name.as_str(), value.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wall-clock milliseconds from sending to the end of the body.
    pub latency_ms: f64,
}

impl HttpResponse {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why no response arrived at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TransportError {
    #[error("no reply within the time limit")]
    Timeout,
    #[error("could not reach the endpoint: {0}")]
    Connection(String),
    #[error("the reply was cut off: {0}")]
    Body(String),
}

/// A client that sends one request and blocks until the reply (native). The page drives the
/// scheduler with fetch instead and needs no implementation of this trait.
pub trait HttpClient: Send + Sync {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

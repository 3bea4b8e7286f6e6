//! Reading how long an endpoint asks us to wait.

use super::http::HttpResponse;

/// Seconds to wait from `retry-after-ms` (OpenAI, Anthropic) or `Retry-After` (delta seconds; an
/// HTTP date is not parsed and treated as absent so the scheduler's own backoff applies).
pub fn retry_after_seconds(response: &HttpResponse) -> Option<f64> {
    if let Some(ms) = response
        .header("retry-after-ms")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
    {
        return Some(ms / 1000.0);
    }
    response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

//! The record kept for every call: what was asked, how, what came back and what it means.

use serde::{Deserialize, Serialize};

use super::extract::{extract, label_distribution, Extracted, LabelDistribution, Method};
use super::plan::{Expect, ItemRef, PlannedCall, ShownOption};
use crate::providers::{Message, ProviderReply};
use crate::study::SamplingParameters;

/// A call's final state. Only `Answered` counts as an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Answered,
    Refused,
    Unparsed,
    /// No usable reply after the retries (or a non-retryable error).
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Refused => "refused",
            Self::Unparsed => "unparsed",
            Self::Failed => "failed",
        }
    }
}

/// One call, as exported (JSONL/CSV) and turned into response tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub custom_id: String,
    pub respondent: u32,
    pub item: ItemRef,
    pub sample: u32,
    pub provider: String,
    pub model: String,
    /// The model the endpoint says answered, when it differs or is reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    pub parameters: SamplingParameters,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub messages: Vec<Message>,
    /// The options in the order shown, with their labels.
    pub shown: Vec<ShownOption>,
    /// Rows with a value each (matrix battery items, sliders, constant-sum options), as shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ShownOption>,
    /// The answer type, for answers with several parts (how `answer` is written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
    pub status: Status,
    /// The option code, number or text; set only when answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// Why the call is not an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_reply: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<LabelDistribution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_logprobs: Option<Vec<(String, f64)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_out: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
    /// Of the call that produced the reply (the original call for a cache hit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// HTTP attempts made in this run (0 for a cache hit).
    pub attempts: u32,
    pub cache_hit: bool,
    pub cache_key: String,
}

impl CallRecord {
    /// The shown option the answer names.
    pub fn chosen(&self) -> Option<&ShownOption> {
        let code = self.answer.as_deref()?;
        self.shown.iter().find(|o| o.code == code)
    }
}

/// Everything a record needs besides the planned call.
pub(crate) struct Outcome<'a> {
    pub provider: &'a str,
    pub model: &'a str,
    pub parameters: &'a SamplingParameters,
    pub cache_key: String,
    pub attempts: u32,
    pub cache_hit: bool,
    pub latency_ms: Option<f64>,
}

/// The record of a call that got a reply: the answer read from it (every answer type, with
/// structured output when the endpoint asked for it) and, for a single choice, the first-token
/// distribution over the labels. The one place a reply becomes a record (sent, cached, batch).
pub(crate) fn reply_record(
    call: &PlannedCall,
    outcome: Outcome<'_>,
    reply: &ProviderReply,
) -> CallRecord {
    let structured = outcome.parameters.structured_output;
    let extracted = if call.expect.has_parts() {
        match &reply.refusal {
            Some(refusal) => Extracted::Refused {
                reason: format!("the provider reports a refusal: {refusal}"),
            },
            None => super::extract_parts::extract_parts(
                reply.text.trim(),
                &call.shown,
                &call.items,
                call.expect,
                structured,
            ),
        }
    } else {
        extract(reply, &call.shown, call.expect, structured)
    };
    let distribution = (call.expect == Expect::Choice)
        .then(|| label_distribution(reply, &call.shown))
        .flatten();
    answered_record(call, outcome, reply, extracted, distribution)
}

fn answered_record(
    call: &PlannedCall,
    outcome: Outcome<'_>,
    reply: &ProviderReply,
    extracted: Extracted,
    distribution: Option<LabelDistribution>,
) -> CallRecord {
    let (status, answer, method, reason) = match extracted {
        Extracted::Answered { value, method } => {
            (Status::Answered, Some(value), Some(method), None)
        }
        Extracted::Refused { reason } => (Status::Refused, None, None, Some(reason)),
        Extracted::Unparsed { reason } => (Status::Unparsed, None, None, Some(reason)),
    };
    CallRecord {
        answered_by: reply.model.clone(),
        raw_reply: Some(reply.text.clone()),
        distribution,
        first_token_logprobs: reply.first_token_logprobs.clone(),
        finish_reason: reply.finish_reason.clone(),
        tokens_in: reply.usage.input,
        tokens_out: reply.usage.output,
        reasoning_tokens: reply.usage.reasoning,
        status,
        answer,
        method,
        reason,
        ..base(call, outcome)
    }
}

pub(crate) fn failed_record(
    call: &PlannedCall,
    outcome: Outcome<'_>,
    reason: String,
) -> CallRecord {
    CallRecord {
        status: Status::Failed,
        reason: Some(reason),
        ..base(call, outcome)
    }
}

fn base(call: &PlannedCall, outcome: Outcome<'_>) -> CallRecord {
    CallRecord {
        custom_id: call.custom_id.clone(),
        respondent: call.respondent,
        item: call.item.clone(),
        sample: call.sample,
        provider: outcome.provider.to_string(),
        model: outcome.model.to_string(),
        answered_by: None,
        parameters: outcome.parameters.clone(),
        seed: call.call.seed,
        messages: call.call.messages.clone(),
        shown: call.shown.clone(),
        items: call.items.clone(),
        expect: call.expect.has_parts().then_some(call.expect),
        status: Status::Failed,
        answer: None,
        method: None,
        reason: None,
        raw_reply: None,
        distribution: None,
        first_token_logprobs: None,
        finish_reason: None,
        tokens_in: None,
        tokens_out: None,
        reasoning_tokens: None,
        latency_ms: outcome.latency_ms,
        attempts: outcome.attempts,
        cache_hit: outcome.cache_hit,
        cache_key: outcome.cache_key,
    }
}

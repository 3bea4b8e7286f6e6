//! A fielding run: the plan, one endpoint, the scheduler and the records, driven by the caller.
//!
//! ```text
//! loop {
//!     match run.poll(now_ms, &mut cache) {
//!         Step::Send { ticket, request } => send it; later run.complete(ticket, reply, now_ms, &mut cache)
//!         Step::WaitUntil(t) => wait for a reply or until t
//!         Step::WaitForReplies => wait for a reply
//!         Step::Paused | Step::Finished => stop
//!     }
//! }
//! ```
//! The command-line tool drives it with threads ([`super::native::drive`]); the page with fetch
//! and timers. Cached replies are used without sending anything, and records from an earlier run
//! can be handed in with [`FieldRun::restore`], so nothing is paid for twice.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::cache::{cache_key, CachedReply, ResponseCache};
use super::error::FieldError;
use super::plan::{ItemRef, Plan, PlannedCall};
use super::record::{failed_record, reply_record, CallRecord, Outcome, Status};
use super::scheduler::{AfterFailure, Next, Scheduler, SchedulerConfig};
use super::survey_plan::{NotShown, SurveyPlan};
use crate::providers::http::{HttpRequest, HttpResponse, TransportError};
use crate::providers::{provider_for, EndpointConfig, Provider, ProviderError};

/// Identifies one attempt in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub index: usize,
    pub attempt: u32,
}

/// What the caller should do.
#[derive(Debug)]
pub enum Step {
    Send {
        ticket: Ticket,
        request: HttpRequest,
    },
    WaitUntil(f64),
    WaitForReplies,
    Paused,
    Finished,
}

/// Counts for a progress bar.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub total: usize,
    pub answered: usize,
    pub refused: usize,
    pub unparsed: usize,
    pub failed: usize,
    pub in_flight: usize,
    pub cache_hits: usize,
    /// HTTP attempts sent in this run, retries included.
    pub attempts: usize,
    pub retries: usize,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub elapsed_ms: f64,
    pub cache_write_errors: usize,
}

impl Progress {
    /// Calls with a final record.
    pub fn done(&self) -> usize {
        self.answered + self.refused + self.unparsed + self.failed
    }

    /// Finished calls per minute so far.
    pub fn rate_per_minute(&self) -> f64 {
        if self.elapsed_ms <= 0.0 {
            0.0
        } else {
            self.done() as f64 / self.elapsed_ms * 60_000.0
        }
    }

    /// Seconds left at the current rate.
    pub fn eta_seconds(&self) -> Option<f64> {
        let rate = self.rate_per_minute();
        (rate > 0.0).then(|| (self.total - self.done()) as f64 / rate * 60.0)
    }

    /// Estimated cost so far as (low, high) from per-million-token prices.
    pub fn cost(&self, price: &PriceRange) -> (f64, f64) {
        let i = self.tokens_in as f64 / 1e6;
        let o = self.tokens_out as f64 / 1e6;
        (
            i * price.input_low + o * price.output_low,
            i * price.input_high + o * price.output_high,
        )
    }
}

/// Prices per million tokens, as a range (list price vs. batch/cached discounts, or uncertainty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceRange {
    pub input_low: f64,
    pub input_high: f64,
    pub output_low: f64,
    pub output_high: f64,
}

pub struct FieldRun {
    calls: Vec<PlannedCall>,
    provider: Box<dyn Provider>,
    endpoint: EndpointConfig,
    provider_name: &'static str,
    scheduler: Scheduler,
    records: Vec<Option<CallRecord>>,
    /// Built at first send and reused for retries, so a retry is byte-identical.
    requests: HashMap<usize, (HttpRequest, String)>,
    progress: Progress,
    started_ms: Option<f64>,
    /// Tokens of a typical request, charged against a tokens-per-minute limit until the real
    /// count arrives (0 without a limit).
    typical_tokens: u64,
    /// The cache is checked for every call before anything is sent, `cache_slice` calls per
    /// poll from `cache_cursor` on (the page checks in slices so it never holds up the page).
    cache_cursor: usize,
    cache_slice: usize,
    /// Indices settled since the caller last asked ([`FieldRun::drain_settled`]).
    settled_log: Vec<usize>,
    /// The survey's walks: settling a survey call can make later questions ready.
    survey: Option<SurveyPlan>,
    /// The survey walker of each call (None for conjoint tasks).
    walker_of: Vec<Option<usize>>,
    /// Records from an earlier run for calls the logic has not made yet, by custom id.
    pending_restore: HashMap<String, CallRecord>,
    /// Calls an earlier page left on the wire that the logic has not made yet, with the reason.
    pending_interrupt: HashMap<String, String>,
    /// Calls an earlier driver left on the wire, by custom id, with the reason: interrupted when
    /// their cache entry is looked up and missing (a reply that arrived is used, not charged twice).
    interrupt_if_uncached: HashMap<String, String>,
}

/// Why a call that was on its way when the page (or the tool) went away is not sent again.
pub const INTERRUPTED_REASON: &str =
    "interrupted: the call was on its way when the page was closed or reloaded, so the \
     provider may have answered and charged for it; it is not sent again unless you press \
     \"Retry failed calls\"";

/// The name records carry for a provider.
pub fn provider_name(kind: crate::study::ProviderKind) -> &'static str {
    match kind {
        crate::study::ProviderKind::OpenaiCompatible => "openai",
        crate::study::ProviderKind::Anthropic => "anthropic",
        crate::study::ProviderKind::Gemini => "gemini",
        crate::study::ProviderKind::Local => "local",
    }
}

impl FieldRun {
    pub fn new(
        plan: Plan,
        endpoint: EndpointConfig,
        config: SchedulerConfig,
    ) -> Result<Self, FieldError> {
        let provider = provider_for(endpoint.provider);
        let n = plan.calls.len();
        let walker_of = plan
            .calls
            .iter()
            .map(|c| walker(plan.survey.as_ref(), c))
            .collect();
        let plan_chars: Vec<usize> = plan
            .calls
            .iter()
            .map(|c| c.call.messages.iter().map(|m| m.content.len()).sum())
            .collect();
        let max_tokens = crate::providers::max_tokens(&endpoint.parameters);
        let token_limit = config.tokens_per_minute.is_some();
        Ok(Self {
            calls: plan.calls,
            provider_name: provider_name(endpoint.provider),
            provider,
            endpoint,
            scheduler: Scheduler::new(n, config),
            records: vec![None; n],
            requests: HashMap::new(),
            progress: Progress {
                total: n,
                ..Default::default()
            },
            started_ms: None,
            typical_tokens: if token_limit {
                let total: usize = plan_chars.iter().sum();
                (total / n.max(1) / 4) as u64 + u64::from(max_tokens)
            } else {
                0
            },
            cache_cursor: 0,
            cache_slice: usize::MAX,
            settled_log: Vec::new(),
            survey: plan.survey,
            walker_of,
            pending_restore: HashMap::new(),
            pending_interrupt: HashMap::new(),
            interrupt_if_uncached: HashMap::new(),
        })
    }

    /// Questions the survey's logic hid so far, with the rule that hid each.
    pub fn not_shown(&self) -> &[NotShown] {
        self.survey.as_ref().map_or(&[], |s| s.not_shown())
    }

    /// The fewest and the most calls the run can still come to (equal without survey logic).
    pub fn call_range(&self) -> (usize, usize) {
        super::plan::call_range(&self.calls, self.survey.as_ref())
    }

    /// Walks the survey of each walker in `walkers` as far as the settled records allow, adding
    /// the calls that became ready (and settling those an earlier run already answered).
    fn grow(&mut self, walkers: Vec<usize>) {
        let mut work = walkers;
        while let Some(w) = work.pop() {
            let Some(survey) = self.survey.as_mut() else {
                return;
            };
            let records = &self.records;
            let first = self.calls.len();
            let ready = survey.advance(w, first, &|i| records.get(i).and_then(Option::as_ref));
            if ready.is_empty() {
                continue;
            }
            self.scheduler.add(ready.len());
            self.progress.total += ready.len();
            for call in ready {
                let index = self.calls.len();
                let id = call.custom_id.clone();
                self.calls.push(call);
                self.records.push(None);
                self.walker_of.push(Some(w));
                if let Some(record) = self.pending_restore.remove(&id) {
                    if self.take_over(index, record) {
                        work.push(w);
                    }
                } else if let Some(reason) = self.pending_interrupt.remove(&id) {
                    self.mark_interrupted(index, &reason);
                    work.push(w);
                }
            }
        }
    }

    /// Takes an earlier run's record for call `index` when it was made from the same request.
    fn take_over(&mut self, index: usize, record: CallRecord) -> bool {
        let call = &self.calls[index];
        let same_request = cache_key(
            &self.provider.build(&self.endpoint, &call.call),
            call.sample,
        ) == record.cache_key;
        if self.records[index].is_some() || !same_request {
            return false;
        }
        self.scheduler.skip(index);
        self.count(&record);
        self.records[index] = Some(record);
        true
    }

    fn mark_interrupted(&mut self, index: usize, reason: &str) {
        let call = &self.calls[index];
        let key = cache_key(
            &self.provider.build(&self.endpoint, &call.call),
            call.sample,
        );
        let record = failed_record(call, self.outcome(key, 1, false, None), reason.into());
        self.scheduler.skip(index);
        self.finish(index, record);
    }

    pub fn calls(&self) -> &[PlannedCall] {
        &self.calls
    }

    /// The exact request for call `index` with the credential header replaced by `[redacted]`:
    /// what the page previews before anything is sent.
    pub fn preview(&self, index: usize) -> Option<HttpRequest> {
        let call = self.calls.get(index)?;
        let mut request = self.provider.build(&self.endpoint, &call.call);
        for (name, value) in &mut request.headers {
            if crate::providers::http::is_secret_header(name) {
                *value = "[redacted]".into();
            }
        }
        Some(request)
    }

    /// The cache key of call `index` (the page looks these entries up in IndexedDB before the
    /// run starts, since [`ResponseCache::get`] is synchronous).
    pub fn cache_key_at(&self, index: usize) -> Option<String> {
        let call = self.calls.get(index)?;
        Some(cache_key(
            &self.provider.build(&self.endpoint, &call.call),
            call.sample,
        ))
    }

    /// Whether call `index` has a final record.
    pub fn is_settled(&self, index: usize) -> bool {
        self.records.get(index).is_some_and(Option::is_some)
    }

    /// Takes over final records from an earlier run (matched by custom id, and only when the
    /// record was made from the same request); those calls are not sent again. Failed records
    /// are sent again when `retry_failed`, else kept as they are. Returns how many were taken
    /// over.
    pub fn restore(
        &mut self,
        records: impl IntoIterator<Item = CallRecord>,
        retry_failed: bool,
    ) -> usize {
        let mut taken = 0;
        let index: HashMap<String, usize> = self
            .calls
            .iter()
            .enumerate()
            .map(|(i, c)| (c.custom_id.clone(), i))
            .collect();
        let mut walkers = Vec::new();
        for record in records {
            if retry_failed && record.status == Status::Failed {
                continue;
            }
            if let Some(&i) = index.get(&record.custom_id) {
                if self.take_over(i, record) {
                    taken += 1;
                    walkers.extend(self.walker_of[i]);
                }
            } else if self.survey.is_some() {
                // A survey call the logic makes once earlier answers are in.
                self.pending_restore
                    .insert(record.custom_id.clone(), record);
            }
        }
        let waiting = self.pending_restore.len();
        walkers.sort_unstable();
        walkers.dedup();
        self.grow(walkers);
        taken + waiting - self.pending_restore.len()
    }

    /// Sets the key for the calls still to send (a reopened page learns it only when the user
    /// resumes). Cache keys do not depend on it.
    pub fn set_api_key(&mut self, key: Option<crate::providers::ApiKey>) {
        self.endpoint.api_key = key;
        self.requests.clear();
    }

    /// Settles calls that were on the wire when an earlier page went away, as failed with
    /// `reason`: the provider may have answered (and charged for) them, so they are not sent
    /// again unless the user retries failed calls. Calls already settled are left alone.
    pub fn interrupt(&mut self, custom_ids: &[String], reason: &str) -> usize {
        let mut marked = 0;
        for id in custom_ids {
            let Some(index) = self.calls.iter().position(|c| &c.custom_id == id) else {
                if self.survey.is_some() {
                    self.pending_interrupt
                        .insert(id.clone(), reason.to_string());
                }
                continue;
            };
            if self.records[index].is_some() {
                continue;
            }
            self.mark_interrupted(index, reason);
            marked += 1;
        }
        marked
    }

    /// Calls (by custom id) that were on the wire when an earlier driver stopped, with no reply
    /// known then: each is settled as failed with `reason` when the run looks up its cache entry
    /// and finds none — before the first send for the calls planned now, and as the survey's logic
    /// makes the others. A reply that did arrive (in the cache) is used instead. Calls already
    /// looked up and still open are settled at once. Returns how many were settled at once.
    pub fn interrupt_unless_cached(&mut self, custom_ids: &[String], reason: &str) -> usize {
        let mut marked = 0;
        for id in custom_ids {
            match self.calls.iter().position(|c| &c.custom_id == id) {
                Some(index) if index < self.cache_cursor => {
                    if self.records[index].is_none() {
                        self.mark_interrupted(index, reason);
                        marked += 1;
                    }
                }
                _ => {
                    self.interrupt_if_uncached
                        .insert(id.clone(), reason.to_string());
                }
            }
        }
        marked
    }

    /// The cache keys of the open calls in `range` (clamped to the calls made so far): what a
    /// resumed driver loads from its stored cache before anything is sent.
    pub fn open_cache_keys(&self, range: std::ops::Range<usize>) -> Vec<String> {
        let end = range.end.min(self.calls.len());
        (range.start.min(end)..end)
            .filter(|&i| !self.is_settled(i))
            .filter_map(|i| self.cache_key_at(i))
            .collect()
    }

    /// The records settled since the last call (sent, answered from the cache or interrupted;
    /// not those handed in by [`FieldRun::restore`]), for storing them as they come.
    pub fn drain_settled(&mut self) -> Vec<CallRecord> {
        std::mem::take(&mut self.settled_log)
            .into_iter()
            .filter_map(|i| self.records[i].clone())
            .collect()
    }

    pub fn pause(&mut self) {
        self.scheduler.pause();
    }

    pub fn resume(&mut self) {
        self.scheduler.resume();
    }

    pub fn cancel(&mut self) {
        self.scheduler.cancel();
    }

    pub fn progress(&self) -> Progress {
        Progress {
            in_flight: self.scheduler.in_flight(),
            ..self.progress.clone()
        }
    }

    /// Final records so far, in plan order.
    pub fn records(&self) -> impl Iterator<Item = &CallRecord> {
        self.records.iter().flatten()
    }

    pub fn into_records(self) -> Vec<CallRecord> {
        self.records.into_iter().flatten().collect()
    }

    /// What to do now (`now_ms` on any monotonic clock).
    pub fn poll(&mut self, now_ms: f64, cache: &mut dyn ResponseCache) -> Step {
        let started = *self.started_ms.get_or_insert(now_ms);
        self.progress.elapsed_ms = now_ms - started;
        if self.cache_cursor < self.calls.len() {
            self.use_cache(cache);
            if self.cache_cursor < self.calls.len() {
                // More to check: nothing is sent before every call's cache entry was looked at.
                return Step::WaitUntil(now_ms);
            }
        }
        match self.scheduler.next(now_ms, self.typical_tokens) {
            Next::Send(index) => {
                let (request, _) = self.request(index);
                self.progress.attempts += 1;
                let attempt = self.scheduler.attempts(index);
                if attempt > 1 {
                    self.progress.retries += 1;
                }
                Step::Send {
                    ticket: Ticket { index, attempt },
                    request,
                }
            }
            Next::WaitUntil(t) => Step::WaitUntil(t),
            Next::WaitForReplies => Step::WaitForReplies,
            Next::Paused => Step::Paused,
            Next::Finished => Step::Finished,
        }
    }

    /// Checks at most `slice` calls' cache entries per [`FieldRun::poll`] (default: all at once).
    /// While the check is under way `poll` answers `WaitUntil(now)`: call again after yielding.
    pub fn set_cache_slice(&mut self, slice: usize) {
        self.cache_slice = slice.max(1);
    }

    /// Settles the next slice of calls whose exact request is already in the cache.
    fn use_cache(&mut self, cache: &dyn ResponseCache) {
        let end = self
            .cache_cursor
            .saturating_add(self.cache_slice)
            .min(self.calls.len());
        let start = self.cache_cursor;
        self.cache_cursor = end;
        for index in start..end {
            if self.records[index].is_some() {
                continue;
            }
            let call = &self.calls[index];
            let request = self.provider.build(&self.endpoint, &call.call);
            let key = cache_key(&request, call.sample);
            let interrupted = self.interrupt_if_uncached.remove(&call.custom_id);
            if let Some(hit) = cache.get(&key) {
                self.settle_from_cache(index, key, hit);
            }
            if let Some(reason) = interrupted {
                if self.records[index].is_none() {
                    self.mark_interrupted(index, &reason);
                }
            }
        }
    }

    fn request(&mut self, index: usize) -> (HttpRequest, String) {
        let call = &self.calls[index];
        let provider = &self.provider;
        let endpoint = &self.endpoint;
        self.requests
            .entry(index)
            .or_insert_with(|| {
                let request = provider.build(endpoint, &call.call);
                let key = cache_key(&request, call.sample);
                (request, key)
            })
            .clone()
    }

    fn outcome(&self, key: String, attempts: u32, hit: bool, latency: Option<f64>) -> Outcome<'_> {
        Outcome {
            provider: self.provider_name,
            model: &self.endpoint.model,
            parameters: &self.endpoint.parameters,
            cache_key: key,
            attempts,
            cache_hit: hit,
            latency_ms: latency,
        }
    }

    fn settle_from_cache(&mut self, index: usize, key: String, hit: CachedReply) {
        // A cached body that no longer reads (a damaged store, an older format) is ignored and
        // the call is sent: it must not turn into a failure nobody paid for.
        let Ok(reply) = self.provider.parse_body(&hit.body) else {
            return;
        };
        let call = &self.calls[index];
        // Counted as done without an attempt.
        let record = reply_record(
            call,
            self.outcome(key, 0, true, Some(hit.latency_ms)),
            &reply,
        );
        self.scheduler.skip(index);
        self.progress.cache_hits += 1;
        self.finish(index, record);
    }

    /// Reports the outcome of an attempt. Returns the final record when the call is settled.
    pub fn complete(
        &mut self,
        ticket: Ticket,
        result: Result<HttpResponse, TransportError>,
        now_ms: f64,
        cache: &mut dyn ResponseCache,
    ) -> Option<&CallRecord> {
        let index = ticket.index;
        if index >= self.calls.len() || self.records[index].is_some() {
            return None;
        }
        let (_, key) = self.request(index);
        let estimate = self.typical_tokens;
        let parsed = match &result {
            Ok(response) => self.provider.parse(response).map_err(Failure::Provider),
            Err(e) => Err(Failure::Transport(e.clone())),
        };
        match (result, parsed) {
            (Ok(response), Ok(reply)) => {
                let used = if estimate > 0 { reply.usage.total() } else { 0 };
                self.scheduler.succeeded(index, used, estimate, now_ms);
                // A cache that cannot be written loses nothing from this run (the record is kept);
                // only a rerun would pay again, so it is counted, not fatal.
                if cache
                    .put(
                        &key,
                        &CachedReply {
                            body: response.body.clone(),
                            latency_ms: response.latency_ms,
                        },
                    )
                    .is_err()
                {
                    self.progress.cache_write_errors += 1;
                }
                let call = &self.calls[index];
                let mut record = reply_record(
                    call,
                    self.outcome(key, ticket.attempt, false, Some(response.latency_ms)),
                    &reply,
                );
                self.redact(&mut record);
                self.finish(index, record);
                self.records[index].as_ref()
            }
            (_, Err(failure)) => {
                let (retryable, retry_after) = match &failure {
                    Failure::Provider(e) => {
                        (e.is_retryable(), e.retry_after_s().map(|s| s * 1000.0))
                    }
                    Failure::Transport(_) => (true, None),
                };
                match self.scheduler.failed(index, retryable, retry_after, now_ms) {
                    AfterFailure::RetryAt(_) => None,
                    AfterFailure::GaveUp => {
                        let reason = if retryable {
                            format!("gave up after {} attempts: {failure}", ticket.attempt)
                        } else {
                            failure.to_string()
                        };
                        let mut record = failed_record(
                            &self.calls[index],
                            self.outcome(key, ticket.attempt, false, None),
                            reason,
                        );
                        self.redact(&mut record);
                        self.finish(index, record);
                        self.records[index].as_ref()
                    }
                }
            }
            (Err(_), Ok(_)) => None,
        }
    }

    /// An endpoint may echo the key (in an error message, or a misbehaving server in its reply).
    fn redact(&self, record: &mut CallRecord) {
        if let Some(key) = &self.endpoint.api_key {
            for text in [&mut record.reason, &mut record.raw_reply]
                .into_iter()
                .flatten()
            {
                *text = key.redact(text);
            }
        }
    }

    fn count(&mut self, record: &CallRecord) {
        match record.status {
            Status::Answered => self.progress.answered += 1,
            Status::Refused => self.progress.refused += 1,
            Status::Unparsed => self.progress.unparsed += 1,
            Status::Failed => self.progress.failed += 1,
        }
        if !record.cache_hit {
            self.progress.tokens_in += record.tokens_in.unwrap_or(0);
            self.progress.tokens_out += record.tokens_out.unwrap_or(0);
        }
    }

    fn finish(&mut self, index: usize, record: CallRecord) {
        self.settled_log.push(index);
        self.requests.remove(&index);
        self.count(&record);
        self.records[index] = Some(record);
        if let Some(w) = self.walker_of.get(index).copied().flatten() {
            self.grow(vec![w]);
        }
    }
}

/// The survey walker a planned call belongs to.
fn walker(survey: Option<&SurveyPlan>, call: &PlannedCall) -> Option<usize> {
    match call.item {
        ItemRef::Question { .. } => survey?.walker_of(call.respondent, call.sample),
        ItemRef::Task { .. } => None,
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Provider(ProviderError),
    #[error("{0}")]
    Transport(TransportError),
}

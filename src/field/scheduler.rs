//! The request scheduler as a pure state machine over item indices: the caller asks what to do
//! next at a time it supplies, and reports each attempt's outcome. No clocks, threads or I/O, so
//! the page (fetch, timers) and the command-line tool (threads) drive the same logic.
//!
//! It enforces a concurrency limit and requests/tokens per minute over a sliding 60 s window,
//! retries with exponential backoff and equal jitter, honours `Retry-After`, gives up after
//! `max_attempts`, and can be paused, resumed and cancelled.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::seed;

const WINDOW_MS: f64 = 60_000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchedulerConfig {
    /// Calls in flight at once.
    pub concurrency: usize,
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
    /// Attempts per item, the first included.
    pub max_attempts: u32,
    /// First retry waits about this long; each further retry doubles it.
    pub backoff_base_ms: f64,
    pub backoff_max_ms: f64,
    pub jitter_seed: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            requests_per_minute: None,
            tokens_per_minute: None,
            max_attempts: 6,
            backoff_base_ms: 500.0,
            backoff_max_ms: 60_000.0,
            jitter_seed: 0,
        }
    }
}

/// What the caller should do now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Next {
    /// Send item `i` (its attempt is counted from now).
    Send(usize),
    /// Nothing can start before this time (ms): a backoff or a rate limit.
    WaitUntil(f64),
    /// Every slot is busy, or nothing is ready and calls are in flight: wait for a reply.
    WaitForReplies,
    Paused,
    /// Every item is done or failed, or the run was cancelled and nothing is in flight.
    Finished,
}

/// What happens to an item after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AfterFailure {
    RetryAt(f64),
    GaveUp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Waiting,
    InFlight,
    Done,
    Failed,
}

#[derive(Debug)]
pub struct Scheduler {
    config: SchedulerConfig,
    state: Vec<State>,
    attempts: Vec<u32>,
    ready: VecDeque<usize>,
    /// (ready time in µs, item): retries waiting out their backoff.
    delayed: BinaryHeap<Reverse<(u64, usize)>>,
    in_flight: usize,
    /// (time, requests, tokens) in the last minute: a request with its token estimate, or a
    /// correction (0 requests) when the real count arrives.
    window: VecDeque<(f64, usize, i64)>,
    window_tokens: i64,
    window_requests: usize,
    remaining: usize,
    paused: bool,
    cancelled: bool,
    rng: ChaCha8Rng,
}

impl Scheduler {
    pub fn new(items: usize, config: SchedulerConfig) -> Self {
        let rng = seed::rng(config.jitter_seed, "backoff-jitter", "");
        Self {
            config,
            state: vec![State::Waiting; items],
            attempts: vec![0; items],
            ready: (0..items).collect(),
            delayed: BinaryHeap::new(),
            in_flight: 0,
            window: VecDeque::new(),
            window_tokens: 0,
            window_requests: 0,
            remaining: items,
            paused: false,
            cancelled: false,
            rng,
        }
    }

    /// Adds `n` items at the end (calls a survey's logic made ready); they queue after the rest.
    pub fn add(&mut self, n: usize) {
        for _ in 0..n {
            self.ready.push_back(self.state.len());
            self.state.push(State::Waiting);
            self.attempts.push(0);
            self.remaining += 1;
        }
    }

    /// Marks an item done without sending it (a cached reply, or a record from an earlier run).
    pub fn skip(&mut self, item: usize) {
        if let Some(state) = self.state.get_mut(item) {
            if matches!(*state, State::Waiting) {
                *state = State::Done;
                self.remaining -= 1;
            }
        }
    }

    pub fn attempts(&self, item: usize) -> u32 {
        self.attempts.get(item).copied().unwrap_or(0)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    pub fn pause(&mut self) {
        self.paused = true;
    }

    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Stops sending; replies in flight are still accepted. Unsent items stay unsent, so a later
    /// run picks them up.
    pub fn cancel(&mut self) {
        self.cancelled = true;
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// The next action at time `now` (ms). `estimate_tokens` is the expected tokens of a request,
    /// counted against the tokens-per-minute limit until the real count arrives.
    pub fn next(&mut self, now: f64, estimate_tokens: u64) -> Next {
        if self.remaining == 0 || (self.cancelled && self.in_flight == 0) {
            return Next::Finished;
        }
        if self.cancelled {
            return Next::WaitForReplies;
        }
        if self.paused {
            return if self.in_flight > 0 {
                Next::WaitForReplies
            } else {
                Next::Paused
            };
        }
        if self.in_flight >= self.config.concurrency.max(1) {
            return Next::WaitForReplies;
        }
        while let Some(Reverse((at, item))) = self.delayed.peek().copied() {
            if (at as f64) / 1000.0 <= now {
                self.delayed.pop();
                self.ready.push_back(item);
            } else {
                break;
            }
        }
        // Items settled some other way (a cache hit, a restored record) are dropped here.
        while let Some(&front) = self.ready.front() {
            if self.state[front] == State::Waiting {
                break;
            }
            self.ready.pop_front();
        }
        let Some(&item) = self.ready.front() else {
            // A reply may arrive before the earliest retry is due: the caller waits for either.
            return match self.delayed.peek() {
                Some(Reverse((at, _))) => Next::WaitUntil((*at as f64) / 1000.0),
                None => Next::WaitForReplies,
            };
        };
        if let Some(until) = self.rate_limited(now, estimate_tokens) {
            return Next::WaitUntil(until);
        }
        self.ready.pop_front();
        self.state[item] = State::InFlight;
        self.attempts[item] += 1;
        self.in_flight += 1;
        self.window.push_back((now, 1, estimate_tokens as i64));
        self.window_requests += 1;
        self.window_tokens += estimate_tokens as i64;
        Next::Send(item)
    }

    /// When the rate limits let the next request go, if not now.
    fn rate_limited(&mut self, now: f64, estimate: u64) -> Option<f64> {
        while let Some(&(t, requests, tokens)) = self.window.front() {
            if t + WINDOW_MS <= now {
                self.window.pop_front();
                self.window_tokens -= tokens;
                self.window_requests -= requests;
            } else {
                break;
            }
        }
        let oldest = self.window.front().map_or(now, |w| w.0) + WINDOW_MS;
        if let Some(rpm) = self.config.requests_per_minute {
            if self.window_requests >= rpm.max(1) as usize {
                return Some(oldest);
            }
        }
        if let Some(tpm) = self.config.tokens_per_minute {
            // A single request larger than the limit still goes once the window is empty.
            if self.window_tokens > 0 && self.window_tokens + estimate as i64 > tpm as i64 {
                return Some(oldest);
            }
        }
        None
    }

    /// The attempt succeeded with `tokens` used (corrects the estimate in the window).
    pub fn succeeded(&mut self, item: usize, tokens: u64, estimate: u64, now: f64) {
        if self.finish_attempt(item) {
            self.state[item] = State::Done;
            self.remaining -= 1;
            let correction = tokens as i64 - estimate as i64;
            if correction != 0 {
                self.window.push_back((now, 0, correction));
                self.window_tokens += correction;
            }
        }
    }

    /// The attempt failed. Retryable failures wait `max(backoff, retry_after)`; after
    /// `max_attempts` (or a non-retryable failure) the item is failed.
    pub fn failed(
        &mut self,
        item: usize,
        retryable: bool,
        retry_after_ms: Option<f64>,
        now: f64,
    ) -> AfterFailure {
        if !self.finish_attempt(item) {
            return AfterFailure::GaveUp;
        }
        if !retryable || self.attempts[item] >= self.config.max_attempts {
            self.state[item] = State::Failed;
            self.remaining -= 1;
            return AfterFailure::GaveUp;
        }
        let exponent = self.attempts[item].saturating_sub(1).min(30);
        let cap = (self.config.backoff_base_ms * f64::from(1u32 << exponent))
            .min(self.config.backoff_max_ms);
        // Equal jitter: half fixed, half random, so retries of many items spread out.
        let backoff = cap / 2.0 + self.rng.gen::<f64>() * cap / 2.0;
        let wait = backoff.max(retry_after_ms.unwrap_or(0.0));
        let at = now + wait;
        self.state[item] = State::Waiting;
        if self.cancelled {
            // Not retried in this run; left waiting for the next one.
            return AfterFailure::RetryAt(at);
        }
        self.delayed.push(Reverse(((at * 1000.0) as u64, item)));
        AfterFailure::RetryAt(at)
    }

    fn finish_attempt(&mut self, item: usize) -> bool {
        match self.state.get(item) {
            Some(State::InFlight) => {
                self.in_flight -= 1;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SchedulerConfig {
        SchedulerConfig {
            concurrency: 2,
            max_attempts: 3,
            backoff_base_ms: 100.0,
            ..Default::default()
        }
    }

    #[test]
    fn concurrency_limit_holds() {
        let mut s = Scheduler::new(5, config());
        assert_eq!(s.next(0.0, 0), Next::Send(0));
        assert_eq!(s.next(0.0, 0), Next::Send(1));
        assert_eq!(s.next(0.0, 0), Next::WaitForReplies);
        s.succeeded(0, 0, 0, 1.0);
        assert_eq!(s.next(1.0, 0), Next::Send(2));
    }

    #[test]
    fn retry_after_is_honoured_and_retries_are_capped() {
        let mut s = Scheduler::new(1, config());
        assert_eq!(s.next(0.0, 0), Next::Send(0));
        assert_eq!(
            s.failed(0, true, Some(2000.0), 0.0),
            AfterFailure::RetryAt(2000.0)
        );
        assert_eq!(s.next(10.0, 0), Next::WaitUntil(2000.0));
        assert_eq!(s.next(2000.0, 0), Next::Send(0));
        let AfterFailure::RetryAt(at) = s.failed(0, true, None, 2000.0) else {
            panic!("should retry")
        };
        // Second retry: cap 200 ms, equal jitter in [100, 200].
        assert!((2100.0..=2200.0).contains(&at), "{at}");
        assert_eq!(s.next(at, 0), Next::Send(0));
        assert_eq!(s.failed(0, true, None, at), AfterFailure::GaveUp);
        assert_eq!(s.next(at, 0), Next::Finished);
    }

    #[test]
    fn non_retryable_fails_at_once() {
        let mut s = Scheduler::new(1, config());
        s.next(0.0, 0);
        assert_eq!(s.failed(0, false, None, 0.0), AfterFailure::GaveUp);
        assert_eq!(s.next(0.0, 0), Next::Finished);
    }

    #[test]
    fn requests_per_minute_limit() {
        let mut s = Scheduler::new(
            3,
            SchedulerConfig {
                concurrency: 10,
                requests_per_minute: Some(2),
                ..config()
            },
        );
        assert_eq!(s.next(0.0, 0), Next::Send(0));
        assert_eq!(s.next(5.0, 0), Next::Send(1));
        assert_eq!(s.next(6.0, 0), Next::WaitUntil(60_000.0));
        assert_eq!(s.next(60_000.0, 0), Next::Send(2));
    }

    #[test]
    fn tokens_per_minute_limit() {
        let mut s = Scheduler::new(
            3,
            SchedulerConfig {
                concurrency: 10,
                tokens_per_minute: Some(100),
                ..config()
            },
        );
        assert_eq!(s.next(0.0, 60), Next::Send(0));
        assert_eq!(s.next(1.0, 60), Next::WaitUntil(60_000.0));
    }

    #[test]
    fn pause_cancel_and_skip() {
        let mut s = Scheduler::new(3, config());
        s.skip(0);
        s.pause();
        assert_eq!(s.next(0.0, 0), Next::Paused);
        s.resume();
        assert_eq!(s.next(0.0, 0), Next::Send(1));
        s.cancel();
        assert_eq!(s.next(0.0, 0), Next::WaitForReplies);
        s.succeeded(1, 0, 0, 0.0);
        assert_eq!(s.next(0.0, 0), Next::Finished);
    }
}

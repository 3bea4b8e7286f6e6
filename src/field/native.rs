//! The native side of fielding: an HTTP client on `ureq` and a driver that runs a [`FieldRun`]
//! with worker threads. The page has its own driver on fetch; the engine logic is shared.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::cache::ResponseCache;
use super::record::CallRecord;
use super::run::{FieldRun, Progress, Step, Ticket};
use crate::providers::http::{HttpClient, HttpRequest, HttpResponse, TransportError};

/// A blocking client with one time limit per request (connect + send + the whole reply).
pub struct UreqClient {
    agent: ureq::Agent,
}

impl UreqClient {
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Statuses are the provider parser's business (429 and its Retry-After, 5xx…).
            .http_status_as_error(false)
            .build();
        Self {
            agent: config.into(),
        }
    }
}

impl HttpClient for UreqClient {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let started = Instant::now();
        let mut builder = self.agent.post(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = builder
            .send(request.body.as_bytes())
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                Some((
                    n.as_str().to_ascii_lowercase(),
                    v.to_str().ok()?.to_string(),
                ))
            })
            .collect();
        let body = response
            .into_body()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| match transport_error(&e) {
                TransportError::Timeout => TransportError::Timeout,
                other => TransportError::Body(other.to_string()),
            })?;
        Ok(HttpResponse {
            status,
            headers,
            body,
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

fn transport_error(error: &ureq::Error) -> TransportError {
    match error {
        ureq::Error::Timeout(_) => TransportError::Timeout,
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => TransportError::Timeout,
        // ureq's messages name the host and the cause, never headers, so the key cannot leak here.
        other => TransportError::Connection(other.to_string()),
    }
}

/// Runs `run` to the end (or until `stop` is set) with `workers` threads sending requests.
/// `on_record` sees every settled call, in completion order, with the progress after it.
pub fn drive(
    run: &mut FieldRun,
    client: &dyn HttpClient,
    cache: &mut dyn ResponseCache,
    workers: usize,
    stop: &AtomicBool,
    mut on_record: impl FnMut(&CallRecord, &Progress),
) {
    let start = Instant::now();
    let now = || start.elapsed().as_secs_f64() * 1000.0;
    let (job_tx, job_rx) = mpsc::channel::<(Ticket, HttpRequest)>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<(Ticket, Result<HttpResponse, TransportError>)>();
    // Settled records from the cache are reported too (they never pass through a worker).
    let mut reported = 0usize;
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((ticket, request)) = job else { return };
                let result = client.send(&request);
                if done_tx.send((ticket, result)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let poll_slice = Duration::from_millis(100);
        loop {
            if stop.load(Ordering::Relaxed) {
                run.cancel();
            }
            let step = run.poll(now(), cache);
            if reported == 0 {
                reported = report_cached(run, &mut on_record);
            }
            let wait = match step {
                Step::Send { ticket, request } => {
                    if job_tx.send((ticket, request)).is_err() {
                        break;
                    }
                    continue;
                }
                Step::WaitUntil(t) => {
                    Duration::from_secs_f64(((t - now()) / 1000.0).max(0.0)).min(poll_slice)
                }
                Step::WaitForReplies => poll_slice,
                Step::Paused | Step::Finished => break,
            };
            match done_rx.recv_timeout(wait) {
                Ok((ticket, result)) => {
                    if let Some(record) = run.complete(ticket, result, now(), cache) {
                        let record = record.clone();
                        on_record(&record, &run.progress());
                    }
                    // Drain whatever else has arrived without waiting.
                    while let Ok((ticket, result)) = done_rx.try_recv() {
                        if let Some(record) = run.complete(ticket, result, now(), cache) {
                            let record = record.clone();
                            on_record(&record, &run.progress());
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        drop(job_tx);
    });
}

/// Reports the records the cache settled before the first send; returns how many (at least 1 so
/// it runs once).
fn report_cached(run: &FieldRun, on_record: &mut impl FnMut(&CallRecord, &Progress)) -> usize {
    let progress = run.progress();
    let mut n = 0;
    for record in run.records().filter(|r| r.cache_hit) {
        on_record(record, &progress);
        n += 1;
    }
    n.max(1)
}

//! Progress of a run: a bar, counts by outcome, rate, time left, tokens and the cost range.

use std::rc::Rc;

use leptos::prelude::*;

use super::driver::{Driver, Phase};

fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 3600 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

#[component]
pub fn ProgressView(driver: Rc<Driver>) -> impl IntoView {
    let view = driver.view.clone();
    let prices = driver.spec.prices.clone();
    let phase_text = {
        let view = view.clone();
        move || {
            match view.with(|v| v.phase.clone()) {
            Some(Phase::Preparing) | None => "Preparing: planning the calls and reading stored answers…".to_string(),
            Some(Phase::Running) => "Running".into(),
            Some(Phase::Paused) => "Paused: calls in flight finish, nothing new is sent.".into(),
            Some(Phase::Waiting) => "Stopped before the end (the page was closed or reloaded). Resume to send the calls still missing; answered calls are not sent again.".into(),
            Some(Phase::Finished) => "Finished".into(),
            Some(Phase::Cancelled) => "Cancelled: unsent calls stay unsent; Resume later or start again to send them.".into(),
            Some(Phase::Stopped(reason)) => format!("Could not start: {reason}"),
        }
        }
    };
    let counts = {
        let view = view.clone();
        move || {
            view.with(|v| {
                let p = &v.progress;
                let rate = p.rate_per_minute();
                let eta = p
                    .eta_seconds()
                    .filter(|_| p.done() < p.total)
                    .map(|s| format!(" · about {} left", duration(s)))
                    .unwrap_or_default();
                let (low, high) = p.cost(&prices);
                format!(
                    "{} of {} settled: {} answered, {} refused, {} unparsed, {} failed · {} in flight · {} retries · {} from cache{} · {:.0} calls/min{} · tokens in {}, out {} · cost ${:.4}–${:.4}",
                    p.done(), p.total, p.answered, p.refused, p.unparsed, p.failed, p.in_flight, p.retries, p.cache_hits,
                    if v.restored > 0 { format!(" · {} kept from before", v.restored) } else { String::new() },
                    rate, eta, p.tokens_in, p.tokens_out, low, high
                )
            })
        }
    };
    let total = {
        let view = view.clone();
        move || view.with(|v| v.progress.total.max(1).to_string())
    };
    let done = {
        let view = view.clone();
        move || view.with(|v| v.progress.done().to_string())
    };
    let engine_ms = {
        let view = view.clone();
        move || view.with(|v| format!("{:.1}", v.engine_ms))
    };
    let problem = {
        let view = view.clone();
        move || view.with(|v| v.storage_problem.clone())
    };
    view! {
        <p role="status" aria-live="polite" data-testid="field-phase">{phase_text}</p>
        <progress max=total value=done aria-label="Calls settled" data-testid="field-progress"></progress>
        <p class="muted" data-testid="field-counts" data-engine-ms=engine_ms>{counts}</p>
        {move || problem().map(|p| view! { <div class="notice notice-error" role="alert">{p}</div> })}
    }
}

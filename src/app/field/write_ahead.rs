//! A write-ahead note of each paid reply in `localStorage`, written synchronously the moment the
//! reply arrives. IndexedDB writes are asynchronous: a tab closed or reloaded between a reply's
//! arrival and its commit would lose a call that was paid for, and resuming would pay again.
//! The note bridges that gap; it is removed once the record is in IndexedDB, so at most the calls
//! in flight are ever noted.

use crate::field::{CachedReply, HttpResponse};

const PREFIX: &str = "silico.reply.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Notes a successful reply under its cache key (a full quota only loses the note). A body that
/// is not even JSON is a fault to retry, not a reply to keep.
pub fn keep(cache_key: &str, response: &HttpResponse) {
    if serde_json::from_str::<serde::de::IgnoredAny>(&response.body).is_err() {
        return;
    }
    let Some(storage) = storage() else { return };
    let note = CachedReply {
        body: response.body.clone(),
        latency_ms: response.latency_ms,
    };
    if let Ok(text) = serde_json::to_string(&note) {
        let _ = storage.set_item(&format!("{PREFIX}{cache_key}"), &text);
    }
}

/// Removes the note once the reply is stored for good.
pub fn forget(cache_key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&format!("{PREFIX}{cache_key}"));
    }
}

/// The noted reply for this cache key, if the page went away before storing it.
pub fn take(cache_key: &str) -> Option<CachedReply> {
    let text = storage()?
        .get_item(&format!("{PREFIX}{cache_key}"))
        .ok()??;
    serde_json::from_str(&text).ok()
}

fn in_flight_slot(study_id: &str, run_id: &str) -> String {
    format!("silico.in-flight.{study_id}.{run_id}")
}

/// Notes which calls are on the wire (rewritten on every send and reply: a handful of ids).
pub fn note_in_flight<'a>(study_id: &str, run_id: &str, ids: impl Iterator<Item = &'a String>) {
    let Some(storage) = storage() else { return };
    let ids: Vec<&String> = ids.collect();
    let slot = in_flight_slot(study_id, run_id);
    if ids.is_empty() {
        let _ = storage.remove_item(&slot);
    } else if let Ok(text) = serde_json::to_string(&ids) {
        let _ = storage.set_item(&slot, &text);
    }
}

/// The calls that were on the wire when the page went away.
pub fn take_in_flight(study_id: &str, run_id: &str) -> Vec<String> {
    let Some(storage) = storage() else {
        return Vec::new();
    };
    let slot = in_flight_slot(study_id, run_id);
    let ids = storage
        .get_item(&slot)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let _ = storage.remove_item(&slot);
    ids
}

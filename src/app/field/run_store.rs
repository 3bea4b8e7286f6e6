//! Fielding in IndexedDB: the run a study last started (its spec, never a key), every settled
//! call's record (written the moment it settles, so a closed tab loses at most the calls in
//! flight), and the response cache keyed by the exact request (so a rerun pays for nothing).

use rexie::{KeyRange, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::app::storage::{failed, to_js, StorageError, FIELD_RECORDS, FIELD_RUNS, RESPONSE_CACHE};
use crate::field::{CachedReply, CallRecord, MemoryCache, ResponseCache, RunSpec};

/// The run a study last started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRun {
    pub study_id: String,
    pub run_id: String,
    pub spec: RunSpec,
    pub total: usize,
    /// RFC 3339.
    pub started: String,
    /// Whether the run reached its end (every call settled or cancelled).
    pub finished: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredRecord {
    key: String,
    /// The record as JSON text: one string per record is cheaper to store and read back than a
    /// deep JS object.
    json: String,
}

#[derive(Serialize, Deserialize)]
struct StoredReply {
    key: String,
    body: String,
    latency_ms: f64,
}

fn record_prefix(study_id: &str, run_id: &str) -> String {
    format!("{study_id}|{run_id}|")
}

/// All keys that start with `prefix` ('\u{10ffff}' sorts after every character used in ids).
fn prefix_range(prefix: &str) -> Result<KeyRange, StorageError> {
    KeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&format!("{prefix}\u{10ffff}")),
        None,
        None,
    )
    .map_err(|e| StorageError::Failed {
        action: "read",
        detail: format!("{e:?}"),
    })
}

pub async fn save_run(db: &Rexie, run: &StoredRun) -> Result<(), StorageError> {
    let value = to_js(run)?;
    let tx = db
        .transaction(&[FIELD_RUNS], TransactionMode::ReadWrite)
        .map_err(failed("saved"))?;
    tx.store(FIELD_RUNS)
        .map_err(failed("saved"))?
        .put(&value, None)
        .await
        .map_err(failed("saved"))?;
    tx.done().await.map_err(failed("saved"))?;
    Ok(())
}

pub async fn load_run(db: &Rexie, study_id: &str) -> Result<Option<StoredRun>, StorageError> {
    let tx = db
        .transaction(&[FIELD_RUNS], TransactionMode::ReadOnly)
        .map_err(failed("read"))?;
    let value = tx
        .store(FIELD_RUNS)
        .map_err(failed("read"))?
        .get(JsValue::from_str(study_id))
        .await
        .map_err(failed("read"))?;
    // A run stored by an older version that no longer reads is simply forgotten.
    Ok(value.and_then(|v| serde_wasm_bindgen::from_value(v).ok()))
}

/// Stores settled calls' records, and their replies in the response cache, in one transaction.
pub async fn save_settled_many(
    db: &Rexie,
    study_id: &str,
    run_id: &str,
    settled: &[(CallRecord, Option<CachedReply>)],
) -> Result<(), StorageError> {
    let mut records = Vec::with_capacity(settled.len());
    let mut replies = Vec::new();
    for (record, reply) in settled {
        records.push(to_js(&StoredRecord {
            key: format!("{}{}", record_prefix(study_id, run_id), record.custom_id),
            json: serde_json::to_string(record).map_err(|e| StorageError::Failed {
                action: "saved",
                detail: e.to_string(),
            })?,
        })?);
        if let Some(reply) = reply {
            replies.push(to_js(&StoredReply {
                key: record.cache_key.clone(),
                body: reply.body.clone(),
                latency_ms: reply.latency_ms,
            })?);
        }
    }
    let tx = db
        .transaction(&[FIELD_RECORDS, RESPONSE_CACHE], TransactionMode::ReadWrite)
        .map_err(failed("saved"))?;
    let record_store = tx.store(FIELD_RECORDS).map_err(failed("saved"))?;
    for value in &records {
        record_store
            .put(value, None)
            .await
            .map_err(failed("saved"))?;
    }
    let reply_store = tx.store(RESPONSE_CACHE).map_err(failed("saved"))?;
    for value in &replies {
        reply_store
            .put(value, None)
            .await
            .map_err(failed("saved"))?;
    }
    tx.done().await.map_err(failed("saved"))?;
    Ok(())
}

/// The stored records of a run, as JSON texts (parsed by the caller in slices, so a large run
/// does not hold the page up).
pub async fn load_record_texts(
    db: &Rexie,
    study_id: &str,
    run_id: &str,
) -> Result<Vec<String>, StorageError> {
    let tx = db
        .transaction(&[FIELD_RECORDS], TransactionMode::ReadOnly)
        .map_err(failed("read"))?;
    let values = tx
        .store(FIELD_RECORDS)
        .map_err(failed("read"))?
        .get_all(Some(prefix_range(&record_prefix(study_id, run_id))?), None)
        .await
        .map_err(failed("read"))?;
    Ok(values
        .into_iter()
        .filter_map(|v| serde_wasm_bindgen::from_value::<StoredRecord>(v).ok())
        .map(|r| r.json)
        .collect())
}

/// The cached replies for these keys.
pub async fn load_cache(db: &Rexie, keys: &[String]) -> Result<MemoryCache, StorageError> {
    let mut cache = MemoryCache::default();
    let tx = db
        .transaction(&[RESPONSE_CACHE], TransactionMode::ReadOnly)
        .map_err(failed("read"))?;
    let store = tx.store(RESPONSE_CACHE).map_err(failed("read"))?;
    for key in keys {
        if let Some(value) = store
            .get(JsValue::from_str(key))
            .await
            .map_err(failed("read"))?
        {
            if let Ok(stored) = serde_wasm_bindgen::from_value::<StoredReply>(value) {
                // A memory cache cannot refuse a write.
                let _ = cache.put(
                    &stored.key,
                    &CachedReply {
                        body: stored.body,
                        latency_ms: stored.latency_ms,
                    },
                );
            }
        }
    }
    Ok(cache)
}

/// Forgets a study's run and its records (the response cache stays: it holds no persona data
/// beyond what the requests held, and it makes a rerun free).
pub async fn discard(db: &Rexie, study_id: &str) -> Result<(), StorageError> {
    let range = prefix_range(&format!("{study_id}|"))?;
    let tx = db
        .transaction(&[FIELD_RUNS, FIELD_RECORDS], TransactionMode::ReadWrite)
        .map_err(failed("changed"))?;
    tx.store(FIELD_RECORDS)
        .map_err(failed("changed"))?
        .delete(range.into())
        .await
        .map_err(failed("changed"))?;
    tx.store(FIELD_RUNS)
        .map_err(failed("changed"))?
        .delete(JsValue::from_str(study_id))
        .await
        .map_err(failed("changed"))?;
    tx.done().await.map_err(failed("changed"))?;
    Ok(())
}

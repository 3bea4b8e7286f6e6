//! The study library in IndexedDB: one store of summaries (fast to list) and one of study files.
//!
//! Both are written in one transaction so the list never shows a study whose file is missing.

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::study::library::StudySummary;
use crate::study::{write_study, Study};

const DATABASE: &str = "silico";
const SUMMARIES: &str = "summaries";
const STUDIES: &str = "studies";
/// Fielding: the run each study last started (spec, no key), every settled call's record, and
/// the response cache keyed by the exact request. See `app::field::run_store`.
pub const FIELD_RUNS: &str = "field_runs";
pub const FIELD_RECORDS: &str = "field_records";
pub const RESPONSE_CACHE: &str = "response_cache";

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StorageError {
    #[error("this browser offers no IndexedDB storage (private mode or disabled storage?): {0}")]
    Unavailable(String),
    #[error("the study library could not be {action}: {detail}")]
    Failed {
        action: &'static str,
        detail: String,
    },
    #[error("no study with id {0} in the library")]
    Missing(String),
}

pub fn failed(action: &'static str) -> impl Fn(rexie::Error) -> StorageError {
    move |e| StorageError::Failed {
        action,
        detail: format!("{e:?}"),
    }
}

#[derive(Serialize, Deserialize)]
struct StoredStudy {
    id: String,
    json: String,
}

/// Opens (and on first use creates) the library database.
pub async fn open() -> Result<Rexie, StorageError> {
    let has_indexed_db = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("indexedDB")).ok())
        .is_some_and(|db| !db.is_undefined() && !db.is_null());
    if !has_indexed_db {
        return Err(StorageError::Unavailable(
            "window.indexedDB is missing".into(),
        ));
    }
    // Version 2 added the fielding stores; an existing library is upgraded in place.
    Rexie::builder(DATABASE)
        .version(2)
        .add_object_store(ObjectStore::new(SUMMARIES).key_path("id"))
        .add_object_store(ObjectStore::new(STUDIES).key_path("id"))
        .add_object_store(ObjectStore::new(FIELD_RUNS).key_path("study_id"))
        .add_object_store(ObjectStore::new(FIELD_RECORDS).key_path("key"))
        .add_object_store(ObjectStore::new(RESPONSE_CACHE).key_path("key"))
        .build()
        .await
        .map_err(|e| StorageError::Unavailable(format!("{e:?}")))
}

pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    serde_wasm_bindgen::to_value(value).map_err(|e| StorageError::Failed {
        action: "written",
        detail: e.to_string(),
    })
}

/// Every study's summary, most recently modified first.
pub async fn list(db: &Rexie) -> Result<Vec<StudySummary>, StorageError> {
    let tx = db
        .transaction(&[SUMMARIES], TransactionMode::ReadOnly)
        .map_err(failed("read"))?;
    let store = tx.store(SUMMARIES).map_err(failed("read"))?;
    let values = store.get_all(None, None).await.map_err(failed("read"))?;
    let mut summaries: Vec<StudySummary> = values
        .into_iter()
        .filter_map(|v| serde_wasm_bindgen::from_value(v).ok())
        .collect();
    summaries.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
    Ok(summaries)
}

/// Saves a study and its summary together.
pub async fn save(db: &Rexie, study: &Study) -> Result<(), StorageError> {
    let summary = to_js(&StudySummary::of(study))?;
    let stored = to_js(&StoredStudy {
        id: study.id.clone(),
        json: write_study(study),
    })?;
    let tx = db
        .transaction(&[SUMMARIES, STUDIES], TransactionMode::ReadWrite)
        .map_err(failed("saved"))?;
    tx.store(STUDIES)
        .map_err(failed("saved"))?
        .put(&stored, None)
        .await
        .map_err(failed("saved"))?;
    tx.store(SUMMARIES)
        .map_err(failed("saved"))?
        .put(&summary, None)
        .await
        .map_err(failed("saved"))?;
    tx.done().await.map_err(failed("saved"))?;
    Ok(())
}

/// The stored study file's text.
pub async fn load_json(db: &Rexie, id: &str) -> Result<String, StorageError> {
    let tx = db
        .transaction(&[STUDIES], TransactionMode::ReadOnly)
        .map_err(failed("read"))?;
    let store = tx.store(STUDIES).map_err(failed("read"))?;
    let value = store
        .get(JsValue::from_str(id))
        .await
        .map_err(failed("read"))?
        .ok_or_else(|| StorageError::Missing(id.to_string()))?;
    let stored: StoredStudy =
        serde_wasm_bindgen::from_value(value).map_err(|e| StorageError::Failed {
            action: "read",
            detail: e.to_string(),
        })?;
    Ok(stored.json)
}

pub async fn delete(db: &Rexie, id: &str) -> Result<(), StorageError> {
    let tx = db
        .transaction(&[SUMMARIES, STUDIES], TransactionMode::ReadWrite)
        .map_err(failed("changed"))?;
    for name in [SUMMARIES, STUDIES] {
        tx.store(name)
            .map_err(failed("changed"))?
            .delete(JsValue::from_str(id))
            .await
            .map_err(failed("changed"))?;
    }
    tx.done().await.map_err(failed("changed"))?;
    Ok(())
}

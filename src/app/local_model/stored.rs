//! The models kept in this browser: files in the origin-private file system (OPFS), one per
//! source. OPFS holds files of any size on disk and lets the worker read any byte range of them
//! synchronously, so a model is read into the worker's memory once, straight from disk; the page
//! lists and deletes them without starting the worker.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{FileSystemDirectoryHandle, FileSystemFileHandle, StorageManager};

use super::protocol::{source_of, MODELS_DIR, PARTIAL};

/// One file in the models folder.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredModel {
    pub name: String,
    /// Where it came from (a path on this site, a URL, or `file:NAME` for a picked file).
    pub source: String,
    pub bytes: f64,
    /// False for a download that stopped before the end.
    pub complete: bool,
}

fn described(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn awaited(promise: js_sys::Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(described)
}

/// The page's storage manager (`None` when the browser has none, e.g. some private modes).
pub fn page_storage() -> Option<StorageManager> {
    Some(web_sys::window()?.navigator().storage())
}

/// The models folder, created on first use.
pub async fn models_dir(storage: &StorageManager) -> Result<FileSystemDirectoryHandle, String> {
    let root: FileSystemDirectoryHandle = awaited(storage.get_directory())
        .await
        .map_err(|e| format!("this browser offers no file storage for models ({e})"))?
        .unchecked_into();
    let options = web_sys::FileSystemGetDirectoryOptions::new();
    options.set_create(true);
    Ok(
        awaited(root.get_directory_handle_with_options(MODELS_DIR, &options))
            .await
            .map_err(|e| format!("the models folder could not be opened ({e})"))?
            .unchecked_into(),
    )
}

/// The file `name` in the folder, if it is there (or created empty when `create`).
pub async fn file_handle(
    dir: &FileSystemDirectoryHandle,
    name: &str,
    create: bool,
) -> Result<Option<FileSystemFileHandle>, String> {
    let options = web_sys::FileSystemGetFileOptions::new();
    options.set_create(create);
    match JsFuture::from(dir.get_file_handle_with_options(name, &options)).await {
        Ok(handle) => Ok(Some(handle.unchecked_into())),
        Err(e) if !create && is_not_found(&e) => Ok(None),
        Err(e) => Err(format!(
            "the stored file could not be opened ({})",
            described(e)
        )),
    }
}

fn is_not_found(e: &JsValue) -> bool {
    js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "NotFoundError" || n == "TypeError")
}

/// Every file in the models folder, complete or not.
pub async fn list(dir: &FileSystemDirectoryHandle) -> Result<Vec<StoredModel>, String> {
    let entries = dir.values();
    let mut out = Vec::new();
    loop {
        let next = awaited(entries.next().map_err(described)?).await?;
        if js_sys::Reflect::get(&next, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true)
        {
            break;
        }
        let Ok(handle) = js_sys::Reflect::get(&next, &JsValue::from_str("value")) else {
            continue;
        };
        let Ok(file_handle) = handle.dyn_into::<FileSystemFileHandle>() else {
            continue;
        };
        let name = file_handle.name();
        let file: web_sys::File = awaited(file_handle.get_file()).await?.unchecked_into();
        let complete = !name.ends_with(PARTIAL);
        let source = source_of(name.trim_end_matches(PARTIAL)).unwrap_or_else(|| name.clone());
        out.push(StoredModel {
            name,
            source,
            bytes: file.size(),
            complete,
        });
    }
    out.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(out)
}

/// Deletes one stored file (fails while the worker is reading it).
pub async fn remove(dir: &FileSystemDirectoryHandle, name: &str) -> Result<(), String> {
    awaited(dir.remove_entry(name))
        .await
        .map(|_| ())
        .map_err(|e| format!("{name} could not be deleted ({e})"))
}

/// Megabytes, for people.
pub fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}

//! Puts a model file into storage: downloaded from a path on this site or a URL, or copied from a
//! file the user picked. Writes go to `NAME.part`, renamed to `NAME` only when the whole file is
//! there, so a download cut short is never taken for a model.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemReadWriteOptions,
    FileSystemSyncAccessHandle,
};

use super::LoadError;
use crate::app::local_model::protocol::PARTIAL;
use crate::app::local_model::stored;

/// Every GGUF file starts with these four bytes.
pub const GGUF_MAGIC: &[u8; 4] = b"GGUF";
/// Picked files are copied in slices of this size.
const COPY_SLICE: f64 = 8.0 * 1024.0 * 1024.0;

fn described(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// The start of a file that is not a GGUF model, shown to say what it is instead.
pub fn not_gguf(start: &[u8]) -> LoadError {
    let shown: String = String::from_utf8_lossy(&start[..start.len().min(16)])
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    LoadError::NotGguf { start: shown }
}

/// A fresh `NAME.part` to write, with its synchronous handle.
async fn partial_file(
    dir: &FileSystemDirectoryHandle,
    name: &str,
) -> Result<(FileSystemFileHandle, FileSystemSyncAccessHandle), LoadError> {
    let partial = format!("{name}{PARTIAL}");
    let handle = stored::file_handle(dir, &partial, true)
        .await
        .map_err(LoadError::Storage)?
        .ok_or_else(|| LoadError::Storage("the file could not be created".into()))?;
    let sync: FileSystemSyncAccessHandle = JsFuture::from(handle.create_sync_access_handle())
        .await
        .map_err(|e| LoadError::Storage(described(e)))?
        .unchecked_into();
    sync.truncate_with_f64(0.0)
        .map_err(|e| LoadError::Storage(described(e)))?;
    Ok((handle, sync))
}

/// Renames the finished `NAME.part` to `NAME`.
async fn finish(
    dir: &FileSystemDirectoryHandle,
    handle: FileSystemFileHandle,
    name: &str,
) -> Result<FileSystemFileHandle, LoadError> {
    let rename = js_sys::Reflect::get(&handle, &JsValue::from_str("move"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match rename {
        Some(rename) => {
            let promise: js_sys::Promise = rename
                .call1(&handle, &JsValue::from_str(name))
                .map_err(|e| LoadError::Storage(described(e)))?
                .unchecked_into();
            JsFuture::from(promise)
                .await
                .map_err(|e| LoadError::Storage(described(e)))?;
            stored::file_handle(dir, name, false)
                .await
                .map_err(LoadError::Storage)?
                .ok_or_else(|| LoadError::Storage("the renamed file is missing".into()))
        }
        // Browsers without rename load it from the partial name; the page lists it as incomplete.
        None => Ok(handle),
    }
}

async fn abandon(dir: &FileSystemDirectoryHandle, name: &str) {
    let _ = stored::remove(dir, &format!("{name}{PARTIAL}")).await;
}

fn write(
    sync: &FileSystemSyncAccessHandle,
    chunk: &js_sys::Uint8Array,
    at: f64,
) -> Result<(), LoadError> {
    let options = FileSystemReadWriteOptions::new();
    options.set_at(at);
    sync.write_with_js_u8_array_and_options(chunk, &options)
        .map(|_| ())
        .map_err(|e| {
            LoadError::Storage(format!(
                "writing failed, perhaps the browser's storage is full ({})",
                described(e)
            ))
        })
}

/// Downloads `source` into storage as `name`, reporting (bytes so far, total if known).
pub async fn download(
    scope: &web_sys::WorkerGlobalScope,
    dir: &FileSystemDirectoryHandle,
    name: &str,
    source: &str,
    progress: &mut dyn FnMut(f64, Option<f64>),
) -> Result<FileSystemFileHandle, LoadError> {
    let response: web_sys::Response = JsFuture::from(scope.fetch_with_str(source))
        .await
        .map_err(|e| {
            LoadError::Download(format!(
                "{} (is the address right, and does its server allow this page to read it (CORS)?)",
                described(e)
            ))
        })?
        .unchecked_into();
    if !response.ok() {
        return Err(LoadError::Download(format!(
            "the server answered {} {}",
            response.status(),
            response.status_text()
        )));
    }
    let headers = response.headers();
    // A compressed reply's length is not the file's length.
    let compressed = headers.get("content-encoding").ok().flatten().is_some();
    let total: Option<f64> = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|l| l.trim().parse().ok())
        .filter(|_| !compressed);
    let body = response
        .body()
        .ok_or_else(|| LoadError::Download("the reply has no body".into()))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let (handle, sync) = partial_file(dir, name).await?;
    let mut written = 0.0;
    let mut start = Vec::new();
    let result = async {
        loop {
            let next = JsFuture::from(reader.read())
                .await
                .map_err(|e| LoadError::Truncated {
                    got: written,
                    expected: total,
                    reason: described(e),
                })?;
            if js_sys::Reflect::get(&next, &JsValue::from_str("done"))
                .map(|d| d.is_truthy())
                .unwrap_or(true)
            {
                break;
            }
            let chunk: js_sys::Uint8Array =
                js_sys::Reflect::get(&next, &JsValue::from_str("value"))
                    .map_err(|e| LoadError::Download(described(e)))?
                    .unchecked_into();
            if start.len() < GGUF_MAGIC.len() {
                let want = (GGUF_MAGIC.len() - start.len()).min(chunk.length() as usize) as u32;
                start.extend(chunk.subarray(0, want).to_vec());
                if start.len() == GGUF_MAGIC.len() && start.as_slice() != GGUF_MAGIC {
                    let more = chunk.subarray(0, chunk.length().min(16)).to_vec();
                    return Err(not_gguf(if more.len() > start.len() {
                        &more
                    } else {
                        &start
                    }));
                }
            }
            write(&sync, &chunk, written)?;
            written += f64::from(chunk.length());
            progress(written, total);
        }
        if let Some(expected) = total.filter(|&t| t != written) {
            return Err(LoadError::Truncated {
                got: written,
                expected: Some(expected),
                reason: "the connection ended early".into(),
            });
        }
        if start.as_slice() != GGUF_MAGIC {
            return Err(not_gguf(&start));
        }
        sync.flush().map_err(|e| LoadError::Storage(described(e)))
    }
    .await;
    sync.close();
    match result {
        Ok(()) => finish(dir, handle, name).await,
        Err(e) => {
            // The stream may already have failed: its cancel then rejects, which is expected.
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = reader.cancel().catch(&ignore);
            ignore.forget();
            abandon(dir, name).await;
            Err(e)
        }
    }
}

/// Copies a picked file into storage as `name`.
pub async fn copy_picked(
    dir: &FileSystemDirectoryHandle,
    name: &str,
    file: &web_sys::File,
    progress: &mut dyn FnMut(f64, Option<f64>),
) -> Result<FileSystemFileHandle, LoadError> {
    let reader = web_sys::FileReaderSync::new().map_err(|e| LoadError::Storage(described(e)))?;
    let slice = |from: f64, to: f64| -> Result<js_sys::Uint8Array, LoadError> {
        let blob = file
            .slice_with_f64_and_f64(from, to)
            .map_err(|e| LoadError::Picked(described(e)))?;
        let buffer = reader
            .read_as_array_buffer(&blob)
            .map_err(|e| LoadError::Picked(described(e)))?;
        Ok(js_sys::Uint8Array::new(&buffer))
    };
    let total = file.size();
    let start = slice(0.0, 16.0)?.to_vec();
    if !start.starts_with(GGUF_MAGIC) {
        return Err(not_gguf(&start));
    }
    let (handle, sync) = partial_file(dir, name).await?;
    let result = (|| {
        let mut at = 0.0;
        while at < total {
            let end = (at + COPY_SLICE).min(total);
            write(&sync, &slice(at, end)?, at)?;
            at = end;
            progress(at, Some(total));
        }
        sync.flush().map_err(|e| LoadError::Storage(described(e)))
    })();
    sync.close();
    match result {
        Ok(()) => finish(dir, handle, name).await,
        Err(e) => {
            abandon(dir, name).await;
            Err(e)
        }
    }
}

//! The page's Web Worker (built by Trunk as a no-modules worker with a loader shim). It receives
//! `{id, job}` messages whose `job` is a JSON [`silico::jobs::Job`], runs them with the same engine the
//! command-line tool uses, and posts `{id, reply}` back. It announces itself with `{ready: true}` once loaded.
//!
//! A message `{id, read, file}` carries a `File` (structured-cloned: the browser shares it, nothing is
//! copied) and a JSON [`silico::jobs::ReadFileRequest`]: the worker reads the file slice by slice,
//! posting `{id, progress: {bytes, rows}}` after each, keeps the table and answers with its summary.
//! `{cancel: id}` stops such a read between two slices.

#[cfg(target_arch = "wasm32")]
mod file_read {
    use std::cell::RefCell;
    use std::collections::HashSet;

    use silico::jobs::{FileRead, ReadFileRequest, Reply};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    /// Slices of this size keep progress moving (about 50 reports for 200 MB) while the cost of
    /// each await stays negligible next to parsing.
    const SLICE_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

    thread_local! {
        static CANCELLED: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
    }

    pub fn cancel(id: u32) {
        CANCELLED.with(|c| c.borrow_mut().insert(id));
    }

    fn cancelled(id: u32) -> bool {
        CANCELLED.with(|c| c.borrow_mut().remove(&id))
    }

    fn post(scope: &web_sys::DedicatedWorkerGlobalScope, id: u32, key: &str, value: &JsValue) {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str("id"), &JsValue::from(id));
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), value);
        if let Err(e) = scope.post_message(&message) {
            web_sys::console::error_1(&e);
        }
    }

    /// Reads `file` slice by slice; returns the reply as JSON.
    async fn read(
        scope: &web_sys::DedicatedWorkerGlobalScope,
        id: u32,
        request: ReadFileRequest,
        file: web_sys::Blob,
    ) -> Reply {
        let total = file.size();
        let mut reading = FileRead::new(request);
        let mut buffer = Vec::new();
        let mut offset = 0.0;
        while offset < total {
            if cancelled(id) {
                return Reply::Failed {
                    message: "the import was cancelled".into(),
                };
            }
            let end = (offset + SLICE_BYTES).min(total);
            let slice = match file.slice_with_f64_and_f64(offset, end) {
                Ok(slice) => slice,
                Err(e) => {
                    return Reply::Failed {
                        message: format!("the file could not be sliced: {e:?}"),
                    }
                }
            };
            let bytes = match JsFuture::from(slice.array_buffer()).await {
                Ok(bytes) => js_sys::Uint8Array::new(&bytes),
                Err(e) => {
                    return Reply::Failed {
                        message: format!(
                            "the file could not be read at byte {offset}: {}",
                            e.as_string().unwrap_or_else(|| format!("{e:?}"))
                        ),
                    }
                }
            };
            // One reused buffer in the wasm memory: the file is never held whole.
            buffer.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut buffer);
            if let Err(message) = reading.push(&buffer) {
                return Reply::Failed { message };
            }
            offset = end;
            let progress = reading.progress();
            let report = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&report, &"bytes".into(), &(progress.bytes as f64).into());
            let _ = js_sys::Reflect::set(&report, &"total".into(), &total.into());
            let _ = js_sys::Reflect::set(&report, &"rows".into(), &(progress.rows as f64).into());
            post(scope, id, "progress", &report);
        }
        if cancelled(id) {
            return Reply::Failed {
                message: "the import was cancelled".into(),
            };
        }
        match reading.finish() {
            Ok(held) => Reply::TableHeld(Box::new(held)),
            Err(message) => Reply::Failed { message },
        }
    }

    pub fn start(
        scope: web_sys::DedicatedWorkerGlobalScope,
        id: u32,
        request: &str,
        file: web_sys::Blob,
    ) {
        let request = match serde_json::from_str::<ReadFileRequest>(request) {
            Ok(request) => request,
            Err(e) => {
                let reply = Reply::Failed {
                    message: format!("the worker received a malformed read request: {e}"),
                };
                let text = serde_json::to_string(&reply).unwrap_or_default();
                post(&scope, id, "reply", &JsValue::from_str(&text));
                return;
            }
        };
        wasm_bindgen_futures::spawn_local(async move {
            let reply = read(&scope, id, request, file).await;
            let text = serde_json::to_string(&reply).unwrap_or_else(|e| {
                format!(
                    r#"{{"reply":"failed","message":"the worker could not encode its reply: {e}"}}"#
                )
            });
            post(&scope, id, "reply", &JsValue::from_str(&text));
        });
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let field = |name: &str| {
                js_sys::Reflect::get(&data, &JsValue::from_str(name)).unwrap_or(JsValue::NULL)
            };
            if let Some(id) = field("cancel").as_f64() {
                file_read::cancel(id as u32);
                return;
            }
            let file = field("file");
            if file.is_instance_of::<web_sys::Blob>() {
                let id = field("id").as_f64().unwrap_or_default() as u32;
                let request = field("read").as_string().unwrap_or_default();
                file_read::start(replies.clone(), id, &request, file.unchecked_into());
                return;
            }
            let job = field("job").as_string().unwrap_or_default();
            let reply = silico::jobs::run_json(&job);
            let message = js_sys::Object::new();
            // Setting fields on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str("id"), &field("id"));
            let _ = js_sys::Reflect::set(
                &message,
                &JsValue::from_str("reply"),
                &JsValue::from_str(&reply),
            );
            if let Err(e) = replies.post_message(&message) {
                web_sys::console::error_1(&e);
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; so does its handler.
    on_message.forget();
    // Messages posted before the wasm finished loading had no handler to receive them, so the page
    // holds its jobs until it hears this.
    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &JsValue::from_str("ready"), &JsValue::TRUE);
    if let Err(e) = scope.post_message(&ready) {
        web_sys::console::error_1(&e);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("silico-worker runs inside the web app; natively, use the `silico` tool.");
}

//! The page's Web Worker (built by Trunk as a no-modules worker with a loader shim). Every message
//! is `{text}`, the JSON of a [`silico::jobs::ToWorker`], and every answer the JSON text of a
//! [`silico::jobs::FromWorker`], as the model worker's protocol is. A `run` job is answered by the
//! engine's one dispatch ([`silico::jobs::answer`]), the same the command-line tool and the tests
//! call. A `read_file` message carries a `File` beside its text (structured-cloned: the browser
//! shares it, nothing is copied): the worker reads it slice by slice, posting progress after each,
//! keeps the table and answers with its summary; `cancel` stops such a read between two slices.

#[cfg(target_arch = "wasm32")]
mod file_read {
    use std::cell::RefCell;
    use std::collections::HashSet;

    use silico::jobs::{FileRead, FromWorker, HeldRead, JobError, ReadFileRequest};
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

    pub fn post(scope: &web_sys::DedicatedWorkerGlobalScope, message: &FromWorker) {
        if let Err(e) = scope.post_message(&JsValue::from_str(&message.to_json())) {
            web_sys::console::error_1(&e);
        }
    }

    /// Reads `file` slice by slice into the table the worker keeps.
    async fn read(
        scope: &web_sys::DedicatedWorkerGlobalScope,
        id: u32,
        request: ReadFileRequest,
        file: web_sys::Blob,
    ) -> Result<HeldRead, JobError> {
        let total = file.size();
        let mut reading = FileRead::new(request);
        let mut buffer = Vec::new();
        let mut offset = 0.0;
        while offset < total {
            if cancelled(id) {
                return Err(JobError::cancelled());
            }
            let end = (offset + SLICE_BYTES).min(total);
            let slice = file
                .slice_with_f64_and_f64(offset, end)
                .map_err(|e| JobError::input(format!("the file could not be sliced: {e:?}")))?;
            let bytes = JsFuture::from(slice.array_buffer())
                .await
                .map(|bytes| js_sys::Uint8Array::new(&bytes))
                .map_err(|e| {
                    JobError::input(format!(
                        "the file could not be read at byte {offset}: {}",
                        e.as_string().unwrap_or_else(|| format!("{e:?}"))
                    ))
                })?;
            // One reused buffer in the wasm memory: the file is never held whole.
            buffer.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut buffer);
            reading.push(&buffer)?;
            offset = end;
            let progress = FromWorker::Progress {
                id,
                progress: reading.progress(),
                total,
            };
            post(scope, &progress);
        }
        if cancelled(id) {
            return Err(JobError::cancelled());
        }
        Ok(reading.finish()?)
    }

    pub fn start(
        scope: web_sys::DedicatedWorkerGlobalScope,
        id: u32,
        request: ReadFileRequest,
        file: web_sys::Blob,
    ) {
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = read(&scope, id, request, file).await;
            post(&scope, &FromWorker::finished(id, outcome));
        });
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    use silico::jobs::{FromWorker, JobError, ToWorker};
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
            let text = field("text").as_string().unwrap_or_default();
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(ToWorker::Cancel { id }) => file_read::cancel(id),
                Ok(ToWorker::ReadFile { id, request }) => {
                    let file = field("file");
                    if file.is_instance_of::<web_sys::Blob>() {
                        file_read::start(replies.clone(), id, request, file.unchecked_into());
                    } else {
                        let error = JobError::protocol("a file read arrived without its file");
                        file_read::post(&replies, &FromWorker::Failed { id, error });
                    }
                }
                // Jobs, and messages that do not parse (answered as failed, so the page hears back).
                _ => {
                    if let Some(reply) = silico::jobs::answer(&text) {
                        file_read::post(&replies, &reply);
                    }
                }
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; so does its handler.
    on_message.forget();
    // Messages posted before the wasm finished loading had no handler to receive them, so the page
    // holds its jobs until it hears this.
    file_read::post(&scope, &FromWorker::Started);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("silico-worker runs inside the web app; natively, use the `silico` tool.");
}

//! The model worker (the `silico-model-worker` bin): holds one local model and answers chat
//! requests with it. Messages are handled one at a time in arrival order; generation is
//! synchronous, so while the worker generates it reads no messages. A call is stopped at its time
//! limit from inside (the engine asks `should_stop` between tokens); to stop one sooner the page
//! ends the worker and starts a new one, which loads the model again from storage (see
//! `super::client`).

mod fill;
mod reader;

use std::cell::RefCell;
use std::io::BufReader;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::protocol::{stored_name, ChatFailure, FromWorker, Stage, ToWorker, PICKED};
use super::stored;
use crate::local_model::LocalModel;

/// Why a model could not be loaded, in the researcher's words.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("this is not a GGUF model file: it begins with {start:?} (a GGUF file begins with \"GGUF\"; for a URL, check that it points at the file itself, not a web page about it)")]
    NotGguf { start: String },
    #[error("the download failed: {0}")]
    Download(String),
    #[error("the download stopped after {} of {}: {reason}; the partial file was deleted, load the model again to retry", stored::megabytes(*got), expected.map(stored::megabytes).unwrap_or_else(|| "an unknown size".into()))]
    Truncated {
        got: f64,
        expected: Option<f64>,
        reason: String,
    },
    #[error("the picked file could not be read: {0}")]
    Picked(String),
    #[error("this browser's storage: {0}")]
    Storage(String),
    #[error("{file} is no longer kept in this browser; pick the file again")]
    PickAgain { file: String },
    #[error("the model is too large for this browser's memory: it needs about {}, and a page's WebAssembly memory is limited to 4 GB (less on phones and with other tabs open); choose a smaller or more quantised model", stored::megabytes(*needed))]
    TooLarge { needed: f64 },
    #[error("{0}")]
    Model(String),
}

/// Bytes a wasm32 page can address, less room for the engine's own working memory.
const ADDRESSABLE: f64 = 4_294_967_296.0 - 256.0 * 1024.0 * 1024.0;
/// Reads of the GGUF header are small; this buffer turns them into a few large reads.
const READ_BUFFER: usize = 1 << 20;

struct Loaded {
    source: String,
    model: LocalModel,
    info: serde_json::Value,
}

fn post(scope: &web_sys::DedicatedWorkerGlobalScope, message: &FromWorker) {
    let text = serde_json::to_string(message).unwrap_or_default();
    if let Err(e) = scope.post_message(&JsValue::from_str(&text)) {
        web_sys::console::error_1(&e);
    }
}

/// Starts the worker: takes messages and answers them until the page ends it.
pub fn start() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    report_crashes(&scope);
    let (sender, receiver) = unbounded();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let text = js_sys::Reflect::get(&data, &JsValue::from_str("text"))
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            let file = js_sys::Reflect::get(&data, &JsValue::from_str("file"))
                .ok()
                .and_then(|f| f.dyn_into::<web_sys::File>().ok());
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(message) => {
                    let _ = sender.unbounded_send((message, file));
                }
                Err(e) => web_sys::console::error_1(
                    &format!("model worker: unreadable message: {e}").into(),
                ),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives until the page ends it; so does its handler.
    on_message.forget();
    wasm_bindgen_futures::spawn_local(serve(scope.clone(), receiver));
    post(&scope, &FromWorker::Started);
}

/// A panic or running out of memory ends this worker's usefulness: say so to the page, which ends
/// it. Panics are reported from Rust before the abort; traps (an allocation failure aborts without
/// a panic) from plain JavaScript, since the wasm may be unusable by then.
fn report_crashes(scope: &web_sys::DedicatedWorkerGlobalScope) {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        post(
            &scope,
            &FromWorker::Crashed {
                message: info.to_string(),
            },
        );
    }));
    // Only a trap ends the worker; other rejected promises (e.g. a cancelled download) do not.
    let on_trap = js_sys::Function::new_with_args(
        "event",
        "var e = event.reason || event.error; \
         if (!(e instanceof WebAssembly.RuntimeError)) return; \
         self.postMessage(JSON.stringify({kind: 'crashed', message: String(e.message || e)}));",
    );
    for kind in ["unhandledrejection", "error"] {
        let _ = scope.add_event_listener_with_callback(kind, &on_trap);
    }
}

async fn serve(
    scope: web_sys::DedicatedWorkerGlobalScope,
    mut messages: UnboundedReceiver<(ToWorker, Option<web_sys::File>)>,
) {
    let mut loaded: Option<Loaded> = None;
    while let Some((message, file)) = messages.next().await {
        match message {
            ToWorker::Load { source } => {
                if let Some(l) = loaded.as_ref().filter(|l| l.source == source) {
                    post(
                        &scope,
                        &FromWorker::Ready {
                            source,
                            info: l.info.clone(),
                            load_ms: 0.0,
                        },
                    );
                    continue;
                }
                // The old model's memory is freed before the new one is read.
                loaded = None;
                let started = js_sys::Date::now();
                match load(&scope, &source, file).await {
                    Ok(model) => {
                        let info = serde_json::to_value(model.info()).unwrap_or_default();
                        post(
                            &scope,
                            &FromWorker::Ready {
                                source: source.clone(),
                                info: info.clone(),
                                load_ms: js_sys::Date::now() - started,
                            },
                        );
                        loaded = Some(Loaded {
                            source,
                            model,
                            info,
                        });
                    }
                    Err(e) => post(
                        &scope,
                        &FromWorker::LoadFailed {
                            source,
                            message: e.to_string(),
                        },
                    ),
                }
            }
            ToWorker::Chat {
                id,
                body,
                deadline_ms,
            } => {
                let reply = match loaded.as_mut() {
                    Some(l) => chat(&mut l.model, &body, deadline_ms),
                    None => Err(("no model is loaded".to_string(), ChatFailure::NoModel)),
                };
                post(
                    &scope,
                    &match reply {
                        Ok(body) => FromWorker::Reply {
                            id,
                            body,
                            wasm_bytes: wasm_memory_bytes(),
                        },
                        Err((message, reason)) => FromWorker::ChatFailed {
                            id,
                            message,
                            reason,
                        },
                    },
                );
            }
        }
    }
}

fn chat(
    model: &mut LocalModel,
    body: &str,
    deadline_ms: f64,
) -> Result<String, (String, ChatFailure)> {
    let body: serde_json::Value = serde_json::from_str(body).map_err(|e| {
        (
            format!("the request body is not JSON: {e}"),
            ChatFailure::Model,
        )
    })?;
    let mut late = false;
    let mut should_stop = || {
        late = js_sys::Date::now() > deadline_ms;
        late
    };
    let result = model.chat_completion(&body, &mut should_stop);
    if late {
        return Err((
            "no reply within the time limit".into(),
            ChatFailure::Timeout,
        ));
    }
    result
        .map(|reply| reply.to_string())
        .map_err(|e| (e.to_string(), ChatFailure::Model))
}

/// Finds `source` in storage (or puts it there) and reads it into a model.
async fn load(
    scope: &web_sys::DedicatedWorkerGlobalScope,
    source: &str,
    file: Option<web_sys::File>,
) -> Result<LocalModel, LoadError> {
    let storage = scope.navigator().storage();
    let dir = stored::models_dir(&storage)
        .await
        .map_err(LoadError::Storage)?;
    let name = stored_name(source);
    let throttle = Rc::new(RefCell::new(0.0_f64));
    let report = |stage: Stage| {
        let throttle = Rc::clone(&throttle);
        let scope = scope.clone();
        move |done: f64, total: Option<f64>| {
            let now = js_sys::Date::now();
            if now - *throttle.borrow() >= 100.0 || Some(done) == total {
                *throttle.borrow_mut() = now;
                post(&scope, &FromWorker::Progress { stage, done, total });
            }
        }
    };
    let handle = match (
        stored::file_handle(&dir, &name, false)
            .await
            .map_err(LoadError::Storage)?,
        file,
    ) {
        // A newly picked file replaces the kept copy of the same name.
        (_, Some(file)) => fill::copy_picked(&dir, &name, &file, &mut report(Stage::Store)).await?,
        (Some(handle), None) => handle,
        (None, None) if source.starts_with(PICKED) => {
            return Err(LoadError::PickAgain {
                file: source.trim_start_matches(PICKED).to_string(),
            })
        }
        (None, None) => {
            let global: web_sys::WorkerGlobalScope = scope.clone().unchecked_into();
            fill::download(&global, &dir, &name, source, &mut report(Stage::Download)).await?
        }
    };
    let result = read_model(&handle, report(Stage::Load)).await;
    if matches!(
        result,
        Err(LoadError::Model(_) | LoadError::NotGguf { .. } | LoadError::TooLarge { .. })
    ) {
        // A kept file that is not a usable model would fail the same way every time.
        let _ = stored::remove(&dir, &handle.name()).await;
    }
    result
}

/// Reads the stored file into a model, straight from disk (the file is closed again after).
async fn read_model(
    handle: &web_sys::FileSystemFileHandle,
    mut progress: impl FnMut(f64, Option<f64>) + 'static,
) -> Result<LocalModel, LoadError> {
    let sync: web_sys::FileSystemSyncAccessHandle =
        JsFuture::from(handle.create_sync_access_handle())
            .await
            .map_err(|e| {
                LoadError::Storage(format!(
                    "the stored model could not be opened; is it open in another tab? ({e:?})"
                ))
            })?
            .unchecked_into();
    let file = reader::StoredFile::new(
        sync,
        Box::new(move |at, len| progress(at as f64, Some(len as f64))),
    )
    .map_err(LoadError::Storage)?;
    check_memory(file.len() as f64)?;
    let mut reader = BufReader::with_capacity(READ_BUFFER, file);
    let mut start = [0u8; 4];
    {
        use std::io::{Read, Seek};
        reader
            .read_exact(&mut start)
            .map_err(|e| LoadError::Storage(e.to_string()))?;
        if &start != fill::GGUF_MAGIC {
            return Err(fill::not_gguf(&start));
        }
        reader
            .rewind()
            .map_err(|e| LoadError::Storage(e.to_string()))?;
    }
    LocalModel::load(&mut reader).map_err(|e| LoadError::Model(e.to_string()))
}

/// The size of this worker's WebAssembly memory.
fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| b.byte_length() as f64)
}

/// Refuses a model whose weights cannot fit in this worker's memory, before reading any of them:
/// running out of memory half-way would end the worker with a bare "unreachable".
fn check_memory(size: f64) -> Result<(), LoadError> {
    if size > ADDRESSABLE {
        return Err(LoadError::TooLarge { needed: size });
    }
    // Growing the memory now (and giving it back to the allocator) proves it can be had.
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(size as usize)
        .map_err(|_| LoadError::TooLarge { needed: size })
}

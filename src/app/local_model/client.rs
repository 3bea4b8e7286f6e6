//! The page's side of the model worker: starts it on first use (so a page that never uses the
//! local model never loads its wasm), loads models, sends chat requests one at a time, and
//! publishes what the worker is doing as a signal the Field tab shows.
//!
//! Stopping a call: the worker reads no messages while it generates, so a "stop" message would
//! arrive only after the answer. A SharedArrayBuffer flag would work, but only on pages served
//! with cross-origin isolation headers (COOP/COEP), which static hosts often cannot set. So the
//! page ends the worker instead; the next call starts a new one, which reads the model again from
//! this browser's storage (about a second for SmolLM2-135M). A call's time limit needs neither:
//! the worker checks the deadline between tokens itself.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use futures::channel::oneshot;
use futures::future::{select, Either};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{ChatFailure, FromWorker, Stage, ToWorker};
use crate::field::{HttpRequest, HttpResponse, TransportError};

/// Where Trunk puts the model worker's loader (workers keep unhashed names).
const WORKER_URL: &str = "./silico-model-worker_loader.js";
/// Requests to the local model carry this scheme; the rest of the URL is the model's source.
pub const SCHEME: &str = "local:";

/// What the local model is doing, for the page to show.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum ModelState {
    #[default]
    NotLoaded,
    /// The worker's code is being fetched and started.
    Starting,
    Working {
        stage: Stage,
        done: f64,
        total: Option<f64>,
    },
    Ready {
        source: String,
        info: serde_json::Value,
        load_ms: f64,
    },
    Failed {
        message: String,
    },
}

type LoadWaiter = oneshot::Sender<Result<serde_json::Value, String>>;
type ChatWaiter = oneshot::Sender<Result<FromWorker, String>>;

struct Client {
    worker: web_sys::Worker,
    /// Messages posted before the worker said it started.
    queue: Option<Vec<JsValue>>,
    /// One entry per Load posted, answered in order.
    loads: VecDeque<(String, LoadWaiter)>,
    chats: HashMap<u32, ChatWaiter>,
    next_id: u32,
    /// The source of the model the worker holds.
    loaded: Option<String>,
    /// Kept alive as long as the worker.
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static STATE: ArcRwSignal<ModelState> = ArcRwSignal::new(ModelState::default());
    static MEMORY: ArcRwSignal<Option<f64>> = ArcRwSignal::new(None);
}

/// The model worker's WebAssembly memory in bytes, as of its last answer (None before one).
pub fn memory() -> ArcRwSignal<Option<f64>> {
    MEMORY.with(Clone::clone)
}

/// What the local model is doing (one signal for the page).
pub fn state() -> ArcRwSignal<ModelState> {
    STATE.with(Clone::clone)
}

fn set_state(value: ModelState) {
    STATE.with(|s| s.set(value));
}

fn start() -> Result<Client, String> {
    let options = web_sys::WorkerOptions::new();
    let worker = web_sys::Worker::new_with_options(WORKER_URL, &options)
        .map_err(|e| format!("the model worker could not start: {e:?}"))?;
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<FromWorker>(&text) {
                Ok(message) => received(message),
                Err(e) => web_sys::console::error_1(
                    &format!("model worker: unreadable message: {e}").into(),
                ),
            }
        });
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        event.prevent_default();
        let message = event.message();
        crashed(if message.is_empty() {
            "its code could not be loaded".into()
        } else {
            message
        });
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    set_state(ModelState::Starting);
    Ok(Client {
        worker,
        queue: Some(Vec::new()),
        loads: VecDeque::new(),
        chats: HashMap::new(),
        next_id: 0,
        loaded: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Posts a message, starting the worker if there is none.
fn post(
    client: &mut Client,
    message: &ToWorker,
    file: Option<&web_sys::File>,
) -> Result<(), String> {
    let object = js_sys::Object::new();
    let text = serde_json::to_string(message).map_err(|e| e.to_string())?;
    let _ = js_sys::Reflect::set(&object, &"text".into(), &JsValue::from_str(&text));
    if let Some(file) = file {
        let _ = js_sys::Reflect::set(&object, &"file".into(), file);
    }
    match client.queue.as_mut() {
        Some(queue) => queue.push(object.into()),
        None => client
            .worker
            .post_message(&object)
            .map_err(|e| format!("the model worker did not take the message: {e:?}"))?,
    }
    Ok(())
}

fn with_client<T>(f: impl FnOnce(&mut Client) -> Result<T, String>) -> Result<T, String> {
    CLIENT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(start()?);
        }
        match slot.as_mut() {
            Some(client) => f(client),
            None => Err("the model worker is unavailable".into()),
        }
    })
}

fn received(message: FromWorker) {
    let mut answers: Vec<Box<dyn FnOnce()>> = Vec::new();
    CLIENT.with(|cell| {
        let mut slot = cell.borrow_mut();
        let Some(client) = slot.as_mut() else { return };
        match message {
            FromWorker::Started => {
                for queued in client.queue.take().unwrap_or_default() {
                    let _ = client.worker.post_message(&queued);
                }
            }
            FromWorker::Progress { stage, done, total } => {
                set_state(ModelState::Working { stage, done, total });
            }
            FromWorker::Ready {
                source,
                info,
                load_ms,
            } => {
                client.loaded = Some(source.clone());
                if let Some((_, waiter)) = client.loads.pop_front() {
                    let info = info.clone();
                    answers.push(Box::new(move || {
                        let _ = waiter.send(Ok(info));
                    }));
                }
                set_state(ModelState::Ready {
                    source,
                    info,
                    load_ms,
                });
            }
            FromWorker::LoadFailed { source, message } => {
                client.loaded = None;
                if let Some((_, waiter)) = client.loads.pop_front() {
                    let message = message.clone();
                    answers.push(Box::new(move || {
                        let _ = waiter.send(Err(message));
                    }));
                }
                set_state(ModelState::Failed {
                    message: format!("{source}: {message}"),
                });
            }
            FromWorker::Reply { id, wasm_bytes, .. } if wasm_bytes > 0.0 => {
                MEMORY.with(|m| m.set(Some(wasm_bytes)));
                if let Some(waiter) = client.chats.remove(&id) {
                    answers.push(Box::new(move || {
                        let _ = waiter.send(Ok(message));
                    }));
                }
            }
            FromWorker::Reply { id, .. } | FromWorker::ChatFailed { id, .. } => {
                if let Some(waiter) = client.chats.remove(&id) {
                    answers.push(Box::new(move || {
                        let _ = waiter.send(Ok(message));
                    }));
                }
            }
            FromWorker::Crashed { message } => {
                drop(slot);
                crashed(message);
            }
        }
    });
    for answer in answers {
        answer();
    }
}

/// Ends the worker and fails everything waiting on it; the next use starts a new one.
fn stop(reason: &str) {
    let Some(client) = CLIENT.with(|cell| cell.borrow_mut().take()) else {
        return;
    };
    client.worker.terminate();
    for (_, waiter) in client.loads {
        let _ = waiter.send(Err(reason.to_string()));
    }
    for (_, waiter) in client.chats {
        let _ = waiter.send(Err(reason.to_string()));
    }
}

fn crashed(message: String) {
    let reason = format!(
        "the model worker stopped ({message}); if this happened while loading, the model is probably too large for this browser's memory"
    );
    stop(&reason);
    set_state(ModelState::Failed { message: reason });
}

/// Ends the worker, e.g. when a call is cancelled mid-generation (see the module comment).
pub fn interrupt() {
    stop("the local model was stopped before it answered");
    set_state(ModelState::NotLoaded);
}

/// Loads the model from `source` (a path on this site, a URL, or `file:NAME` with the picked
/// `file`), unless it is the one already loaded; resolves to its `ModelInfo`.
pub async fn load(source: &str, file: Option<web_sys::File>) -> Result<serde_json::Value, String> {
    let already = CLIENT.with(|cell| {
        cell.borrow()
            .as_ref()
            .is_some_and(|c| file.is_none() && c.loaded.as_deref() == Some(source))
    });
    if already {
        if let ModelState::Ready { info, .. } = state().get_untracked() {
            return Ok(info);
        }
    }
    // WebAssembly memory never shrinks: a worker that held another model would keep that model's
    // size (and its freed pieces) for the rest of the tab. An idle one is replaced by a fresh one.
    let idle_with_other_model = CLIENT.with(|cell| {
        cell.borrow()
            .as_ref()
            .is_some_and(|c| c.loaded.is_some() && c.loads.is_empty() && c.chats.is_empty())
    });
    if idle_with_other_model {
        stop("another model was loaded");
    }
    let (sender, receiver) = oneshot::channel();
    with_client(|client| {
        post(
            client,
            &ToWorker::Load {
                source: source.to_string(),
            },
            file.as_ref(),
        )?;
        client.loads.push_back((source.to_string(), sender));
        Ok(())
    })?;
    set_state(ModelState::Working {
        stage: Stage::Load,
        done: 0.0,
        total: None,
    });
    receiver
        .await
        .unwrap_or_else(|_| Err("the model worker stopped".into()))
}

fn error_body(message: &str) -> String {
    serde_json::json!({ "error": { "message": message } }).to_string()
}

/// Answers one engine request whose URL is `local:SOURCE` with the local model, like fetch
/// answers a remote one. A model that cannot be loaded or refuses the request gives a 4xx reply
/// (failed, not retried); a worker that stopped gives a transport error (retried on a new one).
pub async fn send(
    request: &HttpRequest,
    timeout_ms: f64,
    controller: Option<web_sys::AbortController>,
) -> Result<HttpResponse, TransportError> {
    let started = js_sys::Date::now();
    let source = request.url.strip_prefix(SCHEME).unwrap_or(&request.url);
    let reply = |status: u16, body: String| HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
        latency_ms: js_sys::Date::now() - started,
    };
    if let Err(message) = load(source, None).await {
        return Ok(reply(
            422,
            error_body(&format!("the local model could not be loaded: {message}")),
        ));
    }
    let (sender, receiver) = oneshot::channel();
    with_client(|client| {
        client.next_id += 1;
        let id = client.next_id;
        let message = ToWorker::Chat {
            id,
            body: request.body.clone(),
            deadline_ms: started + timeout_ms,
        };
        post(client, &message, None)?;
        client.chats.insert(id, sender);
        Ok(())
    })
    .map_err(TransportError::Connection)?;
    let outcome = match controller {
        Some(controller) => match select(receiver, Box::pin(aborted(controller.signal()))).await {
            Either::Left((outcome, _)) => outcome,
            Either::Right(_) => {
                interrupt();
                return Err(TransportError::Connection(
                    "the local model was stopped before it answered".into(),
                ));
            }
        },
        None => receiver.await,
    };
    match outcome {
        Ok(Ok(FromWorker::Reply { body, .. })) => Ok(reply(200, body)),
        Ok(Ok(FromWorker::ChatFailed {
            message, reason, ..
        })) => match reason {
            ChatFailure::Timeout => Err(TransportError::Timeout),
            ChatFailure::NoModel => Err(TransportError::Connection(message)),
            ChatFailure::Model => Ok(reply(400, error_body(&message))),
        },
        Ok(Ok(_)) => Err(TransportError::Body(
            "unexpected message from the model worker".into(),
        )),
        Ok(Err(message)) => Err(TransportError::Connection(message)),
        Err(_) => Err(TransportError::Connection(
            "the model worker stopped".into(),
        )),
    }
}

/// Resolves when `signal` aborts.
async fn aborted(signal: web_sys::AbortSignal) {
    if signal.aborted() {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = signal.add_event_listener_with_callback("abort", &resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

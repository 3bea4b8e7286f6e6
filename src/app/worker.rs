//! The page's side of the Web Worker: one generic typed client. [`call`] sends any
//! [`Operation`] and returns that operation's own reply type; messages both ways are the typed
//! [`ToWorker`] / [`FromWorker`] as JSON text (the model worker's style). One worker serves the
//! page; it is started on first use, so pages that never estimate never load it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::jobs::{FromWorker, HeldRead, JobError, Operation, ReadFileRequest, ToWorker};

/// Where Trunk puts the worker's loader (workers keep unhashed names).
const WORKER_URL: &str = "./silico-worker_loader.js";

/// How far the worker got reading a file: bytes of `total`, records parsed (the header included).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FileProgress {
    pub bytes: f64,
    pub total: f64,
    pub rows: f64,
}

type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<FromWorker>>>>;
type Listeners = Rc<RefCell<HashMap<u32, Rc<dyn Fn(FileProgress)>>>>;

struct Client {
    worker: web_sys::Worker,
    pending: Pending,
    /// Progress callbacks of file reads under way, by job id.
    listeners: Listeners,
    /// Messages posted before the worker said it started; flushed when it does.
    queue: Rc<RefCell<Option<Vec<JsValue>>>>,
    next_id: u32,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

fn start() -> Result<Client, JobError> {
    let worker = web_sys::Worker::new(WORKER_URL)
        .map_err(|e| JobError::protocol(format!("the background worker could not start: {e:?}")))?;
    let pending: Pending = Rc::default();
    let listeners: Listeners = Rc::default();
    let queue = Rc::new(RefCell::new(Some(Vec::new())));
    let answered = pending.clone();
    let listening = listeners.clone();
    let waiting = queue.clone();
    let started_worker = worker.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            let message = match serde_json::from_str::<FromWorker>(&text) {
                Ok(message) => message,
                Err(e) => {
                    // Not ours to answer: every waiting call would hang, so say so.
                    web_sys::console::error_1(&JsValue::from_str(&format!(
                        "the background worker sent a message the page cannot read: {e}"
                    )));
                    return;
                }
            };
            match message {
                FromWorker::Started => {
                    for queued in waiting.borrow_mut().take().unwrap_or_default() {
                        let _ = started_worker.post_message(&queued);
                    }
                }
                FromWorker::Progress {
                    id,
                    progress,
                    total,
                } => {
                    // Cloned out first: the listener may update signals that start other jobs.
                    let listener = listening.borrow().get(&id).cloned();
                    if let Some(listener) = listener {
                        listener(FileProgress {
                            bytes: progress.bytes as f64,
                            total,
                            rows: progress.rows as f64,
                        });
                    }
                }
                reply @ (FromWorker::Done { .. } | FromWorker::Failed { .. }) => {
                    let id = reply.id().unwrap_or_default();
                    listening.borrow_mut().remove(&id);
                    let waiter = answered.borrow_mut().remove(&id);
                    if let Some(waiter) = waiter {
                        let _ = waiter.send(reply);
                    }
                }
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let failed = pending.clone();
    let on_error =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            let error =
                JobError::protocol(format!("the background worker failed: {}", event.message()));
            for (id, waiter) in failed.borrow_mut().drain() {
                let _ = waiter.send(FromWorker::Failed {
                    id,
                    error: error.clone(),
                });
            }
        });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Ok(Client {
        worker,
        pending,
        listeners,
        queue,
        next_id: 0,
    })
}

/// Runs `request` in the worker and returns its reply.
pub async fn call<O: Operation>(request: O) -> Result<O::Reply, JobError> {
    let (_, answer) = post(
        |id| ToWorker::Run {
            id,
            job: request.into(),
        },
        None,
        None,
    )?;
    wait(answer).await?.reply::<O>()
}

/// A file read under way in the worker: its id (for [`cancel`]) and its reply.
pub struct FileJob {
    pub id: u32,
    answer: oneshot::Receiver<FromWorker>,
}

impl FileJob {
    /// The summary and handle of the table the worker keeps. (A file read is not an
    /// [`Operation`]: the worker reads the `File` itself, between slices.)
    pub async fn reply(self) -> Result<HeldRead, JobError> {
        match wait(self.answer).await? {
            FromWorker::Done { reply, .. } => serde_json::from_str(&reply).map_err(|e| {
                JobError::protocol(format!("the worker's reply could not be read: {e}"))
            }),
            FromWorker::Failed { error, .. } => Err(error),
            other => Err(JobError::protocol(format!(
                "the worker answered with {other:?} where a reply was due"
            ))),
        }
    }
}

/// Has the worker read `file` slice by slice (the `File` is shared with the worker, not copied),
/// calling `on_progress` after each slice.
pub fn read_file(
    request: &ReadFileRequest,
    file: &web_sys::File,
    on_progress: impl Fn(FileProgress) + 'static,
) -> Result<FileJob, JobError> {
    let (id, answer) = post(
        |id| ToWorker::ReadFile {
            id,
            request: request.clone(),
        },
        Some(file.into()),
        Some(Rc::new(on_progress)),
    )?;
    Ok(FileJob { id, answer })
}

/// Stops a file read between two slices; it then answers that it was cancelled.
pub fn cancel(id: u32) {
    CLIENT.with(|cell| {
        if let Some(client) = cell.borrow().as_ref() {
            if let Ok(message) = envelope(&ToWorker::Cancel { id }, None) {
                match client.queue.borrow_mut().as_mut() {
                    Some(queue) => queue.push(message),
                    None => {
                        let _ = client.worker.post_message(&message);
                    }
                }
            }
        }
    });
}

/// `{text, file?}`: the message's JSON and the file that travels beside it.
fn envelope(message: &ToWorker, file: Option<&JsValue>) -> Result<JsValue, JobError> {
    let text = serde_json::to_string(message)
        .map_err(|e| JobError::protocol(format!("the job could not be encoded: {e}")))?;
    let object = js_sys::Object::new();
    // Setting fields on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&object, &"text".into(), &JsValue::from_str(&text));
    if let Some(file) = file {
        let _ = js_sys::Reflect::set(&object, &"file".into(), file);
    }
    Ok(object.into())
}

/// Posts the message `make` builds with a fresh id (starting the worker on first use).
fn post(
    make: impl FnOnce(u32) -> ToWorker,
    file: Option<JsValue>,
    on_progress: Option<Rc<dyn Fn(FileProgress)>>,
) -> Result<(u32, oneshot::Receiver<FromWorker>), JobError> {
    CLIENT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(start()?);
        }
        let Some(client) = slot.as_mut() else {
            return Err(JobError::protocol("the background worker is unavailable"));
        };
        client.next_id += 1;
        let id = client.next_id;
        let message = envelope(&make(id), file.as_ref())?;
        let (sender, receiver) = oneshot::channel();
        client.pending.borrow_mut().insert(id, sender);
        if let Some(listener) = on_progress {
            client.listeners.borrow_mut().insert(id, listener);
        }
        if let Some(queue) = client.queue.borrow_mut().as_mut() {
            queue.push(message);
            return Ok((id, receiver));
        }
        client.worker.post_message(&message).map_err(|e| {
            JobError::protocol(format!("the job could not be sent to the worker: {e:?}"))
        })?;
        Ok((id, receiver))
    })
}

async fn wait(answer: oneshot::Receiver<FromWorker>) -> Result<FromWorker, JobError> {
    answer
        .await
        .map_err(|_| JobError::protocol("the background worker stopped before it answered"))
}

//! The page's side of the Web Worker: send a [`Job`], await its [`Reply`]. One worker serves the page;
//! it is started on first use, so pages that never estimate never load it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::jobs::{Job, ReadFileRequest, Reply};

/// Where Trunk puts the worker's loader (workers keep unhashed names).
const WORKER_URL: &str = "./silico-worker_loader.js";

type Pending = Rc<RefCell<HashMap<u32, (js_sys::Function, js_sys::Function)>>>;

/// How far the worker got reading a file: bytes of `total`, records parsed (the header included).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FileProgress {
    pub bytes: f64,
    pub total: f64,
    pub rows: f64,
}

type Listeners = Rc<RefCell<HashMap<u32, Rc<dyn Fn(FileProgress)>>>>;

struct Client {
    worker: web_sys::Worker,
    pending: Pending,
    /// Progress callbacks of file reads under way, by job id.
    listeners: Listeners,
    /// Jobs posted before the worker said it is ready; flushed when it does.
    queue: Rc<RefCell<Option<Vec<JsValue>>>>,
    next_id: u32,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

fn start() -> Result<Client, String> {
    let worker = web_sys::Worker::new(WORKER_URL)
        .map_err(|e| format!("the background worker could not start: {e:?}"))?;
    let pending: Pending = Rc::default();
    let listeners: Listeners = Rc::default();
    let queue = Rc::new(RefCell::new(Some(Vec::new())));
    let answered = pending.clone();
    let listening = listeners.clone();
    let waiting = queue.clone();
    let ready_worker = worker.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            if js_sys::Reflect::get(&data, &JsValue::from_str("ready")).is_ok_and(|v| v.is_truthy())
            {
                for message in waiting.borrow_mut().take().unwrap_or_default() {
                    let _ = ready_worker.post_message(&message);
                }
                return;
            }
            let id = js_sys::Reflect::get(&data, &JsValue::from_str("id"))
                .ok()
                .and_then(|v| v.as_f64())
                .map(|v| v as u32);
            let progress = js_sys::Reflect::get(&data, &JsValue::from_str("progress"))
                .unwrap_or(JsValue::NULL);
            if progress.is_object() {
                let number = |name: &str| {
                    js_sys::Reflect::get(&progress, &JsValue::from_str(name))
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or_default()
                };
                let report = FileProgress {
                    bytes: number("bytes"),
                    total: number("total"),
                    rows: number("rows"),
                };
                // Cloned out first: the listener may update signals that start other jobs.
                let listener = id.and_then(|id| listening.borrow().get(&id).cloned());
                if let Some(listener) = listener {
                    listener(report);
                }
                return;
            }
            if let Some(id) = id {
                listening.borrow_mut().remove(&id);
            }
            let reply =
                js_sys::Reflect::get(&data, &JsValue::from_str("reply")).unwrap_or(JsValue::NULL);
            if let Some((resolve, _)) = id.and_then(|id| answered.borrow_mut().remove(&id)) {
                let _ = resolve.call1(&JsValue::NULL, &reply);
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let failed = pending.clone();
    let on_error =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            let message = JsValue::from_str(&format!(
                "the background worker failed: {}",
                event.message()
            ));
            for (_, (_, reject)) in failed.borrow_mut().drain() {
                let _ = reject.call1(&JsValue::NULL, &message);
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

/// Runs a job in the worker; a `Failed` reply becomes the error, in the researcher's words.
pub async fn ask(job: Job) -> Result<Reply, String> {
    match run(&job).await? {
        Reply::Failed { message } => Err(message),
        reply => Ok(reply),
    }
}

/// Runs a job in the worker and waits for its reply.
pub async fn run(job: &Job) -> Result<Reply, String> {
    let json =
        serde_json::to_string(job).map_err(|e| format!("the job could not be encoded: {e}"))?;
    let (_, promise) = post(&[("job", JsValue::from_str(&json))], None)?;
    reply_of(promise).await
}

/// A file read under way in the worker: its id (for [`cancel`]) and its reply.
pub struct FileJob {
    pub id: u32,
    promise: js_sys::Promise,
}

impl FileJob {
    /// The worker's answer: `TableHeld` (the summary and the handle of the table it keeps).
    pub async fn reply(self) -> Result<Reply, String> {
        match reply_of(self.promise).await? {
            Reply::Failed { message } => Err(message),
            reply => Ok(reply),
        }
    }
}

/// Has the worker read `file` slice by slice (the `File` is shared with the worker, not copied),
/// calling `on_progress` after each slice.
pub fn read_file(
    request: &ReadFileRequest,
    file: &web_sys::File,
    on_progress: impl Fn(FileProgress) + 'static,
) -> Result<FileJob, String> {
    let json = serde_json::to_string(request)
        .map_err(|e| format!("the read request could not be encoded: {e}"))?;
    let (id, promise) = post(
        &[("read", JsValue::from_str(&json)), ("file", file.into())],
        Some(Rc::new(on_progress)),
    )?;
    Ok(FileJob { id, promise })
}

/// Stops a file read between two slices; it then answers that it was cancelled.
pub fn cancel(id: u32) {
    CLIENT.with(|cell| {
        if let Some(client) = cell.borrow().as_ref() {
            let message = js_sys::Object::new();
            let _ =
                js_sys::Reflect::set(&message, &JsValue::from_str("cancel"), &JsValue::from(id));
            match client.queue.borrow_mut().as_mut() {
                Some(queue) => queue.push(message.into()),
                None => {
                    let _ = client.worker.post_message(&message);
                }
            }
        }
    });
}

/// Posts a message with a fresh id (starting the worker on first use); the promise settles with
/// the worker's reply text.
fn post(
    fields: &[(&str, JsValue)],
    on_progress: Option<Rc<dyn Fn(FileProgress)>>,
) -> Result<(u32, js_sys::Promise), String> {
    CLIENT.with(|cell| -> Result<(u32, js_sys::Promise), String> {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(start()?);
        }
        let Some(client) = slot.as_mut() else {
            return Err("the background worker is unavailable".into());
        };
        client.next_id += 1;
        let id = client.next_id;
        let pending = client.pending.clone();
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            pending.borrow_mut().insert(id, (resolve, reject));
        });
        if let Some(listener) = on_progress {
            client.listeners.borrow_mut().insert(id, listener);
        }
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str("id"), &JsValue::from(id));
        for (name, value) in fields {
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str(name), value);
        }
        if let Some(queue) = client.queue.borrow_mut().as_mut() {
            queue.push(message.into());
            return Ok((id, promise));
        }
        client
            .worker
            .post_message(&message)
            .map_err(|e| format!("the job could not be sent to the worker: {e:?}"))?;
        Ok((id, promise))
    })
}

async fn reply_of(promise: js_sys::Promise) -> Result<Reply, String> {
    let reply = JsFuture::from(promise)
        .await
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
    let text = reply.as_string().ok_or("the worker sent an empty reply")?;
    serde_json::from_str(&text).map_err(|e| format!("the worker's reply could not be read: {e}"))
}

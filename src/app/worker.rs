//! The page's side of the Web Worker: send a [`Job`], await its [`Reply`]. One worker serves the page;
//! it is started on first use, so pages that never estimate never load it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::jobs::{Job, Reply};

/// Where Trunk puts the worker's loader (workers keep unhashed names).
const WORKER_URL: &str = "./silico-worker_loader.js";

type Pending = Rc<RefCell<HashMap<u32, (js_sys::Function, js_sys::Function)>>>;

struct Client {
    worker: web_sys::Worker,
    pending: Pending,
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
    let queue = Rc::new(RefCell::new(Some(Vec::new())));
    let answered = pending.clone();
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
    let promise = CLIENT.with(|cell| -> Result<js_sys::Promise, String> {
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
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str("id"), &JsValue::from(id));
        let _ = js_sys::Reflect::set(
            &message,
            &JsValue::from_str("job"),
            &JsValue::from_str(&json),
        );
        if let Some(queue) = client.queue.borrow_mut().as_mut() {
            queue.push(message.into());
            return Ok(promise);
        }
        client
            .worker
            .post_message(&message)
            .map_err(|e| format!("the job could not be sent to the worker: {e:?}"))?;
        Ok(promise)
    })?;
    let reply = JsFuture::from(promise)
        .await
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
    let text = reply.as_string().ok_or("the worker sent an empty reply")?;
    serde_json::from_str(&text).map_err(|e| format!("the worker's reply could not be read: {e}"))
}

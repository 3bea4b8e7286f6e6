//! Drives a [`FieldRun`] in the page: fetch for each `Step::Send`, timers for waits, every
//! settled record written to IndexedDB at once, and a progress signal the Field tab reads.
//!
//! A run belongs to the page, not to the tab's view: it keeps going while the user looks at
//! another tab, and the Field tab finds it again in [`active`]. Its state is an `ArcRwSignal`,
//! which lives as long as the run rather than as long as a view.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rexie::Rexie;
use web_sys::AbortController;

use super::fetch::{abort_controller, send, sleep_ms};
use super::run_store::{self, StoredRun};
use super::write_ahead;
use crate::app::{browser, storage};
use crate::field::{
    cache_key, CachedReply, CallRecord, FieldRun, HttpResponse, MemoryCache, Progress,
    ResponseCache, RunSpec, Status, Step, Ticket, TransportError, INTERRUPTED_REASON,
};
use crate::providers::ApiKey;
use crate::study::Study;

/// How many recent records the view keeps for display.
const RECENT: usize = 12;
/// The view is refreshed at most this often while calls settle (ms).
const REFRESH_MS: f64 = 150.0;
/// Stored records are parsed and handed to the run in slices this size, yielding between them.
const SLICE: usize = 400;
/// Conjoint tasks or respondents' surveys planned between yields.
const PLAN_SLICE: usize = 250;
/// Records stored per IndexedDB transaction (each is serialised on the page's thread first).
const WRITE_SLICE: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Planning, reading stored records and the cache.
    Preparing,
    Running,
    Paused,
    /// Opened from storage: nothing is sent until the user resumes.
    Waiting,
    Finished,
    Cancelled,
    /// The run could not start (the reason, in words).
    Stopped(String),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunView {
    pub phase: Option<Phase>,
    pub progress: Progress,
    /// The latest settled records, newest first.
    pub recent: Vec<CallRecord>,
    /// Records taken over from storage when the run was opened.
    pub restored: usize,
    /// Questions the plan left out.
    pub skipped: Vec<String>,
    /// Records that could not be written to IndexedDB (kept in memory; only a reload loses them).
    pub storage_problem: Option<String>,
    /// Milliseconds the page spent in the engine (scheduling, parsing replies, records) during
    /// the run: the scheduler's overhead, for the benchmark.
    pub engine_ms: f64,
}

enum Event {
    Reply(Ticket, Result<HttpResponse, TransportError>),
    Pause,
    Resume(Option<ApiKey>),
    Cancel,
}

pub struct Driver {
    pub study_id: String,
    pub run_id: String,
    pub spec: RunSpec,
    pub view: ArcRwSignal<RunView>,
    control: UnboundedSender<Event>,
    run: Rc<RefCell<Option<FieldRun>>>,
    /// Requests on the wire by call index: aborted when the page goes away (see
    /// [`abort_on_unload`]) and their custom ids noted in `localStorage` (see
    /// [`write_ahead::note_in_flight`]).
    in_flight: RefCell<HashMap<usize, OnTheWire>>,
}

struct OnTheWire {
    custom_id: String,
    controller: Option<AbortController>,
}

thread_local! {
    static ACTIVE: RefCell<HashMap<String, Rc<Driver>>> = RefCell::new(HashMap::new());
    /// Set when the page is being left: nothing new is sent after that.
    static UNLOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The run of this study that the page holds, if any.
pub fn active(study_id: &str) -> Option<Rc<Driver>> {
    ACTIVE.with(|a| a.borrow().get(study_id).cloned())
}

/// Forgets the page's run of this study (after its stored records were discarded).
pub fn forget(study_id: &str) {
    if let Some(driver) = ACTIVE.with(|a| a.borrow_mut().remove(study_id)) {
        driver.cancel();
    }
}

type Settled = (CallRecord, Option<CachedReply>);

/// Settled records on their way to IndexedDB: one writer task stores them in transactions of up
/// to [`WRITE_SLICE`] records, so ten thousand cache hits become a hundred transactions rather than
/// ten thousand tasks at once. Until a record is stored its reply is in the write-ahead note.
struct WriteQueue {
    queue: Rc<RefCell<std::collections::VecDeque<Settled>>>,
    wake: UnboundedSender<()>,
    /// A transaction is being written.
    busy: Rc<std::cell::Cell<bool>>,
}

impl WriteQueue {
    fn start(driver: Rc<Driver>, db: Rc<Rexie>) -> Self {
        let queue: Rc<RefCell<std::collections::VecDeque<Settled>>> = Rc::default();
        let (wake, mut woken) = unbounded::<()>();
        let pending = Rc::clone(&queue);
        let busy: Rc<std::cell::Cell<bool>> = Rc::default();
        let writing = Rc::clone(&busy);
        spawn_local(async move {
            while woken.next().await.is_some() {
                loop {
                    let batch: Vec<Settled> = {
                        let mut q = pending.borrow_mut();
                        let n = q.len().min(WRITE_SLICE);
                        q.drain(..n).collect()
                    };
                    if batch.is_empty() {
                        break;
                    }
                    writing.set(true);
                    let saved =
                        run_store::save_settled_many(&db, &driver.study_id, &driver.run_id, &batch)
                            .await;
                    writing.set(false);
                    match saved {
                        Ok(()) => {
                            for (record, _) in &batch {
                                write_ahead::forget(&record.cache_key);
                            }
                        }
                        Err(e) => driver.view.update(|v| {
                            v.storage_problem = Some(format!(
                                "answers are kept in this tab but could not be saved in the browser: {e}"
                            ))
                        }),
                    }
                }
            }
        });
        Self { queue, wake, busy }
    }

    /// Resolves once every queued record is stored (or failed to be).
    async fn flushed(&self) {
        while !self.queue.borrow().is_empty() || self.busy.get() {
            sleep_ms(20.0).await;
        }
    }

    fn push(&self, record: CallRecord, reply: Option<CachedReply>) {
        self.queue.borrow_mut().push_back((record, reply));
        let _ = self.wake.unbounded_send(());
    }
}

/// When the page is left (reload, close, navigation) every request on the wire is aborted at
/// once and nothing new is sent. A provider bills a reply it has sent, and Chromium stops handing
/// replies to the page some 100 ms before it unloads it; aborting closes the connections before
/// the server answers whatever it has not answered yet. The calls that were on the wire stay noted
/// (`write_ahead`) and end "interrupted" when the run is reopened.
fn abort_on_unload() {
    thread_local! {
        static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let handler = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(|| {
        UNLOADING.with(|u| u.set(true));
        ACTIVE.with(|active| {
            for driver in active.borrow().values() {
                for call in driver.in_flight.borrow().values() {
                    if let Some(controller) = &call.controller {
                        controller.abort();
                    }
                }
            }
        });
    });
    if let Some(window) = web_sys::window() {
        use wasm_bindgen::JsCast;
        for event in ["beforeunload", "pagehide"] {
            let _ =
                window.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
    }
    // One handler for the page's lifetime.
    handler.forget();
}

impl Driver {
    /// Opens the run `spec` describes for this study: plans it, takes over the records stored
    /// for it and the cached replies, then sends the rest (`send_now`) or waits for
    /// [`Driver::resume`]. Replaces any run of the study the page held.
    pub fn open(
        study: Study,
        spec: RunSpec,
        key: Option<ApiKey>,
        send_now: bool,
        retry_failed: bool,
    ) -> Rc<Driver> {
        forget(&study.id);
        let (control, events) = unbounded();
        let driver = Rc::new(Driver {
            study_id: study.id.clone(),
            run_id: spec.run_id(&study),
            spec,
            view: ArcRwSignal::new(RunView {
                phase: Some(Phase::Preparing),
                ..Default::default()
            }),
            control,
            run: Rc::new(RefCell::new(None)),
            in_flight: RefCell::new(HashMap::new()),
        });
        abort_on_unload();
        ACTIVE.with(|a| {
            a.borrow_mut()
                .insert(driver.study_id.clone(), Rc::clone(&driver))
        });
        let task = Rc::clone(&driver);
        spawn_local(async move {
            if let Err(reason) = task.drive(study, key, send_now, retry_failed, events).await {
                task.view
                    .update(|v| v.phase = Some(Phase::Stopped(reason.clone())));
            }
        });
        driver
    }

    pub fn pause(&self) {
        let _ = self.control.unbounded_send(Event::Pause);
    }

    pub fn resume(&self, key: Option<ApiKey>) {
        let _ = self.control.unbounded_send(Event::Resume(key));
    }

    pub fn cancel(&self) {
        let _ = self.control.unbounded_send(Event::Cancel);
    }

    /// The settled records so far, in plan order.
    pub fn records(&self) -> Vec<CallRecord> {
        self.run
            .borrow()
            .as_ref()
            .map(|r| r.records().cloned().collect())
            .unwrap_or_default()
    }

    /// Questions the survey's logic hid from their respondent so far.
    pub fn not_shown(&self) -> Vec<crate::field::NotShown> {
        self.run
            .borrow()
            .as_ref()
            .map(|r| r.not_shown().to_vec())
            .unwrap_or_default()
    }

    async fn drive(
        self: &Rc<Self>,
        study: Study,
        key: Option<ApiKey>,
        send_now: bool,
        retry_failed: bool,
        mut events: UnboundedReceiver<Event>,
    ) -> Result<(), String> {
        let mut planner = self.spec.planner(&study).map_err(|e| e.to_string())?;
        while !planner.step(PLAN_SLICE).map_err(|e| e.to_string())? {
            sleep_ms(0.0).await;
        }
        let plan = planner.finish().map_err(|e| e.to_string())?;
        let skipped = plan.skipped.clone();
        let total = plan.calls.len();
        let mut run = self.spec.start(plan, key).map_err(|e| e.to_string())?;
        let db = Rc::new(storage::open().await.map_err(|e| e.to_string())?);

        let texts = run_store::load_record_texts(&db, &self.study_id, &self.run_id)
            .await
            .map_err(|e| e.to_string())?;
        let mut restored = 0;
        for slice in texts.chunks(SLICE) {
            let records: Vec<CallRecord> = slice
                .iter()
                .filter_map(|t| serde_json::from_str(t).ok())
                .collect();
            restored += run.restore(records, retry_failed);
            sleep_ms(0.0).await;
        }
        // The cache entries of the calls still open, looked up in slices. Restoring may have
        // added survey calls (earlier answers route each respondent further), so the run's own
        // count is used, not the plan's.
        let open_calls = run.calls().len();
        let mut keys = Vec::new();
        for start in (0..open_calls).step_by(SLICE) {
            keys.extend(run.open_cache_keys(start..start + SLICE));
            sleep_ms(0.0).await;
        }
        let mut cache = run_store::load_cache(&db, &keys)
            .await
            .map_err(|e| e.to_string())?;
        // Replies that arrived just before the page went away, not yet in IndexedDB.
        for key in &keys {
            if let Some(reply) = write_ahead::take(key) {
                let _ = cache.put(key, &reply);
            }
        }
        drop(keys);
        // Calls on the wire when the page went away: the provider may have answered and charged,
        // so those whose reply is not in the cache are not sent again without the user asking
        // (survey calls the logic has not made yet included; the run decides as it makes them).
        let was_in_flight = write_ahead::take_in_flight(&self.study_id, &self.run_id);
        if !retry_failed {
            run.interrupt_unless_cached(&was_in_flight, INTERRUPTED_REASON);
        }
        run.set_cache_slice(SLICE);

        let stored = StoredRun {
            study_id: self.study_id.clone(),
            run_id: self.run_id.clone(),
            spec: self.spec.clone(),
            total,
            started: browser::now(),
            finished: false,
        };
        if send_now {
            run_store::save_run(&db, &stored)
                .await
                .map_err(|e| e.to_string())?;
        } else {
            run.pause();
        }
        self.view.update(|v| {
            v.phase = Some(if send_now {
                Phase::Running
            } else {
                Phase::Waiting
            });
            v.restored = restored;
            v.skipped = skipped;
            v.progress = run.progress();
        });
        *self.run.borrow_mut() = Some(run);

        let mut last_refresh = 0.0;
        let writes = WriteQueue::start(Rc::clone(self), Rc::clone(&db));
        let mut engine_ms = 0.0;
        loop {
            let busy = js_sys::Date::now();
            let step = self.send_due(&mut cache);
            // Cache hits settle inside `poll`: store those records too.
            self.persist_new(&writes, &cache);
            engine_ms += js_sys::Date::now() - busy;
            let now = js_sys::Date::now();
            if now - last_refresh >= REFRESH_MS || matches!(step, Step::Finished) {
                last_refresh = now;
                self.view.update_untracked(|v| v.engine_ms = engine_ms);
                self.refresh();
            }
            let event = match step {
                Step::Finished => break,
                Step::WaitUntil(t) => {
                    let wait = (t - js_sys::Date::now()).max(0.0);
                    match select(events.next(), Box::pin(sleep_ms(wait))).await {
                        Either::Left((event, _)) => event,
                        Either::Right(_) => continue,
                    }
                }
                Step::WaitForReplies | Step::Paused => events.next().await,
                Step::Send { .. } => continue,
            };
            let Some(event) = event else { break };
            match event {
                Event::Reply(ticket, result) => {
                    let now = js_sys::Date::now();
                    if let Some(run) = self.run.borrow_mut().as_mut() {
                        run.complete(ticket, result, now, &mut cache);
                    }
                    engine_ms += js_sys::Date::now() - now;
                }
                Event::Pause => {
                    if let Some(run) = self.run.borrow_mut().as_mut() {
                        run.pause();
                    }
                    self.view.update(|v| v.phase = Some(Phase::Paused));
                }
                Event::Resume(key) => {
                    if let Some(run) = self.run.borrow_mut().as_mut() {
                        if key.is_some() {
                            run.set_api_key(key);
                        }
                        run.resume();
                    }
                    if let Err(e) = run_store::save_run(&db, &stored).await {
                        self.view
                            .update(|v| v.storage_problem = Some(e.to_string()));
                    }
                    self.view.update(|v| v.phase = Some(Phase::Running));
                }
                Event::Cancel => {
                    if let Some(run) = self.run.borrow_mut().as_mut() {
                        run.cancel();
                    }
                    // The local model's answer would come only after its whole generation: stop it.
                    if self.spec.endpoint.provider == crate::study::ProviderKind::Local {
                        for call in self.in_flight.borrow().values() {
                            if let Some(controller) = &call.controller {
                                controller.abort();
                            }
                        }
                    }
                    self.view.update(|v| v.phase = Some(Phase::Cancelled));
                }
            }
        }
        self.persist_new(&writes, &cache);
        self.view.update_untracked(|v| v.engine_ms = engine_ms);
        // "Finished" means stored: wait for the last writes.
        writes.flushed().await;
        let cancelled = self
            .view
            .with_untracked(|v| v.phase == Some(Phase::Cancelled));
        let finished = StoredRun {
            finished: true,
            ..stored
        };
        if !cancelled {
            if let Err(e) = run_store::save_run(&db, &finished).await {
                self.view
                    .update(|v| v.storage_problem = Some(e.to_string()));
            }
        }
        self.refresh();
        self.view.update(|v| {
            if !cancelled {
                v.phase = Some(Phase::Finished);
            }
        });
        Ok(())
    }

    /// Starts every call that is due; returns the first step that is not a send.
    fn send_due(self: &Rc<Self>, cache: &mut MemoryCache) -> Step {
        if UNLOADING.with(|u| u.get()) {
            return Step::Paused;
        }
        loop {
            let now = js_sys::Date::now();
            let step = match self.run.borrow_mut().as_mut() {
                Some(run) => run.poll(now, cache),
                None => return Step::Finished,
            };
            match step {
                Step::Send { ticket, request } => {
                    let control = self.control.clone();
                    let timeout_ms = self.spec.timeout_s.max(0.1) * 1000.0;
                    let (sample, custom_id) = self
                        .run
                        .borrow()
                        .as_ref()
                        .and_then(|r| r.calls().get(ticket.index))
                        .map(|c| (c.sample, c.custom_id.clone()))
                        .unwrap_or_default();
                    let key = cache_key(&request, sample);
                    let controller = abort_controller();
                    self.in_flight.borrow_mut().insert(
                        ticket.index,
                        OnTheWire {
                            custom_id,
                            controller: controller.clone(),
                        },
                    );
                    self.note_in_flight();
                    let driver = Rc::clone(self);
                    spawn_local(async move {
                        let result = send(&request, timeout_ms, controller).await;
                        if let Ok(response) = &result {
                            if (200..300).contains(&response.status) {
                                write_ahead::keep(&key, response);
                            }
                        }
                        let _ = control.unbounded_send(Event::Reply(ticket, result));
                        driver.in_flight.borrow_mut().remove(&ticket.index);
                        driver.note_in_flight();
                    });
                }
                other => return other,
            }
        }
    }

    /// Queues the records settled since the last call (with their replies for the cache).
    fn persist_new(self: &Rc<Self>, writes: &WriteQueue, cache: &MemoryCache) {
        let fresh: Vec<CallRecord> = match self.run.borrow_mut().as_mut() {
            Some(run) => run.drain_settled(),
            None => return,
        };
        if fresh.is_empty() {
            return;
        }
        self.view.update_untracked(|v| {
            for record in fresh.iter().rev().take(RECENT).rev() {
                v.recent.insert(0, record.clone());
            }
            v.recent.truncate(RECENT);
        });
        for record in fresh {
            let reply: Option<CachedReply> = (!record.cache_hit && record.status != Status::Failed)
                .then(|| cache.get(&record.cache_key))
                .flatten();
            writes.push(record, reply);
        }
    }

    fn note_in_flight(&self) {
        // Once the page is being left, the calls aborted on the way out stay noted as in flight.
        if UNLOADING.with(|u| u.get()) {
            return;
        }
        write_ahead::note_in_flight(
            &self.study_id,
            &self.run_id,
            self.in_flight.borrow().values().map(|c| &c.custom_id),
        );
    }

    fn refresh(&self) {
        let progress = self.run.borrow().as_ref().map(|r| r.progress());
        if let Some(progress) = progress {
            self.view.update(|v| v.progress = progress);
        }
    }
}

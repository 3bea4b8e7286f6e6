//! The command-line side: a [`LocalClient`] that answers `local:PATH` requests in-process, so the
//! fielding driver runs a study on a GGUF file with no server.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value};

use super::{LocalModel, LocalModelError};
use crate::providers::http::{HttpClient, HttpRequest, HttpResponse, TransportError};

/// The URL scheme of requests for the in-process model.
pub const SCHEME: &str = "local:";

/// candle sizes its thread pools from `CANDLE_NUM_THREADS` / `RAYON_NUM_THREADS` when first used.
/// One thread unless the user set them: the machines this runs on are shared, and the page has
/// one thread too, so speeds compare.
pub fn single_thread_unless_asked() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for name in ["RAYON_NUM_THREADS", "CANDLE_NUM_THREADS"] {
            if std::env::var_os(name).is_none() {
                std::env::set_var(name, "1");
            }
        }
    });
}

/// Loads a GGUF file from disk.
pub fn load_file(path: &Path) -> Result<LocalModel, LocalModelError> {
    let file = File::open(path).map_err(|e| {
        LocalModelError::BadRequest(format!(
            "cannot open the model file {}: {e}",
            path.display()
        ))
    })?;
    LocalModel::load(&mut BufReader::new(file))
}

/// One model answering `local:` requests, one at a time.
pub struct LocalClient {
    path: PathBuf,
    model: Mutex<LocalModel>,
    cancel: Arc<AtomicBool>,
}

impl LocalClient {
    pub fn new(path: PathBuf, model: LocalModel) -> Self {
        Self {
            path,
            model: Mutex::new(model),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Setting this flag abandons the answer being generated.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn reply(status: u16, body: Value, started: Instant) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

impl HttpClient for LocalClient {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let started = Instant::now();
        if !request.url.starts_with(SCHEME) {
            return Err(TransportError::Connection(format!(
                "{} is not a local: address; the in-process model answers only those",
                request.url
            )));
        }
        let body: Value = match serde_json::from_str(&request.body) {
            Ok(v) => v,
            Err(e) => {
                return Ok(reply(
                    400,
                    json!({"error": {"message": format!("the request is not JSON: {e}")}}),
                    started,
                ))
            }
        };
        let mut model = self
            .model
            .lock()
            .map_err(|_| TransportError::Connection("the local model failed earlier".into()))?;
        let cancel = &self.cancel;
        let mut should_stop = || cancel.load(Ordering::Relaxed);
        match model.chat_completion(&body, &mut should_stop) {
            Ok(answer) => Ok(reply(200, answer, started)),
            Err(LocalModelError::Cancelled) => Err(TransportError::Connection("cancelled".into())),
            Err(e @ LocalModelError::Compute(_)) => Ok(reply(
                500,
                json!({"error": {"message": e.to_string()}}),
                started,
            )),
            Err(e) => Ok(reply(
                400,
                json!({"error": {"message": e.to_string()}}),
                started,
            )),
        }
    }
}

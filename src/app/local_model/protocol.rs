//! The messages between the page and the model worker, as JSON text (a picked `File` travels
//! beside the text in the same message, since it is not JSON).

use serde::{Deserialize, Serialize};

/// Page → worker. The worker handles them one at a time, in order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Make `source` the loaded model: from this browser's storage if it is kept there, else
    /// downloaded (a path on this site or a URL) or copied from the picked file sent alongside.
    Load { source: String },
    /// One OpenAI chat-completions request body; generation stops at `deadline_ms` (epoch ms).
    Chat {
        id: u32,
        body: String,
        deadline_ms: f64,
    },
}

/// What the worker is doing while it loads a model.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Fetching the file and writing it to this browser's storage.
    Download,
    /// Copying a picked file into this browser's storage.
    Store,
    /// Reading the weights into memory.
    Load,
}

/// Worker → page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm is running and takes messages.
    Started,
    Progress {
        stage: Stage,
        done: f64,
        /// Unknown when the server sends no length.
        total: Option<f64>,
    },
    /// `info` is the engine's `ModelInfo` (name, architecture, context length, …).
    Ready {
        source: String,
        info: serde_json::Value,
        load_ms: f64,
    },
    LoadFailed {
        source: String,
        message: String,
    },
    Reply {
        id: u32,
        body: String,
        /// The worker's WebAssembly memory after the call, in bytes (it only ever grows): what
        /// the model and its cache hold, apart from the browser's own overhead.
        #[serde(default)]
        wasm_bytes: f64,
    },
    ChatFailed {
        id: u32,
        message: String,
        reason: ChatFailure,
    },
    /// The worker panicked or ran out of memory; it cannot go on and the page ends it.
    Crashed {
        message: String,
    },
}

/// Why a chat request got no reply.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChatFailure {
    /// Generation passed the call's time limit.
    Timeout,
    /// No model was loaded (its load failed); the page loads it again and retries.
    NoModel,
    /// The model refused this request (e.g. the prompt does not fit its context).
    Model,
}

/// The name under which a model from `source` is kept in the origin-private file system: the
/// source itself, percent-encoded so a URL is one valid file name.
pub fn stored_name(source: &str) -> String {
    let mut out = String::new();
    for b in source.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The source a stored name was made from (`None` for names this page did not write).
pub fn source_of(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The folder of the origin-private file system that holds the models.
pub const MODELS_DIR: &str = "silico-models";
/// A download in progress is written under its name plus this, and renamed when complete.
pub const PARTIAL: &str = ".part";
pub use crate::providers::{
    DEFAULT_LOCAL_MODEL as DEFAULT_MODEL, DEFAULT_LOCAL_SOURCE as DEFAULT_SOURCE,
};
/// Sources that name a file the user picked (kept in storage under this prefix).
pub const PICKED: &str = "file:";

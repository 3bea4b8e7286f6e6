//! The real model behind an OpenAI-compatible server: SmolLM2-135M-Instruct in llama-cpp-python's
//! server (`scripts/llm-server.sh`, one thread, built once and cached under ~/.cache/silico),
//! started on a free port; and the small survey the tests field to real models. Used by the
//! `field_llm` and `local_model` tests and, through `#[path]`, by benches/local_model.rs (which
//! uses only part of it, hence the allow).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/llm-server.sh")
}

/// The running server; stopped when dropped.
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds (once) and starts the server on a free port; returns it with its `/v1` URL. None, with
/// a notice, only when the server cannot be built on this machine.
pub fn start() -> Option<(Server, String)> {
    match Command::new("bash").arg(script()).arg("build").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "SKIPPED: the llama-cpp-python server cannot be built on this machine:\n{}",
                String::from_utf8_lossy(&o.stderr)
            );
            return None;
        }
        Err(e) => {
            eprintln!("SKIPPED: cannot run scripts/llm-server.sh: {e}");
            return None;
        }
    }
    let port = super::ports::free_port();
    let child = Command::new("bash")
        .arg(script())
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let server = Server(child);
    let url = format!("http://127.0.0.1:{port}/v1");
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if ureq::get(&format!("{url}/models")).call().is_ok() {
            return Some((server, url));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("the llama.cpp server did not answer within 120 s");
}

/// The Python that runs the server (with llama-cpp-python and gguf), built once like the server;
/// None, with a notice, where it cannot be built.
pub fn python() -> Option<PathBuf> {
    match Command::new("bash").arg(script()).arg("build").output() {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!("SKIPPED: the llama-cpp-python environment cannot be built on this machine");
            return None;
        }
    }
    let cache = std::env::var_os("SILICO_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/silico")))?;
    Some(cache.join("llm-venv/bin/python"))
}

/// POSTs a chat-completions body; the reply's JSON.
pub fn post(url: &str, body: &Value) -> Value {
    let text = ureq::post(&format!("{url}/chat/completions"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .expect("the server answers")
        .into_body()
        .read_to_string()
        .expect("a body");
    serde_json::from_str(&text).expect("JSON")
}

/// A study of two four-option questions (fruit, season), survey only.
pub fn small_survey(id: &str, name: &str) -> Value {
    let options = |labels: &[&str]| -> Value {
        Value::Array(
            labels
                .iter()
                .enumerate()
                .map(|(i, l)| json!({"code": format!("o{}", i + 1), "label": l}))
                .collect(),
        )
    };
    json!({
        "format": "silico-study/1",
        "id": id,
        "metadata": {"name": name},
        "survey": {"questions": [
            {"id": "fruit", "text": "Which fruit do you like best?", "answer": {"type": "single_choice",
                "options": options(&["Apple", "Banana", "Cherry", "Grape"])}},
            {"id": "season", "text": "Which season do you prefer?", "answer": {"type": "single_choice",
                "options": options(&["Spring", "Summer", "Autumn", "Winter"])}}
        ]}
    })
}

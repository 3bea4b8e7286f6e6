//! The in-process model (src/local_model) on SmolLM2-135M-Instruct, one thread, side by side with
//! the llama.cpp server (`scripts/llm-server.sh`, 1 thread) in the same run: prefill and decode
//! tokens/s; fielding a 20-question survey to 10 personas with and without prefix reuse; peak
//! memory against the model file. Prints numbers; no harness.
//!
//! cargo bench --bench local_model

#[path = "../tests/it/support/llm_server.rs"]
mod llm_server;
// llm_server takes its port from its sibling `ports`, as in the test crate.
#[path = "../tests/it/support/ports.rs"]
mod ports;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};
use silico::local_model::native::{load_file, single_thread_unless_asked};
use silico::local_model::LocalModel;

const STORY: &str = "Write a long, detailed story about a lighthouse keeper who finds a message in a bottle. Describe the sea, the weather, the keeper's daily routine, the contents of the message and what the keeper decides to do about it, in many paragraphs.";

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn model_path() -> PathBuf {
    let out = Command::new("bash")
        .arg(format!("{}/scripts/fetch-model.sh", root()))
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "scripts/fetch-model.sh failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Peak and current resident memory of this process, in bytes (Linux).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn story(nonce: usize, max_tokens: usize) -> Value {
    json!({
        "model": "smollm2-135m",
        // The nonce keeps llama.cpp's own prompt cache from answering a repeated prompt.
        "messages": [
            {"role": "system", "content": format!("Session {nonce}. You are a helpful writer.")},
            {"role": "user", "content": STORY}
        ],
        "temperature": 0,
        "max_tokens": max_tokens
    })
}

/// (prompt tokens, generated tokens, seconds) of one request.
type Timed = (u64, u64, f64);

fn timed(reply: &Value, seconds: f64) -> Timed {
    (
        reply["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
        reply["usage"]["completion_tokens"].as_u64().unwrap_or(0),
        seconds,
    )
}

fn ours(model: &mut LocalModel, body: &Value) -> Timed {
    model.forget();
    let started = Instant::now();
    let reply = model
        .chat_completion(body, &mut || false)
        .expect("an answer");
    timed(&reply, started.elapsed().as_secs_f64())
}

fn theirs(url: &str, body: &Value) -> Timed {
    let started = Instant::now();
    let reply = llm_server::post(url, body);
    timed(&reply, started.elapsed().as_secs_f64())
}

/// Prefill tokens/s from a one-token answer, decode tokens/s from the extra time of a long one;
/// best of `runs`.
fn speeds(mut ask: impl FnMut(usize, usize) -> Timed, runs: usize) -> (f64, f64, u64, u64) {
    let (mut prefill, mut decode, mut prompt, mut generated) = (0.0f64, 0.0f64, 0, 0);
    for run in 0..runs {
        let (p, _, t1) = ask(2 * run, 1);
        let (_, g, t2) = ask(2 * run + 1, 64);
        prefill = prefill.max(p as f64 / t1);
        decode = decode.max((g.saturating_sub(1)) as f64 / (t2 - t1).max(1e-9));
        (prompt, generated) = (p, g);
    }
    (prefill, decode, prompt, generated)
}

/// The survey fielded with and without prefix reuse, shared with the page's benchmarks.
struct Survey {
    system: String,
    user: String,
    personas: Vec<String>,
    questions: Vec<String>,
}

fn survey() -> Survey {
    let v: Value = serde_json::from_str(include_str!("local_model_survey.json")).expect("JSON");
    let text = |key: &str| v[key].as_str().expect(key).to_string();
    let list = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|s| s.as_str().expect(key).to_string())
            .collect()
    };
    Survey {
        system: text("system"),
        user: text("user"),
        // STYLE=twin: the same people as digital twins (description and six earlier answers).
        personas: list(if std::env::var("STYLE").as_deref() == Ok("twin") {
            "twin_personas"
        } else {
            "personas"
        }),
        questions: list("questions"),
    }
}

fn survey_call(survey: &Survey, persona: &str, question: &str) -> Value {
    json!({
        "model": "smollm2-135m",
        "messages": [
            {"role": "system", "content": survey.system},
            {"role": "user", "content": survey.user.replace("{persona}", persona).replace("{question}", question)}
        ],
        "temperature": 0,
        "max_tokens": 2,
        "logprobs": true,
        "top_logprobs": 5
    })
}

/// Seconds to field every question to every persona, in plan order (a persona's questions in a
/// row); `reuse: false` clears the cache before every call.
fn field(model: &mut LocalModel, survey: &Survey, reuse: bool) -> (f64, u64, u64) {
    model.forget();
    let started = Instant::now();
    let (mut prompt, mut reused) = (0, 0);
    for persona in &survey.personas {
        for question in &survey.questions {
            if !reuse {
                model.forget();
            }
            let reply = model
                .chat_completion(&survey_call(survey, persona, question), &mut || false)
                .expect("an answer");
            prompt += reply["usage"]["prompt_tokens"].as_u64().unwrap_or(0);
            reused += reply["usage"]["prompt_tokens_details"]["cached_tokens"]
                .as_u64()
                .unwrap_or(0);
        }
    }
    (started.elapsed().as_secs_f64(), prompt, reused)
}

fn main() {
    single_thread_unless_asked();
    let path = model_path();
    let file_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let (_, before) = memory();
    let started = Instant::now();
    let mut model = load_file(&path).expect("the model loads");
    let load_s = started.elapsed().as_secs_f64();
    let (peak_load, after_load) = memory();
    println!(
        "model: {} ({} MB file), loaded in {load_s:.2} s; resident {:.0} MB before, {:.0} MB after loading, peak {:.0} MB",
        model.info().name,
        file_bytes >> 20,
        before as f64 / 1e6,
        after_load as f64 / 1e6,
        peak_load as f64 / 1e6
    );

    let runs = 3;
    let (p, d, prompt, generated) = speeds(|n, max| ours(&mut model, &story(n, max)), runs);
    println!("candle (1 thread):    prefill {p:6.1} tok/s, decode {d:6.1} tok/s  ({prompt}-token prompt, {generated} generated)");
    match llm_server::start() {
        Some((_server, url)) => {
            // Warm-up (first request pays for graph set-up).
            theirs(&url, &story(999, 4));
            let (lp, ld, prompt, generated) =
                speeds(|n, max| theirs(&url, &story(1000 + n, max)), runs);
            println!("llama.cpp (1 thread): prefill {lp:6.1} tok/s, decode {ld:6.1} tok/s  ({prompt}-token prompt, {generated} generated, over HTTP)");
            println!(
                "candle / llama.cpp:   prefill {:.0}%, decode {:.0}%",
                100.0 * p / lp,
                100.0 * d / ld
            );
        }
        None => println!("llama.cpp server not available: no side-by-side numbers"),
    }

    let survey = survey();
    let calls = survey.personas.len() * survey.questions.len();
    let (cold, prompt_tokens, _) = field(&mut model, &survey, false);
    let (warm, _, reused) = field(&mut model, &survey, true);
    println!(
        "fielding {} questions x {} personas ({calls} calls, {prompt_tokens} prompt tokens): without prefix reuse {cold:.1} s, with {warm:.1} s ({reused} prompt tokens reused): {:.1}x faster",
        survey.questions.len(),
        survey.personas.len(),
        cold / warm
    );
    let (peak, now) = memory();
    println!(
        "memory: peak resident {:.0} MB ({:.2}x the {:.0} MB file; {:.0} MB before loading), now {:.0} MB",
        peak as f64 / 1e6,
        peak as f64 / file_bytes as f64,
        file_bytes as f64 / 1e6,
        before as f64 / 1e6,
        now as f64 / 1e6
    );
}

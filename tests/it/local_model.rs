//! The in-process model (src/local_model) on the real SmolLM2-135M-Instruct GGUF, fetched by
//! `scripts/fetch-model.sh` into the ignored `models/` folder, checked against the llama.cpp
//! server of `scripts/llm-server.sh` on the same prompts.

use crate::support::llm_server;

use std::io::Cursor;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

use serde_json::{json, Value};
use silico::field::debias::chosen_by_position;
use silico::field::{label_distribution, read_records_jsonl, ItemRef, ShownOption, Status};
use silico::local_model::native::load_file;
use silico::local_model::{LocalModel, LocalModelError};
use silico::providers::{OpenAiCompatible, Provider};

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn model_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let out = Command::new("bash")
            .arg(format!("{}/scripts/fetch-model.sh", root()))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "scripts/fetch-model.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
    .clone()
}

fn model_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| std::fs::read(model_path()).expect("the model file"))
}

/// One loaded model shared by the tests (they take turns).
fn model() -> MutexGuard<'static, LocalModel> {
    static MODEL: OnceLock<Mutex<LocalModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| Mutex::new(load_file(&model_path()).expect("the model loads")))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

const PERSONA: &str = "You are a 35-year-old teacher from Ohio. Answer the survey question.";

const QUESTIONS: &[&str] = &[
    "Which fruit do you like best?\nA. Apple\nB. Banana\nC. Cherry\nAnswer with A, B or C.",
    "How often do you exercise?\nA. Never\nB. Sometimes\nC. Often\nD. Every day\nAnswer with A, B, C or D.",
    "Do you agree that taxes should be lower?\nA. Strongly agree\nB. Agree\nC. Disagree\nD. Strongly disagree\nAnswer with one letter.",
    "Which season do you prefer?\n1. Spring\n2. Summer\n3. Autumn\n4. Winter\nAnswer with a number.",
];

fn request(question: &str, extra: Value) -> Value {
    let mut body = json!({
        "model": "smollm2-135m",
        "messages": [
            {"role": "system", "content": PERSONA},
            {"role": "user", "content": question}
        ],
        "temperature": 0,
        "max_tokens": 6,
        "logprobs": true,
        "top_logprobs": 20
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

fn ask(model: &mut LocalModel, body: &Value) -> Value {
    model
        .chat_completion(body, &mut || false)
        .expect("an answer")
}

fn text(reply: &Value) -> &str {
    reply["choices"][0]["message"]["content"]
        .as_str()
        .expect("text")
}

/// The first generated token's alternatives, token → logprob.
fn first_token(reply: &Value) -> Vec<(String, f64)> {
    reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        .as_array()
        .expect("top_logprobs")
        .iter()
        .map(|t| {
            (
                t["token"].as_str().expect("token").to_string(),
                t["logprob"].as_f64().expect("logprob"),
            )
        })
        .collect()
}

fn usage(reply: &Value, field: &str) -> u64 {
    reply["usage"][field].as_u64().expect("a token count")
}

// ---------------------------------------------------------------- llama.cpp

/// Our reply and llama.cpp's to the same body: the same prompt tokens and greedy text; returns the
/// largest difference of llama.cpp's top-5 first-token logprobs from ours.
fn compare_with_llama_cpp(label: &str, question: &str, ours: &Value, theirs: &Value) -> f64 {
    assert_eq!(
        usage(ours, "prompt_tokens"),
        usage(theirs, "prompt_tokens"),
        "{label}: the chat template and pre-tokenizer give llama.cpp's prompt for {question:?}"
    );
    assert_eq!(
        text(ours),
        text(theirs),
        "{label}: greedy answers to {question:?}"
    );
    assert_eq!(
        usage(ours, "completion_tokens"),
        usage(theirs, "completion_tokens")
    );
    let our_top = first_token(ours);
    let mut worst = 0.0f64;
    for (token, theirs_lp) in first_token(theirs).into_iter().take(5) {
        let ours_lp = our_top
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, lp)| *lp)
            .unwrap_or_else(|| {
                panic!("{label}: {token:?} is not among our top 20 for {question:?}")
            });
        eprintln!(
            "{label} {question:.20?} {token:>8?}: llama.cpp {theirs_lp:.3}, ours {ours_lp:.3}"
        );
        worst = worst.max((ours_lp - theirs_lp).abs());
    }
    worst
}

#[test]
fn agrees_with_llama_cpp_on_first_token_logprobs_and_greedy_answers() {
    let Some((_server, url)) = llm_server::start() else {
        return;
    };
    let mut m = model();
    let mut worst = 0.0f64;
    for question in QUESTIONS {
        let body = request(question, json!({}));
        let theirs = llm_server::post(&url, &body);
        let ours = ask(&mut m, &body);
        worst = worst.max(compare_with_llama_cpp("smollm2", question, &ours, &theirs));
    }
    eprintln!("largest difference of a top-5 first-token logprob: {worst:.3} nat");
    assert!(worst < 0.2, "{worst}");
}

/// No Qwen2 or Llama 3.2 GGUF can be downloaded here, so scripts/tiny-model.py makes each from
/// SmolLM2's first layers with what only that family has — Qwen2: query/key/value biases, rotation
/// over head halves ("neox") and its pre-tokenizer; Llama 3.2: the "llama3" rope frequency factors
/// and its pre-tokenizer. llama.cpp (in the server's Python) and we read the same file.
fn agrees_with_llama_cpp_as(family: &str, architecture: &str) {
    let Some(python) = llm_server::python() else {
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let model_file = dir.join(format!("tiny-{family}.gguf"));
    let tiny_model = |args: &[&std::ffi::OsStr]| -> Vec<u8> {
        let out = Command::new(&python)
            .arg(format!("{}/scripts/tiny-model.py", root()))
            .args(args)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    tiny_model(&[
        family.as_ref(),
        model_path().as_os_str(),
        model_file.as_os_str(),
    ]);
    let mut ours = load_file(&model_file).expect("the test model loads");
    assert_eq!(ours.info().architecture, architecture);
    let mut worst = 0.0f64;
    for (i, question) in QUESTIONS.iter().enumerate() {
        let body = request(question, json!({"max_tokens": 4}));
        let body_file = dir.join(format!("{family}-body-{i}.json"));
        std::fs::write(&body_file, body.to_string()).expect("the body is written");
        let reply = tiny_model(&[
            "ask".as_ref(),
            model_file.as_os_str(),
            body_file.as_os_str(),
        ]);
        let theirs: Value = serde_json::from_slice(&reply).expect("llama.cpp's JSON");
        let mine = ask(&mut ours, &body);
        worst = worst.max(compare_with_llama_cpp(family, question, &mine, &theirs));
    }
    eprintln!("{family}: largest difference of a top-5 first-token logprob: {worst:.3} nat");
    assert!(worst < 0.2, "{family}: {worst}");
}

#[test]
fn a_qwen2_model_agrees_with_llama_cpp() {
    agrees_with_llama_cpp_as("qwen2", "qwen2");
}

#[test]
fn a_llama_3_2_style_model_agrees_with_llama_cpp() {
    agrees_with_llama_cpp_as("llama3", "llama");
}

// ---------------------------------------------------------------- the cache

#[test]
fn a_shared_prefix_is_reused_and_gives_the_cold_start_answer() {
    let mut m = model();
    m.forget();
    let first = ask(&mut m, &request(QUESTIONS[0], json!({})));
    assert_eq!(first["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    let warm = ask(&mut m, &request(QUESTIONS[1], json!({})));
    let reused = warm["usage"]["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .expect("cached tokens");
    // The system prompt and the start of the user turn are shared.
    assert!(reused > 15, "reused {reused}");
    assert!(reused < usage(&warm, "prompt_tokens"));
    m.forget();
    let cold = ask(&mut m, &request(QUESTIONS[1], json!({})));
    assert_eq!(cold["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(text(&warm), text(&cold));
    assert_eq!(usage(&warm, "prompt_tokens"), usage(&cold, "prompt_tokens"));
    assert_eq!(
        usage(&warm, "completion_tokens"),
        usage(&cold, "completion_tokens")
    );
    // Not bit for bit: the tokens read after the reused prefix form a smaller batch, the attention
    // products sum in another order, and the f16 rounding of queries, keys and attention weights
    // (as llama.cpp does) can turn a last-bit difference into a few thousandths of a nat. A cache
    // fault (wrong positions, a stale key) moves log-probabilities by tenths or changes the answer.
    const SAME: f64 = 0.02;
    let (w, c) = (first_token(&warm), first_token(&cold));
    assert_eq!(w.len(), 20);
    for ((wt, wl), (ct, cl)) in w.iter().zip(&c) {
        assert_eq!(wt, ct);
        assert!((wl - cl).abs() < SAME, "{wt:?}: warm {wl}, cold {cl}");
    }
    // The same prompt again reuses all but its last token.
    let again = ask(&mut m, &request(QUESTIONS[1], json!({})));
    assert_eq!(
        again["usage"]["prompt_tokens_details"]["cached_tokens"].as_u64(),
        Some(usage(&again, "prompt_tokens") - 1)
    );
    assert_eq!(text(&again), text(&cold));
    let (at, al) = &first_token(&again)[0];
    assert_eq!(at, &c[0].0);
    assert!(
        (al - c[0].1).abs() < SAME,
        "{at:?}: again {al}, cold {}",
        c[0].1
    );
}

// ---------------------------------------------------------------- sampling

#[test]
fn seeded_sampling_is_reproducible_and_seeds_differ() {
    let mut m = model();
    let sample = |m: &mut LocalModel, seed: u64| {
        let body = request(
            "Describe your ideal weekend in one sentence.",
            json!({"temperature": 1.0, "top_p": 0.95, "seed": seed, "max_tokens": 12, "logprobs": false}),
        );
        text(&ask(m, &body)).to_string()
    };
    let a = sample(&mut m, 7);
    m.forget();
    assert_eq!(a, sample(&mut m, 7), "same seed, same text (cold or warm)");
    let texts: std::collections::HashSet<String> = (1..=4).map(|s| sample(&mut m, s)).collect();
    assert!(texts.len() >= 2, "four seeds gave one text: {texts:?}");
}

#[test]
fn max_tokens_and_stop_strings_end_the_answer() {
    let mut m = model();
    let body = request(
        "Describe your ideal weekend in two sentences.",
        json!({"max_tokens": 3, "logprobs": false}),
    );
    let short = ask(&mut m, &body);
    assert_eq!(usage(&short, "completion_tokens"), 3);
    assert_eq!(short["choices"][0]["finish_reason"], "length");
    assert!(short["choices"][0].get("logprobs").is_none());

    let long = ask(
        &mut m,
        &request(
            "Describe your ideal weekend in two sentences.",
            json!({"max_tokens": 24, "logprobs": false}),
        ),
    );
    let full = text(&long).to_string();
    // A stop string from the middle of the greedy answer cuts it there.
    let words: Vec<&str> = full.split_whitespace().collect();
    assert!(words.len() >= 4, "{full:?}");
    let stop = format!(" {}", words[3]);
    let at = full.find(&stop).expect("the stop string is in the answer");
    let cut = ask(
        &mut m,
        &request(
            "Describe your ideal weekend in two sentences.",
            json!({"max_tokens": 24, "logprobs": false, "stop": [stop, "never appears"]}),
        ),
    );
    assert_eq!(text(&cut), &full[..at]);
    assert_eq!(cut["choices"][0]["finish_reason"], "stop");
    assert!(usage(&cut, "completion_tokens") < usage(&long, "completion_tokens"));
}

#[test]
fn cancellation_stops_between_tokens_and_the_next_answer_is_unaffected() {
    let mut m = model();
    let body = request(QUESTIONS[2], json!({"max_tokens": 20}));
    let mut polls = 0;
    let cancelled = m.chat_completion(&body, &mut || {
        polls += 1;
        polls > 3
    });
    assert_eq!(cancelled, Err(LocalModelError::Cancelled));
    assert_eq!(LocalModelError::Cancelled.to_string(), "cancelled");
    let after = ask(&mut m, &body);
    m.forget();
    let cold = ask(&mut m, &body);
    assert_eq!(text(&after), text(&cold));
    assert_eq!(first_token(&after)[0].0, first_token(&cold)[0].0);
}

#[test]
fn the_reply_is_read_by_the_openai_parser() {
    let mut m = model();
    let reply = ask(&mut m, &request(QUESTIONS[0], json!({"top_logprobs": 5})));
    let parsed = OpenAiCompatible
        .parse_body(&reply.to_string())
        .expect("an OpenAI-compatible reply");
    assert_eq!(parsed.text, text(&reply));
    let first = parsed.first_token_logprobs.expect("first-token logprobs");
    assert_eq!(first.len(), 5);
    // Natural-log probabilities over the whole vocabulary: below 0, summing to at most 1.
    assert!(first.iter().all(|(_, lp)| *lp < 0.0));
    let mass: f64 = first.iter().map(|(_, lp)| lp.exp()).sum();
    assert!(mass > 0.5 && mass <= 1.0 + 1e-6, "{mass}");
    assert_eq!(parsed.usage.input, Some(usage(&reply, "prompt_tokens")));
    assert_eq!(parsed.finish_reason.as_deref(), Some("length"));
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_requests_are_named() {
    let mut m = model();
    let err =
        |m: &mut LocalModel, body: Value| m.chat_completion(&body, &mut || false).unwrap_err();
    let e = err(&mut m, json!({"model": "x"}));
    assert!(matches!(e, LocalModelError::BadRequest(_)), "{e}");
    assert!(e.to_string().contains("messages"), "{e}");
    let e = err(&mut m, request("Hi", json!({"temperature": 5})));
    assert!(e.to_string().contains("temperature"), "{e}");
    let e = err(&mut m, request("Hi", json!({"top_logprobs": 50})));
    assert!(e.to_string().contains("top_logprobs"), "{e}");
    let long = "word ".repeat(9000);
    let e = err(&mut m, request(&long, json!({})));
    match &e {
        LocalModelError::PromptTooLong { tokens, context } => {
            assert!(*tokens > 9000 && *context == 8192, "{e}");
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("8192"), "{e}");
}

fn load_bytes(bytes: &[u8]) -> Result<LocalModel, LocalModelError> {
    LocalModel::load(&mut Cursor::new(bytes))
}

#[test]
fn a_file_that_is_not_gguf_is_named_as_such() {
    let e = load_bytes(b"<!DOCTYPE html><html>Not found</html>")
        .err()
        .expect("refused");
    assert_eq!(
        e,
        LocalModelError::NotGguf {
            found: "<!DO".into()
        }
    );
    assert!(e.to_string().contains("not a GGUF model"), "{e}");
    assert!(matches!(
        load_bytes(b"").err(),
        Some(LocalModelError::NotGguf { .. })
    ));
}

#[test]
fn an_unsupported_architecture_is_named() {
    // The real file with `general.architecture` rewritten from "llama" to "mamba" (same length,
    // so every offset stays valid).
    let mut bytes = model_bytes().to_vec();
    let key = b"general.architecture";
    let at = bytes
        .windows(key.len())
        .position(|w| w == key)
        .expect("the key is in the header")
        + key.len();
    // type (u32 string = 8), length (u64 = 5), "llama"
    assert_eq!(&bytes[at + 12..at + 17], b"llama");
    bytes[at + 12..at + 17].copy_from_slice(b"mamba");
    let e = load_bytes(&bytes).err().expect("refused");
    assert_eq!(
        e,
        LocalModelError::UnsupportedArchitecture {
            architecture: "mamba".into()
        }
    );
    assert!(e.to_string().contains("\"mamba\" is not supported"), "{e}");
}

#[test]
fn a_truncated_file_says_how_much_is_missing() {
    let bytes = model_bytes();
    let cut = 50_000_000;
    match load_bytes(&bytes[..cut]).err().expect("refused") {
        e @ LocalModelError::Truncated { expected, got } => {
            assert_eq!(got, cut as u64);
            assert!(expected > got && expected <= bytes.len() as u64, "{e}");
            assert!(e.to_string().contains("truncated"), "{e}");
        }
        other => panic!("{other}"),
    }
    // Cut inside the header.
    let e = load_bytes(&bytes[..1000]).err().expect("refused");
    assert!(matches!(e, LocalModelError::Malformed(_)), "{e}");
    assert!(e.to_string().contains("1000 bytes"), "{e}");
}

#[test]
fn a_model_too_large_for_memory_is_refused_before_reading_weights() {
    let e = LocalModel::load_with_memory_limit(&mut Cursor::new(model_bytes()), 64 << 20)
        .err()
        .expect("refused");
    match e {
        LocalModelError::TooLarge {
            needed_mb,
            limit_mb,
        } => {
            assert_eq!(limit_mb, 64);
            assert!(needed_mb > 94, "{needed_mb}");
        }
        other => panic!("{other}"),
    }
}

/// A GGUF file holding only a header: metadata of the given integer values, no tensors.
fn header_only_gguf(architecture: &str, integers: &[(&str, u32)]) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend(3u32.to_le_bytes());
    out.extend(0u64.to_le_bytes());
    out.extend((integers.len() as u64 + 1).to_le_bytes());
    let key = |out: &mut Vec<u8>, k: &str| {
        out.extend((k.len() as u64).to_le_bytes());
        out.extend(k.as_bytes());
    };
    key(&mut out, "general.architecture");
    out.extend(8u32.to_le_bytes()); // string
    key(&mut out, architecture);
    for (k, v) in integers {
        key(&mut out, k);
        out.extend(4u32.to_le_bytes()); // u32
        out.extend(v.to_le_bytes());
    }
    // The (empty) tensor data starts at the next multiple of 32.
    out.resize(out.len().next_multiple_of(32), 0);
    out
}

#[test]
fn a_model_whose_cache_cannot_fit_is_refused_with_the_memory_it_needs() {
    // A 70B-sized llama without grouped-query attention: 80 layers x 64 key-value heads x 128
    // dimensions x 2 (keys and values) x 4 bytes = 5 MiB per token, 10 GiB for the 2048 tokens
    // budgeted; the page's limit is 3 GiB. (Built by hand: no such file is small enough to test.)
    let file = header_only_gguf(
        "llama",
        &[
            ("llama.block_count", 80),
            ("llama.embedding_length", 8192),
            ("llama.attention.head_count", 64),
            ("llama.attention.head_count_kv", 64),
            ("llama.context_length", 4096),
        ],
    );
    let e = LocalModel::load_with_memory_limit(&mut Cursor::new(&file), 3 << 30)
        .err()
        .expect("refused");
    assert_eq!(
        e,
        LocalModelError::TooLarge {
            needed_mb: 10240,
            limit_mb: 3072
        }
    );
    assert!(e.to_string().contains("10240 MB"), "{e}");
    // The same header with a small cache is not refused for its size (it then lacks a tokenizer).
    let small = header_only_gguf(
        "llama",
        &[
            ("llama.block_count", 2),
            ("llama.embedding_length", 64),
            ("llama.attention.head_count", 4),
            ("llama.context_length", 256),
        ],
    );
    let e = LocalModel::load_with_memory_limit(&mut Cursor::new(&small), 3 << 30)
        .err()
        .expect("refused");
    assert!(matches!(e, LocalModelError::Malformed(_)), "{e}");
}

#[test]
fn info_describes_the_file() {
    let m = model();
    let info = m.info();
    assert_eq!(info.architecture, "llama");
    assert_eq!(info.quantisation, "Q4_1");
    assert_eq!(info.file_bytes, 98_362_432);
    assert_eq!(info.context_length, 8192);
    assert!(info.chat_template);
    assert!(
        (130_000_000..140_000_000).contains(&info.parameters),
        "{info:?}"
    );
}

// ---------------------------------------------------------------- the command line

fn study() -> Value {
    llm_server::small_survey("local-small", "Small survey for the local model")
}

#[test]
fn the_command_line_fields_a_study_on_the_local_model() {
    let dir = std::env::temp_dir().join(format!("silico-local-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let study_path = dir.join("study.json");
    std::fs::write(&study_path, study().to_string()).expect("study");
    let out = dir.join("answers.csv");
    let model = format!("local:{}", model_path().display());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_silico"))
            .args(["field", study_path.to_str().unwrap(), "--model", &model])
            .args(["--respondents", "2", "--samples", "2", "--order", "rotate"])
            .args(["--logprobs", "--top-logprobs", "5", "--temperature", "0"])
            // Free generation with its top-5 alternatives (label mode, the default, lists the
            // labels instead; tested above).
            .args(["--answer-mode", "generate"])
            .args([
                "--max-tokens",
                "4",
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .expect("silico runs")
    };
    let output = run();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = read_records_jsonl(
        &std::fs::read_to_string(dir.join("answers.records.jsonl")).expect("records"),
    );
    assert_eq!(records.len(), 2 * 2 * 2);
    for r in &records {
        assert_eq!(r.status, Status::Answered, "{r:?}");
        assert_eq!(r.provider, "local");
        assert!(matches!(r.item, ItemRef::Question { .. }));
        assert!(r.chosen().is_some(), "{r:?}");
        assert!(r.tokens_in.is_some_and(|n| n > 20));
        let first = r.first_token_logprobs.as_ref().expect("logprobs");
        assert_eq!(first.len(), 5);
        assert!(r.distribution.is_some(), "{r:?}");
    }
    let table = std::fs::read_to_string(&out).expect("the response table");
    assert_eq!(table.lines().count(), 1 + 8, "{table}");
    // A rerun is answered from the cache: the same requests, nothing recomputed.
    let again = run();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("8 cache hits"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    let missing = Command::new(env!("CARGO_BIN_EXE_silico"))
        .args([
            "field",
            study_path.to_str().unwrap(),
            "--model",
            "local:/nowhere/model.gguf",
        ])
        .args(["--respondents", "1", "--out", out.to_str().unwrap()])
        .output()
        .expect("silico runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/nowhere/model.gguf"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

// ---------------------------------------------------------------- label mode (the default)

fn labels_request(question: &str, labels: &[&str], extra: Value) -> Value {
    let mut body = request(
        question,
        json!({"answer_mode": "labels", "answer_labels": labels, "logprobs": false}),
    );
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

#[test]
fn label_mode_answers_with_a_label_and_every_labels_first_token_logprob() {
    let mut m = model();
    let labels = ["A", "B", "C"];
    let scored = ask(
        &mut m,
        &labels_request(QUESTIONS[0], &labels, json!({"temperature": 0})),
    );
    let generated = ask(&mut m, &request(QUESTIONS[0], json!({})));
    // The same prompt; one answer token, no generation.
    assert_eq!(
        usage(&scored, "prompt_tokens"),
        usage(&generated, "prompt_tokens")
    );
    assert_eq!(usage(&scored, "completion_tokens"), 1);
    assert_eq!(scored["choices"][0]["finish_reason"], "stop");
    // Each label once, under its own name. Its log-probability holds at least that of its own
    // token as generation reports it, and at most that plus the replies starting "Option" or
    // "Profile" (its other spellings).
    let listed = first_token(&scored);
    let mut names: Vec<&str> = listed.iter().map(|(t, _)| t.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, labels);
    let free = first_token(&generated);
    let free_lp = |token: &str| {
        free.iter()
            .find(|(t, _)| t == token)
            .map_or(f64::NEG_INFINITY, |(_, l)| *l)
    };
    let prefixes = free_lp("Option").exp() + free_lp("Profile").exp();
    for (label, lp) in &listed {
        let own = free_lp(label);
        assert!(own.is_finite(), "{label:?} is among generation's top 20");
        assert!(*lp >= own - 0.02, "{label}: {lp} vs its token's {own}");
        assert!(lp.exp() <= own.exp() + prefixes + 0.02, "{label}: {lp}");
    }
    // At temperature 0 the most likely label is the answer (SmolLM2 prefers A).
    let best = listed
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("labels");
    assert_eq!(text(&scored), best.0);
    assert_eq!(text(&scored), "A");
    // The OpenAI parser and the field's extraction read it as any reply.
    let parsed = OpenAiCompatible
        .parse_body(&scored.to_string())
        .expect("an OpenAI-compatible reply");
    let shown: Vec<ShownOption> = labels
        .iter()
        .map(|l| ShownOption {
            code: l.to_lowercase(),
            label: l.to_string(),
            text: String::new(),
            levels: Vec::new(),
            exclusive: false,
        })
        .collect();
    let d = label_distribution(&parsed, &shown).expect("a distribution");
    let total: f64 = d.probabilities.iter().map(|(_, p)| p).sum();
    assert!((total - 1.0).abs() < 1e-9);
    let mass: f64 = listed.iter().map(|(_, lp)| lp.exp()).sum();
    assert!((d.label_mass - mass).abs() < 1e-9 && mass < 1.0, "{mass}");
}

#[test]
fn labels_sharing_a_first_token_are_scored_whole_and_the_prefix_cache_still_works() {
    let mut m = model();
    let question = "How many hours do you sleep?\n1. One\n2. Two\n3. Three\n4. Four\n5. Five\n6. Six\n7. Seven\n8. Eight\n9. Nine\n10. Ten\nAnswer with a number.";
    let labels: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    m.forget();
    let cold = ask(
        &mut m,
        &labels_request(question, &labels, json!({"temperature": 0})),
    );
    let lp = |reply: &Value, label: &str| {
        first_token(reply)
            .into_iter()
            .find(|(t, _)| t == label)
            .map(|(_, l)| l)
            .expect("every label listed")
    };
    // SmolLM2 writes digits one by one, so "1" and "10" share their first token: "1" must end
    // the turn where "10" goes on, and together they hold at most the token "1".
    let generated = ask(&mut m, &request(question, json!({})));
    let token_one = first_token(&generated)
        .into_iter()
        .find(|(t, _)| t == "1")
        .map(|(_, l)| l)
        .expect("\"1\" among the top 20");
    let free = first_token(&generated);
    let free_lp = |token: &str| {
        free.iter()
            .find(|(t, _)| t == token)
            .map_or(f64::NEG_INFINITY, |(_, l)| *l)
    };
    let prefixes = free_lp("Option").exp() + free_lp("Profile").exp();
    let (one, ten) = (lp(&cold, "1"), lp(&cold, "10"));
    assert!(one.is_finite() && ten.is_finite() && one != ten);
    // Every spelling of "1" and "10" starts with "1", "Option" or "Profile".
    assert!(
        one.exp() + ten.exp() <= token_one.exp() + prefixes + 0.02,
        "{one} {ten} {token_one}"
    );
    // The bare "1" must end the turn: without the end it would hold all of the token "1".
    assert!(one.exp() < token_one.exp() + prefixes, "{one} {token_one}");
    // Scoring leaves the cache at the end of the prompt: the same request again reuses all of it
    // but the last token and gives the same scores.
    let again = ask(
        &mut m,
        &labels_request(question, &labels, json!({"temperature": 0})),
    );
    assert_eq!(
        again["usage"]["prompt_tokens_details"]["cached_tokens"].as_u64(),
        Some(usage(&again, "prompt_tokens") - 1)
    );
    for label in &labels {
        assert!(
            (lp(&again, label) - lp(&cold, label)).abs() < 0.02,
            "{label}"
        );
    }
    assert_eq!(text(&again), text(&cold));
}

#[test]
fn label_answers_are_drawn_with_the_seed() {
    let mut m = model();
    let draw = |m: &mut LocalModel, seed: u64| {
        let body = labels_request(
            QUESTIONS[1],
            &["A", "B", "C", "D"],
            json!({"temperature": 1.0, "seed": seed}),
        );
        text(&ask(m, &body)).to_string()
    };
    let first: Vec<String> = (0..40).map(|s| draw(&mut m, s)).collect();
    m.forget();
    let second: Vec<String> = (0..40).map(|s| draw(&mut m, s)).collect();
    assert_eq!(first, second, "the same seeds draw the same labels");
    let distinct: std::collections::HashSet<&String> = first.iter().collect();
    assert!(distinct.len() >= 2, "forty seeds drew one label: {first:?}");
    assert!(first
        .iter()
        .all(|l| ["A", "B", "C", "D"].contains(&l.as_str())));
}

#[test]
fn a_bad_label_request_is_named() {
    let mut m = model();
    let e = m
        .chat_completion(
            &request(QUESTIONS[0], json!({"answer_mode": "labels"})),
            &mut || false,
        )
        .unwrap_err();
    assert!(e.to_string().contains("answer_labels"), "{e}");
    let e = m
        .chat_completion(
            &request(QUESTIONS[0], json!({"answer_mode": "vote"})),
            &mut || false,
        )
        .unwrap_err();
    assert!(e.to_string().contains("answer_mode"), "{e}");
}

// ---------------------------------------------------------------- a newcomer's first run

/// `silico field public/examples/immigration.json --model local:models/… --respondents 10 --out
/// X.csv` and nothing else, from the checkout as the README says: every call answered, each
/// record with its distribution over the two profiles, and SmolLM2's preference for "A" visible
/// in the position check.
#[test]
fn a_newcomer_fields_the_immigration_example_with_the_default_settings() {
    let model_file = model_path();
    let relative = model_file
        .strip_prefix(root())
        .map(|p| p.to_path_buf())
        .unwrap_or(model_file.clone());
    let dir = std::env::temp_dir().join(format!("silico-newcomer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("X.csv");
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_silico"))
        .current_dir(root())
        .args(["field", "public/examples/immigration.json", "--model"])
        .arg(format!("local:{}", relative.display()))
        .args(["--respondents", "10", "--out"])
        .arg(&out)
        .output()
        .expect("silico runs");
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("50 of 50 calls settled: 50 answered"),
        "{stdout}"
    );
    eprintln!(
        "newcomer run: 50 calls in {seconds:.1} s ({:.2} s per call, model load included)",
        seconds / 50.0
    );
    let records =
        read_records_jsonl(&std::fs::read_to_string(dir.join("X.records.jsonl")).expect("records"));
    assert_eq!(records.len(), 50);
    let mut first_probability = 0.0;
    for r in &records {
        assert_eq!(r.status, Status::Answered, "{r:?}");
        assert!(matches!(r.item, ItemRef::Task { .. }));
        assert!(
            matches!(r.raw_reply.as_deref(), Some("A" | "B")),
            "the reply is a label: {:?}",
            r.raw_reply
        );
        let d = r
            .distribution
            .as_ref()
            .expect("every record has its distribution");
        assert_eq!(d.probabilities.len(), 2);
        let total: f64 = d.probabilities.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-9, "{d:?}");
        assert!(d.label_mass > 0.0 && d.label_mass <= 1.0, "{d:?}");
        // The answer is one of the two profiles, drawn from that distribution.
        assert!(r.chosen().is_some());
        first_probability += d.probabilities[0].1 / 50.0;
    }
    // Position: SmolLM2 prefers the first profile whatever it describes (the design randomises
    // the profiles, so an unbiased model would give about 0.5 in both measures). The mean
    // probability is the sharp measure (0.62 here, its standard error about 0.01); the answers,
    // drawn at temperature 1 from 50 such distributions, follow it with a binomial's noise
    // (0.60 with these seeds, standard error 0.07), so they are only required to lean the same way.
    let (shares, answered) = chosen_by_position(&records, None);
    eprintln!("first-position share {:.2} of {answered}; mean first-profile probability {first_probability:.2}", shares[0]);
    assert_eq!(answered, 50);
    assert!(first_probability > 0.55, "{first_probability}");
    assert!(shares[0] > 0.5, "{shares:?}");
    // The response table: two rows per task, each with the profile's probability.
    let mut table = csv::Reader::from_path(&out).expect("the response table");
    let probability = table
        .headers()
        .expect("a header")
        .iter()
        .position(|h| h == "probability")
        .expect("a probability column");
    let rows: Vec<csv::StringRecord> = table.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 100);
    assert!(rows.iter().all(|row| row
        .get(probability)
        .is_some_and(|c| c.parse::<f64>().is_ok())));
}

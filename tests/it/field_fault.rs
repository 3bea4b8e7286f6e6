//! Fielding against the project's fault-injecting protocol server (`scripts/fault-server.mjs`),
//! started here on a free high port: a 500-respondent conjoint with 20% injected faults, resumed
//! after a stop; batch files; key hygiene.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::support::cli::silico_with_env as silico;
use serde_json::{json, Value};
use silico::analysis::{amce, ConjointSpec, Formula};
use silico::field::{conjoint_table, level_orders, read_records_jsonl, Status};
use silico::study::{parse_study, Provenance};

/// The utilities the server's respondent uses (linear probability model: AMCE = utility).
fn utilities() -> Value {
    json!({
        "Education": {"None": 0.0, "High school": 0.10, "College": 0.20},
        "Job": {"Cleaner": 0.0, "Teacher": 0.05, "Doctor": 0.15},
        "Origin": {"Aland": 0.0, "Bland": -0.10}
    })
}

fn study_json(tasks: u32) -> Value {
    let levels = |names: &[&str]| -> Value {
        Value::Array(names.iter().map(|n| json!({"name": n})).collect())
    };
    json!({
        "format": "silico-study/1",
        "id": "fault-conjoint",
        "metadata": {"name": "Fault-server conjoint"},
        "survey": {"questions": [
            {"id": "Q1", "text": "How do you feel about immigration?", "answer": {"type": "single_choice", "options": [
                {"code": "pos", "label": "Positive"}, {"code": "neu", "label": "Neutral"}, {"code": "neg", "label": "Negative"}]}}
        ]},
        "conjoint": {
            "attributes": [
                {"name": "Education", "levels": levels(&["None", "High school", "College"])},
                {"name": "Job", "levels": levels(&["Cleaner", "Teacher", "Doctor"])},
                {"name": "Origin", "levels": levels(&["Aland", "Bland"])}
            ],
            "profiles_per_task": 2,
            "tasks_per_respondent": tasks,
            "randomisation": {"attribute_order": "per_respondent", "seed": 11},
            "prompt": "Which immigrant should be admitted?"
        }
    })
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(args: &[&str]) -> Server {
    let port = crate::support::ports::free_port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fault-server.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .args(["--port", &port.to_string()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs scripts/fault-server.mjs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server says it listens");
    assert!(line.contains("listening"), "{line}");
    Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn stats(server: &Server) -> Value {
    let mut response = ureq::get(&format!("{}/stats", server.url))
        .call()
        .expect("stats");
    serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("json")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("silico-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn conjoint_with_faults_resumes_pays_once_and_recovers_the_utilities() {
    let utilities = utilities();
    let server = start_server(&[
        "--faults",
        "0.2",
        "--slow-ms",
        "200",
        "--retry-after",
        "1",
        "--seed",
        "5",
        "--utilities",
        &utilities.to_string(),
    ]);
    let dir = temp_dir("fault");
    let study_path = dir.join("study.json");
    std::fs::write(&study_path, study_json(4).to_string()).expect("study");
    let out = dir.join("responses.csv");
    let base = format!("{}/v1", server.url);
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "field",
            study_path.to_str().unwrap(),
            "--base-url",
            &base,
            "--model",
            "fault-server",
            "--respondents",
            "500",
            "--concurrency",
            "16",
            "--seed",
            "3",
            "--only",
            "conjoint",
            "--backoff-ms",
            "50",
            "--max-attempts",
            "8",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let key = [("SILICO_API_KEY", "sk-test-secret-key-0123456789")];

    // First run: stopped after 600 settled calls, as if the tab were closed.
    let first: Vec<String> = args(&["--stop-after", "600"]);
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let started = Instant::now();
    let (ok, stdout, stderr) = silico(&first, &key);
    assert!(ok, "{stdout}\n{stderr}");
    let first_records = read_records_jsonl(
        &std::fs::read_to_string(dir.join("responses.records.jsonl")).expect("records"),
    );
    assert!(
        first_records.len() >= 600 && first_records.len() < 2000,
        "{}",
        first_records.len()
    );

    // Second run: resumes from the cache, paying only for what is missing.
    let second = args(&[]);
    let second: Vec<&str> = second.iter().map(String::as_str).collect();
    let (ok, stdout, stderr) = silico(&second, &key);
    assert!(ok, "{stdout}\n{stderr}");
    eprintln!(
        "{stdout}(both runs {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let records = read_records_jsonl(
        &std::fs::read_to_string(dir.join("responses.records.jsonl")).expect("records"),
    );
    assert_eq!(records.len(), 2000, "every task has a final record");
    let mut ids: Vec<&str> = records.iter().map(|r| r.custom_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2000, "each task recorded exactly once");
    let answered = records
        .iter()
        .filter(|r| r.status == Status::Answered)
        .count();
    for r in &records {
        match r.status {
            Status::Answered => assert!(r.answer.is_some()),
            _ => assert!(r.reason.as_deref().is_some_and(|s| !s.is_empty()), "{r:?}"),
        }
    }
    let hits = records.iter().filter(|r| r.cache_hit).count();
    let first_answered = first_records
        .iter()
        .filter(|r| r.status == Status::Answered)
        .count();
    assert_eq!(
        hits, first_answered,
        "the second run reused every answer of the first"
    );

    // The server's own count: no request body was answered twice, and what it answered is
    // exactly what we recorded (including the first run's answers, now cache hits).
    let s = stats(&server);
    let items = s["items"].as_array().expect("items");
    let max_answered = items
        .iter()
        .map(|i| i["answered"].as_u64().unwrap_or(0))
        .max();
    assert_eq!(max_answered, Some(1), "an item was paid for twice");
    assert_eq!(s["totals"]["answered"].as_u64(), Some(answered as u64));
    let faults: u64 = s["totals"]["faults"]
        .as_object()
        .expect("faults")
        .values()
        .map(|v| v.as_u64().unwrap_or(0))
        .sum();
    let requests = s["totals"]["requests"].as_u64().unwrap_or(0);
    let rate = faults as f64 / requests as f64;
    assert!((0.15..0.25).contains(&rate), "fault rate {rate}");
    eprintln!("server: {requests} requests, {faults} faults, {answered} answered");

    // The key never appears in anything written.
    for file in std::fs::read_dir(&dir).expect("dir").flatten() {
        let text = std::fs::read_to_string(file.path()).unwrap_or_default();
        assert!(
            !text.contains("sk-test-secret"),
            "{} holds the key",
            file.path().display()
        );
    }

    // AMCEs from the LLM answers recover the utilities within their 95% intervals.
    let study = parse_study(study_json(4).to_string().as_bytes()).expect("study");
    let conjoint = study.conjoint.as_ref().expect("conjoint");
    let table = conjoint_table("llm", conjoint, &records, Provenance::default());
    let mut spec = ConjointSpec::new(
        "chosen",
        "respondent",
        Formula::additive(&["Education", "Job", "Origin"]),
    );
    spec.levels = level_orders(conjoint);
    let estimates = amce(&table, &spec).expect("amce");
    for (feature, levels) in utilities.as_object().expect("object") {
        for (level, u) in levels.as_object().expect("levels") {
            let row = estimates.table.find(feature, level).expect("row");
            let u = u.as_f64().expect("number");
            if u == 0.0 {
                continue;
            }
            let (lo, hi) = (row.lower.expect("lower"), row.upper.expect("upper"));
            eprintln!(
                "{feature} {level}: true {u:+.3}, estimate {:+.3} [{lo:+.3}, {hi:+.3}]",
                row.estimate.unwrap_or(f64::NAN)
            );
            assert!(
                lo <= u && u <= hi,
                "{feature}={level}: {u} outside [{lo}, {hi}]"
            );
        }
    }
    // The CSV the command wrote is that table.
    let csv = std::fs::read_to_string(&out).expect("csv");
    assert!(csv.starts_with("respondent,task,sample,profile,"));
    assert_eq!(csv.lines().count(), 1 + 4000);
}

#[test]
fn a_wrong_key_fails_with_a_reason_that_never_shows_the_key() {
    let server = start_server(&["--require-key", "right-key-000000000000"]);
    let dir = temp_dir("key");
    let study_path = dir.join("study.json");
    std::fs::write(&study_path, study_json(1).to_string()).expect("study");
    let out = dir.join("r.csv");
    let base = format!("{}/v1", server.url);
    let (ok, stdout, stderr) = silico(
        &[
            "field",
            study_path.to_str().unwrap(),
            "--base-url",
            &base,
            "--model",
            "m",
            "--respondents",
            "3",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        &[("OPENAI_API_KEY", "sk-wrong-secret-key-abcdefghijkl")],
    );
    assert!(ok, "{stdout}\n{stderr}");
    assert!(!stdout.contains("sk-wrong") && !stderr.contains("sk-wrong"));
    let records =
        read_records_jsonl(&std::fs::read_to_string(dir.join("r.records.jsonl")).expect("records"));
    assert_eq!(records.len(), 3 + 3, "3 tasks and 3 survey questions");
    for r in &records {
        assert_eq!(r.status, Status::Failed);
        let reason = r.reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains("HTTP 401") && reason.contains("[redacted]"),
            "{reason}"
        );
        assert_eq!(r.attempts, 1, "a rejected key is not retried");
    }
    for file in std::fs::read_dir(&dir).expect("dir").flatten() {
        let text = std::fs::read_to_string(file.path()).unwrap_or_default();
        assert!(
            !text.contains("sk-wrong"),
            "{} holds the key",
            file.path().display()
        );
    }
}

#[test]
fn batch_export_then_import_by_custom_id() {
    let server = start_server(&[]);
    let dir = temp_dir("batch");
    let study_path = dir.join("study.json");
    std::fs::write(&study_path, study_json(2).to_string()).expect("study");
    let requests = dir.join("requests.jsonl");
    let plan_flags = [
        "--model",
        "fault-server",
        "--respondents",
        "5",
        "--seed",
        "9",
        "--logprobs",
    ];
    let mut export = vec!["batch", "export", study_path.to_str().unwrap()];
    export.extend(plan_flags);
    export.extend(["--out", requests.to_str().unwrap()]);
    let (ok, stdout, stderr) = silico(&export, &[("OPENAI_API_KEY", "sk-batch-secret-1234567890")]);
    assert!(ok, "{stdout}\n{stderr}");
    let text = std::fs::read_to_string(&requests).expect("requests");
    assert!(!text.contains("sk-batch"));
    // Play the Batch API: send each body, write the result lines in a shuffled order.
    let mut results: Vec<String> = Vec::new();
    for line in text.lines() {
        let request: Value = serde_json::from_str(line).expect("json line");
        assert_eq!(request["url"], "/v1/chat/completions");
        let mut response = ureq::post(&format!("{}/v1/chat/completions", server.url))
            .send(request["body"].to_string())
            .expect("reply");
        let body: Value =
            serde_json::from_str(&response.body_mut().read_to_string().expect("body"))
                .expect("json");
        results.push(
            json!({"id": "batch_req_1", "custom_id": request["custom_id"],
                   "response": {"status_code": 200, "request_id": "r", "body": body}, "error": null})
            .to_string(),
        );
    }
    assert_eq!(results.len(), 5 * 2 + 5, "10 tasks and 5 survey questions");
    results.reverse();
    let result_path = dir.join("results.jsonl");
    std::fs::write(&result_path, results.join("\n")).expect("results");
    let out = dir.join("imported.csv");
    let mut import = vec!["batch", "import", study_path.to_str().unwrap()];
    import.extend(plan_flags);
    import.extend([
        result_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (ok, stdout, stderr) = silico(&import, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let records = read_records_jsonl(
        &std::fs::read_to_string(dir.join("imported.records.jsonl")).expect("records"),
    );
    assert_eq!(records.len(), 15);
    assert!(records
        .iter()
        .all(|r| r.status == Status::Answered && r.distribution.is_some()));
    // Anthropic's request file carries the browser header's counterpart nowhere (no headers at
    // all) and one entry per call.
    let anthropic = dir.join("anthropic.json");
    let mut export = vec![
        "batch",
        "export",
        study_path.to_str().unwrap(),
        "--provider",
        "anthropic",
    ];
    export.extend(plan_flags);
    export.extend(["--out", anthropic.to_str().unwrap()]);
    let (ok, stdout, stderr) = silico(&export, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(&anthropic).expect("file")).expect("json");
    assert_eq!(file["requests"].as_array().map(Vec::len), Some(15));
    assert!(file["requests"][0]["params"]["max_tokens"].is_u64());
}

/// A survey with every question type, a consent branch, an even block randomiser, a display
/// condition and piping, fielded by the command-line tool against the protocol server with
/// faults, stopped part-way and resumed: every type is asked and read, no hidden question is
/// asked, no placeholder reaches the server, and no request is paid for twice.
#[test]
fn a_survey_with_logic_fields_through_the_cli_resumes_and_asks_no_hidden_question() {
    let server = start_server(&[
        "--faults",
        "0.2",
        "--slow-ms",
        "100",
        "--retry-after",
        "1",
        "--seed",
        "7",
    ]);
    let dir = temp_dir("survey-logic");
    let study = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/survey-logic.json");
    let out = dir.join("survey.csv");
    let base = format!("{}/v1", server.url);
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "field",
            study.to_str().unwrap(),
            "--base-url",
            &base,
            "--model",
            "fault-server",
            "--respondents",
            "40",
            "--concurrency",
            "8",
            "--backoff-ms",
            "50",
            "--max-attempts",
            "10",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let first = args(&["--stop-after", "120"]);
    let (ok, stdout, stderr) = silico(&first.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let second = args(&[]);
    let (ok, stdout, stderr) = silico(&second.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("not shown"), "{stdout}");

    let records = read_records_jsonl(
        &std::fs::read_to_string(dir.join("survey.records.jsonl")).expect("records"),
    );
    let mut ids: Vec<&str> = records.iter().map(|r| r.custom_id.as_str()).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "each call recorded once");
    let question = |r: &silico::field::CallRecord| match &r.item {
        silico::field::ItemRef::Question { id, .. } => id.clone(),
        other => panic!("{other:?}"),
    };
    let consent: std::collections::HashMap<u32, Option<String>> = records
        .iter()
        .filter(|r| question(r) == "consent")
        .map(|r| (r.respondent, r.answer.clone()))
        .collect();
    assert_eq!(consent.len(), 40, "everyone is asked for consent");
    for r in &records {
        let said_yes = consent.get(&r.respondent).cloned().flatten().as_deref() == Some("1");
        assert!(
            question(r) == "consent" || said_yes,
            "respondent {} did not consent but was asked {}",
            r.respondent,
            question(r)
        );
        let text: String = r.messages.iter().map(|m| m.content.as_str()).collect();
        assert!(
            !text.contains("{{"),
            "a placeholder reached the model: {text}"
        );
        if question(r) == "dog_follow" {
            let pets = records
                .iter()
                .find(|p| p.respondent == r.respondent && question(p) == "pets")
                .and_then(|p| p.answer.clone())
                .unwrap_or_default();
            assert!(
                pets.split(';').any(|c| c == "dog"),
                "the follow-up needs a dog: {pets}"
            );
        }
    }
    // Every type is asked and read (faults aside, each question has answered calls).
    for q in [
        "consent", "pets", "rank", "battery", "peritem", "happy", "sliders", "budget", "region",
        "age", "why",
    ] {
        let answered = records
            .iter()
            .filter(|r| question(r) == q && r.status == Status::Answered)
            .count();
        assert!(answered > 0, "{q} was never answered");
        if let Some(r) = records
            .iter()
            .find(|r| question(r) == q && r.status == Status::Unparsed)
        {
            panic!(
                "{q}: the protocol server's reply did not parse: {:?} {:?}",
                r.reason, r.raw_reply
            );
        }
    }
    // Each consenting respondent saw exactly one condition block.
    for (respondent, answer) in &consent {
        let blocks = records
            .iter()
            .filter(|r| r.respondent == *respondent && question(r).starts_with("cond_"))
            .count();
        let expected = usize::from(answer.as_deref() == Some("1"));
        assert_eq!(blocks, expected, "respondent {respondent}");
    }
    // The survey table keeps hidden questions as not_shown rows.
    let table = std::fs::read_to_string(&out).expect("table");
    assert!(
        table
            .lines()
            .next()
            .unwrap_or("")
            .starts_with("respondent,question,item,"),
        "{table}"
    );
    assert!(table.contains(",not_shown,"));
    // The server never answered one request twice.
    let s = stats(&server);
    let max_answered = s["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["answered"].as_u64().unwrap_or(0))
        .max();
    assert_eq!(max_answered, Some(1), "an item was paid for twice");
}

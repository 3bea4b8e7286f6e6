//! Fielding to a real small model: SmolLM2-135M-Instruct behind llama-cpp-python's
//! OpenAI-compatible server, built and started by `scripts/llm-server.sh` (cached under
//! ~/.cache/silico). Skips with a notice only when the server cannot be built on this machine.

use crate::support::llm_server;

use std::process::Command;

use serde_json::{json, Value};
use silico::field::debias::{by_position, permutation_average};
use silico::field::{read_records_jsonl, ItemRef, Status};

fn study() -> Value {
    let mut study = llm_server::small_survey("llm-small", "Small survey for SmolLM2");
    study["conjoint"] = json!({
        "attributes": [
            {"name": "Price", "levels": [{"name": "$10"}, {"name": "$20"}]},
            {"name": "Colour", "levels": [{"name": "Red"}, {"name": "Blue"}]}
        ],
        "profiles_per_task": 2,
        "tasks_per_respondent": 2,
        "randomisation": {"seed": 4}
    });
    study
}

#[test]
fn real_model_shows_position_bias_that_permutation_averaging_removes() {
    let Some((_server, url)) = llm_server::start() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("silico-llm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let study_path = dir.join("study.json");
    std::fs::write(&study_path, study().to_string()).expect("study");
    let out = dir.join("answers.csv");
    // 4 options, 4 rotated samples: each option shown once in each position per respondent.
    let output = Command::new(env!("CARGO_BIN_EXE_silico"))
        .args([
            "field",
            study_path.to_str().unwrap(),
            "--base-url",
            &url,
            "--model",
            "smollm2-135m",
            "--respondents",
            "3",
            "--samples",
            "4",
            "--order",
            "rotate",
            "--logprobs",
            "--top-logprobs",
            "10",
            "--temperature",
            "0",
            "--max-tokens",
            "4",
            "--seed",
            "1",
            "--concurrency",
            "1",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .expect("silico runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{stdout}");
    let records = read_records_jsonl(
        &std::fs::read_to_string(dir.join("answers.records.jsonl")).expect("records"),
    );
    assert_eq!(
        records.len(),
        3 * 2 * 4 + 3 * 2 * 4,
        "survey + conjoint calls"
    );
    for r in &records {
        assert_ne!(r.status, Status::Failed, "{r:?}");
        assert!(r.raw_reply.is_some() && r.tokens_in.is_some() && r.latency_ms.is_some());
        assert_eq!(r.model, "smollm2-135m");
        assert!(r
            .first_token_logprobs
            .as_ref()
            .is_some_and(|t| !t.is_empty()));
    }
    // Survey replies start with the label, so their first token carries a distribution over the
    // labels. (Conjoint replies start with "Profile": no distribution, and the record says so by
    // having none, while the text answer is still read.)
    for r in records
        .iter()
        .filter(|r| matches!(r.item, ItemRef::Question { .. }))
    {
        let d = r
            .distribution
            .as_ref()
            .expect("a first-token distribution over the labels");
        let sum: f64 = d.probabilities.iter().map(|(_, p)| p).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
    assert!(records
        .iter()
        .filter(|r| matches!(r.item, ItemRef::Task { .. }))
        .all(|r| r.status != Status::Answered || r.chosen().is_some()));

    // Position bias in the sampled answers: the first option shown is chosen far more than 1/k.
    let survey: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.item, ItemRef::Question { .. }))
        .collect();
    let firsts = survey
        .iter()
        .filter(|r| r.chosen().is_some_and(|o| o.code == r.shown[0].code))
        .count();
    let share = firsts as f64 / survey.len() as f64;
    eprintln!(
        "chose the first option shown in {firsts} of {} survey calls",
        survey.len()
    );
    assert!(share > 0.25 + 0.15, "first-position share {share}");

    // In the first-token distributions: by position vs. by option after averaging over the
    // rotations (every option shown once in every position).
    let (mut raw, mut left, mut first) = (0.0f64, 0.0f64, 0.0);
    for question in ["fruit", "season"] {
        let positions = by_position(&records, question);
        let averaged = permutation_average(&records, question);
        let k = positions.len() as f64;
        eprintln!(
            "{question}: mean probability by position {positions:.3?}; by option after averaging {averaged:.3?}"
        );
        first += positions[0] / 2.0;
        raw = positions
            .iter()
            .map(|p| (p - 1.0 / k).abs())
            .fold(raw, f64::max);
        left = averaged
            .values()
            .map(|p| (p - 1.0 / k).abs())
            .fold(left, f64::max);
    }
    assert!(
        first > 0.25,
        "the first position is not favoured: {first:.3}"
    );
    assert!(
        left < raw / 2.0,
        "averaging left {left:.3} of a {raw:.3} position bias"
    );
}

//! The worker's jobs, run natively: the page's default model on the bundled example reproduces the
//! reference results, and malformed jobs are answered, not dropped.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use silico::jobs::{default_request, run, run_json, Estimator, Job, Reply};
use silico::study::parse_study;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `feature,level,estimate,std_error,…` rows of an oracle file, keyed by feature and level.
fn oracle(name: &str) -> Vec<(String, String, f64, Option<f64>)> {
    let text = std::fs::read_to_string(repo(&format!("../shared/data/{name}"))).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].parse().unwrap(),
                r[3].parse().ok(),
            )
        })
        .collect()
}

fn example_reply(estimator: Estimator) -> silico::jobs::EstimateReply {
    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let request = default_request(&study.results[0], study.conjoint.as_ref(), estimator);
    assert_eq!(request.outcome, "ChosenImmigrant");
    assert_eq!(request.id.as_deref(), Some("CaseID"));
    // Through JSON, exactly as the page sends it to the worker.
    let reply = run_json(&serde_json::to_string(&Job::Estimate(request)).unwrap());
    match serde_json::from_str::<Reply>(&reply).unwrap() {
        Reply::Estimates(estimates) => estimates,
        Reply::Failed { message } => panic!("estimation failed: {message}"),
    }
}

fn assert_matches_oracle(reply: &silico::jobs::EstimateReply, oracle_file: &str) {
    let expected = oracle(oracle_file);
    assert_eq!(reply.rows.len(), expected.len());
    for (feature, level, estimate, std_error) in expected {
        let row = reply
            .rows
            .iter()
            .find(|r| r.feature == feature && r.level == level)
            .unwrap_or_else(|| panic!("no row for {feature}:{level}"));
        assert!(
            (row.estimate.unwrap() - estimate).abs() < 1e-8,
            "{feature}:{level}"
        );
        match (row.std_error, std_error) {
            (Some(ours), Some(theirs)) => {
                assert!((ours - theirs).abs() < 1e-8, "SE {feature}:{level}")
            }
            (None, None) => {}
            other => panic!("{feature}:{level}: SE {other:?}"),
        }
    }
}

#[test]
fn the_default_amce_on_the_example_is_the_additive_oracle() {
    let reply = example_reply(Estimator::Amce);
    assert_eq!((reply.n_rows, reply.n_respondents), (13_960, 1_396));
    assert_matches_oracle(&reply, "oracle_immigration_amce_additive.csv");
    assert!(reply
        .csv
        .starts_with("feature,level,estimate,std_error,z,p,lower,upper\n"));
}

#[test]
fn the_default_marginal_means_on_the_example_are_the_oracle() {
    assert_matches_oracle(
        &example_reply(Estimator::MarginalMeans),
        "oracle_immigration_mm.csv",
    );
}

#[test]
fn bad_jobs_are_answered_with_a_reason() {
    let reply: Reply = serde_json::from_str(&run_json("{\"job\": \"nonsense\"}")).unwrap();
    assert!(
        matches!(reply, Reply::Failed { ref message } if message.contains("malformed job")),
        "{reply:?}"
    );

    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let mut request = default_request(&study.results[0], study.conjoint.as_ref(), Estimator::Amce);
    request.outcome = "NoSuchColumn".into();
    match run(Job::Estimate(request)) {
        Reply::Failed { message } => assert!(message.contains("NoSuchColumn"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}

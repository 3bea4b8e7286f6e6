//! The worker's jobs, run natively: the page's default model on the bundled example reproduces the
//! reference results, and malformed jobs are answered, not dropped.

use crate::support::repo;
use silico::analysis::Estimand as Estimator;
use silico::jobs::{
    answer, call, default_request, Diagnose, ExportDesignRequest, FromWorker, Generate, Generated,
    Job, PreviewReply, PreviewRequest, SimulatePowerRequest,
};
use silico::study::parse_study;

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
    match call(request) {
        Ok(estimates) => estimates,
        Err(other) => panic!("estimation failed: {other:?}"),
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
    let reply = answer("{\"kind\": \"run\", \"id\": 7, \"job\": {\"job\": \"nonsense\"}}");
    assert!(
        matches!(reply, Some(FromWorker::Failed { id: 7, ref error }) if error.message.contains("malformed job")),
        "{reply:?}"
    );

    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let mut request = default_request(&study.results[0], study.conjoint.as_ref(), Estimator::Amce);
    request.outcome = "NoSuchColumn".into();
    match call(request) {
        Err(silico::jobs::JobError { message, .. }) => {
            assert!(message.contains("NoSuchColumn"), "{message}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn example_conjoint() -> (silico::study::Study, silico::study::Conjoint) {
    let mut study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    study.results.clear();
    let conjoint = study.conjoint.clone().unwrap();
    (study, conjoint)
}

#[test]
fn design_diagnostics_keep_restricted_cells_empty() {
    let (_, conjoint) = example_conjoint();
    let request = silico::jobs::DesignRequest {
        conjoint,
        respondents: 500,
        seed: 2014,
    };
    match call(Diagnose(request)) {
        Ok(d) => {
            assert_eq!(d.respondents, 500);
            assert_eq!(d.profiles, 500 * 5 * 2);
            assert!(!d.restricted.is_empty());
            assert!(
                d.restricted.iter().all(|r| r.count == 0),
                "{:?}",
                d.restricted
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_preview_shows_a_respondents_tasks_as_designed() {
    let (study, conjoint) = example_conjoint();
    let reply = call(PreviewRequest {
        study: Box::new(study.clone()),
        respondent: 3,
        seed: 2014,
    });
    let Ok(PreviewReply { tasks, survey }) = reply else {
        panic!("{reply:?}")
    };
    assert!(survey.is_empty(), "the example has no survey questions");
    assert_eq!(tasks.len(), 5);
    let design = silico::design::generate(&conjoint, 3, 2014).unwrap();
    let third: Vec<_> = design.iter().filter(|t| t.respondent == 3).collect();
    for (shown, designed) in tasks.iter().zip(third) {
        let first = designed.attribute_order[0] as usize;
        assert_eq!(shown.attributes[0], conjoint.attributes[first].name);
        let level = designed.profiles[1][first] as usize;
        assert_eq!(
            shown.profiles[1][0],
            conjoint.attributes[first].levels[level].name
        );
        assert!(
            shown.prompt.contains(&shown.profiles[1][0]),
            "{}",
            shown.prompt
        );
    }
}

#[test]
fn the_exported_design_is_the_cli_design() {
    let (_, conjoint) = example_conjoint();
    let request = silico::jobs::DesignRequest {
        conjoint: conjoint.clone(),
        respondents: 20,
        seed: 7,
    };
    let Ok(text) = call(ExportDesignRequest {
        request,
        format: silico::jobs::DesignFormat::Long,
    }) else {
        panic!("expected text")
    };
    assert!(text.starts_with("respondent,task,profile,attribute,level,position\n"));
    let tasks = silico::design::generate(&conjoint, 20, 7).unwrap();
    assert_eq!(text, silico::design::long_csv(&conjoint, &tasks).unwrap());
}

#[test]
fn impossible_designs_fail_with_the_reason() {
    let (_, mut conjoint) = example_conjoint();
    conjoint.attributes[0]
        .levels
        .iter_mut()
        .for_each(|l| l.weight = 0.0);
    let request = silico::jobs::DesignRequest {
        conjoint,
        respondents: 5,
        seed: 1,
    };
    match call(Diagnose(request)) {
        Err(silico::jobs::JobError { message, .. }) => {
            assert!(message.contains("Gender"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn power_grows_with_respondents_in_the_simulated_curve() {
    let (_, conjoint) = example_conjoint();
    let simulation = silico::design::PowerSimulation {
        attribute: "Gender".into(),
        level: "Male".into(),
        amce: 0.05,
        respondents: vec![50, 800],
        replications: 40,
        alpha: 0.05,
    };
    let request = silico::jobs::DesignRequest {
        conjoint,
        respondents: 800,
        seed: 3,
    };
    let Ok(points) = call(SimulatePowerRequest {
        request,
        simulation,
    }) else {
        panic!("expected a power curve")
    };
    assert_eq!(points.len(), 2);
    assert!(points[0].power < points[1].power, "{points:?}");
    assert!(
        points[1].power > 0.8,
        "800 respondents × 10 profiles detect a 0.05 AMCE on a binary attribute: {points:?}"
    );
}

#[test]
fn generate_reports_the_design_size() {
    let (_, conjoint) = example_conjoint();
    let request = silico::jobs::DesignRequest {
        conjoint,
        respondents: 30,
        seed: 1,
    };
    match call(Generate(request)) {
        Ok(Generated { tasks, profiles }) => assert_eq!((tasks, profiles), (150, 300)),
        other => panic!("{other:?}"),
    }
}

fn example_request(estimator: Estimator) -> silico::jobs::EstimateRequest {
    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    default_request(&study.results[0], study.conjoint.as_ref(), estimator)
}

fn estimates(request: silico::jobs::EstimateRequest) -> silico::jobs::EstimateReply {
    match call(request) {
        Ok(estimates) => estimates,
        Err(other) => panic!("estimation failed: {other:?}"),
    }
}

#[test]
fn subgroup_amces_come_with_differences_and_a_two_panel_plot() {
    let mut request = example_request(Estimator::Amce);
    request.by = Some("contest_no".into());
    let reply = estimates(request);
    assert_eq!(reply.by.as_deref(), Some("contest_no"));
    let groups: std::collections::BTreeSet<_> =
        reply.rows.iter().filter_map(|r| r.group.clone()).collect();
    assert_eq!(groups.len(), 5, "{groups:?}");
    assert_eq!(reply.rows.len(), 5 * 50);
    assert!(reply.csv.starts_with("BY,feature,level,"));
    assert_eq!(reply.differences.len(), 4 * 50);
    assert_eq!(reply.differences[0].group.as_deref(), Some("2 - 1"));
    assert!(reply.differences_csv.contains("2 - 1"));
    let figure = reply.figure().unwrap();
    assert_eq!(figure.panels.len(), 2);
    assert_eq!(figure.panels[0].series.len(), 5);
    assert_eq!(figure.panels[1].reference, Some(0.0));
}

#[test]
fn constrained_subgroups_keep_their_estimates_without_differences() {
    let mut request = example_request(Estimator::Amce);
    request.formula = "Gender + Education*Job".into();
    request.by = Some("contest_no".into());
    let reply = estimates(request);
    assert!(!reply.rows.is_empty());
    assert!(reply.differences.is_empty());
    assert!(
        reply
            .warnings
            .iter()
            .any(|w| w.contains("no differences between groups")),
        "{:?}",
        reply.warnings
    );
    assert_eq!(reply.figure().unwrap().panels.len(), 1);
}

#[test]
fn a_chosen_baseline_and_weights_reach_the_estimates() {
    let mut request = example_request(Estimator::Amce);
    // Make "Male" Gender's baseline: Female's AMCE is then minus the default Male AMCE.
    for (feature, order) in &mut request.level_orders {
        if feature == "Gender" {
            order.retain(|l| l != "Male");
            order.insert(0, "Male".into());
        }
    }
    let reply = estimates(request.clone());
    let female = reply.rows.iter().find(|r| r.level == "Female").unwrap();
    assert!((female.estimate.unwrap() - 0.02497843476).abs() < 1e-8);
    let male = reply.rows.iter().find(|r| r.level == "Male").unwrap();
    assert_eq!((male.estimate, male.std_error), (Some(0.0), None));

    request.weights = Some("NoSuchWeights".into());
    match call(request) {
        Err(silico::jobs::JobError { message, .. }) => {
            assert!(message.contains("NoSuchWeights"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_marginal_means_plot_has_its_line_at_the_null_and_old_requests_still_parse() {
    let reply = estimates(example_request(Estimator::MarginalMeans));
    let figure = reply.figure().unwrap();
    assert_eq!(figure.panels[0].reference, Some(0.5));
    // A job written before subgroups existed (no "by") is still understood.
    let mut json: serde_json::Value =
        serde_json::to_value(Job::Estimate(example_request(Estimator::Amce))).unwrap();
    json.as_object_mut().unwrap().remove("by");
    let job: Job = serde_json::from_value(json).unwrap();
    assert!(matches!(job, Job::Estimate(r) if r.by.is_none()));
}

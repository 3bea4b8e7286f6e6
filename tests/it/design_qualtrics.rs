//! The Qualtrics randomiser, run for real in Node with a stand-in for Qualtrics' embedded-data API:
//! its profiles respect the study's restrictions and groups, and its fields follow the F-t-p-a names.

use std::collections::HashMap;
use std::process::Command;

use crate::support::repo;
use silico::design::qualtrics_randomiser;
use silico::study::parse_study;

/// Runs the randomiser for `respondents` simulated respondents; one map of embedded data each.
fn run_in_node(name: &str, script: &str, respondents: usize) -> Vec<HashMap<String, String>> {
    let harness = format!(
        "const script = {script};\nconst out = [];\nfor (let r = 0; r < {respondents}; r++) {{\n  const fields = {{}};\n  globalThis.Qualtrics = {{ SurveyEngine: {{ addOnload: (f) => f(), setEmbeddedData: (k, v) => {{ fields[k] = v; }} }} }};\n  (0, eval)(script);\n  out.push(fields);\n}}\nprocess.stdout.write(JSON.stringify(out));\n",
        script = serde_json::to_string(script).unwrap()
    );
    let path =
        std::env::temp_dir().join(format!("silico-qualtrics-{}-{name}.js", std::process::id()));
    std::fs::write(&path, harness).unwrap();
    let output = Command::new("node")
        .arg(&path)
        .output()
        .expect("node is installed (scripts/tools.sh)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_randomiser_honours_the_immigration_design() {
    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let conjoint = study.conjoint.clone().unwrap();
    let script = qualtrics_randomiser(&conjoint, &study.metadata.name).unwrap();
    let respondents = run_in_node("immigration", &script, 400);
    let skilled = [
        "Financial Analyst",
        "Computer Programmer",
        "Research Scientist",
        "Doctor",
    ];
    let low_education = ["No Formal", "4th Grade", "8th Grade", "High School"];
    let mut doctors = 0;
    for fields in &respondents {
        assert_eq!(
            fields.len(),
            5 * 9 + 5 * 2 * 9,
            "one name per task row and one level per cell"
        );
        for t in 1..=5 {
            let names: Vec<&str> = (1..=9)
                .map(|k| fields[&format!("F-{t}-{k}")].as_str())
                .collect();
            let job_row = names.iter().position(|n| *n == "Job").unwrap();
            assert_eq!(
                &names[job_row..job_row + 3],
                ["Job", "JobExperience", "JobPlans"],
                "the group stays together"
            );
            for p in 1..=2 {
                let level = |attribute: &str| {
                    let k = names.iter().position(|n| *n == attribute).unwrap() + 1;
                    fields[&format!("F-{t}-{p}-{k}")].clone()
                };
                let (job, education) = (level("Job"), level("Education"));
                assert!(
                    !(skilled.contains(&job.as_str())
                        && low_education.contains(&education.as_str())),
                    "{job} with {education}"
                );
                if level("ReasonForApplication") == "Escape Persecution" {
                    assert!(["China", "Sudan", "Somalia", "Iraq"]
                        .contains(&level("CountryOfOrigin").as_str()));
                }
                doctors += usize::from(job == "Doctor");
            }
        }
    }
    // Doctors are drawn (less often than 1/11, because restricted draws are redrawn), never dropped.
    assert!(doctors > 100, "{doctors} doctors in 4000 profiles");
}

#[test]
fn names_with_quotes_are_escaped_safely() {
    let mut study =
        parse_study(&std::fs::read(repo("tests/fixtures/full-study.json")).unwrap()).unwrap();
    let conjoint = study.conjoint.as_mut().unwrap();
    conjoint.attributes[1].levels[0].name = "A \"quoted\" </script> brand\\".into();
    conjoint.restrictions.clear();
    conjoint.repeated_task = None;
    let script = qualtrics_randomiser(conjoint, "Study \"x\"").unwrap();
    let respondents = run_in_node("quotes", &script, 50);
    let seen = respondents
        .iter()
        .flat_map(|f| f.values())
        .any(|v| v == "A \"quoted\" </script> brand\\");
    assert!(
        seen,
        "the odd level name arrives intact: {:?}",
        respondents.first()
    );
}

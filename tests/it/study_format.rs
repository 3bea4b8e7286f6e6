//! The study file format: round trips, every kind of malformed file, and validation with paths.

use crate::support::repo;
use proptest::prelude::*;
use silico::study::*;

fn fixture() -> Vec<u8> {
    std::fs::read(repo("tests/fixtures/full-study.json")).expect("fixture present")
}

fn problems_of(json: &str) -> Vec<String> {
    match parse_study(json.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

/// Applies an edit to the full fixture and returns the problems found.
fn problems_after(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<String> {
    let mut value: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    edit(&mut value);
    problems_of(&value.to_string())
}

#[test]
fn full_fixture_is_valid_and_round_trips() {
    let study = parse_study(&fixture()).expect("fixture is valid");
    assert_eq!(study.survey.questions.len(), 8);
    assert_eq!(study.conjoint.as_ref().unwrap().attributes.len(), 3);
    let written = write_study(&study);
    let again = parse_study(written.as_bytes()).expect("written study parses");
    assert_eq!(study, again);
    assert_eq!(written, write_study(&again), "writing is deterministic");
}

#[test]
fn missing_values_and_the_level_none_survive_a_round_trip() {
    let study = parse_study(&fixture()).unwrap();
    let table = &study.results[0];
    assert_eq!(
        table.column("age").unwrap().values,
        ColumnValues::Number(vec![Some(34.0), None, Some(0.1)])
    );
    assert_eq!(
        table.column("party").unwrap().values,
        ColumnValues::Text(vec![Some("D".into()), None, Some("None".into())])
    );
}

#[test]
fn the_issue_example_path_is_reported_exactly() {
    let problems = problems_after(|v| {
        v["conjoint"]["attributes"][2]["levels"][0]["name"] = "".into();
    });
    assert_eq!(
        problems,
        vec!["conjoint.attributes[2].levels[0]: empty name"]
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let problems = problems_after(|v| {
        v["metadata"]["name"] = " ".into();
        v["conjoint"]["attributes"][1]["levels"][1]["name"] = "A".into();
        v["conjoint"]["attributes"][0]["levels"][0]["weight"] = (-1.0).into();
        v["conjoint"]["restrictions"][0]["exclude"][0]["attribute"] = "Brnd".into();
        v["conjoint"]["profiles_per_task"] = 1.into();
        v["survey"]["questions"][1]["display_if"]["question"] = "grid".into();
        v["fielding"]["endpoints"][0]["headers"][0]["name"] = "Authorization".into();
        v["results"][0]["columns"][1]["values"]["number"] = serde_json::json!([1.0]);
    });
    let expected = [
        "metadata.name: empty name",
        "conjoint.attributes[1].levels[1]: name \"A\" repeats entry [0]",
        "conjoint.attributes[0].levels[0].weight: weight must be a positive number, got -1",
        "conjoint.restrictions[0].exclude[0].attribute: no attribute named \"Brnd\"",
        "conjoint.profiles_per_task: a task needs at least 2 profiles",
        "survey.questions[1].display_if.question: \"grid\" is not asked before this question",
        "fielding.endpoints[0].headers[0]: \"Authorization\" carries a credential",
        "results[0].columns[1].values: 1 values; the table's first column has 3",
    ];
    for want in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(want)),
            "missing {want:?} in {problems:#?}"
        );
    }
}

#[test]
fn unknown_fields_are_rejected_with_their_path() {
    let problems = problems_after(|v| {
        v["metadata"]["nmae"] = "typo".into();
    });
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("metadata.nmae: unknown field `nmae`, expected one of"),
        "{problems:?}"
    );
    let nested = problems_after(|v| {
        v["conjoint"]["attributes"][1]["levels"][2]["wieght"] = 2.0.into();
    });
    assert!(
        nested[0].starts_with("conjoint.attributes[1].levels[2].wieght: unknown field `wieght`"),
        "{nested:?}"
    );
}

#[test]
fn wrong_types_are_reported_with_their_path() {
    let problems = problems_after(|v| {
        v["conjoint"]["tasks_per_respondent"] = "five".into();
    });
    assert!(
        problems[0].starts_with("conjoint.tasks_per_respondent: invalid type: string \"five\""),
        "{problems:?}"
    );
}

#[test]
fn api_keys_cannot_be_stored() {
    let problems = problems_after(|v| {
        v["fielding"]["endpoints"][0]["api_key"] = "sk-secret".into();
    });
    assert!(
        problems[0].contains("unknown field `api_key`"),
        "{problems:?}"
    );
    let in_url = problems_after(|v| {
        v["fielding"]["endpoints"][0]["base_url"] = "https://x.example/v1?key=sk-secret".into();
    });
    assert!(in_url[0].contains("carries a key"), "{in_url:?}");
}

#[test]
fn malformed_files_get_clear_errors() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "the file is empty"),
        (b"   \n".to_vec(), "the file is empty"),
        (
            b"{\"format\": \"silico-study/1\",".to_vec(),
            "not valid JSON",
        ),
        (b"\x89PNG\r\n\x1a\n\0\0\0".to_vec(), "not UTF-8 text"),
        (b"id,name\n1,x\n".to_vec(), "not valid JSON"),
        (b"[1, 2]".to_vec(), "top level is not a JSON object"),
        (b"{\"id\": \"x\"}".to_vec(), "no \"format\" field"),
        (
            b"{\"format\": 1}".to_vec(),
            "\"format\" field is not a string",
        ),
        (
            b"{\"format\": \"other-tool/1\"}".to_vec(),
            "expected \"silico-study/1\"",
        ),
        (
            b"{\"format\": \"silico-study/0\"}".to_vec(),
            "never released",
        ),
    ];
    for (bytes, expected) in cases {
        let error = parse_study(&bytes).expect_err("malformed input is refused");
        assert!(
            error.to_string().contains(expected),
            "{:?}: got {error}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn json_errors_say_where() {
    let error = parse_study(b"{\n  \"format\": \"silico-study/1\",\n  \"id\": x\n}").unwrap_err();
    match &error {
        StudyError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 9)),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    assert_eq!(error.problems()[0].path, "line 3, column 9");
}

#[test]
fn a_study_from_a_future_version_is_refused_by_name() {
    let mut value: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    value["format"] = "silico-study/2".into();
    let error = parse_study(value.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        error,
        StudyError::FutureVersion {
            found: "silico-study/2".into(),
            supported: "silico-study/1".into()
        }
    );
    assert!(error
        .to_string()
        .contains("newer than this version of silico"));
}

#[test]
fn files_over_the_limit_are_refused_before_parsing() {
    let mut big = b"{\"format\": \"silico-study/1\", \"pad\": \"".to_vec();
    big.resize(50 * 1024 * 1024, b'x');
    let error = parse_study(&big).unwrap_err();
    assert!(matches!(error, StudyError::TooLarge { .. }), "{error:?}");
    assert!(error.to_string().contains("50.0 MB"), "{error}");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(fixture());
    assert!(parse_study(&bytes).is_ok());
}

#[test]
fn the_served_schema_is_current() {
    let served = std::fs::read_to_string(repo("public/schema/study-1.json"))
        .expect("public/schema/study-1.json exists (regenerate with `silico schema`)");
    assert_eq!(
        served,
        study_schema_json(),
        "public/schema/study-1.json is stale: run `cargo run --bin silico -- schema > public/schema/study-1.json`"
    );
}

#[test]
fn the_schema_describes_the_format() {
    let schema: serde_json::Value = serde_json::from_str(&study_schema_json()).unwrap();
    assert_eq!(schema["type"], "object");
    let required = schema["required"].as_array().unwrap();
    for field in ["format", "id", "metadata"] {
        assert!(required.contains(&field.into()), "{field} is required");
    }
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown fields are refused"
    );
}

fn arb_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,.'()-]{0,12}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn arb_study() -> impl Strategy<Value = Study> {
    let attribute = (
        arb_name(),
        prop::collection::btree_set(arb_name(), 2..5),
        prop::collection::vec(0.01f64..100.0, 5),
    )
        .prop_map(|(name, levels, weights)| Attribute {
            name,
            levels: levels
                .into_iter()
                .zip(weights)
                .map(|(name, weight)| Level {
                    name,
                    weight,
                    value: None,
                })
                .collect(),
        });
    let attributes = prop::collection::vec(attribute, 1..4).prop_map(|mut attributes| {
        for (i, a) in attributes.iter_mut().enumerate() {
            a.name = format!("{} {i}", a.name);
        }
        attributes
    });
    let table = (
        prop::collection::vec(prop::option::of(-1e12f64..1e12), 0..30),
        prop::collection::vec(prop::option::of("[ -~é✓]{0,8}"), 30),
    )
        .prop_map(|(numbers, texts)| ResponseTable {
            name: "t".into(),
            source: ResponseSource::Simulated,
            provenance: Provenance {
                description: "generated".into(),
                ..Default::default()
            },
            columns: vec![
                Column {
                    name: "x".into(),
                    role: ColumnRole::Outcome,
                    values: ColumnValues::Text(texts[..numbers.len()].to_vec()),
                },
                Column {
                    name: "y".into(),
                    role: ColumnRole::Covariate,
                    values: ColumnValues::Number(numbers),
                },
            ],
        });
    (
        arb_name(),
        "[ -~]{0,40}",
        attributes,
        prop::option::of(table),
        2u32..5,
        1u32..10,
        any::<u64>(),
    )
        .prop_map(
            |(name, description, attributes, table, profiles, tasks, seed)| {
                let mut study = library::new_study("s".into(), &name, "2026-11-26T00:00:00Z");
                study.metadata.description = description;
                study.conjoint = Some(Conjoint {
                    attributes,
                    restrictions: Vec::new(),
                    profiles_per_task: profiles,
                    tasks_per_respondent: tasks,
                    none_option: false,
                    outcome: Outcome::ForcedChoice,
                    randomisation: Randomisation {
                        seed,
                        ..Default::default()
                    },
                    repeated_task: None,
                    prompt: String::new(),
                    tasks: Vec::new(),
                });
                study.results = table.into_iter().collect();
                study
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_valid_study_round_trips_exactly(study in arb_study()) {
        prop_assert!(validate(&study).is_empty(), "{:?}", validate(&study));
        let written = write_study(&study);
        let parsed = parse_study(written.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &study);
        prop_assert_eq!(write_study(&parsed), written);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_study(&bytes);
    }
}

#[test]
fn twin_questions_must_be_questions_of_the_survey() {
    // `fielding.ask_only` lists the questions the twins are asked; each must exist in the survey.
    let problems = problems_after(|v| {
        v["fielding"]["ask_only"] = serde_json::json!(["trust", "trst", "news"]);
    });
    assert_eq!(
        problems,
        vec!["fielding.ask_only[1]: no question with id \"trst\" in the survey"]
    );
    let mut value: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    value["fielding"]["ask_only"] = serde_json::json!(["gone"]);
    let error = parse_study(value.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        error,
        StudyError::Invalid(vec![Problem::new(
            "fielding.ask_only[0]",
            "no question with id \"gone\" in the survey"
        )])
    );
    let known = problems_after(|v| {
        v["fielding"]["ask_only"] = serde_json::json!(["trust", "news"]);
    });
    assert!(known.is_empty(), "{known:?}");
}

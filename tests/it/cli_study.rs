//! `silico validate` and `silico info`, run as a user runs them.

use crate::support::cli::silico_output as silico;
use std::process::Output;

fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("silico-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn validate_accepts_the_bundled_example() {
    let output = silico(&["validate", "public/examples/immigration.json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn validate_prints_one_path_problem_line_per_problem_and_exits_2() {
    let mut value: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/full-study.json"
        ))
        .unwrap(),
    )
    .unwrap();
    value["conjoint"]["attributes"][2]["levels"][0]["name"] = "".into();
    value["conjoint"]["tasks_per_respondent"] = 0.into();
    let path = write_temp("two-problems.json", value.to_string().as_bytes());
    let output = silico(&["validate", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let lines: Vec<String> = stdout(&output).lines().map(String::from).collect();
    assert!(
        lines.contains(&"conjoint.attributes[2].levels[0]: empty name".to_string()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("conjoint.tasks_per_respondent: ")),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| l.contains(": ")), "{lines:?}");
}

#[test]
fn validate_exits_2_on_files_that_are_not_studies() {
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "garbage.json",
            b"\x00\x01\x02 not json",
            "line 1, column 1: the file is not valid JSON: expected value",
        ),
        (
            "future.json",
            br#"{"format": "silico-study/9", "id": "x", "metadata": {"name": "n"}}"#,
            "(file): the study is in format silico-study/9",
        ),
        ("empty.json", b"", "(file): the file is empty"),
        (
            "array.json",
            b"[]",
            "(file): the file is JSON but not a silico study",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = write_temp(name, bytes);
        let output = silico(&["validate", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            stdout(&output).starts_with(expected),
            "{name}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn validate_exits_2_on_a_missing_file() {
    let output = silico(&["validate", "no/such/study.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read no/such/study.json"));
}

#[test]
fn info_prints_name_question_count_and_attributes() {
    let output = silico(&["info", "tests/fixtures/full-study.json"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("name: Every feature of the format"), "{text}");
    assert!(text.contains("questions: 8"), "{text}");
    assert!(text.contains("conjoint attributes: 3"), "{text}");
    assert!(text.contains("  Brand (3 levels): A, B, C"), "{text}");
    let example = stdout(&silico(&["info", "public/examples/immigration.json"]));
    assert!(example.contains("conjoint attributes: 9"), "{example}");
    assert!(
        example.contains("human (Human): 13960 rows × 16 columns"),
        "{example}"
    );
}

#[test]
fn help_explains_each_command() {
    let text = stdout(&silico(&["--help"]));
    for command in ["validate", "info", "schema", "add-table"] {
        assert!(text.contains(command), "--help lists {command}: {text}");
    }
}

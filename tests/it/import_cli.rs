//! `silico import` as a researcher runs it: a Qualtrics conjoint export (built from the real
//! immigration data) in, the long table out, the summary on stderr, exit 2 with one line on bad input.

use crate::support::qualtrics_fixture;

use crate::support::cli::silico_output as silico;
use std::path::PathBuf;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("silico-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(path: &std::path::Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

#[test]
fn a_qualtrics_conjoint_export_becomes_the_long_table() {
    let dir = temp_dir();
    let export = dir.join("qualtrics.csv");
    let respondents = qualtrics_fixture::immigration_respondents();
    std::fs::write(&export, qualtrics_fixture::qualtrics_wide_csv(&respondents)).unwrap();
    let out = dir.join("long.csv");
    let study = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/immigration.design.json");
    let output = silico(&[
        "import",
        path_str(&export),
        "--out",
        path_str(&out),
        "--study",
        path_str(&study),
        "--conjoint-choice",
        "Q{task}",
        "--respondent",
        "CaseID",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("format: csv, Qualtrics export"), "{stderr}");
    assert!(stderr.contains("rows: 1396, columns: 156"), "{stderr}");
    assert!(
        stderr.contains(
            "  RecipientEmail: header \"RecipientEmail\" is Qualtrics' personal-data field"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("conjoint: 1396 respondents, 5 tasks × 2 profiles, 6980 tasks shown, 0 without an answer (kept, outcome missing) → 13960 rows"),
        "{stderr}"
    );
    let long = std::fs::read_to_string(&out).unwrap();
    let mut lines = long.lines();
    assert_eq!(
        lines.next(),
        Some("CaseID,task,profile,Gender,Education,LanguageSkills,CountryOfOrigin,Job,JobExperience,JobPlans,ReasonForApplication,PriorEntry,chosen")
    );
    assert_eq!(lines.clone().count(), 13960);
    let chosen: usize = lines.filter(|l| l.ends_with(",1")).count();
    assert_eq!(chosen, 6980, "one chosen profile per task");
}

#[test]
fn a_qualtrics_conjoint_export_is_recognised_without_flags_as_the_page_recognises_it() {
    let dir = temp_dir();
    let export = dir.join("qualtrics-guessed.csv");
    let respondents = qualtrics_fixture::immigration_respondents();
    std::fs::write(&export, qualtrics_fixture::qualtrics_wide_csv(&respondents)).unwrap();
    let out = dir.join("long-guessed.csv");
    let output = silico(&["import", path_str(&export), "--out", path_str(&out)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The page's guess: the longest run of numbered columns (Q1…Q5) holds the choices.
    assert!(
        stderr.contains("detected a Qualtrics conjoint export: choices read from Q{task}"),
        "{stderr}"
    );
    assert!(
        stderr.contains("conjoint: 1396 respondents, 5 tasks × 2 profiles, 6980 tasks shown"),
        "{stderr}"
    );
    let mut long = csv::Reader::from_path(&out).expect("the long table reads");
    let names: Vec<String> = long
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    let chosen = names
        .iter()
        .position(|c| c == "chosen")
        .expect("a chosen column");
    assert!(
        !names.iter().any(|c| c.starts_with("F-1-1")),
        "design fields are not covariates: {names:?}"
    );
    assert!(
        !names.iter().any(|c| c == "RecipientEmail"),
        "personal data is left out unless kept: {names:?}"
    );
    let rows: Vec<csv::StringRecord> = long.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 13960);
    assert_eq!(rows.iter().filter(|r| &r[chosen] == "1").count(), 6980);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = temp_dir();
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let out = dir.join("never.csv");
    let output = silico(&["import", path_str(&empty), "--out", path_str(&out)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        format!("error: {}: the file is empty", empty.display())
    );

    let plain = dir.join("plain.csv");
    std::fs::write(&plain, b"id,answer\n1,yes\n").unwrap();
    let output = silico(&[
        "import",
        path_str(&plain),
        "--out",
        path_str(&out),
        "--conjoint-choice",
        "Q1",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        format!("error: {}: the choice pattern \"Q1\" has no {{task}} in it (e.g. Q{{task}} for columns Q1, Q2, …)", plain.display())
    );
    assert!(!out.exists());
}

#[test]
fn with_a_survey_study_the_column_matches_are_shown() {
    let dir = temp_dir();
    let study = dir.join("survey.json");
    let json = serde_json::json!({
        "format": "silico-study/1",
        "id": "parties",
        "metadata": {"name": "Parties"},
        "survey": {"questions": [
            {"id": "party", "text": "Which party do you feel closest to?",
             "answer": {"type": "single_choice", "options": [
                {"code": "D", "label": "Democrat"}, {"code": "R", "label": "Republican"}]}},
            {"id": "age", "text": "How old are you?", "answer": {"type": "numeric", "min": 18}}
        ]}
    });
    std::fs::write(&study, json.to_string()).unwrap();
    let data = dir.join("parties.tsv");
    std::fs::write(
        &data,
        b"id\tParty\tnote\n1\tDemocrat\tx\n2\tWhig\ty\n3\t\tz\n",
    )
    .unwrap();
    let out = dir.join("parties-out.csv");
    let output = silico(&[
        "import",
        path_str(&data),
        "--out",
        path_str(&out),
        "--study",
        path_str(&study),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("format: tsv"), "{stderr}");
    assert!(
        stderr.contains("  party ← Party (by name): 1 answered, 1 missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 cells (\"Whig\" ×1) are not answers party knows"),
        "{stderr}"
    );
    assert!(stderr.contains("  no column for: age"), "{stderr}");
    // With a survey study the export is mapped onto it: the long table, answers recoded to the
    // question's codes (an unknown label and a blank cell stay empty).
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,question,answer\n1,party,D\n2,party,\n3,party,\n",
        "the table is mapped onto the study's questions"
    );
}

#[test]
fn help_lists_import_and_its_options() {
    let top = String::from_utf8_lossy(&silico(&["--help"]).stdout).into_owned();
    assert!(top.contains("import "), "{top}");
    let help = String::from_utf8_lossy(&silico(&["import", "--help"]).stdout).into_owned();
    for option in [
        "--conjoint-choice",
        "--study",
        "--sheet",
        "--delimiter",
        "--out",
    ] {
        assert!(help.contains(option), "{help}");
    }
}

#[test]
fn an_excel_sheet_is_chosen_by_name() {
    let dir = temp_dir();
    let book = dir.join("book.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let first = workbook.add_worksheet();
    first.write_string(0, 0, "notes").unwrap();
    first.write_string(1, 0, "see the second sheet").unwrap();
    let data = workbook.add_worksheet();
    data.set_name("Responses").unwrap();
    data.write_string(0, 0, "id").unwrap();
    data.write_string(0, 1, "RecipientEmail").unwrap();
    data.write_number(1, 0, 7.0).unwrap();
    data.write_string(1, 1, "a@b.example").unwrap();
    workbook.save(&book).unwrap();
    let out = dir.join("book.csv");
    let output = silico(&[
        "import",
        path_str(&book),
        "--sheet",
        "Responses",
        "--out",
        path_str(&out),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("format: xlsx, sheet \"Responses\""),
        "{stderr}"
    );
    assert!(stderr.contains("  RecipientEmail: header"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,RecipientEmail\n7,a@b.example\n"
    );
    let output = silico(&[
        "import",
        path_str(&book),
        "--sheet",
        "Data",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        format!(
            "error: {}: the workbook has no sheet named \"Data\"; its sheets are \"Sheet1\", \"Responses\"",
            book.display()
        )
    );
}

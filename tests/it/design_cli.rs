//! The design commands end to end: import the .sdt demo, validate it, design, diagnose, power.

use crate::support::cli::silico_text as silico;
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("silico-design-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn sdt() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/sdt_immigrant_demo.sdt")
        .display()
        .to_string()
}

#[test]
fn import_design_diagnose() {
    let study = temp("immigration.json");
    let study = study.to_str().unwrap();
    let (code, _, err) = silico(&["import-sdt", &sdt(), "--out", study]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = silico(&["validate", study]);
    assert_eq!(code, 0, "{err}");

    let csv = temp("design.csv");
    let csv = csv.to_str().unwrap();
    let args = [
        "design",
        study,
        "--respondents",
        "20",
        "--seed",
        "5",
        "--out",
        csv,
    ];
    let (code, _, err) = silico(&args);
    assert_eq!(code, 0, "{err}");
    let first = std::fs::read_to_string(csv).unwrap();
    let mut lines = first.lines();
    assert_eq!(
        lines.next(),
        Some("respondent,task,profile,attribute,level,position")
    );
    assert_eq!(lines.count(), 20 * 5 * 2 * 9);
    silico(&args);
    assert_eq!(
        std::fs::read_to_string(csv).unwrap(),
        first,
        "same seed, same bytes"
    );

    for strategy in ["balanced", "random"] {
        let (code, out, err) = silico(&[
            "design",
            study,
            "--respondents",
            "3",
            "--seed",
            "1",
            "--strategy",
            strategy,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("respondent,task,profile,attribute,level,position\n"));
    }

    let (code, out, err) = silico(&["diagnose", study, "--respondents", "200", "--seed", "5"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("level frequencies"), "{out}");
    assert!(
        out.contains("restricted cells: 22 rules, 22 cells, 0 profiles in them (ok)"),
        "{out}"
    );
    assert!(out.contains("D-error"), "{out}");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let (code, _, err) = silico(&["import-sdt", "/nonexistent.sdt"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let junk = temp("junk.sdt");
    std::fs::write(&junk, b"not a pickle").unwrap();
    let (code, _, err) = silico(&["import-sdt", junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a Python pickle"), "{err}");
    let (code, _, _) = silico(&["design", "/nonexistent.json", "--respondents", "1"]);
    assert_eq!(code, 2);
}

#[test]
fn power_prints_the_cjpowr_sample_size() {
    let (code, out, err) = silico(&["power", "--amce", "0.05", "--levels", "5", "--power", "0.8"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("n = 7829.258\n"), "{out}");
    let (code, _, err) = silico(&["power", "--amce", "0", "--levels", "5", "--power", "0.8"]);
    assert_eq!(code, 2);
    assert!(err.contains("AMCE"), "{err}");
}

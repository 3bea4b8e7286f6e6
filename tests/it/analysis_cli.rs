//! The analysis commands end to end: output format, exit codes and messages for bad input.

use crate::support::cli::silico_text as silico;
use std::path::PathBuf;

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(file)
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("silico-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn amce_prints_the_tidy_table() {
    let (data_file, levels) = (data("cregg_taxes.csv"), data("cregg_taxes_levels.csv"));
    let (code, out, err) = silico(&[
        "amce",
        path(&data_file),
        "--outcome",
        "chose_plan",
        "--id",
        "ID",
        "--levels",
        path(&levels),
        "--formula",
        "taxrate1 + taxrate2 + taxrate3 + taxrate4 + taxrate5 + taxrate6 + taxrev",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("feature,level,estimate,std_error,z,p,lower,upper")
    );
    assert_eq!(lines.next(), Some("taxrate1,<10k: 0%,0,,,,,"));
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row[1], "<10k: 5%");
    let (est, se): (f64, f64) = (row[2].parse().unwrap(), row[3].parse().unwrap());
    assert!((est + 0.013998726738648798).abs() < 1e-12);
    assert!((se - 0.00836771830489554).abs() < 1e-12);
    // 95% interval with qnorm(0.975).
    let lower: f64 = row[6].parse().unwrap();
    assert!((lower - (est - 1.959963984540054 * se)).abs() < 1e-12);
}

#[test]
fn mm_by_group_puts_by_first() {
    let (data_file, levels) = (data("cregg_taxes.csv"), data("cregg_taxes_levels.csv"));
    let (code, out, err) = silico(&[
        "mm",
        path(&data_file),
        "--outcome",
        "chose_plan",
        "--id",
        "ID",
        "--levels",
        path(&levels),
        "--by",
        "partyid",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("BY,feature,level,estimate"));
    assert!(out.contains("\nRepublican,taxrev,"));
    // Rows with a missing party were left out, with a note.
    assert!(err.contains("left out"), "{err}");
}

#[test]
fn anova_prints_the_omnibus_test() {
    let (data_file, levels) = (
        data("cregg_immigration.csv"),
        data("cregg_immigration_levels.csv"),
    );
    let (code, out, err) = silico(&[
        "anova",
        path(&data_file),
        "--outcome",
        "ChosenImmigrant",
        "--id",
        "CaseID",
        "--levels",
        path(&levels),
        "--formula",
        "Gender + Education + LanguageSkills",
        "--by",
        "contest_no",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reduced,13949,"), "{out}");
    assert!(out.contains("full,13905,"), "{out}");
    assert!(out.contains(",44,"), "{out}");
}

#[test]
fn clogit_prints_estimates_and_loglik() {
    let file = data("statsmodels_modechoice_greene.csv");
    let (code, out, err) = silico(&[
        "clogit",
        path(&file),
        "--choice",
        "choice",
        "--group",
        "individual",
        "--vars",
        "gc,ttme,mode_name=air,hinc:mode_name=air,mode_name=train,mode_name=bus",
        "--price",
        "gc",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("feature,level,estimate,std_error"), "{out}");
    assert!(out.contains("\nloglik,-199.12836871598"), "{out}");
    assert!(out.contains("wtp"), "{out}");
}

#[test]
fn bad_input_exits_2_naming_the_column_or_level() {
    // A respondent id missing.
    let csv = "id,x,y\n1,a,1\n,b,0\n2,a,0\n2,b,1\n";
    let file = temp_file("missing-id.csv", csv);
    let (code, _, err) = silico(&["amce", path(&file), "--outcome", "y", "--id", "id"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"id\"") && err.contains("row 2"), "{err}");

    // A text outcome.
    let csv = "id,x,y\n1,a,yes\n1,b,no\n2,a,no\n2,b,yes\n";
    let file = temp_file("text-outcome.csv", csv);
    let (code, _, err) = silico(&["mm", path(&file), "--outcome", "y", "--id", "id"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"y\"") && err.contains("numbers"), "{err}");

    // A level listed in the level order with no rows: the table is still printed, exit 2.
    let csv = "id,x,y\n1,a,1\n1,b,0\n2,a,0\n2,b,1\n3,a,1\n3,b,0\n";
    let file = temp_file("empty-level.csv", csv);
    let levels = temp_file(
        "empty-level-levels.csv",
        "variable,level_index,level\nx,1,a\nx,2,b\nx,3,c\n",
    );
    let (code, out, err) = silico(&[
        "amce",
        path(&file),
        "--outcome",
        "y",
        "--id",
        "id",
        "--levels",
        path(&levels),
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("x,b,"), "{out}");
    assert!(out.contains("x,c,,"), "{out}");
    assert!(err.contains("\"c\"") && err.contains("no rows"), "{err}");

    // A missing column.
    let (code, _, err) = silico(&["amce", path(&file), "--outcome", "nope", "--id", "id"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"nope\""), "{err}");

    // Not 0/1 in a choice model.
    let csv = "set,alt,choice,price\n1,a,1,2\n1,b,2,3\n";
    let file = temp_file("not-binary.csv", csv);
    let (code, _, err) = silico(&[
        "clogit",
        path(&file),
        "--choice",
        "choice",
        "--group",
        "set",
        "--vars",
        "price",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("\"choice\"") && err.contains("0 or 1"),
        "{err}"
    );
}

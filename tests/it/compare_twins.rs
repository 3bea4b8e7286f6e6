//! Twins vs people: the Twin-2K-500 mega-study's published per-question metrics reproduced from the
//! paired answers (all 163 questions), properties of the metrics, and the `silico compare` tool.

use proptest::prelude::*;
use silico::compare::{
    compare_questions, js_divergence, paired_questions, question_metrics, representativeness,
    PairColumns, QuestionPairs,
};
use silico::data::{read_delimited, ReadOptions};
use silico::study::{ColumnValues, Provenance, ResponseSource, ResponseTable};

use crate::support::megastudy;

use crate::support::cli::silico_command as silico;
use megastudy::{columns, read, ORACLE, PAIRS, RANGES};

fn text(table: &ResponseTable, name: &str) -> Vec<String> {
    match &table.column(name).expect(name).values {
        ColumnValues::Text(v) => v.iter().map(|x| x.clone().unwrap_or_default()).collect(),
        ColumnValues::Number(v) => v
            .iter()
            .map(|x| format!("{}", x.unwrap_or(f64::NAN)))
            .collect(),
    }
}

fn number(table: &ResponseTable, name: &str) -> Vec<f64> {
    match &table.column(name).expect(name).values {
        ColumnValues::Number(v) => v.iter().map(|x| x.unwrap_or(f64::NAN)).collect(),
        ColumnValues::Text(_) => panic!("{name} is not numeric"),
    }
}

/// |a − b|, with two NaNs agreeing and one NaN an infinite difference.
fn diff(a: f64, b: f64) -> f64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0.0,
        (false, false) => (a - b).abs(),
        _ => f64::INFINITY,
    }
}

/// Reads one metric off a result row.
type Getter = fn(&silico::compare::QuestionMetrics) -> f64;

#[test]
fn megastudy_reproduces_the_oracle_for_all_163_questions() {
    let pairs = read(PAIRS);
    let questions = paired_questions(&pairs, &columns()).expect("pairs");
    let rows = compare_questions(&questions, &megastudy::ranges());
    let oracle = read(ORACLE);
    let (study, variable) = (text(&oracle, "study_name"), text(&oracle, "variable_name"));
    assert_eq!(study.len(), 163);
    assert_eq!(rows.len(), 163, "questions in the pairs file");

    let metrics: [(&str, Getter); 10] = [
        ("correlation", |m| m.correlation),
        ("current_accuracy", |m| m.accuracy),
        ("std_ratio", |m| m.sd_ratio),
        ("Glass_delta", |m| m.glass_delta),
        ("mean_human", |m| m.mean_human),
        ("mean_twin", |m| m.mean_twin),
        ("std_human_ddof1", |m| m.sd_human),
        ("std_twin_ddof1", |m| m.sd_twin),
        ("paired_t", |m| m.paired_t),
        ("paired_p", |m| m.paired_p),
    ];
    let n_points = number(&oracle, "n_points");
    let mut undefined_accuracy = 0;
    for (name, get) in metrics {
        let expected = number(&oracle, name);
        let mut worst = 0.0_f64;
        for i in 0..163 {
            let key = vec![study[i].clone(), variable[i].clone()];
            let row = rows.iter().find(|r| r.key == key).expect("question");
            assert_eq!(row.n as f64, n_points[i], "n for {key:?}");
            let d = diff(get(row), expected[i]);
            // p values span 1e-300..1: compare them relative to their size.
            let d = if name == "paired_p" && expected[i] > 0.0 {
                d / expected[i]
            } else {
                d
            };
            assert!(
                d <= 1e-9,
                "{name} for {key:?}: {} vs {}",
                get(row),
                expected[i]
            );
            worst = worst.max(d);
            if name == "current_accuracy" && expected[i].is_nan() {
                undefined_accuracy += 1;
            }
        }
        println!("{name}: max |Δ| = {worst:e}");
    }
    assert_eq!(
        undefined_accuracy, 3,
        "log_WTP, DAT_perf and SSPT have no range"
    );
}

#[test]
fn published_example_hiring_algorithms_q10() {
    let questions = paired_questions(&read(PAIRS), &columns()).expect("pairs");
    let q = questions
        .iter()
        .find(|q| q.key == ["hiring algorithms", "Q10"])
        .expect("Q10");
    let m = question_metrics(q, Some((1.0, 5.0)));
    assert_eq!(m.n, 999);
    assert!((m.correlation - 0.166143).abs() < 5e-7);
    assert!((m.accuracy - 0.645145).abs() < 5e-7);
    assert!((m.paired_t - 7.961674).abs() < 5e-7);
}

fn pairs(human: Vec<f64>, twin: Vec<f64>) -> QuestionPairs {
    QuestionPairs {
        key: vec!["q".into()],
        human,
        twin,
    }
}

#[test]
fn distributions_by_hand() {
    // Point masses on the two extremes: W = W_max, JS = 1 bit.
    assert_eq!(representativeness(&[1.0, 1.0], &[7.0, 7.0]), 0.0);
    assert!((js_divergence(&[1.0], &[7.0]) - 1.0).abs() < 1e-12);
    // Positions {1,2,3}: human all at 1, twin all at 2 → W = 1, W_max = 2.
    let r = representativeness(&[1.0, 1.0, 3.0], &[2.0, 2.0, 3.0]);
    assert!((r - (1.0 - (2.0 / 3.0) / 2.0)).abs() < 1e-12, "{r}");
}

#[test]
fn a_row_counts_only_when_both_sides_answered() {
    let bytes = b"id,q,h,t\n1,a,1,2\n2,a,,3\n3,a,4,\n4,a,5,5\n";
    let table = read_delimited(
        bytes,
        "t",
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("parse");
    let cols = PairColumns {
        person: "id".into(),
        question: vec!["q".into()],
        human: "h".into(),
        twin: "t".into(),
    };
    let q = paired_questions(&table, &cols).expect("pairs");
    assert_eq!(q[0].human, vec![1.0, 5.0]);
    assert_eq!(q[0].twin, vec![2.0, 5.0]);
}

proptest! {
    #[test]
    fn identical_answers_agree_perfectly(answers in prop::collection::vec(1u8..8, 2..60)) {
        let x: Vec<f64> = answers.iter().map(|&a| f64::from(a)).collect();
        let m = question_metrics(&pairs(x.clone(), x), Some((1.0, 7.0)));
        prop_assert_eq!(m.accuracy, 1.0);
        prop_assert!(m.glass_delta == 0.0 || m.glass_delta.is_nan());
        prop_assert_eq!(m.distances.js_divergence, 0.0);
        prop_assert_eq!(m.distances.representativeness, 1.0);
        prop_assert!(m.correlation == 1.0 || m.correlation == 0.0);
    }

    #[test]
    fn metrics_stay_in_their_bounds(
        answers in prop::collection::vec((1u8..8, 1u8..8), 2..60)
    ) {
        let h: Vec<f64> = answers.iter().map(|a| f64::from(a.0)).collect();
        let t: Vec<f64> = answers.iter().map(|a| f64::from(a.1)).collect();
        let m = question_metrics(&pairs(h.clone(), t.clone()), Some((1.0, 7.0)));
        prop_assert!((0.0..=1.0).contains(&m.accuracy));
        prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&m.correlation));
        prop_assert!((-1e-12..=1.0 + 1e-12).contains(&m.distances.js_divergence));
        prop_assert!((-1e-12..=1.0 + 1e-12).contains(&m.distances.representativeness));
        if m.paired_p.is_finite() {
            prop_assert!((0.0..=1.0).contains(&m.paired_p));
        }
        // Swapping the sides keeps the symmetric metrics.
        let s = question_metrics(&pairs(t, h), Some((1.0, 7.0)));
        prop_assert!((s.accuracy - m.accuracy).abs() < 1e-12);
        prop_assert!((s.distances.js_divergence - m.distances.js_divergence).abs() < 1e-12);
        prop_assert!((s.distances.representativeness - m.distances.representativeness).abs() < 1e-12);
    }
}

#[test]
fn cli_prints_the_metrics_csv_with_an_overall_row() {
    let out = silico()
        .args([
            "compare",
            PAIRS,
            "--person",
            megastudy::PERSON,
            "--question",
            megastudy::QUESTION,
            "--human",
            "human",
            "--twin",
            "twin",
            "--ranges",
            RANGES,
        ])
        .output()
        .expect("run silico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "study_name,variable_name,n,accuracy,correlation,sd_ratio,glass_delta,paired_t,paired_p,mean_human,mean_twin"
    );
    assert_eq!(lines.len(), 1 + 163 + 1);
    assert!(lines[1].starts_with("hiring algorithms,Q10,999,0.645145145145145"));
    assert!(lines[164].starts_with("overall,,129751,"));
    // No range → empty accuracy.
    assert!(stdout.contains("idea generation,DAT_perf,199,,"));
}

#[test]
fn cli_bad_input_names_the_column_and_line_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("silico-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("pairs.csv");
    std::fs::write(&file, "id,q,h,t\n1,a,1,2\n2,a,x,3\n").expect("write");
    let run = |question: &str| {
        silico()
            .arg("compare")
            .arg(&file)
            .args([
                "--person",
                "id",
                "--question",
                question,
                "--human",
                "h",
                "--twin",
                "t",
            ])
            .output()
            .expect("run silico")
    };
    let out = run("q");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("column \"h\", line 3") && err.contains("\"x\""),
        "{err}"
    );

    let out = run("question");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"question\""));

    std::fs::write(&file, "id,q,h,t\n1,a,1,2\n1,a,2,3\n").expect("write");
    let out = run("q");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3: person \"1\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_ranges_columns_by_flag_and_by_position() {
    let dir = std::env::temp_dir().join(format!("silico-compare-ranges-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pairs = dir.join("pairs.csv");
    std::fs::write(&pairs, "id,q,h,t\n1,a,1,2\n2,a,3,3\n3,a,5,4\n").expect("write");
    // Columns in an odd order: only flags can map them.
    let flagged = dir.join("flagged.csv");
    std::fs::write(&flagged, "hi,item,lo\n5,a,1\n").expect("write");
    // Different names, key then min then max: mapped by position.
    let positional = dir.join("positional.csv");
    std::fs::write(&positional, "question_id,low,high\na,1,5\n").expect("write");
    let run = |ranges: &std::path::Path, extra: &[&str]| {
        let out = silico()
            .arg("compare")
            .arg(&pairs)
            .args([
                "--person",
                "id",
                "--question",
                "q",
                "--human",
                "h",
                "--twin",
                "t",
            ])
            .arg("--ranges")
            .arg(ranges)
            .args(extra)
            .output()
            .expect("run silico");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // mean |h − t| = 2/3 over a range of 4 → accuracy 1 − 1/6.
    let expected = format!("a,3,{:?},", 1.0 - (2.0 / 3.0) / 4.0);
    let flags = [
        "--range-key",
        "item",
        "--range-min-col",
        "lo",
        "--range-max-col",
        "hi",
    ];
    assert!(run(&flagged, &flags).contains(&expected));
    assert!(run(&positional, &[]).contains(&expected));
    let _ = std::fs::remove_dir_all(&dir);
}

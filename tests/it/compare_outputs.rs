//! Twins vs people beyond the per-question metrics: the retest ceiling, nominal questions,
//! per-respondent agreement and subgroup alignment by hand on a small file, the CLI's new outputs,
//! the HTML report (self-contained, every text escaped), the worker jobs, and the AMCE comparison
//! (`silico compare-amce`) on the immigration oracle against a perturbed copy; the matrix agrees
//! with the per-respondent and per-question accuracy; properties of the AMCE comparison.

use std::path::{Path, PathBuf};
use std::process::Command;

use silico::analysis::TidyRow;
use silico::compare::{
    compare, compare_estimates, read_ranges, read_tidy_csv, CompareError, Comparison, Extras,
    PairColumns, QuestionKind, RangeColumns,
};
use silico::data::{read_delimited, ReadOptions};
use silico::jobs::{
    call, CompareEstimatesRequest, ComparePlotRequest, CompareReportRequest, CompareRequest,
    JobError, TableInput,
};
use silico::plot::report::{self, ReportInfo};
use silico::study::{Provenance, ResponseSource, ResponseTable};

use crate::support::megastudy;

use crate::support::cli::silico_command as silico;
use megastudy::{ORACLE, PAIRS, PERSON, QUESTION, RANGES};

const AMCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/oracle_immigration_amce_additive.csv"
);

/// Two questions, four people: `a` a 1–5 rating, `b` nominal codes; person 4 has no retest of `a`.
const SMALL: &str = "id,q,h,t,r,g
1,a,1,2,1,x
2,a,3,3,2,y
3,a,5,4,5,x
4,a,2,2,,y
1,b,1,1,1,x
2,b,2,1,2,y
3,b,1,2,1,x
4,b,2,2,2,y
";
const SMALL_RANGES: &str = "q,min,max,kind\na,1,5,ordinal\nb,,,nominal\n";

fn table(text: &str, name: &str) -> ResponseTable {
    read_delimited(
        text.as_bytes(),
        name,
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("parse")
}

fn small_columns() -> PairColumns {
    PairColumns {
        person: "id".into(),
        question: vec!["q".into()],
        human: "h".into(),
        twin: "t".into(),
    }
}

fn small() -> Comparison {
    let ranges = read_ranges(
        &table(SMALL_RANGES, "ranges"),
        &["q".to_string()],
        &RangeColumns::default(),
    )
    .expect("ranges");
    let extras = Extras {
        retest: Some("r".into()),
        group: Some("g".into()),
    };
    compare(&table(SMALL, "small"), &small_columns(), &extras, &ranges).expect("compare")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn retest_ceiling_and_share_by_hand() {
    let c = small();
    let a = &c.questions[0];
    assert_eq!(a.metrics.kind, QuestionKind::Ordinal);
    // |h − t| = 1, 0, 1, 0 over a range of 4.
    assert!(close(a.metrics.accuracy, 1.0 - 0.5 / 4.0));
    assert!(close(a.metrics.exact_match, 0.5));
    let r = a.retest.expect("retest");
    // Persons 1–3: retest |Δ| = 0, 1, 0; twin |Δ| = 1, 0, 1 on the same three.
    assert_eq!(r.n, 3);
    assert!(close(r.human_accuracy, 1.0 - 1.0 / 12.0));
    assert!(close(r.twin_accuracy, 1.0 - 1.0 / 6.0));
    assert!(close(r.share, 10.0 / 11.0));
    let b = c.questions[1].retest.expect("retest");
    assert!(close(b.human_accuracy, 1.0) && close(b.twin_accuracy, 0.5));
    // Overall: ratio of the mean twin accuracy to the mean ceiling.
    let overall = c.overall_retest.expect("overall");
    assert!(close(overall.share, (4.0 / 3.0) / (23.0 / 12.0)));
}

#[test]
fn nominal_questions_are_scored_by_exact_match_only() {
    let c = small();
    let b = &c.questions[1].metrics;
    assert_eq!(b.kind, QuestionKind::Nominal);
    assert_eq!(b.accuracy, 0.5);
    assert!(b.correlation.is_nan() && b.mean_human.is_nan() && b.paired_t.is_nan());
    assert!(b.distances.representativeness.is_nan());
    // Both sides answer 1 half the time and 2 half the time: same shares.
    assert_eq!(b.distances.js_divergence, 0.0);
}

#[test]
fn respondents_groups_and_the_matrix_by_hand() {
    let c = small();
    let by: Vec<(&str, f64, f64)> = c
        .respondents
        .iter()
        .map(|r| (r.person.as_str(), r.accuracy, r.exact_match))
        .collect();
    // Mean of (a: 1 − |h − t|/4, b: exact match) per person.
    assert_eq!(
        by,
        vec![
            ("1", 0.875, 0.5),
            ("2", 0.5, 0.5),
            ("3", 0.375, 0.0),
            ("4", 1.0, 1.0)
        ]
    );
    assert_eq!(c.respondents[0].group.as_deref(), Some("x"));
    let x = &c.groups[0];
    assert_eq!((x.group.as_str(), x.persons, x.pairs), ("x", 2, 4));
    assert!(close(x.accuracy, (0.875 + 0.375) / 2.0));
    assert_eq!(c.matrix.rows, vec!["1", "2", "3", "4"]);
    assert_eq!(c.matrix.columns, vec!["a", "b"]);
    assert_eq!(
        c.matrix.values,
        vec![0.75, 1.0, 1.0, 0.0, 0.75, 0.0, 1.0, 1.0]
    );
}

#[test]
fn subgroup_alignment_by_hand() {
    let c = small();
    let s = c.subgroups.expect("subgroups");
    assert_eq!((s.column.as_str(), s.reference.as_str()), ("g", "x"));
    // Only `a` (nominal `b` has no means): humans y − x = 2.5 − 3, twins 2.5 − 3.
    assert_eq!(s.differences.len(), 1);
    let d = &s.differences[0];
    assert_eq!(d.contrast, "y - x");
    assert!(close(d.human, -0.5) && close(d.twin, -0.5));
    let sd = (8.75f64 / 3.0).sqrt();
    assert!(close(d.human_std, -0.5 / sd));
    assert_eq!(s.summary[0].sign_agreement, 1.0);
    assert_eq!(s.summary[0].questions, 1);
}

#[test]
fn a_person_in_two_groups_is_refused_with_the_line() {
    let text = "id,q,h,t,g\n1,a,1,2,x\n1,b,1,1,y\n";
    let extras = Extras {
        retest: None,
        group: Some("g".into()),
    };
    let err = compare(
        &table(text, "t.csv"),
        &small_columns(),
        &extras,
        &Default::default(),
    )
    .expect_err("conflict");
    assert!(
        matches!(&err, CompareError::GroupConflict(c) if c.line == 3 && c.person == "1"),
        "{err}"
    );
    assert!(
        err.to_string().contains("group \"y\" here but in \"x\""),
        "{err}"
    );
    let bad_kind = read_ranges(
        &table("q,min,max,kind\na,1,5,ratio\n", "r.csv"),
        &["q".to_string()],
        &RangeColumns::default(),
    );
    assert!(matches!(
        bad_kind,
        Err(CompareError::BadKind { line: 2, .. })
    ));
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("silico-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run_ok(command: &mut Command) -> String {
    let out = command.output().expect("run silico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn cli_retest_group_respondents_and_subgroups() {
    let dir = temp_dir("compare-small");
    let (pairs, ranges) = (dir.join("pairs.csv"), dir.join("ranges.csv"));
    std::fs::write(&pairs, SMALL).unwrap();
    std::fs::write(&ranges, SMALL_RANGES).unwrap();
    let (respondents, subgroups) = (dir.join("resp.csv"), dir.join("sub.csv"));
    let matrix = dir.join("matrix.csv");
    let stdout = run_ok(
        silico()
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
            .arg(&ranges)
            .args(["--retest", "r", "--group", "g", "--exact"])
            .arg("--respondents")
            .arg(&respondents)
            .arg("--subgroups")
            .arg(&subgroups)
            .arg("--matrix")
            .arg(&matrix),
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "q,n,accuracy,correlation,sd_ratio,glass_delta,paired_t,paired_p,mean_human,mean_twin,\
kind,exact_match,retest_n,retest_accuracy,twin_accuracy_retested,retest_share"
    );
    assert!(lines[1].starts_with("a,4,0.875,"), "{}", lines[1]);
    assert!(
        lines[1].ends_with(&format!(
            ",ordinal,0.5,3,{:?},{:?},{:?}",
            1.0 - 1.0 / 12.0,
            1.0 - 1.0 / 6.0,
            (1.0 - 1.0 / 6.0) / (1.0 - 1.0 / 12.0)
        )),
        "{}",
        lines[1]
    );
    // Nominal: accuracy is the exact-match share, numeric metrics empty.
    assert!(
        lines[2].starts_with("b,4,0.5,,,,,,,,nominal,0.5,4,1.0,0.5,0.5"),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with("overall,8,"));
    assert_eq!(
        std::fs::read_to_string(&respondents).unwrap(),
        "person,group,n,accuracy,exact_match\n1,x,2,0.875,0.5\n2,y,2,0.5,0.5\n3,x,2,0.375,0.0\n4,y,2,1.0,1.0\n"
    );
    let sub = std::fs::read_to_string(&subgroups).unwrap();
    assert!(sub.starts_with("question,contrast,n_group,n_reference,human,twin,human_std,twin_std\na,y - x,2,2,-0.5,-0.5,"), "{sub}");
    let summary = std::fs::read_to_string(dir.join("sub-summary.csv")).unwrap();
    assert!(summary.contains("\ny - x,1,,1.0,0.0\n"), "{summary}");
    assert_eq!(
        std::fs::read_to_string(dir.join("sub-groups.csv")).unwrap(),
        "group,persons,pairs,accuracy,exact_match\nx,2,4,0.625,0.25\ny,2,4,0.75,0.75\n"
    );
    assert_eq!(
        std::fs::read_to_string(&matrix).unwrap(),
        "person,a,b\n1,0.75,1.0\n2,1.0,0.0\n3,0.75,0.0\n4,1.0,1.0\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The command exactly as the issue gives it, read back and checked against the oracle for every
/// question and every metric it prints.
#[test]
fn cli_exact_command_reproduces_the_oracle_for_all_163_questions() {
    let stdout = run_ok(silico().args([
        "compare",
        PAIRS,
        "--person",
        PERSON,
        "--question",
        QUESTION,
        "--human",
        "human",
        "--twin",
        "twin",
        "--ranges",
        RANGES,
    ]));
    let printed = table(&stdout, "stdout");
    let oracle = table(&std::fs::read_to_string(ORACLE).unwrap(), "oracle");
    let text = |t: &ResponseTable, c: &str, r: usize| {
        silico::analysis::levels::cell_label(&t.column(c).expect(c).values, r).unwrap_or_default()
    };
    let value = |t: &ResponseTable, c: &str, r: usize| match &t.column(c).expect(c).values {
        silico::study::ColumnValues::Number(v) => v[r].unwrap_or(f64::NAN),
        silico::study::ColumnValues::Text(_) => panic!("{c} is not numeric"),
    };
    assert_eq!(printed.row_count(), 164);
    assert_eq!(oracle.row_count(), 163);
    let pairs = [
        ("n", "n_points"),
        ("accuracy", "current_accuracy"),
        ("correlation", "correlation"),
        ("sd_ratio", "std_ratio"),
        ("glass_delta", "Glass_delta"),
        ("paired_t", "paired_t"),
        ("paired_p", "paired_p"),
        ("mean_human", "mean_human"),
        ("mean_twin", "mean_twin"),
    ];
    for o in 0..163 {
        let key = (
            text(&oracle, "study_name", o),
            text(&oracle, "variable_name", o),
        );
        let p = (0..163)
            .find(|&p| {
                (
                    text(&printed, "study_name", p),
                    text(&printed, "variable_name", p),
                ) == key
            })
            .unwrap_or_else(|| panic!("{key:?} not printed"));
        for (ours, theirs) in pairs {
            let (a, b) = (value(&printed, ours, p), value(&oracle, theirs, o));
            let ok = if a.is_nan() || b.is_nan() {
                a.is_nan() && b.is_nan()
            } else {
                (a - b).abs()
                    <= 1e-9
                        * b.abs()
                            .max(1e-300)
                            .max(if ours == "paired_p" { 0.0 } else { 1.0 })
            };
            assert!(ok, "{key:?} {ours}: {a} vs {b}");
        }
    }
}

#[test]
fn cli_plots_and_report_for_the_megastudy() {
    let dir = temp_dir("compare-mega");
    let (plots, html) = (dir.join("plots"), dir.join("report.html"));
    let stdout = run_ok(
        silico()
            .args([
                "compare",
                PAIRS,
                "--person",
                PERSON,
                "--question",
                QUESTION,
                "--human",
                "human",
                "--twin",
                "twin",
                "--ranges",
                RANGES,
            ])
            .arg("--plots")
            .arg(&plots)
            .arg("--report")
            .arg(&html),
    );
    // The metrics on stdout are unchanged by the extra outputs.
    assert_eq!(stdout.lines().count(), 1 + 163 + 1);
    for name in [
        "means.svg",
        "accuracy.svg",
        "heatmap.svg",
        "distribution-001.svg",
    ] {
        let svg = std::fs::read_to_string(plots.join(name)).expect(name);
        assert!(svg.starts_with("<svg"), "{name}");
    }
    let distributions = std::fs::read_dir(&plots)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("distribution-"))
        })
        .count();
    let ordinal = silico::compare::paired_questions(&megastudy::read(PAIRS), &megastudy::columns())
        .unwrap()
        .iter()
        .filter(|q| QuestionKind::decide(None, &q.human, &q.twin) == QuestionKind::Ordinal)
        .count();
    assert_eq!(distributions, ordinal, "one overlay per ordinal question");
    let report = std::fs::read_to_string(&html).unwrap();
    assert!(report.contains("hiring algorithms / Q10"));
    assert!(report.contains("<dt>Complete pairs</dt><dd>129751</dd>"));
    assert!(report.contains(&format!("<dt>File</dt><dd>{}</dd>", report::escape(PAIRS))));
    assert!(report.contains(" UTC</dd>"), "the date is printed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_report_is_self_contained_and_escapes_every_name() {
    let evil = "<img src=x onerror=alert(1)>";
    let text = SMALL.replace(",a,", &format!(",{evil},"));
    let ranges = SMALL_RANGES.replace("\na,", &format!("\n{evil},"));
    let ranges = read_ranges(
        &table(&ranges, "ranges"),
        &["q".to_string()],
        &RangeColumns::default(),
    )
    .expect("ranges");
    let extras = Extras {
        retest: Some("r".into()),
        group: Some("g".into()),
    };
    let c = compare(&table(&text, "t"), &small_columns(), &extras, &ranges).expect("compare");
    assert_eq!(c.questions[0].label(), evil);
    let humans = vec![TidyRow::estimated(evil, evil, 0.1, 0.02, 0.0)];
    let twins = vec![TidyRow::estimated(evil, evil, 0.2, 0.02, 0.0)];
    let estimates = compare_estimates(&humans, &twins);
    let info = ReportInfo {
        title: evil.into(),
        source_file: format!("{evil}.csv"),
        date: "2026-11-26".into(),
        columns: evil.into(),
    };
    let html = report::html(
        &c,
        &info,
        Some((&estimates, silico::plot::EstimateKind::Amce)),
    );
    assert!(!html.contains("<img"), "a name became markup");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    for forbidden in ["<script", "<link", "<iframe", " href=", " src=\"", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // Inline SVG plots: means, accuracy, heatmap, two overlays, the AMCE comparison.
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("<td>2026-11-26</td>") || html.contains("<dd>2026-11-26</dd>"));
    assert!(html.contains("Test–retest ceiling"));
}

#[test]
fn the_compare_job_matches_the_engine_and_its_nulls_round_trip() {
    let request = CompareRequest {
        data: TableInput::Csv {
            name: "pairs.csv".into(),
            text: std::fs::read_to_string(PAIRS).unwrap(),
            delimiter: None,
        },
        person: PERSON.into(),
        question: megastudy::columns().question,
        human: "human".into(),
        twin: "twin".into(),
        retest: None,
        group: None,
        ranges: Some(TableInput::Csv {
            name: "ranges.csv".into(),
            text: std::fs::read_to_string(RANGES).unwrap(),
            delimiter: None,
        }),
        range_key: None,
        range_min: None,
        range_max: None,
        range_kind: None,
        kinds: vec![],
        matrix_csv: true,
    };
    let Ok(reply) = call(request) else {
        panic!("not compared");
    };
    let c = &reply.comparison;
    assert_eq!(c.questions.len(), 163);
    let q10 = &c.questions[0];
    assert_eq!(q10.label(), "hiring algorithms / Q10");
    assert!((q10.metrics.accuracy - 0.645145).abs() < 5e-7);
    // No range: NaN in the engine, null on the wire, NaN again.
    let dat = c
        .questions
        .iter()
        .find(|q| q.metrics.key[1] == "DAT_perf")
        .expect("DAT_perf");
    assert!(dat.metrics.accuracy.is_nan());
    // 1,784 people are more rows than the reply carries: sorted and binned.
    assert!(reply.matrix_binned);
    assert_eq!(c.matrix.rows.len(), silico::jobs::REPLY_MATRIX_ROWS);
    assert_eq!(c.matrix.columns.len(), 163);
    assert_eq!(reply.questions_csv.lines().count(), 1 + 163 + 1);
    assert!(reply
        .questions_csv
        .lines()
        .next()
        .unwrap()
        .ends_with("kind,exact_match"));
    assert_eq!(
        reply.respondents_csv.lines().count(),
        1 + c.respondents.len()
    );

    let Ok(svg) = call(ComparePlotRequest {
        comparison: Box::new(c.clone()),
        plot: silico::plot::ComparePlot::Accuracy { limit: Some(10) },
        width: None,
    }) else {
        panic!("no svg");
    };
    assert!(svg.contains("Highest 10") && svg.contains("Lowest 10"));
    let Ok(html) = call(CompareReportRequest {
        comparison: Box::new(c.clone()),
        info: ReportInfo::default(),
        estimates: None,
        estimate_kind: silico::plot::EstimateKind::Amce,
    }) else {
        panic!("no report");
    };
    assert!(html.starts_with("<!DOCTYPE html>"));

    let bad = CompareRequest {
        person: "nobody".into(),
        ..serde_json::from_value(serde_json::json!({
            "data": {"format": "csv", "name": "p.csv", "text": "id,q,h,t\n1,a,1,2\n"},
            "person": "id", "question": ["q"], "human": "h", "twin": "t"
        }))
        .expect("a minimal request parses")
    };
    match call(bad) {
        Err(JobError { message, .. }) => {
            assert!(message.contains("no column \"nobody\""), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// The immigration oracle with every estimate doubled except Gender=Male, whose sign is flipped.
fn perturbed(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(AMCE).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        if i > 0 && !cells[3].is_empty() {
            let e: f64 = cells[2].parse().unwrap();
            cells[2] = format!("{:?}", if cells[1] == "Male" { -e } else { 2.0 * e });
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let path = dir.join("twins.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn compare_amce_on_the_immigration_oracle_against_a_perturbed_copy() {
    let dir = temp_dir("compare-amce");
    let twins = perturbed(&dir);
    let humans = read_tidy_csv(&std::fs::read_to_string(AMCE).unwrap(), "h").unwrap();
    let compared = humans.iter().filter(|r| r.std_error.is_some()).count();
    let table = run_ok(silico().args(["compare-amce", AMCE]).arg(&twins));
    // Gender Male: human −0.024978…, twin +0.024978…, both SE 0.007983… → z = 2h/(√2·se).
    let (h, se) = (-0.02497843476184842_f64, 0.007983009162386008_f64);
    let z = -2.0 * h / (2.0f64.sqrt() * se);
    let male = table
        .lines()
        .find(|l| l.starts_with("Gender,Male,"))
        .expect("Male");
    let cells: Vec<&str> = male.split(',').collect();
    assert!(
        (cells[8].parse::<f64>().unwrap() - z).abs() < 1e-9,
        "{male}"
    );
    assert!(table.starts_with("feature,level,human,human_se,twin,twin_se,difference,std_error,z,p,lower,upper\nGender,Female,0,,0,,0,,"));

    let summary = run_ok(
        silico()
            .args(["compare-amce", AMCE])
            .arg(&twins)
            .arg("--summary"),
    );
    assert!(
        summary.contains(&format!("\ncompared,{compared}\n")),
        "{summary}"
    );
    // Doubling keeps every sign but Male's.
    let sign = format!(
        "\nsign_agreement,{}\n",
        silico::analysis::tidy::format_number((compared - 1) as f64 / compared as f64)
    );
    assert!(summary.contains(&sign), "{summary}");
    let plot = dir.join("amce.svg");
    run_ok(
        silico()
            .args(["compare-amce", AMCE])
            .arg(&twins)
            .arg("--plot")
            .arg(&plot),
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("Twins − humans") && svg.contains("LanguageSkills"));

    let out = silico()
        .args(["compare-amce", AMCE, PAIRS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"feature\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_compare_estimates_job_agrees_with_the_engine() {
    let humans = read_tidy_csv(&std::fs::read_to_string(AMCE).unwrap(), "h").unwrap();
    let twins: Vec<TidyRow> = humans
        .iter()
        .map(|r| TidyRow {
            estimate: r.estimate.map(|e| e + 0.01),
            ..r.clone()
        })
        .collect();
    let Ok(reply) = call(CompareEstimatesRequest {
        humans: humans.clone(),
        twins: twins.clone(),
    }) else {
        panic!("not compared");
    };
    assert_eq!(reply.comparison, compare_estimates(&humans, &twins));
    // A shift keeps the estimates perfectly correlated.
    assert!((reply.comparison.summary.correlation - 1.0).abs() < 1e-12);
    assert!(reply.summary_csv.starts_with("metric,value\nlevels,"));
}

#[test]
fn respondent_accuracy_is_the_mean_of_their_matrix_row_on_the_megastudy() {
    let c = megastudy::comparison();
    let m = &c.matrix;
    assert_eq!((m.rows.len(), m.columns.len()), (1784, 163));
    let width = m.columns.len();
    for r in &c.respondents {
        let row = m.rows.iter().position(|p| *p == r.person).expect("row");
        let cells: Vec<f64> = m.values[row * width..(row + 1) * width]
            .iter()
            .filter(|v| v.is_finite())
            .map(|&v| f64::from(v))
            .collect();
        let mean = cells.iter().sum::<f64>() / cells.len() as f64;
        // f32 cells: agreement to about 1e-7.
        assert!(
            (mean - r.accuracy).abs() < 1e-6,
            "{}: {mean} vs {}",
            r.person,
            r.accuracy
        );
    }
    // Each question's column mean is its accuracy (same pairs, same formula).
    let q10 = &c.questions[0];
    let column: Vec<f64> = (0..m.rows.len())
        .map(|r| m.values[r * width])
        .filter(|v| v.is_finite())
        .map(f64::from)
        .collect();
    assert_eq!(column.len(), q10.metrics.n);
    let mean = column.iter().sum::<f64>() / column.len() as f64;
    assert!((mean - q10.metrics.accuracy).abs() < 1e-6);
}

proptest::proptest! {
    #[test]
    fn estimates_compared_with_themselves_agree_and_swapping_negates(
        values in proptest::collection::vec((-0.5f64..0.5, 0.001f64..0.1), 2..30)
    ) {
        let rows: Vec<TidyRow> = values
            .iter()
            .enumerate()
            .map(|(i, (e, se))| TidyRow::estimated("F", &format!("l{i}"), *e, *se, 0.0))
            .collect();
        let same = compare_estimates(&rows, &rows);
        proptest::prop_assert_eq!(same.summary.significant_share, 0.0);
        proptest::prop_assert_eq!(same.summary.sign_agreement, 1.0);
        let shifted: Vec<TidyRow> = rows
            .iter()
            .map(|r| TidyRow::estimated(&r.feature, &r.level, r.estimate.unwrap() + 0.3, r.std_error.unwrap(), 0.0))
            .collect();
        let forth = compare_estimates(&rows, &shifted);
        let back = compare_estimates(&shifted, &rows);
        for (a, b) in forth.rows.iter().zip(&back.rows) {
            proptest::prop_assert!((a.z.unwrap() + b.z.unwrap()).abs() < 1e-9);
            proptest::prop_assert!((a.difference.unwrap() - 0.3).abs() < 1e-12);
        }
        proptest::prop_assert!((forth.summary.correlation - back.summary.correlation).abs() < 1e-12);
    }
}

#[test]
fn a_comparison_with_undefined_metrics_survives_json() {
    let c = small();
    // The nominal question has NaN means, the subgroup summary a NaN correlation.
    assert!(c.questions[1].metrics.mean_human.is_nan());
    assert!(c.subgroups.as_ref().unwrap().summary[0]
        .correlation
        .is_nan());
    let text = serde_json::to_string(&c).expect("encode");
    assert!(text.contains("\"mean_human\":null"));
    let back: Comparison = serde_json::from_str(&text).expect("decode");
    // NaN ≠ NaN, so compare the printed form.
    assert_eq!(format!("{back:?}"), format!("{c:?}"));
}

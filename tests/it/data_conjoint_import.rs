//! A Qualtrics conjoint export, reshaped to the long table, gives the published-oracle AMCEs: the wide
//! file is built from the real immigration data (tests/support/qualtrics_fixture.rs), read with its
//! three header rows, reshaped from its `F-…` design fields, and estimated.

use crate::support::qualtrics_fixture;

use qualtrics_fixture::{data_dir, immigration_respondents, qualtrics_wide_csv};
use silico::analysis::{amce, ConjointSpec, Formula, LevelOrders};
use silico::data::{
    parse_choice, read_delimited_file, reshape_conjoint, ConjointLayout, ReadOptions, ReshapeError,
    UnknownLevel, ValueCount,
};
use silico::study::{parse_study, ColumnValues, Provenance, ResponseSource, Study};

const ADDITIVE: &str = "Gender + Education + LanguageSkills + CountryOfOrigin + Job + JobExperience + JobPlans + ReasonForApplication + PriorEntry";

fn immigration_study() -> Study {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/immigration.design.json");
    parse_study(&std::fs::read(path).expect("design file")).expect("valid study")
}

fn read(bytes: &[u8]) -> silico::data::DelimitedTable {
    read_delimited_file(
        bytes,
        "human",
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("the export reads")
}

struct OracleRow {
    feature: String,
    level: String,
    estimate: f64,
    std_error: Option<f64>,
}

fn oracle() -> Vec<OracleRow> {
    let mut reader =
        csv::Reader::from_path(data_dir().join("oracle_immigration_amce_additive.csv"))
            .expect("oracle");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            OracleRow {
                feature: r[0].to_string(),
                level: r[1].to_string(),
                estimate: r[2].parse().expect("estimate"),
                std_error: (!r[3].is_empty()).then(|| r[3].parse().expect("se")),
            }
        })
        .collect()
}

#[test]
fn reshaped_qualtrics_export_reproduces_the_oracle_amces() {
    let respondents = immigration_respondents();
    assert_eq!(respondents.len(), 1396);
    let read = read(&qualtrics_wide_csv(&respondents));
    assert_eq!(read.table.row_count(), 1396, "one row per respondent");
    let info = read.qualtrics.as_ref().expect("Qualtrics header rows");
    assert_eq!(info.get("Q3").unwrap().import_id, "QID13");

    let study = immigration_study();
    let mut layout = ConjointLayout::new("Q{task}");
    layout.respondent = Some("CaseID".into());
    layout.keep = vec!["ethnocentrism".into()];
    let (long, summary) = reshape_conjoint(&read.table, study.conjoint.as_ref(), &layout).unwrap();
    assert_eq!(summary.respondents, 1396);
    assert_eq!((summary.tasks, summary.profiles), (5, 2));
    assert_eq!(summary.tasks_shown, 6980);
    assert_eq!(summary.rows, 13960);
    assert_eq!(summary.missing_choices, 0);
    assert!(summary.unreadable_choices.is_empty());
    assert!(
        summary.unknown_levels.is_empty(),
        "{:?}",
        summary.unknown_levels
    );
    assert!(summary.unknown_attributes.is_empty() && summary.attributes_not_shown.is_empty());
    let names: Vec<&str> = long.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(&names[..4], ["CaseID", "task", "profile", "Gender"]);
    assert_eq!(&names[names.len() - 2..], ["chosen", "ethnocentrism"]);

    let mut spec = ConjointSpec::new(
        "chosen",
        "CaseID",
        Formula::parse(ADDITIVE, Some("chosen")).expect("formula"),
    );
    let levels = std::fs::read_to_string(data_dir().join("cregg_immigration_levels.csv")).unwrap();
    spec.levels = LevelOrders::from_csv(&levels).expect("levels");
    let got = amce(&long, &spec).expect("amce");
    let want = oracle();
    assert_eq!(got.table.rows.len(), want.len());
    let (mut max_est, mut max_se) = (0.0f64, 0.0f64);
    for w in &want {
        let row = got
            .table
            .find(&w.feature, &w.level)
            .unwrap_or_else(|| panic!("no row for {} = {}", w.feature, w.level));
        let d = (row.estimate.expect("estimate") - w.estimate).abs();
        max_est = max_est.max(d);
        match (row.std_error, w.std_error) {
            (Some(a), Some(b)) => max_se = max_se.max((a - b).abs()),
            (None, None) => {}
            (a, b) => panic!("{} = {}: SE {a:?} vs {b:?}", w.feature, w.level),
        }
    }
    eprintln!(
        "AMCE from the reshaped Qualtrics export: max |Δest| {max_est:e}, max |ΔSE| {max_se:e}"
    );
    // The tolerance analysis_oracles uses.
    assert!(max_est < 1e-8 && max_se < 1e-8, "{max_est:e} {max_se:e}");
}

#[test]
fn unanswered_tasks_and_unknown_levels_are_counted() {
    let respondents = immigration_respondents();
    let mut read = read(&qualtrics_wide_csv(&respondents[..20]));
    // Respondent 1 skipped task 3; respondent 2's task-1 profile-1 level in display row 1 is a typo.
    let q3 = read
        .table
        .columns
        .iter_mut()
        .find(|c| c.name == "Q3")
        .unwrap();
    let ColumnValues::Text(values) = &mut q3.values else {
        panic!("choices are text")
    };
    values[0] = None;
    values[3] = Some("Neither".into());
    let f = read
        .table
        .columns
        .iter_mut()
        .find(|c| c.name == "F-1-1-1")
        .unwrap();
    let ColumnValues::Text(values) = &mut f.values else {
        panic!("levels are text")
    };
    let typo_attribute = qualtrics_fixture::ATTRIBUTES[1];
    values[1] = Some("Doctorr".into());
    let study = immigration_study();
    let (long, summary) = reshape_conjoint(
        &read.table,
        study.conjoint.as_ref(),
        &ConjointLayout::new("Q{task}"),
    )
    .unwrap();
    assert_eq!(summary.rows, 200, "unanswered tasks keep their rows");
    assert_eq!(summary.missing_choices, 1);
    assert_eq!(
        summary.unreadable_choices,
        vec![ValueCount {
            value: "Neither".into(),
            count: 1
        }]
    );
    assert_eq!(
        summary.unknown_levels,
        vec![UnknownLevel {
            attribute: typo_attribute.into(),
            level: "Doctorr".into(),
            count: 1
        }]
    );
    // The respondent column defaults to Qualtrics' ResponseId; the skipped task's outcome is missing.
    assert_eq!(long.columns[0].name, "ResponseId");
    let ColumnValues::Number(chosen) = &long.column("chosen").unwrap().values else {
        panic!("chosen is numeric")
    };
    let first_task3: Vec<Option<f64>> = chosen[4..6].to_vec();
    assert_eq!(first_task3, vec![None, None]);
    assert_eq!(chosen.iter().filter(|c| c.is_none()).count(), 4);

    assert_eq!(
        reshape_conjoint(&read.table, None, &ConjointLayout::new("Choice{task}")).unwrap_err(),
        ReshapeError::NoAnswerColumn {
            pattern: "Choice{task}".into(),
            task: 1,
            column: "Choice1".into()
        }
    );
}

#[test]
fn answers_name_profiles_in_several_ways() {
    for (answer, profile) in [
        ("1", Some(1)),
        ("2", Some(2)),
        ("B", Some(2)),
        ("Profile 1", Some(1)),
        ("Candidate b", Some(2)),
        ("3", None),
        ("Neither", None),
        ("1.5", None),
    ] {
        assert_eq!(parse_choice(answer, 2), profile, "{answer}");
    }
}

#[test]
fn letters_ratings_and_a_varying_attribute_order_without_a_study() {
    // Two respondents, one task each; the second saw the attributes in the other order and did not
    // rate profile B. No ResponseId column, so rows are numbered.
    let csv = "Choice1,R1_1,R1_2,F-1-1,F-1-2,F-1-1-1,F-1-1-2,F-1-2-1,F-1-2-2\n\
B,3,6,Price,Brand,$10,Acme,$20,Zenith\n\
Option A,7,,Brand,Price,Acme,$30,Zenith,$10\n";
    let table = read(csv.as_bytes()).table;
    let layout = ConjointLayout {
        rating: Some("R{task}_{profile}".into()),
        ..ConjointLayout::new("Choice{task}")
    };
    let (long, summary) = reshape_conjoint(&table, None, &layout).unwrap();
    assert_eq!((summary.respondents, summary.rows), (2, 4));
    let text = |name: &str| match &long.column(name).unwrap().values {
        ColumnValues::Text(v) => v
            .iter()
            .map(|x| x.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        ColumnValues::Number(v) => v
            .iter()
            .map(|x| x.map_or(String::new(), |x| x.to_string()))
            .collect(),
    };
    assert_eq!(text("respondent"), ["1", "1", "2", "2"]);
    assert_eq!(text("Price"), ["$10", "$20", "$30", "$10"]);
    assert_eq!(text("Brand"), ["Acme", "Zenith", "Acme", "Zenith"]);
    assert_eq!(text("chosen"), ["0", "1", "1", "0"]);
    assert_eq!(text("rating"), ["3", "6", "7", ""]);
    assert_eq!(
        reshape_conjoint(
            &table,
            None,
            &ConjointLayout {
                rating: Some("R{task}".into()),
                ..ConjointLayout::new("Choice{task}")
            }
        )
        .unwrap_err(),
        ReshapeError::RatingPatternIncomplete("R{task}".into())
    );
}

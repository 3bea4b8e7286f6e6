//! Qualtrics .qsf in and out: the real Porter et al. (2016) survey and its human export, and
//! hand-written fixtures (from Qualtrics' documented format) for what it lacks.

use std::collections::BTreeMap;

use crate::support::cli::silico_text as silico;
use silico::data::{apply_mapping, auto_map, import_table, ImportOptions};
use silico::qualtrics_qsf::{export_qsf, import_qsf, QsfError};
use silico::study::{
    validate, ColumnValues, DisplayCondition, FlowElement, OptionOrder, Provenance, QuestionKind,
    ResponseSource, ResponseTable, Study,
};

const PORTER_QSF: &str = "qualtrics_porter2016_survey.qsf";
const PORTER_CSV: &str = "qualtrics_porter2016_responses.csv";

/// The shared data folder: `../shared/data` beside the main checkout, or two levels up from a
/// worktree such as `wt/qsf`.
fn data(name: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let near = root.join("../shared/data");
    let dir = if near.is_dir() {
        near
    } else {
        root.join("../../shared/data")
    };
    dir.join(name).display().to_string()
}
const LOGIC_QSF: &str = "tests/fixtures/qsf_logic.qsf";
const LOGIC_CSV: &str = "tests/fixtures/qsf_logic_responses.csv";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn porter() -> Study {
    let imported = import_qsf(&read(&data(PORTER_QSF))).expect("porter imports");
    assert!(imported.notes.is_empty(), "{:?}", imported.notes);
    imported.study
}

fn count_types(study: &Study) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for q in &study.survey.questions {
        *counts.entry(q.answer.type_name()).or_default() += 1;
    }
    counts
}

#[test]
fn porter_imports_and_validates() {
    let study = porter();
    assert_eq!(validate(&study), vec![]);
    let counts = count_types(&study);
    // 15 MC/SAVR, 1 MC/DL, 10 sliders, 3 text entries (2 with number validation), 5 descriptive.
    let expected: BTreeMap<&str, usize> = [
        ("single_choice", 15),
        ("dropdown", 1),
        ("slider", 10),
        ("numeric", 2),
        ("free_text", 1),
        ("descriptive", 5),
    ]
    .into_iter()
    .collect();
    assert_eq!(counts, expected);
    assert_eq!(study.survey.blocks.len(), 8, "9 blocks less the trash");
    // Questions follow the flow: consent first, the end message last.
    assert_eq!(study.survey.questions[0].id, "consent");
    assert!(study.survey.questions[0].required);
    assert_eq!(
        study.survey.questions.last().map(|q| q.id.as_str()),
        Some("Q33")
    );
    let warm = study
        .survey
        .questions
        .iter()
        .find(|q| q.id == "democrat_warm")
        .unwrap();
    match &warm.answer {
        QuestionKind::Slider {
            items,
            min,
            max,
            step,
        } => {
            assert_eq!((items.len(), *min, *max, *step), (1, 0.0, 100.0, 1.0));
            assert_eq!(items[0].id, "1");
        }
        other => panic!("democrat_warm is {other:?}"),
    }
    let age = study
        .survey
        .questions
        .iter()
        .find(|q| q.id == "age")
        .unwrap();
    assert!(matches!(
        age.answer,
        QuestionKind::Numeric {
            min: Some(1.0),
            max: Some(100.0),
            ..
        }
    ));
    assert!(
        !study.survey.questions[2].text.contains('<'),
        "HTML stripped"
    );
}

#[test]
fn porter_flow_has_the_consent_branch_and_the_even_one_of_four_randomiser() {
    let study = porter();
    let flow = &study.survey.flow;
    let branch = flow
        .iter()
        .find_map(|f| match f {
            FlowElement::Branch { condition, flow } => Some((condition, flow)),
            _ => None,
        })
        .expect("a branch");
    assert_eq!(
        branch.0,
        &DisplayCondition::Not {
            not: Box::new(DisplayCondition::answer_is("consent", vec!["1".into()]))
        }
    );
    assert_eq!(branch.1, &vec![FlowElement::EndSurvey]);
    let randomiser = flow
        .iter()
        .find_map(|f| match f {
            FlowElement::Randomizer {
                flow, show, even, ..
            } => Some((flow, *show, *even)),
            _ => None,
        })
        .expect("a randomiser");
    assert_eq!(
        (randomiser.0.len(), randomiser.1, randomiser.2),
        (4, Some(1), true)
    );
    let titles: Vec<&str> = randomiser
        .0
        .iter()
        .map(|f| match f {
            FlowElement::Block { block } => study
                .survey
                .blocks
                .iter()
                .find(|b| &b.id == block)
                .map_or("?", |b| b.title.as_str()),
            _ => "not a block",
        })
        .collect();
    assert_eq!(
        titles,
        [
            "RepFavorable",
            "RepUnfavorable",
            "DemFavorable",
            "DemUnfavorable"
        ]
    );
    // The branch comes right after the consent block, before anything else is asked.
    let consent_block = study
        .survey
        .blocks
        .iter()
        .find(|b| b.questions == ["consent"])
        .unwrap();
    assert_eq!(
        flow[1],
        FlowElement::Block {
            block: consent_block.id.clone()
        }
    );
    assert!(matches!(flow[2], FlowElement::Branch { .. }));
}

fn round_trip(study: &Study) -> Study {
    let export = export_qsf(study).expect("exports");
    let back = import_qsf(export.text.as_bytes()).expect("re-imports");
    assert!(back.notes.is_empty(), "{:?}", back.notes);
    back.study
}

#[test]
fn porter_round_trip_gives_the_same_survey() {
    let study = porter();
    let back = round_trip(&study);
    assert_eq!(back.survey.questions, study.survey.questions);
    assert_eq!(back.survey.blocks, study.survey.blocks);
    assert_eq!(back.survey.flow, study.survey.flow);
    assert_eq!(validate(&back), vec![]);
}

fn text_values(table: &ResponseTable, name: &str) -> Vec<Option<String>> {
    match &table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .values
    {
        ColumnValues::Text(v) => v.clone(),
        ColumnValues::Number(v) => v.iter().map(|x| x.map(|x| x.to_string())).collect(),
    }
}

/// Non-missing answers per (question, item) in the long table.
fn answered(long: &ResponseTable) -> BTreeMap<(String, String), usize> {
    let questions = text_values(long, "question");
    let items = long.column("item").map(|_| text_values(long, "item"));
    let answers = text_values(long, "answer");
    let mut out = BTreeMap::new();
    for r in 0..long.row_count() {
        let item = items
            .as_ref()
            .and_then(|i| i[r].clone())
            .unwrap_or_default();
        let key = (questions[r].clone().unwrap_or_default(), item);
        let n = out.entry(key).or_insert(0);
        if answers[r].is_some() {
            *n += 1;
        }
    }
    out
}

#[test]
fn porter_human_export_maps_onto_the_imported_study() {
    let study = porter();
    let imported = import_table(
        &read(&data(PORTER_CSV)),
        "human",
        ResponseSource::Human,
        Provenance::default(),
        &ImportOptions::default(),
    )
    .expect("the export reads");
    let mapping = auto_map(&imported.table, imported.qualtrics.as_ref(), &study.survey);
    // Every asked question has its column but the Prolific id, which the anonymised export drops.
    let asked: Vec<&str> = study
        .survey
        .questions
        .iter()
        .filter(|q| q.answer.is_asked())
        .map(|q| q.id.as_str())
        .collect();
    let unmapped: Vec<&str> = asked
        .iter()
        .copied()
        .filter(|id| !mapping.columns.iter().any(|c| c.question == *id))
        .collect();
    assert_eq!(unmapped, ["ID"]);
    let slider = mapping
        .columns
        .iter()
        .find(|c| c.column == "future_help1_1")
        .expect("slider sub-column");
    assert_eq!(
        (slider.question.as_str(), slider.item.as_deref()),
        ("future_help1", Some("1"))
    );
    let long = apply_mapping(
        &imported.table,
        &mapping,
        &study.survey,
        Provenance::default(),
    );
    assert_eq!(long.row_count(), 171 * mapping.columns.len());
    let counts = answered(&long);
    // Per question, as many answers as the CSV has non-empty cells in its column.
    for entry in &mapping.columns {
        let in_csv = text_values(&imported.table, &entry.column)
            .iter()
            .filter(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
            .count();
        let key = (
            entry.question.clone(),
            entry.item.clone().unwrap_or_default(),
        );
        assert_eq!(counts[&key], in_csv, "{}", entry.column);
    }
    // Each participant saw one of the four condition blocks: the likelyfriends columns add up to all.
    let seen: usize = (1..=4)
        .map(|k| counts[&(format!("likelyfriends{k}"), String::new())])
        .sum();
    assert_eq!(seen, 171);
}

fn logic_study() -> (Study, Vec<String>) {
    let imported = import_qsf(&read(LOGIC_QSF)).expect("fixture imports");
    let notes = imported.notes.iter().map(|n| n.to_string()).collect();
    (imported.study, notes)
}

#[test]
fn display_logic_matrix_rank_constant_sum_and_exclusive_options() {
    let (study, notes) = logic_study();
    assert_eq!(validate(&study), vec![]);
    let q = |id: &str| {
        study
            .survey
            .questions
            .iter()
            .find(|q| q.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    match &q("news").answer {
        QuestionKind::MultipleChoice { options, .. } => {
            assert!(
                options[3].exclusive && options[3].anchored,
                "None of these: exclusive, kept last"
            );
            assert!(!options[0].exclusive && !options[0].anchored);
        }
        other => panic!("news is {other:?}"),
    }
    assert_eq!(q("news").option_order, OptionOrder::Shuffle);
    match &q("trust").answer {
        QuestionKind::Matrix { items, scale, .. } => {
            assert_eq!(items.len(), 3);
            assert_eq!(scale, &["Not at all", "A little", "Somewhat", "A lot"]);
        }
        other => panic!("trust is {other:?}"),
    }
    assert_eq!(
        q("trust").display_if,
        Some(DisplayCondition::Not {
            not: Box::new(DisplayCondition::answer_is("news", vec!["4".into()]))
        })
    );
    assert!(
        matches!(q("rank_sources").answer, QuestionKind::Ranking { ref options, top_k: None } if options.len() == 3)
    );
    // "1 Or 2 And trust row 2 = A lot": And binds first.
    let Some(DisplayCondition::Any { any }) = &q("rank_sources").display_if else {
        panic!("{:?}", q("rank_sources").display_if)
    };
    assert_eq!(
        any[0],
        DisplayCondition::answer_is("news", vec!["1".into()])
    );
    let DisplayCondition::All { all } = &any[1] else {
        panic!("{:?}", any[1])
    };
    assert_eq!(all.len(), 2);
    assert!(
        matches!(&all[1], DisplayCondition::Answer(a) if a.question == "trust" && a.item.as_deref() == Some("2") && a.value == Some(4.0))
    );
    assert!(
        matches!(q("time_split").answer, QuestionKind::ConstantSum { total, .. } if total == 100.0)
    );
    assert!(
        q("time_split").text.ends_with("You chose {{news}}."),
        "{}",
        q("time_split").text
    );
    assert!(q("party").text.contains("{{embedded.arm}}"));
    match &q("party").answer {
        QuestionKind::SingleChoice { options } => {
            let codes: Vec<&str> = options.iter().map(|o| o.code.as_str()).collect();
            assert_eq!(codes, ["10", "20", "99"], "recode values are the codes");
        }
        other => panic!("party is {other:?}"),
    }
    assert!(
        matches!(&q("party").display_if, Some(DisplayCondition::Embedded(e)) if e.embedded == "arm")
    );
    assert!(
        matches!(&q("close_dem").answer, QuestionKind::Slider { items, max, step, .. } if items.len() == 2 && *max == 10.0 && *step == 1.0)
    );
    // What was left out, with the element and the reason.
    assert!(study.survey.questions.iter().all(|q| q.id != "heat"));
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("SurveyElements[6] (QID5): unknown question type \"HeatMap\"")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("FL_4") && n.contains("WebService")),
        "{notes:?}"
    );
}

#[test]
fn logic_fixture_round_trips() {
    let (study, _) = logic_study();
    let back = round_trip(&study);
    assert_eq!(back.survey.questions, study.survey.questions);
    assert_eq!(back.survey.flow, study.survey.flow);
}

#[test]
fn three_header_row_export_maps_sub_columns() {
    let (study, _) = logic_study();
    let imported = import_table(
        &read(LOGIC_CSV),
        "human",
        ResponseSource::Human,
        Provenance::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(imported.qualtrics.is_some(), "three header rows read");
    assert_eq!(imported.table.row_count(), 3);
    let mapping = auto_map(&imported.table, imported.qualtrics.as_ref(), &study.survey);
    assert_eq!(
        mapping.columns.len(),
        16,
        "{:?}",
        mapping
            .columns
            .iter()
            .map(|c| &c.column)
            .collect::<Vec<_>>()
    );
    assert_eq!(mapping.respondent.as_deref(), Some("ResponseId"));
    let long = apply_mapping(
        &imported.table,
        &mapping,
        &study.survey,
        Provenance::default(),
    );
    let counts = answered(&long);
    let key = |q: &str, i: &str| (q.to_string(), i.to_string());
    assert_eq!(counts[&key("news", "4")], 1, "R_2 chose None of these");
    assert_eq!(counts[&key("trust", "2")], 2);
    assert_eq!(counts[&key("rank_sources", "1")], 1);
    assert_eq!(counts[&key("time_split", "3")], 2);
    assert_eq!(counts[&key("party", "")], 3);
    // Values: the matrix's scale point, the rank, the party's recode value.
    let answers = text_values(&long, "answer");
    let questions = text_values(&long, "question");
    let items = text_values(&long, "item");
    let find = |q: &str, i: Option<&str>| {
        (0..long.row_count())
            .find(|&r| questions[r].as_deref() == Some(q) && items[r].as_deref() == i)
            .and_then(|r| answers[r].clone())
    };
    assert_eq!(find("trust", Some("2")).as_deref(), Some("4"));
    assert_eq!(find("rank_sources", Some("3")).as_deref(), Some("3"));
    assert_eq!(find("party", None).as_deref(), Some("10"));
    assert_eq!(find("news", Some("1")).as_deref(), Some("1"));
}

#[test]
fn not_json_and_not_a_survey_are_errors_naming_the_place() {
    assert!(matches!(
        import_qsf(b"{\"SurveyEntry\": "),
        Err(QsfError::NotJson { line: 1, .. })
    ));
    assert_eq!(
        import_qsf(b"{\"SurveyEntry\": {}}"),
        Err(QsfError::NoSurveyElements)
    );
    let no_code = br#"{"SurveyElements": [{"Element": "BL", "Payload": []}, {"Payload": {}}]}"#;
    let error = import_qsf(no_code).unwrap_err();
    assert_eq!(
        error,
        QsfError::Element {
            index: 1,
            reason: "has no \"Element\" code (SQ, BL, FL, …)".into()
        }
    );
    assert!(error.to_string().starts_with("SurveyElements[1]: "));
}

#[test]
fn a_condition_naming_a_missing_question_is_a_validation_problem_with_its_path() {
    let text = String::from_utf8(read(LOGIC_QSF)).unwrap().replace(
        "\"QuestionID\": \"QID6\", \"ChoiceLocator\": \"q://QID6/",
        "\"QuestionID\": \"QID99\", \"ChoiceLocator\": \"q://QID99/",
    );
    let imported = import_qsf(text.as_bytes()).expect("imports");
    let problems: Vec<String> = validate(&imported.study)
        .iter()
        .map(|p| p.to_string())
        .collect();
    let index = imported
        .study
        .survey
        .questions
        .iter()
        .position(|q| q.id == "close_dem")
        .unwrap();
    assert_eq!(
        problems,
        [format!(
            "survey.questions[{index}].display_if.not.question: no question with id \"QID99\""
        )]
    );
}

#[test]
fn cli_import_export_and_responses() {
    let dir = std::env::temp_dir().join(format!("silico-qsf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).display().to_string();
    let (code, _, err) = silico(&["import-qsf", LOGIC_QSF, "--out", &path("logic.json")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("SurveyElements[6] (QID5): unknown question type \"HeatMap\""),
        "{err}"
    );
    let (code, _, err) = silico(&[
        "export-qsf",
        &path("logic.json"),
        "--out",
        &path("logic.qsf"),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = silico(&[
        "import",
        LOGIC_CSV,
        "--study",
        &path("logic.json"),
        "--out",
        &path("long.csv"),
    ]);
    assert_eq!(code, 0, "{err}");
    let long = std::fs::read_to_string(path("long.csv")).unwrap();
    assert!(
        long.starts_with("ResponseId,question,item,answer\n"),
        "{long}"
    );
    assert!(long.contains("R_1,trust,2,4\n"), "{long}");
    // Bad input: not JSON, and a response export of another survey.
    std::fs::write(path("bad.qsf"), "not json").unwrap();
    let (code, _, err) = silico(&["import-qsf", &path("bad.qsf"), "--out", &path("bad.json")]);
    assert_eq!(code, 2);
    assert!(err.contains("not JSON (line 1"), "{err}");
    std::fs::write(path("other.csv"), "a,b\n1,2\n").unwrap();
    let (code, _, err) = silico(&[
        "import",
        &path("other.csv"),
        "--study",
        &path("logic.json"),
        "--out",
        &path("x.csv"),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("none of its 2 columns matches a question of the study"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

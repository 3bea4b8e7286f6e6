//! Study-library operations: nothing an import, rename or duplicate does may overwrite another study.

use silico::study::library::*;
use silico::study::*;

const NOW: &str = "2026-11-26T12:00:00.000Z";

#[test]
fn a_new_study_is_valid_and_named() {
    let study = new_study(id_from_bits(7), "  My study ", NOW);
    assert!(validate(&study).is_empty());
    assert_eq!(study.metadata.name, "My study");
    assert_eq!(study.id, "study-0000000000000007");
    assert_eq!(study.metadata.created, NOW);
}

#[test]
fn rename_refuses_an_empty_name_and_keeps_the_old_one() {
    let mut study = new_study("a".into(), "Old", "t0");
    assert_eq!(rename(&mut study, "   ", NOW), Err(RenameError::EmptyName));
    assert_eq!(study.metadata.name, "Old");
    rename(&mut study, "New", NOW).unwrap();
    assert_eq!(
        (
            study.metadata.name.as_str(),
            study.metadata.modified.as_str()
        ),
        ("New", NOW)
    );
}

#[test]
fn duplicate_gets_a_new_id_and_a_distinct_name() {
    let study = new_study("a".into(), "Survey", "t0");
    let names = vec!["Survey".to_string(), "Survey (copy)".to_string()];
    let copy = duplicate(&study, "b".into(), &names, NOW);
    assert_eq!(copy.id, "b");
    assert_eq!(copy.metadata.name, "Survey (copy) 2");
    assert_eq!(copy.survey, study.survey);
}

#[test]
fn importing_a_study_whose_id_exists_never_replaces_it() {
    let existing = new_study("same".into(), "Study", "t0");
    let incoming = new_study("same".into(), "Study", "t1");
    let admitted = admit_import(
        incoming,
        std::slice::from_ref(&existing.id),
        std::slice::from_ref(&existing.metadata.name),
        || "fresh".into(),
    );
    assert_eq!(admitted.id, "fresh");
    assert_eq!(admitted.metadata.name, "Study (imported)");
}

#[test]
fn importing_a_new_id_keeps_it() {
    let incoming = new_study("new".into(), "Other", "t1");
    let admitted = admit_import(
        incoming,
        &["old".into()],
        &["Other".into()],
        || unreachable!(),
    );
    assert_eq!(admitted.id, "new");
    assert_eq!(admitted.metadata.name, "Other 2");
}

#[test]
fn summaries_count_what_a_study_holds() {
    let study = parse_study(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/full-study.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let summary = StudySummary::of(&study);
    assert_eq!(
        (summary.questions, summary.attributes, summary.response_rows),
        (8, 3, 3)
    );
}

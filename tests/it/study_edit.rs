//! Designer edits keep the study valid and its rules pointing at the right attributes and levels.

use silico::study::edit::*;
use silico::study::library::new_study;
use silico::study::{validate, Conjoint, LevelSet, Study};

fn set(attribute: &str, levels: &[&str]) -> LevelSet {
    LevelSet {
        attribute: attribute.into(),
        levels: levels.iter().map(|l| l.to_string()).collect(),
    }
}

fn immigration_like() -> Conjoint {
    let mut c = new_conjoint();
    add_attribute(&mut c, "Job").unwrap();
    add_attribute(&mut c, "Education").unwrap();
    rename_level(&mut c, 0, 0, "Doctor").unwrap();
    rename_level(&mut c, 0, 1, "Janitor").unwrap();
    rename_level(&mut c, 1, 0, "No Formal").unwrap();
    rename_level(&mut c, 1, 1, "College").unwrap();
    add_restriction(
        &mut c,
        set("Job", &["Doctor"]),
        set("Education", &["No Formal"]),
    )
    .unwrap();
    c.randomisation.order_groups = vec![vec!["Job".into(), "Education".into()]];
    c
}

fn valid(conjoint: &Conjoint) -> Study {
    let mut study = new_study("s".into(), "S", "t");
    study.conjoint = Some(conjoint.clone());
    let problems = validate(&study);
    assert!(problems.is_empty(), "{problems:?}");
    study
}

#[test]
fn a_conjoint_built_by_edits_is_valid() {
    valid(&immigration_like());
}

#[test]
fn renames_follow_into_restrictions_and_groups() {
    let mut c = immigration_like();
    rename_attribute(&mut c, 0, "Occupation").unwrap();
    rename_level(&mut c, 1, 0, "None at all").unwrap();
    assert_eq!(c.restrictions[0].exclude[0], set("Occupation", &["Doctor"]));
    assert_eq!(
        c.restrictions[0].exclude[1],
        set("Education", &["None at all"])
    );
    assert_eq!(c.randomisation.order_groups[0][0], "Occupation");
    valid(&c);
}

#[test]
fn removals_drop_the_rules_that_named_them() {
    let mut c = immigration_like();
    add_level(&mut c, 1).unwrap();
    remove_level(&mut c, 1, 0).unwrap();
    assert!(
        c.restrictions.is_empty(),
        "the restriction lost its only Education level"
    );
    assert_eq!(
        remove_level(&mut c, 1, 0),
        Err(EditError::TooFewLevels("Education".into()))
    );
    remove_attribute(&mut c, 0).unwrap();
    assert!(c.randomisation.order_groups.is_empty());
    valid(&c);
}

#[test]
fn duplicates_and_bad_values_are_refused_without_changing_anything() {
    let mut c = immigration_like();
    let before = c.clone();
    assert_eq!(
        add_attribute(&mut c, "Job"),
        Err(EditError::DuplicateAttribute("Job".into()))
    );
    assert_eq!(
        rename_attribute(&mut c, 1, " Job "),
        Err(EditError::DuplicateAttribute("Job".into()))
    );
    assert!(matches!(
        rename_level(&mut c, 0, 1, "Doctor"),
        Err(EditError::DuplicateLevel { .. })
    ));
    assert_eq!(set_weight(&mut c, 0, 0, 0.0), Err(EditError::BadWeight));
    assert_eq!(
        set_weight(&mut c, 0, 0, f64::NAN),
        Err(EditError::BadWeight)
    );
    assert_eq!(
        add_restriction(&mut c, set("Job", &["Doctor"]), set("Job", &["Janitor"])),
        Err(EditError::BadRestriction)
    );
    assert_eq!(
        add_restriction(
            &mut c,
            set("Job", &["Pilot"]),
            set("Education", &["College"])
        ),
        Err(EditError::BadRestriction)
    );
    assert_eq!(add_attribute(&mut c, "  "), Err(EditError::EmptyName));
    assert_eq!(c, before);
}

#[test]
fn structural_edits_discard_a_stored_design() {
    let mut c = immigration_like();
    c.tasks = vec![silico::study::DesignedTask {
        respondent: 1,
        task: 1,
        attribute_order: vec![0, 1],
        profiles: vec![vec![1, 1], vec![0, 1]],
        repeats: None,
    }];
    move_attribute(&mut c, 0, 1).unwrap();
    assert!(c.tasks.is_empty());
    assert_eq!(c.attributes[0].name, "Education");
    move_attribute(&mut c, 0, -1).unwrap();
    assert_eq!(
        c.attributes[0].name, "Education",
        "moving past the top is a no-op"
    );
}

#[test]
fn a_new_restriction_keeps_the_attributes_level_order() {
    let mut c = immigration_like();
    // Ticked College first, then No Formal: stored (and listed) as the attribute orders them.
    add_restriction(
        &mut c,
        set("Job", &["Janitor", "Doctor"]),
        set("Education", &["College", "No Formal"]),
    )
    .unwrap();
    let added = c.restrictions.last().unwrap();
    assert_eq!(added.exclude[0].levels, ["Doctor", "Janitor"]);
    assert_eq!(added.exclude[1].levels, ["No Formal", "College"]);
}

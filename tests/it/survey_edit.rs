//! Survey edits keep ids, codes and conditions consistent, and every result is a valid study.

use silico::study::library::new_study;
use silico::study::survey_edit::*;
use silico::study::{validate, QuestionKind, Survey};

fn assert_valid(survey: &Survey) {
    let mut study = new_study("s".into(), "S", "t");
    study.survey = survey.clone();
    let problems = validate(&study);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn every_question_type_can_be_added_and_is_valid() {
    let mut survey = Survey::default();
    for (type_name, _) in QUESTION_TYPES {
        add_question(&mut survey, type_name).unwrap();
    }
    assert_eq!(survey.questions.len(), 7);
    assert_eq!(survey.questions[6].id, "Q7");
    assert_valid(&survey);
    assert_eq!(
        add_question(&mut survey, "essay"),
        Err(SurveyEditError::UnknownType("essay".into()))
    );
}

#[test]
fn rewording_options_keeps_their_codes() {
    let mut survey = Survey::default();
    add_question(&mut survey, "single_choice").unwrap();
    set_lines(&mut survey, 0, "Democrat\nRepublican\nIndependent\n\nOther").unwrap();
    let codes = |s: &Survey| {
        s.questions[0]
            .answer
            .options()
            .unwrap()
            .iter()
            .map(|o| (o.code.clone(), o.label.clone()))
            .collect::<Vec<_>>()
    };
    let before = codes(&survey);
    assert_eq!(before.len(), 4);
    set_lines(
        &mut survey,
        0,
        "Democrat\nRepublican\nIndependent\nSomething else",
    )
    .unwrap();
    let after = codes(&survey);
    assert_eq!(
        after[3].0, before[3].0,
        "a reworded option in place keeps its code"
    );
    set_lines(
        &mut survey,
        0,
        "Republican\nDemocrat\nIndependent\nSomething else",
    )
    .unwrap();
    let swapped = codes(&survey);
    assert_eq!(
        swapped[0],
        before[1].clone(),
        "a moved option keeps its code"
    );
    let mut all: Vec<_> = swapped.iter().map(|(c, _)| c.clone()).collect();
    all.dedup();
    assert_eq!(all.len(), 4);
    assert_valid(&survey);
}

#[test]
fn conditions_follow_renames_and_disappear_with_their_question() {
    let mut study = new_study("s".into(), "S", "t");
    add_question(&mut study.survey, "single_choice").unwrap();
    add_question(&mut study.survey, "free_text").unwrap();
    set_condition(&mut study.survey, 1, Some((0, vec!["1".into()]))).unwrap();
    set_id(&mut study, 0, "party").unwrap();
    assert_eq!(
        study.survey.questions[1]
            .display_if
            .as_ref()
            .unwrap()
            .questions(),
        vec!["party"]
    );
    assert_valid(&study.survey);
    assert_eq!(
        set_condition(&mut study.survey, 0, Some((1, vec!["x".into()]))),
        Err(SurveyEditError::BadCondition)
    );
    assert_eq!(
        set_id(&mut study, 1, "party"),
        Err(SurveyEditError::DuplicateId("party".into()))
    );
    assert_eq!(
        set_id(&mut study, 1, "2x"),
        Err(SurveyEditError::BadId("2x".into()))
    );
    remove_question(&mut study, 0).unwrap();
    assert!(study.survey.questions[0].display_if.is_none());
    assert_valid(&study.survey);
}

#[test]
fn the_twins_questions_follow_renames_and_removals() {
    let mut study = new_study("s".into(), "S", "t");
    for _ in 0..3 {
        add_question(&mut study.survey, "scale").unwrap();
    }
    study.fielding.ask_only = vec!["Q1".into(), "Q3".into()];
    set_id(&mut study, 0, "trust").unwrap();
    assert_eq!(study.fielding.ask_only, ["trust", "Q3"]);
    remove_question(&mut study, 2).unwrap();
    assert_eq!(study.fielding.ask_only, ["trust"]);
    assert!(validate(&study).is_empty(), "{:?}", validate(&study));
    // The last one stays: with no target left the twins would be asked every question.
    assert_eq!(
        remove_question(&mut study, 0),
        Err(SurveyEditError::LastTwinQuestion("trust".into()))
    );
    assert_eq!(study.survey.questions.len(), 2);
    assert_eq!(study.fielding.ask_only, ["trust"]);
    // A question the twins are not asked can go.
    remove_question(&mut study, 1).unwrap();
    assert_eq!(study.survey.questions.len(), 1);
    assert_eq!(
        remove_question(&mut study, 5),
        Err(SurveyEditError::NoQuestion(5))
    );
}

#[test]
fn changing_type_keeps_options_where_it_can() {
    let mut survey = Survey::default();
    add_question(&mut survey, "single_choice").unwrap();
    set_lines(&mut survey, 0, "Low\nMedium\nHigh").unwrap();
    set_anchored(&mut survey, 0, "3", true).unwrap();
    set_type(&mut survey, 0, "ranking").unwrap();
    let options = survey.questions[0].answer.options().unwrap();
    assert_eq!(
        options.iter().map(|o| o.label.as_str()).collect::<Vec<_>>(),
        ["Low", "Medium", "High"]
    );
    assert!(options[2].anchored);
    set_type(&mut survey, 0, "scale").unwrap();
    assert!(
        matches!(&survey.questions[0].answer, QuestionKind::Scale { labels, .. } if labels.len() == 3)
    );
    assert_eq!(
        lines_of(&survey.questions[0].answer).unwrap(),
        "Low\nMedium\nHigh"
    );
    assert_valid(&survey);
}

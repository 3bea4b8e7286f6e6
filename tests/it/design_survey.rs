//! Survey randomisation per respondent: reproducible, anchors stay put, every order occurs,
//! conditions and piping work.

use std::collections::{HashMap, HashSet};

use silico::design::survey_for_respondent;
use silico::study::parse_study;

fn fixture_survey() -> silico::study::Survey {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/full-study.json"
    );
    parse_study(&std::fs::read(path).unwrap()).unwrap().survey
}

fn none() -> HashMap<String, String> {
    HashMap::new()
}

#[test]
fn the_same_respondent_sees_the_same_survey() {
    let survey = fixture_survey();
    for r in 1..20 {
        assert_eq!(
            survey_for_respondent(&survey, r, 9, &none(), &none()),
            survey_for_respondent(&survey, r, 9, &none(), &none())
        );
    }
}

#[test]
fn shuffled_options_keep_anchors_and_cover_every_order() {
    let survey = fixture_survey();
    let mut orders = HashSet::new();
    for r in 1..=600 {
        let shown = survey_for_respondent(&survey, r, 1, &none(), &none());
        let party = shown.iter().find(|q| q.id == "party").unwrap();
        let codes: Vec<&str> = party.options.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes[3], "O", "the anchored 'Other' stays last");
        orders.insert(codes.join(""));
    }
    assert_eq!(
        orders.len(),
        6,
        "all 3! orders of the free options occur: {orders:?}"
    );
}

#[test]
fn reversed_scales_are_reversed_for_about_half() {
    let survey = fixture_survey();
    let reversed = (1..=1000)
        .filter(|&r| {
            let shown = survey_for_respondent(&survey, r, 5, &none(), &none());
            shown.iter().find(|q| q.id == "trust").unwrap().options[0].1 == "A lot"
        })
        .count();
    assert!(
        (400..=600).contains(&reversed),
        "{reversed} of 1000 reversed"
    );
}

#[test]
fn block_order_is_randomised_when_asked() {
    let survey = fixture_survey();
    let firsts: HashSet<String> = (1..=50)
        .map(|r| {
            survey_for_respondent(&survey, r, 2, &none(), &none())[0]
                .id
                .clone()
        })
        .collect();
    assert!(
        firsts.contains("party") && firsts.contains("news"),
        "{firsts:?}"
    );
}

#[test]
fn conditions_and_piping_use_known_answers() {
    let survey = fixture_survey();
    let persona: HashMap<String, String> = [("name".to_string(), "Ada".to_string())].into();
    let democrat: HashMap<String, String> = [("party".to_string(), "D".to_string())].into();
    let shown = survey_for_respondent(&survey, 1, 3, &democrat, &persona);
    let lean = shown.iter().find(|q| q.id == "lean").unwrap();
    assert!(!lean.shown, "lean is only for independents and others");
    assert_eq!(
        lean.condition.as_deref(),
        Some("shown if party is one of I, O")
    );
    let trust = shown.iter().find(|q| q.id == "trust").unwrap();
    assert_eq!(trust.text, "How much do you trust Ada's newspaper?");
    let unknown = survey_for_respondent(&survey, 1, 3, &none(), &none());
    assert!(
        unknown.iter().find(|q| q.id == "lean").unwrap().shown,
        "unknown answers do not hide questions"
    );
    assert!(
        unknown
            .iter()
            .find(|q| q.id == "trust")
            .unwrap()
            .text
            .contains("{{persona.name}}"),
        "unknown fields stay visible"
    );
}

//! The bundled examples carry the real human data, unchanged, with their provenance.

use crate::support::repo;
use silico::data::{read_delimited, ReadOptions};
use silico::study::*;

#[test]
fn the_example_index_lists_loadable_studies() {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo("public/examples/index.json")).unwrap())
            .unwrap();
    let entries = index.as_array().unwrap();
    assert!(!entries.is_empty());
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let study = parse_study(&std::fs::read(repo(&format!("public/examples/{file}"))).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(study.metadata.name, entry["name"].as_str().unwrap());
    }
}

#[test]
fn the_immigration_example_holds_the_cregg_data_cell_for_cell() {
    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let human = &study.results[0];
    assert_eq!(human.source, ResponseSource::Human);
    assert!(human.provenance.citation.contains("doi:10.1093/pan/mpt024"));
    assert_eq!(human.row_count(), 13_960);

    let shared = repo("../shared/data/cregg_immigration.csv");
    let csv = std::fs::read(if shared.exists() {
        shared
    } else {
        repo("public/examples/data/cregg_immigration.csv")
    })
    .unwrap();
    let original = read_delimited(
        &csv,
        "x",
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(original.columns.len(), human.columns.len());
    for (ours, theirs) in human.columns.iter().zip(&original.columns) {
        assert_eq!(ours.name, theirs.name);
        assert_eq!(ours.values, theirs.values, "column {}", ours.name);
    }
    // "None" is a real JobExperience level, not a missing value.
    let ColumnValues::Text(experience) = &human.column("JobExperience").unwrap().values else {
        panic!("JobExperience is text")
    };
    assert!(experience.iter().all(Option::is_some));
    assert!(experience.iter().any(|v| v.as_deref() == Some("None")));
    // One chosen profile per choice set: 6,980 choices.
    let ColumnValues::Number(chosen) = &human.column("ChosenImmigrant").unwrap().values else {
        panic!("ChosenImmigrant is numeric")
    };
    assert_eq!(chosen.iter().flatten().sum::<f64>(), 6_980.0);
    let roles: Vec<(String, ColumnRole)> = human
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.role))
        .collect();
    assert!(roles.contains(&("CaseID".into(), ColumnRole::Respondent)));
    assert!(roles.contains(&("ChosenImmigrant".into(), ColumnRole::Outcome)));
    assert!(roles.contains(&("Job".into(), ColumnRole::Attribute)));
}

#[test]
fn the_copied_csv_is_byte_identical_to_the_source() {
    let shared = repo("../shared/data/cregg_immigration.csv");
    if shared.exists() {
        assert_eq!(
            std::fs::read(shared).unwrap(),
            std::fs::read(repo("public/examples/data/cregg_immigration.csv")).unwrap()
        );
    }
}

#[test]
fn the_restrictions_list_and_the_diagnostics_name_levels_in_one_order() {
    // The example's file lists CountryOfOrigin's levels alphabetically (France, Germany, India…),
    // not in the attribute's order (India, Germany, France…): the Design tab's list and the
    // diagnostics' table of restricted combinations used to disagree.
    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let conjoint = study.conjoint.unwrap();
    let tasks = silico::design::generate(&conjoint, 5, 1).unwrap();
    let diagnostics = silico::design::diagnose(&conjoint, &tasks).unwrap();
    assert_eq!(diagnostics.restricted.len(), conjoint.restrictions.len());
    for (restriction, cells) in conjoint.restrictions.iter().zip(&diagnostics.restricted) {
        assert_eq!(
            silico::design::describe_restriction(&conjoint, restriction),
            cells.description
        );
    }
    let country = silico::design::describe_restriction(&conjoint, &conjoint.restrictions[1]);
    assert!(
        country.contains("CountryOfOrigin ∈ {India, Germany, France, Mexico, Philippines, Poland}"),
        "{country}"
    );
}

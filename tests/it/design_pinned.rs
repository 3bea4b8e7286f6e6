//! Pins the generator's output for fixed seeds. The same file runs natively and in wasm
//! (`wasm-bindgen-test`), so equal digests here mean byte-identical designs on both.
//! A change to a digest changes every design researchers have generated: make it deliberately.

use silico::design::{generate_with, long_csv, Options, Strategy};
use silico::study::{
    Attribute, AttributeOrder, Conjoint, Level, LevelSet, Randomisation, Restriction,
};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn attribute(name: &str, weights: &[f64]) -> Attribute {
    Attribute {
        name: name.into(),
        levels: weights
            .iter()
            .enumerate()
            .map(|(i, &weight)| Level {
                name: format!("{name}{i}"),
                weight,
                value: None,
            })
            .collect(),
    }
}

fn sample() -> Conjoint {
    let set = |attribute: &str, levels: &[&str]| LevelSet {
        attribute: attribute.into(),
        levels: levels.iter().map(|l| l.to_string()).collect(),
    };
    Conjoint {
        attributes: vec![
            attribute("A", &[1.0, 1.0, 1.0]),
            attribute("B", &[1.0, 2.0, 1.0, 1.0]),
            attribute("C", &[1.0, 1.0]),
            attribute("D", &[3.0, 1.0, 1.0]),
        ],
        restrictions: vec![
            Restriction {
                exclude: vec![set("A", &["A0"]), set("B", &["B1", "B2"])],
            },
            Restriction {
                exclude: vec![set("C", &["C1"]), set("D", &["D0"])],
            },
        ],
        profiles_per_task: 2,
        tasks_per_respondent: 5,
        none_option: false,
        outcome: Default::default(),
        randomisation: Randomisation {
            attribute_order: AttributeOrder::PerRespondent,
            order_groups: vec![vec!["C".into(), "A".into()]],
            ..Default::default()
        },
        repeated_task: None,
        prompt: String::new(),
        tasks: vec![],
    }
}

/// FNV-1a, written out so the digest itself is platform-independent.
fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn csv_for(strategy: Strategy) -> String {
    let options = Options {
        strategy: Some(strategy),
        ..Options::new(3, 7)
    };
    let design = generate_with(&sample(), &options).unwrap();
    long_csv(&sample(), &design.tasks).unwrap()
}

#[test]
fn random_design_for_seed_7_is_pinned() {
    let csv = csv_for(Strategy::Random);
    assert_eq!(csv.lines().count(), 1 + 3 * 5 * 2 * 4);
    assert_eq!(digest(&csv), 17305084209587674863, "{csv}");
}

#[test]
fn balanced_design_for_seed_7_is_pinned() {
    assert_eq!(digest(&csv_for(Strategy::Balanced)), 15142522537846746441);
}

#[test]
fn efficient_design_for_seed_7_is_pinned() {
    assert_eq!(digest(&csv_for(Strategy::Efficient)), 13999416046755760703);
}

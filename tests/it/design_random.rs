//! Properties of randomised designs: reproducible, restrictions never broken, weights respected,
//! impossible specifications refused with a message naming the culprit.

use proptest::prelude::*;
use silico::design::{generate, generate_with, long_csv, DesignError, Options, Strategy};
use silico::study::{
    Attribute, AttributeOrder, Conjoint, Level, LevelSet, Randomisation, RepeatedTask, Restriction,
};

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

fn rule(a: &str, a_levels: &[usize], b: &str, b_levels: &[usize]) -> Restriction {
    Restriction {
        exclude: vec![
            LevelSet {
                attribute: a.into(),
                levels: a_levels.iter().map(|l| format!("{a}{l}")).collect(),
            },
            LevelSet {
                attribute: b.into(),
                levels: b_levels.iter().map(|l| format!("{b}{l}")).collect(),
            },
        ],
    }
}

fn conjoint(attributes: Vec<Attribute>, restrictions: Vec<Restriction>) -> Conjoint {
    Conjoint {
        attributes,
        restrictions,
        profiles_per_task: 2,
        tasks_per_respondent: 5,
        none_option: false,
        outcome: Default::default(),
        randomisation: Randomisation::default(),
        repeated_task: None,
        prompt: String::new(),
        tasks: vec![],
    }
}

fn sample() -> Conjoint {
    let mut c = conjoint(
        vec![
            attribute("A", &[1.0, 1.0, 1.0]),
            attribute("B", &[1.0, 2.0, 1.0, 1.0]),
            attribute("C", &[1.0, 1.0]),
            attribute("D", &[3.0, 1.0, 1.0]),
        ],
        vec![rule("A", &[0], "B", &[1, 2]), rule("C", &[1], "D", &[0])],
    );
    c.randomisation.attribute_order = AttributeOrder::PerRespondent;
    c.randomisation.order_groups = vec![vec!["C".into(), "A".into()]];
    c
}

#[test]
fn same_seed_gives_the_same_design_and_csv() {
    for strategy in [Strategy::Random, Strategy::Balanced, Strategy::Efficient] {
        let options = Options {
            strategy: Some(strategy),
            ..Options::new(50, 42)
        };
        let a = generate_with(&sample(), &options).unwrap();
        let b = generate_with(&sample(), &options).unwrap();
        assert_eq!(a, b, "{strategy:?}");
        assert_eq!(
            long_csv(&sample(), &a.tasks).unwrap(),
            long_csv(&sample(), &b.tasks).unwrap()
        );
        let other = generate_with(
            &sample(),
            &Options {
                seed: 43,
                ..options
            },
        )
        .unwrap();
        assert_ne!(a.tasks, other.tasks, "{strategy:?}");
    }
}

#[test]
fn respondent_designs_do_not_depend_on_sample_size() {
    let small = generate(&sample(), 10, 5).unwrap();
    let large = generate(&sample(), 100, 5).unwrap();
    assert_eq!(small[..], large[..small.len()]);
}

#[test]
fn no_profile_breaks_a_restriction_and_groups_stay_together() {
    for strategy in [Strategy::Random, Strategy::Balanced, Strategy::Efficient] {
        let options = Options {
            strategy: Some(strategy),
            ..Options::new(400, 9)
        };
        let design = generate_with(&sample(), &options).unwrap();
        for task in &design.tasks {
            assert_ne!(task.profiles[0], task.profiles[1], "identical profiles");
            for p in &task.profiles {
                assert!(
                    !(p[0] == 0 && (p[1] == 1 || p[1] == 2)),
                    "{strategy:?} {p:?}"
                );
                assert!(!(p[2] == 1 && p[3] == 0), "{strategy:?} {p:?}");
            }
            let c = task.attribute_order.iter().position(|&a| a == 2).unwrap();
            assert_eq!(task.attribute_order[c + 1], 0, "group C, A split");
        }
    }
}

#[test]
fn balanced_designs_use_levels_evenly_with_little_overlap() {
    let c = conjoint(
        vec![
            attribute("A", &[1.0; 3]),
            attribute("B", &[1.0; 4]),
            attribute("C", &[1.0; 2]),
        ],
        vec![],
    );
    let options = Options {
        strategy: Some(Strategy::Balanced),
        ..Options::new(60, 1)
    };
    let design = generate_with(&c, &options).unwrap();
    let mut counts = [[0u32; 4]; 3];
    for task in &design.tasks {
        for a in 0..3 {
            assert_ne!(
                task.profiles[0][a], task.profiles[1][a],
                "overlap on attribute {a}"
            );
        }
        for p in &task.profiles {
            for a in 0..3 {
                counts[a][p[a] as usize] += 1;
            }
        }
    }
    for (a, levels) in [3usize, 4, 2].iter().enumerate() {
        let used = &counts[a][..*levels];
        let (min, max) = (used.iter().min().unwrap(), used.iter().max().unwrap());
        assert!(max - min <= 1, "attribute {a}: {used:?}");
    }
}

#[test]
fn repeated_task_copies_with_swapped_profiles() {
    let mut c = sample();
    c.repeated_task = Some(RepeatedTask {
        copy_of: 2,
        swap_profiles: true,
    });
    let tasks = generate(&c, 3, 11).unwrap();
    assert_eq!(tasks.len(), 3 * 6);
    for respondent in tasks.chunks(6) {
        let (original, copy) = (&respondent[1], &respondent[5]);
        assert_eq!(copy.task, 6);
        assert_eq!(copy.repeats, Some(2));
        assert_eq!(copy.attribute_order, original.attribute_order);
        assert_eq!(copy.profiles[0], original.profiles[1]);
        assert_eq!(copy.profiles[1], original.profiles[0]);
    }
}

#[test]
fn impossible_specifications_are_named() {
    let base = || {
        conjoint(
            vec![attribute("A", &[1.0, 1.0]), attribute("B", &[1.0, 1.0])],
            vec![],
        )
    };

    let mut c = base();
    c.restrictions = vec![rule("A", &[0, 1], "B", &[0, 1])];
    let err = generate(&c, 10, 1).unwrap_err();
    assert!(matches!(err, DesignError::RuleExcludesAll { .. }), "{err}");
    assert!(
        err.to_string().contains("conjoint.restrictions[0]"),
        "{err}"
    );

    let mut c = base();
    c.restrictions = vec![rule("A", &[0], "B", &[0, 1]), rule("A", &[1], "B", &[0, 1])];
    let err = generate(&c, 10, 1).unwrap_err();
    assert!(
        matches!(
            err,
            DesignError::LevelExcluded { .. } | DesignError::AllExcluded { .. }
        ),
        "{err}"
    );

    let mut c = base();
    c.restrictions = vec![rule("A", &[0], "B", &[0, 1])];
    let err = generate(&c, 10, 1).unwrap_err();
    assert!(
        err.to_string().contains("\"A0\"") && err.to_string().contains("\"A\""),
        "{err}"
    );

    let mut c = base();
    c.attributes[1]
        .levels
        .iter_mut()
        .for_each(|l| l.weight = 0.0);
    let err = generate(&c, 10, 1).unwrap_err();
    assert_eq!(
        err,
        DesignError::ZeroWeights {
            attribute: "B".into()
        }
    );

    let mut c = base();
    c.tasks_per_respondent = 0;
    assert_eq!(generate(&c, 10, 1).unwrap_err(), DesignError::ZeroTasks);

    let mut c = base();
    c.profiles_per_task = 5;
    let err = generate(&c, 10, 1).unwrap_err();
    assert_eq!(
        err,
        DesignError::TooFewDistinctProfiles {
            needed: 5,
            available: 4
        }
    );

    let mut c = base();
    c.restrictions = vec![rule("A", &[0], "Z", &[0])];
    assert!(generate(&c, 10, 1)
        .unwrap_err()
        .to_string()
        .contains("\"Z\""));

    let mut c = base();
    c.attributes[0].levels[0].weight = f64::NAN;
    assert!(matches!(
        generate(&c, 10, 1).unwrap_err(),
        DesignError::BadWeight { .. }
    ));

    assert_eq!(
        generate(&base(), 0, 1).unwrap_err(),
        DesignError::ZeroRespondents
    );
}

#[test]
fn a_nearly_impossible_specification_stops_instead_of_hanging() {
    // 12 attributes of 4 levels; only profiles with level 0 everywhere except the last attribute
    // are allowed: 4 of 16.7 million, far too rare to draw by chance.
    let attributes: Vec<Attribute> = (0..12)
        .map(|i| attribute(&format!("X{i}"), &[1.0; 4]))
        .collect();
    let restrictions = (0..11)
        .map(|i| {
            rule(
                &format!("X{i}"),
                &[1, 2, 3],
                &format!("X{}", i + 1),
                &[0, 1, 2, 3],
            )
        })
        .collect();
    let c = conjoint(attributes, restrictions);
    let started = std::time::Instant::now();
    let err = generate(&c, 1, 1).unwrap_err();
    assert!(
        matches!(
            err,
            DesignError::SamplingStuck { .. } | DesignError::LevelExcluded { .. }
        ),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 30);
}

/// Wilson–Hilferty upper quantile of chi-square at p = 1e-6 (conservative enough for a test that
/// runs hundreds of cases).
fn chi_square_limit(df: usize) -> f64 {
    let k = df as f64;
    let z = 4.753;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

fn chi_square(counts: &[u64], expected_shares: &[f64]) -> f64 {
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .zip(expected_shares)
        .map(|(&c, &p)| {
            let e = p * n as f64;
            (c as f64 - e).powi(2) / e
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Level frequencies follow the weights.
    #[test]
    fn level_frequencies_follow_weights(
        seed in any::<u64>(),
        weights in prop::collection::vec(0.2f64..5.0, 2..6),
    ) {
        let mut c = conjoint(vec![attribute("W", &weights), attribute("V", &[1.0, 1.0, 1.0])], vec![]);
        c.randomisation.no_identical_profiles = false;
        let tasks = generate(&c, 400, seed).unwrap();
        let mut counts = vec![0u64; weights.len()];
        for task in &tasks {
            for p in &task.profiles {
                counts[p[0] as usize] += 1;
            }
        }
        let total: f64 = weights.iter().sum();
        let shares: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let stat = chi_square(&counts, &shares);
        prop_assert!(stat < chi_square_limit(weights.len() - 1), "chi2 {stat} counts {counts:?} weights {weights:?}");
    }

    /// With restrictions, the design follows the weights conditional on the allowed profiles
    /// (exact rejection sampling), computed here by enumerating the small profile space.
    #[test]
    fn restricted_frequencies_follow_conditional_weights(
        seed in any::<u64>(),
        wa in prop::collection::vec(0.2f64..5.0, 3..4),
        wb in prop::collection::vec(0.2f64..5.0, 3..4),
    ) {
        let mut c = conjoint(
            vec![attribute("A", &wa), attribute("B", &wb)],
            vec![rule("A", &[0], "B", &[1, 2]), rule("A", &[2], "B", &[0])],
        );
        c.randomisation.no_identical_profiles = false;
        let tasks = generate(&c, 400, seed).unwrap();
        let allowed = |a: usize, b: usize| !((a == 0 && b != 0) || (a == 2 && b == 0));
        let mut counts = [0u64; 9];
        for task in &tasks {
            for p in &task.profiles {
                prop_assert!(allowed(p[0] as usize, p[1] as usize));
                counts[(p[0] * 3 + p[1]) as usize] += 1;
            }
        }
        let mut shares = vec![0.0; 9];
        for a in 0..3 {
            for b in 0..3 {
                if allowed(a, b) {
                    shares[a * 3 + b] = wa[a] * wb[b];
                }
            }
        }
        let total: f64 = shares.iter().sum();
        let (observed, expected): (Vec<u64>, Vec<f64>) = counts
            .iter()
            .zip(&shares)
            .filter(|(_, &s)| s > 0.0)
            .map(|(&c, &s)| (c, s / total))
            .unzip();
        let stat = chi_square(&observed, &expected);
        prop_assert!(stat < chi_square_limit(observed.len() - 1), "chi2 {stat}");
    }
}

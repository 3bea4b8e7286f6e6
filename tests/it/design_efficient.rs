//! D-efficient designs: better than random ones by their own measure, reproducible, and refused
//! with a clear message when they cannot identify the model.

use silico::design::{diagnose, generate_with, DesignError, EfficientSettings, Options, Strategy};
use silico::study::{Attribute, Conjoint, DesignStrategy, Level, Randomisation};

fn study(choice_sets: u32, prior_sds: Vec<f64>) -> Conjoint {
    let attributes = (0..4)
        .map(|i| Attribute {
            name: format!("X{i}"),
            levels: (0..3)
                .map(|l| Level {
                    name: format!("x{i}-{l}"),
                    weight: 1.0,
                    value: None,
                })
                .collect(),
        })
        .collect();
    Conjoint {
        attributes,
        restrictions: vec![],
        profiles_per_task: 2,
        tasks_per_respondent: 8,
        none_option: false,
        outcome: Default::default(),
        randomisation: Randomisation {
            strategy: DesignStrategy::DEfficient {
                choice_sets,
                prior_means: vec![],
                prior_sds,
            },
            ..Default::default()
        },
        repeated_task: None,
        prompt: String::new(),
        tasks: vec![],
    }
}

fn quick() -> EfficientSettings {
    EfficientSettings {
        starts: 6,
        polish: 2,
        prior_draws: 30,
        max_passes: 20,
    }
}

#[test]
fn efficient_design_beats_random_designs() {
    let conjoint = study(8, vec![]);
    let options = Options {
        efficient: quick(),
        ..Options::new(1, 3)
    };
    let efficient = generate_with(&conjoint, &options).unwrap();
    let reached = efficient.d_error.unwrap();
    // The same D-error measured by the diagnostics (zero priors, the 8 distinct sets).
    let measured = diagnose(&conjoint, &efficient.tasks)
        .unwrap()
        .d_error
        .unwrap();
    assert!(
        (measured - reached).abs() < 1e-9 * reached,
        "{measured} vs {reached}"
    );
    for seed in 0..10 {
        let random = generate_with(
            &conjoint,
            &Options {
                strategy: Some(Strategy::Random),
                ..Options::new(1, seed)
            },
        )
        .unwrap();
        if let Some(d) = diagnose(&conjoint, &random.tasks).unwrap().d_error {
            assert!(reached < d, "random seed {seed}: {d} ≤ {reached}");
        }
    }
}

#[test]
fn bayesian_search_is_reproducible_and_rotates_sets_over_respondents() {
    let conjoint = study(16, vec![0.5; 8]);
    let options = Options {
        efficient: quick(),
        ..Options::new(4, 9)
    };
    let a = generate_with(&conjoint, &options).unwrap();
    assert_eq!(a, generate_with(&conjoint, &options).unwrap());
    // 16 sets, 8 tasks: respondents 1 and 3 see the first block, 2 and 4 the second.
    assert_eq!(a.tasks[0].profiles, a.tasks[16].profiles);
    assert_ne!(a.tasks[0].profiles, a.tasks[8].profiles);
}

#[test]
fn too_few_choice_sets_are_refused() {
    let err = generate_with(&study(4, vec![]), &Options::new(1, 1)).unwrap_err();
    assert_eq!(
        err,
        DesignError::NotIdentified {
            choice_sets: 4,
            alternatives: 2,
            parameters: 8,
            needed: 8
        }
    );
    assert!(err.to_string().contains("at least 8 choice sets"), "{err}");
    let err = generate_with(&study(8, vec![0.5; 3]), &Options::new(1, 1)).unwrap_err();
    assert!(matches!(err, DesignError::PriorLength { .. }), "{err}");
}

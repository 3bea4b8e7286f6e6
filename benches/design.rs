//! Design benchmarks (`cargo bench --bench design`), with the targets:
//! - fully randomised, 10,000 respondents × 10 tasks × 2 profiles × 8 attributes, 5 restrictions:
//!   under 100 ms native;
//! - D-efficient, 6 attributes × 3 levels, 12 choice sets × 3 alternatives, 100 prior draws:
//!   within 1% of the best of 20 long runs, in under 2 s.
//!
//! `cargo bench --bench design -- quick` skips the 20 long runs.

use std::time::{Duration, Instant};

use silico::design::{generate_with, long_csv, EfficientSettings, Options, Strategy};
use silico::study::{
    Attribute, Conjoint, DesignStrategy, Level, LevelSet, Randomisation, Restriction,
};

fn attribute(name: &str, levels: usize) -> Attribute {
    Attribute {
        name: name.into(),
        levels: (0..levels)
            .map(|i| Level {
                name: format!("{name} level {i}"),
                weight: 1.0 + (i % 3) as f64 * 0.5,
                value: None,
            })
            .collect(),
    }
}

fn exclude(a: &str, la: &[usize], b: &str, lb: &[usize]) -> Restriction {
    let set = |name: &str, levels: &[usize]| LevelSet {
        attribute: name.into(),
        levels: levels.iter().map(|l| format!("{name} level {l}")).collect(),
    };
    Restriction {
        exclude: vec![set(a, la), set(b, lb)],
    }
}

fn conjoint(
    attributes: Vec<Attribute>,
    restrictions: Vec<Restriction>,
    tasks: u32,
    profiles: u32,
) -> Conjoint {
    Conjoint {
        attributes,
        restrictions,
        profiles_per_task: profiles,
        tasks_per_respondent: tasks,
        none_option: false,
        outcome: Default::default(),
        randomisation: Randomisation::default(),
        repeated_task: None,
        prompt: String::new(),
        tasks: vec![],
    }
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

fn random_design() {
    let levels = [2, 3, 4, 5, 6, 3, 4, 7];
    let attributes = levels
        .iter()
        .enumerate()
        .map(|(i, &n)| attribute(&format!("A{i}"), n))
        .collect();
    let restrictions = vec![
        exclude("A1", &[0], "A2", &[1, 2]),
        exclude("A3", &[4], "A4", &[0]),
        exclude("A4", &[5], "A7", &[6, 5]),
        exclude("A0", &[1], "A6", &[3]),
        exclude("A5", &[2], "A2", &[0]),
    ];
    let study = conjoint(attributes, restrictions, 10, 2);
    let options = Options::new(10_000, 2024);
    let (time, design) = best_of(7, || generate_with(&study, &options).expect("design"));
    let profiles: usize = design.tasks.iter().map(|t| t.profiles.len()).sum();
    println!(
        "random design: 10,000 respondents × 10 tasks × 2 profiles × 8 attributes, 5 restrictions: \
         {:.1} ms (best of 7; {profiles} profiles; target < 100 ms)",
        time.as_secs_f64() * 1e3
    );
    let (time, csv) = best_of(3, || long_csv(&study, &design.tasks).expect("csv"));
    println!(
        "  long CSV export of it: {:.1} ms ({:.1} MB)",
        time.as_secs_f64() * 1e3,
        csv.len() as f64 / 1e6
    );
}

fn efficient_study() -> Conjoint {
    let attributes = (0..6).map(|i| attribute(&format!("E{i}"), 3)).collect();
    let mut study = conjoint(attributes, vec![], 12, 3);
    // Priors as a researcher might state them: level 1 and 2 better than the baseline, uncertain.
    let prior_means: Vec<f64> = (0..6).flat_map(|_| [0.4, 0.8]).collect();
    study.randomisation.strategy = DesignStrategy::DEfficient {
        choice_sets: 12,
        prior_means,
        prior_sds: vec![0.5; 12],
    };
    study
}

fn efficient_design(quick: bool) {
    let study = efficient_study();
    let options = Options {
        strategy: Some(Strategy::Efficient),
        ..Options::new(12, 7)
    };
    let (time, design) = best_of(3, || {
        generate_with(&study, &options).expect("efficient design")
    });
    let reached = design.d_error.expect("a D-error");
    println!(
        "D-efficient design: 6 attributes × 3 levels, 12 sets × 3 alternatives, 100 prior draws: \
         {:.0} ms, Bayesian D-error {reached:.6} (default settings: {:?}; target < 2 s)",
        time.as_secs_f64() * 1e3,
        EfficientSettings::default()
    );
    if quick {
        return;
    }
    let long = EfficientSettings {
        starts: 100,
        polish: 10,
        max_passes: 200,
        ..EfficientSettings::default()
    };
    let started = Instant::now();
    let best = (0..20)
        .map(|run| {
            let options = Options {
                strategy: Some(Strategy::Efficient),
                efficient: long,
                ..Options::new(12, 1000 + run)
            };
            generate_with(&study, &options)
                .expect("long run")
                .d_error
                .expect("a D-error")
        })
        .fold(f64::INFINITY, f64::min);
    println!(
        "  best of 20 long runs (100 starts, 10 polished, each; {:.0} s): {best:.6}; default run is {:+.2}% from it (target within 1%)",
        started.elapsed().as_secs_f64(),
        (reached / best - 1.0) * 100.0
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    random_design();
    efficient_design(quick);
}

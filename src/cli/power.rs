//! `silico power --amce 0.05 --levels 5 --power 0.8` (analytic, cjpowR), and with `--study` a
//! power curve by simulation for the study's actual design.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::design::study_with_conjoint;
use super::EXIT_BAD_INPUT;
use crate::design::{
    cjpowr_amce, cjpowr_power, simulate_power, Options, PowerResult, PowerSimulation, Strategy,
};

#[derive(Args, Debug)]
pub struct PowerArgs {
    /// The expected AMCE (difference in choice probability, e.g. 0.05).
    #[arg(long, allow_negative_numbers = true)]
    pub amce: f64,
    /// Number of levels of the attribute.
    #[arg(long, default_value_t = 2)]
    pub levels: u32,
    /// Desired power: prints the required effective sample size.
    #[arg(long, conflicts_with = "n")]
    pub power: Option<f64>,
    /// Effective sample size (respondents × tasks × profiles): prints the power.
    #[arg(long)]
    pub n: Option<f64>,
    /// Significance level (two-sided).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Share of profiles with the level of interest, as in cjpowR.
    #[arg(long, default_value_t = 0.5)]
    pub treat_prob: f64,
    /// Tasks per respondent, to turn n into respondents.
    #[arg(long)]
    pub tasks: Option<u32>,
    /// Profiles per task, to turn n into respondents.
    #[arg(long)]
    pub profiles: Option<u32>,
    /// Simulate power for this study's design instead (needs --attribute, --level, --respondents).
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// The attribute whose level has the AMCE (simulation).
    #[arg(long, requires = "study")]
    pub attribute: Option<String>,
    /// The level with the AMCE against the attribute's baseline (simulation).
    #[arg(long, requires = "study")]
    pub level: Option<String>,
    /// Numbers of respondents for the power curve, e.g. 250,500,1000 (simulation).
    #[arg(long, value_delimiter = ',', requires = "study")]
    pub respondents: Vec<u32>,
    /// Simulated data sets per number of respondents.
    #[arg(long, default_value_t = 200)]
    pub replications: u32,
    /// Seed of the design and the simulation; default: the study's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Design strategy for the simulation; default: the study's.
    #[arg(long, value_enum)]
    pub strategy: Option<Strategy>,
}

pub fn run(args: &PowerArgs) -> ExitCode {
    if args.study.is_some() {
        return simulate(args);
    }
    let result = match (args.power, args.n) {
        (Some(power), None) => {
            cjpowr_amce(args.amce, power, args.levels, args.alpha, args.treat_prob)
        }
        (None, Some(n)) => cjpowr_power(args.amce, n, args.levels, args.alpha, args.treat_prob),
        _ => {
            eprintln!("error: give --power (for the required n) or --n (for the power)");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    match result {
        Ok(result) => {
            print!("{}", describe(&result, args.tasks, args.profiles));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn describe(result: &PowerResult, tasks: Option<u32>, profiles: Option<u32>) -> String {
    let mut out = format!(
        "n = {:.3}\npower = {:.4}\namce = {}\nlevels = {}\nalpha = {}\ntype S error = {:.3e}\n\
         expected type M error (exaggeration ratio) = {:.4}\n",
        result.n,
        result.power,
        result.amce,
        result.levels,
        result.alpha,
        result.type_s,
        result.exaggeration
    );
    out.push_str("(n is the effective sample size: respondents × tasks × profiles)\n");
    if let (Some(t), Some(p)) = (tasks, profiles) {
        if t > 0 && p > 0 {
            let respondents = result.n / f64::from(t * p);
            out.push_str(&format!(
                "respondents with {t} tasks × {p} profiles = {:.1} (at least {})\n",
                respondents,
                respondents.ceil()
            ));
        }
    }
    out
}

fn simulate(args: &PowerArgs) -> ExitCode {
    let Some(path) = &args.study else {
        return ExitCode::from(EXIT_BAD_INPUT);
    };
    let (Some(attribute), Some(level)) = (&args.attribute, &args.level) else {
        eprintln!("error: a simulation needs --attribute and --level");
        return ExitCode::from(EXIT_BAD_INPUT);
    };
    let (_, conjoint) = match study_with_conjoint(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let conjoint = &conjoint;
    let options = Options {
        strategy: args.strategy,
        ..Options::new(1, args.seed.unwrap_or(conjoint.randomisation.seed))
    };
    let simulation = PowerSimulation {
        attribute: attribute.clone(),
        level: level.clone(),
        amce: args.amce,
        respondents: args.respondents.clone(),
        replications: args.replications,
        alpha: args.alpha,
    };
    match simulate_power(conjoint, &options, &simulation) {
        Ok(points) => {
            println!("respondents,power,mean_estimate,mean_std_error");
            for p in points {
                println!(
                    "{},{:.4},{:.5},{:.5}",
                    p.respondents, p.power, p.mean_estimate, p.mean_std_error
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

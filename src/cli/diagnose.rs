//! `silico diagnose STUDY.json --respondents N --seed S`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::design::{conjoint_of, StrategyArg};
use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::design::{diagnose, generate_with, Options, Strategy};

#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    /// The study file (JSON) with a conjoint.
    pub study: PathBuf,
    /// Number of respondents to design for.
    #[arg(long)]
    pub respondents: u32,
    /// Seed of the design; default: the study's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Design strategy; default: the study's.
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// Also print the joint frequency table of every attribute pair.
    #[arg(long)]
    pub pairs: bool,
    /// Print the diagnostics as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DiagnoseArgs) -> ExitCode {
    let study = match load_study(&args.study) {
        Ok(study) => study,
        Err(error) => return report_load_error(&error),
    };
    let conjoint = match conjoint_of(&study) {
        Ok(conjoint) => conjoint,
        Err(code) => return code,
    };
    let options = Options {
        strategy: args.strategy.map(Strategy::from),
        ..Options::new(
            args.respondents,
            args.seed.unwrap_or(conjoint.randomisation.seed),
        )
    };
    let report = generate_with(conjoint, &options)
        .and_then(|design| Ok((diagnose(conjoint, &design.tasks)?, design)));
    let (diagnostics, design) = match report {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&diagnostics) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", diagnostics.to_text(args.pairs));
        if let Some(d) = design.d_error {
            println!("D-error the D-efficient search reached (its priors): {d:.6}");
        }
    }
    ExitCode::SUCCESS
}

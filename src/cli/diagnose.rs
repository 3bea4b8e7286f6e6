//! `silico diagnose STUDY.json --respondents N --seed S`

use std::process::ExitCode;

use clap::Args;

use super::design::{study_with_conjoint, DesignChoice};
use super::EXIT_BAD_INPUT;
use crate::design::{diagnose, generate_with};

#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub design: DesignChoice,
    /// Also print the joint frequency table of every attribute pair.
    #[arg(long)]
    pub pairs: bool,
    /// Print the diagnostics as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DiagnoseArgs) -> ExitCode {
    let (_, conjoint) = match study_with_conjoint(&args.design.study) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let conjoint = &conjoint;
    let report = generate_with(conjoint, &args.design.options(conjoint))
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

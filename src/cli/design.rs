//! `silico design STUDY.json --respondents N --seed S [--strategy random|balanced|efficient] --out DESIGN.csv`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::design::{generate_with, long_csv, wide_csv, EfficientSettings, Options, Strategy};
use crate::study::{Conjoint, Study};

#[derive(Args, Debug)]
pub struct DesignArgs {
    /// The study file (JSON) with a conjoint.
    pub study: PathBuf,
    /// Number of respondents to design for.
    #[arg(long)]
    pub respondents: u32,
    /// Seed of the design; the same study and seed give the same design. Default: the study's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Design strategy; default: the study's.
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// Where to write the design (CSV); default: standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write one row per profile (attributes as columns, `<attribute>.rowpos` positions) instead
    /// of the long format `respondent,task,profile,attribute,level,position`.
    #[arg(long)]
    pub wide: bool,
    /// Also write the Qualtrics randomiser (JavaScript writing F-task-profile-attribute embedded data)
    /// for fielding this conjoint to people.
    #[arg(long, value_name = "FILE.js")]
    pub qualtrics: Option<PathBuf>,
    /// Random starts of the D-efficient search (more: slower, sometimes better).
    #[arg(long, default_value_t = EfficientSettings::default().starts)]
    pub starts: u32,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyArg {
    /// Fully randomised with weights and restrictions.
    Random,
    /// Balanced, minimal-overlap randomisation.
    Balanced,
    /// A D-efficient fixed design for the multinomial logit.
    Efficient,
}

impl From<StrategyArg> for Strategy {
    fn from(value: StrategyArg) -> Self {
        match value {
            StrategyArg::Random => Strategy::Random,
            StrategyArg::Balanced => Strategy::Balanced,
            StrategyArg::Efficient => Strategy::Efficient,
        }
    }
}

/// The study's conjoint, or a message for a study without one.
pub(super) fn conjoint_of(study: &Study) -> Result<&Conjoint, ExitCode> {
    study.conjoint.as_ref().ok_or_else(|| {
        eprintln!("error: the study has no conjoint, so there is nothing to design");
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

pub fn run(args: &DesignArgs) -> ExitCode {
    let study = match load_study(&args.study) {
        Ok(study) => study,
        Err(error) => return report_load_error(&error),
    };
    let conjoint = match conjoint_of(&study) {
        Ok(conjoint) => conjoint,
        Err(code) => return code,
    };
    if let Some(path) = &args.qualtrics {
        let script = match crate::design::qualtrics_randomiser(conjoint, &study.metadata.name) {
            Ok(script) => script,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        };
        if let Err(error) = std::fs::write(path, script) {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let options = Options {
        strategy: args.strategy.map(Strategy::from),
        efficient: EfficientSettings {
            starts: args.starts,
            ..EfficientSettings::default()
        },
        ..Options::new(
            args.respondents,
            args.seed.unwrap_or(conjoint.randomisation.seed),
        )
    };
    let design = match generate_with(conjoint, &options) {
        Ok(design) => design,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let csv = if args.wide {
        wide_csv(conjoint, &design.tasks)
    } else {
        long_csv(conjoint, &design.tasks)
    };
    let csv = match csv {
        Ok(csv) => csv,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match &args.out {
        None => print!("{csv}"),
        Some(path) => {
            if let Err(error) = std::fs::write(path, &csv) {
                eprintln!("error: cannot write {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            eprintln!(
                "wrote {} tasks ({} respondents, {:?} design) to {}",
                design.tasks.len(),
                args.respondents,
                design.strategy,
                path.display()
            );
        }
    }
    if let Some(d) = design.d_error {
        eprintln!("D-error of the fixed design: {d:.6}");
    }
    ExitCode::SUCCESS
}

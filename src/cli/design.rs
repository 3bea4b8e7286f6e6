//! `silico design STUDY.json --respondents N --seed S [--strategy random|balanced|efficient] --out DESIGN.csv`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::design::{generate_with, long_csv, wide_csv, EfficientSettings, Options, Strategy};
use crate::study::{Conjoint, Study};

/// The design to build: the study, how many respondents, the seed and the strategy (shared by
/// `design` and `diagnose`, so both build the same design from the same words).
#[derive(Args, Debug)]
pub struct DesignChoice {
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
    pub strategy: Option<Strategy>,
}

impl DesignChoice {
    /// The generator's options for `conjoint`.
    pub fn options(&self, conjoint: &Conjoint) -> Options {
        Options {
            strategy: self.strategy,
            ..Options::new(
                self.respondents,
                self.seed.unwrap_or(conjoint.randomisation.seed),
            )
        }
    }
}

#[derive(Args, Debug)]
pub struct DesignArgs {
    #[command(flatten)]
    pub design: DesignChoice,
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

/// The study at `path` with its conjoint, or the exit code after saying why not (the study did
/// not load, or it has no conjoint to design).
pub(super) fn study_with_conjoint(path: &Path) -> Result<(Study, Conjoint), ExitCode> {
    let mut study = load_study(path).map_err(|error| report_load_error(&error))?;
    let conjoint = study.conjoint.take().ok_or_else(|| {
        eprintln!("error: the study has no conjoint, so there is nothing to design");
        ExitCode::from(EXIT_BAD_INPUT)
    })?;
    Ok((study, conjoint))
}

pub fn run(args: &DesignArgs) -> ExitCode {
    let (study, conjoint) = match study_with_conjoint(&args.design.study) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let conjoint = &conjoint;
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
        efficient: EfficientSettings {
            starts: args.starts,
            ..EfficientSettings::default()
        },
        ..args.design.options(conjoint)
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
                args.design.respondents,
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

//! `silico import-sdt FILE.sdt --out STUDY.json`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::EXIT_BAD_INPUT;
use crate::design::study_from_sdt;
use crate::study::{validate, write_study};

#[derive(Args, Debug)]
pub struct ImportSdtArgs {
    /// A Conjoint Survey Design Tool design file (.sdt).
    pub file: PathBuf,
    /// Where to write the study (JSON); default: standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The study id; default: the file name without its extension.
    #[arg(long)]
    pub id: Option<String>,
    /// The study name; default: the id.
    #[arg(long)]
    pub name: Option<String>,
}

pub fn run(args: &ImportSdtArgs) -> ExitCode {
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", args.file.display());
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let stem = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "imported-design".into());
    let id = args.id.clone().unwrap_or(stem);
    let name = args.name.clone().unwrap_or_else(|| id.clone());
    let study = match study_from_sdt(&bytes, &id, &name) {
        Ok(study) => study,
        Err(error) => {
            eprintln!("error: {}: {error}", args.file.display());
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    // The tool allows things a silico study does not (e.g. a level with probability 0): say so.
    let problems = validate(&study);
    if !problems.is_empty() {
        eprintln!("error: the imported design is not a valid study:");
        for problem in problems {
            println!("{problem}");
        }
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let mut json = write_study(&study);
    json.push('\n');
    match &args.out {
        None => print!("{json}"),
        Some(path) => {
            if let Err(error) = std::fs::write(path, json) {
                eprintln!("error: cannot write {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            let conjoint = study.conjoint.as_ref();
            eprintln!(
                "wrote {} ({} attributes, {} restrictions)",
                path.display(),
                conjoint.map_or(0, |c| c.attributes.len()),
                conjoint.map_or(0, |c| c.restrictions.len())
            );
        }
    }
    ExitCode::SUCCESS
}

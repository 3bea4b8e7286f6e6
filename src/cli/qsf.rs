//! `silico import-qsf SURVEY.qsf --out STUDY.json` and `silico export-qsf STUDY.json --out SURVEY.qsf`:
//! Qualtrics survey files in and out, through [`crate::qualtrics_qsf`] (the page uses the same
//! functions).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::qualtrics_qsf::{export_qsf, import_qsf};
use crate::study::{validate, write_study};

#[derive(Args, Debug)]
pub struct ImportQsfArgs {
    /// The Qualtrics survey file (.qsf, JSON; Survey → Tools → Import/Export → Export Survey).
    pub file: PathBuf,
    /// Where to write the study (JSON).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ExportQsfArgs {
    /// The study file (JSON).
    pub study: PathBuf,
    /// Where to write the Qualtrics survey file (.qsf).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run_import(args: &ImportQsfArgs) -> ExitCode {
    let shown = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: cannot read {shown}: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let imported = match import_qsf(&bytes) {
        Ok(imported) => imported,
        Err(error) => {
            eprintln!("error: {shown}: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let study = &imported.study;
    let mut json = write_study(study);
    json.push('\n');
    if let Err(error) = std::fs::write(&args.out, json) {
        eprintln!("error: cannot write {}: {error}", args.out.display());
        return ExitCode::FAILURE;
    }
    let asked = study
        .survey
        .questions
        .iter()
        .filter(|q| q.answer.is_asked())
        .count();
    eprintln!(
        "wrote {} ({} questions, {} of them asked; {} blocks; {} flow elements)",
        args.out.display(),
        study.survey.questions.len(),
        asked,
        study.survey.blocks.len(),
        study.survey.flow.len()
    );
    if imported.notes.is_empty() {
        eprintln!("everything was imported");
    } else {
        eprintln!("not imported ({}):", imported.notes.len());
        for note in &imported.notes {
            eprintln!("  {note}");
        }
    }
    // Written either way, so nothing is lost; the problems say what to fix in it.
    let problems = validate(study);
    if !problems.is_empty() {
        eprintln!("error: the imported survey is not a valid study yet:");
        for problem in problems {
            println!("{problem}");
        }
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    ExitCode::SUCCESS
}

pub fn run_export(args: &ExportQsfArgs) -> ExitCode {
    let study = match load_study(&args.study) {
        Ok(study) => study,
        Err(error) => return report_load_error(&error),
    };
    let export = match export_qsf(&study) {
        Ok(export) => export,
        Err(error) => {
            eprintln!("error: {}: {error}", args.study.display());
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    if let Err(error) = std::fs::write(&args.out, &export.text) {
        eprintln!("error: cannot write {}: {error}", args.out.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {} ({} questions)",
        args.out.display(),
        study.survey.questions.len()
    );
    for note in &export.notes {
        eprintln!("  note: {note}");
    }
    ExitCode::SUCCESS
}

//! `silico validate STUDY.json`

use std::path::Path;
use std::process::ExitCode;

use super::{load_study, report_load_error};

pub fn run(path: &Path) -> ExitCode {
    match load_study(path) {
        Ok(_) => {
            eprintln!("{}: valid", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => report_load_error(&error),
    }
}

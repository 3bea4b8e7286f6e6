//! `silico add-table STUDY.json DATA.csv --name NAME --source human|llm|simulated --out OUT.json`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::data::{attach_table, parse_role, read_delimited, ReadOptions};
use crate::study::{validate, write_study, Provenance, ResponseSource};

#[derive(Args, Debug)]
pub struct AddTableArgs {
    /// The study to add the table to.
    pub study: PathBuf,
    /// A CSV, TSV or semicolon-separated file with a header row, in long format (the delimiter is
    /// detected; --tsv insists on tabs).
    pub data: PathBuf,
    /// Name of the table inside the study (e.g. `human`).
    #[arg(long)]
    pub name: String,
    /// Who answered: human, llm or simulated.
    #[arg(long, default_value = "human")]
    pub source: String,
    /// Where the data come from, in words (kept with the table as provenance).
    #[arg(long)]
    pub description: String,
    #[arg(long, default_value = "")]
    pub citation: String,
    #[arg(long, default_value = "")]
    pub license: String,
    /// Column roles, e.g. `--role CaseID=respondent --role ChosenImmigrant=outcome`. Columns named like a
    /// conjoint attribute get the `attribute` role automatically.
    #[arg(long = "role", value_name = "COLUMN=ROLE")]
    pub roles: Vec<String>,
    /// The file is tab-separated.
    #[arg(long)]
    pub tsv: bool,
    /// Cells that mean "missing" besides the empty cell (repeatable). Default: NA.
    #[arg(long = "missing", value_name = "CODE")]
    pub missing: Vec<String>,
    /// Where to write the study with the table added.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &AddTableArgs) -> ExitCode {
    let mut study = match load_study(&args.study) {
        Ok(study) => study,
        Err(error) => return report_load_error(&error),
    };
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(EXIT_BAD_INPUT)
    };
    let source = match args.source.as_str() {
        "human" => ResponseSource::Human,
        "llm" => ResponseSource::Llm,
        "simulated" => ResponseSource::Simulated,
        other => return fail(format!("--source {other:?}: use human, llm or simulated")),
    };
    let bytes = match std::fs::read(&args.data) {
        Ok(bytes) => bytes,
        Err(e) => return fail(format!("cannot read {}: {e}", args.data.display())),
    };
    let mut options = ReadOptions::default();
    if args.tsv {
        options.delimiter = Some(b'\t');
    }
    if !args.missing.is_empty() {
        options.missing = args.missing.clone();
    }
    let provenance = Provenance {
        description: args.description.clone(),
        source_file: args
            .data
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        citation: args.citation.clone(),
        license: args.license.clone(),
        collected: String::new(),
    };
    let table = match read_delimited(&bytes, &args.name, source, provenance, &options) {
        Ok(table) => table,
        Err(e) => return fail(format!("{}: {e}", args.data.display())),
    };
    let mut roles = Vec::new();
    for spec in &args.roles {
        let Some((column, role)) = spec.split_once('=') else {
            return fail(format!("--role {spec:?}: write COLUMN=ROLE"));
        };
        match parse_role(role) {
            Ok(role) => roles.push((column.to_string(), role)),
            Err(e) => return fail(format!("--role {spec:?}: {e}")),
        }
    }
    if let Err(e) = attach_table(&mut study, table, &roles) {
        return fail(format!("{}: {e}", args.data.display()));
    }
    let problems = validate(&study);
    if !problems.is_empty() {
        for problem in problems {
            println!("{problem}");
        }
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if let Err(e) = std::fs::write(&args.out, write_study(&study)) {
        return fail(format!("cannot write {}: {e}", args.out.display()));
    }
    ExitCode::SUCCESS
}

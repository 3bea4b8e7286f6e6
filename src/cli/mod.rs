//! The `silico` command-line tool: the same engine as the page, from a terminal.

mod add_table;
mod amce;
mod anova;
mod batch;
mod bench;
mod bench_import;
mod clogit;
mod compare;
mod compare_amce;
mod compare_survey;
mod design;
mod diagnose;
mod failure;
mod field;
mod files;
mod import;
mod import_sdt;
mod info;
mod mm;
mod plot;
mod power;
mod qsf;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::study::{parse_study, Study, StudyError};

/// Exit code for a study or input the user must fix (invalid, unreadable, wrong format).
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "silico",
    version,
    about = "Design surveys and conjoint studies, field them to LLM respondents, and compare the answers with people's.",
    long_about = "silico works on study files (JSON, format silico-study/1): the instrument, how it is fielded, \
and the response tables collected. The same engine runs in the web app.\n\n\
Exit codes: 0 success, 2 the input needs fixing (the problems are printed as `path: problem` lines), \
1 anything else."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a study file and print every problem as `path: problem` (exit 0 valid, 2 not).
    Validate {
        /// The study file (JSON).
        study: PathBuf,
    },
    /// Print a study's name, its questions and its conjoint attributes.
    Info {
        /// The study file (JSON).
        study: PathBuf,
    },
    /// Print the JSON Schema of the study file format (also served at /schema/study-1.json).
    Schema,
    /// AMCEs (OLS on level dummies, SEs clustered by respondent) as CSV:
    /// feature,level,estimate,std_error,z,p,lower,upper (BY first with --by); baselines at 0.
    Amce(amce::ConjointArgs),
    /// Marginal means per level (SEs clustered by respondent) as CSV, same columns as `amce`.
    Mm(mm::MmArgs),
    /// Omnibus F test that no feature's effect differs across the groups of --by (cregg's cj_anova).
    Anova(amce::ConjointArgs),
    /// Conditional (McFadden) logit: estimates, SEs, log-likelihood, McFadden R², WTP.
    Clogit(clogit::ClogitArgs),
    /// Plot AMCEs or marginal means (same flags as `amce`/`mm`) to --out FILE.svg or FILE.png.
    #[command(subcommand)]
    Plot(plot::PlotCommand),
    /// Time the engine on synthetic data.
    #[command(subcommand)]
    Bench(bench::BenchTarget),
    /// Read human data (CSV/TSV/Excel, Qualtrics exports), print what was found (format, rows, personal
    /// data) and write it as CSV; with --conjoint-choice, reshape a Qualtrics conjoint to the long table.
    Import(import::ImportArgs),
    /// Add a long response table (CSV/TSV) to a study, with its provenance and column roles.
    AddTable(add_table::AddTableArgs),
    /// Generate a conjoint design and write it as CSV (long: respondent,task,profile,attribute,level,position).
    Design(design::DesignArgs),
    /// Convert a Conjoint Survey Design Tool file (.sdt) into a study file.
    ImportSdt(import_sdt::ImportSdtArgs),
    /// Convert a Qualtrics survey file (.qsf) into a study file; what cannot be imported is listed
    /// on stderr with the element and the reason (exit 0), a malformed file exits 2.
    ImportQsf(qsf::ImportQsfArgs),
    /// Write a study as a Qualtrics survey file (.qsf): blocks, flow, logic; a conjoint as embedded
    /// data plus the randomiser JavaScript.
    ExportQsf(qsf::ExportQsfArgs),
    /// Print a design's level frequencies, restricted-cell counts, overlap and D-error.
    Diagnose(diagnose::DiagnoseArgs),
    /// Power for an AMCE: required n (cjpowR formula) or, with --study, a simulated power curve.
    Power(power::PowerArgs),
    /// Field the study to an LLM endpoint and write the response table, call records and cache.
    /// The key comes from SILICO_API_KEY (or OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY).
    Field(field::FieldArgs),
    /// Batch files: export the run as an OpenAI Batch / Anthropic Message Batches file, or import
    /// the provider's results into a response table.
    #[command(subcommand)]
    Batch(batch::BatchCommand),
    /// Twin-vs-human metrics per question over paired answers, as CSV (see --help).
    Compare(compare::CompareArgs),
    /// Two tidy estimate tables (humans', twins') side by side with difference tests, as CSV.
    CompareAmce(compare_amce::CompareAmceArgs),
    /// People vs an LLM sample (unpaired) per question: means, SDs, distribution distances, drift
    /// to uniform, entropy and a test of difference, as CSV (see --help).
    CompareSurvey(compare_survey::CompareSurveyArgs),
}

/// Runs the tool with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { study } => validate::run(&study),
        Command::Info { study } => info::run(&study),
        Command::Amce(args) => amce::run(&args),
        Command::Mm(args) => mm::run(&args),
        Command::Anova(args) => anova::run(&args),
        Command::Clogit(args) => clogit::run(&args),
        Command::Plot(command) => plot::run(&command),
        Command::Bench(target) => bench::run(&target),
        Command::AddTable(args) => add_table::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Design(args) => design::run(&args),
        Command::ImportSdt(args) => import_sdt::run(&args),
        Command::ImportQsf(args) => qsf::run_import(&args),
        Command::ExportQsf(args) => qsf::run_export(&args),
        Command::Diagnose(args) => diagnose::run(&args),
        Command::Power(args) => power::run(&args),
        Command::Field(args) => field::run(&args),
        Command::Batch(command) => batch::run(&command),
        Command::Compare(args) => compare::run(&args),
        Command::CompareAmce(args) => compare_amce::run(&args),
        Command::CompareSurvey(args) => compare_survey::run(&args),
        Command::Schema => {
            print!("{}", crate::study::study_schema_json());
            ExitCode::SUCCESS
        }
    }
}

/// Why a study could not be loaded from disk.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Study { path: String, source: StudyError },
}

/// Reads and validates a study file.
pub fn load_study(path: &Path) -> Result<Study, LoadError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_study(&bytes).map_err(|source| LoadError::Study {
        path: shown,
        source,
    })
}

/// Prints a load failure the way every command does: one `path: problem` line per problem.
pub fn report_load_error(error: &LoadError) -> ExitCode {
    match error {
        LoadError::Read { .. } => eprintln!("error: {error}"),
        LoadError::Study { source, .. } => {
            for problem in source.problems() {
                println!("{problem}");
            }
        }
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

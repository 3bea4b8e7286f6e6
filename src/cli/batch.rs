//! `silico batch export STUDY.json --model NAME [--provider openai|anthropic] … --out REQUESTS`
//! `silico batch import STUDY.json RESULTS.jsonl --model NAME [same plan flags] --out RESPONSES.csv`
//!
//! The export writes the provider's batch input (OpenAI Batch API JSONL; Anthropic Message
//! Batches request JSON); the import reads the provider's result file and maps each line back to
//! its respondent, item and sample by custom id. Both rebuild the same plan from the same study and
//! flags, so pass the same --respondents/--samples/--seed/--labels/--order to both.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::field::{prepare, with_suffix, write_outputs_to, PlanArgs};
use super::EXIT_BAD_INPUT;
use crate::field::batch::{
    anthropic_batch_requests, openai_batch_jsonl, read_results, records_from_results,
};
use crate::study::ProviderKind;

#[derive(Subcommand, Debug)]
pub enum BatchCommand {
    /// Write the batch input file for the study's calls.
    Export(ExportArgs),
    /// Read a batch result file back into a response table and call records.
    Import(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The batch file: JSONL for OpenAI, JSON for Anthropic.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The provider's result file (JSONL).
    pub results: PathBuf,
    /// The response table (CSV), as `silico field` writes it.
    #[arg(long)]
    pub out: PathBuf,
    /// Every call's record (JSON lines); default: OUT with `.records.jsonl`.
    #[arg(long)]
    pub records: Option<PathBuf>,
}

pub fn run(command: &BatchCommand) -> ExitCode {
    match command {
        BatchCommand::Export(args) => export(args),
        BatchCommand::Import(args) => import(args),
    }
}

fn check_provider(provider: ProviderKind) -> Result<(), ExitCode> {
    if provider == ProviderKind::Gemini {
        eprintln!("error: batch files are written for --provider openai or anthropic");
        return Err(ExitCode::from(EXIT_BAD_INPUT));
    }
    Ok(())
}

fn export(args: &ExportArgs) -> ExitCode {
    if let Err(code) = check_provider(args.plan.provider) {
        return code;
    }
    // No key is needed or read: batch files carry request bodies only.
    let (_, plan, endpoint) = match prepare(&args.plan, "", Some("")) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let text = match endpoint.provider {
        ProviderKind::Anthropic => anthropic_batch_requests(&plan.calls, &endpoint),
        _ => openai_batch_jsonl(&plan.calls, &endpoint),
    };
    if let Err(e) = std::fs::write(&args.out, text) {
        eprintln!("error: cannot write {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "batch: {} requests written to {}",
        plan.calls.len(),
        args.out.display()
    );
    ExitCode::SUCCESS
}

fn import(args: &ImportArgs) -> ExitCode {
    if let Err(code) = check_provider(args.plan.provider) {
        return code;
    }
    let (study, plan, endpoint) = match prepare(&args.plan, "", Some("")) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let text = match std::fs::read_to_string(&args.results) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.results.display());
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let results = match read_results(endpoint.provider, &text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", args.results.display());
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let (records, unknown) = records_from_results(&plan.calls, &endpoint, results);
    if !unknown.is_empty() {
        eprintln!(
            "note: {} result lines match no call of this plan (first: {}); were the same flags used for export?",
            unknown.len(),
            unknown[0]
        );
    }
    let records_path = args
        .records
        .clone()
        .unwrap_or_else(|| with_suffix(&args.out, ".records.jsonl"));
    if let Err(code) = write_outputs_to(&args.out, &records_path, &study, &endpoint, &records, &[])
    {
        return code;
    }
    let answered = records
        .iter()
        .filter(|r| r.status == crate::field::Status::Answered)
        .count();
    println!(
        "batch: {} calls, {answered} answered, {} not answered",
        records.len(),
        records.len() - answered
    );
    ExitCode::SUCCESS
}

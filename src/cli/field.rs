//! `silico field STUDY.json --base-url URL --model NAME [--provider openai|anthropic|gemini]
//! [--respondents N] [--samples K] [--concurrency C] [--logprobs] [--seed S] --out RESPONSES.csv`
//!
//! `--model local:PATH.gguf` (no `--base-url`) runs the model in-process (`local_model`), one call
//! at a time in plan order, so a respondent's calls follow each other and share their prompt
//! prefix in the model's cache.
//!
//! The key comes from an environment variable (`SILICO_API_KEY`, else the provider's usual one,
//! or the one `--key-env` names), never from a flag, so it stays out of shell history and `ps`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use clap::Args;

use super::{load_study, report_load_error, EXIT_BAD_INPUT};
use crate::data::table_to_csv;
use crate::field::native::{drive, UreqClient};
use crate::field::HttpClient;
use crate::field::{
    plan, records_jsonl, respondents, response_tables_with_hidden, CallRecord, FieldRun,
    FieldSettings, FileCache, MemoryCache, NotShown, OrderMode, Parts, Plan, RespondentsFrom,
    ResponseCache, SchedulerConfig, DEFAULT_TIMEOUT_S,
};
use crate::local_model::native::{load_file, LocalClient};
use crate::providers::{ApiKey, EndpointConfig, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE};
use crate::study::{AnswerMode, OptionLabels, ProviderKind, SamplingParameters, Study};

/// What is asked and how: shared by `field` and `batch`, so a batch import rebuilds the same plan.
#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    /// The study file (JSON).
    pub study: PathBuf,
    /// The model name the endpoint expects, or `local:PATH.gguf` to run a GGUF model in-process.
    #[arg(long)]
    pub model: String,
    #[arg(long, value_enum, default_value = "openai")]
    pub provider: ProviderKind,
    /// Respondents to field; default: the study's stored design, else its personas, else the
    /// respondents of its human table, else 10 (the run says which).
    #[arg(long)]
    pub respondents: Option<u32>,
    /// Repeated samples per item; default: the study's `samples_per_item`.
    #[arg(long)]
    pub samples: Option<u32>,
    /// Ask for first-token log-probabilities (the answer's distribution over the labels).
    #[arg(long)]
    pub logprobs: bool,
    /// How many alternatives per token with --logprobs.
    #[arg(long, default_value_t = 5)]
    pub top_logprobs: u32,
    /// Seed of option orders, persona draws and the per-call model seed; default: the study's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Do not send a seed to the model.
    #[arg(long)]
    pub no_model_seed: bool,
    /// Sampling temperature (0 = always the most likely answer).
    #[arg(long, default_value_t = DEFAULT_TEMPERATURE)]
    pub temperature: f64,
    /// Nucleus sampling; default: not sent (the provider's own, 1 for most).
    #[arg(long)]
    pub top_p: Option<f64>,
    /// The longest reply, in tokens (a generated answer is cut there).
    #[arg(long, default_value_t = DEFAULT_MAX_TOKENS)]
    pub max_tokens: u32,
    /// How `--model local:PATH` answers choice questions and conjoint tasks: `labels` reads the
    /// model's probability of each option label after the prompt (one pass, always an answer,
    /// the distribution recorded); `generate` writes text and reads the label from it.
    #[arg(long, value_enum, default_value = "labels")]
    pub answer_mode: AnswerMode,
    /// Ask for JSON-schema structured output ({"answer": <label>}).
    #[arg(long)]
    pub structured: bool,
    /// Option labels; default: the study's.
    #[arg(long, value_enum)]
    pub labels: Option<OptionLabels>,
    /// Option order per call; default: random when the study randomises option order, else fixed.
    #[arg(long, value_enum)]
    pub order: Option<OrderMode>,
    /// Field only the conjoint or only the survey.
    #[arg(long, value_enum, default_value = "all")]
    pub only: Parts,
}

#[derive(Args, Debug)]
pub struct FieldArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:18080/v1 (not with
    /// `--model local:PATH`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Requests per minute at most.
    #[arg(long)]
    pub rpm: Option<u32>,
    /// Tokens per minute at most.
    #[arg(long)]
    pub tpm: Option<u64>,
    /// Attempts per call before it is marked failed.
    #[arg(long, default_value_t = 6)]
    pub max_attempts: u32,
    /// Seconds before a call is abandoned and retried.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_S)]
    pub timeout: f64,
    /// First backoff in milliseconds (doubles per retry, with jitter).
    #[arg(long, default_value_t = 500.0)]
    pub backoff_ms: f64,
    /// The environment variable holding the key (default: SILICO_API_KEY, then OPENAI_API_KEY /
    /// ANTHROPIC_API_KEY / GEMINI_API_KEY by provider).
    #[arg(long, value_name = "NAME")]
    pub key_env: Option<String>,
    /// The response table (CSV): the conjoint table when the study has a conjoint, else the survey
    /// table (with both, the survey table goes to OUT with `.survey.csv`).
    #[arg(long)]
    pub out: PathBuf,
    /// Every call's record (JSON lines); default: OUT with `.records.jsonl`.
    #[arg(long)]
    pub records: Option<PathBuf>,
    /// The response cache (JSON lines); default: OUT with `.cache.jsonl`. Rerunning with the same
    /// cache sends only the calls not yet answered.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Keep no cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Stop after this many calls are settled (for trying a run; the cache lets it resume).
    #[arg(long)]
    pub stop_after: Option<usize>,
    /// No progress lines on standard error.
    #[arg(long)]
    pub quiet: bool,
}

/// Builds the plan and the endpoint (with the key from the environment).
pub fn prepare(
    args: &PlanArgs,
    base_url: &str,
    key_env: Option<&str>,
) -> Result<(Study, Plan, EndpointConfig), ExitCode> {
    let study = load_study(&args.study).map_err(|e| report_load_error(&e))?;
    let mut settings = FieldSettings::from_study(&study);
    settings.respondents = args.respondents;
    if let Some(k) = args.samples {
        settings.samples = k.max(1);
    }
    if let Some(s) = args.seed {
        settings.seed = s;
    }
    settings.send_seed = !args.no_model_seed;
    if let Some(labels) = args.labels {
        settings.labels = labels;
    }
    if let Some(order) = args.order {
        settings.order = order;
    }
    settings.parts = args.only;
    let plan = plan(&study, &settings).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(EXIT_BAD_INPUT)
    })?;
    for note in &plan.skipped {
        eprintln!("note: {note}");
    }
    if let Ok(r) = respondents(&study, &settings) {
        if r.from != RespondentsFrom::Settings {
            eprintln!(
                "note: {} respondent(s): {} (--respondents N to change)",
                plan.respondents,
                r.reason()
            );
        }
    }
    let local = args.model.strip_prefix(LOCAL_PREFIX);
    let provider: ProviderKind = match local {
        Some(_) => ProviderKind::Local,
        None => args.provider,
    };
    let endpoint = EndpointConfig {
        provider,
        base_url: if local.is_some() {
            String::new()
        } else {
            base_url.to_string()
        },
        model: local.unwrap_or(&args.model).to_string(),
        headers: Vec::new(),
        parameters: SamplingParameters {
            temperature: Some(args.temperature),
            top_p: args.top_p,
            max_tokens: Some(args.max_tokens),
            seed: settings.send_seed.then_some(settings.seed),
            top_logprobs: if args.logprobs {
                args.top_logprobs.max(1)
            } else {
                0
            },
            structured_output: args.structured,
            answer_mode: args.answer_mode,
        },
        api_key: if local.is_some() {
            None
        } else {
            api_key(provider, key_env)
        },
    };
    Ok((study, plan, endpoint))
}

fn api_key(provider: ProviderKind, key_env: Option<&str>) -> Option<ApiKey> {
    let provider_var = match provider {
        ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
        ProviderKind::Gemini => "GEMINI_API_KEY",
        _ => "OPENAI_API_KEY",
    };
    let names: Vec<&str> = match key_env {
        Some(name) => vec![name],
        None => vec!["SILICO_API_KEY", provider_var],
    };
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().and_then(|k| ApiKey::new(&k)))
}

/// `--model local:PATH` runs the model file in-process.
const LOCAL_PREFIX: &str = "local:";

/// The client answering the run's requests: HTTP, or the in-process model.
fn client(args: &FieldArgs, endpoint: &EndpointConfig) -> Result<Box<dyn HttpClient>, ExitCode> {
    if endpoint.provider != ProviderKind::Local {
        return Ok(Box::new(UreqClient::new(Duration::from_secs_f64(
            args.timeout.max(0.1),
        ))));
    }
    let path = PathBuf::from(&endpoint.model);
    let started = Instant::now();
    let model = load_file(&path).map_err(|e| {
        eprintln!("error: the model {}: {e}", path.display());
        ExitCode::from(EXIT_BAD_INPUT)
    })?;
    if !args.quiet {
        let info = model.info();
        eprintln!(
            "field: loaded {} ({}, {} parameters, {}, context {}) in {:.1} s",
            info.name,
            info.architecture,
            info.parameters,
            info.quantisation,
            info.context_length,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Box::new(LocalClient::new(path, model)))
}

pub fn run(args: &FieldArgs) -> ExitCode {
    let local = args.plan.model.starts_with(LOCAL_PREFIX);
    let base_url = match (&args.base_url, local) {
        (Some(url), false) => url.as_str(),
        (None, true) => "",
        (Some(_), true) => {
            eprintln!("error: --base-url does not go with --model local:PATH (the model runs in this process)");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        (None, false) => {
            eprintln!("error: give --base-url for the endpoint, or --model local:PATH.gguf for a model file");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let (study, plan, endpoint) = match prepare(&args.plan, base_url, args.key_env.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The in-process model answers one call at a time, in plan order (prefix reuse).
    let concurrency = if local { 1 } else { args.concurrency.max(1) };
    let total = plan.calls.len();
    let config = SchedulerConfig {
        concurrency,
        requests_per_minute: args.rpm,
        tokens_per_minute: args.tpm,
        max_attempts: args.max_attempts.max(1),
        backoff_base_ms: args.backoff_ms,
        jitter_seed: args.plan.seed.unwrap_or(0),
        ..SchedulerConfig::default()
    };
    let mut run = match FieldRun::new(plan, endpoint.clone(), config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let cache_path = args
        .cache
        .clone()
        .unwrap_or_else(|| with_suffix(&args.out, ".cache.jsonl"));
    let mut file_cache;
    let mut memory_cache = MemoryCache::default();
    let cache: &mut dyn ResponseCache = if args.no_cache {
        &mut memory_cache
    } else {
        file_cache = match FileCache::open(&cache_path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: the response cache: {e}");
                return ExitCode::FAILURE;
            }
        };
        &mut file_cache
    };
    let client = match client(args, &endpoint) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let mut last_print = Instant::now();
    let mut settled = 0usize;
    drive(
        &mut run,
        client.as_ref(),
        cache,
        concurrency,
        &stop,
        |_, progress| {
            settled += 1;
            if args.stop_after.is_some_and(|n| settled >= n) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            if !args.quiet && last_print.elapsed() >= Duration::from_secs(1) {
                last_print = Instant::now();
                eprintln!(
                    "field: {}/{} settled ({} failed), {:.0} calls/min, {} retries",
                    progress.done(),
                    progress.total,
                    progress.failed,
                    progress.rate_per_minute(),
                    progress.retries
                );
            }
        },
    );
    let progress = run.progress();
    let not_shown = run.not_shown().to_vec();
    let records: Vec<CallRecord> = run.into_records();
    if let Err(code) = write_outputs(args, &study, &endpoint, &records, &not_shown) {
        return code;
    }
    if !not_shown.is_empty() {
        println!(
            "field: {} questions not shown to their respondent by the survey's logic (status \
             not_shown in the survey table)",
            not_shown.len()
        );
    }
    println!(
        "field: {} of {total} calls settled: {} answered, {} refused, {} unparsed, {} failed; \
         {} requests sent ({} retries), {} cache hits; tokens in {}, out {}; {:.1} s",
        progress.done(),
        progress.answered,
        progress.refused,
        progress.unparsed,
        progress.failed,
        progress.attempts,
        progress.retries,
        progress.cache_hits,
        progress.tokens_in,
        progress.tokens_out,
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// `RESPONSES.csv` → `RESPONSES.records.jsonl` etc.
pub fn with_suffix(out: &Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "responses".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}{suffix}"))
}

fn write(path: &Path, text: &str) -> Result<(), ExitCode> {
    std::fs::write(path, text).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        ExitCode::FAILURE
    })
}

/// Writes the response table(s) and the records: the conjoint table (or, without one, the survey
/// table) to OUT, a survey table next to a conjoint one to OUT with `.survey.csv`.
pub fn write_outputs_to(
    out: &Path,
    records_path: &Path,
    study: &Study,
    endpoint: &EndpointConfig,
    records: &[CallRecord],
    not_shown: &[NotShown],
) -> Result<(), ExitCode> {
    let tables = response_tables_with_hidden(study, endpoint, records, not_shown);
    for (i, table) in tables.iter().enumerate() {
        let path = if i == 0 {
            out.to_path_buf()
        } else {
            with_suffix(out, ".survey.csv")
        };
        write(&path, &table_to_csv(table))?;
    }
    write(records_path, &records_jsonl(records))
}

fn write_outputs(
    args: &FieldArgs,
    study: &Study,
    endpoint: &EndpointConfig,
    records: &[CallRecord],
    not_shown: &[NotShown],
) -> Result<(), ExitCode> {
    let records_path = args
        .records
        .clone()
        .unwrap_or_else(|| with_suffix(&args.out, ".records.jsonl"));
    write_outputs_to(
        &args.out,
        &records_path,
        study,
        endpoint,
        records,
        not_shown,
    )
}

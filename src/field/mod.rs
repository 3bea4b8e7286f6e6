//! Fielding: asking LLM endpoints the survey questions and conjoint tasks of a study, and keeping
//! a full record of every call.
//!
//! One module per job:
//! - [`plan`]: every call of a run (respondent × item × sample) with its exact messages, the
//!   options in the order and with the labels shown, personas ([`persona`]) and per-call seeds.
//! - [`extract`]: the answer in a reply (structured output, a label or option text in free text,
//!   the first-token distribution over labels); refusals and unparsed replies keep their reason.
//! - [`survey_plan`]: the survey's calls, made as each LLM respondent's own answers route it
//!   through the survey's logic (`design::survey_flow`); `extract_parts` reads answers with
//!   several parts (multiple choice, ranking, matrix battery, sliders, constant sum).
//! - [`record`]: the call record; [`table`]: records as long response tables and exports.
//! - [`cache`]: cache keys (hash of the exact request + sample index) and caches.
//! - [`scheduler`]: concurrency, rate limits, backoff and retries as a pure state machine.
//! - [`run`]: the run the caller drives (`poll` → send → `complete`), identical in the page and
//!   the command-line tool; `providers::http` holds the request/response values it exchanges.
//! - [`batch`]: a run's calls as a provider's batch file, and its result file back as records.
//! - [`spec`]: a run as the page stores it (endpoint without key, settings, limits, prices),
//!   from which the same plan is rebuilt after a reload; the response tables of a run.
//! - `native` (not in wasm): a `ureq` client, a threaded driver and a file cache.
//!
//! The page's Field tab: `plan::plan(study, settings)` → `FieldRun::new(plan, endpoint, config)`
//! → `preview(i)` for the exact request, then loop `poll(now, cache)`; send each
//! `Step::Send` request with fetch and hand the reply to `complete`; show `progress()`; turn
//! `records()` into tables with [`table::conjoint_table`] / [`table::survey_table`].

pub mod batch;
pub mod cache;
pub mod debias;
pub mod error;
pub mod extract;
mod extract_parts;
mod labels;
pub mod persona;
pub mod plan;
pub mod record;
pub mod respondents;
pub mod run;
pub mod scheduler;
mod seed;
pub mod spec;
pub mod survey_plan;
pub mod table;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

pub use crate::providers::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
pub use cache::{cache_key, CachedReply, MemoryCache, NoCache, ResponseCache};
pub use error::FieldError;
pub use extract::{extract, label_distribution, Extracted, LabelDistribution, Method};
pub use persona::{person_ids, Persona};
pub use plan::{
    plan, Expect, FieldSettings, ItemRef, OrderMode, Parts, Plan, PlannedCall, Planner, ShownOption,
};
pub use record::{CallRecord, Status};
pub use respondents::{respondents, Respondents, RespondentsFrom, FALLBACK_RESPONDENTS};
pub use run::{FieldRun, PriceRange, Progress, Step, Ticket, INTERRUPTED_REASON};
pub use scheduler::SchedulerConfig;
pub use spec::{
    outgoing_persona_fields, response_tables, response_tables_with_hidden, RunSpec,
    DEFAULT_TIMEOUT_S,
};
pub use survey_plan::{NotShown, SurveyPlan};
pub use table::{
    conjoint_table, level_orders, read_records_jsonl, records_csv, records_jsonl, survey_table,
};

#[cfg(not(target_arch = "wasm32"))]
pub use cache::FileCache;

//! A run as the page keeps it between reloads: the endpoint (without its key), the run settings,
//! the scheduler limits and the price table. From a spec and the study the exact plan is rebuilt,
//! so a reopened tab resumes the same calls and pays for none of them twice.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::FieldError;
use super::plan::{plan, FieldSettings, ItemRef, Plan, Planner};
use super::record::CallRecord;
use super::run::{provider_name, FieldRun, PriceRange};
use super::scheduler::SchedulerConfig;
use super::survey_plan::NotShown;
use super::table::{conjoint_table, survey_table};
use crate::providers::{ApiKey, EndpointConfig};
use crate::study::{Endpoint, Provenance, ProviderKind, ResponseTable, Study};

/// Seconds an attempt may take before it is abandoned and retried, when the run sets none: the
/// Field form's value and `--timeout`'s default. A local model's label answer takes about a
/// second, a hosted API's a few; a minute leaves room for a slow queue without hanging a run.
pub const DEFAULT_TIMEOUT_S: f64 = 60.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// The study model's endpoint: it has no field for a key, so a stored spec never holds one.
    pub endpoint: Endpoint,
    pub settings: FieldSettings,
    pub scheduler: SchedulerConfig,
    /// Seconds before an attempt is abandoned (and retried).
    pub timeout_s: f64,
    /// Per million tokens.
    pub prices: PriceRange,
}

impl RunSpec {
    /// The study's first endpoint and fielding settings, or a local OpenAI-compatible server.
    pub fn for_study(study: &Study) -> Self {
        let endpoint = study
            .fielding
            .endpoints
            .first()
            .cloned()
            .unwrap_or_else(|| Endpoint {
                id: "main".into(),
                provider: ProviderKind::OpenaiCompatible,
                base_url: "http://127.0.0.1:8080/v1".into(),
                model: String::new(),
                headers: Vec::new(),
                parameters: Default::default(),
            });
        Self {
            endpoint,
            settings: FieldSettings::from_study(study),
            scheduler: SchedulerConfig::default(),
            timeout_s: DEFAULT_TIMEOUT_S,
            prices: PriceRange::default(),
        }
    }

    /// The spec a run starts from when nobody chose: the study's own endpoint, else the model that
    /// runs in the page (no key needed), so Preview and Start work with nothing touched.
    pub fn with_default_endpoint(study: &Study) -> Self {
        let mut spec = Self::for_study(study);
        if study.fielding.endpoints.is_empty() {
            spec.use_local_model();
        }
        spec
    }

    /// Points the spec at the default local model; it answers one call at a time.
    pub fn use_local_model(&mut self) {
        self.endpoint.provider = ProviderKind::Local;
        self.endpoint.base_url = crate::providers::DEFAULT_LOCAL_SOURCE.into();
        self.endpoint.model = crate::providers::DEFAULT_LOCAL_MODEL.into();
        self.scheduler.concurrency = 1;
    }

    /// The endpoint to send to, with the session's key and the per-run model seed.
    pub fn endpoint_config(&self, key: Option<ApiKey>) -> EndpointConfig {
        let mut parameters = self.endpoint.parameters.clone();
        parameters.seed = self.settings.send_seed.then_some(self.settings.seed);
        EndpointConfig {
            provider: self.endpoint.provider,
            base_url: self.endpoint.base_url.trim().to_string(),
            model: self.endpoint.model.trim().to_string(),
            headers: self
                .endpoint
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect(),
            parameters,
            api_key: key,
        }
    }

    /// Problems that stop a run before anything is planned, in words.
    pub fn check(&self) -> Result<(), FieldError> {
        let base = self.endpoint.base_url.trim();
        if self.endpoint.provider != ProviderKind::Local
            && !(base.starts_with("http://") || base.starts_with("https://"))
        {
            return Err(FieldError::Settings(format!(
                "the endpoint URL {base:?} must start with http:// or https://"
            )));
        }
        if self.endpoint.model.trim().is_empty() {
            return Err(FieldError::Settings("name the model to ask".into()));
        }
        if self.settings.samples == 0 {
            return Err(FieldError::Settings(
                "samples per item must be at least 1".into(),
            ));
        }
        if self.scheduler.concurrency == 0 || self.scheduler.max_attempts == 0 {
            return Err(FieldError::Settings(
                "concurrency and attempts per call must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// Identifies the calls this spec makes for this study: the same id after a reload means the
    /// same plan, so stored records can be taken over.
    pub fn run_id(&self, study: &Study) -> String {
        let mut hasher = Sha256::new();
        for part in [
            serde_json::to_string(self).unwrap_or_default(),
            serde_json::to_string(&study.survey).unwrap_or_default(),
            serde_json::to_string(&study.conjoint).unwrap_or_default(),
            serde_json::to_string(&study.fielding.templates).unwrap_or_default(),
            serde_json::to_string(&study.fielding.personas).unwrap_or_default(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The plan of this run.
    pub fn plan(&self, study: &Study) -> Result<Plan, FieldError> {
        self.check()?;
        plan(study, &self.settings)
    }

    /// The plan of this run, built a slice at a time.
    pub fn planner(&self, study: &Study) -> Result<Planner, FieldError> {
        self.check()?;
        Planner::new(study, &self.settings)
    }

    /// A run ready to drive.
    pub fn start(&self, plan: Plan, key: Option<ApiKey>) -> Result<FieldRun, FieldError> {
        FieldRun::new(plan, self.endpoint_config(key), self.scheduler.clone())
    }
}

/// Which persona fields leave the browser in a plan, and for how many respondents: what the
/// page shows before anything is sent.
pub fn outgoing_persona_fields(plan: &Plan) -> (Vec<String>, usize) {
    let mut fields = std::collections::BTreeSet::new();
    let mut people = std::collections::BTreeSet::new();
    for call in &plan.calls {
        if !call.persona.fields.is_empty() {
            people.insert(call.respondent);
            fields.extend(call.persona.fields.keys().cloned());
        }
    }
    (fields.into_iter().collect(), people.len())
}

/// The response tables of a run's records: the conjoint table (when the study has a conjoint and
/// conjoint calls were made) and the survey table (when survey calls were made), named after the
/// model so several runs sit side by side in the study.
pub fn response_tables(
    study: &Study,
    endpoint: &EndpointConfig,
    records: &[CallRecord],
) -> Vec<ResponseTable> {
    response_tables_with_hidden(study, endpoint, records, &[])
}

/// [`response_tables`] with the questions the survey's logic hid as `not_shown` rows.
pub fn response_tables_with_hidden(
    study: &Study,
    endpoint: &EndpointConfig,
    records: &[CallRecord],
    not_shown: &[NotShown],
) -> Vec<ResponseTable> {
    let provenance = Provenance {
        description: format!(
            "LLM answers from {} ({}) at {}, fielded by silico {}",
            endpoint.model,
            provider_name(endpoint.provider),
            endpoint.base_url,
            env!("CARGO_PKG_VERSION")
        ),
        ..Provenance::default()
    };
    let name = format!("llm-{}", endpoint.model);
    let mut tables = Vec::new();
    let has = |task: bool| {
        records
            .iter()
            .any(|r| matches!(r.item, ItemRef::Task { .. }) == task)
    };
    if let (true, Some(conjoint)) = (has(true), study.conjoint.as_ref()) {
        tables.push(conjoint_table(&name, conjoint, records, provenance.clone()));
    }
    if has(false) || !not_shown.is_empty() {
        let survey_name = if tables.is_empty() {
            name
        } else {
            format!("{name}-survey")
        };
        tables.push(survey_table(&survey_name, records, not_shown, provenance));
    }
    tables
}

//! Work the page hands to its Web Worker so the page never freezes: requests and replies as serde types,
//! dispatched by [`run`]. Dispatch lives in the engine, so it is tested natively like everything else;
//! the worker (`src/bin/silico-worker.rs`) only moves JSON in and out.

mod design;
mod estimate;

use serde::{Deserialize, Serialize};

use crate::study::Study;

pub use design::{DesignFormat, DesignRequest, PreviewTask};

pub use estimate::{
    default_request, EstimateReply, EstimateRequest, EstimateRow, Estimator, SeConvention,
};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// AMCEs or marginal means of a response table.
    Estimate(EstimateRequest),
    /// Generate the design and report level balance, restricted cells, overlap and D-error.
    Diagnose(DesignRequest),
    /// Generate the design only and report its size (for timing the generator in the page).
    Generate(DesignRequest),
    /// One respondent's tasks as a table and as the LLM prompt.
    Preview {
        study: Box<Study>,
        respondent: u32,
        seed: u64,
    },
    /// Power by simulation for the actual design: a curve over numbers of respondents.
    SimulatePower {
        request: DesignRequest,
        simulation: crate::design::PowerSimulation,
    },
    /// The whole design as CSV.
    ExportDesign {
        request: DesignRequest,
        format: DesignFormat,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Estimates(EstimateReply),
    Diagnostics(Box<crate::design::Diagnostics>),
    Preview {
        tasks: Vec<PreviewTask>,
        survey: Vec<crate::design::ShownQuestion>,
    },
    Text {
        text: String,
    },
    PowerCurve {
        points: Vec<crate::design::PowerPoint>,
    },
    Generated {
        tasks: usize,
        profiles: usize,
    },
    /// The job could not be done; the message says why in the researcher's terms.
    Failed {
        message: String,
    },
}

/// Runs one job to completion.
pub fn run(job: Job) -> Reply {
    let outcome = match job {
        Job::Estimate(request) => estimate::estimate(&request)
            .map(Reply::Estimates)
            .map_err(|e| e.to_string()),
        Job::Generate(request) => {
            crate::design::generate(&request.conjoint, request.respondents, request.seed)
                .map(|tasks| Reply::Generated {
                    profiles: tasks.iter().map(|t| t.profiles.len()).sum(),
                    tasks: tasks.len(),
                })
                .map_err(|e| e.to_string())
        }
        Job::Diagnose(request) => design::diagnose(&request)
            .map(|d| Reply::Diagnostics(Box::new(d)))
            .map_err(|e| e.to_string()),
        Job::Preview {
            study,
            respondent,
            seed,
        } => design::preview(&study, respondent, seed)
            .map(|tasks| Reply::Preview {
                tasks,
                survey: design::preview_survey(&study, respondent, seed),
            })
            .map_err(|e| e.to_string()),
        Job::SimulatePower {
            request,
            simulation,
        } => crate::design::simulate_power(
            &request.conjoint,
            &crate::design::Options::new(request.respondents, request.seed),
            &simulation,
        )
        .map(|points| Reply::PowerCurve { points })
        .map_err(|e| e.to_string()),
        Job::ExportDesign { request, format } => design::export(&request, format)
            .map(|text| Reply::Text { text })
            .map_err(|e| e.to_string()),
    };
    outcome.unwrap_or_else(|message| Reply::Failed { message })
}

/// The worker's entry: a JSON job in, a JSON reply out. A request that does not parse is answered
/// with `Failed`, so the page always hears back.
pub fn run_json(request: &str) -> String {
    let reply = match serde_json::from_str::<Job>(request) {
        Ok(job) => run(job),
        Err(e) => Reply::Failed {
            message: format!("the worker received a malformed job: {e}"),
        },
    };
    serde_json::to_string(&reply).unwrap_or_else(|e| {
        format!(r#"{{"reply":"failed","message":"the worker could not encode its reply: {e}"}}"#)
    })
}

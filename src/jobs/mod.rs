//! Work the page hands to its Web Worker so the page never freezes: requests and replies as serde types,
//! dispatched by [`run`]. Dispatch lives in the engine, so it is tested natively like everything else;
//! the worker (`src/bin/silico-worker.rs`) only moves JSON in and out.

mod estimate;

use serde::{Deserialize, Serialize};

pub use estimate::{
    default_request, EstimateReply, EstimateRequest, EstimateRow, Estimator, SeConvention,
};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// AMCEs or marginal means of a response table.
    Estimate(EstimateRequest),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Estimates(EstimateReply),
    /// The job could not be done; the message says why in the researcher's terms.
    Failed {
        message: String,
    },
}

/// Runs one job to completion.
pub fn run(job: Job) -> Reply {
    match job {
        Job::Estimate(request) => match estimate::estimate(&request) {
            Ok(reply) => Reply::Estimates(reply),
            Err(error) => Reply::Failed {
                message: error.to_string(),
            },
        },
    }
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

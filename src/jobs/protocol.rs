//! The worker protocol, typed end to end: each operation is a request type with its own reply
//! type ([`Operation`]); the page sends [`ToWorker`] and hears [`FromWorker`], both as JSON text,
//! as the model worker does. The page's generic client (`app::worker::call`) and the native
//! [`call`] go through the same JSON, so what the tests check is what the worker runs.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::held::{ReadFileRequest, ReadProgress};
use super::Job;

/// One operation the worker runs: the request, what it answers, and how it runs (natively too).
pub trait Operation: Serialize + DeserializeOwned + Into<Job> {
    type Reply: Serialize + DeserializeOwned;

    fn run(self) -> Result<Self::Reply, JobError>;
}

/// Why a job gave no reply.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobErrorKind {
    /// The researcher's input cannot be used as it is (the message says where and why).
    Input,
    /// The user stopped it.
    Cancelled,
    /// The page and the worker disagree about a message (a bug, or a stale cached worker).
    Protocol,
}

/// A failed job, in the researcher's words.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct JobError {
    pub kind: JobErrorKind,
    pub message: String,
}

impl JobError {
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            kind: JobErrorKind::Input,
            message: message.into(),
        }
    }

    pub fn cancelled() -> Self {
        Self {
            kind: JobErrorKind::Cancelled,
            message: "the import was cancelled".into(),
        }
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Self {
            kind: JobErrorKind::Protocol,
            message: message.into(),
        }
    }
}

/// The page shows errors as text; this lets its `Result<_, String>` code use `?` on a call.
impl From<JobError> for String {
    fn from(error: JobError) -> Self {
        error.message
    }
}

impl From<String> for JobError {
    fn from(message: String) -> Self {
        Self::input(message)
    }
}

/// Every engine error a job can meet is input the researcher can fix; its message says how.
macro_rules! input_errors {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for JobError {
            fn from(error: $error) -> Self {
                Self::input(error.to_string())
            }
        })*
    };
}
input_errors!(
    crate::analysis::AnalysisError,
    crate::design::DesignError,
    crate::design::PowerError,
    crate::compare::CompareError,
    crate::data::ImportError,
    crate::data::TableReadError,
    crate::plot::PlotError,
);

/// Page → worker. A `ReadFile` message carries the `File` beside its text (structured-cloned, so
/// the browser shares it rather than copying it).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
// Built once per message and serialised at once: boxing the job would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum ToWorker {
    Run {
        id: u32,
        job: Job,
    },
    ReadFile {
        id: u32,
        request: ReadFileRequest,
    },
    /// Stops a file read between two slices; it then fails as cancelled.
    Cancel {
        id: u32,
    },
}

/// Worker → page.
#[derive(Serialize, Deserialize, Debug)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm is running and takes messages (those posted earlier had no handler).
    Started,
    /// A file read under way: bytes read of `total`, records parsed.
    Progress {
        id: u32,
        progress: ReadProgress,
        total: f64,
    },
    /// The operation's reply as its own JSON text: the page decodes it as that operation's reply
    /// type. (Text, not a raw JSON value: serde cannot carry one through a tagged enum.)
    Done {
        id: u32,
        reply: String,
    },
    Failed {
        id: u32,
        error: JobError,
    },
}

impl FromWorker {
    /// The message as the worker posts it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Only a reply that cannot be encoded gets here; say so rather than go silent.
            let failed = FromWorker::Failed {
                id: self.id().unwrap_or_default(),
                error: JobError::protocol(format!("the worker could not encode its reply: {e}")),
            };
            serde_json::to_string(&failed).unwrap_or_default()
        })
    }

    pub fn id(&self) -> Option<u32> {
        match self {
            Self::Started => None,
            Self::Progress { id, .. } | Self::Done { id, .. } | Self::Failed { id, .. } => {
                Some(*id)
            }
        }
    }

    /// The message for a finished operation.
    pub fn finished<R: Serialize>(id: u32, outcome: Result<R, JobError>) -> Self {
        match outcome.and_then(|reply| {
            serde_json::to_string(&reply).map_err(|e| {
                JobError::protocol(format!("the worker could not encode its reply: {e}"))
            })
        }) {
            Ok(reply) => Self::Done { id, reply },
            Err(error) => Self::Failed { id, error },
        }
    }

    /// The reply of operation `O` this message carries.
    pub fn reply<O: Operation>(self) -> Result<O::Reply, JobError> {
        match self {
            Self::Done { reply, .. } => serde_json::from_str(&reply).map_err(|e| {
                JobError::protocol(format!("the worker's reply could not be read: {e}"))
            }),
            Self::Failed { error, .. } => Err(error),
            other => Err(JobError::protocol(format!(
                "the worker answered with {other:?} where a reply was due"
            ))),
        }
    }
}

/// What the worker does with one message's text: the reply to post, or nothing (a cancel, or a
/// file read, which the worker runs itself because it reads the `File` between slices).
pub fn answer(text: &str) -> Option<FromWorker> {
    match serde_json::from_str::<ToWorker>(text) {
        Ok(ToWorker::Run { id, job }) => Some(job.answer(id)),
        Ok(ToWorker::ReadFile { .. } | ToWorker::Cancel { .. }) => None,
        Err(e) => Some(FromWorker::Failed {
            id: message_id(text).unwrap_or_default(),
            error: JobError::protocol(format!("the worker received a malformed job: {e}")),
        }),
    }
}

/// The id of a message that did not parse, so its caller still hears back.
fn message_id(text: &str) -> Option<u32> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value
        .get("id")?
        .as_u64()
        .and_then(|id| u32::try_from(id).ok())
}

/// Runs `request` exactly as the worker would: encoded, dispatched, its reply encoded and decoded.
pub fn call<O: Operation>(request: O) -> Result<O::Reply, JobError> {
    let message = ToWorker::Run {
        id: 1,
        job: request.into(),
    };
    let text = serde_json::to_string(&message)
        .map_err(|e| JobError::protocol(format!("the job could not be encoded: {e}")))?;
    let reply = answer(&text).ok_or_else(|| JobError::protocol("the worker did not answer"))?;
    let reply: FromWorker = serde_json::from_str(&reply.to_json())
        .map_err(|e| JobError::protocol(format!("the worker's message could not be read: {e}")))?;
    reply.reply::<O>()
}

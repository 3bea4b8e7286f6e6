//! Work the page hands to its Web Worker so the page never freezes. Each operation is a request
//! type with its own reply type ([`Operation`]); [`protocol`] is the typed message format and the
//! one dispatch. Dispatch lives in the engine, so it is tested natively like everything else
//! ([`call`] runs a request through the same JSON the worker reads); the worker
//! (`src/bin/silico-worker.rs`) only moves messages in and out.

mod compare;
mod design;
mod estimate;
mod held;
mod import;
pub mod protocol;

use serde::{Deserialize, Serialize};

pub use compare::{
    CompareEstimatesRequest, ComparePlotRequest, CompareReply, CompareReportRequest,
    CompareRequest, CompareSurveyReply, CompareSurveyRequest, EstimatesComparedReply, TableInput,
    TwinPairsRequest, REPLY_MATRIX_COLUMNS, REPLY_MATRIX_ROWS,
};
pub use design::{
    DesignFormat, DesignRequest, Diagnose, ExportDesignRequest, Generate, Generated, PreviewReply,
    PreviewRequest, PreviewTask, SimulatePowerRequest,
};
pub use held::{hold, FileRead, HeldRead, HeldTable, ReadFileRequest, ReadProgress, TableSource};
pub use import::{
    table_read, ApplyMappingRequest, FileReadOptions, MapColumnsRequest, MappingReply,
    PreviewMappingRequest, ReadTableRequest, ReshapeConjointRequest, Reshaped, TableRead,
    TakeTableRequest,
};
pub use protocol::{answer, call, FromWorker, JobError, JobErrorKind, Operation, ToWorker};

pub use estimate::{default_request, EstimateReply, EstimateRequest, EstimateRow};

/// Declares the operations: the `Job` enum the worker receives (tagged by `job`, the request's
/// fields beside the tag), a `From` for each request, and the one dispatch from a job to its reply.
macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident($request:ty),)*) => {
        #[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
        #[serde(tag = "job", rename_all = "snake_case")]
        // A job is built once and moved straight into a message; boxing the large requests would
        // only add indirection to every construction site.
        #[allow(clippy::large_enum_variant)]
        pub enum Job {
            $($(#[$doc])* $variant($request),)*
        }

        $(impl From<$request> for Job {
            fn from(request: $request) -> Self {
                Self::$variant(request)
            }
        })*

        impl Job {
            /// Runs the job and encodes its reply (or its error) as the worker posts it.
            pub fn answer(self, id: u32) -> FromWorker {
                match self {
                    $(Self::$variant(request) => FromWorker::finished(id, request.run()),)*
                }
            }
        }
    };
}

operations! {
    /// AMCEs or marginal means of a response table.
    Estimate(EstimateRequest),
    /// Generate the design and report level balance, restricted cells, overlap and D-error.
    Diagnose(Diagnose),
    /// Generate the design only and report its size (for timing the generator in the page).
    Generate(Generate),
    /// One respondent's tasks as a table and as the LLM prompt, and their survey.
    Preview(PreviewRequest),
    /// Power by simulation for the actual design: a curve over numbers of respondents.
    SimulatePower(SimulatePowerRequest),
    /// The whole design as CSV.
    ExportDesign(ExportDesignRequest),
    /// Read a data file (CSV, TSV, semicolon, .xlsx; Qualtrics exports recognised): the table and a
    /// summary (columns with types, format, personal-data flags, Qualtrics question texts).
    ReadTable(ReadTableRequest),
    /// A Qualtrics conjoint export (one row per respondent) into the long table.
    ReshapeConjoint(ReshapeConjointRequest),
    /// Match the table's columns to the survey's questions, and preview that mapping.
    MapColumns(MapColumnsRequest),
    /// Preview a (hand-edited) mapping: counts and problems per column.
    PreviewMapping(PreviewMappingRequest),
    /// Apply a mapping: the long respondent × question table.
    ApplyMapping(ApplyMappingRequest),
    /// The table a source names, e.g. to add a file the worker holds to the study.
    TakeTable(TakeTableRequest),
    /// Twins fielded from the study beside the people they stand for: the paired table and the
    /// ranges the comparison reads.
    TwinPairs(TwinPairsRequest),
    /// Twins vs people over paired answers: per question, overall, per respondent, per group, the
    /// agreement matrix and subgroup alignment, with the CSVs.
    Compare(CompareRequest),
    /// The comparison as one self-contained HTML file; `estimates` adds the conjoint comparison.
    CompareReport(CompareReportRequest),
    /// One comparison chart as SVG (`width` defaults to the page column).
    ComparePlot(ComparePlotRequest),
    /// Two sets of estimates (humans', twins') side by side with difference tests.
    CompareEstimates(CompareEstimatesRequest),
    /// People vs an LLM sample, unpaired, question by question (`silico compare-survey`).
    CompareSurvey(CompareSurveyRequest),
}

//! Work the page hands to its Web Worker so the page never freezes: requests and replies as serde types,
//! dispatched by [`run`]. Dispatch lives in the engine, so it is tested natively like everything else;
//! the worker (`src/bin/silico-worker.rs`) only moves JSON in and out.

mod compare;
mod design;
mod estimate;
mod held;
mod import;

use serde::{Deserialize, Serialize};

use crate::data::{ConjointLayout, Mapping, MappingPreview, QualtricsColumns, ReshapeSummary};
use crate::study::{Conjoint, ResponseTable, Study, Survey};

pub use compare::{
    CompareReply, CompareRequest, CompareSurveyReply, CompareSurveyRequest, EstimatesComparedReply,
    TableInput, REPLY_MATRIX_COLUMNS, REPLY_MATRIX_ROWS,
};
pub use design::{DesignFormat, DesignRequest, PreviewTask};

pub use held::{hold, FileRead, HeldRead, HeldTable, ReadFileRequest, ReadProgress, TableSource};
pub use import::{table_read, table_read_reply, FileReadOptions, ReadTableRequest, TableRead};

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
    /// Read a data file (CSV, TSV, semicolon, .xlsx; Qualtrics exports recognised): the table and a
    /// summary (columns with types, format, personal-data flags, Qualtrics question texts).
    ReadTable(Box<ReadTableRequest>),
    /// A Qualtrics conjoint export (one row per respondent) into the long table.
    ReshapeConjoint {
        table: TableSource,
        /// The study's conjoint, to check attributes and levels against; optional.
        #[serde(default)]
        conjoint: Option<Box<Conjoint>>,
        layout: ConjointLayout,
    },
    /// Match the table's columns to the survey's questions, and preview that mapping.
    MapColumns {
        table: TableSource,
        #[serde(default)]
        qualtrics: Option<QualtricsColumns>,
        survey: Box<Survey>,
    },
    /// Preview a (hand-edited) mapping: counts and problems per column.
    PreviewMapping {
        table: TableSource,
        mapping: Mapping,
        survey: Box<Survey>,
    },
    /// Apply a mapping: the long respondent × question table.
    ApplyMapping {
        table: TableSource,
        mapping: Mapping,
        survey: Box<Survey>,
    },
    /// The table a source names, e.g. to add a file the worker holds to the study. Answered by `Table`.
    TakeTable(TableSource),
    /// Twins fielded from the study beside the people they stand for: the paired table and the
    /// ranges the comparison reads. Answered by `TwinPairs`.
    TwinPairs {
        /// The people's answers to the held-out questions (respondent, question, answer).
        people: Box<ResponseTable>,
        /// The twins' survey table from the Field tab.
        twins: Box<ResponseTable>,
        /// The table the personas were made from: twin `r` is its `r`-th person.
        personas: Box<ResponseTable>,
        survey: Box<Survey>,
    },
    /// Twins vs people over paired answers: per question, overall, per respondent, per group, the
    /// agreement matrix and subgroup alignment, with the CSVs. Answered by `Compared`.
    Compare(Box<CompareRequest>),
    /// The comparison (as `Compared` returned it) as one self-contained HTML file; `estimates` adds
    /// the conjoint comparison. Answered by `Text`.
    CompareReport {
        comparison: Box<crate::compare::Comparison>,
        #[serde(default)]
        info: crate::compare::report::ReportInfo,
        #[serde(default)]
        estimates: Option<Box<crate::compare::EstimateComparison>>,
        #[serde(default = "amce_kind")]
        estimate_kind: crate::plot::EstimateKind,
    },
    /// One comparison chart as SVG (`width` defaults to the page column). Answered by `Text`.
    ComparePlot {
        comparison: Box<crate::compare::Comparison>,
        plot: crate::plot::ComparePlot,
        #[serde(default)]
        width: Option<u32>,
    },
    /// Two sets of estimates (humans', twins') side by side with difference tests. Answered by
    /// `EstimatesCompared`.
    CompareEstimates {
        humans: Vec<crate::analysis::TidyRow>,
        twins: Vec<crate::analysis::TidyRow>,
    },
    /// People vs an LLM sample, unpaired, question by question (`silico compare-survey`).
    /// Answered by `SurveyCompared`.
    CompareSurvey(Box<CompareSurveyRequest>),
}

fn amce_kind() -> crate::plot::EstimateKind {
    crate::plot::EstimateKind::Amce
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
    TableRead(Box<TableRead>),
    /// A file the worker read and keeps: its summary and handle.
    TableHeld(Box<HeldRead>),
    Reshaped {
        table: Box<ResponseTable>,
        summary: ReshapeSummary,
    },
    Mapping {
        mapping: Mapping,
        preview: MappingPreview,
    },
    MappingPreview(MappingPreview),
    Table(Box<ResponseTable>),
    Compared(Box<CompareReply>),
    TwinPairs(Box<crate::compare::TwinPairs>),
    EstimatesCompared(Box<EstimatesComparedReply>),
    SurveyCompared(Box<CompareSurveyReply>),
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
        Job::ReadTable(request) => {
            import::read_table(&request).map(|read| Reply::TableRead(Box::new(read)))
        }
        Job::ReshapeConjoint {
            table,
            conjoint,
            layout,
        } => held::with_table(&table, |table, _| {
            crate::data::reshape_conjoint(table, conjoint.as_deref(), &layout)
                .map(|(table, summary)| Reply::Reshaped {
                    table: Box::new(table),
                    summary,
                })
                .map_err(|e| e.to_string())
        })
        .and_then(|reply| reply),
        Job::MapColumns {
            table,
            qualtrics,
            survey,
        } => held::with_table(&table, |table, held_qualtrics| {
            let mapping =
                crate::data::auto_map(table, qualtrics.as_ref().or(held_qualtrics), &survey);
            let preview = crate::data::preview_mapping(table, &mapping, &survey);
            Reply::Mapping { mapping, preview }
        }),
        Job::PreviewMapping {
            table,
            mapping,
            survey,
        } => held::with_table(&table, |table, _| {
            Reply::MappingPreview(crate::data::preview_mapping(table, &mapping, &survey))
        }),
        Job::ApplyMapping {
            table,
            mapping,
            survey,
        } => held::with_table(&table, |table, _| {
            Reply::Table(Box::new(crate::data::apply_mapping(
                table,
                &mapping,
                &survey,
                table.provenance.clone(),
            )))
        }),
        Job::TakeTable(source) => {
            held::with_table(&source, |table, _| Reply::Table(Box::new(table.clone())))
        }
        Job::TwinPairs {
            people,
            twins,
            personas,
            survey,
        } => crate::compare::twin_pairs(
            &people,
            &twins,
            &crate::field::person_ids(&personas),
            &survey,
        )
        .map(|pairs| Reply::TwinPairs(Box::new(pairs)))
        .map_err(|e| e.to_string()),
        Job::Compare(request) => {
            compare::run_compare(&request).map(|reply| Reply::Compared(Box::new(reply)))
        }
        Job::CompareReport {
            comparison,
            info,
            estimates,
            estimate_kind,
        } => compare::run_report(&comparison, &info, estimates.as_deref(), estimate_kind)
            .map(|text| Reply::Text { text }),
        Job::ComparePlot {
            comparison,
            plot,
            width,
        } => compare::run_plot(&comparison, &plot, width).map(|text| Reply::Text { text }),
        Job::CompareEstimates { humans, twins } => Ok(Reply::EstimatesCompared(Box::new(
            compare::run_compare_estimates(&humans, &twins),
        ))),
        Job::CompareSurvey(request) => compare::run_compare_survey(&request)
            .map(|reply| Reply::SurveyCompared(Box::new(reply))),
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

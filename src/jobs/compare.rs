//! Comparison jobs: twins vs people from a long table of paired answers, the HTML report, one chart
//! as SVG, two sets of conjoint estimates side by side, and people vs an LLM sample unpaired
//! (`silico compare-survey`'s engine). The page sends the table either as the
//! CSV text the user dropped or as an already parsed table.

use serde::{Deserialize, Serialize};

use super::protocol::{JobError, Operation};
use crate::analysis::TidyRow;
use crate::compare::{
    compare, compare_estimates, compare_survey, groups_csv, matrix_csv, questions_csv, read_ranges,
    respondents_csv, subgroups_csv, survey_items_csv, survey_summary_csv, twin_pairs, CompareError,
    Comparison, CsvColumns, EstimateComparison, Extras, PairColumns, QuestionKind, RangeColumns,
    Ranges, SurveyComparison, SurveyOptions, TwinPairs,
};
use crate::data::{read_delimited, ReadOptions};
use crate::plot::report::{self, ReportInfo};
use crate::plot::{self, ComparePlot, EstimateKind};
use crate::study::{Provenance, ResponseSource, ResponseTable, Survey};

/// A table as the page has it: CSV text (delimiter `,` unless given, e.g. `\t`), or parsed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum TableInput {
    Csv {
        /// Shown in error messages (the file name).
        name: String,
        text: String,
        #[serde(default)]
        delimiter: Option<char>,
    },
    Table {
        table: ResponseTable,
    },
}

impl TableInput {
    fn table(&self) -> Result<std::borrow::Cow<'_, ResponseTable>, String> {
        match self {
            Self::Table { table } => Ok(std::borrow::Cow::Borrowed(table)),
            Self::Csv {
                name,
                text,
                delimiter,
            } => {
                let mut options = ReadOptions::default();
                if let Some(d) = delimiter {
                    options.delimiter = Some(
                        u8::try_from(*d)
                            .map_err(|_| format!("{name}: the delimiter {d:?} is not one byte"))?,
                    );
                }
                read_delimited(
                    text.as_bytes(),
                    name,
                    ResponseSource::Human,
                    Provenance {
                        source_file: name.clone(),
                        ..Provenance::default()
                    },
                    &options,
                )
                .map(std::borrow::Cow::Owned)
                .map_err(|e| format!("{name}: {e}"))
            }
        }
    }
}

/// Matrices larger than this are sorted by agreement and binned before they are sent back (the
/// heatmap bins further; the respondents list keeps every person).
pub const REPLY_MATRIX_ROWS: usize = 200;
pub const REPLY_MATRIX_COLUMNS: usize = 400;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompareRequest {
    /// One row per person × question: person, question key column(s), human and twin answers.
    pub data: TableInput,
    pub person: String,
    pub question: Vec<String>,
    pub human: String,
    pub twin: String,
    /// The human's answer in a later wave: the test–retest ceiling.
    #[serde(default)]
    pub retest: Option<String>,
    /// A respondent variable: subgroup alignment and per-group accuracy.
    #[serde(default)]
    pub group: Option<String>,
    /// Key column(s), min, max and optionally kind per question (as for `silico compare --ranges`).
    #[serde(default)]
    pub ranges: Option<TableInput>,
    #[serde(default)]
    pub range_key: Option<Vec<String>>,
    #[serde(default)]
    pub range_min: Option<String>,
    #[serde(default)]
    pub range_max: Option<String>,
    #[serde(default)]
    pub range_kind: Option<String>,
    /// Kinds chosen in the page, overriding the ranges file and the guess: (question key, kind).
    #[serde(default)]
    pub kinds: Vec<(Vec<String>, QuestionKind)>,
    /// Also send the full agreement matrix as CSV (7 MB at a million pairs, so only on request).
    #[serde(default)]
    pub matrix_csv: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompareReply {
    /// Everything, with the matrix sorted and binned to at most
    /// [`REPLY_MATRIX_ROWS`] × [`REPLY_MATRIX_COLUMNS`] when larger (`matrix_binned` says so).
    pub comparison: Comparison,
    pub matrix_binned: bool,
    /// Per-question table with every column (the download).
    pub questions_csv: String,
    pub respondents_csv: String,
    /// Empty without a group column.
    pub subgroups_csv: String,
    pub subgroups_summary_csv: String,
    /// Per-group accuracy; empty without a group column.
    pub groups_csv: String,
    /// With `matrix_csv` in the request: the full (unbinned) agreement matrix, wide: person, then
    /// one column per question. Empty otherwise.
    #[serde(default)]
    pub matrix_csv: String,
}

impl Operation for CompareRequest {
    type Reply = CompareReply;

    fn run(self) -> Result<CompareReply, JobError> {
        Ok(run_compare(&self)?)
    }
}

fn run_compare(request: &CompareRequest) -> Result<CompareReply, String> {
    let table = request.data.table()?;
    let columns = PairColumns {
        person: request.person.clone(),
        question: request.question.clone(),
        human: request.human.clone(),
        twin: request.twin.clone(),
    };
    let mut ranges = match &request.ranges {
        None => Ranges::default(),
        Some(input) => {
            let spec = RangeColumns {
                key: request.range_key.clone(),
                min: request.range_min.clone(),
                max: request.range_max.clone(),
                kind: request.range_kind.clone(),
            };
            read_ranges(&*input.table()?, &columns.question, &spec).map_err(|e| e.to_string())?
        }
    };
    for (key, kind) in &request.kinds {
        ranges.set_kind(key.clone(), *kind);
    }
    let extras = Extras {
        retest: request.retest.clone(),
        group: request.group.clone(),
    };
    let mut comparison =
        compare(&table, &columns, &extras, &ranges).map_err(|e: CompareError| e.to_string())?;
    let (subgroups_csv, subgroups_summary_csv) = if comparison.subgroups.is_some() {
        subgroups_csv(&comparison)
    } else {
        (String::new(), String::new())
    };
    let reply_csv = questions_csv(&comparison, CsvColumns::all(&comparison));
    let respondents = respondents_csv(&comparison);
    let groups = if comparison.groups.is_empty() {
        String::new()
    } else {
        groups_csv(&comparison)
    };
    let matrix = if request.matrix_csv {
        matrix_csv(&comparison.matrix)
    } else {
        String::new()
    };
    let m = &comparison.matrix;
    let matrix_binned = m.rows.len() > REPLY_MATRIX_ROWS || m.columns.len() > REPLY_MATRIX_COLUMNS;
    if matrix_binned {
        comparison.matrix = m.sorted().binned(REPLY_MATRIX_ROWS, REPLY_MATRIX_COLUMNS);
    }
    Ok(CompareReply {
        comparison,
        matrix_binned,
        questions_csv: reply_csv,
        respondents_csv: respondents,
        subgroups_csv,
        subgroups_summary_csv,
        groups_csv: groups,
        matrix_csv: matrix,
    })
}

/// The AMCE (or marginal-means) comparison with its CSVs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimatesComparedReply {
    pub comparison: EstimateComparison,
    pub csv: String,
    pub summary_csv: String,
}

/// Two sets of estimates (humans', twins') side by side with difference tests.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompareEstimatesRequest {
    pub humans: Vec<TidyRow>,
    pub twins: Vec<TidyRow>,
}

impl Operation for CompareEstimatesRequest {
    type Reply = EstimatesComparedReply;

    fn run(self) -> Result<EstimatesComparedReply, JobError> {
        let comparison = compare_estimates(&self.humans, &self.twins);
        Ok(EstimatesComparedReply {
            csv: comparison.to_csv(),
            summary_csv: comparison.summary_csv(),
            comparison,
        })
    }
}

/// plotters measures text with the page's canvas, which a Web Worker does not have: charts and
/// reports with charts are made on the page's thread (the Compare tab does so).
const NO_TEXT_IN_WORKER: &str =
    "charts are drawn on the page, not in the background worker (no canvas to measure text)";

fn in_browser() -> bool {
    cfg!(target_arch = "wasm32")
}

/// The comparison (as `Compare` returned it) as one self-contained HTML file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompareReportRequest {
    pub comparison: Box<Comparison>,
    #[serde(default)]
    pub info: ReportInfo,
    /// Adds the conjoint comparison.
    #[serde(default)]
    pub estimates: Option<Box<EstimateComparison>>,
    #[serde(default = "amce_kind")]
    pub estimate_kind: EstimateKind,
}

fn amce_kind() -> EstimateKind {
    EstimateKind::Amce
}

impl Operation for CompareReportRequest {
    /// The HTML.
    type Reply = String;

    fn run(self) -> Result<String, JobError> {
        if in_browser() {
            return Err(JobError::input(NO_TEXT_IN_WORKER));
        }
        Ok(report::html(
            &self.comparison,
            &self.info,
            self.estimates.as_deref().map(|e| (e, self.estimate_kind)),
        ))
    }
}

/// One comparison chart as SVG.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ComparePlotRequest {
    pub comparison: Box<Comparison>,
    pub plot: ComparePlot,
    /// Defaults to the page column.
    #[serde(default)]
    pub width: Option<u32>,
}

impl Operation for ComparePlotRequest {
    /// The SVG.
    type Reply = String;

    fn run(self) -> Result<String, JobError> {
        if in_browser() {
            return Err(JobError::input(NO_TEXT_IN_WORKER));
        }
        let chart = plot::compare_chart(&self.comparison, &self.plot)?;
        Ok(plot::chart_to_svg(
            &chart,
            self.width.unwrap_or(plot::DEFAULT_WIDTH),
        )?)
    }
}

/// Twins fielded from the study beside the people they stand for.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TwinPairsRequest {
    /// The people's answers to the held-out questions (respondent, question, answer).
    pub people: Box<ResponseTable>,
    /// The twins' survey table from the Field tab.
    pub twins: Box<ResponseTable>,
    /// The table the personas were made from: twin `r` is its `r`-th person.
    pub personas: Box<ResponseTable>,
    pub survey: Box<Survey>,
}

impl Operation for TwinPairsRequest {
    /// The paired table and the ranges the comparison reads.
    type Reply = TwinPairs;

    fn run(self) -> Result<TwinPairs, JobError> {
        twin_pairs(
            &self.people,
            &self.twins,
            &crate::field::person_ids(&self.personas),
            &self.survey,
        )
        .map_err(|e| JobError::input(e.to_string()))
    }
}

/// People vs an LLM sample, unpaired: two long tables of answers to one survey.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompareSurveyRequest {
    pub humans: TableInput,
    pub llm: TableInput,
    pub survey: Survey,
    #[serde(default)]
    pub options: SurveyOptions,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompareSurveyReply {
    pub comparison: SurveyComparison,
    /// One row per item, as `silico compare-survey` prints it.
    pub items_csv: String,
    /// With a group: one row per group × item (`--group`'s output); empty otherwise.
    pub group_items_csv: String,
    pub summary_csv: String,
}

impl Operation for CompareSurveyRequest {
    type Reply = CompareSurveyReply;

    fn run(self) -> Result<CompareSurveyReply, JobError> {
        Ok(run_compare_survey(&self)?)
    }
}

fn run_compare_survey(request: &CompareSurveyRequest) -> Result<CompareSurveyReply, String> {
    let humans = request.humans.table()?;
    let llm = request.llm.table()?;
    let comparison = compare_survey(&humans, &llm, &request.survey, &request.options)
        .map_err(|e| e.to_string())?;
    Ok(CompareSurveyReply {
        items_csv: survey_items_csv(&comparison, false),
        group_items_csv: if comparison.group.is_some() {
            survey_items_csv(&comparison, true)
        } else {
            String::new()
        },
        summary_csv: survey_summary_csv(&comparison),
        comparison,
    })
}

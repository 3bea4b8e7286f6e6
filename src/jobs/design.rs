//! Design jobs: generate a design and report its diagnostics, preview one respondent's tasks, export
//! the whole design. The page never holds a full design: the worker regenerates it from the seed,
//! which is cheap and always identical.

use serde::{Deserialize, Serialize};

use super::protocol::{JobError, Operation};
use crate::design::{self, DesignError, Diagnostics, PowerPoint, PowerSimulation, ShownQuestion};
use crate::study::{Conjoint, DesignedTask, Study};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DesignRequest {
    pub conjoint: Conjoint,
    pub respondents: u32,
    pub seed: u64,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DesignFormat {
    /// `respondent,task,profile,attribute,level,position`
    Long,
    /// One row per respondent × task × profile, one column per attribute.
    Wide,
}

/// One task as shown: attribute names in display order, and each profile's levels in that order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PreviewTask {
    pub task: u32,
    pub repeats: Option<u32>,
    pub attributes: Vec<String>,
    pub profiles: Vec<Vec<String>>,
    /// Exactly what an LLM respondent would receive (without a persona).
    pub prompt: String,
}

/// Generate the design and report its diagnostics.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(transparent)]
pub struct Diagnose(pub DesignRequest);

impl Operation for Diagnose {
    type Reply = Diagnostics;

    fn run(self) -> Result<Diagnostics, JobError> {
        let request = self.0;
        let tasks = design::generate(&request.conjoint, request.respondents, request.seed)?;
        Ok(design::diagnose(&request.conjoint, &tasks)?)
    }
}

/// Generate the design only (for timing the generator in the page).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(transparent)]
pub struct Generate(pub DesignRequest);

/// The size of a generated design.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generated {
    pub tasks: usize,
    pub profiles: usize,
}

impl Operation for Generate {
    type Reply = Generated;

    fn run(self) -> Result<Generated, JobError> {
        let request = self.0;
        let tasks = design::generate(&request.conjoint, request.respondents, request.seed)?;
        Ok(Generated {
            profiles: tasks.iter().map(|t| t.profiles.len()).sum(),
            tasks: tasks.len(),
        })
    }
}

/// Power by simulation for the actual design.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SimulatePowerRequest {
    pub request: DesignRequest,
    pub simulation: PowerSimulation,
}

impl Operation for SimulatePowerRequest {
    /// The power curve over numbers of respondents.
    type Reply = Vec<PowerPoint>;

    fn run(self) -> Result<Vec<PowerPoint>, JobError> {
        let request = self.request;
        Ok(design::simulate_power(
            &request.conjoint,
            &design::Options::new(request.respondents, request.seed),
            &self.simulation,
        )?)
    }
}

/// The whole design as CSV.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ExportDesignRequest {
    pub request: DesignRequest,
    pub format: DesignFormat,
}

impl Operation for ExportDesignRequest {
    /// The CSV text.
    type Reply = String;

    fn run(self) -> Result<String, JobError> {
        let request = self.request;
        let tasks = design::generate(&request.conjoint, request.respondents, request.seed)?;
        Ok(match self.format {
            DesignFormat::Long => design::long_csv(&request.conjoint, &tasks),
            DesignFormat::Wide => design::wide_csv(&request.conjoint, &tasks),
        }?)
    }
}

/// One respondent's tasks and survey as shown.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PreviewRequest {
    pub study: Box<Study>,
    pub respondent: u32,
    pub seed: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PreviewReply {
    pub tasks: Vec<PreviewTask>,
    pub survey: Vec<ShownQuestion>,
}

impl Operation for PreviewRequest {
    type Reply = PreviewReply;

    fn run(self) -> Result<PreviewReply, JobError> {
        Ok(PreviewReply {
            tasks: preview(&self.study, self.respondent, self.seed)?,
            survey: preview_survey(&self.study, self.respondent, self.seed),
        })
    }
}

/// Respondent `respondent`'s survey as shown (no answers known yet, so every question appears with
/// its display condition).
fn preview_survey(study: &Study, respondent: u32, seed: u64) -> Vec<ShownQuestion> {
    let none = std::collections::HashMap::new();
    design::survey_for_respondent(&study.survey, respondent.max(1), seed, &none, &none)
}

/// The tasks of respondent `respondent` (1-based) of the study's design; none without a conjoint.
fn preview(study: &Study, respondent: u32, seed: u64) -> Result<Vec<PreviewTask>, DesignError> {
    let Some(conjoint) = study.conjoint.as_ref() else {
        return Ok(Vec::new());
    };
    // Each respondent has their own random stream, so generating up to them gives their tasks exactly.
    let tasks = design::generate(conjoint, respondent.max(1), seed)?;
    tasks
        .iter()
        .filter(|t| t.respondent == respondent.max(1))
        .map(|task| preview_task(study, conjoint, task))
        .collect()
}

fn preview_task(
    study: &Study,
    conjoint: &Conjoint,
    task: &DesignedTask,
) -> Result<PreviewTask, DesignError> {
    let level_name = |attribute: usize, level: u32| {
        conjoint.attributes[attribute].levels[level as usize]
            .name
            .clone()
    };
    let order: Vec<usize> = task.attribute_order.iter().map(|&a| a as usize).collect();
    Ok(PreviewTask {
        task: task.task,
        repeats: task.repeats,
        attributes: order
            .iter()
            .map(|&a| conjoint.attributes[a].name.clone())
            .collect(),
        profiles: task
            .profiles
            .iter()
            .map(|profile| order.iter().map(|&a| level_name(a, profile[a])).collect())
            .collect(),
        prompt: design::task_prompt(study, task, "")?,
    })
}

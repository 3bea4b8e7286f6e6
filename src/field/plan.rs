//! The plan of a run: every call to make (respondent × item × sample), with its exact messages,
//! the options in the order and with the labels shown, and the per-call seed. Deterministic in the
//! study and the settings, so a batch result file can be matched back to it by custom id.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::labels::profile_label;
use super::persona::{personas, Persona};
use super::seed;
use super::survey_plan::SurveyPlan;
use crate::design;
use crate::providers::{ChatCall, Message};
use crate::study::{Conjoint, DesignedTask, OptionLabels, Study};

/// How options are ordered on each call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum OrderMode {
    /// As the respondent's survey shows them (design-level randomisation only).
    Fixed,
    /// A fresh seeded shuffle of the non-anchored options on every call.
    #[default]
    Random,
    /// Sample s shows the options rotated by s places: with k samples of a k-option item every
    /// option takes every position once (for averaging out position bias).
    Rotate,
}

/// Which parts of the study to field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum Parts {
    /// The conjoint and the survey.
    #[default]
    All,
    /// Only the conjoint tasks.
    Conjoint,
    /// Only the survey questions.
    Survey,
}

/// Run settings besides the endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSettings {
    /// None: decided by `field::respondents` (the stored design, the personas, the human table, else 10).
    pub respondents: Option<u32>,
    /// Repeated samples per item and respondent.
    pub samples: u32,
    /// Seeds option orders, persona draws and the per-call model seed.
    pub seed: u64,
    /// Send a per-call seed to the model (reproducible sampling where the provider honours it).
    pub send_seed: bool,
    pub order: OrderMode,
    pub labels: OptionLabels,
    pub parts: Parts,
    /// Only these survey questions are asked (twins: the held-out targets); empty asks all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
}

impl FieldSettings {
    /// The study's own fielding settings.
    pub fn from_study(study: &Study) -> Self {
        Self {
            respondents: None,
            samples: study.fielding.samples_per_item.max(1),
            seed: study.conjoint.as_ref().map_or(0, |c| c.randomisation.seed),
            send_seed: true,
            order: if study.fielding.randomise_option_order {
                OrderMode::Random
            } else {
                OrderMode::Fixed
            },
            labels: study.fielding.option_labels,
            parts: Parts::All,
            questions: study.fielding.ask_only.clone(),
        }
    }
}

/// An option as shown on one call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShownOption {
    /// The code stored in response tables (conjoint: the profile number, 1-based).
    pub code: String,
    /// The label the model is asked to answer with.
    pub label: String,
    /// The option's text (conjoint: `Profile A`).
    pub text: String,
    /// Conjoint profiles only: the level of each attribute, in the conjoint's attribute order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Multiple choice: selecting it excludes the other options.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
}

/// What a valid answer looks like.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// One of the shown options.
    Choice,
    Number,
    Text,
    /// Between `min` and `max` of the shown options (multiple choice).
    Multiple {
        min: u32,
        max: u32,
    },
    /// The top `count` shown options, most preferred first.
    Ranking {
        count: u32,
    },
    /// One shown scale point per item (a matrix battery in one call).
    Rating,
    /// A number from `min` to `max` (one slider), rounded to `step`.
    Bounded {
        min: f64,
        max: f64,
        step: f64,
    },
    /// A number per item (several sliders).
    Sliders {
        min: f64,
        max: f64,
        step: f64,
    },
    /// Numbers per item that add up to `total` (constant sum).
    Allocation {
        total: f64,
    },
}

impl Expect {
    /// Whether the answer has several parts (read by `extract_parts`).
    pub fn has_parts(self) -> bool {
        !matches!(self, Self::Choice | Self::Number | Self::Text)
    }
}

/// Which item a call asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemRef {
    Task {
        task: u32,
    },
    Question {
        id: String,
        /// A matrix item asked on its own call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
}

impl ItemRef {
    pub fn name(&self) -> String {
        match self {
            Self::Task { task } => format!("task {task}"),
            Self::Question { id, item: None } => id.clone(),
            Self::Question {
                id,
                item: Some(item),
            } => format!("{id}_{item}"),
        }
    }
}

/// One call to make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedCall {
    /// `r{respondent}-t{task}-s{sample}` or `r{respondent}-q{question index}-s{sample}`: unique in
    /// the run, valid as an OpenAI and Anthropic batch custom id.
    pub custom_id: String,
    pub respondent: u32,
    pub item: ItemRef,
    pub sample: u32,
    pub persona: Persona,
    pub call: ChatCall,
    pub shown: Vec<ShownOption>,
    /// Rows with a value each (matrix battery items, sliders, constant-sum options), labelled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ShownOption>,
    pub expect: Expect,
}

/// Every call of a run known before anything is answered, and the survey's walks that add the
/// calls later answers make ready.
#[derive(Clone, Debug)]
pub struct Plan {
    pub calls: Vec<PlannedCall>,
    /// Questions left out and why.
    pub skipped: Vec<String>,
    pub respondents: u32,
    /// The survey part, when the run fields one.
    pub survey: Option<SurveyPlan>,
}

impl Plan {
    /// The fewest and the most calls the run can make (they differ when the survey's logic
    /// decides what is asked).
    pub fn call_range(&self) -> (usize, usize) {
        call_range(&self.calls, self.survey.as_ref())
    }
}

/// The fewest and the most calls of `calls` plus what `survey`'s logic can still add.
pub(super) fn call_range(calls: &[PlannedCall], survey: Option<&SurveyPlan>) -> (usize, usize) {
    let conjoint = calls
        .iter()
        .filter(|c| matches!(c.item, ItemRef::Task { .. }))
        .count();
    match survey {
        Some(survey) => {
            let (low, high) = survey.call_range();
            (conjoint + low, conjoint + high)
        }
        None => (calls.len(), calls.len()),
    }
}

/// Builds the plan of a run.
pub fn plan(study: &Study, settings: &FieldSettings) -> Result<Plan, FieldError> {
    let mut planner = Planner::new(study, settings)?;
    while !planner.step(usize::MAX)? {}
    planner.finish()
}

/// Builds a plan a slice at a time (the page plans ten thousand calls without holding up the
/// page): [`Planner::new`], [`Planner::step`] until it says done, then [`Planner::finish`]. The
/// result is the same as [`plan`]'s.
pub struct Planner {
    study: Study,
    settings: FieldSettings,
    people: Vec<Persona>,
    respondents: u32,
    samples: u32,
    tasks: Vec<DesignedTask>,
    survey: Option<SurveyPlan>,
    next_task: usize,
    /// Next survey walker to start.
    next_walker: usize,
    calls: Vec<PlannedCall>,
    skipped: Vec<String>,
}

impl Planner {
    pub fn new(study: &Study, settings: &FieldSettings) -> Result<Self, FieldError> {
        let mut shown_study = study.clone();
        shown_study.fielding.option_labels = settings.labels;
        let study = shown_study;
        let conjoint = study
            .conjoint
            .as_ref()
            .filter(|c| !c.attributes.is_empty() && settings.parts != Parts::Survey);
        let survey_wanted = settings.parts != Parts::Conjoint;
        let respondents = super::respondents::respondents(&study, settings)?.count;
        let people = personas(&study, respondents, settings.seed)?;
        let respondents = respondents.min(people.len() as u32);
        let tasks = match conjoint {
            Some(conjoint) => conjoint_tasks(conjoint, respondents)?,
            None => Vec::new(),
        };
        let survey = (survey_wanted && study.survey.questions.iter().any(|q| q.answer.is_asked()))
            .then(|| SurveyPlan::new(&study, settings, &people, respondents));
        Ok(Self {
            settings: settings.clone(),
            people,
            respondents,
            samples: settings.samples.max(1),
            tasks,
            survey,
            next_task: 0,
            next_walker: 0,
            calls: Vec::new(),
            skipped: Vec::new(),
            study,
        })
    }

    /// Plans up to `units` more conjoint tasks or respondents' surveys; true when all are planned.
    pub fn step(&mut self, units: usize) -> Result<bool, FieldError> {
        let mut left = units.max(1);
        while left > 0 && self.next_task < self.tasks.len() {
            let task = &self.tasks[self.next_task];
            let persona = &self.people[(task.respondent - 1) as usize];
            let Some(conjoint) = self.study.conjoint.as_ref() else {
                break;
            };
            for sample in 0..self.samples {
                self.calls.push(conjoint_call(
                    &self.study,
                    conjoint,
                    task,
                    persona,
                    sample,
                    &self.settings,
                )?);
            }
            self.next_task += 1;
            left -= 1;
        }
        if let Some(survey) = self.survey.as_mut() {
            // Each respondent's samples together, as a respondent's survey is one unit.
            let per_respondent = self.samples as usize;
            while left > 0 && self.next_walker < survey.walkers() {
                for _ in 0..per_respondent {
                    if self.next_walker >= survey.walkers() {
                        break;
                    }
                    let first = self.calls.len();
                    let ready = survey.advance(self.next_walker, first, &|_| None);
                    self.calls.extend(ready);
                    self.next_walker += 1;
                }
                left -= 1;
            }
        }
        Ok(self.next_task >= self.tasks.len()
            && self
                .survey
                .as_ref()
                .is_none_or(|s| self.next_walker >= s.walkers()))
    }

    /// Calls planned so far.
    pub fn planned(&self) -> usize {
        self.calls.len()
    }

    pub fn finish(self) -> Result<Plan, FieldError> {
        if self.calls.is_empty() {
            return Err(FieldError::NothingToField);
        }
        Ok(Plan {
            calls: self.calls,
            skipped: self.skipped,
            respondents: self.respondents,
            survey: self.survey,
        })
    }
}

/// The stored design when it covers the respondents, else a design generated with the study seed.
fn conjoint_tasks(conjoint: &Conjoint, respondents: u32) -> Result<Vec<DesignedTask>, FieldError> {
    let stored_max = conjoint
        .tasks
        .iter()
        .map(|t| t.respondent)
        .max()
        .unwrap_or(0);
    if stored_max >= respondents {
        return Ok(conjoint
            .tasks
            .iter()
            .filter(|t| t.respondent <= respondents)
            .cloned()
            .collect());
    }
    Ok(design::generate(
        conjoint,
        respondents,
        conjoint.randomisation.seed,
    )?)
}

fn conjoint_call(
    study: &Study,
    conjoint: &Conjoint,
    task: &DesignedTask,
    persona: &Persona,
    sample: u32,
    settings: &FieldSettings,
) -> Result<PlannedCall, FieldError> {
    let custom_id = format!("r{}-t{}-s{sample}", task.respondent, task.task);
    // The same text the Design tab previews: profiles in the designed order, attributes in the
    // designed display order.
    let user = design::task_prompt(study, task, &persona.text)?;
    let mut shown: Vec<ShownOption> = task
        .profiles
        .iter()
        .enumerate()
        .map(|(p, levels)| {
            let label = profile_label(settings.labels, p);
            ShownOption {
                code: (p + 1).to_string(),
                text: format!("Profile {label}"),
                label,
                levels: levels
                    .iter()
                    .enumerate()
                    .map(|(a, &l)| {
                        conjoint
                            .attributes
                            .get(a)
                            .and_then(|attr| attr.levels.get(l as usize))
                            .map_or_else(String::new, |lv| lv.name.clone())
                    })
                    .collect(),
                exclusive: false,
            }
        })
        .collect();
    if conjoint.none_option {
        shown.push(ShownOption {
            code: "0".into(),
            label: "none".into(),
            text: "none of these profiles".into(),
            levels: Vec::new(),
            exclusive: false,
        });
    }
    let labels = shown.iter().map(|o| o.label.clone()).collect();
    Ok(PlannedCall {
        call: chat_messages(study, user, labels, settings, &custom_id),
        custom_id,
        respondent: task.respondent,
        item: ItemRef::Task { task: task.task },
        sample,
        persona: persona.clone(),
        shown,
        items: Vec::new(),
        expect: Expect::Choice,
    })
}

/// The system prompt and the user message of one call, with its labels and seed.
pub(super) fn chat_messages(
    study: &Study,
    user: String,
    answer_labels: Vec<String>,
    settings: &FieldSettings,
    custom_id: &str,
) -> ChatCall {
    let mut messages = Vec::new();
    let system = study.fielding.templates.system.trim();
    if !system.is_empty() {
        messages.push(Message {
            role: "system".into(),
            content: system.to_string(),
        });
    }
    messages.push(Message {
        role: "user".into(),
        // Without a persona the templates start with blank lines.
        content: user.trim_start().to_string(),
    });
    ChatCall {
        messages,
        answer_labels,
        answer_shape: Default::default(),
        seed: settings
            .send_seed
            .then(|| seed::call_seed(settings.seed, custom_id)),
    }
}

/// Indices into the shown options, in the order this call displays them. Anchored options keep
/// their places; the others are shuffled or rotated among the free places.
pub(super) fn option_order(
    anchored: &[bool],
    mode: OrderMode,
    sample: u32,
    run_seed: u64,
    custom_id: &str,
) -> Vec<usize> {
    let mut free: Vec<usize> = (0..anchored.len()).filter(|&i| !anchored[i]).collect();
    match mode {
        OrderMode::Fixed => {}
        OrderMode::Random => free.shuffle(&mut seed::rng(run_seed, "option-order", custom_id)),
        OrderMode::Rotate => {
            if !free.is_empty() {
                let k = sample as usize % free.len();
                free.rotate_left(k);
            }
        }
    }
    let mut free = free.into_iter();
    (0..anchored.len())
        .map(|i| {
            if anchored[i] {
                i
            } else {
                free.next().unwrap_or(i)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_puts_every_option_first_once() {
        let anchored = [false, false, false, true];
        let firsts: Vec<usize> = (0..3)
            .map(|s| option_order(&anchored, OrderMode::Rotate, s, 0, "x")[0])
            .collect();
        assert_eq!(firsts, vec![0, 1, 2]);
        assert_eq!(option_order(&anchored, OrderMode::Rotate, 1, 0, "x")[3], 3);
    }

    #[test]
    fn random_order_is_seeded_and_keeps_anchors() {
        let anchored = [false, false, false, false, true];
        let a = option_order(&anchored, OrderMode::Random, 0, 7, "r1-q0-s0");
        let b = option_order(&anchored, OrderMode::Random, 0, 7, "r1-q0-s0");
        assert_eq!(a, b);
        assert_eq!(a[4], 4);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
    }
}

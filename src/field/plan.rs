//! The plan of a run: every call to make (respondent × item × sample), with its exact messages,
//! the options in the order and with the labels shown, and the per-call seed. Deterministic in the
//! study and the settings, so a batch result file can be matched back to it by custom id.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::labels::{label, profile_label};
use super::persona::{personas, Persona};
use super::seed;
use crate::design;
use crate::providers::{ChatCall, Message};
use crate::study::{Conjoint, DesignedTask, OptionLabels, QuestionKind, Study};

/// How options are ordered on each call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
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
pub enum Parts {
    #[default]
    All,
    Conjoint,
    Survey,
}

/// Run settings besides the endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSettings {
    /// None: the stored design's respondents, else the persona count.
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
}

/// What a valid answer looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// One of the shown options.
    Choice,
    Number,
    Text,
}

/// Which item a call asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemRef {
    Task { task: u32 },
    Question { id: String },
}

impl ItemRef {
    pub fn name(&self) -> String {
        match self {
            Self::Task { task } => format!("task {task}"),
            Self::Question { id } => id.clone(),
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
    pub expect: Expect,
}

/// Every call of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub calls: Vec<PlannedCall>,
    /// Questions left out and why (e.g. ranking questions are not fielded yet).
    pub skipped: Vec<String>,
    pub respondents: u32,
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
    survey_wanted: bool,
    next_task: usize,
    next_respondent: u32,
    calls: Vec<PlannedCall>,
    skipped: Vec<String>,
}

/// Whether the settings ask survey question `id`.
fn asked(settings: &FieldSettings, id: &str) -> bool {
    settings.questions.is_empty() || settings.questions.iter().any(|q| q == id)
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
        let mut skipped = Vec::new();
        if survey_wanted {
            for question in study
                .survey
                .questions
                .iter()
                .filter(|q| asked(settings, &q.id))
            {
                if !matches!(
                    question.answer,
                    QuestionKind::SingleChoice { .. }
                        | QuestionKind::Scale { .. }
                        | QuestionKind::Numeric { .. }
                        | QuestionKind::FreeText { .. }
                ) {
                    skipped.push(format!(
                        "{}: {} questions are not fielded yet",
                        question.id,
                        question.answer.type_name()
                    ));
                }
            }
        }
        Ok(Self {
            settings: settings.clone(),
            people,
            respondents,
            samples: settings.samples.max(1),
            tasks,
            survey_wanted,
            next_task: 0,
            next_respondent: 1,
            calls: Vec::new(),
            skipped,
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
        while left > 0 && self.survey_wanted && self.next_respondent <= self.respondents {
            self.survey_calls(self.next_respondent);
            self.next_respondent += 1;
            left -= 1;
        }
        Ok(self.next_task >= self.tasks.len()
            && (!self.survey_wanted || self.next_respondent > self.respondents))
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
        })
    }

    fn survey_calls(&mut self, respondent: u32) {
        let study = &self.study;
        let settings = &self.settings;
        let samples = self.samples;
        let calls = &mut self.calls;
        let people = &self.people;
        let persona = &people[(respondent - 1) as usize];
        let shown = design::survey_for_respondent(
            &study.survey,
            respondent,
            settings.seed,
            &Default::default(),
            &persona.fields.clone().into_iter().collect(),
        );
        for question in shown {
            if !asked(settings, &question.id) {
                continue;
            }
            let Some((index, spec)) = study
                .survey
                .questions
                .iter()
                .enumerate()
                .find(|(_, q)| q.id == question.id)
            else {
                continue;
            };
            let expect = match spec.answer {
                QuestionKind::SingleChoice { .. } | QuestionKind::Scale { .. } => Expect::Choice,
                QuestionKind::Numeric { .. } => Expect::Number,
                QuestionKind::FreeText { .. } => Expect::Text,
                _ => continue,
            };
            let anchored: Vec<bool> = question
                .options
                .iter()
                .map(|(code, _)| {
                    spec.answer
                        .options()
                        .and_then(|o| o.iter().find(|o| &o.code == code))
                        .is_some_and(|o| o.anchored)
                })
                .collect();
            for sample in 0..samples {
                let custom_id = format!("r{respondent}-q{index}-s{sample}");
                let order =
                    option_order(&anchored, settings.order, sample, settings.seed, &custom_id);
                let shown: Vec<ShownOption> = order
                    .iter()
                    .enumerate()
                    .map(|(position, &i)| {
                        let (code, text) = &question.options[i];
                        ShownOption {
                            code: code.clone(),
                            label: label(settings.labels, position, text),
                            text: text.clone(),
                            levels: Vec::new(),
                        }
                    })
                    .collect();
                let options_text = shown
                    .iter()
                    .map(|o| {
                        if settings.labels == OptionLabels::Text {
                            format!("- {}", o.text)
                        } else {
                            format!("{}. {}", o.label, o.text)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                let user = study
                    .fielding
                    .templates
                    .survey_question
                    .replace("{{persona}}", &persona.text)
                    .replace("{{question}}", &question.text)
                    .replace("{{options}}", &options_text);
                calls.push(PlannedCall {
                    call: chat(study, user, &shown, settings, &custom_id),
                    custom_id,
                    respondent,
                    item: ItemRef::Question {
                        id: question.id.clone(),
                    },
                    sample,
                    persona: persona.clone(),
                    shown,
                    expect,
                });
            }
        }
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
            }
        })
        .collect();
    if conjoint.none_option {
        shown.push(ShownOption {
            code: "0".into(),
            label: "none".into(),
            text: "none of these profiles".into(),
            levels: Vec::new(),
        });
    }
    Ok(PlannedCall {
        call: chat(study, user, &shown, settings, &custom_id),
        custom_id,
        respondent: task.respondent,
        item: ItemRef::Task { task: task.task },
        sample,
        persona: persona.clone(),
        shown,
        expect: Expect::Choice,
    })
}

fn chat(
    study: &Study,
    user: String,
    shown: &[ShownOption],
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
        answer_labels: shown.iter().map(|o| o.label.clone()).collect(),
        seed: settings
            .send_seed
            .then(|| seed::call_seed(settings.seed, custom_id)),
    }
}

/// Indices into the shown options, in the order this call displays them. Anchored options keep
/// their places; the others are shuffled or rotated among the free places.
fn option_order(
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

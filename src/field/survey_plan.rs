//! The survey part of a run, planned as the respondents answer: each LLM respondent (one per
//! respondent × sample) walks its own survey (`design::survey_flow`), and a question's calls are
//! made only once what it depends on — display logic, branches, skip rules, piped answers,
//! remembered earlier answers — has settled. Questions the logic hides are kept as "not shown"
//! with the rule that hid them.
//!
//! Everything here is a function of the study, the settings and the settled records, so a
//! resumed run (records restored, replies from the cache) plans exactly the same calls again.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::labels::label;
use super::persona::Persona;
use super::plan::{
    chat_messages, option_order, Expect, FieldSettings, ItemRef, PlannedCall, ShownOption,
};
use super::record::{CallRecord, Status};
use crate::design::survey_flow::{pipe, AnswerState, WalkInputs, ITEM_SEPARATOR, LIST_SEPARATOR};
use crate::design::{piped_answer, respondent_survey, Layout};
use crate::providers::{AnswerShape, Message};
use crate::study::{MatrixAsk, Memory, OptionLabels, Question, QuestionKind, Study};

/// A question the logic hid from one LLM respondent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotShown {
    pub respondent: u32,
    pub sample: u32,
    pub question: String,
    /// The rule that hid it, e.g. `display_if: Q1 is one of 1`.
    pub rule: String,
}

#[derive(Clone, Debug, Default)]
struct Walker {
    respondent: u32,
    sample: u32,
    /// Visits of the walk already turned into calls (a later walk starts with the same ones).
    visited: usize,
    complete: bool,
    /// Call indices (into the run's calls) by question index.
    calls: HashMap<usize, Vec<usize>>,
    /// Questions shown so far (descriptive text included), for memory.
    shown: Vec<usize>,
}

/// Every LLM respondent's walk through the survey.
#[derive(Clone, Debug)]
pub struct SurveyPlan {
    study: Study,
    settings: FieldSettings,
    people: Vec<Persona>,
    samples: u32,
    walkers: Vec<Walker>,
    not_shown: Vec<NotShown>,
}

/// Whether the settings ask survey question `id`.
pub(super) fn asked(settings: &FieldSettings, id: &str) -> bool {
    settings.questions.is_empty() || settings.questions.iter().any(|q| q == id)
}

impl SurveyPlan {
    pub fn new(
        study: &Study,
        settings: &FieldSettings,
        people: &[Persona],
        respondents: u32,
    ) -> Self {
        let samples = settings.samples.max(1);
        let walkers = (1..=respondents)
            .flat_map(|r| {
                (0..samples).map(move |s| Walker {
                    respondent: r,
                    sample: s,
                    ..Default::default()
                })
            })
            .collect();
        Self {
            study: study.clone(),
            settings: settings.clone(),
            people: people.to_vec(),
            samples,
            walkers,
            not_shown: Vec::new(),
        }
    }

    pub fn walkers(&self) -> usize {
        self.walkers.len()
    }

    /// The walker of respondent `respondent` (1-based), sample `sample`.
    pub fn walker_of(&self, respondent: u32, sample: u32) -> Option<usize> {
        let w = (respondent.checked_sub(1)? * self.samples + sample) as usize;
        (w < self.walkers.len() && sample < self.samples).then_some(w)
    }

    /// Whether every walk reached the end of its survey.
    pub fn complete(&self) -> bool {
        self.walkers.iter().all(|w| w.complete)
    }

    /// Questions hidden so far.
    pub fn not_shown(&self) -> &[NotShown] {
        &self.not_shown
    }

    /// The most and the fewest survey calls the logic can make: every question each respondent's
    /// flow can reach, and those no condition, branch or skip can take away.
    pub fn call_range(&self) -> (usize, usize) {
        let survey = &self.study.survey;
        let mut low = 0;
        let mut high = 0;
        let branched = !survey.flow.is_empty()
            && survey
                .flow
                .iter()
                .any(|e| !matches!(e, crate::study::FlowElement::Block { .. }));
        let skips = survey.questions.iter().any(|q| !q.skip.is_empty());
        for walker in self.walkers.iter().filter(|w| w.sample == 0) {
            let program = respondent_survey(survey, walker.respondent, self.settings.seed);
            for q in program.program.questions() {
                let question = &survey.questions[q];
                if !asked(&self.settings, &question.id) {
                    continue;
                }
                let n = calls_per_question(question);
                high += n;
                if question.display_if.is_none() && !branched && !skips {
                    low += n;
                }
            }
        }
        (low * self.samples as usize, high * self.samples as usize)
    }

    /// Walks walker `w` as far as the settled records allow and returns the calls that became
    /// ready; the first gets index `first_index` in the run. `record(i)` is call i's final record.
    pub fn advance<'r>(
        &mut self,
        w: usize,
        first_index: usize,
        record: &dyn Fn(usize) -> Option<&'r CallRecord>,
    ) -> Vec<PlannedCall> {
        let Some(walker) = self.walkers.get(w) else {
            return Vec::new();
        };
        if walker.complete {
            return Vec::new();
        }
        let survey = &self.study.survey;
        let persona = &self.people[(walker.respondent - 1) as usize];
        let persona_fields: HashMap<String, String> = persona.fields.clone().into_iter().collect();
        // What is known of each question this walker asked.
        let mut settled: HashMap<&str, Option<String>> = HashMap::new();
        let mut pending: HashSet<&str> = HashSet::new();
        for (&q, calls) in &walker.calls {
            let id = survey.questions[q].id.as_str();
            let records: Vec<Option<&CallRecord>> = calls.iter().map(|&i| record(i)).collect();
            if records.iter().any(Option::is_none) {
                pending.insert(id);
                continue;
            }
            settled.insert(id, combined_answer(&records));
        }
        let answer = |id: &str| -> AnswerState<'_> {
            if pending.contains(id) {
                return AnswerState::Pending;
            }
            match settled.get(id) {
                Some(Some(value)) => AnswerState::Answered(value.as_str()),
                // A twin's persona may hold the person's own answer to a question not asked.
                _ => match persona_fields.get(id) {
                    Some(value) if !asked(&self.settings, id) => {
                        AnswerState::Answered(value.as_str())
                    }
                    _ => AnswerState::NoAnswer,
                },
            }
        };
        let layout = respondent_survey(survey, walker.respondent, self.settings.seed);
        let settings = &self.settings;
        let asks = |q: usize| {
            let question = &survey.questions[q];
            question.answer.is_asked() && asked(settings, &question.id)
        };
        let walk = layout.program.walk(&WalkInputs {
            answer: &answer,
            persona: &persona_fields,
            memory: self.study.fielding.memory,
            asked: &asks,
            already: walker.visited,
        });
        let mut new_calls = Vec::new();
        let mut new_not_shown = Vec::new();
        let mut new_shown = Vec::new();
        let mut new_asked = Vec::new();
        let lookup = |name: &str| -> Option<String> {
            if let Some(field) = name.strip_prefix("persona.") {
                return Some(persona_fields.get(field).cloned().unwrap_or_default());
            }
            if let Some(field) = name.strip_prefix("embedded.") {
                return Some(walk.embedded.get(field).cloned().unwrap_or_default());
            }
            let question = survey.questions.iter().find(|q| q.id == name)?;
            // As in Qualtrics, an answer never given pipes as nothing.
            Some(match answer(name) {
                AnswerState::Answered(value) => piped_answer(question, value),
                _ => String::new(),
            })
        };
        let mut shown_before: Vec<usize> = walker.shown.clone();
        for visit in walk.visits.iter().skip(walker.visited) {
            let question = &survey.questions[visit.question];
            if !visit.shown {
                new_not_shown.push(NotShown {
                    respondent: walker.respondent,
                    sample: walker.sample,
                    question: question.id.clone(),
                    rule: visit.rule.clone().unwrap_or_default(),
                });
                continue;
            }
            let is_asked = question.answer.is_asked() && asked(&self.settings, &question.id);
            if is_asked {
                let context = Context {
                    study: &self.study,
                    settings: &self.settings,
                    persona,
                    memory: memory_turns(
                        &self.study,
                        &shown_before,
                        &walker.calls,
                        record,
                        &lookup,
                    ),
                };
                let text = pipe(&question.text, &lookup);
                let layout = layout.layouts[visit.question].clone().unwrap_or_default();
                let made = question_calls(
                    &context,
                    question,
                    visit.question,
                    &text,
                    &layout,
                    walker.respondent,
                    walker.sample,
                );
                let indices: Vec<usize> = (0..made.len())
                    .map(|k| first_index + new_calls.len() + k)
                    .collect();
                new_asked.push((visit.question, indices));
                new_calls.extend(made);
            }
            new_shown.push(visit.question);
            shown_before.push(visit.question);
        }
        if walk.complete {
            // Questions the walk never met are not shown either, so tables tell them from
            // questions that were asked and not answered.
            let in_program = layout.program.questions();
            let visited: HashSet<usize> = walk.visits.iter().map(|v| v.question).collect();
            for (q, question) in survey.questions.iter().enumerate() {
                if visited.contains(&q)
                    || !question.answer.is_asked()
                    || !asked(&self.settings, &question.id)
                {
                    continue;
                }
                let rule = if in_program.contains(&q) {
                    "not reached: the survey ended or skipped past it"
                } else {
                    "not in this respondent's survey: a block randomiser showed other blocks"
                };
                new_not_shown.push(NotShown {
                    respondent: walker.respondent,
                    sample: walker.sample,
                    question: question.id.clone(),
                    rule: rule.into(),
                });
            }
        }
        let walker = &mut self.walkers[w];
        walker.visited = walk.visits.len();
        walker.complete = walk.complete;
        walker.shown.extend(new_shown);
        for (q, indices) in new_asked {
            walker.calls.insert(q, indices);
        }
        self.not_shown.extend(new_not_shown);
        new_calls
    }
}

/// A question's answer from its calls' records (a matrix asked item by item has one per item).
fn combined_answer(records: &[Option<&CallRecord>]) -> Option<String> {
    let answered: Vec<&CallRecord> = records
        .iter()
        .flatten()
        .filter(|r| r.status == Status::Answered)
        .copied()
        .collect();
    if records.len() == 1 {
        return answered.first().and_then(|r| r.answer.clone());
    }
    let parts: Vec<String> = answered
        .iter()
        .filter_map(|r| match (&r.item, &r.answer) {
            (
                ItemRef::Question {
                    item: Some(item), ..
                },
                Some(a),
            ) => Some(format!("{item}{ITEM_SEPARATOR}{a}")),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(&LIST_SEPARATOR.to_string()))
}

fn calls_per_question(question: &Question) -> usize {
    match &question.answer {
        QuestionKind::Descriptive => 0,
        QuestionKind::Matrix {
            items,
            ask: MatrixAsk::PerItem,
            ..
        } => items.len(),
        _ => 1,
    }
}

/// The earlier turns an LLM respondent with memory sees: each remembered question as it was asked
/// and the reply it gave; descriptive text as it was shown.
fn memory_turns<'r>(
    study: &Study,
    shown_before: &[usize],
    calls: &HashMap<usize, Vec<usize>>,
    record: &dyn Fn(usize) -> Option<&'r CallRecord>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<Message> {
    let keep = match study.fielding.memory {
        Memory::None => return Vec::new(),
        Memory::Last { k } => k as usize,
        Memory::All => usize::MAX,
    };
    let from = shown_before.len().saturating_sub(keep);
    let mut turns = Vec::new();
    let mut preface = String::new();
    for &q in &shown_before[from..] {
        let question = &study.survey.questions[q];
        let Some(indices) = calls.get(&q) else {
            // Descriptive text (or a question not asked): shown before the next question.
            preface.push_str(&pipe(&question.text, lookup));
            preface.push_str("\n\n");
            continue;
        };
        for &i in indices {
            let Some(r) = record(i) else { continue };
            let Some(reply) = r
                .raw_reply
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            else {
                continue;
            };
            let asked = r
                .messages
                .iter()
                .rev()
                .find(|m| m.role == "user")
                .map(|m| m.content.clone())
                .unwrap_or_default();
            turns.push(Message {
                role: "user".into(),
                content: format!("{preface}{asked}"),
            });
            preface.clear();
            turns.push(Message {
                role: "assistant".into(),
                content: reply.to_string(),
            });
        }
    }
    if !preface.is_empty() {
        turns.push(Message {
            role: "user".into(),
            content: preface.trim_end().to_string(),
        });
        turns.push(Message {
            role: "assistant".into(),
            content: "OK.".into(),
        });
    }
    turns
}

struct Context<'a> {
    study: &'a Study,
    settings: &'a FieldSettings,
    persona: &'a Persona,
    memory: Vec<Message>,
}

fn user_text(context: &Context<'_>, question_text: &str, options_text: &str) -> String {
    // With memory the persona was given in the first remembered turn.
    let persona = if context.memory.is_empty() {
        context.persona.text.as_str()
    } else {
        ""
    };
    context
        .study
        .fielding
        .templates
        .survey_question
        .replace("{{persona}}", persona)
        .replace("{{question}}", question_text)
        .replace("{{options}}", options_text)
}

fn list(shown: &[ShownOption], labels: OptionLabels) -> String {
    shown
        .iter()
        .map(|o| {
            if labels == OptionLabels::Text {
                format!("- {}", o.text)
            } else {
                format!("{}. {}", o.label, o.text)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn number(x: f64) -> String {
    crate::study::number_text(x)
}

/// The options of one call in the order it shows them, labelled.
fn shown_options(
    codes_texts: &[(String, String)],
    anchored: &[bool],
    exclusive: &[bool],
    settings: &FieldSettings,
    sample: u32,
    custom_id: &str,
) -> Vec<ShownOption> {
    let order = option_order(anchored, settings.order, sample, settings.seed, custom_id);
    order
        .iter()
        .enumerate()
        .map(|(position, &i)| {
            let (code, text) = &codes_texts[i];
            ShownOption {
                code: code.clone(),
                label: label(settings.labels, position, text),
                text: text.clone(),
                levels: Vec::new(),
                exclusive: exclusive.get(i).copied().unwrap_or(false),
            }
        })
        .collect()
}

/// Rows (matrix items, sliders) labelled 1, 2, … so their labels never clash with the options'.
fn numbered(rows: &[(String, String)]) -> Vec<ShownOption> {
    rows.iter()
        .enumerate()
        .map(|(i, (code, text))| ShownOption {
            code: code.clone(),
            label: (i + 1).to_string(),
            text: text.clone(),
            levels: Vec::new(),
            exclusive: false,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn make_call(
    context: &Context<'_>,
    custom_id: String,
    respondent: u32,
    sample: u32,
    item: ItemRef,
    user: String,
    shown: Vec<ShownOption>,
    items: Vec<ShownOption>,
    expect: Expect,
    shape: AnswerShape,
) -> PlannedCall {
    let labels: Vec<String> = shown.iter().map(|o| o.label.clone()).collect();
    let mut call = chat_messages(context.study, user, labels, context.settings, &custom_id);
    if !context.memory.is_empty() {
        let system = call
            .messages
            .iter()
            .take_while(|m| m.role == "system")
            .count();
        let tail = call.messages.split_off(system);
        let mut memory = context.memory.clone();
        // Only the first call of a conversation carries the persona; when the oldest turns
        // are forgotten (memory of the last k), the oldest one kept gets it back.
        let persona = context.persona.text.trim();
        if let Some(first) = memory.first_mut() {
            if !persona.is_empty() && !first.content.contains(persona) {
                first.content = format!("{persona}\n\n{}", first.content);
            }
        }
        call.messages.extend(memory);
        call.messages.extend(tail);
    }
    call.answer_shape = shape;
    PlannedCall {
        call,
        custom_id,
        respondent,
        item,
        sample,
        persona: context.persona.clone(),
        shown,
        items,
        expect,
    }
}

/// The calls that ask `question` of one LLM respondent.
fn question_calls(
    context: &Context<'_>,
    question: &Question,
    index: usize,
    text: &str,
    layout: &Layout,
    respondent: u32,
    sample: u32,
) -> Vec<PlannedCall> {
    let settings = context.settings;
    let id = || ItemRef::Question {
        id: question.id.clone(),
        item: None,
    };
    let custom_id = format!("r{respondent}-q{index}-s{sample}");
    let flags = |pick: fn(&crate::study::AnswerOption) -> bool| -> Vec<bool> {
        layout
            .options
            .iter()
            .map(|(code, _)| {
                question
                    .answer
                    .options()
                    .and_then(|o| o.iter().find(|o| &o.code == code))
                    .is_some_and(pick)
            })
            .collect()
    };
    let anchored = flags(|o| o.anchored);
    let exclusive = flags(|o| o.exclusive);
    let labels = settings.labels;
    match &question.answer {
        QuestionKind::SingleChoice { .. }
        | QuestionKind::Dropdown { .. }
        | QuestionKind::Scale { .. }
        | QuestionKind::Numeric { .. }
        | QuestionKind::FreeText { .. } => {
            let shown = shown_options(
                &layout.options,
                &anchored,
                &exclusive,
                settings,
                sample,
                &custom_id,
            );
            let expect = match question.answer {
                QuestionKind::Numeric { .. } => Expect::Number,
                QuestionKind::FreeText { .. } => Expect::Text,
                _ => Expect::Choice,
            };
            let user = user_text(context, text, &list(&shown, labels));
            vec![make_call(
                context,
                custom_id,
                respondent,
                sample,
                id(),
                user,
                shown,
                Vec::new(),
                expect,
                AnswerShape::One,
            )]
        }
        QuestionKind::MultipleChoice {
            options,
            min_selected,
            max_selected,
        } => {
            let shown = shown_options(
                &layout.options,
                &anchored,
                &exclusive,
                settings,
                sample,
                &custom_id,
            );
            let min = min_selected.unwrap_or(1);
            let max = max_selected.unwrap_or(options.len() as u32);
            let mut how = String::from("Select all that apply");
            if min > 1 || max < options.len() as u32 {
                how.push_str(&format!(" (at least {min}, at most {max})"));
            }
            let only: Vec<&str> = shown
                .iter()
                .filter(|o| o.exclusive)
                .map(|o| o.label.as_str())
                .collect();
            if !only.is_empty() {
                how.push_str(&format!(
                    "; {} cannot be combined with other answers",
                    only.join(", ")
                ));
            }
            how.push_str(". Answer with the labels of your choices, separated by commas.");
            let user = user_text(context, text, &format!("{}\n\n{how}", list(&shown, labels)));
            vec![make_call(
                context,
                custom_id,
                respondent,
                sample,
                id(),
                user,
                shown,
                Vec::new(),
                Expect::Multiple { min, max },
                AnswerShape::Several { min, max },
            )]
        }
        QuestionKind::Ranking { options, top_k } => {
            let shown = shown_options(
                &layout.options,
                &anchored,
                &exclusive,
                settings,
                sample,
                &custom_id,
            );
            let count = top_k
                .unwrap_or(options.len() as u32)
                .min(options.len() as u32);
            let how = if count as usize == options.len() {
                "Rank all the options from most to least preferred. Answer with their labels in \
                 that order, separated by commas."
                    .to_string()
            } else {
                format!(
                    "Rank your top {count} from most to least preferred. Answer with their labels \
                     in that order, separated by commas."
                )
            };
            let user = user_text(context, text, &format!("{}\n\n{how}", list(&shown, labels)));
            vec![make_call(
                context,
                custom_id,
                respondent,
                sample,
                id(),
                user,
                shown,
                Vec::new(),
                Expect::Ranking { count },
                AnswerShape::Order { count },
            )]
        }
        QuestionKind::Matrix { ask, .. } => {
            let none = vec![false; layout.scale.len()];
            match ask {
                MatrixAsk::PerItem => layout
                    .options
                    .iter()
                    .enumerate()
                    .map(|(k, (item, item_text))| {
                        let custom_id = format!("r{respondent}-q{index}-i{k}-s{sample}");
                        let shown =
                            shown_options(&layout.scale, &none, &none, settings, 0, &custom_id);
                        let user = user_text(
                            context,
                            &format!("{text}\n\n{item_text}"),
                            &list(&shown, labels),
                        );
                        make_call(
                            context,
                            custom_id,
                            respondent,
                            sample,
                            ItemRef::Question {
                                id: question.id.clone(),
                                item: Some(item.clone()),
                            },
                            user,
                            shown,
                            Vec::new(),
                            Expect::Choice,
                            AnswerShape::One,
                        )
                    })
                    .collect(),
                MatrixAsk::Battery => {
                    // The scale keeps the respondent's direction; the rows move per call.
                    let shown = shown_options(
                        &layout.scale,
                        &none,
                        &none,
                        &FieldSettings {
                            order: super::plan::OrderMode::Fixed,
                            ..settings.clone()
                        },
                        sample,
                        &custom_id,
                    );
                    let free = vec![false; layout.options.len()];
                    let rows =
                        shown_options(&layout.options, &free, &free, settings, sample, &custom_id);
                    let rows = numbered(
                        &rows
                            .into_iter()
                            .map(|o| (o.code, o.text))
                            .collect::<Vec<_>>(),
                    );
                    let statements = rows
                        .iter()
                        .map(|o| format!("{}. {}", o.label, o.text))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let example = shown.first().map_or("A", |o| o.label.as_str());
                    let body = format!(
                        "Scale:\n{}\n\nItems:\n{statements}\n\nAnswer with one line per item: its \
                         number, a colon and the label of your answer (for example `1: {example}`).",
                        list(&shown, labels)
                    );
                    let user = user_text(context, text, &body);
                    let items: Vec<String> = rows.iter().map(|o| o.label.clone()).collect();
                    vec![make_call(
                        context,
                        custom_id,
                        respondent,
                        sample,
                        id(),
                        user,
                        shown,
                        rows,
                        Expect::Rating,
                        AnswerShape::PerItem {
                            items,
                            numeric: false,
                        },
                    )]
                }
            }
        }
        QuestionKind::Slider {
            items,
            min,
            max,
            step,
        } => {
            let range = if *step == 1.0 {
                format!("from {} to {}", number(*min), number(*max))
            } else {
                format!(
                    "from {} to {} in steps of {}",
                    number(*min),
                    number(*max),
                    number(*step)
                )
            };
            if items.is_empty() {
                let user = user_text(context, text, &format!("Answer with a number {range}."));
                return vec![make_call(
                    context,
                    custom_id,
                    respondent,
                    sample,
                    id(),
                    user,
                    Vec::new(),
                    Vec::new(),
                    Expect::Bounded {
                        min: *min,
                        max: *max,
                        step: *step,
                    },
                    AnswerShape::Number,
                )];
            }
            let rows = numbered(&layout.options);
            let body = format!(
                "{}\n\nAnswer with one line per item: its number, a colon and a number {range}.",
                rows.iter()
                    .map(|o| format!("{}. {}", o.label, o.text))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            let user = user_text(context, text, &body);
            let labels: Vec<String> = rows.iter().map(|o| o.label.clone()).collect();
            vec![make_call(
                context,
                custom_id,
                respondent,
                sample,
                id(),
                user,
                Vec::new(),
                rows,
                Expect::Sliders {
                    min: *min,
                    max: *max,
                    step: *step,
                },
                AnswerShape::PerItem {
                    items: labels,
                    numeric: true,
                },
            )]
        }
        QuestionKind::ConstantSum { total, .. } => {
            let rows = shown_options(
                &layout.options,
                &anchored,
                &exclusive,
                settings,
                sample,
                &custom_id,
            );
            let body = format!(
                "{}\n\nAllocate {} points across the options. Answer with one line per option: its \
                 label, a colon and its points; the points must add up to {}.",
                list(&rows, labels),
                number(*total),
                number(*total)
            );
            let user = user_text(context, text, &body);
            let labels: Vec<String> = rows.iter().map(|o| o.label.clone()).collect();
            vec![make_call(
                context,
                custom_id,
                respondent,
                sample,
                id(),
                user,
                Vec::new(),
                rows,
                Expect::Allocation { total: *total },
                AnswerShape::PerItem {
                    items: labels,
                    numeric: true,
                },
            )]
        }
        QuestionKind::Descriptive => Vec::new(),
    }
}

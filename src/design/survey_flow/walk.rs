//! Walking a respondent's program on the answers known so far.

use std::collections::HashMap;

use super::answer::AnswerState;
use super::condition::{evaluate, Truth};
use super::program::{Instr, RespondentProgram};
use crate::study::{Memory, QuestionKind, SkipTarget};

/// What the walk needs from outside.
pub struct WalkInputs<'a, 'b> {
    /// What is known of a question's answer, by question id.
    pub answer: &'b dyn Fn(&str) -> AnswerState<'a>,
    pub persona: &'b HashMap<String, String>,
    pub memory: Memory,
    /// Whether a shown question is asked (gets calls); descriptive text and questions left out
    /// of the run are not, so nothing waits for their answers.
    pub asked: &'b dyn Fn(usize) -> bool,
    /// How many visits of an earlier walk were already acted on: questions this walk meets
    /// after them are about to be asked, so their answers are pending whatever `answer` says.
    pub already: usize,
}

/// A question the walk reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Index into the survey's questions.
    pub question: usize,
    /// False when a display condition hid it; `rule` then says which.
    pub shown: bool,
    pub rule: Option<String>,
}

/// How far the walk got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    /// Questions reached, in the order the respondent meets them. A later walk on more answers
    /// starts with the same visits.
    pub visits: Vec<Visit>,
    /// True when the walk reached the end of the survey; false when it waits for an answer.
    pub complete: bool,
    /// Embedded data set by the flow so far.
    pub embedded: HashMap<String, String>,
}

/// The question ids `{{…}}` in `text` names (persona and embedded fields left out).
pub fn piped_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{").skip(1).filter_map(|part| {
        let name = part.split_once("}}")?.0.trim();
        (!name.starts_with("persona.") && !name.starts_with("embedded.")).then_some(name)
    })
}

/// `text` with every `{{name}}` replaced by `lookup(name)`; a name it does not know stays as
/// written (so a typo shows rather than vanishing).
pub fn pipe(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match lookup(after[..end].trim()) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

impl<'a> RespondentProgram<'a> {
    /// Visits the questions as far as the known answers allow.
    pub fn walk(&self, inputs: &WalkInputs<'a, '_>) -> Walk {
        let survey = self.survey;
        let kind = |id: &str| -> Option<&'a QuestionKind> {
            self.index.get(id).map(|&i| &survey.questions[i].answer)
        };
        let mut walk = Walk::default();
        let mut pc = 0;
        // Shown questions so far, for memory: each must have settled before the next is asked.
        let mut shown_so_far: Vec<usize> = Vec::new();
        let mut steps = 0usize;
        // Questions this walk is the first to meet and that will be asked: pending.
        let mut fresh: Vec<&str> = Vec::new();
        while pc < self.instrs.len() {
            let state = |id: &str| {
                if fresh.contains(&id) {
                    AnswerState::Pending
                } else {
                    (inputs.answer)(id)
                }
            };
            // A program never loops (jumps only go forward), but a bound costs nothing.
            steps += 1;
            if steps > self.instrs.len() * 2 + 8 {
                break;
            }
            match &self.instrs[pc] {
                Instr::Set { name, value } => {
                    walk.embedded
                        .insert((*name).to_string(), (*value).to_string());
                    pc += 1;
                }
                Instr::End => {
                    walk.complete = true;
                    return walk;
                }
                Instr::Branch { condition, else_to } => {
                    match evaluate(condition, &state, &kind, inputs.persona, &walk.embedded) {
                        Truth::Unknown => return walk,
                        Truth::True => pc += 1,
                        Truth::False => pc = *else_to,
                    }
                }
                Instr::Ask {
                    question,
                    block_end,
                } => {
                    let q = &survey.questions[*question];
                    if let Some(condition) = &q.display_if {
                        match evaluate(condition, &state, &kind, inputs.persona, &walk.embedded) {
                            Truth::Unknown => return walk,
                            Truth::False => {
                                walk.visits.push(Visit {
                                    question: *question,
                                    shown: false,
                                    rule: Some(format!("display_if: {condition}")),
                                });
                                pc += 1;
                                continue;
                            }
                            Truth::True => {}
                        }
                    }
                    let pending = |id: &str| state(id) == AnswerState::Pending;
                    let options_text = q
                        .answer
                        .options()
                        .unwrap_or(&[])
                        .iter()
                        .map(|o| o.label.as_str());
                    if piped_names(&q.text)
                        .chain(options_text.flat_map(piped_names))
                        .any(pending)
                    {
                        return walk;
                    }
                    let remembered = match inputs.memory {
                        Memory::None => 0,
                        Memory::Last { k } => k as usize,
                        Memory::All => usize::MAX,
                    };
                    let from = shown_so_far.len().saturating_sub(remembered);
                    if shown_so_far[from..]
                        .iter()
                        .any(|&i| pending(&survey.questions[i].id))
                    {
                        return walk;
                    }
                    walk.visits.push(Visit {
                        question: *question,
                        shown: true,
                        rule: None,
                    });
                    shown_so_far.push(*question);
                    if walk.visits.len() > inputs.already && (inputs.asked)(*question) {
                        fresh.push(q.id.as_str());
                    }
                    let state = |id: &str| {
                        if fresh.contains(&id) {
                            AnswerState::Pending
                        } else {
                            (inputs.answer)(id)
                        }
                    };
                    pc += 1;
                    for rule in &q.skip {
                        match evaluate(
                            &rule.condition,
                            &state,
                            &kind,
                            inputs.persona,
                            &walk.embedded,
                        ) {
                            Truth::Unknown => return walk,
                            Truth::False => {}
                            Truth::True => {
                                match rule.to {
                                    SkipTarget::EndOfBlock => pc = *block_end,
                                    SkipTarget::EndOfSurvey => {
                                        walk.complete = true;
                                        return walk;
                                    }
                                }
                                break;
                            }
                        }
                    }
                }
            }
        }
        walk.complete = true;
        walk
    }
}

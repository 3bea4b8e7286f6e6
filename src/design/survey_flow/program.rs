//! One respondent's survey with everything random fixed: the flow flattened into a short
//! program (ask, branch, set embedded data, end) with the randomisers' choices made and each
//! block's question order drawn.

use std::collections::{HashMap, HashSet};

use super::super::sampling::{below, stream, DesignRng};
use crate::study::{DisplayCondition, FlowElement, Survey};

/// Survey streams sit apart from the conjoint's respondent streams and the power simulation's
/// (the same offset `survey_order` uses, so a survey without a flow keeps its order).
pub(super) const SURVEY_STREAM: u64 = 1 << 40;

#[derive(Clone, Debug)]
pub(super) enum Instr<'a> {
    /// Ask (or show) a question; `block_end` is where "skip to the end of the block" goes.
    Ask {
        question: usize,
        block_end: usize,
    },
    /// Go on when the condition holds, else jump to `else_to`.
    Branch {
        condition: &'a DisplayCondition,
        else_to: usize,
    },
    Set {
        name: &'a str,
        value: &'a str,
    },
    End,
}

/// A respondent's survey, ready to walk.
#[derive(Clone, Debug)]
pub struct RespondentProgram<'a> {
    pub(super) survey: &'a Survey,
    pub(super) instrs: Vec<Instr<'a>>,
    pub(super) index: HashMap<&'a str, usize>,
}

pub(crate) fn shuffle<T>(items: &mut [T], rng: &mut DesignRng) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i as u32 + 1) as usize;
        items.swap(i, j);
    }
}

/// Which `show` of `n` members respondent `respondent` (1-based) gets under even presentation:
/// consecutive windows over one seeded cycle, so every member is shown equally often (within
/// one) over any `n` consecutive respondents, and the same respondent always gets the same.
pub fn even_subset(
    n: usize,
    show: usize,
    respondent: u32,
    seed: u64,
    randomiser: usize,
) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let show = show.min(n);
    let mut cycle: Vec<usize> = (0..n).collect();
    // One cycle per randomiser, the same for every respondent.
    let mut rng = stream(seed, SURVEY_STREAM - 1 - randomiser as u64);
    shuffle(&mut cycle, &mut rng);
    let start = (u64::from(respondent.max(1) - 1) * show as u64 % n as u64) as usize;
    (0..show).map(|j| cycle[(start + j) % n]).collect()
}

impl<'a> RespondentProgram<'a> {
    /// Respondent `respondent`'s program. `rng` is the respondent's survey stream; what is drawn
    /// here comes before the answer orders drawn from it.
    pub fn build(survey: &'a Survey, respondent: u32, seed: u64, rng: &mut DesignRng) -> Self {
        let index: HashMap<&str, usize> = survey
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.as_str(), i))
            .collect();
        let mut builder = Builder {
            survey,
            index: &index,
            instrs: Vec::new(),
            respondent,
            seed,
            randomisers: 0,
        };
        if survey.flow.is_empty() {
            builder.default_flow(rng);
        } else {
            builder.flow(&survey.flow, rng);
        }
        Self {
            survey,
            instrs: builder.instrs,
            index,
        }
    }

    /// The questions the program can ask, in order (hidden or not), each once.
    pub fn questions(&self) -> Vec<usize> {
        let mut seen = HashSet::new();
        self.instrs
            .iter()
            .filter_map(|i| match i {
                Instr::Ask { question, .. } => seen.insert(*question).then_some(*question),
                _ => None,
            })
            .collect()
    }
}

struct Builder<'a, 'i> {
    survey: &'a Survey,
    index: &'i HashMap<&'a str, usize>,
    instrs: Vec<Instr<'a>>,
    respondent: u32,
    seed: u64,
    randomisers: usize,
}

impl<'a> Builder<'a, '_> {
    /// Without a flow: questions outside blocks as listed, then the blocks (shuffled when the
    /// survey says so).
    fn default_flow(&mut self, rng: &mut DesignRng) {
        let in_blocks: HashSet<&str> = self
            .survey
            .blocks
            .iter()
            .flat_map(|b| b.questions.iter().map(String::as_str))
            .collect();
        let mut blocks: Vec<usize> = (0..self.survey.blocks.len()).collect();
        if self.survey.randomise_block_order {
            shuffle(&mut blocks, rng);
        }
        let loose: Vec<usize> = self
            .survey
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| !in_blocks.contains(q.id.as_str()))
            .map(|(i, _)| i)
            .collect();
        self.questions(&loose);
        for b in blocks {
            self.block(b, rng);
        }
    }

    fn questions(&mut self, questions: &[usize]) {
        let start = self.instrs.len();
        for &question in questions {
            self.instrs.push(Instr::Ask {
                question,
                block_end: 0,
            });
        }
        let end = self.instrs.len();
        for instr in &mut self.instrs[start..end] {
            if let Instr::Ask { block_end, .. } = instr {
                *block_end = end;
            }
        }
    }

    fn block(&mut self, b: usize, rng: &mut DesignRng) {
        let block = &self.survey.blocks[b];
        let mut questions: Vec<usize> = block
            .questions
            .iter()
            .filter_map(|id| self.index.get(id.as_str()).copied())
            .collect();
        if block.randomise_questions {
            shuffle(&mut questions, rng);
        }
        self.questions(&questions);
    }

    fn flow(&mut self, flow: &'a [FlowElement], rng: &mut DesignRng) {
        for element in flow {
            self.element(element, rng);
        }
    }

    fn element(&mut self, element: &'a FlowElement, rng: &mut DesignRng) {
        match element {
            FlowElement::Block { block } => {
                if let Some(b) = self.survey.blocks.iter().position(|x| &x.id == block) {
                    self.block(b, rng);
                }
            }
            FlowElement::Branch { condition, flow } => {
                let at = self.instrs.len();
                self.instrs.push(Instr::Branch {
                    condition,
                    else_to: 0,
                });
                self.flow(flow, rng);
                let end = self.instrs.len();
                if let Instr::Branch { else_to, .. } = &mut self.instrs[at] {
                    *else_to = end;
                }
            }
            FlowElement::Randomizer {
                flow,
                show,
                even,
                keep_order,
            } => {
                let n = flow.len();
                let k = show.map_or(n, |s| s as usize).min(n);
                let id = self.randomisers;
                self.randomisers += 1;
                let mut members: Vec<usize> = if *even {
                    even_subset(n, k, self.respondent, self.seed, id)
                } else {
                    let mut all: Vec<usize> = (0..n).collect();
                    shuffle(&mut all, rng);
                    all.truncate(k);
                    all
                };
                if *keep_order {
                    members.sort_unstable();
                } else if *even {
                    // Even presentation fixes which members; their order is still random.
                    shuffle(&mut members, rng);
                }
                for m in members {
                    self.element(&flow[m], rng);
                }
            }
            FlowElement::EmbeddedData { fields } => {
                for field in fields {
                    self.instrs.push(Instr::Set {
                        name: &field.name,
                        value: &field.value,
                    });
                }
            }
            FlowElement::Group { flow } => self.flow(flow, rng),
            FlowElement::EndSurvey => self.instrs.push(Instr::End),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_presentation_balances_every_window_of_n_respondents() {
        for (n, show) in [(4, 1), (4, 2), (5, 2), (3, 3)] {
            let mut counts = vec![0; n];
            for r in 1..=(n as u32 * 6) {
                let subset = even_subset(n, show, r, 7, 0);
                assert_eq!(subset.len(), show);
                let distinct: HashSet<_> = subset.iter().collect();
                assert_eq!(distinct.len(), show, "no member twice");
                for m in subset {
                    counts[m] += 1;
                }
            }
            let (lo, hi) = (counts.iter().min(), counts.iter().max());
            assert_eq!(lo, hi, "{n} choose {show}: {counts:?}");
        }
        assert_eq!(even_subset(4, 1, 3, 7, 0), even_subset(4, 1, 3, 7, 0));
    }
}

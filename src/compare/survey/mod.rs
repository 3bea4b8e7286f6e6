//! People vs an LLM sample, unpaired: two samples of answers to the same survey (long tables:
//! respondent, question, answer), compared question by question — or matrix item by item and
//! option by option — as distributions. No respondent of one sample stands for one of the other
//! (that is [`crate::compare::compare`], for twins).
//!
//! - `long`: a long table (the import's or the fielded survey's) as rows, columns found by role or
//!   name.
//! - `items`: the study's questions as compared items, with kinds and categories.
//! - `read`: an answer as the number its item compares.
//! - `sample`: one table read into the items' answers, with groups.
//! - `stats`: one item's two samples side by side.
//! - `difference`: chi-square, Welch's t, Mann–Whitney, Benjamini–Hochberg.
//! - `summary`: across items.
//! - `csv`: the tables as CSV for R and pandas.

mod csv;
mod difference;
mod error;
mod items;
mod long;
mod read;
mod sample;
mod stats;
mod summary;

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::study::{ResponseTable, Survey};

pub use self::csv::{items_csv, summary_csv};
pub use difference::{
    benjamini_hochberg, chi_square, mann_whitney, welch_t, Difference, NumericTest,
};
pub use error::SurveySamplesError;
pub use items::{Category, Skipped};
pub use stats::{normalised_entropy, wasserstein, Distances, Distribution, ItemComparison};
pub use summary::{SurveySummary, ALPHA};

use items::Items;
use sample::{read_sample, Sample};
use stats::{compare_item, Gaps};

/// How to compare.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SurveyOptions {
    /// A column of both tables (a persona field, a respondent variable) or a question of the
    /// study (the respondent's answer to it): rows per group besides the whole samples.
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub numeric_test: NumericTest,
}

/// Question ids of a table that are not the study's.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UnknownQuestion {
    pub table: String,
    pub question: String,
    pub rows: usize,
}

/// A cell no item could read, with its place (line 1 is the header).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UnreadableCell {
    pub table: String,
    pub line: usize,
    pub question: String,
    pub value: String,
}

/// Unreadable cells kept as examples, per table.
const UNREADABLE_EXAMPLES: usize = 10;

/// Everything `silico compare-survey` and the Compare tab show.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SurveyComparison {
    pub human_table: String,
    pub llm_table: String,
    pub human_respondents: usize,
    pub llm_respondents: usize,
    /// The whole samples: one row per item with answers (or gaps) on either side, survey order.
    pub items: Vec<ItemComparison>,
    pub summary: SurveySummary,
    pub group: Option<String>,
    /// With a group: the items again, per group value (sorted), then item.
    pub group_items: Vec<ItemComparison>,
    pub group_summaries: Vec<SurveySummary>,
    /// Questions not compared (free text), with the reason.
    pub skipped: Vec<Skipped>,
    pub unknown_questions: Vec<UnknownQuestion>,
    pub unreadable: Vec<UnreadableCell>,
}

/// A group's value (`None` for the whole samples) and an item's index.
type Key = (Option<String>, usize);

/// Answers bucketed by (group, item): the people's values, then the LLM's.
#[derive(Default)]
struct Buckets {
    values: HashMap<Key, (Vec<f64>, Vec<f64>)>,
    gaps: HashMap<Key, Gaps>,
}

impl Buckets {
    fn add(&mut self, sample: &Sample, human: bool, grouped: bool) {
        let key = |group: &Option<String>, item: usize| {
            (if grouped { group.clone() } else { None }, item)
        };
        for a in &sample.answers {
            if grouped && a.group.is_none() {
                continue;
            }
            let (h, l) = self.values.entry(key(&a.group, a.item)).or_default();
            if human { h } else { l }.push(a.value);
        }
        for (item, group) in &sample.missing {
            if grouped && group.is_none() {
                continue;
            }
            let g = self.gaps.entry(key(group, *item)).or_default();
            *if human {
                &mut g.missing.0
            } else {
                &mut g.missing.1
            } += 1;
        }
        for u in &sample.unreadable {
            if grouped && u.group.is_none() {
                continue;
            }
            let g = self.gaps.entry(key(&u.group, u.item)).or_default();
            *if human {
                &mut g.unreadable.0
            } else {
                &mut g.unreadable.1
            } += 1;
        }
    }

    fn rows(
        &self,
        items: &Items,
        group: &Option<String>,
        options: &SurveyOptions,
    ) -> Vec<ItemComparison> {
        let empty = (Vec::new(), Vec::new());
        let mut rows: Vec<ItemComparison> = (0..items.specs.len())
            .filter_map(|i| {
                let key = (group.clone(), i);
                let (h, l) = self.values.get(&key).unwrap_or(&empty);
                let gaps = self.gaps.get(&key).copied();
                if h.is_empty() && l.is_empty() && gaps.is_none() {
                    return None;
                }
                Some(compare_item(
                    items.get(i),
                    group.clone(),
                    h,
                    l,
                    gaps.unwrap_or_default(),
                    options.numeric_test,
                ))
            })
            .collect();
        // Sub-items of unknown types are added as met: put them after their question.
        let order: HashMap<&str, usize> = items
            .specs
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| (s.question.as_str(), i))
            .collect();
        rows.sort_by_key(|r| order.get(r.parent.as_str()).copied().unwrap_or(usize::MAX));
        let adjusted = benjamini_hochberg(
            &rows
                .iter()
                .map(|r| r.difference.p_value)
                .collect::<Vec<_>>(),
        );
        for (row, p) in rows.iter_mut().zip(adjusted) {
            row.p_adjusted = p;
        }
        rows
    }
}

fn unknown(sample: &Sample) -> impl Iterator<Item = UnknownQuestion> + '_ {
    sample
        .unknown_questions
        .iter()
        .map(|(question, &rows)| UnknownQuestion {
            table: sample.name.clone(),
            question: question.clone(),
            rows,
        })
}

fn unreadable<'s>(
    sample: &'s Sample,
    items: &'s Items,
) -> impl Iterator<Item = UnreadableCell> + 's {
    sample
        .unreadable
        .iter()
        .take(UNREADABLE_EXAMPLES)
        .map(|u| UnreadableCell {
            table: sample.name.clone(),
            line: u.line,
            question: items.get(u.item).id.clone(),
            value: u.value.clone(),
        })
}

/// Compares the people's answers (`humans`) with the LLM sample's (`llm`), both long tables of
/// answers to `survey`. The page's worker and the command-line tool both call this.
pub fn compare_survey(
    humans: &ResponseTable,
    llm: &ResponseTable,
    survey: &Survey,
    options: &SurveyOptions,
) -> Result<SurveyComparison, SurveySamplesError> {
    if survey.questions.is_empty() {
        return Err(SurveySamplesError::NoQuestions);
    }
    let group = options.group.as_deref().filter(|g| !g.trim().is_empty());
    let long_h = long::read_long(humans, survey, group)?;
    let long_l = long::read_long(llm, survey, group)?;
    let mut items = Items::of(survey);
    let sample_h = read_sample(&long_h, &mut items)?;
    let sample_l = read_sample(&long_l, &mut items)?;

    let mut whole = Buckets::default();
    whole.add(&sample_h, true, false);
    whole.add(&sample_l, false, false);
    let rows = whole.rows(&items, &None, options);
    let summary = summary::summarise(None, &rows.iter().collect::<Vec<_>>());

    let (mut group_items, mut group_summaries) = (Vec::new(), Vec::new());
    if group.is_some() {
        let mut by_group = Buckets::default();
        by_group.add(&sample_h, true, true);
        by_group.add(&sample_l, false, true);
        let values: BTreeSet<&String> = by_group
            .values
            .keys()
            .chain(by_group.gaps.keys())
            .filter_map(|(g, _)| g.as_ref())
            .collect();
        for value in values {
            let g = Some(value.clone());
            let rows = by_group.rows(&items, &g, options);
            group_summaries.push(summary::summarise(g, &rows.iter().collect::<Vec<_>>()));
            group_items.extend(rows);
        }
    }
    Ok(SurveyComparison {
        human_table: humans.name.clone(),
        llm_table: llm.name.clone(),
        human_respondents: sample_h.respondents,
        llm_respondents: sample_l.respondents,
        items: rows,
        summary,
        group: group.map(str::to_string),
        group_items,
        group_summaries,
        skipped: items.skipped.clone(),
        unknown_questions: unknown(&sample_h).chain(unknown(&sample_l)).collect(),
        unreadable: unreadable(&sample_h, &items)
            .chain(unreadable(&sample_l, &items))
            .collect(),
    })
}

//! One sample (the people's or the LLM's) read into the items' answers: every row resolved to its
//! item(s), each answer to its number, with its respondent's group. Multi-select options a
//! respondent left blank count as "not selected" once the respondent selected any option of the
//! question (exports leave unselected options empty), and as missing otherwise.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::error::SurveySamplesError;
use super::items::{Items, Reading, Target};
use super::long::{GroupSource, LongTable};
use super::read::{read_value, split_question, Outcome};
use crate::study::number_text;

/// One answer: the item, its value and the respondent's group.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub item: usize,
    pub value: f64,
    pub group: Option<String>,
}

/// A cell that is no answer the item knows: shown with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable {
    pub item: usize,
    pub line: usize,
    pub value: String,
    pub group: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    pub name: String,
    pub answers: Vec<Answer>,
    /// Items with an empty answer: (item, group).
    pub missing: Vec<(usize, Option<String>)>,
    pub unreadable: Vec<Unreadable>,
    /// Question ids of the table that are no question or item of the study, with their rows.
    pub unknown_questions: BTreeMap<String, usize>,
    /// Distinct respondents (respondent × sample for fielded tables).
    pub respondents: usize,
}

/// What a row said about an item, before groups and multi-select blanks are settled.
struct Raw {
    item: usize,
    respondent: u32,
    line: usize,
    row_group: Option<String>,
    outcome: Option<(Outcome, String)>,
}

/// Reads one long table against the items (adding sub-items of unknown types as it meets them).
pub fn read_sample(long: &LongTable, items: &mut Items) -> Result<Sample, SurveySamplesError> {
    let mut respondents: HashMap<&str, u32> = HashMap::new();
    let mut raws: Vec<Raw> = Vec::with_capacity(long.rows.len());
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    for row in &long.rows {
        let next = respondents.len() as u32;
        let respondent = *respondents.entry(row.respondent.as_str()).or_insert(next);
        let mut push = |item: usize, outcome: Option<(Outcome, String)>| {
            raws.push(Raw {
                item,
                respondent,
                line: row.line,
                row_group: row.group.clone(),
                outcome,
            })
        };
        match items.resolve(&row.question) {
            None => *unknown.entry(row.question.clone()).or_default() += 1,
            Some(Target::Item(item)) => {
                let outcome = row.answer.as_ref().map(|a| {
                    let spec = items.get(item);
                    (read_value(spec, a), a.clone())
                });
                push(item, outcome);
            }
            Some(Target::Question(question)) => match &row.answer {
                Some(answer) => {
                    for (item, outcome) in split_question(items, &question, answer) {
                        push(item, Some((outcome, answer.clone())));
                    }
                }
                None => {
                    for &item in items.children(&question) {
                        push(item, None);
                    }
                }
            },
        }
    }
    if raws.is_empty() {
        let known: Vec<&str> = items.specs.iter().map(|s| s.id.as_str()).take(8).collect();
        return Err(SurveySamplesError::NothingMatches {
            table: long.name.clone(),
            column: "question".into(),
            seen: unknown
                .keys()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            known: known.join(", "),
        });
    }
    let groups = respondent_groups(long, items, &raws);
    let group_of = |raw: &Raw| match &long.group {
        GroupSource::None => None,
        GroupSource::Column => raw.row_group.clone(),
        GroupSource::Question(_) => groups.get(&raw.respondent).cloned(),
    };
    let answered_multi = answered_multi_select(items, &raws);
    let mut sample = Sample {
        name: long.name.clone(),
        unknown_questions: unknown,
        respondents: respondents.len(),
        ..Sample::default()
    };
    let mut seen: HashSet<(u32, usize)> = HashSet::new();
    for raw in &raws {
        let group = group_of(raw);
        match &raw.outcome {
            Some((Outcome::Value(value), _)) => {
                seen.insert((raw.respondent, raw.item));
                sample.answers.push(Answer {
                    item: raw.item,
                    value: *value,
                    group,
                });
            }
            Some((Outcome::Unreadable, text)) => sample.unreadable.push(Unreadable {
                item: raw.item,
                line: raw.line,
                value: text.clone(),
                group,
            }),
            None => {
                let spec = items.get(raw.item);
                let blank_option = spec.reading == Reading::Selected
                    && answered_multi.contains(&(raw.respondent, spec.question.as_str()));
                if !blank_option {
                    sample.missing.push((raw.item, group));
                }
            }
        }
    }
    // Options a respondent who answered the question never mentioned: not selected.
    fill_unselected(
        items,
        &raws,
        &answered_multi,
        &mut seen,
        &group_of,
        &mut sample,
    );
    Ok(sample)
}

/// (respondent, multi-select question) pairs where the respondent selected at least one option.
fn answered_multi_select<'i>(items: &'i Items, raws: &[Raw]) -> HashSet<(u32, &'i str)> {
    raws.iter()
        .filter(|r| matches!(r.outcome, Some((Outcome::Value(v), _)) if v == 1.0))
        .map(|r| (r.respondent, items.get(r.item)))
        .filter(|(_, spec)| spec.reading == Reading::Selected)
        .map(|(respondent, spec)| (respondent, spec.question.as_str()))
        .collect()
}

fn fill_unselected(
    items: &Items,
    raws: &[Raw],
    answered: &HashSet<(u32, &str)>,
    seen: &mut HashSet<(u32, usize)>,
    group_of: &dyn Fn(&Raw) -> Option<String>,
    sample: &mut Sample,
) {
    // One representative row per (respondent, question) carries the group.
    let mut rows: BTreeMap<(u32, &str), &Raw> = BTreeMap::new();
    for raw in raws {
        let spec = items.get(raw.item);
        if spec.reading == Reading::Selected
            && answered.contains(&(raw.respondent, spec.question.as_str()))
        {
            rows.entry((raw.respondent, spec.question.as_str()))
                .or_insert(raw);
        }
    }
    for ((respondent, question), raw) in rows {
        for &item in items.children(question) {
            if seen.insert((respondent, item)) {
                sample.answers.push(Answer {
                    item,
                    value: 0.0,
                    group: group_of(raw),
                });
            }
        }
    }
}

/// Each respondent's group when the group is a question: the label of their (first) answer to it.
fn respondent_groups(long: &LongTable, items: &Items, raws: &[Raw]) -> HashMap<u32, String> {
    let GroupSource::Question(question) = &long.group else {
        return HashMap::new();
    };
    let Some(&item) = items.children(question).first() else {
        return HashMap::new();
    };
    let spec = items.get(item);
    let mut groups = HashMap::new();
    for raw in raws.iter().filter(|r| r.item == item) {
        if let Some((Outcome::Value(v), _)) = &raw.outcome {
            let label = spec
                .categories
                .iter()
                .find(|c| c.value == *v)
                .map_or_else(|| number_text(*v), |c| c.label.clone());
            groups.entry(raw.respondent).or_insert(label);
        }
    }
    groups
}

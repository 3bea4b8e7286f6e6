//! What is compared: the study's questions as items, one per question, or one per matrix item,
//! multi-select option or ranked option (ids `Q5_1`: the question id, `_`, the item id or option
//! code, as the Qualtrics import names them). Each item has a kind (ordinal, numeric, nominal),
//! its categories in order (every option, so the uniform distribution and the entropy are over
//! what the respondent could choose, not only what was chosen) and, for numbers, a range.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::compare::QuestionKind;
use crate::study::{Question, QuestionKind as AnswerKind, Survey};

/// One answer category: the number compared (scale value; option position for unordered codes)
/// and its label.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Category {
    pub value: f64,
    pub label: String,
}

/// How an item's answers are read, by its question's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    /// A code or label of these options → its position (1-based).
    Option,
    /// A number or a label of the categories (scales, matrix items).
    Scale,
    /// Any finite number inside the range.
    Number,
    /// 1 when the option was selected, 0 when not.
    Selected,
    /// A rank, 1 = first.
    Rank,
    /// A type this version does not know (added after it): the options' codes or labels if it
    /// lists options, else numbers; the kind is decided from the answers.
    Unknown,
}

/// One compared item.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemSpec {
    /// The row's id: the question id, or `question_item`.
    pub id: String,
    /// The study question it belongs to.
    pub question: String,
    /// The matrix item id or option code, when the question has several.
    pub item: Option<String>,
    /// The question's type name in the study file.
    pub type_name: String,
    /// `None` until decided from the answers (unknown types).
    pub kind: Option<QuestionKind>,
    pub categories: Vec<Category>,
    pub range: Option<(f64, f64)>,
    pub reading: Reading,
    /// For [`Reading::Option`] and [`Reading::Unknown`]: (code, label) of each option.
    pub options: Vec<(String, String)>,
}

/// A study question whose answers cannot be compared as distributions, and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Skipped {
    pub question: String,
    pub reason: String,
}

/// Every item of the survey, found by id; unknown types add their sub-items (`Q7_1`) as answers
/// name them.
#[derive(Clone, Debug, Default)]
pub struct Items {
    pub specs: Vec<ItemSpec>,
    by_id: HashMap<String, usize>,
    /// Question id → its items, in order (several for matrix, multi-select and ranking).
    children: HashMap<String, Vec<usize>>,
    questions: HashMap<String, usize>,
    pub skipped: Vec<Skipped>,
}

fn categories(labels: &[String], first: f64) -> Vec<Category> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| Category {
            value: first + i as f64,
            label: l.clone(),
        })
        .collect()
}

fn codes(options: &[crate::study::AnswerOption]) -> Vec<(String, String)> {
    options
        .iter()
        .map(|o| (o.code.clone(), o.label.clone()))
        .collect()
}

fn ordinal_suffix(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl Items {
    pub fn of(survey: &Survey) -> Self {
        let mut items = Self::default();
        for (index, question) in survey.questions.iter().enumerate() {
            items.questions.insert(question.id.clone(), index);
            items.add_question(question);
        }
        items
    }

    fn push(&mut self, spec: ItemSpec) -> usize {
        let index = self.specs.len();
        self.by_id.insert(spec.id.clone(), index);
        self.children
            .entry(spec.question.clone())
            .or_default()
            .push(index);
        self.specs.push(spec);
        index
    }

    fn add_question(&mut self, q: &Question) {
        let base = |kind, categories, range, reading| ItemSpec {
            id: q.id.clone(),
            question: q.id.clone(),
            item: None,
            type_name: q.answer.type_name().to_string(),
            kind,
            categories,
            range,
            reading,
            options: Vec::new(),
        };
        match &q.answer {
            AnswerKind::SingleChoice { options } => {
                let labels: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
                let mut spec = base(
                    Some(QuestionKind::Nominal),
                    categories(&labels, 1.0),
                    None,
                    Reading::Option,
                );
                spec.options = codes(options);
                self.push(spec);
            }
            AnswerKind::Scale {
                labels,
                first_value,
            } => {
                let first = f64::from(*first_value);
                let last = first + labels.len().saturating_sub(1) as f64;
                self.push(base(
                    Some(QuestionKind::Ordinal),
                    categories(labels, first),
                    Some((first, last)),
                    Reading::Scale,
                ));
            }
            AnswerKind::Numeric { min, max, .. } => {
                self.push(base(
                    Some(QuestionKind::Numeric),
                    Vec::new(),
                    min.zip(*max).filter(|(lo, hi)| hi > lo),
                    Reading::Number,
                ));
            }
            AnswerKind::FreeText { .. } => self.skipped.push(Skipped {
                question: q.id.clone(),
                reason: "free text has no answer categories to compare".into(),
            }),
            AnswerKind::MultipleChoice { options, .. } => {
                let selected = vec!["not selected".to_string(), "selected".to_string()];
                for option in options {
                    let mut spec = base(
                        Some(QuestionKind::Ordinal),
                        categories(&selected, 0.0),
                        Some((0.0, 1.0)),
                        Reading::Selected,
                    );
                    spec.id = format!("{}_{}", q.id, option.code);
                    spec.item = Some(option.code.clone());
                    spec.options = codes(options);
                    self.push(spec);
                }
            }
            AnswerKind::Ranking { options, .. } => {
                let ranks: Vec<String> = (1..=options.len()).map(ordinal_suffix).collect();
                for option in options {
                    let mut spec = base(
                        Some(QuestionKind::Ordinal),
                        categories(&ranks, 1.0),
                        Some((1.0, options.len() as f64)),
                        Reading::Rank,
                    );
                    spec.id = format!("{}_{}", q.id, option.code);
                    spec.item = Some(option.code.clone());
                    spec.options = codes(options);
                    self.push(spec);
                }
            }
            AnswerKind::Matrix { items, scale, .. } => {
                for item in items {
                    let mut spec = base(
                        Some(QuestionKind::Ordinal),
                        categories(scale, 1.0),
                        Some((1.0, scale.len() as f64)),
                        Reading::Scale,
                    );
                    spec.id = format!("{}_{}", q.id, item.id);
                    spec.item = Some(item.id.clone());
                    self.push(spec);
                }
            }
            // Types added after this module was written (sliders, dropdowns, …): compared by what
            // the study says about options, the kind decided from the answers.
            #[allow(unreachable_patterns)]
            other => {
                let mut spec = base(None, Vec::new(), None, Reading::Unknown);
                if let Some(options) = other.options() {
                    let labels: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
                    spec.kind = Some(QuestionKind::Nominal);
                    spec.categories = categories(&labels, 1.0);
                    spec.options = codes(options);
                }
                self.push(spec);
            }
        }
    }

    pub fn get(&self, index: usize) -> &ItemSpec {
        &self.specs[index]
    }

    /// The items of question `id` (several for matrix, multi-select and ranking questions).
    pub fn children(&self, question: &str) -> &[usize] {
        self.children.get(question).map_or(&[], Vec::as_slice)
    }

    pub fn is_question(&self, id: &str) -> bool {
        self.questions.contains_key(id)
    }

    /// What a long table's question id names: an item, or a question whose items its answer
    /// lists (a multi-select's codes, a ranking's order, a matrix as a JSON object). Ids that
    /// are neither give `None`. A sub-item of an unknown type (`Q7_2` of a slider `Q7`) is added.
    pub fn resolve(&mut self, id: &str) -> Option<Target> {
        if let Some(&index) = self.by_id.get(id) {
            return Some(Target::Item(index));
        }
        if self.is_question(id) {
            return Some(Target::Question(id.to_string()));
        }
        // `Q5_1`: the longest prefix before an `_` that is a question, so ids with underscores
        // (`party_id_2`) still find their question.
        let (parent, sub) = id
            .char_indices()
            .rev()
            .filter(|&(_, c)| c == '_')
            .map(|(i, _)| (&id[..i], &id[i + 1..]))
            .find(|(parent, _)| self.is_question(parent))?;
        let &first = self.children(parent).first()?;
        let template = self.get(first);
        if template.reading != Reading::Unknown || sub.is_empty() {
            return None;
        }
        let mut spec = template.clone();
        spec.id = id.to_string();
        spec.item = Some(sub.to_string());
        // The parent's own item stays, for answers given to `Q7` itself.
        Some(Target::Item(self.push(spec)))
    }
}

/// What a question id in a long table points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Item(usize),
    Question(String),
}

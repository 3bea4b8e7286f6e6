//! Per-respondent agreement: how well each person's twin matches them across the questions, and the
//! same averaged within each group of a respondent variable.

use serde::{Deserialize, Serialize};

use super::nan_serde;
use super::retest::mean_of_finite;
use super::{Paired, Scale};

/// One respondent's agreement over their pairs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RespondentMetrics {
    pub person: String,
    /// The person's group, when a group column was given.
    #[serde(default)]
    pub group: Option<String>,
    /// Pairs (questions both sides answered).
    pub n: usize,
    /// Mean agreement over the pairs whose question has a scale (a range, or nominal): 1 − |h − t|
    /// / range or exact match; NaN when none has.
    #[serde(with = "nan_serde::f64")]
    pub accuracy: f64,
    /// Share of pairs with the identical answer.
    #[serde(with = "nan_serde::f64")]
    pub exact_match: f64,
}

/// Every respondent with at least one pair, in order of first appearance; `scales` is parallel to
/// `paired.questions`.
pub fn respondent_metrics(paired: &Paired, scales: &[Scale]) -> Vec<RespondentMetrics> {
    let persons = paired.persons.len();
    let mut n = vec![0usize; persons];
    let mut scored = vec![0usize; persons];
    let mut sum = vec![0.0f64; persons];
    let mut exact = vec![0usize; persons];
    for ((q, who), scale) in paired
        .questions
        .iter()
        .zip(&paired.pair_persons)
        .zip(scales)
    {
        for ((&h, &t), &p) in q.human.iter().zip(&q.twin).zip(who) {
            let p = p as usize;
            n[p] += 1;
            exact[p] += usize::from(h == t);
            let a = scale.agreement(h, t);
            if a.is_finite() {
                scored[p] += 1;
                sum[p] += a;
            }
        }
    }
    (0..persons)
        .filter(|&p| n[p] > 0)
        .map(|p| RespondentMetrics {
            person: paired.persons[p].clone(),
            group: paired
                .groups
                .as_ref()
                .and_then(|g| g.of_person[p].map(|id| g.labels[id as usize].clone())),
            n: n[p],
            accuracy: if scored[p] > 0 {
                sum[p] / scored[p] as f64
            } else {
                f64::NAN
            },
            exact_match: exact[p] as f64 / n[p] as f64,
        })
        .collect()
}

/// Respondent agreement averaged within one group.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GroupMetrics {
    pub group: String,
    pub persons: usize,
    pub pairs: usize,
    /// Mean of the group's respondents' accuracies (each person counts once).
    #[serde(with = "nan_serde::f64")]
    pub accuracy: f64,
    #[serde(with = "nan_serde::f64")]
    pub exact_match: f64,
}

/// Per-group means of the respondent metrics, groups in the order of `labels`.
pub fn group_metrics(respondents: &[RespondentMetrics], labels: &[String]) -> Vec<GroupMetrics> {
    labels
        .iter()
        .map(|label| {
            let members: Vec<&RespondentMetrics> = respondents
                .iter()
                .filter(|r| r.group.as_deref() == Some(label.as_str()))
                .collect();
            let mean =
                |f: fn(&RespondentMetrics) -> f64| mean_of_finite(members.iter().map(|r| f(r)));
            GroupMetrics {
                group: label.clone(),
                persons: members.len(),
                pairs: members.iter().map(|r| r.n).sum(),
                accuracy: mean(|r| r.accuracy),
                exact_match: mean(|r| r.exact_match),
            }
        })
        .collect()
}

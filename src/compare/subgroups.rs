//! Subgroup alignment: do the twins reproduce the differences between groups of people (e.g. women
//! vs men)? Per question, each group's mean is compared with the first group's, for the humans and
//! for the twins of the same people. Across questions, the two sets of differences are correlated
//! and their signs compared. Differences are standardised by the question's human sd so questions
//! on different scales can be pooled.

use serde::{Deserialize, Serialize};

use super::matrix::question_label;
use super::nan_serde;
use super::retest::pearson;
use super::{Paired, QuestionKind, Scale};

/// Fewer pairs than this in a group leave the question's difference undefined.
pub const MIN_GROUP_PAIRS: usize = 2;

/// One question's difference between a group and the reference group.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GroupDifference {
    pub question: String,
    /// `group − reference`, e.g. `"female - male"`.
    pub contrast: String,
    pub n_group: usize,
    pub n_reference: usize,
    /// Human mean in the group minus in the reference group.
    #[serde(with = "nan_serde::f64")]
    pub human: f64,
    /// The same for the twins of the same people.
    #[serde(with = "nan_serde::f64")]
    pub twin: f64,
    /// Both divided by the question's human sd (ddof 1, all pairs).
    #[serde(with = "nan_serde::f64")]
    pub human_std: f64,
    #[serde(with = "nan_serde::f64")]
    pub twin_std: f64,
}

/// Agreement of the differences across questions, for one contrast or all pooled.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AlignmentSummary {
    /// The contrast, or `"all"`.
    pub contrast: String,
    /// Questions where both differences are defined.
    pub questions: usize,
    /// Pearson r of the standardised human and twin differences.
    #[serde(with = "nan_serde::f64")]
    pub correlation: f64,
    /// Share of questions where the twin difference has the human difference's sign (questions
    /// with no human difference are left out).
    #[serde(with = "nan_serde::f64")]
    pub sign_agreement: f64,
    /// Mean |twin_std − human_std|.
    #[serde(with = "nan_serde::f64")]
    pub mean_abs_error: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SubgroupAlignment {
    pub column: String,
    /// The group every other group is compared with (the first in the data).
    pub reference: String,
    pub differences: Vec<GroupDifference>,
    /// One row per contrast, then `"all"` when there are several.
    pub summary: Vec<AlignmentSummary>,
}

/// Alignment over the paired data's groups; `None` without groups or with fewer than two. Nominal
/// questions are left out (their means are not meaningful).
pub fn subgroup_alignment(paired: &Paired, scales: &[Scale]) -> Option<SubgroupAlignment> {
    let groups = paired.groups.as_ref()?;
    let k = groups.labels.len();
    if k < 2 {
        return None;
    }
    let mut differences = Vec::new();
    for ((q, who), scale) in paired
        .questions
        .iter()
        .zip(&paired.pair_persons)
        .zip(scales)
    {
        if scale.kind == QuestionKind::Nominal {
            continue;
        }
        let mut n = vec![0usize; k];
        let mut sum_h = vec![0.0; k];
        let mut sum_t = vec![0.0; k];
        for ((&h, &t), &p) in q.human.iter().zip(&q.twin).zip(who) {
            if let Some(g) = groups.of_person[p as usize] {
                let g = g as usize;
                n[g] += 1;
                sum_h[g] += h;
                sum_t[g] += t;
            }
        }
        let sd = sd1(&q.human);
        let mean = |s: &[f64], g: usize| {
            if n[g] >= MIN_GROUP_PAIRS {
                s[g] / n[g] as f64
            } else {
                f64::NAN
            }
        };
        for g in 1..k {
            let human = mean(&sum_h, g) - mean(&sum_h, 0);
            let twin = mean(&sum_t, g) - mean(&sum_t, 0);
            let scaled = |d: f64| if sd > 0.0 { d / sd } else { f64::NAN };
            differences.push(GroupDifference {
                question: question_label(&q.key),
                contrast: format!("{} - {}", groups.labels[g], groups.labels[0]),
                n_group: n[g],
                n_reference: n[0],
                human,
                twin,
                human_std: scaled(human),
                twin_std: scaled(twin),
            });
        }
    }
    let mut summary: Vec<AlignmentSummary> = (1..k)
        .map(|g| {
            let contrast = format!("{} - {}", groups.labels[g], groups.labels[0]);
            let rows: Vec<&GroupDifference> = differences
                .iter()
                .filter(|d| d.contrast == contrast)
                .collect();
            summarise(contrast, &rows)
        })
        .collect();
    if k > 2 {
        let all: Vec<&GroupDifference> = differences.iter().collect();
        summary.push(summarise("all".into(), &all));
    }
    Some(SubgroupAlignment {
        column: groups.column.clone(),
        reference: groups.labels[0].clone(),
        differences,
        summary,
    })
}

fn summarise(contrast: String, rows: &[&GroupDifference]) -> AlignmentSummary {
    let defined: Vec<&&GroupDifference> = rows
        .iter()
        .filter(|d| d.human_std.is_finite() && d.twin_std.is_finite())
        .collect();
    let h: Vec<f64> = defined.iter().map(|d| d.human_std).collect();
    let t: Vec<f64> = defined.iter().map(|d| d.twin_std).collect();
    let signed: Vec<&&&GroupDifference> = defined.iter().filter(|d| d.human != 0.0).collect();
    let agree = signed
        .iter()
        .filter(|d| d.human.signum() == d.twin.signum() && d.twin != 0.0)
        .count();
    AlignmentSummary {
        contrast,
        questions: defined.len(),
        correlation: pearson(&h, &t),
        sign_agreement: if signed.is_empty() {
            f64::NAN
        } else {
            agree as f64 / signed.len() as f64
        },
        mean_abs_error: if defined.is_empty() {
            f64::NAN
        } else {
            h.iter().zip(&t).map(|(a, b)| (a - b).abs()).sum::<f64>() / defined.len() as f64
        },
    }
}

/// Sample sd (ddof 1); NaN with fewer than two values.
fn sd1(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)).sqrt()
}

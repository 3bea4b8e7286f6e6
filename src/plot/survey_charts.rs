//! Charts of an unpaired people-vs-LLM survey comparison: one item's answer shares, people and LLM
//! as paired bars with the uniform share as the reference line; and the summary across items, the
//! people-vs-LLM Jensen–Shannon divergence per item as bars with ticks at each sample's divergence
//! from uniform (an LLM tick left of the people's is the drift to uniform). Built from the serde
//! [`SurveyComparison`], so the page draws them from the worker's reply.

use super::figure::{Figure, Mark, Panel, Point, RowLabel, Series};
use super::PlotError;
use crate::compare::{ItemComparison, QuestionKind, SurveyComparison};

fn bars(values: &[f64]) -> Vec<Option<Point>> {
    values
        .iter()
        .map(|&v| v.is_finite().then(|| Point::new(v, None)))
        .collect()
}

/// People's and the LLM's share of each category (or bin) of one item.
pub fn survey_distribution_figure(item: &ItemComparison) -> Result<Figure, PlotError> {
    let d = item
        .distribution
        .as_ref()
        .ok_or_else(|| PlotError::Empty(format!("{} has no answers to chart", item.question)))?;
    if item.n_human == 0 && item.n_llm == 0 {
        return Err(PlotError::Empty(format!(
            "{} has no answers on either side",
            item.question
        )));
    }
    let mut subtitle = format!("{} people, {} LLM answers", item.n_human, item.n_llm);
    let dist = &item.distances;
    if dist.js_divergence.is_finite() {
        subtitle.push_str(&format!("; JS divergence {:.3}", dist.js_divergence));
    }
    if dist.representativeness.is_finite() {
        subtitle.push_str(&format!(
            "; representativeness {:.3}",
            dist.representativeness
        ));
    }
    match item.difference.p_value {
        p if p < 0.001 => subtitle.push_str("; p < 0.001"),
        p if p.is_finite() => subtitle.push_str(&format!("; p = {p:.3}")),
        _ => {}
    }
    let uniform = (!d.binned && !d.labels.is_empty()).then(|| 1.0 / d.labels.len() as f64);
    let what = match item.kind {
        QuestionKind::Numeric => "numbers in equal bins",
        QuestionKind::Ordinal => "ordered",
        QuestionKind::Nominal => "unordered",
    };
    Ok(Figure {
        title: format!("Answers to {} ({what})", item.question),
        subtitle,
        rows: d.labels.iter().map(|l| RowLabel::Item(l.clone())).collect(),
        panels: vec![Panel {
            title: String::new(),
            x_label: if uniform.is_some() {
                "Share of answers (line: uniform over the options)".into()
            } else {
                "Share of answers".into()
            },
            reference: uniform,
            mark: Mark::Bar,
            series: vec![
                Series {
                    name: "People".into(),
                    colour: 0,
                    points: bars(&d.human),
                },
                Series {
                    name: "LLM".into(),
                    colour: 1,
                    points: bars(&d.llm),
                },
            ],
        }],
    })
}

/// The people-vs-LLM divergence of every categorical item, largest first, with the divergence of
/// each sample from uniform as ticks.
pub fn survey_summary_figure(comparison: &SurveyComparison) -> Result<Figure, PlotError> {
    let mut rows: Vec<&ItemComparison> = comparison
        .items
        .iter()
        .filter(|r| r.distances.js_divergence.is_finite())
        .collect();
    if rows.is_empty() {
        return Err(PlotError::Empty(
            "no categorical item has answers on both sides".into(),
        ));
    }
    rows.sort_by(|a, b| {
        b.distances
            .js_divergence
            .total_cmp(&a.distances.js_divergence)
    });
    let series = |name: &str, colour, f: &dyn Fn(&ItemComparison) -> f64| Series {
        name: name.into(),
        colour,
        points: rows
            .iter()
            .map(|r| {
                Some(f(r))
                    .filter(|v| v.is_finite())
                    .map(|v| Point::new(v, None))
            })
            .collect(),
    };
    let s = &comparison.summary;
    let mut subtitle = format!(
        "{} items, largest first; mean JS divergence {:.3}",
        rows.len(),
        s.mean_js_divergence
    );
    if s.nearer_uniform_share.is_finite() {
        subtitle.push_str(&format!(
            "; the LLM is nearer uniform than people on {:.0}% of items",
            100.0 * s.nearer_uniform_share
        ));
    }
    Ok(Figure {
        title: "People vs LLM, question by question".into(),
        subtitle,
        rows: rows
            .iter()
            .map(|r| RowLabel::Item(r.question.clone()))
            .collect(),
        panels: vec![Panel {
            title: String::new(),
            x_label: "Jensen–Shannon divergence (bits; 0 = same distribution)".into(),
            reference: None,
            mark: Mark::BarWithTargets,
            series: vec![
                series("People vs LLM", 0, &|r| r.distances.js_divergence),
                series("People vs uniform", 2, &|r| {
                    r.human_to_uniform.js_divergence
                }),
                series("LLM vs uniform", 1, &|r| r.llm_to_uniform.js_divergence),
            ],
        }],
    })
}

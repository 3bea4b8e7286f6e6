//! Charts of a twins-vs-humans comparison: means scatter with the identity line, per-question
//! accuracy with the retest ceiling, one question's answer distributions overlaid, and the
//! respondent × question agreement heatmap. (The AMCE comparison is
//! [`super::charts::estimate_comparison_figure`].) Built from the serde [`Comparison`], so the page
//! builds them from the worker's reply where it draws them.

use serde::{Deserialize, Serialize};

use super::figure::{Figure, Mark, Panel, Point, RowLabel, Series};
use super::heatmap::Heatmap;
use super::scatter::Scatter;
use super::{Chart, PlotError};
use crate::compare::{AgreementMatrix, Comparison, QuestionKind, QuestionResult};
use crate::study::number_text;

/// Heatmap cells at most this many (bins beyond), keeping every cell a few pixels wide.
pub const HEATMAP_MAX_ROWS: usize = 70;
pub const HEATMAP_MAX_COLUMNS: usize = 140;

/// Which comparison chart.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "plot", rename_all = "snake_case")]
pub enum ComparePlot {
    /// Human vs twin mean per question, with y = x.
    Means,
    /// Accuracy per question, sorted, with the retest ceiling; `limit` shows only the highest and
    /// lowest `limit` questions.
    Accuracy {
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Human and twin answer shares per position of question number `question` (index into
    /// `Comparison::questions`).
    Distribution { question: usize },
    /// Respondent × question agreement.
    Heatmap,
}

/// The chart `which` of the comparison.
pub fn compare_chart(comparison: &Comparison, which: &ComparePlot) -> Result<Chart, PlotError> {
    match which {
        ComparePlot::Means => means_scatter(comparison).map(Chart::Scatter),
        ComparePlot::Accuracy { limit } => accuracy_figure(comparison, *limit).map(Chart::Rows),
        ComparePlot::Distribution { question } => comparison
            .questions
            .get(*question)
            .ok_or_else(|| PlotError::Empty(format!("there is no question number {question}")))
            .and_then(distribution_overlay)
            .map(Chart::Rows),
        ComparePlot::Heatmap => agreement_heatmap(&comparison.matrix).map(Chart::Heatmap),
    }
}

/// Human vs twin mean per question. Means are put on a common 0–1 scale ((mean − min) / (max −
/// min)) when questions have ranges, since scales differ; questions without a range are then left
/// out (the subtitle says how many). Nominal questions have no mean.
pub fn means_scatter(comparison: &Comparison) -> Result<Scatter, PlotError> {
    let with_means: Vec<&QuestionResult> = comparison
        .questions
        .iter()
        .filter(|q| q.metrics.kind != QuestionKind::Nominal)
        .filter(|q| q.metrics.mean_human.is_finite() && q.metrics.mean_twin.is_finite())
        .collect();
    let ranged = with_means.iter().filter(|q| q.range.is_some()).count();
    let normalise = ranged > 0;
    let points: Vec<(f64, f64)> = with_means
        .iter()
        .filter_map(|q| match (normalise, q.range) {
            (true, Some((lo, hi))) => Some((
                (q.metrics.mean_human - lo) / (hi - lo),
                (q.metrics.mean_twin - lo) / (hi - lo),
            )),
            (true, None) => None,
            (false, _) => Some((q.metrics.mean_human, q.metrics.mean_twin)),
        })
        .collect();
    if points.is_empty() {
        return Err(PlotError::Empty(
            "no question has a human and a twin mean".into(),
        ));
    }
    let left_out = with_means.len() - points.len();
    let mut subtitle = format!(
        "{} questions; on the line the twins' mean equals the humans'",
        points.len()
    );
    if left_out > 0 {
        subtitle.push_str(&format!("; {left_out} without a range left out"));
    }
    let what = if normalise {
        "position on the scale, 0 = min, 1 = max"
    } else {
        "answer units"
    };
    Ok(Scatter {
        title: "Mean answer per question: humans vs twins".into(),
        subtitle,
        x_label: format!("Human mean ({what})"),
        y_label: format!("Twin mean ({what})"),
        points,
        identity: true,
    })
}

/// Accuracy per question as bars, best first, with the human retest ceiling as a tick on each bar
/// when there is one. With
/// `limit` and more than 2 × limit questions, only the highest and lowest `limit` are shown under
/// two headers, so 163 questions stay readable.
pub fn accuracy_figure(comparison: &Comparison, limit: Option<usize>) -> Result<Figure, PlotError> {
    let mut rated: Vec<&QuestionResult> = comparison
        .questions
        .iter()
        .filter(|q| q.metrics.accuracy.is_finite())
        .collect();
    rated.sort_by(|a, b| b.metrics.accuracy.total_cmp(&a.metrics.accuracy));
    let unrated = comparison.questions.len() - rated.len();
    let has_retest = rated
        .iter()
        .any(|q| q.retest.is_some_and(|r| r.human_accuracy.is_finite()));
    let mut rows = Vec::new();
    let mut shown: Vec<&QuestionResult> = Vec::new();
    match limit {
        Some(n) if n > 0 && rated.len() > 2 * n => {
            rows.push(RowLabel::Header(format!("Highest {n}")));
            for q in &rated[..n] {
                rows.push(RowLabel::Item(q.label()));
                shown.push(q);
            }
            rows.push(RowLabel::Header(format!("Lowest {n}")));
            for q in &rated[rated.len() - n..] {
                rows.push(RowLabel::Item(q.label()));
                shown.push(q);
            }
        }
        _ => {
            for q in &rated {
                rows.push(RowLabel::Item(q.label()));
                shown.push(q);
            }
        }
    }
    let mut series = vec![Series {
        name: "Twin accuracy".into(),
        colour: 0,
        points: shown
            .iter()
            .map(|q| Some(Point::new(q.metrics.accuracy, None)))
            .collect(),
    }];
    if has_retest {
        series.push(Series {
            name: "Human test–retest ceiling".into(),
            colour: 1,
            points: shown
                .iter()
                .map(|q| {
                    q.retest
                        .map(|r| r.human_accuracy)
                        .filter(|v| v.is_finite())
                        .map(|v| Point::new(v, None))
                })
                .collect(),
        });
    }
    if shown.is_empty() {
        return Err(PlotError::Empty(
            "no question has an accuracy (give ranges)".into(),
        ));
    }
    let mut subtitle = format!(
        "{} of {} questions; accuracy = 1 − mean|human − twin| / range (exact match for nominal)",
        shown.len(),
        comparison.questions.len()
    );
    if unrated > 0 {
        subtitle.push_str(&format!("; {unrated} without a range"));
    }
    Ok(Figure {
        title: "Accuracy per question".into(),
        subtitle,
        rows,
        panels: vec![Panel {
            title: String::new(),
            x_label: "Accuracy (1 = the twin always gives the person's answer)".into(),
            reference: None,
            mark: Mark::BarWithTargets,
            series,
        }],
    })
}

/// One question's answer shares per position, humans and twins dodged.
pub fn distribution_overlay(question: &QuestionResult) -> Result<Figure, PlotError> {
    let shares = question.shares.as_ref().ok_or_else(|| {
        PlotError::Empty(format!(
            "{} is numeric: it has no answer positions to compare",
            question.label()
        ))
    })?;
    let bars = |values: &[f64]| values.iter().map(|&v| Some(Point::new(v, None))).collect();
    let d = &question.metrics.distances;
    let mut subtitle = format!("{} pairs", question.metrics.n);
    if d.js_divergence.is_finite() {
        subtitle.push_str(&format!(
            "; Jensen–Shannon divergence {:.3}",
            d.js_divergence
        ));
    }
    if d.representativeness.is_finite() {
        subtitle.push_str(&format!("; representativeness {:.3}", d.representativeness));
    }
    Ok(Figure {
        title: format!("Answers to {}", question.label()),
        subtitle,
        rows: shares
            .positions
            .iter()
            .map(|&p| RowLabel::Item(number_text(p)))
            .collect(),
        panels: vec![Panel {
            title: String::new(),
            x_label: "Share of answers".into(),
            reference: None,
            mark: Mark::Bar,
            series: vec![
                Series {
                    name: "Humans".into(),
                    colour: 0,
                    points: bars(&shares.human),
                },
                Series {
                    name: "Twins".into(),
                    colour: 1,
                    points: bars(&shares.twin),
                },
            ],
        }],
    })
}

/// The agreement matrix sorted by mean agreement (best respondents on top, best questions left)
/// and binned to at most [`HEATMAP_MAX_ROWS`] × [`HEATMAP_MAX_COLUMNS`] cells.
pub fn agreement_heatmap(matrix: &AgreementMatrix) -> Result<Heatmap, PlotError> {
    let (r, c) = (matrix.rows.len(), matrix.columns.len());
    if r == 0 || c == 0 {
        return Err(PlotError::Empty("no respondent has a pair".into()));
    }
    let shown = matrix
        .sorted()
        .binned(HEATMAP_MAX_ROWS, HEATMAP_MAX_COLUMNS);
    let mut subtitle = format!(
        "{r} respondents × {c} questions, sorted by mean agreement (1 − |human − twin| / range)"
    );
    if shown.rows.len() < r || shown.columns.len() < c {
        subtitle.push_str(&format!(
            "; each cell averages about {} × {}",
            r.div_ceil(shown.rows.len()),
            c.div_ceil(shown.columns.len())
        ));
    }
    Ok(Heatmap {
        title: "Agreement by respondent and question".into(),
        subtitle,
        row_label: "Respondents".into(),
        column_label: "Questions (best agreement left)".into(),
        rows: shown.rows,
        columns: shown.columns,
        values: shown.values,
    })
}

//! Figures built from analysis results: the tidy table (AMCE, marginal means, subgroups and their
//! differences), survey answer shares, level frequencies and choice shares by position.

use super::figure::{Figure, Mark, Panel, Point, RowLabel, Series};
use super::PlotError;
use crate::analysis::levels::cell_label;
use crate::analysis::survey_stats::Share;
use crate::analysis::{TidyRow, TidyTable};
use crate::study::ResponseTable;

/// What the estimates in a tidy table are, which sets the axis label and the reference line.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EstimateKind {
    /// Effects relative to each feature's baseline: line at 0.
    Amce,
    /// Marginal means: line at the null (0.5 for a forced choice between two profiles).
    MarginalMeans { null: f64 },
}

impl EstimateKind {
    fn title(self) -> &'static str {
        match self {
            Self::Amce => "Average marginal component effects",
            Self::MarginalMeans { .. } => "Marginal means",
        }
    }

    fn x_label(self) -> &'static str {
        match self {
            Self::Amce => "Change in Pr(chosen) vs. the baseline level (95% CI)",
            Self::MarginalMeans { .. } => "Marginal mean (95% CI)",
        }
    }

    fn reference(self) -> f64 {
        match self {
            Self::Amce => 0.0,
            Self::MarginalMeans { null } => null,
        }
    }
}

/// Feature headers with their levels under them, in the order the tables list them; `items` maps
/// each `(feature, level)` to its position among the `Item` rows.
struct Rows {
    labels: Vec<RowLabel>,
    keys: Vec<(String, String)>,
}

impl Rows {
    fn from_tables(tables: &[&TidyTable]) -> Self {
        // Features in first-seen order; levels in first-seen order within each feature.
        let mut features: Vec<(String, Vec<String>)> = Vec::new();
        for row in tables.iter().flat_map(|t| t.rows.iter()) {
            let index = match features.iter().position(|(f, _)| *f == row.feature) {
                Some(i) => i,
                None => {
                    features.push((row.feature.clone(), Vec::new()));
                    features.len() - 1
                }
            };
            let levels = &mut features[index].1;
            if !levels.contains(&row.level) {
                levels.push(row.level.clone());
            }
        }
        let mut labels = Vec::new();
        let mut keys = Vec::new();
        for (feature, levels) in features {
            labels.push(RowLabel::Header(feature.clone()));
            for level in levels {
                labels.push(RowLabel::Item(level.clone()));
                keys.push((feature.clone(), level));
            }
        }
        Self { labels, keys }
    }

    fn index(&self, row: &TidyRow) -> Option<usize> {
        self.keys
            .iter()
            .position(|(f, l)| *f == row.feature && *l == row.level)
    }

    /// One series per group of `table` (a single unnamed series when it has no groups).
    fn series(&self, table: &TidyTable) -> Vec<Series> {
        let mut series: Vec<Series> = Vec::new();
        for row in &table.rows {
            let name = row.group.clone().unwrap_or_default();
            let s = match series.iter().position(|s| s.name == name) {
                Some(i) => i,
                None => {
                    series.push(Series {
                        name,
                        colour: series.len(),
                        points: vec![None; self.keys.len()],
                    });
                    series.len() - 1
                }
            };
            if let Some(i) = self.index(row) {
                series[s].points[i] = point(row);
            }
        }
        series
    }
}

/// A tidy row as a point: the estimate with its interval; baselines (no standard error) have none.
fn point(row: &TidyRow) -> Option<Point> {
    let value = row.estimate.filter(|v| v.is_finite())?;
    let interval = match (row.lower, row.upper) {
        (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() => Some((lo, hi)),
        _ => None,
    };
    Some(Point::new(value, interval))
}

fn check_not_empty(figure: &Figure) -> Result<(), PlotError> {
    let any = figure
        .panels
        .iter()
        .flat_map(|p| p.series.iter().flat_map(|s| s.points.iter()))
        .any(Option::is_some);
    if any {
        Ok(())
    } else {
        Err(PlotError::Empty(
            "no level has an estimate (see the warnings)".into(),
        ))
    }
}

/// AMCE plot: one row per level under its feature's header, baselines at 0 without an interval, a
/// line at 0. A grouped table (`--by`) gives one coloured, dodged series per group.
pub fn amce_figure(table: &TidyTable, subtitle: &str) -> Result<Figure, PlotError> {
    estimates_figure(table, EstimateKind::Amce, subtitle)
}

/// Marginal-means plot with a line at the null (0.5 for a forced choice).
pub fn mm_figure(table: &TidyTable, null: f64, subtitle: &str) -> Result<Figure, PlotError> {
    estimates_figure(table, EstimateKind::MarginalMeans { null }, subtitle)
}

fn estimates_figure(
    table: &TidyTable,
    kind: EstimateKind,
    subtitle: &str,
) -> Result<Figure, PlotError> {
    let rows = Rows::from_tables(&[table]);
    let figure = Figure {
        title: match &table.group_column {
            Some(by) => format!("{} by {by}", kind.title()),
            None => kind.title().to_string(),
        },
        subtitle: subtitle.to_string(),
        panels: vec![Panel {
            title: String::new(),
            x_label: kind.x_label().to_string(),
            reference: Some(kind.reference()),
            mark: Mark::Dot,
            series: rows.series(table),
        }],
        rows: rows.labels,
    };
    check_not_empty(&figure)?;
    Ok(figure)
}

/// Subgroup plot: the estimates of every group overlaid (colour per group, dodged) and, beside them,
/// a panel of each group's difference from the first group (line at 0), sharing the row labels.
pub fn subgroup_figure(
    by_group: &TidyTable,
    differences: Option<&TidyTable>,
    kind: EstimateKind,
    subtitle: &str,
) -> Result<Figure, PlotError> {
    let tables: Vec<&TidyTable> = std::iter::once(by_group).chain(differences).collect();
    let rows = Rows::from_tables(&tables);
    let by = by_group.group_column.as_deref().unwrap_or("group");
    let groups = rows.series(by_group);
    let first = groups.first().map(|s| s.name.clone()).unwrap_or_default();
    let mut panels = vec![Panel {
        title: format!("By {by}"),
        x_label: kind.x_label().to_string(),
        reference: Some(kind.reference()),
        mark: Mark::Dot,
        series: groups,
    }];
    if let Some(differences) = differences {
        // A difference "b - a" takes group b's colour (the first group, a, has no difference).
        let mut series = rows.series(differences);
        for s in &mut series {
            s.colour += 1;
        }
        panels.push(Panel {
            title: format!("Difference from {by} = {first}"),
            x_label: "Difference (95% CI)".into(),
            reference: Some(0.0),
            mark: Mark::Dot,
            series,
        });
    }
    let figure = Figure {
        title: format!("{} by {by}", kind.title()),
        subtitle: subtitle.to_string(),
        rows: rows.labels,
        panels,
    };
    check_not_empty(&figure)?;
    Ok(figure)
}

/// How often each level was shown, as bars under feature headers (a check of the randomisation).
/// `orders` gives level orders to use where known; other levels follow in first-seen order.
pub fn level_frequency_figure(
    table: &ResponseTable,
    features: &[String],
    orders: &[(String, Vec<String>)],
) -> Result<Figure, PlotError> {
    let mut labels = Vec::new();
    let mut points = Vec::new();
    for feature in features {
        let column = table
            .column(feature)
            .ok_or_else(|| PlotError::Empty(format!("column {feature:?} is not in the data")))?;
        let mut levels: Vec<String> = orders
            .iter()
            .find(|(f, _)| f == feature)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        let mut counts = vec![0usize; levels.len()];
        for r in 0..table.row_count() {
            let Some(level) = cell_label(&column.values, r) else {
                continue;
            };
            match levels.iter().position(|l| *l == level) {
                Some(i) => counts[i] += 1,
                None => {
                    levels.push(level);
                    counts.push(1);
                }
            }
        }
        labels.push(RowLabel::Header(feature.clone()));
        for (level, count) in levels.into_iter().zip(counts) {
            labels.push(RowLabel::Item(level));
            points.push(Some(Point::new(count as f64, None)));
        }
    }
    let figure = Figure {
        title: "Level frequencies".into(),
        subtitle: format!("{} profiles", table.row_count()),
        rows: labels,
        panels: vec![bar_panel("Profiles showing the level", None, points)],
    };
    check_not_empty(&figure)?;
    Ok(figure)
}

fn bar_panel(x_label: &str, reference: Option<f64>, points: Vec<Option<Point>>) -> Panel {
    Panel {
        title: String::new(),
        x_label: x_label.to_string(),
        reference,
        mark: Mark::Bar,
        series: vec![Series {
            name: String::new(),
            colour: 0,
            points,
        }],
    }
}

fn share_points(shares: &[Share]) -> (Vec<RowLabel>, Vec<Option<Point>>) {
    shares
        .iter()
        .map(|s| {
            (
                RowLabel::Item(s.value.clone()),
                Some(Point::new(s.share, Some((s.lower, s.upper)))),
            )
        })
        .unzip()
}

/// A question's answer distribution: one bar per answer with its 95% interval.
pub fn distribution_figure(question: &str, shares: &[Share]) -> Result<Figure, PlotError> {
    let (rows, points) = share_points(shares);
    let n: usize = shares.iter().map(|s| s.n).sum();
    let figure = Figure {
        title: format!("Answers to {question}"),
        subtitle: format!("{n} answers"),
        rows,
        panels: vec![bar_panel("Share of answers (95% CI)", None, points)],
    };
    check_not_empty(&figure)?;
    Ok(figure)
}

/// Position (or label) bias: the share choosing each displayed position, against the 1/k line an
/// unbiased respondent would sit on (e.g. A-bias = P("A") − 1/k).
pub fn position_bias_figure(title: &str, shares: &[Share]) -> Result<Figure, PlotError> {
    let (rows, points) = share_points(shares);
    let k = shares.len().max(1) as f64;
    let figure = Figure {
        title: title.to_string(),
        subtitle: format!("line at 1/{} = no position preference", shares.len()),
        rows,
        panels: vec![bar_panel(
            "Share choosing the position (95% CI)",
            Some(1.0 / k),
            points,
        )],
    };
    check_not_empty(&figure)?;
    Ok(figure)
}

/// Two sets of estimates on one axis (humans and twins, dodged, with 95% intervals, under feature
/// headers like the AMCE plot) beside a panel of their differences, twins − humans, with the
/// interval of the independent-samples test.
pub fn estimate_comparison_figure(
    comparison: &crate::compare::EstimateComparison,
    kind: EstimateKind,
    subtitle: &str,
) -> Result<Figure, PlotError> {
    let side =
        |name: &str, pick: fn(&crate::compare::LevelComparison) -> (Option<f64>, Option<f64>)| {
            let rows = comparison
                .rows
                .iter()
                .filter_map(|r| {
                    let (estimate, se) = pick(r);
                    let estimate = estimate?;
                    let series = match &r.group {
                        Some(g) => format!("{name} ({g})"),
                        None => name.to_string(),
                    };
                    let row = match se {
                        Some(se) => {
                            TidyRow::estimated(&r.feature, &r.level, estimate, se, kind.reference())
                        }
                        None => TidyRow {
                            estimate: Some(estimate),
                            ..TidyRow::missing(&r.feature, &r.level)
                        },
                    };
                    Some(row.in_group(&series))
                })
                .collect();
            TidyTable {
                group_column: Some("sample".into()),
                rows,
            }
        };
    let humans = side("Humans", |r| (r.human, r.human_se));
    let twins = side("Twins", |r| (r.twin, r.twin_se));
    let differences = TidyTable {
        group_column: Some("sample".into()),
        rows: comparison
            .rows
            .iter()
            .filter_map(|r| {
                let d = r.difference?;
                let mut row = TidyRow {
                    estimate: Some(d),
                    lower: r.lower,
                    upper: r.upper,
                    ..TidyRow::missing(&r.feature, &r.level)
                };
                row.group = Some("Twins − humans".into());
                Some(row)
            })
            .collect(),
    };
    let both = TidyTable {
        group_column: Some("sample".into()),
        rows: humans.rows.iter().chain(&twins.rows).cloned().collect(),
    };
    let rows = Rows::from_tables(&[&both, &differences]);
    let mut difference_series = rows.series(&differences);
    for s in &mut difference_series {
        // The difference is the twins' deviation: draw it in their colour.
        s.colour = 1;
    }
    let estimate_series = rows.series(&both);
    let figure = Figure {
        title: format!("{}: humans and twins", kind.title()),
        subtitle: subtitle.to_string(),
        rows: rows.labels,
        panels: vec![
            Panel {
                title: "Estimates".into(),
                x_label: kind.x_label().to_string(),
                reference: Some(kind.reference()),
                mark: Mark::Dot,
                series: estimate_series,
            },
            Panel {
                title: "Twins − humans".into(),
                x_label: "Difference (95% CI)".into(),
                reference: Some(0.0),
                mark: Mark::Dot,
                series: difference_series,
            },
        ],
    };
    check_not_empty(&figure)?;
    Ok(figure)
}

//! A chart as data: labelled rows (feature headers with their levels under them) shared by one or
//! more side-by-side panels. Every chart silico draws is one of these, so one drawing routine lays
//! out AMCE, marginal-means, subgroup, frequency, distribution and position-bias charts alike.

/// A row of the chart's label column.
#[derive(Clone, Debug, PartialEq)]
pub enum RowLabel {
    /// A feature name, printed in bold with no data.
    Header(String),
    /// A level (or answer, or position): one value per series in every panel.
    Item(String),
}

/// An estimate with its 95% interval; baselines have none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

impl Point {
    pub fn new(value: f64, interval: Option<(f64, f64)>) -> Self {
        Self { value, interval }
    }

    /// The smallest and largest values this point needs on the axis.
    pub fn extent(&self) -> (f64, f64) {
        match self.interval {
            Some((lo, hi)) => (self.value.min(lo), self.value.max(hi)),
            None => (self.value, self.value),
        }
    }
}

/// How a panel shows its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A dot with a horizontal interval (estimates).
    Dot,
    /// A horizontal bar from 0 with an optional interval (shares, counts).
    Bar,
    /// The first series as a bar from 0, every other series as a vertical tick on the same row: a
    /// value against its target (twin accuracy against the human retest ceiling).
    BarWithTargets,
}

/// One named series (a subgroup, or the only series): one optional point per `Item` row, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// Index into [`super::palette::SERIES`], so a group keeps its colour across panels.
    pub colour: usize,
    pub points: Vec<Option<Point>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub title: String,
    pub x_label: String,
    /// A vertical reference line: 0 for effects, 0.5 for forced-choice marginal means, 1/k for
    /// position shares.
    pub reference: Option<f64>,
    pub mark: Mark,
    pub series: Vec<Series>,
}

impl Panel {
    /// The data range this panel needs, including its reference line and (for bars) 0.
    pub fn extent(&self) -> Option<(f64, f64)> {
        let mut range: Option<(f64, f64)> = self.reference.map(|r| (r, r));
        if matches!(self.mark, Mark::Bar | Mark::BarWithTargets) {
            range = Some(range.map_or((0.0, 0.0), |(lo, hi)| (lo.min(0.0), hi.max(0.0))));
        }
        for point in self.series.iter().flat_map(|s| s.points.iter().flatten()) {
            let (lo, hi) = point.extent();
            if lo.is_finite() && hi.is_finite() {
                range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
            }
        }
        range
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub title: String,
    /// Shown under the title in smaller type (e.g. the sample size).
    pub subtitle: String,
    pub rows: Vec<RowLabel>,
    pub panels: Vec<Panel>,
}

impl Figure {
    /// The number of `Item` rows (the length of every series).
    pub fn items(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r, RowLabel::Item(_)))
            .count()
    }

    /// Whether a legend is needed: some panel has more than one series.
    pub fn has_legend(&self) -> bool {
        self.panels.iter().any(|p| p.series.len() > 1)
    }
}

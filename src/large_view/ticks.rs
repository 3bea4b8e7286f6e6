//! Axis ticks for any zoom: round values (1, 2 or 5 × 10^k) inside the visible range, with as few
//! decimals as tell them apart.

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// About `target` ticks inside `[lo, hi]` (never outside it).
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let decimals = (-step.log10().floor()).clamp(0.0, 15.0) as usize;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let value = k as f64 * step;
            // -0.0 prints as "-0"; a round tick at zero is just "0".
            let shown = if value.abs() < step * 1e-9 {
                0.0
            } else {
                value
            };
            Tick {
                value,
                label: format_tick(shown, decimals, step),
            }
        })
        .collect()
}

fn format_tick(value: f64, decimals: usize, step: f64) -> String {
    if step >= 1e6 || (step < 1e-4 && value != 0.0) {
        format!("{value:.1e}")
    } else {
        format!("{value:.decimals$}")
    }
}

/// The names of a heatmap's rows (or columns) in source order, each in a group (a conjoint's
/// level in its attribute), for axes that say what a row is rather than its number.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisNames {
    pub names: Vec<String>,
    /// Per position, the index into `groups`.
    pub group_of: Vec<usize>,
    pub groups: Vec<String>,
}

impl AxisNames {
    /// Names grouped as given: `(group, name)` pairs, a group's members next to each other.
    pub fn grouped(pairs: &[(String, String)]) -> Self {
        let mut groups: Vec<String> = Vec::new();
        let mut group_of = Vec::with_capacity(pairs.len());
        for (group, _) in pairs {
            if groups.last() != Some(group) {
                groups.push(group.clone());
            }
            group_of.push(groups.len() - 1);
        }
        Self {
            names: pairs.iter().map(|(_, n)| n.clone()).collect(),
            group_of,
            groups,
        }
    }

    /// The labels for the drawn positions in `shown` (ascending), where `order[drawn]` is the
    /// source position drawn there. A label names its group ("Education: 4th Grade") when the
    /// label before it (if any) is of another group, and is the bare name otherwise: in source
    /// order each attribute is named once, at its first labelled level; in any other order the
    /// groups are scattered and every label names its own.
    pub fn labels(&self, shown: &[usize], order: &[usize]) -> Vec<String> {
        let mut previous: Option<usize> = None;
        shown
            .iter()
            .map(|&drawn| {
                let source = order.get(drawn).copied().unwrap_or(drawn);
                let group = self.group_of.get(source).copied();
                let name = self.names.get(source).map_or("?", String::as_str);
                let label = match group {
                    Some(g) if previous != Some(g) => format!("{}: {name}", self.groups[g]),
                    _ => name.to_string(),
                };
                previous = group;
                label
            })
            .collect()
    }

    /// Drawn positions after which the group changes (for separator lines), in source order only.
    pub fn boundaries(&self, order: &[usize]) -> Vec<usize> {
        let source = |drawn: usize| order.get(drawn).copied().unwrap_or(drawn);
        (1..self.names.len())
            .filter(|&d| self.group_of.get(source(d)) != self.group_of.get(source(d - 1)))
            .collect()
    }
}

/// Which of `count` named positions (cells `p` spanning `[p, p + 1)`) to label when `lo..hi` of
/// them is in view and each takes `px_per_position` pixels: every position when names `spacing`
/// pixels apart fit, else every 2nd, 5th, 10th, 20th… (so the labelled ones stay put while
/// panning). Only positions whose centre is in view.
pub fn named_positions(
    lo: f64,
    hi: f64,
    count: usize,
    px_per_position: f64,
    spacing: f64,
) -> Vec<usize> {
    if !(lo.is_finite() && hi.is_finite() && px_per_position > 0.0) || hi <= lo || count == 0 {
        return Vec::new();
    }
    let needed = spacing / px_per_position;
    let mut step = 1usize;
    let mut k = 0;
    while (step as f64) < needed {
        step = [2, 5, 10][k % 3] * 10usize.pow((k / 3) as u32);
        k += 1;
    }
    let first = (lo - 0.5).ceil().max(0.0) as usize;
    let last = ((hi - 0.5).floor() as i64).min(count as i64 - 1);
    if last < first as i64 {
        return Vec::new();
    }
    (first..=last as usize).filter(|p| p % step == 0).collect()
}

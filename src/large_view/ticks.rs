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

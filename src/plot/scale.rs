//! A linear axis with "nice" ticks (1, 2 or 5 × 10^k) that covers the data and the reference line.

#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    /// Decimals that tell the ticks apart.
    pub decimals: usize,
}

impl Axis {
    /// An axis over `[lo, hi]` with about `target` ticks; a degenerate range is widened around it.
    pub fn nice(lo: f64, hi: f64, target: usize) -> Self {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        if hi - lo < 1e-12 {
            let pad = if lo.abs() > 1e-12 {
                lo.abs() * 0.1
            } else {
                0.1
            };
            lo -= pad;
            hi += pad;
        }
        let raw = (hi - lo) / target.max(2) as f64;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let lo = (lo / step).floor() * step;
        let hi = (hi / step).ceil() * step;
        let count = ((hi - lo) / step).round() as usize;
        let ticks = (0..=count).map(|i| lo + i as f64 * step).collect();
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        Self {
            lo,
            hi,
            ticks,
            decimals,
        }
    }

    /// Pixel position of `value` in `[left, right]`.
    pub fn to_pixel(&self, value: f64, left: i32, right: i32) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        left + (t * f64::from(right - left)).round() as i32
    }

    pub fn label(&self, value: f64) -> String {
        // Avoid "-0.00" for a tick that is zero up to rounding.
        let value = if value.abs() < 1e-12 { 0.0 } else { value };
        format!("{value:.*}", self.decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::Axis;

    #[test]
    fn ticks_cover_the_range_in_round_steps() {
        let axis = Axis::nice(-0.083, 0.12, 5);
        assert!(axis.lo <= -0.083 && axis.hi >= 0.12);
        assert_eq!(axis.decimals, 2);
        assert!(axis.ticks.iter().any(|t| t.abs() < 1e-12));
        assert_eq!(axis.label(axis.ticks[0]), "-0.10");
    }

    #[test]
    fn a_single_value_still_gets_an_axis() {
        let axis = Axis::nice(0.0, 0.0, 5);
        assert!(axis.lo < 0.0 && axis.hi > 0.0);
    }
}

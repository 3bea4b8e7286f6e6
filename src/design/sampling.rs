//! Seeded random streams and the few draws the designs need, identical on every platform.
//!
//! Only 32- and 64-bit words are taken from the generator and turned into numbers here, never
//! through `usize` (32 bits in wasm, 64 natively), so a seed gives the same design everywhere.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type DesignRng = ChaCha8Rng;

/// An independent stream for one part of a design (a respondent, a search start, a replicate).
pub fn stream(seed: u64, stream: u64) -> DesignRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A uniform integer in `0..n` (Lemire's nearly divisionless method); `n` must be positive.
pub fn below(rng: &mut DesignRng, n: u32) -> u32 {
    debug_assert!(n > 0);
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

/// A uniform number in [0, 1) with 53 random bits.
pub fn unit(rng: &mut DesignRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Fisher–Yates shuffle.
pub fn shuffle<T>(rng: &mut DesignRng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, (i + 1) as u32) as usize;
        items.swap(i, j);
    }
}

/// Index drawn with probability proportional to the gaps of `cumulative` (running sums of
/// weights); zero-weight entries are never chosen.
pub fn pick(rng: &mut DesignRng, cumulative: &[f64]) -> u32 {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let u = unit(rng) * total;
    match cumulative.iter().position(|&c| u < c) {
        Some(i) => i as u32,
        // u·total can round up to total; the last level with weight takes it.
        None => last_positive(cumulative),
    }
}

fn last_positive(cumulative: &[f64]) -> u32 {
    let mut previous = 0.0;
    let mut last = 0;
    for (i, &c) in cumulative.iter().enumerate() {
        if c > previous {
            last = i;
        }
        previous = c;
    }
    last as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u32> = (0..8).map(|_| below(&mut stream(7, 1), 1000)).collect();
        let mut s = stream(7, 1);
        let b: Vec<u32> = (0..8).map(|_| below(&mut s, 1000)).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        assert_eq!(b[0], a[0]);
        assert_ne!(stream(7, 1).next_u64(), stream(7, 2).next_u64());
    }

    #[test]
    fn pick_never_takes_zero_weight() {
        let mut rng = stream(1, 0);
        let cumulative = [0.0, 1.0, 1.0, 3.0];
        for _ in 0..10_000 {
            let i = pick(&mut rng, &cumulative);
            assert!(i == 1 || i == 3);
        }
    }
}

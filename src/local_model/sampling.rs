//! Choosing the next token: greedy at temperature 0, else temperature and nucleus (top-p) sampling
//! with a seeded generator; and log-probabilities over the whole vocabulary, from the raw logits
//! (as llama.cpp reports them, whatever the temperature).

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Natural-log probabilities of every token.
pub fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| f64::from(l - max).exp()).sum();
    let log_sum = sum.ln() as f32;
    logits.iter().map(|&l| l - max - log_sum).collect()
}

/// The `k` most likely tokens, most likely first (ties: lower id first).
pub fn top_k(logprobs: &[f32], k: usize) -> Vec<(u32, f32)> {
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
    for (id, &lp) in logprobs.iter().enumerate() {
        if best.len() == k && best.last().is_some_and(|&(_, worst)| lp <= worst) {
            continue;
        }
        let at = best.partition_point(|&(_, other)| other >= lp);
        best.insert(at, (id as u32, lp));
        best.truncate(k);
    }
    best
}

pub struct Sampler {
    temperature: f64,
    top_p: f64,
    rng: ChaCha8Rng,
}

impl Sampler {
    pub fn new(temperature: f64, top_p: f64, seed: u64) -> Self {
        Self {
            temperature,
            top_p,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    pub fn choose(&mut self, logits: &[f32]) -> u32 {
        if self.temperature <= 0.0 {
            return argmax(logits);
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut weighted: Vec<(u32, f64)> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| (i as u32, (f64::from(l - max) / self.temperature).exp()))
            .filter(|&(_, w)| w > 0.0)
            .collect();
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        if self.top_p < 1.0 {
            let mut kept = 0.0;
            let mut n = 0;
            for (_, w) in &weighted {
                kept += w / total;
                n += 1;
                if kept >= self.top_p {
                    break;
                }
            }
            weighted.truncate(n.max(1));
        }
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        let mut draw = self.rng.gen::<f64>() * total;
        for &(id, w) in &weighted {
            draw -= w;
            if draw <= 0.0 {
                return id;
            }
        }
        weighted
            .last()
            .map_or_else(|| argmax(logits), |&(id, _)| id)
    }
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_softmax_sums_to_one_and_keeps_differences() {
        let lp = log_softmax(&[1.0, 2.0, 3.0]);
        let total: f32 = lp.iter().map(|l| l.exp()).sum();
        assert!((total - 1.0).abs() < 1e-6);
        assert!((lp[2] - lp[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn top_k_orders_by_probability() {
        assert_eq!(
            top_k(&[-3.0, -0.5, -2.0, -0.5, -9.0], 3),
            vec![(1, -0.5), (3, -0.5), (2, -2.0)]
        );
    }

    #[test]
    fn greedy_and_seeded_sampling() {
        let logits = [0.0, 3.0, 1.0, 2.9];
        assert_eq!(Sampler::new(0.0, 1.0, 7).choose(&logits), 1);
        let draws = |seed| {
            let mut s = Sampler::new(1.0, 1.0, seed);
            (0..50).map(|_| s.choose(&logits)).collect::<Vec<_>>()
        };
        assert_eq!(draws(5), draws(5));
        assert!(draws(5).contains(&3) && draws(5).contains(&1));
        // A small nucleus keeps only the most likely token.
        let mut narrow = Sampler::new(1.0, 0.01, 1);
        assert!((0..50).all(|_| narrow.choose(&logits) == 1));
    }
}

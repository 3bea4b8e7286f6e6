//! Position and label bias in first-token distributions, and its correction by averaging over
//! permuted option orders (each option shown in each position; see `OrderMode::Rotate`).

use std::collections::BTreeMap;

use super::plan::ItemRef;
use super::record::CallRecord;

/// For the calls of `question` that carry a distribution: the mean probability by displayed
/// position (index 0 = the first option shown, whatever it was) — position bias.
pub fn by_position(records: &[CallRecord], question: &str) -> Vec<f64> {
    let mut sums: Vec<f64> = Vec::new();
    let mut n = 0usize;
    for (_, d) in with_distribution(records, question) {
        if sums.len() < d.len() {
            sums.resize(d.len(), 0.0);
        }
        for (i, (_, p)) in d.iter().enumerate() {
            sums[i] += p;
        }
        n += 1;
    }
    sums.iter().map(|s| s / n.max(1) as f64).collect()
}

/// The mean probability of each option (by code) over all calls: with every option shown in every
/// position equally often, pure position/label preferences cancel out and what is left is the
/// model's preference for the options' content.
pub fn permutation_average(records: &[CallRecord], question: &str) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for (_, d) in with_distribution(records, question) {
        for (code, p) in d {
            let entry = sums.entry(code.clone()).or_default();
            entry.0 += p;
            entry.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(code, (s, n))| (code, s / n.max(1) as f64))
        .collect()
}

fn with_distribution<'a>(
    records: &'a [CallRecord],
    question: &'a str,
) -> impl Iterator<Item = (&'a CallRecord, &'a Vec<(String, f64)>)> {
    records
        .iter()
        .filter_map(move |r| match (&r.item, &r.distribution) {
            (ItemRef::Question { id }, Some(d)) if id == question => Some((r, &d.probabilities)),
            _ => None,
        })
}

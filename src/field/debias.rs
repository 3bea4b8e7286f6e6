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

/// For the conjoint tasks that carry a distribution: the mean probability by profile position
/// (index 0 = the profile shown first). With randomised profiles an unbiased model gives about
/// 1/k everywhere; the model's own lean towards "A" shows here even where sampling hides it.
pub fn tasks_by_position(records: &[CallRecord]) -> Vec<f64> {
    let mut sums: Vec<f64> = Vec::new();
    let mut n = 0usize;
    for d in records
        .iter()
        .filter(|r| matches!(r.item, ItemRef::Task { .. }))
        .filter_map(|r| r.distribution.as_ref())
    {
        if sums.len() < d.probabilities.len() {
            sums.resize(d.probabilities.len(), 0.0);
        }
        for (i, (_, p)) in d.probabilities.iter().enumerate() {
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
            (ItemRef::Question { id, .. }, Some(d)) if id == question => {
                Some((r, &d.probabilities))
            }
            _ => None,
        })
}

/// How often the answer was the option shown in each position, for one item or all conjoint
/// tasks (`None`): works without log-probabilities. Returns (share by position, answered calls).
/// With options in random or rotated order every position should hold about 1/k of the answers;
/// a model that picks "A" regardless shows up here.
pub fn chosen_by_position(records: &[CallRecord], question: Option<&str>) -> (Vec<f64>, usize) {
    let mut counts: Vec<usize> = Vec::new();
    let mut n = 0usize;
    for record in records {
        let same_item = match (&record.item, question) {
            (ItemRef::Task { .. }, None) => true,
            (ItemRef::Question { id, .. }, Some(q)) => id == q,
            _ => false,
        };
        if !same_item || record.shown.len() < 2 {
            continue;
        }
        let Some(answer) = record.answer.as_deref() else {
            continue;
        };
        let Some(position) = record.shown.iter().position(|o| o.code == answer) else {
            continue;
        };
        if counts.len() < record.shown.len() {
            counts.resize(record.shown.len(), 0);
        }
        counts[position] += 1;
        n += 1;
    }
    (
        counts.iter().map(|&c| c as f64 / n.max(1) as f64).collect(),
        n,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::plan::ShownOption;

    fn record(item: ItemRef, shown: &[&str], answer: &str) -> CallRecord {
        let json = serde_json::json!({
            "custom_id": "x", "respondent": 1, "item": item, "sample": 0, "provider": "openai",
            "model": "m", "parameters": {}, "messages": [], "shown": [], "status": "answered",
            "answer": answer, "attempts": 1, "cache_hit": false, "cache_key": "k"
        });
        let mut r: CallRecord = serde_json::from_value(json).expect("record");
        r.shown = shown
            .iter()
            .enumerate()
            .map(|(i, code)| ShownOption {
                code: code.to_string(),
                label: ((b'A' + i as u8) as char).to_string(),
                text: code.to_string(),
                levels: Vec::new(),
                exclusive: false,
            })
            .collect();
        r
    }

    #[test]
    fn a_model_that_always_picks_the_first_option_is_seen_whatever_the_order() {
        let q = || ItemRef::Question {
            id: "Q1".into(),
            item: None,
        };
        let records = vec![
            record(q(), &["pos", "neu", "neg"], "pos"),
            record(q(), &["neg", "pos", "neu"], "neg"),
            record(q(), &["neu", "neg", "pos"], "neu"),
            record(q(), &["pos", "neg", "neu"], "neg"),
            record(ItemRef::Task { task: 1 }, &["1", "2"], "2"),
        ];
        let (shares, n) = chosen_by_position(&records, Some("Q1"));
        assert_eq!(n, 4);
        assert_eq!(shares, vec![0.75, 0.25, 0.0]);
        let (tasks, n) = chosen_by_position(&records, None);
        assert_eq!((tasks, n), (vec![0.0, 1.0], 1));
    }

    #[test]
    fn task_probabilities_are_averaged_by_position() {
        use crate::field::LabelDistribution;
        let mut records = vec![
            record(ItemRef::Task { task: 1 }, &["1", "2"], "1"),
            record(ItemRef::Task { task: 2 }, &["1", "2"], "2"),
            record(
                ItemRef::Question {
                    id: "Q1".into(),
                    item: None,
                },
                &["x", "y"],
                "x",
            ),
        ];
        for (r, p) in records.iter_mut().zip([0.9, 0.7, 0.1]) {
            r.distribution = Some(LabelDistribution {
                probabilities: vec![("1".into(), p), ("2".into(), 1.0 - p)],
                label_mass: 0.9,
            });
        }
        let by = tasks_by_position(&records);
        assert!(
            (by[0] - 0.8).abs() < 1e-12 && (by[1] - 0.2).abs() < 1e-12,
            "{by:?}"
        );
        assert!(tasks_by_position(&records[2..]).is_empty());
    }
}

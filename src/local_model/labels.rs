//! Answering a choice by scoring its option labels instead of generating text: the model reads
//! the prompt once, and the probability of each label is read off its next-token distribution.
//!
//! Why not generate: a 135M-parameter model asked for "A or B" writes paragraphs of noise about as
//! often as a label, and each generated token costs a forward pass. The survey-response
//! literature reads the first-token probabilities over the labels instead; that answer cannot
//! fail to parse, costs one pass over the prompt, and its distribution is the quantity studied.
//!
//! Labels whose first tokens differ (A, B, C) are told apart by that token alone, so one pass
//! suffices. Labels that share a first token ("1" and "10" with digits tokenised one by one,
//! "Strongly agree" and "Strongly disagree") are scored over their whole token sequences: the
//! shared tokens are read once (a trie walk, cutting the cache back after each branch), and a
//! label that is a prefix of another ("1" of "10") also needs the turn to end after it, or its
//! probability would include every longer label's.
//!
//! A label is scored as every way of writing it that a reply plausibly starts with and the answer
//! extraction reads as that label: "A" itself, and for short labels (letters, numbers)
//! "Profile A" and "Option A". Why: asked to choose between two immigrant profiles, SmolLM2 puts
//! a quarter to a half of its first-token probability on "Profile" (its greedy reply is
//! "Profile A …") and under 3% on a bare "A" or "B"; the bare labels' first tokens would then
//! measure a rare way of answering (one that leans the other way), while the spellings together
//! hold the answers the model actually writes.

use super::error::LocalModelError;
use super::sampling::log_softmax;

/// Labels up to this many characters are also scored with [`PREFIXES`] in front ("Profile A").
const SHORT_LABEL: usize = 3;
/// Words a reply puts before a short label; `field::extract` strips the same ones.
const PREFIXES: [&str; 2] = ["Profile", "Option"];

/// The ways of writing `label` that are scored for it.
pub fn spellings(label: &str) -> Vec<String> {
    let mut out = vec![label.to_string()];
    if label.chars().count() <= SHORT_LABEL {
        out.extend(PREFIXES.iter().map(|p| format!("{p} {label}")));
    }
    out
}

/// log Σ exp over the scores of each label's spellings: `owners[i]` is the label of sequence i.
pub fn per_label(scores: &[f64], owners: &[usize], labels: usize) -> Vec<f64> {
    (0..labels)
        .map(|label| {
            let mine: Vec<f64> = scores
                .iter()
                .zip(owners)
                .filter(|(_, &o)| o == label)
                .map(|(&s, _)| s)
                .collect();
            log_sum_exp(&mine)
        })
        .collect()
}

/// The model as the scorer drives it: one token more after what it has read, or some fewer.
pub trait Continuation {
    /// Reads `token` after the current position; returns the logits predicting the next token.
    fn push(&mut self, token: u32) -> Result<Vec<f32>, LocalModelError>;
    /// Forgets the last `n` tokens pushed.
    fn pop(&mut self, n: usize) -> Result<(), LocalModelError>;
}

/// The natural-log probability of each label (as token ids) right after the prompt, whose
/// next-token logits are `root`; `end_ids` are the tokens that end the answer. The model is left
/// where it was (at the end of the prompt).
pub fn score(
    labels: &[Vec<u32>],
    root: &[f32],
    end_ids: &[u32],
    model: &mut dyn Continuation,
) -> Result<Vec<f64>, LocalModelError> {
    if let Some(i) = labels.iter().position(Vec::is_empty) {
        return Err(LocalModelError::BadRequest(format!(
            "answer label {} has no tokens",
            i + 1
        )));
    }
    let mut scores = vec![0.0; labels.len()];
    let all: Vec<usize> = (0..labels.len()).collect();
    walk(labels, &all, 0, root, end_ids, model, &mut scores)?;
    Ok(scores)
}

/// Adds to `scores` the log-probability of each of `members` (labels sharing their first
/// `depth` tokens) from position `depth` on, given the logits after that shared prefix.
fn walk(
    labels: &[Vec<u32>],
    members: &[usize],
    depth: usize,
    logits: &[f32],
    end_ids: &[u32],
    model: &mut dyn Continuation,
    scores: &mut [f64],
) -> Result<(), LocalModelError> {
    let lp = log_softmax(logits);
    let at = |token: u32| -> Result<f64, LocalModelError> {
        lp.get(token as usize)
            .map(|&l| f64::from(l))
            .ok_or_else(|| {
                LocalModelError::Malformed(format!(
                    "token {token} is outside the model's vocabulary of {}",
                    lp.len()
                ))
            })
    };
    let (ended, going_on): (Vec<usize>, Vec<usize>) =
        members.iter().partition(|&&i| labels[i].len() == depth);
    if !ended.is_empty() {
        // Only reached when several labels share this prefix (a lone label stops being followed
        // at its first distinct token): a label ending here must be followed by the turn's end.
        let end = log_sum_exp(
            &end_ids
                .iter()
                .map(|&id| at(id))
                .collect::<Result<Vec<_>, _>>()?,
        );
        for i in ended {
            scores[i] += end;
        }
    }
    // The next token of each label still going on, grouped, in the labels' order.
    let mut groups: Vec<(u32, Vec<usize>)> = Vec::new();
    for i in going_on {
        let token = labels[i][depth];
        match groups.iter_mut().find(|(t, _)| *t == token) {
            Some((_, group)) => group.push(i),
            None => groups.push((token, vec![i])),
        }
    }
    for (token, group) in groups {
        let token_lp = at(token)?;
        for &i in &group {
            scores[i] += token_lp;
        }
        if group.len() > 1 {
            let next = model.push(token)?;
            let walked = walk(labels, &group, depth + 1, &next, end_ids, model, scores);
            model.pop(1)?;
            walked?;
        }
    }
    Ok(())
}

/// log Σ exp(x), −∞ for none.
fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model over a 5-token vocabulary (0 = end of turn) whose next-token logits depend on the
    /// tokens read so far; it counts the passes it is asked for.
    struct Toy {
        read: Vec<u32>,
        pushes: usize,
    }

    fn logits_after(read: &[u32]) -> Vec<f32> {
        match read {
            [] => vec![-9.0, 2.0, 1.0, 0.5, -1.0],
            [1] => vec![1.0, -9.0, -9.0, 0.0, -9.0],
            [1, 3] => vec![3.0, 0.0, 0.0, 0.0, 0.0],
            _ => vec![0.0; 5],
        }
    }

    impl Continuation for Toy {
        fn push(&mut self, token: u32) -> Result<Vec<f32>, LocalModelError> {
            self.read.push(token);
            self.pushes += 1;
            Ok(logits_after(&self.read))
        }
        fn pop(&mut self, n: usize) -> Result<(), LocalModelError> {
            self.read.truncate(self.read.len() - n);
            Ok(())
        }
    }

    fn lp(read: &[u32], token: usize) -> f64 {
        f64::from(log_softmax(&logits_after(read))[token])
    }

    #[test]
    fn short_labels_are_also_scored_as_the_reply_writes_them() {
        assert_eq!(spellings("A"), ["A", "Profile A", "Option A"]);
        assert_eq!(spellings("Strongly agree"), ["Strongly agree"]);
        let s = per_label(&[-1.0, -2.0, -3.0], &[0, 1, 0], 2);
        assert!((s[0] - ((-1.0f64).exp() + (-3.0f64).exp()).ln()).abs() < 1e-12);
        assert!((s[1] + 2.0).abs() < 1e-12);
    }

    #[test]
    fn distinct_first_tokens_need_no_pass_beyond_the_prompt() {
        let mut toy = Toy {
            read: Vec::new(),
            pushes: 0,
        };
        // Multi-token labels, told apart by their first token.
        let labels = vec![vec![1, 4, 4], vec![2], vec![3, 1]];
        let s = score(&labels, &logits_after(&[]), &[0], &mut toy).expect("scores");
        assert_eq!(toy.pushes, 0);
        for (label, got) in labels.iter().zip(&s) {
            assert!((got - lp(&[], label[0] as usize)).abs() < 1e-6);
        }
    }

    #[test]
    fn a_shared_first_token_is_scored_over_the_whole_label_with_the_end_after_a_prefix() {
        let mut toy = Toy {
            read: Vec::new(),
            pushes: 0,
        };
        // "1" = [1], "13" = [1, 3], "2" = [2]: "1" must end where "13" goes on.
        let labels = vec![vec![1], vec![1, 3], vec![2]];
        let s = score(&labels, &logits_after(&[]), &[0], &mut toy).expect("scores");
        assert!((s[0] - (lp(&[], 1) + lp(&[1], 0))).abs() < 1e-6, "{s:?}");
        assert!((s[1] - (lp(&[], 1) + lp(&[1], 3))).abs() < 1e-6, "{s:?}");
        assert!((s[2] - lp(&[], 2)).abs() < 1e-6, "{s:?}");
        // The shared token is read once, and the model is back at the end of the prompt.
        assert_eq!(toy.pushes, 1);
        assert!(toy.read.is_empty());
        // Together the two cannot hold more than their shared first token.
        let shared = (s[0].exp() + s[1].exp()).ln();
        assert!(shared <= lp(&[], 1) + 1e-9);
        // An empty label is refused by name.
        let e = score(&[vec![1], vec![]], &logits_after(&[]), &[0], &mut toy).unwrap_err();
        assert!(e.to_string().contains("answer label 2"), "{e}");
    }
}

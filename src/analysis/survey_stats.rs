//! Survey statistics for one question at a time: (weighted) answer distributions with intervals,
//! cross-tabs, means, and the LLM-specific diagnostics: label/position bias, normalised response
//! entropy, unparsed rate and agreement across repeated samples.

use std::collections::HashMap;

use super::levels::cell_label;
use super::prepare::{column, numbers};
use super::tidy::Z_95;
use super::AnalysisError;
use crate::study::ResponseTable;

/// One answer's share. The standard error is the linearisation (Taylor) one of a weighted
/// proportion with each row its own cluster, × n/(n−1), as `survey::svymean` gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub value: String,
    pub n: usize,
    pub weight: f64,
    pub share: f64,
    pub std_error: f64,
    pub lower: f64,
    pub upper: f64,
}

fn weights_of(
    table: &ResponseTable,
    weights: Option<&str>,
) -> Result<Option<Vec<f64>>, AnalysisError> {
    weights
        .map(|w| {
            let v = numbers(column(table, w)?)?;
            Ok(v.iter().map(|x| x.unwrap_or(0.0)).collect())
        })
        .transpose()
}

/// Distribution of the non-missing answers in `question`, in order of first appearance.
pub fn distribution(
    table: &ResponseTable,
    question: &str,
    weights: Option<&str>,
) -> Result<Vec<Share>, AnalysisError> {
    let values = &column(table, question)?.values;
    let w = weights_of(table, weights)?;
    let mut order: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows: Vec<(usize, f64)> = Vec::new();
    for r in 0..table.row_count() {
        let Some(v) = cell_label(values, r) else {
            continue;
        };
        let wr = w.as_ref().map_or(1.0, |w| w[r]);
        let next = order.len();
        let k = *index.entry(v.clone()).or_insert_with(|| {
            order.push(v);
            next
        });
        rows.push((k, wr));
    }
    let n = rows.len() as f64;
    let total: f64 = rows.iter().map(|r| r.1).sum();
    Ok(order
        .iter()
        .enumerate()
        .map(|(k, value)| {
            let weight: f64 = rows.iter().filter(|r| r.0 == k).map(|r| r.1).sum();
            let p = weight / total;
            let ss: f64 = rows
                .iter()
                .map(|&(j, wr)| {
                    let y = if j == k { 1.0 } else { 0.0 };
                    (wr * (y - p)).powi(2)
                })
                .sum();
            let se = (n / (n - 1.0) * ss).sqrt() / total;
            Share {
                value: value.clone(),
                n: rows.iter().filter(|r| r.0 == k).count(),
                weight,
                share: p,
                std_error: se,
                lower: (p - Z_95 * se).max(0.0),
                upper: (p + Z_95 * se).min(1.0),
            }
        })
        .collect())
}

/// Cross-tab of two questions: `(row value, column value, weight, share within the row value)`.
pub fn crosstab(
    table: &ResponseTable,
    rows_question: &str,
    columns_question: &str,
    weights: Option<&str>,
) -> Result<Vec<(String, String, f64, f64)>, AnalysisError> {
    let a = &column(table, rows_question)?.values;
    let b = &column(table, columns_question)?.values;
    let w = weights_of(table, weights)?;
    let mut cells: Vec<(String, String, f64)> = Vec::new();
    let mut row_totals: HashMap<String, f64> = HashMap::new();
    for r in 0..table.row_count() {
        let (Some(x), Some(y)) = (cell_label(a, r), cell_label(b, r)) else {
            continue;
        };
        let wr = w.as_ref().map_or(1.0, |w| w[r]);
        *row_totals.entry(x.clone()).or_default() += wr;
        match cells.iter_mut().find(|c| c.0 == x && c.1 == y) {
            Some(c) => c.2 += wr,
            None => cells.push((x, y, wr)),
        }
    }
    Ok(cells
        .into_iter()
        .map(|(x, y, wt)| {
            let share = wt / row_totals[&x];
            (x, y, wt, share)
        })
        .collect())
}

/// (Weighted) mean of a numeric or ordinal-coded question with its standard error and row count.
pub fn mean(
    table: &ResponseTable,
    question: &str,
    weights: Option<&str>,
) -> Result<(f64, f64, usize), AnalysisError> {
    let y = numbers(column(table, question)?)?;
    let w = weights_of(table, weights)?;
    let rows: Vec<(f64, f64)> = (0..table.row_count())
        .filter_map(|r| y[r].map(|v| (v, w.as_ref().map_or(1.0, |w| w[r]))))
        .collect();
    let n = rows.len() as f64;
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let m = rows.iter().map(|(v, wr)| v * wr).sum::<f64>() / total;
    let ss: f64 = rows.iter().map(|(v, wr)| (wr * (v - m)).powi(2)).sum();
    Ok((m, (n / (n - 1.0) * ss).sqrt() / total, rows.len()))
}

/// Label (or position) bias of a k-option question: share of each label minus 1/k.
pub fn label_bias(
    table: &ResponseTable,
    answer: &str,
    labels: &[String],
) -> Result<Vec<(String, f64, f64)>, AnalysisError> {
    let shares = distribution(table, answer, None)?;
    let k = labels.len() as f64;
    Ok(labels
        .iter()
        .map(|l| {
            let share = shares
                .iter()
                .find(|s| &s.value == l)
                .map_or(0.0, |s| s.share);
            (l.clone(), share, share - 1.0 / k)
        })
        .collect())
}

/// Response entropy divided by ln(k): 1 = answers spread evenly over the k options, 0 = always the
/// same answer (diversity of LLM samples).
pub fn normalised_entropy(
    table: &ResponseTable,
    answer: &str,
    k: usize,
) -> Result<f64, AnalysisError> {
    let shares = distribution(table, answer, None)?;
    let h: f64 = shares
        .iter()
        .filter(|s| s.share > 0.0)
        .map(|s| -s.share * s.share.ln())
        .sum();
    Ok(if k > 1 { h / (k as f64).ln() } else { 0.0 })
}

/// Share of rows whose answer is missing (unparsed or refused) or one of `codes`.
pub fn unparsed_rate(
    table: &ResponseTable,
    answer: &str,
    codes: &[String],
) -> Result<f64, AnalysisError> {
    let values = &column(table, answer)?.values;
    let n = table.row_count();
    let bad = (0..n)
        .filter(|&r| cell_label(values, r).is_none_or(|v| codes.contains(&v)))
        .count();
    Ok(bad as f64 / n as f64)
}

/// Agreement across repeated samples of the same item: within each group of `keys` (e.g. persona and
/// question), the share of pairs of samples that gave the same answer, averaged over groups with two
/// or more samples.
pub fn sample_agreement(
    table: &ResponseTable,
    keys: &[&str],
    answer: &str,
) -> Result<f64, AnalysisError> {
    let key_columns = keys
        .iter()
        .map(|k| column(table, k))
        .collect::<Result<Vec<_>, _>>()?;
    let values = &column(table, answer)?.values;
    let mut groups: HashMap<Vec<String>, HashMap<String, usize>> = HashMap::new();
    for r in 0..table.row_count() {
        let Some(v) = cell_label(values, r) else {
            continue;
        };
        let key = key_columns
            .iter()
            .map(|c| cell_label(&c.values, r).unwrap_or_default())
            .collect();
        *groups.entry(key).or_default().entry(v).or_default() += 1;
    }
    let per_group: Vec<f64> = groups
        .values()
        .filter_map(|counts| {
            let n: usize = counts.values().sum();
            (n >= 2).then(|| {
                let same: usize = counts.values().map(|c| c * (c - 1)).sum();
                same as f64 / (n * (n - 1)) as f64
            })
        })
        .collect();
    Ok(per_group.iter().sum::<f64>() / per_group.len().max(1) as f64)
}

/// Share of rows with outcome 1 in each displayed position (e.g. the conjoint's `profile` column),
/// in position order: the position bias of a forced choice. Rows count as independent draws (no
/// clustering by respondent), so the intervals are a quick check, not a test.
pub fn chosen_share_by(
    table: &ResponseTable,
    outcome: &str,
    position: &str,
) -> Result<Vec<Share>, AnalysisError> {
    let y = numbers(column(table, outcome)?)?;
    let positions = &column(table, position)?.values;
    let mut groups: Vec<(String, usize, f64)> = Vec::new();
    for (r, y) in y.iter().enumerate() {
        let (Some(y), Some(p)) = (y, cell_label(positions, r)) else {
            continue;
        };
        match groups.iter_mut().find(|g| g.0 == p) {
            Some(g) => {
                g.1 += 1;
                g.2 += y;
            }
            None => groups.push((p, 1, *y)),
        }
    }
    groups.sort_by(|a, b| match (a.0.parse::<f64>(), b.0.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.0.cmp(&b.0),
    });
    Ok(groups
        .into_iter()
        .map(|(value, n, chosen)| {
            let p = chosen / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            Share {
                value,
                n,
                weight: n as f64,
                share: p,
                std_error: se,
                lower: (p - Z_95 * se).max(0.0),
                upper: (p + Z_95 * se).min(1.0),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource};

    fn table(answers: &[&str], group: &[&str]) -> ResponseTable {
        let text = |name: &str, v: &[&str]| Column {
            name: name.into(),
            role: ColumnRole::default(),
            values: ColumnValues::Text(v.iter().map(|x| Some(x.to_string())).collect()),
        };
        ResponseTable {
            name: "t".into(),
            source: ResponseSource::Llm,
            provenance: Provenance::default(),
            columns: vec![text("answer", answers), text("item", group)],
        }
    }

    #[test]
    fn shares_bias_entropy_and_agreement() {
        let t = table(&["A", "A", "A", "B"], &["q1", "q1", "q2", "q2"]);
        let d = distribution(&t, "answer", None).unwrap();
        assert_eq!(d[0].value, "A");
        assert!((d[0].share - 0.75).abs() < 1e-12);
        // Unweighted: se = sqrt(p(1-p)/(n-1)).
        assert!((d[0].std_error - (0.75f64 * 0.25 / 3.0).sqrt()).abs() < 1e-12);
        let bias = label_bias(&t, "answer", &["A".into(), "B".into()]).unwrap();
        assert!((bias[0].2 - 0.25).abs() < 1e-12);
        let h = normalised_entropy(&t, "answer", 2).unwrap();
        let want = -(0.75f64 * 0.75f64.ln() + 0.25 * 0.25f64.ln()) / 2f64.ln();
        assert!((h - want).abs() < 1e-12);
        // q1 agrees (1), q2 does not (0).
        assert!((sample_agreement(&t, &["item"], "answer").unwrap() - 0.5).abs() < 1e-12);
        let tab = crosstab(&t, "item", "answer", None).unwrap();
        assert!(tab.contains(&("q2".into(), "B".into(), 1.0, 0.5)));
    }
}

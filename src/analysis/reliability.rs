//! Intra-respondent reliability from a repeated task, and the correction of AMCEs and marginal means
//! for the measurement error it reveals (Clayton, Horiuchi, Kaufman, King & Komisarchik 2023).
//!
//! With two profiles per task and a swap-error rate ε (the respondent picks the other profile than
//! intended), the chance of the same choice twice is τ = (1−ε)² + ε², so 1 − 2ε = √(2τ − 1).
//! Observed MM = ε + (1 − 2ε)·MM, observed AMCE = (1 − 2ε)·AMCE.

use std::collections::HashMap;

use super::levels::cell_label;
use super::prepare::{column, numbers};
use super::tidy::{Estimates, TidyRow};
use super::AnalysisError;
use crate::study::ResponseTable;

/// Which rows form the original and the repeated task.
#[derive(Clone, Debug)]
pub struct RepeatedTaskSpec {
    pub outcome: String,
    pub id: String,
    /// Task column and the labels of the original task and of its repeat.
    pub task: String,
    pub original: String,
    pub repeated: String,
    /// Attribute columns that describe a profile (a chosen profile is matched on all of them, so a
    /// repeat shown in swapped order is handled).
    pub features: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Reliability {
    /// Respondents with a choice in both tasks.
    pub respondents: usize,
    /// τ: share choosing the same profile twice.
    pub agreement: f64,
    pub std_error: f64,
    /// ε implied by τ (0 when τ ≤ 0.5 cannot be inverted, see `attenuation`).
    pub swap_error: f64,
}

impl Reliability {
    /// 1 − 2ε = √(2τ − 1); none when τ ≤ 0.5 (no better than chance: nothing to correct with).
    pub fn attenuation(&self) -> Option<f64> {
        (self.agreement > 0.5).then(|| (2.0 * self.agreement - 1.0).sqrt())
    }
}

/// τ from the repeated task.
pub fn reliability(
    table: &ResponseTable,
    spec: &RepeatedTaskSpec,
) -> Result<Reliability, AnalysisError> {
    let outcome = numbers(column(table, &spec.outcome)?)?;
    let id = column(table, &spec.id)?;
    let task = column(table, &spec.task)?;
    let features = spec
        .features
        .iter()
        .map(|f| column(table, f))
        .collect::<Result<Vec<_>, _>>()?;
    // Respondent → chosen profile signature in (original, repeated).
    let mut chosen: HashMap<String, [Option<String>; 2]> = HashMap::new();
    for (r, y) in outcome.iter().enumerate() {
        if *y != Some(1.0) {
            continue;
        }
        let which = match cell_label(&task.values, r) {
            Some(t) if t == spec.original => 0,
            Some(t) if t == spec.repeated => 1,
            _ => continue,
        };
        let respondent = cell_label(&id.values, r).ok_or(AnalysisError::MissingId {
            column: spec.id.clone(),
            row: r + 1,
        })?;
        let signature = features
            .iter()
            .map(|c| cell_label(&c.values, r).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\u{1f}");
        chosen.entry(respondent).or_default()[which] = Some(signature);
    }
    let pairs: Vec<bool> = chosen
        .values()
        .filter_map(|[a, b]| Some(a.as_ref()? == b.as_ref()?))
        .collect();
    if pairs.is_empty() {
        return Err(AnalysisError::NoRows {
            columns: format!(
                "{:?} (no respondent chose in both task {:?} and task {:?})",
                spec.task, spec.original, spec.repeated
            ),
        });
    }
    let n = pairs.len() as f64;
    let tau = pairs.iter().filter(|&&same| same).count() as f64 / n;
    let swap_error = if tau > 0.5 {
        (1.0 - (2.0 * tau - 1.0).sqrt()) / 2.0
    } else {
        0.0
    };
    Ok(Reliability {
        respondents: pairs.len(),
        agreement: tau,
        std_error: (tau * (1.0 - tau) / n).sqrt(),
        swap_error,
    })
}

fn corrected(
    estimates: &Estimates,
    r: &Reliability,
    map: impl Fn(f64) -> f64,
    h0: f64,
) -> Result<Estimates, AnalysisError> {
    let a = r.attenuation().ok_or_else(|| AnalysisError::Unsupported {
        message: format!(
            "the repeated task agrees {:.1}% of the time, no better than chance, so there is no correction",
            100.0 * r.agreement
        ),
    })?;
    let mut out = estimates.clone();
    for row in &mut out.table.rows {
        if let (Some(est), Some(se)) = (row.estimate, row.std_error) {
            let mut fixed = TidyRow::estimated(&row.feature, &row.level, map(est), se / a, h0);
            fixed.group = row.group.take();
            *row = fixed;
        }
    }
    Ok(out)
}

/// AMCEs divided by 1 − 2ε. Standard errors are scaled the same way and treat τ as known.
pub fn correct_amce(estimates: &Estimates, r: &Reliability) -> Result<Estimates, AnalysisError> {
    let a = r.attenuation().unwrap_or(1.0);
    corrected(estimates, r, |x| x / a, 0.0)
}

/// Marginal means mapped to (MM − ε) / (1 − 2ε); z and p test against `h0`.
pub fn correct_mm(
    estimates: &Estimates,
    r: &Reliability,
    h0: f64,
) -> Result<Estimates, AnalysisError> {
    let a = r.attenuation().unwrap_or(1.0);
    let e = r.swap_error;
    corrected(estimates, r, |x| (x - e) / a, h0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource};

    fn col(name: &str, values: &[&str]) -> Column {
        Column {
            name: name.into(),
            role: ColumnRole::default(),
            values: ColumnValues::Text(values.iter().map(|v| Some(v.to_string())).collect()),
        }
    }

    #[test]
    fn agreement_matches_profiles_not_positions() {
        // Respondent 1 picks profile "x" both times (shown swapped); respondent 2 switches.
        let mut columns = vec![
            col("id", &["1", "1", "1", "1", "2", "2", "2", "2"]),
            col("task", &["1", "1", "6", "6", "1", "1", "6", "6"]),
            col("f", &["x", "y", "y", "x", "x", "y", "x", "y"]),
        ];
        columns.push(Column {
            name: "y".into(),
            role: ColumnRole::default(),
            values: ColumnValues::Number(
                [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0].map(Some).to_vec(),
            ),
        });
        let table = ResponseTable {
            name: "t".into(),
            source: ResponseSource::Simulated,
            provenance: Provenance::default(),
            columns,
        };
        let spec = RepeatedTaskSpec {
            outcome: "y".into(),
            id: "id".into(),
            task: "task".into(),
            original: "1".into(),
            repeated: "6".into(),
            features: vec!["f".into()],
        };
        let r = reliability(&table, &spec).unwrap();
        assert_eq!(r.respondents, 2);
        assert_eq!(r.agreement, 0.5);
        assert!(r.attenuation().is_none());
    }

    #[test]
    fn swap_error_inverts_agreement() {
        let r = Reliability {
            respondents: 100,
            agreement: 0.82,
            std_error: 0.0,
            swap_error: (1.0 - (2.0f64 * 0.82 - 1.0).sqrt()) / 2.0,
        };
        let e = r.swap_error;
        assert!(((1.0 - e).powi(2) + e * e - 0.82).abs() < 1e-12);
    }
}

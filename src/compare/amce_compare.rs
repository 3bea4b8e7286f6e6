//! Two sets of conjoint estimates side by side — AMCEs or marginal means of the humans and of their
//! twins, as `analysis` returns them — with each level's difference tested as independent samples:
//! z = (twin − human) / √(se_h² + se_t²). The summary says whether the twins get the pattern right
//! (correlation of the estimates, sign agreement) and how often they differ detectably.

use serde::{Deserialize, Serialize};

use super::nan_serde;
use super::retest::pearson;
use super::CompareError;
use crate::analysis::tidy::{format_number, two_sided_p, Z_95};
use crate::analysis::TidyRow;

/// Significance level for "share of significant differences".
pub const ALPHA: f64 = 0.05;

/// One level in both sets. Absent values: a level missing on one side, a baseline (no SE, so no
/// test), a level that could not be estimated.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LevelComparison {
    #[serde(default)]
    pub group: Option<String>,
    pub feature: String,
    pub level: String,
    pub human: Option<f64>,
    pub human_se: Option<f64>,
    pub twin: Option<f64>,
    pub twin_se: Option<f64>,
    /// twin − human.
    pub difference: Option<f64>,
    /// √(human_se² + twin_se²).
    pub std_error: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl LevelComparison {
    /// Both sides estimated with a standard error (so not a baseline): the levels the summary uses.
    pub fn is_compared(&self) -> bool {
        self.human.is_some() && self.twin.is_some() && self.z.is_some()
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateSummary {
    /// Levels in either set.
    pub levels: usize,
    /// Levels estimated with a standard error on both sides (baselines excluded: they are 0 on both
    /// sides by construction and would inflate the agreement).
    pub compared: usize,
    /// Pearson r of the human and twin estimates over the compared levels.
    #[serde(with = "nan_serde::f64")]
    pub correlation: f64,
    /// Share of compared levels whose estimates have the same sign.
    #[serde(with = "nan_serde::f64")]
    pub sign_agreement: f64,
    /// Share of compared levels whose difference is significant at 5% (two-sided z test).
    #[serde(with = "nan_serde::f64")]
    pub significant_share: f64,
    /// Mean |twin − human| over the compared levels.
    #[serde(with = "nan_serde::f64")]
    pub mean_abs_difference: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EstimateComparison {
    pub rows: Vec<LevelComparison>,
    pub summary: EstimateSummary,
}

/// Matches the two sets by (group, feature, level): the humans' order first, then levels only the
/// twins have.
pub fn compare_estimates(humans: &[TidyRow], twins: &[TidyRow]) -> EstimateComparison {
    let same = |a: &TidyRow, b: &TidyRow| {
        a.group == b.group && a.feature == b.feature && a.level == b.level
    };
    let mut rows: Vec<LevelComparison> = humans
        .iter()
        .map(|h| level(Some(h), twins.iter().find(|t| same(h, t))))
        .collect();
    rows.extend(
        twins
            .iter()
            .filter(|t| !humans.iter().any(|h| same(h, t)))
            .map(|t| level(None, Some(t))),
    );
    let summary = summarise(&rows);
    EstimateComparison { rows, summary }
}

fn level(human: Option<&TidyRow>, twin: Option<&TidyRow>) -> LevelComparison {
    // One of the two is always present.
    let any = human.or(twin);
    let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
    let h = finite(human.and_then(|r| r.estimate));
    let t = finite(twin.and_then(|r| r.estimate));
    let hs = finite(human.and_then(|r| r.std_error)).filter(|s| *s >= 0.0);
    let ts = finite(twin.and_then(|r| r.std_error)).filter(|s| *s >= 0.0);
    let difference = h.zip(t).map(|(h, t)| t - h);
    let std_error = hs
        .zip(ts)
        .map(|(a, b)| (a * a + b * b).sqrt())
        .filter(|s| *s > 0.0);
    let z = difference.zip(std_error).map(|(d, s)| d / s);
    LevelComparison {
        group: any.and_then(|r| r.group.clone()),
        feature: any.map(|r| r.feature.clone()).unwrap_or_default(),
        level: any.map(|r| r.level.clone()).unwrap_or_default(),
        human: h,
        human_se: hs,
        twin: t,
        twin_se: ts,
        difference,
        std_error,
        z,
        p: z.map(two_sided_p),
        lower: difference.zip(std_error).map(|(d, s)| d - Z_95 * s),
        upper: difference.zip(std_error).map(|(d, s)| d + Z_95 * s),
    }
}

fn summarise(rows: &[LevelComparison]) -> EstimateSummary {
    let compared: Vec<&LevelComparison> = rows.iter().filter(|r| r.is_compared()).collect();
    let h: Vec<f64> = compared.iter().filter_map(|r| r.human).collect();
    let t: Vec<f64> = compared.iter().filter_map(|r| r.twin).collect();
    let share = |count: usize| {
        if compared.is_empty() {
            f64::NAN
        } else {
            count as f64 / compared.len() as f64
        }
    };
    let same_sign = h
        .iter()
        .zip(&t)
        .filter(|(a, b)| a.signum() == b.signum())
        .count();
    let significant = compared
        .iter()
        .filter(|r| r.p.is_some_and(|p| p < ALPHA))
        .count();
    EstimateSummary {
        levels: rows.len(),
        compared: compared.len(),
        correlation: if compared.len() < 2 {
            f64::NAN
        } else {
            pearson(&h, &t)
        },
        sign_agreement: share(same_sign),
        significant_share: share(significant),
        mean_abs_difference: if compared.is_empty() {
            f64::NAN
        } else {
            h.iter().zip(&t).map(|(a, b)| (b - a).abs()).sum::<f64>() / compared.len() as f64
        },
    }
}

impl EstimateComparison {
    /// CSV: `[BY,]feature,level,human,human_se,twin,twin_se,difference,std_error,z,p,lower,upper`.
    pub fn to_csv(&self) -> String {
        let grouped = self.rows.iter().any(|r| r.group.is_some());
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header = Vec::new();
        if grouped {
            header.push("BY");
        }
        header.extend([
            "feature",
            "level",
            "human",
            "human_se",
            "twin",
            "twin_se",
            "difference",
            "std_error",
            "z",
            "p",
            "lower",
            "upper",
        ]);
        // Writing into memory cannot fail.
        let _ = writer.write_record(&header);
        for r in &self.rows {
            let mut record = Vec::new();
            if grouped {
                record.push(r.group.clone().unwrap_or_default());
            }
            record.push(r.feature.clone());
            record.push(r.level.clone());
            for v in [
                r.human,
                r.human_se,
                r.twin,
                r.twin_se,
                r.difference,
                r.std_error,
                r.z,
                r.p,
                r.lower,
                r.upper,
            ] {
                record.push(v.map(format_number).unwrap_or_default());
            }
            let _ = writer.write_record(&record);
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The summary as `metric,value` CSV lines.
    pub fn summary_csv(&self) -> String {
        let s = &self.summary;
        let cell = |x: f64| {
            if x.is_finite() {
                format_number(x)
            } else {
                String::new()
            }
        };
        format!(
            "metric,value\nlevels,{}\ncompared,{}\ncorrelation,{}\nsign_agreement,{}\nsignificant_share,{}\nmean_abs_difference,{}\n",
            s.levels,
            s.compared,
            cell(s.correlation),
            cell(s.sign_agreement),
            cell(s.significant_share),
            cell(s.mean_abs_difference)
        )
    }
}

/// Reads a tidy estimates CSV as `silico amce`/`mm` write it (`[BY,]feature,level,estimate,
/// std_error,…`; other columns ignored, empty cells absent). `name` labels errors.
pub fn read_tidy_csv(text: &str, name: &str) -> Result<Vec<TidyRow>, CompareError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes());
    let layout = |message: String| CompareError::Layout {
        table: name.to_string(),
        message,
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| layout(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |wanted: &str| {
        header
            .iter()
            .position(|h| h == wanted)
            .ok_or_else(|| CompareError::MissingColumn {
                table: name.to_string(),
                name: wanted.to_string(),
                available: header.join(", "),
            })
    };
    let (feature, level, estimate, std_error) = (
        column("feature")?,
        column("level")?,
        column("estimate")?,
        column("std_error")?,
    );
    let by = header.iter().position(|h| h == "BY");
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| layout(format!("line {line}: {e}")))?;
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let number = |c: usize| -> Result<Option<f64>, CompareError> {
            let text = cell(c);
            if text.is_empty() || text == "NA" {
                return Ok(None);
            }
            text.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| CompareError::NotNumeric {
                    table: name.to_string(),
                    column: header[c].clone(),
                    line,
                    value: text.to_string(),
                })
        };
        let mut row = TidyRow::missing(cell(feature), cell(level));
        row.estimate = number(estimate)?;
        row.std_error = number(std_error)?;
        if let (Some(e), Some(s)) = (row.estimate, row.std_error) {
            // Recompute the test and interval so files with only estimate and std_error work too.
            row = TidyRow::estimated(&row.feature, &row.level, e, s, 0.0);
        }
        row.group = by.map(|c| cell(c).to_string()).filter(|g| !g.is_empty());
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_tested_as_independent_samples() {
        let humans = vec![
            TidyRow::baseline("A", "a1"),
            TidyRow::estimated("A", "a2", 0.10, 0.03, 0.0),
            TidyRow::estimated("A", "a3", -0.05, 0.04, 0.0),
        ];
        let twins = vec![
            TidyRow::baseline("A", "a1"),
            TidyRow::estimated("A", "a2", 0.30, 0.04, 0.0),
            TidyRow::estimated("A", "a3", 0.01, 0.03, 0.0),
            TidyRow::estimated("A", "a4", 0.2, 0.01, 0.0),
        ];
        let c = compare_estimates(&humans, &twins);
        assert_eq!(c.rows.len(), 4);
        let a2 = &c.rows[1];
        // (0.30 − 0.10) / √(0.03² + 0.04²) = 0.2 / 0.05 = 4.
        assert!((a2.z.unwrap() - 4.0).abs() < 1e-12);
        assert!((a2.p.unwrap() - 6.334e-5).abs() < 1e-7);
        // The baseline has a difference of 0 and no test; a4 exists for twins only.
        assert_eq!(c.rows[0].difference, Some(0.0));
        assert_eq!(c.rows[0].z, None);
        assert_eq!(c.rows[3].human, None);
        assert_eq!(c.summary.levels, 4);
        assert_eq!(c.summary.compared, 2);
        // a2 agrees in sign, a3 does not; only a2's difference is significant.
        assert_eq!(c.summary.sign_agreement, 0.5);
        assert_eq!(c.summary.significant_share, 0.5);
        assert!((c.summary.correlation - 1.0).abs() < 1e-12);
        assert!((c.summary.mean_abs_difference - 0.13).abs() < 1e-12);
    }

    #[test]
    fn tidy_csv_reads_what_amce_writes() {
        let text =
            "feature,level,estimate,std_error,z,p,lower,upper\nG,F,0,,,,,\nG,M,-0.02,0.008,,,,\n";
        let rows = read_tidy_csv(text, "h.csv").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].estimate, Some(0.0));
        assert_eq!(rows[0].std_error, None);
        assert!((rows[1].z.unwrap() + 2.5).abs() < 1e-12);
        let bad = read_tidy_csv("feature,level,estimate,std_error\nG,M,x,1\n", "h.csv");
        assert!(matches!(bad, Err(CompareError::NotNumeric { line: 2, .. })));
        assert!(matches!(
            read_tidy_csv("feature,level,est\n", "h.csv"),
            Err(CompareError::MissingColumn { .. })
        ));
    }
}

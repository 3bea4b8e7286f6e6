//! The one output table every estimator returns, in cregg's column names.

use statrs::distribution::{ContinuousCDF, Normal};

/// qnorm(0.975): the 95% interval. (cregg prints qnorm(1 - alpha), a 90% interval; we do not.)
pub const Z_95: f64 = 1.959_963_984_540_054;

/// One estimate. Baseline rows have estimate 0 and no standard error; rows that could not be
/// estimated (an empty or collinear level) have no estimate. Serialisable, so the page's worker
/// sends these rows as they are.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TidyRow {
    /// The subgroup (value of the `by` column, or `"b - a"` for a difference).
    #[serde(default)]
    pub group: Option<String>,
    pub feature: String,
    pub level: String,
    pub estimate: Option<f64>,
    pub std_error: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl TidyRow {
    /// An estimate with its standard error; z and p test it against `h0`.
    pub fn estimated(feature: &str, level: &str, estimate: f64, std_error: f64, h0: f64) -> Self {
        let z = (estimate - h0) / std_error;
        Self {
            group: None,
            feature: feature.to_string(),
            level: level.to_string(),
            estimate: Some(estimate),
            std_error: Some(std_error),
            z: Some(z),
            p: Some(two_sided_p(z)),
            lower: Some(estimate - Z_95 * std_error),
            upper: Some(estimate + Z_95 * std_error),
        }
    }

    /// A baseline level: estimate 0 by construction.
    pub fn baseline(feature: &str, level: &str) -> Self {
        Self {
            estimate: Some(0.0),
            ..Self::missing(feature, level)
        }
    }

    /// A level with no estimate.
    pub fn missing(feature: &str, level: &str) -> Self {
        Self {
            group: None,
            feature: feature.to_string(),
            level: level.to_string(),
            estimate: None,
            std_error: None,
            z: None,
            p: None,
            lower: None,
            upper: None,
        }
    }

    pub fn in_group(mut self, group: &str) -> Self {
        self.group = Some(group.to_string());
        self
    }
}

/// Full (shortest round-trip) precision; exponent notation for very small or large magnitudes so a
/// p-value of 1e-40 is not forty zeros. R's `read.csv` and pandas read both forms.
pub fn format_number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-5..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Two-sided normal p-value.
pub fn two_sided_p(z: f64) -> f64 {
    if !z.is_finite() {
        return if z.is_nan() { f64::NAN } else { 0.0 };
    }
    // Normal::new(0, 1) cannot fail.
    let normal = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!());
    2.0 * normal.cdf(-z.abs())
}

/// A tidy table; `group_column` names the group column when there is one (`BY` on the command line).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TidyTable {
    pub group_column: Option<String>,
    pub rows: Vec<TidyRow>,
}

impl TidyTable {
    /// The row of a feature's level (the first, if several groups have it).
    pub fn find(&self, feature: &str, level: &str) -> Option<&TidyRow> {
        self.rows
            .iter()
            .find(|r| r.feature == feature && r.level == level)
    }

    /// CSV with columns `[BY,]feature,level,estimate,std_error,z,p,lower,upper`; absent values are
    /// empty cells, numbers are written in full (shortest round-trip) precision.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let grouped = self.group_column.is_some();
        let mut header = Vec::new();
        if grouped {
            header.push("BY");
        }
        header.extend([
            "feature",
            "level",
            "estimate",
            "std_error",
            "z",
            "p",
            "lower",
            "upper",
        ]);
        // Writing into memory cannot fail.
        let _ = writer.write_record(&header);
        for row in &self.rows {
            let mut record: Vec<String> = Vec::new();
            if grouped {
                record.push(row.group.clone().unwrap_or_default());
            }
            record.push(row.feature.clone());
            record.push(row.level.clone());
            for value in [
                row.estimate,
                row.std_error,
                row.z,
                row.p,
                row.lower,
                row.upper,
            ] {
                record.push(value.map(format_number).unwrap_or_default());
            }
            let _ = writer.write_record(&record);
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// The result of an estimator: the table, what could not be estimated, and the sample it used.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimates {
    pub table: TidyTable,
    pub warnings: Vec<super::AnalysisWarning>,
    pub n_rows: usize,
    pub n_respondents: usize,
}

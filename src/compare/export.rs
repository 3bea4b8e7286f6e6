//! The comparison's tables as CSV, for the command line and the page's downloads alike. Numbers are
//! written in full (shortest round-trip) precision; undefined metrics are empty cells.

use super::{AgreementMatrix, Comparison, QuestionMetrics, RetestCeiling};
use crate::data::csv_cell;

/// Which optional columns the per-question CSV carries.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvColumns {
    /// representativeness, js_divergence
    #[serde(default)]
    pub distributions: bool,
    /// sd_human, sd_twin
    #[serde(default)]
    pub sds: bool,
    /// kind, exact_match
    #[serde(default)]
    pub exact: bool,
    /// retest_n, retest_accuracy, twin_accuracy_retested, retest_share
    #[serde(default)]
    pub retest: bool,
}

impl CsvColumns {
    /// Every optional column (the retest ones only when there is a retest).
    pub fn all(comparison: &Comparison) -> Self {
        Self {
            distributions: true,
            sds: true,
            exact: true,
            retest: comparison.overall_retest.is_some(),
        }
    }
}

/// CSV with full-precision numbers (shortest round-trip form, exponent notation for tiny p values);
/// undefined metrics are empty. One row per question, then the overall row.
pub fn questions_csv(comparison: &Comparison, columns: CsvColumns) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = comparison.key_columns.iter().map(|k| csv_cell(k)).collect();
    header.extend(
        "n,accuracy,correlation,sd_ratio,glass_delta,paired_t,paired_p,mean_human,mean_twin"
            .split(',')
            .map(String::from),
    );
    if columns.distributions {
        header.extend(["representativeness".into(), "js_divergence".into()]);
    }
    if columns.sds {
        header.extend(["sd_human".into(), "sd_twin".into()]);
    }
    if columns.exact {
        header.extend(["kind".into(), "exact_match".into()]);
    }
    if columns.retest {
        header.extend(
            [
                "retest_n",
                "retest_accuracy",
                "twin_accuracy_retested",
                "retest_share",
            ]
            .map(String::from),
        );
    }
    out.push_str(&header.join(","));
    out.push('\n');
    let rows = comparison
        .questions
        .iter()
        .map(|q| (&q.metrics, q.retest))
        .chain(std::iter::once((
            &comparison.overall,
            comparison.overall_retest,
        )));
    for (row, retest) in rows {
        out.push_str(&csv_row(row, retest, columns));
        out.push('\n');
    }
    out
}

fn csv_row(row: &QuestionMetrics, retest: Option<RetestCeiling>, columns: CsvColumns) -> String {
    let mut cells: Vec<String> = row.key.iter().map(|k| csv_cell(k)).collect();
    cells.push(row.n.to_string());
    let mut values = vec![
        row.accuracy,
        row.correlation,
        row.sd_ratio,
        row.glass_delta,
        row.paired_t,
        row.paired_p,
        row.mean_human,
        row.mean_twin,
    ];
    if columns.distributions {
        values.extend([
            row.distances.representativeness,
            row.distances.js_divergence,
        ]);
    }
    if columns.sds {
        values.extend([row.sd_human, row.sd_twin]);
    }
    cells.extend(values.into_iter().map(number));
    if columns.exact {
        // The overall row mixes kinds; its kind cell stays empty.
        let overall = row.key.first().is_some_and(|k| k == "overall")
            && row.key[1..].iter().all(String::is_empty);
        cells.push(if overall {
            String::new()
        } else {
            row.kind.name().to_string()
        });
        cells.push(number(row.exact_match));
    }
    if columns.retest {
        match retest {
            Some(r) => {
                cells.push(r.n.to_string());
                cells.extend([r.human_accuracy, r.twin_accuracy, r.share].map(number));
            }
            None => cells.extend(std::iter::repeat_n(String::new(), 4)),
        }
    }
    cells.join(",")
}

/// person,[group,]n,accuracy,exact_match — one line per respondent with a pair.
pub fn respondents_csv(comparison: &Comparison) -> String {
    let grouped = comparison.subgroups.is_some() || !comparison.groups.is_empty();
    let mut out = String::from(if grouped {
        "person,group,n,accuracy,exact_match\n"
    } else {
        "person,n,accuracy,exact_match\n"
    });
    for r in &comparison.respondents {
        out.push_str(&csv_cell(&r.person));
        out.push(',');
        if grouped {
            out.push_str(&csv_cell(r.group.as_deref().unwrap_or("")));
            out.push(',');
        }
        out.push_str(&format!(
            "{},{},{}\n",
            r.n,
            number(r.accuracy),
            number(r.exact_match)
        ));
    }
    out
}

/// The group differences per question and contrast, and the summary per contrast (two CSVs).
pub fn subgroups_csv(comparison: &Comparison) -> (String, String) {
    let mut out =
        String::from("question,contrast,n_group,n_reference,human,twin,human_std,twin_std\n");
    let mut summary =
        String::from("contrast,questions,correlation,sign_agreement,mean_abs_error\n");
    let Some(s) = &comparison.subgroups else {
        return (out, summary);
    };
    for d in &s.differences {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            csv_cell(&d.question),
            csv_cell(&d.contrast),
            d.n_group,
            d.n_reference,
            number(d.human),
            number(d.twin),
            number(d.human_std),
            number(d.twin_std)
        ));
    }
    for a in &s.summary {
        summary.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_cell(&a.contrast),
            a.questions,
            number(a.correlation),
            number(a.sign_agreement),
            number(a.mean_abs_error)
        ));
    }
    (out, summary)
}

/// group,persons,pairs,accuracy,exact_match — one line per group of the group column.
pub fn groups_csv(comparison: &Comparison) -> String {
    let mut out = String::from("group,persons,pairs,accuracy,exact_match\n");
    for g in &comparison.groups {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_cell(&g.group),
            g.persons,
            g.pairs,
            number(g.accuracy),
            number(g.exact_match)
        ));
    }
    out
}

/// The agreement matrix wide: `person` then one column per question; empty = no value.
pub fn matrix_csv(matrix: &AgreementMatrix) -> String {
    let mut out = String::from("person");
    for column in &matrix.columns {
        out.push(',');
        out.push_str(&csv_cell(column));
    }
    out.push('\n');
    let width = matrix.columns.len();
    for (r, person) in matrix.rows.iter().enumerate() {
        out.push_str(&csv_cell(person));
        for v in &matrix.values[r * width..(r + 1) * width] {
            out.push(',');
            if v.is_finite() {
                // f32 printed as f32: 0.75, not 0.75000000xxx.
                out.push_str(&format!("{v:?}"));
            }
        }
        out.push('\n');
    }
    out
}

/// Shortest round-trip form; NaN and infinities as an empty cell.
pub fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        String::new()
    }
}

//! The whole comparison in one call, as the page's worker and `silico compare` both need it:
//! per-question metrics (with the retest ceiling and the answer shares for the distribution
//! overlay), the overall row, per-respondent and per-group agreement, the agreement matrix and
//! subgroup alignment. Serde, so the worker sends it as it is.

use serde::{Deserialize, Serialize};

use super::{
    agreement_matrix, compare_questions, group_metrics, overall, overall_ceiling, paired,
    respondent_metrics, retest_ceiling, subgroup_alignment, AgreementMatrix, CompareError, Extras,
    GroupMetrics, PairColumns, Paired, PositionShares, QuestionKind, QuestionMetrics, Ranges,
    RespondentMetrics, RetestCeiling, Scale, SubgroupAlignment,
};
use crate::study::ResponseTable;

/// One question: its metrics, its scale, the retest ceiling (with a retest column) and the answer
/// shares per position (ordinal and nominal questions).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct QuestionResult {
    pub metrics: QuestionMetrics,
    pub range: Option<(f64, f64)>,
    #[serde(default)]
    pub retest: Option<RetestCeiling>,
    #[serde(default)]
    pub shares: Option<PositionShares>,
}

impl QuestionResult {
    pub fn label(&self) -> String {
        super::question_label(&self.metrics.key)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The question key column names (e.g. `study_name`, `variable_name`).
    pub key_columns: Vec<String>,
    pub questions: Vec<QuestionResult>,
    /// Unweighted means over questions (n = all pairs); see [`overall`].
    pub overall: QuestionMetrics,
    #[serde(default)]
    pub overall_retest: Option<RetestCeiling>,
    pub respondents: Vec<RespondentMetrics>,
    /// Per group of the group column (empty without one).
    #[serde(default)]
    pub groups: Vec<GroupMetrics>,
    pub matrix: AgreementMatrix,
    #[serde(default)]
    pub subgroups: Option<SubgroupAlignment>,
    /// Rows read (complete pairs or not).
    pub n_rows: usize,
}

/// Everything from a long table: `columns` name the pairs, `extras` the optional retest and group
/// columns, `ranges` each question's scale range and (optionally) kind.
pub fn compare(
    table: &ResponseTable,
    columns: &PairColumns,
    extras: &Extras,
    ranges: &Ranges,
) -> Result<Comparison, CompareError> {
    let data = paired(table, columns, extras)?;
    Ok(compare_paired(&data, &columns.question, ranges))
}

/// Everything from already grouped pairs.
pub fn compare_paired(data: &Paired, key_columns: &[String], ranges: &Ranges) -> Comparison {
    let metrics = compare_questions(&data.questions, ranges);
    let scales: Vec<Scale> = data
        .questions
        .iter()
        .zip(&metrics)
        .map(|(q, m)| Scale {
            kind: m.kind,
            range: ranges.get(&q.key),
        })
        .collect();
    let overall_row = overall(&metrics, key_columns.len());
    let questions: Vec<QuestionResult> = metrics
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let q = &data.questions[i];
            let shares = match m.kind {
                QuestionKind::Numeric => None,
                _ => PositionShares::of(&q.human, &q.twin),
            };
            QuestionResult {
                retest: data
                    .retest
                    .as_ref()
                    .map(|r| retest_ceiling(&q.human, &q.twin, &r[i], scales[i])),
                range: scales[i].range,
                metrics: m,
                shares,
            }
        })
        .collect();
    let overall_retest = data.retest.as_ref().map(|_| {
        let rows: Vec<RetestCeiling> = questions.iter().filter_map(|q| q.retest).collect();
        overall_ceiling(&rows)
    });
    let respondents = respondent_metrics(data, &scales);
    let groups = data
        .groups
        .as_ref()
        .map(|g| group_metrics(&respondents, &g.labels))
        .unwrap_or_default();
    Comparison {
        key_columns: key_columns.to_vec(),
        overall: overall_row,
        overall_retest,
        groups,
        matrix: agreement_matrix(data, &scales),
        subgroups: subgroup_alignment(data, &scales),
        respondents,
        questions,
        n_rows: data.rows,
    }
}

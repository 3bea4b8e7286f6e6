//! The comparison as CSV that R's `read.csv` and pandas read as-is: a header row, numbers in full
//! precision without thousands separators, undefined values as empty cells (never `NA` or `NaN`),
//! written by the `csv` crate (which quotes what needs quoting).

use super::stats::ItemComparison;
use super::summary::SurveySummary;
use super::SurveyComparison;
use crate::compare::number;

/// The item table's columns after the optional `group`.
pub const ITEM_COLUMNS: [&str; 34] = [
    "question",
    "parent",
    "item",
    "type",
    "kind",
    "categories",
    "n_human",
    "n_llm",
    "missing_human",
    "missing_llm",
    "unreadable_human",
    "unreadable_llm",
    "mean_human",
    "mean_llm",
    "sd_human",
    "sd_llm",
    "sd_ratio",
    "wasserstein",
    "representativeness",
    "js_divergence",
    "tv_distance",
    "representativeness_uniform_human",
    "representativeness_uniform_llm",
    "js_uniform_human",
    "js_uniform_llm",
    "tv_uniform_human",
    "tv_uniform_llm",
    "entropy_human",
    "entropy_llm",
    "test",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
];

fn item_cells(r: &ItemComparison) -> Vec<String> {
    let mut cells = vec![
        r.question.clone(),
        r.parent.clone(),
        r.item.clone().unwrap_or_default(),
        r.type_name.clone(),
        r.kind.name().to_string(),
        if r.categories > 0 {
            r.categories.to_string()
        } else {
            String::new()
        },
    ];
    cells.extend(
        [
            r.n_human,
            r.n_llm,
            r.missing_human,
            r.missing_llm,
            r.unreadable_human,
            r.unreadable_llm,
        ]
        .map(|n| n.to_string()),
    );
    cells.extend(
        [
            r.mean_human,
            r.mean_llm,
            r.sd_human,
            r.sd_llm,
            r.sd_ratio,
            r.wasserstein,
            r.distances.representativeness,
            r.distances.js_divergence,
            r.distances.tv_distance,
            r.human_to_uniform.representativeness,
            r.llm_to_uniform.representativeness,
            r.human_to_uniform.js_divergence,
            r.llm_to_uniform.js_divergence,
            r.human_to_uniform.tv_distance,
            r.llm_to_uniform.tv_distance,
            r.entropy_human,
            r.entropy_llm,
        ]
        .map(number),
    );
    let tested = r.difference.p_value.is_finite();
    cells.push(if tested {
        r.difference.test.clone()
    } else {
        String::new()
    });
    cells.extend(
        [
            r.difference.statistic,
            r.difference.df,
            r.difference.p_value,
            r.p_adjusted,
        ]
        .map(number),
    );
    cells
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> String {
    // Writing to a Vec cannot fail; the text is UTF-8 because every cell is.
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One row per item: with `grouped`, the per-group rows behind a `group` column; otherwise the
/// whole samples.
pub fn items_csv(comparison: &SurveyComparison, grouped: bool) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = Vec::new();
    if grouped {
        header.push("group");
    }
    header.extend(ITEM_COLUMNS);
    let _ = writer.write_record(&header);
    let rows = if grouped {
        &comparison.group_items
    } else {
        &comparison.items
    };
    for r in rows {
        let mut cells = Vec::with_capacity(header.len());
        if grouped {
            cells.push(r.group.clone().unwrap_or_default());
        }
        cells.extend(item_cells(r));
        let _ = writer.write_record(&cells);
    }
    finish(writer)
}

pub const SUMMARY_COLUMNS: [&str; 17] = [
    "group",
    "items",
    "ordinal",
    "nominal",
    "numeric",
    "human_respondents",
    "llm_respondents",
    "mean_representativeness",
    "mean_js_divergence",
    "mean_tv_distance",
    "mean_js_uniform_human",
    "mean_js_uniform_llm",
    "nearer_uniform_share",
    "mean_entropy_human",
    "mean_entropy_llm",
    "median_sd_ratio",
    "different_share",
];

fn summary_cells(s: &SurveySummary, respondents: (String, String)) -> Vec<String> {
    let mut cells = vec![
        s.group.clone().unwrap_or_default(),
        s.items.to_string(),
        s.ordinal.to_string(),
        s.nominal.to_string(),
        s.numeric.to_string(),
        respondents.0,
        respondents.1,
    ];
    cells.extend(
        [
            s.mean_representativeness,
            s.mean_js_divergence,
            s.mean_tv_distance,
            s.mean_js_uniform_human,
            s.mean_js_uniform_llm,
            s.nearer_uniform_share,
            s.mean_entropy_human,
            s.mean_entropy_llm,
            s.median_sd_ratio,
            s.different_share,
        ]
        .map(number),
    );
    cells
}

/// The summary across items: the whole samples first (empty `group`), then each group.
pub fn summary_csv(comparison: &SurveyComparison) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(SUMMARY_COLUMNS);
    let _ = writer.write_record(summary_cells(
        &comparison.summary,
        (
            comparison.human_respondents.to_string(),
            comparison.llm_respondents.to_string(),
        ),
    ));
    for s in &comparison.group_summaries {
        // Respondents are counted for the whole samples only.
        let _ = writer.write_record(summary_cells(s, (String::new(), String::new())));
    }
    finish(writer)
}

//! Records as long response tables (so `analysis::amce` and the survey statistics read LLM answers
//! directly) and as CSV/JSONL exports.

use super::plan::ItemRef;
use super::record::{CallRecord, Status};
use crate::study::{
    Column, ColumnRole, ColumnValues, Conjoint, Provenance, ResponseSource, ResponseTable,
};

fn number(name: &str, role: ColumnRole, values: Vec<Option<f64>>) -> Column {
    Column {
        name: name.into(),
        role,
        values: ColumnValues::Number(values),
    }
}

fn text(name: &str, role: ColumnRole, values: Vec<Option<String>>) -> Column {
    Column {
        name: name.into(),
        role,
        values: ColumnValues::Text(values),
    }
}

/// The conjoint's own level order (first level = baseline) for the analyses, which otherwise
/// order levels by their first appearance.
pub fn level_orders(conjoint: &Conjoint) -> crate::analysis::LevelOrders {
    let mut orders = crate::analysis::LevelOrders::new();
    for attribute in &conjoint.attributes {
        let levels = attribute.levels.iter().map(|l| l.name.clone()).collect();
        // Duplicate level names are refused by validation; nothing to order then.
        let _ = orders.set(&attribute.name, levels);
    }
    orders
}

/// One row per respondent × task × sample × profile: `respondent`, `task`, `sample`, `profile`,
/// one column per attribute (level names), `chosen` (1/0; empty unless answered), `probability`
/// (the first-token probability of the profile, when log-probabilities were asked for), `status`,
/// `reason`, `model`, `custom_id`. Refused, unparsed and failed calls keep their rows with an empty
/// `chosen`, so they are visible but never counted.
pub fn conjoint_table(
    name: &str,
    conjoint: &Conjoint,
    records: &[CallRecord],
    provenance: Provenance,
) -> ResponseTable {
    let mut respondent = Vec::new();
    let mut task = Vec::new();
    let mut sample = Vec::new();
    let mut profile = Vec::new();
    let mut levels: Vec<Vec<Option<String>>> = vec![Vec::new(); conjoint.attributes.len()];
    let mut chosen = Vec::new();
    let mut probability = Vec::new();
    let mut status = Vec::new();
    let mut reason = Vec::new();
    let mut model = Vec::new();
    let mut custom_id = Vec::new();
    for record in records {
        let ItemRef::Task { task: t } = record.item else {
            continue;
        };
        let picked = record.chosen().map(|o| o.code.clone());
        for option in record.shown.iter().filter(|o| !o.levels.is_empty()) {
            respondent.push(Some(f64::from(record.respondent)));
            task.push(Some(f64::from(t)));
            sample.push(Some(f64::from(record.sample)));
            profile.push(option.code.parse::<f64>().ok());
            for (a, column) in levels.iter_mut().enumerate() {
                column.push(option.levels.get(a).cloned());
            }
            chosen.push(match (&record.status, &picked) {
                (Status::Answered, Some(code)) => Some(f64::from(u8::from(*code == option.code))),
                _ => None,
            });
            probability.push(record.distribution.as_ref().and_then(|d| {
                d.probabilities
                    .iter()
                    .find(|(code, _)| *code == option.code)
                    .map(|(_, p)| *p)
            }));
            status.push(Some(record.status.as_str().to_string()));
            reason.push(record.reason.clone());
            model.push(Some(record.model.clone()));
            custom_id.push(Some(record.custom_id.clone()));
        }
    }
    let mut columns = vec![
        number("respondent", ColumnRole::Respondent, respondent),
        number("task", ColumnRole::Task, task),
        number("sample", ColumnRole::Covariate, sample),
        number("profile", ColumnRole::Profile, profile),
    ];
    for (attribute, values) in conjoint.attributes.iter().zip(levels) {
        columns.push(text(&attribute.name, ColumnRole::Attribute, values));
    }
    columns.extend([
        number("chosen", ColumnRole::Outcome, chosen),
        number("probability", ColumnRole::Covariate, probability),
        text("status", ColumnRole::Covariate, status),
        text("reason", ColumnRole::Covariate, reason),
        text("model", ColumnRole::Covariate, model),
        text("custom_id", ColumnRole::Covariate, custom_id),
    ]);
    ResponseTable {
        name: name.to_string(),
        source: ResponseSource::Llm,
        provenance,
        columns,
    }
}

/// One row per respondent × question × sample: `respondent`, `question`, `sample`, `answer` (the
/// option code, number or text; empty unless answered), `label` (the label it was shown with),
/// `position` (1-based place it was shown at), `shown_order` (codes as shown, `|`-separated),
/// `probabilities` (`code=p` pairs from the first token), `status`, `reason`, `raw_reply`,
/// `model`, `custom_id`.
pub fn survey_table(name: &str, records: &[CallRecord], provenance: Provenance) -> ResponseTable {
    let mut cols: [Vec<Option<String>>; 11] = Default::default();
    let mut respondent = Vec::new();
    let mut sample = Vec::new();
    for record in records {
        let ItemRef::Question { id } = &record.item else {
            continue;
        };
        respondent.push(Some(f64::from(record.respondent)));
        sample.push(Some(f64::from(record.sample)));
        let chosen = record.chosen();
        let answered = record.status == Status::Answered;
        let position = chosen.and_then(|c| record.shown.iter().position(|o| o.code == c.code));
        let values = [
            Some(id.clone()),
            record.answer.clone().filter(|_| answered),
            chosen.map(|c| c.label.clone()),
            position.map(|p| (p + 1).to_string()),
            (!record.shown.is_empty()).then(|| {
                record
                    .shown
                    .iter()
                    .map(|o| o.code.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            }),
            record.distribution.as_ref().map(|d| {
                d.probabilities
                    .iter()
                    .map(|(c, p)| format!("{c}={p:.6}"))
                    .collect::<Vec<_>>()
                    .join(";")
            }),
            Some(record.status.as_str().to_string()),
            record.reason.clone(),
            record.raw_reply.clone(),
            Some(record.model.clone()),
            Some(record.custom_id.clone()),
        ];
        for (column, value) in cols.iter_mut().zip(values) {
            column.push(value);
        }
    }
    let [question, answer, label, position, shown, probabilities, status, reason, raw, model, custom_id] =
        cols;
    ResponseTable {
        name: name.to_string(),
        source: ResponseSource::Llm,
        provenance,
        columns: vec![
            number("respondent", ColumnRole::Respondent, respondent),
            text("question", ColumnRole::Question, question),
            number("sample", ColumnRole::Covariate, sample),
            text("answer", ColumnRole::Answer, answer),
            text("label", ColumnRole::Covariate, label),
            text("position", ColumnRole::Covariate, position),
            text("shown_order", ColumnRole::Covariate, shown),
            text("probabilities", ColumnRole::Covariate, probabilities),
            text("status", ColumnRole::Covariate, status),
            text("reason", ColumnRole::Covariate, reason),
            text("raw_reply", ColumnRole::Covariate, raw),
            text("model", ColumnRole::Covariate, model),
            text("custom_id", ColumnRole::Covariate, custom_id),
        ],
    }
}

/// Every record as one JSON object per line (full messages, shown options, raw reply, tokens…).
pub fn records_jsonl(records: &[CallRecord]) -> String {
    let mut out = String::new();
    for record in records {
        if let Ok(line) = serde_json::to_string(record) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Reads records written by [`records_jsonl`] (to resume a run); unreadable lines are skipped.
pub fn read_records_jsonl(text: &str) -> Vec<CallRecord> {
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// A flat CSV of the records: one row per call with the prompt and reply as text.
pub fn records_csv(records: &[CallRecord]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "custom_id",
        "respondent",
        "item",
        "sample",
        "provider",
        "model",
        "seed",
        "status",
        "answer",
        "method",
        "reason",
        "shown_order",
        "shown_labels",
        "probabilities",
        "raw_reply",
        "tokens_in",
        "tokens_out",
        "reasoning_tokens",
        "latency_ms",
        "attempts",
        "cache_hit",
        "system",
        "prompt",
    ]);
    let opt = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    for r in records {
        let message = |role: &str| {
            r.messages
                .iter()
                .filter(|m| m.role == role)
                .map(|m| m.content.as_str())
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        let _ = writer.write_record([
            r.custom_id.clone(),
            r.respondent.to_string(),
            r.item.name(),
            r.sample.to_string(),
            r.provider.clone(),
            r.model.clone(),
            opt(r.seed),
            r.status.as_str().to_string(),
            r.answer.clone().unwrap_or_default(),
            r.method
                .map(|m| {
                    serde_json::to_value(m)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
            r.reason.clone().unwrap_or_default(),
            r.shown
                .iter()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            r.shown
                .iter()
                .map(|o| o.label.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            r.distribution
                .as_ref()
                .map(|d| {
                    d.probabilities
                        .iter()
                        .map(|(c, p)| format!("{c}={p:.6}"))
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            r.raw_reply.clone().unwrap_or_default(),
            opt(r.tokens_in),
            opt(r.tokens_out),
            opt(r.reasoning_tokens),
            r.latency_ms.map(|l| format!("{l:.1}")).unwrap_or_default(),
            r.attempts.to_string(),
            r.cache_hit.to_string(),
            message("system"),
            message("user"),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

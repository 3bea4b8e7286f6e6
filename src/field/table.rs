//! Records as long response tables (so `analysis::amce` and the survey statistics read LLM answers
//! directly) and as CSV/JSONL exports.

use super::plan::{Expect, ItemRef};
use super::record::{CallRecord, Status};
use super::survey_plan::NotShown;
use crate::design::survey_flow::{split_items, split_list};
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

/// One row per respondent × question × sample (× item, for answers with several parts):
/// `respondent`, `question`, `item` (the matrix item, slider, or option of a multiple choice,
/// ranking or constant sum; empty for one-part answers), `sample`, `answer` (the option code,
/// number or text; for a multiple choice 1/0 per option, for a ranking the option's rank; empty
/// unless answered), `label` (the label it was shown with), `position` (1-based place it was
/// shown at), `shown_order` (codes as shown, `|`-separated), `probabilities` (`code=p` pairs
/// from the first token), `status` (`not_shown` for a question the survey's logic hid, with the
/// rule as `reason`), `reason`, `raw_reply`, `model`, `custom_id`.
pub fn survey_table(
    name: &str,
    records: &[CallRecord],
    not_shown: &[NotShown],
    provenance: Provenance,
) -> ResponseTable {
    let mut rows = SurveyRows::default();
    for record in records {
        let ItemRef::Question { id, item } = &record.item else {
            continue;
        };
        let answered = record.status == Status::Answered;
        let answer = record.answer.as_deref().filter(|_| answered);
        let shown_order = (!record.shown.is_empty()).then(|| {
            record
                .shown
                .iter()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
                .join("|")
        });
        let base = Row {
            respondent: record.respondent,
            sample: record.sample,
            question: id.clone(),
            item: item.clone(),
            answer: None,
            label: None,
            position: None,
            shown_order,
            probabilities: record.distribution.as_ref().map(|d| {
                d.probabilities
                    .iter()
                    .map(|(c, p)| format!("{c}={p:.6}"))
                    .collect::<Vec<_>>()
                    .join(";")
            }),
            status: record.status.as_str().to_string(),
            reason: record.reason.clone(),
            raw_reply: record.raw_reply.clone(),
            model: Some(record.model.clone()),
            custom_id: Some(record.custom_id.clone()),
        };
        match record.expect {
            Some(Expect::Multiple { .. } | Expect::Ranking { .. }) => {
                let listed = answer.map(split_list).unwrap_or_default();
                let ranking = matches!(record.expect, Some(Expect::Ranking { .. }));
                for (position, option) in record.shown.iter().enumerate() {
                    let place = listed.iter().position(|c| *c == option.code);
                    let value = answer.map(|_| match (ranking, place) {
                        (true, Some(p)) => Some((p + 1).to_string()),
                        (true, None) => None,
                        (false, hit) => Some(u8::from(hit.is_some()).to_string()),
                    });
                    rows.push(Row {
                        item: Some(option.code.clone()),
                        answer: value.flatten(),
                        label: Some(option.label.clone()),
                        position: Some(position + 1),
                        ..base.clone()
                    });
                }
            }
            Some(_) if !record.items.is_empty() => {
                let values = answer.map(split_items).unwrap_or_default();
                for (position, row) in record.items.iter().enumerate() {
                    let value = values.iter().find(|(i, _)| *i == row.code).map(|(_, v)| *v);
                    let label = value.and_then(|v| record.shown.iter().find(|o| o.code == v));
                    rows.push(Row {
                        item: Some(row.code.clone()),
                        answer: value.map(str::to_string),
                        label: label.map(|o| o.label.clone()),
                        position: Some(position + 1),
                        ..base.clone()
                    });
                }
            }
            _ => {
                let chosen = record.chosen();
                rows.push(Row {
                    answer: answer.map(str::to_string),
                    label: chosen.map(|c| c.label.clone()),
                    position: chosen
                        .and_then(|c| record.shown.iter().position(|o| o.code == c.code))
                        .map(|p| p + 1),
                    ..base
                });
            }
        }
    }
    for hidden in not_shown {
        rows.push(Row {
            respondent: hidden.respondent,
            sample: hidden.sample,
            question: hidden.question.clone(),
            status: "not_shown".into(),
            reason: Some(hidden.rule.clone()),
            ..Row::default()
        });
    }
    rows.table(name, provenance)
}

#[derive(Clone, Default)]
struct Row {
    respondent: u32,
    sample: u32,
    question: String,
    item: Option<String>,
    answer: Option<String>,
    label: Option<String>,
    position: Option<usize>,
    shown_order: Option<String>,
    probabilities: Option<String>,
    status: String,
    reason: Option<String>,
    raw_reply: Option<String>,
    model: Option<String>,
    custom_id: Option<String>,
}

#[derive(Default)]
struct SurveyRows {
    rows: Vec<Row>,
}

impl SurveyRows {
    fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    fn table(self, name: &str, provenance: Provenance) -> ResponseTable {
        let rows = self.rows;
        let texts = |f: &dyn Fn(&Row) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        ResponseTable {
            name: name.to_string(),
            source: ResponseSource::Llm,
            provenance,
            columns: vec![
                number(
                    "respondent",
                    ColumnRole::Respondent,
                    rows.iter().map(|r| Some(f64::from(r.respondent))).collect(),
                ),
                text(
                    "question",
                    ColumnRole::Question,
                    texts(&|r| Some(r.question.clone())),
                ),
                text("item", ColumnRole::Covariate, texts(&|r| r.item.clone())),
                number(
                    "sample",
                    ColumnRole::Covariate,
                    rows.iter().map(|r| Some(f64::from(r.sample))).collect(),
                ),
                text("answer", ColumnRole::Answer, texts(&|r| r.answer.clone())),
                text("label", ColumnRole::Covariate, texts(&|r| r.label.clone())),
                text(
                    "position",
                    ColumnRole::Covariate,
                    texts(&|r| r.position.map(|p| p.to_string())),
                ),
                text(
                    "shown_order",
                    ColumnRole::Covariate,
                    texts(&|r| r.shown_order.clone()),
                ),
                text(
                    "probabilities",
                    ColumnRole::Covariate,
                    texts(&|r| r.probabilities.clone()),
                ),
                text(
                    "status",
                    ColumnRole::Covariate,
                    texts(&|r| Some(r.status.clone())),
                ),
                text(
                    "reason",
                    ColumnRole::Covariate,
                    texts(&|r| r.reason.clone()),
                ),
                text(
                    "raw_reply",
                    ColumnRole::Covariate,
                    texts(&|r| r.raw_reply.clone()),
                ),
                text("model", ColumnRole::Covariate, texts(&|r| r.model.clone())),
                text(
                    "custom_id",
                    ColumnRole::Covariate,
                    texts(&|r| r.custom_id.clone()),
                ),
            ],
        }
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

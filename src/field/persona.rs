//! Personas: none (the baseline silicon sample), drawn from a template's field distributions, or
//! one per row group of an uploaded table (digital twins).

use std::collections::BTreeMap;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::seed;
use crate::study::{
    ColumnRole, ColumnValues, PersonaField, PersonaSource, PersonaStyle, ResponseTable, Study,
};

/// One respondent's persona: the text put in `{{persona}}` and the fields it was made from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    pub text: String,
    pub fields: BTreeMap<String, String>,
}

/// How many respondents the persona source itself implies (template count, table rows).
pub fn natural_count(study: &Study) -> Result<Option<u32>, FieldError> {
    match &study.fielding.personas {
        PersonaSource::None => Ok(None),
        PersonaSource::Template { count, .. } => Ok((*count > 0).then_some(*count)),
        PersonaSource::Table { table, .. } => {
            let t = find_table(study, table)?;
            Ok(Some(row_groups(t).len() as u32))
        }
    }
}

/// Personas for respondents 1..=n (index 0 is respondent 1).
pub fn personas(study: &Study, n: u32, run_seed: u64) -> Result<Vec<Persona>, FieldError> {
    match &study.fielding.personas {
        PersonaSource::None => Ok(vec![Persona::default(); n as usize]),
        PersonaSource::Template {
            template, fields, ..
        } => {
            check_fields(fields)?;
            Ok((1..=n)
                .map(|r| {
                    let mut rng = seed::rng(run_seed, "persona", &r.to_string());
                    let drawn: BTreeMap<String, String> = fields
                        .iter()
                        .map(|f| (f.name.clone(), draw(f, &mut rng)))
                        .collect();
                    Persona {
                        text: fill(template, &drawn),
                        fields: drawn,
                    }
                })
                .collect())
        }
        PersonaSource::Table {
            table,
            columns,
            style,
        } => {
            let t = find_table(study, table)?;
            let cols = columns
                .iter()
                .map(|c| {
                    t.column(c).ok_or_else(|| FieldError::NoPersonaColumn {
                        table: table.clone(),
                        column: c.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let groups = row_groups(t);
            Ok(groups
                .iter()
                .take(n as usize)
                .map(|rows| {
                    // A person's row group: the first non-missing value of each column.
                    let fields: BTreeMap<String, String> = cols
                        .iter()
                        .filter_map(|c| {
                            rows.iter()
                                .find_map(|&r| cell(&c.values, r))
                                .map(|v| (c.name.clone(), v))
                        })
                        .collect();
                    let ordered: Vec<(&str, &str)> = columns
                        .iter()
                        .filter_map(|c| fields.get(c).map(|v| (c.as_str(), v.as_str())))
                        .collect();
                    Persona {
                        text: describe(&ordered, *style),
                        fields,
                    }
                })
                .collect())
        }
    }
}

fn check_fields(fields: &[PersonaField]) -> Result<(), FieldError> {
    for f in fields {
        let bad = |message: &str| FieldError::PersonaField {
            field: f.name.clone(),
            message: message.to_string(),
        };
        if f.values.is_empty() {
            return Err(bad("has no values to draw from"));
        }
        if !f.weights.is_empty() {
            if f.weights.len() != f.values.len() {
                return Err(bad("needs one weight per value"));
            }
            if f.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
                || f.weights.iter().sum::<f64>() <= 0.0
            {
                return Err(bad("weights must be non-negative and not all zero"));
            }
        }
    }
    Ok(())
}

fn draw(field: &PersonaField, rng: &mut impl Rng) -> String {
    if field.weights.is_empty() {
        return field.values[rng.gen_range(0..field.values.len())].clone();
    }
    let total: f64 = field.weights.iter().sum();
    let mut u = rng.gen::<f64>() * total;
    for (value, w) in field.values.iter().zip(&field.weights) {
        if u < *w {
            return value.clone();
        }
        u -= w;
    }
    field.values[field.values.len() - 1].clone()
}

/// Fills `{{name}}` and `{{persona.name}}`.
fn fill(template: &str, fields: &BTreeMap<String, String>) -> String {
    let mut text = template.to_string();
    for (name, value) in fields {
        text = text
            .replace(&format!("{{{{persona.{name}}}}}"), value)
            .replace(&format!("{{{{{name}}}}}"), value);
    }
    text
}

fn describe(fields: &[(&str, &str)], style: PersonaStyle) -> String {
    match style {
        PersonaStyle::Transcript => fields
            .iter()
            .map(|(q, a)| format!("Q: {q}\nA: {a}"))
            .collect::<Vec<_>>()
            .join("\n"),
        PersonaStyle::Summary => {
            let parts: Vec<String> = fields.iter().map(|(q, a)| format!("{q}: {a}")).collect();
            format!("About you: {}.", parts.join("; "))
        }
        PersonaStyle::Json => {
            let object: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(q, a)| (q.to_string(), serde_json::Value::String(a.to_string())))
                .collect();
            serde_json::Value::Object(object).to_string()
        }
    }
}

fn find_table<'s>(study: &'s Study, name: &str) -> Result<&'s ResponseTable, FieldError> {
    study
        .results
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| FieldError::NoPersonaTable(name.to_string()))
}

/// Who each persona of a table stands for: the respondent id of each row group, in the order the
/// personas are made (twin respondent `r` is person `r - 1` of this list); row numbers from 1 when
/// the table has no respondent column.
pub fn person_ids(table: &ResponseTable) -> Vec<String> {
    let id = table
        .columns
        .iter()
        .find(|c| c.role == ColumnRole::Respondent);
    row_groups(table)
        .iter()
        .map(|rows| match id {
            Some(id) => rows
                .first()
                .and_then(|&r| cell(&id.values, r))
                .unwrap_or_default(),
            None => rows.first().map_or(String::new(), |r| (r + 1).to_string()),
        })
        .collect()
}

/// Rows grouped by the respondent column (long tables have several rows per person); each row is
/// its own person when the table has no respondent column.
fn row_groups(table: &ResponseTable) -> Vec<Vec<usize>> {
    let n = table.row_count();
    let Some(id) = table
        .columns
        .iter()
        .find(|c| c.role == ColumnRole::Respondent)
    else {
        return (0..n).map(|r| vec![r]).collect();
    };
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for r in 0..n {
        let key = cell(&id.values, r).unwrap_or_default();
        let entry = groups.entry(key.clone()).or_default();
        if entry.is_empty() {
            order.push(key);
        }
        entry.push(r);
    }
    order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect()
}

fn cell(values: &ColumnValues, row: usize) -> Option<String> {
    values.text(row)
}

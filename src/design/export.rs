//! Design exports that open in R (`read.csv`) and pandas without fixes.
//!
//! Long: one row per respondent × task × profile × attribute, with the attribute's display
//! position (1 = top row). Wide: one row per respondent × task × profile, one column per attribute
//! and one `<attribute>.rowpos` column per attribute (as cjoint names it).

use std::fmt::Write;

use super::error::DesignError;
use crate::study::{Conjoint, DesignedTask};

/// The long design: `respondent,task,profile,attribute,level,position`.
pub fn long_csv(conjoint: &Conjoint, tasks: &[DesignedTask]) -> Result<String, DesignError> {
    let mut out = String::with_capacity(tasks.len() * 64 * conjoint.attributes.len().max(1));
    out.push_str("respondent,task,profile,attribute,level,position\n");
    let names: Vec<String> = conjoint.attributes.iter().map(|a| field(&a.name)).collect();
    for task in tasks {
        let positions = positions(conjoint, task)?;
        for (p, profile) in task.profiles.iter().enumerate() {
            for (a, name) in names.iter().enumerate() {
                let level = level_name(conjoint, task, profile, a)?;
                // Writing to a String cannot fail.
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    task.respondent,
                    task.task,
                    p + 1,
                    name,
                    field(level),
                    positions[a]
                );
            }
        }
    }
    Ok(out)
}

/// The wide design: `respondent,task,profile,repeats,<attributes…>,<attribute>.rowpos…`.
pub fn wide_csv(conjoint: &Conjoint, tasks: &[DesignedTask]) -> Result<String, DesignError> {
    let mut out = String::new();
    let mut header = vec![
        "respondent".to_string(),
        "task".into(),
        "profile".into(),
        "repeats".into(),
    ];
    header.extend(conjoint.attributes.iter().map(|a| field(&a.name)));
    header.extend(
        conjoint
            .attributes
            .iter()
            .map(|a| field(&format!("{}.rowpos", a.name))),
    );
    out.push_str(&header.join(","));
    out.push('\n');
    for task in tasks {
        let positions = positions(conjoint, task)?;
        let repeats = task.repeats.map(|r| r.to_string()).unwrap_or_default();
        for (p, profile) in task.profiles.iter().enumerate() {
            let _ = write!(
                out,
                "{},{},{},{}",
                task.respondent,
                task.task,
                p + 1,
                repeats
            );
            for a in 0..conjoint.attributes.len() {
                out.push(',');
                out.push_str(&field(level_name(conjoint, task, profile, a)?));
            }
            for position in &positions {
                let _ = write!(out, ",{position}");
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// 1-based display position of each attribute (in attribute order).
fn positions(conjoint: &Conjoint, task: &DesignedTask) -> Result<Vec<u32>, DesignError> {
    let count = conjoint.attributes.len();
    let mut positions = vec![0u32; count];
    for (shown, &a) in task.attribute_order.iter().enumerate() {
        let slot = positions.get_mut(a as usize).ok_or_else(|| {
            DesignError::malformed(task, format!("attribute index {a} in the order"))
        })?;
        *slot = shown as u32 + 1;
    }
    if positions.contains(&0) {
        return Err(DesignError::malformed(
            task,
            "the attribute order leaves an attribute out",
        ));
    }
    Ok(positions)
}

fn level_name<'c>(
    conjoint: &'c Conjoint,
    task: &DesignedTask,
    profile: &[u32],
    attribute: usize,
) -> Result<&'c str, DesignError> {
    let levels = &conjoint.attributes[attribute].levels;
    profile
        .get(attribute)
        .and_then(|&l| levels.get(l as usize))
        .map(|l| l.name.as_str())
        .ok_or_else(|| {
            DesignError::malformed(
                task,
                format!(
                    "no valid level of {:?} in a profile",
                    conjoint.attributes[attribute].name
                ),
            )
        })
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

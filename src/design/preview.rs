//! A respondent's task as people see it (a table, attributes in their randomised order) and as
//! the prompt an LLM respondent receives.

use super::error::DesignError;
use crate::study::{Conjoint, DesignedTask, OptionLabels, Study};

/// Used when the study gives no task wording.
const DEFAULT_TASK_PROMPT: &str =
    "Please read the descriptions of the profiles below carefully. Which of these profiles do you prefer?";

/// The task as a Markdown table: one row per attribute in display order, one column per profile.
pub fn task_table(conjoint: &Conjoint, task: &DesignedTask) -> Result<String, DesignError> {
    let rows = rows(conjoint, task)?;
    let mut out = String::from("| |");
    for p in 0..task.profiles.len() {
        out.push_str(&format!(" Profile {} |", p + 1));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(task.profiles.len()));
    out.push('\n');
    for (attribute, levels) in rows {
        out.push_str(&format!("| {} |", cell(attribute)));
        for level in levels {
            out.push_str(&format!(" {} |", cell(level)));
        }
        out.push('\n');
    }
    Ok(out)
}

/// The prompt text for the task, filled into the study's conjoint template
/// (`{{persona}}`, `{{task_prompt}}`, `{{profiles}}`, `{{task}}`).
pub fn task_prompt(
    study: &Study,
    task: &DesignedTask,
    persona: &str,
) -> Result<String, DesignError> {
    let conjoint = study.conjoint.as_ref().ok_or(DesignError::NoAttributes)?;
    let rows = rows(conjoint, task)?;
    let mut blocks = Vec::new();
    for p in 0..task.profiles.len() {
        let mut block = format!("Profile {}", label(study.fielding.option_labels, p));
        for (attribute, levels) in &rows {
            block.push_str(&format!("\n- {attribute}: {}", levels[p]));
        }
        blocks.push(block);
    }
    if conjoint.none_option {
        blocks.push("Or: none of these profiles".into());
    }
    let task_prompt = if conjoint.prompt.trim().is_empty() {
        DEFAULT_TASK_PROMPT
    } else {
        conjoint.prompt.as_str()
    };
    let text = study
        .fielding
        .templates
        .conjoint_task
        .replace("{{persona}}", persona)
        .replace("{{task_prompt}}", task_prompt)
        .replace("{{profiles}}", &blocks.join("\n\n"))
        .replace("{{task}}", &task.task.to_string());
    // Without a persona the template starts with blank lines.
    Ok(text.trim_start().to_string())
}

fn label(style: OptionLabels, index: usize) -> String {
    match style {
        OptionLabels::Letters if index < 26 => char::from(b'A' + index as u8).to_string(),
        _ => (index + 1).to_string(),
    }
}

/// (attribute name, level of each profile) in display order.
fn rows<'c>(
    conjoint: &'c Conjoint,
    task: &DesignedTask,
) -> Result<Vec<(&'c str, Vec<&'c str>)>, DesignError> {
    task.attribute_order
        .iter()
        .map(|&a| {
            let attribute = conjoint.attributes.get(a as usize).ok_or_else(|| {
                DesignError::malformed(task, format!("attribute index {a} in the order"))
            })?;
            let levels = task
                .profiles
                .iter()
                .map(|profile| {
                    profile
                        .get(a as usize)
                        .and_then(|&l| attribute.levels.get(l as usize))
                        .map(|l| l.name.as_str())
                        .ok_or_else(|| {
                            DesignError::malformed(
                                task,
                                format!("no valid level of {:?}", attribute.name),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((attribute.name.as_str(), levels))
        })
        .collect()
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

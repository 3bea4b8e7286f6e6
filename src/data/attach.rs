//! Attaching a response table to a study: column roles, and the checks that the table fits the design.

use crate::study::{ColumnRole, ColumnValues, ResponseTable, Study};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AttachError {
    #[error("the study already has a response table named {0:?}; choose another --name")]
    NameTaken(String),
    #[error("the table has no column {0:?}")]
    NoSuchColumn(String),
    #[error("{0:?} is not a column role (use respondent, task, profile, attribute, outcome, question, answer, weight or covariate)")]
    UnknownRole(String),
    #[error("column {column:?}: level {level:?} (row {row}) is not a level of the conjoint attribute {column:?}")]
    UnknownLevel {
        column: String,
        level: String,
        row: usize,
    },
}

pub fn parse_role(text: &str) -> Result<ColumnRole, AttachError> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "respondent" | "id" => ColumnRole::Respondent,
        "task" => ColumnRole::Task,
        "profile" => ColumnRole::Profile,
        "attribute" => ColumnRole::Attribute,
        "outcome" => ColumnRole::Outcome,
        "question" => ColumnRole::Question,
        "answer" => ColumnRole::Answer,
        "weight" => ColumnRole::Weight,
        "covariate" => ColumnRole::Covariate,
        _ => return Err(AttachError::UnknownRole(text.to_string())),
    })
}

/// Sets column roles: the explicit ones given, and `attribute` for every column named like one of the
/// study's conjoint attributes. Attribute columns are checked against the design's levels, so a typo in
/// the data is caught at import rather than as a strange AMCE later.
pub fn attach_table(
    study: &mut Study,
    mut table: ResponseTable,
    roles: &[(String, ColumnRole)],
) -> Result<(), AttachError> {
    if study.results.iter().any(|t| t.name == table.name) {
        return Err(AttachError::NameTaken(table.name));
    }
    for (name, role) in roles {
        let column = table
            .columns
            .iter_mut()
            .find(|c| &c.name == name)
            .ok_or_else(|| AttachError::NoSuchColumn(name.clone()))?;
        column.role = *role;
    }
    if let Some(conjoint) = &study.conjoint {
        for column in &mut table.columns {
            let Some(attribute) = conjoint.attributes.iter().find(|a| a.name == column.name) else {
                continue;
            };
            column.role = ColumnRole::Attribute;
            if let ColumnValues::Text(values) = &column.values {
                for (row, value) in values.iter().enumerate() {
                    if let Some(level) = value {
                        if !attribute.levels.iter().any(|l| &l.name == level) {
                            return Err(AttachError::UnknownLevel {
                                column: column.name.clone(),
                                level: level.clone(),
                                row: row + 1,
                            });
                        }
                    }
                }
            }
        }
    }
    study.results.push(table);
    Ok(())
}

//! Import of Conjoint Survey Design Tool (Strezhnev, Hainmueller, Hopkins, Yamamoto) `.sdt` files.
//!
//! An `.sdt` file is seven pickles written by one pickler (so later ones refer back to strings
//! the earlier ones stored): the attribute list; a dict attribute → levels; the restrictions, each
//! a list of (attribute, level) pairs that must not appear together; order-constraint groups
//! (attributes kept together when the order is randomised); a dict attribute → level
//! probabilities; the number of tasks; the number of profiles (both as strings).

use super::pickle::{read_all, Heap, PickleError, Value};
use crate::study::{
    Attribute, AttributeOrder, Conjoint, Fielding, Level, LevelSet, Metadata, Randomisation,
    Restriction, Study, Survey, FORMAT_V1,
};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdtError {
    #[error("cannot read the .sdt file: {0}")]
    Pickle(#[from] PickleError),
    #[error(
        "the .sdt file holds {found} objects; expected at least the attribute list and the levels"
    )]
    TooFewObjects { found: usize },
    #[error("the {what} in the .sdt file is not {expected}")]
    Shape {
        what: &'static str,
        expected: &'static str,
    },
    #[error("attribute {0:?} has no levels in the .sdt file")]
    MissingLevels(String),
    #[error("the {what} name attribute {attribute:?}, which is not in the attribute list")]
    UnknownAttribute {
        what: &'static str,
        attribute: String,
    },
    #[error("restriction {index} names level {level:?} of {attribute:?}, which that attribute does not have")]
    UnknownLevel {
        index: usize,
        attribute: String,
        level: String,
    },
    #[error("attribute {attribute:?}: {given} probabilities for {levels} levels")]
    ProbabilityCount {
        attribute: String,
        given: usize,
        levels: usize,
    },
    #[error("the {what} is {value:?}, not a whole number")]
    BadCount { what: &'static str, value: String },
}

/// Reads an `.sdt` file into a conjoint: attributes in the tool's order, levels weighted by the
/// tool's probabilities, one restriction per excluded combination, the order groups, and the
/// attribute order randomised once per respondent (as the tool's Qualtrics randomiser does).
pub fn import_sdt(bytes: &[u8]) -> Result<Conjoint, SdtError> {
    let (objects, heap) = read_all(bytes)?;
    if objects.len() < 2 {
        return Err(SdtError::TooFewObjects {
            found: objects.len(),
        });
    }
    let names = strings(&heap, &objects[0], "attribute list")?;
    let level_map = heap.entries(&objects[1]).ok_or(SdtError::Shape {
        what: "level table",
        expected: "a dict of attribute → levels",
    })?;
    let mut attributes = Vec::with_capacity(names.len());
    for name in &names {
        let levels = level_map
            .iter()
            .find(|(k, _)| matches!(k, Value::Str(s) if s == name))
            .ok_or_else(|| SdtError::MissingLevels(name.clone()))?;
        let levels = strings(&heap, &levels.1, "level list")?;
        attributes.push(Attribute {
            name: name.clone(),
            levels: levels
                .into_iter()
                .map(|name| Level {
                    name,
                    weight: 1.0,
                    value: None,
                })
                .collect(),
        });
    }
    for (key, _) in level_map {
        if let Value::Str(name) = key {
            if !names.contains(name) {
                return Err(SdtError::UnknownAttribute {
                    what: "level table",
                    attribute: name.clone(),
                });
            }
        }
    }
    let restrictions = match objects.get(2) {
        Some(value) => restrictions(&heap, value, &attributes)?,
        None => Vec::new(),
    };
    let order_groups = match objects.get(3) {
        Some(value) => order_groups(&heap, value, &names)?,
        None => Vec::new(),
    };
    if let Some(value) = objects.get(4) {
        apply_probabilities(&heap, value, &mut attributes)?;
    }
    let tasks = match objects.get(5) {
        Some(value) => count(value, "number of tasks")?,
        None => 1,
    };
    let profiles = match objects.get(6) {
        Some(value) => count(value, "number of profiles")?,
        None => 2,
    };
    Ok(Conjoint {
        attributes,
        restrictions,
        profiles_per_task: profiles,
        tasks_per_respondent: tasks,
        none_option: false,
        outcome: Default::default(),
        randomisation: Randomisation {
            attribute_order: AttributeOrder::PerRespondent,
            order_groups,
            ..Default::default()
        },
        repeated_task: None,
        prompt: String::new(),
        tasks: Vec::new(),
    })
}

/// A whole study around an imported conjoint.
pub fn study_from_sdt(bytes: &[u8], id: &str, name: &str) -> Result<Study, SdtError> {
    Ok(Study {
        format: FORMAT_V1.to_string(),
        id: id.to_string(),
        metadata: Metadata {
            name: name.to_string(),
            description: "Imported from a Conjoint Survey Design Tool (.sdt) file.".into(),
            ..Default::default()
        },
        survey: Survey::default(),
        conjoint: Some(import_sdt(bytes)?),
        fielding: Fielding::default(),
        results: Vec::new(),
    })
}

fn strings(heap: &Heap, value: &Value, what: &'static str) -> Result<Vec<String>, SdtError> {
    let shape = SdtError::Shape {
        what,
        expected: "a list of strings",
    };
    heap.items(value)
        .ok_or(shape.clone())?
        .iter()
        .map(|v| match v {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(shape.clone()),
        })
        .collect()
}

fn restrictions(
    heap: &Heap,
    value: &Value,
    attributes: &[Attribute],
) -> Result<Vec<Restriction>, SdtError> {
    let shape = SdtError::Shape {
        what: "restriction list",
        expected: "a list of lists of (attribute, level) pairs",
    };
    let rules = heap.items(value).ok_or(shape.clone())?;
    let mut out = Vec::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        let pairs = heap.items(rule).ok_or(shape.clone())?;
        let mut exclude = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let [Value::Str(attribute), Value::Str(level)] =
                heap.items(pair).ok_or(shape.clone())?
            else {
                return Err(shape);
            };
            let known = attributes
                .iter()
                .find(|a| &a.name == attribute)
                .ok_or_else(|| SdtError::UnknownAttribute {
                    what: "restrictions",
                    attribute: attribute.clone(),
                })?;
            if !known.levels.iter().any(|l| &l.name == level) {
                return Err(SdtError::UnknownLevel {
                    index,
                    attribute: attribute.clone(),
                    level: level.clone(),
                });
            }
            exclude.push(LevelSet {
                attribute: attribute.clone(),
                levels: vec![level.clone()],
            });
        }
        out.push(Restriction { exclude });
    }
    Ok(out)
}

fn order_groups(
    heap: &Heap,
    value: &Value,
    names: &[String],
) -> Result<Vec<Vec<String>>, SdtError> {
    let shape = SdtError::Shape {
        what: "order-constraint list",
        expected: "a list of lists of attribute names",
    };
    let groups = heap.items(value).ok_or(shape)?;
    let mut out = Vec::new();
    for group in groups {
        let members = strings(heap, group, "order-constraint group")?;
        if let Some(unknown) = members.iter().find(|m| !names.contains(m)) {
            return Err(SdtError::UnknownAttribute {
                what: "order constraints",
                attribute: unknown.clone(),
            });
        }
        if !members.is_empty() {
            out.push(members);
        }
    }
    Ok(out)
}

fn apply_probabilities(
    heap: &Heap,
    value: &Value,
    attributes: &mut [Attribute],
) -> Result<(), SdtError> {
    let shape = SdtError::Shape {
        what: "probability table",
        expected: "a dict of attribute → probabilities",
    };
    let entries = heap.entries(value).ok_or(shape.clone())?;
    for (key, list) in entries {
        let Value::Str(name) = key else {
            return Err(shape);
        };
        let attribute = attributes
            .iter_mut()
            .find(|a| &a.name == name)
            .ok_or_else(|| SdtError::UnknownAttribute {
                what: "probability table",
                attribute: name.clone(),
            })?;
        let items = heap.items(list).ok_or(shape.clone())?;
        // The tool stores an empty list for attributes left at uniform probabilities.
        if items.is_empty() {
            continue;
        }
        if items.len() != attribute.levels.len() {
            return Err(SdtError::ProbabilityCount {
                attribute: name.clone(),
                given: items.len(),
                levels: attribute.levels.len(),
            });
        }
        for (level, item) in attribute.levels.iter_mut().zip(items) {
            level.weight = match item {
                Value::Float(p) => *p,
                Value::Int(p) => *p as f64,
                _ => return Err(shape),
            };
        }
    }
    Ok(())
}

fn count(value: &Value, what: &'static str) -> Result<u32, SdtError> {
    let bad = |value: String| SdtError::BadCount { what, value };
    match value {
        Value::Str(s) => s.trim().parse().map_err(|_| bad(s.clone())),
        Value::Int(n) => u32::try_from(*n).map_err(|_| bad(n.to_string())),
        other => Err(bad(format!("{other:?}"))),
    }
}

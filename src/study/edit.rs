//! Edits a researcher makes to a conjoint in the designer. Each keeps the study consistent: renaming an
//! attribute or level renames it in the restrictions and order groups too, removing one removes the
//! rules that named it, and any structural change discards a stored design (its level indices would
//! no longer mean the same profiles).

use super::model::{Attribute, Conjoint, Level, LevelSet, Restriction};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("an attribute needs a name")]
    EmptyName,
    #[error("there is already an attribute named {0:?}")]
    DuplicateAttribute(String),
    #[error("{attribute:?} already has a level named {level:?}")]
    DuplicateLevel { attribute: String, level: String },
    #[error("no attribute number {0}")]
    NoAttribute(usize),
    #[error("no level number {level} in attribute {attribute}")]
    NoLevel { attribute: usize, level: usize },
    #[error("{0:?} must keep at least 2 levels")]
    TooFewLevels(String),
    #[error("a weight must be a positive number")]
    BadWeight,
    #[error("a restriction needs levels of two different attributes")]
    BadRestriction,
}

/// An empty conjoint with the usual choices: 2 profiles, 5 tasks, forced choice, fully random.
pub fn new_conjoint() -> Conjoint {
    Conjoint {
        attributes: Vec::new(),
        restrictions: Vec::new(),
        profiles_per_task: 2,
        tasks_per_respondent: 5,
        none_option: false,
        outcome: Default::default(),
        randomisation: Default::default(),
        repeated_task: None,
        prompt: "Which of these two profiles do you prefer?".into(),
        tasks: Vec::new(),
    }
}

fn level(name: &str) -> Level {
    Level {
        name: name.into(),
        weight: 1.0,
        value: None,
    }
}

fn check_name(name: &str) -> Result<String, EditError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(EditError::EmptyName);
    }
    Ok(name.to_string())
}

fn attribute_mut(conjoint: &mut Conjoint, index: usize) -> Result<&mut Attribute, EditError> {
    conjoint
        .attributes
        .get_mut(index)
        .ok_or(EditError::NoAttribute(index))
}

/// Adds an attribute with two placeholder levels, so the study stays valid while it is filled in.
pub fn add_attribute(conjoint: &mut Conjoint, name: &str) -> Result<(), EditError> {
    let name = check_name(name)?;
    if conjoint.attributes.iter().any(|a| a.name == name) {
        return Err(EditError::DuplicateAttribute(name));
    }
    conjoint.attributes.push(Attribute {
        name,
        levels: vec![level("Level 1"), level("Level 2")],
    });
    conjoint.tasks.clear();
    Ok(())
}

pub fn rename_attribute(
    conjoint: &mut Conjoint,
    index: usize,
    name: &str,
) -> Result<(), EditError> {
    let name = check_name(name)?;
    if conjoint
        .attributes
        .iter()
        .enumerate()
        .any(|(i, a)| i != index && a.name == name)
    {
        return Err(EditError::DuplicateAttribute(name));
    }
    let old = std::mem::replace(&mut attribute_mut(conjoint, index)?.name, name.clone());
    for clause in conjoint
        .restrictions
        .iter_mut()
        .flat_map(|r| r.exclude.iter_mut())
    {
        if clause.attribute == old {
            clause.attribute = name.clone();
        }
    }
    for member in conjoint.randomisation.order_groups.iter_mut().flatten() {
        if *member == old {
            *member = name.clone();
        }
    }
    Ok(())
}

/// Moves an attribute one place up (`-1`) or down (`1`); the display order follows.
pub fn move_attribute(conjoint: &mut Conjoint, index: usize, step: isize) -> Result<(), EditError> {
    attribute_mut(conjoint, index)?;
    let target = index as isize + step;
    if target < 0 || target as usize >= conjoint.attributes.len() {
        return Ok(());
    }
    conjoint.attributes.swap(index, target as usize);
    conjoint.tasks.clear();
    Ok(())
}

pub fn remove_attribute(conjoint: &mut Conjoint, index: usize) -> Result<(), EditError> {
    let removed = attribute_mut(conjoint, index)?.name.clone();
    conjoint.attributes.remove(index);
    conjoint
        .restrictions
        .retain(|r| !r.exclude.iter().any(|c| c.attribute == removed));
    for group in &mut conjoint.randomisation.order_groups {
        group.retain(|m| *m != removed);
    }
    conjoint.randomisation.order_groups.retain(|g| g.len() > 1);
    conjoint.tasks.clear();
    Ok(())
}

/// Adds a level, named `Level N` until the researcher renames it.
pub fn add_level(conjoint: &mut Conjoint, attribute: usize) -> Result<(), EditError> {
    let levels = &mut attribute_mut(conjoint, attribute)?.levels;
    let name = (levels.len() + 1..)
        .map(|i| format!("Level {i}"))
        .find(|n| !levels.iter().any(|l| &l.name == n))
        .unwrap_or_default();
    levels.push(level(&name));
    conjoint.tasks.clear();
    Ok(())
}

pub fn rename_level(
    conjoint: &mut Conjoint,
    attribute: usize,
    index: usize,
    name: &str,
) -> Result<(), EditError> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(EditError::EmptyName);
    }
    let owner = attribute_mut(conjoint, attribute)?;
    if owner
        .levels
        .iter()
        .enumerate()
        .any(|(i, l)| i != index && l.name == name)
    {
        return Err(EditError::DuplicateLevel {
            attribute: owner.name.clone(),
            level: name,
        });
    }
    let attribute_name = owner.name.clone();
    let slot = owner.levels.get_mut(index).ok_or(EditError::NoLevel {
        attribute,
        level: index,
    })?;
    let old = std::mem::replace(&mut slot.name, name.clone());
    for clause in conjoint
        .restrictions
        .iter_mut()
        .flat_map(|r| r.exclude.iter_mut())
    {
        if clause.attribute == attribute_name {
            for level in clause.levels.iter_mut().filter(|l| **l == old) {
                *level = name.clone();
            }
        }
    }
    Ok(())
}

pub fn move_level(
    conjoint: &mut Conjoint,
    attribute: usize,
    index: usize,
    step: isize,
) -> Result<(), EditError> {
    let levels = &mut attribute_mut(conjoint, attribute)?.levels;
    if index >= levels.len() {
        return Err(EditError::NoLevel {
            attribute,
            level: index,
        });
    }
    let target = index as isize + step;
    if target >= 0 && (target as usize) < levels.len() {
        levels.swap(index, target as usize);
        conjoint.tasks.clear();
    }
    Ok(())
}

pub fn remove_level(
    conjoint: &mut Conjoint,
    attribute: usize,
    index: usize,
) -> Result<(), EditError> {
    let owner = attribute_mut(conjoint, attribute)?;
    if index >= owner.levels.len() {
        return Err(EditError::NoLevel {
            attribute,
            level: index,
        });
    }
    if owner.levels.len() <= 2 {
        return Err(EditError::TooFewLevels(owner.name.clone()));
    }
    let removed = owner.levels.remove(index).name;
    let attribute_name = owner.name.clone();
    for restriction in &mut conjoint.restrictions {
        for clause in restriction
            .exclude
            .iter_mut()
            .filter(|c| c.attribute == attribute_name)
        {
            clause.levels.retain(|l| *l != removed);
        }
    }
    conjoint
        .restrictions
        .retain(|r| r.exclude.iter().all(|c| !c.levels.is_empty()));
    conjoint.tasks.clear();
    Ok(())
}

pub fn set_weight(
    conjoint: &mut Conjoint,
    attribute: usize,
    index: usize,
    weight: f64,
) -> Result<(), EditError> {
    if !(weight.is_finite() && weight > 0.0) {
        return Err(EditError::BadWeight);
    }
    let levels = &mut attribute_mut(conjoint, attribute)?.levels;
    levels
        .get_mut(index)
        .ok_or(EditError::NoLevel {
            attribute,
            level: index,
        })?
        .weight = weight;
    conjoint.tasks.clear();
    Ok(())
}

/// Forbids every combination of the chosen levels of two attributes in one profile.
pub fn add_restriction(
    conjoint: &mut Conjoint,
    first: LevelSet,
    second: LevelSet,
) -> Result<(), EditError> {
    let (mut first, mut second) = (first, second);
    if first.attribute == second.attribute || first.levels.is_empty() || second.levels.is_empty() {
        return Err(EditError::BadRestriction);
    }
    for set in [&mut first, &mut second] {
        let attribute = conjoint
            .attributes
            .iter()
            .find(|a| a.name == set.attribute)
            .ok_or(EditError::BadRestriction)?;
        let position = |l: &String| attribute.levels.iter().position(|x| &x.name == l);
        if !set.levels.iter().all(|l| position(l).is_some()) {
            return Err(EditError::BadRestriction);
        }
        // The boxes are ticked in any order; the file keeps the attribute's, as the page shows it.
        set.levels.sort_by_key(|l| position(l));
        set.levels.dedup();
    }
    conjoint.restrictions.push(Restriction {
        exclude: vec![first, second],
    });
    conjoint.tasks.clear();
    Ok(())
}

pub fn remove_restriction(conjoint: &mut Conjoint, index: usize) {
    if index < conjoint.restrictions.len() {
        conjoint.restrictions.remove(index);
        conjoint.tasks.clear();
    }
}

//! The profile space of a conjoint, compiled for fast drawing and checking: level weights as running
//! sums, restrictions as level masks, and the up-front checks that a design is possible at all.

use super::error::DesignError;
use super::sampling::{pick, DesignRng};
use crate::study::{Conjoint, Restriction};

/// Search steps allowed for one feasibility question before giving up on an exact answer (the
/// samplers' attempt caps still prevent hangs then).
const SEARCH_BUDGET: u64 = 2_000_000;

/// One clause of a restriction: the profile's level of `attribute` is one of the masked levels.
#[derive(Clone, Debug)]
pub struct Clause {
    pub attribute: usize,
    pub mask: Vec<bool>,
}

/// A restriction: a profile matching every clause is excluded.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Position in `conjoint.restrictions`.
    pub index: usize,
    pub clauses: Vec<Clause>,
}

impl Rule {
    pub fn matches(&self, profile: &[u32]) -> bool {
        self.clauses.iter().all(|c| {
            c.mask
                .get(profile[c.attribute] as usize)
                .copied()
                .unwrap_or(false)
        })
    }

    /// The study-file path of the rule, for messages.
    pub fn path(&self) -> String {
        format!("conjoint.restrictions[{}]", self.index)
    }
}

#[derive(Clone, Debug)]
pub struct Space {
    pub names: Vec<String>,
    pub level_names: Vec<Vec<String>>,
    pub weights: Vec<Vec<f64>>,
    cumulative: Vec<Vec<f64>>,
    pub rules: Vec<Rule>,
    /// For attribute a, the rules whose last clause attribute is a: they can be decided once
    /// attributes 0..=a are assigned (used by the depth-first searches).
    closing: Vec<Vec<usize>>,
}

/// What a bounded search found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// This many allowed profiles (the search stopped at the number wanted or ran out).
    Exactly(usize),
    /// The budget ran out first; at least this many were found.
    AtLeast(usize),
}

impl Space {
    /// Compiles a conjoint, checking weights and that every restriction names real levels.
    pub fn compile(conjoint: &crate::study::Conjoint) -> Result<Self, DesignError> {
        if conjoint.attributes.is_empty() {
            return Err(DesignError::NoAttributes);
        }
        let mut space = Space {
            names: Vec::new(),
            level_names: Vec::new(),
            weights: Vec::new(),
            cumulative: Vec::new(),
            rules: Vec::new(),
            closing: vec![Vec::new(); conjoint.attributes.len()],
        };
        for attribute in &conjoint.attributes {
            if attribute.levels.is_empty() {
                return Err(DesignError::NoLevels {
                    attribute: attribute.name.clone(),
                });
            }
            let mut running = 0.0;
            let mut cumulative = Vec::with_capacity(attribute.levels.len());
            for level in &attribute.levels {
                if !(level.weight.is_finite() && level.weight >= 0.0) {
                    return Err(DesignError::BadWeight {
                        attribute: attribute.name.clone(),
                        level: level.name.clone(),
                        weight: level.weight,
                    });
                }
                running += level.weight;
                cumulative.push(running);
            }
            if !(running > 0.0 && running.is_finite()) {
                return Err(DesignError::ZeroWeights {
                    attribute: attribute.name.clone(),
                });
            }
            space.names.push(attribute.name.clone());
            space
                .level_names
                .push(attribute.levels.iter().map(|l| l.name.clone()).collect());
            space
                .weights
                .push(attribute.levels.iter().map(|l| l.weight).collect());
            space.cumulative.push(cumulative);
        }
        for (index, restriction) in conjoint.restrictions.iter().enumerate() {
            let rule_path = format!("conjoint.restrictions[{index}]");
            let mut clauses = Vec::new();
            for set in &restriction.exclude {
                let a = space.attribute(&set.attribute).ok_or_else(|| {
                    DesignError::UnknownAttribute {
                        rule: rule_path.clone(),
                        attribute: set.attribute.clone(),
                    }
                })?;
                let mut mask = vec![false; space.level_names[a].len()];
                for level in &set.levels {
                    let l = space.level_names[a]
                        .iter()
                        .position(|n| n == level)
                        .ok_or_else(|| DesignError::UnknownLevel {
                            rule: rule_path.clone(),
                            attribute: set.attribute.clone(),
                            level: level.clone(),
                        })?;
                    mask[l] = true;
                }
                clauses.push(Clause { attribute: a, mask });
            }
            // A restriction without clauses would exclude everything; validation refuses it, and
            // here it is simply ignored rather than blocking the design.
            if let Some(last) = clauses.iter().map(|c| c.attribute).max() {
                space.closing[last].push(space.rules.len());
                space.rules.push(Rule { index, clauses });
            }
        }
        Ok(space)
    }

    pub fn attribute(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn attributes(&self) -> usize {
        self.names.len()
    }

    pub fn levels(&self, attribute: usize) -> usize {
        self.level_names[attribute].len()
    }

    /// Whether a level can be drawn at all (positive weight).
    pub fn drawable(&self, attribute: usize, level: usize) -> bool {
        self.weights[attribute][level] > 0.0
    }

    /// Draws every attribute's level independently by weight (restrictions not applied).
    pub fn draw(&self, rng: &mut DesignRng, profile: &mut [u32]) {
        for (slot, cumulative) in profile.iter_mut().zip(&self.cumulative) {
            *slot = pick(rng, cumulative);
        }
    }

    pub fn allows(&self, profile: &[u32]) -> bool {
        !self.rules.iter().any(|r| r.matches(profile))
    }

    /// Whether the rules that close at `attribute` allow a profile whose attributes 0..=attribute
    /// are assigned.
    pub fn allows_prefix(&self, profile: &[u32], attribute: usize) -> bool {
        !self.closing[attribute]
            .iter()
            .any(|&r| self.rules[r].matches(profile))
    }

    /// A readable form of a rule: `Job ∈ {doctor} with Education ∈ {no formal}`, the same text as
    /// [`describe_restriction`] gives for the restriction it was compiled from.
    pub fn describe(&self, rule: &Rule) -> String {
        let parts: Vec<String> = rule
            .clauses
            .iter()
            .map(|c| {
                let levels = c
                    .mask
                    .iter()
                    .enumerate()
                    .filter(|(_, &on)| on)
                    .map(|(l, _)| self.level_names[c.attribute][l].as_str());
                clause_text(&self.names[c.attribute], levels)
            })
            .collect();
        parts.join(" with ")
    }

    /// Counts allowed profiles of drawable levels, up to `wanted`, optionally with one attribute
    /// fixed to a level. Depth-first over attributes, pruning as soon as a rule is decided.
    pub fn count_allowed(&self, fixed: Option<(usize, u32)>, wanted: usize) -> Found {
        let mut profile = vec![0u32; self.attributes()];
        let mut state = Search {
            space: self,
            fixed,
            wanted,
            found: 0,
            steps: 0,
        };
        let complete = state.descend(&mut profile, 0);
        if complete || state.found >= wanted {
            Found::Exactly(state.found)
        } else {
            Found::AtLeast(state.found)
        }
    }

    /// Refuses specifications no design can meet: every profile excluded, a drawable level that
    /// can never be shown, or fewer distinct profiles than a task needs.
    pub fn check_feasible(&self, distinct_per_task: usize) -> Result<(), DesignError> {
        if self.count_allowed(None, 1) == Found::Exactly(0) {
            return Err(self.explain_empty());
        }
        for a in 0..self.attributes() {
            let restricted = self
                .rules
                .iter()
                .any(|r| r.clauses.iter().any(|c| c.attribute == a));
            if !restricted {
                continue;
            }
            for l in 0..self.levels(a) {
                if self.drawable(a, l)
                    && self.count_allowed(Some((a, l as u32)), 1) == Found::Exactly(0)
                {
                    return Err(DesignError::LevelExcluded {
                        attribute: self.names[a].clone(),
                        level: self.level_names[a][l].clone(),
                        rules: self.rules_mentioning(a, l),
                    });
                }
            }
        }
        if distinct_per_task > 1 {
            if let Found::Exactly(available) = self.count_allowed(None, distinct_per_task) {
                if available < distinct_per_task {
                    return Err(DesignError::TooFewDistinctProfiles {
                        needed: distinct_per_task,
                        available,
                    });
                }
            }
        }
        Ok(())
    }

    fn explain_empty(&self) -> DesignError {
        // A single rule whose clauses cover every drawable level of their attributes is the culprit.
        for rule in &self.rules {
            let covers_all = rule.clauses.iter().all(|c| {
                (0..self.levels(c.attribute)).all(|l| c.mask[l] || !self.drawable(c.attribute, l))
            });
            if covers_all {
                return DesignError::RuleExcludesAll {
                    rule: rule.path(),
                    description: self.describe(rule),
                };
            }
        }
        let paths: Vec<String> = self.rules.iter().map(Rule::path).collect();
        DesignError::AllExcluded {
            rules: paths.join(", "),
        }
    }

    fn rules_mentioning(&self, attribute: usize, level: usize) -> String {
        let paths: Vec<String> = self
            .rules
            .iter()
            .filter(|r| {
                r.clauses
                    .iter()
                    .any(|c| c.attribute == attribute && c.mask[level])
            })
            .map(Rule::path)
            .collect();
        if paths.is_empty() {
            "the restrictions".into()
        } else {
            paths.join(", ")
        }
    }
}

struct Search<'a> {
    space: &'a Space,
    fixed: Option<(usize, u32)>,
    wanted: usize,
    found: usize,
    steps: u64,
}

impl Search<'_> {
    /// Returns false when the budget ran out or enough profiles were found (search cut short).
    fn descend(&mut self, profile: &mut [u32], attribute: usize) -> bool {
        if attribute == profile.len() {
            self.found += 1;
            return self.found < self.wanted;
        }
        for level in 0..self.space.levels(attribute) {
            if let Some((a, l)) = self.fixed {
                if a == attribute && l as usize != level {
                    continue;
                }
            }
            if !self.space.drawable(attribute, level) {
                continue;
            }
            self.steps += 1;
            if self.steps > SEARCH_BUDGET {
                return false;
            }
            profile[attribute] = level as u32;
            if self.space.allows_prefix(profile, attribute) && !self.descend(profile, attribute + 1)
            {
                return false;
            }
        }
        true
    }
}

/// Checks the parts of a conjoint every strategy needs, and compiles its space.
pub fn prepare(conjoint: &Conjoint) -> Result<Space, DesignError> {
    if conjoint.tasks_per_respondent == 0 {
        return Err(DesignError::ZeroTasks);
    }
    if conjoint.profiles_per_task == 0 {
        return Err(DesignError::ZeroProfiles);
    }
    if let Some(repeat) = conjoint.repeated_task {
        if repeat.copy_of < 1 || repeat.copy_of > conjoint.tasks_per_respondent {
            return Err(DesignError::RepeatedTaskOutOfRange {
                copy_of: repeat.copy_of,
                tasks: conjoint.tasks_per_respondent,
            });
        }
    }
    let space = Space::compile(conjoint)?;
    let distinct = if conjoint.randomisation.no_identical_profiles {
        conjoint.profiles_per_task as usize
    } else {
        1
    };
    space.check_feasible(distinct)?;
    Ok(space)
}

/// A restriction as the Design tab lists it: `Job ∈ {Doctor} with Education ∈ {No Formal}`. Each
/// clause's levels come in the attribute's own order, whatever order the file (or the order the
/// boxes were ticked in) gave them, so the list reads like the diagnostics' table of restricted
/// combinations, which is compiled from level masks. Levels the attribute lacks (a file not yet
/// valid) follow in the file's order, so nothing the file says is hidden.
pub fn describe_restriction(conjoint: &Conjoint, restriction: &Restriction) -> String {
    let parts: Vec<String> = restriction
        .exclude
        .iter()
        .map(|set| {
            let known: Vec<&str> = conjoint
                .attributes
                .iter()
                .find(|a| a.name == set.attribute)
                .map(|a| {
                    a.levels
                        .iter()
                        .map(|l| l.name.as_str())
                        .filter(|n| set.levels.iter().any(|x| x == n))
                        .collect()
                })
                .unwrap_or_default();
            let unknown = set
                .levels
                .iter()
                .map(String::as_str)
                .filter(|l| !known.contains(l));
            let mut seen = Vec::new();
            let levels = known.iter().copied().chain(unknown).filter(|l| {
                let first = !seen.contains(l);
                seen.push(*l);
                first
            });
            clause_text(&set.attribute, levels)
        })
        .collect();
    parts.join(" with ")
}

fn clause_text<'a>(attribute: &str, levels: impl Iterator<Item = &'a str>) -> String {
    format!(
        "{attribute} ∈ {{{}}}",
        levels.collect::<Vec<_>>().join(", ")
    )
}

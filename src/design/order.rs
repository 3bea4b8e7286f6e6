//! Attribute display order (fixed, once per respondent, or per task, with groups kept together) and
//! the repeated task that measures intra-respondent reliability.

use super::error::DesignError;
use super::sampling::{shuffle, DesignRng};
use crate::study::{AttributeOrder, Conjoint, DesignedTask, RepeatedTask};

/// Shuffles attributes as units: each order group is one unit, shown in the order the group lists
/// its attributes (as the Conjoint Survey Design Tool does); every other attribute is its own unit.
#[derive(Clone, Debug)]
pub struct Orderer {
    mode: AttributeOrder,
    units: Vec<Vec<u32>>,
}

impl Orderer {
    pub fn new(conjoint: &Conjoint) -> Result<Self, DesignError> {
        let names: Vec<&str> = conjoint
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        let mut group_of = vec![None; names.len()];
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for group in &conjoint.randomisation.order_groups {
            let mut members = Vec::new();
            for name in group {
                let a = names.iter().position(|n| n == name).ok_or_else(|| {
                    DesignError::UnknownGroupAttribute {
                        attribute: name.clone(),
                    }
                })?;
                if group_of[a].is_some() {
                    return Err(DesignError::GroupOverlap {
                        attribute: name.clone(),
                    });
                }
                group_of[a] = Some(groups.len());
                members.push(a as u32);
            }
            groups.push(members);
        }
        // Units appear in attribute order, a group at the place of its first attribute.
        let mut units = Vec::new();
        let mut placed = vec![false; groups.len()];
        for (a, group) in group_of.iter().enumerate() {
            match group {
                None => units.push(vec![a as u32]),
                Some(g) if !placed[*g] => {
                    placed[*g] = true;
                    units.push(groups[*g].clone());
                }
                Some(_) => {}
            }
        }
        Ok(Self {
            mode: conjoint.randomisation.attribute_order,
            units,
        })
    }

    /// The study's own order, used when the order is fixed.
    fn identity(&self) -> Vec<u32> {
        let mut order: Vec<u32> = self.units.iter().flatten().copied().collect();
        order.sort_unstable();
        order
    }

    fn shuffled(&self, rng: &mut DesignRng) -> Vec<u32> {
        let mut units: Vec<&Vec<u32>> = self.units.iter().collect();
        shuffle(rng, &mut units);
        units.into_iter().flatten().copied().collect()
    }

    /// The order drawn once for a respondent (the fixed order unless it is per respondent).
    pub fn for_respondent(&self, rng: &mut DesignRng) -> Vec<u32> {
        match self.mode {
            AttributeOrder::PerRespondent => self.shuffled(rng),
            _ => self.identity(),
        }
    }

    /// The order for one task, given the respondent's order.
    pub fn for_task(&self, respondent_order: &[u32], rng: &mut DesignRng) -> Vec<u32> {
        match self.mode {
            AttributeOrder::PerTask => self.shuffled(rng),
            _ => respondent_order.to_vec(),
        }
    }
}

/// The repeated task appended after a respondent's regular tasks: the same profiles and attribute
/// order as task `copy_of`, with the profile order reversed when `swap_profiles` is set.
pub fn repeat_task(tasks: &[DesignedTask], repeat: RepeatedTask) -> Option<DesignedTask> {
    let original = tasks.iter().find(|t| t.task == repeat.copy_of)?;
    let mut profiles = original.profiles.clone();
    if repeat.swap_profiles {
        profiles.reverse();
    }
    Some(DesignedTask {
        respondent: original.respondent,
        task: tasks.iter().map(|t| t.task).max().unwrap_or(0) + 1,
        attribute_order: original.attribute_order.clone(),
        profiles,
        repeats: Some(repeat.copy_of),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::sampling::stream;
    use crate::study::{Attribute, Level, Randomisation};

    fn conjoint(mode: AttributeOrder, groups: Vec<Vec<&str>>) -> Conjoint {
        let attributes = ["A", "B", "C", "D", "E"]
            .iter()
            .map(|n| Attribute {
                name: (*n).into(),
                levels: vec![
                    Level {
                        name: "x".into(),
                        weight: 1.0,
                        value: None,
                    },
                    Level {
                        name: "y".into(),
                        weight: 1.0,
                        value: None,
                    },
                ],
            })
            .collect();
        Conjoint {
            attributes,
            restrictions: vec![],
            profiles_per_task: 2,
            tasks_per_respondent: 1,
            none_option: false,
            outcome: Default::default(),
            randomisation: Randomisation {
                attribute_order: mode,
                order_groups: groups
                    .into_iter()
                    .map(|g| g.into_iter().map(String::from).collect())
                    .collect(),
                ..Default::default()
            },
            repeated_task: None,
            prompt: String::new(),
            tasks: vec![],
        }
    }

    #[test]
    fn groups_stay_together_in_listed_order() {
        let orderer =
            Orderer::new(&conjoint(AttributeOrder::PerTask, vec![vec!["D", "B"]])).unwrap();
        let mut rng = stream(3, 0);
        for _ in 0..200 {
            let order = orderer.for_task(&[], &mut rng);
            let d = order.iter().position(|&a| a == 3).unwrap();
            assert_eq!(order[d + 1], 1, "{order:?}");
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
        }
    }

    #[test]
    fn fixed_order_is_the_study_order() {
        let orderer = Orderer::new(&conjoint(AttributeOrder::Fixed, vec![vec!["E", "A"]])).unwrap();
        let mut rng = stream(3, 0);
        assert_eq!(orderer.for_respondent(&mut rng), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn bad_groups_are_named() {
        let err =
            Orderer::new(&conjoint(AttributeOrder::PerTask, vec![vec!["A", "Z"]])).unwrap_err();
        assert!(err.to_string().contains("\"Z\""));
        let err = Orderer::new(&conjoint(
            AttributeOrder::PerTask,
            vec![vec!["A"], vec!["A"]],
        ))
        .unwrap_err();
        assert!(matches!(err, DesignError::GroupOverlap { .. }));
    }
}

//! Balanced, minimal-overlap randomisation: each profile takes, attribute by attribute, the level
//! least used so far (relative to its weight), preferring levels not yet in the task, with random
//! tie-breaks. A depth-first search backs out of choices a restriction forbids, so the greedy
//! choice never produces a restricted profile.

use super::error::DesignError;
use super::sampling::DesignRng;
use super::space::Space;
use super::TaskSource;
use rand::RngCore;

/// Search steps per profile before giving up (the up-front checks make this practically unreachable).
const STEP_BUDGET: u64 = 1_000_000;

pub struct BalancedSource<'a> {
    space: &'a Space,
    profiles: usize,
    distinct: bool,
    /// Level uses across the whole design so far.
    used: Vec<Vec<u64>>,
}

struct Fill<'s> {
    space: &'s Space,
    used: &'s [Vec<u64>],
    in_task: &'s [Vec<u32>],
    earlier: &'s [Vec<u32>],
    distinct: bool,
    steps: u64,
}

impl<'a> BalancedSource<'a> {
    pub fn new(space: &'a Space, profiles: usize, distinct: bool) -> Self {
        let used = (0..space.attributes())
            .map(|a| vec![0; space.levels(a)])
            .collect();
        Self {
            space,
            profiles,
            distinct,
            used,
        }
    }
}

impl Fill<'_> {
    fn descend(&mut self, profile: &mut [u32], a: usize, rng: &mut DesignRng) -> bool {
        if a == profile.len() {
            return !(self.distinct && self.earlier.iter().any(|p| p == profile));
        }
        let mut candidates: Vec<(u32, f64, u32, u32)> = (0..self.space.levels(a))
            .filter(|&l| self.space.drawable(a, l))
            .map(|l| {
                let share = self.used[a][l] as f64 / self.space.weights[a][l];
                (self.in_task[a][l], share, rng.next_u32(), l as u32)
            })
            .collect();
        candidates.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.cmp(&y.2)));
        for (_, _, _, level) in candidates {
            self.steps += 1;
            if self.steps > STEP_BUDGET {
                return false;
            }
            profile[a] = level;
            if self.space.allows_prefix(profile, a) && self.descend(profile, a + 1, rng) {
                return true;
            }
        }
        false
    }
}

impl TaskSource for BalancedSource<'_> {
    fn task(
        &mut self,
        respondent: u32,
        task: u32,
        rng: &mut DesignRng,
    ) -> Result<Vec<Vec<u32>>, DesignError> {
        let attributes = self.space.attributes();
        let mut in_task: Vec<Vec<u32>> = (0..attributes)
            .map(|a| vec![0; self.space.levels(a)])
            .collect();
        let mut profiles: Vec<Vec<u32>> = Vec::with_capacity(self.profiles);
        for _ in 0..self.profiles {
            let mut profile = vec![0u32; attributes];
            let mut fill = Fill {
                space: self.space,
                used: &self.used,
                in_task: &in_task,
                earlier: &profiles,
                distinct: self.distinct,
                steps: 0,
            };
            if !fill.descend(&mut profile, 0, rng) {
                return Err(DesignError::SamplingStuck {
                    respondent,
                    task,
                    attempts: STEP_BUDGET as u32,
                });
            }
            for (a, &level) in profile.iter().enumerate() {
                self.used[a][level as usize] += 1;
                in_task[a][level as usize] += 1;
            }
            profiles.push(profile);
        }
        Ok(profiles)
    }
}

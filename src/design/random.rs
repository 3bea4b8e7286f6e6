//! Fully randomised profiles: every attribute drawn independently by its weights, a profile that
//! breaks a restriction redrawn whole (so the design follows the weights conditional on the
//! restrictions, as the Conjoint Survey Design Tool does).

use super::error::DesignError;
use super::sampling::{pick, DesignRng};
use super::space::Space;
use super::TaskSource;

/// Draws per profile before giving up. The up-front checks guarantee an allowed profile exists, so
/// this is only reached when the allowed share is tiny (about 1 in 100,000 or less).
pub const MAX_DRAWS: u32 = 200_000;

/// Whole-task redraws tried for minimal overlap before falling back to independent profiles.
const SPREAD_ATTEMPTS: u32 = 200;

pub struct RandomSource<'a> {
    space: &'a Space,
    profiles: usize,
    distinct: bool,
    minimal_overlap: bool,
}

impl<'a> RandomSource<'a> {
    pub fn new(space: &'a Space, profiles: usize, distinct: bool, minimal_overlap: bool) -> Self {
        Self {
            space,
            profiles,
            distinct,
            minimal_overlap,
        }
    }

    /// Levels drawn by weight without replacement within the task, so profiles differ on as many
    /// attributes as the levels allow. `None` when no allowed task turned up.
    fn spread_task(&self, rng: &mut DesignRng) -> Option<Vec<Vec<u32>>> {
        let attributes = self.space.attributes();
        let mut profiles = vec![vec![0u32; attributes]; self.profiles];
        let mut cumulative = Vec::new();
        for _ in 0..SPREAD_ATTEMPTS {
            for a in 0..attributes {
                let mut remaining = self.space.weights[a].clone();
                for profile in profiles.iter_mut() {
                    if remaining.iter().all(|&w| w <= 0.0) {
                        remaining.clone_from(&self.space.weights[a]);
                    }
                    cumulative.clear();
                    let mut running = 0.0;
                    for &w in &remaining {
                        running += w;
                        cumulative.push(running);
                    }
                    let level = pick(rng, &cumulative);
                    remaining[level as usize] = 0.0;
                    profile[a] = level;
                }
            }
            let allowed = profiles.iter().all(|p| self.space.allows(p));
            if allowed && (!self.distinct || all_distinct(&profiles)) {
                return Some(profiles);
            }
        }
        None
    }
}

fn all_distinct(profiles: &[Vec<u32>]) -> bool {
    profiles
        .iter()
        .enumerate()
        .all(|(i, p)| !profiles[..i].contains(p))
}

/// One allowed profile, different from `earlier` when `distinct` is set.
pub fn draw_profile(
    space: &Space,
    rng: &mut DesignRng,
    earlier: &[Vec<u32>],
    distinct: bool,
) -> Option<Vec<u32>> {
    let mut profile = vec![0u32; space.attributes()];
    for _ in 0..MAX_DRAWS {
        space.draw(rng, &mut profile);
        if space.allows(&profile) && !(distinct && earlier.contains(&profile)) {
            return Some(profile);
        }
    }
    None
}

impl TaskSource for RandomSource<'_> {
    fn task(
        &mut self,
        respondent: u32,
        task: u32,
        rng: &mut DesignRng,
    ) -> Result<Vec<Vec<u32>>, DesignError> {
        if self.minimal_overlap {
            if let Some(profiles) = self.spread_task(rng) {
                return Ok(profiles);
            }
        }
        let mut profiles = Vec::with_capacity(self.profiles);
        for _ in 0..self.profiles {
            let profile = draw_profile(self.space, rng, &profiles, self.distinct).ok_or(
                DesignError::SamplingStuck {
                    respondent,
                    task,
                    attempts: MAX_DRAWS,
                },
            )?;
            profiles.push(profile);
        }
        Ok(profiles)
    }
}

//! Power by simulation for the actual design: choices are simulated with a known AMCE for one
//! level, the AMCE is re-estimated (difference in choice rates against the baseline, standard
//! errors clustered by respondent, as cregg does), and power is the share of significant
//! estimates, for each number of respondents in a grid.
//!
//! Choice model: in a task with J profiles, profile j is chosen with probability
//! 1/J + c·(d_j − mean d), where d_j marks the target level and c = AMCE·J/(J − 1), which makes the
//! AMCE of the target level against the baseline exactly the stated value.

use serde::{Deserialize, Serialize};

use super::numeric::norm_quantile;
use super::power::PowerError;
use super::sampling::{stream, unit};
use super::{generate_with, Options};
use crate::study::Conjoint;

/// Stream ids for simulated choices, apart from the design's respondent streams.
const OUTCOME_STREAM: u64 = 1 << 48;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerSimulation {
    pub attribute: String,
    pub level: String,
    pub amce: f64,
    /// Numbers of respondents to evaluate.
    pub respondents: Vec<u32>,
    pub replications: u32,
    pub alpha: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerPoint {
    pub respondents: u32,
    pub power: f64,
    /// Mean estimated AMCE over replications (close to the true AMCE when the design is sound).
    pub mean_estimate: f64,
    pub mean_std_error: f64,
}

/// Simulates power over the respondent grid with the design `options` describes (its seed also
/// seeds the simulated choices).
pub fn simulate_power(
    conjoint: &Conjoint,
    options: &Options,
    simulation: &PowerSimulation,
) -> Result<Vec<PowerPoint>, PowerError> {
    let attribute = conjoint
        .attributes
        .iter()
        .position(|a| a.name == simulation.attribute)
        .ok_or_else(|| PowerError::UnknownAttribute(simulation.attribute.clone()))?;
    let target = conjoint.attributes[attribute]
        .levels
        .iter()
        .position(|l| l.name == simulation.level)
        .ok_or_else(|| PowerError::UnknownLevel {
            attribute: simulation.attribute.clone(),
            level: simulation.level.clone(),
        })? as u32;
    if target == 0 {
        return Err(PowerError::BaselineLevel {
            attribute: simulation.attribute.clone(),
            level: simulation.level.clone(),
        });
    }
    if !(simulation.alpha > 0.0 && simulation.alpha < 1.0) {
        return Err(PowerError::BadAlpha(simulation.alpha));
    }
    if simulation.replications == 0 {
        return Err(PowerError::ZeroReplications);
    }
    let largest = simulation
        .respondents
        .iter()
        .copied()
        .max()
        .ok_or(PowerError::NoSampleSizes)?;
    let profiles = conjoint.profiles_per_task.max(2) as f64;
    let slope = simulation.amce * profiles / (profiles - 1.0);
    if !(simulation.amce.is_finite() && slope.abs() <= 1.0) {
        return Err(PowerError::BadAmce(simulation.amce));
    }
    let design = generate_with(
        conjoint,
        &Options {
            respondents: largest,
            ..options.clone()
        },
    )?;
    let tasks: Vec<_> = design
        .tasks
        .iter()
        .filter(|t| t.repeats.is_none())
        .collect();
    let critical = norm_quantile(1.0 - simulation.alpha / 2.0);
    let mut grid: Vec<u32> = simulation.respondents.clone();
    grid.sort_unstable();
    grid.dedup();
    let mut significant = vec![0u32; grid.len()];
    let mut estimates = vec![0.0; grid.len()];
    let mut errors = vec![0.0; grid.len()];
    let mut chosen: Vec<Vec<bool>> = Vec::with_capacity(tasks.len());
    let mut probabilities = Vec::new();
    for replication in 0..simulation.replications {
        let mut rng = stream(options.seed, OUTCOME_STREAM + u64::from(replication));
        chosen.clear();
        for task in &tasks {
            let marks: Vec<f64> = task
                .profiles
                .iter()
                .map(|p| f64::from(u8::from(p.get(attribute) == Some(&target))))
                .collect();
            let mean = marks.iter().sum::<f64>() / marks.len() as f64;
            probabilities.clear();
            let mut total = 0.0;
            for d in &marks {
                let p = (1.0 / marks.len() as f64 + slope * (d - mean)).clamp(0.0, 1.0);
                total += p;
                probabilities.push(total);
            }
            let u = unit(&mut rng) * total;
            let pick = probabilities
                .iter()
                .position(|&c| u < c)
                .unwrap_or(marks.len() - 1);
            chosen.push((0..marks.len()).map(|j| j == pick).collect());
        }
        for (g, &respondents) in grid.iter().enumerate() {
            if let Some((estimate, se)) = estimate(&tasks, &chosen, attribute, target, respondents)
            {
                estimates[g] += estimate;
                errors[g] += se;
                significant[g] += u32::from((estimate / se).abs() > critical);
            }
        }
    }
    let r = f64::from(simulation.replications);
    Ok(grid
        .iter()
        .enumerate()
        .map(|(g, &respondents)| PowerPoint {
            respondents,
            power: f64::from(significant[g]) / r,
            mean_estimate: estimates[g] / r,
            mean_std_error: errors[g] / r,
        })
        .collect())
}

/// Difference in choice rates between the target level and the baseline among the first
/// `respondents` respondents, with a standard error clustered by respondent (factor G/(G−1)).
fn estimate(
    tasks: &[&crate::study::DesignedTask],
    chosen: &[Vec<bool>],
    attribute: usize,
    target: u32,
    respondents: u32,
) -> Option<(f64, f64)> {
    // Per respondent: (chosen, shown) for the target level and for the baseline.
    let mut clusters: Vec<[f64; 4]> = vec![[0.0; 4]; respondents as usize];
    for (task, choices) in tasks.iter().zip(chosen) {
        if task.respondent == 0 || task.respondent > respondents {
            continue;
        }
        let cluster = &mut clusters[task.respondent as usize - 1];
        for (profile, &y) in task.profiles.iter().zip(choices) {
            let y = f64::from(u8::from(y));
            match profile.get(attribute) {
                Some(&l) if l == target => {
                    cluster[0] += y;
                    cluster[1] += 1.0;
                }
                Some(0) => {
                    cluster[2] += y;
                    cluster[3] += 1.0;
                }
                _ => {}
            }
        }
    }
    let sum = |i: usize| clusters.iter().map(|c| c[i]).sum::<f64>();
    let (n1, n0) = (sum(1), sum(3));
    if n1 == 0.0 || n0 == 0.0 || clusters.len() < 2 {
        return None;
    }
    let (mean1, mean0) = (sum(0) / n1, sum(2) / n0);
    let g = clusters.len() as f64;
    let variance: f64 = clusters
        .iter()
        .map(|c| {
            let score = (c[0] - c[1] * mean1) / n1 - (c[2] - c[3] * mean0) / n0;
            score * score
        })
        .sum::<f64>()
        * g
        / (g - 1.0);
    let se = variance.sqrt();
    (se > 0.0).then_some((mean1 - mean0, se))
}

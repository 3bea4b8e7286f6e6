//! What a researcher checks before fielding: how often each level appears and how far that is from
//! the weights, joint frequencies of attribute pairs (restricted cells must be exactly zero),
//! overlap within tasks, and the D-error of the design.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::error::DesignError;
use super::mnl::{design_d_error, Coding};
use super::space::Space;
use crate::study::{Conjoint, DesignedTask};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    pub respondents: usize,
    /// Choice tasks, not counting repeated tasks (which copy earlier ones).
    pub tasks: usize,
    pub profiles: usize,
    pub levels: Vec<LevelFrequency>,
    pub balance: Vec<AttributeBalance>,
    pub pairs: Vec<PairTable>,
    pub restricted: Vec<RestrictedCells>,
    /// Pair cells no restriction forbids that never occurred (a sign of too few respondents or
    /// of restrictions acting indirectly).
    pub empty_unrestricted_cells: u64,
    pub overlap: Vec<AttributeOverlap>,
    /// D-error of the whole design for a multinomial logit at zero part-worths; `None` when some
    /// parameter cannot be estimated from the design.
    pub d_error: Option<f64>,
    /// The D-error times the number of choice sets: comparable across design sizes.
    pub d_error_per_set: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelFrequency {
    pub attribute: String,
    pub level: String,
    pub count: u64,
    pub share: f64,
    /// The share the weights ask for (before restrictions).
    pub target: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeBalance {
    pub attribute: String,
    pub min_count: u64,
    pub max_count: u64,
    /// Pearson's chi-square of the counts against the weight shares.
    pub chi_square: f64,
    pub degrees_of_freedom: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairTable {
    pub first: String,
    pub second: String,
    /// `counts[i][j]`: profiles with level i of `first` and level j of `second`.
    pub counts: Vec<Vec<u64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestrictedCells {
    /// The rule's path in the study file.
    pub rule: String,
    pub description: String,
    /// Level combinations the rule forbids.
    pub cells: u64,
    /// Profiles in the design that fall in them: must be 0.
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeOverlap {
    pub attribute: String,
    /// Mean number of distinct levels of the attribute within a task.
    pub mean_distinct: f64,
    /// Share of tasks in which every profile has the same level.
    pub all_same: f64,
}

/// Computes the diagnostics of a design (repeated tasks are left out, since they copy others).
pub fn diagnose(conjoint: &Conjoint, tasks: &[DesignedTask]) -> Result<Diagnostics, DesignError> {
    let space = Space::compile(conjoint)?;
    let attributes = space.attributes();
    let regular: Vec<&DesignedTask> = tasks.iter().filter(|t| t.repeats.is_none()).collect();
    for task in &regular {
        for profile in &task.profiles {
            if profile.len() != attributes {
                return Err(DesignError::malformed(
                    task,
                    format!(
                        "a profile has {} levels for {attributes} attributes",
                        profile.len()
                    ),
                ));
            }
            for (a, &l) in profile.iter().enumerate() {
                if l as usize >= space.levels(a) {
                    return Err(DesignError::malformed(
                        task,
                        format!(
                            "level index {l} but {:?} has {} levels",
                            space.names[a],
                            space.levels(a)
                        ),
                    ));
                }
            }
        }
    }
    let mut counts: Vec<Vec<u64>> = (0..attributes).map(|a| vec![0; space.levels(a)]).collect();
    let mut pairs: Vec<PairTable> = Vec::new();
    for a in 0..attributes {
        for b in a + 1..attributes {
            pairs.push(PairTable {
                first: space.names[a].clone(),
                second: space.names[b].clone(),
                counts: vec![vec![0; space.levels(b)]; space.levels(a)],
            });
        }
    }
    let mut restricted: Vec<RestrictedCells> = space
        .rules
        .iter()
        .map(|rule| RestrictedCells {
            rule: rule.path(),
            description: space.describe(rule),
            cells: rule
                .clauses
                .iter()
                .map(|c| c.mask.iter().filter(|&&on| on).count() as u64)
                .product(),
            count: 0,
        })
        .collect();
    let mut distinct_sum = vec![0u64; attributes];
    let mut all_same = vec![0u64; attributes];
    let mut profiles = 0usize;
    for task in &regular {
        for profile in &task.profiles {
            profiles += 1;
            let mut pair = 0;
            for a in 0..attributes {
                counts[a][profile[a] as usize] += 1;
                for b in a + 1..attributes {
                    pairs[pair].counts[profile[a] as usize][profile[b] as usize] += 1;
                    pair += 1;
                }
            }
            for (cells, rule) in restricted.iter_mut().zip(&space.rules) {
                if rule.matches(profile) {
                    cells.count += 1;
                }
            }
        }
        for a in 0..attributes {
            let mut seen: Vec<u32> = task.profiles.iter().map(|p| p[a]).collect();
            seen.sort_unstable();
            seen.dedup();
            distinct_sum[a] += seen.len() as u64;
            all_same[a] += u64::from(seen.len() == 1);
        }
    }
    let mut levels = Vec::new();
    let mut balance = Vec::new();
    for (a, counts) in counts.iter().enumerate() {
        let total_weight: f64 = space.weights[a].iter().sum();
        let mut chi_square = 0.0;
        let mut positive = 0;
        for (l, &count) in counts.iter().enumerate() {
            let target = space.weights[a][l] / total_weight;
            let expected = target * profiles as f64;
            if expected > 0.0 {
                chi_square += (count as f64 - expected).powi(2) / expected;
                positive += 1;
            }
            levels.push(LevelFrequency {
                attribute: space.names[a].clone(),
                level: space.level_names[a][l].clone(),
                count,
                share: if profiles > 0 {
                    count as f64 / profiles as f64
                } else {
                    0.0
                },
                target,
            });
        }
        balance.push(AttributeBalance {
            attribute: space.names[a].clone(),
            min_count: counts.iter().copied().min().unwrap_or(0),
            max_count: counts.iter().copied().max().unwrap_or(0),
            chi_square,
            degrees_of_freedom: positive.max(1) - 1,
        });
    }
    let empty_unrestricted_cells = count_empty_unrestricted(&space, &pairs);
    let overlap = (0..attributes)
        .map(|a| AttributeOverlap {
            attribute: space.names[a].clone(),
            mean_distinct: ratio(distinct_sum[a], regular.len()),
            all_same: ratio(all_same[a], regular.len()),
        })
        .collect();
    let coding = Coding::new((0..attributes).map(|a| space.levels(a)));
    let zero = vec![0.0; coding.parameters];
    let d_error = design_d_error(
        &coding,
        regular.iter().map(|t| t.profiles.as_slice()),
        &zero,
    );
    Ok(Diagnostics {
        respondents: {
            let mut ids: Vec<u32> = regular.iter().map(|t| t.respondent).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        },
        tasks: regular.len(),
        profiles,
        levels,
        balance,
        pairs,
        restricted,
        empty_unrestricted_cells,
        overlap,
        d_error,
        d_error_per_set: d_error.map(|d| d * regular.len() as f64),
    })
}

fn ratio(count: u64, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        count as f64 / of as f64
    }
}

/// Empty pair cells whose two levels are drawable and that no two-attribute rule forbids.
fn count_empty_unrestricted(space: &Space, pairs: &[PairTable]) -> u64 {
    let mut empty = 0;
    let mut pair = 0;
    for a in 0..space.attributes() {
        for b in a + 1..space.attributes() {
            for (i, row) in pairs[pair].counts.iter().enumerate() {
                for (j, &count) in row.iter().enumerate() {
                    if count > 0 || !space.drawable(a, i) || !space.drawable(b, j) {
                        continue;
                    }
                    let forbidden = space.rules.iter().any(|rule| {
                        rule.clauses.len() == 2
                            && rule.clauses.iter().any(|c| c.attribute == a && c.mask[i])
                            && rule.clauses.iter().any(|c| c.attribute == b && c.mask[j])
                    });
                    empty += u64::from(!forbidden);
                }
            }
            pair += 1;
        }
    }
    empty
}

impl Diagnostics {
    /// A plain-text report for the terminal; `pairs` adds every joint-frequency table.
    pub fn to_text(&self, pairs: bool) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "design: {} respondents, {} tasks, {} profiles",
            self.respondents, self.tasks, self.profiles
        );
        let _ = writeln!(
            out,
            "\nlevel frequencies (count, share, target share from weights):"
        );
        let mut current = "";
        for level in &self.levels {
            if level.attribute != current {
                current = &level.attribute;
                let _ = writeln!(out, "  {current}");
            }
            let _ = writeln!(
                out,
                "    {:<32} {:>8}  {:>6.3}  {:>6.3}",
                level.level, level.count, level.share, level.target
            );
        }
        let _ = writeln!(
            out,
            "\nbalance (min..max count, chi-square vs weights, df):"
        );
        for b in &self.balance {
            let _ = writeln!(
                out,
                "  {:<32} {}..{}  chi2 = {:.2}  df = {}",
                b.attribute, b.min_count, b.max_count, b.chi_square, b.degrees_of_freedom
            );
        }
        let total: u64 = self.restricted.iter().map(|r| r.cells).sum();
        let realised: u64 = self.restricted.iter().map(|r| r.count).sum();
        let _ = writeln!(
            out,
            "\nrestricted cells: {} rules, {} cells, {} profiles in them{}",
            self.restricted.len(),
            total,
            realised,
            if realised == 0 {
                " (ok)"
            } else {
                " (VIOLATED)"
            }
        );
        for r in &self.restricted {
            let _ = writeln!(out, "  {}: {} → {}", r.rule, r.description, r.count);
        }
        let _ = writeln!(
            out,
            "empty unrestricted pair cells: {}",
            self.empty_unrestricted_cells
        );
        let _ = writeln!(
            out,
            "\noverlap (mean distinct levels per task, share of tasks all the same):"
        );
        for o in &self.overlap {
            let _ = writeln!(
                out,
                "  {:<32} {:.3}  {:.3}",
                o.attribute, o.mean_distinct, o.all_same
            );
        }
        match self.d_error {
            Some(d) => {
                let _ = writeln!(
                    out,
                    "\nD-error (MNL, zero priors): {d:.6e}; per choice set: {:.6}",
                    self.d_error_per_set.unwrap_or(f64::NAN)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "\nD-error: not defined (the design cannot estimate every level's effect)"
                );
            }
        }
        if pairs {
            for table in &self.pairs {
                let _ = writeln!(out, "\n{} × {}:", table.first, table.second);
                for row in &table.counts {
                    let cells: Vec<String> = row.iter().map(u64::to_string).collect();
                    let _ = writeln!(out, "  {}", cells.join(" "));
                }
            }
        }
        out
    }
}

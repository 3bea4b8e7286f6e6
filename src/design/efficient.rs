//! D-efficient fixed designs for the multinomial logit, found by coordinate exchange (Meyer and
//! Nachtsheim 1995): change one attribute of one alternative at a time to the level that lowers
//! the (Bayesian) D-error most, sweep until a whole pass improves nothing, and keep the best of
//! several random starts. With prior standard deviations the objective is the mean D-error over
//! draws from the prior (Bayesian D-error); without them, the D-error at the prior means.

use super::error::DesignError;
use super::mnl::{add_set_information, d_error, Coding, Scratch};
use super::numeric::norm_quantile;
use super::random::draw_profile;
use super::sampling::{stream, DesignRng};
use super::space::Space;
use rand::RngCore;

/// Stream ids for the search, far from the respondent streams (1, 2, 3 …).
const SEARCH_STREAM: u64 = 1 << 40;
const PRIOR_STREAM: u64 = (1 << 40) - 1;

/// A tiny ridge keeps the objective finite (and the search moving) while a start's design is
/// still singular; the reported D-error is computed without it.
const RIDGE: f64 = 1e-7;

/// How hard the search works. The defaults meet the benchmark target (within 1% of the best of
/// many long runs) for designs of the size researchers field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EfficientSettings {
    /// Random starting designs; the best result is kept.
    pub starts: u32,
    /// Draws from the prior for the Bayesian D-error (used when prior standard deviations are given).
    pub prior_draws: u32,
    /// Upper bound on full sweeps per start (each sweep stops early once nothing improves).
    pub max_passes: u32,
}

impl Default for EfficientSettings {
    fn default() -> Self {
        Self {
            starts: 4,
            prior_draws: 100,
            max_passes: 30,
        }
    }
}

/// The specification of a D-efficient design.
#[derive(Clone, Debug, PartialEq)]
pub struct EfficientSpec {
    pub choice_sets: u32,
    pub alternatives: u32,
    /// One per parameter; empty means zero.
    pub prior_means: Vec<f64>,
    /// One per parameter; empty means a fixed prior (no draws).
    pub prior_sds: Vec<f64>,
    /// Whether profiles in a choice set must differ.
    pub distinct: bool,
}

/// A fixed design: `sets[s][j]` is alternative j of choice set s, as level indices.
#[derive(Clone, Debug, PartialEq)]
pub struct EfficientDesign {
    pub sets: Vec<Vec<Vec<u32>>>,
    /// The (Bayesian) D-error the search minimised.
    pub d_error: f64,
}

/// The parameter vectors the D-error is averaged over.
pub fn prior_draws(
    parameters: usize,
    spec: &EfficientSpec,
    count: u32,
    seed: u64,
) -> Result<Vec<Vec<f64>>, DesignError> {
    for (field, values) in [
        ("prior_means", &spec.prior_means),
        ("prior_sds", &spec.prior_sds),
    ] {
        if !values.is_empty() && values.len() != parameters {
            return Err(DesignError::PriorLength {
                field,
                given: values.len(),
                expected: parameters,
            });
        }
        if let Some((index, &value)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite() || (field == "prior_sds" && **v < 0.0))
        {
            return Err(DesignError::BadPrior {
                field,
                index,
                value,
            });
        }
    }
    let means = if spec.prior_means.is_empty() {
        vec![0.0; parameters]
    } else {
        spec.prior_means.clone()
    };
    if spec.prior_sds.iter().all(|&s| s == 0.0) || count == 0 {
        return Ok(vec![means]);
    }
    let mut rng = stream(seed, PRIOR_STREAM);
    Ok((0..count)
        .map(|_| {
            means
                .iter()
                .zip(&spec.prior_sds)
                .map(|(m, s)| {
                    // (k + ½)/2^53 is never 0 or 1, so the quantile is finite.
                    let u = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                    m + s * norm_quantile(u)
                })
                .collect()
        })
        .collect())
}

/// Searches for the design with the lowest (Bayesian) D-error.
pub fn search(
    space: &Space,
    spec: &EfficientSpec,
    settings: EfficientSettings,
    seed: u64,
) -> Result<EfficientDesign, DesignError> {
    let coding = Coding::new((0..space.attributes()).map(|a| space.levels(a)));
    let k = coding.parameters;
    let needed = if spec.alternatives >= 2 {
        (k as u32).div_ceil(spec.alternatives - 1)
    } else {
        u32::MAX
    };
    if spec.choice_sets == 0 {
        return Err(DesignError::ZeroChoiceSets);
    }
    if k == 0 || spec.choice_sets < needed {
        return Err(DesignError::NotIdentified {
            choice_sets: spec.choice_sets,
            alternatives: spec.alternatives,
            parameters: k,
            needed,
        });
    }
    let draws = prior_draws(k, spec, settings.prior_draws, seed)?;
    let mut best: Option<EfficientDesign> = None;
    for start in 0..settings.starts.max(1) {
        let mut rng = stream(seed, SEARCH_STREAM + u64::from(start));
        let Some(mut search) = Search::start(space, &coding, spec, &draws, &mut rng) else {
            continue;
        };
        search.run(settings.max_passes);
        let Some(value) = search.exact_objective() else {
            continue;
        };
        if best.as_ref().is_none_or(|b| value < b.d_error) {
            best = Some(EfficientDesign {
                sets: search.sets(),
                d_error: value,
            });
        }
    }
    best.ok_or(DesignError::NoEfficientDesign)
}

struct Search<'a> {
    space: &'a Space,
    coding: &'a Coding,
    draws: &'a [Vec<f64>],
    sets: usize,
    alternatives: usize,
    attributes: usize,
    distinct: bool,
    /// Flat levels: set s, alternative j, attribute a at ((s·J)+j)·A + a.
    design: Vec<u32>,
    /// One information matrix per prior draw.
    info: Vec<Vec<f64>>,
    scratch: Scratch,
    candidate: Vec<f64>,
}

impl<'a> Search<'a> {
    fn start(
        space: &'a Space,
        coding: &'a Coding,
        spec: &EfficientSpec,
        draws: &'a [Vec<f64>],
        rng: &mut DesignRng,
    ) -> Option<Self> {
        let (sets, alternatives) = (spec.choice_sets as usize, spec.alternatives as usize);
        let mut design = Vec::with_capacity(sets * alternatives * space.attributes());
        for _ in 0..sets {
            let mut set = Vec::with_capacity(alternatives);
            for _ in 0..alternatives {
                set.push(draw_profile(space, rng, &set, spec.distinct)?);
            }
            design.extend(set.into_iter().flatten());
        }
        let k = coding.parameters;
        let mut search = Self {
            space,
            coding,
            draws,
            sets,
            alternatives,
            attributes: space.attributes(),
            distinct: spec.distinct,
            design,
            info: vec![vec![0.0; k * k]; draws.len()],
            scratch: Scratch::default(),
            candidate: vec![0.0; k * k],
        };
        search.recompute();
        Some(search)
    }

    fn set_rows(&self, s: usize) -> Vec<&[u32]> {
        rows_of(&self.design, s, self.alternatives, self.attributes)
    }

    /// Rebuilds every draw's information from scratch (removes drift from incremental updates).
    fn recompute(&mut self) {
        let k = self.coding.parameters;
        for r in 0..self.draws.len() {
            let mut info = vec![0.0; k * k];
            for i in 0..k {
                info[i * k + i] = RIDGE;
            }
            for s in 0..self.sets {
                let rows = rows_of(&self.design, s, self.alternatives, self.attributes);
                add_set_information(
                    self.coding,
                    &rows,
                    &self.draws[r],
                    1.0,
                    &mut info,
                    &mut self.scratch,
                );
            }
            self.info[r] = info;
        }
    }

    /// Mean D-error over draws if set `s` were replaced by the current contents of `self.design`,
    /// given the old contributions `old` (per draw). `None` if any draw is singular.
    fn objective_with(&mut self, s: usize, old: &[Vec<f64>]) -> Option<f64> {
        let k = self.coding.parameters;
        let rows = rows_of(&self.design, s, self.alternatives, self.attributes);
        let mut total = 0.0;
        for ((info, beta), old) in self.info.iter().zip(self.draws).zip(old) {
            for (c, (i, o)) in self.candidate.iter_mut().zip(info.iter().zip(old)) {
                *c = i - o;
            }
            add_set_information(
                self.coding,
                &rows,
                beta,
                1.0,
                &mut self.candidate,
                &mut self.scratch,
            );
            total += d_error(&self.candidate, k, &mut self.scratch)?;
        }
        Some(total / self.draws.len() as f64)
    }

    fn contributions(&mut self, s: usize) -> Vec<Vec<f64>> {
        let k = self.coding.parameters;
        let rows = self.set_rows(s);
        let mut scratch = Scratch::default();
        self.draws
            .iter()
            .map(|beta| {
                let mut c = vec![0.0; k * k];
                add_set_information(self.coding, &rows, beta, 1.0, &mut c, &mut scratch);
                c
            })
            .collect()
    }

    fn profile_ok(&self, s: usize, j: usize) -> bool {
        let a0 = (s * self.alternatives + j) * self.attributes;
        let profile = &self.design[a0..a0 + self.attributes];
        if !self.space.allows(profile) {
            return false;
        }
        !self.distinct
            || (0..self.alternatives).all(|other| {
                let b0 = (s * self.alternatives + other) * self.attributes;
                other == j || self.design[b0..b0 + self.attributes] != *profile
            })
    }

    fn run(&mut self, max_passes: u32) {
        let mut current = self.objective();
        for _ in 0..max_passes {
            let mut improved = false;
            for s in 0..self.sets {
                for j in 0..self.alternatives {
                    for a in 0..self.attributes {
                        let index = (s * self.alternatives + j) * self.attributes + a;
                        let original = self.design[index];
                        let old = self.contributions(s);
                        let mut best = (current, original);
                        for level in 0..self.space.levels(a) as u32 {
                            if level == original || !self.space.drawable(a, level as usize) {
                                continue;
                            }
                            self.design[index] = level;
                            if !self.profile_ok(s, j) {
                                continue;
                            }
                            if let Some(value) = self.objective_with(s, &old) {
                                if value < best.0 * (1.0 - 1e-12) {
                                    best = (value, level);
                                }
                            }
                        }
                        self.design[index] = best.1;
                        if best.1 != original {
                            current = best.0;
                            improved = true;
                            let new = self.contributions(s);
                            for (info, (o, n)) in self.info.iter_mut().zip(old.iter().zip(&new)) {
                                for (x, (a, b)) in info.iter_mut().zip(o.iter().zip(n)) {
                                    *x += b - a;
                                }
                            }
                        }
                    }
                }
            }
            self.recompute();
            current = self.objective();
            if !improved {
                break;
            }
        }
    }

    /// The objective of the design as it stands (ridge included).
    fn objective(&mut self) -> f64 {
        let k = self.coding.parameters;
        let mut total = 0.0;
        for info in &self.info {
            match d_error(info, k, &mut self.scratch) {
                Some(d) => total += d,
                None => return f64::INFINITY,
            }
        }
        total / self.draws.len() as f64
    }

    /// The objective without the ridge, `None` if the design cannot estimate every parameter.
    fn exact_objective(&mut self) -> Option<f64> {
        let k = self.coding.parameters;
        let mut total = 0.0;
        for r in 0..self.draws.len() {
            let mut info = self.info[r].clone();
            for i in 0..k {
                info[i * k + i] -= RIDGE;
            }
            total += d_error(&info, k, &mut self.scratch)?;
        }
        Some(total / self.draws.len() as f64)
    }

    fn sets(&self) -> Vec<Vec<Vec<u32>>> {
        (0..self.sets)
            .map(|s| self.set_rows(s).into_iter().map(<[u32]>::to_vec).collect())
            .collect()
    }
}

/// The alternatives of choice set `s` in a flat design.
fn rows_of(design: &[u32], s: usize, alternatives: usize, attributes: usize) -> Vec<&[u32]> {
    let width = alternatives * attributes;
    design[s * width..(s + 1) * width]
        .chunks(attributes)
        .collect()
}

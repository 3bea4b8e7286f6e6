//! D-efficient fixed designs for the multinomial logit, found by coordinate exchange (Meyer and
//! Nachtsheim 1995): change one attribute of one alternative at a time to the level that lowers
//! the (Bayesian) D-error most, sweep until a whole pass improves nothing, and keep the best of
//! several random starts. With prior standard deviations the objective is the mean D-error over
//! draws from the prior (Bayesian D-error); without them, the D-error at the prior means.

use super::error::DesignError;
use super::mnl::{add_set_information, d_error, d_error_in_place, Coding, Scratch};
use super::numeric::norm_quantile;
use super::random::draw_profile;
use super::sampling::{stream, DesignRng};
use super::space::Space;

/// Stream id of the first search start, far from the respondent streams (1, 2, 3 …).
const SEARCH_STREAM: u64 = 1 << 40;

/// A tiny ridge keeps the objective finite (and the search moving) while a start's design is
/// still singular; the reported D-error is computed without it.
const RIDGE: f64 = 1e-7;

/// Prior draws used in the first, coarse phase of each start.
const COARSE_DRAWS: usize = 5;

/// A move must lower the objective by this relative amount to count, so the search stops instead
/// of chasing rounding-level gains.
const MIN_GAIN: f64 = 1e-9;

/// How hard the search works. The defaults meet the benchmark target (within 1% of the best of
/// many long runs) for designs of the size researchers field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EfficientSettings {
    /// Random starting designs, each optimised on a few prior draws.
    pub starts: u32,
    /// How many of the best-scoring starts are then optimised on all prior draws.
    pub polish: u32,
    /// Draws from the prior for the Bayesian D-error (used when prior standard deviations are given).
    pub prior_draws: u32,
    /// Upper bound on full sweeps per start (each sweep stops early once nothing improves).
    pub max_passes: u32,
}

impl Default for EfficientSettings {
    fn default() -> Self {
        Self {
            starts: 40,
            polish: 3,
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

/// The parameter vectors the D-error is averaged over: the prior means, or `count` Halton draws
/// from independent normal priors.
pub fn prior_draws(
    parameters: usize,
    spec: &EfficientSpec,
    count: u32,
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
    // Halton points rather than pseudo-random ones: the same draws for every seed (so D-errors of
    // different searches are comparable) and an even spread, so the first COARSE_DRAWS already
    // approximate the objective well.
    let primes = first_primes(parameters);
    Ok((1..=count)
        .map(|i| {
            means
                .iter()
                .zip(&spec.prior_sds)
                .zip(&primes)
                .map(|((m, s), &base)| m + s * norm_quantile(radical_inverse(i, base)))
                .collect()
        })
        .collect())
}

/// The van der Corput radical inverse of `index` in `base`: a number in (0, 1) for index ≥ 1.
fn radical_inverse(mut index: u32, base: u32) -> f64 {
    let (mut value, mut scale) = (0.0, 1.0 / f64::from(base));
    while index > 0 {
        value += f64::from(index % base) * scale;
        index /= base;
        scale /= f64::from(base);
    }
    value
}

fn first_primes(count: usize) -> Vec<u32> {
    let mut primes: Vec<u32> = Vec::with_capacity(count);
    let mut candidate = 2u32;
    while primes.len() < count {
        if primes
            .iter()
            .take_while(|&&p| p * p <= candidate)
            .all(|&p| !candidate.is_multiple_of(p))
        {
            primes.push(candidate);
        }
        candidate += 1;
    }
    primes
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
    let draws = prior_draws(k, spec, settings.prior_draws)?;
    // Every start is first optimised cheaply, on the first few (well-spread Halton) draws; the
    // starts whose result scores best on all draws are then polished on all draws.
    let coarse = &draws[..draws.len().min(COARSE_DRAWS)];
    let mut screened: Vec<(f64, Vec<u32>)> = Vec::new();
    for start in 0..settings.starts.max(1) {
        let mut rng = stream(seed, SEARCH_STREAM + u64::from(start));
        let Some(mut design) = initial_design(space, spec, &mut rng) else {
            continue;
        };
        if coarse.len() < draws.len() {
            let mut search = Search::new(space, &coding, spec, coarse, design);
            search.run(settings.max_passes);
            design = search.design;
        }
        let score = Search::new(space, &coding, spec, &draws, design.clone()).objective();
        screened.push((score, design));
    }
    // Stable sort on the score alone keeps ties in start order, so the choice is reproducible.
    screened.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<EfficientDesign> = None;
    for (_, design) in screened.into_iter().take(settings.polish.max(1) as usize) {
        let mut search = Search::new(space, &coding, spec, &draws, design);
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

/// A random starting design of allowed profiles (distinct within each set when required).
fn initial_design(space: &Space, spec: &EfficientSpec, rng: &mut DesignRng) -> Option<Vec<u32>> {
    let (sets, alternatives) = (spec.choice_sets as usize, spec.alternatives as usize);
    let mut design = Vec::with_capacity(sets * alternatives * space.attributes());
    for _ in 0..sets {
        let mut set = Vec::with_capacity(alternatives);
        for _ in 0..alternatives {
            set.push(draw_profile(space, rng, &set, spec.distinct)?);
        }
        design.extend(set.into_iter().flatten());
    }
    Some(design)
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
    fn new(
        space: &'a Space,
        coding: &'a Coding,
        spec: &EfficientSpec,
        draws: &'a [Vec<f64>],
        design: Vec<u32>,
    ) -> Self {
        let k = coding.parameters;
        let mut search = Self {
            space,
            coding,
            draws,
            sets: spec.choice_sets as usize,
            alternatives: spec.alternatives as usize,
            attributes: space.attributes(),
            distinct: spec.distinct,
            design,
            info: vec![vec![0.0; k * k]; draws.len()],
            scratch: Scratch::default(),
            candidate: vec![0.0; k * k],
        };
        search.recompute();
        search
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
    #[allow(clippy::needless_range_loop)] // index loops: the size-optimised build runs them faster
    fn objective_with(&mut self, s: usize, old: &[Vec<f64>]) -> Option<f64> {
        let k = self.coding.parameters;
        let rows = rows_of(&self.design, s, self.alternatives, self.attributes);
        let mut total = 0.0;
        for ((info, beta), old) in self.info.iter().zip(self.draws).zip(old) {
            // Lower triangle only: that is all the Cholesky factorisation reads.
            for i in 0..k {
                let (c, f, o) = (
                    &mut self.candidate[i * k..i * k + i + 1],
                    &info[i * k..i * k + i + 1],
                    &old[i * k..i * k + i + 1],
                );
                for j in 0..i + 1 {
                    c[j] = f[j] - o[j];
                }
            }
            add_set_information(
                self.coding,
                &rows,
                beta,
                1.0,
                &mut self.candidate,
                &mut self.scratch,
            );
            total += d_error_in_place(&mut self.candidate, k)?;
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

    /// Sweeps until a whole pass improves nothing: for each choice set, every attribute of every
    /// alternative is tried at each other level (coordinate exchange), then the levels of each
    /// attribute are swapped between pairs of alternatives (a move that keeps level balance and
    /// escapes optima the single changes get stuck in).
    fn run(&mut self, max_passes: u32) {
        let mut current = self.objective();
        for _ in 0..max_passes {
            let mut improved = false;
            for s in 0..self.sets {
                let mut old = self.contributions(s);
                for j in 0..self.alternatives {
                    for a in 0..self.attributes {
                        improved |= self.try_levels(s, j, a, &mut old, &mut current);
                    }
                }
                for a in 0..self.attributes {
                    for j1 in 0..self.alternatives {
                        for j2 in j1 + 1..self.alternatives {
                            improved |= self.try_swap(s, a, (j1, j2), &mut old, &mut current);
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

    fn index(&self, s: usize, j: usize, a: usize) -> usize {
        (s * self.alternatives + j) * self.attributes + a
    }

    /// Moves attribute `a` of alternative `j` in set `s` to its best level, if that helps.
    fn try_levels(
        &mut self,
        s: usize,
        j: usize,
        a: usize,
        old: &mut Vec<Vec<f64>>,
        current: &mut f64,
    ) -> bool {
        let index = self.index(s, j, a);
        let original = self.design[index];
        let mut best = (*current, original);
        for level in 0..self.space.levels(a) as u32 {
            if level == original || !self.space.drawable(a, level as usize) {
                continue;
            }
            self.design[index] = level;
            if !self.profile_ok(s, j) {
                continue;
            }
            if let Some(value) = self.objective_with(s, old) {
                if value < best.0 * (1.0 - MIN_GAIN) {
                    best = (value, level);
                }
            }
        }
        self.design[index] = best.1;
        if best.1 == original {
            return false;
        }
        *current = best.0;
        self.accept(s, old);
        true
    }

    /// Swaps attribute `a` between two alternatives of set `s`, if that helps.
    fn try_swap(
        &mut self,
        s: usize,
        a: usize,
        (j1, j2): (usize, usize),
        old: &mut Vec<Vec<f64>>,
        current: &mut f64,
    ) -> bool {
        let (x, y) = (self.index(s, j1, a), self.index(s, j2, a));
        if self.design[x] == self.design[y] {
            return false;
        }
        self.design.swap(x, y);
        if self.profile_ok(s, j1) && self.profile_ok(s, j2) {
            if let Some(value) = self.objective_with(s, old) {
                if value < *current * (1.0 - MIN_GAIN) {
                    *current = value;
                    self.accept(s, old);
                    return true;
                }
            }
        }
        self.design.swap(x, y);
        false
    }

    /// Folds the change of set `s` into every draw's information; `old` becomes the new contribution.
    fn accept(&mut self, s: usize, old: &mut Vec<Vec<f64>>) {
        let new = self.contributions(s);
        for (info, (o, n)) in self.info.iter_mut().zip(old.iter().zip(&new)) {
            for (x, (a, b)) in info.iter_mut().zip(o.iter().zip(n)) {
                *x += b - a;
            }
        }
        *old = new;
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

//! Conjoint designs: which profiles each respondent sees, in which attribute order.
//!
//! Entry points for the page and the command-line tool:
//! - [`generate`] / [`generate_with`]: a reproducible design (fully randomised, balanced or
//!   D-efficient) as [`DesignedTask`]s; the same conjoint, respondents and seed give the same
//!   design on every platform.
//! - [`diagnose`]: level frequencies, restricted cells, overlap and D-error of a design.
//! - [`cjpowr_amce`] and [`simulate_power`]: power analysis, analytic and by simulation.
//! - [`long_csv`] / [`wide_csv`]: exports; [`task_table`] / [`task_prompt`]: previews.
//! - [`import_sdt`] / [`study_from_sdt`]: read a Conjoint Survey Design Tool `.sdt` file.
//!
//! Nothing here touches the operating system's randomness or the platform maths library: the
//! generator is ChaCha8 seeded from the study seed, one stream per respondent.

mod balanced;
mod diagnostics;
mod efficient;
mod error;
mod export;
mod mnl;
mod numeric;
mod order;
mod pickle;
mod power;
mod power_sim;
mod preview;
mod qualtrics;
mod random;
mod sampling;
mod sdt;
mod space;
pub mod survey_flow;
mod survey_order;

pub use diagnostics::{
    diagnose, AttributeBalance, AttributeOverlap, Diagnostics, LevelFrequency, PairTable,
    RestrictedCells,
};
pub use efficient::{EfficientDesign, EfficientSettings};
pub use error::DesignError;
pub use export::{long_csv, wide_csv};
pub use pickle::PickleError;
pub use power::{cjpowr_amce, cjpowr_power, PowerError, PowerResult};
pub use power_sim::{simulate_power, PowerPoint, PowerSimulation};
pub use preview::{task_prompt, task_table};
pub use qualtrics::qualtrics_randomiser;
pub use sdt::{import_sdt, study_from_sdt, SdtError};
pub use space::describe_restriction;
pub use survey_order::{
    piped_answer, respondent_survey, survey_for_respondent, Layout, RespondentSurvey, ShownQuestion,
};

use crate::study::{Conjoint, DesignStrategy, DesignedTask};
use efficient::EfficientSpec;
use order::Orderer;
use sampling::{stream, DesignRng};

/// Designs larger than this many profiles are refused rather than exhausting memory (10 million
/// profiles is about 1 GB of tasks).
pub const MAX_PROFILES: u64 = 10_000_000;

/// How the profiles are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum Strategy {
    /// Each level drawn by its weight, restricted profiles redrawn (the AMCE standard).
    Random,
    /// Levels as evenly used as possible within and across tasks.
    Balanced,
    /// A fixed D-efficient design for the multinomial logit, rotated over respondents.
    Efficient,
}

impl Strategy {
    /// The strategy a study asks for.
    pub fn of(conjoint: &Conjoint) -> Self {
        match conjoint.randomisation.strategy {
            DesignStrategy::FullyRandom => Self::Random,
            DesignStrategy::Balanced => Self::Balanced,
            DesignStrategy::DEfficient { .. } => Self::Efficient,
        }
    }
}

/// Everything [`generate_with`] needs besides the conjoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub respondents: u32,
    pub seed: u64,
    /// Overrides the study's strategy when set.
    pub strategy: Option<Strategy>,
    pub efficient: EfficientSettings,
}

impl Options {
    pub fn new(respondents: u32, seed: u64) -> Self {
        Self {
            respondents,
            seed,
            strategy: None,
            efficient: EfficientSettings::default(),
        }
    }
}

/// A generated design.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Respondent by respondent, task by task (numbered from 1); a repeated task comes last.
    pub tasks: Vec<DesignedTask>,
    pub strategy: Strategy,
    /// The D-error the D-efficient search reached (Bayesian when priors have spreads).
    pub d_error: Option<f64>,
}

/// The design for `respondents` respondents with the study's strategy and the given seed (the app
/// passes `conjoint.randomisation.seed`).
pub fn generate(
    conjoint: &Conjoint,
    respondents: u32,
    seed: u64,
) -> Result<Vec<DesignedTask>, DesignError> {
    Ok(generate_with(conjoint, &Options::new(respondents, seed))?.tasks)
}

/// A source of the profiles of one task.
pub(crate) trait TaskSource {
    fn task(
        &mut self,
        respondent: u32,
        task: u32,
        rng: &mut DesignRng,
    ) -> Result<Vec<Vec<u32>>, DesignError>;
}

/// The design with explicit options. Checks the specification first, so an impossible one is an
/// error naming the attribute or rule, never a hang.
pub fn generate_with(conjoint: &Conjoint, options: &Options) -> Result<Design, DesignError> {
    if options.respondents == 0 {
        return Err(DesignError::ZeroRespondents);
    }
    let space = space::prepare(conjoint)?;
    let orderer = Orderer::new(conjoint)?;
    let tasks_each =
        u64::from(conjoint.tasks_per_respondent) + u64::from(conjoint.repeated_task.is_some());
    let profiles =
        u64::from(options.respondents) * tasks_each * u64::from(conjoint.profiles_per_task);
    if profiles > MAX_PROFILES {
        return Err(DesignError::TooLarge {
            profiles,
            limit: MAX_PROFILES,
        });
    }
    let per_task = conjoint.profiles_per_task as usize;
    let distinct = conjoint.randomisation.no_identical_profiles;
    let strategy = options.strategy.unwrap_or_else(|| Strategy::of(conjoint));
    let (tasks, d_error) = match strategy {
        Strategy::Random => {
            let mut source = random::RandomSource::new(
                &space,
                per_task,
                distinct,
                conjoint.randomisation.minimal_overlap,
            );
            (assemble(conjoint, &orderer, &mut source, options)?, None)
        }
        Strategy::Balanced => {
            let mut source = balanced::BalancedSource::new(&space, per_task, distinct);
            (assemble(conjoint, &orderer, &mut source, options)?, None)
        }
        Strategy::Efficient => {
            let spec = efficient_spec(conjoint, &space);
            let fixed = efficient::search(&space, &spec, options.efficient, options.seed)?;
            let d_error = fixed.d_error;
            let mut source = FixedSource {
                sets: fixed.sets,
                tasks: conjoint.tasks_per_respondent,
            };
            (
                assemble(conjoint, &orderer, &mut source, options)?,
                Some(d_error),
            )
        }
    };
    Ok(Design {
        tasks,
        strategy,
        d_error,
    })
}

/// The D-efficient settings of the study, or defaults when another strategy is overridden: the
/// fewest choice sets (a multiple of the tasks per respondent) that can identify every parameter.
fn efficient_spec(conjoint: &Conjoint, space: &space::Space) -> EfficientSpec {
    let distinct = conjoint.randomisation.no_identical_profiles;
    let alternatives = conjoint.profiles_per_task;
    if let DesignStrategy::DEfficient {
        choice_sets,
        prior_means,
        prior_sds,
    } = &conjoint.randomisation.strategy
    {
        return EfficientSpec {
            choice_sets: *choice_sets,
            alternatives,
            prior_means: prior_means.clone(),
            prior_sds: prior_sds.clone(),
            distinct,
        };
    }
    let parameters: usize = (0..space.attributes()).map(|a| space.levels(a) - 1).sum();
    let per_block = conjoint.tasks_per_respondent.max(1);
    let needed = (parameters as u32).div_ceil(alternatives.saturating_sub(1).max(1));
    EfficientSpec {
        choice_sets: needed.div_ceil(per_block).max(1) * per_block,
        alternatives,
        prior_means: Vec::new(),
        prior_sds: Vec::new(),
        distinct,
    }
}

/// Hands out the choice sets of a fixed design in rotation: respondent r's task t is set
/// ((r − 1)·T + t − 1) mod S, so with S a multiple of T every block of sets is used equally.
struct FixedSource {
    sets: Vec<Vec<Vec<u32>>>,
    tasks: u32,
}

impl TaskSource for FixedSource {
    fn task(
        &mut self,
        respondent: u32,
        task: u32,
        _rng: &mut DesignRng,
    ) -> Result<Vec<Vec<u32>>, DesignError> {
        let index = (u64::from(respondent - 1) * u64::from(self.tasks) + u64::from(task - 1))
            % self.sets.len() as u64;
        Ok(self.sets[index as usize].clone())
    }
}

/// Builds every respondent's tasks: each respondent has their own random stream (so respondent r's
/// tasks do not depend on how many respondents there are, for random designs), drawing the
/// attribute order first, then each task's order and profiles.
fn assemble(
    conjoint: &Conjoint,
    orderer: &Orderer,
    source: &mut dyn TaskSource,
    options: &Options,
) -> Result<Vec<DesignedTask>, DesignError> {
    let per_respondent =
        conjoint.tasks_per_respondent as usize + usize::from(conjoint.repeated_task.is_some());
    let mut tasks = Vec::with_capacity(options.respondents as usize * per_respondent);
    for respondent in 1..=options.respondents {
        let mut rng = stream(options.seed, u64::from(respondent));
        let respondent_order = orderer.for_respondent(&mut rng);
        let first = tasks.len();
        for task in 1..=conjoint.tasks_per_respondent {
            let attribute_order = orderer.for_task(&respondent_order, &mut rng);
            let profiles = source.task(respondent, task, &mut rng)?;
            tasks.push(DesignedTask {
                respondent,
                task,
                attribute_order,
                profiles,
                repeats: None,
            });
        }
        if let Some(repeat) = conjoint.repeated_task {
            if let Some(copy) = order::repeat_task(&tasks[first..], repeat) {
                tasks.push(copy);
            }
        }
    }
    Ok(tasks)
}

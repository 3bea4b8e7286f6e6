//! Why a design could not be generated, in words a researcher can act on.

/// A specification the design engine cannot satisfy. Every variant names the attribute, level or
/// rule at fault, using the study-file path (`conjoint.restrictions[2]`) where there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    #[error("the conjoint has no attributes")]
    NoAttributes,
    #[error("attribute {attribute:?} has no levels")]
    NoLevels { attribute: String },
    #[error("attribute {attribute:?}, level {level:?}: weight {weight} must be a number ≥ 0")]
    BadWeight {
        attribute: String,
        level: String,
        weight: f64,
    },
    #[error("attribute {attribute:?}: its level weights sum to 0, so no level can ever be drawn")]
    ZeroWeights { attribute: String },
    #[error("{rule}: no attribute named {attribute:?}")]
    UnknownAttribute { rule: String, attribute: String },
    #[error("{rule}: attribute {attribute:?} has no level {level:?}")]
    UnknownLevel {
        rule: String,
        attribute: String,
        level: String,
    },
    #[error("{rule} ({description}) excludes every possible profile")]
    RuleExcludesAll { rule: String, description: String },
    #[error("the restrictions together exclude every possible profile; loosen one of {rules}")]
    AllExcluded { rules: String },
    #[error(
        "level {level:?} of attribute {attribute:?} can never be shown: {rules} exclude every profile \
         with it; remove the level, set its weight to 0 or loosen the rule"
    )]
    LevelExcluded {
        attribute: String,
        level: String,
        rules: String,
    },
    #[error(
        "each task needs {needed} different profiles, but the levels and restrictions allow only {available}"
    )]
    TooFewDistinctProfiles { needed: usize, available: usize },
    #[error("a design needs at least 1 task per respondent (tasks_per_respondent is 0)")]
    ZeroTasks,
    #[error("a task needs at least 1 profile (profiles_per_task is 0)")]
    ZeroProfiles,
    #[error("a design needs at least 1 respondent")]
    ZeroRespondents,
    #[error("repeated_task.copy_of is {copy_of}, but each respondent has tasks 1..={tasks}")]
    RepeatedTaskOutOfRange { copy_of: u32, tasks: u32 },
    #[error("order_groups: no attribute named {attribute:?}")]
    UnknownGroupAttribute { attribute: String },
    #[error("order_groups: attribute {attribute:?} is in more than one group")]
    GroupOverlap { attribute: String },
    #[error(
        "the design would hold {profiles} profiles; the limit is {limit} (use fewer respondents)"
    )]
    TooLarge { profiles: u64, limit: u64 },
    #[error(
        "respondent {respondent}, task {task}: no allowed profile after {attempts} random draws; the \
         restrictions leave too small a share of profiles to draw by chance (loosen them or use the \
         balanced strategy)"
    )]
    SamplingStuck {
        respondent: u32,
        task: u32,
        attempts: u32,
    },
    #[error(
        "a D-efficient design of {choice_sets} choice sets × {alternatives} alternatives cannot estimate \
         {parameters} parameters; use at least {needed} choice sets"
    )]
    NotIdentified {
        choice_sets: u32,
        alternatives: u32,
        parameters: usize,
        needed: u32,
    },
    #[error("{field}: {given} values given; the design has {expected} parameters (levels minus baselines)")]
    PriorLength {
        field: &'static str,
        given: usize,
        expected: usize,
    },
    #[error("{field}: value {index} is {value}, which is not a usable number")]
    BadPrior {
        field: &'static str,
        index: usize,
        value: f64,
    },
    #[error(
        "no D-efficient design found: every design tried leaves some parameter inestimable (the \
         restrictions may tie attributes together); add choice sets or loosen the restrictions"
    )]
    NoEfficientDesign,
    #[error("choice_sets is 0; a D-efficient design needs at least 1 choice set")]
    ZeroChoiceSets,
    #[error("respondent {respondent}, task {task}: {why}")]
    MalformedTask {
        respondent: u32,
        task: u32,
        why: String,
    },
}

impl DesignError {
    /// A task whose profiles do not fit the conjoint (wrong length or a level index out of range).
    pub(crate) fn malformed(task: &crate::study::DesignedTask, why: impl Into<String>) -> Self {
        Self::MalformedTask {
            respondent: task.respondent,
            task: task.task,
            why: why.into(),
        }
    }
}

//! What can go wrong in an analysis, in words a researcher can act on.

/// An analysis could not be run at all. Problems that leave the other estimates usable (an empty level,
/// a collinear level) are [`AnalysisWarning`]s instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("column {column:?} is not in the data")]
    MissingColumn { column: String },
    #[error("column {column:?} must hold numbers, but row {row} has {value:?}")]
    NotNumeric {
        column: String,
        row: usize,
        value: String,
    },
    #[error(
        "respondent id column {column:?}: row {row} has no id; every row needs one to cluster standard errors by respondent"
    )]
    MissingId { column: String, row: usize },
    #[error("choice-set column {column:?}: row {row} has no choice-set id")]
    MissingChoiceSet { column: String, row: usize },
    #[error("choice column {column:?} must be 0 or 1, but row {row} has {value}")]
    NotBinary {
        column: String,
        row: usize,
        value: String,
    },
    #[error("weights column {column:?}: row {row} has weight {value}; weights must be positive and finite")]
    BadWeight {
        column: String,
        row: usize,
        value: f64,
    },
    #[error("formula {formula:?}: {message}")]
    Formula { formula: String, message: String },
    #[error("level order: {message}")]
    LevelOrder { message: String },
    #[error("feature {feature:?}: the data have the level {level:?}, which the level order does not list")]
    UnknownLevel { feature: String, level: String },
    #[error("feature {feature:?}: the baseline level {level:?} has no rows; choose a baseline that was shown")]
    EmptyBaseline { feature: String, level: String },
    #[error(
        "feature {feature:?} has a single level ({level:?}), so there is no effect to estimate"
    )]
    SingleLevel { feature: String, level: String },
    #[error("no rows are left after dropping rows with a missing value in {columns}")]
    NoRows { columns: String },
    #[error(
        "respondent id column {column:?}: clustered standard errors need at least 2 respondents, found {found}"
    )]
    TooFewClusters { column: String, found: usize },
    #[error("the design is singular: {term} is perfectly collinear with earlier terms")]
    Singular { term: String },
    #[error("{message}")]
    Unsupported { message: String },
    #[error("choice set {group:?} (column {column:?}) has {chosen} chosen alternatives; each needs exactly one")]
    ChoiceCount {
        column: String,
        group: String,
        chosen: usize,
    },
    #[error(
        "perfect separation in the logit: {variables} predict the choices (almost) perfectly, so their estimates run off to infinity"
    )]
    Separation { variables: String },
    #[error(
        "the logit did not converge in {iterations} Newton iterations (largest step {step:e})"
    )]
    NotConverged { iterations: usize, step: f64 },
}

/// A problem that leaves the rest of the table usable; the affected rows have no estimate.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisWarning {
    /// A level in the level order that no (used) row has.
    EmptyLevel {
        group: Option<String>,
        feature: String,
        level: String,
    },
    /// A level whose dummy is a linear combination of earlier columns (R would report `NA`).
    Collinear {
        group: Option<String>,
        feature: String,
        level: String,
    },
    /// Rows left out because a value the model needs is missing.
    DroppedRows { count: usize, columns: String },
}

impl std::fmt::Display for AnalysisWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefix = |group: &Option<String>| match group {
            Some(g) => format!("group {g:?}: "),
            None => String::new(),
        };
        match self {
            Self::EmptyLevel {
                group,
                feature,
                level,
            } => write!(
                f,
                "{}feature {feature:?}: level {level:?} has no rows, so it has no estimate",
                prefix(group)
            ),
            Self::Collinear {
                group,
                feature,
                level,
            } => write!(
                f,
                "{}feature {feature:?}: level {level:?} is collinear with other levels, so it has no estimate",
                prefix(group)
            ),
            Self::DroppedRows { count, columns } => write!(
                f,
                "{count} rows with a missing value in {columns} were left out"
            ),
        }
    }
}

impl AnalysisWarning {
    /// True for warnings that mean a requested estimate is absent (the command-line tool exits 2).
    pub fn is_missing_estimate(&self) -> bool {
        !matches!(self, Self::DroppedRows { .. })
    }
}

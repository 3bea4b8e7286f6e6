//! Conjoint and survey analysis: AMCEs, marginal means, subgroup differences, nested-model F tests and
//! conditional logit, all returning one tidy table (cregg's columns).
//!
//! Every estimator reads a long [`crate::study::ResponseTable`] plus a spec naming the outcome,
//! respondent id, optional weights and the features. The design matrix of level dummies is never
//! formed densely (see [`design_matrix`]), so a million rows take well under a second.

mod amce;
mod anova;
mod cj;
mod clogit;
pub mod design_matrix;
mod error;
pub mod formula;
pub mod levels;
pub mod linalg;
mod mm;
pub mod ols;
pub mod prepare;
pub mod reliability;
pub mod simulator;
mod subgroup;
pub mod survey_stats;
pub mod tidy;

pub use amce::{amce, amce_contrast, amce_prepared, ConjointSpec};
pub use anova::{cj_anova, AnovaResult};
pub use cj::{cj, Breakdown, Estimand};
pub use clogit::{choice_data, clogit, clogit_fit, ChoiceData, ClogitFit, ClogitSpec, Wtp};
pub use error::{AnalysisError, AnalysisWarning};
pub use formula::Formula;
pub use levels::LevelOrders;
pub use mm::{mm, mm_prepared};
pub use ols::ClusterSe;
pub use subgroup::{amce_by, amce_diffs, mm_by, mm_diffs};
pub use tidy::{Estimates, TidyRow, TidyTable};

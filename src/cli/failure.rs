//! What the comparison commands (`compare`, `compare-amce`, `compare-survey`) fail on: a file,
//! their input, or a plot. All of it is input the user can fix, so each exits 2 with the message.

use super::files::FileError;
use crate::compare::{CompareError, SurveySamplesError};
use crate::plot::PlotError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Compare(#[from] CompareError),
    #[error(transparent)]
    Survey(#[from] SurveySamplesError),
    #[error(transparent)]
    Plot(#[from] PlotError),
}

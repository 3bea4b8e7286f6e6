//! A survey's logic applied to one respondent: the flow (blocks, branches, block randomisers,
//! embedded data, the end of the survey), display conditions, skip logic and piping, walked on
//! that respondent's own answers.
//!
//! [`RespondentProgram::new`] fixes everything random about a respondent's survey (which blocks
//! a randomiser shows, question order) from the seed; [`RespondentProgram::walk`] then visits the
//! questions as far as the answers known so far allow. The walk stops at the first question
//! whose visibility, piping or memory needs an answer still pending, so a question is never asked
//! before what it depends on has settled, and since answers never change once settled, a later
//! walk only extends an earlier one (same seed, same answers → same questions).

mod answer;
mod condition;
mod program;
mod walk;

pub use answer::{split_items, split_list, AnswerState, ITEM_SEPARATOR, LIST_SEPARATOR};
pub use condition::{evaluate, Truth};
pub(crate) use program::shuffle as shuffle_in;
pub use program::{even_subset, RespondentProgram};
pub use walk::{pipe, piped_names, Visit, Walk, WalkInputs};

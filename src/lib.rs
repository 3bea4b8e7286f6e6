//! silico: design surveys and conjoint studies, field them to LLM respondents, compare with people.
//!
//! The engine modules have no browser types and are tested natively; `app` is the Leptos page and
//! compiles only for wasm32, `cli` is the command-line tool and compiles only natively.
//! See ARCHITECTURE.md for how a study flows through them.

pub mod analysis;
pub mod compare;
pub mod data;
pub mod design;
pub mod field;
pub mod jobs;
pub mod large_view;
pub mod local_model;
pub mod plot;
pub mod providers;
pub mod qualtrics_qsf;
pub mod study;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod app;

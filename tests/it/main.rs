//! silico's native integration tests, one crate so the suite links one binary instead of one per
//! file. Each module is one capability's tests; `support` holds what several of them share.
#![cfg(not(target_arch = "wasm32"))]

mod support;

mod analysis_cli;
mod analysis_clogit;
mod analysis_oracles;
mod analysis_properties;
mod cli_study;
mod compare_outputs;
mod compare_plots;
mod compare_survey;
mod compare_twins;
mod data_conjoint_import;
mod data_csv;
mod data_import;
mod data_mapping;
mod data_read;
mod design_cli;
mod design_efficient;
mod design_pinned;
mod design_preview;
mod design_qualtrics;
mod design_random;
mod design_sdt;
mod design_survey;
mod examples;
mod field_fault;
mod field_llm;
mod field_run;
mod field_survey;
mod import_cli;
mod jobs;
mod jobs_import;
mod large_view;
mod layering;
mod library;
mod local_model;
mod plot;
mod qsf;
mod study_edit;
mod study_format;
mod survey_edit;
mod twins_flow;

//! The Twin-2K-500 mega-study files the comparison tests load (real people paired with their LLM
//! twins, each question's range, and the published per-question metrics), read the one way every
//! test reads them. Each test file uses part of this, hence the allow.
#![allow(dead_code)]

use silico::compare::{
    compare, read_ranges, Comparison, Extras, PairColumns, RangeColumns, Ranges,
};
use silico::data::{read_delimited, ReadOptions};
use silico::study::{Provenance, ResponseSource, ResponseTable};

pub const PAIRS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/twin2k500_megastudy_human_vs_twin_long.csv"
);
pub const RANGES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/twin2k500_megastudy_dv_ranges.csv"
);
pub const ORACLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/oracle_twin2k500_megastudy_metrics_with_reasoning.csv"
);

/// The person column: the CLI's `--person`.
pub const PERSON: &str = "TWIN_ID";
/// The question key columns: the CLI's `--question`.
pub const QUESTION: &str = "study_name,variable_name";

/// One of the shared files as a table.
pub fn read(path: &str) -> ResponseTable {
    let bytes = std::fs::read(path).expect("shared data file");
    read_delimited(
        &bytes,
        path,
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("the shared file parses")
}

pub fn columns() -> PairColumns {
    PairColumns {
        person: PERSON.into(),
        question: QUESTION.split(',').map(String::from).collect(),
        human: "human".into(),
        twin: "twin".into(),
    }
}

pub fn ranges() -> Ranges {
    read_ranges(&read(RANGES), &columns().question, &RangeColumns::default()).expect("ranges")
}

/// The whole comparison of the mega-study's pairs.
pub fn comparison() -> Comparison {
    compare(&read(PAIRS), &columns(), &Extras::default(), &ranges()).expect("the comparison")
}

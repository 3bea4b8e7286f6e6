//! What several test modules share: the files under test (`repo`), the CLI as a user runs it
//! (`cli`), the real model server, the mega-study files and the Qualtrics conjoint fixture.

pub mod cli;
pub mod llm_server;
pub mod megastudy;
pub mod ports;
pub mod qualtrics_fixture;

use std::path::PathBuf;

/// A path inside the repository (examples, fixtures, schema), wherever the tests run from.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

//! `silico bench import`: generates a survey export of the size the page must handle (~200 MB) and
//! reads it with the chunked reader in slices, as the worker reads a `File`. Prints MB/s.

use std::process::ExitCode;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::{ChunkedReader, ReadOptions};
use crate::study::{ColumnValues, Provenance, ResponseSource};

const PARTIES: [&str; 4] = ["Democrat", "Republican", "Independent", "Something else"];
const COMMENTS: [&str; 4] = [
    "",
    "no",
    "\"too long, honestly\"",
    "\"I liked the \"\"second\"\" one\"",
];
const LEVELS: [&str; 5] = [
    "High School",
    "College Degree",
    "Graduate Degree",
    "No Formal",
    "4th Grade",
];

/// A CSV of about `bytes` bytes: respondent id, age, party, income with decimals, ten 1–5 scale
/// answers, a sometimes-quoted free-text answer, and four conjoint level columns.
fn synthetic_export(bytes: usize, seed: u64) -> (Vec<u8>, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(bytes + 4096);
    out.extend_from_slice(b"ResponseId,age,party,income");
    for q in 1..=10 {
        out.extend_from_slice(format!(",Q{q}").as_bytes());
    }
    out.extend_from_slice(b",comment,F-1-1-1,F-1-1-2,F-1-2-1,F-1-2-2\n");
    let mut rows = 0;
    while out.len() < bytes {
        rows += 1;
        let line = format!(
            "R_{rows:012},{},{},{:.2},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            rng.gen_range(18..90),
            PARTIES[rng.gen_range(0..PARTIES.len())],
            rng.gen_range(0.0..250_000.0),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            rng.gen_range(1..=5),
            COMMENTS[rng.gen_range(0..COMMENTS.len())],
            LEVELS[rng.gen_range(0..LEVELS.len())],
            LEVELS[rng.gen_range(0..LEVELS.len())],
            LEVELS[rng.gen_range(0..LEVELS.len())],
            LEVELS[rng.gen_range(0..LEVELS.len())],
        );
        out.extend_from_slice(line.as_bytes());
    }
    (out, rows)
}

pub fn run(mb: usize, slice_kib: usize, seed: u64) -> ExitCode {
    let start = Instant::now();
    let (bytes, rows) = synthetic_export(mb * 1_000_000, seed);
    println!(
        "generated {} bytes, {rows} rows in {:.2} s",
        bytes.len(),
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let mut reader = ChunkedReader::new(
        "bench",
        ResponseSource::Simulated,
        Provenance::default(),
        ReadOptions::default(),
    );
    let outcome = bytes
        .chunks(slice_kib.max(1) * 1024)
        .try_for_each(|slice| reader.push(slice))
        .and_then(|()| reader.finish());
    let seconds = start.elapsed().as_secs_f64();
    let read = match outcome {
        Ok(read) => read,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let numeric = read
        .table
        .columns
        .iter()
        .filter(|c| matches!(c.values, ColumnValues::Number(_)))
        .count();
    println!(
        "read {} rows × {} columns ({numeric} numeric) in {seconds:.2} s: {:.1} MB/s ({} KiB slices)",
        read.table.row_count(),
        read.table.columns.len(),
        bytes.len() as f64 / 1e6 / seconds,
        slice_kib
    );
    if read.table.row_count() == rows {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: read {} rows, wrote {rows}", read.table.row_count());
        ExitCode::FAILURE
    }
}

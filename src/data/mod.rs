//! Human and LLM data in and out: delimited text into long response tables, and back out for R/pandas.

mod attach;
mod csv_table;

pub use attach::{attach_table, parse_role, AttachError};
pub use csv_table::{read_delimited, table_to_csv, ReadOptions, TableReadError};

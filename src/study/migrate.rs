//! Upgrades older study files to the current format, one version step at a time.
//!
//! A study is migrated as JSON before it is deserialised, so a step can rename or restructure fields
//! freely. To add format 2: bump [`CURRENT_VERSION`], append `step_1_to_2` to `STEPS`, and keep the
//! fixtures of format 1 in the tests so the step stays covered.

use serde_json::Value;

use super::error::StudyError;
use super::model::FORMAT_V1;

/// The format family prefix; the version number follows the slash.
pub const FORMAT_PREFIX: &str = "silico-study/";
pub const CURRENT_VERSION: u32 = 1;

/// Reads the version out of a `format` tag such as `silico-study/1`.
pub fn parse_format(format: &str) -> Result<u32, StudyError> {
    let not_ours = || StudyError::NotAStudy {
        reason: format!("its \"format\" is {format:?}, expected \"{FORMAT_V1}\""),
    };
    let number = format.strip_prefix(FORMAT_PREFIX).ok_or_else(not_ours)?;
    number.parse::<u32>().map_err(|_| not_ours())
}

/// Brings a study of any supported version up to the current one.
pub fn migrate_to_current(value: Value) -> Result<Value, StudyError> {
    let format = match value.get("format") {
        Some(Value::String(format)) => format.clone(),
        Some(_) => {
            return Err(StudyError::NotAStudy {
                reason: "its \"format\" field is not a string".into(),
            })
        }
        None => {
            return Err(StudyError::NotAStudy {
                reason: format!("it has no \"format\" field (expected \"{FORMAT_V1}\")"),
            })
        }
    };
    let version = parse_format(&format)?;
    if version > CURRENT_VERSION {
        return Err(StudyError::FutureVersion {
            found: format,
            supported: FORMAT_V1.into(),
        });
    }
    if version == 0 {
        return Err(StudyError::NotAStudy {
            reason: format!("format {format:?} was never released"),
        });
    }
    let mut value = value;
    for step in &STEPS[(version - 1) as usize..] {
        value = step(value);
    }
    Ok(value)
}

/// `STEPS[i]` turns a study of version `i + 1` into version `i + 2`.
type Step = fn(Value) -> Value;
const STEPS: &[Step] = &[];
const _: () = assert!(STEPS.len() == (CURRENT_VERSION - 1) as usize);

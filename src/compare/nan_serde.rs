//! JSON has no NaN: serde_json writes a NaN float as `null` but refuses to read `null` back into a
//! float. Undefined metrics are NaN in memory, so these adapters write them as `null` and read
//! `null` back as NaN, letting the worker's replies round-trip.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `#[serde(with = "nan_serde::f64")]`: NaN (or ±∞) ⇄ `null`.
pub mod f64 {
    use super::*;

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        x.is_finite().then_some(*x).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// `#[serde(with = "nan_serde::vec_f32")]`: each NaN ⇄ `null`.
pub mod vec_f32 {
    use super::*;

    pub fn serialize<S: Serializer>(x: &[f32], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(x.iter().map(|v| v.is_finite().then_some(*v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        Ok(Vec::<Option<f32>>::deserialize(d)?
            .into_iter()
            .map(|v| v.unwrap_or(f32::NAN))
            .collect())
    }
}

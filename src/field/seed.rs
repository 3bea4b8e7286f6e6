//! Seeds derived from the run seed and a call's identity, so every random choice (option order,
//! persona draws, backoff jitter, the seed sent to the model) is reproducible and independent.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// A 64-bit value from the run seed, a purpose and an identity.
pub fn derive(seed: u64, purpose: &str, identity: &str) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(purpose.as_bytes());
    hasher.update([0]);
    hasher.update(identity.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

pub fn rng(seed: u64, purpose: &str, identity: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive(seed, purpose, identity))
}

/// The seed sent to the model for one call: below 2^31 because some providers take 32-bit seeds.
pub fn call_seed(seed: u64, custom_id: &str) -> u64 {
    derive(seed, "call-seed", custom_id) % (1 << 31)
}

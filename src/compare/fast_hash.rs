//! A small multiply-rotate hasher (the Fx hash of rustc) for interning a million cells. The
//! standard SipHash resists hash flooding, which matters for servers, not for a researcher's own
//! file in their own browser, and it is several times slower per short key.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// The running hash mixed with splitmix64's finaliser: the table indexes by the low bits, and
    /// keys such as the bits of whole-number floats (person ids) have all-zero low bits, which the
    /// multiply alone would keep zero, putting every key in one bucket.
    fn finish(&self) -> u64 {
        let mut z = self.hash;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::{FastMap, FxHasher};
    use std::hash::{Hash, Hasher};

    #[test]
    fn whole_number_float_bits_spread_over_the_low_bits() {
        let mut buckets = std::collections::HashSet::new();
        for id in 1..=1024u32 {
            let mut h = FxHasher::default();
            f64::from(id).to_bits().hash(&mut h);
            buckets.insert(h.finish() & 1023);
        }
        // Random hashing fills about 1 − 1/e of 1024 buckets; all in one would be the failure.
        assert!(buckets.len() > 550, "{} buckets used", buckets.len());
    }

    #[test]
    fn keys_that_differ_only_in_their_tail_stay_apart() {
        let mut map: FastMap<&str, u32> = FastMap::default();
        for (i, key) in ["q1", "q10", "q100", "abcdefgh1", "abcdefgh2", ""]
            .iter()
            .enumerate()
        {
            map.insert(key, i as u32);
        }
        assert_eq!(map.len(), 6);
        assert_eq!(map["abcdefgh2"], 4);
        assert_eq!(map[""], 5);
    }
}

//! FNV-1a, 64 bits: the one hash slic uses where a stable, cheap hash is
//! wanted and no defence against chosen keys is needed (names of generated
//! code, cache keys, maps keyed by identifiers).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Maps and sets keyed by names or numbers the program makes or reads,
/// hashed with FNV-1a: SipHash's defence against chosen keys costs more
/// than the lookups in the hot loops of the weavers.
pub type FnvHashMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub type FnvHashSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash of a text.
pub fn fnv(text: &str) -> u64 {
    let mut hash = Fnv::default();
    hash.write(text.as_bytes());
    hash.finish()
}

/// The hash of a list of words, each ended by a zero byte (so that `ab c`
/// and `a bc` differ).
pub fn fnv_words<'w>(words: impl IntoIterator<Item = &'w str>) -> u64 {
    let mut hash = Fnv::default();
    for word in words {
        hash.write(word.as_bytes());
        hash.write(&[0]);
    }
    hash.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv("foobar"), 0x8594_4171_f739_67e8);
        assert_ne!(fnv_words(["ab", "c"]), fnv_words(["a", "bc"]));
    }
}

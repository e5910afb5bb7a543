//! Election parameters: the second generator `H` and the election fingerprint (spec §4).

use curve25519_dalek::ristretto::RistrettoPoint;
use sha2::{Digest, Sha512};

use crate::error::Error;
use crate::group::{Element, to_hex};
use crate::transcript::hash256;
use crate::{SPEC_VERSION, SUITE};

/// The seed from which every sanduq election derives `H` unless its record names another.
pub const DEFAULT_GENERATOR_SEED: &[u8] = b"sanduq generator H, seed 0";

/// Domain tag of the hash-to-group input for `H`.
pub const TAG_GENERATOR: &str = "generator-h";

/// Domain tag of the election fingerprint.
pub const TAG_FINGERPRINT: &str = "election-fingerprint";

/// Derive the second generator from a published seed (spec §4.1):
///
/// ```text
/// H = ristretto255_from_uniform_bytes( SHA-512( lp("sanduq/0.1") ‖ lp("generator-h") ‖ lp(seed) ) )
/// ```
///
/// `from_uniform_bytes` is the one-way map of RFC 9496 §4.3.4 applied to 64 bytes, so no one
/// knows the discrete logarithm of `H` to base `G`, and anyone can recompute it.
pub fn derive_generator(seed: &[u8]) -> Result<Element, Error> {
    let mut h = Sha512::new();
    for v in [SPEC_VERSION.as_bytes(), TAG_GENERATOR.as_bytes(), seed] {
        h.update(u32::try_from(v.len()).unwrap_or(u32::MAX).to_be_bytes());
        h.update(v);
    }
    let wide: [u8; 64] = h.finalize().into();
    Element::from_point("generator H", RistrettoPoint::from_uniform_bytes(&wide))
}

/// The 32-byte election fingerprint that every transcript of the election hashes (spec §4.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ElectionFingerprint(pub [u8; 32]);

impl core::fmt::Debug for ElectionFingerprint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ElectionFingerprint({})", to_hex(&self.0))
    }
}

impl ElectionFingerprint {
    /// The fingerprint's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The public parameters of one election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parameters {
    generator_seed: Vec<u8>,
    h: Element,
}

impl Parameters {
    /// Parameters whose `H` derives from `seed`.
    pub fn new(seed: &[u8]) -> Result<Parameters, Error> {
        Ok(Parameters {
            generator_seed: seed.to_vec(),
            h: derive_generator(seed)?,
        })
    }

    /// The parameters with the default seed.
    pub fn standard() -> Result<Parameters, Error> {
        Parameters::new(DEFAULT_GENERATOR_SEED)
    }

    /// The seed `H` derives from.
    #[must_use]
    pub fn generator_seed(&self) -> &[u8] {
        &self.generator_seed
    }

    /// The second generator `H`.
    #[must_use]
    pub fn h(&self) -> &Element {
        &self.h
    }

    /// The election fingerprint over these parameters and the manifest's canonical bytes:
    ///
    /// ```text
    /// fingerprint = SHA-256( lp("sanduq/0.1") ‖ lp("election-fingerprint") ‖ lp("ristretto255-sha512")
    ///                        ‖ lp(generator seed) ‖ lp(manifest canonical bytes) )
    /// ```
    #[must_use]
    pub fn fingerprint(&self, manifest_canonical: &[u8]) -> ElectionFingerprint {
        ElectionFingerprint(hash256(
            TAG_FINGERPRINT,
            &[SUITE.as_bytes(), &self.generator_seed, manifest_canonical],
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::group::G;

    #[test]
    fn h_is_not_g_and_depends_on_seed() {
        let h = derive_generator(DEFAULT_GENERATOR_SEED).unwrap();
        assert_ne!(h.point(), &G);
        assert_ne!(h, derive_generator(b"other").unwrap());
    }
}

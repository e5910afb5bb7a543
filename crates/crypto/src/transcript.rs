//! The Fiat–Shamir transcript (spec §3).
//!
//! Every challenge is computed as
//!
//! ```text
//! c = SHA-512( lp("sanduq/0.1") ‖ lp(tag) ‖ lp(fingerprint) ‖ lp(x_1) ‖ … ‖ lp(x_n) )  mod ℓ
//! lp(x) = u32_be(len(x)) ‖ x
//! ```
//!
//! where `tag` is the proof type's domain tag (one per proof type, listed in the spec),
//! `fingerprint` the 32-byte election fingerprint, and `x_1 … x_n` the context values, the
//! full statement and all commitments, in the order the spec fixes for that tag. The 64-byte
//! digest is reduced modulo ℓ ("wide" reduction), which gives a uniformly distributed
//! challenge. Every value is length-prefixed, and each tag fixes the number of values, so no
//! two different inputs hash the same bytes.
//!
//! [`hash256`] frames its input the same way with SHA-256, for fingerprints and hash
//! commitments.

use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha256, Sha512};

use crate::SPEC_VERSION;
use crate::group::Element;

/// A Fiat–Shamir transcript under construction.
#[derive(Clone, Debug)]
pub struct Transcript {
    hasher: Sha512,
}

fn length_prefix(len: usize) -> [u8; 4] {
    // Every value hashed is far below 4 GiB; a longer one saturates, which no valid
    // object can produce.
    u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes()
}

impl Transcript {
    /// Start a transcript for the proof type `tag`, bound to an election fingerprint.
    #[must_use]
    pub fn new(tag: &str, fingerprint: &[u8; 32]) -> Transcript {
        let mut t = Transcript {
            hasher: Sha512::new(),
        };
        t.append(SPEC_VERSION.as_bytes());
        t.append(tag.as_bytes());
        t.append(fingerprint);
        t
    }

    /// Append one length-prefixed value.
    pub fn append(&mut self, value: &[u8]) -> &mut Transcript {
        self.hasher.update(length_prefix(value.len()));
        self.hasher.update(value);
        self
    }

    /// Append an element's canonical encoding.
    pub fn append_element(&mut self, e: &Element) -> &mut Transcript {
        self.append(e.as_bytes())
    }

    /// Append a 32-byte encoding (of an element that may be the identity, or a scalar).
    pub fn append_bytes32(&mut self, b: &[u8; 32]) -> &mut Transcript {
        self.append(b)
    }

    /// Append an unsigned integer as 8 bytes big-endian.
    pub fn append_u64(&mut self, v: u64) -> &mut Transcript {
        self.append(&v.to_be_bytes())
    }

    /// Finish: the challenge scalar, SHA-512 of the transcript reduced modulo ℓ.
    #[must_use]
    pub fn challenge(self) -> Scalar {
        let digest: [u8; 64] = self.hasher.finalize().into();
        Scalar::from_bytes_mod_order_wide(&digest)
    }
}

/// SHA-256 over the same framing as [`Transcript`]: `lp("sanduq/0.1") ‖ lp(tag) ‖ lp(x_1) ‖ …`.
#[must_use]
pub fn hash256(tag: &str, values: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for v in [SPEC_VERSION.as_bytes(), tag.as_bytes()]
        .into_iter()
        .chain(values.iter().copied())
    {
        h.update(length_prefix(v.len()));
        h.update(v);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::group::to_hex;

    #[test]
    fn hash256_framing_is_byte_exact() {
        // Independent computation of the framed input, written out by hand:
        // 0000000a "sanduq/0.1" 00000003 "tag" 00000002 "ab"
        let mut framed = Vec::new();
        framed.extend_from_slice(&[0, 0, 0, 10]);
        framed.extend_from_slice(b"sanduq/0.1");
        framed.extend_from_slice(&[0, 0, 0, 3]);
        framed.extend_from_slice(b"tag");
        framed.extend_from_slice(&[0, 0, 0, 2]);
        framed.extend_from_slice(b"ab");
        let expected: [u8; 32] = Sha256::digest(&framed).into();
        assert_eq!(hash256("tag", &[b"ab"]), expected);
        // and moving a byte between values changes the hash
        assert_ne!(hash256("tag", &[b"a", b"b"]), hash256("tag", &[b"ab"]));
        assert_ne!(hash256("ta", &[b"gab"]), hash256("tag", &[b"ab"]));
        let _ = to_hex(&expected);
    }

    #[test]
    fn challenge_is_wide_reduction_of_sha512() {
        let fp = [7u8; 32];
        let mut t = Transcript::new("x", &fp);
        t.append(b"v");
        let c = t.challenge();
        let mut framed = Vec::new();
        framed.extend_from_slice(&[0, 0, 0, 10]);
        framed.extend_from_slice(b"sanduq/0.1");
        framed.extend_from_slice(&[0, 0, 0, 1]);
        framed.extend_from_slice(b"x");
        framed.extend_from_slice(&[0, 0, 0, 32]);
        framed.extend_from_slice(&fp);
        framed.extend_from_slice(&[0, 0, 0, 1]);
        framed.extend_from_slice(b"v");
        let d: [u8; 64] = Sha512::digest(&framed).into();
        assert_eq!(c, Scalar::from_bytes_mod_order_wide(&d));
    }
}

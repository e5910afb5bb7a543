//! Shared set-up of the integration tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, dead_code)]

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::contest::{BallotContext, ContestDescription};
use sanduq_crypto::elgamal::{ElectionKey, mul_g};
use sanduq_crypto::group::{Element, SecretScalar};
use sanduq_crypto::params::ElectionFingerprint;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// An election key, its secret and a ballot context with fingerprint `fp`.
pub fn election(seed: u64, fp: u8) -> (SecretScalar, BallotContext) {
    let mut r = rng(seed);
    let s = SecretScalar::random(&mut r);
    let key = ElectionKey::new(Element::from_point("key", mul_g(s.expose())).unwrap());
    (
        s,
        BallotContext {
            fingerprint: ElectionFingerprint([fp; 32]),
            key,
        },
    )
}

/// A vote-for-1 contest of three selections.
pub fn mayor() -> ContestDescription {
    ContestDescription::new("mayor", &["a", "b", "c"], 1, 1).unwrap()
}

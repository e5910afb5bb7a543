//! Shared helpers of the integration tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, dead_code)]

use std::collections::BTreeMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::group::G;
use sanduq_crypto::{ElectionFingerprint, Element, Parameters};
use sanduq_trustee::decrypt::Ciphertext;
use sanduq_trustee::dkg::CeremonySetup;
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn idx(i: u32) -> TrusteeIndex {
    TrusteeIndex::new(i).unwrap()
}

/// A `t`-of-`n` setup whose trustees come from the given provinces, in index order.
pub fn setup(t: u32, m: u32, provinces: &[&str]) -> CeremonySetup {
    let roster: BTreeMap<TrusteeIndex, ProvinceCode> = provinces
        .iter()
        .zip(1u32..)
        .map(|(p, i)| (idx(i), ProvinceCode::new(p).unwrap()))
        .collect();
    let policy = Policy::new(t, m, roster).unwrap();
    CeremonySetup::new(
        ElectionFingerprint([0x42; 32]),
        Parameters::standard().unwrap(),
        policy,
    )
}

/// 3 of 5 from at least 2 provinces, no three trustees in one province: every 3-subset
/// meets the policy.
pub fn setup_3_of_5() -> CeremonySetup {
    setup(3, 2, &["AF-KAB", "AF-KAB", "AF-HER", "AF-HER", "AF-BAL"])
}

/// Exponential ElGamal `(r·G, m·G + r·K)` computed here, independently of the crate.
pub fn encrypt(key: &Element, m: u64, r: u64) -> Ciphertext {
    let r = Scalar::from(r);
    let alpha: RistrettoPoint = G * r;
    let beta = G * Scalar::from(m) + key.point() * r;
    Ciphertext {
        alpha: Element::from_point("alpha", alpha).unwrap(),
        beta: Element::from_point("beta", beta).unwrap(),
    }
}

/// `m·G`, for comparing with a combination.
pub fn times_g(m: u64) -> RistrettoPoint {
    G * Scalar::from(m)
}

//! Exponential ElGamal under the election key (spec §5).
//!
//! ```text
//! Enc_K(m; r) = (α, β) = (r·G, m·G + r·K)
//! ```
//!
//! `K` is the election public key (the product of the key ceremony), `m` a small
//! non-negative integer (a vote count) and `r` a uniformly random non-zero nonce. The scheme is
//! additively homomorphic: the component-wise sum of two ciphertexts encrypts the sum of the
//! plaintexts under the sum of the nonces. Decryption recovers `m·G = β − s·α` and then `m`
//! by a bounded discrete-logarithm search ([`crate::dlog`]).
//!
//! A ballot ciphertext ([`Ciphertext`]) has two non-identity parts; an aggregate
//! ([`AggregateCiphertext`]), such as the encrypted tally of no ballots, may have identity
//! parts. Both encode as 64 bytes: `α ‖ β`, each the canonical 32-byte encoding.

use core::fmt;
use std::sync::OnceLock;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_core::CryptoRng;
use subtle::{ConditionallySelectable, ConstantTimeEq};

use crate::error::Error;
use crate::group::{Element, SecretScalar, decode_element_or_identity, from_hex, half, to_hex};

/// Length of a ciphertext encoding: `α ‖ β`.
pub const CIPHERTEXT_LEN: usize = 64;

/// The election public key `K` with a precomputed table of its multiples for fast
/// encryption (building the table costs about as much as 100 scalar multiplications; do it
/// once per election).
#[derive(Clone)]
pub struct ElectionKey {
    key: Element,
    table: RistrettoBasepointTable,
}

impl ElectionKey {
    /// Wrap a (non-identity) election key and precompute its table.
    #[must_use]
    pub fn new(key: Element) -> ElectionKey {
        let table = RistrettoBasepointTable::create(key.point());
        ElectionKey { key, table }
    }

    /// The key as an element.
    #[must_use]
    pub fn element(&self) -> &Element {
        &self.key
    }

    /// `s·K` by the precomputed table (constant time).
    #[must_use]
    pub fn mul(&self, s: &Scalar) -> RistrettoPoint {
        &self.table * s
    }
}

impl fmt::Debug for ElectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ElectionKey({})", self.key.to_hex())
    }
}

impl PartialEq for ElectionKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for ElectionKey {}

/// `s·G` by the precomputed table of the standard generator (constant time).
#[must_use]
pub fn mul_g(s: &Scalar) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_TABLE * s
}

/// A ciphertext read from or written to a ballot: neither part is the identity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ciphertext {
    alpha: Element,
    beta: Element,
}

impl fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ciphertext({}, {})",
            self.alpha.to_hex(),
            self.beta.to_hex()
        )
    }
}

impl Ciphertext {
    /// A ciphertext from its two parts.
    #[must_use]
    pub fn new(alpha: Element, beta: Element) -> Ciphertext {
        Ciphertext { alpha, beta }
    }

    /// `α = r·G`.
    #[must_use]
    pub fn alpha(&self) -> &Element {
        &self.alpha
    }

    /// `β = m·G + r·K`.
    #[must_use]
    pub fn beta(&self) -> &Element {
        &self.beta
    }

    /// The 64-byte encoding `α ‖ β`.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; CIPHERTEXT_LEN] {
        let mut out = [0u8; CIPHERTEXT_LEN];
        let (a, b) = out.split_at_mut(32);
        a.copy_from_slice(self.alpha.as_bytes());
        b.copy_from_slice(self.beta.as_bytes());
        out
    }

    /// Decode `α ‖ β`, refusing non-canonical encodings and identity parts.
    pub fn decode(bytes: &[u8]) -> Result<Ciphertext, Error> {
        if bytes.len() != CIPHERTEXT_LEN {
            return Err(Error::Length {
                what: "ciphertext",
                expected: CIPHERTEXT_LEN,
                got: bytes.len(),
            });
        }
        let (a, b) = bytes.split_at(32);
        Ok(Ciphertext {
            alpha: Element::decode("ciphertext alpha", a)?,
            beta: Element::decode("ciphertext beta", b)?,
        })
    }

    /// Hex of the 64-byte encoding.
    #[must_use]
    pub fn to_hex(&self) -> String {
        to_hex(&self.to_bytes())
    }

    /// Decode from hex.
    pub fn from_hex(text: &str) -> Result<Ciphertext, Error> {
        Ciphertext::decode(&from_hex("ciphertext", text)?)
    }
}

/// A homomorphic aggregate of ciphertexts; either part may be the identity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AggregateCiphertext {
    alpha: RistrettoPoint,
    beta: RistrettoPoint,
}

impl fmt::Debug for AggregateCiphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AggregateCiphertext({})", to_hex(&self.to_bytes()))
    }
}

impl Default for AggregateCiphertext {
    fn default() -> Self {
        AggregateCiphertext::zero()
    }
}

impl From<&Ciphertext> for AggregateCiphertext {
    fn from(c: &Ciphertext) -> Self {
        AggregateCiphertext {
            alpha: *c.alpha.point(),
            beta: *c.beta.point(),
        }
    }
}

impl AggregateCiphertext {
    /// The encryption of 0 with nonce 0: both parts the identity.
    #[must_use]
    pub fn zero() -> AggregateCiphertext {
        AggregateCiphertext {
            alpha: RistrettoPoint::identity(),
            beta: RistrettoPoint::identity(),
        }
    }

    /// Add a ballot ciphertext.
    pub fn add(&mut self, c: &Ciphertext) {
        self.alpha += c.alpha.point();
        self.beta += c.beta.point();
    }

    /// Add another aggregate.
    pub fn add_aggregate(&mut self, c: &AggregateCiphertext) {
        self.alpha += c.alpha;
        self.beta += c.beta;
    }

    /// The sum of ballot ciphertexts.
    #[must_use]
    pub fn sum<'a, I: IntoIterator<Item = &'a Ciphertext>>(items: I) -> AggregateCiphertext {
        let mut acc = AggregateCiphertext::zero();
        for c in items {
            acc.add(c);
        }
        acc
    }

    /// `α`.
    #[must_use]
    pub fn alpha(&self) -> &RistrettoPoint {
        &self.alpha
    }

    /// `β`.
    #[must_use]
    pub fn beta(&self) -> &RistrettoPoint {
        &self.beta
    }

    /// The 64-byte encoding `α ‖ β` (the identity encodes as 32 zero bytes).
    #[must_use]
    pub fn to_bytes(&self) -> [u8; CIPHERTEXT_LEN] {
        let mut out = [0u8; CIPHERTEXT_LEN];
        let (a, b) = out.split_at_mut(32);
        a.copy_from_slice(&self.alpha.compress().to_bytes());
        b.copy_from_slice(&self.beta.compress().to_bytes());
        out
    }

    /// Decode `α ‖ β`, refusing non-canonical encodings; identity parts are accepted.
    pub fn decode(bytes: &[u8]) -> Result<AggregateCiphertext, Error> {
        if bytes.len() != CIPHERTEXT_LEN {
            return Err(Error::Length {
                what: "aggregate ciphertext",
                expected: CIPHERTEXT_LEN,
                got: bytes.len(),
            });
        }
        let (a, b) = bytes.split_at(32);
        Ok(AggregateCiphertext {
            alpha: decode_element_or_identity("aggregate alpha", a)?,
            beta: decode_element_or_identity("aggregate beta", b)?,
        })
    }

    /// `m·G = β − s·α` for the election secret `s` (single-key decryption; threshold
    /// decryption combines shares instead, see the ceremony specification).
    #[must_use]
    pub fn decrypt_to_point(&self, secret: &SecretScalar) -> RistrettoPoint {
        self.beta - self.alpha * secret.expose()
    }
}

/// The largest `m` whose `m·G / 2` comes from a precomputed list.
const SMALL: u64 = 64;

/// `(m/2)·G`: for `m ≤ 64` a constant-time selection from a list computed once; above, by the
/// generator's table.
fn half_multiple_of_g(m: u64) -> RistrettoPoint {
    static HALVES: OnceLock<Vec<RistrettoPoint>> = OnceLock::new();
    if m > SMALL {
        return mul_g(&(Scalar::from(m) * half()));
    }
    let halves = HALVES.get_or_init(|| {
        let h = mul_g(&half());
        let mut acc = RistrettoPoint::identity();
        (0..=SMALL)
            .map(|_| {
                let cur = acc;
                acc += h;
                cur
            })
            .collect()
    });
    let mut out = RistrettoPoint::identity();
    for (i, p) in (0u64..).zip(halves) {
        out.conditional_assign(p, i.ct_eq(&m));
    }
    out
}

/// Encrypt `m` with the given nonce (spec §5). The nonce must be secret, uniformly random
/// and never reused.
pub fn encrypt(key: &ElectionKey, m: u64, nonce: &SecretScalar) -> Result<Ciphertext, Error> {
    let halves = encrypt_halves(key, m, nonce);
    ciphertext_from_elements(&Element::from_halves("ciphertext part", &halves)?)
}

/// `(α/2, β/2)`, for provers that compress many points together.
pub(crate) fn encrypt_halves(
    key: &ElectionKey,
    m: u64,
    nonce: &SecretScalar,
) -> [RistrettoPoint; 2] {
    let r_half = zeroize::Zeroizing::new(nonce.expose() * half());
    [mul_g(&r_half), half_multiple_of_g(m) + key.mul(&r_half)]
}

/// A ciphertext from its two compressed parts.
pub(crate) fn ciphertext_from_elements(parts: &[Element]) -> Result<Ciphertext, Error> {
    match parts {
        [alpha, beta] => Ok(Ciphertext {
            alpha: *alpha,
            beta: *beta,
        }),
        _ => Err(Error::Argument("ciphertext has two parts")),
    }
}

/// Encrypt `m` with a fresh random nonce, returning the nonce (needed for the proofs).
pub fn encrypt_random<R: CryptoRng + ?Sized>(
    key: &ElectionKey,
    m: u64,
    rng: &mut R,
) -> Result<(Ciphertext, SecretScalar), Error> {
    let nonce = SecretScalar::random(rng);
    Ok((encrypt(key, m, &nonce)?, nonce))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::group::G;
    use rand::SeedableRng;

    fn key(s: u64) -> (SecretScalar, ElectionKey) {
        let sk = SecretScalar::new(Scalar::from(s));
        let pk = Element::from_point("k", G * Scalar::from(s)).unwrap();
        (sk, ElectionKey::new(pk))
    }

    #[test]
    fn encryption_matches_definition_and_decrypts() {
        let (sk, pk) = key(1234);
        let r = SecretScalar::new(Scalar::from(77u64));
        let c = encrypt(&pk, 3, &r).unwrap();
        // By the definition: α = 77·G, β = 3·G + 77·(1234·G) = (3 + 77·1234)·G.
        assert_eq!(*c.alpha().point(), G * Scalar::from(77u64));
        assert_eq!(*c.beta().point(), G * Scalar::from(3u64 + 77 * 1234));
        let agg = AggregateCiphertext::from(&c);
        assert_eq!(agg.decrypt_to_point(&sk), G * Scalar::from(3u64));
    }

    #[test]
    fn homomorphic_sum_and_encoding() {
        let (sk, pk) = key(99);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let (c1, _) = encrypt_random(&pk, 1, &mut rng).unwrap();
        let (c2, _) = encrypt_random(&pk, 4, &mut rng).unwrap();
        let sum = AggregateCiphertext::sum([&c1, &c2]);
        assert_eq!(sum.decrypt_to_point(&sk), G * Scalar::from(5u64));
        assert_eq!(Ciphertext::decode(&c1.to_bytes()).unwrap(), c1);
        assert_eq!(AggregateCiphertext::decode(&sum.to_bytes()).unwrap(), sum);
        // The empty aggregate encodes as zeros and is legal only as an aggregate.
        let zero = AggregateCiphertext::zero().to_bytes();
        assert_eq!(zero, [0u8; 64]);
        assert!(AggregateCiphertext::decode(&zero).is_ok());
        assert_eq!(
            Ciphertext::decode(&zero),
            Err(Error::Identity {
                what: "ciphertext alpha"
            })
        );
    }
}

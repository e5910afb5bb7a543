//! Threshold decryption: decryption shares with Chaum–Pedersen proofs and their Lagrange
//! combination by any `t` trustees (spec §8).
//!
//! For an exponential-ElGamal ciphertext $(α, β) = (r·G,\ m·G + r·K)$ under the joint key
//! `K`, trustee `j` publishes $M_j = s_j·α$ with a proof that
//! $\log_G P_j = \log_α M_j$, bound to the election fingerprint, its index and the
//! ciphertext's identity (contest, selection, unit) and `β`. Any set `S` of at least `t`
//! trustees that meets the policy recovers
//!
//! $$ m·G = β − Σ_{j∈S} λ_j M_j,\qquad λ_j = Π_{k∈S, k≠j} \frac{k}{k − j}. $$

use std::collections::BTreeSet;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::CryptoRng;
use sanduq_crypto::sigma::{DleqProof, DleqStatement, dleq_challenge, prove_dleq, verify_dleq};
use sanduq_crypto::{ElectionFingerprint, Element};

use crate::dkg::{KeyShare, PublicKeyPackage};
use crate::error::{Error, Stage};
use crate::share_encryption::generator;
use crate::{Policy, TAG_DECRYPTION_SHARE, TrusteeIndex};

/// An exponential-ElGamal ciphertext `(α, β) = (r·G, m·G + r·K)`.
///
/// Neither part may be the identity: an aggregate over no ballots is decrypted without
/// the trustees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    /// `α = r·G`.
    pub alpha: Element,
    /// `β = m·G + r·K`.
    pub beta: Element,
}

/// Which ciphertext of the election a decryption is for. Each part is hashed as UTF-8.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CiphertextId {
    /// The contest identifier.
    pub contest: String,
    /// The selection (candidate or option) identifier.
    pub selection: String,
    /// The counting unit (polling station, district, province, nation, or a spoiled ballot).
    pub unit: String,
}

/// A decryption share $M_j = s_j·α$ with its proof (spec §8.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionShare {
    /// The trustee.
    pub trustee: TrusteeIndex,
    /// The ciphertext it is for.
    pub id: CiphertextId,
    /// $M_j$.
    pub share: Element,
    /// Chaum–Pedersen proof of $\log_G P_j = \log_α M_j$ (tag `decryption-share`).
    pub proof: DleqProof,
}

fn with_context<T>(
    trustee: TrusteeIndex,
    id: &CiphertextId,
    ct: &Ciphertext,
    f: impl FnOnce(&[&[u8]]) -> T,
) -> T {
    let index = trustee.to_be_bytes();
    let beta = ct.beta.to_bytes();
    f(&[
        &index,
        id.contest.as_bytes(),
        id.selection.as_bytes(),
        id.unit.as_bytes(),
        &beta,
    ])
}

/// Compute a trustee's decryption share of a ciphertext with its proof (spec §8.1).
pub fn decryption_share<R: CryptoRng + ?Sized>(
    fingerprint: &ElectionFingerprint,
    key_share: &KeyShare,
    ciphertext: &Ciphertext,
    id: &CiphertextId,
    rng: &mut R,
) -> Result<DecryptionShare, Error> {
    let trustee = key_share.trustee();
    let share = Element::from_point(
        "decryption share",
        ciphertext.alpha.point() * key_share.expose_secret().expose(),
    )
    .map_err(|_| Error::IdentityDecryptionShare { trustee })?;
    let g = generator();
    let st = DleqStatement {
        g1: &g,
        y1: key_share.public(),
        g2: &ciphertext.alpha,
        y2: &share,
    };
    let proof = with_context(trustee, id, ciphertext, |ctx| {
        prove_dleq(
            TAG_DECRYPTION_SHARE,
            fingerprint.as_bytes(),
            ctx,
            &st,
            key_share.expose_secret(),
            rng,
        )
    })
    .map_err(|e| Error::Argument(e.to_string()))?;
    Ok(DecryptionShare {
        trustee,
        id: id.clone(),
        share,
        proof,
    })
}

/// Verify one decryption share against the trustee's public share (spec §8.2):
/// `z·G == a1 + c·P_j` and `z·α == a2 + c·M_j`.
pub fn verify_decryption_share(
    fingerprint: &ElectionFingerprint,
    package: &PublicKeyPackage,
    ciphertext: &Ciphertext,
    id: &CiphertextId,
    share: &DecryptionShare,
) -> Result<(), Error> {
    let trustee = share.trustee;
    let public = package
        .public_shares
        .get(&trustee)
        .ok_or(Error::UnknownTrustee { trustee })?;
    if &share.id != id {
        return Err(Error::WrongCiphertext { trustee });
    }
    let g = generator();
    let st = DleqStatement {
        g1: &g,
        y1: public,
        g2: &ciphertext.alpha,
        y2: &share.share,
    };
    with_context(trustee, id, ciphertext, |ctx| {
        verify_dleq(
            TAG_DECRYPTION_SHARE,
            fingerprint.as_bytes(),
            ctx,
            &st,
            &share.proof,
        )
    })
    .map_err(|_| Error::InvalidDecryptionProof { trustee })
}

/// A decryption share to verify, with the ciphertext it claims to decrypt.
#[derive(Clone, Copy, Debug)]
pub struct ShareToVerify<'a> {
    /// The ciphertext.
    pub ciphertext: &'a Ciphertext,
    /// Its identity.
    pub id: &'a CiphertextId,
    /// The share.
    pub share: &'a DecryptionShare,
}

/// Verify many decryption shares at once (spec §8.2, batched as in crypto.md §10).
///
/// With independent random 128-bit weights `w_j`, `w'_j` per share, the `2·N` equations of
/// §8.2 are checked together as one multiscalar multiplication:
///
/// $$ Σ_j w_j (z_j·G − a1_j − c_j·P_j) + w'_j (z_j·α_j − a2_j − c_j·M_j) = 0. $$
///
/// A failing batch is bisected, left half first, so the error names the same share — the
/// first bad one in `items` — as verifying one by one with [`verify_decryption_share`].
pub fn verify_decryption_shares<R: CryptoRng + ?Sized>(
    fingerprint: &ElectionFingerprint,
    package: &PublicKeyPackage,
    items: &[ShareToVerify<'_>],
    rng: &mut R,
) -> Result<(), Error> {
    for it in items {
        let trustee = it.share.trustee;
        if !package.public_shares.contains_key(&trustee) {
            return Err(Error::UnknownTrustee { trustee });
        }
        if &it.share.id != it.id {
            return Err(Error::WrongCiphertext { trustee });
        }
    }
    match first_bad(fingerprint, package, items, rng) {
        None => Ok(()),
        Some(trustee) => Err(Error::InvalidDecryptionProof { trustee }),
    }
}

/// The trustee of the first share whose proof fails, by bisection.
fn first_bad<R: CryptoRng + ?Sized>(
    fingerprint: &ElectionFingerprint,
    package: &PublicKeyPackage,
    items: &[ShareToVerify<'_>],
    rng: &mut R,
) -> Option<TrusteeIndex> {
    if items.is_empty() || batch_holds(fingerprint, package, items, rng) {
        return None;
    }
    if let [single] = items {
        return Some(single.share.trustee);
    }
    let (left, right) = items.split_at(items.len() / 2);
    first_bad(fingerprint, package, left, rng)
        .or_else(|| first_bad(fingerprint, package, right, rng))
}

fn weight<R: CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    let low = u128::from(rng.next_u64());
    let high = u128::from(rng.next_u64());
    Scalar::from((high << 64) | low)
}

fn batch_holds<R: CryptoRng + ?Sized>(
    fingerprint: &ElectionFingerprint,
    package: &PublicKeyPackage,
    items: &[ShareToVerify<'_>],
    rng: &mut R,
) -> bool {
    let g = generator();
    let mut g_coefficient = Scalar::ZERO;
    let mut scalars = Vec::with_capacity(5 * items.len() + 1);
    let mut points = Vec::with_capacity(5 * items.len() + 1);
    for it in items {
        let trustee = it.share.trustee;
        let Some(public) = package.public_shares.get(&trustee) else {
            return false;
        };
        let st = DleqStatement {
            g1: &g,
            y1: public,
            g2: &it.ciphertext.alpha,
            y2: &it.share.share,
        };
        let proof = &it.share.proof;
        let c = with_context(trustee, it.id, it.ciphertext, |ctx| {
            dleq_challenge(
                TAG_DECRYPTION_SHARE,
                fingerprint.as_bytes(),
                ctx,
                &st,
                &proof.a1,
                &proof.a2,
            )
        });
        let (w1, w2) = (weight(rng), weight(rng));
        g_coefficient += w1 * proof.response;
        scalars.extend([-w1, -w1 * c, w2 * proof.response, -w2, -w2 * c]);
        points.extend([
            *proof.a1.point(),
            *public.point(),
            *it.ciphertext.alpha.point(),
            *proof.a2.point(),
            *it.share.share.point(),
        ]);
    }
    scalars.push(g_coefficient);
    points.push(*g.point());
    RistrettoPoint::vartime_multiscalar_mul(scalars.iter(), points.iter())
        == RistrettoPoint::identity()
}

/// The Lagrange coefficient at 0 of trustee `j` in the set `present`:
/// $λ_j = Π_{k≠j} k / (k − j)$ (spec §8.3).
pub fn lagrange_at_zero(
    present: &BTreeSet<TrusteeIndex>,
    j: TrusteeIndex,
) -> Result<Scalar, Error> {
    if !present.contains(&j) {
        return Err(Error::Argument(format!("{j} is not in the set")));
    }
    let xj = j.scalar();
    let mut numerator = Scalar::ONE;
    let mut denominator = Scalar::ONE;
    for k in present.iter().filter(|k| **k != j) {
        let xk = k.scalar();
        numerator *= xk;
        denominator *= xk - xj;
    }
    // Indices are distinct and below ℓ, so the denominator is not zero.
    Ok(numerator * denominator.invert())
}

/// Combine decryption shares into `m·G` (spec §8.3).
///
/// Refused, in this order: a repeated trustee ([`Error::DuplicateIndex`]); a trustee that
/// holds no public share ([`Error::UnknownTrustee`]); fewer than `t` shares or too few
/// provinces ([`Error::TooFewShares`], [`Error::TooFewProvinces`]); a share for another
/// ciphertext or whose proof fails, naming the trustee. All shares given are used.
pub fn combine(
    fingerprint: &ElectionFingerprint,
    policy: &Policy,
    package: &PublicKeyPackage,
    ciphertext: &Ciphertext,
    id: &CiphertextId,
    shares: &[DecryptionShare],
) -> Result<RistrettoPoint, Error> {
    let mut present = BTreeSet::new();
    for s in shares {
        if !present.insert(s.trustee) {
            return Err(Error::DuplicateIndex { trustee: s.trustee });
        }
        if !package.public_shares.contains_key(&s.trustee) {
            return Err(if policy.trustees().contains_key(&s.trustee) {
                Error::Disqualified {
                    trustee: s.trustee,
                    stage: Stage::Decryption,
                }
            } else {
                Error::UnknownTrustee { trustee: s.trustee }
            });
        }
    }
    policy.check_quorum(&present)?;
    let mut lambdas = Vec::with_capacity(shares.len());
    for s in shares {
        verify_decryption_share(fingerprint, package, ciphertext, id, s)?;
        lambdas.push(-lagrange_at_zero(&present, s.trustee)?);
    }
    let combined = RistrettoPoint::vartime_multiscalar_mul(
        lambdas.iter(),
        shares.iter().map(|s| s.share.point()),
    );
    Ok(ciphertext.beta.point() + combined)
}

/// The `m` with `m·G == point` for `0 ≤ m ≤ max`, by a linear search; `None` when there is
/// none. For tests and small tallies; the crypto core provides the fast bounded search.
#[must_use]
pub fn small_dlog(point: &RistrettoPoint, max: u64) -> Option<u64> {
    let g = sanduq_crypto::group::G;
    let mut acc = RistrettoPoint::identity();
    for m in 0..=max {
        if &acc == point {
            return Some(m);
        }
        acc += g;
    }
    None
}

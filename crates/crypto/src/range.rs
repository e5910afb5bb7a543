//! Disjunctive Chaum–Pedersen range proofs: a ciphertext encrypts a value in `0..=L`
//! (spec §8).
//!
//! For a ciphertext `(α, β)` under the election key `K`, branch `j ∈ 0..=L` states
//! "`(α, β − j·G) = (r·G, r·K)` for some `r`", i.e. the ciphertext encrypts `j`. The prover
//! knows the real branch `m` and simulates the others (Cramer–Damgård–Schoenmakers). The
//! proof is stored in **commitment form**: for every branch the commitments
//! `a_j = u_j·G`, `b_j = u_j·K`, the branch challenge `c_j` and the response `z_j`, so that
//! verification is a set of linear equations that can be batched (spec §10).
//!
//! ```text
//! c   = H( lp(K) ‖ lp(contest) ‖ lp(subject) ‖ lp(u64_be(L)) ‖ lp(α) ‖ lp(β)
//!          ‖ lp(a_0) ‖ lp(b_0) ‖ … ‖ lp(a_L) ‖ lp(b_L) )                          (tag, fingerprint first)
//! check: exactly L + 1 branches;  Σ_j c_j = c;
//!        z_j·G = a_j + c_j·α   and   z_j·K = b_j + c_j·(β − j·G)   for every j.
//! ```
//!
//! The subject is the selection identifier under tag [`TAG_SELECTION`] or the literal
//! `"limit"` under tag [`TAG_LIMIT`] (the selection-limit proof of a contest, spec §9).

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::CryptoRng;
use subtle::{ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess};
use zeroize::Zeroizing;

use crate::batch::Accumulator;
use crate::elgamal::{ElectionKey, mul_g};
use crate::error::{Error, Party};
use crate::group::{Element, G, SecretScalar, half};
use crate::transcript::Transcript;

/// Domain tag of a selection's range proof.
pub const TAG_SELECTION: &str = "range-proof/selection";
/// Domain tag of a contest's selection-limit proof.
pub const TAG_LIMIT: &str = "range-proof/limit";
/// The subject value hashed for a selection-limit proof.
pub const LIMIT_SUBJECT: &str = "limit";
/// The largest `L` a range proof may have: bounds the work an adversary can cause.
pub const MAX_RANGE: u64 = 1 << 16;

const PROOF: &str = "range proof";

/// What a range proof is about: a selection, or the sum of a contest's selections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject<'a> {
    /// The selection with this identifier (tag [`TAG_SELECTION`]).
    Selection(&'a str),
    /// The contest's selection limit (tag [`TAG_LIMIT`], subject `"limit"`).
    Limit,
}

impl Subject<'_> {
    fn tag(&self) -> &'static str {
        match self {
            Subject::Selection(_) => TAG_SELECTION,
            Subject::Limit => TAG_LIMIT,
        }
    }

    fn value(&self) -> &str {
        match self {
            Subject::Selection(id) => id,
            Subject::Limit => LIMIT_SUBJECT,
        }
    }
}

/// The context a range proof is bound to.
#[derive(Clone, Copy, Debug)]
pub struct RangeContext<'a> {
    /// The election fingerprint.
    pub fingerprint: &'a [u8; 32],
    /// The election key `K`.
    pub key: &'a ElectionKey,
    /// The contest identifier.
    pub contest: &'a str,
    /// The selection, or the limit.
    pub subject: Subject<'a>,
}

/// The ciphertext a range proof speaks of, with its encoding (parts may be the identity for
/// the sum of a contest's selections).
#[derive(Clone, Copy, Debug)]
pub struct RangeStatement {
    /// `α`.
    pub alpha: RistrettoPoint,
    /// `β`.
    pub beta: RistrettoPoint,
    /// Canonical encoding of `α`.
    pub alpha_bytes: [u8; 32],
    /// Canonical encoding of `β`.
    pub beta_bytes: [u8; 32],
}

impl RangeStatement {
    /// The statement for a ballot ciphertext.
    #[must_use]
    pub fn from_ciphertext(c: &crate::elgamal::Ciphertext) -> RangeStatement {
        RangeStatement {
            alpha: *c.alpha().point(),
            beta: *c.beta().point(),
            alpha_bytes: c.alpha().to_bytes(),
            beta_bytes: c.beta().to_bytes(),
        }
    }

    /// The statement for an aggregate (compresses both parts).
    #[must_use]
    pub fn from_aggregate(c: &crate::elgamal::AggregateCiphertext) -> RangeStatement {
        RangeStatement {
            alpha: *c.alpha(),
            beta: *c.beta(),
            alpha_bytes: c.alpha().compress().to_bytes(),
            beta_bytes: c.beta().compress().to_bytes(),
        }
    }
}

/// One branch of a range proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeBranch {
    /// `a_j = u_j·G` (simulated: `z_j·G − c_j·α`).
    pub a: Element,
    /// `b_j = u_j·K` (simulated: `z_j·K − c_j·(β − j·G)`).
    pub b: Element,
    /// The branch challenge `c_j`.
    pub challenge: Scalar,
    /// The response `z_j = u_j + c_j·r`.
    pub response: Scalar,
}

/// A proof that a ciphertext encrypts a value in `0..=L`: exactly `L + 1` branches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeProof {
    /// The branches, in order `j = 0..=L`.
    pub branches: Vec<RangeBranch>,
}

/// The challenge of a range proof (spec §8.2).
#[must_use]
pub fn range_challenge(
    ctx: &RangeContext<'_>,
    max: u64,
    st: &RangeStatement,
    commitments: &mut dyn Iterator<Item = (&[u8; 32], &[u8; 32])>,
) -> Scalar {
    let mut t = Transcript::new(ctx.subject.tag(), ctx.fingerprint);
    t.append_element(ctx.key.element())
        .append(ctx.contest.as_bytes())
        .append(ctx.subject.value().as_bytes())
        .append_u64(max)
        .append_bytes32(&st.alpha_bytes)
        .append_bytes32(&st.beta_bytes);
    for (a, b) in commitments {
        t.append_bytes32(a).append_bytes32(b);
    }
    t.challenge()
}

fn check_max(max: u64) -> Result<usize, Error> {
    if max == 0 || max > MAX_RANGE {
        return Err(Error::Argument("range bound L must be in 1..=65536"));
    }
    usize::try_from(max)
        .map_err(|_| Error::Argument("range bound too large"))
        .map(|m| m + 1)
}

/// Prove that `st` encrypts `m ∈ 0..=max` with nonce `nonce` (spec §8.3).
///
/// Every branch costs the same fixed-base multiplications whichever is real, and the real
/// branch is chosen with constant-time selections, so the running time does not depend on `m`.
/// Cost: `2(L+1) + L` fixed-base multiplications and one batched compression.
pub fn prove_range<R: CryptoRng + ?Sized>(
    ctx: &RangeContext<'_>,
    max: u64,
    st: &RangeStatement,
    m: u64,
    nonce: &SecretScalar,
    rng: &mut R,
) -> Result<RangeProof, Error> {
    let pending = PendingRange::commit(ctx.key, max, m, nonce, rng)?;
    let elements = Element::from_halves("range commitment", &pending.halves)?;
    pending.finish(ctx, st, nonce, &elements)
}

/// A range proof whose commitments are computed (at half their value) but not yet
/// compressed, so that a caller proving many statements compresses all of them together.
pub(crate) struct PendingRange {
    max: u64,
    m: u64,
    u: SecretScalar,
    sim: Vec<(Scalar, Scalar)>,
    /// `a_0/2, b_0/2, a_1/2, …`.
    pub(crate) halves: Vec<RistrettoPoint>,
}

impl PendingRange {
    /// The commitments of a proof that the ciphertext encrypts `m ∈ 0..=max` under `key`.
    pub(crate) fn commit<R: CryptoRng + ?Sized>(
        key: &ElectionKey,
        max: u64,
        m: u64,
        nonce: &SecretScalar,
        rng: &mut R,
    ) -> Result<PendingRange, Error> {
        let n = check_max(max)?;
        if m > max {
            return Err(Error::OutOfRange {
                what: "plaintext",
                value: m,
                max,
            });
        }
        let r = nonce.expose();
        let u = SecretScalar::random(rng);
        let m_s = Scalar::from(m);
        let half = half();
        // Per branch: simulated challenge c_j and response z_j (discarded for the real
        // branch), w_j = u (real) or z_j − c_j·r (simulated), t_j = c_j·(j − m) (zero for the
        // real one): a_j = w_j·G, b_j = w_j·K + t_j·G. The L non-zero t_j·G are computed in
        // "slots" (slot k holds branch k below m and branch k + 1 from m on), chosen and
        // placed with constant-time selections, so every branch costs the same whichever is
        // real. Points are computed at half their value for the batched compression.
        let mut sim: Vec<(Scalar, Scalar)> = Vec::with_capacity(n);
        let mut ts: Vec<Scalar> = Vec::with_capacity(n);
        let mut halves: Vec<RistrettoPoint> = Vec::with_capacity(2 * n);
        for j in 0..=max {
            let c_j = Scalar::random(rng);
            let z_j = Scalar::random(rng);
            let is_real = j.ct_eq(&m);
            // w_j (with z_j and c_j) reveals r: wiped after use.
            let w_half = Zeroizing::new(
                Scalar::conditional_select(&(z_j - c_j * r), u.expose(), is_real) * half,
            );
            ts.push(c_j * (Scalar::from(j) - m_s));
            halves.push(mul_g(&w_half));
            halves.push(key.mul(&w_half));
            sim.push((c_j, z_j));
        }
        let slots: Vec<RistrettoPoint> = (0..max)
            .zip(ts.iter().zip(ts.iter().skip(1)))
            .map(|(k, (lo, hi))| {
                let at_or_after = !k.ct_lt(&m);
                mul_g(&(Scalar::conditional_select(lo, hi, at_or_after) * half))
            })
            .collect();
        for (j, b_half) in (0..=max).zip(halves.iter_mut().skip(1).step_by(2)) {
            let below = usize::try_from(j).ok().and_then(|i| slots.get(i)).copied();
            let above = usize::try_from(j)
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| slots.get(i))
                .copied();
            let mut t_point = RistrettoPoint::identity();
            t_point.conditional_assign(&below.unwrap_or(t_point), j.ct_lt(&m));
            t_point.conditional_assign(&above.unwrap_or(t_point), j.ct_gt(&m));
            *b_half += t_point;
        }
        Ok(PendingRange {
            max,
            m,
            u,
            sim,
            halves,
        })
    }

    /// Finish with the compressed commitments (`elements`, in the order of `halves`).
    pub(crate) fn finish(
        self,
        ctx: &RangeContext<'_>,
        st: &RangeStatement,
        nonce: &SecretScalar,
        elements: &[Element],
    ) -> Result<RangeProof, Error> {
        let PendingRange { max, m, u, sim, .. } = self;
        let r = nonce.expose();
        let elements: Vec<(Element, Element)> = elements
            .chunks_exact(2)
            .filter_map(|pair| match pair {
                [a, b] => Some((*a, *b)),
                _ => None,
            })
            .collect();
        if elements.len() != sim.len() {
            return Err(Error::Argument(
                "commitments do not match the pending proof",
            ));
        }
        let c = range_challenge(
            ctx,
            max,
            st,
            &mut elements.iter().map(|(a, b)| (a.as_bytes(), b.as_bytes())),
        );
        let mut c_real = c;
        for (j, (c_j, _)) in (0..=max).zip(&sim) {
            let is_real = j.ct_eq(&m);
            c_real -= Scalar::conditional_select(c_j, &Scalar::ZERO, is_real);
        }
        let z_real = u.expose() + c_real * r;
        let branches = (0..=max)
            .zip(sim)
            .zip(elements)
            .map(|((j, (c_j, z_j)), (a, b))| {
                let is_real = j.ct_eq(&m);
                RangeBranch {
                    a,
                    b,
                    challenge: Scalar::conditional_select(&c_j, &c_real, is_real),
                    response: Scalar::conditional_select(&z_j, &z_real, is_real),
                }
            })
            .collect();
        Ok(RangeProof { branches })
    }
}

impl RangeProof {
    /// The compact form of the branches used in the election record and the booth: one hex
    /// string per branch, `a ‖ b ‖ c ‖ z` (4 × 32 bytes, canonical encodings).
    #[must_use]
    pub fn to_compact_hex(&self) -> Vec<String> {
        self.branches
            .iter()
            .map(|b| {
                let mut v = Vec::with_capacity(128);
                v.extend_from_slice(b.a.as_bytes());
                v.extend_from_slice(b.b.as_bytes());
                v.extend_from_slice(&b.challenge.to_bytes());
                v.extend_from_slice(&b.response.to_bytes());
                crate::group::to_hex(&v)
            })
            .collect()
    }

    /// The proof as it travels, in binary: each branch's `a`, `b`, `c`, `z` as 32-byte
    /// canonical encodings, branch after branch (what a verifier decodes).
    #[must_use]
    pub fn to_words(&self) -> Vec<[u8; 32]> {
        self.branches
            .iter()
            .flat_map(|b| {
                [
                    b.a.to_bytes(),
                    b.b.to_bytes(),
                    b.challenge.to_bytes(),
                    b.response.to_bytes(),
                ]
            })
            .collect()
    }

    /// Decode the compact form of [`RangeProof::to_compact_hex`], refusing a branch that is
    /// not exactly 128 bytes or holds a non-canonical or identity element or scalar.
    pub fn from_compact_hex(branches: &[String]) -> Result<RangeProof, Error> {
        let mut out = Vec::with_capacity(branches.len());
        for b in branches {
            let bytes = crate::group::from_hex("range branch", b)?;
            if bytes.len() != 128 {
                return Err(Error::Length {
                    what: "range branch",
                    expected: 128,
                    got: bytes.len(),
                });
            }
            let (a, rest) = bytes.split_at(32);
            let (bb, rest) = rest.split_at(32);
            let (c, z) = rest.split_at(32);
            out.push(RangeBranch {
                a: Element::decode("range branch a", a)?,
                b: Element::decode("range branch b", bb)?,
                challenge: crate::group::decode_scalar("range branch challenge", c)?,
                response: crate::group::decode_scalar("range branch response", z)?,
            });
        }
        Ok(RangeProof { branches: out })
    }

    /// Structural checks and the recomputed challenge: exactly `L + 1` branches
    /// ([`Error::BranchCount`]), branch challenges summing to the challenge
    /// ([`Error::ChallengeMismatch`]).
    fn check_structure(
        &self,
        ctx: &RangeContext<'_>,
        max: u64,
        st: &RangeStatement,
    ) -> Result<(), Error> {
        let n = check_max(max)?;
        if self.branches.len() != n {
            return Err(Error::BranchCount {
                proof: PROOF,
                expected: n,
                got: self.branches.len(),
            });
        }
        let c = range_challenge(
            ctx,
            max,
            st,
            &mut self
                .branches
                .iter()
                .map(|b| (b.a.as_bytes(), b.b.as_bytes())),
        );
        let sum: Scalar = self.branches.iter().map(|b| b.challenge).sum();
        if sum != c {
            return Err(Error::ChallengeMismatch { proof: PROOF });
        }
        Ok(())
    }

    /// Verify the proof on its own (spec §8.4).
    pub fn verify(
        &self,
        ctx: &RangeContext<'_>,
        max: u64,
        st: &RangeStatement,
    ) -> Result<(), Error> {
        self.check_structure(ctx, max, st)?;
        let k = ctx.key.element().point();
        for (j, br) in (0u64..).zip(&self.branches) {
            let lhs1 = RistrettoPoint::vartime_double_scalar_mul_basepoint(
                &(-br.challenge),
                &st.alpha,
                &br.response,
            );
            if lhs1 != *br.a.point() {
                return Err(Error::InvalidProof {
                    proof: PROOF,
                    reason: "z_j·G != a_j + c_j·α",
                    culprit: Party::Prover,
                });
            }
            let lhs2 = RistrettoPoint::vartime_multiscalar_mul(
                [br.response, -br.challenge, br.challenge * Scalar::from(j)],
                [*k, st.beta, G],
            );
            if lhs2 != *br.b.point() {
                return Err(Error::InvalidProof {
                    proof: PROOF,
                    reason: "z_j·K != b_j + c_j·(β − j·G)",
                    culprit: Party::Prover,
                });
            }
        }
        Ok(())
    }

    /// Push the proof's weighted equations into a batch (spec §10) and return the
    /// coefficients of `α` and `β`, which the caller adds (so that a point shared by several
    /// proofs enters the multiscalar multiplication once).
    pub fn push_terms(
        &self,
        ctx: &RangeContext<'_>,
        max: u64,
        st: &RangeStatement,
        acc: &mut Accumulator,
    ) -> Result<(Scalar, Scalar), Error> {
        self.check_structure(ctx, max, st)?;
        let mut alpha = Scalar::ZERO;
        let mut beta = Scalar::ZERO;
        let mut g = Scalar::ZERO;
        let mut k = Scalar::ZERO;
        for (j, br) in (0u64..).zip(&self.branches) {
            // w1·(z·G − c·α − a) + w2·(z·K − c·β + c·j·G − b) = 0
            let w1 = acc.weight();
            let w2 = acc.weight();
            g += w1 * br.response + w2 * br.challenge * Scalar::from(j);
            k += w2 * br.response;
            alpha -= w1 * br.challenge;
            beta -= w2 * br.challenge;
            acc.add(-w1, *br.a.point());
            acc.add(-w2, *br.b.point());
        }
        acc.add_g(g);
        acc.add_shared(ctx.key.element(), k);
        Ok((alpha, beta))
    }
}

/// A range proof with its statement and context, for batch verification (spec §10).
#[derive(Clone, Copy, Debug)]
pub struct RangeItem<'a> {
    /// The context.
    pub ctx: RangeContext<'a>,
    /// `L`.
    pub max: u64,
    /// The ciphertext.
    pub statement: RangeStatement,
    /// The proof.
    pub proof: &'a RangeProof,
}

impl crate::batch::BatchVerifiable for RangeItem<'_> {
    fn verify_one(&self) -> Result<(), Error> {
        self.proof.verify(&self.ctx, self.max, &self.statement)
    }

    fn push_terms(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let (a, b) = self
            .proof
            .push_terms(&self.ctx, self.max, &self.statement, acc)?;
        acc.add(a, self.statement.alpha);
        acc.add(b, self.statement.beta);
        Ok(())
    }

    fn size_hint(&self) -> usize {
        2 * self.proof.branches.len() + 2
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::elgamal::{AggregateCiphertext, encrypt_random};
    use rand::SeedableRng;

    fn setup() -> (rand_chacha::ChaCha20Rng, ElectionKey) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let s = SecretScalar::random(&mut rng);
        let k = ElectionKey::new(Element::from_point("k", mul_g(s.expose())).unwrap());
        (rng, k)
    }

    #[test]
    fn every_value_in_range_proves_and_verifies() {
        let (mut rng, key) = setup();
        let fp = [9u8; 32];
        for max in [1u64, 2, 4] {
            for m in 0..=max {
                let ctx = RangeContext {
                    fingerprint: &fp,
                    key: &key,
                    contest: "c",
                    subject: Subject::Selection("s"),
                };
                let (ct, r) = encrypt_random(&key, m, &mut rng).unwrap();
                let st = RangeStatement::from_ciphertext(&ct);
                let p = prove_range(&ctx, max, &st, m, &r, &mut rng).unwrap();
                assert_eq!(p.branches.len() as u64, max + 1);
                p.verify(&ctx, max, &st).unwrap();
                // the binary form is the compact form's bytes, 32 at a time
                let words: Vec<u8> = p.to_words().concat();
                let compact: Vec<u8> = p
                    .to_compact_hex()
                    .iter()
                    .flat_map(|h| crate::group::from_hex("branch", h).unwrap())
                    .collect();
                assert_eq!(words, compact);
                assert_eq!(p.to_words().len() as u64, 4 * (max + 1));
                // the same proof does not hold for the limit subject
                let lim = RangeContext {
                    subject: Subject::Limit,
                    ..ctx
                };
                assert_eq!(
                    p.verify(&lim, max, &st),
                    Err(Error::ChallengeMismatch { proof: PROOF })
                );
            }
        }
    }

    #[test]
    fn out_of_range_value_is_refused_by_prover_and_forgery_fails() {
        let (mut rng, key) = setup();
        let fp = [9u8; 32];
        let ctx = RangeContext {
            fingerprint: &fp,
            key: &key,
            contest: "c",
            subject: Subject::Limit,
        };
        let (c1, r1) = encrypt_random(&key, 1, &mut rng).unwrap();
        let (c2, r2) = encrypt_random(&key, 1, &mut rng).unwrap();
        let sum = AggregateCiphertext::sum([&c1, &c2]);
        let st = RangeStatement::from_aggregate(&sum);
        let r = SecretScalar::new(r1.expose() + r2.expose());
        assert!(matches!(
            prove_range(&ctx, 1, &st, 2, &r, &mut rng),
            Err(Error::OutOfRange { .. })
        ));
        // A lying prover claims 1 for a sum of 2: the equations fail.
        let forged = prove_range(&ctx, 1, &st, 1, &r, &mut rng).unwrap();
        assert!(matches!(
            forged.verify(&ctx, 1, &st),
            Err(Error::InvalidProof { .. })
        ));
    }
}

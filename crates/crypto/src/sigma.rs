//! Schnorr proofs of knowledge and Chaum–Pedersen proofs of equal discrete logarithms
//! (spec §6, §7), in commitment form so that they can be verified in batches.
//!
//! Both bind a domain tag, the election fingerprint and caller-supplied context values (a
//! trustee index, a contest, a selection...) into the challenge, so a proof moved to another
//! context, statement or election fails.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::CryptoRng;

use crate::batch::{Accumulator, BatchVerifiable};
use crate::error::{Error, Party};
use crate::group::{Element, G, SecretScalar};
use crate::transcript::Transcript;

/// A Schnorr proof of knowledge of `x` with `Y = x·G` (spec §6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchnorrProof {
    /// The commitment `R = k·G`.
    pub commitment: Element,
    /// The response `z = k + c·x`.
    pub response: Scalar,
}

/// The Schnorr challenge: `lp(tag) ‖ lp(fp) ‖ lp(context_1) ‖ … ‖ lp(Y) ‖ lp(R)`.
#[must_use]
pub fn schnorr_challenge(
    tag: &str,
    fingerprint: &[u8; 32],
    context: &[&[u8]],
    public: &Element,
    commitment: &Element,
) -> Scalar {
    let mut t = Transcript::new(tag, fingerprint);
    for c in context {
        t.append(c);
    }
    t.append_element(public).append_element(commitment);
    t.challenge()
}

/// Prove knowledge of `secret` for `public = secret·G`.
pub fn prove_schnorr<R: CryptoRng + ?Sized>(
    tag: &str,
    fingerprint: &[u8; 32],
    context: &[&[u8]],
    secret: &SecretScalar,
    public: &Element,
    rng: &mut R,
) -> Result<SchnorrProof, Error> {
    let k = SecretScalar::random(rng);
    let commitment = Element::from_point("schnorr commitment", G * k.expose())?;
    let c = schnorr_challenge(tag, fingerprint, context, public, &commitment);
    Ok(SchnorrProof {
        commitment,
        response: k.expose() + c * secret.expose(),
    })
}

/// Verify a Schnorr proof: `z·G == R + c·Y`.
pub fn verify_schnorr(
    tag: &str,
    fingerprint: &[u8; 32],
    context: &[&[u8]],
    public: &Element,
    proof: &SchnorrProof,
) -> Result<(), Error> {
    let c = schnorr_challenge(tag, fingerprint, context, public, &proof.commitment);
    // z·G − c·Y == R (public values only: variable time is fine).
    let lhs =
        RistrettoPoint::vartime_double_scalar_mul_basepoint(&(-c), public.point(), &proof.response);
    if lhs == *proof.commitment.point() {
        Ok(())
    } else {
        Err(Error::InvalidProof {
            proof: "schnorr",
            reason: "z·G != R + c·Y",
            culprit: Party::Prover,
        })
    }
}

/// The statement of a Chaum–Pedersen proof: `y1 = x·g1` and `y2 = x·g2` for one secret `x`.
#[derive(Clone, Copy, Debug)]
pub struct DleqStatement<'a> {
    /// First base.
    pub g1: &'a Element,
    /// First public value.
    pub y1: &'a Element,
    /// Second base.
    pub g2: &'a Element,
    /// Second public value.
    pub y2: &'a Element,
}

/// A Chaum–Pedersen proof of equal discrete logarithms (spec §7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DleqProof {
    /// `a1 = k·g1`.
    pub a1: Element,
    /// `a2 = k·g2`.
    pub a2: Element,
    /// `z = k + c·x`.
    pub response: Scalar,
}

/// The Chaum–Pedersen challenge:
/// `lp(tag) ‖ lp(fp) ‖ lp(context…) ‖ lp(g1) ‖ lp(y1) ‖ lp(g2) ‖ lp(y2) ‖ lp(a1) ‖ lp(a2)`.
#[must_use]
pub fn dleq_challenge(
    tag: &str,
    fingerprint: &[u8; 32],
    context: &[&[u8]],
    st: &DleqStatement<'_>,
    a1: &Element,
    a2: &Element,
) -> Scalar {
    let mut t = Transcript::new(tag, fingerprint);
    for c in context {
        t.append(c);
    }
    t.append_element(st.g1)
        .append_element(st.y1)
        .append_element(st.g2)
        .append_element(st.y2)
        .append_element(a1)
        .append_element(a2);
    t.challenge()
}

/// Prove `log_{g1} y1 == log_{g2} y2 == secret`.
pub fn prove_dleq<R: CryptoRng + ?Sized>(
    tag: &str,
    fingerprint: &[u8; 32],
    context: &[&[u8]],
    st: &DleqStatement<'_>,
    secret: &SecretScalar,
    rng: &mut R,
) -> Result<DleqProof, Error> {
    let k = SecretScalar::random(rng);
    let a1 = Element::from_point("dleq a1", st.g1.point() * k.expose())?;
    let a2 = Element::from_point("dleq a2", st.g2.point() * k.expose())?;
    let c = dleq_challenge(tag, fingerprint, context, st, &a1, &a2);
    Ok(DleqProof {
        a1,
        a2,
        response: k.expose() + c * secret.expose(),
    })
}

/// Verify a Chaum–Pedersen proof: `z·g1 == a1 + c·y1` and `z·g2 == a2 + c·y2`.
pub fn verify_dleq(
    tag: &str,
    fingerprint: &[u8; 32],
    context: &[&[u8]],
    st: &DleqStatement<'_>,
    proof: &DleqProof,
) -> Result<(), Error> {
    let c = dleq_challenge(tag, fingerprint, context, st, &proof.a1, &proof.a2);
    let z = proof.response;
    // z·g − c·y == a for both pairs (public values only: variable time is fine).
    let check = |g: &Element, y: &Element| {
        RistrettoPoint::vartime_multiscalar_mul([z, -c], [*g.point(), *y.point()])
    };
    if check(st.g1, st.y1) != *proof.a1.point() {
        return Err(Error::InvalidProof {
            proof: "chaum-pedersen",
            reason: "z·g1 != a1 + c·y1",
            culprit: Party::Prover,
        });
    }
    if check(st.g2, st.y2) != *proof.a2.point() {
        return Err(Error::InvalidProof {
            proof: "chaum-pedersen",
            reason: "z·g2 != a2 + c·y2",
            culprit: Party::Prover,
        });
    }
    Ok(())
}

/// A Schnorr proof with its statement and context, for batch verification (spec §10).
#[derive(Clone, Copy, Debug)]
pub struct SchnorrItem<'a> {
    /// The domain tag.
    pub tag: &'a str,
    /// The election fingerprint.
    pub fingerprint: &'a [u8; 32],
    /// The context values.
    pub context: &'a [&'a [u8]],
    /// `Y`.
    pub public: &'a Element,
    /// The proof.
    pub proof: &'a SchnorrProof,
}

impl BatchVerifiable for SchnorrItem<'_> {
    fn verify_one(&self) -> Result<(), Error> {
        verify_schnorr(
            self.tag,
            self.fingerprint,
            self.context,
            self.public,
            self.proof,
        )
    }

    fn push_terms(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let c = schnorr_challenge(
            self.tag,
            self.fingerprint,
            self.context,
            self.public,
            &self.proof.commitment,
        );
        // w·(z·G − R − c·Y) = 0
        let w = acc.weight();
        acc.add_g(w * self.proof.response);
        acc.add(-w, *self.proof.commitment.point());
        acc.add(-(w * c), *self.public.point());
        Ok(())
    }

    fn size_hint(&self) -> usize {
        2
    }
}

/// A Chaum–Pedersen proof with its statement and context, for batch verification.
#[derive(Clone, Copy, Debug)]
pub struct DleqItem<'a> {
    /// The domain tag.
    pub tag: &'a str,
    /// The election fingerprint.
    pub fingerprint: &'a [u8; 32],
    /// The context values.
    pub context: &'a [&'a [u8]],
    /// The statement.
    pub statement: DleqStatement<'a>,
    /// The proof.
    pub proof: &'a DleqProof,
}

fn add_base(acc: &mut Accumulator, base: &Element, s: Scalar) {
    if *base.point() == G {
        acc.add_g(s);
    } else {
        acc.add_shared(base, s);
    }
}

impl BatchVerifiable for DleqItem<'_> {
    fn verify_one(&self) -> Result<(), Error> {
        verify_dleq(
            self.tag,
            self.fingerprint,
            self.context,
            &self.statement,
            self.proof,
        )
    }

    fn push_terms(&self, acc: &mut Accumulator) -> Result<(), Error> {
        let st = &self.statement;
        let p = self.proof;
        let c = dleq_challenge(self.tag, self.fingerprint, self.context, st, &p.a1, &p.a2);
        // w1·(z·g1 − a1 − c·y1) + w2·(z·g2 − a2 − c·y2) = 0
        let w1 = acc.weight();
        let w2 = acc.weight();
        add_base(acc, st.g1, w1 * p.response);
        add_base(acc, st.g2, w2 * p.response);
        acc.add(-w1, *p.a1.point());
        acc.add(-w2, *p.a2.point());
        acc.add(-(w1 * c), *st.y1.point());
        acc.add(-(w2 * c), *st.y2.point());
        Ok(())
    }

    fn size_hint(&self) -> usize {
        4
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use rand::SeedableRng;

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(1)
    }

    #[test]
    fn schnorr_round_trip_and_context_binding() {
        let mut rng = rng();
        let x = SecretScalar::random(&mut rng);
        let y = Element::from_point("y", G * x.expose()).unwrap();
        let fp = [1u8; 32];
        let p = prove_schnorr("t", &fp, &[b"trustee 1"], &x, &y, &mut rng).unwrap();
        verify_schnorr("t", &fp, &[b"trustee 1"], &y, &p).unwrap();
        assert!(verify_schnorr("t", &fp, &[b"trustee 2"], &y, &p).is_err());
        assert!(verify_schnorr("u", &fp, &[b"trustee 1"], &y, &p).is_err());
        assert!(verify_schnorr("t", &[2u8; 32], &[b"trustee 1"], &y, &p).is_err());
    }

    #[test]
    fn dleq_round_trip_and_statement_binding() {
        let mut rng = rng();
        let x = SecretScalar::random(&mut rng);
        let g1 = Element::from_point("g", G).unwrap();
        let g2 = Element::from_point("h", G * Scalar::from(9u64)).unwrap();
        let y1 = Element::from_point("y1", g1.point() * x.expose()).unwrap();
        let y2 = Element::from_point("y2", g2.point() * x.expose()).unwrap();
        let st = DleqStatement {
            g1: &g1,
            y1: &y1,
            g2: &g2,
            y2: &y2,
        };
        let fp = [1u8; 32];
        let p = prove_dleq("d", &fp, &[], &st, &x, &mut rng).unwrap();
        verify_dleq("d", &fp, &[], &st, &p).unwrap();
        let bad = DleqStatement { y2: &y1, ..st };
        assert!(verify_dleq("d", &fp, &[], &bad, &p).is_err());
    }
}

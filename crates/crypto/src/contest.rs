//! Encrypted contests: one ciphertext and range proof per selection, and the
//! selection-limit proof (spec §9).
//!
//! For a contest with selections `s_1 … s_n`, each allowing `0..=selection_max` votes, and a
//! limit of `votes_allowed` votes in all:
//!
//! - selection `i` carries `Enc(m_i; r_i)` and a range proof `0..=selection_max` under tag
//!   `range-proof/selection` with subject the selection identifier;
//! - the contest carries a range proof `0..=votes_allowed` on the homomorphic sum of the
//!   selection ciphertexts (nonce `Σ r_i`) under tag `range-proof/limit`, subject `"limit"`.
//!
//! So an over-vote — every selection a valid 0/1 but the sum above the limit — cannot be
//! proven. The reference ballot of the benchmarks is one contest of 20 selections, vote for 1.

use curve25519_dalek::scalar::Scalar;
use rand_core::CryptoRng;

use crate::batch::{Accumulator, BatchError, BatchVerifiable};
use crate::elgamal::{
    AggregateCiphertext, Ciphertext, ElectionKey, ciphertext_from_elements, encrypt_halves,
};
use crate::error::Error;
use crate::group::{Element, SecretScalar};
use crate::params::ElectionFingerprint;
use crate::range::{PendingRange, RangeContext, RangeProof, RangeStatement, Subject, prove_range};

/// The largest number of selections in one contest.
pub const MAX_SELECTIONS: usize = 1024;

/// What the election manifest says about one contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestDescription {
    contest_id: String,
    selection_ids: Vec<String>,
    votes_allowed: u64,
    selection_max: u64,
}

impl ContestDescription {
    /// A contest description. Refused: no selections or more than [`MAX_SELECTIONS`], empty
    /// or duplicate identifiers, a limit or per-selection maximum of zero or above
    /// [`crate::range::MAX_RANGE`].
    pub fn new(
        contest_id: &str,
        selection_ids: &[&str],
        votes_allowed: u64,
        selection_max: u64,
    ) -> Result<ContestDescription, Error> {
        let bad = |reason: &str| Error::Structure {
            what: "contest description",
            reason: reason.to_owned(),
        };
        if contest_id.is_empty() {
            return Err(bad("empty contest identifier"));
        }
        if selection_ids.is_empty() || selection_ids.len() > MAX_SELECTIONS {
            return Err(bad("number of selections outside 1..=1024"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for id in selection_ids {
            if id.is_empty() || !seen.insert(*id) {
                return Err(bad("empty or duplicate selection identifier"));
            }
        }
        let max = crate::range::MAX_RANGE;
        if votes_allowed == 0 || votes_allowed > max || selection_max == 0 || selection_max > max {
            return Err(bad("votes allowed or selection maximum outside 1..=65536"));
        }
        Ok(ContestDescription {
            contest_id: contest_id.to_owned(),
            selection_ids: selection_ids.iter().map(|s| (*s).to_owned()).collect(),
            votes_allowed,
            selection_max,
        })
    }

    /// The contest identifier.
    #[must_use]
    pub fn contest_id(&self) -> &str {
        &self.contest_id
    }

    /// The selection identifiers, in ballot order.
    #[must_use]
    pub fn selection_ids(&self) -> &[String] {
        &self.selection_ids
    }

    /// The limit: at most this many votes in the contest.
    #[must_use]
    pub fn votes_allowed(&self) -> u64 {
        self.votes_allowed
    }

    /// At most this many votes per selection (1 for an ordinary contest).
    #[must_use]
    pub fn selection_max(&self) -> u64 {
        self.selection_max
    }
}

/// The election-wide values every ballot proof is bound to.
#[derive(Clone, Debug)]
pub struct BallotContext {
    /// The election fingerprint.
    pub fingerprint: ElectionFingerprint,
    /// The election key with its table.
    pub key: ElectionKey,
}

impl BallotContext {
    /// The context of a ballot cast with a voter credential (spec §9.4): the same key, and
    /// in place of the election fingerprint `hash256("credential-context", fingerprint,
    /// credential)`, so that every proof of the ballot is bound to that one credential and a
    /// ballot copied under another credential fails verification.
    #[must_use]
    pub fn for_credential(&self, credential: &[u8; 32]) -> BallotContext {
        let bound = crate::transcript::hash256(
            "credential-context",
            &[self.fingerprint.as_bytes(), credential],
        );
        BallotContext {
            fingerprint: ElectionFingerprint(bound),
            key: self.key.clone(),
        }
    }
}

/// One encrypted selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedSelection {
    /// The selection identifier.
    pub selection_id: String,
    /// The encrypted vote count.
    pub ciphertext: Ciphertext,
    /// Proof that it is in `0..=selection_max`.
    pub proof: RangeProof,
}

/// One encrypted contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedContest {
    /// The contest identifier.
    pub contest_id: String,
    /// The selections, in the manifest's order.
    pub selections: Vec<EncryptedSelection>,
    /// Proof that the sum of the selections is in `0..=votes_allowed`.
    pub limit_proof: RangeProof,
}

fn range_ctx<'a>(
    ctx: &'a BallotContext,
    contest: &'a str,
    subject: Subject<'a>,
) -> RangeContext<'a> {
    RangeContext {
        fingerprint: ctx.fingerprint.as_bytes(),
        key: &ctx.key,
        contest,
        subject,
    }
}

/// Encrypt a plaintext contest (one count per selection, in the manifest's order) with
/// all its proofs (spec §9.2). Refused: a vector of the wrong length, a count above
/// `selection_max`, a sum above `votes_allowed`.
pub fn encrypt_contest<R: CryptoRng + ?Sized>(
    ctx: &BallotContext,
    desc: &ContestDescription,
    plaintext: &[u64],
    rng: &mut R,
) -> Result<EncryptedContest, Error> {
    if plaintext.len() != desc.selection_ids.len() {
        return Err(Error::Argument(
            "plaintext length differs from the number of selections",
        ));
    }
    let mut total: u64 = 0;
    for &m in plaintext {
        if m > desc.selection_max {
            return Err(Error::OutOfRange {
                what: "selection",
                value: m,
                max: desc.selection_max,
            });
        }
        total = total.saturating_add(m);
    }
    if total > desc.votes_allowed {
        return Err(Error::OutOfRange {
            what: "contest total",
            value: total,
            max: desc.votes_allowed,
        });
    }
    // Every ciphertext and commitment of the selections is computed at half its value and
    // all are compressed together (one field inversion for the whole contest).
    let mut pending = Vec::with_capacity(plaintext.len());
    let mut halves = Vec::new();
    for &m in plaintext {
        let nonce = SecretScalar::random(rng);
        halves.extend(encrypt_halves(&ctx.key, m, &nonce));
        let p = PendingRange::commit(&ctx.key, desc.selection_max, m, &nonce, rng)?;
        halves.extend_from_slice(&p.halves);
        pending.push((nonce, p));
    }
    let elements = Element::from_halves("ballot point", &halves)?;
    let mut rest: &[Element] = &elements;
    let mut selections = Vec::with_capacity(plaintext.len());
    let mut nonce_sum = SecretScalar::new(Scalar::ZERO);
    let mut sum = AggregateCiphertext::zero();
    for (id, (nonce, p)) in desc.selection_ids.iter().zip(pending) {
        let (ct_parts, tail) = rest.split_at(2.min(rest.len()));
        let (commitments, tail) = tail.split_at(p.halves.len().min(tail.len()));
        rest = tail;
        let ciphertext = ciphertext_from_elements(ct_parts)?;
        let st = RangeStatement::from_ciphertext(&ciphertext);
        let proof = p.finish(
            &range_ctx(ctx, &desc.contest_id, Subject::Selection(id)),
            &st,
            &nonce,
            commitments,
        )?;
        nonce_sum = SecretScalar::new(nonce_sum.expose() + nonce.expose());
        sum.add(&ciphertext);
        selections.push(EncryptedSelection {
            selection_id: id.clone(),
            ciphertext,
            proof,
        });
    }
    let limit_proof = prove_range(
        &range_ctx(ctx, &desc.contest_id, Subject::Limit),
        desc.votes_allowed,
        &RangeStatement::from_aggregate(&sum),
        total,
        &nonce_sum,
        rng,
    )?;
    Ok(EncryptedContest {
        contest_id: desc.contest_id.clone(),
        selections,
        limit_proof,
    })
}

impl EncryptedContest {
    fn check_shape(&self, desc: &ContestDescription) -> Result<(), Error> {
        if self.contest_id != desc.contest_id {
            return Err(Error::Structure {
                what: "encrypted contest",
                reason: format!(
                    "contest identifier {:?} where the manifest has {:?}",
                    self.contest_id, desc.contest_id
                ),
            });
        }
        if self.selections.len() != desc.selection_ids.len() {
            return Err(Error::Structure {
                what: "encrypted contest",
                reason: format!(
                    "{} selections where the manifest has {}",
                    self.selections.len(),
                    desc.selection_ids.len()
                ),
            });
        }
        for (index, (sel, id)) in self.selections.iter().zip(&desc.selection_ids).enumerate() {
            if &sel.selection_id != id {
                return Err(Error::Selection {
                    index,
                    error: Box::new(Error::Structure {
                        what: "encrypted selection",
                        reason: format!(
                            "selection identifier {:?} where the manifest has {:?}",
                            sel.selection_id, id
                        ),
                    }),
                });
            }
        }
        Ok(())
    }

    /// The homomorphic sum of the selection ciphertexts.
    #[must_use]
    pub fn sum(&self) -> AggregateCiphertext {
        AggregateCiphertext::sum(self.selections.iter().map(|s| &s.ciphertext))
    }

    /// Verify every proof one by one (spec §9.3).
    pub fn verify(&self, ctx: &BallotContext, desc: &ContestDescription) -> Result<(), Error> {
        self.check_shape(desc)?;
        for (index, sel) in self.selections.iter().enumerate() {
            sel.proof
                .verify(
                    &range_ctx(ctx, &self.contest_id, Subject::Selection(&sel.selection_id)),
                    desc.selection_max,
                    &RangeStatement::from_ciphertext(&sel.ciphertext),
                )
                .map_err(|e| Error::Selection {
                    index,
                    error: Box::new(e),
                })?;
        }
        self.limit_proof.verify(
            &range_ctx(ctx, &self.contest_id, Subject::Limit),
            desc.votes_allowed,
            &RangeStatement::from_aggregate(&self.sum()),
        )
    }

    /// Push every equation of the contest into a batch (spec §10). The coefficient of each
    /// selection's `α`/`β` collects its own proof's terms and the limit proof's terms for the
    /// sum, so the sum's points never enter the multiscalar multiplication.
    pub fn push_terms(
        &self,
        ctx: &BallotContext,
        desc: &ContestDescription,
        acc: &mut Accumulator,
    ) -> Result<(), Error> {
        self.check_shape(desc)?;
        let mut coeffs = Vec::with_capacity(self.selections.len());
        for (index, sel) in self.selections.iter().enumerate() {
            let c = sel
                .proof
                .push_terms(
                    &range_ctx(ctx, &self.contest_id, Subject::Selection(&sel.selection_id)),
                    desc.selection_max,
                    &RangeStatement::from_ciphertext(&sel.ciphertext),
                    acc,
                )
                .map_err(|e| Error::Selection {
                    index,
                    error: Box::new(e),
                })?;
            coeffs.push(c);
        }
        let (la, lb) = self.limit_proof.push_terms(
            &range_ctx(ctx, &self.contest_id, Subject::Limit),
            desc.votes_allowed,
            &RangeStatement::from_aggregate(&self.sum()),
            acc,
        )?;
        for (sel, (a, b)) in self.selections.iter().zip(coeffs) {
            acc.add(a + la, *sel.ciphertext.alpha().point());
            acc.add(b + lb, *sel.ciphertext.beta().point());
        }
        Ok(())
    }
}

/// An encrypted contest with what it is verified against, for batch verification.
#[derive(Clone, Copy, Debug)]
pub struct ContestItem<'a> {
    /// The election's fingerprint and key.
    pub ctx: &'a BallotContext,
    /// The manifest's description of the contest.
    pub desc: &'a ContestDescription,
    /// The encrypted contest.
    pub contest: &'a EncryptedContest,
}

impl BatchVerifiable for ContestItem<'_> {
    fn verify_one(&self) -> Result<(), Error> {
        self.contest.verify(self.ctx, self.desc)
    }

    fn push_terms(&self, acc: &mut Accumulator) -> Result<(), Error> {
        self.contest.push_terms(self.ctx, self.desc, acc)
    }

    fn size_hint(&self) -> usize {
        let n = self.contest.selections.len();
        let per = usize::try_from(self.desc.selection_max).unwrap_or(1) + 1;
        n * (2 * per + 2) + 2 * (usize::try_from(self.desc.votes_allowed).unwrap_or(1) + 1)
    }
}

/// Verify many encrypted contests of one contest description in batches (spec §10); the
/// lowest failing contest and its error otherwise.
pub fn verify_contests_batched<R: CryptoRng + ?Sized>(
    ctx: &BallotContext,
    desc: &ContestDescription,
    contests: &[EncryptedContest],
    rng: &mut R,
) -> Result<(), BatchError> {
    let items: Vec<ContestItem<'_>> = contests
        .iter()
        .map(|contest| ContestItem { ctx, desc, contest })
        .collect();
    crate::batch::verify_batch(&items, rng)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::elgamal::mul_g;
    use rand::SeedableRng;

    fn setup() -> (rand_chacha::ChaCha20Rng, BallotContext, ContestDescription) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let s = SecretScalar::random(&mut rng);
        let key = ElectionKey::new(Element::from_point("k", mul_g(s.expose())).unwrap());
        let ctx = BallotContext {
            fingerprint: ElectionFingerprint([4; 32]),
            key,
        };
        let desc = ContestDescription::new("mayor", &["a", "b", "c"], 1, 1).unwrap();
        (rng, ctx, desc)
    }

    #[test]
    fn encrypt_verify_and_batch() {
        let (mut rng, ctx, desc) = setup();
        let mut all = Vec::new();
        for pt in [[0, 0, 0], [1, 0, 0], [0, 0, 1]] {
            let c = encrypt_contest(&ctx, &desc, &pt, &mut rng).unwrap();
            c.verify(&ctx, &desc).unwrap();
            all.push(c);
        }
        verify_contests_batched(&ctx, &desc, &all, &mut rng).unwrap();
        // swap two selection ciphertexts in contest 1: its proofs no longer match
        let s0 = all[1].selections[0].ciphertext;
        all[1].selections[0].ciphertext = all[1].selections[1].ciphertext;
        all[1].selections[1].ciphertext = s0;
        let err = verify_contests_batched(&ctx, &desc, &all, &mut rng).unwrap_err();
        assert_eq!(err.index, 1);
        assert_eq!(Err(err.error), all[1].verify(&ctx, &desc));
    }

    #[test]
    fn credential_context_binds_the_ballot_to_one_credential() {
        use sha2::Digest as _;
        let (mut rng, ctx, desc) = setup();
        let (c1, c2) = ([7u8; 32], [8u8; 32]);
        let bound = ctx.for_credential(&c1);
        // Hand framing of spec §3.3: SHA-256(lp("sanduq/0.1") ‖ lp(tag) ‖ lp(fp) ‖ lp(c)).
        let mut h = sha2::Sha256::new();
        for part in [&b"sanduq/0.1"[..], b"credential-context", &[4u8; 32], &c1] {
            h.update(u32::try_from(part.len()).unwrap().to_be_bytes());
            h.update(part);
        }
        let expected: [u8; 32] = h.finalize().into();
        assert_eq!(bound.fingerprint.as_bytes(), &expected);
        let c = encrypt_contest(&bound, &desc, &[0, 1, 0], &mut rng).unwrap();
        c.verify(&bound, &desc).unwrap();
        assert!(
            c.verify(&ctx, &desc).is_err(),
            "moved out of the credential"
        );
        assert!(
            c.verify(&ctx.for_credential(&c2), &desc).is_err(),
            "moved to another credential"
        );
    }

    #[test]
    fn plaintext_validation() {
        let (mut rng, ctx, desc) = setup();
        assert!(encrypt_contest(&ctx, &desc, &[1, 1, 0], &mut rng).is_err());
        assert!(encrypt_contest(&ctx, &desc, &[2, 0, 0], &mut rng).is_err());
        assert!(encrypt_contest(&ctx, &desc, &[0, 0], &mut rng).is_err());
        assert!(ContestDescription::new("x", &["a", "a"], 1, 1).is_err());
        assert!(ContestDescription::new("x", &["a"], 0, 1).is_err());
    }
}

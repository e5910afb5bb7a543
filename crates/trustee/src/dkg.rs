//! The key ceremony: a Pedersen/Feldman distributed key generation with commit-before-reveal
//! (Gennaro, Jarecki, Krawczyk, Rabin, "Secure distributed key generation for discrete-log
//! based cryptosystems", 1999/2007), spec §3–§6.
//!
//! Every trustee runs, in turn, and publishes the output of each step:
//!
//! 1. [`register`]: a long-term encryption key `P_i` with a proof of knowledge bound to its
//!    index and the election ([`Registration`]).
//! 2. [`part1`]: two random polynomials `f_i`, `f'_i` of degree `t−1`; the hiding Pedersen
//!    commitments $C_{ik} = a_{ik}·G + b_{ik}·H$; and for every other trustee `j` the share
//!    `(f_i(j), f'_i(j))` encrypted to `P_j` ([`Round1Package`]). Since the commitments hide
//!    `a_{i0}`, no trustee can choose its contribution after seeing the others'.
//! 3. [`part2`]: each trustee decrypts the shares sent to it and checks
//!    $f_i(j)·G + f'_i(j)·H = Σ_k j^k C_{ik}$; for each failure it files a verifiable
//!    complaint ([`Round2Package`]). Anyone then runs [`qualify`], which judges every
//!    complaint and disqualifies whoever is wrong, leaving the qualified set QUAL.
//! 4. [`part3`]: the qualified trustees reveal the Feldman commitments $A_{ik} = a_{ik}·G$,
//!    each with a Schnorr proof of knowledge bound to the index, the degree and the election
//!    ([`Round3Package`]).
//! 5. [`part4`]: each trustee checks $f_i(j)·G = Σ_k j^k A_{ik}$ for every share it holds,
//!    and obtains its key share $s_j = Σ_{i∈QUAL} f_i(j)$ and the public
//!    [`PublicKeyPackage`]: the joint key $K = Σ_{i∈QUAL} A_{i0}$ and every public share
//!    $P_j = Σ_{i∈QUAL} Σ_k j^k A_{ik}$, which anyone can recompute with
//!    [`verify_ceremony`].
//!
//! A reveal inconsistent with a share already checked against the Pedersen commitments
//! means the dealer changed its polynomial after seeing the others' commitments; it is
//! named ([`Error::RevealInconsistent`]) and can be proved to anyone with
//! [`Round3Secret::reveal_complaint`] and [`judge_reveal_complaint`]. The ceremony then
//! starts again without it (spec §6.2 explains why that suffices).
//!
//! Secret state is taken by value at every step, so it cannot be reused. A trustee that runs
//! each step at a different time keeps only [`StoredSecrets`] (its encryption key and
//! polynomials, encrypted at rest by the caller) and rebuilds the state of a step from them
//! and the published messages with `Round1Secret::restore`, `Round2Secret::restore` or
//! `Round3Secret::restore`.

use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_core::CryptoRng;
use sanduq_crypto::group::G;
use sanduq_crypto::sigma::{SchnorrProof, prove_schnorr, verify_schnorr};
use sanduq_crypto::{ElectionFingerprint, Element, Parameters, SecretScalar};

use crate::error::{Error, Stage};
use crate::polynomial::{SecretPolynomial, evaluate_in_exponent};
use crate::share_encryption::{
    DealtShare, EncryptedShare, EncryptionKeyPair, RevealedSharedPoint, ShareContext,
    verify_possession,
};
use crate::{Policy, ProvinceCode, TAG_COEFFICIENT_POK, TrusteeIndex};

/// What every trustee agrees on before the ceremony: the election, its parameters (the
/// second generator `H`) and the policy with its roster of trustees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CeremonySetup {
    fingerprint: ElectionFingerprint,
    parameters: Parameters,
    policy: Policy,
}

impl CeremonySetup {
    /// The setup of one ceremony.
    #[must_use]
    pub fn new(
        fingerprint: ElectionFingerprint,
        parameters: Parameters,
        policy: Policy,
    ) -> CeremonySetup {
        CeremonySetup {
            fingerprint,
            parameters,
            policy,
        }
    }

    /// The election fingerprint.
    #[must_use]
    pub fn fingerprint(&self) -> &ElectionFingerprint {
        &self.fingerprint
    }

    /// The election parameters.
    #[must_use]
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn threshold_len(&self) -> usize {
        usize::try_from(self.policy.threshold()).unwrap_or(usize::MAX)
    }
}

/// A trustee's registration: its province and encryption key with a proof of knowledge
/// (spec §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The trustee.
    pub trustee: TrusteeIndex,
    /// Its province, as in the policy.
    pub province: ProvinceCode,
    /// Its encryption key `P_i`.
    pub encryption_key: Element,
    /// Schnorr proof of knowledge of `log_G P_i` (tag `trustee-encryption-key-pok`).
    pub proof: SchnorrProof,
}

/// Make a trustee's encryption key pair and registration (spec §3).
pub fn register<R: CryptoRng + ?Sized>(
    setup: &CeremonySetup,
    trustee: TrusteeIndex,
    rng: &mut R,
) -> Result<(EncryptionKeyPair, Registration), Error> {
    let province = setup.policy.province(trustee)?.clone();
    let keys = EncryptionKeyPair::generate(rng)?;
    let proof = keys.prove_possession(&setup.fingerprint, trustee, rng)?;
    let registration = Registration {
        trustee,
        province,
        encryption_key: *keys.public(),
        proof,
    };
    Ok((keys, registration))
}

/// Check every trustee of the policy registered exactly once, in its province, with a
/// valid proof of knowledge (spec §3.2).
pub fn verify_registrations(
    setup: &CeremonySetup,
    registrations: &BTreeMap<TrusteeIndex, Registration>,
) -> Result<(), Error> {
    check_keys(setup, registrations, Stage::Registration, |r| r.trustee)?;
    for (trustee, r) in registrations {
        if setup.policy.province(*trustee)? != &r.province {
            return Err(Error::Malformed {
                stage: Stage::Registration,
                trustee: *trustee,
                detail: format!("province {} is not the policy's", r.province.as_str()),
            });
        }
        verify_possession(&setup.fingerprint, *trustee, &r.encryption_key, &r.proof)?;
    }
    Ok(())
}

/// Check a map of messages holds one message from each of `expected`, keyed by its sender.
fn check_keys_of<M>(
    expected: &BTreeSet<TrusteeIndex>,
    messages: &BTreeMap<TrusteeIndex, M>,
    stage: Stage,
    sender: impl Fn(&M) -> TrusteeIndex,
) -> Result<(), Error> {
    for (key, m) in messages {
        if !expected.contains(key) {
            return Err(Error::UnknownTrustee { trustee: *key });
        }
        if sender(m) != *key {
            return Err(Error::Malformed {
                stage,
                trustee: sender(m),
                detail: format!("message filed under {key}"),
            });
        }
    }
    for t in expected {
        if !messages.contains_key(t) {
            return Err(Error::MissingMessage { stage, trustee: *t });
        }
    }
    Ok(())
}

fn check_keys<M>(
    setup: &CeremonySetup,
    messages: &BTreeMap<TrusteeIndex, M>,
    stage: Stage,
    sender: impl Fn(&M) -> TrusteeIndex,
) -> Result<(), Error> {
    let all: BTreeSet<TrusteeIndex> = setup.policy.trustees().keys().copied().collect();
    check_keys_of(&all, messages, stage, sender)
}

/// A trustee's round-1 message (spec §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round1Package {
    /// The dealer.
    pub trustee: TrusteeIndex,
    /// The Pedersen commitments $C_{ik} = a_{ik}·G + b_{ik}·H$, `k = 0 … t−1`.
    pub commitments: Vec<Element>,
    /// The share of every other trustee, encrypted to it.
    pub encrypted_shares: BTreeMap<TrusteeIndex, EncryptedShare>,
}

/// A trustee's secret state after round 1. Consumed by [`part2`].
#[derive(Debug)]
pub struct Round1Secret {
    setup: CeremonySetup,
    trustee: TrusteeIndex,
    keys: EncryptionKeyPair,
    polynomial: SecretPolynomial,
    blinding: SecretPolynomial,
    own_share: DealtShare,
}

impl Round1Secret {
    /// The trustee.
    #[must_use]
    pub fn trustee(&self) -> TrusteeIndex {
        self.trustee
    }
}

/// Round 1 (spec §4.1): choose the polynomials, commit to them, and encrypt each share to
/// its recipient. Checks every registration first.
pub fn part1<R: CryptoRng + ?Sized>(
    setup: &CeremonySetup,
    trustee: TrusteeIndex,
    keys: EncryptionKeyPair,
    registrations: &BTreeMap<TrusteeIndex, Registration>,
    rng: &mut R,
) -> Result<(Round1Secret, Round1Package), Error> {
    verify_registrations(setup, registrations)?;
    let own = registrations
        .get(&trustee)
        .ok_or(Error::UnknownTrustee { trustee })?;
    if own.encryption_key != *keys.public() {
        return Err(Error::Argument(format!(
            "the key pair is not the one {trustee} registered"
        )));
    }
    let t = setup.policy.threshold();
    let f = SecretPolynomial::random(t, rng);
    let f_blind = SecretPolynomial::random(t, rng);
    let h = setup.parameters.h().point();
    let commitments = f
        .coefficients()
        .iter()
        .zip(f_blind.coefficients())
        .map(|(a, b)| {
            Element::from_point("pedersen commitment", G * a.expose() + h * b.expose())
                .map_err(|e| Error::Argument(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut encrypted_shares = BTreeMap::new();
    for (recipient, r) in registrations {
        if *recipient == trustee {
            continue;
        }
        let share = dealt_share(&f, &f_blind, *recipient);
        let ctx = ShareContext {
            fingerprint: &setup.fingerprint,
            sender: trustee,
            recipient: *recipient,
            recipient_key: &r.encryption_key,
        };
        encrypted_shares.insert(*recipient, ctx.encrypt(&share, rng)?);
    }
    let own_share = dealt_share(&f, &f_blind, trustee);
    let secret = Round1Secret {
        setup: setup.clone(),
        trustee,
        keys,
        polynomial: f,
        blinding: f_blind,
        own_share,
    };
    let package = Round1Package {
        trustee,
        commitments,
        encrypted_shares,
    };
    Ok((secret, package))
}

fn dealt_share(f: &SecretPolynomial, f_blind: &SecretPolynomial, at: TrusteeIndex) -> DealtShare {
    DealtShare {
        value: f.evaluate(at),
        blinding: f_blind.evaluate(at),
    }
}

/// Check the shape of every round-1 message: one per trustee, `t` commitments, one
/// encrypted share for each other trustee and none else (spec §4.2).
pub fn verify_round1_shape(
    setup: &CeremonySetup,
    round1: &BTreeMap<TrusteeIndex, Round1Package>,
) -> Result<(), Error> {
    check_keys(setup, round1, Stage::Round1, |p| p.trustee)?;
    for (dealer, p) in round1 {
        if p.commitments.len() != setup.threshold_len() {
            return Err(Error::Malformed {
                stage: Stage::Round1,
                trustee: *dealer,
                detail: format!(
                    "{} commitments, the threshold requires {}",
                    p.commitments.len(),
                    setup.threshold_len()
                ),
            });
        }
        let expected: BTreeSet<TrusteeIndex> = setup
            .policy
            .trustees()
            .keys()
            .copied()
            .filter(|j| j != dealer)
            .collect();
        let got: BTreeSet<TrusteeIndex> = p.encrypted_shares.keys().copied().collect();
        if got != expected {
            return Err(Error::Malformed {
                stage: Stage::Round1,
                trustee: *dealer,
                detail: "encrypted shares are not exactly one for each other trustee".into(),
            });
        }
    }
    Ok(())
}

/// Check a share against its dealer's Pedersen commitments:
/// $f_i(j)·G + f'_i(j)·H = Σ_k j^k C_{ik}$ (spec §4.3).
pub fn check_share_pedersen(
    setup: &CeremonySetup,
    dealer: TrusteeIndex,
    recipient: TrusteeIndex,
    commitments: &[Element],
    share: &DealtShare,
) -> Result<(), Error> {
    let points: Vec<RistrettoPoint> = commitments.iter().map(|c| *c.point()).collect();
    let expected = evaluate_in_exponent(&points, recipient);
    let got = RistrettoPoint::mul_base(share.value.expose())
        + setup.parameters.h().point() * share.blinding.expose();
    if got == expected {
        Ok(())
    } else {
        Err(Error::ShareInconsistent { dealer, recipient })
    }
}

/// A complaint: the accused dealer and the revealed shared point that opens its share
/// (spec §4.3).
pub type Complaints = BTreeMap<TrusteeIndex, RevealedSharedPoint>;

/// A trustee's round-2 message: its complaints, empty when every share checked (spec §4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round2Package {
    /// The complainer.
    pub trustee: TrusteeIndex,
    /// Accused dealer → evidence.
    pub complaints: Complaints,
}

/// A trustee's secret state after round 2. Consumed by [`part3`].
#[derive(Debug)]
pub struct Round2Secret {
    setup: CeremonySetup,
    trustee: TrusteeIndex,
    keys: EncryptionKeyPair,
    polynomial: SecretPolynomial,
    blinding: SecretPolynomial,
    round1: BTreeMap<TrusteeIndex, Round1Package>,
    received: BTreeMap<TrusteeIndex, DealtShare>,
}

/// Decrypt and check every share sent to `me`; returns the valid shares (its own included)
/// and the dealers whose share failed.
fn receive_shares(
    setup: &CeremonySetup,
    me: TrusteeIndex,
    keys: &EncryptionKeyPair,
    own_share: &DealtShare,
    round1: &BTreeMap<TrusteeIndex, Round1Package>,
) -> Result<(BTreeMap<TrusteeIndex, DealtShare>, Vec<TrusteeIndex>), Error> {
    verify_round1_shape(setup, round1)?;
    let mut received = BTreeMap::new();
    let mut failed = Vec::new();
    for (dealer, package) in round1 {
        if *dealer == me {
            check_share_pedersen(setup, me, me, &package.commitments, own_share)?;
            received.insert(me, own_share.clone());
            continue;
        }
        let encrypted = package
            .encrypted_shares
            .get(&me)
            .ok_or_else(|| Error::Malformed {
                stage: Stage::Round1,
                trustee: *dealer,
                detail: format!("no share for {me}"),
            })?;
        let ctx = ShareContext {
            fingerprint: &setup.fingerprint,
            sender: *dealer,
            recipient: me,
            recipient_key: keys.public(),
        };
        let checked = ctx.decrypt(keys, encrypted).and_then(|share| {
            check_share_pedersen(setup, *dealer, me, &package.commitments, &share).map(|()| share)
        });
        match checked {
            Ok(share) => {
                received.insert(*dealer, share);
            }
            Err(Error::UndecryptableShare { .. } | Error::ShareInconsistent { .. }) => {
                failed.push(*dealer);
            }
            Err(other) => return Err(other),
        }
    }
    Ok((received, failed))
}

/// Round 2 (spec §4.3): decrypt and check the shares sent to this trustee; complain, with
/// evidence, about each one that does not decrypt or does not match its commitments.
pub fn part2<R: CryptoRng + ?Sized>(
    secret: Round1Secret,
    round1: &BTreeMap<TrusteeIndex, Round1Package>,
    rng: &mut R,
) -> Result<(Round2Secret, Round2Package), Error> {
    let me = secret.trustee;
    let (received, failed) =
        receive_shares(&secret.setup, me, &secret.keys, &secret.own_share, round1)?;
    let mut complaints = BTreeMap::new();
    for dealer in failed {
        let encrypted = round1
            .get(&dealer)
            .and_then(|p| p.encrypted_shares.get(&me))
            .ok_or_else(|| Error::Argument(format!("no share from {dealer}")))?;
        let ctx = ShareContext {
            fingerprint: &secret.setup.fingerprint,
            sender: dealer,
            recipient: me,
            recipient_key: secret.keys.public(),
        };
        complaints.insert(dealer, ctx.reveal(&secret.keys, encrypted, rng)?);
    }
    let Round1Secret {
        setup,
        keys,
        polynomial,
        blinding,
        ..
    } = secret;
    let next = Round2Secret {
        setup,
        trustee: me,
        keys,
        polynomial,
        blinding,
        round1: round1.clone(),
        received,
    };
    Ok((
        next,
        Round2Package {
            trustee: me,
            complaints,
        },
    ))
}

/// The outcome of round 2: the qualified trustees, and why each other one was disqualified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualified {
    members: BTreeSet<TrusteeIndex>,
    disqualified: BTreeMap<TrusteeIndex, Error>,
}

impl Qualified {
    /// The qualified set QUAL.
    #[must_use]
    pub fn members(&self) -> &BTreeSet<TrusteeIndex> {
        &self.members
    }

    /// The disqualified trustees with the judged complaint against each.
    #[must_use]
    pub fn disqualified(&self) -> &BTreeMap<TrusteeIndex, Error> {
        &self.disqualified
    }
}

/// Judge one round-2 complaint (spec §4.4). Always returns the error of whoever is at
/// fault: the dealer (undecryptable or inconsistent share) or the complainer (bad proof, or
/// a valid share: a false complaint).
pub fn judge_complaint(
    setup: &CeremonySetup,
    registrations: &BTreeMap<TrusteeIndex, Registration>,
    round1: &BTreeMap<TrusteeIndex, Round1Package>,
    complainer: TrusteeIndex,
    accused: TrusteeIndex,
    evidence: &RevealedSharedPoint,
) -> Error {
    let malformed = |detail: &str| Error::Malformed {
        stage: Stage::Round2,
        trustee: complainer,
        detail: detail.into(),
    };
    let (Some(key), Some(package)) = (registrations.get(&complainer), round1.get(&accused)) else {
        return malformed("complaint about an unknown trustee");
    };
    let Some(encrypted) = package.encrypted_shares.get(&complainer) else {
        return malformed("complaint about a share that was not sent");
    };
    let ctx = ShareContext {
        fingerprint: &setup.fingerprint,
        sender: accused,
        recipient: complainer,
        recipient_key: &key.encryption_key,
    };
    let share = match ctx.open_revealed(encrypted, evidence) {
        Ok(share) => share,
        Err(e) => return e,
    };
    match check_share_pedersen(setup, accused, complainer, &package.commitments, &share) {
        Err(e) => e,
        Ok(()) => Error::FalseComplaint {
            complainer,
            accused,
        },
    }
}

/// Determine the qualified set from the public messages of the first two rounds (spec §4.4):
/// every complaint is judged and its culprit disqualified. Refused when the qualified
/// trustees no longer meet the policy.
pub fn qualify(
    setup: &CeremonySetup,
    registrations: &BTreeMap<TrusteeIndex, Registration>,
    round1: &BTreeMap<TrusteeIndex, Round1Package>,
    round2: &BTreeMap<TrusteeIndex, Round2Package>,
) -> Result<Qualified, Error> {
    verify_registrations(setup, registrations)?;
    verify_round1_shape(setup, round1)?;
    check_keys(setup, round2, Stage::Round2, |p| p.trustee)?;
    let mut disqualified: BTreeMap<TrusteeIndex, Error> = BTreeMap::new();
    for (complainer, package) in round2 {
        for (accused, evidence) in &package.complaints {
            let verdict = if accused == complainer {
                Error::Malformed {
                    stage: Stage::Round2,
                    trustee: *complainer,
                    detail: "complaint against itself".into(),
                }
            } else {
                judge_complaint(
                    setup,
                    registrations,
                    round1,
                    *complainer,
                    *accused,
                    evidence,
                )
            };
            for culprit in verdict.culprits() {
                disqualified
                    .entry(culprit)
                    .or_insert_with(|| verdict.clone());
            }
        }
    }
    let members: BTreeSet<TrusteeIndex> = setup
        .policy
        .trustees()
        .keys()
        .copied()
        .filter(|t| !disqualified.contains_key(t))
        .collect();
    if let Err(e) = setup.policy.check_quorum(&members) {
        return Err(Error::CeremonyFailed {
            disqualified: disqualified.keys().copied().collect(),
            reason: e.to_string(),
        });
    }
    Ok(Qualified {
        members,
        disqualified,
    })
}

/// A revealed coefficient commitment $A_{ik} = a_{ik}·G$ with its proof of knowledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoefficientCommitment {
    /// $A_{ik}$.
    pub commitment: Element,
    /// Schnorr proof of knowledge of $a_{ik}$ (tag `trustee-coefficient-pok`, context: the
    /// trustee index and `k`).
    pub proof: SchnorrProof,
}

/// A qualified trustee's round-3 message: its Feldman commitments (spec §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round3Package {
    /// The dealer.
    pub trustee: TrusteeIndex,
    /// $A_{ik}$ with proofs, `k = 0 … t−1`.
    pub commitments: Vec<CoefficientCommitment>,
}

/// A trustee's secret state after round 3. Consumed by [`part4`].
#[derive(Debug)]
pub struct Round3Secret {
    setup: CeremonySetup,
    trustee: TrusteeIndex,
    keys: EncryptionKeyPair,
    round1: BTreeMap<TrusteeIndex, Round1Package>,
    qualified: Qualified,
    received: BTreeMap<TrusteeIndex, DealtShare>,
}

/// The context of a coefficient proof: the trustee index and the degree `k`, each 8 bytes
/// big-endian.
fn coefficient_context(trustee: TrusteeIndex, k: u32) -> [[u8; 8]; 2] {
    [trustee.to_be_bytes(), u64::from(k).to_be_bytes()]
}

/// Prove knowledge of a coefficient (spec §5.1).
pub fn prove_coefficient<R: CryptoRng + ?Sized>(
    fingerprint: &ElectionFingerprint,
    trustee: TrusteeIndex,
    k: u32,
    coefficient: &SecretScalar,
    rng: &mut R,
) -> Result<CoefficientCommitment, Error> {
    let commitment = Element::from_point("feldman commitment", G * coefficient.expose())
        .map_err(|e| Error::Argument(e.to_string()))?;
    let [a, b] = coefficient_context(trustee, k);
    let proof = prove_schnorr(
        TAG_COEFFICIENT_POK,
        fingerprint.as_bytes(),
        &[&a, &b],
        coefficient,
        &commitment,
        rng,
    )
    .map_err(|e| Error::Argument(e.to_string()))?;
    Ok(CoefficientCommitment { commitment, proof })
}

/// Round 3 (spec §5.1): a qualified trustee reveals its Feldman commitments.
pub fn part3<R: CryptoRng + ?Sized>(
    secret: Round2Secret,
    qualified: &Qualified,
    rng: &mut R,
) -> Result<(Round3Secret, Round3Package), Error> {
    if !qualified.members.contains(&secret.trustee) {
        return Err(Error::Disqualified {
            trustee: secret.trustee,
            stage: Stage::Round3,
        });
    }
    let mut commitments = Vec::new();
    for (k, a) in (0u32..).zip(secret.polynomial.coefficients()) {
        commitments.push(prove_coefficient(
            &secret.setup.fingerprint,
            secret.trustee,
            k,
            a,
            rng,
        )?);
    }
    let package = Round3Package {
        trustee: secret.trustee,
        commitments,
    };
    let Round2Secret {
        setup,
        trustee,
        keys,
        round1,
        mut received,
        ..
    } = secret;
    received.retain(|dealer, _| qualified.members.contains(dealer));
    Ok((
        Round3Secret {
            setup,
            trustee,
            keys,
            round1,
            qualified: qualified.clone(),
            received,
        },
        package,
    ))
}

/// The public result of a ceremony: the joint key and every qualified trustee's public share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyPackage {
    /// The threshold `t`.
    pub threshold: u32,
    /// The joint election key $K = Σ_{i∈QUAL} A_{i0}$.
    pub joint_key: Element,
    /// $P_j = Σ_{i∈QUAL} Σ_k j^k A_{ik}$ for every qualified trustee `j`.
    pub public_shares: BTreeMap<TrusteeIndex, Element>,
}

/// Check the round-3 messages of the qualified trustees and compute the public key package
/// (spec §5.2, §6.1): one message from each qualified trustee and none from anyone else,
/// `t` commitments each, every proof of knowledge valid; neither the joint key nor a public
/// share may be the identity.
pub fn public_key_package(
    setup: &CeremonySetup,
    qualified: &Qualified,
    round3: &BTreeMap<TrusteeIndex, Round3Package>,
) -> Result<PublicKeyPackage, Error> {
    for t in round3.keys() {
        if qualified.disqualified.contains_key(t) {
            return Err(Error::Disqualified {
                trustee: *t,
                stage: Stage::Round3,
            });
        }
    }
    check_keys_of(&qualified.members, round3, Stage::Round3, |p| p.trustee)?;
    let mut dealer_commitments: BTreeMap<TrusteeIndex, Vec<RistrettoPoint>> = BTreeMap::new();
    for (dealer, p) in round3 {
        if p.commitments.len() != setup.threshold_len() {
            return Err(Error::Malformed {
                stage: Stage::Round3,
                trustee: *dealer,
                detail: format!(
                    "{} commitments, the threshold requires {}",
                    p.commitments.len(),
                    setup.threshold_len()
                ),
            });
        }
        for (k, c) in (0u32..).zip(&p.commitments) {
            let [a, b] = coefficient_context(*dealer, k);
            verify_schnorr(
                TAG_COEFFICIENT_POK,
                setup.fingerprint.as_bytes(),
                &[&a, &b],
                &c.commitment,
                &c.proof,
            )
            .map_err(|_| Error::InvalidCoefficientProof {
                trustee: *dealer,
                coefficient: k,
            })?;
        }
        dealer_commitments.insert(
            *dealer,
            p.commitments
                .iter()
                .map(|c| *c.commitment.point())
                .collect(),
        );
    }
    let contributors: Vec<TrusteeIndex> = qualified.members.iter().copied().collect();
    let joint = dealer_commitments
        .values()
        .filter_map(|c| c.first())
        .fold(RistrettoPoint::identity(), |acc, a| acc + a);
    let joint_key = Element::from_point("joint key", joint)
        .map_err(|_| Error::IdentityJointKey { contributors })?;
    let mut public_shares = BTreeMap::new();
    for j in &qualified.members {
        let p = dealer_commitments
            .values()
            .fold(RistrettoPoint::identity(), |acc, c| {
                acc + evaluate_in_exponent(c, *j)
            });
        let share = Element::from_point("public share", p)
            .map_err(|_| Error::IdentityPublicShare { trustee: *j })?;
        public_shares.insert(*j, share);
    }
    Ok(PublicKeyPackage {
        threshold: setup.policy.threshold(),
        joint_key,
        public_shares,
    })
}

/// A trustee's secret key share $s_j$ with its index and public share. Zeroized on drop;
/// `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyShare {
    trustee: TrusteeIndex,
    secret: SecretScalar,
    public: Element,
}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "KeyShare({}, public {:?}, secret <redacted>)",
            self.trustee, self.public
        )
    }
}

impl KeyShare {
    /// A key share read back from storage: refused unless `secret·G == public`.
    pub fn new(
        trustee: TrusteeIndex,
        secret: SecretScalar,
        public: Element,
    ) -> Result<KeyShare, Error> {
        if RistrettoPoint::mul_base(secret.expose()) != *public.point() {
            return Err(Error::Argument(format!(
                "the secret share of {trustee} does not match its public share"
            )));
        }
        Ok(KeyShare {
            trustee,
            secret,
            public,
        })
    }

    /// The trustee.
    #[must_use]
    pub fn trustee(&self) -> TrusteeIndex {
        self.trustee
    }

    /// The public share $P_j = s_j·G$.
    #[must_use]
    pub fn public(&self) -> &Element {
        &self.public
    }

    /// The secret share, for decryption and for storage encrypted at rest only.
    #[must_use]
    pub fn expose_secret(&self) -> &SecretScalar {
        &self.secret
    }
}

impl Round3Secret {
    /// Check every share this trustee holds against the dealers' reveals (spec §5.2),
    /// without consuming the state, so that a failure can be proved with
    /// [`Round3Secret::reveal_complaint`].
    pub fn check_reveals(
        &self,
        round3: &BTreeMap<TrusteeIndex, Round3Package>,
    ) -> Result<(), Error> {
        for (dealer, reveal) in round3 {
            if let Some(share) = self.received.get(dealer) {
                check_share_feldman(*dealer, self.trustee, reveal, share)?;
            }
        }
        Ok(())
    }

    /// The evidence against a dealer whose reveal does not match the share it sent this
    /// trustee: the revealed shared point of that share (spec §6.2).
    pub fn reveal_complaint<R: CryptoRng + ?Sized>(
        &self,
        dealer: TrusteeIndex,
        rng: &mut R,
    ) -> Result<RevealedSharedPoint, Error> {
        let encrypted = self
            .round1
            .get(&dealer)
            .and_then(|p| p.encrypted_shares.get(&self.trustee))
            .ok_or_else(|| Error::Argument(format!("no share from {dealer}")))?;
        let ctx = ShareContext {
            fingerprint: &self.setup.fingerprint,
            sender: dealer,
            recipient: self.trustee,
            recipient_key: self.keys.public(),
        };
        ctx.reveal(&self.keys, encrypted, rng)
    }
}

/// Judge a complaint that a dealer's round-3 reveal does not match the share it sent
/// (spec §6.2). Returns the error naming whoever is at fault.
pub fn judge_reveal_complaint(
    setup: &CeremonySetup,
    registrations: &BTreeMap<TrusteeIndex, Registration>,
    round1: &BTreeMap<TrusteeIndex, Round1Package>,
    round3: &BTreeMap<TrusteeIndex, Round3Package>,
    complainer: TrusteeIndex,
    accused: TrusteeIndex,
    evidence: &RevealedSharedPoint,
) -> Error {
    let verdict = judge_complaint(setup, registrations, round1, complainer, accused, evidence);
    if !matches!(verdict, Error::FalseComplaint { .. }) {
        return verdict;
    }
    // The share decrypts and matches the Pedersen commitments; now check the reveal.
    let (Some(key), Some(p1), Some(p3)) = (
        registrations.get(&complainer),
        round1.get(&accused),
        round3.get(&accused),
    ) else {
        return verdict;
    };
    let Some(encrypted) = p1.encrypted_shares.get(&complainer) else {
        return verdict;
    };
    let ctx = ShareContext {
        fingerprint: &setup.fingerprint,
        sender: accused,
        recipient: complainer,
        recipient_key: &key.encryption_key,
    };
    match ctx.decrypt_with_shared_point(encrypted, evidence.shared.point()) {
        Ok(share) => match check_share_feldman(accused, complainer, p3, &share) {
            Err(e) => e,
            Ok(()) => verdict,
        },
        Err(e) => e,
    }
}

/// Check a share against its dealer's revealed Feldman commitments:
/// $f_i(j)·G = Σ_k j^k A_{ik}$ (spec §5.2).
pub fn check_share_feldman(
    dealer: TrusteeIndex,
    recipient: TrusteeIndex,
    reveal: &Round3Package,
    share: &DealtShare,
) -> Result<(), Error> {
    let points: Vec<RistrettoPoint> = reveal
        .commitments
        .iter()
        .map(|c| *c.commitment.point())
        .collect();
    if RistrettoPoint::mul_base(share.value.expose()) == evaluate_in_exponent(&points, recipient) {
        Ok(())
    } else {
        Err(Error::RevealInconsistent { dealer, recipient })
    }
}

/// Round 4 (spec §5.2, §6.1): check the reveals, check every share this trustee holds
/// against them, and compute the key share and the public key package.
pub fn part4(
    secret: Round3Secret,
    round3: &BTreeMap<TrusteeIndex, Round3Package>,
) -> Result<(KeyShare, PublicKeyPackage), Error> {
    let package = public_key_package(&secret.setup, &secret.qualified, round3)?;
    let mut s = Scalar::ZERO;
    for (dealer, reveal) in round3 {
        let share = secret
            .received
            .get(dealer)
            .ok_or_else(|| Error::Argument(format!("no checked share from qualified {dealer}")))?;
        check_share_feldman(*dealer, secret.trustee, reveal, share)?;
        s += share.value.expose();
    }
    let public = *package
        .public_shares
        .get(&secret.trustee)
        .ok_or(Error::Disqualified {
            trustee: secret.trustee,
            stage: Stage::Round3,
        })?;
    let key_share = KeyShare::new(secret.trustee, SecretScalar::new(s), public)?;
    Ok((key_share, package))
}

/// The public messages of a whole ceremony.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CeremonyTranscript {
    /// The registrations.
    pub registrations: BTreeMap<TrusteeIndex, Registration>,
    /// Round 1.
    pub round1: BTreeMap<TrusteeIndex, Round1Package>,
    /// Round 2.
    pub round2: BTreeMap<TrusteeIndex, Round2Package>,
    /// Round 3.
    pub round3: BTreeMap<TrusteeIndex, Round3Package>,
}

/// Verify a whole ceremony from its public messages (spec §6.3): registrations, the shape
/// of round 1, every complaint, the reveals; returns the qualified set and the public key
/// package. What only a recipient can check — that its shares match the reveals — is
/// public only through reveal complaints.
pub fn verify_ceremony(
    setup: &CeremonySetup,
    transcript: &CeremonyTranscript,
) -> Result<(Qualified, PublicKeyPackage), Error> {
    let qualified = qualify(
        setup,
        &transcript.registrations,
        &transcript.round1,
        &transcript.round2,
    )?;
    let package = public_key_package(setup, &qualified, &transcript.round3)?;
    Ok((qualified, package))
}

/// Everything one process learns by running every trustee's steps itself.
#[derive(Debug)]
pub struct LocalCeremony {
    /// The public messages.
    pub transcript: CeremonyTranscript,
    /// Each trustee's encryption key pair.
    pub encryption_keys: BTreeMap<TrusteeIndex, EncryptionKeyPair>,
    /// Each qualified trustee's key share.
    pub key_shares: BTreeMap<TrusteeIndex, KeyShare>,
    /// The public result.
    pub public_key: PublicKeyPackage,
}

/// Run every trustee's steps in one process, honestly. For demonstrations, tests and
/// benchmarks: in an election each trustee runs its own steps on its own machine.
pub fn run_locally<R: CryptoRng + ?Sized>(
    setup: &CeremonySetup,
    rng: &mut R,
) -> Result<LocalCeremony, Error> {
    let mut transcript = CeremonyTranscript::default();
    let mut encryption_keys = BTreeMap::new();
    for t in setup.policy.trustees().keys() {
        let (keys, registration) = register(setup, *t, rng)?;
        encryption_keys.insert(*t, keys);
        transcript.registrations.insert(*t, registration);
    }
    let mut secrets1 = BTreeMap::new();
    for (t, keys) in &encryption_keys {
        let (s, p) = part1(setup, *t, keys.clone(), &transcript.registrations, rng)?;
        secrets1.insert(*t, s);
        transcript.round1.insert(*t, p);
    }
    let mut secrets2 = BTreeMap::new();
    for (t, s) in secrets1 {
        let (s, p) = part2(s, &transcript.round1, rng)?;
        secrets2.insert(t, s);
        transcript.round2.insert(t, p);
    }
    let qualified = qualify(
        setup,
        &transcript.registrations,
        &transcript.round1,
        &transcript.round2,
    )?;
    let mut secrets3 = BTreeMap::new();
    for (t, s) in secrets2 {
        if qualified.members.contains(&t) {
            let (s, p) = part3(s, &qualified, rng)?;
            secrets3.insert(t, s);
            transcript.round3.insert(t, p);
        }
    }
    let mut key_shares = BTreeMap::new();
    let mut public_key = None;
    for (t, s) in secrets3 {
        let (share, package) = part4(s, &transcript.round3)?;
        key_shares.insert(t, share);
        public_key = Some(package);
    }
    let public_key = public_key.ok_or_else(|| Error::Argument("no qualified trustee".into()))?;
    Ok(LocalCeremony {
        transcript,
        encryption_keys,
        key_shares,
        public_key,
    })
}

/// A trustee's long-lived secrets between the steps of a ceremony run at different times:
/// its encryption key and its two polynomials (spec §4.1). Every other part of a round's
/// secret state is recomputed from the published messages by the `restore` functions.
///
/// The JSON form ([`StoredSecrets::to_json`], message `trustee-secrets`) is secret: it must
/// only be written encrypted at rest. The returned string zeroizes on drop; zeroization does
/// not cover the intermediate buffers of the JSON serialiser.
#[derive(Clone)]
pub struct StoredSecrets {
    trustee: TrusteeIndex,
    encryption: SecretScalar,
    coefficients: Vec<SecretScalar>,
    blinding: Vec<SecretScalar>,
}

impl core::fmt::Debug for StoredSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "StoredSecrets({}, <redacted>)", self.trustee)
    }
}

/// The serialisable form of [`StoredSecrets`].
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredSecretsWire {
    version: String,
    suite: String,
    message: String,
    trustee: u32,
    encryption_secret: String,
    coefficients: Vec<String>,
    blinding_coefficients: Vec<String>,
}

const STORED_SECRETS_KIND: &str = "trustee-secrets";

impl StoredSecrets {
    /// The trustee.
    #[must_use]
    pub fn trustee(&self) -> TrusteeIndex {
        self.trustee
    }

    /// The secrets as JSON, for storage encrypted at rest only.
    #[must_use]
    pub fn to_json(&self) -> zeroize::Zeroizing<String> {
        use sanduq_crypto::group::to_hex;
        let hex = |s: &SecretScalar| to_hex(s.expose_bytes().as_ref());
        let wire = StoredSecretsWire {
            version: sanduq_crypto::SPEC_VERSION.into(),
            suite: sanduq_crypto::SUITE.into(),
            message: STORED_SECRETS_KIND.into(),
            trustee: self.trustee.get(),
            encryption_secret: hex(&self.encryption),
            coefficients: self.coefficients.iter().map(hex).collect(),
            blinding_coefficients: self.blinding.iter().map(hex).collect(),
        };
        let mut text = serde_json::to_string_pretty(&wire).unwrap_or_default();
        text.push('\n');
        zeroize::Zeroizing::new(text)
    }

    /// Parse stored secrets.
    pub fn from_json(text: &str) -> Result<StoredSecrets, Error> {
        use sanduq_crypto::group::from_hex;
        let unreadable = |detail: String| Error::Unreadable { detail };
        let wire: StoredSecretsWire =
            serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        if wire.version != sanduq_crypto::SPEC_VERSION
            || wire.suite != sanduq_crypto::SUITE
            || wire.message != STORED_SECRETS_KIND
        {
            return Err(unreadable("not trustee secrets of this version".into()));
        }
        let secret = |h: &str| {
            let bytes = zeroize::Zeroizing::new(
                from_hex("secret", h).map_err(|e| unreadable(e.to_string()))?,
            );
            SecretScalar::decode("secret", &bytes).map_err(|e| unreadable(e.to_string()))
        };
        let coefficients = wire
            .coefficients
            .iter()
            .map(|h| secret(h))
            .collect::<Result<Vec<_>, _>>()?;
        let blinding = wire
            .blinding_coefficients
            .iter()
            .map(|h| secret(h))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StoredSecrets {
            trustee: TrusteeIndex::new(wire.trustee)?,
            encryption: secret(&wire.encryption_secret)?,
            coefficients,
            blinding,
        })
    }
}

impl Round1Secret {
    /// The secrets to store until round 2.
    #[must_use]
    pub fn export(&self) -> StoredSecrets {
        StoredSecrets {
            trustee: self.trustee,
            encryption: self.keys.expose_secret().clone(),
            coefficients: self.polynomial.coefficients().to_vec(),
            blinding: self.blinding.coefficients().to_vec(),
        }
    }

    /// Rebuild the state after round 1 from stored secrets; the encryption key must be the
    /// registered one and the polynomials must match the trustee's published commitments.
    pub fn restore(
        setup: &CeremonySetup,
        stored: &StoredSecrets,
        registrations: &BTreeMap<TrusteeIndex, Registration>,
        own_round1: &Round1Package,
    ) -> Result<Round1Secret, Error> {
        let trustee = stored.trustee;
        let keys = EncryptionKeyPair::from_secret(stored.encryption.clone())?;
        let registered = registrations
            .get(&trustee)
            .ok_or(Error::UnknownTrustee { trustee })?;
        let mismatch = |what: &str| Error::Argument(format!("stored secrets: {what} do not match"));
        if registered.encryption_key != *keys.public() {
            return Err(mismatch("the encryption key"));
        }
        if stored.coefficients.len() != setup.threshold_len()
            || stored.blinding.len() != setup.threshold_len()
            || own_round1.trustee != trustee
        {
            return Err(mismatch("the polynomials"));
        }
        let h = setup.parameters.h().point();
        for ((a, b), c) in stored
            .coefficients
            .iter()
            .zip(&stored.blinding)
            .zip(&own_round1.commitments)
        {
            if G * a.expose() + h * b.expose() != *c.point() {
                return Err(mismatch("the commitments"));
            }
        }
        let polynomial = SecretPolynomial::from_coefficients(stored.coefficients.clone());
        let blinding = SecretPolynomial::from_coefficients(stored.blinding.clone());
        let own_share = dealt_share(&polynomial, &blinding, trustee);
        Ok(Round1Secret {
            setup: setup.clone(),
            trustee,
            keys,
            polynomial,
            blinding,
            own_share,
        })
    }
}

impl Round2Secret {
    /// The secrets to store until round 3.
    #[must_use]
    pub fn export(&self) -> StoredSecrets {
        StoredSecrets {
            trustee: self.trustee,
            encryption: self.keys.expose_secret().clone(),
            coefficients: self.polynomial.coefficients().to_vec(),
            blinding: self.blinding.coefficients().to_vec(),
        }
    }

    /// Rebuild the state after round 2 from stored secrets and the round-1 messages: the
    /// shares are decrypted and checked again (those that failed were complained about).
    pub fn restore(
        setup: &CeremonySetup,
        stored: &StoredSecrets,
        registrations: &BTreeMap<TrusteeIndex, Registration>,
        round1: &BTreeMap<TrusteeIndex, Round1Package>,
    ) -> Result<Round2Secret, Error> {
        let own = round1.get(&stored.trustee).ok_or(Error::MissingMessage {
            stage: Stage::Round1,
            trustee: stored.trustee,
        })?;
        let s1 = Round1Secret::restore(setup, stored, registrations, own)?;
        let (received, _) = receive_shares(setup, s1.trustee, &s1.keys, &s1.own_share, round1)?;
        let Round1Secret {
            setup,
            trustee,
            keys,
            polynomial,
            blinding,
            ..
        } = s1;
        Ok(Round2Secret {
            setup,
            trustee,
            keys,
            polynomial,
            blinding,
            round1: round1.clone(),
            received,
        })
    }
}

impl Round3Secret {
    /// Rebuild the state after round 3 from stored secrets and the public messages of
    /// rounds 1 and 2 (the qualified set is recomputed).
    pub fn restore(
        setup: &CeremonySetup,
        stored: &StoredSecrets,
        transcript: &CeremonyTranscript,
    ) -> Result<Round3Secret, Error> {
        let s2 =
            Round2Secret::restore(setup, stored, &transcript.registrations, &transcript.round1)?;
        let qualified = qualify(
            setup,
            &transcript.registrations,
            &transcript.round1,
            &transcript.round2,
        )?;
        if !qualified.members.contains(&s2.trustee) {
            return Err(Error::Disqualified {
                trustee: s2.trustee,
                stage: Stage::Round3,
            });
        }
        let Round2Secret {
            setup,
            trustee,
            keys,
            round1,
            mut received,
            ..
        } = s2;
        received.retain(|dealer, _| qualified.members.contains(dealer));
        Ok(Round3Secret {
            setup,
            trustee,
            keys,
            round1,
            qualified,
            received,
        })
    }
}

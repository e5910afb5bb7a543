//! The protocol flow, one step at a time (`docs/spec/record.md` §2): set-up, key ceremony,
//! ballot encryption per device, homomorphic tallies, the privacy rule, threshold
//! decryption and the count. Each step is a separate function so that a trustee or a
//! polling-station device can run its own step alone; [`crate::run`] chains them.

use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::CryptoRng;
use sanduq_count::{Ballots, Count, Options};
use sanduq_crypto::contest::{EncryptedContest, EncryptedSelection};
use sanduq_crypto::elgamal::{AggregateCiphertext, Ciphertext, ElectionKey, encrypt};
use sanduq_crypto::group::{Element, SecretScalar, to_hex};
use sanduq_crypto::range::{RangeContext, RangeProof, RangeStatement, Subject, prove_range};
use sanduq_crypto::{BallotContext, ContestDescription, ElectionFingerprint, Parameters};
use sanduq_election::{Gender, Manifest};
use sanduq_trustee::decrypt::{self as tdecrypt, CiphertextId, DecryptionShare};
use sanduq_trustee::dkg::{self, CeremonySetup, CeremonyTranscript, KeyShare, PublicKeyPackage};
use sanduq_trustee::{Policy, TrusteeIndex};

use crate::chain::{chain_close, chain_start, confirmation_code};
use crate::error::RecordError;
use crate::hierarchy::{Disclosure, Hierarchy, Level};
use crate::wire::{
    BallotBody, BallotLine, ContestResult, ContestWire, DeviceWire, OpenedContest, OpenedSelection,
    ParametersFile, RECORD_FORMAT, SelectionWire, to_canonical,
};

/// The polling round whose ballots the record holds.
pub const ROUND: u32 = 1;

/// Everything fixed before the key ceremony: the manifest, the parameters, the election
/// fingerprint, the reporting units and the contest descriptions.
#[derive(Clone, Debug)]
pub struct Election {
    manifest: Manifest,
    manifest_bytes: Vec<u8>,
    parameters: Parameters,
    fingerprint: ElectionFingerprint,
    hierarchy: Hierarchy,
    descriptions: BTreeMap<String, ContestDescription>,
}

impl Election {
    /// Set up an election from a validated manifest and the seed of the generator `H`.
    pub fn setup(manifest: Manifest, generator_seed: &[u8]) -> Result<Election, RecordError> {
        let parameters =
            Parameters::new(generator_seed).map_err(|e| RecordError::crypto("parameters", e))?;
        let manifest_bytes = manifest.canonical_bytes();
        if manifest_bytes.is_empty() {
            return Err(RecordError::Manifest("no canonical encoding".to_owned()));
        }
        let fingerprint = parameters.fingerprint(&manifest_bytes);
        let hierarchy = Hierarchy::from_manifest(&manifest)?;
        let mut descriptions = BTreeMap::new();
        for c in manifest.contests().iter().filter(|c| c.round == ROUND) {
            let ids: Vec<&str> = c.candidates.iter().map(|k| k.id.as_str()).collect();
            let desc =
                ContestDescription::new(c.id.as_str(), &ids, u64::from(c.max_selections.max(1)), 1)
                    .map_err(|e| RecordError::crypto(format!("contest {}", c.id.as_str()), e))?;
            descriptions.insert(c.id.as_str().to_owned(), desc);
        }
        Ok(Election {
            manifest,
            manifest_bytes,
            parameters,
            fingerprint,
            hierarchy,
            descriptions,
        })
    }

    /// The manifest.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest's canonical bytes (`election/manifest.json`).
    #[must_use]
    pub fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }

    /// The parameters.
    #[must_use]
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// The election fingerprint.
    #[must_use]
    pub fn fingerprint(&self) -> &ElectionFingerprint {
        &self.fingerprint
    }

    /// The reporting units.
    #[must_use]
    pub fn hierarchy(&self) -> &Hierarchy {
        &self.hierarchy
    }

    /// The contest descriptions of the round, by contest.
    #[must_use]
    pub fn descriptions(&self) -> &BTreeMap<String, ContestDescription> {
        &self.descriptions
    }

    /// The privacy threshold K.
    #[must_use]
    pub fn privacy_threshold(&self) -> u64 {
        u64::from(self.manifest.privacy_threshold())
    }

    /// The ballot style (contest identifiers in order) of a voter of `group` at `station`.
    pub fn style(&self, station: &str, group: Option<&str>) -> Result<Vec<String>, RecordError> {
        self.manifest
            .ballot_style(station, group, ROUND)
            .map(|v| v.iter().map(|id| id.as_str().to_owned()).collect())
            .map_err(|e| RecordError::Manifest(e.to_string()))
    }

    /// `election/parameters.json`.
    #[must_use]
    pub fn parameters_file(&self) -> ParametersFile {
        ParametersFile {
            format: RECORD_FORMAT.to_owned(),
            spec_version: sanduq_crypto::SPEC_VERSION.to_owned(),
            suite: sanduq_crypto::SUITE.to_owned(),
            generator_seed: to_hex(self.parameters.generator_seed()),
            generator_h: self.parameters.h().to_hex(),
            fingerprint: to_hex(self.fingerprint.as_bytes()),
            manifest_sha256: to_hex(&crate::store::sha256(&self.manifest_bytes)),
            privacy_threshold: self.privacy_threshold(),
            tie_break_seed: to_hex(self.manifest.tie_break_seed()),
            round: ROUND,
        }
    }
}

/// The public outcome of the key ceremony.
#[derive(Clone, Debug)]
pub struct Ceremony {
    /// What the trustees agreed on.
    pub setup: CeremonySetup,
    /// Every public message.
    pub transcript: CeremonyTranscript,
    /// The joint key and every trustee's public share.
    pub package: PublicKeyPackage,
}

impl Ceremony {
    /// The election key with its table, and the fingerprint: what a device needs.
    #[must_use]
    pub fn ballot_context(&self) -> BallotContext {
        BallotContext {
            fingerprint: *self.setup.fingerprint(),
            key: ElectionKey::new(self.package.joint_key),
        }
    }
}

/// Run the whole key ceremony with every trustee of `policy` in this process (each trustee's
/// step is a function of `sanduq-trustee`; here they are called in turn). Returns the public
/// ceremony and each trustee's key share.
pub fn run_ceremony<R: CryptoRng + ?Sized>(
    election: &Election,
    policy: Policy,
    rng: &mut R,
) -> Result<(Ceremony, BTreeMap<TrusteeIndex, KeyShare>), RecordError> {
    let setup = CeremonySetup::new(
        *election.fingerprint(),
        election.parameters().clone(),
        policy,
    );
    let err = |what: &str| {
        let what = what.to_owned();
        move |e| RecordError::trustee(what, e)
    };
    let trustees: Vec<TrusteeIndex> = setup.policy().trustees().keys().copied().collect();
    let mut keys = BTreeMap::new();
    let mut transcript = CeremonyTranscript::default();
    for t in &trustees {
        let (kp, reg) = dkg::register(&setup, *t, rng).map_err(err("registration"))?;
        keys.insert(*t, kp);
        transcript.registrations.insert(*t, reg);
    }
    let mut r1s = BTreeMap::new();
    for (t, kp) in keys {
        let (s, p) =
            dkg::part1(&setup, t, kp, &transcript.registrations, rng).map_err(err("round 1"))?;
        r1s.insert(t, s);
        transcript.round1.insert(t, p);
    }
    let mut r2s = BTreeMap::new();
    for (t, s) in r1s {
        let (s2, p) = dkg::part2(s, &transcript.round1, rng).map_err(err("round 2"))?;
        r2s.insert(t, s2);
        transcript.round2.insert(t, p);
    }
    let qualified = dkg::qualify(
        &setup,
        &transcript.registrations,
        &transcript.round1,
        &transcript.round2,
    )
    .map_err(err("qualification"))?;
    let mut r3s = BTreeMap::new();
    for (t, s) in r2s {
        let (s3, p) = dkg::part3(s, &qualified, rng).map_err(err("round 3"))?;
        r3s.insert(t, s3);
        transcript.round3.insert(t, p);
    }
    let mut shares = BTreeMap::new();
    let mut package = None;
    for (t, s) in r3s {
        let (share, pkg) = dkg::part4(s, &transcript.round3).map_err(err("round 4"))?;
        shares.insert(t, share);
        package = Some(pkg);
    }
    let package = package.ok_or_else(|| {
        RecordError::trustee(
            "round 4",
            sanduq_trustee::Error::Argument("no trustee".into()),
        )
    })?;
    Ok((
        Ceremony {
            setup,
            transcript,
            package,
        },
        shares,
    ))
}

/// One contest of a ballot, encrypted from the voter's marks.
pub(crate) struct Marked {
    /// The contest.
    pub(crate) id: String,
    /// 1 per marked candidate, 0 for the others, in ballot order.
    pub(crate) plaintext: Vec<u64>,
    /// The encrypted contest, with its proofs.
    pub(crate) contest: EncryptedContest,
    /// Each selection's nonce (for a challenge).
    pub(crate) nonces: Vec<SecretScalar>,
}

/// Encrypts the contests of `style`, in order, from `choices` (per contest, the marked
/// candidates; a contest without marks is blank). A contest of `choices` not in the style,
/// or a marked candidate not on the ballot, is refused with `bad(reason)`; `who` names the
/// device or the credential in an error of the cryptography.
pub(crate) fn encrypt_marked<R: CryptoRng + ?Sized>(
    election: &Election,
    ctx: &BallotContext,
    style: &[String],
    choices: &BTreeMap<String, Vec<String>>,
    (who, bad): (&str, &dyn Fn(String) -> RecordError),
    rng: &mut R,
) -> Result<Vec<Marked>, RecordError> {
    if let Some(cid) = choices.keys().find(|c| !style.contains(c)) {
        return Err(bad(format!("contest {cid} is not on this ballot style")));
    }
    let mut out = Vec::with_capacity(style.len());
    for cid in style {
        let desc = election
            .descriptions()
            .get(cid)
            .ok_or_else(|| bad(format!("contest {cid} has no description")))?;
        let marked: &[String] = choices.get(cid).map_or(&[], Vec::as_slice);
        let plaintext = plaintext_of(desc, marked).ok_or_else(|| {
            bad(format!(
                "contest {cid}: a marked candidate is not on the ballot"
            ))
        })?;
        let (contest, nonces) = encrypt_contest_opening(ctx, desc, &plaintext, rng)
            .map_err(|e| RecordError::crypto(format!("{who} contest {cid}"), e))?;
        out.push(Marked {
            id: cid.clone(),
            plaintext,
            contest,
            nonces,
        });
    }
    Ok(out)
}

/// The plaintext of a contest from its marked candidates: 1 per marked selection, 0 for the
/// others, in ballot order; `None` when a marked candidate is not on the ballot (or is marked
/// twice).
#[must_use]
pub fn plaintext_of(desc: &ContestDescription, marked: &[String]) -> Option<Vec<u64>> {
    let pt: Vec<u64> = desc
        .selection_ids()
        .iter()
        .map(|s| u64::from(marked.contains(s)))
        .collect();
    (pt.iter().sum::<u64>() == marked.len() as u64).then_some(pt)
}

/// Encrypt one contest with fresh nonces, returning the nonces for a possible challenge.
/// The same construction as `sanduq_crypto::contest::encrypt_contest` (spec §9.2).
pub fn encrypt_contest_opening<R: CryptoRng + ?Sized>(
    ctx: &BallotContext,
    desc: &ContestDescription,
    plaintext: &[u64],
    rng: &mut R,
) -> Result<(EncryptedContest, Vec<SecretScalar>), sanduq_crypto::Error> {
    if plaintext.len() != desc.selection_ids().len() {
        return Err(sanduq_crypto::Error::Argument(
            "plaintext length differs from the selections",
        ));
    }
    let total: u64 = plaintext.iter().sum();
    let fp = ctx.fingerprint.as_bytes();
    let mut selections = Vec::with_capacity(plaintext.len());
    let mut nonces = Vec::with_capacity(plaintext.len());
    let mut nonce_sum = Scalar::ZERO;
    let mut sum = AggregateCiphertext::zero();
    for (id, &m) in desc.selection_ids().iter().zip(plaintext) {
        let nonce = SecretScalar::random(rng);
        let ciphertext = encrypt(&ctx.key, m, &nonce)?;
        let rctx = RangeContext {
            fingerprint: fp,
            key: &ctx.key,
            contest: desc.contest_id(),
            subject: Subject::Selection(id),
        };
        let proof = prove_range(
            &rctx,
            desc.selection_max(),
            &RangeStatement::from_ciphertext(&ciphertext),
            m,
            &nonce,
            rng,
        )?;
        nonce_sum += nonce.expose();
        sum.add(&ciphertext);
        selections.push(EncryptedSelection {
            selection_id: id.clone(),
            ciphertext,
            proof,
        });
        nonces.push(nonce);
    }
    let lctx = RangeContext {
        fingerprint: fp,
        key: &ctx.key,
        contest: desc.contest_id(),
        subject: Subject::Limit,
    };
    let limit_proof = prove_range(
        &lctx,
        desc.votes_allowed(),
        &RangeStatement::from_aggregate(&sum),
        total,
        &SecretScalar::new(nonce_sum),
        rng,
    )?;
    Ok((
        EncryptedContest {
            contest_id: desc.contest_id().to_owned(),
            selections,
            limit_proof,
        },
        nonces,
    ))
}

/// Hex of a range proof's branches, `a ‖ b ‖ c ‖ z` each ([`RangeProof::to_compact_hex`]).
#[must_use]
pub fn proof_to_wire(p: &RangeProof) -> Vec<String> {
    p.to_compact_hex()
}

/// Decode a range proof's branches ([`RangeProof::from_compact_hex`]).
pub fn proof_from_wire(branches: &[String]) -> Result<RangeProof, sanduq_crypto::Error> {
    RangeProof::from_compact_hex(branches)
}

/// The wire form of an encrypted contest.
#[must_use]
pub fn contest_to_wire(c: &EncryptedContest) -> ContestWire {
    ContestWire {
        contest: c.contest_id.clone(),
        selections: c
            .selections
            .iter()
            .map(|s| SelectionWire {
                id: s.selection_id.clone(),
                ciphertext: s.ciphertext.to_hex(),
                proof: proof_to_wire(&s.proof),
            })
            .collect(),
        limit_proof: proof_to_wire(&c.limit_proof),
    }
}

/// Decode an encrypted contest.
pub fn contest_from_wire(w: &ContestWire) -> Result<EncryptedContest, sanduq_crypto::Error> {
    let mut selections = Vec::with_capacity(w.selections.len());
    for s in &w.selections {
        selections.push(EncryptedSelection {
            selection_id: s.id.clone(),
            ciphertext: Ciphertext::from_hex(&s.ciphertext)?,
            proof: proof_from_wire(&s.proof)?,
        });
    }
    Ok(EncryptedContest {
        contest_id: w.contest.clone(),
        selections,
        limit_proof: proof_from_wire(&w.limit_proof)?,
    })
}

/// A ballot encrypted by a device, its code shown to the voter, awaiting "cast" or
/// "challenge". Holds the nonces (secret until a challenge).
#[derive(Debug)]
pub struct PendingBallot {
    body: BallotBody,
    prev: [u8; 32],
    code: [u8; 32],
    plaintext: BTreeMap<String, Vec<u64>>,
    nonces: BTreeMap<String, Vec<SecretScalar>>,
    encrypted: Vec<EncryptedContest>,
}

impl PendingBallot {
    /// The confirmation code shown to the voter.
    #[must_use]
    pub fn code(&self) -> [u8; 32] {
        self.code
    }
}

/// A polling-station device: encrypts ballots offline and chains their confirmation codes.
#[derive(Debug)]
pub struct Device {
    id: String,
    station: String,
    fingerprint: [u8; 32],
    last: [u8; 32],
    seq: u64,
    lines: Vec<BallotLine>,
    pending: bool,
}

impl Device {
    /// A device at `station`, its chain started.
    #[must_use]
    pub fn new(election: &Election, id: &str, station: &str) -> Device {
        let fingerprint = *election.fingerprint().as_bytes();
        Device {
            id: id.to_owned(),
            station: station.to_owned(),
            fingerprint,
            last: chain_start(&fingerprint, id),
            seq: 0,
            lines: Vec::new(),
            pending: false,
        }
    }

    /// Encrypt a ballot of the style of `group` at this device's station. `choices` gives,
    /// per contest of the style, the marked candidates' identifiers.
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &mut self,
        election: &Election,
        ctx: &BallotContext,
        group: Option<&str>,
        choices: &BTreeMap<String, Vec<String>>,
        rng: &mut R,
    ) -> Result<PendingBallot, RecordError> {
        let bad = |reason: String| RecordError::Ballot {
            device: self.id.clone(),
            reason,
        };
        if self.pending {
            return Err(bad(
                "the previous ballot was neither cast nor challenged".into()
            ));
        }
        let style = election.style(&self.station, group)?;
        let mut contests = Vec::with_capacity(style.len());
        let mut plaintext = BTreeMap::new();
        let mut nonces = BTreeMap::new();
        let mut encrypted = Vec::with_capacity(style.len());
        let who = format!("device {}", self.id);
        for m in encrypt_marked(election, ctx, &style, choices, (&who, &bad), rng)? {
            contests.push(contest_to_wire(&m.contest));
            encrypted.push(m.contest);
            plaintext.insert(m.id.clone(), m.plaintext);
            nonces.insert(m.id, m.nonces);
        }
        let body = BallotBody {
            device: self.id.clone(),
            seq: self.seq + 1,
            station: self.station.clone(),
            group: group.map(str::to_owned),
            contests,
        };
        let bytes = to_canonical(&body)?;
        let code = confirmation_code(&self.fingerprint, &self.id, &self.last, &bytes);
        self.pending = true;
        Ok(PendingBallot {
            body,
            prev: self.last,
            code,
            plaintext,
            nonces,
            encrypted,
        })
    }

    fn append(&mut self, b: PendingBallot, status: &str, opening: Option<Vec<OpenedContest>>) {
        self.seq = b.body.seq;
        self.last = b.code;
        self.pending = false;
        self.lines.push(BallotLine {
            ballot: b.body,
            prev_code: to_hex(&b.prev),
            code: to_hex(&b.code),
            status: status.to_owned(),
            opening,
        });
    }

    /// The voter casts the ballot: it joins the chain and will be counted. Returns its
    /// encrypted contests, for the station's tally.
    pub fn cast(&mut self, mut b: PendingBallot) -> Vec<EncryptedContest> {
        let encrypted = std::mem::take(&mut b.encrypted);
        self.append(b, "cast", None);
        encrypted
    }

    /// The voter challenges the ballot: the device reveals its plaintext and nonces, and the
    /// ballot is published instead of counted.
    pub fn challenge(&mut self, b: PendingBallot) {
        let opening = b
            .body
            .contests
            .iter()
            .map(|c| {
                let pt = b.plaintext.get(&c.contest);
                let ns = b.nonces.get(&c.contest);
                OpenedContest {
                    contest: c.contest.clone(),
                    selections: c
                        .selections
                        .iter()
                        .enumerate()
                        .map(|(i, s)| OpenedSelection {
                            id: s.id.clone(),
                            vote: pt.and_then(|p| p.get(i)).copied().unwrap_or(0),
                            nonce: ns
                                .and_then(|n| n.get(i))
                                .map(|n| to_hex(n.expose().as_bytes()))
                                .unwrap_or_default(),
                        })
                        .collect(),
                }
            })
            .collect();
        self.append(b, "challenged", Some(opening));
    }

    /// Close the device: its ballot lines and its closing entry.
    #[must_use]
    pub fn close(self) -> (Vec<BallotLine>, DeviceWire) {
        let closing = chain_close(&self.fingerprint, &self.id, &self.last, self.seq);
        let wire = DeviceWire {
            device: self.id,
            station: self.station,
            ballots: self.seq,
            closing: to_hex(&closing),
        };
        (self.lines, wire)
    }
}

/// The encrypted tally of one contest in one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestAggregate {
    /// Cast ballots carrying the contest.
    pub ballots: u64,
    /// Per selection, in ballot order.
    pub selections: Vec<AggregateCiphertext>,
}

/// Encrypted tallies: unit → contest → aggregate.
pub type Tallies = BTreeMap<String, BTreeMap<String, ContestAggregate>>;

/// Add a cast ballot's contests to its station's tallies.
pub fn add_to_station(tallies: &mut Tallies, station: &str, contests: &[EncryptedContest]) {
    let unit = tallies.entry(station.to_owned()).or_default();
    for c in contests {
        let agg = unit
            .entry(c.contest_id.clone())
            .or_insert_with(|| ContestAggregate {
                ballots: 0,
                selections: vec![AggregateCiphertext::zero(); c.selections.len()],
            });
        agg.ballots += 1;
        for (a, s) in agg.selections.iter_mut().zip(&c.selections) {
            a.add(&s.ciphertext);
        }
    }
}

/// From station tallies, every level above: each unit the product of its children
/// (units without a ballot get an empty entry).
#[must_use]
pub fn aggregate_upwards(h: &Hierarchy, stations: &Tallies) -> Tallies {
    let mut out: Tallies = BTreeMap::new();
    for u in h.post_order() {
        let mine = if u.level == Level::Station {
            stations.get(&u.id).cloned().unwrap_or_default()
        } else {
            let mut acc: BTreeMap<String, ContestAggregate> = BTreeMap::new();
            for c in &u.children {
                if let Some(child) = out.get(c) {
                    for (cid, agg) in child {
                        let e = acc.entry(cid.clone()).or_insert_with(|| ContestAggregate {
                            ballots: 0,
                            selections: vec![AggregateCiphertext::zero(); agg.selections.len()],
                        });
                        e.ballots += agg.ballots;
                        for (a, b) in e.selections.iter_mut().zip(&agg.selections) {
                            a.add_aggregate(b);
                        }
                    }
                }
            }
            acc
        };
        out.insert(u.id.clone(), mine);
    }
    out
}

/// The privacy rule for every contest: contest → unit → disclosure.
#[must_use]
pub fn disclosures(
    h: &Hierarchy,
    tallies: &Tallies,
    k: u64,
) -> BTreeMap<String, BTreeMap<String, Disclosure>> {
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (unit, contests) in tallies {
        for (cid, agg) in contests {
            counts
                .entry(cid.clone())
                .or_default()
                .insert(unit.clone(), agg.ballots);
        }
    }
    counts
        .into_iter()
        .map(|(cid, c)| {
            let d = h.disclosure(&c, k);
            (cid, d)
        })
        .collect()
}

/// One ciphertext to decrypt: a published unit's tally of one selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Identifies the ciphertext (unit, contest, selection).
    pub id: CiphertextId,
    /// The ciphertext.
    pub ciphertext: tdecrypt::Ciphertext,
    /// Cast ballots in it (the bound of its plaintext).
    pub ballots: u64,
}

/// Every ciphertext the privacy rule allows to decrypt, in order of unit, contest, selection.
pub fn targets(
    election: &Election,
    tallies: &Tallies,
    disclosure: &BTreeMap<String, BTreeMap<String, Disclosure>>,
) -> Result<Vec<Target>, RecordError> {
    let mut out = Vec::new();
    for (unit, contests) in tallies {
        for (cid, agg) in contests {
            let published = disclosure
                .get(cid)
                .and_then(|d| d.get(unit))
                .is_some_and(|d| *d == Disclosure::Published);
            if !published {
                continue;
            }
            let desc = election
                .descriptions()
                .get(cid)
                .ok_or_else(|| RecordError::Manifest(format!("unknown contest {cid}")))?;
            for (sid, ct) in desc.selection_ids().iter().zip(&agg.selections) {
                let what = format!("tally of {unit}/{cid}/{sid}");
                let alpha = Element::from_point("tally alpha", *ct.alpha())
                    .map_err(|e| RecordError::crypto(what.clone(), e))?;
                let beta = Element::from_point("tally beta", *ct.beta())
                    .map_err(|e| RecordError::crypto(what.clone(), e))?;
                out.push(Target {
                    id: CiphertextId {
                        contest: cid.clone(),
                        selection: sid.clone(),
                        unit: unit.clone(),
                    },
                    ciphertext: tdecrypt::Ciphertext { alpha, beta },
                    ballots: agg.ballots,
                });
            }
        }
    }
    Ok(out)
}

/// Check that the trustees present can decrypt under the policy; refuses clearly otherwise.
pub fn check_quorum(policy: &Policy, present: &BTreeSet<TrusteeIndex>) -> Result<(), RecordError> {
    policy
        .check_quorum(present)
        .map_err(|_| RecordError::Quorum {
            threshold: policy.threshold(),
            min_provinces: policy.min_provinces(),
            present: present.iter().map(|t| t.get()).collect(),
        })
}

/// One trustee's decryption shares of every target (its step of the decryption).
pub fn trustee_shares<R: CryptoRng + ?Sized>(
    fingerprint: &ElectionFingerprint,
    key_share: &KeyShare,
    targets: &[Target],
    rng: &mut R,
) -> Result<Vec<DecryptionShare>, RecordError> {
    targets
        .iter()
        .map(|t| {
            tdecrypt::decryption_share(fingerprint, key_share, &t.ciphertext, &t.id, rng)
                .map_err(|e| RecordError::trustee(format!("decryption share of {:?}", t.id), e))
        })
        .collect()
}

/// Combine the shares of the present trustees (one vector per trustee, each in the order of
/// `targets`) into plaintext counts: `m·G = β − Σ λ_j M_j`, then the bounded discrete log.
pub fn combine(
    policy: &Policy,
    targets: &[Target],
    shares: &BTreeMap<TrusteeIndex, Vec<DecryptionShare>>,
) -> Result<Vec<u64>, RecordError> {
    let present: BTreeSet<TrusteeIndex> = shares.keys().copied().collect();
    check_quorum(policy, &present)?;
    let mut lambdas = Vec::with_capacity(present.len());
    for j in &present {
        lambdas.push(
            -tdecrypt::lagrange_at_zero(&present, *j)
                .map_err(|e| RecordError::trustee("lagrange coefficient", e))?,
        );
    }
    let max = targets.iter().map(|t| t.ballots).max().unwrap_or(0);
    let table = sanduq_crypto::dlog::DlogTable::new(max)
        .map_err(|e| RecordError::crypto("discrete-log table", e))?;
    let mut out = Vec::with_capacity(targets.len());
    for (i, t) in targets.iter().enumerate() {
        let mut points = Vec::with_capacity(present.len());
        for j in &present {
            let s = shares
                .get(j)
                .and_then(|v| v.get(i))
                .ok_or_else(|| RecordError::Quorum {
                    threshold: policy.threshold(),
                    min_provinces: policy.min_provinces(),
                    present: present.iter().map(|t| t.get()).collect(),
                })?;
            points.push(*s.share.point());
        }
        let m_g: RistrettoPoint = t.ciphertext.beta.point()
            + RistrettoPoint::vartime_multiscalar_mul(lambdas.iter(), points.iter());
        let m = table
            .solve(&m_g)
            .map_err(|e| RecordError::crypto(format!("tally of {:?}", t.id), e))?;
        if m > t.ballots {
            return Err(RecordError::crypto(
                format!("tally of {:?}", t.id),
                sanduq_crypto::Error::DlogNotFound { max: t.ballots },
            ));
        }
        out.push(m);
    }
    Ok(out)
}

/// Count one contest from its verified totals (candidate order of the ballot) with the
/// counting engine, with the manifest's tie-break seed.
pub fn count_contest(
    manifest: &Manifest,
    contest_id: &str,
    ballots: u64,
    totals: Option<&[u64]>,
) -> Result<ContestResult, RecordError> {
    let contest = manifest
        .contest(contest_id)
        .ok_or_else(|| RecordError::Manifest(format!("unknown contest {contest_id}")))?;
    let bad = |reason: String| RecordError::Count {
        contest: contest_id.to_owned(),
        reason,
    };
    let method: sanduq_count::Method = contest
        .method
        .as_str()
        .parse()
        .map_err(|e: sanduq_count::CountError| bad(e.to_string()))?;
    let mut result = ContestResult {
        contest: contest_id.to_owned(),
        method: method.name().to_owned(),
        seats: u64::from(contest.seats),
        reserved_women: u64::from(contest.reserved_women),
        ballots,
        status: "withheld".to_owned(),
        totals: BTreeMap::new(),
        elected: Vec::new(),
        reserved_elected: Vec::new(),
        runoff: None,
        reserved_unfilled: None,
        ties: Vec::new(),
    };
    let Some(totals) = totals else {
        return Ok(result);
    };
    if totals.len() != contest.candidates.len() {
        return Err(bad(format!(
            "{} totals for {} candidates",
            totals.len(),
            contest.candidates.len()
        )));
    }
    let candidates: Vec<sanduq_count::Candidate> = contest
        .candidates
        .iter()
        .map(|c| {
            let mut k = sanduq_count::Candidate::named(c.id.as_str());
            k.gender = Some(match c.gender {
                Gender::Female => sanduq_count::Gender::Female,
                _ => sanduq_count::Gender::Male,
            });
            k
        })
        .collect();
    let counted =
        Ballots::from_counts(candidates, totals.to_vec()).map_err(|e| bad(e.to_string()))?;
    let seats = usize::try_from(contest.seats).map_err(|e| bad(e.to_string()))?;
    let reserved = usize::try_from(contest.reserved_women).map_err(|e| bad(e.to_string()))?;
    let options = Options {
        seats,
        reserved,
        reserved_rule: match contest.reserved_rule.as_str() {
            "open-then-extra" => sanduq_count::ReservedRule::OpenThenExtra,
            _ => sanduq_count::ReservedRule::ReserveFirst,
        },
        seed: manifest.tie_break_seed().to_vec(),
        ..Options::default()
    };
    let outcome = Count::run(&method, &counted, &options).map_err(|e| bad(e.to_string()))?;
    if reserved > 0 {
        let open = Count::run(
            &method,
            &counted,
            &Options {
                reserved: 0,
                ..options.clone()
            },
        )
        .map_err(|e| bad(e.to_string()))?;
        result.reserved_elected = outcome
            .elected
            .iter()
            .filter(|c| !open.elected.contains(c))
            .cloned()
            .collect();
    }
    result.status = "counted".to_owned();
    result.totals = contest
        .candidates
        .iter()
        .zip(totals)
        .map(|(c, t)| (c.id.as_str().to_owned(), *t))
        .collect();
    result.elected = outcome.elected;
    result.runoff = outcome.runoff;
    result.reserved_unfilled = outcome
        .reserved_shortfall
        .map(|s| (s.reserved.saturating_sub(s.filled)) as u64);
    result.ties = outcome
        .ties
        .iter()
        .map(|t| {
            format!(
                "round {}: {} resolved by {} for {}",
                t.round,
                t.candidates.join(", "),
                t.resolved_by,
                t.favoured
            )
        })
        .collect();
    Ok(result)
}

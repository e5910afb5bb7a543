//! The verifier: numbered checks covering every object of a record
//! (`docs/spec/record.md` §6).
//!
//! [`verify`] runs every check of [`CHECKS`] and returns a [`Report`] listing each with its
//! number, name, status and the number of objects it checked; a failed check names the guilty
//! object (file, line, unit, contest, selection, trustee). Every check always runs: one that
//! cannot get its inputs (an unreadable file) fails, naming the file; nothing is skipped.
//!
//! A record is verified only when every check passed: [`Report::verified`] is then a
//! [`VerifiedRecord`], which holds one zero-sized token per check and can only be built here.

use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rayon::prelude::*;
use sanduq_crypto::contest::{ContestItem, EncryptedContest};
use sanduq_crypto::elgamal::{AggregateCiphertext, ElectionKey, encrypt, mul_g};
use sanduq_crypto::group::{Element, G, SecretScalar, decode_scalar, from_hex, to_hex};
use sanduq_crypto::sigma::{DleqItem, DleqProof, DleqStatement};
use sanduq_crypto::{BallotContext, ElectionFingerprint};
use sanduq_election::Manifest;
use sanduq_election::raw::RawManifest;
use sanduq_trustee::dkg::{self, CeremonySetup, CeremonyTranscript, PublicKeyPackage};
use sanduq_trustee::wire::{HasHeader, Message};
use sanduq_trustee::{Policy, TAG_DECRYPTION_SHARE, TrusteeIndex};
use serde::Serialize;

use crate::chain::{chain_close, chain_start, confirmation_code};
use crate::hierarchy::{Disclosure, Level};
use crate::protocol::{Election, ROUND, contest_from_wire, count_contest};
use crate::record::{
    CEREMONY, CeremonyFile, Location, MANIFEST, PARAMETERS, RESULTS, districts_with_stations,
    expected_files, location_of, nation_totals, units_of,
};
use crate::store::{Files, INDEX, sha256};
use crate::wire::{
    BallotLine, DecryptionFile, DevicesFile, IndexFile, ParametersFile, RECORD_FORMAT, ResultsFile,
    TallyFile, UnitTally, from_canonical, parse_lines, to_canonical,
};

/// Every check: number, name, what it establishes.
pub const CHECKS: &[(u32, &str, &str)] = &[
    (
        1,
        "parameters",
        "record format and suite; generator H derived from its published seed",
    ),
    (
        2,
        "manifest",
        "manifest canonical and valid; election fingerprint, K and tie-break seed",
    ),
    (
        3,
        "ceremony",
        "registrations, commitments, complaints, proofs of knowledge, joint key, public shares",
    ),
    (
        4,
        "ballot-encoding",
        "every ballot canonical, well formed, in its district's file, with its station's ballot style",
    ),
    (
        5,
        "ballot-proofs",
        "every range proof and selection-limit proof (batched, parallel)",
    ),
    (
        6,
        "ballot-duplicates",
        "no ballot code or ciphertext appears twice",
    ),
    (
        7,
        "device-chains",
        "confirmation codes chained per device, sequence numbers, closing values",
    ),
    (
        8,
        "challenged-ballots",
        "every challenged ballot re-encrypts from its revealed votes and nonces",
    ),
    (
        9,
        "station-tallies",
        "each station's tally is the product of its cast ballots",
    ),
    (
        10,
        "aggregation",
        "each centre, district, province and the nation is the product of its children",
    ),
    (
        11,
        "privacy",
        "disclosures follow the privacy rule; exactly the published units are decrypted",
    ),
    (
        12,
        "decryption-shares",
        "every decryption share's proof (batched); the trustees meet the policy",
    ),
    (
        13,
        "decryption-combination",
        "Lagrange combination of the shares is count·G with 0 ≤ count ≤ ballots",
    ),
    (
        14,
        "results",
        "totals are the nation's decryption; winners and seats recomputed by the counting engine",
    ),
    (
        15,
        "completeness",
        "index lists every file with its SHA-256; no file missing or extra",
    ),
];

/// The status of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every object passed.
    Passed,
    /// An object failed, or the check could not run.
    Failed,
}

/// The guilty object of a failed check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The object (file, line, unit, contest, selection, trustee).
    pub object: String,
    /// Why it fails.
    pub reason: String,
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Its number.
    pub number: u32,
    /// Its name.
    pub name: &'static str,
    /// What it establishes.
    pub description: &'static str,
    /// Passed or failed.
    pub status: Status,
    /// How many objects it checked.
    pub objects: u64,
    /// On failure, the first guilty object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

macro_rules! tokens {
    ($($(#[$d:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$d])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name(());
        )*
    };
}

tokens! {
    /// Check 1 passed.
    ParametersOk,
    /// Check 2 passed.
    ManifestOk,
    /// Check 3 passed.
    CeremonyOk,
    /// Checks 4 to 8 passed.
    BallotsOk,
    /// Checks 9 and 10 passed.
    TalliesOk,
    /// Checks 11 to 13 passed.
    DecryptionOk,
    /// Check 14 passed.
    ResultsOk,
    /// Check 15 passed.
    CompleteOk,
}

/// A record every check passed: only [`verify`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRecord {
    /// SHA-256 of `index.json`: the record's identifier.
    pub record_id: String,
    /// The election's fingerprint.
    pub fingerprint: String,
    _tokens: (
        ParametersOk,
        ManifestOk,
        CeremonyOk,
        BallotsOk,
        TalliesOk,
        DecryptionOk,
        ResultsOk,
        CompleteOk,
    ),
}

/// Figures about what was verified.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Ballot lines read.
    pub ballots: u64,
    /// Of which cast.
    pub cast: u64,
    /// Of which challenged.
    pub challenged: u64,
    /// Encrypted selections whose proofs were checked.
    pub selections: u64,
    /// Decryption shares checked.
    pub shares: u64,
    /// Files in the record.
    pub files: u64,
}

/// The verifier's report.
#[derive(Clone, Debug)]
pub struct Report {
    /// Every check, in order.
    pub checks: Vec<CheckResult>,
    /// Figures.
    pub figures: Figures,
    /// The results as recorded (when readable), by contest.
    pub results: Option<ResultsFile>,
    /// Set when every check passed.
    pub verified: Option<VerifiedRecord>,
}

impl Report {
    /// Whether every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.verified.is_some()
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.status == Status::Failed)
    }
}

type Fail = Failure;

fn fail(object: impl Into<String>, reason: impl std::fmt::Display) -> Fail {
    Failure {
        object: object.into(),
        reason: reason.to_string(),
    }
}

/// A decoded ballot line.
struct Ballot {
    file: String,
    line: usize,
    raw: BallotLine,
    contests: Vec<EncryptedContest>,
}

impl Ballot {
    fn name(&self) -> String {
        format!("{}:{} (ballot {})", self.file, self.line, self.raw.code)
    }
}

struct State<'a> {
    files: &'a Files,
    checks: BTreeMap<u32, (u64, Result<(), Fail>)>,
    figures: Figures,
}

impl State<'_> {
    fn record(&mut self, n: u32, objects: u64, r: Result<(), Fail>) -> bool {
        let ok = r.is_ok();
        self.checks.insert(n, (objects, r));
        ok
    }

    fn file(&self, path: &str) -> Result<&[u8], Fail> {
        self.files
            .get(path)
            .map(Vec::as_slice)
            .ok_or_else(|| fail(path, "file missing"))
    }

    fn json<T: Serialize + serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, Fail> {
        let bytes = self.file(path)?;
        from_canonical(path, bytes).map_err(|e| fail(path, e))
    }
}

/// Run every check on a record's files.
#[must_use]
pub fn verify(files: &Files) -> Report {
    let mut st = State {
        files,
        checks: BTreeMap::new(),
        figures: Figures {
            files: files.len() as u64,
            ..Figures::default()
        },
    };
    let tokens = run_checks(&mut st);
    let results: Option<ResultsFile> = st.json(RESULTS).ok();
    let checks: Vec<CheckResult> = CHECKS
        .iter()
        .map(|(n, name, description)| {
            let (objects, r) = st
                .checks
                .remove(n)
                .unwrap_or((0, Err(fail("(verifier)", "check not implemented"))));
            CheckResult {
                number: *n,
                name,
                description,
                status: if r.is_ok() {
                    Status::Passed
                } else {
                    Status::Failed
                },
                objects,
                failure: r.err(),
            }
        })
        .collect();
    let all_passed = checks.iter().all(|c| c.status == Status::Passed);
    let verified = match tokens {
        Some((record_id, fingerprint, t)) if all_passed => Some(VerifiedRecord {
            record_id,
            fingerprint,
            _tokens: t,
        }),
        _ => None,
    };
    Report {
        checks,
        figures: st.figures,
        results,
        verified,
    }
}

type AllTokens = (
    ParametersOk,
    ManifestOk,
    CeremonyOk,
    BallotsOk,
    TalliesOk,
    DecryptionOk,
    ResultsOk,
    CompleteOk,
);

/// Runs the checks; on success of all, the tokens.
fn run_checks(st: &mut State<'_>) -> Option<(String, String, AllTokens)> {
    // ---- 1. parameters
    let params: Result<ParametersFile, Fail> = st.json(PARAMETERS);
    let t1 = check_parameters(params.as_ref());
    let t1_ok = t1.is_ok();
    st.record(1, 1, t1.map(|_| ()));

    // ---- 2. manifest
    let election = check_manifest(st, params.as_ref());
    let t2 = election.is_ok().then_some(ManifestOk(()));
    st.record(2, 1, election.as_ref().map(|_| ()).map_err(Clone::clone));
    let election = election.ok();

    // ---- 3. ceremony
    let ceremony = match (&election, &params) {
        (Some(e), Ok(_)) => check_ceremony(st, e),
        _ => Err(fail(
            CEREMONY,
            "needs the parameters and the manifest (checks 1 and 2)",
        )),
    };
    st.record(3, 1, ceremony.as_ref().map(|_| ()).map_err(Clone::clone));
    let ceremony = ceremony.ok();

    // ---- 4 to 8: ballots
    let (ballots_ok, ballots) = match (&election, &ceremony) {
        (Some(e), Some(c)) => check_ballots(st, e, c),
        _ => {
            for n in 4..=8 {
                st.record(
                    n,
                    0,
                    Err(fail(
                        "ballots",
                        "needs the manifest and the ceremony (checks 2 and 3)",
                    )),
                );
            }
            (false, Vec::new())
        }
    };

    // ---- 9, 10: tallies
    let tallies = match &election {
        Some(e) => check_tallies(st, e, &ballots),
        None => {
            for n in 9..=10 {
                st.record(n, 0, Err(fail("tallies", "needs the manifest (check 2)")));
            }
            None
        }
    };

    // ---- 11 to 13: privacy and decryption
    let decrypted = match (&election, &ceremony, &tallies) {
        (Some(e), Some(c), Some(t)) => check_decryption(st, e, c, t),
        _ => {
            for n in 11..=13 {
                st.record(
                    n,
                    0,
                    Err(fail(
                        "decryption",
                        "needs the manifest, the ceremony and the tallies (checks 2, 3, 10)",
                    )),
                );
            }
            None
        }
    };

    // ---- 14: results
    let results = match (&election, &tallies, &decrypted) {
        (Some(e), Some(t), Some(d)) => check_results(st, e, t, d),
        _ => Err(fail(
            RESULTS,
            "needs the verified tallies and decryptions (checks 10 to 13)",
        )),
    };
    let results_ok = st.record(14, results.as_ref().map_or(0, |n| *n), results.map(|_| ()));

    // ---- 15: completeness
    let complete = check_completeness(st, election.as_ref());
    let complete_ok = st.record(15, st.figures.files, complete);

    let pass = |range: std::ops::RangeInclusive<u32>, st: &State<'_>| {
        range
            .into_iter()
            .all(|n| st.checks.get(&n).is_some_and(|(_, r)| r.is_ok()))
    };
    let tokens = (
        t1_ok.then_some(ParametersOk(()))?,
        t2?,
        ceremony.as_ref().map(|_| CeremonyOk(()))?,
        (ballots_ok && pass(4..=8, st)).then_some(BallotsOk(()))?,
        (tallies.is_some() && pass(9..=10, st)).then_some(TalliesOk(()))?,
        (decrypted.is_some() && pass(11..=13, st)).then_some(DecryptionOk(()))?,
        results_ok.then_some(ResultsOk(()))?,
        complete_ok.then_some(CompleteOk(()))?,
    );
    let record_id = to_hex(&sha256(st.files.get(INDEX).map_or(&[][..], Vec::as_slice)));
    let fingerprint = election
        .as_ref()
        .map(|e| to_hex(e.fingerprint().as_bytes()))
        .unwrap_or_default();
    Some((record_id, fingerprint, tokens))
}

fn check_parameters(p: Result<&ParametersFile, &Fail>) -> Result<ParametersOk, Fail> {
    let p = p.map_err(Clone::clone)?;
    if p.format != RECORD_FORMAT {
        return Err(fail(
            PARAMETERS,
            format!("format {:?} is not {RECORD_FORMAT}", p.format),
        ));
    }
    if p.spec_version != sanduq_crypto::SPEC_VERSION || p.suite != sanduq_crypto::SUITE {
        return Err(fail(PARAMETERS, "unknown spec version or suite"));
    }
    if p.round != ROUND {
        return Err(fail(
            PARAMETERS,
            format!("round {} is not {ROUND}", p.round),
        ));
    }
    let seed = from_hex("generator seed", &p.generator_seed).map_err(|e| fail(PARAMETERS, e))?;
    let h = sanduq_crypto::params::derive_generator(&seed).map_err(|e| fail(PARAMETERS, e))?;
    if h.to_hex() != p.generator_h {
        return Err(fail(
            format!("{PARAMETERS} generator_h"),
            "H is not the hash-to-group of its published seed",
        ));
    }
    Ok(ParametersOk(()))
}

fn check_manifest(
    st: &State<'_>,
    params: Result<&ParametersFile, &Fail>,
) -> Result<Election, Fail> {
    let p = params.map_err(|_| fail(MANIFEST, "needs the parameters (check 1)"))?;
    let bytes = st.file(MANIFEST)?;
    let raw: RawManifest = serde_json::from_slice(bytes).map_err(|e| fail(MANIFEST, e))?;
    let manifest = Manifest::from_raw(&raw).map_err(|e| fail(MANIFEST, e))?;
    if manifest.canonical_bytes() != bytes {
        return Err(fail(MANIFEST, "not in canonical form"));
    }
    if to_hex(&sha256(bytes)) != p.manifest_sha256 {
        return Err(fail(
            format!("{PARAMETERS} manifest_sha256"),
            "differs from the manifest's hash",
        ));
    }
    let seed = from_hex("generator seed", &p.generator_seed).map_err(|e| fail(PARAMETERS, e))?;
    let election = Election::setup(manifest, &seed).map_err(|e| fail(MANIFEST, e))?;
    if to_hex(election.fingerprint().as_bytes()) != p.fingerprint {
        return Err(fail(
            format!("{PARAMETERS} fingerprint"),
            "is not the fingerprint of the parameters and manifest",
        ));
    }
    if election.privacy_threshold() != p.privacy_threshold {
        return Err(fail(
            format!("{PARAMETERS} privacy_threshold"),
            "differs from the manifest's",
        ));
    }
    if to_hex(election.manifest().tie_break_seed()) != p.tie_break_seed {
        return Err(fail(
            format!("{PARAMETERS} tie_break_seed"),
            "differs from the manifest's",
        ));
    }
    Ok(election)
}

/// What the verified ceremony gives the later checks.
struct Verified {
    ctx: BallotContext,
    policy: Policy,
    package: PublicKeyPackage,
}

fn check_ceremony(st: &State<'_>, election: &Election) -> Result<Verified, Fail> {
    let file: CeremonyFile = st.json(CEREMONY)?;
    let f = |what: &str, e: sanduq_trustee::Error| fail(format!("{CEREMONY} {what}"), e);
    fn header<W: HasHeader>(w: &W, kind: &str) -> Result<(), Fail> {
        let h = w.header();
        if h.version != sanduq_crypto::SPEC_VERSION
            || h.suite != sanduq_crypto::SUITE
            || h.message != kind
        {
            return Err(fail(CEREMONY, format!("message header is not {kind}")));
        }
        Ok(())
    }
    header(&file.setup, CeremonySetup::KIND)?;
    let setup = CeremonySetup::from_wire(file.setup.clone()).map_err(|e| f("setup", e))?;
    if setup.fingerprint() != election.fingerprint() {
        return Err(fail(
            format!("{CEREMONY} setup"),
            "fingerprint is not the election's",
        ));
    }
    if setup.parameters() != election.parameters() {
        return Err(fail(
            format!("{CEREMONY} setup"),
            "parameters are not the election's",
        ));
    }
    let mut transcript = CeremonyTranscript::default();
    for w in &file.registrations {
        header(w, sanduq_trustee::dkg::Registration::KIND)?;
        let m = sanduq_trustee::dkg::Registration::from_wire(w.clone())
            .map_err(|e| f("registration", e))?;
        if transcript.registrations.insert(m.trustee, m).is_some() {
            return Err(fail(CEREMONY, "a trustee registered twice"));
        }
    }
    for w in &file.round1 {
        header(w, sanduq_trustee::dkg::Round1Package::KIND)?;
        let m = sanduq_trustee::dkg::Round1Package::from_wire(w.clone())
            .map_err(|e| f("round 1", e))?;
        if transcript.round1.insert(m.trustee, m).is_some() {
            return Err(fail(CEREMONY, "two round-1 messages from one trustee"));
        }
    }
    for w in &file.round2 {
        header(w, sanduq_trustee::dkg::Round2Package::KIND)?;
        let m = sanduq_trustee::dkg::Round2Package::from_wire(w.clone())
            .map_err(|e| f("round 2", e))?;
        if transcript.round2.insert(m.trustee, m).is_some() {
            return Err(fail(CEREMONY, "two round-2 messages from one trustee"));
        }
    }
    for w in &file.round3 {
        header(w, sanduq_trustee::dkg::Round3Package::KIND)?;
        let m = sanduq_trustee::dkg::Round3Package::from_wire(w.clone())
            .map_err(|e| f("round 3", e))?;
        if transcript.round3.insert(m.trustee, m).is_some() {
            return Err(fail(CEREMONY, "two round-3 messages from one trustee"));
        }
    }
    header(&file.public_key, PublicKeyPackage::KIND)?;
    let recorded =
        PublicKeyPackage::from_wire(file.public_key.clone()).map_err(|e| f("public key", e))?;
    let (_qualified, package) =
        dkg::verify_ceremony(&setup, &transcript).map_err(|e| f("transcript", e))?;
    if package != recorded {
        return Err(fail(
            format!("{CEREMONY} public_key"),
            "the joint key or a public share is not the one the commitments give",
        ));
    }
    Ok(Verified {
        ctx: BallotContext {
            fingerprint: *election.fingerprint(),
            key: ElectionKey::new(package.joint_key),
        },
        policy: setup.policy().clone(),
        package,
    })
}

/// Checks 4 to 8. Returns whether all passed, and the decoded ballots.
fn check_ballots(st: &mut State<'_>, election: &Election, c: &Verified) -> (bool, Vec<Ballot>) {
    let h = election.hierarchy();
    let fp = *election.fingerprint().as_bytes();
    // ---- 4. encoding and style
    let mut ballots: Vec<Ballot> = Vec::new();
    let mut r4: Result<(), Fail> = Ok(());
    let mut styles: BTreeMap<(String, Option<String>), Vec<String>> = BTreeMap::new();
    let districts = districts_with_stations(h);
    'files: for loc in &districts {
        let path = loc.file("ballots.jsonl");
        let bytes = match st.file(&path) {
            Ok(b) => b,
            Err(e) => {
                r4 = Err(e);
                break;
            }
        };
        for (i, line) in parse_lines::<BallotLine>(&path, bytes)
            .into_iter()
            .enumerate()
        {
            let name = format!("{path}:{}", i + 1);
            let raw = match line {
                Ok(l) => l,
                Err(e) => {
                    r4 = Err(fail(name, e));
                    break 'files;
                }
            };
            let checked = (|| -> Result<Vec<EncryptedContest>, String> {
                if location_of(h, &raw.ballot.station).as_ref() != Some(loc)
                    || h.unit(&raw.ballot.station).map(|u| u.level) != Some(Level::Station)
                {
                    return Err(format!(
                        "station {} is not a polling station of this district",
                        raw.ballot.station
                    ));
                }
                match (raw.status.as_str(), raw.opening.is_some()) {
                    ("cast", false) | ("challenged", true) => {}
                    _ => {
                        return Err(format!(
                            "status {:?} with{} an opening",
                            raw.status,
                            if raw.opening.is_some() { "" } else { "out" }
                        ));
                    }
                }
                let key = (raw.ballot.station.clone(), raw.ballot.group.clone());
                if !styles.contains_key(&key) {
                    let s = election
                        .style(&raw.ballot.station, raw.ballot.group.as_deref())
                        .map_err(|e| e.to_string())?;
                    styles.insert(key.clone(), s);
                }
                let style = styles.get(&key).cloned().unwrap_or_default();
                let have: Vec<&str> = raw
                    .ballot
                    .contests
                    .iter()
                    .map(|c| c.contest.as_str())
                    .collect();
                if have != style.iter().map(String::as_str).collect::<Vec<_>>() {
                    return Err(format!(
                        "contests {have:?} are not the ballot style {style:?}"
                    ));
                }
                let mut out = Vec::with_capacity(raw.ballot.contests.len());
                for cw in &raw.ballot.contests {
                    let desc = election
                        .descriptions()
                        .get(&cw.contest)
                        .ok_or_else(|| format!("unknown contest {}", cw.contest))?;
                    let ids: Vec<&str> = cw.selections.iter().map(|s| s.id.as_str()).collect();
                    if ids
                        != desc
                            .selection_ids()
                            .iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                    {
                        return Err(format!(
                            "contest {}: selections are not the manifest's candidates",
                            cw.contest
                        ));
                    }
                    out.push(
                        contest_from_wire(cw)
                            .map_err(|e| format!("contest {}: {e}", cw.contest))?,
                    );
                }
                Ok(out)
            })();
            match checked {
                Ok(contests) => ballots.push(Ballot {
                    file: path.clone(),
                    line: i + 1,
                    raw,
                    contests,
                }),
                Err(reason) => {
                    r4 = Err(fail(format!("{name} (ballot {})", raw.code), reason));
                    break 'files;
                }
            }
        }
    }
    st.figures.ballots = ballots.len() as u64;
    st.figures.cast = ballots.iter().filter(|b| b.raw.status == "cast").count() as u64;
    st.figures.challenged = ballots
        .iter()
        .filter(|b| b.raw.status == "challenged")
        .count() as u64;
    let ok4 = st.record(4, ballots.len() as u64, r4);

    // ---- 5. proofs, batched and parallel
    let mut items = Vec::new();
    let mut owner = Vec::new();
    for (bi, b) in ballots.iter().enumerate() {
        for contest in &b.contests {
            if let Some(desc) = election.descriptions().get(&contest.contest_id) {
                items.push(ContestItem {
                    ctx: &c.ctx,
                    desc,
                    contest,
                });
                owner.push(bi);
            }
        }
    }
    st.figures.selections = ballots
        .iter()
        .flat_map(|b| b.contests.iter())
        .map(|c| c.selections.len() as u64)
        .sum();
    let mut rng = rand::rng();
    let bad = sanduq_crypto::batch::failing_items(&items, &mut rng);
    let r5 = match bad.first() {
        None if ok4 => Ok(()),
        None => Err(fail("ballots", "not every ballot could be read (check 4)")),
        Some(e) => {
            let b = owner.get(e.index).and_then(|i| ballots.get(*i));
            let contest = items
                .get(e.index)
                .map_or("?", |i| i.contest.contest_id.as_str());
            Err(fail(
                format!(
                    "{} contest {contest}",
                    b.map_or("?".to_owned(), Ballot::name)
                ),
                &e.error,
            ))
        }
    };
    let ok5 = st.record(5, items.len() as u64, r5);

    // ---- 6. duplicates
    let mut codes = BTreeSet::new();
    let mut alphas = BTreeSet::new();
    let mut r6 = Ok(());
    'dup: for b in &ballots {
        if !codes.insert(b.raw.code.clone()) {
            r6 = Err(fail(b.name(), "this confirmation code appears twice"));
            break;
        }
        for c in &b.contests {
            for s in &c.selections {
                if !alphas.insert(*s.ciphertext.alpha().as_bytes()) {
                    r6 = Err(fail(
                        format!(
                            "{} contest {} selection {}",
                            b.name(),
                            c.contest_id,
                            s.selection_id
                        ),
                        "this ciphertext appears in another ballot",
                    ));
                    break 'dup;
                }
            }
        }
    }
    if r6.is_ok() && !ok4 {
        r6 = Err(fail("ballots", "not every ballot could be read (check 4)"));
    }
    let ok6 = st.record(6, ballots.len() as u64, r6);

    // ---- 7. device chains
    let r7 = check_chains(st, &districts, &ballots, &fp);
    let ok7 = st.record(
        7,
        ballots.len() as u64,
        r7.and_then(|()| {
            if ok4 {
                Ok(())
            } else {
                Err(fail("ballots", "not every ballot could be read (check 4)"))
            }
        }),
    );

    // ---- 8. challenged ballots
    let mut r8 = if ok4 {
        Ok(())
    } else {
        Err(fail("ballots", "not every ballot could be read (check 4)"))
    };
    let mut n8 = 0;
    for b in ballots.iter().filter(|b| b.raw.status == "challenged") {
        n8 += 1;
        if let Err(reason) = check_opening(election, c, b) {
            r8 = Err(fail(b.name(), reason));
            break;
        }
    }
    let ok8 = st.record(8, n8, r8);
    (ok4 && ok5 && ok6 && ok7 && ok8, ballots)
}

fn check_chains(
    st: &State<'_>,
    districts: &BTreeSet<Location>,
    ballots: &[Ballot],
    fp: &[u8; 32],
) -> Result<(), Fail> {
    // device → (station, last code, count)
    let mut chains: BTreeMap<String, (String, [u8; 32], u64, String)> = BTreeMap::new();
    let mut previous: Option<(&str, &str, u64)> = None;
    for b in ballots {
        let dev = &b.raw.ballot.device;
        let here = (b.file.as_str(), dev.as_str(), b.raw.ballot.seq);
        if let Some(p) = previous {
            if p.0 == here.0 && (p.1, p.2) >= (here.1, here.2) {
                return Err(fail(
                    b.name(),
                    "ballots not in order of device and sequence number",
                ));
            }
        }
        previous = Some(here);
        let entry = chains.entry(dev.clone()).or_insert_with(|| {
            (
                b.raw.ballot.station.clone(),
                chain_start(fp, dev),
                0,
                b.file.clone(),
            )
        });
        if entry.0 != b.raw.ballot.station || entry.3 != b.file {
            return Err(fail(
                b.name(),
                format!("device {dev} appears at two stations or in two files"),
            ));
        }
        if b.raw.ballot.seq != entry.2 + 1 {
            return Err(fail(
                b.name(),
                format!(
                    "sequence number {} where {} follows on device {dev}",
                    b.raw.ballot.seq,
                    entry.2 + 1
                ),
            ));
        }
        if b.raw.prev_code != to_hex(&entry.1) {
            return Err(fail(
                b.name(),
                "previous code is not the device's last code",
            ));
        }
        let bytes = to_canonical(&b.raw.ballot).map_err(|e| fail(b.name(), e))?;
        let code = confirmation_code(fp, dev, &entry.1, &bytes);
        if to_hex(&code) != b.raw.code {
            return Err(fail(
                b.name(),
                "confirmation code is not the hash of the chain and the ballot",
            ));
        }
        entry.1 = code;
        entry.2 += 1;
    }
    let mut listed = BTreeSet::new();
    for loc in districts {
        let path = loc.file("devices.json");
        let file: DevicesFile = st.json(&path)?;
        if let Location::District { district, .. } = loc {
            if &file.district != district {
                return Err(fail(&path, "names another district"));
            }
        }
        let mut prev: Option<&str> = None;
        for d in &file.devices {
            if prev.is_some_and(|p| p >= d.device.as_str()) {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    "devices not in increasing order",
                ));
            }
            prev = Some(&d.device);
            listed.insert(d.device.clone());
            let (station, last, count, bfile) =
                chains.get(&d.device).cloned().unwrap_or_else(|| {
                    (
                        d.station.clone(),
                        chain_start(fp, &d.device),
                        0,
                        loc.file("ballots.jsonl"),
                    )
                });
            if station != d.station || bfile != loc.file("ballots.jsonl") {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    "station or district differs from its ballots'",
                ));
            }
            if count != d.ballots {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    format!(
                        "{} ballots recorded, the device closed with {}",
                        count, d.ballots
                    ),
                ));
            }
            if to_hex(&chain_close(fp, &d.device, &last, count)) != d.closing {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    "closing value does not match the chain of its ballots",
                ));
            }
        }
    }
    if let Some(dev) = chains.keys().find(|d| !listed.contains(*d)) {
        return Err(fail(
            format!("device {dev}"),
            "has ballots but no closing entry",
        ));
    }
    Ok(())
}

fn check_opening(election: &Election, c: &Verified, b: &Ballot) -> Result<(), String> {
    let opening = b.raw.opening.as_ref().ok_or("no opening")?;
    if opening.len() != b.contests.len() {
        return Err("the opening does not cover every contest".into());
    }
    for (oc, ec) in opening.iter().zip(&b.contests) {
        if oc.contest != ec.contest_id || oc.selections.len() != ec.selections.len() {
            return Err(format!(
                "opening of contest {} does not match the ballot",
                oc.contest
            ));
        }
        let desc = election
            .descriptions()
            .get(&ec.contest_id)
            .ok_or_else(|| format!("unknown contest {}", ec.contest_id))?;
        let mut total = 0u64;
        for (os, es) in oc.selections.iter().zip(&ec.selections) {
            if os.id != es.selection_id || os.vote > desc.selection_max() {
                return Err(format!(
                    "contest {} selection {}: bad opening",
                    oc.contest, os.id
                ));
            }
            total += os.vote;
            let nonce = decode_scalar(
                "nonce",
                &from_hex("nonce", &os.nonce).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?;
            let again = encrypt(&c.ctx.key, os.vote, &SecretScalar::new(nonce))
                .map_err(|e| e.to_string())?;
            if again != es.ciphertext {
                return Err(format!(
                    "contest {} selection {}: re-encryption of the revealed vote and nonce differs",
                    oc.contest, os.id
                ));
            }
        }
        if total > desc.votes_allowed() {
            return Err(format!(
                "contest {}: {total} votes above the limit",
                oc.contest
            ));
        }
    }
    Ok(())
}

/// The tallies as recorded (after checks 9 and 10): unit → its entry.
type RecordedTallies = BTreeMap<String, UnitTally>;

fn parse_agg(s: &str) -> Result<AggregateCiphertext, String> {
    let b = from_hex("tally", s).map_err(|e| e.to_string())?;
    AggregateCiphertext::decode(&b).map_err(|e| e.to_string())
}

/// Checks 9 and 10.
fn check_tallies(
    st: &mut State<'_>,
    election: &Election,
    ballots: &[Ballot],
) -> Option<RecordedTallies> {
    let h = election.hierarchy();
    let mut recorded: RecordedTallies = BTreeMap::new();
    let mut read_err = None;
    let mut locations: Vec<Location> = districts_with_stations(h).into_iter().collect();
    for u in h.units().values() {
        match u.level {
            Level::Province => locations.push(Location::Province(u.id.clone())),
            Level::Nation => locations.push(Location::Nation),
            _ => {}
        }
    }
    for loc in &locations {
        let path = loc.file("tally.json");
        match st.json::<TallyFile>(&path) {
            Ok(f) => {
                let want = units_of(h, loc);
                let have: Vec<String> = f.units.iter().map(|u| u.unit.clone()).collect();
                if want != have {
                    read_err.get_or_insert(fail(
                        &path,
                        format!("units {have:?} are not the units of this location {want:?}"),
                    ));
                }
                for u in f.units {
                    let lvl = h
                        .unit(&u.unit)
                        .map(|x| (x.level.as_str(), x.parent.clone()));
                    if lvl != Some((u.level.as_str(), u.parent.clone())) {
                        read_err.get_or_insert(fail(
                            format!("{path} unit {}", u.unit),
                            "level or parent is not the manifest's",
                        ));
                    }
                    recorded.insert(u.unit.clone(), u);
                }
            }
            Err(e) => {
                read_err.get_or_insert(e);
            }
        }
    }
    let loc_file =
        |unit: &str| location_of(h, unit).map_or_else(|| "?".to_owned(), |l| l.file("tally.json"));
    // compare one unit's recorded contests with expected aggregates
    let compare = |unit: &str,
                   expected: &BTreeMap<String, (u64, Vec<AggregateCiphertext>)>|
     -> Result<(), Fail> {
        let rec = recorded
            .get(unit)
            .ok_or_else(|| fail(loc_file(unit), format!("no tally for unit {unit}")))?;
        let have: Vec<&str> = rec.contests.iter().map(|c| c.contest.as_str()).collect();
        let want: Vec<&str> = expected.keys().map(String::as_str).collect();
        if have != want {
            return Err(fail(
                format!("{} unit {unit}", loc_file(unit)),
                format!("contests {have:?} where the ballots give {want:?}"),
            ));
        }
        for ct in &rec.contests {
            let Some((n, sels)) = expected.get(&ct.contest) else {
                continue;
            };
            let obj = format!("{} unit {unit} contest {}", loc_file(unit), ct.contest);
            if ct.ballots != *n {
                return Err(fail(
                    obj,
                    format!("{} ballots recorded, {n} counted", ct.ballots),
                ));
            }
            let ids = election
                .descriptions()
                .get(&ct.contest)
                .map(|d| d.selection_ids().to_vec())
                .unwrap_or_default();
            if ct.selections.len() != sels.len()
                || ct.selections.iter().zip(&ids).any(|(s, id)| &s.id != id)
            {
                return Err(fail(obj, "selections are not the contest's candidates"));
            }
            for (s, e) in ct.selections.iter().zip(sels) {
                let got = parse_agg(&s.ciphertext)
                    .map_err(|r| fail(format!("{obj} selection {}", s.id), r))?;
                if got != *e {
                    return Err(fail(
                        format!("{obj} selection {}", s.id),
                        "encrypted tally is not the product",
                    ));
                }
            }
        }
        Ok(())
    };
    // ---- 9. stations from cast ballots
    let mut expected: BTreeMap<String, BTreeMap<String, (u64, Vec<AggregateCiphertext>)>> =
        BTreeMap::new();
    for b in ballots.iter().filter(|b| b.raw.status == "cast") {
        let unit = expected.entry(b.raw.ballot.station.clone()).or_default();
        for c in &b.contests {
            let e = unit
                .entry(c.contest_id.clone())
                .or_insert_with(|| (0, vec![AggregateCiphertext::zero(); c.selections.len()]));
            e.0 += 1;
            for (a, s) in e.1.iter_mut().zip(&c.selections) {
                a.add(&s.ciphertext);
            }
        }
    }
    let stations: Vec<&str> = h
        .units()
        .values()
        .filter(|u| u.level == Level::Station)
        .map(|u| u.id.as_str())
        .collect();
    let empty = BTreeMap::new();
    let mut r9: Result<(), Fail> = Ok(());
    for s in &stations {
        if let Err(e) = compare(s, expected.get(*s).unwrap_or(&empty)) {
            r9 = Err(e);
            break;
        }
    }
    let ok9 = st.record(9, stations.len() as u64, r9);
    // ---- 10. every level above from its children's recorded tallies
    let mut r10: Result<(), Fail> = read_err.clone().map_or(Ok(()), Err);
    let mut n10 = 0;
    if r10.is_ok() {
        for u in h
            .post_order()
            .into_iter()
            .filter(|u| u.level != Level::Station)
        {
            n10 += 1;
            let mut exp: BTreeMap<String, (u64, Vec<AggregateCiphertext>)> = BTreeMap::new();
            let mut bad = None;
            for child in &u.children {
                let Some(rec) = recorded.get(child) else {
                    continue;
                };
                for ct in &rec.contests {
                    let e = exp.entry(ct.contest.clone()).or_insert_with(|| {
                        (0, vec![AggregateCiphertext::zero(); ct.selections.len()])
                    });
                    e.0 += ct.ballots;
                    if e.1.len() != ct.selections.len() {
                        bad = Some(fail(
                            format!("unit {child} contest {}", ct.contest),
                            "wrong number of selections",
                        ));
                    }
                    for (a, s) in e.1.iter_mut().zip(&ct.selections) {
                        match parse_agg(&s.ciphertext) {
                            Ok(x) => a.add_aggregate(&x),
                            Err(r) => {
                                bad = Some(fail(
                                    format!(
                                        "unit {child} contest {} selection {}",
                                        ct.contest, s.id
                                    ),
                                    r,
                                ))
                            }
                        }
                    }
                }
            }
            if let Some(b) = bad {
                r10 = Err(b);
                break;
            }
            // a district without stations has no record folder: its tally is empty
            if !recorded.contains_key(&u.id) && exp.is_empty() && u.level == Level::District {
                continue;
            }
            if let Err(e) = compare(&u.id, &exp) {
                r10 = Err(e);
                break;
            }
        }
    }
    let ok10 = st.record(10, n10, r10);
    (ok9 && ok10).then_some(recorded)
}

/// Checks 11 to 13. Returns unit → contest → counts.
fn check_decryption(
    st: &mut State<'_>,
    election: &Election,
    c: &Verified,
    recorded: &RecordedTallies,
) -> Option<BTreeMap<String, BTreeMap<String, Vec<u64>>>> {
    let h = election.hierarchy();
    // ---- 11. privacy rule
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (unit, t) in recorded {
        for ct in &t.contests {
            counts
                .entry(ct.contest.clone())
                .or_default()
                .insert(unit.clone(), ct.ballots);
        }
    }
    let k = election.privacy_threshold();
    let rule: BTreeMap<String, BTreeMap<String, Disclosure>> = counts
        .iter()
        .map(|(cid, m)| (cid.clone(), h.disclosure(m, k)))
        .collect();
    let mut r11: Result<(), Fail> = Ok(());
    let mut n11 = 0u64;
    'units: for (unit, t) in recorded {
        for ct in &t.contests {
            n11 += 1;
            let want = rule.get(&ct.contest).and_then(|d| d.get(unit));
            let (disc, into) = match want {
                Some(Disclosure::Published) => ("published", None),
                Some(Disclosure::Merged(p)) => ("merged", Some(p)),
                _ => ("withheld", None),
            };
            if ct.disclosure != disc || ct.merged_into.as_ref() != into {
                let loc =
                    location_of(h, unit).map_or_else(|| "?".to_owned(), |l| l.file("tally.json"));
                r11 = Err(fail(
                    format!("{loc} unit {unit} contest {}", ct.contest),
                    format!(
                        "disclosure {:?} where the privacy rule gives {disc:?}",
                        ct.disclosure
                    ),
                ));
                break 'units;
            }
        }
    }
    // decryption files
    let mut locations: Vec<Location> = districts_with_stations(h).into_iter().collect();
    for u in h.units().values() {
        match u.level {
            Level::Province => locations.push(Location::Province(u.id.clone())),
            Level::Nation => locations.push(Location::Nation),
            _ => {}
        }
    }
    let mut decs = Vec::new();
    for loc in &locations {
        let path = loc.file("decryption.json");
        match st.json::<DecryptionFile>(&path) {
            Ok(f) => decs.push((path, loc.clone(), f)),
            Err(e) => {
                if r11.is_ok() {
                    r11 = Err(e);
                }
            }
        }
    }
    let mut decrypted_set = BTreeSet::new();
    for (path, loc, f) in &decs {
        let units: BTreeSet<String> = units_of(h, loc).into_iter().collect();
        let mut prev: Option<(String, String)> = None;
        for d in &f.decryptions {
            let key = (d.unit.clone(), d.contest.clone());
            if r11.is_ok() && prev.as_ref().is_some_and(|p| p >= &key) {
                r11 = Err(fail(
                    format!("{path} unit {} contest {}", d.unit, d.contest),
                    "decryptions out of order or repeated",
                ));
            }
            prev = Some(key.clone());
            if r11.is_ok() && !units.contains(&d.unit) {
                r11 = Err(fail(
                    format!("{path} unit {}", d.unit),
                    "is not a unit of this location",
                ));
            }
            let published =
                rule.get(&d.contest).and_then(|m| m.get(&d.unit)) == Some(&Disclosure::Published);
            if r11.is_ok() && !published {
                r11 = Err(fail(
                    format!("{path} unit {} contest {}", d.unit, d.contest),
                    "decrypted although the privacy rule does not publish it",
                ));
            }
            decrypted_set.insert(key);
        }
    }
    if r11.is_ok() {
        for (cid, m) in &rule {
            for (unit, d) in m {
                if *d == Disclosure::Published
                    && !decrypted_set.contains(&(unit.clone(), cid.clone()))
                {
                    let loc = location_of(h, unit)
                        .map_or_else(|| "?".to_owned(), |l| l.file("decryption.json"));
                    r11 = Err(fail(
                        format!("{loc} unit {unit} contest {cid}"),
                        "published by the privacy rule but not decrypted",
                    ));
                    break;
                }
            }
            if r11.is_err() {
                break;
            }
        }
    }
    let ok11 = st.record(11, n11, r11);

    // ---- 12. shares
    struct Item {
        object: String,
        trustee: TrusteeIndex,
        context: Vec<Vec<u8>>,
        public: Element,
        alpha: Element,
        beta: Element,
        share: Element,
        proof: DleqProof,
        count: u64,
        ballots: u64,
        selection: usize,
    }
    let mut items: Vec<Item> = Vec::new();
    let mut r12: Result<(), Fail> = Ok(());
    let mut present_sets: BTreeSet<Vec<u32>> = BTreeSet::new();
    'files: for (path, _, f) in &decs {
        present_sets.insert(f.trustees.clone());
        let mut present = BTreeSet::new();
        for t in &f.trustees {
            match TrusteeIndex::new(*t) {
                Ok(i) if c.package.public_shares.contains_key(&i) => {
                    if !present.insert(i) {
                        r12 = Err(fail(format!("{path} trustee {t}"), "listed twice"));
                        break 'files;
                    }
                }
                _ => {
                    r12 = Err(fail(
                        format!("{path} trustee {t}"),
                        "not a qualified trustee",
                    ));
                    break 'files;
                }
            }
        }
        if let Err(e) = c.policy.check_quorum(&present) {
            r12 = Err(fail(format!("{path} trustees"), e));
            break;
        }
        for d in &f.decryptions {
            let Some(ct) = recorded
                .get(&d.unit)
                .and_then(|u| u.contests.iter().find(|x| x.contest == d.contest))
            else {
                r12 = Err(fail(
                    format!("{path} unit {} contest {}", d.unit, d.contest),
                    "no such tally",
                ));
                break 'files;
            };
            if d.selections.len() != ct.selections.len() {
                r12 = Err(fail(
                    format!("{path} unit {} contest {}", d.unit, d.contest),
                    "wrong number of selections",
                ));
                break 'files;
            }
            for (si, (sd, stally)) in d.selections.iter().zip(&ct.selections).enumerate() {
                let obj = format!(
                    "{path} unit {} contest {} selection {}",
                    d.unit, d.contest, sd.id
                );
                if sd.id != stally.id {
                    r12 = Err(fail(obj, "selection is not the tally's"));
                    break 'files;
                }
                let parts = parse_agg(&stally.ciphertext).and_then(|a| {
                    Ok((
                        Element::from_point("alpha", *a.alpha()).map_err(|e| e.to_string())?,
                        Element::from_point("beta", *a.beta()).map_err(|e| e.to_string())?,
                    ))
                });
                let (alpha, beta) = match parts {
                    Ok(p) => p,
                    Err(r) => {
                        r12 = Err(fail(obj, r));
                        break 'files;
                    }
                };
                let listed: Vec<u32> = sd.shares.iter().map(|s| s.trustee).collect();
                if listed != f.trustees {
                    r12 = Err(fail(
                        obj,
                        format!(
                            "shares from trustees {listed:?}, the file says {:?}",
                            f.trustees
                        ),
                    ));
                    break 'files;
                }
                for sw in &sd.shares {
                    let sobj = format!("{obj} trustee {}", sw.trustee);
                    let decoded = (|| -> Result<(TrusteeIndex, Element, DleqProof), String> {
                        let t = TrusteeIndex::new(sw.trustee).map_err(|e| e.to_string())?;
                        let share =
                            Element::from_hex("share", &sw.share).map_err(|e| e.to_string())?;
                        let p = from_hex("proof", &sw.proof).map_err(|e| e.to_string())?;
                        if p.len() != 96 {
                            return Err("proof is not 96 bytes".into());
                        }
                        let (a1, rest) = p.split_at(32);
                        let (a2, z) = rest.split_at(32);
                        Ok((
                            t,
                            share,
                            DleqProof {
                                a1: Element::decode("a1", a1).map_err(|e| e.to_string())?,
                                a2: Element::decode("a2", a2).map_err(|e| e.to_string())?,
                                response: decode_scalar("z", z).map_err(|e| e.to_string())?,
                            },
                        ))
                    })();
                    let (trustee, share, proof) = match decoded {
                        Ok(x) => x,
                        Err(r) => {
                            r12 = Err(fail(sobj, r));
                            break 'files;
                        }
                    };
                    let Some(public) = c.package.public_shares.get(&trustee).copied() else {
                        r12 = Err(fail(sobj, "not a qualified trustee"));
                        break 'files;
                    };
                    items.push(Item {
                        object: sobj,
                        trustee,
                        context: vec![
                            trustee.to_be_bytes().to_vec(),
                            d.contest.as_bytes().to_vec(),
                            sd.id.as_bytes().to_vec(),
                            d.unit.as_bytes().to_vec(),
                            beta.to_bytes().to_vec(),
                        ],
                        public,
                        alpha,
                        beta,
                        share,
                        proof,
                        count: sd.count,
                        ballots: ct.ballots,
                        selection: si,
                    });
                }
            }
        }
    }
    if r12.is_ok() && present_sets.len() > 1 {
        r12 = Err(fail(
            "decryption files",
            "different sets of trustees in different files",
        ));
    }
    st.figures.shares = items.len() as u64;
    let g = Element::from_point("G", G).ok();
    if r12.is_ok() {
        if let Some(g) = &g {
            let contexts: Vec<Vec<&[u8]>> = items
                .iter()
                .map(|i| i.context.iter().map(Vec::as_slice).collect())
                .collect();
            let fp: &ElectionFingerprint = election.fingerprint();
            let dleq: Vec<DleqItem<'_>> = items
                .iter()
                .zip(&contexts)
                .map(|(i, ctx)| DleqItem {
                    tag: TAG_DECRYPTION_SHARE,
                    fingerprint: fp.as_bytes(),
                    context: ctx.as_slice(),
                    statement: DleqStatement {
                        g1: g,
                        y1: &i.public,
                        g2: &i.alpha,
                        y2: &i.share,
                    },
                    proof: &i.proof,
                })
                .collect();
            let mut rng = rand::rng();
            if let Some(e) = sanduq_crypto::batch::failing_items(&dleq, &mut rng).first() {
                let obj = items
                    .get(e.index)
                    .map_or("?".to_owned(), |i| i.object.clone());
                r12 = Err(fail(obj, &e.error));
            }
        }
    }
    let ok12 = st.record(12, items.len() as u64, r12);

    // ---- 13. combination: β − Σ λ_j M_j == count·G
    let mut r13: Result<(), Fail> = if ok12 {
        Ok(())
    } else {
        Err(fail("decryption shares", "not verified (check 12)"))
    };
    let mut out: BTreeMap<String, BTreeMap<String, Vec<u64>>> = BTreeMap::new();
    let mut n13 = 0;
    if r13.is_ok() {
        // items come in groups of one selection's shares, in trustee order
        let per = present_sets.iter().next().map_or(0, Vec::len);
        let present: BTreeSet<TrusteeIndex> = present_sets
            .iter()
            .next()
            .map(|v| {
                v.iter()
                    .filter_map(|t| TrusteeIndex::new(*t).ok())
                    .collect()
            })
            .unwrap_or_default();
        let lambdas: Result<Vec<Scalar>, _> = present
            .iter()
            .map(|j| sanduq_trustee::decrypt::lagrange_at_zero(&present, *j).map(|l| -l))
            .collect();
        match lambdas {
            Err(e) => r13 = Err(fail("trustees", e)),
            Ok(lambdas) if per > 0 => {
                let groups: Vec<&[Item]> = items.chunks(per).collect();
                let bad = groups.par_iter().find_first(|grp| {
                    let Some(first) = grp.first() else {
                        return true;
                    };
                    if grp.iter().zip(&present).any(|(i, t)| i.trustee != *t) {
                        return true;
                    }
                    let m = first.beta.point()
                        + RistrettoPoint::vartime_multiscalar_mul(
                            lambdas.iter(),
                            grp.iter().map(|i| i.share.point()),
                        );
                    first.count > first.ballots || m != mul_g(&Scalar::from(first.count))
                });
                if let Some(grp) = bad {
                    let obj = grp.first().map_or("?".to_owned(), |i| {
                        i.object
                            .rsplit_once(" trustee")
                            .map_or(i.object.clone(), |(a, _)| a.to_owned())
                    });
                    r13 = Err(fail(
                        obj,
                        "the shares do not combine to the published count, or the count exceeds the ballots",
                    ));
                } else {
                    for grp in &groups {
                        if let Some(first) = grp.first() {
                            n13 += 1;
                            // context: [trustee, contest, selection, unit, beta]
                            let contest = String::from_utf8_lossy(
                                first.context.get(1).map_or(&[][..], Vec::as_slice),
                            )
                            .into_owned();
                            let unit = String::from_utf8_lossy(
                                first.context.get(3).map_or(&[][..], Vec::as_slice),
                            )
                            .into_owned();
                            let v = out.entry(unit).or_default().entry(contest).or_default();
                            if v.len() != first.selection {
                                r13 = Err(fail(first.object.clone(), "selections out of order"));
                            }
                            v.push(first.count);
                        }
                    }
                }
            }
            Ok(_) => {}
        }
    }
    let ok13 = st.record(13, n13, r13);
    (ok11 && ok12 && ok13).then_some(out)
}

fn check_results(
    st: &State<'_>,
    election: &Election,
    recorded: &RecordedTallies,
    decrypted: &BTreeMap<String, BTreeMap<String, Vec<u64>>>,
) -> Result<u64, Fail> {
    let h = election.hierarchy();
    let file: ResultsFile = st.json(RESULTS)?;
    let nation = h.nation();
    let ballots: BTreeMap<String, u64> = recorded
        .get(nation)
        .map(|u| {
            u.contests
                .iter()
                .map(|c| (c.contest.clone(), c.ballots))
                .collect()
        })
        .unwrap_or_default();
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (unit, t) in recorded {
        for ct in &t.contests {
            counts
                .entry(ct.contest.clone())
                .or_default()
                .insert(unit.clone(), ct.ballots);
        }
    }
    let rule: BTreeMap<String, BTreeMap<String, Disclosure>> = counts
        .iter()
        .map(|(cid, m)| (cid.clone(), h.disclosure(m, election.privacy_threshold())))
        .collect();
    let at_nation = decrypted.get(nation).cloned().unwrap_or_default();
    let expected = nation_totals(election.manifest(), h, &ballots, &rule, &at_nation);
    let have: Vec<&str> = file.results.iter().map(|r| r.contest.as_str()).collect();
    let want: Vec<&str> = expected.keys().map(String::as_str).collect();
    if have != want {
        return Err(fail(
            RESULTS,
            format!("results for {have:?}, the manifest's contests are {want:?}"),
        ));
    }
    for (r, (cid, (n, totals))) in file.results.iter().zip(&expected) {
        let again = count_contest(election.manifest(), cid, *n, totals.as_deref())
            .map_err(|e| fail(format!("{RESULTS} contest {cid}"), e))?;
        if *r != again {
            let field = if r.totals != again.totals || r.ballots != again.ballots {
                "totals are not the nation's decrypted tally"
            } else if r.elected != again.elected {
                "elected candidates are not those the counting engine finds"
            } else if r.reserved_elected != again.reserved_elected {
                "reserved seats are not those the counting engine finds"
            } else if r.runoff != again.runoff {
                "run-off is not the one the counting engine finds"
            } else {
                "differs from the recount"
            };
            return Err(fail(format!("{RESULTS} contest {cid}"), field));
        }
    }
    Ok(file.results.len() as u64)
}

fn check_completeness(st: &State<'_>, election: Option<&Election>) -> Result<(), Fail> {
    let index: IndexFile = st.json(INDEX)?;
    if index.format != RECORD_FORMAT {
        return Err(fail(INDEX, "unknown format"));
    }
    let mut listed = BTreeSet::new();
    let mut prev: Option<&str> = None;
    for e in &index.files {
        if prev.is_some_and(|p| p >= e.path.as_str()) {
            return Err(fail(
                format!("{INDEX} {}", e.path),
                "entries out of order or repeated",
            ));
        }
        prev = Some(&e.path);
        let bytes = st
            .files
            .get(&e.path)
            .ok_or_else(|| fail(&e.path, "listed in the index but missing"))?;
        if hex::encode(sha256(bytes)) != e.sha256 || bytes.len() as u64 != e.bytes {
            return Err(fail(&e.path, "SHA-256 or length differs from the index"));
        }
        listed.insert(e.path.clone());
    }
    for path in st.files.keys() {
        if path != INDEX && !listed.contains(path) {
            return Err(fail(path, "extra file, not in the index"));
        }
    }
    let election =
        election.ok_or_else(|| fail(MANIFEST, "needed to know the expected files (check 2)"))?;
    let expected = expected_files(election.hierarchy());
    if let Some(m) = expected.iter().find(|p| !listed.contains(*p)) {
        return Err(fail(m, "required file missing from the record"));
    }
    if let Some(x) = listed.iter().find(|p| !expected.contains(*p)) {
        return Err(fail(x, "file the record format does not have"));
    }
    Ok(())
}

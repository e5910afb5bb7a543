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

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rayon::prelude::*;
use sanduq_crypto::contest::EncryptedContest;
use sanduq_crypto::elgamal::{AggregateCiphertext, ElectionKey, encrypt, mul_g};
use sanduq_crypto::group::{Element, G, SecretScalar, decode_scalar, from_hex, to_hex};
use sanduq_crypto::sigma::{DleqItem, DleqProof, DleqStatement};
use sanduq_crypto::{BallotContext, ElectionFingerprint};
use sanduq_election::Manifest;
use sanduq_election::raw::RawManifest;
use sanduq_trustee::dkg::{self, CeremonySetup, CeremonyTranscript, PublicKeyPackage};
use sanduq_trustee::wire::{HasHeader, Message};
use sanduq_trustee::{Policy, TAG_DECRYPTION_SHARE, TrusteeIndex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::credentials::CredentialList;
use crate::error::RecordError;
use crate::hierarchy::{Disclosure, Hierarchy, Level};
use crate::partition::PartialReport;
use crate::protocol::{Election, ROUND, count_contest};
use crate::record::{
    CEREMONY, CeremonyFile, Location, MANIFEST, PARAMETERS, RESULTS, districts_with_stations,
    expected_files, location_of, nation_totals, units_of,
};
use crate::remote::CREDENTIALS;
use crate::store::{Files, INDEX, MemorySource, Source, sha256};
use crate::wire::{
    BallotLine, DecryptionFile, IndexFile, ParametersFile, RECORD_FORMAT, ResultsFile, TallyFile,
    UnitTally, from_canonical,
};

mod ballots;
mod traces;

use ballots::{Sums, check_ballots};
pub(crate) use traces::TRACE_BUFFER;
use traces::Traces;

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
    (
        16,
        "remote-ballots",
        "every remote ballot signed by a listed credential, of its voter's station and style; only the last of each credential counted",
    ),
];

/// The status of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every object passed.
    Passed,
    /// An object failed, or the check could not run.
    Failed,
}

/// The guilty object of a failed check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Remote ballots read.
    #[serde(default)]
    pub remote: u64,
    /// Of which counted (the last of their credential).
    #[serde(default)]
    pub remote_counted: u64,
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

pub(crate) fn fail(object: impl Into<String>, reason: impl std::fmt::Display) -> Fail {
    Failure {
        object: object.into(),
        reason: reason.to_string(),
    }
}

/// The disclosure of one (unit, contest) as its tally file records it: what the privacy rule
/// (§5) is checked against, and what a partial report passes on (`docs/spec/record.md` §6.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureEntry {
    /// The unit.
    pub unit: String,
    /// The contest.
    pub contest: String,
    /// Cast ballots carrying the contest in the unit.
    pub ballots: u64,
    /// `published`, `merged` or `withheld`.
    pub disclosure: String,
    /// For `merged`: the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

/// What is verified: the whole record, one district, or the levels above the districts
/// given the partial reports of every district.
pub(crate) enum Scope<'p> {
    /// Every check on every object.
    Whole,
    /// The global prerequisites and one district.
    District(Location),
    /// The partial reports of the districts, and the levels above them.
    Merge(&'p [PartialReport]),
}

/// What a district's verification passes on to its partial report.
#[derive(Debug, Default)]
pub(crate) struct DistrictOutcome {
    /// The district unit's recorded tally.
    pub(crate) tally: Option<UnitTally>,
    /// The disclosures of every (unit, contest) of the district.
    pub(crate) disclosures: Vec<DisclosureEntry>,
    /// The trustees of the district's decryptions.
    pub(crate) trustees: Vec<u32>,
    /// The devices with ballots.
    pub(crate) devices: Vec<String>,
    /// The first 16 bytes of every selection's `α` (a district's only), to read sorted.
    pub(crate) alphas: Traces,
}

/// Hash and length of a file read in full.
type Seen = BTreeMap<String, ([u8; 32], u64)>;

pub(crate) struct State<'a> {
    src: &'a dyn Source,
    seen: RefCell<Seen>,
    checks: BTreeMap<u32, (u64, Result<(), Fail>)>,
    pub(crate) figures: Figures,
}

/// A file being read line by line, hashed as it goes.
pub(crate) struct Hashing<'a> {
    inner: Box<dyn BufRead + 'a>,
    hasher: Sha256,
    len: u64,
}

impl Hashing<'_> {
    /// Append the next line (with its `\n`, if any) to `out`; `Ok(0)` at the end.
    pub(crate) fn read_until(&mut self, delim: u8, out: &mut Vec<u8>) -> std::io::Result<usize> {
        let mut total = 0;
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(total);
            }
            let (take, done) = match buf.iter().position(|b| *b == delim) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let part = buf.get(..take).unwrap_or_default();
            self.hasher.update(part);
            out.extend_from_slice(part);
            self.inner.consume(take);
            total += take;
            self.len += take as u64;
            if done {
                return Ok(total);
            }
        }
    }

    /// Hash the rest of the file; its SHA-256 and length.
    fn finish(mut self) -> std::io::Result<([u8; 32], u64)> {
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let n = buf.len();
            self.hasher.update(buf);
            self.inner.consume(n);
            self.len += n as u64;
        }
        Ok((self.hasher.finalize().into(), self.len))
    }
}

fn source_fail(path: &str, e: RecordError) -> Fail {
    match e {
        RecordError::File { reason, .. } => fail(path, reason),
        e => fail(path, e),
    }
}

impl<'a> State<'a> {
    fn new(src: &'a dyn Source) -> State<'a> {
        State {
            src,
            seen: RefCell::new(BTreeMap::new()),
            checks: BTreeMap::new(),
            figures: Figures {
                files: src.paths().len() as u64,
                ..Figures::default()
            },
        }
    }

    pub(crate) fn record(&mut self, n: u32, objects: u64, r: Result<(), Fail>) -> bool {
        let ok = r.is_ok();
        self.checks.insert(n, (objects, r));
        ok
    }

    /// A whole file (its hash noted for check 15).
    fn file(&self, path: &str) -> Result<Cow<'a, [u8]>, Fail> {
        let bytes = self.src.read(path).map_err(|e| source_fail(path, e))?;
        self.seen
            .borrow_mut()
            .insert(path.to_owned(), (sha256(&bytes), bytes.len() as u64));
        Ok(bytes)
    }

    pub(crate) fn json<T: Serialize + serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<T, Fail> {
        let bytes = self.file(path)?;
        from_canonical(path, &bytes).map_err(|e| fail(path, e))
    }

    /// A file to read line by line.
    pub(crate) fn open(&self, path: &str) -> Result<Hashing<'a>, Fail> {
        Ok(Hashing {
            inner: self.src.open(path).map_err(|e| source_fail(path, e))?,
            hasher: Sha256::new(),
            len: 0,
        })
    }

    /// A file read line by line to its end: note its hash.
    pub(crate) fn finish(&self, path: &str, reader: Hashing<'_>) {
        if let Ok(h) = reader.finish() {
            self.seen.borrow_mut().insert(path.to_owned(), h);
        }
    }

    /// The SHA-256 and length of a file, from its reading or by streaming it now.
    fn hash_of(&self, path: &str) -> Result<([u8; 32], u64), Fail> {
        if let Some(h) = self.seen.borrow().get(path) {
            return Ok(*h);
        }
        self.open(path)?.finish().map_err(|e| fail(path, e))
    }
}

/// Run every check on a record's files held in memory.
#[must_use]
pub fn verify(files: &Files) -> Report {
    verify_source(&MemorySource(files))
}

/// Run every check on a record read file by file from `src` (a directory or an archive):
/// the ballot files are streamed in bounded chunks, and the traces of the duplicate check
/// are sorted in runs of bounded size on temporary files and merged, so memory does not
/// grow with the number of ballots (`docs/spec/record.md` §6.1).
#[must_use]
pub fn verify_source(src: &dyn Source) -> Report {
    verify_source_with_buffer(src, TRACE_BUFFER)
}

/// [`verify_source`] with a buffer of `traces` records (32 bytes each) per set of traces of
/// the duplicate check, instead of the default 65 536: a smaller buffer writes more, shorter
/// runs to temporary files. The report does not depend on it.
#[must_use]
pub fn verify_source_with_buffer(src: &dyn Source, traces: usize) -> Report {
    run_with(src, &Scope::Whole, traces).0
}

/// Run the checks of `scope`.
pub(crate) fn run(src: &dyn Source, scope: &Scope<'_>) -> (Report, DistrictOutcome) {
    run_with(src, scope, TRACE_BUFFER)
}

/// Run the checks of `scope`, with a buffer of `traces` records per set of traces.
pub(crate) fn run_with(
    src: &dyn Source,
    scope: &Scope<'_>,
    traces: usize,
) -> (Report, DistrictOutcome) {
    let mut st = State::new(src);
    let mut out = DistrictOutcome::default();
    let tokens = run_checks(&mut st, scope, &mut out, traces);
    let results: Option<ResultsFile> = match scope {
        Scope::District(_) => None,
        _ => st.json(RESULTS).ok(),
    };
    let checks: Vec<CheckResult> = CHECKS
        .iter()
        .filter(|(n, _, _)| !(matches!(scope, Scope::District(_)) && *n == 14))
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
    (
        Report {
            checks,
            figures: st.figures,
            results,
            verified,
        },
        out,
    )
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

/// The locations whose `tally.json` and `decryption.json` a scope reads.
fn locations_of(h: &Hierarchy, scope: &Scope<'_>) -> Vec<Location> {
    let mut all: Vec<Location> = match scope {
        Scope::Whole => districts_with_stations(h).into_iter().collect(),
        Scope::District(loc) => return vec![loc.clone()],
        Scope::Merge(_) => Vec::new(),
    };
    for u in h.units().values() {
        match u.level {
            Level::Province => all.push(Location::Province(u.id.clone())),
            Level::Nation => all.push(Location::Nation),
            _ => {}
        }
    }
    all
}

/// Whether a unit's files are in one of `locations`.
fn in_locations(h: &Hierarchy, locations: &BTreeSet<&Location>, unit: &str) -> bool {
    location_of(h, unit).is_some_and(|l| locations.contains(&l))
}

/// Checks 4 to 9 from the partial reports, with what only the whole record shows: a
/// selection ciphertext in two districts, a device in two districts.
fn ballots_from_partials(st: &mut State<'_>, partials: &[PartialReport]) -> bool {
    let mut ok = true;
    for n in (4..=9).chain([16]) {
        let mut objects = 0;
        let mut r = Ok(());
        for p in partials {
            match p.checks.iter().find(|c| c.number == n) {
                Some(c) if c.status == Status::Passed => objects += c.objects,
                _ => {
                    r = Err(fail(
                        format!("district {}", p.district),
                        "this check failed or is missing in its partial report",
                    ));
                }
            }
        }
        if r.is_ok() && n == 6 {
            r = cross_district_alphas(partials);
        }
        if r.is_ok() && n == 7 {
            let mut devices: BTreeMap<&str, &str> = BTreeMap::new();
            for p in partials {
                for d in &p.devices {
                    if let Some(other) = devices.insert(d, &p.district) {
                        r = Err(fail(
                            format!("device {d}"),
                            format!("has ballots in districts {other} and {}", p.district),
                        ));
                    }
                }
            }
        }
        ok &= st.record(n, objects, r);
    }
    for p in partials {
        let f = &mut st.figures;
        f.ballots += p.figures.ballots;
        f.cast += p.figures.cast;
        f.challenged += p.figures.challenged;
        f.selections += p.figures.selections;
        f.shares += p.figures.shares;
        f.remote += p.figures.remote;
        f.remote_counted += p.figures.remote_counted;
    }
    ok
}

/// The credential list, when the record has one (`election/credentials.json`): canonical,
/// well formed, of this election. Check 16 fails when it is not.
fn credential_list(st: &State<'_>, election: &Election) -> Result<Option<CredentialList>, Fail> {
    if !st.src.contains(CREDENTIALS) {
        return Ok(None);
    }
    let bytes = st.file(CREDENTIALS)?;
    let list = CredentialList::parse(&bytes).map_err(|e| fail(CREDENTIALS, e))?;
    if list.election() != *election.fingerprint().as_bytes() {
        return Err(fail(
            CREDENTIALS,
            "election: not this election's fingerprint",
        ));
    }
    Ok(Some(list))
}

/// No selection ciphertext in two districts: the partials' sorted `α` prefixes, merged.
fn cross_district_alphas(partials: &[PartialReport]) -> Result<(), Fail> {
    let mut all: Vec<(u128, usize)> = Vec::new();
    for (i, p) in partials.iter().enumerate() {
        let keys = p
            .alpha_keys()
            .map_err(|e| fail(format!("district {}", p.district), e))?;
        all.extend(keys.into_iter().map(|k| (k, i)));
    }
    all.sort_unstable();
    for w in all.windows(2) {
        if let [(a, i), (b, j)] = w {
            if a == b {
                let name = |k: &usize| partials.get(*k).map_or("?", |p| p.district.as_str());
                return Err(fail(
                    format!("districts {} and {}", name(i), name(j)),
                    format!(
                        "a selection ciphertext (α beginning {a:032x}) appears in both districts' ballots"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Runs the checks; on success of all, the tokens.
fn run_checks(
    st: &mut State<'_>,
    scope: &Scope<'_>,
    out: &mut DistrictOutcome,
    traces: usize,
) -> Option<(String, String, AllTokens)> {
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

    // ---- 4 to 8: ballots (and the station sums of check 9)
    let districts: Vec<Location> = match (&election, scope) {
        (Some(e), Scope::Whole) => districts_with_stations(e.hierarchy()).into_iter().collect(),
        (_, Scope::District(loc)) => vec![loc.clone()],
        _ => Vec::new(),
    };
    let ballots = match (&election, &ceremony, scope) {
        (Some(_), Some(_), Scope::Merge(partials)) => {
            let ok = ballots_from_partials(st, partials);
            Some((ok, None))
        }
        (Some(e), Some(c), _) => {
            let list = credential_list(st, e);
            let b = check_ballots(
                st,
                e,
                c,
                &districts,
                list.as_ref().map(Option::as_ref).map_err(Clone::clone),
                traces,
            );
            out.devices = b.devices;
            if matches!(scope, Scope::District(_)) {
                out.alphas = b.alphas;
            }
            Some((b.ok, Some(b.sums)))
        }
        _ => {
            for n in (4..=8).chain([16]) {
                st.record(
                    n,
                    0,
                    Err(fail(
                        "ballots",
                        "needs the manifest and the ceremony (checks 2 and 3)",
                    )),
                );
            }
            None
        }
    };
    let ballots_ok = ballots.as_ref().is_some_and(|b| b.0);

    // ---- 9, 10: tallies
    let tallies = match &election {
        Some(e) => {
            let sums = ballots.and_then(|b| b.1).unwrap_or_default();
            check_tallies(st, e, scope, &sums)
        }
        None => {
            for n in 9..=10 {
                st.record(n, 0, Err(fail("tallies", "needs the manifest (check 2)")));
            }
            None
        }
    };

    // the disclosures, and the privacy rule they must follow
    let mut rule = None;
    if let (Some(e), Some(t)) = (&election, &tallies) {
        let mut entries: Vec<DisclosureEntry> = Vec::new();
        if let Scope::Merge(partials) = scope {
            for p in *partials {
                entries.extend(p.disclosures.iter().cloned());
            }
        }
        for (unit, u) in t {
            if matches!(scope, Scope::Merge(_))
                && matches!(
                    e.hierarchy().unit(unit).map(|x| x.level),
                    Some(Level::District)
                )
            {
                continue;
            }
            for ct in &u.contests {
                entries.push(DisclosureEntry {
                    unit: unit.clone(),
                    contest: ct.contest.clone(),
                    ballots: ct.ballots,
                    disclosure: ct.disclosure.clone(),
                    merged_into: ct.merged_into.clone(),
                });
            }
        }
        let r = match scope {
            Scope::District(loc) => {
                out.tally = match loc {
                    Location::District { district, .. } => t.get(district).cloned(),
                    _ => None,
                };
                recorded_rule(&entries)
            }
            _ => privacy_rule(e, &entries),
        };
        out.disclosures = entries.clone();
        rule = Some((entries, r));
    }

    // ---- 11 to 13: privacy and decryption
    let decrypted = match (&election, &ceremony, &tallies, &rule) {
        (Some(e), Some(c), Some(t), Some((entries, r))) => {
            let check_rule = !matches!(scope, Scope::District(_));
            let extra: Vec<Vec<u32>> = match scope {
                Scope::Merge(partials) => partials.iter().map(|p| p.trustees.clone()).collect(),
                _ => Vec::new(),
            };
            let d = check_decryption(st, e, c, t, scope, entries, r, check_rule, &extra);
            if let Some((_, trustees)) = &d {
                out.trustees.clone_from(trustees);
            }
            d.map(|x| x.0)
        }
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
    if let Scope::Merge(partials) = scope {
        // the partials' objects of checks 10, 12 and 13 count too
        for n in [10, 12, 13] {
            let more: u64 = partials
                .iter()
                .filter_map(|p| p.checks.iter().find(|c| c.number == n))
                .map(|c| c.objects)
                .sum();
            if let Some(c) = st.checks.get_mut(&n) {
                c.0 += more;
            }
        }
    }

    // ---- 14: results
    let results_ok = if matches!(scope, Scope::District(_)) {
        false
    } else {
        let results = match (&election, &tallies, &decrypted, &rule) {
            (Some(e), Some(t), Some(d), Some((_, r))) => check_results(st, e, t, r, d),
            _ => Err(fail(
                RESULTS,
                "needs the verified tallies and decryptions (checks 10 to 13)",
            )),
        };
        st.record(14, results.as_ref().map_or(0, |n| *n), results.map(|_| ()))
    };

    // ---- 15: completeness
    let complete = check_completeness(st, election.as_ref(), scope);
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
        (ballots_ok && pass(4..=8, st) && pass(16..=16, st)).then_some(BallotsOk(()))?,
        (tallies.is_some() && pass(9..=10, st)).then_some(TalliesOk(()))?,
        (decrypted.is_some() && pass(11..=13, st)).then_some(DecryptionOk(()))?,
        results_ok.then_some(ResultsOk(()))?,
        complete_ok.then_some(CompleteOk(()))?,
    );
    let record_id = st
        .file(INDEX)
        .map(|b| to_hex(&sha256(&b)))
        .unwrap_or_default();
    let fingerprint = election
        .as_ref()
        .map(|e| to_hex(e.fingerprint().as_bytes()))
        .unwrap_or_default();
    Some((record_id, fingerprint, tokens))
}

type Rule = BTreeMap<String, BTreeMap<String, Disclosure>>;

/// The privacy rule (§5) applied to the ballot counts of the entries.
fn privacy_rule(election: &Election, entries: &[DisclosureEntry]) -> Rule {
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for e in entries {
        counts
            .entry(e.contest.clone())
            .or_default()
            .insert(e.unit.clone(), e.ballots);
    }
    let k = election.privacy_threshold();
    counts
        .iter()
        .map(|(cid, m)| (cid.clone(), election.hierarchy().disclosure(m, k)))
        .collect()
}

/// The disclosures as recorded (a district alone cannot apply the rule: its ancestors may
/// merge its units; the merge of the partial reports checks them against the rule).
fn recorded_rule(entries: &[DisclosureEntry]) -> Rule {
    let mut out: Rule = BTreeMap::new();
    for e in entries {
        let d = match (e.disclosure.as_str(), &e.merged_into) {
            ("published", None) => Disclosure::Published,
            ("merged", Some(p)) => Disclosure::Merged(p.clone()),
            _ => Disclosure::Withheld,
        };
        out.entry(e.contest.clone())
            .or_default()
            .insert(e.unit.clone(), d);
    }
    out
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
    let bytes: &[u8] = &bytes;
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
pub(crate) struct Verified {
    pub(crate) ctx: BallotContext,
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
fn check_opening(
    election: &Election,
    c: &Verified,
    raw: &BallotLine,
    contests: &[EncryptedContest],
) -> Result<(), String> {
    let opening = raw.opening.as_ref().ok_or("no opening")?;
    if opening.len() != contests.len() {
        return Err("the opening does not cover every contest".into());
    }
    for (oc, ec) in opening.iter().zip(contests) {
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
/// The tallies as recorded (after checks 9 and 10): unit → its entry.
type RecordedTallies = BTreeMap<String, UnitTally>;

fn parse_agg(s: &str) -> Result<AggregateCiphertext, String> {
    let b = from_hex("tally", s).map_err(|e| e.to_string())?;
    AggregateCiphertext::decode(&b).map_err(|e| e.to_string())
}

/// Compare one unit's recorded contests with the expected aggregates.
fn compare_unit(
    election: &Election,
    recorded: &RecordedTallies,
    unit: &str,
    expected: &BTreeMap<String, (u64, Vec<AggregateCiphertext>)>,
) -> Result<(), Fail> {
    let h = election.hierarchy();
    let loc_file =
        |unit: &str| location_of(h, unit).map_or_else(|| "?".to_owned(), |l| l.file("tally.json"));
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
}

/// Checks 9 and 10 on the tally files of the scope (9 from the station sums of the ballots;
/// in a merge, 9 comes from the partial reports).
fn check_tallies(
    st: &mut State<'_>,
    election: &Election,
    scope: &Scope<'_>,
    sums: &Sums,
) -> Option<RecordedTallies> {
    let h = election.hierarchy();
    let mut recorded: RecordedTallies = BTreeMap::new();
    let mut read_err = None;
    let locations = locations_of(h, scope);
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
    let located: BTreeSet<&Location> = locations.iter().collect();
    let mut ok9 = true;
    if let Scope::Merge(partials) = scope {
        for p in *partials {
            if let Some(t) = &p.tally {
                recorded.insert(t.unit.clone(), t.clone());
            }
        }
    } else {
        // ---- 9. stations from cast ballots
        let stations: Vec<&str> = h
            .units()
            .values()
            .filter(|u| u.level == Level::Station && in_locations(h, &located, &u.id))
            .map(|u| u.id.as_str())
            .collect();
        let empty = BTreeMap::new();
        let mut r9: Result<(), Fail> = Ok(());
        for s in &stations {
            if let Err(e) = compare_unit(election, &recorded, s, sums.get(*s).unwrap_or(&empty)) {
                r9 = Err(e);
                break;
            }
        }
        ok9 = st.record(9, stations.len() as u64, r9);
    }
    // ---- 10. every level above from its children's recorded tallies
    let mut r10: Result<(), Fail> = read_err.clone().map_or(Ok(()), Err);
    let mut n10 = 0;
    if r10.is_ok() {
        // a merge also takes the districts without stations (and without files)
        let with_stations = match scope {
            Scope::Merge(_) => districts_with_stations(h),
            _ => BTreeSet::new(),
        };
        let aggregated = |id: &str| match (scope, location_of(h, id)) {
            (Scope::Whole, _) => true,
            (Scope::Merge(_), Some(l @ Location::District { .. })) => !with_stations.contains(&l),
            _ => in_locations(h, &located, id),
        };
        for u in h
            .post_order()
            .into_iter()
            .filter(|u| u.level != Level::Station && aggregated(&u.id))
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
            if let Err(e) = compare_unit(election, &recorded, &u.id, &exp) {
                r10 = Err(e);
                break;
            }
        }
    }
    let ok10 = st.record(10, n10, r10);
    (ok9 && ok10).then_some(recorded)
}

/// Decrypted counts: unit → contest → counts.
type Decrypted = BTreeMap<String, BTreeMap<String, Vec<u64>>>;

/// Checks 11 to 13. Returns the decrypted counts and the trustees whose shares are used.
#[allow(clippy::too_many_arguments)]
fn check_decryption(
    st: &mut State<'_>,
    election: &Election,
    c: &Verified,
    recorded: &RecordedTallies,
    scope: &Scope<'_>,
    entries: &[DisclosureEntry],
    rule: &Rule,
    check_rule: bool,
    other_trustees: &[Vec<u32>],
) -> Option<(Decrypted, Vec<u32>)> {
    let h = election.hierarchy();
    // ---- 11. privacy rule
    let mut r11: Result<(), Fail> = Ok(());
    let n11 = entries.len() as u64;
    if check_rule {
        for e in entries {
            let want = rule.get(&e.contest).and_then(|d| d.get(&e.unit));
            let (disc, into) = match want {
                Some(Disclosure::Published) => ("published", None),
                Some(Disclosure::Merged(p)) => ("merged", Some(p)),
                _ => ("withheld", None),
            };
            if e.disclosure != disc || e.merged_into.as_ref() != into {
                let loc = location_of(h, &e.unit)
                    .map_or_else(|| "?".to_owned(), |l| l.file("tally.json"));
                r11 = Err(fail(
                    format!("{loc} unit {} contest {}", e.unit, e.contest),
                    format!(
                        "disclosure {:?} where the privacy rule gives {disc:?}",
                        e.disclosure
                    ),
                ));
                break;
            }
        }
    }
    // decryption files
    let locations = locations_of(h, scope);
    let located: BTreeSet<&Location> = locations.iter().collect();
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
        'rule: for (cid, m) in rule {
            for (unit, d) in m {
                if *d == Disclosure::Published
                    && in_locations(h, &located, unit)
                    && !decrypted_set.contains(&(unit.clone(), cid.clone()))
                {
                    let loc = location_of(h, unit)
                        .map_or_else(|| "?".to_owned(), |l| l.file("decryption.json"));
                    r11 = Err(fail(
                        format!("{loc} unit {unit} contest {cid}"),
                        "published by the privacy rule but not decrypted",
                    ));
                    break 'rule;
                }
            }
        }
    }
    let ok11 = st.record(11, n11, r11);
    let (ok1213, out, present) = check_shares(st, election, c, recorded, &decs, other_trustees);
    (ok11 && ok1213).then_some((out, present))
}

/// Checks 12 and 13 on the decryption files read.
fn check_shares(
    st: &mut State<'_>,
    election: &Election,
    c: &Verified,
    recorded: &RecordedTallies,
    decs: &[(String, Location, DecryptionFile)],
    other_trustees: &[Vec<u32>],
) -> (bool, Decrypted, Vec<u32>) {
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
    for t in other_trustees {
        present_sets.insert(t.clone());
    }
    'files: for (path, _, f) in decs {
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
    st.figures.shares += items.len() as u64;
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
    let present = present_sets.iter().next().cloned().unwrap_or_default();
    (ok12 && ok13, out, present)
}

fn check_results(
    st: &State<'_>,
    election: &Election,
    recorded: &RecordedTallies,
    rule: &Rule,
    decrypted: &Decrypted,
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
    let at_nation = decrypted.get(nation).cloned().unwrap_or_default();
    let expected = nation_totals(election.manifest(), h, &ballots, rule, &at_nation);
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

/// Whether check 15 of a scope looks at a path: a district looks at its own folder and the
/// global files; a merge at everything outside the district folders (the partials cover
/// those); the whole verification at everything.
fn covers(scope: &Scope<'_>, path: &str) -> bool {
    match scope {
        Scope::Whole => true,
        Scope::District(loc) => {
            [MANIFEST, PARAMETERS, CEREMONY, CREDENTIALS].contains(&path)
                || path
                    .strip_prefix(&loc.dir())
                    .is_some_and(|rest| rest.starts_with('/'))
        }
        Scope::Merge(_) => !path.starts_with("districts/"),
    }
}

fn check_completeness(
    st: &State<'_>,
    election: Option<&Election>,
    scope: &Scope<'_>,
) -> Result<(), Fail> {
    let index: IndexFile = st.json(INDEX)?;
    if index.format != RECORD_FORMAT {
        return Err(fail(INDEX, "unknown format"));
    }
    // in a district, only its own files and the global ones
    let layout = |p: &str| match scope {
        Scope::District(_) => covers(scope, p),
        _ => true,
    };
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
        if !st.src.contains(&e.path) {
            if layout(&e.path) {
                return Err(fail(&e.path, "listed in the index but missing"));
            }
            continue;
        }
        if covers(scope, &e.path) {
            let (hash, len) = st.hash_of(&e.path)?;
            if hex::encode(hash) != e.sha256 || len != e.bytes {
                return Err(fail(&e.path, "SHA-256 or length differs from the index"));
            }
        }
        listed.insert(e.path.clone());
    }
    for path in st.src.paths() {
        if path != INDEX && layout(&path) && !listed.contains(&path) {
            return Err(fail(path, "extra file, not in the index"));
        }
    }
    let election =
        election.ok_or_else(|| fail(MANIFEST, "needed to know the expected files (check 2)"))?;
    // the credential list decides whether the record has remote ballots
    let remote = listed.contains(CREDENTIALS);
    let expected = expected_files(election.hierarchy(), remote);
    if let Some(m) = expected.iter().find(|p| layout(p) && !listed.contains(*p)) {
        return Err(fail(m, "required file missing from the record"));
    }
    if let Some(x) = listed.iter().find(|p| layout(p) && !expected.contains(*p)) {
        return Err(fail(x, "file the record format does not have"));
    }
    Ok(())
}

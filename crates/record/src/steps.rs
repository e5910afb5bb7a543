//! The election after the key ceremony as separate steps, each on its own machine, exchanging
//! files only (`docs/spec/cli-files.md` §3–5):
//!
//! 1. a polling-station device encrypts its voters' ballots ([`parse_plaintexts`],
//!    [`run_device`], [`device_file`]);
//! 2. the tallying centre checks every device file ([`check_device_file`]), tallies per unit
//!    and applies the privacy rule ([`tally_step`]);
//! 3. each trustee present decrypts the targets of the tally ([`make_shares`]);
//! 4. anyone with the files combines the shares into the election record
//!    ([`read_shares`], [`combine_record`]).
//!
//! Every step reads back what the previous one wrote and refuses it unless it checks; the
//! functions take and return bytes, the command line does the file I/O.

use std::collections::{BTreeMap, BTreeSet};

use rand_core::CryptoRng;
use sanduq_crypto::BallotContext;
use sanduq_crypto::batch::failing_items;
use sanduq_crypto::contest::{ContestItem, EncryptedContest};
use sanduq_crypto::elgamal::{AggregateCiphertext, encrypt};
use sanduq_crypto::group::{Element, SecretScalar, decode_scalar, from_hex, to_hex};
use sanduq_crypto::sigma::DleqProof;
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::decrypt::{
    DecryptionShare, ShareToVerify, verify_decryption_share, verify_decryption_shares,
};
use sanduq_trustee::dkg::{self, CeremonySetup, CeremonyTranscript, KeyShare, PublicKeyPackage};
use serde::{Deserialize, Serialize};

use crate::chain::{chain_close, chain_start, confirmation_code};
use crate::error::RecordError;
use crate::hierarchy::{Disclosure, Hierarchy, Level};
use crate::protocol::{
    Ceremony, ContestAggregate, Device, Election, Tallies, Target, add_to_station,
    aggregate_upwards, check_quorum, combine, contest_from_wire, count_contest, disclosures,
    targets, trustee_shares,
};
use crate::record::{Location, Outputs, build_files, location_of, nation_totals, share_to_wire};
use crate::remote::CheckedRemote;
use crate::run::{Progress, Voter};
use crate::store::{Files, sha256, with_index};
use crate::wire::{
    BallotLine, ContestResult, ContestWire, DeviceWire, UnitTally, from_canonical, to_canonical,
};

/// `format` of a device's ballots file.
pub const DEVICE_FORMAT: &str = "sanduq-device-ballots/0.1";
/// `format` of the tally file.
pub const TALLY_FORMAT: &str = "sanduq-tally/0.1";
/// `format` of a trustee's decryption-shares file.
pub const SHARES_FORMAT: &str = "sanduq-decryption-shares/0.1";

/// Why a step refuses its input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// Bad input: a file that cannot be read, decoded or used (names the file, line and
    /// field).
    #[error("{file}: {reason}")]
    Input {
        /// The file, with `:line` for line-oriented files.
        file: String,
        /// Why, naming the field.
        reason: String,
    },
    /// A check failed: a ballot, a chain, a tally or a trustee's share does not verify
    /// (names the ballot or the trustee).
    #[error("{object}: {reason}")]
    Check {
        /// The guilty object.
        object: String,
        /// Why.
        reason: String,
    },
    /// The protocol refused (too few trustees, a ballot that cannot be made, …).
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl StepError {
    pub(crate) fn input(file: impl Into<String>, reason: impl std::fmt::Display) -> StepError {
        StepError::Input {
            file: file.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn check(object: impl Into<String>, reason: impl std::fmt::Display) -> StepError {
        StepError::Check {
            object: object.into(),
            reason: reason.to_string(),
        }
    }

    /// Whether a check failed (rather than the input being unusable).
    #[must_use]
    pub fn is_check(&self) -> bool {
        matches!(self, StepError::Check { .. })
    }
}

/// The fingerprint a file must carry, in hex.
fn fingerprint_hex(election: &Election) -> String {
    to_hex(election.fingerprint().as_bytes())
}

fn expect_header(
    file: &str,
    election: &Election,
    format: &str,
    want: &str,
    fingerprint: &str,
) -> Result<(), StepError> {
    if format != want {
        return Err(StepError::input(
            file,
            format!("format: {format:?} where {want:?} is expected"),
        ));
    }
    if fingerprint != fingerprint_hex(election) {
        return Err(StepError::input(
            file,
            "fingerprint: the file is of another election",
        ));
    }
    Ok(())
}

// ---- 1. a device encrypts ---------------------------------------------------------------

/// One line of a plaintext file (`cli-files.md` §3.1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaintextLine {
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    contests: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    challenge: bool,
}

/// Parse and validate a plaintext file for `station`: one JSON object a line (empty lines
/// skipped). A line naming an unknown group, a contest not on the voter's ballot, an unknown
/// candidate, a candidate twice or more candidates than the contest allows is refused with the
/// file, the line and the field.
pub fn parse_plaintexts(
    election: &Election,
    station: &str,
    file: &str,
    text: &str,
) -> Result<Vec<Voter>, StepError> {
    let mut voters = Vec::new();
    for (n, line) in (1..).zip(text.lines()) {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{file}:{n}");
        let p: PlaintextLine = serde_json::from_str(line).map_err(|e| StepError::input(&at, e))?;
        let style = election
            .style(station, p.group.as_deref())
            .map_err(|e| StepError::input(&at, format!("group: {e}")))?;
        for (cid, marks) in &p.contests {
            let field = format!("contests.{cid}");
            let desc = election
                .descriptions()
                .get(cid)
                .filter(|_| style.contains(cid))
                .ok_or_else(|| {
                    StepError::input(
                        &at,
                        format!("{field}: not a contest on this voter's ballot at {station}"),
                    )
                })?;
            let mut seen = BTreeSet::new();
            for (j, mark) in marks.iter().enumerate() {
                if !desc.selection_ids().contains(mark) {
                    return Err(StepError::input(
                        &at,
                        format!("{field}[{j}]: {mark:?} is not a candidate of contest {cid}"),
                    ));
                }
                if !seen.insert(mark) {
                    return Err(StepError::input(
                        &at,
                        format!("{field}[{j}]: candidate {mark:?} marked twice"),
                    ));
                }
            }
            if marks.len() as u64 > desc.votes_allowed() {
                return Err(StepError::input(
                    &at,
                    format!(
                        "{field}: over-vote, {} candidates marked where at most {} may be",
                        marks.len(),
                        desc.votes_allowed()
                    ),
                ));
            }
        }
        voters.push(Voter {
            station: station.to_owned(),
            group: p.group,
            choices: p.contests,
            challenge_first: p.challenge,
        });
    }
    Ok(voters)
}

/// What one device produced: its ballot lines, its closing entry and its station's tally.
#[derive(Debug)]
pub struct DeviceRun {
    /// Every ballot, cast and challenged, in chain order.
    pub lines: Vec<BallotLine>,
    /// The closing entry.
    pub device: DeviceWire,
    /// The station's encrypted tally of the cast ballots.
    pub tallies: Tallies,
}

/// Run one polling-station device over its voters: each voter who challenges sees the
/// ballot opened and then casts a new one.
pub fn run_device<R: CryptoRng + ?Sized>(
    election: &Election,
    ctx: &BallotContext,
    device_id: &str,
    station: &str,
    voters: &[&Voter],
    rng: &mut R,
    progress: &dyn Progress,
) -> Result<DeviceRun, RecordError> {
    if election.hierarchy().unit(station).map(|u| u.level) != Some(Level::Station) {
        return Err(RecordError::Manifest(format!(
            "{station} is not a polling station of the manifest"
        )));
    }
    let mut device = Device::new(election, device_id, station);
    let mut tallies: Tallies = BTreeMap::new();
    for v in voters {
        let group = v.group.as_deref();
        if v.challenge_first {
            let opened = device.encrypt(election, ctx, group, &v.choices, rng)?;
            device.challenge(opened);
        }
        let ballot = device.encrypt(election, ctx, group, &v.choices, rng)?;
        add_to_station(&mut tallies, station, &device.cast(ballot));
        progress.inc(1);
    }
    let (lines, wire) = device.close();
    Ok(DeviceRun {
        lines,
        device: wire,
        tallies,
    })
}

/// A device's ballots file (`cli-files.md` §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceFile {
    /// [`DEVICE_FORMAT`].
    pub format: String,
    /// The election fingerprint, hex.
    pub fingerprint: String,
    /// The closing entry.
    pub device: DeviceWire,
    /// Every ballot in chain order.
    pub ballots: Vec<BallotLine>,
}

/// The canonical bytes of a device's ballots file.
pub fn device_file(election: &Election, run: &DeviceRun) -> Result<Vec<u8>, RecordError> {
    to_canonical(&DeviceFile {
        format: DEVICE_FORMAT.to_owned(),
        fingerprint: fingerprint_hex(election),
        device: run.device.clone(),
        ballots: run.lines.clone(),
    })
}

// ---- 2. the tally -----------------------------------------------------------------------

/// A device file whose every ballot, proof and chain link checked.
#[derive(Clone, Debug)]
pub struct CheckedDevice {
    /// The ballot lines.
    pub lines: Vec<BallotLine>,
    /// The closing entry.
    pub device: DeviceWire,
    /// The decoded contests of each ballot, in the order of `lines`.
    contests: Vec<Vec<EncryptedContest>>,
}

impl CheckedDevice {
    /// Cast ballots.
    #[must_use]
    pub fn cast(&self) -> u64 {
        self.lines.iter().filter(|l| l.status == "cast").count() as u64
    }

    /// Challenged ballots.
    #[must_use]
    pub fn challenged(&self) -> u64 {
        self.lines.len() as u64 - self.cast()
    }
}

/// The decoded contests of one ballot line, after its shape is checked against the ballot
/// style of its station and group.
fn decode_ballot(election: &Election, line: &BallotLine) -> Result<Vec<EncryptedContest>, String> {
    let b = &line.ballot;
    decode_contests(election, &b.station, b.group.as_deref(), &b.contests)
}

/// The decoded contests of a ballot cast at `station` by a voter of `group`, after their
/// shape is checked: exactly the contests of the ballot style in order, each with the
/// contest's candidates in order, every element canonical.
pub(crate) fn decode_contests(
    election: &Election,
    station: &str,
    group: Option<&str>,
    contests: &[ContestWire],
) -> Result<Vec<EncryptedContest>, String> {
    let style = election.style(station, group).map_err(|e| e.to_string())?;
    if contests.len() != style.len() || contests.iter().zip(&style).any(|(c, s)| &c.contest != s) {
        return Err(format!(
            "its contests are not the ballot style {style:?} of its station and group"
        ));
    }
    contests
        .iter()
        .map(|cw| {
            let desc = election
                .descriptions()
                .get(&cw.contest)
                .ok_or_else(|| format!("contest {} has no description", cw.contest))?;
            let same_ids = cw.selections.len() == desc.selection_ids().len()
                && cw
                    .selections
                    .iter()
                    .zip(desc.selection_ids())
                    .all(|(s, id)| &s.id == id);
            if !same_ids {
                return Err(format!(
                    "contest {}: the selections are not the contest's candidates in order",
                    cw.contest
                ));
            }
            contest_from_wire(cw).map_err(|e| format!("contest {}: {e}", cw.contest))
        })
        .collect()
}

/// A challenged ballot's opening: each revealed vote re-encrypted with its nonce gives the
/// published ciphertext, and the votes keep to the contest's limits.
fn opening_matches(
    election: &Election,
    ctx: &BallotContext,
    line: &BallotLine,
    contests: &[EncryptedContest],
) -> Result<(), String> {
    let opened = line.opening.as_deref().unwrap_or_default();
    if opened.len() != contests.len() {
        return Err("the opening does not reveal every contest".into());
    }
    for (o, c) in opened.iter().zip(contests) {
        let desc = election
            .descriptions()
            .get(&c.contest_id)
            .ok_or_else(|| format!("contest {} has no description", c.contest_id))?;
        let revealed: u64 = o.selections.iter().map(|s| s.vote).sum();
        let fits = o.contest == c.contest_id
            && o.selections.len() == c.selections.len()
            && revealed <= desc.votes_allowed();
        if !fits {
            return Err(format!(
                "the opening of contest {} does not fit it",
                o.contest
            ));
        }
        for (os, es) in o.selections.iter().zip(&c.selections) {
            let nonce = from_hex("nonce", &os.nonce)
                .and_then(|b| decode_scalar("nonce", &b))
                .map_err(|e| format!("contest {} selection {}: {e}", o.contest, os.id))?;
            let same = os.id == es.selection_id
                && os.vote <= desc.selection_max()
                && encrypt(&ctx.key, os.vote, &SecretScalar::new(nonce))
                    .is_ok_and(|again| again == es.ciphertext);
            if !same {
                return Err(format!(
                    "contest {} selection {}: the revealed vote and nonce do not give the ciphertext",
                    o.contest, os.id
                ));
            }
        }
    }
    Ok(())
}

/// Read and check one device's ballots file: the shape of every ballot against its ballot
/// style, the chain of confirmation codes and the closing value, every range and
/// selection-limit proof (batched), and the opening of every challenged ballot. A failure
/// names the file and the ballot (sequence number and code).
pub fn check_device_file(
    election: &Election,
    ctx: &BallotContext,
    file: &str,
    bytes: &[u8],
) -> Result<CheckedDevice, StepError> {
    let df: DeviceFile = from_canonical(file, bytes).map_err(|e| StepError::input(file, e))?;
    expect_header(file, election, &df.format, DEVICE_FORMAT, &df.fingerprint)?;
    let dev = &df.device;
    if election.hierarchy().unit(&dev.station).map(|u| u.level) != Some(Level::Station) {
        return Err(StepError::input(
            file,
            format!("device.station: {} is not a polling station", dev.station),
        ));
    }
    let fp = *election.fingerprint().as_bytes();
    let name = |l: &BallotLine| format!("{file}: ballot {} (code {})", l.ballot.seq, l.code);
    let mut last = chain_start(&fp, &dev.device);
    let mut contests = Vec::with_capacity(df.ballots.len());
    for (seq, line) in (1u64..).zip(&df.ballots) {
        let b = &line.ballot;
        let fault = if b.device != dev.device || b.station != dev.station {
            Some("it is not of this file's device and station".to_owned())
        } else if b.seq != seq {
            Some(format!("sequence number {} where {seq} follows", b.seq))
        } else if line.prev_code != to_hex(&last) {
            Some("its previous code is not the device's last code".to_owned())
        } else if !matches!(
            (line.status.as_str(), line.opening.is_some()),
            ("cast", false) | ("challenged", true)
        ) {
            Some(format!("status {:?} does not fit its opening", line.status))
        } else {
            None
        };
        if let Some(reason) = fault {
            return Err(StepError::check(name(line), reason));
        }
        let code = confirmation_code(&fp, &dev.device, &last, &to_canonical(b)?);
        if to_hex(&code) != line.code {
            return Err(StepError::check(
                name(line),
                "the confirmation code is not the hash of the chain and the ballot (altered ballot?)",
            ));
        }
        last = code;
        contests.push(decode_ballot(election, line).map_err(|r| StepError::check(name(line), r))?);
    }
    let n = df.ballots.len() as u64;
    if dev.ballots != n || dev.closing != to_hex(&chain_close(&fp, &dev.device, &last, n)) {
        return Err(StepError::check(
            format!("{file}: device {}", dev.device),
            format!(
                "the closing entry ({} ballots) does not close the chain of its {n} ballots",
                dev.ballots
            ),
        ));
    }
    let mut items = Vec::new();
    let mut owners = Vec::new();
    for (line, cs) in df.ballots.iter().zip(&contests) {
        for contest in cs {
            if let Some(desc) = election.descriptions().get(&contest.contest_id) {
                items.push(ContestItem { ctx, desc, contest });
                owners.push(line);
            }
        }
    }
    if let Some(e) = failing_items(&items, &mut rand::rng()).first() {
        let line = owners.get(e.index).copied();
        let contest = items
            .get(e.index)
            .map_or("?", |i| i.contest.contest_id.as_str());
        return Err(StepError::check(
            line.map_or_else(|| file.to_owned(), name),
            format!("contest {contest}: {}", e.error),
        ));
    }
    for (line, cs) in df.ballots.iter().zip(&contests) {
        if line.status == "challenged" {
            opening_matches(election, ctx, line, cs)
                .map_err(|r| StepError::check(name(line), r))?;
        }
    }
    Ok(CheckedDevice {
        lines: df.ballots,
        device: df.device,
        contests,
    })
}

/// One ciphertext of the tally file to decrypt (`cli-files.md` §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetWire {
    /// The unit.
    pub unit: String,
    /// The contest.
    pub contest: String,
    /// The candidate.
    pub selection: String,
    /// Cast ballots in the tally (the bound of its plaintext).
    pub ballots: u64,
    /// `α ‖ β`, hex.
    pub ciphertext: String,
}

/// The tally file (`cli-files.md` §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyStepFile {
    /// [`TALLY_FORMAT`].
    pub format: String,
    /// The election fingerprint, hex.
    pub fingerprint: String,
    /// The closing entries of the devices tallied, by identifier.
    pub devices: Vec<DeviceWire>,
    /// Every reporting unit's tally with the privacy rule's decision, by identifier.
    pub units: Vec<UnitTally>,
    /// The ciphertexts the privacy rule allows to decrypt, by unit, contest, candidate.
    pub targets: Vec<TargetWire>,
}

/// A tally: the encrypted tallies of every unit, the privacy rule, the targets, and the file.
#[derive(Clone, Debug)]
pub struct TallyStep {
    /// Every unit's encrypted tallies.
    pub tallies: Tallies,
    /// The privacy rule: contest → unit → decision.
    pub disclosure: BTreeMap<String, BTreeMap<String, Disclosure>>,
    /// The ciphertexts to decrypt.
    pub targets: Vec<Target>,
    /// The devices tallied.
    pub devices: Vec<DeviceWire>,
    /// The tally file's canonical bytes.
    pub bytes: Vec<u8>,
}

impl TallyStep {
    /// SHA-256 of the tally file, hex: what the trustees' shares refer to.
    #[must_use]
    pub fn sha256_hex(&self) -> String {
        to_hex(&sha256(&self.bytes))
    }
}

/// From station tallies: every level above, the privacy rule, the targets and the file.
fn tally_from(
    election: &Election,
    stations: &Tallies,
    mut devices: Vec<DeviceWire>,
) -> Result<TallyStep, RecordError> {
    let h = election.hierarchy();
    let tallies = aggregate_upwards(h, stations);
    let disclosure = disclosures(h, &tallies, election.privacy_threshold());
    let targets = targets(election, &tallies, &disclosure)?;
    devices.sort_by(|a, b| a.device.cmp(&b.device));
    let file = TallyStepFile {
        format: TALLY_FORMAT.to_owned(),
        fingerprint: fingerprint_hex(election),
        devices: devices.clone(),
        units: h
            .units()
            .keys()
            .map(|u| crate::record::unit_tally(election, u, &tallies, &disclosure))
            .collect(),
        targets: targets
            .iter()
            .map(|t| TargetWire {
                unit: t.id.unit.clone(),
                contest: t.id.contest.clone(),
                selection: t.id.selection.clone(),
                ballots: t.ballots,
                ciphertext: format!(
                    "{}{}",
                    t.ciphertext.alpha.to_hex(),
                    t.ciphertext.beta.to_hex()
                ),
            })
            .collect(),
    };
    let bytes = to_canonical(&file)?;
    Ok(TallyStep {
        tallies,
        disclosure,
        targets,
        devices,
        bytes,
    })
}

/// Whether a selection ciphertext of `contests` is already in `alphas` (by its `α`); the
/// new ones are added.
fn replayed(alphas: &mut BTreeSet<[u8; 32]>, contests: &[EncryptedContest]) -> bool {
    contests
        .iter()
        .flat_map(|c| &c.selections)
        .any(|s| !alphas.insert(*s.ciphertext.alpha().as_bytes()))
}

/// Tally checked device files and the checked remote ballots, if the election has them: per
/// station the product of its cast ballots and of the counted remote ballots of the voters
/// registered there, then every level above, the privacy rule and the targets. Refuses a
/// device twice and a ciphertext found in two ballots (a replayed ballot).
pub fn tally_step(
    election: &Election,
    devices: &[CheckedDevice],
    remote: Option<&CheckedRemote>,
) -> Result<TallyStep, StepError> {
    let mut ids = BTreeSet::new();
    let mut alphas = BTreeSet::new();
    let mut stations: Tallies = BTreeMap::new();
    for d in devices {
        if !ids.insert(d.device.device.as_str()) {
            return Err(StepError::check(
                format!("device {}", d.device.device),
                "its ballots are given twice",
            ));
        }
        for (line, cs) in d.lines.iter().zip(&d.contests) {
            if replayed(&mut alphas, cs) {
                return Err(StepError::check(
                    format!(
                        "device {} ballot {} (code {})",
                        d.device.device, line.ballot.seq, line.code
                    ),
                    "a ciphertext of this ballot appears in another ballot",
                ));
            }
            if line.status == "cast" {
                add_to_station(&mut stations, &d.device.station, cs);
            }
        }
    }
    for (line, cs) in remote.iter().flat_map(|r| r.lines.iter().zip(&r.contests)) {
        if replayed(&mut alphas, cs) {
            return Err(StepError::check(
                format!("remote ballot {} (log entry {})", line.code, line.index),
                "a ciphertext of this ballot appears in another ballot",
            ));
        }
        if line.is_counted() {
            add_to_station(&mut stations, &line.ballot.station, cs);
        }
    }
    let devices = devices.iter().map(|d| d.device.clone()).collect();
    Ok(tally_from(election, &stations, devices)?)
}

/// Read a tally file back: its station tallies are decoded, and every other part — the units
/// above, the privacy rule's decisions, the targets — must be exactly what they give.
pub fn read_tally(election: &Election, file: &str, bytes: &[u8]) -> Result<TallyStep, StepError> {
    let tf: TallyStepFile = from_canonical(file, bytes).map_err(|e| StepError::input(file, e))?;
    expect_header(file, election, &tf.format, TALLY_FORMAT, &tf.fingerprint)?;
    let mut stations: Tallies = BTreeMap::new();
    for u in tf
        .units
        .iter()
        .filter(|u| u.level == Level::Station.as_str())
    {
        let mut mine = BTreeMap::new();
        for c in &u.contests {
            let at = format!("{file}: unit {} contest {}", u.unit, c.contest);
            let ids = election
                .descriptions()
                .get(&c.contest)
                .map(|d| d.selection_ids())
                .unwrap_or_default();
            if c.selections.len() != ids.len() {
                return Err(StepError::input(
                    at,
                    "selections are not the contest's candidates",
                ));
            }
            let mut selections = Vec::with_capacity(ids.len());
            for s in &c.selections {
                let agg = from_hex("tally", &s.ciphertext)
                    .and_then(|b| AggregateCiphertext::decode(&b))
                    .map_err(|e| StepError::input(&at, format!("selection {}: {e}", s.id)))?;
                selections.push(agg);
            }
            mine.insert(
                c.contest.clone(),
                ContestAggregate {
                    ballots: c.ballots,
                    selections,
                },
            );
        }
        stations.insert(u.unit.clone(), mine);
    }
    let again = tally_from(election, &stations, tf.devices)?;
    if again.bytes != bytes {
        return Err(StepError::check(
            file,
            "the tallies above the stations, the privacy rule's decisions or the targets are not those the station tallies give",
        ));
    }
    Ok(again)
}

// ---- 3. a trustee decrypts --------------------------------------------------------------

/// One decryption share of a trustee's file (`cli-files.md` §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareLine {
    /// The unit.
    pub unit: String,
    /// The contest.
    pub contest: String,
    /// The candidate.
    pub selection: String,
    /// `M_j = s_j·α`, hex.
    pub share: String,
    /// Chaum–Pedersen proof `a1 ‖ a2 ‖ z`, hex (96 bytes).
    pub proof: String,
}

/// A trustee's decryption-shares file (`cli-files.md` §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharesFile {
    /// [`SHARES_FORMAT`].
    pub format: String,
    /// The election fingerprint, hex.
    pub fingerprint: String,
    /// SHA-256 of the tally file decrypted, hex.
    pub tally_sha256: String,
    /// The trustee.
    pub trustee: u32,
    /// One share per target, in the tally file's order.
    pub shares: Vec<ShareLine>,
}

/// A trustee's decryption shares, with proofs, of every target of the tally.
pub fn make_shares<R: CryptoRng + ?Sized>(
    election: &Election,
    tally: &TallyStep,
    key_share: &KeyShare,
    rng: &mut R,
    progress: &dyn Progress,
) -> Result<Vec<u8>, StepError> {
    let mut shares = Vec::with_capacity(tally.targets.len());
    for chunk in tally.targets.chunks(64) {
        shares.extend(trustee_shares(
            election.fingerprint(),
            key_share,
            chunk,
            rng,
        )?);
        progress.inc(chunk.len() as u64);
    }
    let file = SharesFile {
        format: SHARES_FORMAT.to_owned(),
        fingerprint: fingerprint_hex(election),
        tally_sha256: tally.sha256_hex(),
        trustee: key_share.trustee().get(),
        shares: shares
            .iter()
            .map(|s| {
                let w = share_to_wire(s);
                ShareLine {
                    unit: s.id.unit.clone(),
                    contest: s.id.contest.clone(),
                    selection: s.id.selection.clone(),
                    share: w.share,
                    proof: w.proof,
                }
            })
            .collect(),
    };
    Ok(to_canonical(&file)?)
}

fn proof_from_hex(hex: &str) -> Result<DleqProof, sanduq_crypto::Error> {
    let b = from_hex("proof", hex)?;
    let part = |i: usize| {
        b.get(i * 32..(i + 1) * 32)
            .ok_or(sanduq_crypto::Error::Argument("a proof is 96 bytes"))
    };
    if b.len() != 96 {
        return Err(sanduq_crypto::Error::Argument("a proof is 96 bytes"));
    }
    Ok(DleqProof {
        a1: Element::decode("a1", part(0)?)?,
        a2: Element::decode("a2", part(1)?)?,
        response: decode_scalar("z", part(2)?)?,
    })
}

/// Read a trustee's shares file and check it: of this election and this tally, one share
/// per target in order, every Chaum–Pedersen proof against the trustee's public share. A
/// failure names the trustee (and the ciphertext).
pub fn read_shares(
    election: &Election,
    package: &PublicKeyPackage,
    tally: &TallyStep,
    file: &str,
    bytes: &[u8],
) -> Result<(TrusteeIndex, Vec<DecryptionShare>), StepError> {
    let sf: SharesFile = from_canonical(file, bytes).map_err(|e| StepError::input(file, e))?;
    expect_header(file, election, &sf.format, SHARES_FORMAT, &sf.fingerprint)?;
    if sf.tally_sha256 != tally.sha256_hex() {
        return Err(StepError::input(
            file,
            "tally_sha256: the shares are of another tally file",
        ));
    }
    let trustee = TrusteeIndex::new(sf.trustee)
        .map_err(|e| StepError::input(file, format!("trustee: {e}")))?;
    let who = format!("{file}: trustee {}", sf.trustee);
    if !package.public_shares.contains_key(&trustee) {
        return Err(StepError::check(
            who,
            "not a qualified trustee of the ceremony",
        ));
    }
    if sf.shares.len() != tally.targets.len() {
        return Err(StepError::check(
            who,
            format!(
                "{} shares for {} ciphertexts",
                sf.shares.len(),
                tally.targets.len()
            ),
        ));
    }
    let mut shares = Vec::with_capacity(sf.shares.len());
    for (line, t) in sf.shares.iter().zip(&tally.targets) {
        let at = format!(
            "{who}, share of {}/{}/{}",
            t.id.unit, t.id.contest, t.id.selection
        );
        if (&line.unit, &line.contest, &line.selection)
            != (&t.id.unit, &t.id.contest, &t.id.selection)
        {
            return Err(StepError::check(at, "not the ciphertext in this position"));
        }
        let share =
            Element::from_hex("share", &line.share).map_err(|e| StepError::check(&at, e))?;
        let proof = proof_from_hex(&line.proof).map_err(|e| StepError::check(&at, e))?;
        shares.push(DecryptionShare {
            trustee,
            id: t.id.clone(),
            share,
            proof,
        });
    }
    let fp = election.fingerprint();
    let items: Vec<ShareToVerify<'_>> = shares
        .iter()
        .zip(&tally.targets)
        .map(|(share, t)| ShareToVerify {
            ciphertext: &t.ciphertext,
            id: &t.id,
            share,
        })
        .collect();
    if verify_decryption_shares(fp, package, &items, &mut rand::rng()).is_err() {
        // name the first share that fails on its own
        let bad = items
            .iter()
            .find(|i| verify_decryption_share(fp, package, i.ciphertext, i.id, i.share).is_err());
        let what = bad.map_or_else(
            || who.clone(),
            |i| {
                format!(
                    "{who}, share of {}/{}/{}",
                    i.id.unit, i.id.contest, i.id.selection
                )
            },
        );
        return Err(StepError::check(
            what,
            "the Chaum–Pedersen proof of the decryption share does not verify",
        ));
    }
    Ok((trustee, shares))
}

// ---- 4. the record ----------------------------------------------------------------------

/// The key ceremony from its public files: the set-up must be this election's, the transcript
/// must pass every check of the ceremony, and the published joint key must be the one the
/// transcript gives.
pub fn verified_ceremony(
    election: &Election,
    setup: CeremonySetup,
    transcript: CeremonyTranscript,
    published: &PublicKeyPackage,
) -> Result<Ceremony, StepError> {
    if setup.fingerprint() != election.fingerprint() || setup.parameters() != election.parameters()
    {
        return Err(StepError::input(
            "ceremony set-up",
            "not this election's fingerprint and parameters",
        ));
    }
    let (_, package) = dkg::verify_ceremony(&setup, &transcript)
        .map_err(|e| StepError::check("key ceremony", e))?;
    if &package != published {
        return Err(StepError::check(
            "public-key.json",
            "the joint key or a public share is not the one the ceremony's commitments give",
        ));
    }
    Ok(Ceremony {
        setup,
        transcript,
        package,
    })
}

/// Per district: its ballot lines and its devices' closing entries.
pub type Districts = BTreeMap<Location, (Vec<BallotLine>, Vec<DeviceWire>)>;

/// The devices' ballot lines and closing entries by district, ordered as the record wants
/// (ballots by device then sequence number, devices by identifier).
pub fn districts_of(
    h: &Hierarchy,
    devices: impl IntoIterator<Item = (Vec<BallotLine>, DeviceWire)>,
) -> Result<Districts, RecordError> {
    let mut out = Districts::new();
    for (lines, device) in devices {
        let loc = location_of(h, &device.station).ok_or_else(|| {
            RecordError::Manifest(format!("station {} has no district", device.station))
        })?;
        let entry = out.entry(loc).or_default();
        entry.0.extend(lines);
        entry.1.push(device);
    }
    for (lines, devices) in out.values_mut() {
        lines.sort_by(|a, b| {
            (&a.ballot.device, a.ballot.seq).cmp(&(&b.ballot.device, b.ballot.seq))
        });
        devices.sort_by(|a, b| a.device.cmp(&b.device));
    }
    Ok(out)
}

/// Count every contest of the round from the nation's decrypted totals.
pub fn results_of(
    election: &Election,
    tallies: &Tallies,
    disclosure: &BTreeMap<String, BTreeMap<String, Disclosure>>,
    targets: &[Target],
    counts: &[u64],
) -> Result<Vec<ContestResult>, RecordError> {
    let h = election.hierarchy();
    let nation = h.nation();
    let mut decrypted: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (t, c) in targets.iter().zip(counts) {
        if t.id.unit == nation {
            decrypted.entry(t.id.contest.clone()).or_default().push(*c);
        }
    }
    let ballots: BTreeMap<String, u64> = tallies
        .get(nation)
        .map(|m| m.iter().map(|(c, a)| (c.clone(), a.ballots)).collect())
        .unwrap_or_default();
    nation_totals(election.manifest(), h, &ballots, disclosure, &decrypted)
        .into_iter()
        .map(|(cid, (n, totals))| count_contest(election.manifest(), &cid, n, totals.as_deref()))
        .collect()
}

/// Check that the device files give the tally exactly: every station tally the product of
/// their cast ballots, no device missing or added.
pub fn check_tally_source(
    election: &Election,
    tally: &TallyStep,
    devices: &[CheckedDevice],
    remote: Option<&CheckedRemote>,
) -> Result<(), StepError> {
    if tally_step(election, devices, remote)?.bytes != tally.bytes {
        return Err(StepError::check(
            "ballots",
            "the device files and remote ballots given do not give the tally file (a device or remote ballot missing, added or altered)",
        ));
    }
    Ok(())
}

/// The complete record: the device files must give the tally file exactly; the trustees'
/// shares (already checked by [`read_shares`]) must meet the policy; the shares are combined,
/// every contest counted, and the record laid out with its index.
pub fn combine_record(
    election: &Election,
    ceremony: &Ceremony,
    tally: &TallyStep,
    devices: &[CheckedDevice],
    remote: Option<&CheckedRemote>,
    shares: &BTreeMap<TrusteeIndex, Vec<DecryptionShare>>,
) -> Result<(Files, Vec<ContestResult>), StepError> {
    check_tally_source(election, tally, devices, remote)?;
    let policy = ceremony.setup.policy();
    check_quorum(policy, &shares.keys().copied().collect())?;
    let counts =
        combine(policy, &tally.targets, shares).map_err(|e| StepError::check("decryption", e))?;
    let results = results_of(
        election,
        &tally.tallies,
        &tally.disclosure,
        &tally.targets,
        &counts,
    )?;
    let districts = districts_of(
        election.hierarchy(),
        devices.iter().map(|d| (d.lines.clone(), d.device.clone())),
    )?;
    let files = build_files(&Outputs {
        election,
        ceremony,
        districts,
        tallies: &tally.tallies,
        disclosure: &tally.disclosure,
        targets: &tally.targets,
        counts: &counts,
        shares,
        results: results.clone(),
        remote,
    })?;
    Ok((with_index(files)?, results))
}

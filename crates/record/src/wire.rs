//! The JSON form of every record file (`docs/spec/record.md` §3).
//!
//! Every file is canonical JSON: keys sorted, no whitespace, integers only, no `null`
//! (an absent optional field is left out). Group elements and scalars are the lower-case hex
//! of their canonical 32-byte encodings, ciphertexts the hex of `α ‖ β`. A reader accepts a
//! file only if re-encoding what it parsed gives back the same bytes, so every value has one
//! accepted form.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::RecordError;

/// The value of the `format` field of the record's top-level files.
pub const RECORD_FORMAT: &str = "sanduq-record/0.1";

/// Canonical JSON bytes of a value.
pub fn to_canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, RecordError> {
    sanduq_election::canonical::to_canonical_json(value)
        .map_err(|e| RecordError::file("(encoding)", e))
}

/// Parse canonical JSON, refusing any other form of the same value.
pub fn from_canonical<T: Serialize + DeserializeOwned>(
    file: &str,
    bytes: &[u8],
) -> Result<T, RecordError> {
    let value: T = serde_json::from_slice(bytes).map_err(|e| RecordError::file(file, e))?;
    let again = to_canonical(&value)?;
    if again != bytes {
        return Err(RecordError::file(file, "not in canonical form"));
    }
    Ok(value)
}

/// `election/parameters.json`: what is fixed before any ballot is cast.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParametersFile {
    /// [`RECORD_FORMAT`].
    pub format: String,
    /// `sanduq/0.1`.
    pub spec_version: String,
    /// `ristretto255-sha512`.
    pub suite: String,
    /// The seed of the second generator H, hex.
    pub generator_seed: String,
    /// H, hex.
    pub generator_h: String,
    /// The election fingerprint over the parameters and the manifest, hex.
    pub fingerprint: String,
    /// SHA-256 of `election/manifest.json`, hex.
    pub manifest_sha256: String,
    /// The privacy threshold K.
    pub privacy_threshold: u64,
    /// The counting tie-break seed, hex (the manifest's).
    pub tie_break_seed: String,
    /// The polling round the ballots are for.
    pub round: u32,
}

/// One encrypted selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionWire {
    /// The candidate identifier.
    pub id: String,
    /// `α ‖ β`, hex.
    pub ciphertext: String,
    /// The range proof: per branch `a ‖ b ‖ c ‖ z`, hex (128 bytes).
    pub proof: Vec<String>,
}

/// One encrypted contest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestWire {
    /// The contest identifier.
    pub contest: String,
    /// The selections, in ballot order.
    pub selections: Vec<SelectionWire>,
    /// The selection-limit proof, branches as for a selection.
    pub limit_proof: Vec<String>,
}

/// The part of a ballot its confirmation code covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotBody {
    /// The device that encrypted it.
    pub device: String,
    /// Its position on the device, from 1.
    pub seq: u64,
    /// The polling station.
    pub station: String,
    /// The voter group whose ballot style it has (absent: voters in no group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The contests of its ballot style, in order.
    pub contests: Vec<ContestWire>,
}

/// A revealed selection of a challenged ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenedSelection {
    /// The candidate.
    pub id: String,
    /// The vote (0 or 1).
    pub vote: u64,
    /// The encryption nonce, hex.
    pub nonce: String,
}

/// A revealed contest of a challenged ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenedContest {
    /// The contest.
    pub contest: String,
    /// The selections, in ballot order.
    pub selections: Vec<OpenedSelection>,
}

/// One line of `ballots.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotLine {
    /// What the code covers.
    pub ballot: BallotBody,
    /// The device's previous code (or chain start), hex.
    pub prev_code: String,
    /// The confirmation code, hex; the ballot's identifier.
    pub code: String,
    /// `cast` or `challenged`.
    pub status: String,
    /// For a challenged ballot: its plaintext and nonces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<Vec<OpenedContest>>,
}

/// A device's closing entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceWire {
    /// Device identifier.
    pub device: String,
    /// Its polling station.
    pub station: String,
    /// Ballots it encrypted (cast and challenged).
    pub ballots: u64,
    /// The chain's closing value, hex.
    pub closing: String,
}

/// `devices.json` of a district.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicesFile {
    /// The district.
    pub district: String,
    /// Its devices, by identifier.
    pub devices: Vec<DeviceWire>,
}

/// The encrypted tally of one selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionTally {
    /// The candidate.
    pub id: String,
    /// The aggregate `α ‖ β`, hex (identity parts as 32 zero bytes).
    pub ciphertext: String,
}

/// The encrypted tally of one contest in one unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestTally {
    /// The contest.
    pub contest: String,
    /// Cast ballots carrying it in the unit.
    pub ballots: u64,
    /// `published`, `merged` or `withheld` (the privacy rule).
    pub disclosure: String,
    /// For `merged`: the parent it is merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// Per selection, in ballot order.
    pub selections: Vec<SelectionTally>,
}

/// The encrypted tallies of one unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitTally {
    /// The unit.
    pub unit: String,
    /// Its level.
    pub level: String,
    /// Its parent (absent for the nation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Every contest with at least one cast ballot in the unit, by identifier.
    pub contests: Vec<ContestTally>,
}

/// `tally.json`: the units of one district, province or the nation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyFile {
    /// The units, by identifier.
    pub units: Vec<UnitTally>,
}

/// A trustee's decryption share with its proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareWire {
    /// Trustee index.
    pub trustee: u32,
    /// `M_j = s_j·α`, hex.
    pub share: String,
    /// Chaum–Pedersen proof `a1 ‖ a2 ‖ z`, hex (96 bytes).
    pub proof: String,
}

/// The decryption of one selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionDecryption {
    /// The candidate.
    pub id: String,
    /// The plaintext count.
    pub count: u64,
    /// The shares, by trustee index.
    pub shares: Vec<ShareWire>,
}

/// The decryption of one contest in one unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decryption {
    /// The unit.
    pub unit: String,
    /// The contest.
    pub contest: String,
    /// Per selection, in ballot order.
    pub selections: Vec<SelectionDecryption>,
}

/// `decryption.json`: the decryptions of the published units of one district, province or
/// the nation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionFile {
    /// The trustees whose shares are used (the same for every ciphertext).
    pub trustees: Vec<u32>,
    /// By unit, then contest.
    pub decryptions: Vec<Decryption>,
}

/// The result of one contest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestResult {
    /// The contest.
    pub contest: String,
    /// The counting method.
    pub method: String,
    /// Seats.
    pub seats: u64,
    /// Reserved women's seats.
    pub reserved_women: u64,
    /// Cast ballots carrying the contest.
    pub ballots: u64,
    /// `counted`, or `withheld` (fewer than K ballots in all: not decrypted).
    pub status: String,
    /// Votes per candidate, from the nation's decryption.
    pub totals: BTreeMap<String, u64>,
    /// The elected candidates, in the counting engine's order.
    pub elected: Vec<String>,
    /// Of those, the women elected only because of the reserved seats.
    pub reserved_elected: Vec<String>,
    /// Two-round: the two candidates of the run-off when no one has a majority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runoff: Option<Vec<String>>,
    /// Reserved seats left unfilled for want of women candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_unfilled: Option<u64>,
    /// Ties the counting engine resolved, with the criterion used.
    pub ties: Vec<String>,
}

/// `results/results.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsFile {
    /// By contest identifier.
    pub results: Vec<ContestResult>,
}

/// One entry of `index.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// Path in the record, `/`-separated.
    pub path: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Length in bytes.
    pub bytes: u64,
}

/// `index.json`: every other file of the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexFile {
    /// [`RECORD_FORMAT`].
    pub format: String,
    /// The files, by path.
    pub files: Vec<IndexEntry>,
}

/// Parse a JSON-lines file of canonical lines (each line terminated by `\n`).
pub fn parse_lines<T: Serialize + DeserializeOwned>(
    file: &str,
    bytes: &[u8],
) -> Vec<Result<T, RecordError>> {
    let mut out = Vec::new();
    if bytes.is_empty() {
        return out;
    }
    let body = match bytes.strip_suffix(b"\n") {
        Some(b) => b,
        None => {
            out.push(Err(RecordError::file(file, "last line not terminated")));
            return out;
        }
    };
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let name = format!("{file}:{}", i + 1);
        out.push(from_canonical(&name, line));
    }
    out
}

/// Encode values as canonical JSON lines.
pub fn to_lines<T: Serialize>(items: &[T]) -> Result<Vec<u8>, RecordError> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(&to_canonical(i)?);
        out.push(b'\n');
    }
    Ok(out)
}

//! Publishing an election record on the board, and reading one back
//! (`docs/spec/board-server.md` §7).
//!
//! The logic is free of I/O except for the thin helpers at the end ([`post`],
//! [`read_log`], [`HttpArtefacts`]), which speak the HTTP API of §3:
//!
//! * [`plan`] turns a record's files into the entries to publish, in a fixed order: every
//!   line of every `ballots.jsonl` as a `ballot` entry (file by file, line by line), every
//!   other file as a `record-file` entry (path order), and `index.json` last as the
//!   `record-index` entry. A district's `remote.jsonl` is not published: its lines are the
//!   log's own `remote-ballot` entries. [`sign_plan`] makes the envelopes, carrying the
//!   artefact inline when it fits in one envelope and beside the log otherwise.
//! * [`rebuild`] takes the entries of a log and rebuilds the record named by the latest
//!   `record-index`: every file is found by the SHA-256 the index lists (the credential list
//!   also among the `credentials` entries), each
//!   `ballots.jsonl` is rebuilt from the `ballot` entries of its district's devices (the
//!   district's `devices.json` names them), in device then sequence order, and each
//!   `remote.jsonl` from the log's `remote-ballot` entries of voters registered in its
//!   district (the manifest gives the district of each station), in log order with the last
//!   of each credential counted; each must hash to the index's value.
//! * [`cross_check`] compares a record with a log: every ballot line of the record is a
//!   `ballot` entry of the log, every `ballot` entry of the log a ballot line of the record,
//!   every line of the record's `remote.jsonl` files a `remote-ballot` entry of the log (same
//!   log index and tracking code) and every `remote-ballot` entry of the log such a line.
//!
//! The kinds and their content are those of the board-entry contract: a `ballot` artefact is
//! one line of a `ballots.jsonl` without its `\n`; a `record-file` or `record-index`
//! artefact is the file byte for byte; a `remote-ballot` envelope is what a line of a
//! `remote.jsonl` stands for ([`RemoteLine::envelope`]).

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::SigningKey;
use sanduq_record::remote::{CREDENTIALS, REMOTE, RemoteLine, lines_from_entries, to_jsonl};
use sanduq_record::store::{Files, INDEX, index_of, sha256};
use sanduq_record::wire::{BallotLine, DevicesFile, IndexFile, ParametersFile, from_canonical};
use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::cosignature::QuorumPolicy;
use sanduq_tlog::signed_note::Verifier;
use sanduq_tlog::tiles;

use crate::client::Client;
use crate::envelope::{Envelope, EnvelopeError, Fingerprint, MAX_ENVELOPE_LEN};
use crate::mirror::{self, MirrorError, Source};

/// Kind of the entry holding the record's `index.json`.
pub const KIND_RECORD_INDEX: &str = "record-index";
/// Kind of an entry holding one other file of the record.
pub const KIND_RECORD_FILE: &str = "record-file";
/// Kind of an entry holding one ballot line from a polling-station device.
pub const KIND_BALLOT: &str = "ballot";
/// Kind of an entry holding the public credential list.
pub const KIND_CREDENTIALS: &str = "credentials";
/// Kind of an entry holding a ballot cast remotely with a voter credential.
pub const KIND_REMOTE_BALLOT: &str = "remote-ballot";
/// Kind of the entry that closes remote voting.
pub const KIND_POLLS_CLOSED: &str = crate::credentials::POLLS_CLOSED_KIND;
/// Every kind of the board-entry contract.
pub const KINDS: [&str; 6] = [
    KIND_RECORD_INDEX,
    KIND_RECORD_FILE,
    KIND_BALLOT,
    KIND_CREDENTIALS,
    KIND_REMOTE_BALLOT,
    KIND_POLLS_CLOSED,
];

/// The record's parameters file, which holds the election fingerprint.
const PARAMETERS: &str = "election/parameters.json";
/// Name of a district's ballot file.
const BALLOTS: &str = "ballots.jsonl";
/// Name of a district's device file.
const DEVICES: &str = "devices.json";
/// The record's manifest, which places every polling station in its district.
const MANIFEST: &str = "election/manifest.json";
/// Envelope bytes besides the kind and the inline body (§2).
const ENVELOPE_OVERHEAD: usize = 171;

/// Why a record cannot be published or rebuilt, or a log not compared with it. Every
/// variant names the file, line or log entry at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublicationError {
    /// A file of the record to publish is unusable.
    #[error("{path}: {reason}")]
    RecordFile {
        /// The file (with `:line` for a ballot line).
        path: String,
        /// Why.
        reason: String,
    },
    /// An envelope could not be made.
    #[error("{what}: {source}")]
    Envelope {
        /// The artefact.
        what: String,
        /// Why.
        source: EnvelopeError,
    },
    /// The log holds no `record-index` entry.
    #[error("the log holds no record-index entry")]
    NoIndex,
    /// A log entry is not an envelope.
    #[error("log entry {index}: {source}")]
    BadEntry {
        /// The entry index.
        index: u64,
        /// Why.
        source: EnvelopeError,
    },
    /// An entry's artefact is stored beside the log but was not served.
    #[error("log entry {index} ({kind}): its artefact {hash} is not served")]
    MissingArtefact {
        /// The entry index.
        index: u64,
        /// The entry kind.
        kind: String,
        /// The artefact hash, hex.
        hash: String,
    },
    /// The artefact served for an entry does not match the entry.
    #[error(
        "log entry {index} ({kind}): the artefact served for {hash} has other bytes \
         (SHA-256 or length differs)"
    )]
    TamperedArtefact {
        /// The entry index.
        index: u64,
        /// The entry kind.
        kind: String,
        /// The artefact hash, hex.
        hash: String,
    },
    /// An artefact could not be read.
    #[error("log entry {index}: reading artefact {hash}: {reason}")]
    ArtefactFetch {
        /// The entry index.
        index: u64,
        /// The artefact hash, hex.
        hash: String,
        /// Why.
        reason: String,
    },
    /// An entry of a record kind was signed by a key that is not an administrator's.
    #[error("log entry {index} ({kind}): signed by {signer}, not an administrator key")]
    Unauthorised {
        /// The entry index.
        index: u64,
        /// The entry kind.
        kind: String,
        /// The signer, hex.
        signer: String,
    },
    /// An entry is for another election than the record's index.
    #[error("log entry {index} ({kind}): election {found}, the record index is for {expected}")]
    WrongElection {
        /// The entry index.
        index: u64,
        /// The entry kind.
        kind: String,
        /// The entry's election.
        found: String,
        /// The index entry's election.
        expected: String,
    },
    /// The content of an entry is not what its kind requires.
    #[error("log entry {index} ({kind}): {reason}")]
    BadContent {
        /// The entry index.
        index: u64,
        /// The entry kind.
        kind: String,
        /// Why.
        reason: String,
    },
    /// A file listed by the record index cannot be rebuilt from the log.
    #[error("{path} (record index at log entry {index_entry}): {reason}")]
    FileNotRebuilt {
        /// The file.
        path: String,
        /// The `record-index` entry.
        index_entry: u64,
        /// Why.
        reason: String,
    },
    /// Reading the log failed.
    #[error(transparent)]
    Log(#[from] MirrorError),
}

impl PublicationError {
    fn record(path: impl Into<String>, reason: impl ToString) -> Self {
        Self::RecordFile {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}

/// What an entry to publish holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Line `line` (from 1) of the ballot file `path`; `code` is its confirmation code.
    Ballot {
        /// The `ballots.jsonl` file.
        path: String,
        /// The line number, from 1.
        line: usize,
        /// The confirmation code.
        code: String,
    },
    /// A record file (also every other path with the same bytes).
    File {
        /// The file.
        path: String,
    },
    /// `index.json`.
    Index,
}

impl core::fmt::Display for Origin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Ballot { path, line, code } => write!(f, "{path}:{line} (ballot {code})"),
            Self::File { path } => f.write_str(path),
            Self::Index => f.write_str(INDEX),
        }
    }
}

/// One entry to publish, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The entry kind.
    pub kind: &'static str,
    /// The artefact.
    pub artefact: Vec<u8>,
    /// Where it comes from in the record.
    pub origin: Origin,
}

/// The entries that publish a record, in publication order, and the election they are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The election fingerprint (from `election/parameters.json`).
    pub election: Fingerprint,
    /// The entries: ballots, files, the index last.
    pub entries: Vec<Planned>,
}

/// Whether `path` is a district's ballot file.
fn is_ballots(path: &str) -> bool {
    path == BALLOTS || path.ends_with(&format!("/{BALLOTS}"))
}

/// Whether `path` is a district's remote-ballot file.
fn is_remote(path: &str) -> bool {
    path == REMOTE || path.ends_with(&format!("/{REMOTE}"))
}

/// The lines of a JSON-lines file (each ended by `\n`), or why not.
fn lines_of(bytes: &[u8]) -> Result<Vec<&[u8]>, &'static str> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let body = bytes
        .strip_suffix(b"\n")
        .ok_or("last line not terminated by \\n")?;
    Ok(body.split(|b| *b == b'\n').collect())
}

/// The entries that publish `files` (a complete record, `index.json` included).
///
/// Order: the lines of every `ballots.jsonl` (files by path, lines in order) as `ballot`
/// entries; every other file but the index and the `remote.jsonl` files, by path, as a
/// `record-file` entry (a file whose bytes equal an earlier one's is published once: the
/// index finds files by hash); then `index.json` as the `record-index` entry. The index must
/// be the index of the files. A `remote.jsonl` is not published: its lines are the log's
/// `remote-ballot` entries, from which [`rebuild`] makes it again. `election/credentials.json`
/// is planned as any other file; on a board whose log already holds the list as its
/// `credentials` entry, the post is answered `409 duplicate` ([`Posted::Duplicate`]) and
/// [`rebuild`] finds the list in that entry.
pub fn plan(files: &Files) -> Result<Plan, PublicationError> {
    let index = files
        .get(INDEX)
        .ok_or_else(|| PublicationError::record(INDEX, "missing"))?;
    let expected = index_of(files).map_err(|e| PublicationError::record(INDEX, e))?;
    if *index != expected {
        return Err(PublicationError::record(
            INDEX,
            "does not list exactly the record's files with their SHA-256",
        ));
    }
    let params_bytes = files
        .get(PARAMETERS)
        .ok_or_else(|| PublicationError::record(PARAMETERS, "missing"))?;
    let params: ParametersFile = from_canonical(PARAMETERS, params_bytes)
        .map_err(|e| PublicationError::record(PARAMETERS, e))?;
    let election = Fingerprint::from_hex(&params.fingerprint).ok_or_else(|| {
        PublicationError::record(PARAMETERS, "field `fingerprint` is not 64 hex digits")
    })?;
    let mut entries = Vec::new();
    let mut seen: BTreeSet<[u8; 32]> = BTreeSet::new();
    for (path, bytes) in files.iter().filter(|(p, _)| is_ballots(p)) {
        let lines = lines_of(bytes).map_err(|r| PublicationError::record(path, r))?;
        for (i, line) in lines.into_iter().enumerate() {
            let name = format!("{path}:{}", i + 1);
            let parsed: BallotLine =
                from_canonical(&name, line).map_err(|e| PublicationError::record(&name, e))?;
            if !seen.insert(sha256(line)) {
                return Err(PublicationError::record(
                    name,
                    "the same ballot line appears twice in the record",
                ));
            }
            entries.push(Planned {
                kind: KIND_BALLOT,
                artefact: line.to_vec(),
                origin: Origin::Ballot {
                    path: path.clone(),
                    line: i + 1,
                    code: parsed.code,
                },
            });
        }
    }
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| !is_ballots(p) && !is_remote(p) && p.as_str() != INDEX)
    {
        if seen.insert(sha256(bytes)) {
            entries.push(Planned {
                kind: KIND_RECORD_FILE,
                artefact: bytes.clone(),
                origin: Origin::File { path: path.clone() },
            });
        }
    }
    entries.push(Planned {
        kind: KIND_RECORD_INDEX,
        artefact: index.clone(),
        origin: Origin::Index,
    });
    Ok(Plan { election, entries })
}

/// Whether an artefact of this kind travels inside its envelope.
#[must_use]
pub fn fits_inline(kind: &str, artefact_len: usize) -> bool {
    ENVELOPE_OVERHEAD + kind.len() + artefact_len <= MAX_ENVELOPE_LEN
}

/// A signed entry ready to post.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The envelope.
    pub envelope: Envelope,
    /// The artefact to upload first (`PUT /artefact/<hash>`) when it is not inline.
    pub beside: Option<Vec<u8>>,
    /// Where it comes from in the record.
    pub origin: Origin,
}

/// Signs every planned entry with `key` (Ed25519 signatures are deterministic, so signing
/// the same record again gives the same envelopes: a resumed publication repeats no entry).
pub fn sign_plan(plan: &Plan, key: &SigningKey) -> Result<Vec<Signed>, PublicationError> {
    plan.entries
        .iter()
        .map(|p| {
            let inline = fits_inline(p.kind, p.artefact.len());
            let envelope = Envelope::sign(p.kind, plan.election, &p.artefact, inline, key)
                .map_err(|source| PublicationError::Envelope {
                    what: p.origin.to_string(),
                    source,
                })?;
            Ok(Signed {
                envelope,
                beside: (!inline).then(|| p.artefact.clone()),
                origin: p.origin.clone(),
            })
        })
        .collect()
}

/// One entry of a log: its index and its (parsed, signature-checked) envelope.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Position in the log, from 0.
    pub index: u64,
    /// The envelope.
    pub envelope: Envelope,
}

/// Where the artefacts stored beside a log are read from.
pub trait Artefacts {
    /// The artefact with this SHA-256, `Ok(None)` if absent.
    fn artefact(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, String>;
}

impl<T: Artefacts + ?Sized> Artefacts for &T {
    fn artefact(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, String> {
        (**self).artefact(hash)
    }
}

/// Artefacts held in memory, by hash (for logs read from elsewhere, and tests).
impl Artefacts for BTreeMap<[u8; 32], Vec<u8>> {
    fn artefact(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, String> {
        Ok(self.get(hash).cloned())
    }
}

/// The artefact of an entry: its inline body, or the stored artefact, which must have the
/// envelope's SHA-256 and length.
pub fn content(entry: &LogEntry, src: &dyn Artefacts) -> Result<Vec<u8>, PublicationError> {
    let e = &entry.envelope;
    if let Some(body) = e.body() {
        return Ok(body.to_vec());
    }
    let hash = e.content_hash();
    let bytes = src
        .artefact(&hash)
        .map_err(|reason| PublicationError::ArtefactFetch {
            index: entry.index,
            hash: hex::encode(hash),
            reason,
        })?
        .ok_or_else(|| PublicationError::MissingArtefact {
            index: entry.index,
            kind: e.kind().to_owned(),
            hash: hex::encode(hash),
        })?;
    if sha256(&bytes) != hash || bytes.len() as u64 != e.content_len() {
        return Err(PublicationError::TamperedArtefact {
            index: entry.index,
            kind: e.kind().to_owned(),
            hash: hex::encode(hash),
        });
    }
    Ok(bytes)
}

/// A record rebuilt from a log.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// The record's files, `index.json` included.
    pub files: Files,
    /// The log index of the `record-index` entry used (the latest).
    pub index_entry: u64,
    /// The election of that entry.
    pub election: Fingerprint,
}

/// Checks that a record-kind entry is signed by an administrator (when keys are given) and
/// is for `election`.
fn admitted(
    entry: &LogEntry,
    admins: &[[u8; 32]],
    election: Fingerprint,
) -> Result<(), PublicationError> {
    let e = &entry.envelope;
    if !admins.is_empty() && !admins.contains(&e.signer()) {
        return Err(PublicationError::Unauthorised {
            index: entry.index,
            kind: e.kind().to_owned(),
            signer: hex::encode(e.signer()),
        });
    }
    if e.election() != election {
        return Err(PublicationError::WrongElection {
            index: entry.index,
            kind: e.kind().to_owned(),
            found: e.election().to_string(),
            expected: election.to_string(),
        });
    }
    Ok(())
}

/// Parses a `ballot` entry's content as a ballot line.
fn ballot_line(entry: &LogEntry, bytes: &[u8]) -> Result<BallotLine, PublicationError> {
    from_canonical(&format!("log entry {}", entry.index), bytes).map_err(|e| {
        PublicationError::BadContent {
            index: entry.index,
            kind: KIND_BALLOT.to_owned(),
            reason: format!("not a canonical ballot line: {e}"),
        }
    })
}

/// Rebuilds the record of the latest `record-index` entry of `entries` (in log order).
///
/// Every file of the index other than a `ballots.jsonl` or a `remote.jsonl` is the artefact
/// of a `record-file` entry with the SHA-256 the index lists; `election/credentials.json` may
/// also be the artefact of the `credentials` entry (the list the credential authority
/// published, which a board refuses to take again as a `record-file`). Each `ballots.jsonl` is made of the `ballot`
/// entries of the devices its district's `devices.json` lists, sorted by device and
/// sequence number, and must hash to the index's value; when it does not, the error names
/// the file and what differs per device (ballots missing from the log by sequence number and,
/// where the next ballot's `prev_code` reveals it, by code; ballots beyond the device's
/// count). Each `remote.jsonl` is made of the lines ([`lines_from_entries`]) of every
/// `remote-ballot` entry of the log whose station lies in its district (the record's
/// `election/manifest.json` places the stations), in log order, the last of each credential
/// counted, and must hash to the index's value; when it does not, the error names the file
/// and the remote ballots (tracking code and log entry) in the log and not in the file, or
/// says that the file holds remote ballots the log does not. With `admins` non-empty, every
/// `record-index`, `record-file` and `ballot` entry must be signed by one of them; every
/// `remote-ballot` entry is signed by its credential, and must be for the record's election.
pub fn rebuild(
    entries: &[LogEntry],
    src: &dyn Artefacts,
    admins: &[[u8; 32]],
) -> Result<Rebuilt, PublicationError> {
    let idx_entry = entries
        .iter()
        .rev()
        .find(|e| e.envelope.kind() == KIND_RECORD_INDEX)
        .ok_or(PublicationError::NoIndex)?;
    let election = idx_entry.envelope.election();
    admitted(idx_entry, admins, election)?;
    let index_bytes = content(idx_entry, src)?;
    let index: IndexFile =
        from_canonical(INDEX, &index_bytes).map_err(|e| PublicationError::BadContent {
            index: idx_entry.index,
            kind: KIND_RECORD_INDEX.to_owned(),
            reason: e.to_string(),
        })?;
    let not_rebuilt = |path: &str, reason: String| PublicationError::FileNotRebuilt {
        path: path.to_owned(),
        index_entry: idx_entry.index,
        reason,
    };
    // record-file entries by artefact hash (the first of each).
    let mut by_hash: BTreeMap<[u8; 32], &LogEntry> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.envelope.kind() == KIND_RECORD_FILE)
    {
        by_hash.entry(e.envelope.content_hash()).or_insert(e);
    }
    let mut files = Files::new();
    let mut ballot_files: Vec<(&str, [u8; 32], u64)> = Vec::new();
    let mut remote_files: Vec<(&str, [u8; 32], u64)> = Vec::new();
    for f in &index.files {
        let want = crate::envelope::parse_hex32(&f.sha256).ok_or_else(|| {
            not_rebuilt(&f.path, "the index's sha256 is not 64 hex digits".into())
        })?;
        if is_ballots(&f.path) {
            ballot_files.push((f.path.as_str(), want, f.bytes));
            continue;
        }
        if is_remote(&f.path) {
            remote_files.push((f.path.as_str(), want, f.bytes));
            continue;
        }
        // The credential list is in the log as the `credentials` entry the credential
        // authority signed; posted again as a `record-file` it is a replay, which a board
        // refuses, so the list is also found there.
        let list = (f.path == CREDENTIALS)
            .then(|| {
                entries.iter().find(|e| {
                    e.envelope.kind() == KIND_CREDENTIALS && e.envelope.content_hash() == want
                })
            })
            .flatten();
        let entry = match (by_hash.get(&want), list) {
            (Some(entry), _) => {
                admitted(entry, admins, election)?;
                *entry
            }
            (None, Some(entry)) => {
                admitted(entry, &[], election)?;
                entry
            }
            (None, None) => {
                return Err(not_rebuilt(
                    &f.path,
                    format!(
                        "no record-file entry of the log has the SHA-256 {} the index lists",
                        f.sha256
                    ),
                ));
            }
        };
        let bytes = content(entry, src)?;
        if bytes.len() as u64 != f.bytes {
            return Err(not_rebuilt(
                &f.path,
                format!(
                    "{} bytes in log entry {}, the index lists {}",
                    bytes.len(),
                    entry.index,
                    f.bytes
                ),
            ));
        }
        files.insert(f.path.clone(), bytes);
    }
    // The devices of each district's ballot file, from its devices.json.
    let mut district_of: BTreeMap<String, String> = BTreeMap::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for (path, _, _) in &ballot_files {
        let dir = path.strip_suffix(BALLOTS).unwrap_or_default();
        let devices_path = format!("{dir}{DEVICES}");
        let bytes = files.get(&devices_path).ok_or_else(|| {
            not_rebuilt(
                path,
                format!("{devices_path}, which names the district's devices, is not in the index"),
            )
        })?;
        let devices: DevicesFile = from_canonical(&devices_path, bytes)
            .map_err(|e| not_rebuilt(&devices_path, e.to_string()))?;
        for d in devices.devices {
            district_of.insert(d.device.clone(), (*path).to_owned());
            counts.insert(d.device, d.ballots);
        }
    }
    // Ballot entries, by file.
    let mut lines: BTreeMap<String, Vec<(BallotLine, Vec<u8>)>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.envelope.kind() == KIND_BALLOT) {
        admitted(e, admins, election)?;
        let bytes = content(e, src)?;
        let line = ballot_line(e, &bytes)?;
        if let Some(path) = district_of.get(&line.ballot.device) {
            lines.entry(path.clone()).or_default().push((line, bytes));
        }
    }
    for (path, want, len) in ballot_files {
        let mut ls = lines.remove(path).unwrap_or_default();
        ls.sort_by(|a, b| {
            (&a.0.ballot.device, a.0.ballot.seq).cmp(&(&b.0.ballot.device, b.0.ballot.seq))
        });
        let mut bytes = Vec::new();
        for (_, l) in &ls {
            bytes.extend_from_slice(l);
            bytes.push(b'\n');
        }
        if sha256(&bytes) != want || bytes.len() as u64 != len {
            return Err(not_rebuilt(
                path,
                ballot_diagnosis(&ls, &counts, &district_of, path),
            ));
        }
        files.insert(path.to_owned(), bytes);
    }
    if let Some((first, _, _)) = remote_files.first() {
        let manifest = files.get(MANIFEST).ok_or_else(|| {
            not_rebuilt(
                first,
                format!(
                    "{MANIFEST}, which places the stations in their districts, is not in the index"
                ),
            )
        })?;
        let folders = sanduq_record::record::station_folders(manifest)
            .map_err(|r| not_rebuilt(MANIFEST, r.to_string()))?;
        let mut remote: Vec<(u64, Envelope)> = Vec::new();
        for e in entries
            .iter()
            .filter(|e| e.envelope.kind() == KIND_REMOTE_BALLOT)
        {
            admitted(e, &[], election)?;
            remote.push((e.index, e.envelope.clone()));
        }
        let lines = remote_lines(&remote)?;
        let mut by_file: BTreeMap<String, Vec<RemoteLine>> = BTreeMap::new();
        for l in lines.iter().cloned() {
            if let Some(dir) = folders.get(&l.ballot.station) {
                by_file
                    .entry(format!("{dir}/{REMOTE}"))
                    .or_default()
                    .push(l);
            }
        }
        for (path, want, len) in remote_files {
            let mine = by_file.remove(path).unwrap_or_default();
            let bytes = to_jsonl(&mine).map_err(|e| not_rebuilt(path, e.to_string()))?;
            if sha256(&bytes) != want || bytes.len() as u64 != len {
                let dir = path.strip_suffix(REMOTE).unwrap_or_default();
                let dir = dir.strip_suffix('/').unwrap_or(dir);
                let district: Vec<(u64, Envelope)> = remote
                    .iter()
                    .zip(&lines)
                    .filter(|(_, l)| {
                        folders.get(&l.ballot.station).map(String::as_str) == Some(dir)
                    })
                    .map(|(e, _)| e.clone())
                    .collect();
                return Err(not_rebuilt(
                    path,
                    remote_diagnosis(&district, &mine, want, len),
                ));
            }
            files.insert(path.to_owned(), bytes);
        }
    }
    if let Some(bytes) = files.get(PARAMETERS) {
        let params: ParametersFile = from_canonical(PARAMETERS, bytes)
            .map_err(|e| not_rebuilt(PARAMETERS, e.to_string()))?;
        if Fingerprint::from_hex(&params.fingerprint) != Some(election) {
            return Err(not_rebuilt(
                PARAMETERS,
                format!(
                    "fingerprint {} is not the election {election} of the record-index entry",
                    params.fingerprint
                ),
            ));
        }
    }
    files.insert(INDEX.to_owned(), index_bytes);
    Ok(Rebuilt {
        files,
        index_entry: idx_entry.index,
        election,
    })
}

/// The remote lines of `remote-ballot` entries (in log order), a bad entry named.
fn remote_lines(remote: &[(u64, Envelope)]) -> Result<Vec<RemoteLine>, PublicationError> {
    lines_from_entries(remote.iter().cloned()).map_err(|(index, e)| PublicationError::BadContent {
        index,
        kind: KIND_REMOTE_BALLOT.to_owned(),
        reason: e.to_string(),
    })
}

/// At most this many earlier states of the log are tried to explain a `remote.jsonl`.
const MAX_PREFIXES: usize = 1024;

/// Why the `remote-ballot` entries of a district (`district`, in log order; `rebuilt` their
/// lines) do not give its `remote.jsonl`: the remote ballots of the log after the latest
/// state of the log that gives the file (in the log, not in the file), or, when no state
/// does, whether the file holds more than the log.
fn remote_diagnosis(
    district: &[(u64, Envelope)],
    rebuilt: &[RemoteLine],
    want: [u8; 32],
    len: u64,
) -> String {
    let name = |l: &RemoteLine| format!("remote ballot {} (log entry {})", l.code, l.index);
    let head =
        "rebuilt from the log's remote-ballot entries, it does not hash to the index's SHA-256";
    for keep in (0..district.len()).rev().take(MAX_PREFIXES) {
        let prefix = district.get(..keep).unwrap_or_default();
        let Ok(lines) = lines_from_entries(prefix.iter().cloned()) else {
            continue;
        };
        let Ok(bytes) = to_jsonl(&lines) else {
            continue;
        };
        if sha256(&bytes) == want && bytes.len() as u64 == len {
            let after: Vec<String> = rebuilt
                .iter()
                .filter(|l| district.get(keep).is_some_and(|(i, _)| l.index >= *i))
                .map(|l| format!("{} is in the log, not in the file", name(l)))
                .collect();
            return format!("{head}: {}", after.join("; "));
        }
    }
    let logs: Vec<String> = rebuilt.iter().map(name).collect();
    let listed = if logs.is_empty() {
        "the log holds none for this district".to_owned()
    } else {
        format!("the log holds {}", logs.join(", "))
    };
    let rebuilt_len = to_jsonl(rebuilt).map_or(0, |b| b.len() as u64);
    if len > rebuilt_len {
        format!(
            "{head}: the file ({len} bytes) holds remote ballots that are not in the log \
             (the log's give {rebuilt_len} bytes); {listed}"
        )
    } else {
        format!("{head}: the file holds other remote ballots than the log; {listed}")
    }
}

/// Why the ballot entries of a district do not give its ballot file: per device, missing
/// sequence numbers (with the code where the next ballot's `prev_code` gives it), repeated or
/// surplus ones.
fn ballot_diagnosis(
    ls: &[(BallotLine, Vec<u8>)],
    counts: &BTreeMap<String, u64>,
    district_of: &BTreeMap<String, String>,
    path: &str,
) -> String {
    let mut out: Vec<String> = Vec::new();
    for (device, _) in district_of.iter().filter(|(_, p)| p.as_str() == path) {
        let n = counts.get(device).copied().unwrap_or(0);
        let mine: Vec<&BallotLine> = ls
            .iter()
            .map(|(l, _)| l)
            .filter(|l| &l.ballot.device == device)
            .collect();
        let mut by_seq: BTreeMap<u64, Vec<&BallotLine>> = BTreeMap::new();
        for l in &mine {
            by_seq.entry(l.ballot.seq).or_default().push(l);
        }
        for seq in 1..=n {
            if !by_seq.contains_key(&seq) {
                let code = by_seq
                    .get(&(seq + 1))
                    .and_then(|v| v.first())
                    .map_or_else(|| "unknown".to_owned(), |next| next.prev_code.clone());
                out.push(format!(
                    "device {device}: ballot {seq} (code {code}) is in the record, not in the log"
                ));
            }
        }
        for (seq, v) in &by_seq {
            if let (Some(this), Some(next)) =
                (v.first(), by_seq.get(&(seq + 1)).and_then(|n| n.first()))
            {
                if v.len() == 1 && this.code != next.prev_code {
                    out.push(format!(
                        "device {device}: ballot {seq} of the log has code {}, but ballot {} \
                         follows code {} (one is in the log, the other in the record)",
                        this.code,
                        seq + 1,
                        next.prev_code
                    ));
                }
            }
            let surplus = if *seq == 0 || *seq > n {
                v.len()
            } else {
                v.len() - 1
            };
            for l in v.iter().rev().take(surplus) {
                out.push(format!(
                    "device {device}: ballot {seq} (code {}) is in the log, not in the record",
                    l.code
                ));
            }
        }
    }
    if out.is_empty() {
        out.push(
            "the ballot entries of its devices differ from the ballot lines the index lists".into(),
        );
    }
    format!(
        "rebuilt from the log's ballot entries, it does not hash to the index's SHA-256: {}",
        out.join("; ")
    )
}

/// A ballot line of the record that is not a `ballot` entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingBallot {
    /// Its confirmation code.
    pub code: String,
    /// The ballot file.
    pub path: String,
    /// The line, from 1.
    pub line: usize,
}

/// A `ballot` entry of the log that is not a ballot line of the record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtraBallot {
    /// Its confirmation code (absent when the entry is not a ballot line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The log entry.
    pub entry: u64,
}

/// A line of a record's `remote.jsonl` that is not a `remote-ballot` entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingRemote {
    /// Its tracking code.
    pub code: String,
    /// The log index the line gives.
    pub entry: u64,
    /// The `remote.jsonl` file.
    pub path: String,
    /// The line, from 1.
    pub line: usize,
}

/// A `remote-ballot` entry of the log that is not a line of the record's `remote.jsonl`
/// files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtraRemote {
    /// Its tracking code (SHA-256 of the envelope).
    pub code: String,
    /// The log entry.
    pub entry: u64,
}

/// The result of [`cross_check`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CrossCheck {
    /// Ballot lines in the record.
    pub record_ballots: usize,
    /// `ballot` entries in the log.
    pub log_ballots: usize,
    /// Ballot lines of the record not in the log, in record order.
    pub missing: Vec<MissingBallot>,
    /// `ballot` entries of the log not in the record, in log order.
    pub extra: Vec<ExtraBallot>,
    /// Lines of the record's `remote.jsonl` files.
    pub record_remote: usize,
    /// `remote-ballot` entries in the log.
    pub remote_ballots: usize,
    /// Remote lines of the record whose log index and tracking code are not a
    /// `remote-ballot` entry of the log, in record order.
    pub remote_missing: Vec<MissingRemote>,
    /// `remote-ballot` entries of the log that are not a remote line of the record, in log
    /// order.
    pub remote_extra: Vec<ExtraRemote>,
}

impl CrossCheck {
    /// Whether record and log hold exactly the same ballots, remote ones included.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.remote_missing.is_empty()
            && self.remote_extra.is_empty()
    }

    /// One line per difference, for people.
    #[must_use]
    pub fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for m in &self.missing {
            out.push(format!(
                "ballot {} ({}:{}) is in the record, not in the log",
                m.code, m.path, m.line
            ));
        }
        for x in &self.extra {
            out.push(format!(
                "ballot {} (log entry {}) is in the log, not in the record",
                x.code.as_deref().unwrap_or("(not a ballot line)"),
                x.entry
            ));
        }
        for m in &self.remote_missing {
            out.push(format!(
                "remote ballot {} (log entry {}, {}:{}) is in the record, not in the log",
                m.code, m.entry, m.path, m.line
            ));
        }
        for r in &self.remote_extra {
            out.push(format!(
                "remote ballot {} (log entry {}) is in the log, not in the record",
                r.code, r.entry
            ));
        }
        out
    }
}

/// Compares the ballots of a record with those of a log.
///
/// * Every line of every `ballots.jsonl` of `record` (cast or challenged) must be the
///   artefact of a `ballot` entry, byte for byte; those that are not are `missing`, named by
///   code, file and line.
/// * Every `ballot` entry must be a ballot line of the record; those that are not are
///   `extra`, named by code and log entry.
/// * Every line of every `remote.jsonl` of `record` must be a `remote-ballot` entry of the
///   log: the entry at the line's `index` has the line's tracking code. Those that are not
///   are `remote_missing`, named by code, log index, file and line.
/// * Every `remote-ballot` entry must be a remote line of the record (same index and
///   tracking code); those that are not are `remote_extra`, named by code and log entry.
///   A `remote-ballot` entry whose `credential` is not its signer is refused, naming it.
pub fn cross_check(
    record: &Files,
    entries: &[LogEntry],
    src: &dyn Artefacts,
) -> Result<CrossCheck, PublicationError> {
    let mut out = CrossCheck::default();
    let mut log_lines: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut log_remote: BTreeSet<(u64, String)> = BTreeSet::new();
    let mut record_lines: BTreeSet<&[u8]> = BTreeSet::new();
    for (path, bytes) in record.iter().filter(|(p, _)| is_ballots(p)) {
        let lines = lines_of(bytes).map_err(|r| PublicationError::record(path, r))?;
        record_lines.extend(lines);
    }
    let mut record_remote: BTreeSet<(u64, String)> = BTreeSet::new();
    let mut remote_rows: Vec<MissingRemote> = Vec::new();
    for (path, bytes) in record.iter().filter(|(p, _)| is_remote(p)) {
        let lines = lines_of(bytes).map_err(|r| PublicationError::record(path, r))?;
        for (i, line) in lines.into_iter().enumerate() {
            out.record_remote += 1;
            let name = format!("{path}:{}", i + 1);
            let l: RemoteLine =
                from_canonical(&name, line).map_err(|e| PublicationError::record(&name, e))?;
            record_remote.insert((l.index, l.code.clone()));
            remote_rows.push(MissingRemote {
                code: l.code,
                entry: l.index,
                path: path.clone(),
                line: i + 1,
            });
        }
    }
    for e in entries {
        match e.envelope.kind() {
            KIND_BALLOT => {
                out.log_ballots += 1;
                let bytes = content(e, src)?;
                if !record_lines.contains(bytes.as_slice()) {
                    out.extra.push(ExtraBallot {
                        code: ballot_line(e, &bytes).ok().map(|l| l.code),
                        entry: e.index,
                    });
                }
                log_lines.insert(bytes);
            }
            KIND_REMOTE_BALLOT => {
                out.remote_ballots += 1;
                remote_credential(e, &content(e, src)?)?;
                let code = e.envelope.tracking_code().to_string();
                if !record_remote.contains(&(e.index, code.clone())) {
                    out.remote_extra.push(ExtraRemote {
                        code: code.clone(),
                        entry: e.index,
                    });
                }
                log_remote.insert((e.index, code));
            }
            _ => {}
        }
    }
    out.remote_missing = remote_rows
        .into_iter()
        .filter(|r| !log_remote.contains(&(r.entry, r.code.clone())))
        .collect();
    for (path, bytes) in record.iter().filter(|(p, _)| is_ballots(p)) {
        let lines = lines_of(bytes).map_err(|r| PublicationError::record(path, r))?;
        for (i, line) in lines.into_iter().enumerate() {
            out.record_ballots += 1;
            if !log_lines.contains(line) {
                let name = format!("{path}:{}", i + 1);
                let code = from_canonical::<BallotLine>(&name, line)
                    .map_err(|e| PublicationError::record(&name, e))?
                    .code;
                out.missing.push(MissingBallot {
                    code,
                    path: path.clone(),
                    line: i + 1,
                });
            }
        }
    }
    Ok(out)
}

/// The credential of a `remote-ballot` entry, which must be its signer.
fn remote_credential(entry: &LogEntry, bytes: &[u8]) -> Result<String, PublicationError> {
    let bad = |reason: String| PublicationError::BadContent {
        index: entry.index,
        kind: KIND_REMOTE_BALLOT.to_owned(),
        reason,
    };
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let credential = v
        .get("credential")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| bad("no string field `credential`".into()))?;
    if crate::envelope::parse_hex32(credential) != Some(entry.envelope.signer()) {
        return Err(bad(format!(
            "field `credential` {credential:?} is not the envelope's signer {}",
            hex::encode(entry.envelope.signer())
        )));
    }
    Ok(credential.to_owned())
}

// ---------------------------------------------------------------------------------------
// HTTP helpers (the only I/O of this module).

/// What posting one entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// Appended now (201), at this index.
    New(u64),
    /// The identical envelope was already in the log (200), at this index.
    Already(u64),
    /// The board holds the artefact under another envelope (409 `duplicate`).
    Duplicate,
}

/// Why posting failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostError {
    /// The request failed.
    #[error("{what}: {reason}")]
    Http {
        /// The entry.
        what: String,
        /// Why.
        reason: String,
    },
    /// The board refused the entry.
    #[error("{what}: the board answered {status}: {body}")]
    Refused {
        /// The entry.
        what: String,
        /// HTTP status.
        status: u16,
        /// The answer's body.
        body: String,
    },
}

/// Posts one signed entry: uploads its artefact first when it is not inline, then
/// `POST /entry`. An entry already in the log counts as done; a `503 busy` is retried.
pub fn post(client: &Client, s: &Signed) -> Result<Posted, PostError> {
    let what = s.origin.to_string();
    let http = |reason: String| PostError::Http {
        what: what.clone(),
        reason,
    };
    if let Some(bytes) = &s.beside {
        let hash = hex::encode(s.envelope.content_hash());
        let a = client.put_artefact(&hash, bytes).map_err(http)?;
        if a.status != 201 && a.status != 200 {
            return Err(PostError::Refused {
                what,
                status: a.status,
                body: a.text().trim_end().to_owned(),
            });
        }
    }
    let mut tries = 0u32;
    loop {
        let a = client.submit(s.envelope.as_bytes()).map_err(http)?;
        let index = || {
            serde_json::from_slice::<serde_json::Value>(&a.body)
                .ok()
                .and_then(|v| v.get("index").and_then(serde_json::Value::as_u64))
        };
        match (a.status, index()) {
            (201, Some(i)) => return Ok(Posted::New(i)),
            (200, Some(i)) => return Ok(Posted::Already(i)),
            (409, _) => return Ok(Posted::Duplicate),
            (503, _) if tries < 20 && a.text().contains("busy") => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50 << tries.min(5)));
            }
            _ => {
                return Err(PostError::Refused {
                    what,
                    status: a.status,
                    body: a.text().trim_end().to_owned(),
                });
            }
        }
    }
}

/// Artefacts read from a board (`GET /artefact/<hash>`).
#[derive(Debug, Clone)]
pub struct HttpArtefacts(pub Client);

impl Artefacts for HttpArtefacts {
    fn artefact(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, String> {
        let a = self.0.get(&format!("artefact/{}", hex::encode(hash)))?;
        match a.status {
            200 => Ok(Some(a.body)),
            404 => Ok(None),
            s => Err(format!("status {s}")),
        }
    }
}

/// A board's tiles read with [`Client`] (whose size limit fits full entry bundles).
#[derive(Debug, Clone)]
pub struct HttpTiles(pub Client);

impl Source for HttpTiles {
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let a = self.0.get(path)?;
        match a.status {
            200 => Ok(Some(a.body)),
            404 => Ok(None),
            s => Err(format!("{path}: status {s}")),
        }
    }
}

/// Records what a source served, so that the entries used are exactly the bytes checked.
struct Recording<'a> {
    inner: &'a dyn Source,
    seen: std::sync::Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Source for Recording<'_> {
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let got = self.inner.get(path)?;
        if let Some(b) = &got {
            self.seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(path.to_owned(), b.clone());
        }
        Ok(got)
    }
}

/// A log read and checked.
#[derive(Debug, Clone)]
pub struct CheckedLog {
    /// The checkpoint the entries were checked against.
    pub checkpoint: SignedCheckpoint,
    /// The entries, in log order.
    pub entries: Vec<LogEntry>,
}

/// Reads every entry of a log and checks it exactly as [`mirror::mirror`] does: the
/// checkpoint's origin and signature under `log_key` (and the witness quorum when `policy`
/// is given, at time `now`), the entry bundles hashing to the checkpoint's root, every hash
/// tile equal to the tile of that tree. Every entry must be an envelope.
pub fn read_log(
    src: &dyn Source,
    log_key: &Verifier,
    policy: Option<&QuorumPolicy>,
    now: u64,
) -> Result<CheckedLog, PublicationError> {
    let rec = Recording {
        inner: src,
        seen: std::sync::Mutex::new(BTreeMap::new()),
    };
    let report = mirror::mirror(&rec, None, log_key, policy, now)?;
    let seen = rec
        .seen
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let missing = |path: &str| {
        PublicationError::Log(MirrorError::Missing {
            path: path.to_owned(),
        })
    };
    let cp = seen
        .get("checkpoint")
        .ok_or_else(|| missing("checkpoint"))?;
    let checkpoint = SignedCheckpoint::parse(cp)
        .map_err(|e| PublicationError::Log(MirrorError::Checkpoint(e.to_string())))?;
    let mut entries = Vec::new();
    for b in tiles::entry_bundles_for_size(report.size) {
        let path = b.to_string();
        let bytes = seen.get(&path).ok_or_else(|| missing(&path))?;
        let raw = tiles::parse_entry_bundle(bytes, Some(b.width())).map_err(|e| {
            PublicationError::Log(MirrorError::Tile {
                path: path.clone(),
                reason: e.to_string(),
            })
        })?;
        for r in raw {
            let index = entries.len() as u64;
            let envelope = Envelope::parse(r)
                .map_err(|source| PublicationError::BadEntry { index, source })?;
            entries.push(LogEntry { index, envelope });
        }
    }
    Ok(CheckedLog {
        checkpoint,
        entries,
    })
}

/// Reads an administrator's entry signing key from its key file: the private key line
/// `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>` that `sanduq board keygen --log
/// <name>` writes (form, type and key ID are checked). The envelope signer is its Ed25519
/// public key.
pub fn signing_key_from_file(text: &str) -> Result<SigningKey, String> {
    use base64::Engine as _;
    let line = text.trim_end();
    sanduq_tlog::signed_note::Ed25519Signer::from_skey(line).map_err(|e| e.to_string())?;
    let blob = zeroize::Zeroizing::new(
        // `PRIVATE+KEY+<name>+<id>+<base64>`: the name has no `+`, the base64 may.
        line.splitn(5, '+')
            .nth(4)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .ok_or("the key is not base64")?,
    );
    let seed = zeroize::Zeroizing::new(
        blob.get(1..)
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .ok_or("the seed is not 32 bytes")?,
    );
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn inline_limit_is_the_specs() {
        // board-server.md §2: an inline artefact is at most 65,535 − 171 − k bytes.
        let kind = KIND_RECORD_FILE;
        let max = 65_535 - 171 - kind.len();
        assert!(fits_inline(kind, max));
        assert!(!fits_inline(kind, max + 1));
        let key = SigningKey::from_bytes(&[5; 32]);
        let fp = Fingerprint([1; 32]);
        assert!(Envelope::sign(kind, fp, &vec![0; max], true, &key).is_ok());
        assert!(Envelope::sign(kind, fp, &vec![0; max + 1], true, &key).is_err());
    }

    #[test]
    fn json_lines_need_their_final_newline() {
        assert_eq!(lines_of(b"").unwrap(), Vec::<&[u8]>::new());
        assert_eq!(lines_of(b"a\nb\n").unwrap(), vec![&b"a"[..], &b"b"[..]]);
        assert!(lines_of(b"a\nb").is_err());
        assert!(is_ballots("districts/AF-KAB/d1/ballots.jsonl"));
        assert!(!is_ballots("districts/AF-KAB/d1/xballots.jsonl"));
    }

    #[test]
    fn a_remote_file_that_differs_from_the_log_is_explained() {
        use sanduq_record::credentials::{Registration, VoterCredential};
        use sanduq_record::wire::ContestWire;
        let voter = |seed: u8| {
            VoterCredential::from_seed(
                [1; 32],
                Registration {
                    station: "s1".into(),
                    group: None,
                },
                &[seed; 32],
            )
        };
        let ballot = |v: &VoterCredential, n: u8| {
            v.remote_ballot(vec![ContestWire {
                contest: format!("c{n}"),
                selections: Vec::new(),
                limit_proof: Vec::new(),
            }])
            .unwrap()
        };
        let (v1, v2) = (voter(1), voter(2));
        let log: Vec<(u64, Envelope)> = vec![
            (4, ballot(&v1, 0)),
            (7, ballot(&v2, 1)),
            (9, ballot(&v1, 2)),
        ];
        let lines = lines_from_entries(log.iter().cloned()).unwrap();
        let file = |ls: &[RemoteLine]| {
            let b = to_jsonl(ls).unwrap();
            (sha256(&b), b.len() as u64)
        };
        // The file was made before entry 9: v1's first ballot counted then.
        let before = lines_from_entries(log.iter().take(2).cloned()).unwrap();
        assert!(before[0].is_counted());
        let (h, n) = file(&before);
        let why = remote_diagnosis(&log, &lines, h, n);
        let late = log[2].1.tracking_code().to_string();
        assert!(
            why.ends_with(&format!(
                ": remote ballot {late} (log entry 9) is in the log, not in the file"
            )),
            "{why}"
        );
        // The file holds a ballot the log does not.
        let mut more = lines.clone();
        let stranger = RemoteLine::from_entry(12, &ballot(&voter(3), 3), true).unwrap();
        more.push(stranger);
        let (h, n) = file(&more);
        let why = remote_diagnosis(&log, &lines, h, n);
        assert!(
            why.contains("holds remote ballots that are not in the log"),
            "{why}"
        );
        assert!(why.contains(&late), "{why}");
    }

    #[test]
    fn key_files_with_plus_in_their_base64_are_read() {
        // Seeds whose key line's base64 holds a `+` (found by trying seeds in order).
        let mut with_plus = 0;
        for i in 0..=255u8 {
            let seed = [i; 32];
            let line = crate::keys::skey_from_seed("admin.example/a", 0x01, &seed).unwrap();
            let b64 = line.trim_end().splitn(5, '+').nth(4).unwrap().to_owned();
            with_plus += usize::from(b64.contains('+'));
            let key = signing_key_from_file(&line).unwrap();
            assert_eq!(key.to_bytes(), seed, "seed {i}");
        }
        assert!(with_plus > 0, "no key line with a + in its base64");
    }
}

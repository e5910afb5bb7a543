//! Remote ballots in the record (`docs/spec/record.md` §3.10).
//!
//! A voter with a credential casts remotely by posting a signed `remote-ballot` envelope on
//! the board; the last one of each credential in log order counts, in the tally of the
//! polling station where the credential's voter is registered. The record keeps:
//!
//! - `election/credentials.json`: the credential list, byte for byte as published;
//! - `districts/<province>/<district>/remote.jsonl`: every remote ballot of a voter registered
//!   in the district, in log order, each as a [`RemoteLine`]: the ballot, the credential's
//!   signature, the log index, the tracking code and whether it counts.
//!
//! An envelope is fixed by its fields, so the line gives back the exact log entry
//! ([`RemoteLine::envelope`]): anyone can check the signature, and the tracking code the
//! voter holds, from the record alone. Both files are present exactly when the election has a
//! credential list (then every district folder has its `remote.jsonl`, empty or not).
//!
//! The checks here are shared by the tally step ([`check_remote`]) and the verifier
//! ([`decode_line`], [`StatusCheck`]), so a record the tally accepts the verifier accepts.

use std::collections::BTreeMap;

use sanduq_crypto::BallotContext;
use sanduq_crypto::batch::failing_items;
use sanduq_crypto::contest::{ContestItem, EncryptedContest};
use serde::{Deserialize, Serialize};

use crate::RecordError;
use crate::credentials::{
    CredentialList, FieldError, REMOTE_BALLOT_FORMAT, REMOTE_BALLOT_KIND, RemoteBallot,
    VoterCredential, counted_remote_ballots, hex32,
};
use crate::envelope::{Envelope, Fingerprint};
use crate::protocol::{Election, contest_to_wire, encrypt_marked};
use crate::record::{Location, location_of};
use crate::steps::{StepError, decode_contests};
use crate::wire::{from_canonical, to_canonical};

/// The credential list's path in the record.
pub const CREDENTIALS: &str = "election/credentials.json";
/// Name of a district's remote-ballot file.
pub const REMOTE: &str = "remote.jsonl";
/// `status` of the remote ballot that counts: the last of its credential.
pub const COUNTED: &str = "counted";
/// `status` of a remote ballot replaced by a later one of the same credential.
pub const SUPERSEDED: &str = "superseded";

/// One line of a `remote.jsonl` (record spec §3.10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteLine {
    /// The remote ballot, the envelope's artefact.
    pub ballot: RemoteBallot,
    /// The tracking code: SHA-256 of the envelope, hex.
    pub code: String,
    /// The envelope's index in the board's log.
    pub index: u64,
    /// The credential's Ed25519 signature of the envelope, hex (128 digits).
    pub signature: String,
    /// [`COUNTED`] or [`SUPERSEDED`].
    pub status: String,
}

impl RemoteLine {
    /// The line of a `remote-ballot` envelope at `index` of the log.
    pub fn from_entry(index: u64, envelope: &Envelope, counted: bool) -> Result<Self, FieldError> {
        if envelope.kind() != REMOTE_BALLOT_KIND {
            return Err(FieldError::new(
                "kind",
                format!("{:?} is not {REMOTE_BALLOT_KIND:?}", envelope.kind()),
            ));
        }
        let body = envelope
            .body()
            .ok_or_else(|| FieldError::new("inline", "a remote ballot is carried inline"))?;
        let (ballot, credential) = RemoteBallot::parse(body)?;
        if credential != envelope.signer() {
            return Err(FieldError::new("credential", "not the envelope's signer"));
        }
        Ok(Self {
            ballot,
            code: envelope.tracking_code().to_string(),
            index,
            signature: hex::encode(envelope.signature()),
            status: if counted { COUNTED } else { SUPERSEDED }.to_owned(),
        })
    }

    /// Whether the line says the ballot counts.
    #[must_use]
    pub fn is_counted(&self) -> bool {
        self.status == COUNTED
    }

    /// The envelope the line stands for, rebuilt from its fields and checked: the format, the
    /// credential's encoding, the signature (by the credential, over the envelope of this
    /// election) and the tracking code. Returns the envelope and the credential.
    pub fn envelope(&self, election: &[u8; 32]) -> Result<(Envelope, [u8; 32]), FieldError> {
        if self.ballot.format != REMOTE_BALLOT_FORMAT {
            return Err(FieldError::new(
                "ballot.format",
                format!("{:?} is not {REMOTE_BALLOT_FORMAT:?}", self.ballot.format),
            ));
        }
        let key = hex32("ballot.credential", &self.ballot.credential)?;
        let signature = hex64("signature", &self.signature)?;
        let envelope = Envelope::assemble(
            REMOTE_BALLOT_KIND,
            Fingerprint(*election),
            &self.ballot.to_bytes(),
            true,
            &key,
            &signature,
        )
        .map_err(|e| {
            FieldError::new(
                "signature",
                format!("the envelope rebuilt from the line does not check: {e}"),
            )
        })?;
        if envelope.tracking_code().to_string() != self.code {
            return Err(FieldError::new(
                "code",
                "not the tracking code (SHA-256) of the envelope",
            ));
        }
        if self.status != COUNTED && self.status != SUPERSEDED {
            return Err(FieldError::new(
                "status",
                format!(
                    "{:?} is neither {COUNTED:?} nor {SUPERSEDED:?}",
                    self.status
                ),
            ));
        }
        Ok((envelope, key))
    }
}

/// 128 lower-case hex digits as 64 bytes.
fn hex64(field: &str, text: &str) -> Result<[u8; 64], FieldError> {
    let bad = || FieldError::new(field, "not 128 lower-case hex digits");
    if text.len() != 128 || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    let v = hex::decode(text).map_err(|_| bad())?;
    <[u8; 64]>::try_from(v.as_slice()).map_err(|_| bad())
}

/// The lines of every `remote-ballot` entry of a log, in log order, with the status
/// [`counted_remote_ballots`] gives (the last of each credential counts). Entries of other
/// kinds are skipped. An entry that is not a well-formed remote ballot signed by its
/// credential is refused with its index.
pub fn lines_from_entries<I>(entries: I) -> Result<Vec<RemoteLine>, (u64, FieldError)>
where
    I: IntoIterator<Item = (u64, Envelope)>,
{
    let mut remote: Vec<(u64, Envelope)> = entries
        .into_iter()
        .filter(|(_, e)| e.kind() == REMOTE_BALLOT_KIND)
        .collect();
    remote.sort_by_key(|(i, _)| *i);
    let counted: std::collections::BTreeSet<u64> = counted_remote_ballots(remote.iter().cloned())
        .into_iter()
        .map(|c| c.index)
        .collect();
    remote
        .iter()
        .map(|(i, e)| RemoteLine::from_entry(*i, e, counted.contains(i)).map_err(|x| (*i, x)))
        .collect()
}

/// A remote line checked without its proofs: what the later checks need.
#[derive(Clone, Debug)]
pub struct DecodedRemote {
    /// The credential.
    pub credential: [u8; 32],
    /// The tracking code.
    pub code: [u8; 32],
    /// The decoded contests, in the style's order.
    pub contests: Vec<EncryptedContest>,
    /// The context the proofs are made in (bound to the credential).
    pub context: BallotContext,
}

/// Checks one line but its proofs and its status: the rebuilt envelope and its signature, the
/// tracking code, the credential in the list, the ballot's station and group those of the
/// credential's registration (and, given `district`, a station of that district), the ballot
/// style and candidates, and every element's encoding. The reason names the field.
pub fn decode_line(
    election: &Election,
    ctx: &BallotContext,
    list: &CredentialList,
    district: Option<&Location>,
    line: &RemoteLine,
) -> Result<DecodedRemote, String> {
    let (envelope, credential) = line
        .envelope(election.fingerprint().as_bytes())
        .map_err(|e| e.to_string())?;
    let registration = list
        .get(&credential)
        .ok_or("ballot.credential: not in the credential list")?;
    let b = &line.ballot;
    if b.station != registration.station {
        return Err(format!(
            "ballot.station: {} is not the station {} where the credential's voter is registered",
            b.station, registration.station
        ));
    }
    if b.group != registration.group {
        return Err("ballot.group: not the credential's voter group".to_owned());
    }
    if let Some(loc) = district
        && location_of(election.hierarchy(), &b.station).as_ref() != Some(loc)
    {
        return Err(format!(
            "ballot.station: {} is not a polling station of this district",
            b.station
        ));
    }
    let contests = decode_contests(election, &b.station, b.group.as_deref(), &b.contests)
        .map_err(|r| format!("ballot.contests: {r}"))?;
    Ok(DecodedRemote {
        credential,
        code: envelope.tracking_code().0,
        contests,
        context: ctx.for_credential(&credential),
    })
}

/// The order and statuses of a sequence of remote lines, checked as they are read: indices
/// strictly increasing; for each credential only its last line [`COUNTED`], every earlier one
/// [`SUPERSEDED`]. Memory: one entry per credential seen.
#[derive(Debug, Default)]
pub struct StatusCheck {
    last_index: Option<u64>,
    /// Credential → whether its latest line so far says counted, and that line's number.
    latest: BTreeMap<[u8; 32], (bool, usize)>,
}

impl StatusCheck {
    /// The next line, number `at` (from 1), of `credential`.
    pub fn next(
        &mut self,
        credential: [u8; 32],
        line: &RemoteLine,
        at: usize,
    ) -> Result<(), String> {
        if let Some(last) = self.last_index.filter(|i| *i >= line.index) {
            return Err(format!(
                "index: {} does not follow {last} (lines in increasing log order)",
                line.index
            ));
        }
        self.last_index = Some(line.index);
        if let Some((true, _)) = self.latest.insert(credential, (line.is_counted(), at)) {
            return Err(
                "status: a later ballot of the same credential follows a counted one (only the last counts)"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// After the last line: a credential whose last line is not marked counted, with that
    /// line's number.
    #[must_use]
    pub fn uncounted_last(&self) -> Option<([u8; 32], usize)> {
        self.latest
            .iter()
            .find(|(_, (counted, _))| !*counted)
            .map(|(k, (_, at))| (*k, *at))
    }
}

/// Remote ballots ready for the tally and the record.
#[derive(Clone, Debug)]
pub struct CheckedRemote {
    /// The credential list's bytes, as published.
    pub list_bytes: Vec<u8>,
    /// The lines, in log order.
    pub lines: Vec<RemoteLine>,
    /// The decoded contests of each line, in the order of `lines`.
    pub contests: Vec<Vec<EncryptedContest>>,
}

impl CheckedRemote {
    /// The counted lines with their contests.
    pub fn counted(&self) -> impl Iterator<Item = (&RemoteLine, &[EncryptedContest])> {
        self.lines
            .iter()
            .zip(&self.contests)
            .filter(|(l, _)| l.is_counted())
            .map(|(l, c)| (l, c.as_slice()))
    }

    /// The lines of each district with polling stations, in log order (empty for a district
    /// without remote ballots).
    #[must_use]
    pub fn by_district(&self, election: &Election) -> BTreeMap<Location, Vec<RemoteLine>> {
        let h = election.hierarchy();
        let mut out: BTreeMap<Location, Vec<RemoteLine>> =
            crate::record::districts_with_stations(h)
                .into_iter()
                .map(|l| (l, Vec::new()))
                .collect();
        for l in &self.lines {
            if let Some(loc) = location_of(h, &l.ballot.station) {
                out.entry(loc).or_default().push(l.clone());
            }
        }
        out
    }
}

/// Reads and checks the remote ballots for the tally: the credential list (`list_file`,
/// canonical, of this election) and every line of `lines_file` (JSON lines, log order): each
/// line as [`decode_line`], the order and statuses as [`StatusCheck`], and every proof in
/// the context of its credential (batched). A failure names the file, the line and the
/// field.
pub fn check_remote(
    election: &Election,
    ctx: &BallotContext,
    list_file: &str,
    list_bytes: &[u8],
    lines_file: &str,
    lines_bytes: &[u8],
) -> Result<CheckedRemote, StepError> {
    let list = CredentialList::parse(list_bytes)
        .map_err(|e| StepError::input(list_file, e.to_string()))?;
    if list.election() != *election.fingerprint().as_bytes() {
        return Err(StepError::input(
            list_file,
            "election: not this election's fingerprint",
        ));
    }
    let text =
        std::str::from_utf8(lines_bytes).map_err(|_| StepError::input(lines_file, "not UTF-8"))?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(StepError::input(
            lines_file,
            "last line not terminated by \\n",
        ));
    }
    let mut lines = Vec::new();
    let mut contests = Vec::new();
    let mut contexts = Vec::new();
    let mut status = StatusCheck::default();
    for (n, raw) in (1usize..).zip(text.lines()) {
        let at = format!("{lines_file}:{n}");
        let line: RemoteLine =
            from_canonical(&at, raw.as_bytes()).map_err(|e| StepError::input(&at, e))?;
        let at = format!("{at} (remote ballot {})", line.code);
        let d =
            decode_line(election, ctx, &list, None, &line).map_err(|r| StepError::check(&at, r))?;
        status
            .next(d.credential, &line, n)
            .map_err(|r| StepError::check(&at, r))?;
        lines.push(line);
        contests.push(d.contests);
        contexts.push(d.context);
    }
    if let Some((k, n)) = status.uncounted_last() {
        return Err(StepError::check(
            format!("{lines_file}:{n}"),
            format!(
                "status: the last ballot of credential {} is not marked counted",
                hex::encode(k)
            ),
        ));
    }
    let mut items = Vec::new();
    let mut owners = Vec::new();
    for (i, (cs, ctx)) in contests.iter().zip(&contexts).enumerate() {
        for contest in cs {
            if let Some(desc) = election.descriptions().get(&contest.contest_id) {
                items.push(ContestItem { ctx, desc, contest });
                owners.push(i);
            }
        }
    }
    if let Some(e) = failing_items(&items, &mut rand::rng()).first() {
        let at = owners
            .get(e.index)
            .and_then(|i| Some((*i, lines.get(*i)?)))
            .map_or_else(
                || lines_file.to_owned(),
                |(i, l)| format!("{lines_file}:{} (remote ballot {})", i + 1, l.code),
            );
        let contest = items
            .get(e.index)
            .map_or("?", |i| i.contest.contest_id.as_str());
        return Err(StepError::check(
            at,
            format!("contest {contest}: {}", e.error),
        ));
    }
    Ok(CheckedRemote {
        list_bytes: list_bytes.to_vec(),
        lines,
        contests,
    })
}

/// The JSON lines of remote lines (each canonical, ended by `\n`).
pub fn to_jsonl(lines: &[RemoteLine]) -> Result<Vec<u8>, RecordError> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(&to_canonical(l)?);
        out.push(b'\n');
    }
    Ok(out)
}

/// A voter's remote ballot: `choices` (per contest of the credential's ballot style, the
/// marked candidates) encrypted in the credential's context, every proof bound to it, and
/// signed by the credential as a `remote-ballot` envelope for the board. Returns the envelope
/// and the encrypted contests.
pub fn cast_remote<R: rand_core::CryptoRng + ?Sized>(
    election: &Election,
    ctx: &BallotContext,
    credential: &VoterCredential,
    choices: &BTreeMap<String, Vec<String>>,
    rng: &mut R,
) -> Result<(Envelope, Vec<EncryptedContest>), RecordError> {
    let r = credential.registration();
    let key = hex::encode(credential.public_key());
    let bad = |reason: String| RecordError::RemoteBallot {
        credential: key.clone(),
        reason,
    };
    let who = format!("remote ballot of credential {key}");
    let style = election.style(&r.station, r.group.as_deref())?;
    let marked = encrypt_marked(
        election,
        &credential.ballot_context(ctx),
        &style,
        choices,
        (&who, &bad),
        rng,
    )?;
    let wires = marked.iter().map(|m| contest_to_wire(&m.contest)).collect();
    let contests = marked.into_iter().map(|m| m.contest).collect();
    let envelope = credential
        .remote_ballot(wires)
        .map_err(|e| bad(format!("the envelope cannot be made: {e}")))?;
    Ok((envelope, contests))
}

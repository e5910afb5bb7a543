//! Voter credentials for remote voting: the public credential list, the voter's secret
//! credential, the remote ballot, issuance from a voters file, and which remote ballots
//! count (`docs/spec/board-server.md` §9).
//!
//! A credential is an Ed25519 key pair issued by the credential authority to one eligible
//! voter. The public keys are published once on the board as the credential list (kind
//! [`CREDENTIALS_KIND`]), each with the voter's registered polling station and group, which
//! fix the voter's ballot style. A voter casts remotely by signing a remote ballot (kind
//! [`REMOTE_BALLOT_KIND`]) with the credential itself; every proof of that ballot is bound to
//! the credential (`BallotContext::for_credential`, crypto spec §9.4). A voter may cast again:
//! only the last remote ballot of each credential in log order counts
//! ([`counted_remote_ballots`]).

use std::collections::BTreeMap;

use crate::protocol::Election;
use crate::wire::{ContestWire, to_canonical};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use sanduq_crypto::BallotContext;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::envelope::{Envelope, EnvelopeError, Fingerprint};

/// The envelope kind of the credential list.
pub const CREDENTIALS_KIND: &str = "credentials";
/// The envelope kind of a remote ballot.
pub const REMOTE_BALLOT_KIND: &str = "remote-ballot";
/// The `format` of the credential list.
pub const CREDENTIALS_FORMAT: &str = "sanduq-credentials/0.1";
/// The `format` of a voter's secret credential.
pub const VOTER_CREDENTIAL_FORMAT: &str = "sanduq-voter-credential/0.1";
/// The `format` of a remote ballot.
pub const REMOTE_BALLOT_FORMAT: &str = "sanduq-remote-ballot/0.1";
/// The envelope kind that closes remote voting.
pub const POLLS_CLOSED_KIND: &str = "polls-closed";
/// The `format` of the entry that closes remote voting.
pub const POLLS_CLOSED_FORMAT: &str = "sanduq-polls-closed/0.1";

/// A content that does not have the contract's form: the field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The JSON path of the offending field (`credentials[3].key`), or `content`.
    pub field: String,
    /// Why it is refused.
    pub reason: String,
}

impl FieldError {
    /// An error of `field`, refused for `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Parses canonical JSON of `T`, refusing any other encoding of the same value.
pub fn parse_canonical<T: Serialize + for<'de> Deserialize<'de>>(
    bytes: &[u8],
) -> Result<T, FieldError> {
    let value: T = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json's message names the field and the position; nothing internal.
        FieldError::new("content", format!("not the expected JSON: {e}"))
    })?;
    let again = to_canonical(&value)
        .map_err(|_| FieldError::new("content", "cannot be encoded canonically"))?;
    if again != bytes {
        return Err(FieldError::new(
            "content",
            "not canonical JSON (sorted keys, no whitespace, no null)",
        ));
    }
    Ok(value)
}

/// 64 lower-case hex digits as 32 bytes.
pub fn hex32(field: &str, text: &str) -> Result<[u8; 32], FieldError> {
    let bad = || FieldError::new(field, "not 64 lower-case hex digits");
    if text.len() != 64 || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    let v = hex::decode(text).map_err(|_| bad())?;
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| bad())
}

/// Where a voter is registered: the polling station and the voter group (none for voters
/// in no group). Together they fix the ballot style (`Election::style`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Registration {
    /// The polling station.
    pub station: String,
    /// The voter group, if any.
    pub group: Option<String>,
}

/// One entry of the credential list, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialEntry {
    /// The voter group (absent: no group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The credential's Ed25519 public key, 64 hex digits.
    pub key: String,
    /// The registered polling station.
    pub station: String,
}

/// The credential list as published (kind [`CREDENTIALS_KIND`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialListWire {
    /// The entries, sorted by `key`, keys unique.
    pub credentials: Vec<CredentialEntry>,
    /// The election fingerprint, 64 hex digits.
    pub election: String,
    /// [`CREDENTIALS_FORMAT`].
    pub format: String,
}

/// A checked credential list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialList {
    election: [u8; 32],
    voters: BTreeMap<[u8; 32], Registration>,
}

impl CredentialList {
    /// A list of the given credentials.
    #[must_use]
    pub fn new(election: [u8; 32], voters: BTreeMap<[u8; 32], Registration>) -> Self {
        Self { election, voters }
    }

    /// Parses a published list: canonical JSON, the format, 64-hex election and keys, keys
    /// valid Ed25519 public keys, strictly ascending (so unique), stations not empty. The
    /// election is not compared here (see [`CredentialList::election`]).
    pub fn parse(bytes: &[u8]) -> Result<Self, FieldError> {
        let w: CredentialListWire = parse_canonical(bytes)?;
        if w.format != CREDENTIALS_FORMAT {
            return Err(FieldError::new(
                "format",
                format!("{:?} is not {CREDENTIALS_FORMAT:?}", w.format),
            ));
        }
        let election = hex32("election", &w.election)?;
        let mut voters = BTreeMap::new();
        let mut last: Option<[u8; 32]> = None;
        for (i, e) in w.credentials.into_iter().enumerate() {
            let field = |f: &str| format!("credentials[{i}].{f}");
            let key = hex32(&field("key"), &e.key)?;
            if VerifyingKey::from_bytes(&key).map_or(true, |k| k.is_weak()) {
                return Err(FieldError::new(
                    field("key"),
                    "not a valid Ed25519 public key",
                ));
            }
            if last.is_some_and(|l| l >= key) {
                return Err(FieldError::new(
                    field("key"),
                    "keys are not in strictly ascending order (sorted, unique)",
                ));
            }
            last = Some(key);
            if e.station.is_empty() {
                return Err(FieldError::new(field("station"), "empty"));
            }
            if e.group.as_deref() == Some("") {
                return Err(FieldError::new(field("group"), "empty"));
            }
            voters.insert(
                key,
                Registration {
                    station: e.station,
                    group: e.group,
                },
            );
        }
        Ok(Self { election, voters })
    }

    /// The canonical JSON of the list.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let wire = CredentialListWire {
            credentials: self
                .voters
                .iter()
                .map(|(k, r)| CredentialEntry {
                    group: r.group.clone(),
                    key: hex::encode(k),
                    station: r.station.clone(),
                })
                .collect(),
            election: hex::encode(self.election),
            format: CREDENTIALS_FORMAT.to_owned(),
        };
        // A struct of strings always encodes.
        to_canonical(&wire).unwrap_or_default()
    }

    /// The election fingerprint the list names.
    #[must_use]
    pub fn election(&self) -> [u8; 32] {
        self.election
    }

    /// The registration of a credential.
    #[must_use]
    pub fn get(&self, key: &[u8; 32]) -> Option<&Registration> {
        self.voters.get(key)
    }

    /// The number of credentials.
    #[must_use]
    pub fn len(&self) -> usize {
        self.voters.len()
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.voters.is_empty()
    }

    /// The credentials with their registrations, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8; 32], &Registration)> {
        self.voters.iter()
    }
}

/// A remote ballot (kind [`REMOTE_BALLOT_KIND`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteBallot {
    /// The contests of the credential's ballot style, in order, proofs bound to the
    /// credential.
    pub contests: Vec<ContestWire>,
    /// The credential's public key, 64 hex digits; the envelope's signer.
    pub credential: String,
    /// [`REMOTE_BALLOT_FORMAT`].
    pub format: String,
    /// The voter group of the credential (absent: no group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The polling station of the credential.
    pub station: String,
}

impl RemoteBallot {
    /// Parses canonical JSON and checks the format and the credential's encoding.
    pub fn parse(bytes: &[u8]) -> Result<(Self, [u8; 32]), FieldError> {
        let b: Self = parse_canonical(bytes)?;
        if b.format != REMOTE_BALLOT_FORMAT {
            return Err(FieldError::new(
                "format",
                format!("{:?} is not {REMOTE_BALLOT_FORMAT:?}", b.format),
            ));
        }
        let key = hex32("credential", &b.credential)?;
        Ok((b, key))
    }

    /// The canonical JSON of the ballot.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        to_canonical(self).unwrap_or_default()
    }
}

/// The entry that closes remote voting (kind [`POLLS_CLOSED_KIND`], signed by an
/// administrator): the board refuses every remote ballot after it, so the remote ballots
/// that count, the last of each credential, are fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollsClosed {
    /// The election fingerprint, 64 hex digits.
    pub election: String,
    /// [`POLLS_CLOSED_FORMAT`].
    pub format: String,
}

impl PollsClosed {
    /// The entry of this election.
    #[must_use]
    pub fn new(election: [u8; 32]) -> Self {
        Self {
            election: hex::encode(election),
            format: POLLS_CLOSED_FORMAT.to_owned(),
        }
    }

    /// Parses canonical JSON and checks the format; returns the election it names.
    pub fn parse(bytes: &[u8]) -> Result<[u8; 32], FieldError> {
        let c: Self = parse_canonical(bytes)?;
        if c.format != POLLS_CLOSED_FORMAT {
            return Err(FieldError::new(
                "format",
                format!("{:?} is not {POLLS_CLOSED_FORMAT:?}", c.format),
            ));
        }
        hex32("election", &c.election)
    }

    /// The canonical JSON of the entry.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        to_canonical(self).unwrap_or_default()
    }
}

/// The wire form of a secret credential; zeroized when dropped.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct VoterCredentialWire {
    election: String,
    format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    secret: String,
    station: String,
}

/// A voter's secret credential (given privately to the voter; never on the board). The
/// seed is zeroized when dropped.
pub struct VoterCredential {
    election: [u8; 32],
    registration: Registration,
    secret: Zeroizing<[u8; 32]>,
}

impl core::fmt::Debug for VoterCredential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VoterCredential")
            .field("public_key", &hex::encode(self.public_key()))
            .field("registration", &self.registration)
            .finish_non_exhaustive()
    }
}

impl VoterCredential {
    /// A credential from its seed.
    #[must_use]
    pub fn from_seed(election: [u8; 32], registration: Registration, seed: &[u8; 32]) -> Self {
        Self {
            election,
            registration,
            secret: Zeroizing::new(*seed),
        }
    }

    /// Parses a secret credential file (canonical JSON of the contract).
    pub fn parse(bytes: &[u8]) -> Result<Self, FieldError> {
        let w: VoterCredentialWire = parse_canonical(bytes)?;
        if w.format != VOTER_CREDENTIAL_FORMAT {
            return Err(FieldError::new(
                "format",
                format!("{:?} is not {VOTER_CREDENTIAL_FORMAT:?}", w.format),
            ));
        }
        let election = hex32("election", &w.election)?;
        let secret = Zeroizing::new(hex32("secret", &w.secret)?);
        if w.station.is_empty() {
            return Err(FieldError::new("station", "empty"));
        }
        Ok(Self {
            election,
            registration: Registration {
                station: w.station.clone(),
                group: w.group.clone(),
            },
            secret,
        })
    }

    /// The canonical JSON of the secret credential file.
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let w = VoterCredentialWire {
            election: hex::encode(self.election),
            format: VOTER_CREDENTIAL_FORMAT.to_owned(),
            group: self.registration.group.clone(),
            secret: hex::encode(self.secret.as_slice()),
            station: self.registration.station.clone(),
        };
        // Written field by field, in sorted order, so that the secret goes into a buffer
        // that is zeroized (a generic encoder would leave copies behind).
        let mut out = Zeroizing::new(Vec::with_capacity(256));
        let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
        out.extend_from_slice(b"{\"election\":");
        out.extend_from_slice(s(&w.election).as_bytes());
        out.extend_from_slice(b",\"format\":");
        out.extend_from_slice(s(&w.format).as_bytes());
        if let Some(g) = &w.group {
            out.extend_from_slice(b",\"group\":");
            out.extend_from_slice(s(g).as_bytes());
        }
        out.extend_from_slice(b",\"secret\":\"");
        out.extend_from_slice(w.secret.as_bytes());
        out.extend_from_slice(b"\",\"station\":");
        out.extend_from_slice(s(&w.station).as_bytes());
        out.push(b'}');
        out
    }

    /// The election fingerprint.
    #[must_use]
    pub fn election(&self) -> [u8; 32] {
        self.election
    }

    /// Where the voter is registered.
    #[must_use]
    pub fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The signing key.
    #[must_use]
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.secret)
    }

    /// The public key, as in the credential list.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.signing_key().verifying_key().to_bytes()
    }

    /// The context every proof of this voter's remote ballot is made in.
    #[must_use]
    pub fn ballot_context(&self, election: &BallotContext) -> BallotContext {
        election.for_credential(&self.public_key())
    }

    /// The remote ballot of these contests (made in [`VoterCredential::ballot_context`]),
    /// signed by the credential as an envelope for the board.
    pub fn remote_ballot(&self, contests: Vec<ContestWire>) -> Result<Envelope, EnvelopeError> {
        let ballot = RemoteBallot {
            contests,
            credential: hex::encode(self.public_key()),
            format: REMOTE_BALLOT_FORMAT.to_owned(),
            group: self.registration.group.clone(),
            station: self.registration.station.clone(),
        };
        Envelope::sign(
            REMOTE_BALLOT_KIND,
            Fingerprint(self.election),
            &ballot.to_bytes(),
            true,
            &self.signing_key(),
        )
    }
}

/// A bad line of a voters file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct VoterLineError {
    /// The file, as named by the caller.
    pub file: String,
    /// The line number, from 1.
    pub line: usize,
    /// Why the line is refused.
    pub reason: String,
}

/// Parses a voters file: UTF-8 text, one eligible voter per line, `station` or
/// `station,group`; spaces around a field are ignored; empty lines and lines starting with
/// `#` are skipped; the first other line may be the header `station,group`. Every station
/// must be a polling station of the manifest and every group one of its voter groups, with a
/// ballot style. Returns every bad line, each as `file:line`.
pub fn parse_voters(
    text: &str,
    file: &str,
    election: &Election,
) -> Result<Vec<Registration>, Vec<VoterLineError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut first = true;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let was_first = first;
        first = false;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if was_first && fields == ["station", "group"] {
            continue;
        }
        let err = |reason: String| VoterLineError {
            file: file.to_owned(),
            line: n + 1,
            reason,
        };
        let (station, group) = match fields.as_slice() {
            [s] => (*s, None),
            [s, ""] => (*s, None),
            [s, g] => (*s, Some(*g)),
            _ => {
                errors.push(err(format!(
                    "expected `station` or `station,group`, found {} fields",
                    fields.len()
                )));
                continue;
            }
        };
        if election.manifest().polling_station(station).is_none() {
            errors.push(err(format!(
                "{station:?} is not a polling station of the manifest"
            )));
            continue;
        }
        if let Some(g) = group
            && election.manifest().voter_group(g).is_none()
        {
            errors.push(err(format!("{g:?} is not a voter group of the manifest")));
            continue;
        }
        match election.style(station, group) {
            Ok(style) if !style.is_empty() => {}
            Ok(_) => {
                errors.push(err(format!(
                    "no contest for this voter at {station:?} (empty ballot style)"
                )));
                continue;
            }
            Err(e) => {
                errors.push(err(format!("no ballot style: {e}")));
                continue;
            }
        }
        out.push(Registration {
            station: station.to_owned(),
            group: group.map(str::to_owned),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Issues one fresh credential per voter, in the voters' order, and the public list.
pub fn issue<R: CryptoRng + ?Sized>(
    election: [u8; 32],
    voters: &[Registration],
    rng: &mut R,
) -> (CredentialList, Vec<VoterCredential>) {
    let mut list = BTreeMap::new();
    let mut secrets = Vec::with_capacity(voters.len());
    for v in voters {
        loop {
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(seed.as_mut_slice());
            let c = VoterCredential::from_seed(election, v.clone(), &seed);
            let pk = c.public_key();
            // A repeated key (probability 2^-250) would merge two voters: draw again.
            if VerifyingKey::from_bytes(&pk).is_ok_and(|k| !k.is_weak()) && !list.contains_key(&pk)
            {
                list.insert(pk, v.clone());
                secrets.push(c);
                break;
            }
        }
    }
    (CredentialList::new(election, list), secrets)
}

/// A remote ballot that counts: the last of its credential in log order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedBallot {
    /// Its index in the log.
    pub index: u64,
    /// The credential (the envelope's signer).
    pub credential: [u8; 32],
    /// The envelope.
    pub envelope: Envelope,
}

/// From log entries with their indices, the remote ballots that count: for each credential
/// (the signer of a [`REMOTE_BALLOT_KIND`] envelope, which the board's validator requires to
/// be the ballot's credential) the one with the highest index. Entries of other kinds are
/// ignored. The result is in log order.
pub fn counted_remote_ballots<I>(entries: I) -> Vec<CountedBallot>
where
    I: IntoIterator<Item = (u64, Envelope)>,
{
    let mut last: BTreeMap<[u8; 32], (u64, Envelope)> = BTreeMap::new();
    for (index, e) in entries {
        if e.kind() != REMOTE_BALLOT_KIND {
            continue;
        }
        let signer = e.signer();
        match last.get(&signer) {
            Some((i, _)) if *i >= index => {}
            _ => {
                last.insert(signer, (index, e));
            }
        }
    }
    let mut out: Vec<CountedBallot> = last
        .into_iter()
        .map(|(credential, (index, envelope))| CountedBallot {
            index,
            credential,
            envelope,
        })
        .collect();
    out.sort_by_key(|c| c.index);
    out
}

//! The election's entry validator: what an entry of each kind must be to enter the log
//! (`docs/spec/board-server.md` §8).
//!
//! [`ElectionValidator`] is configured with the election (manifest and parameters, giving
//! the fingerprint, the ballot styles and the contest descriptions), the joint election key,
//! the administrators' public keys and the credential authority's public key. It judges
//! each batch of the group commit in three passes:
//!
//! 1. each entry alone, on all cores: signer authorised for the kind, inline artefact,
//!    canonical JSON of the contract's type, election, confirmation code, encodings, the
//!    opening of a challenged ballot, the credential list; then in order, against what is
//!    remembered: a credential list too large to be inline, read from beside the log,
//!    ballot style, the credential's registration, replays against the log;
//! 2. every proof of every ballot of the batch in one batched verification
//!    (`sanduq_crypto::batch`, in parallel), bisected down to the failing contests so that
//!    one bad ballot is refused alone;
//! 3. in batch order, replays within the batch (the same artefact, the same confirmation
//!    code), then the accepted entries' effects are remembered.
//!
//! The validator keeps the confirmation codes and the credential list of the committed log
//! in memory; [`ElectionValidator::load_log`] rebuilds them from the data directory before
//! the server starts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use sanduq_crypto::contest::ContestItem;
use sanduq_crypto::elgamal::encrypt;
use sanduq_crypto::group::{SecretScalar, decode_scalar};
use sanduq_crypto::{BallotContext, ContestDescription, EncryptedContest};
use sanduq_record::chain::confirmation_code;
use sanduq_record::protocol::{Election, contest_from_wire, contest_to_wire};
use sanduq_record::wire::{BallotLine, ContestWire, OpenedContest, to_canonical};

use crate::credentials::{
    CREDENTIALS_KIND, CredentialList, FieldError, POLLS_CLOSED_KIND, PollsClosed,
    REMOTE_BALLOT_KIND, RemoteBallot, hex32, parse_canonical,
};
use crate::envelope::Envelope;
use crate::store::LogDb;
use crate::validator::{EntryValidator, LogView, Rejection};

/// Kind of an entry holding the election record's `index.json`.
pub const RECORD_INDEX_KIND: &str = "record-index";
/// Kind of an entry holding one other file of the election record.
pub const RECORD_FILE_KIND: &str = "record-file";
/// Kind of an entry holding one line of a record `ballots.jsonl`.
pub const BALLOT_KIND: &str = "ballot";

/// The stable reason codes of a refused entry. A refusal's text is
/// `<reason>: <field>: <why>`; the HTTP answer carries the status code of
/// [`Rejection::status_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The kind is not one of the contract's.
    UnknownKind,
    /// The artefact must be carried inline for this kind.
    NotInline,
    /// The content is not canonical JSON of the kind's type, or a field is malformed.
    Malformed,
    /// The content names another election, or the envelope does.
    WrongElection,
    /// The ballot's station, group or contests are not a ballot style of the election, or
    /// a remote ballot's station and group are not its credential's.
    WrongStyle,
    /// The confirmation code is not the one recomputed from the ballot.
    BadCode,
    /// A ciphertext or proof is not a canonical encoding.
    BadEncoding,
    /// A proof does not verify.
    BadProof,
    /// A challenged ballot's opening does not match its ciphertexts.
    BadOpening,
    /// A credential list is already on the board.
    CredentialsExist,
    /// A remote ballot arrived before the credential list.
    NoCredentials,
    /// A remote ballot arrived after remote voting was closed, or a second closing entry.
    PollsClosed,
}

impl Reason {
    /// The stable code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownKind => "unknown_kind",
            Self::NotInline => "not_inline",
            Self::Malformed => "malformed_content",
            Self::WrongElection => "wrong_election",
            Self::WrongStyle => "wrong_style",
            Self::BadCode => "bad_confirmation_code",
            Self::BadEncoding => "bad_encoding",
            Self::BadProof => "bad_proof",
            Self::BadOpening => "bad_opening",
            Self::CredentialsExist => "credentials_exist",
            Self::NoCredentials => "no_credentials",
            Self::PollsClosed => "polls_closed",
        }
    }
}

fn invalid(reason: Reason, field: &str, why: impl core::fmt::Display) -> Rejection {
    Rejection::Invalid(format!("{}: {field}: {why}", reason.code()))
}

fn malformed(e: &FieldError) -> Rejection {
    invalid(Reason::Malformed, &e.field, &e.reason)
}

/// What the validator is configured with.
#[derive(Debug, Clone)]
pub struct ElectionSetup {
    /// The election (manifest and parameters).
    pub election: Election,
    /// The election key (the ceremony's joint key) and the fingerprint.
    pub context: BallotContext,
    /// Public keys allowed to submit `record-index`, `record-file` and `ballot` entries.
    pub administrators: BTreeSet<[u8; 32]>,
    /// The public key allowed to submit the `credentials` list.
    pub credential_authority: [u8; 32],
}

/// Why a validator could not be configured or could not load the log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The election key's fingerprint is not the election's.
    #[error("the ballot context is for election {context}, not for {election}")]
    Fingerprint {
        /// The election's fingerprint, hex.
        election: String,
        /// The context's, hex.
        context: String,
    },
    /// No administrator key was given.
    #[error("no administrator key")]
    NoAdministrator,
    /// The log could not be read.
    #[error("reading the log: {0}")]
    Store(#[from] crate::store::StoreError),
    /// A committed entry cannot be understood by this validator.
    #[error("log entry {index}: {reason}")]
    Entry {
        /// Its index.
        index: u64,
        /// Why.
        reason: String,
    },
}

#[derive(Debug, Default)]
struct State {
    /// Confirmation codes of the `ballot` entries in the log.
    codes: BTreeSet<[u8; 32]>,
    /// The credential list, once on the log.
    credentials: Option<CredentialList>,
    /// Ballot styles already computed.
    styles: BTreeMap<(String, Option<String>), Vec<String>>,
    /// Whether remote voting is closed (a `polls-closed` entry is in the log).
    closed: bool,
}

/// Reads an artefact stored beside the log by its SHA-256 (`None`: not stored).
pub type ArtefactReader<'a> = dyn Fn(&[u8; 32]) -> Result<Option<Vec<u8>>, String> + 'a;

/// The election's [`EntryValidator`] (see the module documentation).
#[derive(Debug)]
pub struct ElectionValidator {
    election: Election,
    context: BallotContext,
    fingerprint: [u8; 32],
    administrators: BTreeSet<[u8; 32]>,
    authority: [u8; 32],
    state: Mutex<State>,
}

/// What pass 1 leaves for the later passes.
enum Effect {
    /// A `ballot` entry: its confirmation code.
    Code([u8; 32]),
    /// A credential list.
    List(CredentialList),
    /// Remote voting closes.
    Close,
    /// Nothing to remember.
    None,
}

struct Pending {
    effect: Effect,
    /// The contests whose proofs are verified in pass 2, with their descriptions.
    contests: Vec<(EncryptedContest, ContestDescription)>,
    /// The proofs' context (the election's, or bound to a credential).
    context: Option<BallotContext>,
    /// The JSON path of the contests, for messages.
    path: &'static str,
}

impl Pending {
    fn plain(effect: Effect) -> Self {
        Self {
            effect,
            contests: Vec::new(),
            context: None,
            path: "",
        }
    }
}

impl ElectionValidator {
    /// A validator for this election, with an empty history.
    pub fn new(setup: ElectionSetup) -> Result<Self, SetupError> {
        let fingerprint = *setup.election.fingerprint().as_bytes();
        if setup.context.fingerprint.as_bytes() != &fingerprint {
            return Err(SetupError::Fingerprint {
                election: hex::encode(fingerprint),
                context: hex::encode(setup.context.fingerprint.as_bytes()),
            });
        }
        if setup.administrators.is_empty() {
            return Err(SetupError::NoAdministrator);
        }
        Ok(Self {
            election: setup.election,
            context: setup.context,
            fingerprint,
            administrators: setup.administrators,
            authority: setup.credential_authority,
            state: Mutex::new(State::default()),
        })
    }

    /// The election fingerprint.
    #[must_use]
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers the effects of committed entries (in log order): the confirmation codes
    /// of `ballot` entries and the credential list. The entries were judged when they were
    /// appended and are not judged again.
    pub fn replay<'a, I>(&self, entries: I) -> Result<(), SetupError>
    where
        I: IntoIterator<Item = (u64, &'a Envelope)>,
    {
        self.replay_with(entries, &|_| Ok(None))
    }

    /// [`ElectionValidator::replay`], reading an artefact stored beside the log (a large
    /// credential list) with `artefact`.
    pub fn replay_with<'a, I>(
        &self,
        entries: I,
        artefact: &ArtefactReader<'_>,
    ) -> Result<(), SetupError>
    where
        I: IntoIterator<Item = (u64, &'a Envelope)>,
    {
        let mut st = self.state();
        for (index, e) in entries {
            let fail = |reason: String| SetupError::Entry { index, reason };
            match e.kind() {
                BALLOT_KIND => {
                    let body = e.body().ok_or_else(|| fail("ballot not inline".into()))?;
                    let line: BallotLine =
                        parse_canonical(body).map_err(|x| fail(x.to_string()))?;
                    let code = hex32("code", &line.code).map_err(|x| fail(x.to_string()))?;
                    st.codes.insert(code);
                }
                CREDENTIALS_KIND => {
                    let beside;
                    let body = match e.body() {
                        Some(b) => b,
                        None => {
                            beside = artefact(&e.content_hash())
                                .map_err(fail)?
                                .ok_or_else(|| fail("the credential list is not stored".into()))?;
                            beside.as_slice()
                        }
                    };
                    let list = CredentialList::parse(body).map_err(|x| fail(x.to_string()))?;
                    if st.credentials.is_some() {
                        return Err(fail("a second credential list".into()));
                    }
                    st.credentials = Some(list);
                }
                POLLS_CLOSED_KIND => st.closed = true,
                _ => {}
            }
        }
        Ok(())
    }

    /// Rebuilds the history from the log in `data_dir` (as [`ElectionValidator::replay`]);
    /// returns the number of entries read. Call it before the server starts.
    pub fn load_log(&self, data_dir: &Path) -> Result<u64, SetupError> {
        // As the server does on start: a new board begins with an empty data directory.
        std::fs::create_dir_all(data_dir).map_err(|source| crate::store::StoreError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let db = LogDb::open(data_dir)?;
        let artefacts = crate::store::ArtefactStore::open(data_dir)?;
        let read = |h: &[u8; 32]| artefacts.get(h).map_err(|e| e.to_string());
        let size = db.leaf_hashes()?.len() as u64;
        let mut start = 0u64;
        while start < size {
            let end = size.min(start + 1024);
            let raw = db.entries(start, end)?;
            let mut parsed = Vec::with_capacity(raw.len());
            for (index, bytes) in (start..).zip(&raw) {
                let e = Envelope::parse(bytes).map_err(|x| SetupError::Entry {
                    index,
                    reason: x.to_string(),
                })?;
                parsed.push((index, e));
            }
            self.replay_with(parsed.iter().map(|(i, e)| (*i, e)), &read)?;
            start = end;
        }
        Ok(size)
    }

    fn style(&self, st: &mut State, station: &str, group: Option<&str>) -> Option<Vec<String>> {
        let key = (station.to_owned(), group.map(str::to_owned));
        if let Some(s) = st.styles.get(&key) {
            return Some(s.clone());
        }
        let s = self.election.style(station, group).ok()?;
        st.styles.insert(key, s.clone());
        Some(s)
    }

    /// Decodes the contests of a ballot: each a contest of the election with the manifest's
    /// selections in order, every ciphertext and proof in canonical hex.
    fn decode_contests(
        &self,
        path: &'static str,
        wires: &[ContestWire],
    ) -> Result<Vec<(EncryptedContest, ContestDescription)>, Rejection> {
        let mut out = Vec::with_capacity(wires.len());
        for (i, w) in wires.iter().enumerate() {
            let desc = self
                .election
                .descriptions()
                .get(&w.contest)
                .ok_or_else(|| {
                    invalid(
                        Reason::WrongStyle,
                        &format!("{path}[{i}].contest"),
                        "not a contest of this election",
                    )
                })?;
            let ids: Vec<&str> = w.selections.iter().map(|s| s.id.as_str()).collect();
            let want: Vec<&str> = desc.selection_ids().iter().map(String::as_str).collect();
            if ids != want {
                return Err(invalid(
                    Reason::WrongStyle,
                    &format!("{path}[{i}].selections"),
                    format!("selections {ids:?} are not the contest's {want:?}"),
                ));
            }
            let c = contest_from_wire(w)
                .map_err(|e| invalid(Reason::BadEncoding, &format!("{path}[{i}]"), e))?;
            if &contest_to_wire(&c) != w {
                return Err(invalid(
                    Reason::BadEncoding,
                    &format!("{path}[{i}]"),
                    "a ciphertext or proof is not in canonical hex",
                ));
            }
            out.push((c, desc.clone()));
        }
        Ok(out)
    }

    fn check_opening(
        &self,
        opening: &[OpenedContest],
        contests: &[(EncryptedContest, ContestDescription)],
    ) -> Result<(), Rejection> {
        if opening.len() != contests.len() {
            return Err(invalid(
                Reason::BadOpening,
                "opening",
                "does not cover every contest",
            ));
        }
        for (ci, (oc, (ec, desc))) in opening.iter().zip(contests).enumerate() {
            if oc.contest != ec.contest_id || oc.selections.len() != ec.selections.len() {
                return Err(invalid(
                    Reason::BadOpening,
                    &format!("opening[{ci}]"),
                    "does not match the ballot's contest",
                ));
            }
            let mut total = 0u64;
            for (si, (os, es)) in oc.selections.iter().zip(&ec.selections).enumerate() {
                let field = format!("opening[{ci}].selections[{si}]");
                if os.id != es.selection_id {
                    return Err(invalid(Reason::BadOpening, &field, "another selection"));
                }
                if os.vote > desc.selection_max() {
                    return Err(invalid(
                        Reason::BadOpening,
                        &field,
                        "vote above the maximum",
                    ));
                }
                total = total.saturating_add(os.vote);
                let nonce = hex32("nonce", &os.nonce)
                    .ok()
                    .and_then(|b| decode_scalar("nonce", &b).ok())
                    .ok_or_else(|| {
                        invalid(
                            Reason::BadOpening,
                            &field,
                            "nonce is not a canonical scalar",
                        )
                    })?;
                let again = encrypt(&self.context.key, os.vote, &SecretScalar::new(nonce))
                    .map_err(|e| invalid(Reason::BadOpening, &field, e))?;
                if again != es.ciphertext {
                    return Err(invalid(
                        Reason::BadOpening,
                        &field,
                        "the vote and nonce do not re-encrypt to the ciphertext",
                    ));
                }
            }
            if total > desc.votes_allowed() {
                return Err(invalid(
                    Reason::BadOpening,
                    &format!("opening[{ci}]"),
                    "votes above the contest's limit",
                ));
            }
        }
        Ok(())
    }

    /// [`ElectionValidator::examine`] of every entry, on every core for a large batch.
    fn examine_all(&self, batch: &[&Envelope]) -> Vec<Result<Examined, Rejection>> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if batch.len() < 4 || cores < 2 {
            return batch.iter().map(|e| self.examine(e)).collect();
        }
        let chunk = batch.len().div_ceil(cores);
        std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(chunk)
                .map(|part| {
                    let h = s.spawn(move || part.iter().map(|e| self.examine(e)).collect());
                    (part.len(), h)
                })
                .collect();
            let mut out: Vec<Result<Examined, Rejection>> = Vec::with_capacity(batch.len());
            for (len, h) in handles {
                match h.join() {
                    Ok(v) => out.extend::<Vec<_>>(v),
                    // A decoder that panicked: its entries are refused, none is guessed.
                    Err(_) => {
                        out.extend((0..len).map(|_| {
                            Err(invalid(Reason::Malformed, "content", "cannot be decoded"))
                        }))
                    }
                }
            }
            out
        })
    }

    /// Everything about one entry that needs no history (run in parallel).
    fn examine(&self, e: &Envelope) -> Result<Examined, Rejection> {
        if e.election().0 != self.fingerprint {
            return Err(invalid(
                Reason::WrongElection,
                "envelope.election",
                "not this election's fingerprint",
            ));
        }
        match e.kind() {
            BALLOT_KIND => self.examine_ballot(e),
            CREDENTIALS_KIND => self.examine_credentials(e),
            REMOTE_BALLOT_KIND => self.examine_remote(e),
            POLLS_CLOSED_KIND => self.examine_close(e),
            RECORD_INDEX_KIND | RECORD_FILE_KIND => {
                if self.administrators.contains(&e.signer()) {
                    Ok(Examined::Plain)
                } else {
                    Err(Rejection::Unauthorised)
                }
            }
            other => Err(invalid(
                Reason::UnknownKind,
                "envelope.kind",
                format!("{other:?} is not a kind of this board"),
            )),
        }
    }

    fn examine_ballot(&self, e: &Envelope) -> Result<Examined, Rejection> {
        if !self.administrators.contains(&e.signer()) {
            return Err(Rejection::Unauthorised);
        }
        let body = e
            .body()
            .ok_or_else(|| invalid(Reason::NotInline, "inline", "a ballot is carried inline"))?;
        let line: BallotLine = parse_canonical(body).map_err(|x| malformed(&x))?;
        let b = &line.ballot;
        if b.device.is_empty() {
            return Err(invalid(Reason::Malformed, "ballot.device", "empty"));
        }
        if b.seq == 0 {
            return Err(invalid(Reason::Malformed, "ballot.seq", "starts at 1"));
        }
        match (line.status.as_str(), line.opening.is_some()) {
            ("cast", false) | ("challenged", true) => {}
            ("cast" | "challenged", _) => {
                return Err(invalid(
                    Reason::Malformed,
                    "opening",
                    "a challenged ballot has an opening and a cast one none",
                ));
            }
            (other, _) => {
                return Err(invalid(
                    Reason::Malformed,
                    "status",
                    format!("{other:?} is neither \"cast\" nor \"challenged\""),
                ));
            }
        }
        let prev = hex32("prev_code", &line.prev_code).map_err(|x| malformed(&x))?;
        let code = hex32("code", &line.code).map_err(|x| malformed(&x))?;
        let body_bytes = to_canonical(b)
            .map_err(|_| invalid(Reason::Malformed, "ballot", "cannot be encoded"))?;
        if confirmation_code(&self.fingerprint, &b.device, &prev, &body_bytes) != code {
            return Err(invalid(
                Reason::BadCode,
                "code",
                "not the confirmation code of this ballot after prev_code",
            ));
        }
        let contests = self.decode_contests("ballot.contests", &b.contests)?;
        if let Some(opening) = &line.opening {
            self.check_opening(opening, &contests)?;
        }
        let BallotLine { ballot, .. } = line;
        Ok(Examined::Ballot {
            code,
            station: ballot.station,
            group: ballot.group,
            contests,
        })
    }

    fn examine_credentials(&self, e: &Envelope) -> Result<Examined, Rejection> {
        if e.signer() != self.authority {
            return Err(Rejection::Unauthorised);
        }
        // A list too large for one entry is stored beside the log: read in pass 1b.
        match e.body() {
            Some(body) => self.credential_list(body),
            None => Ok(Examined::ListBeside(e.content_hash())),
        }
    }

    /// A credential list's content: canonical, well formed, of this election.
    fn credential_list(&self, bytes: &[u8]) -> Result<Examined, Rejection> {
        let list = CredentialList::parse(bytes).map_err(|x| malformed(&x))?;
        if list.election() != self.fingerprint {
            return Err(invalid(
                Reason::WrongElection,
                "election",
                "not this election's fingerprint",
            ));
        }
        Ok(Examined::List(list))
    }

    fn examine_close(&self, e: &Envelope) -> Result<Examined, Rejection> {
        if !self.administrators.contains(&e.signer()) {
            return Err(Rejection::Unauthorised);
        }
        let body = e.body().ok_or_else(|| {
            invalid(
                Reason::NotInline,
                "inline",
                "the closing entry is carried inline",
            )
        })?;
        if PollsClosed::parse(body).map_err(|x| malformed(&x))? != self.fingerprint {
            return Err(invalid(
                Reason::WrongElection,
                "election",
                "not this election's fingerprint",
            ));
        }
        Ok(Examined::Close)
    }

    fn examine_remote(&self, e: &Envelope) -> Result<Examined, Rejection> {
        let body = e.body().ok_or_else(|| {
            invalid(
                Reason::NotInline,
                "inline",
                "a remote ballot is carried inline",
            )
        })?;
        let (ballot, credential) = RemoteBallot::parse(body).map_err(|x| malformed(&x))?;
        if e.signer() != credential {
            return Err(Rejection::Unauthorised);
        }
        let contests = self.decode_contests("contests", &ballot.contests)?;
        Ok(Examined::Remote {
            credential,
            station: ballot.station,
            group: ballot.group,
            contests,
        })
    }

    /// What needs the history: ballot styles (cached), replayed codes, the credential list.
    fn judge(
        &self,
        st: &mut State,
        batch_list: Option<&CredentialList>,
        batch_closed: bool,
        x: Examined,
    ) -> Result<Pending, Rejection> {
        match x {
            Examined::Plain => Ok(Pending::plain(Effect::None)),
            // read in pass 1b before judging; never reaches here
            Examined::ListBeside(_) => Err(invalid(
                Reason::Malformed,
                "content",
                "the credential list could not be read",
            )),
            Examined::Close => {
                if st.closed || batch_closed {
                    return Err(invalid(
                        Reason::PollsClosed,
                        "kind",
                        "remote voting is already closed",
                    ));
                }
                Ok(Pending::plain(Effect::Close))
            }
            Examined::List(list) => {
                if st.credentials.is_some() || batch_list.is_some() {
                    return Err(invalid(
                        Reason::CredentialsExist,
                        "credentials",
                        "the credential list is already on the board",
                    ));
                }
                Ok(Pending::plain(Effect::List(list)))
            }
            Examined::Ballot {
                code,
                station,
                group,
                contests,
            } => {
                let style = self.style(st, &station, group.as_deref()).ok_or_else(|| {
                    invalid(
                        Reason::WrongStyle,
                        "ballot.station",
                        "no ballot style for this station and group",
                    )
                })?;
                check_style("ballot.contests", &style, &contests)?;
                if st.codes.contains(&code) {
                    return Err(Rejection::Duplicate);
                }
                Ok(Pending {
                    effect: Effect::Code(code),
                    contests,
                    context: None,
                    path: "ballot.contests",
                })
            }
            Examined::Remote {
                credential,
                station,
                group,
                contests,
            } => {
                if st.closed || batch_closed {
                    return Err(invalid(
                        Reason::PollsClosed,
                        "kind",
                        "remote voting is closed: a polls-closed entry is in the log",
                    ));
                }
                let list = st.credentials.as_ref().or(batch_list).ok_or_else(|| {
                    invalid(
                        Reason::NoCredentials,
                        "credential",
                        "no credential list is on the board yet",
                    )
                })?;
                let registration = list.get(&credential).ok_or(Rejection::Unauthorised)?;
                if station != registration.station || group != registration.group {
                    return Err(invalid(
                        Reason::WrongStyle,
                        if station == registration.station {
                            "group"
                        } else {
                            "station"
                        },
                        "not the credential's registration",
                    ));
                }
                let style = self.style(st, &station, group.as_deref()).ok_or_else(|| {
                    invalid(
                        Reason::WrongStyle,
                        "station",
                        "no ballot style for this station and group",
                    )
                })?;
                check_style("contests", &style, &contests)?;
                Ok(Pending {
                    effect: Effect::None,
                    contests,
                    context: Some(self.context.for_credential(&credential)),
                    path: "contests",
                })
            }
        }
    }
}

/// The result of [`ElectionValidator::examine`].
enum Examined {
    /// A record file or index by an administrator.
    Plain,
    /// A credential list by the authority.
    List(CredentialList),
    /// A credential list by the authority, stored beside the log under this SHA-256.
    ListBeside([u8; 32]),
    /// The closing of remote voting by an administrator.
    Close,
    /// A station ballot.
    Ballot {
        code: [u8; 32],
        station: String,
        group: Option<String>,
        contests: Vec<(EncryptedContest, ContestDescription)>,
    },
    /// A remote ballot signed by its credential.
    Remote {
        credential: [u8; 32],
        station: String,
        group: Option<String>,
        contests: Vec<(EncryptedContest, ContestDescription)>,
    },
}

/// The contests must be exactly the ballot style's, in order.
fn check_style(
    path: &str,
    style: &[String],
    contests: &[(EncryptedContest, ContestDescription)],
) -> Result<(), Rejection> {
    let have: Vec<&str> = contests
        .iter()
        .map(|(c, _)| c.contest_id.as_str())
        .collect();
    if have != style.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(invalid(
            Reason::WrongStyle,
            path,
            format!("contests {have:?} are not the ballot style {style:?}"),
        ));
    }
    Ok(())
}

impl EntryValidator for ElectionValidator {
    fn validate_batch(
        &self,
        batch: &[&Envelope],
        log: &dyn LogView,
    ) -> Result<Vec<Result<(), Rejection>>, String> {
        // Pass 1a: what each entry is, alone and in parallel (decoding dominates).
        let examined = self.examine_all(batch);
        // Pass 1b: against the history, in order.
        let mut st = self.state();
        let mut pending: Vec<Result<Pending, Rejection>> = Vec::with_capacity(batch.len());
        let mut batch_list: Option<CredentialList> = None;
        let mut batch_closed = false;
        for (e, x) in batch.iter().zip(examined) {
            let x = match x {
                // the server checked that the artefact was uploaded; a store that cannot
                // read it stops the server rather than refuse or accept a list unread
                Ok(Examined::ListBeside(hash)) => match log.artefact(&hash)? {
                    Some(bytes) => self.credential_list(&bytes),
                    None => return Err(format!("artefact {} is not readable", hex::encode(hash))),
                },
                other => other,
            };
            let judged = x.and_then(|x| self.judge(&mut st, batch_list.as_ref(), batch_closed, x));
            let verdict = match judged {
                Ok(p) => match log.contains_content(&e.content_hash()) {
                    Err(err) => return Err(err),
                    Ok(true) => Err(Rejection::Duplicate),
                    Ok(false) => Ok(p),
                },
                Err(r) => Err(r),
            };
            if let Ok(Pending {
                effect: Effect::List(l),
                ..
            }) = &verdict
            {
                batch_list = Some(l.clone());
            }
            if let Ok(Pending {
                effect: Effect::Close,
                ..
            }) = &verdict
            {
                batch_closed = true;
            }
            pending.push(verdict);
        }
        // Pass 2: every proof of the batch, batched; bisection names the failing contests.
        let mut owners: Vec<(usize, usize)> = Vec::new();
        let mut items: Vec<ContestItem<'_>> = Vec::new();
        for (i, p) in pending.iter().enumerate() {
            if let Ok(p) = p {
                let ctx = p.context.as_ref().unwrap_or(&self.context);
                for (j, (contest, desc)) in p.contests.iter().enumerate() {
                    owners.push((i, j));
                    items.push(ContestItem { ctx, desc, contest });
                }
            }
        }
        let mut failed: BTreeMap<usize, String> = BTreeMap::new();
        if !items.is_empty() {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| format!("no randomness for batch weights: {e}"))?;
            let mut bad_items = sanduq_crypto::batch::failing_items_with_seed(&items, seed);
            bad_items.sort_by_key(|b| b.index);
            for bad in bad_items {
                if let Some(&(i, j)) = owners.get(bad.index) {
                    let path = pending
                        .get(i)
                        .and_then(|p| p.as_ref().ok())
                        .map_or("contests", |p| p.path);
                    let field = match &bad.error {
                        sanduq_crypto::Error::Selection { index, .. } => {
                            format!("{path}[{j}].selections[{index}].proof")
                        }
                        _ => format!("{path}[{j}].limit_proof"),
                    };
                    failed.entry(i).or_insert_with(|| {
                        format!("{}: {field}: {}", Reason::BadProof.code(), bad.error.root())
                    });
                }
            }
        }
        drop(items);
        // Pass 3: replays within the batch, in order; remember what is accepted.
        let mut hashes = BTreeSet::new();
        let mut codes = BTreeSet::new();
        let mut out = Vec::with_capacity(batch.len());
        for (i, (e, p)) in batch.iter().zip(pending).enumerate() {
            let verdict = match p {
                Err(r) => Err(r),
                Ok(_) if failed.contains_key(&i) => {
                    Err(Rejection::Invalid(failed.remove(&i).unwrap_or_default()))
                }
                Ok(p) => {
                    let dup_code = matches!(p.effect, Effect::Code(c) if codes.contains(&c));
                    if dup_code || !hashes.insert(e.content_hash()) {
                        Err(Rejection::Duplicate)
                    } else {
                        match p.effect {
                            Effect::Code(c) => {
                                codes.insert(c);
                                st.codes.insert(c);
                            }
                            Effect::List(l) => st.credentials = Some(l),
                            Effect::Close => st.closed = true,
                            Effect::None => {}
                        }
                        Ok(())
                    }
                }
            };
            out.push(verdict);
        }
        Ok(out)
    }
}

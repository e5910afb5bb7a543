//! C2SP tlog-witness v1.0.0 `add-checkpoint` as a pure state machine.
//!
//! In scope: parsing the request body, every check the spec requires and their exact HTTP
//! status codes, producing the `cosignature/v1` response lines, and the contract of the
//! witness's state store. Out of scope: HTTP itself, the clock (the caller passes `now`), and
//! durable storage (the caller implements [`WitnessStore`]).
//!
//! # Order of checks
//!
//! | check | status |
//! |---|---|
//! | body malformed (old line, proof lines, at most [`MAX_PROOF_LINES`], note, checkpoint) | 400 |
//! | checkpoint origin not configured | 404 |
//! | no signature verifies under the log's keys (a failing known key also rejects) | 403 |
//! | old size > checkpoint size | 400 |
//! | old size ≠ stored size (0 if none) | 409, body `<stored size>\n`, `Content-Type: text/x.tlog.size` |
//! | old size = checkpoint size and the roots differ | 409 (same body) + split-view evidence |
//! | proof not empty for old size 0, or consistency proof fails | 422 |
//! | compare-and-swap of the stored checkpoint lost a race | 409 with the new stored size |
//! | storage failure | 500 |
//! | all passed: stored, then cosigned | 200, body = cosignature lines |
//!
//! # Atomic check-and-store
//!
//! The spec requires that checking the old size and persisting the new checkpoint be atomic,
//! or two concurrent requests can roll the stored size back. [`WitnessStore::update`] is
//! therefore a compare-and-swap: it succeeds only if the stored size still equals the
//! `expected_old_size` the request was checked against, so a stored size never decreases.

use core::convert::Infallible;
use std::collections::BTreeMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::checkpoint::{CheckpointError, SignedCheckpoint, parse_decimal, parse_hash_b64};
use crate::cosignature::{CosignatureError, CosignatureSigner};
use crate::merkle::{self, Hash};
use crate::signed_note::{MAX_NOTE_LEN, NoteSignature, VerifierSet, VerifyError};

/// The most consistency proof lines a request may carry ("The client MUST NOT send more than
/// 63 consistency proof lines").
pub const MAX_PROOF_LINES: usize = 63;

/// Largest request body accepted: the old line, 63 proof lines and the largest note.
pub const MAX_REQUEST_LEN: usize = 32 + MAX_PROOF_LINES * 45 + MAX_NOTE_LEN;

/// `Content-Type` of a 409 response body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// `Content-Type` of every other response body.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Malformed request bodies (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The body is longer than [`MAX_REQUEST_LEN`].
    #[error("request body is {len} bytes, more than {MAX_REQUEST_LEN}")]
    TooLong {
        /// The body's length.
        len: usize,
    },
    /// Line 1 is not `old <decimal>`.
    #[error("line 1 is not `old <size>` with a canonical decimal size")]
    BadOldLine,
    /// A proof line is not the canonical base64 of 32 bytes.
    #[error("line {line}: consistency proof line is not the standard base64 of 32 bytes")]
    BadProofLine {
        /// 1-based line number in the body.
        line: usize,
    },
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {MAX_PROOF_LINES} consistency proof lines")]
    TooManyProofLines,
    /// The body ends before the empty line that precedes the checkpoint.
    #[error("no empty line before the checkpoint")]
    MissingEmptyLine,
    /// The checkpoint note is malformed.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The old size exceeds the checkpoint size.
    #[error("old size {old} exceeds checkpoint size {size}")]
    OldSizeTooLarge {
        /// The old size of the request.
        old: u64,
        /// The checkpoint size.
        size: u64,
    },
}

/// A parsed `add-checkpoint` request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    old_size: u64,
    proof: Vec<Hash>,
    checkpoint: SignedCheckpoint,
}

impl AddCheckpointRequest {
    /// Builds a request.
    pub fn new(
        old_size: u64,
        proof: Vec<Hash>,
        checkpoint: SignedCheckpoint,
    ) -> Result<Self, RequestError> {
        if proof.len() > MAX_PROOF_LINES {
            return Err(RequestError::TooManyProofLines);
        }
        Ok(Self {
            old_size,
            proof,
            checkpoint,
        })
    }

    /// Parses a request body.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        if body.len() > MAX_REQUEST_LEN {
            return Err(RequestError::TooLong { len: body.len() });
        }
        let mut rest = body;
        let next_line = |rest: &mut &[u8]| -> Option<Vec<u8>> {
            let pos = rest.iter().position(|&b| b == b'\n')?;
            let (line, tail) = rest.split_at(pos);
            *rest = tail.get(1..).unwrap_or_default();
            Some(line.to_vec())
        };
        let old_line = next_line(&mut rest).ok_or(RequestError::BadOldLine)?;
        let old_size = core::str::from_utf8(&old_line)
            .ok()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_decimal)
            .ok_or(RequestError::BadOldLine)?;
        let mut proof = Vec::new();
        let mut line_no = 1;
        loop {
            line_no += 1;
            let line = next_line(&mut rest).ok_or(RequestError::MissingEmptyLine)?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(RequestError::TooManyProofLines);
            }
            let h = core::str::from_utf8(&line)
                .ok()
                .and_then(parse_hash_b64)
                .ok_or(RequestError::BadProofLine { line: line_no })?;
            proof.push(h);
        }
        let checkpoint = SignedCheckpoint::parse(rest)?;
        Ok(Self {
            old_size,
            proof,
            checkpoint,
        })
    }

    /// The old size.
    pub fn old_size(&self) -> u64 {
        self.old_size
    }

    /// The consistency proof.
    pub fn proof(&self) -> &[Hash] {
        &self.proof
    }

    /// The submitted checkpoint.
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }

    /// The exact request body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size).into_bytes();
        for h in &self.proof {
            out.extend_from_slice(B64.encode(h.0).as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.checkpoint.note().to_bytes());
        out
    }
}

/// The latest checkpoint a witness cosigned for one log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Its tree size.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
    /// The signed checkpoint note as submitted (kept as evidence).
    pub note: Vec<u8>,
}

/// The compare-and-swap of [`WitnessStore::update`] failed: the stored size is not the
/// expected one (or the same size is stored with a different root).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stored size is {stored_size}")]
pub struct Conflict {
    /// The size currently stored (0 if none).
    pub stored_size: u64,
}

/// Failure of [`WitnessStore::update`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError<E> {
    /// The compare-and-swap lost (409).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The storage backend failed (500).
    #[error("storage: {0}")]
    Storage(E),
}

/// The witness's durable state: the latest cosigned checkpoint per log origin.
pub trait WitnessStore {
    /// Backend error.
    type Error: core::fmt::Debug;

    /// The latest cosigned checkpoint for `origin`, if any.
    fn latest(&self, origin: &str) -> Result<Option<StoredCheckpoint>, Self::Error>;

    /// Atomically: if the stored size for `origin` (0 if none) equals `expected_old_size`, and
    /// `new_size > expected_old_size` or (`new_size == expected_old_size` and the stored root
    /// equals `new_root`), store (`new_size`, `new_root`, `note`); otherwise return
    /// [`Conflict`] with the stored size. Implementations must make the check and the write
    /// one atomic step (a transaction, a lock, a conditional write) so that the stored size
    /// never decreases.
    fn update(
        &self,
        origin: &str,
        expected_old_size: u64,
        new_size: u64,
        new_root: Hash,
        note: &[u8],
    ) -> Result<(), UpdateError<Self::Error>>;
}

/// An in-memory [`WitnessStore`] (a mutex around a map), for tests and single-process use.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<BTreeMap<String, StoredCheckpoint>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, StoredCheckpoint>> {
        // A panic while holding the lock cannot leave the map half-updated (every update is
        // a single insert), so a poisoned lock is still consistent.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl WitnessStore for MemoryStore {
    type Error = Infallible;

    fn latest(&self, origin: &str) -> Result<Option<StoredCheckpoint>, Infallible> {
        Ok(self.lock().get(origin).cloned())
    }

    fn update(
        &self,
        origin: &str,
        expected_old_size: u64,
        new_size: u64,
        new_root: Hash,
        note: &[u8],
    ) -> Result<(), UpdateError<Infallible>> {
        let mut map = self.lock();
        let current = map.get(origin);
        let stored_size = current.map_or(0, |c| c.size);
        let conflict = UpdateError::Conflict(Conflict { stored_size });
        if stored_size != expected_old_size || new_size < expected_old_size {
            return Err(conflict);
        }
        if new_size == stored_size {
            if let Some(c) = current {
                if c.root != new_root {
                    return Err(conflict);
                }
            }
        }
        map.insert(
            origin.to_owned(),
            StoredCheckpoint {
                size: new_size,
                root: new_root,
                note: note.to_vec(),
            },
        );
        Ok(())
    }
}

/// Evidence that a log presented a split view.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SplitViewEvidence {
    /// Two checkpoints of the same origin and size with different roots, both validly signed
    /// by the log. Conclusive on its own.
    SameSize {
        /// The checkpoint the witness had stored (signed note bytes).
        stored: Vec<u8>,
        /// The submitted checkpoint (signed note bytes).
        submitted: Vec<u8>,
    },
    /// A stored checkpoint and a larger submitted one whose consistency proof failed. This is
    /// what the spec's "MAY log the request" refers to; it becomes conclusive only if the log
    /// cannot produce any valid consistency proof between the two.
    FailedConsistency {
        /// The checkpoint the witness had stored (signed note bytes).
        older: Vec<u8>,
        /// The submitted checkpoint (signed note bytes).
        newer: Vec<u8>,
        /// The consistency proof that was submitted.
        proof: Vec<Hash>,
    },
}

/// Why a piece of split-view evidence does not stand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// One of the checkpoints does not parse or is not signed by the log.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The two checkpoints are from different logs.
    #[error("checkpoints have different origins")]
    DifferentOrigins,
    /// The checkpoints do not have the shape the evidence claims (sizes, roots).
    #[error("the checkpoints do not conflict: {0}")]
    NoConflict(&'static str),
}

impl SplitViewEvidence {
    /// Re-checks the evidence independently against the log's keys.
    pub fn check(&self, log_keys: &VerifierSet) -> Result<(), EvidenceError> {
        let load = |bytes: &[u8]| -> Result<SignedCheckpoint, EvidenceError> {
            let c = SignedCheckpoint::parse(bytes)?;
            c.verify(log_keys)?;
            Ok(c)
        };
        match self {
            Self::SameSize { stored, submitted } => {
                let (a, b) = (load(stored)?, load(submitted)?);
                let (a, b) = (a.checkpoint(), b.checkpoint());
                if a.origin() != b.origin() {
                    return Err(EvidenceError::DifferentOrigins);
                }
                if a.size() != b.size() {
                    return Err(EvidenceError::NoConflict("sizes differ"));
                }
                if a.root() == b.root() {
                    return Err(EvidenceError::NoConflict("roots are equal"));
                }
                Ok(())
            }
            Self::FailedConsistency {
                older,
                newer,
                proof,
            } => {
                let (a, b) = (load(older)?, load(newer)?);
                let (a, b) = (a.checkpoint(), b.checkpoint());
                if a.origin() != b.origin() {
                    return Err(EvidenceError::DifferentOrigins);
                }
                if a.size() == 0 || a.size() >= b.size() {
                    return Err(EvidenceError::NoConflict("sizes are not increasing"));
                }
                match merkle::verify_consistency(a.size(), b.size(), proof, a.root(), b.root()) {
                    Ok(()) => Err(EvidenceError::NoConflict("the proof verifies")),
                    Err(_) => Ok(()),
                }
            }
        }
    }
}

/// The decision on one `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<E> {
    /// 200: stored and cosigned; the body is the cosignature lines.
    Cosigned {
        /// The checkpoint's origin.
        origin: String,
        /// The new stored size.
        size: u64,
        /// The cosignature lines.
        cosignatures: Vec<NoteSignature>,
    },
    /// 400: malformed request, or old size larger than the checkpoint size.
    BadRequest(RequestError),
    /// 403: no signature from a trusted log key verifies.
    Forbidden {
        /// The checkpoint's origin.
        origin: String,
        /// Why.
        reason: VerifyError,
    },
    /// 404: the origin is not a configured log.
    UnknownLog {
        /// The checkpoint's origin.
        origin: String,
    },
    /// 409: the old size is not the stored size, or the same size has another root.
    Conflict {
        /// The checkpoint's origin.
        origin: String,
        /// The stored size, which is the response body.
        stored_size: u64,
        /// Evidence of a split view, if the conflict is one.
        evidence: Option<SplitViewEvidence>,
    },
    /// 422: the consistency proof does not verify.
    BadProof {
        /// The checkpoint's origin.
        origin: String,
        /// Why.
        reason: merkle::Error,
        /// The stored and submitted checkpoints with the failing proof.
        evidence: Option<SplitViewEvidence>,
    },
    /// 500: the store failed, or the witness could not sign.
    Internal(InternalError<E>),
}

/// A failure of the witness itself (500).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InternalError<E> {
    /// The store failed.
    #[error("storage: {0:?}")]
    Storage(E),
    /// Cosigning failed (for example a clock beyond `2^63 - 1`).
    #[error("cosigning: {0}")]
    Cosign(CosignatureError),
}

impl<E> Outcome<E> {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::Cosigned { .. } => 200,
            Self::BadRequest(_) => 400,
            Self::Forbidden { .. } => 403,
            Self::UnknownLog { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::BadProof { .. } => 422,
            Self::Internal(_) => 500,
        }
    }

    /// The `Content-Type` of the response.
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Conflict { .. } => SIZE_CONTENT_TYPE,
            _ => TEXT_CONTENT_TYPE,
        }
    }

    /// The response body. Error bodies other than 409 are a short reason; a server may
    /// replace them (the spec does not fix them), and must not reveal internal errors.
    pub fn body(&self) -> Vec<u8> {
        match self {
            Self::Cosigned { cosignatures, .. } => cosignatures
                .iter()
                .flat_map(|s| s.to_line().into_bytes())
                .collect(),
            Self::BadRequest(e) => format!("{e}\n").into_bytes(),
            Self::Forbidden { reason, .. } => format!("{reason}\n").into_bytes(),
            Self::UnknownLog { .. } => b"unknown log\n".to_vec(),
            Self::Conflict { stored_size, .. } => format!("{stored_size}\n").into_bytes(),
            Self::BadProof { reason, .. } => {
                format!("invalid consistency proof: {reason}\n").into_bytes()
            }
            Self::Internal(_) => b"internal error\n".to_vec(),
        }
    }

    /// Split-view evidence worth keeping, if any.
    pub fn evidence(&self) -> Option<&SplitViewEvidence> {
        match self {
            Self::Conflict { evidence, .. } | Self::BadProof { evidence, .. } => evidence.as_ref(),
            _ => None,
        }
    }
}

/// A witness: its cosigning key and the logs it witnesses (origin → trusted log keys).
#[derive(Debug, Clone)]
pub struct Witness {
    signer: CosignatureSigner,
    logs: BTreeMap<String, VerifierSet>,
}

impl Witness {
    /// A witness with no logs.
    pub fn new(signer: CosignatureSigner) -> Self {
        Self {
            signer,
            logs: BTreeMap::new(),
        }
    }

    /// Configures a log by its origin line and the keys trusted for it.
    pub fn add_log(&mut self, origin: &str, keys: VerifierSet) {
        self.logs.insert(origin.to_owned(), keys);
    }

    /// The cosigning key.
    pub fn signer(&self) -> &CosignatureSigner {
        &self.signer
    }

    /// Handles one `add-checkpoint` request body at time `now` (POSIX seconds).
    pub fn add_checkpoint<S: WitnessStore>(
        &self,
        store: &S,
        body: &[u8],
        now: u64,
    ) -> Outcome<S::Error> {
        let req = match AddCheckpointRequest::parse(body) {
            Ok(r) => r,
            Err(e) => return Outcome::BadRequest(e),
        };
        self.handle(store, &req, now)
    }

    /// Handles a parsed request.
    pub fn handle<S: WitnessStore>(
        &self,
        store: &S,
        req: &AddCheckpointRequest,
        now: u64,
    ) -> Outcome<S::Error> {
        let cp = req.checkpoint.checkpoint();
        let origin = cp.origin().to_owned();
        let Some(keys) = self.logs.get(&origin) else {
            return Outcome::UnknownLog { origin };
        };
        if let Err(reason) = req.checkpoint.note().verify(keys) {
            return Outcome::Forbidden { origin, reason };
        }
        let old = req.old_size;
        if old > cp.size() {
            return Outcome::BadRequest(RequestError::OldSizeTooLarge {
                old,
                size: cp.size(),
            });
        }
        let stored = match store.latest(&origin) {
            Ok(s) => s,
            Err(e) => return Outcome::Internal(InternalError::Storage(e)),
        };
        let stored_size = stored.as_ref().map_or(0, |s| s.size);
        if old != stored_size {
            return Outcome::Conflict {
                origin,
                stored_size,
                evidence: None,
            };
        }
        let submitted = req.checkpoint.note().to_bytes();
        match &stored {
            Some(s) if s.size == cp.size() => {
                if !req.proof.is_empty() {
                    return Outcome::BadProof {
                        origin,
                        reason: merkle::Error::WrongProofLength {
                            expected: 0,
                            got: req.proof.len(),
                        },
                        evidence: None,
                    };
                }
                if s.root != *cp.root() {
                    return Outcome::Conflict {
                        origin,
                        stored_size,
                        evidence: Some(SplitViewEvidence::SameSize {
                            stored: s.note.clone(),
                            submitted,
                        }),
                    };
                }
            }
            Some(s) if s.size > 0 => {
                if let Err(reason) =
                    merkle::verify_consistency(s.size, cp.size(), &req.proof, &s.root, cp.root())
                {
                    return Outcome::BadProof {
                        origin,
                        reason,
                        evidence: Some(SplitViewEvidence::FailedConsistency {
                            older: s.note.clone(),
                            newer: submitted,
                            proof: req.proof.clone(),
                        }),
                    };
                }
            }
            _ => {
                // old == 0: nothing to prove against, and the proof MUST be empty.
                if !req.proof.is_empty() {
                    return Outcome::BadProof {
                        origin,
                        reason: merkle::Error::WrongProofLength {
                            expected: 0,
                            got: req.proof.len(),
                        },
                        evidence: None,
                    };
                }
            }
        }
        // Sign before storing so that a signing failure leaves the state untouched; the
        // signature is released only after the store succeeded.
        let cosig = match self.signer.sign(req.checkpoint.note().text(), now) {
            Ok(c) => c,
            Err(e) => return Outcome::Internal(InternalError::Cosign(e)),
        };
        match store.update(&origin, old, cp.size(), *cp.root(), &submitted) {
            Ok(()) => Outcome::Cosigned {
                origin,
                size: cp.size(),
                cosignatures: vec![cosig],
            },
            Err(UpdateError::Conflict(c)) => Outcome::Conflict {
                origin,
                stored_size: c.stored_size,
                evidence: None,
            },
            Err(UpdateError::Storage(e)) => Outcome::Internal(InternalError::Storage(e)),
        }
    }
}

//! Validation of submitted entries before they are appended.
//!
//! The server checks what it can check alone: the envelope's format and signature, the
//! election fingerprint, that an external artefact was uploaded, and that the same envelope
//! is not appended twice (an identical resubmission is answered with the original index).
//! Everything that depends on the election — the ballot's shape and proofs, the ballot style
//! of the station, credentials, replays of the same ballot under another envelope — is the
//! job of an [`EntryValidator`], which the election wiring implements.
//!
//! The validator sees whole batches: the group-commit loop collects concurrent submissions
//! and hands them over together, so an implementation can verify proofs in one batched,
//! parallel pass and detect duplicates within the batch.

use std::collections::BTreeSet;

use crate::envelope::Envelope;

/// Why a validator refused an entry. The code is part of the HTTP API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The entry is invalid (shape, proofs, ballot style, …): 422 `invalid_entry`.
    #[error("invalid entry: {0}")]
    Invalid(String),
    /// The artefact was already recorded (a replayed or copied ballot): 409 `duplicate`.
    #[error("duplicate artefact")]
    Duplicate,
    /// The signer is not allowed to submit this kind: 403 `forbidden`.
    #[error("signer not authorised")]
    Unauthorised,
}

impl Rejection {
    /// The HTTP status and stable error code.
    pub fn status_code(&self) -> (u16, &'static str) {
        match self {
            Self::Invalid(_) => (422, "invalid_entry"),
            Self::Duplicate => (409, "duplicate"),
            Self::Unauthorised => (403, "forbidden"),
        }
    }
}

/// Read access to the committed log, for validators that need history.
pub trait LogView {
    /// Whether an entry committing to this artefact hash is already in the log.
    fn contains_content(&self, content_hash: &[u8; 32]) -> Result<bool, String>;

    /// An artefact stored beside the log (uploaded with `PUT /artefact`), by its SHA-256:
    /// what an entry without inline body commits to. `None` when it is not stored.
    fn artefact(&self, content_hash: &[u8; 32]) -> Result<Option<Vec<u8>>, String> {
        let _ = content_hash;
        Ok(None)
    }
}

/// Decides whether each entry of a batch may be appended.
pub trait EntryValidator: Send + Sync + 'static {
    /// Returns one verdict per entry, in order. `log` reflects every committed entry; the
    /// entries of `batch` are not in it yet, so duplicates within the batch are the
    /// validator's to find. An `Err` from `log` must be turned into an `Err` of this
    /// function, which stops the server (it never guesses).
    #[allow(clippy::type_complexity)]
    fn validate_batch(
        &self,
        batch: &[&Envelope],
        log: &dyn LogView,
    ) -> Result<Vec<Result<(), Rejection>>, String>;
}

/// A validator for tests and benchmarks: accepts any envelope whose kind is in its list,
/// and refuses a second envelope committing to an artefact already in the log or earlier in
/// the batch (as a replayed ballot would be). It does no ballot cryptography.
#[derive(Debug, Clone)]
pub struct TestValidator {
    kinds: BTreeSet<String>,
}

impl TestValidator {
    /// Accepts the given kinds.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(kinds: I) -> Self {
        Self {
            kinds: kinds.into_iter().map(Into::into).collect(),
        }
    }
}

impl Default for TestValidator {
    fn default() -> Self {
        Self::new(["ballot", "manifest", "artefact"])
    }
}

impl EntryValidator for TestValidator {
    fn validate_batch(
        &self,
        batch: &[&Envelope],
        log: &dyn LogView,
    ) -> Result<Vec<Result<(), Rejection>>, String> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(batch.len());
        for e in batch {
            if !self.kinds.contains(e.kind()) {
                out.push(Err(Rejection::Invalid(format!(
                    "kind {:?} is not accepted",
                    e.kind()
                ))));
                continue;
            }
            let h = e.content_hash();
            if !seen.insert(h) || log.contains_content(&h)? {
                out.push(Err(Rejection::Duplicate));
                continue;
            }
            out.push(Ok(()));
        }
        Ok(out)
    }
}

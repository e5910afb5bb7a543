//! C2SP tlog-cosignature v1.0.1, the Ed25519 `cosignature/v1` type (signature type `0x04`),
//! and k-of-n witness quorums.
//!
//! A cosignature is a signed-note signature line whose signature bytes are a
//! `timestamped_signature`: the timestamp (u64, big-endian, POSIX seconds, at most
//! `2^63 - 1`) followed by a 64-byte Ed25519 signature over
//!
//! ```text
//! cosignature/v1\n
//! time <timestamp in decimal>\n
//! <checkpoint note text, including its final newline>
//! ```
//!
//! The key ID is `SHA-256(name || 0x0A || 0x04 || public key)[:4]`.
//!
//! Time is an input: [`CosignatureSigner::sign`] takes the timestamp, and the quorum check
//! takes the caller's notion of "now" to refuse cosignatures from the future.

use core::fmt;
use std::collections::BTreeMap;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::signed_note::{
    KeyId, KeyName, Note, NoteError, NoteSignature, TYPE_COSIGNATURE_V1, Verifier, check_text,
};

/// The header line of the signed message, without its newline.
pub const HEADER: &str = "cosignature/v1";

/// Length of a `cosignature/v1` signature blob after the key ID: timestamp (8) + Ed25519 (64).
pub const SIGNATURE_LEN: usize = 8 + 64;

/// Largest timestamp allowed by the spec (`2^63 - 1`).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// The exact message a `cosignature/v1` signs: `cosignature/v1\ntime <t>\n<text>`.
pub fn signed_message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    format!("{HEADER}\ntime {timestamp}\n{checkpoint_text}").into_bytes()
}

/// Errors of cosigning and of quorum checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignatureError {
    /// The timestamp exceeds `2^63 - 1`.
    #[error("timestamp {0} exceeds 2^63 - 1")]
    TimestampTooLarge(u64),
    /// The text to cosign is not a valid note text.
    #[error("invalid checkpoint text: {0}")]
    InvalidText(#[from] NoteError),
    /// The cosigned note is not a checkpoint.
    #[error("cosigned note is not a checkpoint: {0}")]
    NotACheckpoint(#[from] CheckpointError),
    /// A quorum policy was asked for `k` signatures out of fewer than `k` witnesses, or `k = 0`.
    #[error("quorum threshold {threshold} is not within 1..={witnesses}")]
    InvalidThreshold {
        /// The threshold k.
        threshold: usize,
        /// The number of witnesses n.
        witnesses: usize,
    },
    /// A witness of the policy signed, but its cosignature does not verify.
    #[error("cosignature by witness {name} ({id}) does not verify")]
    BadCosignature {
        /// The witness name.
        name: KeyName,
        /// The witness key ID.
        id: KeyId,
    },
    /// A witness's cosignature carries a timestamp later than the caller's clock allows.
    #[error("cosignature by witness {name} is dated {timestamp}, after {now}")]
    FromTheFuture {
        /// The witness name.
        name: KeyName,
        /// The cosignature's timestamp.
        timestamp: u64,
        /// The caller's time limit.
        now: u64,
    },
    /// Fewer than `k` distinct witnesses cosigned.
    #[error("only {got} of the required {threshold} witnesses cosigned")]
    QuorumNotReached {
        /// Distinct witnesses with a valid cosignature.
        got: usize,
        /// The threshold k.
        threshold: usize,
    },
}

/// A `cosignature/v1` (type `0x04`) verifier for one witness key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: KeyName,
    id: KeyId,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// A verifier for the witness `name` with Ed25519 public key `key`.
    pub fn new(name: KeyName, key: VerifyingKey) -> Self {
        let id = KeyId::compute(&name, TYPE_COSIGNATURE_V1, key.as_bytes());
        Self { name, id, key }
    }

    /// The witness name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The public key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Verifies a cosignature blob (after the key ID) over a checkpoint note text and returns
    /// its timestamp.
    pub fn verify_text(&self, text: &[u8], signature: &[u8]) -> Option<u64> {
        if signature.len() != SIGNATURE_LEN {
            return None;
        }
        let (ts, sig) = signature.split_at(8);
        let timestamp = u64::from_be_bytes(<[u8; 8]>::try_from(ts).ok()?);
        if timestamp > MAX_TIMESTAMP {
            return None;
        }
        let sig = ed25519_dalek::Signature::from_bytes(&<[u8; 64]>::try_from(sig).ok()?);
        let text = core::str::from_utf8(text).ok()?;
        let msg = signed_message(text, timestamp);
        self.key.verify_strict(&msg, &sig).ok().map(|()| timestamp)
    }
}

/// A `cosignature/v1` signer (a witness's key). `Debug` shows only the public part; the
/// secret key is zeroized on drop by `ed25519-dalek`.
#[derive(Clone)]
pub struct CosignatureSigner {
    name: KeyName,
    id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosignatureSigner")
            .field("name", &self.name)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl CosignatureSigner {
    /// A signer from a 32-byte RFC 8032 seed.
    pub fn from_seed(name: KeyName, seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let id = KeyId::compute(&name, TYPE_COSIGNATURE_V1, key.verifying_key().as_bytes());
        Self { name, id, key }
    }

    /// The witness name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Verifier {
        Verifier::CosignatureV1(CosignatureVerifier::new(
            self.name.clone(),
            self.key.verifying_key(),
        ))
    }

    /// Cosigns a checkpoint note text at `timestamp` (POSIX seconds).
    pub fn sign(
        &self,
        checkpoint_text: &str,
        timestamp: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampTooLarge(timestamp));
        }
        check_text(checkpoint_text)?;
        let sig = self.key.sign(&signed_message(checkpoint_text, timestamp));
        let mut blob = Vec::with_capacity(SIGNATURE_LEN);
        blob.extend_from_slice(&timestamp.to_be_bytes());
        blob.extend_from_slice(&sig.to_bytes());
        Ok(NoteSignature::new(self.name.clone(), self.id, blob)?)
    }
}

/// A k-of-n witness policy: a checkpoint is accepted once `threshold` distinct witnesses of
/// the list have cosigned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumPolicy {
    witnesses: BTreeMap<(KeyName, KeyId), CosignatureVerifier>,
    threshold: usize,
}

/// The outcome of a successful quorum check: which witnesses cosigned, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quorum {
    /// Witness name → timestamp of its cosignature.
    pub cosigners: BTreeMap<KeyName, u64>,
}

impl QuorumPolicy {
    /// A policy of `threshold` out of `witnesses` (distinct names; a later duplicate name
    /// replaces an earlier one).
    pub fn new(
        witnesses: impl IntoIterator<Item = CosignatureVerifier>,
        threshold: usize,
    ) -> Result<Self, CosignatureError> {
        let mut by_name: BTreeMap<KeyName, CosignatureVerifier> = BTreeMap::new();
        for w in witnesses {
            by_name.insert(w.name.clone(), w);
        }
        if threshold == 0 || threshold > by_name.len() {
            return Err(CosignatureError::InvalidThreshold {
                threshold,
                witnesses: by_name.len(),
            });
        }
        let witnesses = by_name
            .into_values()
            .map(|w| ((w.name.clone(), w.id), w))
            .collect();
        Ok(Self {
            witnesses,
            threshold,
        })
    }

    /// The threshold k.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// Number of witnesses n.
    pub fn len(&self) -> usize {
        self.witnesses.len()
    }

    /// Whether the policy has no witnesses (never true for a constructed policy).
    pub fn is_empty(&self) -> bool {
        self.witnesses.is_empty()
    }

    /// Checks the cosignatures on a checkpoint note. Signatures from keys outside the policy
    /// are ignored; a failing cosignature from a policy witness rejects the note (as
    /// signed-note recommends); cosignatures dated after `now` are refused.
    ///
    /// This does not check the log's own signature: do that with [`Note::verify`] and the
    /// log's key.
    pub fn check(&self, note: &Note, now: u64) -> Result<Quorum, CosignatureError> {
        // The text must be a checkpoint for the quorum to mean anything.
        Checkpoint::parse(note.text())?;
        let mut cosigners: BTreeMap<KeyName, u64> = BTreeMap::new();
        for sig in note.signatures() {
            let Some(w) = self.witnesses.get(&(sig.name().clone(), sig.id())) else {
                continue;
            };
            let Some(timestamp) = w.verify_text(note.text().as_bytes(), sig.signature()) else {
                return Err(CosignatureError::BadCosignature {
                    name: w.name.clone(),
                    id: w.id,
                });
            };
            if timestamp > now {
                return Err(CosignatureError::FromTheFuture {
                    name: w.name.clone(),
                    timestamp,
                    now,
                });
            }
            cosigners.insert(w.name.clone(), timestamp);
        }
        // One entry per witness name: duplicate lines of one witness count once.
        if cosigners.len() < self.threshold {
            return Err(CosignatureError::QuorumNotReached {
                got: cosigners.len(),
                threshold: self.threshold,
            });
        }
        Ok(Quorum { cosigners })
    }
}

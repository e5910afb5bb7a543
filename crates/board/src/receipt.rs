//! Voter receipts (`docs/spec/board-server.md` §5): an entry, its index, its inclusion proof
//! and a witness-cosigned checkpoint, checkable offline.
//!
//! ```text
//! sanduq-receipt/v1\n
//! index <decimal index>\n
//! entry <standard base64 of the envelope bytes>\n
//! <standard base64 of one proof hash>\n        (0 to 64 lines, leaf to root)
//! \n
//! <signed checkpoint note: text, empty line, signature lines>
//! ```
//!
//! Decimals have no leading zeros; base64 is canonical (padded, no whitespace). The tree size
//! comes from the signed checkpoint, never from the receipt's own fields.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sanduq_tlog::checkpoint::{CheckpointError, SignedCheckpoint};
use sanduq_tlog::cosignature::{CosignatureError, Quorum, QuorumPolicy};
use sanduq_tlog::merkle::{self, Hash};
use sanduq_tlog::signed_note::{MAX_NOTE_LEN, VerifierSet, VerifyError};

use crate::envelope::{Envelope, EnvelopeError, MAX_ENVELOPE_LEN, TrackingCode};

/// First line of a receipt.
pub const HEADER: &str = "sanduq-receipt/v1";

/// Most proof lines (an inclusion proof in a tree of up to 2^64 leaves).
pub const MAX_PROOF_LINES: usize = 64;

/// Largest receipt file.
pub const MAX_RECEIPT_LEN: usize = HEADER.len()
    + 1
    + 27
    + 6
    + MAX_ENVELOPE_LEN.div_ceil(3) * 4
    + 1
    + MAX_PROOF_LINES * 45
    + 1
    + MAX_NOTE_LEN;

/// Why bytes are not a receipt. Line numbers are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Longer than [`MAX_RECEIPT_LEN`].
    #[error("receipt is {0} bytes, more than {MAX_RECEIPT_LEN}")]
    TooLong(usize),
    /// A line is missing or malformed.
    #[error("line {line}: {reason}")]
    Line {
        /// The line.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {MAX_PROOF_LINES} proof lines")]
    TooManyProofLines,
    /// The checkpoint note is malformed.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
}

/// Why a well-formed receipt does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The entry is not a valid envelope.
    #[error("entry: {0}")]
    Entry(#[from] EnvelopeError),
    /// The checkpoint is not signed by the log key.
    #[error("checkpoint is not signed by the log key: {0}")]
    LogSignature(VerifyError),
    /// The checkpoint's origin is not the log key's name.
    #[error("checkpoint origin {origin:?} is not the log key name {key:?}")]
    Origin {
        /// The origin line.
        origin: String,
        /// The log key's name.
        key: String,
    },
    /// Too few valid witness cosignatures, or a bad one.
    #[error("witness quorum: {0}")]
    Quorum(CosignatureError),
    /// The inclusion proof does not lead to the checkpoint's root.
    #[error("inclusion proof of entry {index} in tree of size {size}: {reason}")]
    Inclusion {
        /// The entry index.
        index: u64,
        /// The checkpoint size.
        size: u64,
        /// Why.
        reason: merkle::Error,
    },
}

/// A parsed receipt (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The entry's index in the log.
    pub index: u64,
    /// The entry (envelope bytes).
    pub entry: Vec<u8>,
    /// The inclusion proof, leaf to root.
    pub proof: Vec<Hash>,
    /// The cosigned checkpoint.
    pub checkpoint: SignedCheckpoint,
}

/// What a verified receipt establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The tracking code of the entry.
    pub tracking_code: TrackingCode,
    /// Its index.
    pub index: u64,
    /// The checkpoint size the entry is proven in.
    pub size: u64,
    /// The witnesses that cosigned, with their timestamps.
    pub quorum: Quorum,
}

fn canonical_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

fn canonical_b64(s: &str) -> Option<Vec<u8>> {
    let v = B64.decode(s).ok()?;
    (B64.encode(&v) == s).then_some(v)
}

impl Receipt {
    /// Parses a receipt file.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.len() > MAX_RECEIPT_LEN {
            return Err(ParseError::TooLong(bytes.len()));
        }
        let mut rest = bytes;
        let mut line_no = 0usize;
        let mut next = |reason: &'static str| -> Result<(usize, &str), ParseError> {
            line_no += 1;
            let line = line_no;
            let pos = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or(ParseError::Line { line, reason })?;
            let (l, tail) = rest.split_at(pos);
            rest = tail.get(1..).unwrap_or_default();
            let l = core::str::from_utf8(l).map_err(|_| ParseError::Line { line, reason })?;
            Ok((line, l))
        };
        let (line, h) = next("missing header")?;
        if h != HEADER {
            return Err(ParseError::Line {
                line,
                reason: "header is not sanduq-receipt/v1",
            });
        }
        let (line, l) = next("missing index line")?;
        let index =
            l.strip_prefix("index ")
                .and_then(canonical_decimal)
                .ok_or(ParseError::Line {
                    line,
                    reason: "not `index <decimal>`",
                })?;
        let (line, l) = next("missing entry line")?;
        let entry = l
            .strip_prefix("entry ")
            .and_then(canonical_b64)
            .filter(|e| e.len() <= MAX_ENVELOPE_LEN)
            .ok_or(ParseError::Line {
                line,
                reason: "not `entry <base64>` of at most 65,535 bytes",
            })?;
        let mut proof = Vec::new();
        loop {
            let (line, l) = next("no empty line before the checkpoint")?;
            if l.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(ParseError::TooManyProofLines);
            }
            let h = canonical_b64(l)
                .and_then(|v| Hash::from_slice(&v).ok())
                .ok_or(ParseError::Line {
                    line,
                    reason: "proof line is not the base64 of 32 bytes",
                })?;
            proof.push(h);
        }
        let checkpoint = SignedCheckpoint::parse(rest)?;
        Ok(Self {
            index,
            entry,
            proof,
            checkpoint,
        })
    }

    /// The exact receipt bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "{HEADER}\nindex {}\nentry {}\n",
            self.index,
            B64.encode(&self.entry)
        )
        .into_bytes();
        for h in &self.proof {
            out.extend_from_slice(B64.encode(h.0).as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.checkpoint.note().to_bytes());
        out
    }

    /// Verifies the receipt offline: the entry is a valid envelope; the checkpoint is signed
    /// by the log key (whose name is the origin) and cosigned by a quorum of witnesses at or
    /// before `now`; the inclusion proof leads from the entry to the checkpoint's root.
    pub fn verify(
        &self,
        log_key: &sanduq_tlog::signed_note::Verifier,
        witnesses: &QuorumPolicy,
        now: u64,
    ) -> Result<VerifiedReceipt, CheckError> {
        let envelope = Envelope::parse(&self.entry)?;
        let cp = self.checkpoint.checkpoint();
        if cp.origin() != log_key.name().as_str() {
            return Err(CheckError::Origin {
                origin: cp.origin().to_owned(),
                key: log_key.name().as_str().to_owned(),
            });
        }
        let keys: VerifierSet = core::iter::once(log_key.clone()).collect();
        self.checkpoint
            .note()
            .verify(&keys)
            .map_err(CheckError::LogSignature)?;
        let quorum = witnesses
            .check(self.checkpoint.note(), now)
            .map_err(CheckError::Quorum)?;
        let size = cp.size();
        merkle::verify_inclusion(
            self.index,
            size,
            &envelope.leaf_hash(),
            &self.proof,
            cp.root(),
        )
        .map_err(|reason| CheckError::Inclusion {
            index: self.index,
            size,
            reason,
        })?;
        Ok(VerifiedReceipt {
            tracking_code: envelope.tracking_code(),
            index: self.index,
            size,
            quorum,
        })
    }
}

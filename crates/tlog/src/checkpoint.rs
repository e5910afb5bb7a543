//! C2SP tlog-checkpoint v1.0.0: the note text of a signed tree head.
//!
//! ```text
//! <origin>\n
//! <tree size, decimal, no leading zeroes>\n
//! <base64 root hash>\n
//! [<extension line>\n ...]
//! ```
//!
//! The origin must be non-empty (the spec only RECOMMENDS a schema-less URL, so any
//! non-empty line is accepted); the root hash is the base64 of a 32-byte RFC 6962 SHA-256
//! root; extension lines, if any, are non-empty and kept verbatim.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::merkle::Hash;
use crate::signed_note::{Note, NoteError, VerifiedNote, VerifierSet, VerifyError, check_text};

/// Errors of checkpoint parsing, naming the offending line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The text is not valid note text (control characters, no final newline, too long).
    #[error("checkpoint text: {0}")]
    Text(#[from] NoteError),
    /// Fewer than three lines.
    #[error("checkpoint has {lines} lines, needs at least 3")]
    TooFewLines {
        /// The number of lines present.
        lines: usize,
    },
    /// Line 1, the origin, is empty.
    #[error("line 1: empty origin")]
    EmptyOrigin,
    /// Line 2 is not a canonical decimal tree size.
    #[error("line 2: tree size {0:?} is not a decimal without leading zeroes that fits 64 bits")]
    BadSize(String),
    /// Line 3 is not the canonical base64 of 32 bytes.
    #[error("line 3: root hash {0:?} is not the standard base64 of 32 bytes")]
    BadRootHash(String),
    /// An extension line is empty.
    #[error("line {line}: empty extension line")]
    EmptyExtension {
        /// 1-based line number.
        line: usize,
    },
    /// An origin or extension line given to a constructor contains a newline.
    #[error("origin and extension lines must not contain newlines")]
    MultilineField,
    /// The note's signatures do not verify.
    #[error("checkpoint signature: {0}")]
    Verify(#[from] VerifyError),
}

/// A parsed checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

/// Parses a decimal `u64` with no sign, no leading zeroes (except `0` itself).
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// Parses the canonical standard base64 of a 32-byte hash.
pub(crate) fn parse_hash_b64(s: &str) -> Option<Hash> {
    let bytes = B64.decode(s).ok()?;
    Hash::from_slice(&bytes).ok()
}

impl Checkpoint {
    /// A checkpoint without extension lines. The origin must be a non-empty single line.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        Self::with_extensions(origin, size, root, Vec::new())
    }

    /// A checkpoint with extension lines.
    pub fn with_extensions(
        origin: &str,
        size: u64,
        root: Hash,
        extensions: Vec<String>,
    ) -> Result<Self, CheckpointError> {
        let c = Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        };
        // Round-trip through the parser so that only representable values exist.
        let parsed = Self::parse(&c.to_text())?;
        if parsed != c {
            return Err(CheckpointError::MultilineField);
        }
        Ok(parsed)
    }

    /// Parses a checkpoint note text (including its final newline).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        check_text(text)?;
        let body = text.strip_suffix('\n').ok_or(NoteError::MissingNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let (origin, size, root, ext) = match lines.as_slice() {
            [o, s, r, ext @ ..] => (*o, *s, *r, ext),
            _ => return Err(CheckpointError::TooFewLines { lines: lines.len() }),
        };
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let size = parse_decimal(size).ok_or_else(|| CheckpointError::BadSize(size.into()))?;
        let root = parse_hash_b64(root).ok_or_else(|| CheckpointError::BadRootHash(root.into()))?;
        let mut extensions = Vec::with_capacity(ext.len());
        for (i, e) in ext.iter().enumerate() {
            if e.is_empty() {
                return Err(CheckpointError::EmptyExtension { line: i + 4 });
            }
            extensions.push((*e).to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash.
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The note text, including the final newline.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root.0)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }
}

/// A signed checkpoint: the note and its parsed body. Not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    note: Note,
    checkpoint: Checkpoint,
}

impl SignedCheckpoint {
    /// Parses a signed checkpoint note from its exact bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let note = Note::parse(bytes)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(Self { note, checkpoint })
    }

    /// Wraps an already-parsed note.
    pub fn from_note(note: Note) -> Result<Self, CheckpointError> {
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(Self { note, checkpoint })
    }

    /// The note.
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// The checkpoint body.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Verifies the note's signatures against the trusted keys.
    pub fn verify(&self, keys: &VerifierSet) -> Result<VerifiedNote, CheckpointError> {
        Ok(self.note.verify(keys)?)
    }
}

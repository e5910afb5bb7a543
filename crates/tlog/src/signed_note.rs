//! C2SP signed-note v1.0.0: notes, signature lines, verifier keys, Ed25519 signing and
//! verification.
//!
//! A note is a UTF-8 text ending in a newline, one blank line, then one or more signature
//! lines `— <key name> base64(key ID || signature)\n` (`—` is U+2014). The text is separated
//! from the signatures by the **last** blank line, so the text itself may contain blank lines.
//!
//! Verification follows the spec's rules: signatures whose (key name, key ID) pair is unknown
//! are ignored, a signature from a known key that fails rejects the whole note, and a note
//! with no verified signature is rejected. A [`VerifiedNote`] can only be obtained from
//! [`Note::verify`].
//!
//! Two signature types are supported: `0x01` Ed25519 note signatures and `0x04`
//! timestamped Ed25519 cosignatures ([`crate::cosignature`]).

use core::fmt;
use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::cosignature::CosignatureVerifier;

/// Largest note (text plus signatures) accepted, in bytes. The spec asks verifiers to bound
/// the size and to accept at least 16 signatures of up to ~5 kB each; 1 MiB covers that.
pub const MAX_NOTE_LEN: usize = 1 << 20;

/// Largest number of signature lines accepted in one note (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Largest key name, in bytes (the `opaque <1..2^8-1>` bound that tlog-cosignature uses).
pub const MAX_KEY_NAME_LEN: usize = 255;

/// Smallest decoded signature blob: a 4-byte key ID and at least one signature byte.
pub const MIN_SIGNATURE_BLOB_LEN: usize = 5;

/// Signature type byte of Ed25519 note signatures (signed-note §"Signature types").
pub const TYPE_ED25519: u8 = 0x01;

/// Signature type byte of timestamped Ed25519 cosignatures (tlog-cosignature).
pub const TYPE_COSIGNATURE_V1: u8 = 0x04;

/// The em dash and space that start every signature line.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Errors of parsing and building notes, key names and keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is longer than [`MAX_NOTE_LEN`].
    #[error("note is {len} bytes, more than the limit of {MAX_NOTE_LEN}")]
    TooLong {
        /// The note's length.
        len: usize,
    },
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8 (at byte {at})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        at: usize,
    },
    /// The note contains an ASCII control character other than newline.
    #[error("note contains control character {byte:#04x} at byte {at}")]
    ControlCharacter {
        /// The character.
        byte: u8,
        /// Its offset.
        at: usize,
    },
    /// No blank line separates text from signatures.
    #[error("note has no blank line before its signatures")]
    NoSeparator,
    /// The note text or the signature block does not end in a newline, or is empty.
    #[error("note text and signature block must be non-empty and end in a newline")]
    MissingNewline,
    /// A note must carry at least one signature line.
    #[error("note has no signature lines")]
    NoSignatures,
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("note has {count} signatures, more than the limit of {MAX_SIGNATURES}")]
    TooManySignatures {
        /// The number of signature lines.
        count: usize,
    },
    /// A signature line is malformed.
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignatureLine {
        /// 1-based number of the line within the signature block.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A key name is empty, too long, or contains a space or `+`.
    #[error("invalid key name {name:?}: {reason}")]
    InvalidKeyName {
        /// The rejected name (lossy).
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A verifier key string (`name+hexid+base64`) is malformed.
    #[error("invalid verifier key: {reason}")]
    InvalidVerifierKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// A signing key string is malformed.
    #[error("invalid signing key: {reason}")]
    InvalidSigningKey {
        /// What is wrong.
        reason: &'static str,
    },
}

/// Errors of verifying a note against trusted keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A signature from a known key failed to verify; the whole note is rejected.
    #[error("signature by known key {name} ({id}) does not verify")]
    BadSignature {
        /// The key's name.
        name: KeyName,
        /// The key's ID.
        id: KeyId,
    },
    /// No signature from a known key is present.
    #[error("note carries no signature from a known key")]
    NoKnownSignature,
}

/// A validated key name: non-empty, at most [`MAX_KEY_NAME_LEN`] bytes, no Unicode space,
/// no `+`, no control character.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyName(String);

impl KeyName {
    /// Validates a key name.
    pub fn new(name: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::InvalidKeyName {
            name: name.chars().take(MAX_KEY_NAME_LEN).collect(),
            reason,
        };
        if name.is_empty() {
            return Err(bad("empty"));
        }
        if name.len() > MAX_KEY_NAME_LEN {
            return Err(bad("too long"));
        }
        if name.chars().any(char::is_whitespace) {
            return Err(bad("contains a space"));
        }
        if name.contains('+') {
            return Err(bad("contains '+'"));
        }
        if name.chars().any(char::is_control) {
            return Err(bad("contains a control character"));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyName({:?})", self.0)
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 32-bit key ID (big-endian on the wire).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; 4]);

impl KeyId {
    /// The RECOMMENDED key ID: `SHA-256(name || 0x0A || type || public key)[:4]`.
    pub fn compute(name: &KeyName, sig_type: u8, public_key: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(name.as_str().as_bytes());
        h.update([b'\n', sig_type]);
        h.update(public_key);
        let d = h.finalize();
        let mut id = [0u8; 4];
        for (dst, src) in id.iter_mut().zip(d.iter()) {
            *dst = *src;
        }
        Self(id)
    }

    /// Parses exactly 8 lower-case hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        if s.len() != 8 {
            return None;
        }
        let mut id = [0u8; 4];
        for (i, out) in id.iter_mut().enumerate() {
            let pair = s.get(2 * i..2 * i + 2)?;
            if !pair
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            {
                return None;
            }
            *out = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(Self(id))
    }
}

impl fmt::Display for KeyId {
    /// Eight lower-case hex digits, as in verifier keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// One signature line: key name, key ID and the signature bytes after the key ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    name: KeyName,
    id: KeyId,
    signature: Vec<u8>,
}

impl NoteSignature {
    /// Builds a signature line from its parts (`signature` must be non-empty).
    pub fn new(name: KeyName, id: KeyId, signature: Vec<u8>) -> Result<Self, NoteError> {
        if signature.is_empty() {
            return Err(NoteError::MalformedSignatureLine {
                line: 0,
                reason: "empty signature",
            });
        }
        Ok(Self {
            name,
            id,
            signature,
        })
    }

    /// Parses one line without its final newline: `— <name> <base64>`.
    /// `line` is the 1-based line number used in errors.
    pub fn parse_line(text: &str, line: usize) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::MalformedSignatureLine { line, reason };
        let rest = text
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or_else(|| bad("does not start with an em dash and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| bad("no space between key name and signature"))?;
        let name = KeyName::new(name).map_err(|_| bad("invalid key name"))?;
        let blob = B64
            .decode(b64)
            .map_err(|_| bad("signature is not canonical standard base64"))?;
        if blob.len() < MIN_SIGNATURE_BLOB_LEN {
            return Err(bad("signature shorter than 5 bytes"));
        }
        let (id, sig) = blob.split_at(4);
        let id = <[u8; 4]>::try_from(id).map_err(|_| bad("signature shorter than 5 bytes"))?;
        Ok(Self {
            name,
            id: KeyId(id),
            signature: sig.to_vec(),
        })
    }

    /// The key name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The signature bytes (after the key ID).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The line, including the final newline.
    pub fn to_line(&self) -> String {
        let mut blob = Vec::with_capacity(4 + self.signature.len());
        blob.extend_from_slice(&self.id.0);
        blob.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, B64.encode(blob))
    }
}

/// A parsed, not yet verified, signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// Checks the whole-note byte rules (size, UTF-8, control characters).
fn check_note_bytes(bytes: &[u8]) -> Result<&str, NoteError> {
    if bytes.len() > MAX_NOTE_LEN {
        return Err(NoteError::TooLong { len: bytes.len() });
    }
    let s = core::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 {
        at: e.valid_up_to(),
    })?;
    if let Some((at, &byte)) = bytes
        .iter()
        .enumerate()
        .find(|&(_, &b)| b < 0x20 && b != b'\n')
    {
        return Err(NoteError::ControlCharacter { byte, at });
    }
    Ok(s)
}

/// Checks a note text: valid as note content and ending in a newline.
pub fn check_text(text: &str) -> Result<(), NoteError> {
    check_note_bytes(text.as_bytes())?;
    if !text.ends_with('\n') {
        return Err(NoteError::MissingNewline);
    }
    Ok(())
}

impl Note {
    /// Builds a note from a text and at least one signature.
    pub fn new(text: String, signatures: Vec<NoteSignature>) -> Result<Self, NoteError> {
        check_text(&text)?;
        if signatures.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        if signatures.len() > MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                count: signatures.len(),
            });
        }
        let note = Self { text, signatures };
        let len = note.encoded_len();
        if len > MAX_NOTE_LEN {
            return Err(NoteError::TooLong { len });
        }
        Ok(note)
    }

    /// Parses a signed note from its exact bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        let s = check_note_bytes(bytes)?;
        let split = s.rfind("\n\n").ok_or(NoteError::NoSeparator)?;
        let text = s.get(..=split).ok_or(NoteError::NoSeparator)?;
        let sigs = s.get(split + 2..).ok_or(NoteError::NoSeparator)?;
        if sigs.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        let Some(body) = sigs.strip_suffix('\n') else {
            return Err(NoteError::MissingNewline);
        };
        let mut signatures = Vec::new();
        for (i, line) in body.split('\n').enumerate() {
            if i >= MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures {
                    count: body.split('\n').count(),
                });
            }
            signatures.push(NoteSignature::parse_line(line, i + 1)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line (for example a witness cosignature).
    pub fn push_signature(&mut self, sig: NoteSignature) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                count: self.signatures.len() + 1,
            });
        }
        self.signatures.push(sig);
        Ok(())
    }

    fn encoded_len(&self) -> usize {
        self.text.len()
            + 1
            + self
                .signatures
                .iter()
                .map(|s| {
                    SIGNATURE_PREFIX.len()
                        + s.name.0.len()
                        + 2
                        + (4 + s.signature.len()).div_ceil(3) * 4
                })
                .sum::<usize>()
    }

    /// The exact bytes of the note: text, blank line, signature lines.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.encoded_len());
        out.push_str(&self.text);
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.to_line());
        }
        out.into_bytes()
    }

    /// Verifies the note against a set of trusted keys (signed-note §"Signatures").
    pub fn verify(&self, keys: &VerifierSet) -> Result<VerifiedNote, VerifyError> {
        let mut verified: Vec<VerifiedSignature> = Vec::new();
        for sig in &self.signatures {
            let Some(key) = keys.get(&sig.name, sig.id) else {
                continue;
            };
            match key.verify(self.text.as_bytes(), &sig.signature) {
                Some(v) => {
                    if !verified.iter().any(|x| x.name == v.name && x.id == v.id) {
                        verified.push(v);
                    }
                }
                None => {
                    return Err(VerifyError::BadSignature {
                        name: sig.name.clone(),
                        id: sig.id,
                    });
                }
            }
        }
        if verified.is_empty() {
            return Err(VerifyError::NoKnownSignature);
        }
        Ok(VerifiedNote {
            note: self.clone(),
            verified,
        })
    }
}

/// A signature that verified under a trusted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The key's name.
    pub name: KeyName,
    /// The key's ID.
    pub id: KeyId,
    /// The signature type byte of the key.
    pub sig_type: u8,
    /// For cosignatures, the timestamp the cosigner attested (POSIX seconds).
    pub timestamp: Option<u64>,
}

/// A note with at least one verified signature. Only [`Note::verify`] creates one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    note: Note,
    verified: Vec<VerifiedSignature>,
}

impl VerifiedNote {
    /// The note.
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// The note text.
    pub fn text(&self) -> &str {
        &self.note.text
    }

    /// The signatures that verified (one per key).
    pub fn verified(&self) -> &[VerifiedSignature] {
        &self.verified
    }
}

/// An Ed25519 (type `0x01`) note verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519Verifier {
    name: KeyName,
    id: KeyId,
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// A verifier for `key` under `name`, with the RECOMMENDED key ID.
    pub fn new(name: KeyName, key: VerifyingKey) -> Self {
        let id = KeyId::compute(&name, TYPE_ED25519, key.as_bytes());
        Self { name, id, key }
    }

    /// The key name.
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

    /// Verifies an Ed25519 signature over the note text (strict RFC 8032 checks).
    pub fn verify_text(&self, text: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(&bytes);
        self.key.verify_strict(text, &sig).is_ok()
    }
}

/// A trusted key of any supported signature type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verifier {
    /// An Ed25519 note key (type `0x01`), used by logs.
    Ed25519(Ed25519Verifier),
    /// A `cosignature/v1` key (type `0x04`), used by witnesses.
    CosignatureV1(CosignatureVerifier),
}

impl Verifier {
    /// Parses a verifier key `<name>+<hex key ID>+<base64(type || public key)>`.
    /// The key ID must equal the RECOMMENDED one computed from the key.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::InvalidVerifierKey { reason };
        let vkey = vkey.strip_suffix('\n').unwrap_or(vkey);
        // The name has no '+', the hex ID neither; base64 may contain '+'.
        let (name, rest) = vkey.split_once('+').ok_or_else(|| bad("missing '+'"))?;
        let (hex, b64) = rest.split_once('+').ok_or_else(|| bad("missing '+'"))?;
        let name = KeyName::new(name).map_err(|_| bad("invalid key name"))?;
        let id =
            KeyId::from_hex(hex).ok_or_else(|| bad("key ID is not 8 lower-case hex digits"))?;
        let blob = B64
            .decode(b64)
            .map_err(|_| bad("key is not canonical standard base64"))?;
        let (&sig_type, pk) = blob.split_first().ok_or_else(|| bad("empty key"))?;
        let pk = <[u8; 32]>::try_from(pk).map_err(|_| bad("Ed25519 key must be 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| bad("not an Ed25519 public key"))?;
        let v = match sig_type {
            TYPE_ED25519 => Self::Ed25519(Ed25519Verifier::new(name, key)),
            TYPE_COSIGNATURE_V1 => Self::CosignatureV1(CosignatureVerifier::new(name, key)),
            _ => return Err(bad("unsupported signature type")),
        };
        if v.id() != id {
            return Err(bad("key ID does not match the key"));
        }
        Ok(v)
    }

    /// The verifier key string `<name>+<hex key ID>+<base64(type || public key)>`.
    pub fn to_vkey(&self) -> String {
        let mut blob = vec![self.sig_type()];
        blob.extend_from_slice(self.public_key().as_bytes());
        format!("{}+{}+{}", self.name(), self.id(), B64.encode(blob))
    }

    /// The key name.
    pub fn name(&self) -> &KeyName {
        match self {
            Self::Ed25519(v) => v.name(),
            Self::CosignatureV1(v) => v.name(),
        }
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        match self {
            Self::Ed25519(v) => v.id(),
            Self::CosignatureV1(v) => v.id(),
        }
    }

    /// The signature type byte.
    pub fn sig_type(&self) -> u8 {
        match self {
            Self::Ed25519(_) => TYPE_ED25519,
            Self::CosignatureV1(_) => TYPE_COSIGNATURE_V1,
        }
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &VerifyingKey {
        match self {
            Self::Ed25519(v) => v.key(),
            Self::CosignatureV1(v) => v.key(),
        }
    }

    /// Verifies one signature (the bytes after the key ID) over a note text.
    pub fn verify(&self, text: &[u8], signature: &[u8]) -> Option<VerifiedSignature> {
        let (ok, timestamp) = match self {
            Self::Ed25519(v) => (v.verify_text(text, signature), None),
            Self::CosignatureV1(v) => match v.verify_text(text, signature) {
                Some(t) => (true, Some(t)),
                None => (false, None),
            },
        };
        ok.then(|| VerifiedSignature {
            name: self.name().clone(),
            id: self.id(),
            sig_type: self.sig_type(),
            timestamp,
        })
    }
}

/// The trusted keys of a verifier, indexed by (key name, key ID).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifierSet {
    keys: BTreeMap<(KeyName, KeyId), Verifier>,
}

impl VerifierSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key (replacing one with the same name and ID).
    pub fn insert(&mut self, v: Verifier) {
        self.keys.insert((v.name().clone(), v.id()), v);
    }

    /// The key with this name and ID.
    pub fn get(&self, name: &KeyName, id: KeyId) -> Option<&Verifier> {
        self.keys.get(&(name.clone(), id))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, ordered by (name, ID).
    pub fn iter(&self) -> impl Iterator<Item = &Verifier> {
        self.keys.values()
    }
}

impl FromIterator<Verifier> for VerifierSet {
    fn from_iter<I: IntoIterator<Item = Verifier>>(iter: I) -> Self {
        let mut s = Self::new();
        for v in iter {
            s.insert(v);
        }
        s
    }
}

/// An Ed25519 (type `0x01`) note signer. The secret key is zeroized on drop by
/// `ed25519-dalek`; `Debug` shows only the public part.
#[derive(Clone)]
pub struct Ed25519Signer {
    name: KeyName,
    id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519Signer")
            .field("name", &self.name)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Ed25519Signer {
    /// A signer from a 32-byte RFC 8032 seed.
    pub fn from_seed(name: KeyName, seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let id = KeyId::compute(&name, TYPE_ED25519, key.verifying_key().as_bytes());
        Self { name, id, key }
    }

    /// Parses the Go `sumdb/note` private key form
    /// `PRIVATE+KEY+<name>+<hex id>+base64(0x01 || 32-byte seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::InvalidSigningKey { reason };
        let skey = skey.strip_suffix('\n').unwrap_or(skey);
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("missing PRIVATE+KEY+ prefix"))?;
        let (name, rest) = rest.split_once('+').ok_or_else(|| bad("missing '+'"))?;
        let (hex, b64) = rest.split_once('+').ok_or_else(|| bad("missing '+'"))?;
        let name = KeyName::new(name).map_err(|_| bad("invalid key name"))?;
        let id = KeyId::from_hex(hex).ok_or_else(|| bad("key ID is not 8 hex digits"))?;
        let blob = B64.decode(b64).map_err(|_| bad("not canonical base64"))?;
        let (&t, seed) = blob.split_first().ok_or_else(|| bad("empty key"))?;
        if t != TYPE_ED25519 {
            return Err(bad("not an Ed25519 key"));
        }
        let seed = <[u8; 32]>::try_from(seed).map_err(|_| bad("seed must be 32 bytes"))?;
        let s = Self::from_seed(name, &seed);
        if s.id != id {
            return Err(bad("key ID does not match the key"));
        }
        Ok(s)
    }

    /// The key name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Verifier {
        Verifier::Ed25519(Ed25519Verifier::new(
            self.name.clone(),
            self.key.verifying_key(),
        ))
    }

    /// Signs a note text (which must be valid note text ending in a newline).
    pub fn sign(&self, text: &str) -> Result<NoteSignature, NoteError> {
        check_text(text)?;
        let sig = self.key.sign(text.as_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            id: self.id,
            signature: sig.to_bytes().to_vec(),
        })
    }
}

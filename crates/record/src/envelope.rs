//! The entry envelope and the tracking code (`docs/spec/board-server.md` §2).
//!
//! Every log entry is one envelope: a small, signed, binary record that commits by SHA-256 to
//! an artefact (a ballot, a manifest, a tally, …). Small artefacts travel inside the envelope;
//! larger ones are stored content-addressed beside the log and the envelope carries only their
//! hash and length.
//!
//! ```text
//! offset        size  field
//! 0             1     version        0x01
//! 1             1     kind_len       1..=32
//! 2             k     kind           ASCII, [a-z][a-z0-9-]*
//! 2+k           32    election       election fingerprint
//! 34+k          8     content_len    artefact length, big-endian u64
//! 42+k          32    content_hash   SHA-256(artefact)
//! 74+k          1     inline         0x00 stored beside the log, 0x01 body follows
//! 75+k          b     body           the artefact (b = content_len if inline, else 0)
//! 75+k+b        32    signer         Ed25519 public key (RFC 8032)
//! 107+k+b       64    signature      Ed25519 over SIGNING_CONTEXT || bytes [0, 107+k+b)
//! ```
//!
//! The whole envelope is at most [`MAX_ENVELOPE_LEN`] = 65,535 bytes (a tile entry's limit).
//! There is exactly one encoding of each envelope: every byte is either fixed by the fields
//! or checked, and trailing bytes are rejected. Signatures are checked with
//! `verify_strict` (canonical `S`, no small-order keys).

use core::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// The envelope format version.
pub const VERSION: u8 = 0x01;

/// Largest envelope, in bytes: one tlog-tiles entry.
pub const MAX_ENVELOPE_LEN: usize = sanduq_tlog::tiles::MAX_ENTRY_LEN;

/// Longest artefact kind.
pub const MAX_KIND_LEN: usize = 32;

/// Bytes prefixed to the envelope bytes before signing (domain separation).
pub const SIGNING_CONTEXT: &[u8] = b"sanduq/entry/v1\n";

/// Fixed overhead of an envelope besides its kind and body.
const FIXED_LEN: usize = 1 + 1 + 32 + 8 + 32 + 1 + 32 + 64;

/// An election fingerprint: 32 bytes, written as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// Parses 64 lower-case hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        parse_hex32(s).map(Self)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// Parses exactly 64 lower-case hex digits.
pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let v = hex::decode(s).ok()?;
    <[u8; 32]>::try_from(v.as_slice()).ok()
}

/// A tracking code: `SHA-256(envelope bytes)`, written as 64 lower-case hex digits.
///
/// It differs from the RFC 6962 leaf hash `SHA-256(0x00 || envelope)`, so a tracking code
/// is never mistaken for a tree node.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackingCode(pub [u8; 32]);

impl TrackingCode {
    /// The tracking code of an envelope's bytes.
    pub fn of(entry: &[u8]) -> Self {
        Self(Sha256::digest(entry).into())
    }

    /// Parses 64 lower-case hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        parse_hex32(s).map(Self)
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingCode({self})")
    }
}

/// Why bytes are not an envelope. Offsets are byte offsets into the envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Longer than [`MAX_ENVELOPE_LEN`].
    #[error("envelope is {len} bytes, more than {MAX_ENVELOPE_LEN}")]
    TooLong {
        /// The length.
        len: usize,
    },
    /// The bytes end inside a field.
    #[error("envelope truncated in field `{field}` at offset {offset}")]
    Truncated {
        /// The field.
        field: &'static str,
        /// Where it starts.
        offset: usize,
    },
    /// Unknown version byte.
    #[error("unsupported envelope version {0:#04x} at offset 0")]
    Version(u8),
    /// The kind is empty, too long, or not `[a-z][a-z0-9-]*`.
    #[error("field `kind` at offset 2 is not 1 to 32 characters of [a-z][a-z0-9-]*")]
    Kind,
    /// The inline flag is neither 0 nor 1.
    #[error("field `inline` at offset {offset} is {value:#04x}, not 0x00 or 0x01")]
    InlineFlag {
        /// Where the flag is.
        offset: usize,
        /// Its value.
        value: u8,
    },
    /// The inline body does not hash to `content_hash`.
    #[error("inline body does not hash to field `content_hash`")]
    ContentHash,
    /// Bytes after the signature.
    #[error("{0} trailing bytes after the signature")]
    Trailing(usize),
    /// `signer` is not an Ed25519 public key.
    #[error("field `signer` is not an Ed25519 public key")]
    Signer,
    /// The signature does not verify (strictly) under `signer`.
    #[error("field `signature` does not verify under `signer`")]
    Signature,
}

/// A parsed, validly signed envelope. The only ways to get one are [`Envelope::parse`] and
/// [`Envelope::sign`], so holding one means the format and signature were checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    bytes: Vec<u8>,
    kind: String,
    election: Fingerprint,
    content_len: u64,
    content_hash: [u8; 32],
    /// Range of the inline body in `bytes`, if any.
    body: Option<(usize, usize)>,
    signer: [u8; 32],
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("kind", &self.kind)
            .field("election", &self.election)
            .field("content_len", &self.content_len)
            .field("content_hash", &hex::encode(self.content_hash))
            .field("inline", &self.body.is_some())
            .field("tracking_code", &self.tracking_code())
            .finish()
    }
}

fn valid_kind(kind: &[u8]) -> bool {
    match kind.split_first() {
        Some((first, rest)) => {
            kind.len() <= MAX_KIND_LEN
                && first.is_ascii_lowercase()
                && rest
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        }
        None => false,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], EnvelopeError> {
        let end = self.pos.checked_add(n);
        let out =
            end.and_then(|end| self.bytes.get(self.pos..end))
                .ok_or(EnvelopeError::Truncated {
                    field,
                    offset: self.pos,
                })?;
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], EnvelopeError> {
        let offset = self.pos;
        <[u8; N]>::try_from(self.take(N, field)?)
            .map_err(|_| EnvelopeError::Truncated { field, offset })
    }

    fn byte(&mut self, field: &'static str) -> Result<u8, EnvelopeError> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }
}

impl Envelope {
    /// Parses and checks an envelope: format, canonical encoding, inline body hash and
    /// signature.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_LEN {
            return Err(EnvelopeError::TooLong { len: bytes.len() });
        }
        let mut r = Reader { bytes, pos: 0 };
        let version = r.byte("version")?;
        if version != VERSION {
            return Err(EnvelopeError::Version(version));
        }
        let kind_len = r.byte("kind_len")?;
        let kind = r.take(usize::from(kind_len), "kind")?;
        if !valid_kind(kind) {
            return Err(EnvelopeError::Kind);
        }
        let kind = String::from_utf8(kind.to_vec()).map_err(|_| EnvelopeError::Kind)?;
        let election = Fingerprint(r.array::<32>("election")?);
        let content_len = u64::from_be_bytes(r.array::<8>("content_len")?);
        let content_hash = r.array::<32>("content_hash")?;
        let flag_offset = r.pos;
        let body = match r.byte("inline")? {
            0 => None,
            1 => {
                let len = usize::try_from(content_len).map_err(|_| EnvelopeError::Truncated {
                    field: "body",
                    offset: r.pos,
                })?;
                let start = r.pos;
                let body = r.take(len, "body")?;
                if <[u8; 32]>::from(Sha256::digest(body)) != content_hash {
                    return Err(EnvelopeError::ContentHash);
                }
                Some((start, start + len))
            }
            value => {
                return Err(EnvelopeError::InlineFlag {
                    offset: flag_offset,
                    value,
                });
            }
        };
        let signed_end = r.pos;
        let signer = r.array::<32>("signer")?;
        let signature = r.array::<64>("signature")?;
        let trailing = bytes.len() - r.pos;
        if trailing != 0 {
            return Err(EnvelopeError::Trailing(trailing));
        }
        let key = VerifyingKey::from_bytes(&signer).map_err(|_| EnvelopeError::Signer)?;
        let mut msg = SIGNING_CONTEXT.to_vec();
        msg.extend_from_slice(bytes.get(..signed_end).unwrap_or_default());
        key.verify_strict(&msg, &Signature::from_bytes(&signature))
            .map_err(|_| EnvelopeError::Signature)?;
        Ok(Self {
            bytes: bytes.to_vec(),
            kind,
            election,
            content_len,
            content_hash,
            body,
            signer,
        })
    }

    /// Builds and signs an envelope for `artefact`. With `inline`, the artefact is carried
    /// in the envelope; otherwise it must be uploaded beside the log.
    pub fn sign(
        kind: &str,
        election: Fingerprint,
        artefact: &[u8],
        inline: bool,
        key: &SigningKey,
    ) -> Result<Self, EnvelopeError> {
        let mut out = signed_part(kind, election, artefact, inline)?;
        let mut msg = SIGNING_CONTEXT.to_vec();
        msg.extend_from_slice(&out);
        let sig = key.sign(&msg);
        out.extend_from_slice(key.verifying_key().as_bytes());
        out.extend_from_slice(&sig.to_bytes());
        Self::parse(&out)
    }

    /// The envelope of these fields with a signature made elsewhere, checked like any
    /// envelope (the signature must verify). An envelope is fixed by its fields, so this
    /// gives back the exact bytes that were signed: the record stores a remote ballot as its
    /// fields and signature and rebuilds the envelope from them.
    pub fn assemble(
        kind: &str,
        election: Fingerprint,
        artefact: &[u8],
        inline: bool,
        signer: &[u8; 32],
        signature: &[u8; 64],
    ) -> Result<Self, EnvelopeError> {
        let mut out = signed_part(kind, election, artefact, inline)?;
        out.extend_from_slice(signer);
        out.extend_from_slice(signature);
        Self::parse(&out)
    }

    /// The signature (the last 64 bytes).
    #[must_use]
    pub fn signature(&self) -> [u8; 64] {
        let mut sig = [0u8; 64];
        let start = self.bytes.len().saturating_sub(64);
        for (d, s) in sig
            .iter_mut()
            .zip(self.bytes.get(start..).unwrap_or_default())
        {
            *d = *s;
        }
        sig
    }

    /// The exact envelope bytes (the log entry).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The artefact kind.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The election fingerprint.
    pub fn election(&self) -> Fingerprint {
        self.election
    }

    /// The artefact's length.
    pub fn content_len(&self) -> u64 {
        self.content_len
    }

    /// SHA-256 of the artefact.
    pub fn content_hash(&self) -> [u8; 32] {
        self.content_hash
    }

    /// The inline artefact, if carried in the envelope.
    pub fn body(&self) -> Option<&[u8]> {
        let (s, e) = self.body?;
        self.bytes.get(s..e)
    }

    /// The signer's Ed25519 public key.
    pub fn signer(&self) -> [u8; 32] {
        self.signer
    }

    /// The tracking code.
    pub fn tracking_code(&self) -> TrackingCode {
        TrackingCode::of(&self.bytes)
    }

    /// The RFC 6962 leaf hash of the entry.
    pub fn leaf_hash(&self) -> sanduq_tlog::merkle::Hash {
        sanduq_tlog::merkle::leaf_hash(&self.bytes)
    }
}

/// The bytes an envelope's signature covers (without [`SIGNING_CONTEXT`]).
fn signed_part(
    kind: &str,
    election: Fingerprint,
    artefact: &[u8],
    inline: bool,
) -> Result<Vec<u8>, EnvelopeError> {
    if !valid_kind(kind.as_bytes()) {
        return Err(EnvelopeError::Kind);
    }
    let body_len = if inline { artefact.len() } else { 0 };
    let len = FIXED_LEN + kind.len() + body_len;
    if len > MAX_ENVELOPE_LEN {
        return Err(EnvelopeError::TooLong { len });
    }
    let mut out = Vec::with_capacity(len);
    out.push(VERSION);
    // kind.len() <= 32 was checked by valid_kind.
    out.push(u8::try_from(kind.len()).map_err(|_| EnvelopeError::Kind)?);
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(&election.0);
    out.extend_from_slice(&(artefact.len() as u64).to_be_bytes());
    out.extend_from_slice(&Sha256::digest(artefact));
    if inline {
        out.push(1);
        out.extend_from_slice(artefact);
    } else {
        out.push(0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn layout_matches_the_table() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let e = Envelope::sign("ballot", Fingerprint([9; 32]), b"abc", true, &key).unwrap();
        let b = e.as_bytes();
        // 1 + 1 + 6 + 32 + 8 + 32 + 1 + 3 + 32 + 64 = 180 bytes.
        assert_eq!(b.len(), 180);
        assert_eq!(&b[..8], b"\x01\x06ballot");
        assert_eq!(&b[8..40], &[9; 32]);
        assert_eq!(&b[40..48], &3u64.to_be_bytes());
        // SHA-256("abc") from FIPS 180-2 Appendix B.1.
        assert_eq!(
            hex::encode(&b[48..80]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(b[80], 1);
        assert_eq!(&b[81..84], b"abc");
        assert_eq!(e.body(), Some(&b"abc"[..]));
    }

    #[test]
    fn assemble_gives_back_the_signed_envelope() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let e = Envelope::sign("remote-ballot", Fingerprint([9; 32]), b"{}", true, &key).unwrap();
        let signer = key.verifying_key().to_bytes();
        let sig = e.signature();
        assert_eq!(&e.as_bytes()[e.as_bytes().len() - 64..], &sig);
        let again = Envelope::assemble(
            "remote-ballot",
            Fingerprint([9; 32]),
            b"{}",
            true,
            &signer,
            &sig,
        )
        .unwrap();
        assert_eq!(again.as_bytes(), e.as_bytes());
        // any field changed: the signature no longer verifies
        for (kind, election, body) in [
            ("remote-ballots", [9; 32], &b"{}"[..]),
            ("remote-ballot", [8; 32], &b"{}"[..]),
            ("remote-ballot", [9; 32], &b"{ }"[..]),
        ] {
            assert_eq!(
                Envelope::assemble(kind, Fingerprint(election), body, true, &signer, &sig)
                    .unwrap_err(),
                EnvelopeError::Signature
            );
        }
        let mut bad = sig;
        bad[0] ^= 1;
        assert_eq!(
            Envelope::assemble(
                "remote-ballot",
                Fingerprint([9; 32]),
                b"{}",
                true,
                &signer,
                &bad
            )
            .unwrap_err(),
            EnvelopeError::Signature
        );
    }
}

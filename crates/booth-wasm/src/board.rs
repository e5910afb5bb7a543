//! The booth's side of the bulletin board: the voter's credential, the `remote-ballot`
//! entry signed with it, and the check of a receipt (inclusion proof and co-signed
//! checkpoint) — everything the browser does without trusting the portal.
//!
//! The entry envelope (`docs/spec/board-server.md` §2):
//!
//! ```text
//! version 0x01 ‖ kind_len ‖ kind ‖ election (32) ‖ content_len (u64 BE) ‖
//! content_hash = SHA-256(artefact) (32) ‖ inline 0x01 ‖ artefact ‖ signer (32) ‖
//! signature (64): Ed25519 over "sanduq/entry/v1\n" ‖ every byte before `signer`
//! ```
//!
//! The tracking code is `SHA-256(envelope)`; the Merkle leaf is `SHA-256(0x00 ‖ envelope)`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::merkle::{self, Hash};
use sanduq_tlog::signed_note::{Verifier, VerifierSet};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::{BoothError, ContestOut};

/// The envelope format version.
pub const VERSION: u8 = 0x01;
/// Bytes prefixed to the envelope before signing.
pub const SIGNING_CONTEXT: &[u8] = b"sanduq/entry/v1\n";
/// Largest envelope (one tlog-tiles entry).
pub const MAX_ENVELOPE_LEN: usize = 65_535;
/// The entry kind of a ballot cast with a voter credential.
pub const REMOTE_BALLOT: &str = "remote-ballot";
/// The format of a voter's secret credential file.
pub const CREDENTIAL_FORMAT: &str = "sanduq-voter-credential/0.1";
/// The format of a remote ballot.
pub const REMOTE_BALLOT_FORMAT: &str = "sanduq-remote-ballot/0.1";
/// First line of a receipt.
pub const RECEIPT_HEADER: &str = "sanduq-receipt/v1";

fn bad(what: impl Into<String>) -> BoothError {
    BoothError(what.into())
}

fn hex32(field: &str, s: &str) -> Result<[u8; 32], BoothError> {
    if s.len() != 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(bad(format!("{field}: not 64 lower-case hex digits")));
    }
    hex::decode(s)
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| bad(format!("{field}: not 64 lower-case hex digits")))
}

// ---------------------------------------------------------------- credential

/// The voter's secret credential file, as given to the voter.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CredentialFile {
    /// The election fingerprint, hex.
    pub election: String,
    /// `sanduq-voter-credential/0.1`.
    pub format: String,
    /// The voter group, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The Ed25519 seed, hex.
    pub secret: String,
    /// The registered polling station.
    pub station: String,
}

/// A parsed credential: the key and what it entitles to.
pub struct Credential {
    /// The election fingerprint.
    pub election: [u8; 32],
    /// The signing key.
    pub key: SigningKey,
    /// The registered polling station.
    pub station: String,
    /// The voter group, if any.
    pub group: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("public_key", &hex::encode(self.public_key()))
            .field("station", &self.station)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Parses a credential file (JSON), naming the field at fault.
    pub fn parse(json: &str) -> Result<Credential, BoothError> {
        let f: CredentialFile =
            serde_json::from_str(json).map_err(|e| bad(format!("credential file: {e}")))?;
        if f.format != CREDENTIAL_FORMAT {
            return Err(bad(format!(
                "credential file: field `format` is {:?}, not {CREDENTIAL_FORMAT:?}",
                f.format
            )));
        }
        let election = hex32("credential file: field `election`", &f.election)?;
        let seed = hex32("credential file: field `secret`", &f.secret)?;
        if f.station.is_empty() {
            return Err(bad("credential file: field `station` is empty"));
        }
        Ok(Credential {
            election,
            key: SigningKey::from_bytes(&seed),
            station: f.station,
            group: f.group,
        })
    }

    /// The public key (what the published credential list holds).
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }
}

// ---------------------------------------------------------------- remote ballot

/// A remote ballot (kind `remote-ballot`).
#[derive(Clone, Debug, Serialize)]
struct RemoteBallot<'a> {
    contests: &'a [ContestOut],
    credential: String,
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    station: &'a str,
}

/// The canonical JSON of the remote ballot of `contests` under `credential`.
pub fn remote_ballot_json(
    credential: &Credential,
    contests: &[ContestOut],
) -> Result<Vec<u8>, BoothError> {
    let b = RemoteBallot {
        contests,
        credential: hex::encode(credential.public_key()),
        format: REMOTE_BALLOT_FORMAT,
        group: credential.group.as_deref(),
        station: &credential.station,
    };
    sanduq_election::canonical::to_canonical_json(&b)
        .map_err(|e| bad(format!("remote ballot: {e}")))
}

// ---------------------------------------------------------------- envelope

fn valid_kind(kind: &[u8]) -> bool {
    match kind.split_first() {
        Some((first, rest)) => {
            kind.len() <= 32
                && first.is_ascii_lowercase()
                && rest
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        }
        None => false,
    }
}

/// Encodes and signs an envelope carrying `artefact` inline.
pub fn encode_envelope(
    kind: &str,
    election: &[u8; 32],
    artefact: &[u8],
    key: &SigningKey,
) -> Result<Vec<u8>, BoothError> {
    if !valid_kind(kind.as_bytes()) {
        return Err(bad(format!(
            "envelope: kind {kind:?} is not [a-z][a-z0-9-]*"
        )));
    }
    let kind_len = u8::try_from(kind.len()).map_err(|_| bad("envelope: kind too long"))?;
    let len = 1 + 1 + kind.len() + 32 + 8 + 32 + 1 + artefact.len() + 32 + 64;
    if len > MAX_ENVELOPE_LEN {
        return Err(bad(format!(
            "envelope: {len} bytes, more than {MAX_ENVELOPE_LEN}"
        )));
    }
    let mut out = Vec::with_capacity(len);
    out.push(VERSION);
    out.push(kind_len);
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(election);
    out.extend_from_slice(&(artefact.len() as u64).to_be_bytes());
    out.extend_from_slice(&Sha256::digest(artefact));
    out.push(1);
    out.extend_from_slice(artefact);
    let mut msg = SIGNING_CONTEXT.to_vec();
    msg.extend_from_slice(&out);
    let sig = key.sign(&msg);
    out.extend_from_slice(key.verifying_key().as_bytes());
    out.extend_from_slice(&sig.to_bytes());
    Ok(out)
}

/// A checked envelope's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeView {
    /// The kind.
    pub kind: String,
    /// The election fingerprint.
    pub election: [u8; 32],
    /// The inline artefact (empty when stored beside the log).
    pub body: Option<Vec<u8>>,
    /// The signer's public key.
    pub signer: [u8; 32],
}

fn take<'a>(b: &'a [u8], pos: &mut usize, n: usize, field: &str) -> Result<&'a [u8], BoothError> {
    let end = pos.checked_add(n);
    let out = end.and_then(|e| b.get(*pos..e)).ok_or_else(|| {
        bad(format!(
            "entry: truncated in field `{field}` at offset {pos}"
        ))
    })?;
    *pos += n;
    Ok(out)
}

fn arr32(b: &[u8], pos: &mut usize, field: &str) -> Result<[u8; 32], BoothError> {
    let at = *pos;
    <[u8; 32]>::try_from(take(b, pos, 32, field)?)
        .map_err(|_| bad(format!("entry: field `{field}` at offset {at}")))
}

/// Parses and checks an envelope: format, inline body hash, no trailing bytes, and the
/// signature (strict Ed25519).
pub fn parse_envelope(b: &[u8]) -> Result<EnvelopeView, BoothError> {
    if b.len() > MAX_ENVELOPE_LEN {
        return Err(bad(format!("entry: {} bytes, too long", b.len())));
    }
    let mut pos = 0usize;
    let version = take(b, &mut pos, 1, "version")?;
    if version != [VERSION] {
        return Err(bad("entry: unsupported version"));
    }
    let kind_len = take(b, &mut pos, 1, "kind_len")?
        .first()
        .copied()
        .unwrap_or(0);
    let kind = take(b, &mut pos, usize::from(kind_len), "kind")?;
    if !valid_kind(kind) {
        return Err(bad("entry: field `kind` is not [a-z][a-z0-9-]*"));
    }
    let kind = String::from_utf8(kind.to_vec()).map_err(|_| bad("entry: field `kind`"))?;
    let election = arr32(b, &mut pos, "election")?;
    let len_bytes: [u8; 8] = take(b, &mut pos, 8, "content_len")?
        .try_into()
        .map_err(|_| bad("entry: field `content_len`"))?;
    let content_len = u64::from_be_bytes(len_bytes);
    let content_hash = arr32(b, &mut pos, "content_hash")?;
    let body = match take(b, &mut pos, 1, "inline")? {
        [0] => None,
        [1] => {
            let n = usize::try_from(content_len).map_err(|_| bad("entry: field `body`"))?;
            let body = take(b, &mut pos, n, "body")?;
            if <[u8; 32]>::from(Sha256::digest(body)) != content_hash {
                return Err(bad("entry: the body does not hash to `content_hash`"));
            }
            Some(body.to_vec())
        }
        _ => return Err(bad("entry: field `inline` is neither 0 nor 1")),
    };
    let signed = b.get(..pos).unwrap_or_default();
    let signer = arr32(b, &mut pos, "signer")?;
    let sig: [u8; 64] = take(b, &mut pos, 64, "signature")?
        .try_into()
        .map_err(|_| bad("entry: field `signature`"))?;
    if pos != b.len() {
        return Err(bad(format!(
            "entry: {} trailing bytes after the signature",
            b.len() - pos
        )));
    }
    let key = VerifyingKey::from_bytes(&signer)
        .map_err(|_| bad("entry: field `signer` is not an Ed25519 public key"))?;
    let mut msg = SIGNING_CONTEXT.to_vec();
    msg.extend_from_slice(signed);
    key.verify_strict(&msg, &Signature::from_bytes(&sig))
        .map_err(|_| bad("entry: the signature does not verify under `signer`"))?;
    Ok(EnvelopeView {
        kind,
        election,
        body,
        signer,
    })
}

/// What casting hands to the board.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Cast {
    /// The envelope bytes, hex (the body of `POST /entry`).
    pub envelope: String,
    /// Its tracking code, hex.
    pub tracking_code: String,
    /// The credential's public key, hex.
    pub credential: String,
}

/// Builds and signs the `remote-ballot` entry of an encrypted ballot.
pub fn cast_with(credential: &Credential, contests: &[ContestOut]) -> Result<Cast, BoothError> {
    let content = remote_ballot_json(credential, contests)?;
    let env = encode_envelope(
        REMOTE_BALLOT,
        &credential.election,
        &content,
        &credential.key,
    )?;
    Ok(Cast {
        tracking_code: hex::encode(Sha256::digest(&env)),
        envelope: hex::encode(&env),
        credential: hex::encode(credential.public_key()),
    })
}

// ---------------------------------------------------------------- receipt

/// One witness's cosignature on the checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WitnessStatus {
    /// The witness key's name.
    pub name: String,
    /// `ok`, `missing`, `bad` (does not verify) or `future` (dated after now).
    pub status: String,
    /// The cosignature's time (POSIX seconds), when it verifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
}

/// The outcome of a receipt check, every step named.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReceiptCheck {
    /// Whether every step passed.
    pub ok: bool,
    /// The first failure, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The tracking code of the entry, hex.
    pub tracking_code: String,
    /// The entry's kind.
    pub kind: String,
    /// Its leaf index.
    pub index: u64,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The checkpoint's root, base64.
    pub root: String,
    /// The proof hashes, base64, leaf to root.
    pub proof: Vec<String>,
    /// Whether the log's signature on the checkpoint verifies.
    pub log_signature: bool,
    /// Each configured witness.
    pub witnesses: Vec<WitnessStatus>,
    /// Whether enough witnesses cosigned, none failing.
    pub quorum: bool,
    /// Whether the proof leads from the entry to the checkpoint's root.
    pub inclusion: bool,
}

fn canonical_b64(s: &str) -> Option<Vec<u8>> {
    let v = B64.decode(s).ok()?;
    (B64.encode(&v) == s).then_some(v)
}

/// Checks a receipt (`docs/spec/board-server.md` §5) against the log key, the witness keys
/// and the quorum, at time `now`, and that it is the receipt of `expected_code`.
pub fn check_receipt(
    receipt: &str,
    expected_code: &str,
    log_vkey: &str,
    witness_vkeys: &[String],
    quorum: usize,
    now: u64,
) -> Result<ReceiptCheck, BoothError> {
    let log = Verifier::from_vkey(log_vkey).map_err(|e| bad(format!("log key: {e}")))?;
    let mut ws = Vec::new();
    for w in witness_vkeys {
        match Verifier::from_vkey(w).map_err(|e| bad(format!("witness key {w:?}: {e}")))? {
            Verifier::CosignatureV1(v) => ws.push(v),
            _ => return Err(bad(format!("witness key {w:?}: not a cosignature/v1 key"))),
        }
    }
    // The receipt's lines.
    let mut lines = receipt.split_inclusive('\n');
    let mut line = |what: &str| -> Result<&str, BoothError> {
        lines
            .next()
            .and_then(|l| l.strip_suffix('\n'))
            .ok_or_else(|| bad(format!("receipt: missing {what}")))
    };
    if line("header")? != RECEIPT_HEADER {
        return Err(bad("receipt: header is not sanduq-receipt/v1"));
    }
    let index_s = line("index line")?
        .strip_prefix("index ")
        .ok_or_else(|| bad("receipt: not `index <decimal>`"))?;
    if index_s.is_empty()
        || (index_s.len() > 1 && index_s.starts_with('0'))
        || !index_s.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad("receipt: index is not a canonical decimal"));
    }
    let index: u64 = index_s
        .parse()
        .map_err(|_| bad("receipt: index is too large"))?;
    let entry = line("entry line")?
        .strip_prefix("entry ")
        .and_then(canonical_b64)
        .ok_or_else(|| bad("receipt: not `entry <base64>`"))?;
    let mut proof = Vec::new();
    loop {
        let l = line("empty line before the checkpoint")?;
        if l.is_empty() {
            break;
        }
        if proof.len() == 64 {
            return Err(bad("receipt: more than 64 proof lines"));
        }
        let h = canonical_b64(l)
            .and_then(|v| Hash::from_slice(&v).ok())
            .ok_or_else(|| bad("receipt: a proof line is not the base64 of 32 bytes"))?;
        proof.push(h);
    }
    let rest: String = lines.collect();
    let cp = SignedCheckpoint::parse(rest.as_bytes())
        .map_err(|e| bad(format!("receipt: checkpoint: {e}")))?;
    let tracking_code = hex::encode(Sha256::digest(&entry));
    let c = cp.checkpoint();
    let mut out = ReceiptCheck {
        ok: false,
        error: None,
        tracking_code: tracking_code.clone(),
        kind: String::new(),
        index,
        size: c.size(),
        root: B64.encode(c.root().as_bytes()),
        proof: proof.iter().map(|h| B64.encode(h.as_bytes())).collect(),
        log_signature: false,
        witnesses: Vec::new(),
        quorum: false,
        inclusion: false,
    };
    let mut errors: Vec<String> = Vec::new();
    if tracking_code != expected_code {
        errors.push(format!(
            "the receipt's entry has tracking code {tracking_code}, not {expected_code}"
        ));
    }
    match parse_envelope(&entry) {
        Ok(e) => out.kind = e.kind,
        Err(e) => errors.push(e.0),
    }
    // The log's signature, under the origin's name.
    let keys: VerifierSet = core::iter::once(log.clone()).collect();
    out.log_signature = c.origin() == log.name().as_str() && cp.note().verify(&keys).is_ok();
    if !out.log_signature {
        errors.push(format!(
            "the checkpoint of origin {:?} is not signed by the log key {}",
            c.origin(),
            log.name().as_str()
        ));
    }
    // Each witness.
    let text = cp.note().text().as_bytes();
    let mut good = 0usize;
    let mut failing = false;
    for w in &ws {
        let mut st = WitnessStatus {
            name: w.name().as_str().to_owned(),
            status: "missing".to_owned(),
            timestamp: None,
        };
        for sig in cp.note().signatures() {
            if sig.name() != w.name() || sig.id() != w.id() {
                continue;
            }
            match w.verify_text(text, sig.signature()) {
                Some(t) if t <= now => {
                    st.status = "ok".to_owned();
                    st.timestamp = Some(t);
                }
                Some(t) => {
                    st.status = "future".to_owned();
                    st.timestamp = Some(t);
                    failing = true;
                    break;
                }
                None => {
                    st.status = "bad".to_owned();
                    failing = true;
                    break;
                }
            }
        }
        if st.status == "ok" {
            good += 1;
        }
        out.witnesses.push(st);
    }
    out.quorum = quorum > 0 && good >= quorum && !failing;
    if !out.quorum {
        errors.push(format!(
            "{good} of the {} witnesses cosigned (quorum {quorum}){}",
            ws.len(),
            if failing {
                ", and a cosignature fails"
            } else {
                ""
            }
        ));
    }
    let leaf = merkle::leaf_hash(&entry);
    out.inclusion = merkle::verify_inclusion(index, c.size(), &leaf, &proof, c.root()).is_ok();
    if !out.inclusion {
        errors.push(format!(
            "the inclusion proof of entry {index} does not lead to the root of the tree of size {}",
            c.size()
        ));
    }
    out.ok = errors.is_empty();
    out.error = (!errors.is_empty()).then(|| errors.join("; "));
    Ok(out)
}

/// The witnesses' statuses by name (for display).
#[must_use]
pub fn witness_map(c: &ReceiptCheck) -> BTreeMap<String, String> {
    c.witnesses
        .iter()
        .map(|w| (w.name.clone(), w.status.clone()))
        .collect()
}

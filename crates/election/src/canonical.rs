//! The canonical encoding of a validated manifest and its digest.
//!
//! Specified in `docs/spec/manifest.md`, "Canonical encoding". In short: the manifest in its
//! raw form with every default written out ([`crate::Manifest::to_raw`]) is written as JSON
//! with
//!
//! - object keys sorted by their UTF-8 bytes, each key once;
//! - no whitespace outside strings;
//! - integers only (the format has no floating-point field), in shortest decimal form;
//! - strings as UTF-8, escaping only `"` → `\"`, `\` → `\\`, U+0008 → `\b`, U+0009 → `\t`,
//!   U+000A → `\n`, U+000C → `\f`, U+000D → `\r` and every other code point below U+0020 as
//!   `\u00XX` with lowercase hex; everything else (non-ASCII included) as itself;
//! - arrays in manifest order; optional fields that are absent are left out, never `null`.
//!
//! This is the output of Python's `json.dumps(value, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)` on the same value, which the tests use as an independent check.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::Manifest;

/// Domain-separation tag of the manifest digest.
pub const DIGEST_TAG: &[u8] = b"sanduq/v0.1/manifest-digest";

/// A JSON value restricted to what the canonical encoding allows.
enum Canon {
    Bool(bool),
    Int(i128),
    Str(String),
    Array(Vec<Canon>),
    Object(BTreeMap<String, Canon>),
}

/// Why a value cannot be canonically encoded (not reachable from a validated manifest, whose
/// raw form has no floats and no nulls).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// A null or floating-point value.
    #[error("value not allowed in the canonical encoding: {0}")]
    NotAllowed(String),
    /// Serialisation failed.
    #[error("serialisation failed: {0}")]
    Serde(String),
}

fn from_json(v: serde_json::Value) -> Result<Canon, CanonicalError> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => return Err(CanonicalError::NotAllowed("null".to_owned())),
        Value::Bool(b) => Canon::Bool(b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Canon::Int(i128::from(u))
            } else if let Some(i) = n.as_i64() {
                Canon::Int(i128::from(i))
            } else {
                return Err(CanonicalError::NotAllowed(n.to_string()));
            }
        }
        Value::String(s) => Canon::Str(s),
        Value::Array(a) => Canon::Array(a.into_iter().map(from_json).collect::<Result<_, _>>()?),
        // Re-keyed into a BTreeMap: sorted by UTF-8 bytes whatever map serde_json was built with.
        Value::Object(o) => Canon::Object(
            o.into_iter()
                .map(|(k, v)| Ok((k, from_json(v)?)))
                .collect::<Result<_, CanonicalError>>()?,
        ),
    })
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for ch in s.chars() {
        match ch {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn write(out: &mut Vec<u8>, v: &Canon) {
    match v {
        Canon::Bool(true) => out.extend_from_slice(b"true"),
        Canon::Bool(false) => out.extend_from_slice(b"false"),
        Canon::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Canon::Str(s) => write_str(out, s),
        Canon::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, x);
            }
            out.push(b']');
        }
        Canon::Object(o) => {
            out.push(b'{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k);
                out.push(b':');
                write(out, x);
            }
            out.push(b'}');
        }
    }
}

/// Encodes any serialisable value canonically (see the module documentation).
pub fn to_canonical_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let json = serde_json::to_value(value).map_err(|e| CanonicalError::Serde(e.to_string()))?;
    let canon = from_json(json)?;
    let mut out = Vec::new();
    write(&mut out, &canon);
    Ok(out)
}

/// SHA-256 over `u64be(len(tag)) ‖ tag ‖ u64be(len(bytes)) ‖ bytes`.
pub fn tagged_sha256(tag: &[u8], bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [tag, bytes] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

impl Manifest {
    /// The canonical encoding of this manifest (see [`crate::canonical`]): deterministic bytes
    /// that every implementation derives identically from the same manifest.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // The raw form holds only strings, integers, arrays and tables, so encoding cannot
        // fail; an empty result would make any digest check fail loudly.
        to_canonical_json(&self.to_raw()).unwrap_or_default()
    }

    /// The manifest digest: [`tagged_sha256`] with [`DIGEST_TAG`] over
    /// [`Manifest::canonical_bytes`]. A short identifier of the manifest's content; the
    /// election fingerprint that every proof hashes is defined in `docs/spec/crypto.md` §4.2
    /// over the same canonical bytes and the election parameters.
    pub fn manifest_digest(&self) -> [u8; 32] {
        tagged_sha256(DIGEST_TAG, &self.canonical_bytes())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn escapes_and_sorts() {
        let v = serde_json::json!({"b": "x\"\\\n\u{1}é", "a": [1, -2, true]});
        let out = to_canonical_json(&v).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\":[1,-2,true],\"b\":\"x\\\"\\\\\\n\\u0001é\"}"
        );
        assert!(to_canonical_json(&serde_json::json!({"a": 1.5})).is_err());
        assert!(to_canonical_json(&serde_json::json!({"a": null})).is_err());
    }

    #[test]
    fn spec_example() {
        // docs/spec/manifest.md §8.1.
        let v: toml::Value =
            toml::from_str("b = \"x\\\"y\"\na = [2, 1]\n[c]\nfa-AF = \"کابل\"\nen = \"Kabul\"\n")
                .unwrap();
        let out = to_canonical_json(&v).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":[2,1],"b":"x\"y","c":{"en":"Kabul","fa-AF":"کابل"}}"#
        );
    }

    #[test]
    fn tagged_hash_of_empty_input() {
        // Hand derivation: with tag "t" and no bytes the input is
        // 00..01 't' 00..00, i.e. hex 0000000000000001 74 0000000000000000;
        // SHA-256 computed with python3 hashlib over bytes.fromhex(that).
        let got = hex::encode(tagged_sha256(b"t", b""));
        assert_eq!(
            got,
            "0549350b6aca0204e20103536bdaa1ed6f6fb125113fff791834106e70cc6ad1"
        );
    }
}

//! Key files of the log and of witnesses (`docs/spec/board-server.md` §6).
//!
//! A private key file holds one line in the Go `sumdb/note` form
//! `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || 32-byte seed)>`, with type `0x01` for a
//! log key (signed-note Ed25519) and `0x04` for a witness key (`cosignature/v1`). The public
//! verifier key is `<name>+<hex key ID>+<base64(type || public key)>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sanduq_tlog::cosignature::CosignatureSigner;
use sanduq_tlog::signed_note::{
    Ed25519Signer, KeyId, KeyName, TYPE_COSIGNATURE_V1, TYPE_ED25519, Verifier,
};
use zeroize::Zeroizing;

/// Errors of key files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key name is not a valid signed-note key name.
    #[error("invalid key name {0:?}")]
    Name(String),
    /// The private key line is malformed.
    #[error("malformed private key: {0}")]
    Malformed(&'static str),
    /// The system random number generator failed.
    #[error("random number generator failed")]
    Random,
}

fn fresh_seed() -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut_slice()).map_err(|_| KeyError::Random)?;
    Ok(seed)
}

fn skey_line(name: &KeyName, sig_type: u8, seed: &[u8; 32]) -> String {
    let pk = SigningKey::from_bytes(seed).verifying_key();
    let id = KeyId::compute(name, sig_type, pk.as_bytes());
    let mut blob = vec![sig_type];
    blob.extend_from_slice(seed);
    format!("PRIVATE+KEY+{name}+{id}+{}\n", B64.encode(&blob))
}

/// A new private key file (one line) of `sig_type` ([`TYPE_ED25519`] for a log,
/// [`TYPE_COSIGNATURE_V1`] for a witness), and its verifier key.
pub fn generate(name: &str, sig_type: u8) -> Result<(String, String), KeyError> {
    let name = KeyName::new(name).map_err(|_| KeyError::Name(name.to_owned()))?;
    let seed = fresh_seed()?;
    let line = skey_line(&name, sig_type, &seed);
    let vkey = match sig_type {
        TYPE_ED25519 => Ed25519Signer::from_seed(name, &seed).verifier(),
        TYPE_COSIGNATURE_V1 => CosignatureSigner::from_seed(name, &seed).verifier(),
        _ => return Err(KeyError::Malformed("unsupported signature type")),
    };
    Ok((line, vkey.to_vkey()))
}

fn parse_skey(text: &str, want_type: u8) -> Result<(KeyName, Zeroizing<[u8; 32]>), KeyError> {
    let line = text.trim_end_matches('\n');
    let rest = line
        .strip_prefix("PRIVATE+KEY+")
        .ok_or(KeyError::Malformed("missing PRIVATE+KEY+ prefix"))?;
    let (name, rest) = rest
        .split_once('+')
        .ok_or(KeyError::Malformed("missing '+'"))?;
    let (id, b64) = rest
        .split_once('+')
        .ok_or(KeyError::Malformed("missing '+'"))?;
    let name = KeyName::new(name).map_err(|_| KeyError::Name(name.to_owned()))?;
    let id = KeyId::from_hex(id).ok_or(KeyError::Malformed("key ID is not 8 hex digits"))?;
    let blob = Zeroizing::new(
        B64.decode(b64)
            .ok()
            .and_then(|b| <[u8; 33]>::try_from(b.as_slice()).ok())
            .and_then(|b| {
                let (t, seed) = b.split_first()?;
                (*t == want_type).then_some(())?;
                <[u8; 32]>::try_from(seed).ok()
            })
            .ok_or(KeyError::Malformed(
                "key is not base64 of the expected type byte and a 32-byte seed",
            ))?,
    );
    let pk = SigningKey::from_bytes(&blob).verifying_key();
    if KeyId::compute(&name, want_type, pk.as_bytes()) != id {
        return Err(KeyError::Malformed("key ID does not match the key"));
    }
    Ok((name, blob))
}

/// Reads a log signing key (type `0x01`).
pub fn log_signer(text: &str) -> Result<Ed25519Signer, KeyError> {
    let (name, seed) = parse_skey(text, TYPE_ED25519)?;
    Ok(Ed25519Signer::from_seed(name, &seed))
}

/// Reads a witness cosigning key (type `0x04`).
pub fn witness_signer(text: &str) -> Result<CosignatureSigner, KeyError> {
    let (name, seed) = parse_skey(text, TYPE_COSIGNATURE_V1)?;
    Ok(CosignatureSigner::from_seed(name, &seed))
}

/// A log signer from a fixed seed, for tests and examples.
pub fn log_signer_from_seed(name: &str, seed: &[u8; 32]) -> Result<Ed25519Signer, KeyError> {
    let name = KeyName::new(name).map_err(|_| KeyError::Name(name.to_owned()))?;
    Ok(Ed25519Signer::from_seed(name, seed))
}

/// A witness signer from a fixed seed, for tests and examples.
pub fn witness_signer_from_seed(
    name: &str,
    seed: &[u8; 32],
) -> Result<CosignatureSigner, KeyError> {
    let name = KeyName::new(name).map_err(|_| KeyError::Name(name.to_owned()))?;
    Ok(CosignatureSigner::from_seed(name, seed))
}

/// The private key file line of a seed (for tests and examples that write key files).
pub fn skey_from_seed(name: &str, sig_type: u8, seed: &[u8; 32]) -> Result<String, KeyError> {
    let name = KeyName::new(name).map_err(|_| KeyError::Name(name.to_owned()))?;
    Ok(skey_line(&name, sig_type, seed))
}

/// Parses a verifier key, or reads it from a file if `arg` names an existing file.
pub fn verifier_arg(arg: &str) -> Result<Verifier, String> {
    let text = match std::fs::read_to_string(arg) {
        Ok(t) => t,
        Err(_) => arg.to_owned(),
    };
    Verifier::from_vkey(text.trim()).map_err(|e| format!("verifier key {arg:?}: {e}"))
}

/// Parses an entry signer's public key: 64 hex digits, or a verifier key
/// `<name>+<hex key ID>+<base64(0x01 ‖ public key)>` as printed by `sanduq board keygen
/// --log`, or a file holding either.
pub fn public_key_arg(arg: &str) -> Result<[u8; 32], String> {
    let text = std::fs::read_to_string(arg).unwrap_or_else(|_| arg.to_owned());
    let text = text.trim();
    if let Ok(k) = sanduq_record::credentials::hex32("key", text) {
        return if VerifyingKey::from_bytes(&k).is_ok_and(|v| !v.is_weak()) {
            Ok(k)
        } else {
            Err(format!("{arg:?}: not a valid Ed25519 public key"))
        };
    }
    match sanduq_tlog::signed_note::Verifier::from_vkey(text) {
        Ok(v) if v.sig_type() == sanduq_tlog::signed_note::TYPE_ED25519 => {
            Ok(v.public_key().to_bytes())
        }
        Ok(_) => Err(format!("{arg:?}: not an Ed25519 (type 0x01) key")),
        Err(e) => Err(format!(
            "{arg:?}: neither 64 hex digits nor a verifier key: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generated_keys_round_trip() {
        let (skey, vkey) = generate("example.org/log", TYPE_ED25519).unwrap();
        let s = log_signer(&skey).unwrap();
        assert_eq!(s.verifier().to_vkey(), vkey);
        // The Go-compatible parser of the protocol crate reads the same line.
        assert_eq!(Ed25519Signer::from_skey(&skey).unwrap().id(), s.id());
        let (skey, vkey) = generate("w.example/a", TYPE_COSIGNATURE_V1).unwrap();
        assert_eq!(witness_signer(&skey).unwrap().verifier().to_vkey(), vkey);
        assert!(log_signer(&skey).is_err(), "a witness key is not a log key");
    }
}

//! `cosignature/v1` known answers from Sunlight's skylight test data (`data/tlog/cosignature`)
//! and k-of-n quorum checks.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::cosignature::{self, CosignatureError, CosignatureSigner, QuorumPolicy};
use sanduq_tlog::signed_note::{KeyName, Note, NoteSignature, Verifier, VerifierSet, VerifyError};
use sha2::{Digest, Sha256};

/// The fixed timestamp of the skylight test data (README).
const T: u64 = 1_767_139_200;

fn vkey(rel: &str) -> Verifier {
    Verifier::from_vkey(common::read_str(rel).trim_end()).unwrap()
}

/// Sunlight `gen.go`: Ed25519 seed = SHA-256 of an ASCII string.
fn signer(name: &str, seed_text: &str) -> CosignatureSigner {
    let seed: [u8; 32] = Sha256::digest(seed_text.as_bytes()).into();
    CosignatureSigner::from_seed(KeyName::new(name).unwrap(), &seed)
}

fn witnesses() -> [(CosignatureSigner, &'static str, &'static str); 3] {
    [
        (
            signer("witness.example.org", "skylight test witness key"),
            "cosignature/witness.example.org.vkey",
            "cosignature/rome2026h1-witness.checkpoint",
        ),
        (
            signer("witness2.example.org", "skylight test witness2 key"),
            "cosignature/witness2.example.org.vkey",
            "cosignature/milan2026h1-witness2.checkpoint",
        ),
        (
            signer("mirror.example.org", "skylight test mirror key"),
            "cosignature/mirror.example.org.vkey",
            "cosignature/rome2026h1-mirror.checkpoint",
        ),
    ]
}

fn cosigner_verifier(v: Verifier) -> cosignature::CosignatureVerifier {
    match v {
        Verifier::CosignatureV1(c) => c,
        other => panic!("not a cosignature key: {other:?}"),
    }
}

#[test]
fn known_answers_verify_and_resign_identically() {
    for (signer, vk, file) in witnesses() {
        let bytes = common::read(file);
        let cp = SignedCheckpoint::parse(&bytes).unwrap();
        assert_eq!(cp.note().to_bytes(), bytes, "{file} round trip");
        // The seed from gen.go gives the published verifier key.
        assert_eq!(signer.verifier(), vkey(vk), "{vk}");
        let keys: VerifierSet = [vkey(vk)].into_iter().collect();
        let verified = cp.verify(&keys).unwrap();
        assert_eq!(verified.verified().len(), 1, "{file}");
        assert_eq!(verified.verified()[0].timestamp, Some(T), "{file}");
        // Deterministic Ed25519: the same text and time give the same cosignature bytes.
        let ours = signer.sign(cp.note().text(), T).unwrap();
        let theirs = cp
            .note()
            .signatures()
            .iter()
            .find(|s| s.name() == signer.name())
            .unwrap();
        assert_eq!(&ours, theirs, "{file}");
    }
}

#[test]
fn unknown_type_0x05_log_signature_is_ignored() {
    let cp = SignedCheckpoint::parse(&common::read("cosignature/rome2026h1-witness.checkpoint"))
        .unwrap();
    let log_sig = &cp.note().signatures()[0];
    assert_eq!(log_sig.name().as_str(), "rome2026h1.example.org");
    assert_eq!(log_sig.id().to_string(), "91507526");
    let keys: VerifierSet = [vkey("cosignature/witness.example.org.vkey")]
        .into_iter()
        .collect();
    assert!(cp.verify(&keys).is_ok());
    // With no key at all, nothing verifies.
    assert_eq!(
        cp.verify(&VerifierSet::new()).unwrap_err().to_string(),
        "checkpoint signature: note carries no signature from a known key"
    );
}

#[test]
fn signed_message_layout_and_timestamp_binding() {
    let cp =
        SignedCheckpoint::parse(&common::read("cosignature/rome2026h1-mirror.checkpoint")).unwrap();
    assert_eq!(
        cosignature::signed_message(cp.note().text(), T),
        b"cosignature/v1\ntime 1767139200\nrome2026h1.example.org\n300\ngw31yQrqZZCcEOPrzX+bpy3nJ6QgngTKn8G1m0i62uU=\n"
            .to_vec()
    );
    let sig = &cp.note().signatures()[0];
    // Blob = key ID (4) || timestamp (8, big-endian) || Ed25519 (64): 76 bytes in base64.
    assert_eq!(sig.signature().len(), 72);
    assert_eq!(
        u64::from_be_bytes(sig.signature()[..8].try_into().unwrap()),
        T
    );
    let v = cosigner_verifier(vkey("cosignature/mirror.example.org.vkey"));
    assert_eq!(
        v.verify_text(cp.note().text().as_bytes(), sig.signature()),
        Some(T)
    );
    // Changing the timestamp by one breaks the signature.
    for t in [T - 1, T + 1] {
        let mut blob = sig.signature().to_vec();
        blob[..8].copy_from_slice(&t.to_be_bytes());
        assert_eq!(
            v.verify_text(cp.note().text().as_bytes(), &blob),
            None,
            "t = {t}"
        );
    }
    // A forged note with the timestamp changed is rejected as a bad signature of a known key.
    let mut blob = sig.signature().to_vec();
    blob[7] ^= 1;
    let forged = Note::new(
        cp.note().text().to_owned(),
        vec![NoteSignature::new(sig.name().clone(), sig.id(), blob).unwrap()],
    )
    .unwrap();
    let keys: VerifierSet = [vkey("cosignature/mirror.example.org.vkey")]
        .into_iter()
        .collect();
    assert!(matches!(
        forged.verify(&keys),
        Err(VerifyError::BadSignature { .. })
    ));
    // Timestamps above 2^63 - 1 are refused when signing.
    let (s, _, _) = &witnesses()[0];
    assert_eq!(
        s.sign(cp.note().text(), 1 << 63),
        Err(CosignatureError::TimestampTooLarge(1 << 63))
    );
}

#[test]
fn quorum_k_of_n() {
    let ws = witnesses();
    let verifiers: Vec<_> = ws
        .iter()
        .map(|(_, vk, _)| cosigner_verifier(vkey(vk)))
        .collect();
    // The mirror checkpoint carries one cosignature (mirror.example.org).
    let mirror = Note::parse(&common::read("cosignature/rome2026h1-mirror.checkpoint")).unwrap();
    let one = QuorumPolicy::new(verifiers.clone(), 1).unwrap();
    let q = one.check(&mirror, T).unwrap();
    assert_eq!(q.cosigners.len(), 1);
    assert_eq!(q.cosigners[&KeyName::new("mirror.example.org").unwrap()], T);
    let two = QuorumPolicy::new(verifiers.clone(), 2).unwrap();
    assert_eq!(
        two.check(&mirror, T),
        Err(CosignatureError::QuorumNotReached {
            got: 1,
            threshold: 2
        })
    );

    // Add the two other witnesses' cosignatures: 3 of 3.
    let mut all = mirror.clone();
    for (s, _, _) in &ws[..2] {
        all.push_signature(s.sign(mirror.text(), T + 5).unwrap())
            .unwrap();
    }
    let three = QuorumPolicy::new(verifiers.clone(), 3).unwrap();
    assert_eq!(three.check(&all, T + 5).unwrap().cosigners.len(), 3);
    // Duplicate lines of one witness count once.
    let mut dup = mirror.clone();
    dup.push_signature(mirror.signatures()[0].clone()).unwrap();
    assert_eq!(
        two.check(&dup, T),
        Err(CosignatureError::QuorumNotReached {
            got: 1,
            threshold: 2
        })
    );
    // A cosignature dated after "now" is refused.
    assert!(matches!(
        three.check(&all, T + 4),
        Err(CosignatureError::FromTheFuture { .. })
    ));
    // Cosignatures over another text do not count: they fail as bad signatures.
    let other = Note::parse(&common::read("cosignature/rome2026h1-witness.checkpoint")).unwrap();
    let mut mixed = other.clone();
    mixed.push_signature(all.signatures()[1].clone()).unwrap();
    assert!(matches!(
        three.check(&mixed, T + 5),
        Err(CosignatureError::BadCosignature { .. })
    ));
    // Invalid thresholds.
    assert!(QuorumPolicy::new(verifiers.clone(), 0).is_err());
    assert!(QuorumPolicy::new(verifiers, 4).is_err());
}

//! Signed notes, verifier keys and checkpoints from `data/tlog/notes` and
//! `data/tlog/checkpoints` (C2SP spec examples, golang.org/x/mod `note_test.go`,
//! sum.golang.org checkpoints, and negatives derived from them).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::signed_note::{
    Ed25519Signer, KeyId, Note, NoteError, Verifier, VerifierSet, VerifyError,
};

fn vkey(rel: &str) -> Verifier {
    Verifier::from_vkey(common::read_str(rel).trim_end()).unwrap()
}

fn keys(rels: &[&str]) -> VerifierSet {
    rels.iter().map(|r| vkey(r)).collect()
}

#[test]
fn verifier_keys_parse_and_round_trip() {
    for rel in [
        "notes/c2sp-signed-note-example.vkey",
        "notes/go-PeterNeumann.vkey",
        "notes/go-EnochRoot.vkey",
        "checkpoints/sum.golang.org.vkey",
        "cosignature/witness.example.org.vkey",
        "cosignature/witness2.example.org.vkey",
        "cosignature/mirror.example.org.vkey",
        "witness/litewitness/log.vkey",
        "witness/litewitness/other.vkey",
        "witness/litewitness/witness.vkey",
    ] {
        let text = common::read_str(rel);
        let v = Verifier::from_vkey(text.trim_end()).unwrap();
        assert_eq!(v.to_vkey(), text.trim_end(), "{rel}");
    }
    let pn = vkey("notes/go-PeterNeumann.vkey");
    assert_eq!(pn.name().as_str(), "PeterNeumann");
    assert_eq!(pn.id(), KeyId([0xc7, 0x4f, 0x20, 0xa3]));
    assert_eq!(
        vkey("cosignature/witness.example.org.vkey").sig_type(),
        0x04
    );
}

#[test]
fn malformed_verifier_keys_are_rejected() {
    let good = common::read_str("notes/go-PeterNeumann.vkey");
    let good = good.trim_end();
    let bad = [
        // Key ID does not match the key.
        good.replace("c74f20a3", "c74f20a7"),
        // Upper-case / short key ID.
        good.replace("c74f20a3", "C74F20A3"),
        good.replace("c74f20a3", "c74f20a"),
        // Name with a space, empty name.
        good.replace("PeterNeumann", "Peter Neumann"),
        good.replace("PeterNeumann", ""),
        // Unknown signature type (0x02 instead of 0x01: 'AR' -> 'Ah').
        good.replace("+ARpc", "+AhpC"),
        // Truncated key.
        good[..good.len() - 4].to_owned(),
        "no-plus-signs".to_owned(),
    ];
    for b in bad {
        assert!(Verifier::from_vkey(&b).is_err(), "{b:?} accepted");
    }
}

#[test]
fn c2sp_signed_note_example() {
    let bytes = common::read("notes/c2sp-signed-note-example.note");
    let note = Note::parse(&bytes).unwrap();
    assert_eq!(note.signatures().len(), 1);
    let v = note
        .verify(&keys(&["notes/c2sp-signed-note-example.vkey"]))
        .unwrap();
    assert_eq!(v.verified().len(), 1);
    assert_eq!(note.to_bytes(), bytes);
}

#[test]
fn quasimodo_text_contains_a_blank_line() {
    let bytes = common::read("notes/c2sp-signed-note-quasimodo.note");
    let note = Note::parse(&bytes).unwrap();
    // The text is 4 lines including an empty one; the last blank line separates.
    assert_eq!(
        note.text(),
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    assert_eq!(note.signatures().len(), 1);
    assert_eq!(
        note.signatures()[0].name().as_str(),
        "quasimodo.example/salvatore"
    );
    assert_eq!(note.to_bytes(), bytes);
}

#[test]
fn go_peter_neumann_note_and_deterministic_resign() {
    let bytes = common::read("notes/go-PeterNeumann.note");
    let note = Note::parse(&bytes).unwrap();
    note.verify(&keys(&["notes/go-PeterNeumann.vkey"])).unwrap();
    let signer =
        Ed25519Signer::from_skey(common::read_str("notes/go-PeterNeumann.skey").trim_end())
            .unwrap();
    assert_eq!(signer.verifier(), vkey("notes/go-PeterNeumann.vkey"));
    let sig = signer.sign(note.text()).unwrap();
    // Ed25519 is deterministic: re-signing reproduces the published signature exactly.
    assert_eq!(&sig, &note.signatures()[0]);
    let rebuilt = Note::new(note.text().to_owned(), vec![sig]).unwrap();
    assert_eq!(rebuilt.to_bytes(), bytes);
}

#[test]
fn two_signatures_each_key_alone_or_both() {
    let bytes = common::read("notes/go-PeterNeumann-EnochRoot.note");
    let note = Note::parse(&bytes).unwrap();
    assert_eq!(note.signatures().len(), 2);
    for set in [
        vec!["notes/go-PeterNeumann.vkey"],
        vec!["notes/go-EnochRoot.vkey"],
        vec!["notes/go-PeterNeumann.vkey", "notes/go-EnochRoot.vkey"],
    ] {
        let v = note.verify(&keys(&set)).unwrap();
        assert_eq!(v.verified().len(), set.len(), "{set:?}");
    }
}

/// Decides whether a parsed negative note was rejected as it should be.
type RejectCheck = fn(&Result<Note, NoteError>, &VerifierSet) -> bool;

#[test]
fn negative_notes_are_rejected() {
    let pn = keys(&["notes/go-PeterNeumann.vkey"]);
    let cases: &[(&str, RejectCheck)] = &[
        ("text-changed.note", |n, k| {
            matches!(
                n.as_ref().unwrap().verify(k),
                Err(VerifyError::BadSignature { .. })
            )
        }),
        ("sig-byte-flipped.note", |n, k| {
            matches!(
                n.as_ref().unwrap().verify(k),
                Err(VerifyError::BadSignature { .. })
            )
        }),
        ("same-name-other-id.note", |n, k| {
            matches!(
                n.as_ref().unwrap().verify(k),
                Err(VerifyError::NoKnownSignature)
            )
        }),
        ("only-unknown-key.note", |n, k| {
            matches!(
                n.as_ref().unwrap().verify(k),
                Err(VerifyError::NoKnownSignature)
            )
        }),
        ("no-blank-line.note", |n, _| n.is_err()),
        ("no-final-newline.note", |n, _| n.is_err()),
        ("hyphen-not-emdash.note", |n, _| n.is_err()),
    ];
    let dir = common::path("notes/negative");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        cases.len(),
        "every negative note is listed"
    );
    for (file, rejected) in cases {
        let parsed = Note::parse(&common::read(&format!("notes/negative/{file}")));
        assert!(rejected(&parsed, &pn), "{file}: {parsed:?}");
    }
    // same-name-other-id: the key ID on the line is c74f20a7, not PeterNeumann's c74f20a3.
    let n = Note::parse(&common::read("notes/negative/same-name-other-id.note")).unwrap();
    assert_eq!(n.signatures()[0].id(), KeyId([0xc7, 0x4f, 0x20, 0xa7]));
}

#[test]
fn sumdb_checkpoints() {
    let k = keys(&["checkpoints/sum.golang.org.vkey"]);
    for (file, size) in [
        ("checkpoints/sumdb-6476701.checkpoint", 6_476_701),
        ("checkpoints/sumdb-35225469.checkpoint", 35_225_469),
    ] {
        let bytes = common::read(file);
        let c = SignedCheckpoint::parse(&bytes).unwrap();
        c.verify(&k).unwrap();
        // The key name (sum.golang.org) differs from the origin: allowed ("SHOULD match").
        assert_eq!(c.checkpoint().origin(), "go.sum database tree");
        assert_eq!(c.checkpoint().size(), size);
        assert_eq!(c.note().to_bytes(), bytes);
        assert_eq!(c.checkpoint().to_text(), c.note().text());
    }
}

#[test]
fn c2sp_checkpoint_examples_parse_but_verify_under_no_known_key() {
    let sumdb = keys(&["checkpoints/sum.golang.org.vkey"]);
    for file in [
        "checkpoints/c2sp-tlog-checkpoint-example.checkpoint",
        "checkpoints/c2sp-tlog-cosignature-example.checkpoint",
    ] {
        let c = SignedCheckpoint::parse(&common::read(file)).unwrap();
        assert_eq!(c.checkpoint().origin(), "example.com/behind-the-sofa");
        assert_eq!(c.checkpoint().size(), 20_852_163);
        assert!(c.checkpoint().extensions().is_empty());
        // Key ID 033de0ae is sum.golang.org's, but the name differs: unknown key, ignored.
        assert!(c.verify(&sumdb).is_err());
    }
    let c = SignedCheckpoint::parse(&common::read(
        "checkpoints/c2sp-tlog-cosignature-example.checkpoint",
    ))
    .unwrap();
    let w = &c.note().signatures()[1];
    assert_eq!(w.name().as_str(), "witness.example.com/w1");
    assert_eq!(w.id(), KeyId([0x8d, 0x66, 0xcf, 0x3f]));
    // The cosignature blob: timestamp 1679315147 big-endian, then 64 signature bytes.
    assert_eq!(w.signature().len(), 72);
    assert_eq!(
        u64::from_be_bytes(w.signature()[..8].try_into().unwrap()),
        1_679_315_147
    );
}

#[test]
fn checkpoint_text_rules() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let ok = format!("example.com/log\n5\n{root}\next one\n");
    let c = Checkpoint::parse(&ok).unwrap();
    assert_eq!(c.extensions(), ["ext one"]);
    assert_eq!(c.to_text(), ok);
    for bad in [
        format!("example.com/log\n5\n{root}"),    // no final newline
        format!("\n5\n{root}\n"),                 // empty origin
        format!("example.com/log\n05\n{root}\n"), // leading zero
        format!("example.com/log\n-5\n{root}\n"), // sign
        format!("example.com/log\n+5\n{root}\n"), // sign
        format!("example.com/log\n 5\n{root}\n"), // space
        "example.com/log\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
            .to_owned(), // 2^64
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n".to_owned(), // unpadded
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(), // non-canonical
        "example.com/log\n5\nAAAA\n".to_owned(), // 3-byte root
        format!("example.com/log\n5\n{root}\n\n"), // empty extension line
        "example.com/log\n5\n".to_owned(),       // two lines
        format!("example.com/log\r\n5\n{root}\n"), // control character
    ] {
        assert!(Checkpoint::parse(&bad).is_err(), "{bad:?} accepted");
    }
    assert_eq!(
        Checkpoint::parse("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
            .unwrap()
            .size(),
        0
    );
}

//! tlog-witness v1.0.0 `add-checkpoint` conformance: `data/tlog/witness/cases.md`, sequence A
//! (the litewitness script, 01–09) then sequence B (X1–X8) on the same witness.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use hkdf::Hkdf;
use sanduq_tlog::cosignature::CosignatureSigner;
use sanduq_tlog::merkle::{Hash, Tree};
use sanduq_tlog::signed_note::{KeyName, Note, NoteSignature, Verifier, VerifierSet};
use sanduq_tlog::witness::{
    AddCheckpointRequest, Conflict, MemoryStore, Outcome, SIZE_CONTENT_TYPE, SplitViewEvidence,
    UpdateError, Witness, WitnessStore,
};
use sha2::Sha256;

const ORIGIN: &str =
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562";
const NOW: u64 = 1_700_000_000;

fn vkey(rel: &str) -> Verifier {
    Verifier::from_vkey(common::read_str(rel).trim_end()).unwrap()
}

/// cases.md: okm = HKDF-SHA256(ikm = gentest seed, salt = "litewitness gentest", info = ""),
/// 64 bytes; log seed = okm[0:32], witness seed = okm[32:64].
fn gentest_okm() -> [u8; 64] {
    let seed =
        hex::decode("b4e385f4358f7373cfa9184b176f3cccf808e795baf04092ddfde9461014f0c4").unwrap();
    let mut okm = [0u8; 64];
    Hkdf::<Sha256>::new(Some(b"litewitness gentest"), &seed)
        .expand(b"", &mut okm)
        .unwrap();
    okm
}

fn witness() -> Witness {
    let okm = gentest_okm();
    let signer = CosignatureSigner::from_seed(
        KeyName::new("example.com/witness").unwrap(),
        &okm[32..].try_into().unwrap(),
    );
    // The derived key is litewitness's witness key.
    assert_eq!(signer.verifier(), vkey("witness/litewitness/witness.vkey"));
    let mut w = Witness::new(signer);
    let keys: VerifierSet = [vkey("witness/litewitness/log.vkey")].into_iter().collect();
    w.add_log(ORIGIN, keys);
    w
}

/// Checks a 200 body: signature lines, at least one verifying as a `cosignature/v1` from the
/// witness key over the submitted checkpoint text, with a non-zero timestamp.
fn assert_cosigned(body: &[u8], request: &[u8]) {
    let req = AddCheckpointRequest::parse(request).unwrap();
    let text = req.checkpoint().note().text().to_owned();
    let body = std::str::from_utf8(body).unwrap();
    assert!(
        body.ends_with('\n') && body.starts_with("\u{2014} example.com/witness "),
        "{body:?}"
    );
    let sigs: Vec<NoteSignature> = body
        .strip_suffix('\n')
        .unwrap()
        .split('\n')
        .enumerate()
        .map(|(i, l)| NoteSignature::parse_line(l, i + 1).unwrap())
        .collect();
    let note = Note::new(text, sigs).unwrap();
    let keys: VerifierSet = [vkey("witness/litewitness/witness.vkey")]
        .into_iter()
        .collect();
    let v = note.verify(&keys).unwrap();
    assert_eq!(v.verified()[0].timestamp, Some(NOW));
}

#[derive(Debug)]
enum Want {
    Cosig,
    Status(&'static [u16]),
    SizeConflict(u64),
}

#[test]
fn litewitness_sequences_a_and_b() {
    let w = witness();
    let store = MemoryStore::new();
    let cases: &[(&str, Want, u64)] = &[
        ("requests/01.txt", Want::Cosig, 1),
        // Non-canonical base64 in the signature: a strict decoder answers 400, Go's 403.
        ("requests/02.txt", Want::Status(&[400, 403]), 1),
        ("requests/03.txt", Want::Status(&[404]), 1),
        ("requests/04.txt", Want::Status(&[422]), 1),
        ("requests/05.txt", Want::Status(&[422]), 1),
        ("requests/06.txt", Want::Cosig, 3),
        ("requests/07.txt", Want::SizeConflict(3), 3),
        ("requests/08.txt", Want::Cosig, 5),
        ("requests/09.txt", Want::SizeConflict(5), 5),
        ("extra/X1.txt", Want::Status(&[403]), 5),
        ("extra/X2.txt", Want::Status(&[400]), 5),
        ("extra/X3.txt", Want::Cosig, 5),
        // Same size, different root: 409 under v1.0.0.
        ("extra/X4.txt", Want::Status(&[409]), 5),
        ("extra/X5.txt", Want::Status(&[403]), 5),
        ("extra/X6.txt", Want::Cosig, 7),
        ("extra/X7.txt", Want::SizeConflict(7), 7),
        // 64 proof lines: the client MUST NOT send more than 63.
        ("extra/X8.txt", Want::Status(&[400]), 7),
    ];
    for (file, want, stored_after) in cases {
        let body = common::read(&format!("witness/litewitness/{file}"));
        let out = w.add_checkpoint(&store, &body, NOW);
        match want {
            Want::Cosig => {
                assert_eq!(out.status(), 200, "{file}: {out:?}");
                assert_cosigned(&out.body(), &body);
            }
            Want::Status(allowed) => {
                assert!(
                    allowed.contains(&out.status()),
                    "{file}: {} {out:?}",
                    out.status()
                );
            }
            Want::SizeConflict(n) => {
                assert_eq!(out.status(), 409, "{file}: {out:?}");
                assert_eq!(out.body(), format!("{n}\n").into_bytes(), "{file}");
                assert_eq!(out.content_type(), SIZE_CONTENT_TYPE);
            }
        }
        let stored = store.latest(ORIGIN).unwrap().map_or(0, |s| s.size);
        assert_eq!(stored, *stored_after, "{file}: stored size");
    }
}

#[test]
fn specific_outcomes_and_evidence() {
    let w = witness();
    let store = MemoryStore::new();
    let log_keys: VerifierSet = [vkey("witness/litewitness/log.vkey")].into_iter().collect();
    let run = |f: &str| {
        w.add_checkpoint(
            &store,
            &common::read(&format!("witness/litewitness/{f}")),
            NOW,
        )
    };
    assert_eq!(run("requests/01.txt").status(), 200);
    // #3: the origin differs in its last hex digit.
    assert!(
        matches!(run("requests/03.txt"), Outcome::UnknownLog { origin } if origin.ends_with("e563"))
    );
    // #5: a corrupted proof is logged as (inconclusive) evidence that re-checks.
    let out = run("requests/05.txt");
    assert_eq!(out.status(), 422);
    let Some(ev @ SplitViewEvidence::FailedConsistency { .. }) = out.evidence() else {
        panic!("{out:?}")
    };
    ev.check(&log_keys).unwrap();
    assert_eq!(run("requests/06.txt").status(), 200);
    assert_eq!(run("requests/08.txt").status(), 200);
    // X4: two validly signed size-5 checkpoints with different roots: conclusive evidence.
    let out = run("extra/X4.txt");
    assert_eq!(out.status(), 409);
    let Some(ev @ SplitViewEvidence::SameSize { .. }) = out.evidence() else {
        panic!("{out:?}")
    };
    ev.check(&log_keys).unwrap();
    // The evidence does not stand under another log's keys.
    let other: VerifierSet = [vkey("witness/litewitness/other.vkey")]
        .into_iter()
        .collect();
    assert!(ev.check(&other).is_err());
    // X1 is a bad signature from the trusted key; X5 carries only an unknown key's signature.
    assert!(matches!(run("extra/X1.txt"), Outcome::Forbidden { .. }));
    assert!(matches!(run("extra/X5.txt"), Outcome::Forbidden { .. }));
}

/// cases.md: leaf hashes `2a i 00…`, used directly; the roots and proofs it lists.
#[test]
fn litewitness_tree_roots_and_proofs() {
    let mut tree = Tree::new();
    for i in 0..7u8 {
        let mut h = [0u8; 32];
        h[0] = 0x2a;
        h[1] = i;
        tree.append_leaf_hash(Hash(h));
    }
    let b64 = |s: &str| Hash::from_slice(&common::b64(s)).unwrap();
    assert_eq!(
        tree.root_at(1).unwrap(),
        b64("KgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    );
    assert_eq!(
        tree.root_at(3).unwrap(),
        b64("RcCI1Nk56ZcSmIEfIn0SleqtV7uvrlXNccFx595Iwl0=")
    );
    assert_eq!(
        tree.root_at(5).unwrap(),
        b64("QrtXrQZCCvpIgsSmOsah7HdICzMLLyDfxToMql9WTjY=")
    );
    assert_eq!(
        tree.root_at(7).unwrap(),
        b64("ZfpPlm0WQvRgEltNNV8dK3xU+PGsXG5IP+ZzwSltq3g=")
    );
    for (file, a, b) in [
        ("requests/06.txt", 1, 3),
        ("requests/07.txt", 1, 5),
        ("requests/08.txt", 3, 5),
        ("extra/X6.txt", 5, 7),
    ] {
        let req =
            AddCheckpointRequest::parse(&common::read(&format!("witness/litewitness/{file}")))
                .unwrap();
        assert_eq!(tree.consistency_proof(a, b).unwrap(), req.proof(), "{file}");
    }
}

#[test]
fn request_bodies_round_trip_and_spec_example_parses() {
    for f in ["requests/01.txt", "requests/08.txt", "extra/X6.txt"] {
        let bytes = common::read(&format!("witness/litewitness/{f}"));
        assert_eq!(
            AddCheckpointRequest::parse(&bytes).unwrap().to_bytes(),
            bytes,
            "{f}"
        );
    }
    let bytes = common::read("witness/c2sp-tlog-witness-v1.0.0-example-request.txt");
    let req = AddCheckpointRequest::parse(&bytes).unwrap();
    assert_eq!(req.old_size(), 20_852_014);
    assert_eq!(req.proof().len(), 4);
    assert_eq!(req.checkpoint().checkpoint().size(), 20_852_163);
    assert_eq!(req.checkpoint().note().signatures().len(), 2);
    assert_eq!(req.to_bytes(), bytes);
    for bad in [
        &b""[..],
        b"old 1\n",
        b"old 01\n\n",
        b"old -1\n\n",
        b"new 1\n\n",
        b"old 1\nAAAA\n\n",
    ] {
        assert!(AddCheckpointRequest::parse(bad).is_err(), "{bad:?}");
    }
}

/// A store that lets another request win the race between the check and the write.
struct RacingStore {
    inner: MemoryStore,
    race: std::cell::Cell<Option<(u64, u64, Hash)>>,
}

impl WitnessStore for RacingStore {
    type Error = core::convert::Infallible;
    fn latest(
        &self,
        origin: &str,
    ) -> Result<Option<sanduq_tlog::witness::StoredCheckpoint>, Self::Error> {
        self.inner.latest(origin)
    }
    fn update(
        &self,
        origin: &str,
        old: u64,
        size: u64,
        root: Hash,
        note: &[u8],
    ) -> Result<(), UpdateError<Self::Error>> {
        if let Some((o, s, r)) = self.race.take() {
            self.inner.update(origin, o, s, r, b"concurrent").unwrap();
        }
        self.inner.update(origin, old, size, root, note)
    }
}

#[test]
fn check_and_store_is_a_compare_and_swap() {
    let w = witness();
    let store = RacingStore {
        inner: MemoryStore::new(),
        race: std::cell::Cell::new(None),
    };
    let read = |f: &str| common::read(&format!("witness/litewitness/{f}"));
    assert_eq!(
        w.add_checkpoint(&store, &read("requests/01.txt"), NOW)
            .status(),
        200
    );
    // While request 06 (1 → 3) is checked, another request stores size 5.
    let root5 =
        Hash::from_slice(&common::b64("QrtXrQZCCvpIgsSmOsah7HdICzMLLyDfxToMql9WTjY=")).unwrap();
    store.race.set(Some((1, 5, root5)));
    let out = w.add_checkpoint(&store, &read("requests/06.txt"), NOW);
    // The late request gets 409 with the size that won, and no cosignature.
    assert_eq!(out.status(), 409, "{out:?}");
    assert_eq!(out.body(), b"5\n");
    assert_eq!(store.latest(ORIGIN).unwrap().unwrap().size, 5);

    // The store itself never goes backwards, and keeps one root per size.
    let m = MemoryStore::new();
    let r = |b: u8| Hash([b; 32]);
    m.update("o", 0, 5, r(5), b"").unwrap();
    assert_eq!(
        m.update("o", 0, 3, r(3), b""),
        Err(UpdateError::Conflict(Conflict { stored_size: 5 }))
    );
    assert_eq!(
        m.update("o", 5, 4, r(4), b""),
        Err(UpdateError::Conflict(Conflict { stored_size: 5 }))
    );
    assert_eq!(
        m.update("o", 5, 5, r(6), b""),
        Err(UpdateError::Conflict(Conflict { stored_size: 5 }))
    );
    m.update("o", 5, 5, r(5), b"").unwrap();
    m.update("o", 5, 9, r(9), b"").unwrap();
    assert_eq!(m.latest("o").unwrap().unwrap().size, 9);
}

/// A witness with a new log, signed here with the log key derived from the gentest seed.
#[test]
fn new_log_signed_with_derived_key() {
    let okm = gentest_okm();
    let log = sanduq_tlog::signed_note::Ed25519Signer::from_seed(
        KeyName::new(ORIGIN).unwrap(),
        &okm[..32].try_into().unwrap(),
    );
    assert_eq!(log.verifier(), vkey("witness/litewitness/log.vkey"));
    let skey = sanduq_tlog::signed_note::Ed25519Signer::from_skey(
        common::read_str("witness/litewitness/log.skey").trim_end(),
    )
    .unwrap();
    assert_eq!(skey.verifier(), log.verifier());
    // Re-signing request 01's checkpoint reproduces its log signature byte for byte.
    let req =
        AddCheckpointRequest::parse(&common::read("witness/litewitness/requests/01.txt")).unwrap();
    let sig = log.sign(req.checkpoint().note().text()).unwrap();
    assert_eq!(&sig, &req.checkpoint().note().signatures()[0]);
    // A non-empty proof with old 0 is a bad proof (422).
    let mut body = b"old 0\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n".to_vec();
    body.extend_from_slice(&req.checkpoint().note().to_bytes());
    assert_eq!(
        witness()
            .add_checkpoint(&MemoryStore::new(), &body, NOW)
            .status(),
        422
    );

    // An empty log (size 0) is cosigned, and from it old 0 with no proof moves on to size 1.
    let store = MemoryStore::new();
    let empty = format!("{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
    let note = Note::new(empty.clone(), vec![log.sign(&empty).unwrap()]).unwrap();
    let mut body = b"old 0\n\n".to_vec();
    body.extend_from_slice(&note.to_bytes());
    assert_eq!(witness().add_checkpoint(&store, &body, NOW).status(), 200);
    assert_eq!(store.latest(ORIGIN).unwrap().unwrap().size, 0);
    let one = common::read("witness/litewitness/requests/01.txt");
    assert_eq!(witness().add_checkpoint(&store, &one, NOW).status(), 200);
    assert_eq!(store.latest(ORIGIN).unwrap().unwrap().size, 1);
}

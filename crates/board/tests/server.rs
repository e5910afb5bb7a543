//! The log server on loopback with three witness nodes and a quorum of two.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use sanduq_board::envelope::{Envelope, Fingerprint, TrackingCode};
use sanduq_board::mirror::{self, DirSource, HttpSource, MirrorError};
use sanduq_board::receipt::{CheckError, Receipt};
use sanduq_tlog::merkle;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn concurrent_submissions_are_published_with_a_quorum() {
    let net = Net::start(&[]);
    let url = net.url.clone();
    // 8 clients × 40 entries, all at once.
    let handles: Vec<_> = (0..8u64)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let c = sanduq_board::client::Client::new(&url);
                (0..40u64)
                    .map(|i| {
                        let e = ballot(t * 1000 + i);
                        let a = c.submit(e.as_bytes()).unwrap();
                        assert_eq!(a.status, 201, "{}", a.text());
                        assert_eq!(json_field(&a, "new"), true);
                        assert_eq!(
                            json_field(&a, "tracking_code"),
                            e.tracking_code().to_string()
                        );
                        (json_field(&a, "index").as_u64().unwrap(), e)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let acked: Vec<(u64, Envelope)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    // Every index 0..320 handed out exactly once.
    let indices: BTreeSet<u64> = acked.iter().map(|(i, _)| *i).collect();
    assert_eq!(indices, (0..320).collect());
    let cp = net.wait_published(320);
    let c = cp.checkpoint();
    assert_eq!(c.origin(), ORIGIN);
    // The log signed it, and all three witnesses (at least two) cosigned.
    let keys = core::iter::once(log_verifier()).collect();
    cp.note().verify(&keys).unwrap();
    let q = policy(2).check(cp.note(), now()).unwrap();
    assert!(q.cosigners.len() >= 2);
    // Each acknowledged entry is at its index, and the tree of the entries has the root.
    let client = net.client();
    let mut tree = merkle::Tree::new();
    let mut by_index: Vec<&(u64, Envelope)> = acked.iter().collect();
    by_index.sort_by_key(|(i, _)| *i);
    for (i, e) in by_index {
        let got = client.get(&format!("entry/{i}")).unwrap();
        assert_eq!(got.body, e.as_bytes());
        tree.append_entry(e.as_bytes());
    }
    assert_eq!(tree.root_at(c.size()).unwrap(), *c.root());
}

#[test]
fn no_checkpoint_is_published_without_a_quorum() {
    // Two of the three witnesses unreachable: one cosignature, quorum 2.
    let net = Net::start(&[1, 2]);
    let client = net.client();
    let e = ballot(1);
    let a = client.submit(e.as_bytes()).unwrap();
    assert_eq!(a.status, 201);
    // Many publication rounds (every 20 ms) pass without a publication.
    std::thread::sleep(Duration::from_millis(600));
    let cp = client.get("checkpoint").unwrap();
    assert_eq!(cp.status, 404, "{}", cp.text());
    assert_eq!(json_field(&cp, "error"), "not_found");
    let r = client.get(&format!("proof/{}", e.tracking_code())).unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(json_field(&r, "error"), "not_yet_published");
    // The one reachable witness did cosign (its state holds the checkpoint of size 1).
    use sanduq_tlog::witness::WitnessStore as _;
    let stored = net.witnesses[0]
        .node
        .store()
        .latest(ORIGIN)
        .unwrap()
        .unwrap();
    assert_eq!(stored.size, 1);
    // Tiles beyond the published size (0) are not served.
    assert_eq!(client.get("tile/0/000.p/1").unwrap().status, 404);
}

#[test]
fn duplicate_submissions_get_one_index() {
    let net = Net::start(&[]);
    let e = ballot(7);
    let url = net.url.clone();
    let bytes = e.as_bytes().to_vec();
    let answers: Vec<(u16, u64, bool)> = (0..8)
        .map(|_| {
            let (url, bytes) = (url.clone(), bytes.clone());
            std::thread::spawn(move || {
                let a = sanduq_board::client::Client::new(&url)
                    .submit(&bytes)
                    .unwrap();
                (
                    a.status,
                    json_field(&a, "index").as_u64().unwrap(),
                    json_field(&a, "new").as_bool().unwrap(),
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(answers.iter().filter(|a| a.2).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|a| a.1 == 0));
    // 201 for the one that appended it, 200 for the others.
    for (status, _, new) in &answers {
        assert_eq!(*status, if *new { 201 } else { 200 });
    }
    // The same artefact in a different envelope (another signer): a replay, refused.
    let replay = Envelope::sign("ballot", ELECTION, b"ballot-7", true, &submitter(3)).unwrap();
    let a = net.client().submit(replay.as_bytes()).unwrap();
    assert_eq!(a.status, 409);
    assert_eq!(json_field(&a, "error"), "duplicate");
    // Exactly one entry was appended.
    assert_eq!(net.board().size(), 1);
}

#[test]
fn bad_requests_are_refused_and_nothing_is_stored() {
    let net = Net::start(&[]);
    let c = net.client();
    let good = ballot(1);
    let bytes = good.as_bytes().to_vec();
    let check = |body: &[u8], status: u16, code: &str| {
        let a = c.submit(body).unwrap();
        assert_eq!(a.status, status, "{code}: {}", a.text());
        assert_eq!(json_field(&a, "error"), code);
        // No internals in the body: exactly the code, and for a refused entry the
        // validator's reason.
        let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        if code == "invalid_entry" {
            assert_eq!(keys, ["detail", "error"], "{}", a.text());
        } else {
            assert_eq!(a.text(), format!("{{\"error\":\"{code}\"}}\n"));
        }
    };
    check(b"", 400, "malformed");
    check(b"\x02\x06ballot", 400, "malformed");
    check(&bytes[..bytes.len() - 1], 400, "malformed");
    // 65,536 bytes: over the envelope limit.
    check(&vec![1u8; 65_536], 413, "too_large");
    let mut trailing = bytes.clone();
    trailing.push(0);
    check(&trailing, 400, "non_canonical");
    // The inline flag at offset 2 + 6 + 32 + 8 + 32 = 80 set to 2.
    let mut flag = bytes.clone();
    flag[80] = 2;
    check(&flag, 400, "non_canonical");
    // An upper-case kind.
    let mut kind = bytes.clone();
    kind[2] = b'B';
    check(&kind, 400, "non_canonical");
    // A changed body no longer hashes to content_hash.
    let mut body = bytes.clone();
    body[81] ^= 1;
    check(&body, 400, "non_canonical");
    // A flipped signature bit.
    let mut sig = bytes.clone();
    let last = sig.len() - 1;
    sig[last] ^= 0x40;
    check(&sig, 400, "bad_signature");
    // Correctly signed, wrong election.
    let other =
        Envelope::sign("ballot", Fingerprint([0xe2; 32]), b"x", true, &submitter(2)).unwrap();
    check(other.as_bytes(), 422, "wrong_election");
    // Artefact stored beside the log but never uploaded.
    let ext = Envelope::sign("manifest", ELECTION, b"big", false, &submitter(2)).unwrap();
    check(ext.as_bytes(), 422, "missing_artefact");
    // A kind the validator does not accept.
    let odd = Envelope::sign("receipt", ELECTION, b"y", true, &submitter(2)).unwrap();
    check(odd.as_bytes(), 422, "invalid_entry");
    // Nothing was stored.
    assert_eq!(net.board().size(), 0);
    assert_eq!(c.get("entry/0").unwrap().status, 404);
    assert_eq!(c.get("entry/00").unwrap().status, 400);
    // After uploading the artefact the external envelope is accepted, at index 0.
    let hash = hex::encode(ext.content_hash());
    assert_eq!(c.put_artefact(&hash, b"bigger").unwrap().status, 422);
    assert_eq!(c.put_artefact("00", b"big").unwrap().status, 400);
    assert_eq!(c.put_artefact(&hash, b"big").unwrap().status, 201);
    let a = c.submit(ext.as_bytes()).unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    assert_eq!(json_field(&a, "index"), 0);
    assert_eq!(c.get(&format!("artefact/{hash}")).unwrap().body, b"big");
    // Unknown routes and non-canonical tile paths.
    assert_eq!(c.get("nope").unwrap().status, 404);
    assert_eq!(c.get("tile/0/0").unwrap().status, 404);
}

#[test]
fn receipts_verify_offline_and_tampering_is_caught() {
    let net = Net::start(&[]);
    let c = net.client();
    let entries: Vec<Envelope> = (0..5).map(ballot).collect();
    for e in &entries {
        assert_eq!(c.submit(e.as_bytes()).unwrap().status, 201);
    }
    net.wait_published(5);
    let code = entries[3].tracking_code();
    let a = c.get(&format!("proof/{code}")).unwrap();
    assert_eq!(a.status, 200, "{}", a.text());
    let r = Receipt::parse(&a.body).unwrap();
    assert_eq!(r.index, 3);
    assert_eq!(r.to_bytes(), a.body, "the receipt encoding is canonical");
    let v = r.verify(&log_verifier(), &policy(2), now()).unwrap();
    assert_eq!(v.tracking_code, code);
    assert_eq!(v.index, 3);
    assert_eq!(v.size, 5);
    // Leaf 3 of 5: the audit path is leaf 2, node [0,2), leaf 4 (RFC 9162 §2.1.3.1).
    assert_eq!(r.proof.len(), 3);
    assert_eq!(r.proof[0], merkle::leaf_hash(entries[2].as_bytes()));
    // A tampered proof fails.
    let mut bad = r.clone();
    bad.proof[1].0[0] ^= 1;
    assert!(matches!(
        bad.verify(&log_verifier(), &policy(2), now()),
        Err(CheckError::Inclusion { .. })
    ));
    // Another index fails.
    let mut moved = r.clone();
    moved.index = 2;
    assert!(moved.verify(&log_verifier(), &policy(2), now()).is_err());
    // Requiring all three witnesses when fewer cosigned, or another log key, fails.
    let other_log = sanduq_board::keys::log_signer_from_seed(ORIGIN, &[99; 32])
        .unwrap()
        .verifier();
    assert!(matches!(
        r.verify(&other_log, &policy(2), now()),
        Err(CheckError::LogSignature(_))
    ));
    assert_eq!(c.get("proof/xyz").unwrap().status, 400);
    let unknown = TrackingCode([0; 32]);
    assert_eq!(c.get(&format!("proof/{unknown}")).unwrap().status, 404);
}

#[test]
fn mirror_copies_checks_and_detects_tampering() {
    let net = Net::start(&[]);
    let c = net.client();
    // 300 entries: a full level-0 tile, a partial one of 44, and a level-1 tile of width 1.
    let url = net.url.clone();
    let hs: Vec<_> = (0..4u64)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let c = sanduq_board::client::Client::new(&url);
                for i in 0..75 {
                    assert_eq!(
                        c.submit(ballot(t * 100 + i).as_bytes()).unwrap().status,
                        201
                    );
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    // Wait for exactly 300 (the last publication covers all).
    let cp = net.wait_published(300);
    assert_eq!(cp.checkpoint().size(), 300);
    let out = tempfile::tempdir().unwrap();
    let report = mirror::mirror(
        &HttpSource::new(&net.url),
        Some(out.path()),
        &log_verifier(),
        Some(&policy(2)),
        now(),
    )
    .unwrap();
    assert_eq!(report.size, 300);
    // tlog-tiles for size 300 (board.md §5): tile/0/000, tile/0/001.p/44, tile/1/000.p/1.
    assert_eq!(report.hash_tiles, 3);
    assert_eq!(report.bundles, 2);
    for p in [
        "checkpoint",
        "tile/0/000",
        "tile/0/001.p/44",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/44",
    ] {
        assert!(out.path().join(p).is_file(), "{p} not copied");
    }
    assert_eq!(
        std::fs::read(out.path().join("tile/0/000")).unwrap(),
        c.get("tile/0/000").unwrap().body
    );
    // The copy checks again from the directory.
    mirror::mirror(
        &DirSource(out.path().to_path_buf()),
        None,
        &log_verifier(),
        None,
        now(),
    )
    .unwrap();
    // One changed byte in a full hash tile is found, and named.
    let tile = out.path().join("tile/0/000");
    let mut b = std::fs::read(&tile).unwrap();
    b[100] ^= 1;
    std::fs::write(&tile, &b).unwrap();
    match mirror::mirror(
        &DirSource(out.path().to_path_buf()),
        None,
        &log_verifier(),
        None,
        now(),
    ) {
        Err(MirrorError::TileMismatch { path }) => assert_eq!(path, "tile/0/000"),
        other => panic!("tampered tile not detected: {other:?}"),
    }
    b[100] ^= 1;
    std::fs::write(&tile, &b).unwrap();
    // A changed entry no longer hashes to the checkpoint root.
    let bundle = out.path().join("tile/entries/001.p/44");
    let mut e = std::fs::read(&bundle).unwrap();
    let n = e.len() - 1;
    e[n] ^= 1;
    std::fs::write(&bundle, &e).unwrap();
    assert!(matches!(
        mirror::mirror(
            &DirSource(out.path().to_path_buf()),
            None,
            &log_verifier(),
            None,
            now()
        ),
        Err(MirrorError::Root { size: 300 })
    ));
}

/// A validator whose history lookups fail from the third batch on, as a broken disk would.
struct BrokenDisk(std::sync::atomic::AtomicUsize);

impl sanduq_board::validator::EntryValidator for BrokenDisk {
    fn validate_batch(
        &self,
        batch: &[&Envelope],
        _log: &dyn sanduq_board::validator::LogView,
    ) -> Result<Vec<Result<(), sanduq_board::validator::Rejection>>, String> {
        if self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 2 {
            return Err("I/O error".to_owned());
        }
        Ok(batch.iter().map(|_| Ok(())).collect())
    }
}

#[test]
fn a_storage_error_stops_acceptance() {
    let net = Net::start_with(&[], std::sync::Arc::new(BrokenDisk(Default::default())));
    let c = net.client();
    for n in 0..2 {
        assert_eq!(c.submit(ballot(n).as_bytes()).unwrap().status, 201);
    }
    let a = c.submit(ballot(2).as_bytes()).unwrap();
    assert_eq!(a.status, 503);
    assert_eq!(a.text(), "{\"error\":\"unavailable\"}\n");
    // The server does not retry or guess: later submissions are refused too.
    let a = c.submit(ballot(3).as_bytes()).unwrap();
    assert_eq!(a.status, 503);
    assert_eq!(json_field(&a, "error"), "unavailable");
    // Nothing of the failed batch was appended; what was durable is still served.
    assert_eq!(net.board().size(), 2);
    assert_eq!(c.get("entry/1").unwrap().body, ballot(1).as_bytes());
    assert_eq!(c.get("entry/2").unwrap().status, 404);
}

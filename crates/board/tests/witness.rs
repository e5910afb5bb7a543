//! A witness node over HTTP catches a log that signs two different checkpoints of one size
//! (or an inconsistent larger one), refuses them, and keeps the evidence.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;

use common::*;
use sanduq_board::client::Client;
use sanduq_board::witness_node::{EvidenceRecord, SqliteWitnessStore};
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::merkle::{Hash, Tree};
use sanduq_tlog::signed_note::{Note, VerifierSet};
use sanduq_tlog::witness::{AddCheckpointRequest, UpdateError, WitnessStore};

fn tree(entries: &[&[u8]]) -> Tree {
    let mut t = Tree::new();
    for e in entries {
        t.append_entry(e);
    }
    t
}

fn signed(origin: &str, t: &Tree) -> SignedCheckpoint {
    let text = Checkpoint::new(origin, t.size(), t.root())
        .unwrap()
        .to_text();
    let sig = log_signer().sign(&text).unwrap();
    SignedCheckpoint::from_note(Note::new(text, vec![sig]).unwrap()).unwrap()
}

fn post(c: &Client, base: &str, body: &[u8]) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let _ = c;
    let mut r = agent
        .post(format!("{base}/add-checkpoint"))
        .send(body)
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

fn request(old: u64, proof: Vec<Hash>, cp: &SignedCheckpoint) -> Vec<u8> {
    AddCheckpointRequest::new(old, proof, cp.clone())
        .unwrap()
        .to_bytes()
}

#[test]
fn split_views_are_refused_and_the_evidence_is_kept() {
    let w = start_witness(0);
    let base = w.bg.url();
    let c = Client::new(&base);
    let a = tree(&[b"a", b"b"]);
    let b = tree(&[b"a", b"c"]);
    let cp_a = signed(ORIGIN, &a);
    let cp_b = signed(ORIGIN, &b);

    // First sight of the log: old 0, empty proof → cosigned.
    let (s, _, body) = post(&c, &base, &request(0, vec![], &cp_a));
    assert_eq!(s, 200, "{body}");
    assert!(
        body.starts_with("\u{2014} witness-0.example/sanduq "),
        "{body}"
    );

    // Same size, another root, both signed by the log: 409 with the stored size.
    let (s, ct, body) = post(&c, &base, &request(2, vec![], &cp_b));
    assert_eq!(
        (s, ct.as_str(), body.as_str()),
        (409, "text/x.tlog.size", "2\n")
    );

    // A larger checkpoint whose proof is from the other branch: 422.
    let b4 = tree(&[b"a", b"c", b"d", b"e"]);
    let cp_b4 = signed(ORIGIN, &b4);
    let (s, _, _) = post(
        &c,
        &base,
        &request(2, b4.consistency_proof(2, 4).unwrap(), &cp_b4),
    );
    assert_eq!(s, 422);

    // The stored checkpoint is still the first one.
    let stored = w.node.store().latest(ORIGIN).unwrap().unwrap();
    assert_eq!((stored.size, stored.root), (2, a.root()));

    // Both pieces of evidence are served, and each re-checks under the log key.
    let ev = c.get("evidence").unwrap();
    assert_eq!(ev.status, 200);
    let list: Vec<EvidenceRecord> = serde_json::from_slice(&ev.body).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].kind, "same_size");
    assert_eq!(list[0].stored.as_bytes(), cp_a.note().to_bytes());
    assert_eq!(list[0].submitted.as_bytes(), cp_b.note().to_bytes());
    assert_eq!(list[1].kind, "failed_consistency");
    assert_eq!(list[1].proof.len(), 1);
    let keys: VerifierSet = core::iter::once(log_verifier()).collect();
    for r in &list {
        assert_eq!(r.origin, ORIGIN);
        r.to_evidence().unwrap().check(&keys).unwrap();
    }

    // The honest continuation is still cosigned.
    let a4 = tree(&[b"a", b"b", b"d", b"e"]);
    let cp_a4 = signed(ORIGIN, &a4);
    let (s, _, _) = post(
        &c,
        &base,
        &request(2, a4.consistency_proof(2, 4).unwrap(), &cp_a4),
    );
    assert_eq!(s, 200);
}

#[test]
fn witness_status_codes() {
    let w = start_witness(1);
    let base = w.bg.url();
    let c = Client::new(&base);
    let t = tree(&[b"x"]);
    // Malformed body.
    assert_eq!(post(&c, &base, b"hello").0, 400);
    // Unknown origin (signed by the right key under another name is still unknown).
    let other = signed("other.example/log", &t);
    assert_eq!(post(&c, &base, &request(0, vec![], &other)).0, 404);
    // Known origin, not signed by the log key.
    let text = Checkpoint::new(ORIGIN, 1, t.root()).unwrap().to_text();
    let forger = sanduq_board::keys::log_signer_from_seed(ORIGIN, &[66; 32]).unwrap();
    let forged = SignedCheckpoint::from_note(
        Note::new(text.clone(), vec![forger.sign(&text).unwrap()]).unwrap(),
    )
    .unwrap();
    assert_eq!(post(&c, &base, &request(0, vec![], &forged)).0, 403);
    // A stale old size.
    let good = signed(ORIGIN, &t);
    assert_eq!(post(&c, &base, &request(0, vec![], &good)).0, 200);
    let t3 = tree(&[b"x", b"y", b"z"]);
    let (s, _, body) = post(&c, &base, &request(0, vec![], &signed(ORIGIN, &t3)));
    assert_eq!((s, body.as_str()), (409, "1\n"));
    // Old size above the checkpoint size.
    assert_eq!(post(&c, &base, &request(5, vec![], &good)).0, 400);
}

#[test]
fn the_stored_size_never_goes_backwards_under_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteWitnessStore::open(dir.path()).unwrap());
    // 16 threads race to move the state from 0 to sizes 1..=16: exactly one wins.
    let handles: Vec<_> = (1..=16u64)
        .map(|n| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || store.update(ORIGIN, 0, n, Hash([n as u8; 32]), b"note"))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners: Vec<u64> = (1..=16u64)
        .zip(&results)
        .filter(|(_, r)| r.is_ok())
        .map(|(n, _)| n)
        .collect();
    assert_eq!(winners.len(), 1);
    let stored = store.latest(ORIGIN).unwrap().unwrap();
    assert_eq!(stored.size, winners[0]);
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, UpdateError::Conflict(c) if c.stored_size == 0 || c.stored_size == winners[0])
            );
        }
    }
    // Going back to a smaller size is refused.
    assert!(
        store
            .update(ORIGIN, stored.size, 0, Hash([0; 32]), b"n")
            .is_err()
    );
    assert_eq!(store.latest(ORIGIN).unwrap().unwrap().size, winners[0]);
}

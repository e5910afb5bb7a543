//! Benchmarks of the server's per-entry costs: checking an envelope, checking a receipt,
//! and the durable SQLite group commit of one batch (which fixes the write throughput).
//!
//! Run with `cargo bench -p sanduq-board --bench board`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::keys;
use sanduq_board::receipt::Receipt;
use sanduq_board::store::LogDb;
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::QuorumPolicy;
use sanduq_tlog::merkle::Tree;
use sanduq_tlog::signed_note::{Note, Verifier};

const ELECTION: Fingerprint = Fingerprint([7; 32]);

fn envelope(n: u64, len: usize) -> Envelope {
    let mut body = n.to_be_bytes().to_vec();
    body.resize(len, b'.');
    Envelope::sign(
        "ballot",
        ELECTION,
        &body,
        true,
        &SigningKey::from_bytes(&[3; 32]),
    )
    .unwrap()
}

fn envelopes(c: &mut Criterion) {
    let e = envelope(1, 1_000);
    let mut g = c.benchmark_group("envelope");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_and_verify_1kB", |b| {
        b.iter(|| Envelope::parse(black_box(e.as_bytes())).unwrap())
    });
    g.finish();
}

fn receipts(c: &mut Criterion) {
    // A log of 2^16 entries, three witnesses, two cosign.
    let n = 1u64 << 16;
    let mut tree = Tree::new();
    for i in 0..n {
        tree.append_entry(&i.to_be_bytes());
    }
    let index = 12_345;
    let e = envelope(index, 1_000);
    // Replace leaf `index` by a real envelope: rebuild with it in place.
    let mut tree2 = Tree::new();
    for i in 0..n {
        if i == index {
            tree2.append_entry(e.as_bytes());
        } else {
            tree2.append_entry(&i.to_be_bytes());
        }
    }
    let origin = "board.example/bench";
    let log = keys::log_signer_from_seed(origin, &[1; 32]).unwrap();
    let text = Checkpoint::new(origin, n, tree2.root()).unwrap().to_text();
    let mut note = Note::new(text.clone(), vec![log.sign(&text).unwrap()]).unwrap();
    let mut ws = Vec::new();
    for i in 0..3u8 {
        let w = keys::witness_signer_from_seed(&format!("w{i}.example"), &[20 + i; 32]).unwrap();
        if i < 2 {
            note.push_signature(w.sign(&text, 1_700_000_000).unwrap())
                .unwrap();
        }
        if let Verifier::CosignatureV1(v) = w.verifier() {
            ws.push(v);
        }
    }
    let policy = QuorumPolicy::new(ws, 2).unwrap();
    let r = Receipt {
        index,
        entry: e.as_bytes().to_vec(),
        proof: tree2.inclusion_proof(index, n).unwrap(),
        checkpoint: SignedCheckpoint::from_note(note).unwrap(),
    };
    let bytes = r.to_bytes();
    let lv = log.verifier();
    let mut g = c.benchmark_group("receipt");
    g.bench_function("parse_and_verify_2^16", |b| {
        b.iter(|| {
            Receipt::parse(black_box(&bytes))
                .unwrap()
                .verify(&lv, &policy, 1_800_000_000)
                .unwrap()
        })
    });
    g.finish();
    drop(tree);
}

fn group_commit(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut db = LogDb::open(dir.path()).unwrap();
    let next = AtomicU64::new(0);
    let mut g = c.benchmark_group("sqlite_group_commit");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for batch in [1usize, 256] {
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_function(format!("batch_{batch}_of_1kB"), |b| {
            b.iter_batched(
                || {
                    let start = next.fetch_add(batch as u64, Ordering::Relaxed);
                    let es: Vec<Envelope> = (0..batch as u64)
                        .map(|i| envelope(start + i, 1_000))
                        .collect();
                    (start, es)
                },
                |(start, es)| {
                    let refs: Vec<&Envelope> = es.iter().collect();
                    db.append(start, &refs).unwrap();
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, envelopes, receipts, group_commit);
criterion_main!(benches);

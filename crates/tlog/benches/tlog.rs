//! Benchmarks of the log's hot paths: appending leaves, generating and verifying proofs,
//! and one witness `add-checkpoint` round.
//!
//! Run with `cargo bench -p sanduq-tlog --bench tlog`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::CosignatureSigner;
use sanduq_tlog::merkle::{self, Tree};
use sanduq_tlog::signed_note::{Ed25519Signer, KeyName, Note, VerifierSet};
use sanduq_tlog::tiles::{self, TilePath, TileStore};
use sanduq_tlog::witness::{AddCheckpointRequest, MemoryStore, Witness};

/// A tree of 2^20 leaves, about the ballots of a large province.
const BIG: u64 = 1 << 20;

fn tree_of(n: u64) -> Tree {
    let mut t = Tree::new();
    for i in 0..n {
        t.append_entry(&i.to_be_bytes());
    }
    t
}

fn appends(c: &mut Criterion) {
    let mut g = c.benchmark_group("append");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(4096));
    g.bench_function("tree_4096_entries", |b| {
        b.iter(|| {
            let mut t = Tree::new();
            for i in 0u64..4096 {
                t.append_entry(black_box(&i.to_be_bytes()));
            }
            t
        });
    });
    let big = tree_of(BIG);
    g.throughput(Throughput::Elements(1));
    // Appending leaf 2^20 - 1 completes 20 parents: the most expensive append below 2^20.
    g.bench_function("append_nodes_completing_20_levels", |b| {
        let leaf = merkle::leaf_hash(b"next");
        b.iter(|| merkle::append_nodes(&big, black_box(BIG - 1), leaf).unwrap());
    });
    g.finish();
}

fn proofs(c: &mut Criterion) {
    let big = tree_of(BIG);
    let root = big.root();
    let mut g = c.benchmark_group("proofs_2^20");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    let mut i = 0u64;
    g.bench_function("inclusion_generate", |b| {
        b.iter(|| {
            i = (i + 7919) % BIG;
            big.inclusion_proof(black_box(i), BIG).unwrap()
        });
    });
    let leaf = merkle::leaf_hash(&123_456u64.to_be_bytes());
    let proof = big.inclusion_proof(123_456, BIG).unwrap();
    g.bench_function("inclusion_verify", |b| {
        b.iter(|| merkle::verify_inclusion(123_456, BIG, black_box(&leaf), &proof, &root).unwrap());
    });
    let old = BIG / 2 + 12_345;
    g.bench_function("consistency_generate", |b| {
        b.iter(|| big.consistency_proof(black_box(old), BIG).unwrap());
    });
    let cproof = big.consistency_proof(old, BIG).unwrap();
    let old_root = big.root_at(old).unwrap();
    g.bench_function("consistency_verify", |b| {
        b.iter(|| {
            merkle::verify_consistency(old, BIG, black_box(&cproof), &old_root, &root).unwrap()
        });
    });
    // Size 2^20 - 1 has 20 complete subtrees on its right border: the costliest root.
    g.bench_function("root_of_2^20-1", |b| {
        b.iter(|| merkle::root(&big, black_box(BIG - 1)).unwrap())
    });

    // The same proofs read from hash tiles, as a client or mirror does.
    let mut store = TileStore::new();
    for p in tiles::hash_tiles_for_size(BIG) {
        let TilePath::Hash {
            level,
            index,
            width,
        } = p
        else {
            unreachable!()
        };
        store
            .insert(
                &p,
                &tiles::hash_tile_bytes(&big, level, index, width).unwrap(),
            )
            .unwrap();
    }
    g.bench_function("inclusion_generate_from_tiles", |b| {
        b.iter(|| {
            i = (i + 7919) % BIG;
            merkle::inclusion_proof(&store, black_box(i), BIG).unwrap()
        });
    });
    g.finish();
}

fn witness(c: &mut Criterion) {
    let log = Ed25519Signer::from_seed(KeyName::new("sanduq.example/bench").unwrap(), &[1; 32]);
    let tree = tree_of(1000);
    let cp = Checkpoint::new("sanduq.example/bench", 1000, tree.root()).unwrap();
    let note = Note::new(cp.to_text(), vec![log.sign(&cp.to_text()).unwrap()]).unwrap();
    let proof = tree.consistency_proof(600, 1000).unwrap();
    let body = AddCheckpointRequest::new(600, proof, SignedCheckpoint::from_note(note).unwrap())
        .unwrap()
        .to_bytes();
    let mut w = Witness::new(CosignatureSigner::from_seed(
        KeyName::new("w.example/1").unwrap(),
        &[2; 32],
    ));
    w.add_log(
        "sanduq.example/bench",
        [log.verifier()].into_iter().collect::<VerifierSet>(),
    );
    let old = Checkpoint::new("sanduq.example/bench", 600, tree.root_at(600).unwrap()).unwrap();
    let old_note = Note::new(old.to_text(), vec![log.sign(&old.to_text()).unwrap()]).unwrap();

    let mut g = c.benchmark_group("witness");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    g.bench_function("add_checkpoint_600_to_1000", |b| {
        b.iter_batched(
            || {
                // A store that has cosigned size 600.
                let store = MemoryStore::new();
                let mut bootstrap = b"old 0\n\n".to_vec();
                bootstrap.extend_from_slice(&old_note.to_bytes());
                assert_eq!(w.add_checkpoint(&store, &bootstrap, 1).status(), 200);
                store
            },
            |store| {
                let out = w.add_checkpoint(&store, black_box(&body), 2);
                assert_eq!(out.status(), 200);
                out
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

criterion_group!(benches, appends, proofs, witness);
criterion_main!(benches);

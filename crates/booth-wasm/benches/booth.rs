//! Encrypting a ballot in the booth: the presidential contest of the demo (14 candidates, one
//! mark), natively; the browser runs the same code as WebAssembly.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use sanduq_booth_wasm::{Setup, SetupContest, check_opening_with, encrypt_ballot_with};
use sanduq_crypto::group::Element;

fn setup(candidates: usize) -> Setup {
    let key = Element::from_point(
        "key",
        RISTRETTO_BASEPOINT_POINT * Scalar::from(987_654_321u64),
    )
    .unwrap();
    Setup {
        fingerprint: "22".repeat(32),
        joint_key: key.to_hex(),
        contests: vec![SetupContest {
            contest: "president".to_owned(),
            selections: (1..=candidates).map(|i| format!("c{i:04}")).collect(),
            max_selections: 1,
        }],
    }
}

fn bench(c: &mut Criterion) {
    let s = setup(14);
    let choices = BTreeMap::from([("president".to_owned(), vec!["c0003".to_owned()])]);
    c.bench_function("booth encrypt 14 candidates", |b| {
        b.iter(|| encrypt_ballot_with(&s, &choices, [3; 32]).unwrap());
    });
    let e = encrypt_ballot_with(&s, &choices, [3; 32]).unwrap();
    c.bench_function("booth check opening 14 candidates", |b| {
        b.iter(|| check_opening_with(&s, &e.contests, &e.opening).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

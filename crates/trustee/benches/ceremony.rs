//! Benchmarks of the key ceremony and threshold decryption (docs/performance-trustee.md).
//!
//! ```sh
//! cargo bench -p sanduq-trustee --bench ceremony
//! ```
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use curve25519_dalek::scalar::Scalar;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::group::G;
use sanduq_crypto::{ElectionFingerprint, Element, Parameters};
use sanduq_trustee::decrypt::{
    Ciphertext, CiphertextId, ShareToVerify, combine, decryption_share, verify_decryption_share,
    verify_decryption_shares,
};
use sanduq_trustee::dkg::{
    CeremonySetup, part1, part2, qualify, register, run_locally, verify_ceremony,
};
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};

fn setup() -> CeremonySetup {
    let roster: BTreeMap<TrusteeIndex, ProvinceCode> =
        ["AF-KAB", "AF-KAB", "AF-HER", "AF-HER", "AF-BAL"]
            .iter()
            .zip(1u32..)
            .map(|(p, i)| (TrusteeIndex::new(i).unwrap(), ProvinceCode::new(p).unwrap()))
            .collect();
    CeremonySetup::new(
        ElectionFingerprint([7; 32]),
        Parameters::standard().unwrap(),
        Policy::new(3, 2, roster).unwrap(),
    )
}

fn ceremony(c: &mut Criterion) {
    let s = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    c.bench_function("ceremony/3-of-5 all trustees, one process", |b| {
        b.iter(|| run_locally(black_box(&s), &mut rng).unwrap());
    });
    // One trustee's own work in rounds 1 and 2 (what each trustee's machine computes).
    let local = run_locally(&s, &mut rng).unwrap();
    let t1 = TrusteeIndex::new(1).unwrap();
    c.bench_function("ceremony/3-of-5 one trustee round 1", |b| {
        b.iter(|| {
            part1(
                &s,
                t1,
                local.encryption_keys[&t1].clone(),
                &local.transcript.registrations,
                &mut rng,
            )
            .unwrap()
        });
    });
    c.bench_function("ceremony/3-of-5 one trustee round 2", |b| {
        b.iter_batched(
            || {
                let (secret, package) = part1(
                    &s,
                    t1,
                    local.encryption_keys[&t1].clone(),
                    &local.transcript.registrations,
                    &mut ChaCha20Rng::seed_from_u64(2),
                )
                .unwrap();
                let mut round1 = local.transcript.round1.clone();
                round1.insert(t1, package);
                (secret, round1)
            },
            |(secret, round1)| part2(secret, &round1, &mut ChaCha20Rng::seed_from_u64(3)).unwrap(),
            criterion::BatchSize::SmallInput,
        );
    });
    c.bench_function("ceremony/3-of-5 public verification", |b| {
        b.iter(|| verify_ceremony(black_box(&s), &local.transcript).unwrap());
    });
    c.bench_function("ceremony/3-of-5 qualify (no complaints)", |b| {
        b.iter(|| {
            qualify(
                &s,
                &local.transcript.registrations,
                &local.transcript.round1,
                &local.transcript.round2,
            )
            .unwrap()
        });
    });
    c.bench_function("ceremony/register one trustee", |b| {
        b.iter(|| register(&s, t1, &mut rng).unwrap());
    });
}

fn decryption(c: &mut Criterion) {
    let s = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let local = run_locally(&s, &mut rng).unwrap();
    let r = Scalar::from(123_456u64);
    let ct = Ciphertext {
        alpha: Element::from_point("a", G * r).unwrap(),
        beta: Element::from_point(
            "b",
            G * Scalar::from(42u64) + local.public_key.joint_key.point() * r,
        )
        .unwrap(),
    };
    let id = CiphertextId {
        contest: "wolesi-jirga-AF-KAB".into(),
        selection: "candidate-07".into(),
        unit: "district-0101".into(),
    };
    let fp = *s.fingerprint();
    let k1 = &local.key_shares[&TrusteeIndex::new(1).unwrap()];
    c.bench_function("decrypt/decryption share with proof", |b| {
        b.iter(|| decryption_share(&fp, k1, black_box(&ct), &id, &mut rng).unwrap());
    });
    let shares: Vec<_> = local
        .key_shares
        .values()
        .take(3)
        .map(|k| decryption_share(&fp, k, &ct, &id, &mut rng).unwrap())
        .collect();
    c.bench_function("decrypt/verify one decryption share", |b| {
        b.iter(|| {
            verify_decryption_share(&fp, &local.public_key, &ct, &id, black_box(&shares[0]))
                .unwrap()
        });
    });
    c.bench_function("decrypt/combine 3 shares (verifying each)", |b| {
        b.iter(|| {
            combine(
                &fp,
                s.policy(),
                &local.public_key,
                &ct,
                &id,
                black_box(&shares),
            )
            .unwrap()
        });
    });
}

fn batched(c: &mut Criterion) {
    let s = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let local = run_locally(&s, &mut rng).unwrap();
    let fp = *s.fingerprint();
    let k1 = &local.key_shares[&TrusteeIndex::new(1).unwrap()];
    // 64 different ciphertexts, one share each.
    let cts: Vec<(Ciphertext, CiphertextId)> = (0..64u64)
        .map(|i| {
            let r = Scalar::from(1000 + i);
            let ct = Ciphertext {
                alpha: Element::from_point("a", G * r).unwrap(),
                beta: Element::from_point(
                    "b",
                    G * Scalar::from(i) + local.public_key.joint_key.point() * r,
                )
                .unwrap(),
            };
            let id = CiphertextId {
                contest: "c".into(),
                selection: format!("candidate-{i}"),
                unit: "AF-KAB".into(),
            };
            (ct, id)
        })
        .collect();
    let shares: Vec<_> = cts
        .iter()
        .map(|(ct, id)| decryption_share(&fp, k1, ct, id, &mut rng).unwrap())
        .collect();
    let items: Vec<ShareToVerify<'_>> = cts
        .iter()
        .zip(&shares)
        .map(|((ct, id), share)| ShareToVerify {
            ciphertext: ct,
            id,
            share,
        })
        .collect();
    c.bench_function("decrypt/verify 64 shares one by one", |b| {
        b.iter(|| {
            for it in &items {
                verify_decryption_share(&fp, &local.public_key, it.ciphertext, it.id, it.share)
                    .unwrap();
            }
        });
    });
    c.bench_function("decrypt/verify 64 shares batched", |b| {
        b.iter(|| {
            verify_decryption_shares(&fp, &local.public_key, black_box(&items), &mut rng).unwrap()
        });
    });
}

criterion_group!(benches, ceremony, decryption, batched);
criterion_main!(benches);

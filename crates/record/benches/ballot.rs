//! One ballot: encryption and batched verification for the reference contest (20
//! candidates, vote for 1) and a Kabul-size contest (800 candidates), and the size of the
//! ballot's line in the record.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::contest::ContestItem;
use sanduq_crypto::elgamal::{ElectionKey, mul_g};
use sanduq_crypto::group::{Element, SecretScalar};
use sanduq_crypto::{BallotContext, ContestDescription, ElectionFingerprint};
use sanduq_record::protocol::{contest_from_wire, contest_to_wire, encrypt_contest_opening};
use sanduq_record::wire::{BallotBody, BallotLine, to_canonical};

fn setup(n: usize) -> (ChaCha20Rng, BallotContext, ContestDescription) {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let s = SecretScalar::random(&mut rng);
    let key = ElectionKey::new(Element::from_point("k", mul_g(s.expose())).unwrap());
    let ids: Vec<String> = (1..=n).map(|i| format!("c{i:03}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let desc = ContestDescription::new("wj-af-kab", &refs, 1, 1).unwrap();
    let ctx = BallotContext {
        fingerprint: ElectionFingerprint([7; 32]),
        key,
    };
    (rng, ctx, desc)
}

fn bench(c: &mut Criterion) {
    for n in [20usize, 800] {
        let (mut rng, ctx, desc) = setup(n);
        let mut pt = vec![0u64; n];
        pt[n / 2] = 1;
        let (contest, _) = encrypt_contest_opening(&ctx, &desc, &pt, &mut rng).unwrap();
        let line = BallotLine {
            ballot: BallotBody {
                device: "af-kab-1-1-1-d1".into(),
                seq: 1,
                station: "af-kab-1-1-1".into(),
                group: None,
                contests: vec![contest_to_wire(&contest)],
            },
            prev_code: "00".repeat(32),
            code: "00".repeat(32),
            status: "cast".into(),
            opening: None,
        };
        let bytes = to_canonical(&line).unwrap().len();
        eprintln!("ballot of one contest with {n} candidates: {bytes} bytes in the record");
        let mut g = c.benchmark_group(format!("ballot-{n}"));
        g.sample_size(10);
        g.bench_function("encrypt", |b| {
            b.iter(|| encrypt_contest_opening(&ctx, &desc, &pt, &mut rng).unwrap());
        });
        let wire = contest_to_wire(&contest);
        g.bench_function("decode+verify (batched)", |b| {
            b.iter(|| {
                let decoded = contest_from_wire(&wire).unwrap();
                let item = ContestItem {
                    ctx: &ctx,
                    desc: &desc,
                    contest: &decoded,
                };
                sanduq_crypto::batch::verify_batch(&[item], &mut rng).unwrap();
            });
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

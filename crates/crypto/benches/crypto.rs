//! Benchmarks of the cryptographic core: every primitive and proof, one by one and
//! batched, the reference ballot (one contest, 20 selections, vote for 1) and the floor of
//! batched verification (docs/performance-crypto.md).
//!
//! `cargo bench -p sanduq-crypto --bench crypto`
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sanduq_crypto::batch::{Accumulator, BatchVerifiable, verify_batch};
use sanduq_crypto::contest::{
    BallotContext, ContestDescription, ContestItem, EncryptedContest, EncryptedSelection,
    encrypt_contest, verify_contests_batched,
};
use sanduq_crypto::dlog::DlogTable;
use sanduq_crypto::elgamal::{Ciphertext, ElectionKey, encrypt, mul_g};
use sanduq_crypto::group::{Element, G, SecretScalar, decode_scalar};
use sanduq_crypto::params::ElectionFingerprint;
use sanduq_crypto::range::{
    RangeBranch, RangeContext, RangeItem, RangeProof, RangeStatement, Subject, prove_range,
};
use sanduq_crypto::sigma::{
    DleqItem, DleqStatement, SchnorrItem, prove_dleq, prove_schnorr, verify_dleq, verify_schnorr,
};

/// Ballots per batch in the reference-ballot benchmarks.
const BALLOTS: usize = 32;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

fn setup() -> (BallotContext, ContestDescription) {
    let mut r = rng();
    let s = SecretScalar::random(&mut r);
    let key = ElectionKey::new(Element::from_point("k", mul_g(s.expose())).unwrap());
    let ids: Vec<String> = (0..20).map(|i| format!("candidate-{i:02}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    (
        BallotContext {
            fingerprint: ElectionFingerprint([3; 32]),
            key,
        },
        ContestDescription::new("reference", &ids, 1, 1).unwrap(),
    )
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The binary form of a ballot as it arrives: every point and scalar as 32 bytes.
struct RawBallot {
    cts: Vec<[u8; 64]>,
    proofs: Vec<Vec<[u8; 32]>>,
    limit: Vec<[u8; 32]>,
}

fn to_raw(c: &EncryptedContest) -> RawBallot {
    RawBallot {
        cts: c
            .selections
            .iter()
            .map(|s| s.ciphertext.to_bytes())
            .collect(),
        proofs: c.selections.iter().map(|s| s.proof.to_words()).collect(),
        limit: c.limit_proof.to_words(),
    }
}

fn parse_proof(raw: &[[u8; 32]]) -> RangeProof {
    RangeProof {
        branches: raw
            .chunks_exact(4)
            .map(|q| RangeBranch {
                a: Element::decode("a", &q[0]).unwrap(),
                b: Element::decode("b", &q[1]).unwrap(),
                challenge: decode_scalar("c", &q[2]).unwrap(),
                response: decode_scalar("z", &q[3]).unwrap(),
            })
            .collect(),
    }
}

fn parse(raw: &RawBallot, desc: &ContestDescription) -> EncryptedContest {
    EncryptedContest {
        contest_id: desc.contest_id().to_owned(),
        selections: raw
            .cts
            .iter()
            .zip(&raw.proofs)
            .zip(desc.selection_ids())
            .map(|((ct, p), id)| EncryptedSelection {
                selection_id: id.clone(),
                ciphertext: Ciphertext::decode(ct).unwrap(),
                proof: parse_proof(p),
            })
            .collect(),
        limit_proof: parse_proof(&raw.limit),
    }
}

/// The floor: decompress every point verification reads, then the multiscalar
/// multiplications of the batch equations (same chunks, same number of points, 128-bit
/// weights on commitments and full scalars on the ciphertexts, G and K).
fn floor(
    raws: &[RawBallot],
    key: &RistrettoPoint,
    chunk: usize,
    weights: &[Scalar],
    full: &[Scalar],
) -> bool {
    let one = |ballots: &[RawBallot]| {
        let mut points = vec![G, *key];
        let mut scalars = vec![full[0], full[1]];
        let mut wi = 0;
        let mut fi = 2;
        for b in ballots {
            for ct in &b.cts {
                for half in ct.chunks_exact(32) {
                    points.push(
                        CompressedRistretto::from_slice(half)
                            .unwrap()
                            .decompress()
                            .unwrap(),
                    );
                    scalars.push(full[fi % full.len()]);
                    fi += 1;
                }
            }
            for p in b.proofs.iter().chain(std::iter::once(&b.limit)) {
                for q in p.chunks_exact(4) {
                    for e in &q[..2] {
                        points.push(CompressedRistretto(*e).decompress().unwrap());
                        scalars.push(weights[wi % weights.len()]);
                        wi += 1;
                    }
                }
            }
        }
        RistrettoPoint::vartime_multiscalar_mul(&scalars, &points) == G
    };
    raws.par_chunks(chunk)
        .map(one)
        .reduce(|| false, |a, b| a | b)
}

fn primitives(c: &mut Criterion) {
    let mut r = rng();
    let (ctx, _) = setup();
    let mut g = c.benchmark_group("primitives");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let s = Scalar::random(&mut r);
    let p = mul_g(&s);
    let bytes = p.compress();
    g.bench_function("decompress", |b| b.iter(|| bytes.decompress()));
    g.bench_function("compress", |b| b.iter(|| p.compress()));
    g.bench_function("fixed-base mul G (table)", |b| b.iter(|| mul_g(&s)));
    g.bench_function("fixed-base mul K (table)", |b| b.iter(|| ctx.key.mul(&s)));
    g.bench_function("variable-base mul", |b| b.iter(|| p * s));
    g.bench_function("table for a new base", |b| {
        b.iter(|| RistrettoBasepointTable::create(&p))
    });
    let nonce = SecretScalar::random(&mut r);
    g.bench_function("elgamal encrypt", |b| {
        b.iter(|| encrypt(&ctx.key, 1, &nonce).unwrap())
    });
    let x = SecretScalar::random(&mut r);
    let y = Element::from_point("y", mul_g(x.expose())).unwrap();
    let fp = [1u8; 32];
    let cx: [&[u8]; 1] = [b"trustee 1"];
    g.bench_function("schnorr prove", |b| {
        b.iter(|| prove_schnorr("t", &fp, &cx, &x, &y, &mut r).unwrap())
    });
    let sp = prove_schnorr("t", &fp, &cx, &x, &y, &mut r).unwrap();
    g.bench_function("schnorr verify", |b| {
        b.iter(|| verify_schnorr("t", &fp, &cx, &y, &sp).unwrap())
    });
    let items: Vec<_> = (0..256)
        .map(|_| SchnorrItem {
            tag: "t",
            fingerprint: &fp,
            context: &cx,
            public: &y,
            proof: &sp,
        })
        .collect();
    g.throughput(Throughput::Elements(256));
    g.bench_function("schnorr verify batched x256 (2 cores)", |b| {
        b.iter(|| verify_batch(&items, &mut r).unwrap())
    });
    g.throughput(Throughput::Elements(1));
    // Chaum–Pedersen, as in a decryption share: log_G Y = log_α M.
    let gel = Element::from_point("g", G).unwrap();
    let alpha = Element::from_point("a", mul_g(&Scalar::random(&mut r))).unwrap();
    let share = Element::from_point("m", alpha.point() * x.expose()).unwrap();
    let st = DleqStatement {
        g1: &gel,
        y1: &y,
        g2: &alpha,
        y2: &share,
    };
    g.bench_function("chaum-pedersen prove", |b| {
        b.iter(|| prove_dleq("d", &fp, &cx, &st, &x, &mut r).unwrap())
    });
    let dp = prove_dleq("d", &fp, &cx, &st, &x, &mut r).unwrap();
    g.bench_function("chaum-pedersen verify", |b| {
        b.iter(|| verify_dleq("d", &fp, &cx, &st, &dp).unwrap())
    });
    let ditems: Vec<_> = (0..256)
        .map(|_| DleqItem {
            tag: "d",
            fingerprint: &fp,
            context: &cx,
            statement: st,
            proof: &dp,
        })
        .collect();
    g.throughput(Throughput::Elements(256));
    g.bench_function("chaum-pedersen verify batched x256 (2 cores)", |b| {
        b.iter(|| verify_batch(&ditems, &mut r).unwrap())
    });
    g.throughput(Throughput::Elements(1));
    // 0/1 range proof
    let (ct, n) = (encrypt(&ctx.key, 1, &nonce).unwrap(), nonce.clone());
    let st = RangeStatement::from_ciphertext(&ct);
    let rc = RangeContext {
        fingerprint: ctx.fingerprint.as_bytes(),
        key: &ctx.key,
        contest: "c",
        subject: Subject::Selection("s"),
    };
    g.bench_function("range 0/1 prove", |b| {
        b.iter(|| prove_range(&rc, 1, &st, 1, &n, &mut r).unwrap())
    });
    let rp = prove_range(&rc, 1, &st, 1, &n, &mut r).unwrap();
    g.bench_function("range 0/1 verify", |b| {
        b.iter(|| rp.verify(&rc, 1, &st).unwrap())
    });
    let ritems: Vec<_> = (0..256)
        .map(|_| RangeItem {
            ctx: rc,
            max: 1,
            statement: st,
            proof: &rp,
        })
        .collect();
    g.throughput(Throughput::Elements(256));
    g.bench_function("range 0/1 verify batched x256 (1 core)", |b| {
        let p1 = pool(1);
        b.iter(|| p1.install(|| verify_batch(&ritems, &mut r).unwrap()))
    });
    g.throughput(Throughput::Elements(1));
    let table = DlogTable::new(1_000_000).unwrap();
    g.bench_function("dlog table build, max 10^6", |b| {
        b.iter(|| DlogTable::new(1_000_000).unwrap())
    });
    let target = mul_g(&Scalar::from(765_432u64));
    g.bench_function("dlog solve, max 10^6", |b| {
        b.iter(|| table.solve(&target).unwrap())
    });
    let beyond = mul_g(&Scalar::from(2_000_000u64));
    g.bench_function("dlog out of range fails, max 10^6", |b| {
        b.iter(|| table.solve(&beyond).is_err())
    });
    g.finish();
}

fn reference_ballot(c: &mut Criterion) {
    let (ctx, desc) = setup();
    let mut r = rng();
    let mut pt = vec![0u64; 20];
    pt[3] = 1;
    let ballots: Vec<EncryptedContest> = (0..BALLOTS)
        .map(|_| encrypt_contest(&ctx, &desc, &pt, &mut r).unwrap())
        .collect();
    let raws: Vec<RawBallot> = ballots.iter().map(to_raw).collect();
    let p1 = pool(1);
    let p2 = pool(2);
    let mut g = c.benchmark_group("reference ballot");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("encrypt (1 core)", |b| {
        b.iter(|| encrypt_contest(&ctx, &desc, &pt, &mut r).unwrap())
    });
    g.throughput(Throughput::Elements(BALLOTS as u64));
    g.bench_function(format!("encrypt x{BALLOTS} (2 cores)"), |b| {
        b.iter(|| {
            p2.install(|| {
                (0..BALLOTS as u64)
                    .into_par_iter()
                    .map(|i| {
                        encrypt_contest(&ctx, &desc, &pt, &mut ChaCha20Rng::seed_from_u64(i))
                            .unwrap()
                    })
                    .count()
            })
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode + verify one by one (1 core)", |b| {
        b.iter(|| parse(&raws[0], &desc).verify(&ctx, &desc).unwrap())
    });
    g.throughput(Throughput::Elements(BALLOTS as u64));
    for (cores, pool) in [(1usize, &p1), (2, &p2)] {
        g.bench_function(
            format!("decode + verify batched x{BALLOTS} ({cores} cores)"),
            |b| {
                b.iter(|| {
                    pool.install(|| {
                        let parsed: Vec<EncryptedContest> =
                            raws.par_iter().map(|raw| parse(raw, &desc)).collect();
                        verify_contests_batched(
                            &ctx,
                            &desc,
                            &parsed,
                            &mut ChaCha20Rng::seed_from_u64(1),
                        )
                        .unwrap()
                    })
                })
            },
        );
        let chunk = sanduq_crypto::batch::TARGET_POINTS / 124;
        let weights: Vec<Scalar> = (0..97u64)
            .map(|i| Scalar::from(u128::from(i) << 100 | 12345))
            .collect();
        let full: Vec<Scalar> = (0..89u64)
            .map(|i| Scalar::from(i + 1) * Scalar::from(u128::MAX) * Scalar::from(u128::MAX))
            .collect();
        let key = *ctx.key.element().point();
        g.bench_function(format!("floor x{BALLOTS} ({cores} cores)"), |b| {
            b.iter(|| pool.install(|| floor(&raws, &key, chunk, &weights, &full)))
        });
    }
    let items: Vec<ContestItem<'_>> = ballots
        .iter()
        .map(|contest| ContestItem {
            ctx: &ctx,
            desc: &desc,
            contest,
        })
        .collect();
    g.bench_function(
        format!("batch equations without the multiscalar multiplication x{BALLOTS}"),
        |b| {
            b.iter(|| {
                let mut acc = Accumulator::new([1; 32], 124 * BALLOTS);
                for (i, item) in (0u64..).zip(&items) {
                    acc.start_item(i);
                    item.push_terms(&mut acc).unwrap();
                }
                acc
            })
        },
    );
    g.bench_function(
        format!("verify batched x{BALLOTS}, already decoded (1 core)"),
        |b| {
            b.iter_batched(
                || ballots.clone(),
                |bs| {
                    p1.install(|| {
                        verify_contests_batched(
                            &ctx,
                            &desc,
                            &bs,
                            &mut ChaCha20Rng::seed_from_u64(1),
                        )
                        .unwrap()
                    })
                },
                BatchSize::LargeInput,
            )
        },
    );
    g.finish();
}

criterion_group! {
    name = all;
    config = Criterion::default();
    targets = primitives, reference_ballot
}
criterion_main!(all);

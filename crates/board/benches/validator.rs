//! The election's validator alone: one batch of reference ballots (one contest, 20
//! candidates, vote for 1) judged by `ElectionValidator::validate_batch`, decoding and every
//! proof included, no HTTP and no storage. The per-ballot figure is the validator's share of
//! the end-to-end cost measured by the `election_load` benchmark.
//!
//! Run with `cargo bench -p sanduq-board --bench validator`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

#[path = "support/election_fixture.rs"]
mod fixture;

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use sanduq_board::election_validator::{ElectionSetup, ElectionValidator};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::validator::{EntryValidator, LogView};

struct NoLog;
impl LogView for NoLog {
    fn contains_content(&self, _: &[u8; 32]) -> Result<bool, String> {
        Ok(false)
    }
}

fn validate(c: &mut Criterion) {
    let (election, ctx) = fixture::setup(true);
    let fp = *election.fingerprint().as_bytes();
    let (station, _, _) = fixture::stations(&election);
    let admin = SigningKey::from_bytes(&[0xa1; 32]);
    let mut rng = fixture::rng(1);
    let mut g = c.benchmark_group("election_validator");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [1usize, 64, 256] {
        let mut dev = fixture::Device::new(&election, "dev-bench", &station);
        let envs: Vec<Envelope> = (0..n)
            .map(|_| {
                let line = dev.cast(&election, &ctx, None, &mut rng);
                Envelope::sign(
                    "ballot",
                    Fingerprint(fp),
                    &fixture::line_bytes(&line),
                    true,
                    &admin,
                )
                .unwrap()
            })
            .collect();
        let refs: Vec<&Envelope> = envs.iter().collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("reference_ballots_batch_{n}"), |b| {
            b.iter_with_setup(
                // A fresh validator each time: the codes of the previous run would be replays.
                || {
                    ElectionValidator::new(ElectionSetup {
                        election: election.clone(),
                        context: ctx.clone(),
                        administrators: [admin.verifying_key().to_bytes()].into_iter().collect(),
                        credential_authority: [0x5a; 32],
                    })
                    .unwrap()
                },
                |v| {
                    let out = v.validate_batch(&refs, &NoLog).unwrap();
                    assert!(out.iter().all(Result::is_ok));
                },
            )
        });
    }
    g.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);

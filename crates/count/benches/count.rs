//! Counting 1,000,000 ranked ballots over 20 candidates (deterministic synthetic ballots, see
//! `synthetic/mod.rs`): IRV, and Scottish STV with 3 seats. The measured time includes merging
//! identical ballots, as every count does.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sanduq_count::{Count, Method, Options};

mod synthetic;

fn counts(c: &mut Criterion) {
    let ballots = synthetic::ballots(1_000_000, 2026);
    let mut g = c.benchmark_group("count_1M_ballots_20_candidates");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    for (method, seats) in [(Method::Irv, 1), (Method::StvScottish, 3)] {
        let opts = Options {
            seats,
            ..Options::default()
        };
        g.bench_function(method.name(), |b| {
            b.iter(|| Count::run(&method, black_box(&ballots), &opts).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, counts);
criterion_main!(benches);

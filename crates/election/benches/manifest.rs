//! Costs of building, parsing, encoding and deriving ballot styles for the demo election.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sanduq_election::Manifest;
use sanduq_election::demo::{self, DemoParams};

fn params(voters: u32) -> DemoParams {
    DemoParams {
        voters,
        ..DemoParams::default()
    }
}

fn bench(c: &mut Criterion) {
    for voters in [20_000u32, 1_000_000] {
        let m = demo::generate(&params(voters)).unwrap();
        let text = m.to_toml().unwrap();
        let mut g = c.benchmark_group(format!("demo-{voters}"));
        g.sample_size(10);
        g.bench_function("generate", |b| {
            b.iter(|| demo::generate(black_box(&params(voters))).unwrap())
        });
        g.bench_function("parse+validate", |b| {
            b.iter(|| Manifest::parse(black_box(&text)).unwrap())
        });
        g.bench_function("to_toml", |b| b.iter(|| black_box(&m).to_toml().unwrap()));
        g.bench_function("manifest_digest", |b| {
            b.iter(|| black_box(&m).manifest_digest())
        });
        g.bench_function("ballot_styles", |b| {
            b.iter(|| black_box(&m).ballot_styles(1).len())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

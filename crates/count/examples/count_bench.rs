//! Count 1,000,000 synthetic ranked ballots once, to measure time and peak memory:
//!
//! ```text
//! cargo build --release -p sanduq-count --example count_bench
//! /usr/bin/time -v target/release/examples/count_bench irv
//! /usr/bin/time -v target/release/examples/count_bench stv-scottish 3
//! ```
//!
//! Arguments: method (default `irv`), seats (default 1), ballots (default 1000000).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Instant;

use sanduq_count::{BallotData, Count, Method, Options};

#[path = "../benches/synthetic/mod.rs"]
mod synthetic;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let method: Method = args.get(1).map_or("irv", String::as_str).parse().unwrap();
    let seats: usize = args.get(2).map_or(Ok(1), |s| s.parse()).unwrap();
    let n: usize = args.get(3).map_or(Ok(1_000_000), |s| s.parse()).unwrap();
    let t = Instant::now();
    let ballots = synthetic::ballots(n, 2026);
    let generated = t.elapsed();
    if let BallotData::Ranked(rb) = ballots.data() {
        let t = Instant::now();
        let distinct = rb.aggregate().unwrap().len();
        let merged = t.elapsed();
        println!(
            "{n} ballots, {distinct} distinct rankings, generated in {generated:.2?}, \
             merged in {merged:.2?}"
        );
    }
    let opts = Options {
        seats,
        ..Options::default()
    };
    let t = Instant::now();
    let out = Count::run(&method, &ballots, &opts).unwrap();
    println!(
        "{method}: {} rounds, elected {:?}, counted in {:.2?}",
        out.rounds.len(),
        out.elected,
        t.elapsed()
    );
}

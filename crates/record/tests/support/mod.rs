//! A small demo election for the tests: the embedded Afghan manifest with every contest cut
//! to at most 3 seats (1 reserved for women where the contest reserves any) and seats + 2
//! candidates, keeping a woman where a seat is reserved; the presidential contest keeps its
//! 14 candidates. Shared by the record's tests and, through `#[path]`, the board's.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, dead_code)]

use sanduq_election::Manifest;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::protocol::Election;
use sanduq_record::{ElectionRun, Quiet, RunOptions, run_election, synthetic_voters};

/// The demo manifest of `params`, cut down as the module says.
pub fn small_manifest(params: &DemoParams) -> Manifest {
    let mut raw = generate(params).unwrap().to_raw();
    for c in &mut raw.contests {
        if c.method == "two-round" {
            continue;
        }
        let seats = c.seats.min(3);
        c.seats = seats;
        let reserved = c.reserved_women.unwrap_or(0).min(1);
        if c.reserved_women.is_some() {
            c.reserved_women = Some(reserved);
        }
        let keep = usize::try_from(seats + 2).unwrap();
        if c.candidates.len() > keep {
            let woman = c.candidates.iter().position(|k| k.gender == "f");
            let mut kept: Vec<_> = c.candidates.iter().take(keep).cloned().collect();
            if reserved > 0 && !kept.iter().any(|k| k.gender == "f") {
                kept[keep - 1] = c.candidates[woman.unwrap()].clone();
            }
            c.candidates = kept;
        }
    }
    Manifest::from_raw(&raw).unwrap()
}

/// A whole election on `manifest`: synthetic voters drawn with `seed` (a challenge every
/// 40 ballots), the standard 3-of-5 trustees, and `generator_seed` for `H`.
pub fn run_small(manifest: Manifest, generator_seed: &[u8], seed: u64) -> ElectionRun {
    let election = Election::setup(manifest.clone(), generator_seed).unwrap();
    let voters = synthetic_voters(&election, seed, 40).unwrap();
    let mut options = RunOptions::standard(seed).unwrap();
    options.generator_seed = generator_seed.to_vec();
    run_election(manifest, &voters, &options, &Quiet).unwrap()
}

/// [`run_small`] with one voter in `remote_every` voting remotely with a credential.
pub fn run_small_remote(
    manifest: Manifest,
    generator_seed: &[u8],
    seed: u64,
    remote_every: u64,
) -> ElectionRun {
    let election = Election::setup(manifest.clone(), generator_seed).unwrap();
    let voters = synthetic_voters(&election, seed, 40).unwrap();
    let mut options = RunOptions::standard(seed).unwrap();
    options.generator_seed = generator_seed.to_vec();
    options.remote_every = remote_every;
    run_election(manifest, &voters, &options, &Quiet).unwrap()
}

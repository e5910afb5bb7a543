//! `sanduq bench`: a national-scale synthetic election, measured stage by stage.
//!
//! A synthetic election on the 34 provinces of Afghanistan ([`geography`]) with ballots of the
//! reference shape (one contest of 20 candidates, vote for 1, or more such contests per
//! ballot) is generated **in chunks**: no stage ever holds more than one chunk of ballots, so
//! memory does not grow with the number of ballots (only the per-unit tallies do, with the
//! number of stations). Each chunk goes through:
//!
//! 1. **encrypt**: every contest encrypted with its range proofs and limit proof, one
//!    deterministic nonce generator per ballot, in parallel;
//! 2. **record**: the canonical wire form of each ballot (`ballots.jsonl` line: the body, its
//!    chained confirmation code per station device) — its size is the record bytes per
//!    ballot; the binary form (every point and scalar as 32 bytes) is what the next two
//!    stages read;
//! 3. **verify**: decode the binary form (decompress every point, check every scalar) and
//!    batched verification of every proof (random linear combination, rayon);
//! 4. **floor**: on the same ballots, what any batched verifier must do at least — decompress
//!    every point the verification reads and run the multiscalar multiplications of the batch
//!    equations with the same chunks and number of points ([`floor`]);
//! 5. **tally**: the accepted ballots added to their station's encrypted tally.
//!
//! Then the tallies are carried upwards (district, province, nation) and every unit's tally
//! is decrypted by `t` of the `n` trustees of a key ceremony run in the same process:
//! decryption shares with their Chaum–Pedersen proofs, the proofs verified in batches, the
//! shares combined and the bounded discrete logarithm solved.
//!
//! The plaintexts come from [`Generator`], a pure function of the seed and the ballot's
//! position, so that a test can count them independently of the pipeline.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod floor;
pub mod geography;
pub mod machine;
mod pipeline;

pub use geography::Geography;
pub use pipeline::run;

use std::collections::BTreeMap;

use serde::Serialize;

/// Candidates per contest of the reference shape.
pub const CANDIDATES: usize = 20;

/// The most contests per ballot accepted.
pub const MAX_CONTESTS: usize = 16;

/// Why a benchmark run stopped.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A bad configuration value.
    #[error("configuration: {0}")]
    Config(String),
    /// The embedded geography could not be read.
    #[error("{file} line {line}: {problem}")]
    Geography {
        /// The embedded file.
        file: &'static str,
        /// Its line (0: the file as a whole).
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A cryptographic operation refused its input.
    #[error("{what}: {source}")]
    Crypto {
        /// What was being done, naming the ballot, unit or contest.
        what: String,
        /// The error.
        source: sanduq_crypto::Error,
    },
    /// A trustee operation failed.
    #[error("{what}: {source}")]
    Trustee {
        /// What was being done, naming the trustee or ciphertext.
        what: String,
        /// The error.
        source: sanduq_trustee::Error,
    },
    /// The record's wire form could not be produced.
    #[error("record: {0}")]
    Record(#[from] sanduq_record::RecordError),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Pool(String),
    /// The operating system's random generator failed.
    #[error("random generator: {0}")]
    Random(String),
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Ballots in the whole election.
    pub ballots: u64,
    /// Contests per ballot, each of the reference shape.
    pub contests: usize,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Seed of the plaintexts and of the encryption nonces.
    pub seed: u64,
    /// At most this many ballots per polling station.
    pub station_size: u64,
    /// Ballots per chunk of the stream.
    pub chunk: usize,
    /// A ballot (by position) to tamper with between the record and the verification: the
    /// ciphertexts of its first two selections are swapped, so its proofs no longer match.
    pub tamper: Option<u64>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            ballots: 20_000,
            contests: 1,
            threads: 0,
            seed: 1,
            station_size: 400,
            chunk: 1024,
            tamper: None,
        }
    }
}

/// What the run reports as it goes (progress bars of a command line).
pub trait Progress: Sync {
    /// A stage of the run begins (`"ceremony"`, `"ballots"`, `"tally"`, `"decrypt"`).
    fn stage(&self, _name: &str, _total: u64) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
}

/// No progress reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Progress for Quiet {}

/// The figures of one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageFigures {
    /// Wall-clock seconds spent in the stage.
    pub seconds: f64,
    /// Ballots per second (wall clock).
    pub ballots_per_second: f64,
    /// Milliseconds per ballot, wall clock.
    pub ms_per_ballot: f64,
    /// Milliseconds per ballot per core: the wall-clock figure times the threads.
    pub ms_per_ballot_per_core: f64,
}

impl StageFigures {
    fn new(seconds: f64, ballots: u64, threads: usize) -> StageFigures {
        let b = ballots.max(1) as f64;
        let ms = seconds * 1000.0 / b;
        StageFigures {
            seconds,
            ballots_per_second: if seconds > 0.0 { b / seconds } else { 0.0 },
            ms_per_ballot: ms,
            ms_per_ballot_per_core: ms * threads as f64,
        }
    }
}

/// The figures of the threshold decryption.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecryptFigures {
    /// Wall-clock seconds for the whole decryption.
    pub seconds: f64,
    /// Ciphertexts decrypted (every unit's tally of every selection).
    pub ciphertexts: u64,
    /// Decryption shares computed, each with its proof.
    pub shares: u64,
    /// Seconds computing the shares with their proofs.
    pub share_seconds: f64,
    /// Seconds verifying every share's proof (batched).
    pub verify_seconds: f64,
    /// Seconds combining the shares and solving the discrete logarithms.
    pub combine_seconds: f64,
    /// The threshold `t`.
    pub threshold: u32,
    /// The trustees `n`.
    pub trustees: usize,
    /// The trustees who decrypted.
    pub present: Vec<u32>,
}

/// A ballot the verification refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// Its position in the stream.
    pub ballot: u64,
    /// Its station.
    pub station: String,
    /// The contest that failed (empty when the ballot did not decode).
    pub contest: String,
    /// Why.
    pub reason: String,
}

/// Where the run took place.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MachineFigures {
    /// Cores available to the process.
    pub nproc: usize,
    /// The CPU model, from `/proc/cpuinfo`.
    pub cpu_model: Option<String>,
    /// The 1-minute load average at the start and at the end of the run.
    pub load_average_start: Option<f64>,
    /// See `load_average_start`.
    pub load_average_end: Option<f64>,
}

/// The benchmark's report (the `--json` output).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Ballots generated.
    pub ballots: u64,
    /// Ballots accepted by the verification and tallied.
    pub accepted: u64,
    /// Contests per ballot.
    pub contests: usize,
    /// Candidates per contest (vote for 1).
    pub candidates: usize,
    /// Worker threads.
    pub threads: usize,
    /// Ballots per chunk of the stream.
    pub chunk: usize,
    /// Provinces.
    pub provinces: usize,
    /// Districts.
    pub districts: usize,
    /// Polling stations.
    pub stations: usize,
    /// The key ceremony of the trustees, seconds (not per ballot).
    pub ceremony_seconds: f64,
    /// Encryption with every proof.
    pub encrypt: StageFigures,
    /// The canonical wire form of every ballot with its chained confirmation code.
    pub record: StageFigures,
    /// Decoding and batched verification.
    pub verify: StageFigures,
    /// The floor of the verification, on the same ballots.
    pub floor: StageFigures,
    /// Verification time ÷ floor time, same run, same ballots.
    pub verify_to_floor: f64,
    /// Homomorphic tally per station and upwards.
    pub tally: StageFigures,
    /// Threshold decryption of every unit's tally.
    pub decrypt: DecryptFigures,
    /// Wall-clock seconds of the whole run.
    pub total_seconds: f64,
    /// Canonical wire form (`ballots.jsonl` line), bytes per ballot.
    pub record_bytes_per_ballot: f64,
    /// Binary form (32 bytes per point and scalar), bytes per ballot.
    pub binary_bytes_per_ballot: f64,
    /// Peak resident memory (`VmHWM` of `/proc/self/status`), bytes.
    pub peak_memory_bytes: Option<u64>,
    /// The ballots the verification refused.
    pub rejected: Vec<Rejection>,
    /// The nation's decrypted totals: contest → candidate → votes.
    pub nation: BTreeMap<String, BTreeMap<String, u64>>,
    /// The machine.
    pub machine: MachineFigures,
}

/// A run's report and every unit's decrypted tally.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The report.
    pub report: Report,
    /// Unit (station, district, province, nation) → per contest, votes per candidate.
    pub counts: BTreeMap<String, Vec<Vec<u64>>>,
}

/// The contest identifiers of a run: `contest-1`, `contest-2`, …
#[must_use]
pub fn contest_id(index: usize) -> String {
    format!("contest-{}", index + 1)
}

/// The candidate identifiers of every contest: `candidate-01` … `candidate-20`.
#[must_use]
pub fn candidate_id(index: usize) -> String {
    format!("candidate-{:02}", index + 1)
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The synthetic plaintexts: a pure function of the seed, the ballot's position and the
/// contest. 2 % of contests are left blank; otherwise candidate `k` (from 0) is chosen with
/// weight `20 − k` (candidate 1 is the most popular, candidate 20 the least).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generator {
    /// The seed.
    pub seed: u64,
}

impl Generator {
    /// The candidate marked on contest `contest` of ballot `ballot`, or `None` for a blank.
    #[must_use]
    pub fn choice(&self, ballot: u64, contest: usize) -> Option<usize> {
        let h = splitmix64(
            self.seed
                ^ splitmix64(
                    ballot
                        .wrapping_mul(MAX_CONTESTS as u64)
                        .wrapping_add(contest as u64),
                ),
        );
        if h % 1000 < 20 {
            return None;
        }
        let total = (CANDIDATES * (CANDIDATES + 1) / 2) as u64;
        let mut r = (h >> 20) % total;
        for k in 0..CANDIDATES {
            let w = (CANDIDATES - k) as u64;
            if r < w {
                return Some(k);
            }
            r -= w;
        }
        None
    }

    /// The plaintext vector of contest `contest` of ballot `ballot` (one count per candidate).
    #[must_use]
    pub fn plaintext(&self, ballot: u64, contest: usize) -> Vec<u64> {
        let c = self.choice(ballot, contest);
        (0..CANDIDATES).map(|k| u64::from(c == Some(k))).collect()
    }
}

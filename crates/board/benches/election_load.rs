//! Load benchmark of the log server with the election's validator, on loopback: a bounded
//! set of clients submits fully validated reference ballots (one contest, 20 candidates,
//! vote for 1: 20 range proofs and a selection-limit proof) as fast as the server
//! acknowledges them. Each acknowledgement means the ballot's proofs, style and
//! confirmation code were checked and its batch is durable. Three in-process witnesses with
//! a quorum of two publish checkpoints meanwhile.
//!
//! ```text
//! cargo bench -p sanduq-board --bench election_load -- [--ballots N] [--clients C]
//! ```
//!
//! Prints ballots accepted per second, the p50/p99/max latency of a submission, the batch
//! sizes the validator saw, the CPU time of the whole process (server, witnesses and
//! clients) per accepted ballot, and the load average of the machine.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

#[path = "support/election_fixture.rs"]
mod fixture;
#[path = "support/load_client.rs"]
mod load_client;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use sanduq_board::election_validator::{ElectionSetup, ElectionValidator};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::keys;
use sanduq_board::net::Background;
use sanduq_board::router;
use sanduq_board::server::{Board, Limits, ServerConfig};
use sanduq_board::validator::{EntryValidator, LogView, Rejection};

const ORIGIN: &str = "board.example/election-load";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().unwrap())
}

/// Counts batch sizes and the time spent validating.
struct Timed {
    inner: ElectionValidator,
    stats: Mutex<(Vec<usize>, Duration)>,
}

impl EntryValidator for Timed {
    fn validate_batch(
        &self,
        batch: &[&Envelope],
        log: &dyn LogView,
    ) -> Result<Vec<Result<(), Rejection>>, String> {
        let t = Instant::now();
        let r = self.inner.validate_batch(batch, log);
        let mut s = self.stats.lock().unwrap();
        s.0.push(batch.len());
        s.1 += t.elapsed();
        r
    }
}

/// CPU seconds used by this process so far (user + system), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of proc(5); `rest` starts at field 3. Ticks of 1/100 s.
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else of criterion's command line applies.
    let ballots = arg("--ballots", 10_000);
    let clients = arg("--clients", 64);
    let (election, ctx) = fixture::setup(true);
    let fp = *election.fingerprint().as_bytes();
    let (station, _, _) = fixture::stations(&election);
    let admin = SigningKey::from_bytes(&[0xa1; 32]);

    // Pre-build the ballots (one device per client) on every core, so that the clients
    // only send.
    let per = ballots.div_ceil(clients);
    let t = Instant::now();
    let batches: Vec<Vec<Vec<u8>>> = std::thread::scope(|s| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut handles = Vec::new();
        for w in 0..cores {
            let (election, ctx, station, admin) = (&election, &ctx, &station, &admin);
            handles.push(s.spawn(move || {
                let mut out = Vec::new();
                for c in (w..clients).step_by(cores) {
                    let mut rng = fixture::rng(c as u64);
                    let mut dev = fixture::Device::new(election, &format!("dev-{c}"), station);
                    let envs: Vec<Vec<u8>> = (0..per)
                        .map(|_| {
                            let line = dev.cast(election, ctx, None, &mut rng);
                            Envelope::sign(
                                "ballot",
                                Fingerprint(fp),
                                &fixture::line_bytes(&line),
                                true,
                                admin,
                            )
                            .unwrap()
                            .as_bytes()
                            .to_vec()
                        })
                        .collect();
                    out.push((c, envs));
                }
                out
            }));
        }
        let mut all: Vec<(usize, Vec<Vec<u8>>)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort_by_key(|(c, _)| *c);
        all.into_iter().map(|(_, e)| e).collect()
    });
    eprintln!(
        "{} reference ballots encrypted in {:.1} s",
        per * clients,
        t.elapsed().as_secs_f64()
    );

    // The validator alone on one full batch (256 of these ballots), for its share of the
    // CPU: a separate validator, so that the server's sees these ballots for the first time.
    let setup = ElectionSetup {
        election: election.clone(),
        context: ctx.clone(),
        administrators: [admin.verifying_key().to_bytes()].into_iter().collect(),
        credential_authority: [0x5a; 32],
    };
    let sample: Vec<Envelope> = batches
        .iter()
        .flatten()
        .take(256)
        .map(|b| Envelope::parse(b).unwrap())
        .collect();
    let alone = {
        struct NoLog;
        impl LogView for NoLog {
            fn contains_content(&self, _: &[u8; 32]) -> Result<bool, String> {
                Ok(false)
            }
        }
        let v = ElectionValidator::new(setup.clone()).unwrap();
        let refs: Vec<&Envelope> = sample.iter().collect();
        let cpu = cpu_seconds();
        let t = Instant::now();
        let out = v.validate_batch(&refs, &NoLog).unwrap();
        assert!(out.iter().all(Result::is_ok));
        (
            t.elapsed().as_secs_f64() * 1e3 / refs.len() as f64,
            (cpu_seconds() - cpu) * 1e3 / refs.len() as f64,
        )
    };

    let dir = tempfile::tempdir().unwrap();
    let log = keys::log_signer_from_seed(ORIGIN, &[1; 32]).unwrap();
    let (ws, endpoints) = load_client::start_witnesses(dir.path(), ORIGIN, &log, 3);
    let validator = Arc::new(Timed {
        inner: ElectionValidator::new(setup).unwrap(),
        stats: Mutex::new((Vec::new(), Duration::ZERO)),
    });
    let board = Board::start(
        ServerConfig {
            data_dir: dir.path().join("board"),
            log_signer: log,
            election: Fingerprint(fp),
            witnesses: endpoints,
            quorum: 2,
            limits: Limits::default(),
        },
        Arc::clone(&validator) as Arc<dyn EntryValidator>,
    )
    .unwrap();
    let server =
        Background::start("127.0.0.1:0".parse().unwrap(), router::router(&board), 2).unwrap();
    let url = server.url();
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpu_before = cpu_seconds();
    let (wall, lat) = load_client::drive(&url, batches);
    let cpu = cpu_seconds() - cpu_before;
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let q = |p: f64| load_client::quantile(&lat, p);
    let (sizes, validating) = validator.stats.lock().unwrap().clone();
    let mean_batch = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64;
    println!(
        "{{\"ballots\":{},\"clients\":{clients},\"seconds\":{:.3},\"per_second\":{:.0},\
         \"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2},\"batches\":{},\"mean_batch\":{:.1},\
         \"validator_ms_per_ballot\":{:.3},\"cpu_ms_per_ballot\":{:.3},\"validator_alone_batch_256\":{{\"wall_ms_per_ballot\":{:.3},\"cpu_ms_per_ballot\":{:.3}}},\"loadavg_before\":\"{}\",\"loadavg_after\":\"{}\"}}",
        lat.len(),
        wall.as_secs_f64(),
        lat.len() as f64 / wall.as_secs_f64(),
        q(0.50).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
        sizes.len(),
        mean_batch,
        validating.as_secs_f64() * 1e3 / lat.len() as f64,
        cpu * 1e3 / lat.len() as f64,
        alone.0,
        alone.1,
        load_before.trim(),
        load_after.trim(),
    );
    assert_eq!(board.size(), lat.len() as u64);
    drop(server);
    drop(board);
    drop(ws);
}

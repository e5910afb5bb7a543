//! Load benchmark of the log server on loopback: a bounded set of clients submits distinct
//! ballot envelopes as fast as the server acknowledges them (each acknowledgement means the
//! entry is durable), with three in-process witnesses and a quorum of two publishing
//! checkpoints meanwhile.
//!
//! ```text
//! cargo run --release -p sanduq-board --example load -- [--entries N] [--clients C] [--bytes B]
//! ```
//!
//! Prints entries accepted per second and the p50/p99/max latency of a submission. The
//! validator is `TestValidator` (no ballot cryptography): the cost of verifying real ballot
//! proofs comes on top.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../benches/support/load_client.rs"]
mod load_client;

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::keys;
use sanduq_board::net::Background;
use sanduq_board::router;
use sanduq_board::server::{Board, Limits, ServerConfig};
use sanduq_board::validator::TestValidator;

const ORIGIN: &str = "board.example/load";
const ELECTION: Fingerprint = Fingerprint([0x42; 32]);

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().unwrap())
}

fn main() {
    let entries = arg("--entries", 20_000);
    let clients = arg("--clients", 64);
    let bytes = arg("--bytes", 1_000);
    let dir = tempfile::tempdir().unwrap();
    let log = keys::log_signer_from_seed(ORIGIN, &[1; 32]).unwrap();
    let (ws, endpoints) = load_client::start_witnesses(dir.path(), ORIGIN, &log, 3);
    let board = Board::start(
        ServerConfig {
            data_dir: dir.path().join("board"),
            log_signer: log,
            election: ELECTION,
            witnesses: endpoints,
            quorum: 2,
            limits: Limits::default(),
        },
        Arc::new(TestValidator::default()),
    )
    .unwrap();
    let server =
        Background::start("127.0.0.1:0".parse().unwrap(), router::router(&board), 2).unwrap();
    // Pre-build the envelopes so that the clients only send.
    let key = SigningKey::from_bytes(&[5; 32]);
    let per = entries.div_ceil(clients);
    let batches: Vec<Vec<Vec<u8>>> = (0..clients)
        .map(|c| {
            (0..per)
                .map(|i| {
                    let mut body = format!("ballot {c}-{i} ").into_bytes();
                    body.resize(bytes, b'.');
                    Envelope::sign("ballot", ELECTION, &body, true, &key)
                        .unwrap()
                        .as_bytes()
                        .to_vec()
                })
                .collect()
        })
        .collect();
    let url = server.url();
    let (wall, lat) = load_client::drive(&url, batches);
    let q = |p: f64| load_client::quantile(&lat, p);
    println!(
        "{{\"entries\":{},\"clients\":{clients},\"artefact_bytes\":{bytes},\"seconds\":{:.3},\
         \"per_second\":{:.0},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2}}}",
        lat.len(),
        wall.as_secs_f64(),
        lat.len() as f64 / wall.as_secs_f64(),
        q(0.50).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
    );
    drop(server);
    drop(board);
    drop(ws);
}

//! The bounded load client of the board's load measurements: one thread per client, each
//! posting its envelopes one after another and timing each answer; and the witnesses such a
//! measurement runs with.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, dead_code)]

use std::time::{Duration, Instant};

use sanduq_board::client::Client;

/// Posts every client's envelopes to `url` (every answer must be 201); returns the wall time
/// and the latencies, sorted.
pub fn drive(url: &str, clients: Vec<Vec<Vec<u8>>>) -> (Duration, Vec<Duration>) {
    let start = Instant::now();
    let handles: Vec<_> = clients
        .into_iter()
        .map(|batch| {
            let url = url.to_owned();
            std::thread::spawn(move || {
                let c = Client::new(&url);
                batch
                    .into_iter()
                    .map(|e| {
                        let t = Instant::now();
                        let a = c.submit(&e).unwrap();
                        assert_eq!(a.status, 201, "{}", a.text());
                        t.elapsed()
                    })
                    .collect::<Vec<Duration>>()
            })
        })
        .collect();
    let mut lat: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = start.elapsed();
    lat.sort();
    (wall, lat)
}

/// The `p` quantile of sorted latencies.
pub fn quantile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = (sorted.len() as f64 * p) as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Starts `n` witness nodes on loopback, with their state in `dir/w<i>`, each witnessing the
/// log `origin` signed by `log`: the running nodes and their endpoints for the board.
pub fn start_witnesses(
    dir: &std::path::Path,
    origin: &str,
    log: &sanduq_tlog::signed_note::Ed25519Signer,
    n: u8,
) -> (
    Vec<sanduq_board::net::Background>,
    Vec<sanduq_board::server::WitnessEndpoint>,
) {
    use sanduq_tlog::signed_note::{Verifier, VerifierSet};
    let mut ws = Vec::new();
    let mut endpoints = Vec::new();
    for i in 0..n {
        let s =
            sanduq_board::keys::witness_signer_from_seed(&format!("w{i}.example"), &[9 + i; 32])
                .unwrap();
        let Verifier::CosignatureV1(key) = s.verifier() else {
            unreachable!()
        };
        let mut w = sanduq_tlog::witness::Witness::new(s);
        w.add_log(
            origin,
            core::iter::once(log.verifier()).collect::<VerifierSet>(),
        );
        let node = sanduq_board::witness_node::WitnessNode::new(
            w,
            sanduq_board::witness_node::SqliteWitnessStore::open(&dir.join(format!("w{i}")))
                .unwrap(),
        );
        let bg =
            sanduq_board::net::Background::start("127.0.0.1:0".parse().unwrap(), node.router(), 1)
                .unwrap();
        endpoints.push(sanduq_board::server::WitnessEndpoint { url: bg.url(), key });
        ws.push(bg);
    }
    (ws, endpoints)
}

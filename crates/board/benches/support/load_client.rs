//! The bounded load client of the board's load measurements: one thread per client, each
//! posting its envelopes one after another and timing each answer.
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

//! A loopback test network: witness nodes and a log server on free ports of 127.0.0.1,
//! each on its own small runtime, stopped when dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use sanduq_board::client::{Answer, Client};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::keys;
use sanduq_board::net::Background;
use sanduq_board::router;
use sanduq_board::server::{Board, Limits, ServerConfig, WitnessEndpoint};
use sanduq_board::validator::{EntryValidator, TestValidator};
use sanduq_board::witness_node::{SqliteWitnessStore, WitnessNode};
use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::cosignature::{CosignatureVerifier, QuorumPolicy};
use sanduq_tlog::signed_note::{Ed25519Signer, Verifier, VerifierSet};
use sanduq_tlog::witness::Witness;

pub const ORIGIN: &str = "board.example/af-2026-test";
pub const ELECTION: Fingerprint = Fingerprint([0xe1; 32]);

pub fn log_signer() -> Ed25519Signer {
    keys::log_signer_from_seed(ORIGIN, &[1; 32]).unwrap()
}

pub fn log_verifier() -> Verifier {
    log_signer().verifier()
}

pub fn witness_name(i: usize) -> String {
    format!("witness-{i}.example/sanduq")
}

pub fn witness_verifier(i: usize) -> CosignatureVerifier {
    match keys::witness_signer_from_seed(&witness_name(i), &[10 + i as u8; 32])
        .unwrap()
        .verifier()
    {
        Verifier::CosignatureV1(v) => v,
        _ => unreachable!(),
    }
}

pub fn policy(k: usize) -> QuorumPolicy {
    QuorumPolicy::new((0..3).map(witness_verifier), k).unwrap()
}

pub struct WitnessServer {
    pub node: WitnessNode,
    pub bg: Background,
    _dir: tempfile::TempDir,
}

pub fn start_witness(i: usize) -> WitnessServer {
    let dir = tempfile::tempdir().unwrap();
    let signer = keys::witness_signer_from_seed(&witness_name(i), &[10 + i as u8; 32]).unwrap();
    let mut w = Witness::new(signer);
    w.add_log(
        ORIGIN,
        core::iter::once(log_verifier()).collect::<VerifierSet>(),
    );
    let node = WitnessNode::new(w, SqliteWitnessStore::open(dir.path()).unwrap());
    let bg = Background::start("127.0.0.1:0".parse().unwrap(), node.router(), 1).unwrap();
    WitnessServer {
        node,
        bg,
        _dir: dir,
    }
}

pub fn fast_limits() -> Limits {
    Limits {
        publish_interval: Duration::from_millis(20),
        witness_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

pub struct Net {
    pub witnesses: Vec<WitnessServer>,
    pub board: Option<Board>,
    pub server: Option<Background>,
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl Net {
    /// Three witnesses, quorum 2; `down` lists witnesses given a URL where nothing listens.
    pub fn start(down: &[usize]) -> Self {
        Self::start_with(down, Arc::new(TestValidator::default()))
    }

    /// As [`Net::start`], with another validator.
    pub fn start_with(down: &[usize], validator: Arc<dyn EntryValidator>) -> Self {
        let witnesses: Vec<WitnessServer> = (0..3).map(start_witness).collect();
        let dir = tempfile::tempdir().unwrap();
        let endpoints = witnesses
            .iter()
            .enumerate()
            .map(|(i, w)| WitnessEndpoint {
                url: if down.contains(&i) {
                    // Port 9 (discard) on loopback: nothing listens in the test environment.
                    "http://127.0.0.1:9".to_owned()
                } else {
                    w.bg.url()
                },
                key: witness_verifier(i),
            })
            .collect();
        let config = ServerConfig {
            data_dir: dir.path().join("board"),
            log_signer: log_signer(),
            election: ELECTION,
            witnesses: endpoints,
            quorum: 2,
            limits: fast_limits(),
        };
        let board = Board::start(config, validator).unwrap();
        let server =
            Background::start("127.0.0.1:0".parse().unwrap(), router::router(&board), 2).unwrap();
        let url = server.url();
        Self {
            witnesses,
            board: Some(board),
            server: Some(server),
            dir,
            url,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    pub fn board(&self) -> &Board {
        self.board.as_ref().unwrap()
    }

    /// Waits until the published checkpoint has at least `size` entries.
    pub fn wait_published(&self, size: u64) -> SignedCheckpoint {
        wait_published(&self.client(), size)
    }
}

pub fn wait_published(client: &Client, size: u64) -> SignedCheckpoint {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let a = client.get("checkpoint").unwrap();
        if a.status == 200 {
            let c = SignedCheckpoint::parse(&a.body).unwrap();
            if c.checkpoint().size() >= size {
                return c;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint of size >= {size} published within 20 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn submitter(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// A ballot envelope with a distinct inline artefact `ballot-<n>`.
pub fn ballot(n: u64) -> Envelope {
    Envelope::sign(
        "ballot",
        ELECTION,
        format!("ballot-{n}").as_bytes(),
        true,
        &submitter(2),
    )
    .unwrap()
}

pub fn json_field(a: &Answer, field: &str) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_slice(&a.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", a.text()));
    v[field].clone()
}

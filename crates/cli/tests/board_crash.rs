//! Crash safety of `sanduq serve`: the real server process is killed with SIGKILL while
//! clients submit ballots concurrently, then restarted on the same data directory.
//! Every acknowledged entry must be present at its index, and the new published checkpoint
//! must be consistent with the last one published before the crash (the consistency proof
//! verifies, and the witnesses, whose state survived, accepted it).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::{Proc, spawn};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::SigningKey;
use sanduq_board::client::Client;
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::keys;
use sanduq_board::mirror::{self, HttpSource};
use sanduq_board::net::Background;
use sanduq_board::witness_node::{SqliteWitnessStore, WitnessNode};
use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::cosignature::QuorumPolicy;
use sanduq_tlog::merkle::{self, Tree};
use sanduq_tlog::signed_note::{TYPE_ED25519, Verifier, VerifierSet};
use sanduq_tlog::witness::Witness;

const ORIGIN: &str = "board.example/crash-test";
const ELECTION: Fingerprint = Fingerprint([0x5a; 32]);

/// Acknowledged entries: index and envelope bytes.
type Acked = Vec<(u64, Vec<u8>)>;

/// Starts `sanduq serve` and returns it with its URL (read from its first stdout line).
fn serve(config: &std::path::Path) -> (Proc, String) {
    spawn(&[
        "serve",
        "--validator",
        "test",
        "--config",
        config.to_str().unwrap(),
    ])
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn latest_checkpoint(c: &Client) -> Option<SignedCheckpoint> {
    let a = c.get("checkpoint").ok()?;
    (a.status == 200).then(|| SignedCheckpoint::parse(&a.body).unwrap())
}

#[test]
fn sigkill_during_concurrent_submissions_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log_seed = [3u8; 32];
    std::fs::write(
        dir.path().join("log.key"),
        keys::skey_from_seed(ORIGIN, TYPE_ED25519, &log_seed).unwrap(),
    )
    .unwrap();
    let log_key = keys::log_signer_from_seed(ORIGIN, &log_seed)
        .unwrap()
        .verifier();

    // Three witnesses in this process; their state outlives the server's crash.
    let mut witnesses = Vec::new();
    let mut wkeys = Vec::new();
    let mut config = format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"data\"\nlog_key_file = \"log.key\"\n\
         election = \"{ELECTION}\"\nquorum = 2\n[limits]\npublish_interval_ms = 20\n"
    );
    for i in 0..3u8 {
        let name = format!("witness-{i}.example/sanduq");
        let signer = keys::witness_signer_from_seed(&name, &[20 + i; 32]).unwrap();
        let vkey = signer.verifier();
        let mut w = Witness::new(signer);
        w.add_log(
            ORIGIN,
            core::iter::once(log_key.clone()).collect::<VerifierSet>(),
        );
        let wdir = dir.path().join(format!("w{i}"));
        let node = WitnessNode::new(w, SqliteWitnessStore::open(&wdir).unwrap());
        let bg = Background::start("127.0.0.1:0".parse().unwrap(), node.router(), 1).unwrap();
        config.push_str(&format!(
            "[[witness]]\nurl = \"{}\"\nkey = \"{}\"\n",
            bg.url(),
            vkey.to_vkey()
        ));
        if let Verifier::CosignatureV1(v) = vkey {
            wkeys.push(v);
        }
        witnesses.push(bg);
    }
    let policy = QuorumPolicy::new(wkeys, 2).unwrap();
    let config_path = dir.path().join("board.toml");
    std::fs::write(&config_path, config).unwrap();

    let (mut server, url) = serve(&config_path);

    // Four clients submit distinct ballots until the server dies.
    let acked: Arc<Mutex<Acked>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4u8)
        .map(|t| {
            let (url, acked, done) = (url.clone(), Arc::clone(&acked), Arc::clone(&done));
            std::thread::spawn(move || {
                let c = Client::new(&url);
                let key = SigningKey::from_bytes(&[40 + t; 32]);
                for n in 0u64.. {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = format!("ballot {t}-{n}");
                    let e =
                        Envelope::sign("ballot", ELECTION, body.as_bytes(), true, &key).unwrap();
                    match c.submit(e.as_bytes()) {
                        Ok(a) if a.status == 201 => {
                            let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
                            acked
                                .lock()
                                .unwrap()
                                .push((v["index"].as_u64().unwrap(), e.as_bytes().to_vec()));
                        }
                        // Connection refused/reset once the server is dead.
                        _ => break,
                    }
                }
            })
        })
        .collect();

    // Let it run until at least one checkpoint is published and enough entries are in,
    // remembering the last checkpoint seen; then SIGKILL (Child::kill on Unix).
    let observer = Client::new(&url);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last_seen: Option<SignedCheckpoint> = None;
    loop {
        if let Some(cp) = latest_checkpoint(&observer) {
            last_seen = Some(cp);
        }
        let n = acked.lock().unwrap().len();
        if n >= 400
            && last_seen
                .as_ref()
                .is_some_and(|c| c.checkpoint().size() >= 50)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server too slow: {n} entries acknowledged"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    done.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let before = last_seen.unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 400);

    // Restart on the same data directory.
    let (_server, url) = serve(&config_path);
    let c = Client::new(&url);
    for (index, bytes) in &acked {
        let a = c.get(&format!("entry/{index}")).unwrap();
        assert_eq!(a.status, 200, "acknowledged entry {index} lost");
        assert_eq!(&a.body, bytes, "entry {index} differs after restart");
    }
    // A new checkpoint covering every acknowledged entry is published by the quorum.
    let max = acked.iter().map(|(i, _)| *i).max().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        if let Some(cp) = latest_checkpoint(&c) {
            if cp.checkpoint().size() > max {
                break cp;
            }
        }
        // Nothing new was submitted: the restarted server may only republish its size.
        assert!(Instant::now() < deadline, "no checkpoint after restart");
        std::thread::sleep(Duration::from_millis(10));
    };
    policy.check(after.note(), now()).unwrap();
    // Check every tile of the new checkpoint, rebuild the tree from its entries, and verify
    // the consistency proof from the pre-crash checkpoint.
    let report =
        mirror::mirror(&HttpSource::new(&url), None, &log_key, Some(&policy), now()).unwrap();
    assert!(report.size >= after.checkpoint().size());
    let mut tree = Tree::new();
    for i in 0..report.size {
        tree.append_entry(&c.get(&format!("entry/{i}")).unwrap().body);
    }
    let (b, a) = (before.checkpoint(), after.checkpoint());
    assert!(b.size() <= a.size());
    let proof = tree.consistency_proof(b.size(), a.size()).unwrap();
    merkle::verify_consistency(b.size(), a.size(), &proof, b.root(), a.root()).unwrap();
    drop(witnesses);
}

//! The board commands end to end, as an operator runs them: `sanduq board keygen`, three
//! `sanduq witness` processes, `sanduq serve` with a quorum of two, then `sanduq mirror` and
//! `sanduq receipt fetch` / `check`, including their exit codes on tampered input.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::{run, spawn};
use std::path::Path;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use sanduq_board::client::Client;
use sanduq_board::envelope::{Envelope, Fingerprint};

const ORIGIN: &str = "board.example/cli-test";
const ELECTION: Fingerprint = Fingerprint([0x77; 32]);

#[test]
fn operator_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let log_vkey = common::keygen(d, "--log", ORIGIN, "log.key");
    assert!(log_vkey.starts_with(&format!("{ORIGIN}+")));
    // Never overwrites a key.
    let again = run(&[
        "board",
        "keygen",
        "--log",
        ORIGIN,
        "--out",
        d.join("log.key").to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));

    let mut witnesses = Vec::new();
    let mut wkeys = Vec::new();
    let mut config = format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"data\"\nlog_key_file = \"log.key\"\n\
         election = \"{ELECTION}\"\nquorum = 2\n[limits]\npublish_interval_ms = 20\n"
    );
    for i in 0..3 {
        let name = format!("witness-{i}.example/sanduq");
        let vkey = common::keygen(d, "--witness", &name, &format!("w{i}.key"));
        let (p, url) = spawn(&[
            "witness",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            d.join(format!("w{i}")).to_str().unwrap(),
            "--key",
            d.join(format!("w{i}.key")).to_str().unwrap(),
            "--log",
            &log_vkey,
        ]);
        config.push_str(&format!("[[witness]]\nurl = \"{url}\"\nkey = \"{vkey}\"\n"));
        wkeys.push(vkey);
        witnesses.push(p);
    }
    let cfg = d.join("board.toml");
    std::fs::write(&cfg, &config).unwrap();
    // Without an explicit validator the server refuses to start.
    let refused = run(&["serve", "--config", cfg.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    // A configuration with an unknown field names the file.
    let bad_cfg = d.join("bad.toml");
    std::fs::write(&bad_cfg, format!("{config}colour = \"red\"\n")).unwrap();
    let bad = run(&[
        "serve",
        "--validator",
        "test",
        "--config",
        bad_cfg.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.toml"));

    let (_server, url) = spawn(&[
        "serve",
        "--validator",
        "test",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    let c = Client::new(&url);
    let key = SigningKey::from_bytes(&[9; 32]);
    let mut codes = Vec::new();
    for n in 0..20u32 {
        let e = Envelope::sign("ballot", ELECTION, format!("b{n}").as_bytes(), true, &key).unwrap();
        assert_eq!(c.submit(e.as_bytes()).unwrap().status, 201);
        codes.push(e.tracking_code().to_string());
    }
    // Wait for a checkpoint of 20.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let a = c.get("checkpoint").unwrap();
        if a.status == 200 && String::from_utf8_lossy(&a.body).lines().nth(1) == Some("20") {
            break;
        }
        assert!(Instant::now() < deadline, "no checkpoint of 20");
        std::thread::sleep(Duration::from_millis(10));
    }

    let mut wargs: Vec<&str> = Vec::new();
    for k in &wkeys {
        wargs.push("--witness-key");
        wargs.push(k);
    }
    // Mirror from the server, then check the copy.
    let copy = d.join("mirror");
    let mut margs = vec![
        "mirror",
        "--from",
        &url,
        "--out",
        copy.to_str().unwrap(),
        "--log-key",
        &log_vkey,
    ];
    margs.extend(&wargs);
    margs.extend(["--quorum", "2"]);
    let out = run(&margs);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"size\":20"));
    let tile = copy.join("tile/0/000.p/20");
    let mut b = std::fs::read(&tile).unwrap();
    b[5] ^= 1;
    std::fs::write(&tile, &b).unwrap();
    let out = run(&[
        "mirror",
        "--from",
        copy.to_str().unwrap(),
        "--log-key",
        &log_vkey,
    ]);
    assert_eq!(out.status.code(), Some(1), "tampered tile not detected");
    assert!(String::from_utf8_lossy(&out.stderr).contains("tile/0/000.p/20"));

    // Receipt of entry 4: fetch, check (0), tamper (1), garbage (2).
    let receipt = d.join("receipt.txt");
    let out = run(&[
        "receipt",
        "fetch",
        "--from",
        &url,
        &codes[4],
        "--out",
        receipt.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = |file: &Path, k: &str| {
        let mut a = vec![
            "receipt",
            "check",
            file.to_str().unwrap(),
            "--log-key",
            &log_vkey,
        ];
        a.extend(&wargs);
        a.extend(["--quorum", k]);
        run(&a)
    };
    let out = check(&receipt, "2");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&codes[4]));
    // The proof's first hash (line 4) altered in one base64 character.
    let text = std::fs::read_to_string(&receipt).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let first = lines[3].clone();
    let swapped = if first.starts_with('A') {
        first.replacen('A', "B", 1)
    } else {
        format!("A{}", &first[1..])
    };
    lines[3] = swapped;
    let tampered = d.join("tampered.txt");
    std::fs::write(&tampered, lines.join("\n")).unwrap();
    assert_eq!(check(&tampered, "2").status.code(), Some(1));
    let garbage = d.join("garbage.txt");
    std::fs::write(&garbage, "not a receipt\n").unwrap();
    assert_eq!(check(&garbage, "2").status.code(), Some(2));
    // An impossible quorum is bad input.
    assert_eq!(check(&receipt, "4").status.code(), Some(2));
    drop(witnesses);
}

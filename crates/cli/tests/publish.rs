//! An election record through the board, as an operator runs it: `sanduq demo`, a witness
//! and `sanduq serve --validator test`, `sanduq publish` (twice: the second run posts
//! nothing new), `sanduq fetch-record`, then `sanduq verify` on the folder written; and the
//! exit codes when the log holds a ballot the record does not.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{ok, run, spawn};
use std::path::Path;
use std::process::Output;

use ed25519_dalek::SigningKey;
use sanduq_board::client::Client;
use sanduq_board::envelope::{Envelope, Fingerprint};

const ORIGIN: &str = "board.example/publish-test";

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn publish_fetch_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = d.join("demo");
    ok(&run(&[
        "demo",
        "--voters",
        "68",
        "--seed",
        "3",
        // a demo's remote ballots stand for a log that is not this board's: none here
        "--remote-every",
        "0",
        "--out",
        demo.to_str().unwrap(),
    ]));
    let record = demo.join("record");
    let params: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record.join("election/parameters.json")).unwrap())
            .unwrap();
    let election = params["fingerprint"].as_str().unwrap().to_owned();
    // Ballot lines in the record, counted from the files themselves.
    let mut lines = 0usize;
    let mut stack = vec![record.join("districts")];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.ends_with("ballots.jsonl") {
                lines += std::fs::read_to_string(&p).unwrap().lines().count();
            }
        }
    }
    assert!(lines >= 68, "{lines} ballot lines");

    let log_vkey = common::keygen(d, "--log", ORIGIN, "log.key");
    let admin_vkey = common::keygen(d, "--log", "admin.example/publisher", "admin.key");
    let wkey = common::keygen(d, "--witness", "witness-0.example/sanduq", "w0.key");
    let (_witness, cfg) = common::witness_and_config(d, &election, &log_vkey, &wkey);
    // The log server with the pages beside it, on one address.
    let (_server, url) = spawn(&[
        "serve",
        "--validator",
        "test",
        "--config",
        cfg.to_str().unwrap(),
        "--portal-record",
        record.to_str().unwrap(),
    ]);
    let page = Client::new(&url).get("en/").unwrap();
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Kābul"),
        "the results portal: {}",
        page.text()
    );

    let admin_key = d.join("admin.key");
    let publish = |jobs: &str| {
        run(&[
            "publish",
            record.to_str().unwrap(),
            "--board",
            &url,
            "--key",
            admin_key.to_str().unwrap(),
            "--jobs",
            jobs,
            "--json",
        ])
    };
    // Four entries at a time: the log's order differs from the plan's, the record does not.
    let o = publish("4");
    ok(&o);
    let first = json(&o);
    assert_eq!(first["ballots"], lines);
    assert_eq!(first["election"], election.as_str());
    let entries = first["entries"].as_u64().unwrap();
    assert_eq!(first["new"], entries);
    assert_eq!(first["checkpoint_size"], entries);
    // Run again (as after an interruption): nothing is posted twice.
    let o = publish("1");
    ok(&o);
    let again = json(&o);
    assert_eq!(again["new"], 0);
    assert_eq!(again["already_in_log"], entries);

    let out = d.join("fetched");
    let fetch = |out: &Path| {
        run(&[
            "fetch-record",
            "--board",
            &url,
            "--out",
            out.to_str().unwrap(),
            "--log-key",
            &log_vkey,
            "--witness-key",
            &wkey,
            "--quorum",
            "1",
            "--admin-key",
            &admin_vkey,
            "--json",
        ])
    };
    let o = fetch(&out);
    ok(&o);
    let v = json(&o);
    assert_eq!(v["passed"], true);
    assert_eq!(v["cross_check"]["record_ballots"], lines);
    assert_eq!(v["cross_check"]["log_ballots"], lines);
    // Byte for byte the published record.
    assert_eq!(
        sanduq_record::store::read(&out).unwrap(),
        sanduq_record::store::read(&record).unwrap()
    );
    let o = run(&["verify", out.to_str().unwrap()]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("All 16 checks passed"));
    // The same, straight from the board's URL.
    let o = run(&[
        "verify",
        "--board",
        &url,
        "--log-key",
        &log_vkey,
        "--witness-key",
        &wkey,
        "--admin-key",
        &admin_vkey,
    ]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("All 16 checks passed"));

    // A wrong log key: the checkpoint does not verify (exit 1).
    let other_log = common::keygen(d, "--log", "other.example/log", "other.key");
    let o = run(&[
        "fetch-record",
        "--board",
        &url,
        "--out",
        d.join("x").to_str().unwrap(),
        "--log-key",
        &other_log,
    ]);
    assert_eq!(o.status.code(), Some(1));

    // A ballot in the log that is not in the record: fetch-record exits 1 naming its code.
    let line = std::fs::read_to_string(first_ballot_file(&record)).unwrap();
    let mut forged: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let code = "cd".repeat(32);
    forged["code"] = serde_json::Value::String(code.clone());
    let bytes = sanduq_election::canonical::to_canonical_json(&forged).unwrap();
    let e = Envelope::sign(
        "ballot",
        Fingerprint::from_hex(&election).unwrap(),
        &bytes,
        true,
        &SigningKey::from_bytes(&[3; 32]),
    )
    .unwrap();
    let a = Client::new(&url).submit(e.as_bytes()).unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    // Wait for the checkpoint to cover it (a checkpoint of size entries + 1).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let a = Client::new(&url).get("checkpoint").unwrap();
        let size = String::from_utf8_lossy(&a.body)
            .lines()
            .nth(1)
            .and_then(|l| l.parse::<u64>().ok());
        if size == Some(entries + 1) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no checkpoint");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Its receipt on the pages served beside the log: inclusion proof to the cosigned
    // checkpoint, checked by the server.
    let tracking = json_body(&a.body)["tracking_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = Client::new(&url)
        .get(&format!("en/receipt?code={tracking}"))
        .unwrap();
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("the proof leads from your entry to the signed root")
            && text.contains("cosigned the checkpoint"),
        "{text}"
    );
    // Signed by a key that is not the administrator's: refused when the key is given.
    let o = fetch(&d.join("y"));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an administrator key"));
    // `verify --board` fails the same way (exit 1), naming the stray ballot's code.
    let o = run(&["verify", "--board", &url, "--log-key", &log_vkey]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&code),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Without administrator keys the record is rebuilt, and the extra ballot is named.
    let o = run(&[
        "fetch-record",
        "--board",
        &url,
        "--out",
        d.join("z").to_str().unwrap(),
        "--log-key",
        &log_vkey,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&code),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn first_ballot_file(record: &Path) -> std::path::PathBuf {
    let mut stack = vec![record.join("districts")];
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.ends_with("ballots.jsonl") && std::fs::metadata(&p).unwrap().len() > 0 {
                found.push(p);
            }
        }
    }
    found.sort();
    found.remove(0)
}

fn json_body(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

//! `sanduq demo` then `sanduq verify`, on the record as written and after tampering.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

fn sanduq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sanduq"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A ballot file with at least one ballot.
fn some_ballot_file(record: &Path) -> std::path::PathBuf {
    let mut stack = vec![record.join("districts")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.ends_with("ballots.jsonl") && std::fs::metadata(&p).unwrap().len() > 0 {
                return p;
            }
        }
    }
    panic!("no ballot file");
}

#[test]
fn demo_then_verify_then_tamper() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = sanduq(&[
        "demo",
        "--voters",
        "300",
        "--out",
        out.to_str().unwrap(),
        "--seed",
        "5",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("run-off between"), "{stdout}");
    assert!(stdout.contains("15 completeness"), "{stdout}");
    // one voter in 20 voted remotely, and those ballots are verified (check 16)
    assert!(stdout.contains("16 remote-ballots"), "{stdout}");
    assert!(
        stdout.contains("remotely with a voter credential"),
        "{stdout}"
    );
    assert!(out.join("manifest.toml").is_file());
    assert!(out.join("record.tar").is_file());

    let record = out.join("record");
    let o = sanduq(&["verify", record.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("All 16 checks passed"));
    let o = sanduq(&["verify", out.join("record.tar").to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["checks"].as_array().unwrap().len(), 16);

    // flip one byte in the middle of a ballot file: the ballot checks name it
    let file = some_ballot_file(&record);
    let mut bytes = std::fs::read(&file).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let o = sanduq(&["verify", record.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.contains("check 4 ballot-encoding") || err.contains("check 5 ballot-proofs"),
        "{err}"
    );
    assert!(err.contains("ballots.jsonl:"), "{err}");
}

#[test]
fn unreadable_record_exits_2() {
    let o = sanduq(&["verify", "/nonexistent/record"]);
    assert_eq!(o.status.code(), Some(2));
    let tmp = tempfile::tempdir().unwrap();
    let o = sanduq(&["verify", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

#[test]
fn help_documents_exit_codes() {
    let o = sanduq(&["verify", "--help"]);
    assert!(o.status.success());
    let h = text(&o.stdout);
    assert!(
        h.contains("Exit codes")
            && h.contains("0 when")
            && h.contains("1 when")
            && h.contains("2 when"),
        "{h}"
    );
    let o = sanduq(&["demo", "--help"]);
    assert!(text(&o.stdout).contains("Exit codes"));
}

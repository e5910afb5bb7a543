//! Running the real `sanduq` binary in the CLI tests: one-shot commands, and servers that
//! announce `listening on ADDR` on their first line and are killed when dropped.
#![allow(clippy::unwrap_used, dead_code)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_sanduq");

/// A child process, killed and reaped when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server command and returns it with its `http://ADDR` URL.
pub fn spawn(args: &[&str]) -> (Proc, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let p = Proc(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (p, format!("http://{addr}"))
}

/// Runs a command to its end.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Starts a witness node in `dir` (its key `w0.key`, state `w0/`) for the log `log_vkey`,
/// and writes `dir/board.toml`: the log key `log.key`, data in `data/`, `election`, quorum 1
/// with that witness (`wkey` its verifier key). Returns the witness and the config's path.
pub fn witness_and_config(
    dir: &std::path::Path,
    election: &str,
    log_vkey: &str,
    wkey: &str,
) -> (Proc, std::path::PathBuf) {
    let (witness, wurl) = spawn(&[
        "witness",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.join("w0").to_str().unwrap(),
        "--key",
        dir.join("w0.key").to_str().unwrap(),
        "--log",
        log_vkey,
    ]);
    let cfg = dir.join("board.toml");
    std::fs::write(
        &cfg,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"data\"\nlog_key_file = \"log.key\"\n\
             election = \"{election}\"\nquorum = 1\n[limits]\npublish_interval_ms = 20\n\
             [[witness]]\nurl = \"{wurl}\"\nkey = \"{wkey}\"\n"
        ),
    )
    .unwrap();
    (witness, cfg)
}

/// Checks a record's decrypted totals (`results/results.json`) against `expected`
/// ((contest, candidate) → votes, from the plaintexts): every contest counted, every
/// candidate's total the expected one (0 when absent). Returns the votes seen.
pub fn assert_totals(
    record: &std::path::Path,
    expected: &std::collections::BTreeMap<(String, String), u64>,
) -> u64 {
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record.join("results/results.json")).unwrap())
            .unwrap();
    let mut seen = 0;
    for r in results["results"].as_array().unwrap() {
        let contest = r["contest"].as_str().unwrap();
        assert_eq!(r["status"], "counted", "{contest}");
        for (cand, votes) in r["totals"].as_object().unwrap() {
            let want = expected
                .get(&(contest.to_owned(), cand.clone()))
                .copied()
                .unwrap_or(0);
            assert_eq!(votes.as_u64().unwrap(), want, "{contest} {cand}");
            seen += want;
        }
    }
    seen
}

/// A command's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that a command exited 0, showing its output otherwise.
pub fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

/// `sanduq encrypt --json`: device `device` at `station` encrypts the plaintext file into
/// `out`, with the election set-up and ceremony folders.
pub fn encrypt(
    election: &std::path::Path,
    board: &std::path::Path,
    device: &str,
    station: &str,
    plaintext: &std::path::Path,
    out: &std::path::Path,
) -> Output {
    let p = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let (election, board, plaintext, out) = (p(election), p(board), p(plaintext), p(out));
    run(&[
        "encrypt",
        "--election",
        &election,
        "--board",
        &board,
        "--device",
        device,
        "--station",
        station,
        "--plaintext",
        &plaintext,
        "--out",
        &out,
        "--json",
    ])
}

/// `sanduq board keygen ROLE NAME --out dir/file`: the verifier key it prints.
pub fn keygen(dir: &std::path::Path, role: &str, name: &str, file: &str) -> String {
    let out = run(&[
        "board",
        "keygen",
        role,
        name,
        "--out",
        dir.join(file).to_str().unwrap(),
    ]);
    ok(&out);
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

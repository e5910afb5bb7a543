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

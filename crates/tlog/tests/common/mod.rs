//! Shared helpers of the integration tests: locating the shared test data.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// `<shared>/data/tlog`, from `SANDUQ_SHARED_DATA` or the repository layout. Panics (fails
/// the test) when the folder is missing: these tests never skip.
pub fn tlog_dir() -> PathBuf {
    let base = std::env::var_os("SANDUQ_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let dir = base.join("tlog");
    assert!(
        dir.join("README.md").is_file(),
        "shared test data missing at {} (set SANDUQ_SHARED_DATA)",
        dir.display()
    );
    dir
}

/// A file under `data/tlog`.
pub fn path(rel: &str) -> PathBuf {
    tlog_dir().join(rel)
}

/// Bytes of a file under `data/tlog`.
pub fn read(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Text of a file under `data/tlog`.
pub fn read_str(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

/// Every `*.json` file below a folder of `data/tlog`, sorted.
pub fn json_files(rel: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&path(rel), &mut out);
    out.sort();
    out
}

/// Standard base64 decoding (the vectors are canonical).
pub fn b64(s: &str) -> Vec<u8> {
    STANDARD.decode(s).unwrap()
}

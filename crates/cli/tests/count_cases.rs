//! Runs `sanduq count` on every tabulation case: the shared cases with known official or
//! reference results (`shared/data/tabulation/`, see its README) and the hand-derived cases of
//! `crates/count/tests/cases/`. Each folder holds `input.blt` or `input.csv` and a `case.json`
//! saying how the command is run and what it must print. The test lists every failing case.
//!
//! The shared data are found at `<repo>/../shared/data` (override: `SANDUQ_SHARED_DATA`); the
//! test fails when they are missing.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sanduq");

fn shared_data() -> PathBuf {
    match std::env::var_os("SANDUQ_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
    }
}

fn find_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    if dir.join("case.json").is_file() {
        out.push(dir.to_path_buf());
    }
    for e in entries {
        if e.is_dir() {
            find_cases(&e, out);
        }
    }
}

const FLAGS: [(&str, &str); 8] = [
    ("threshold", "--threshold"),
    ("min_seats", "--min-seats"),
    ("base_seats", "--base-seats"),
    ("reserved", "--reserved"),
    ("reserved_rule", "--reserved-rule"),
    ("tie_break", "--tie-break"),
    ("seed", "--seed"),
    ("decimals", "--decimals"),
];

fn flag_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn allocation(v: &Value) -> Result<BTreeMap<String, i64>, String> {
    let obj = v.as_object().ok_or("allocation is not an object")?;
    let mut out = BTreeMap::new();
    for (k, n) in obj {
        let n = n
            .as_i64()
            .ok_or_else(|| format!("allocation of {k} is not a whole number"))?;
        if n != 0 {
            out.insert(k.clone(), n);
        }
    }
    Ok(out)
}

/// `None` when the case passes, else why it failed.
fn run_case(dir: &Path) -> Option<String> {
    let case: Value = match std::fs::read_to_string(dir.join("case.json")) {
        Ok(t) => match serde_json::from_str(&t) {
            Ok(v) => v,
            Err(e) => return Some(format!("bad case.json: {e}")),
        },
        Err(e) => return Some(format!("cannot read case.json: {e}")),
    };
    let input = ["input.blt", "input.csv"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file());
    let Some(input) = input else {
        return Some("no input.blt or input.csv".into());
    };
    let mut cmd = Command::new(BIN);
    cmd.arg("count")
        .arg("--method")
        .arg(flag_value(&case["method"]));
    if let Some(s) = case.get("seats").filter(|s| !s.is_null()) {
        cmd.arg("--seats").arg(flag_value(s));
    }
    if let Some(opts) = case.get("options").and_then(Value::as_object) {
        for key in opts.keys() {
            if !FLAGS.iter().any(|(k, _)| k == key) {
                return Some(format!("unknown option {key} in case.json"));
            }
        }
        for (key, flag) in FLAGS {
            if let Some(v) = opts.get(key).filter(|v| !v.is_null()) {
                cmd.arg(flag).arg(flag_value(v));
            }
        }
    }
    cmd.arg(&input).stdin(Stdio::null());
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => return Some(format!("cannot run {BIN}: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code();
    if case.get("expect_error").and_then(Value::as_bool) == Some(true) {
        if code != Some(2) {
            return Some(format!("expected exit status 2, got {code:?}"));
        }
        if !stdout.trim().is_empty() {
            return Some(format!("expected nothing on stdout, got {stdout}"));
        }
        // The message names the file and the line of the fault.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let file = input.display().to_string();
        if !stderr.contains(&format!("{file}: line ")) {
            return Some(format!(
                "expected a message naming {file} and a line on stderr, got {stderr:?}"
            ));
        }
        return None;
    }
    if code != Some(0) {
        return Some(format!(
            "exit status {code:?}; stderr: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let got: Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => return Some(format!("stdout is not JSON ({e}): {stdout}")),
    };
    let Some(expected) = case.get("expected").and_then(Value::as_object) else {
        return Some("case.json has no expected result".into());
    };
    if let Some(want) = expected.get("elected") {
        let want: Vec<String> = serde_json::from_value(want.clone()).unwrap();
        let Some(have) = got
            .get("elected")
            .and_then(|v| serde_json::from_value::<Vec<String>>(v.clone()).ok())
        else {
            return Some("output has no elected list".into());
        };
        match case.get("compare").and_then(Value::as_str).unwrap_or("set") {
            "ordered" => {
                if have != want {
                    return Some(format!("elected {have:?}, expected in order {want:?}"));
                }
            }
            "set" => {
                let hs: BTreeSet<&String> = have.iter().collect();
                let ws: BTreeSet<&String> = want.iter().collect();
                if hs != ws || have.len() != want.len() {
                    return Some(format!("elected {have:?}, expected the set {want:?}"));
                }
            }
            other => return Some(format!("unknown compare mode {other}")),
        }
    }
    if let Some(want) = expected.get("allocation") {
        let want = match allocation(want) {
            Ok(a) => a,
            Err(e) => return Some(format!("case.json: {e}")),
        };
        let have = match got.get("allocation").map(allocation) {
            Some(Ok(a)) => a,
            Some(Err(e)) => return Some(format!("output: {e}")),
            None => return Some("output has no allocation".into()),
        };
        if have != want {
            return Some(format!("allocation {have:?}, expected {want:?}"));
        }
    }
    if let Some(want) = expected.get("runoff") {
        if got.get("runoff") != Some(want) {
            return Some(format!("runoff {:?}, expected {want}", got.get("runoff")));
        }
    }
    if !expected.contains_key("elected") && !expected.contains_key("allocation") {
        return Some("case.json expects neither elected nor allocation".into());
    }
    None
}

fn run_all(root: &Path, min_cases: usize) {
    assert!(
        root.is_dir(),
        "case folder {} is missing (set SANDUQ_SHARED_DATA to the shared data folder)",
        root.display()
    );
    let mut cases = Vec::new();
    find_cases(root, &mut cases);
    assert!(
        cases.len() >= min_cases,
        "only {} cases under {}, expected at least {min_cases}",
        cases.len(),
        root.display()
    );
    let results: Vec<(PathBuf, Option<String>)> = std::thread::scope(|s| {
        let chunks: Vec<&[PathBuf]> = cases.chunks(cases.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|d| (d.clone(), run_case(d)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(d, r)| {
            r.as_ref().map(|why| {
                format!(
                    "FAIL {}: {why}",
                    d.strip_prefix(root).unwrap_or(d).display()
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn shared_tabulation_cases() {
    // The README of the folder lists 324 cases.
    run_all(&shared_data().join("tabulation"), 324);
}

#[test]
fn hand_derived_cases() {
    run_all(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../count/tests/cases")),
        10,
    );
}

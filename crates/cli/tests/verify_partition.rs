//! `sanduq verify --partition` for every district, then `--merge`; refusals.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `province/district` of every district folder.
fn districts(record: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for p in std::fs::read_dir(record.join("districts")).unwrap() {
        let p = p.unwrap().path();
        for d in std::fs::read_dir(&p).unwrap() {
            let d = d.unwrap().path();
            out.push(format!(
                "{}/{}",
                p.file_name().unwrap().to_str().unwrap(),
                d.file_name().unwrap().to_str().unwrap()
            ));
        }
    }
    out.sort();
    out
}

/// Partial reports of every district of `record` (`listing` is its directory), signed with
/// `key`, in `dir`.
fn partition_all(record: &Path, listing: &Path, key: &Path, dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    districts(listing)
        .iter()
        .map(|d| {
            let out = dir.join(format!("{}.json", d.replace('/', "_")));
            let o = sanduq(&[
                "verify",
                s(record),
                "--partition",
                d,
                "--key",
                s(key),
                "--out",
                s(&out),
            ]);
            assert_eq!(o.status.code(), Some(0), "{d}: {}", text(&o.stderr));
            out
        })
        .collect()
}

fn merge(record: &Path, partials: &[PathBuf], trust: &[&str]) -> Output {
    let mut args = vec!["verify", s(record), "--json", "--merge"];
    args.extend(partials.iter().map(|p| s(p)));
    args.push("--trust");
    args.extend_from_slice(trust);
    sanduq(&args)
}

#[test]
fn partitions_merge_to_the_whole_verification_and_refusals_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = sanduq(&["demo", "--voters", "100", "--out", s(&out), "--seed", "3"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let record = out.join("record.tar");
    let dir = out.join("record");

    // operator keys: the private key file and its public key beside it
    let key = tmp.path().join("operator.key");
    let o = sanduq(&["verify", "keygen", "--out", s(&key)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let public = text(&o.stdout).trim().to_owned();
    assert_eq!(public.len(), 64);
    let pub_file = tmp.path().join("operator.key.pub");
    assert_eq!(std::fs::read_to_string(&pub_file).unwrap().trim(), public);
    let other = tmp.path().join("other.key");
    let o = sanduq(&["verify", "keygen", "--out", s(&other)]);
    let other_public = text(&o.stdout).trim().to_owned();
    // an existing key file is not overwritten
    let o = sanduq(&["verify", "keygen", "--out", s(&key)]);
    assert_eq!(o.status.code(), Some(2));

    // the whole verification, for comparison
    let o = sanduq(&["verify", s(&record), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let whole: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    // every district from the archive, then the merge, trusting the key by file
    let partials = partition_all(&record, &dir, &key, &tmp.path().join("p"));
    let o = merge(&record, &partials, &[s(&pub_file)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let merged: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(merged["passed"], true);
    assert_eq!(merged["record_id"], whole["record_id"]);
    assert_eq!(merged["figures"], whole["figures"]);
    let statuses = |v: &serde_json::Value| -> Vec<(u64, String, u64)> {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["number"].as_u64().unwrap(),
                    c["status"].as_str().unwrap().to_owned(),
                    c["objects"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(statuses(&merged), statuses(&whole));
    // the same partials against the directory of the same record (same index hash)
    let o = merge(&dir, &partials, &[&public]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // untrusted key: refused, exit 1
    let o = merge(&record, &partials, &[&other_public]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("not trusted"),
        "{}",
        text(&o.stderr)
    );
    // a district missing: named
    let o = merge(&record, &partials[1..], &[&public]);
    assert_eq!(o.status.code(), Some(1));
    let first = districts(&dir)[0].clone();
    let err = text(&o.stderr);
    assert!(
        err.contains(&first) && err.contains("no partial report"),
        "{err}"
    );
    // a district twice: named
    let mut twice = partials.clone();
    twice.push(partials[0].clone());
    let o = merge(&record, &twice, &[&public]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(&first) && err.contains("two partial reports"),
        "{err}"
    );
    // a report edited after signing
    let edited = tmp.path().join("edited.json");
    let body = std::fs::read_to_string(&partials[0]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ballots = v["partial"]["figures"]["ballots"].as_u64().unwrap();
    let body = body.replacen(
        &format!("\"ballots\":{ballots},\"cast\""),
        &format!("\"ballots\":{},\"cast\"", ballots + 1),
        1,
    );
    std::fs::write(&edited, body).unwrap();
    let mut with_edit = partials.clone();
    with_edit[0] = edited;
    let o = merge(&record, &with_edit, &[&public]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("signature does not verify"),
        "{}",
        text(&o.stderr)
    );
    // not a partial report: exit 2
    let o = merge(&record, std::slice::from_ref(&pub_file), &[&public]);
    assert_eq!(o.status.code(), Some(2));

    // a tampered ballot: its district's partition fails, naming the check and the line
    let ballots = dir.join(format!("districts/{first}/ballots.jsonl"));
    let mut bytes = std::fs::read(&ballots).unwrap();
    assert!(!bytes.is_empty(), "{first} has no ballot");
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&ballots, &bytes).unwrap();
    let o = sanduq(&[
        "verify",
        s(&dir),
        "--partition",
        &first,
        "--key",
        s(&key),
        "--out",
        s(&tmp.path().join("bad.json")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("check 4 ballot-encoding") || err.contains("check 5 ballot-proofs"),
        "{err}"
    );
    assert!(err.contains("ballots.jsonl:"), "{err}");
    // the whole verification of the tampered directory agrees
    let o = sanduq(&["verify", s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    // unknown district: exit 2
    let o = sanduq(&[
        "verify",
        s(&dir),
        "--partition",
        "nowhere",
        "--key",
        s(&key),
        "--out",
        s(&tmp.path().join("x.json")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

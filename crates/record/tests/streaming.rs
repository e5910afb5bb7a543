//! The verifier reading a record file by file: from a directory and from its archive it
//! gives the same report as from memory, and the file hashes are checked while streaming.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::sync::OnceLock;

mod support;

use sanduq_election::demo::DemoParams;
use sanduq_record::store::{self, Files, with_index};
use sanduq_record::verify::{Report, verify_source, verify_source_with_buffer};
use sanduq_record::{ElectionRun, Status, verify};

/// A small demo election (K = 2, contests cut to at most 3 seats and 5 candidates), with
/// enough voters that the busiest district's ballot file spans two chunks of 64 lines
/// (`docs/spec/record.md` §6.1).
fn run() -> &'static ElectionRun {
    static RUN: OnceLock<ElectionRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let params = DemoParams {
            voters: 1200,
            privacy_threshold: 2,
            seed: 11,
            ..DemoParams::default()
        };
        let manifest = support::small_manifest(&params);
        support::run_small(manifest, b"stream seed", 3)
    })
}

/// A check's number, status, objects and failure (object, reason).
type Line = (u32, Status, u64, Option<(String, String)>);

/// Number, status, objects and failure of every check.
fn summary(r: &Report) -> Vec<Line> {
    r.checks
        .iter()
        .map(|c| {
            (
                c.number,
                c.status,
                c.objects,
                c.failure
                    .as_ref()
                    .map(|f| (f.object.clone(), f.reason.clone())),
            )
        })
        .collect()
}

/// The report from memory, from a directory and from an archive of the same files.
fn three_ways(files: &Files) -> [Report; 3] {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("record");
    let tar = tmp.path().join("record.tar");
    store::write_dir(&dir, files).unwrap();
    store::write_archive(&tar, files).unwrap();
    [
        verify(files),
        verify_source(store::open(&dir).unwrap().as_ref()),
        verify_source(store::open(&tar).unwrap().as_ref()),
    ]
}

fn ballot_file(files: &Files) -> String {
    files
        .iter()
        .filter(|(p, _)| p.ends_with("ballots.jsonl"))
        .max_by_key(|(_, b)| b.len())
        .unwrap()
        .0
        .clone()
}

#[test]
fn directory_and_archive_give_the_same_report() {
    let files = &run().files;
    let [mem, dir, tar] = three_ways(files);
    assert!(mem.passed(), "{:?}", mem.failures().collect::<Vec<_>>());
    assert_eq!(summary(&dir), summary(&mem));
    assert_eq!(summary(&tar), summary(&mem));
    assert_eq!(dir.figures, mem.figures);
    assert_eq!(tar.figures, mem.figures);
    // every ballot line read, one per ballot the election produced
    assert_eq!(
        dir.figures.ballots,
        run().figures.cast + run().figures.challenged
    );
    assert_eq!(dir.figures.files as usize, files.len());
    // the record id is the SHA-256 of index.json (computed here independently)
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&files["index.json"]));
    assert_eq!(tar.verified.unwrap().record_id, id);
}

#[test]
fn a_tampered_record_fails_alike_from_directory_and_archive() {
    // the second ballot of the busiest file with its limit proof's branches swapped:
    // check 5 names that line
    let mut files = run().files.clone();
    let path = ballot_file(&files);
    let text = String::from_utf8(files[&path].clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut v: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    v["ballot"]["contests"][0]["limit_proof"]
        .as_array_mut()
        .unwrap()
        .swap(0, 1);
    lines[1] =
        String::from_utf8(sanduq_election::canonical::to_canonical_json(&v).unwrap()).unwrap();
    files.insert(path.clone(), format!("{}\n", lines.join("\n")).into_bytes());
    let files = with_index(files).unwrap();
    let [mem, dir, tar] = three_ways(&files);
    let first = mem.failures().next().unwrap();
    assert_eq!(first.number, 5);
    let object = &first.failure.as_ref().unwrap().object;
    assert!(object.starts_with(&format!("{path}:2 ")), "{object}");
    assert_eq!(summary(&dir), summary(&mem));
    assert_eq!(summary(&tar), summary(&mem));
}

#[test]
fn hashes_are_checked_while_streaming() {
    // a ballot file changed after the index was made: its last line loses its newline, so
    // reading stops at check 4, and check 15 still hashes the whole file and names it
    let mut files = run().files.clone();
    let path = ballot_file(&files);
    files.get_mut(&path).unwrap().pop();
    let [mem, dir, tar] = three_ways(&files);
    for r in [&mem, &dir, &tar] {
        let failed: Vec<u32> = r.failures().map(|c| c.number).collect();
        assert_eq!(failed.first(), Some(&4), "{failed:?}");
        let c15 = r.checks.iter().find(|c| c.number == 15).unwrap();
        assert_eq!(c15.status, Status::Failed);
        assert_eq!(c15.failure.as_ref().unwrap().object, path);
    }
    assert_eq!(summary(&dir), summary(&mem));
    assert_eq!(summary(&tar), summary(&mem));
    // a file outside the index, in the archive only: check 15 names it
    let mut files = run().files.clone();
    files.insert("districts/extra.jsonl".into(), b"{}\n".to_vec());
    let [_, _, tar] = three_ways(&files);
    let c15 = tar.checks.iter().find(|c| c.number == 15).unwrap();
    assert_eq!(
        c15.failure.as_ref().unwrap().object,
        "districts/extra.jsonl"
    );
}

#[test]
fn a_chain_broken_at_a_chunk_boundary_is_found() {
    // the first ballot of the second chunk (line 65 or the next one whose device goes on
    // after it) removed: the line then in its place has a sequence number one too far on
    // its device (check 7), which the chain state carried across the chunks shows
    let mut files = run().files.clone();
    let path = ballot_file(&files);
    let text = String::from_utf8(files[&path].clone()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 65, "{} lines", lines.len());
    let device = |l: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        v["ballot"]["device"].as_str().unwrap().to_owned()
    };
    let i = (64..lines.len() - 1)
        .find(|i| device(lines[*i]) == device(lines[*i + 1]))
        .unwrap();
    lines.remove(i);
    files.insert(path.clone(), format!("{}\n", lines.join("\n")).into_bytes());
    let files = with_index(files).unwrap();
    let [mem, dir, tar] = three_ways(&files);
    let first = mem.failures().next().unwrap();
    assert_eq!(first.number, 7);
    let object = &first.failure.as_ref().unwrap().object;
    assert!(
        object.starts_with(&format!("{path}:{} ", i + 1)),
        "{object}"
    );
    assert!(
        first
            .failure
            .as_ref()
            .unwrap()
            .reason
            .contains("sequence number")
    );
    assert_eq!(summary(&dir), summary(&mem));
    assert_eq!(summary(&tar), summary(&mem));
}

/// A record in a directory verified with the default buffer of traces, and with buffers of
/// 5 and 64 traces (so the traces of check 6 spill to many runs, merged in several rounds).
fn buffers(files: &Files) -> [Report; 3] {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("record");
    store::write_dir(&dir, files).unwrap();
    let src = store::open(&dir).unwrap();
    [
        verify_source(src.as_ref()),
        verify_source_with_buffer(src.as_ref(), 5),
        verify_source_with_buffer(src.as_ref(), 64),
    ]
}

/// Check 6's failure: (object, reason).
fn check6(r: &Report) -> Option<(String, String)> {
    let c = r.checks.iter().find(|c| c.number == 6).unwrap();
    c.failure
        .as_ref()
        .map(|f| (f.object.clone(), f.reason.clone()))
}

#[test]
fn a_tiny_buffer_of_traces_gives_the_same_clean_report() {
    let files = &run().files;
    for r in buffers(files) {
        assert!(r.passed(), "{:?}", r.failures().collect::<Vec<_>>());
        assert_eq!(check6(&r), None);
    }
}

#[test]
fn duplicates_in_the_first_and_last_runs_are_found_and_named() {
    let files = &run().files;
    let path = ballot_file(files);
    let text = String::from_utf8(files[&path].clone()).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.len();
    assert!(n > 65, "{n} lines");
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();

    // the first line copied after the last one (line n + 1): its code is read a second time
    // there, in the first chunk and the last, runs apart with a buffer of 5 traces
    let mut copy = files.clone();
    let mut l = lines.clone();
    l.push(lines[0].clone());
    copy.insert(path.clone(), format!("{}\n", l.join("\n")).into_bytes());
    let copy = with_index(copy).unwrap();
    let expected = (
        format!(
            "{path}:{} (ballot {})",
            n + 1,
            first["code"].as_str().unwrap()
        ),
        "this confirmation code appears twice".to_owned(),
    );
    for r in buffers(&copy) {
        assert_eq!(check6(&r), Some(expected.clone()));
    }

    // the last ballot's first selection given the first ballot's first ciphertext
    let mut copy = files.clone();
    let mut last: serde_json::Value = serde_json::from_str(&lines[n - 1]).unwrap();
    last["ballot"]["contests"][0]["selections"][0]["ciphertext"] =
        first["ballot"]["contests"][0]["selections"][0]["ciphertext"].clone();
    let mut l = lines.clone();
    l[n - 1] =
        String::from_utf8(sanduq_election::canonical::to_canonical_json(&last).unwrap()).unwrap();
    copy.insert(path.clone(), format!("{}\n", l.join("\n")).into_bytes());
    let copy = with_index(copy).unwrap();
    let expected = (
        format!(
            "{path}:{n} (ballot {}) contest {} selection {}",
            last["code"].as_str().unwrap(),
            last["ballot"]["contests"][0]["contest"].as_str().unwrap(),
            last["ballot"]["contests"][0]["selections"][0]["id"]
                .as_str()
                .unwrap(),
        ),
        "this ciphertext appears in another ballot".to_owned(),
    );
    for r in buffers(&copy) {
        assert_eq!(check6(&r), Some(expected.clone()));
    }
}

//! Verification one district at a time: signed partial reports, and their merge.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

mod support;

use sanduq_election::demo::DemoParams;
use sanduq_record::partition::{
    MergeError, OperatorKey, SignedPartial, merge, sign, verify_district,
};
use sanduq_record::store::{Files, MemorySource, with_index};
use sanduq_record::{ElectionRun, Status, verify};

/// A small demo election (K = 2, contests cut to at most 3 seats and 5 candidates).
fn run() -> &'static ElectionRun {
    static RUN: OnceLock<ElectionRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let params = DemoParams {
            voters: 150,
            privacy_threshold: 2,
            seed: 13,
            ..DemoParams::default()
        };
        let manifest = support::small_manifest(&params);
        // one voter in six votes remotely: the remote ballots are verified per district too
        support::run_small_remote(manifest, b"partition seed", 3, 6)
    })
}

fn operator() -> OperatorKey {
    OperatorKey::from_seed([7; 32])
}

/// Every district with a folder: `province/district`.
fn districts(files: &Files) -> Vec<String> {
    files
        .keys()
        .filter_map(|p| p.strip_prefix("districts/")?.strip_suffix("/ballots.jsonl"))
        .map(str::to_owned)
        .collect()
}

/// Each district verified and signed by `key`.
fn partials(files: &Files, key: &OperatorKey) -> Vec<SignedPartial> {
    districts(files)
        .iter()
        .map(|d| {
            let (_, p) = verify_district(&MemorySource(files), d).unwrap();
            sign(p, key).unwrap()
        })
        .collect()
}

fn all_partials() -> &'static Vec<SignedPartial> {
    static P: OnceLock<Vec<SignedPartial>> = OnceLock::new();
    P.get_or_init(|| partials(&run().files, &operator()))
}

fn merged(files: &Files, p: &[SignedPartial]) -> Result<sanduq_record::Report, MergeError> {
    merge(&MemorySource(files), p, &[operator().public()])
}

#[test]
fn partitions_and_merge_agree_with_the_whole_verification() {
    let files = &run().files;
    let whole = verify(files);
    assert!(whole.passed());
    let p = all_partials();
    // 34 provinces, each with at least one polling station
    assert!(p.len() >= 34, "{} districts", p.len());
    for s in p {
        assert!(
            s.partial.passed(),
            "{} {:?}",
            s.partial.district,
            s.partial.checks
        );
        // 1 to 13, 15 and 16: the results need the nation
        let numbers: Vec<u32> = s.partial.checks.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16]);
    }
    let m = merged(files, p).unwrap();
    assert!(m.passed(), "{:?}", m.failures().collect::<Vec<_>>());
    let key = |r: &sanduq_record::Report| -> Vec<(u32, Status, u64)> {
        r.checks
            .iter()
            .map(|c| (c.number, c.status, c.objects))
            .collect()
    };
    assert_eq!(key(&m), key(&whole));
    assert_eq!(m.figures, whole.figures);
    assert_eq!(m.verified, whole.verified);
    // the partials' ballots add up to the election's
    let ballots: u64 = p.iter().map(|s| s.partial.figures.ballots).sum();
    assert_eq!(ballots, run().figures.cast + run().figures.challenged);
    let remote: u64 = p.iter().map(|s| s.partial.figures.remote_counted).sum();
    assert!(run().figures.remote > 0);
    assert_eq!(remote, run().figures.remote);
}

#[test]
fn a_tampered_ballot_fails_its_district_and_the_merge_refuses() {
    // the first ballot of the busiest district: its first selection takes the second's
    // ciphertext, so its range proof (check 5) no longer holds
    let mut files = run().files.clone();
    let path = files
        .iter()
        .filter(|(p, _)| p.ends_with("ballots.jsonl"))
        .max_by_key(|(_, b)| b.len())
        .unwrap()
        .0
        .clone();
    let text = String::from_utf8(files[&path].clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    let sels = &mut v["ballot"]["contests"][0]["selections"];
    let other = sels[1]["ciphertext"].clone();
    sels[0]["ciphertext"] = other;
    lines[0] =
        String::from_utf8(sanduq_election::canonical::to_canonical_json(&v).unwrap()).unwrap();
    files.insert(path.clone(), format!("{}\n", lines.join("\n")).into_bytes());
    let files = with_index(files).unwrap();
    let district = path
        .strip_prefix("districts/")
        .unwrap()
        .strip_suffix("/ballots.jsonl")
        .unwrap()
        .to_owned();
    let (report, partial) = verify_district(&MemorySource(&files), &district).unwrap();
    assert!(!partial.passed());
    let c = report.failures().next().unwrap();
    assert_eq!(c.number, 5);
    let object = &c.failure.as_ref().unwrap().object;
    assert!(object.starts_with(&format!("{path}:1 ")), "{object}");
    // another district of the same record passes
    let other = districts(&files)
        .into_iter()
        .find(|d| *d != district)
        .unwrap();
    assert!(
        verify_district(&MemorySource(&files), &other)
            .unwrap()
            .1
            .passed()
    );
    // the merge refuses the failed partial, naming the district and the check
    let p = partials(&files, &operator());
    match merged(&files, &p) {
        Err(MergeError::Failed {
            district: d,
            number,
            ..
        }) => {
            assert_eq!(d, district);
            assert_eq!(number, 5);
        }
        other => panic!("{other:?}"),
    }
    // ... and a set without it: the district is missing
    let without: Vec<SignedPartial> = p
        .into_iter()
        .filter(|s| format!("{}/{}", s.partial.province, s.partial.district) != district)
        .collect();
    match merged(&files, &without) {
        Err(MergeError::Missing { district: d }) => assert_eq!(d, district),
        other => panic!("{other:?}"),
    }
}

#[test]
fn forged_foreign_or_repeated_partials_are_refused() {
    let files = &run().files;
    let p = all_partials();
    let name = |s: &SignedPartial| format!("{}/{}", s.partial.province, s.partial.district);
    // a wrong signature
    let mut bad = p.clone();
    let sig = bad[0].signature.clone();
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    bad[0].signature = format!("{flipped}{}", &sig[1..]);
    match merged(files, &bad) {
        Err(MergeError::BadSignature { district }) => assert_eq!(district, name(&p[0])),
        other => panic!("{other:?}"),
    }
    // signed by a key not trusted
    let mut bad = p.clone();
    bad[1] = sign(bad[1].partial.clone(), &OperatorKey::from_seed([8; 32])).unwrap();
    match merged(files, &bad) {
        Err(MergeError::Untrusted { district, .. }) => assert_eq!(district, name(&p[1])),
        other => panic!("{other:?}"),
    }
    // for another record: same content, another record id, properly signed
    let mut bad = p.clone();
    let mut foreign = bad[2].partial.clone();
    foreign.record_id = "00".repeat(32);
    bad[2] = sign(foreign, &operator()).unwrap();
    match merged(files, &bad) {
        Err(MergeError::OtherRecord { district, .. }) => assert_eq!(district, name(&p[2])),
        other => panic!("{other:?}"),
    }
    // one district twice
    let mut bad = p.clone();
    bad.push(p[3].clone());
    match merged(files, &bad) {
        Err(MergeError::Duplicate { district }) => assert_eq!(district, name(&p[3])),
        other => panic!("{other:?}"),
    }
    // tallies altered after signing: the signature no longer covers them
    let mut bad = p.clone();
    let i = p
        .iter()
        .position(|s| {
            s.partial
                .tally
                .as_ref()
                .is_some_and(|t| t.contests.first().is_some_and(|c| c.selections.len() > 1))
        })
        .unwrap();
    let t = bad[i].partial.tally.as_mut().unwrap();
    let sels = &mut t.contests[0].selections;
    let other = sels[1].ciphertext.clone();
    sels[0].ciphertext = other;
    match merged(files, &bad) {
        Err(MergeError::BadSignature { district }) => assert_eq!(district, name(&p[i])),
        other => panic!("{other:?}"),
    }
    // the same alteration, re-signed by the trusted operator: the aggregation check of the
    // merge finds the province's tally is no longer the product of its districts'
    let resigned = sign(bad[i].partial.clone(), &operator()).unwrap();
    bad[i] = resigned;
    let m = merged(files, &bad).unwrap();
    let c = m.failures().next().unwrap();
    assert_eq!(c.number, 10);
    let province = &p[i].partial.province;
    assert!(
        c.failure
            .as_ref()
            .unwrap()
            .object
            .contains(province.as_str())
    );
    // a signed report survives its canonical encoding
    let bytes = p[0].to_bytes().unwrap();
    assert_eq!(SignedPartial::from_bytes("p.json", &bytes).unwrap(), p[0]);
    let set: BTreeSet<String> = p.iter().map(name).collect();
    assert_eq!(set.len(), p.len());
}

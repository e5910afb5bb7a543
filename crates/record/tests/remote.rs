//! Remote ballots in the record: counted in their voter's station, the last of each
//! credential only, and every way of forging or misplacing one caught by the verifier.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use sanduq_crypto::BallotContext;
use sanduq_crypto::elgamal::ElectionKey;
use sanduq_crypto::group::Element;
use sanduq_election::Manifest;
use sanduq_election::demo::DemoParams;
use sanduq_record::credentials::{CredentialList, VoterCredential};
use sanduq_record::protocol::Election;
use sanduq_record::remote::{COUNTED, RemoteLine, SUPERSEDED, cast_remote};
use sanduq_record::store::{Files, with_index};
use sanduq_record::{
    ElectionRun, Quiet, RunOptions, Voter, run_election, synthetic_voters, verify,
};

const REMOTE_EVERY: u64 = 5;

fn manifest() -> Manifest {
    support::small_manifest(&DemoParams {
        voters: 150,
        privacy_threshold: 2,
        kuchi_permille: 60,
        seed: 21,
        ..DemoParams::default()
    })
}

fn election() -> Election {
    Election::setup(manifest(), b"remote seed").unwrap()
}

fn voters() -> Vec<Voter> {
    synthetic_voters(&election(), 4, 40).unwrap()
}

fn run() -> &'static ElectionRun {
    static RUN: OnceLock<ElectionRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut options = RunOptions::standard(4).unwrap();
        options.generator_seed = b"remote seed".to_vec();
        options.remote_every = REMOTE_EVERY;
        run_election(manifest(), &voters(), &options, &Quiet).unwrap()
    })
}

/// Every remote-ballot line of the record: (path, line number from 1, line).
fn remote_lines(files: &Files) -> Vec<(String, usize, RemoteLine)> {
    let mut out = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with("/remote.jsonl")) {
        for (i, l) in std::str::from_utf8(bytes).unwrap().lines().enumerate() {
            out.push((path.clone(), i + 1, serde_json::from_str(l).unwrap()));
        }
    }
    out
}

fn encode(line: &RemoteLine) -> String {
    let v = serde_json::to_value(line).unwrap();
    String::from_utf8(sanduq_election::canonical::to_canonical_json(&v).unwrap()).unwrap()
}

/// `files` with line `n` (from 1) of `path` replaced by `with` (removed when `None`), indexed
/// again so that only the change itself can fail.
fn edit_line(files: &Files, path: &str, n: usize, with: Option<&RemoteLine>) -> Files {
    let mut files = files.clone();
    let text = String::from_utf8(files[path].clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    match with {
        Some(l) => lines[n - 1] = encode(l),
        None => {
            lines.remove(n - 1);
        }
    }
    let mut body = lines.join("\n");
    if !lines.is_empty() {
        body.push('\n');
    }
    files.insert(path.to_owned(), body.into_bytes());
    with_index(files).unwrap()
}

/// The first failed check, with its object and reason.
fn first_failure(files: &Files) -> (u32, String, String) {
    let report = verify(files);
    assert!(!report.passed());
    let c = report.failures().next().unwrap();
    let f = c.failure.clone().unwrap();
    (c.number, f.object, f.reason)
}

/// Check 16's failure (object, reason). The ballot checks 4 to 8 pass: only check 16 and
/// those that need the station sums (9 and after) fail.
fn remote_failure(files: &Files) -> (String, String) {
    let report = verify(files);
    let failed: Vec<u32> = report.failures().map(|c| c.number).collect();
    assert!(failed.iter().all(|n| *n >= 9), "{failed:?}");
    let c = report.failures().find(|c| c.number == 16).unwrap();
    let f = c.failure.clone().unwrap();
    (f.object, f.reason)
}

/// Credential → its lines, in log order.
fn by_credential(files: &Files) -> BTreeMap<String, Vec<(String, usize, RemoteLine)>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for x in remote_lines(files) {
        out.entry(x.2.ballot.credential.clone())
            .or_default()
            .push(x);
    }
    out
}

/// The line of a voter who cast one remote ballot: (path, line number, line).
fn single(files: &Files) -> (String, usize, RemoteLine) {
    by_credential(files)
        .into_values()
        .find(|ls| ls.len() == 1)
        .unwrap()
        .remove(0)
}

#[test]
fn remote_ballots_are_counted_once_in_their_station() {
    let r = run();
    let report = verify(&r.files);
    assert!(
        report.passed(),
        "{:?}",
        report.failures().collect::<Vec<_>>()
    );
    assert_eq!(report.checks.len(), 16);
    // one voter in five votes remotely; one remote voter in three casts twice
    let voters = voters();
    let remote = voters.len() as u64 / REMOTE_EVERY;
    assert!(remote >= 10, "{remote} remote voters");
    assert_eq!(r.figures.remote, remote);
    assert_eq!(r.figures.remote_superseded, remote.div_ceil(3));
    assert_eq!(r.figures.cast, voters.len() as u64 - remote);
    assert_eq!(report.figures.remote, remote + remote.div_ceil(3));
    assert_eq!(report.figures.remote_counted, remote);
    // the record's lines: last per credential counted, every earlier one superseded
    for (credential, lines) in by_credential(&r.files) {
        let (last, earlier) = lines.split_last().unwrap();
        assert_eq!(last.2.status, COUNTED, "{credential}");
        assert!(earlier.iter().all(|l| l.2.status == SUPERSEDED));
        assert!(lines.len() <= 2);
    }
    // the totals are the voters' own choices, at the stations and remote alike: a
    // superseded ballot (the first candidate of every contest) is not in them, and a
    // remote voter is counted once
    let mut expected: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for v in &voters {
        for (contest, marked) in &v.choices {
            for c in marked {
                *expected
                    .entry(contest.clone())
                    .or_default()
                    .entry(c.clone())
                    .or_default() += 1;
            }
        }
    }
    for res in &r.results {
        if res.status != "counted" {
            continue;
        }
        for (candidate, n) in &res.totals {
            let want = expected
                .get(&res.contest)
                .and_then(|m| m.get(candidate))
                .copied()
                .unwrap_or(0);
            assert_eq!(*n, want, "{} {candidate}", res.contest);
        }
    }
}

#[test]
fn a_superseded_ballot_marked_counted_fails() {
    let files = &run().files;
    let (path, n, mut line) = by_credential(files)
        .into_values()
        .find(|ls| ls.len() == 2)
        .unwrap()
        .remove(0);
    line.status = COUNTED.into();
    let (object, reason) = remote_failure(&edit_line(files, &path, n, Some(&line)));
    assert!(object.starts_with(&format!("{path}:{}", n + 1)), "{object}");
    assert!(reason.contains("only the last counts"), "{reason}");
}

#[test]
fn the_counted_ballot_withheld_leaves_the_earlier_one_unmarked() {
    // the voter's last ballot removed: the earlier one is now the last, but not counted
    let files = &run().files;
    let mut both = by_credential(files)
        .into_values()
        .find(|ls| ls.len() == 2)
        .unwrap();
    let (path, n, _) = both.remove(1);
    let earlier = both.remove(0).1;
    let (object, reason) = remote_failure(&edit_line(files, &path, n, None));
    assert_eq!(object, format!("{path}:{earlier}"));
    assert!(reason.contains("is not marked counted"), "{reason}");
}

#[test]
fn a_counted_ballot_withheld_fails_its_station_tally() {
    let files = &run().files;
    let (path, n, line) = single(files);
    let (number, object, _) = first_failure(&edit_line(files, &path, n, None));
    assert_eq!(number, 9);
    assert!(object.contains(&line.ballot.station), "{object}");
}

#[test]
fn a_changed_signature_or_code_or_ballot_fails() {
    let files = &run().files;
    let (path, n, line) = remote_lines(files).remove(0);
    let at = format!("{path}:{n}");
    // one hex digit of the signature
    let mut l = line.clone();
    let flipped = if l.signature.starts_with('0') {
        "1"
    } else {
        "0"
    };
    l.signature.replace_range(0..1, flipped);
    let (object, reason) = remote_failure(&edit_line(files, &path, n, Some(&l)));
    assert!(object.starts_with(&at), "{object}");
    assert!(reason.starts_with("signature:"), "{reason}");
    // the tracking code
    let mut l = line.clone();
    l.code = "00".repeat(32);
    let (_, reason) = remote_failure(&edit_line(files, &path, n, Some(&l)));
    assert!(reason.starts_with("code:"), "{reason}");
    // a selection's ciphertext: the signature no longer covers the ballot
    let mut l = line.clone();
    let s = &mut l.ballot.contests[0].selections;
    let other = s[1].ciphertext.clone();
    s[0].ciphertext = other;
    let (_, reason) = remote_failure(&edit_line(files, &path, n, Some(&l)));
    assert!(reason.starts_with("signature:"), "{reason}");
    // an encoding that is not canonical
    let mut files2 = files.clone();
    let text = String::from_utf8(files2[&path].clone()).unwrap();
    files2.insert(
        path.clone(),
        text.replacen("{\"ballot\"", "{ \"ballot\"", 1).into_bytes(),
    );
    let (object, _) = remote_failure(&with_index(files2).unwrap());
    assert!(object.starts_with(&format!("{path}:1")), "{object}");
}

#[test]
fn a_ballot_moved_to_another_district_fails() {
    let files = &run().files;
    let (path, n, line) = remote_lines(files).remove(0);
    let other = files
        .keys()
        .find(|p| p.ends_with("/remote.jsonl") && **p != path)
        .unwrap()
        .clone();
    let mut moved = edit_line(files, &path, n, None);
    let mut text = String::from_utf8(moved[&other].clone()).unwrap();
    text.insert_str(0, &format!("{}\n", encode(&line)));
    moved.insert(other.clone(), text.into_bytes());
    let moved = with_index(moved).unwrap();
    let (object, reason) = remote_failure(&moved);
    assert!(object.starts_with(&format!("{other}:1")), "{object}");
    assert!(
        reason.contains("not a polling station of this district"),
        "{reason}"
    );
}

#[test]
fn a_credential_missing_from_the_list_fails() {
    let files = &run().files;
    let (path, n, line) = remote_lines(files).remove(0);
    let list = CredentialList::parse(&files["election/credentials.json"]).unwrap();
    let election = list.election();
    let key: [u8; 32] = hex::decode(&line.ballot.credential)
        .unwrap()
        .try_into()
        .unwrap();
    let rest = list
        .iter()
        .filter(|(k, _)| **k != key)
        .map(|(k, r)| (*k, r.clone()))
        .collect();
    let mut files = files.clone();
    files.insert(
        "election/credentials.json".into(),
        CredentialList::new(election, rest).to_bytes(),
    );
    let (object, reason) = remote_failure(&with_index(files).unwrap());
    assert!(object.starts_with(&format!("{path}:{n}")), "{object}");
    assert!(reason.contains("not in the credential list"), "{reason}");
}

#[test]
fn a_list_of_another_election_fails() {
    let mut files = run().files.clone();
    let list = CredentialList::parse(&files["election/credentials.json"]).unwrap();
    let voters = list.iter().map(|(k, r)| (*k, r.clone())).collect();
    files.insert(
        "election/credentials.json".into(),
        CredentialList::new([7; 32], voters).to_bytes(),
    );
    let (object, reason) = remote_failure(&with_index(files).unwrap());
    assert_eq!(object, "election/credentials.json");
    assert!(reason.contains("fingerprint"), "{reason}");
}

#[test]
fn remote_ballots_dropped_from_the_record_fail_the_station_tallies() {
    let mut files = run().files.clone();
    files.retain(|p, _| !p.ends_with("/remote.jsonl") && p != "election/credentials.json");
    let (number, _, _) = first_failure(&with_index(files).unwrap());
    assert_eq!(number, 9);
}

/// The election's ballot context, from the record's ceremony file.
fn context(files: &Files) -> BallotContext {
    let c: serde_json::Value = serde_json::from_slice(&files["ceremony/ceremony.json"]).unwrap();
    let key =
        Element::from_hex("joint key", c["public_key"]["joint_key"].as_str().unwrap()).unwrap();
    BallotContext {
        fingerprint: *election().fingerprint(),
        key: ElectionKey::new(key),
    }
}

#[test]
fn proofs_made_for_another_credential_fail_the_proof_check() {
    // A listed voter signs a ballot whose proofs were made in another credential's context:
    // signature, code, list and style all check, the proofs do not.
    let r = run();
    let files = &r.files;
    let election = election();
    let ctx = context(files);
    let (path, n, line) = single(files);
    let voter = r
        .remote_credentials
        .iter()
        .find(|c| hex::encode(c.public_key()) == line.ballot.credential)
        .unwrap();
    let other =
        VoterCredential::from_seed(voter.election(), voter.registration().clone(), &[9; 32]);
    let mut rng = rand::rng();
    let choices = BTreeMap::new();
    let (_, contests) = cast_remote(&election, &ctx, &other, &choices, &mut rng).unwrap();
    let wires = contests
        .iter()
        .map(sanduq_record::protocol::contest_to_wire)
        .collect();
    let envelope = voter.remote_ballot(wires).unwrap();
    let forged = RemoteLine::from_entry(line.index, &envelope, true).unwrap();
    let (number, object, _) = first_failure(&edit_line(files, &path, n, Some(&forged)));
    assert_eq!(number, 5);
    assert!(
        object.starts_with(&format!("{path}:{n} (remote ballot {})", forged.code)),
        "{object}"
    );
    // made in the voter's own context, the same blank ballot checks everywhere but in the
    // station tally it changes
    let (_, contests) = cast_remote(&election, &ctx, voter, &choices, &mut rng).unwrap();
    let wires = contests
        .iter()
        .map(sanduq_record::protocol::contest_to_wire)
        .collect();
    let envelope = voter.remote_ballot(wires).unwrap();
    let own = RemoteLine::from_entry(line.index, &envelope, true).unwrap();
    let (number, _, _) = first_failure(&edit_line(files, &path, n, Some(&own)));
    assert_eq!(number, 9);
}

#[test]
fn a_replayed_remote_ballot_fails_the_duplicate_check() {
    // The same signed envelope twice, under two log indices: the statuses are consistent
    // (the copy is the last and counted), but the tracking code appears twice.
    let files = &run().files;
    let (path, n, line) = single(files);
    let mut earlier = line.clone();
    earlier.status = SUPERSEDED.into();
    let mut replay = line.clone();
    replay.index = 1_000_000;
    let mut files = edit_line(files, &path, n, Some(&earlier));
    let mut text = String::from_utf8(files[&path].clone()).unwrap();
    text.push_str(&format!("{}\n", encode(&replay)));
    let count = text.lines().count();
    files.insert(path.clone(), text.into_bytes());
    let report = verify(&with_index(files).unwrap());
    let c = report.failures().next().unwrap();
    assert_eq!(c.number, 6, "{:?}", c.failure);
    let f = c.failure.as_ref().unwrap();
    assert_eq!(
        f.object,
        format!("{path}:{count} (remote ballot {})", line.code)
    );
    assert!(f.reason.contains("appears twice"), "{}", f.reason);
}

mod parsers {
    //! Property tests of the remote-ballot line, an input the verifier reads from anyone.
    use proptest::prelude::*;
    use sanduq_record::wire::from_canonical;

    use super::*;

    /// A valid counted line, its encoding, the election and its context and list.
    fn sample() -> &'static (Vec<u8>, RemoteLine, Election, BallotContext, CredentialList) {
        static S: OnceLock<(Vec<u8>, RemoteLine, Election, BallotContext, CredentialList)> =
            OnceLock::new();
        S.get_or_init(|| {
            let files = &run().files;
            let (_, _, line) = remote_lines(files).remove(0);
            let list = CredentialList::parse(&files["election/credentials.json"]).unwrap();
            (
                encode(&line).into_bytes(),
                line,
                election(),
                context(files),
                list,
            )
        })
    }

    fn accepted(bytes: &[u8]) -> Option<RemoteLine> {
        let (_, _, election, ctx, list) = sample();
        let line: RemoteLine = from_canonical("line", bytes).ok()?;
        sanduq_record::remote::decode_line(election, ctx, list, None, &line).ok()?;
        Some(line)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            prop_assert!(accepted(&bytes).is_none());
        }

        /// One byte changed anywhere: refused, or (a digit of the unsigned log index) the
        /// same line at another index.
        #[test]
        fn a_changed_byte_is_refused_unless_it_is_the_log_index(at in any::<prop::sample::Index>(), xor in 1u8..=255) {
            let (bytes, original, ..) = sample();
            let mut b = bytes.clone();
            let i = at.index(b.len());
            b[i] ^= xor;
            if let Some(line) = accepted(&b) {
                let mut same = line.clone();
                same.index = original.index;
                prop_assert_eq!(&same, original);
                prop_assert_ne!(line.index, original.index);
            }
        }
    }
}

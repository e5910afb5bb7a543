//! Publishing a small election's record on a loopback board (three witnesses, quorum 2,
//! the test validator accepting the kinds of the board-entry contract), reading it back and
//! comparing record and log; then the same with entries withheld, added, altered, and an
//! artefact altered on the server's disk.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../../record/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use ed25519_dalek::SigningKey;
use sanduq_board::client::Client;
use sanduq_board::credentials::{CredentialList, Registration, VoterCredential};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::net::Background;
use sanduq_board::publication::{
    self, CheckedLog, HttpArtefacts, HttpTiles, KINDS, Posted, PublicationError, Signed,
};
use sanduq_board::router;
use sanduq_board::server::{Board, ServerConfig, WitnessEndpoint};
use sanduq_board::validator::TestValidator;
use sanduq_election::Manifest;
use sanduq_election::demo::DemoParams;
use sanduq_record::hierarchy::{Hierarchy, Level};
use sanduq_record::record::{districts_with_stations, location_of};
use sanduq_record::remote::{RemoteLine, lines_from_entries, to_jsonl};
use sanduq_record::store::{Files, index_of};
use sanduq_record::wire::ContestWire;
use sanduq_record::{ElectionRun, verify};

use common::{WitnessServer, fast_limits, log_signer, log_verifier, policy, start_witness};

/// The demo manifest with K = 2 and every contest cut to at most 3 seats and seats + 2
/// candidates (the presidential contest keeps its 14), for speed.
fn small_manifest() -> Manifest {
    support::small_manifest(&DemoParams {
        voters: 150,
        privacy_threshold: 2,
        kuchi_permille: 60,
        hindu_sikh_per_million: 10_000,
        seed: 7,
        ..DemoParams::default()
    })
}

fn run() -> &'static ElectionRun {
    static RUN: OnceLock<ElectionRun> = OnceLock::new();
    RUN.get_or_init(|| support::run_small(small_manifest(), b"publication test", 1))
}

fn files() -> &'static Files {
    &run().files
}

fn admin() -> SigningKey {
    SigningKey::from_bytes(&[0xad; 32])
}

/// The election fingerprint, read from the record's parameters file.
fn election() -> Fingerprint {
    let v: serde_json::Value =
        serde_json::from_slice(&files()["election/parameters.json"]).unwrap();
    Fingerprint::from_hex(v["fingerprint"].as_str().unwrap()).unwrap()
}

/// A board for the record's election on loopback, with three witnesses (quorum 2).
struct Loopback {
    _witnesses: Vec<WitnessServer>,
    server: Option<Background>,
    board: Option<Board>,
    dir: tempfile::TempDir,
    url: String,
}

impl Drop for Loopback {
    fn drop(&mut self) {
        drop(self.server.take());
        drop(self.board.take());
    }
}

impl Loopback {
    fn start() -> Self {
        let witnesses: Vec<WitnessServer> = (0..3).map(start_witness).collect();
        let dir = tempfile::tempdir().unwrap();
        let config = ServerConfig {
            data_dir: dir.path().join("board"),
            log_signer: log_signer(),
            election: election(),
            witnesses: witnesses
                .iter()
                .enumerate()
                .map(|(i, w)| WitnessEndpoint {
                    url: w.bg.url(),
                    key: common::witness_verifier(i),
                })
                .collect(),
            quorum: 2,
            limits: fast_limits(),
        };
        let board = Board::start(config, Arc::new(TestValidator::new(KINDS))).unwrap();
        let server =
            Background::start("127.0.0.1:0".parse().unwrap(), router::router(&board), 2).unwrap();
        let url = server.url();
        Self {
            _witnesses: witnesses,
            server: Some(server),
            board: Some(board),
            dir,
            url,
        }
    }

    fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// Posts entries; returns the largest index.
    fn post_all<'a>(&self, entries: impl IntoIterator<Item = &'a Signed>) -> u64 {
        let c = self.client();
        let mut last = 0;
        for s in entries {
            match publication::post(&c, s).unwrap() {
                Posted::New(i) => last = last.max(i),
                other => panic!("{}: {other:?}", s.origin),
            }
        }
        last
    }

    /// Reads the whole log once a checkpoint covers `size` entries.
    fn read(&self, size: u64) -> CheckedLog {
        common::wait_published(&self.client(), size);
        publication::read_log(
            &HttpTiles(self.client()),
            &log_verifier(),
            Some(&policy(2)),
            now(),
        )
        .unwrap()
    }

    fn artefacts(&self) -> HttpArtefacts {
        HttpArtefacts(self.client())
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn signed() -> Vec<Signed> {
    let plan = publication::plan(files()).unwrap();
    publication::sign_plan(&plan, &admin()).unwrap()
}

/// Every ballot line of the record, as (file, line number, code), read directly.
fn record_ballots() -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for (path, bytes) in files() {
        if !path.ends_with("/ballots.jsonl") {
            continue;
        }
        for (i, line) in String::from_utf8(bytes.clone())
            .unwrap()
            .lines()
            .enumerate()
        {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            out.push((path.clone(), i + 1, v["code"].as_str().unwrap().to_owned()));
        }
    }
    out
}

#[test]
fn the_plan_is_ballots_then_files_then_the_index() {
    let s = signed();
    let ballots = record_ballots();
    assert!(ballots.len() >= 136, "{} ballots", ballots.len());
    // Every non-ballot file is distinct here, so: one entry per ballot line, one per other
    // file but the index, then the index.
    let others = files()
        .keys()
        .filter(|p| !p.ends_with("/ballots.jsonl") && p.as_str() != "index.json")
        .count();
    assert_eq!(s.len(), ballots.len() + others + 1);
    let kinds: Vec<&str> = s.iter().map(|e| e.envelope.kind()).collect();
    assert!(kinds[..ballots.len()].iter().all(|k| *k == "ballot"));
    assert!(
        kinds[ballots.len()..s.len() - 1]
            .iter()
            .all(|k| *k == "record-file")
    );
    assert_eq!(kinds[s.len() - 1], "record-index");
    assert_eq!(
        s[s.len() - 1].envelope.content_hash(),
        sanduq_record::store::sha256(&files()["index.json"])
    );
    // The first ballot entry is line 1 of the first ballot file, without its newline.
    let (path, _, _) = &ballots[0];
    let first_line = files()[path].split(|b| *b == b'\n').next().unwrap();
    assert_eq!(s[0].envelope.body(), Some(first_line));
    // Signing is deterministic: a second signing gives the same envelopes.
    let again = signed();
    assert!(s.iter().zip(&again).all(|(a, b)| a.envelope == b.envelope));
    // Large files travel beside the log.
    assert!(
        s.iter().any(|e| e.beside.is_some()),
        "no artefact beside the log"
    );
}

#[test]
fn publish_then_fetch_gives_the_same_record() {
    let net = Loopback::start();
    let s = signed();
    let last = net.post_all(&s);
    assert_eq!(last + 1, s.len() as u64);
    // Publishing again posts nothing new: every envelope is already in the log.
    for e in s.iter().step_by(17) {
        assert!(matches!(
            publication::post(&net.client(), e).unwrap(),
            Posted::Already(_)
        ));
    }
    let log = net.read(s.len() as u64);
    assert_eq!(log.entries.len(), s.len());
    let rebuilt = publication::rebuild(
        &log.entries,
        &net.artefacts(),
        &[admin().verifying_key().to_bytes()],
    )
    .unwrap();
    assert_eq!(rebuilt.index_entry, last);
    assert_eq!(rebuilt.election, election());
    assert_eq!(
        &rebuilt.files,
        files(),
        "rebuilt record differs from the original"
    );
    assert!(verify(&rebuilt.files).passed());
    let cross = publication::cross_check(&rebuilt.files, &log.entries, &net.artefacts()).unwrap();
    assert!(cross.passed(), "{:?}", cross.findings());
    assert_eq!(cross.record_ballots, record_ballots().len());
    assert_eq!(cross.log_ballots, record_ballots().len());

    // Entries signed by a key that is not the administrator's are refused.
    let other = [[0x11; 32]];
    assert!(matches!(
        publication::rebuild(&log.entries, &net.artefacts(), &other),
        Err(PublicationError::Unauthorised { .. })
    ));

    // An artefact altered on the board's disk is refused, naming the log entry.
    let (pos, beside) = s
        .iter()
        .enumerate()
        .find(|(_, e)| e.beside.is_some())
        .unwrap();
    let hash: String = beside
        .envelope
        .content_hash()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored = net.dir.path().join("board/artefacts").join(&hash);
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&stored, &bytes).unwrap();
    match publication::rebuild(&log.entries, &net.artefacts(), &[]) {
        Err(PublicationError::TamperedArtefact { index, hash: h, .. }) => {
            assert_eq!(index, pos as u64);
            assert_eq!(h, hash);
        }
        other => panic!("tampered artefact accepted: {other:?}"),
    }
}

#[test]
fn withheld_and_added_ballots_are_named() {
    let net = Loopback::start();
    let s = signed();
    let ballots = record_ballots();
    // Withhold the first ballot of a device that has a second one: the second ballot's
    // prev_code names it.
    let lines: Vec<serde_json::Value> = s
        .iter()
        .take(ballots.len())
        .map(|e| serde_json::from_slice(e.envelope.body().unwrap()).unwrap())
        .collect();
    let withheld = (0..lines.len() - 1)
        .find(|&i| {
            lines[i]["ballot"]["seq"] == 1
                && lines[i + 1]["ballot"]["device"] == lines[i]["ballot"]["device"]
        })
        .unwrap();
    let (w_path, w_line, w_code) = ballots[withheld].clone();
    // An extra ballot: the record's last line with another confirmation code (in another
    // ballot file than the withheld one, which comes first in path order).
    assert_ne!(ballots[ballots.len() - 1].0, w_path);
    let mut forged = lines[lines.len() - 1].clone();
    let forged_code = "ab".repeat(32);
    forged["code"] = serde_json::Value::String(forged_code.clone());
    let forged_bytes = sanduq_election::canonical::to_canonical_json(&forged).unwrap();
    let extra = Envelope::sign("ballot", election(), &forged_bytes, true, &admin()).unwrap();

    net.post_all(
        s.iter()
            .enumerate()
            .filter(|(i, _)| *i != withheld)
            .map(|(_, e)| e),
    );
    let a = net.client().submit(extra.as_bytes()).unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    let extra_index = common::json_field(&a, "index").as_u64().unwrap();
    let log = net.read(s.len() as u64);

    let cross = publication::cross_check(files(), &log.entries, &net.artefacts()).unwrap();
    assert!(!cross.passed());
    assert_eq!(cross.missing.len(), 1);
    assert_eq!(cross.missing[0].code, w_code);
    assert_eq!(cross.missing[0].path, w_path);
    assert_eq!(cross.missing[0].line, w_line);
    assert_eq!(cross.extra.len(), 1);
    assert_eq!(cross.extra[0].code.as_deref(), Some(forged_code.as_str()));
    assert_eq!(cross.extra[0].entry, extra_index);

    // The record cannot be rebuilt from this log: the ballot file is named, with the
    // withheld ballot's code.
    match publication::rebuild(&log.entries, &net.artefacts(), &[]) {
        Err(PublicationError::FileNotRebuilt { path, reason, .. }) => {
            assert_eq!(path, w_path);
            assert!(reason.contains(&w_code), "{reason}");
        }
        other => panic!("rebuilt without a ballot: {other:?}"),
    }
}

#[test]
fn a_record_file_with_other_bytes_than_the_index_is_refused() {
    let net = Loopback::start();
    let mut plan = publication::plan(files()).unwrap();
    let altered = plan
        .entries
        .iter_mut()
        .find(|p| {
            p.origin
                == publication::Origin::File {
                    path: "results/results.json".into(),
                }
        })
        .unwrap();
    altered.artefact.push(b' ');
    let s = publication::sign_plan(&plan, &admin()).unwrap();
    net.post_all(&s);
    let log = net.read(s.len() as u64);
    match publication::rebuild(&log.entries, &net.artefacts(), &[]) {
        Err(PublicationError::FileNotRebuilt { path, .. }) => {
            assert_eq!(path, "results/results.json");
        }
        other => panic!("altered file accepted: {other:?}"),
    }
}

#[test]
fn artefacts_are_checked_against_their_envelope() {
    // An artefact source that serves other bytes for a stored-beside entry.
    let s = signed();
    let (pos, e) = s
        .iter()
        .enumerate()
        .find(|(_, e)| e.beside.is_some())
        .unwrap();
    let entry = publication::LogEntry {
        index: pos as u64,
        envelope: e.envelope.clone(),
    };
    let mut served: BTreeMap<[u8; 32], Vec<u8>> = BTreeMap::new();
    served.insert(e.envelope.content_hash(), e.beside.clone().unwrap());
    assert_eq!(
        publication::content(&entry, &served).unwrap(),
        *e.beside.as_ref().unwrap()
    );
    served.get_mut(&e.envelope.content_hash()).unwrap().pop();
    assert!(matches!(
        publication::content(&entry, &served),
        Err(PublicationError::TamperedArtefact { index, .. }) if index == pos as u64
    ));
    served.clear();
    assert!(matches!(
        publication::content(&entry, &served),
        Err(PublicationError::MissingArtefact { .. })
    ));
}

/// A voter credential of the record's election registered at `station` (no group).
fn credential(seed: u8, station: &str) -> VoterCredential {
    VoterCredential::from_seed(
        election().0,
        Registration {
            station: station.to_owned(),
            group: None,
        },
        &[seed; 32],
    )
}

/// Two polling stations of the record's election in two different districts, with the
/// hierarchy that places them.
fn two_stations() -> (Hierarchy, String, String) {
    let h = Hierarchy::from_manifest(&small_manifest()).unwrap();
    let stations: Vec<&str> = h
        .units()
        .values()
        .filter(|u| u.level == Level::Station)
        .map(|u| u.id.as_str())
        .collect();
    let a = stations[0];
    let b = stations
        .iter()
        .find(|s| location_of(&h, s) != location_of(&h, a))
        .unwrap();
    (h.clone(), a.to_owned(), (*b).to_owned())
}

/// The record's files with remote ballots: the credential list and, in every district
/// folder, the `remote.jsonl` of the given log entries whose station lies there.
fn with_remote(h: &Hierarchy, list: &CredentialList, log: &[(u64, Envelope)]) -> Files {
    let mut files = files().clone();
    files.insert("election/credentials.json".into(), list.to_bytes());
    let lines = lines_from_entries(log.iter().cloned()).unwrap();
    for loc in districts_with_stations(h) {
        let mine: Vec<RemoteLine> = lines
            .iter()
            .filter(|l| location_of(h, &l.ballot.station).as_ref() == Some(&loc))
            .cloned()
            .collect();
        files.insert(loc.file("remote.jsonl"), to_jsonl(&mine).unwrap());
    }
    files.insert("index.json".into(), index_of(&files).unwrap());
    files
}

/// A remote ballot of `v`; `n` makes each ballot of a voter distinct (the test validator
/// does not read the contests).
fn remote_ballot(v: &VoterCredential, n: u8) -> Envelope {
    v.remote_ballot(vec![ContestWire {
        contest: format!("c{n}"),
        selections: Vec::new(),
        limit_proof: Vec::new(),
    }])
    .unwrap()
}

#[test]
fn remote_ballots_are_published_rebuilt_and_cross_checked() {
    let (h, station_a, station_b) = two_stations();
    let v1 = credential(0x51, &station_a);
    let v2 = credential(0x52, &station_b);
    let list = CredentialList::new(
        election().0,
        [&v1, &v2]
            .iter()
            .map(|v| (v.public_key(), v.registration().clone()))
            .collect(),
    );
    // The remote ballots come first in the log: v1, v2, v1 again (entries 0, 1, 2).
    let net = Loopback::start();
    let c = net.client();
    let mut log: Vec<(u64, Envelope)> = Vec::new();
    for (n, v) in [&v1, &v2, &v1].into_iter().enumerate() {
        let e = remote_ballot(v, n as u8);
        let a = c.submit(e.as_bytes()).unwrap();
        assert_eq!(a.status, 201, "{}", a.text());
        log.push((common::json_field(&a, "index").as_u64().unwrap(), e));
    }
    assert_eq!(
        log.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let code = |i: usize| log[i].1.tracking_code().to_string();
    let record = with_remote(&h, &list, &log);
    let dir_a = location_of(&h, &station_a).unwrap();
    let dir_b = location_of(&h, &station_b).unwrap();
    let file_a = dir_a.file("remote.jsonl");
    let file_b = dir_b.file("remote.jsonl");
    // By hand: district A holds v1's two ballots, the first superseded by the second;
    // district B v2's only one, counted; every other district an empty file.
    let text_a = String::from_utf8(record[&file_a].clone()).unwrap();
    let statuses: Vec<(u64, String)> = text_a
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["index"].as_u64().unwrap(),
                v["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![(0, "superseded".to_owned()), (2, "counted".to_owned())]
    );
    assert_eq!(
        String::from_utf8(record[&file_b].clone())
            .unwrap()
            .lines()
            .count(),
        1
    );
    let remote_files = record
        .keys()
        .filter(|p| p.ends_with("/remote.jsonl"))
        .count();
    assert_eq!(remote_files, districts_with_stations(&h).len());

    // The plan publishes the credential list as a record file, no remote.jsonl.
    let plan = publication::plan(&record).unwrap();
    assert!(plan.entries.iter().all(|p| !matches!(
        &p.origin,
        publication::Origin::File { path } if path.ends_with("remote.jsonl")
    )));
    assert!(plan.entries.iter().any(|p| p.kind == "record-file"
        && p.origin
            == publication::Origin::File {
                path: "election/credentials.json".into()
            }));
    // The credential authority's list is in the log already: posted again as a record file
    // it is a replay (409), and the record is rebuilt with the list from that entry.
    let authority = SigningKey::from_bytes(&[0xa7; 32]);
    let list_entry = Envelope::sign(
        "credentials",
        election(),
        &list.to_bytes(),
        true,
        &authority,
    )
    .unwrap();
    let a = c.submit(list_entry.as_bytes()).unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    let s = publication::sign_plan(&plan, &admin()).unwrap();
    let mut last = 0;
    for e in &s {
        match publication::post(&c, e).unwrap() {
            Posted::New(i) => last = last.max(i),
            Posted::Duplicate
                if e.origin
                    == (publication::Origin::File {
                        path: "election/credentials.json".into(),
                    }) => {}
            other => panic!("{}: {other:?}", e.origin),
        }
    }
    let log_now = net.read(last + 1);
    assert!(
        !log_now
            .entries
            .iter()
            .any(|e| e.envelope.kind() == "record-file"
                && e.envelope.content_hash() == list_entry.content_hash())
    );
    let admins = [admin().verifying_key().to_bytes()];
    let rebuilt = publication::rebuild(&log_now.entries, &net.artefacts(), &admins).unwrap();
    assert_eq!(
        rebuilt.files, record,
        "rebuilt record differs from the original"
    );
    let cross =
        publication::cross_check(&rebuilt.files, &log_now.entries, &net.artefacts()).unwrap();
    assert!(cross.passed(), "{:?}", cross.findings());
    assert_eq!((cross.record_remote, cross.remote_ballots), (3, 3));

    // A remote ballot posted after the record: v2 votes again. The record cannot be rebuilt
    // (district B's file is named with the new ballot's code), and the cross-check reports
    // it as in the log, not in the record.
    let late = remote_ballot(&v2, 3);
    let a = c.submit(late.as_bytes()).unwrap();
    assert_eq!(a.status, 201, "{}", a.text());
    let late_index = common::json_field(&a, "index").as_u64().unwrap();
    let late_code = late.tracking_code().to_string();
    let log_late = net.read(late_index + 1);
    match publication::rebuild(&log_late.entries, &net.artefacts(), &admins) {
        Err(PublicationError::FileNotRebuilt { path, reason, .. }) => {
            assert_eq!(path, file_b);
            assert!(
                reason.contains(&format!(
                    "remote ballot {late_code} (log entry {late_index}) is in the log, not in the file"
                )),
                "{reason}"
            );
        }
        other => panic!("rebuilt with a remote ballot the record lacks: {other:?}"),
    }
    let cross = publication::cross_check(&record, &log_late.entries, &net.artefacts()).unwrap();
    assert!(!cross.passed());
    assert!(cross.remote_missing.is_empty());
    assert_eq!(cross.remote_extra.len(), 1);
    assert_eq!(cross.remote_extra[0].code, late_code);
    assert_eq!(cross.remote_extra[0].entry, late_index);
    assert!(
        cross
            .findings()
            .iter()
            .any(|f| f.contains(&late_code) && f.contains("in the log, not in the record")),
        "{:?}",
        cross.findings()
    );

    // A record whose remote lines name a ballot the log does not hold: v2's ballot moved to
    // another log index. The line is reported with its file and line, and the log's entry 1
    // as in the log and not in the record.
    let mut forged = record.clone();
    let line_b = String::from_utf8(record[&file_b].clone()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(line_b.trim_end()).unwrap();
    v["index"] = serde_json::json!(99);
    let mut bytes = sanduq_election::canonical::to_canonical_json(&v).unwrap();
    bytes.push(b'\n');
    forged.insert(file_b.clone(), bytes);
    let cross = publication::cross_check(&forged, &log_now.entries, &net.artefacts()).unwrap();
    assert!(!cross.passed());
    assert_eq!(cross.remote_missing.len(), 1);
    let m = &cross.remote_missing[0];
    assert_eq!((m.code.as_str(), m.entry), (code(1).as_str(), 99));
    assert_eq!((m.path.as_str(), m.line), (file_b.as_str(), 1));
    assert_eq!(cross.remote_extra.len(), 1);
    assert_eq!(
        (
            cross.remote_extra[0].code.clone(),
            cross.remote_extra[0].entry
        ),
        (code(1), 1)
    );
    assert!(cross.missing.is_empty() && cross.extra.is_empty());
}

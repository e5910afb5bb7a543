//! Remote voting end to end through the real `sanduq` binary: `election new`, a key ceremony
//! of three trustees, `credentials issue`, `serve --validator election`, `credentials
//! publish`, remote ballots posted by four voters (one of them twice, one of them Kuchi),
//! ballots of two polling-station devices, `fetch-remote`, `tally --remote`, `decrypt share`
//! twice, `decrypt combine --remote`, `verify`, `publish` and `verify --board`; then a remote
//! ballot posted after the record, a tampered `remote.jsonl`, and `decrypt combine` without
//! `--remote`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{ok, run, spawn, stderr};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use sanduq_board::client::Client;
use sanduq_board::credentials::VoterCredential;
use sanduq_board::envelope::Envelope;
use sanduq_crypto::{BallotContext, ElectionKey};
use sanduq_election::Manifest;
use sanduq_record::Quiet;
use sanduq_record::protocol::Election;
use sanduq_record::run::Voter;
use sanduq_record::steps::run_device;
use sanduq_trustee::dkg::PublicKeyPackage;
use sanduq_trustee::wire::Message as _;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../election/tests/data/example.toml"
);

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// The worked-example manifest with K = 2, set up for 3 trustees (threshold 2).
fn election_new(root: &Path) -> PathBuf {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let small = text.replacen("privacy_threshold = 10", "privacy_threshold = 2", 1);
    assert_ne!(small, text);
    let manifest = root.join("manifest.toml");
    std::fs::write(&manifest, small).unwrap();
    let dir = root.join("election");
    ok(&run(&[
        "election",
        "new",
        "--manifest",
        s(&manifest),
        "--out",
        s(&dir),
        "--trustees",
        "3",
        "--threshold",
        "2",
        "--min-provinces",
        "2",
    ]));
    dir
}

/// The key ceremony of the three trustees, all sharing one board folder; returns each
/// trustee's (index, secret file, passphrase file).
fn ceremony(root: &Path, election: &Path, board: &Path) -> Vec<(u32, PathBuf, PathBuf)> {
    std::fs::create_dir_all(board).unwrap();
    let ts: Vec<(u32, PathBuf, PathBuf)> = (1..=3)
        .map(|i| {
            let pass = root.join(format!("pass-{i}.txt"));
            std::fs::write(&pass, format!("correct horse battery staple {i}\n")).unwrap();
            (i, root.join(format!("secret-{i}.json")), pass)
        })
        .collect();
    for step in ["register", "round1", "round2", "round3", "finish"] {
        for (i, secret, pass) in &ts {
            ok(&run(&[
                "ceremony",
                step,
                "--election",
                s(election),
                "--trustee",
                &i.to_string(),
                "--board",
                s(board),
                "--secret",
                s(secret),
                "--passphrase-file",
                s(pass),
            ]));
        }
    }
    ts
}

/// The size of the board's latest checkpoint.
fn checkpoint_size(url: &str) -> u64 {
    let a = Client::new(url).get("checkpoint").unwrap();
    String::from_utf8_lossy(&a.body)
        .lines()
        .nth(1)
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(0)
}

/// Waits until a checkpoint covers `size` entries.
fn wait_size(url: &str, size: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while checkpoint_size(url) < size {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint of size {size}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The election and its ballot context, from the set-up folder and the ceremony's
/// `public-key.json`, as a voter's device has them.
fn context(election: &Path, board: &Path) -> (Election, BallotContext) {
    let text = std::fs::read_to_string(election.join("manifest.toml")).unwrap();
    let manifest = Manifest::parse(&text).unwrap();
    let election =
        Election::setup(manifest, sanduq_crypto::params::DEFAULT_GENERATOR_SEED).unwrap();
    let key = std::fs::read_to_string(board.join("public-key.json")).unwrap();
    let package = PublicKeyPackage::from_json(&key).unwrap();
    let ctx = BallotContext {
        fingerprint: *election.fingerprint(),
        key: ElectionKey::new(package.joint_key),
    };
    (election, ctx)
}

/// A remote ballot of these choices, encrypted with proofs in the credential's context and
/// signed by the credential.
fn remote_ballot(
    election: &Election,
    ctx: &BallotContext,
    cred: &VoterCredential,
    choices: &[(&str, &str)],
    seed: u8,
) -> Envelope {
    let voter = Voter {
        station: cred.registration().station.clone(),
        group: cred.registration().group.clone(),
        choices: choices
            .iter()
            .map(|(c, k)| ((*c).to_owned(), vec![(*k).to_owned()]))
            .collect(),
        challenge_first: false,
    };
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    let run = run_device(
        election,
        &cred.ballot_context(ctx),
        "remote",
        &voter.station,
        &[&voter],
        &mut rng,
        &Quiet,
    )
    .unwrap();
    cred.remote_ballot(run.lines[0].ballot.contests.clone())
        .unwrap()
}

/// Device A at the Bāmyān men's station (general and Kuchi voters).
const PLAINTEXT_A: &str = r#"{"contests":{"president":["c0001"],"wj-af-bam":["c0002"]}}
{"contests":{"president":["c0001"],"wj-af-bam":["c0001"]}}
{"group":"kuchi","contests":{"president":["c0003"],"wj-kuchi":["c0001"]}}
"#;

/// Device B at the Kābul men's station.
const PLAINTEXT_B: &str = r#"{"contests":{"president":["c0002"],"wj-af-kab":["c0003"]}}
{"contests":{"president":["c0002"],"wj-af-kab":["c0001"]}}
"#;

/// The voters file: voter N is line N (credential `secret/voter-00000N.json`).
const VOTERS: &str =
    "af-bam-d01-c001-m1\naf-bam-d01-c001-m1,kuchi\naf-kab-d01-c001-m1\naf-kab-d01-c001-w1\n";

/// The remote ballots in posting order: (voter, choices). Voter 1 votes twice; only the
/// second counts. Voter 4 does not vote.
const REMOTE: [(usize, &[(&str, &str)]); 4] = [
    (1, &[("president", "c0003"), ("wj-af-bam", "c0003")]),
    (2, &[("president", "c0002"), ("wj-kuchi", "c0002")]),
    (3, &[("president", "c0003"), ("wj-af-kab", "c0002")]),
    (1, &[("president", "c0002"), ("wj-af-bam", "c0001")]),
];

/// Votes per (contest, candidate): the device plaintexts and, of the remote ballots, only
/// the last of each voter.
fn expected_counts() -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for text in [PLAINTEXT_A, PLAINTEXT_B] {
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for (contest, marks) in v["contests"].as_object().unwrap() {
                for m in marks.as_array().unwrap() {
                    *out.entry((contest.clone(), m.as_str().unwrap().to_owned()))
                        .or_insert(0) += 1;
                }
            }
        }
    }
    let mut last: BTreeMap<usize, &[(&str, &str)]> = BTreeMap::new();
    for (voter, choices) in REMOTE {
        last.insert(voter, choices);
    }
    for choices in last.values() {
        for (c, k) in *choices {
            *out.entry(((*c).to_owned(), (*k).to_owned())).or_insert(0) += 1;
        }
    }
    out
}

/// An election with its 3-trustee ceremony, and the keys of the log, a witness, an
/// administrator and the credential authority, in a temporary folder.
struct Setup {
    _root: tempfile::TempDir,
    d: PathBuf,
    election: PathBuf,
    board: PathBuf,
    ts: Vec<(u32, PathBuf, PathBuf)>,
    el: Election,
    ctx: BallotContext,
    fingerprint: String,
    log_vkey: String,
    admin_vkey: String,
    authority_vkey: String,
    wkey: String,
}

fn setup() -> Setup {
    let root = tempfile::tempdir().unwrap();
    let d = root.path().to_path_buf();
    let election = election_new(&d);
    let board = d.join("ceremony");
    let ts = ceremony(&d, &election, &board);
    let (el, ctx) = context(&election, &board);
    let fingerprint = sanduq_crypto::group::to_hex(el.fingerprint().as_bytes());
    let log_vkey = common::keygen(&d, "--log", "board.example/remote-test", "log.key");
    let admin_vkey = common::keygen(&d, "--log", "admin.example/publisher", "admin.key");
    let authority_vkey = common::keygen(
        &d,
        "--log",
        "authority.example/credentials",
        "authority.key",
    );
    let wkey = common::keygen(&d, "--witness", "witness-0.example/sanduq", "w0.key");
    Setup {
        _root: root,
        d,
        election,
        board,
        ts,
        el,
        ctx,
        fingerprint,
        log_vkey,
        admin_vkey,
        authority_vkey,
        wkey,
    }
}

/// `sanduq credentials issue` with the authority key in `d`, for the voters file `voters`:
/// the folder written.
fn issue(d: &Path, election: &Path, voters: &Path) -> PathBuf {
    let creds = d.join("credentials");
    ok(&run(&[
        "credentials",
        "issue",
        "--election",
        s(election),
        "--authority-key",
        s(&d.join("authority.key")),
        "--voters",
        s(voters),
        "--out",
        s(&creds),
    ]));
    creds
}

/// `sanduq credentials close` with the administrator key in `d`, on the board at `url`.
fn close(d: &Path, election: &Path, url: &str) -> Output {
    run(&[
        "credentials",
        "close",
        "--election",
        s(election),
        "--key",
        s(&d.join("admin.key")),
        "--board",
        url,
    ])
}

/// The board of `x`, judging every entry against the election, with one witness: the
/// witness, the server and its URL.
fn start_board(x: &Setup) -> (common::Proc, common::Proc, String) {
    let (witness, cfg) = common::witness_and_config(&x.d, &x.fingerprint, &x.log_vkey, &x.wkey);
    let (server, url) = spawn(&[
        "serve",
        "--validator",
        "election",
        "--config",
        s(&cfg),
        "--election",
        s(&x.election),
        "--board",
        s(&x.board),
        "--admin-key",
        &x.admin_vkey,
        "--authority-key",
        &x.authority_vkey,
    ]);
    (witness, server, url)
}

#[test]
fn remote_ballots_are_counted_published_and_verified() {
    let x = setup();
    let Setup {
        d,
        election,
        board,
        ts,
        el,
        ctx,
        log_vkey,
        admin_vkey,
        authority_vkey,
        wkey,
        ..
    } = &x;
    let (d, election, board) = (d.as_path(), election.as_path(), board.as_path());
    let other_vkey = common::keygen(d, "--log", "other.example/credentials", "other.key");

    // Credentials for the four voters of the voters file.
    let voters = d.join("voters.txt");
    std::fs::write(&voters, VOTERS).unwrap();
    let creds = issue(d, election, &voters);
    let cred = |n: usize| {
        let bytes = std::fs::read(creds.join(format!("secret/voter-{n:06}.json"))).unwrap();
        VoterCredential::parse(&bytes).unwrap()
    };
    assert_eq!(cred(2).registration().group.as_deref(), Some("kuchi"));

    // The board, judging every entry against the election.
    let (_witness, _server, url) = start_board(&x);
    let log_args = [
        "--log-key",
        log_vkey.as_str(),
        "--witness-key",
        wkey.as_str(),
    ];

    ok(&run(&[
        "credentials",
        "publish",
        "--entry",
        s(&creds.join("credentials.entry")),
        "--board",
        &url,
    ]));

    // The remote ballots, posted as a voter's booth posts them.
    let client = Client::new(&url);
    let mut codes = Vec::new();
    for (n, (voter, choices)) in REMOTE.iter().enumerate() {
        let e = remote_ballot(el, ctx, &cred(*voter), choices, n as u8 + 1);
        let a = client.submit(e.as_bytes()).unwrap();
        assert_eq!(a.status, 201, "remote ballot {n}: {}", a.text());
        codes.push(e.tracking_code().to_string());
    }
    wait_size(&url, 1 + REMOTE.len() as u64);

    // Two polling-station devices.
    let (pa, pb) = (d.join("a.jsonl"), d.join("b.jsonl"));
    std::fs::write(&pa, PLAINTEXT_A).unwrap();
    std::fs::write(&pb, PLAINTEXT_B).unwrap();
    let (da, db) = (d.join("device-a.json"), d.join("device-b.json"));
    for (device, station, plain, out) in [
        ("bam-m1-d1", "af-bam-d01-c001-m1", &pa, &da),
        ("kab-m1-d1", "af-kab-d01-c001-m1", &pb, &db),
    ] {
        ok(&common::encrypt(
            election, board, device, station, plain, out,
        ));
    }

    // The list signed by another key than the one given: exit 1.
    let o = run(&[
        &[
            "fetch-remote",
            "--board",
            &url,
            "--authority-key",
            &other_vkey,
            "--out",
        ][..],
        &[s(&d.join("other"))],
        &log_args,
    ]
    .concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not by the authority key"),
        "{}",
        stderr(&o)
    );

    // Before remote voting is closed, the remote ballots are not final: exit 1.
    let open = run(&[
        &[
            "fetch-remote",
            "--board",
            &url,
            "--authority-key",
            authority_vkey,
            "--out",
        ][..],
        &[s(&d.join("early"))],
        &log_args,
    ]
    .concat());
    assert_eq!(open.status.code(), Some(1), "{}", stderr(&open));
    assert!(stderr(&open).contains("not closed"), "{}", stderr(&open));
    // An administrator closes it.
    let close = || close(d, election, &url);
    ok(&close());
    wait_size(&url, 2 + REMOTE.len() as u64);

    // fetch-remote: the list verbatim and the four remote ballots, three of them counted.
    let remote = d.join("remote");
    let fetch = || {
        run(&[
            &[
                "fetch-remote",
                "--json",
                "--board",
                &url,
                "--authority-key",
                authority_vkey,
                "--out",
            ][..],
            &[s(&remote)],
            &log_args,
        ]
        .concat())
    };
    let o = fetch();
    ok(&o);
    let v = json(&o);
    assert_eq!(v["remote_ballots"], 4);
    assert_eq!(v["counted"], 3);
    assert_eq!(
        std::fs::read(remote.join("credentials.json")).unwrap(),
        std::fs::read(creds.join("credentials.json")).unwrap()
    );
    let jsonl = std::fs::read_to_string(remote.join("remote.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["code"].as_str().unwrap(), l["status"].as_str().unwrap()))
        .collect();
    // Log order; voter 1's first ballot superseded by its second.
    assert_eq!(
        got,
        vec![
            (codes[0].as_str(), "superseded"),
            (codes[1].as_str(), "counted"),
            (codes[2].as_str(), "counted"),
            (codes[3].as_str(), "counted"),
        ]
    );
    // Run again into the same folder: refused (exit 2), nothing overwritten.
    let o = fetch();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to overwrite"),
        "{}",
        stderr(&o)
    );

    // The tally with the remote ballots.
    let tally = d.join("tally.json");
    let tally_cmd = |remote: &Path, out: &Path| {
        run(&[
            "tally",
            "--json",
            "--election",
            s(election),
            "--board",
            s(board),
            "--remote",
            s(remote),
            "--out",
            s(out),
            "--ballots",
            s(&da),
            s(&db),
        ])
    };
    let o = tally_cmd(&remote, &tally);
    ok(&o);
    let v = json(&o);
    assert_eq!(v["cast"], 5);
    assert_eq!(v["remote"], 4);
    assert_eq!(v["remote_counted"], 3);

    // Tampered remote ballots are refused (exit 1), naming file:line.
    let tampered = |name: &str, text: String| {
        let dir = d.join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::copy(
            remote.join("credentials.json"),
            dir.join("credentials.json"),
        )
        .unwrap();
        std::fs::write(dir.join("remote.jsonl"), text).unwrap();
        let o = tally_cmd(&dir, &d.join(format!("{name}.json")));
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(!d.join(format!("{name}.json")).exists());
        stderr(&o)
    };
    let raw: Vec<&str> = jsonl.lines().collect();
    // Voter 1's first ballot marked counted: its second (line 4) then follows a counted one.
    let flipped = raw[0].replace("\"status\":\"superseded\"", "\"status\":\"counted\"");
    assert_ne!(flipped, raw[0]);
    let e = tampered(
        "flipped",
        format!("{flipped}\n{}\n{}\n{}\n", raw[1], raw[2], raw[3]),
    );
    assert!(e.contains("remote.jsonl:4"), "{e}");
    assert!(e.contains("status"), "{e}");
    // A signature byte changed on line 2.
    let at = raw[1].find("\"signature\":\"").unwrap() + 13 + 10;
    let mut sig = raw[1].to_owned().into_bytes();
    sig[at] = if sig[at] == b'0' { b'1' } else { b'0' };
    let sig = String::from_utf8(sig).unwrap();
    let e = tampered(
        "signature",
        format!("{}\n{sig}\n{}\n{}\n", raw[0], raw[2], raw[3]),
    );
    assert!(e.contains("remote.jsonl:2"), "{e}");
    assert!(e.contains("signature"), "{e}");
    // Voter 1's last ballot removed, so that its superseded one would be the last: refused,
    // naming that line (the first) and the credential.
    let e = tampered("removed", format!("{}\n{}\n{}\n", raw[0], raw[1], raw[2]));
    assert!(e.contains("remote.jsonl:1"), "{e}");
    assert!(e.contains("not marked counted"), "{e}");

    // Two trustees decrypt, each checking the tally against the ballots and remote ballots.
    let mut shares = Vec::new();
    for (i, secret, pass) in &ts[..2] {
        let out = d.join(format!("shares-{i}.json"));
        ok(&run(&[
            "decrypt",
            "share",
            "--election",
            s(election),
            "--board",
            s(board),
            "--tally",
            s(&tally),
            "--trustee",
            &i.to_string(),
            "--secret",
            s(secret),
            "--passphrase-file",
            s(pass),
            "--out",
            s(&out),
            "--remote",
            s(&remote),
            "--ballots",
            s(&da),
            s(&db),
        ]));
        shares.push(out);
    }
    let combine = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "decrypt",
            "combine",
            "--election",
            s(election),
            "--board",
            s(board),
            "--tally",
            s(&tally),
            "--out",
            s(out),
            "--shares",
            s(&shares[0]),
            s(&shares[1]),
        ];
        args.extend(extra);
        args.extend(["--ballots", s(&da), s(&db)]);
        run(&args)
    };
    // Without --remote the ballots do not give the tally, and the message says what to do.
    let o = combine(&d.join("record-without"), &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("--remote"), "{}", stderr(&o));
    assert!(!d.join("record-without").exists());

    let record = d.join("record");
    ok(&combine(&record, &["--remote", s(&remote)]));
    assert_eq!(
        std::fs::read(record.join("election/credentials.json")).unwrap(),
        std::fs::read(creds.join("credentials.json")).unwrap()
    );
    let bam =
        std::fs::read_to_string(record.join("districts/af-bam/af-bam-d01/remote.jsonl")).unwrap();
    let kab =
        std::fs::read_to_string(record.join("districts/af-kab/af-kab-d01/remote.jsonl")).unwrap();
    assert_eq!(bam, format!("{}\n{}\n{}\n", raw[0], raw[1], raw[3]));
    assert_eq!(kab, format!("{}\n", raw[2]));

    // The decrypted totals: device ballots plus the last remote ballot of each voter.
    let expected = expected_counts();
    // Voter 1's superseded choices (president c0003, wj-af-bam c0003) are not counted:
    // c0003 has Kuchi device voter 1 + voter 3's remote 1 = 2 presidential votes, not 3.
    assert_eq!(expected[&("president".to_owned(), "c0003".to_owned())], 2);
    assert_eq!(
        expected.get(&("wj-af-bam".to_owned(), "c0003".to_owned())),
        None
    );
    let seen = common::assert_totals(&record, &expected);
    // 5 device voters and 3 counting remote voters, two marks each.
    assert_eq!(seen, 16);
    assert_eq!(seen, expected.values().sum::<u64>());

    // The record verifies.
    let o = run(&["verify", s(&record)]);
    ok(&o);

    // Published on the board, it verifies from there.
    let o = run(&[
        "publish",
        s(&record),
        "--board",
        &url,
        "--key",
        s(&d.join("admin.key")),
        "--json",
    ]);
    ok(&o);
    let verify_board = || {
        run(&[
            &["verify", "--board", &url, "--admin-key", admin_vkey][..],
            &log_args,
        ]
        .concat())
    };
    ok(&verify_board());
    // Read back from the log, the record is byte for byte the one published: every
    // district's remote.jsonl is rebuilt from the log's remote-ballot entries.
    let fetched = d.join("fetched");
    let o = run(&[
        &[
            "fetch-record",
            "--json",
            "--board",
            &url,
            "--admin-key",
            admin_vkey,
            "--out",
        ][..],
        &[s(&fetched)],
        &log_args,
    ]
    .concat());
    ok(&o);
    let v = json(&o);
    assert_eq!(v["cross_check"]["record_remote"], 4);
    assert_eq!(v["cross_check"]["remote_ballots"], 4);
    assert_eq!(
        sanduq_record::store::read(&fetched).unwrap(),
        sanduq_record::store::read(&record).unwrap()
    );

    // Remote voting is closed: voter 3 voting again is refused, and the record on the
    // board still holds every remote ballot of the log. Closing again is the same entry: the
    // board answers with the original (idempotent), and the log does not grow.
    let size = checkpoint_size(&url);
    let late = remote_ballot(
        el,
        ctx,
        &cred(3),
        &[("president", "c0001"), ("wj-af-kab", "c0003")],
        99,
    );
    let a = client.submit(late.as_bytes()).unwrap();
    assert_eq!(a.status, 422, "{}", a.text());
    assert!(a.text().contains("polls_closed"), "{}", a.text());
    ok(&close());
    assert_eq!(checkpoint_size(&url), size);
    ok(&verify_board());
}

#[test]
fn a_national_credential_list_is_published_beside_the_log() {
    // 2,000 voters: the list (about 200 KB) is larger than one entry, so `issue` makes an
    // entry that commits to it, `publish` uploads it first, and `fetch-remote` reads it back.
    let x = setup();
    let Setup {
        d,
        election,
        log_vkey,
        authority_vkey,
        wkey,
        ..
    } = &x;
    let (d, election) = (d.as_path(), election.as_path());
    let voters = d.join("voters.txt");
    let lines: Vec<&str> = (0..2000)
        .map(|i| {
            if i % 2 == 0 {
                "af-bam-d01-c001-m1"
            } else {
                "af-kab-d01-c001-m1"
            }
        })
        .collect();
    std::fs::write(&voters, lines.join("\n")).unwrap();
    let creds = issue(d, election, &voters);
    let list = std::fs::read(creds.join("credentials.json")).unwrap();
    assert!(list.len() > 65_535, "{} bytes", list.len());
    let entry = Envelope::parse(&std::fs::read(creds.join("credentials.entry")).unwrap()).unwrap();
    assert!(entry.body().is_none(), "the list travels beside the entry");

    let (_witness, _server, url) = start_board(&x);
    // Another list beside the entry file: refused before anything is sent.
    let tampered = d.join("tampered");
    std::fs::create_dir(&tampered).unwrap();
    std::fs::copy(
        creds.join("credentials.entry"),
        tampered.join("credentials.entry"),
    )
    .unwrap();
    let mut other = list.clone();
    other.truncate(other.len() - 2);
    other.extend_from_slice(b"}}");
    std::fs::write(tampered.join("credentials.json"), &other).unwrap();
    let publish = |dir: &Path| {
        run(&[
            "credentials",
            "publish",
            "--entry",
            s(&dir.join("credentials.entry")),
            "--board",
            &url,
        ])
    };
    let o = publish(&tampered);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("SHA-256 differs"), "{}", stderr(&o));
    // The issued list: uploaded, then the entry accepted at index 0.
    let o = publish(&creds);
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("index 0 "),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    ok(&close(d, election, &url));
    wait_size(&url, 2);
    let remote = d.join("remote");
    ok(&run(&[
        "fetch-remote",
        "--board",
        &url,
        "--authority-key",
        authority_vkey,
        "--log-key",
        log_vkey,
        "--witness-key",
        wkey,
        "--out",
        s(&remote),
    ]));
    assert_eq!(
        std::fs::read(remote.join("credentials.json")).unwrap(),
        list
    );
    assert_eq!(std::fs::read(remote.join("remote.jsonl")).unwrap(), b"");
}

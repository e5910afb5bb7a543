//! The election step by step through the real `sanduq` binary: `election new`, then the key
//! ceremony with three trustees (threshold 2), each in its own folder, exchanging files only.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../election/tests/data/example.toml"
);

fn sanduq(args: &[&str], passphrase: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sanduq"));
    cmd.args(args).env_remove("SANDUQ_PASSPHRASE");
    if let Some(p) = passphrase {
        cmd.env("SANDUQ_PASSPHRASE", p);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
}

/// `sanduq election new` on the worked-example manifest, 3 trustees, 2 of them from at least
/// 2 provinces (the example has Bāmyān and Kābul).
fn election_new(root: &Path) -> PathBuf {
    election_new_from(root, Path::new(EXAMPLE))
}

/// `sanduq election new` on a manifest, with the trustees of [`election_new`].
fn election_new_from(root: &Path, manifest: &Path) -> PathBuf {
    let dir = root.join("election");
    let o = sanduq(
        &[
            "election",
            "new",
            "--manifest",
            manifest.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--min-provinces",
            "2",
        ],
        None,
    );
    ok(&o);
    dir
}

/// A trustee's own machine: its board copy and its secret file.
struct Trustee {
    index: u32,
    home: PathBuf,
    passphrase: String,
}

impl Trustee {
    fn board(&self) -> PathBuf {
        self.home.join("board")
    }

    fn step(&self, step: &str, election: &Path) -> Output {
        let pass_file = self.home.join("passphrase.txt");
        std::fs::write(&pass_file, format!("{}\n", self.passphrase)).unwrap();
        sanduq(
            &[
                "ceremony",
                step,
                "--election",
                election.to_str().unwrap(),
                "--trustee",
                &self.index.to_string(),
                "--board",
                self.board().to_str().unwrap(),
                "--secret",
                self.home.join("secret.json").to_str().unwrap(),
                "--passphrase-file",
                pass_file.to_str().unwrap(),
            ],
            None,
        )
    }
}

fn trustees(root: &Path) -> Vec<Trustee> {
    (1..=3)
        .map(|i| {
            let home = root.join(format!("trustee-{i}"));
            std::fs::create_dir_all(home.join("board")).unwrap();
            Trustee {
                index: i,
                home,
                passphrase: format!("correct horse battery staple {i}"),
            }
        })
        .collect()
}

/// Copy the file a trustee just published onto every other trustee's board.
fn publish(ts: &[Trustee], from: u32, name: &str) {
    let src = ts[(from - 1) as usize].board().join(name);
    for t in ts.iter().filter(|t| t.index != from) {
        std::fs::copy(&src, t.board().join(name)).unwrap();
    }
}

/// Every trustee runs `step` in turn and publishes `<prefix>-<i>.json`.
fn round(ts: &[Trustee], election: &Path, step: &str, prefix: &str) {
    for t in ts {
        ok(&t.step(step, election));
        publish(ts, t.index, &format!("{prefix}-{}.json", t.index));
    }
}

#[test]
fn election_new_writes_the_set_up() {
    let root = tempfile::tempdir().unwrap();
    let dir = election_new(root.path());
    let params: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("parameters.json")).unwrap()).unwrap();
    // From the manifest (crates/election/tests/data/example.toml): tie_break_seed and
    // privacy_threshold as written there.
    assert_eq!(params["tie_break_seed"], "5eed5eed5eed5eed5eed5eed5eed5eed");
    assert_eq!(params["privacy_threshold"], 10);
    // The fingerprint is 32 bytes of hex.
    assert_eq!(params["fingerprint"].as_str().unwrap().len(), 64);
    let setup = std::fs::read_to_string(dir.join("ceremony-setup.json")).unwrap();
    assert!(setup.contains(params["fingerprint"].as_str().unwrap()));
    // A second set-up into the same folder is refused.
    let again = sanduq(
        &[
            "election",
            "new",
            "--manifest",
            EXAMPLE,
            "--out",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn an_invalid_manifest_lists_every_problem_with_its_path() {
    let root = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    // Two faults: the district of Bāmyān (jurisdictions[2]) names an unknown parent, and the
    // privacy threshold is zero.
    let bad = text
        .replacen("parent = \"af-bam\"\n", "parent = \"af-xyz\"\n", 1)
        .replacen("privacy_threshold = 10", "privacy_threshold = 0", 1);
    assert_ne!(bad, text);
    let path = root.path().join("bad.toml");
    std::fs::write(&path, bad).unwrap();
    let out = root.path().join("e");
    let o = sanduq(
        &[
            "election",
            "new",
            "--manifest",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("jurisdictions[2].parent"), "{e}");
    assert!(e.contains("privacy_threshold"), "{e}");
    assert!(!out.join("ceremony-setup.json").exists());
}

#[test]
fn a_policy_the_trustees_cannot_meet_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("e");
    // The example manifest has two provinces; three are required.
    let o = sanduq(
        &[
            "election",
            "new",
            "--manifest",
            EXAMPLE,
            "--out",
            out.to_str().unwrap(),
            "--trustees",
            "3",
            "--threshold",
            "3",
            "--min-provinces",
            "3",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("provinces"), "{}", stderr(&o));
}

#[test]
fn three_trustees_exchange_files_and_agree_on_the_key() {
    let root = tempfile::tempdir().unwrap();
    let election = election_new(root.path());
    let ts = trustees(root.path());
    round(&ts, &election, "register", "registration");

    // A wrong passphrase is refused clearly, and changes nothing.
    let before = std::fs::read(ts[0].home.join("secret.json")).unwrap();
    let wrong = Trustee {
        index: 1,
        home: ts[0].home.clone(),
        passphrase: "not the passphrase".into(),
    };
    let o = wrong.step("round1", &election);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("wrong passphrase"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(ts[0].home.join("secret.json")).unwrap(),
        before
    );
    // The secret is not stored in the clear: the file is the encrypted envelope.
    let envelope: serde_json::Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(envelope["kdf"], "argon2id");
    assert_eq!(envelope["aead"], "chacha20poly1305");

    round(&ts, &election, "round1", "round1");
    round(&ts, &election, "round2", "round2");
    round(&ts, &election, "round3", "round3");
    let mut keys = Vec::new();
    for t in &ts {
        ok(&t.step("finish", &election));
        keys.push(std::fs::read_to_string(t.board().join("public-key.json")).unwrap());
    }
    // Each trustee computed the joint key alone, from its own copy of the files.
    assert_eq!(keys[0], keys[1]);
    assert_eq!(keys[1], keys[2]);
    assert!(keys[0].contains("joint_key"), "{}", keys[0]);
}

#[test]
fn a_tampered_share_names_its_dealer() {
    let root = tempfile::tempdir().unwrap();
    let election = election_new(root.path());
    let ts = trustees(root.path());
    round(&ts, &election, "register", "registration");
    round(&ts, &election, "round1", "round1");
    // On trustee 2's board, alter the share trustee 1 encrypted to trustee 2.
    let path = ts[1].board().join("round1-1.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let shares = v["encrypted_shares"].as_array_mut().unwrap();
    let share = shares.iter_mut().find(|s| s["recipient"] == 2).unwrap();
    let ct = share["ciphertext"].as_str().unwrap().to_owned();
    let flipped = if ct.starts_with('0') { "1" } else { "0" };
    share["ciphertext"] = serde_json::Value::String(format!("{flipped}{}", &ct[1..]));
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();

    let o = ts[1].step("round2", &election);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("cheating trustee 1"), "{}", stderr(&o));
}

// ---- after the ceremony: encrypt, tally, decrypt, combine, verify ------------------------

/// The worked-example manifest with the privacy threshold lowered from 10 to 2, so that a few
/// ballots per station are enough for the station results to be published.
fn small_k_election(root: &Path) -> PathBuf {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let small = text.replacen("privacy_threshold = 10", "privacy_threshold = 2", 1);
    assert_ne!(small, text);
    let manifest = root.join("manifest.toml");
    std::fs::write(&manifest, small).unwrap();
    election_new_from(root, &manifest)
}

/// A finished key ceremony of three trustees.
fn ceremony(root: &Path, election: &Path) -> Vec<Trustee> {
    let ts = trustees(root);
    round(&ts, election, "register", "registration");
    round(&ts, election, "round1", "round1");
    round(&ts, election, "round2", "round2");
    round(&ts, election, "round3", "round3");
    for t in &ts {
        ok(&t.step("finish", election));
    }
    ts
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tally_cmd(election: &Path, board: &Path, ballots: &[&Path], out: &Path) -> Output {
    let mut args = vec![
        "tally",
        "--json",
        "--election",
        s(election),
        "--board",
        s(board),
        "--out",
        s(out),
        "--ballots",
    ];
    args.extend(ballots.iter().map(|p| s(p)));
    sanduq(&args, None)
}

/// Device A at the Bāmyān men's station: general voters get the presidential contest and
/// `wj-af-bam`; Kuchi voters (group ballot "instead") the presidential contest and `wj-kuchi`.
/// The second voter challenges a ballot first, then casts one with the same choices.
const PLAINTEXT_A: &str = r#"{"contests":{"president":["c0001"],"wj-af-bam":["c0002"]}}
{"contests":{"president":["c0002"],"wj-af-bam":["c0002"]},"challenge":true}
{"contests":{"president":["c0001"],"wj-af-bam":["c0001"]}}

{"group":"kuchi","contests":{"president":["c0003"],"wj-kuchi":["c0001"]}}
{"group":"kuchi","contests":{"president":["c0001"],"wj-kuchi":["c0002"]}}
{"contests":{"wj-af-bam":["c0003"]}}
"#;

/// Device B at the Kābul men's station: the presidential contest and `wj-af-kab`.
const PLAINTEXT_B: &str = r#"{"contests":{"president":["c0002"],"wj-af-kab":["c0003"]}}
{"contests":{"president":["c0002"],"wj-af-kab":["c0001"]}}
{"contests":{"president":["c0003"],"wj-af-kab":["c0003"]}}
"#;

/// Votes per contest and candidate, counted here from the plaintext lines themselves.
fn expected_counts(texts: &[&str]) -> std::collections::BTreeMap<(String, String), u64> {
    let mut out = std::collections::BTreeMap::new();
    for text in texts {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for (contest, marks) in v["contests"].as_object().unwrap() {
                for m in marks.as_array().unwrap() {
                    *out.entry((contest.clone(), m.as_str().unwrap().to_owned()))
                        .or_insert(0) += 1;
                }
            }
        }
    }
    out
}

fn flip_hex_after(bytes: &[u8], marker: &str, offset: usize) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let at = text.find(marker).unwrap() + marker.len() + offset;
    let mut out = bytes.to_vec();
    out[at] = if out[at] == b'0' { b'1' } else { b'0' };
    assert_ne!(out, bytes);
    out
}

#[test]
fn an_election_runs_step_by_step_to_a_verified_record() {
    let root = tempfile::tempdir().unwrap();
    let election = small_k_election(root.path());
    let ts = ceremony(root.path(), &election);
    let board = ts[0].board();

    // two polling-station devices, each on its own
    let pa = root.path().join("a.jsonl");
    let pb = root.path().join("b.jsonl");
    std::fs::write(&pa, PLAINTEXT_A).unwrap();
    std::fs::write(&pb, PLAINTEXT_B).unwrap();
    let da = root.path().join("device-a.json");
    let db = root.path().join("device-b.json");
    let o = common::encrypt(
        &election,
        &ts[1].board(),
        "bam-m1-d1",
        "af-bam-d01-c001-m1",
        &pa,
        &da,
    );
    ok(&o);
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // six voters cast; one of them first challenged a ballot
    assert_eq!(summary["cast"], 6);
    assert_eq!(summary["challenged"], 1);
    assert_eq!(summary["ballots"], 7);
    ok(&common::encrypt(
        &election,
        &board,
        "kab-m1-d1",
        "af-kab-d01-c001-m1",
        &pb,
        &db,
    ));

    // the tally
    let tally = root.path().join("tally.json");
    let o = tally_cmd(&election, &board, &[&da, &db], &tally);
    ok(&o);
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["cast"], 9);
    assert_eq!(summary["challenged"], 1);
    let t: serde_json::Value = serde_json::from_slice(&std::fs::read(&tally).unwrap()).unwrap();
    // every unit of the manifest is listed: nation, 2 provinces, 2 districts, 2 centres,
    // 4 stations
    assert_eq!(t["units"].as_array().unwrap().len(), 11);
    assert!(!t["targets"].as_array().unwrap().is_empty());

    // trustees 1 and 2 decrypt, each checking the tally against the ballots; trustee 3 is
    // absent
    let share = |tr: &Trustee, ballots: &[&Path]| {
        let index = tr.index.to_string();
        let (board, secret) = (tr.board(), tr.home.join("secret.json"));
        let pass = tr.home.join("passphrase.txt");
        let mut args = vec![
            "decrypt",
            "share",
            "--election",
            s(&election),
            "--tally",
            s(&tally),
            "--trustee",
            &index,
            "--board",
            s(&board),
            "--secret",
            s(&secret),
            "--passphrase-file",
            s(&pass),
            "--ballots",
        ];
        args.extend(ballots.iter().map(|p| s(p)));
        sanduq(&args, None)
    };
    let mut shares = Vec::new();
    for tr in &ts[..2] {
        ok(&share(tr, &[&da, &db]));
        shares.push(tr.board().join(format!("shares-{}.json", tr.index)));
    }
    // trustee 3, given the ballots of one device only, refuses to decrypt: they do not give
    // the tally
    let t3 = &ts[2];
    let o = share(t3, &[&da]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("do not give the tally"),
        "{}",
        stderr(&o)
    );
    assert!(!t3.board().join("shares-3.json").exists());

    let combine = |shares: &[&Path], out: &Path, extra: &[&str]| {
        let mut args = vec![
            "decrypt",
            "combine",
            "--election",
            s(&election),
            "--board",
            s(&board),
            "--tally",
            s(&tally),
            "--out",
            s(out),
            "--ballots",
            s(&da),
            s(&db),
            "--shares",
        ];
        args.extend(shares.iter().map(|p| s(p)));
        args.extend(extra);
        sanduq(&args, None)
    };

    // one trustee is fewer than the threshold t = 2: refused, nothing written
    let lone = root.path().join("record-lone");
    let o = combine(&[&shares[0]], &lone, &[]);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("needs 2 trustees"), "{}", stderr(&o));
    assert!(!lone.exists());

    // a share whose proof has one byte changed names its trustee: hex character 130 is the
    // low half of the second byte of the response z (after a1 and a2, 64 hex characters each),
    // so z stays a canonical scalar and the proof equation fails
    let bad_share = root.path().join("shares-2-bad.json");
    let bytes = std::fs::read(&shares[1]).unwrap();
    std::fs::write(&bad_share, flip_hex_after(&bytes, "\"proof\":\"", 130)).unwrap();
    let o = combine(
        &[&shares[0], &bad_share],
        &root.path().join("record-bad"),
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("trustee 2"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("proof of the decryption share does not verify"),
        "{}",
        stderr(&o)
    );

    // the record
    let record = root.path().join("record");
    let archive = root.path().join("record.tar");
    let o = combine(
        &[&shares[0], &shares[1]],
        &record,
        &["--archive", s(&archive)],
    );
    ok(&o);
    let v = sanduq(&["verify", s(&record)], None);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&v.stdout),
        stderr(&v)
    );
    let v = sanduq(&["verify", s(&archive)], None);
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));

    // the decrypted totals are the choices fed in
    let expected = expected_counts(&[PLAINTEXT_A, PLAINTEXT_B]);
    let seen = common::assert_totals(&record, &expected);
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record.join("results/results.json")).unwrap())
            .unwrap();
    // 8 presidential marks, 4 + 3 + 2 Wolesi Jirga marks: every mark fed in is counted once
    assert_eq!(seen, expected.values().sum::<u64>());
    assert_eq!(seen, 8 + 4 + 3 + 2);
    // the presidential contest: c0001 3, c0002 3, c0003 2 of 8: no majority, a run-off
    let pres = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["contest"] == "president")
        .unwrap();
    assert_eq!(pres["runoff"].as_array().unwrap().len(), 2);
    // the challenged ballot is published with its opening, not counted
    let lines =
        std::fs::read_to_string(record.join("districts/af-bam/af-bam-d01/ballots.jsonl")).unwrap();
    assert_eq!(
        lines
            .lines()
            .filter(|l| l.contains("\"status\":\"challenged\""))
            .count(),
        1
    );
    assert_eq!(lines.lines().count(), 7);
}

#[test]
fn bad_plaintexts_and_tampered_ballots_are_named() {
    let root = tempfile::tempdir().unwrap();
    let election = small_k_election(root.path());
    let ts = ceremony(root.path(), &election);
    let board = ts[0].board();
    let station = "af-kab-d01-c001-m1";

    // an unknown candidate on line 2
    let p = root.path().join("unknown.jsonl");
    std::fs::write(
        &p,
        "{\"contests\":{\"president\":[\"c0001\"]}}\n{\"contests\":{\"president\":[\"c0009\"]}}\n",
    )
    .unwrap();
    let out = root.path().join("x.json");
    let o = common::encrypt(&election, &board, "d1", station, &p, &out);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("unknown.jsonl:2"), "{e}");
    assert!(
        e.contains("contests.president[0]") && e.contains("c0009"),
        "{e}"
    );
    assert!(!out.exists());

    // an over-vote on line 1: two candidates where the contest allows one
    std::fs::write(&p, "{\"contests\":{\"wj-af-kab\":[\"c0001\",\"c0002\"]}}\n").unwrap();
    let o = common::encrypt(&election, &board, "d1", station, &p, &out);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("unknown.jsonl:1") && e.contains("over-vote"),
        "{e}"
    );
    assert!(e.contains("contests.wj-af-kab"), "{e}");

    // a contest of another province is not on this voter's ballot
    std::fs::write(&p, "{\"contests\":{\"wj-af-bam\":[\"c0001\"]}}\n").unwrap();
    let o = common::encrypt(&election, &board, "d1", station, &p, &out);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("contests.wj-af-bam"), "{}", stderr(&o));

    // synthetic voters: 3 cast, every second one challenged first
    let o = sanduq(
        &[
            "encrypt",
            "--election",
            s(&election),
            "--board",
            s(&board),
            "--device",
            "d1",
            "--station",
            station,
            "--generate",
            "3",
            "--seed",
            "5",
            "--challenge-every",
            "2",
            "--out",
            s(&out),
            "--json",
        ],
        None,
    );
    ok(&o);
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (summary["cast"].as_u64(), summary["challenged"].as_u64()),
        (Some(3), Some(1))
    );

    // a ballot altered after encryption: the tally refuses the file and names the ballot
    let bytes = std::fs::read(&out).unwrap();
    let altered = root.path().join("altered.json");
    std::fs::write(&altered, flip_hex_after(&bytes, "\"ciphertext\":\"", 10)).unwrap();
    let tally = root.path().join("tally.json");
    let o = tally_cmd(&election, &board, &[&altered], &tally);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("altered.json: ballot 1 (code "), "{e}");
    assert!(!tally.exists());
    // the untouched file tallies
    let o = tally_cmd(&election, &board, &[&out], &tally);
    ok(&o);
}

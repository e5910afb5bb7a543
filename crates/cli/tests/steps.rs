//! The election step by step through the real `sanduq` binary: `election new`, then the key
//! ceremony with three trustees (threshold 2), each in its own folder, exchanging files only.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

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
    let dir = root.join("election");
    let o = sanduq(
        &[
            "election",
            "new",
            "--manifest",
            EXAMPLE,
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

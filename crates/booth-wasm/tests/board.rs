//! The booth's board code checked against the board's own implementation (`sanduq-board`),
//! an independent encoder, parser and receipt verifier.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::SigningKey;
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::receipt::Receipt;
use sanduq_booth_wasm::board::{self, Credential};
use sanduq_booth_wasm::{Setup, SetupContest, encrypt_ballot_for_credential};
use sanduq_crypto::group::Element;
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::{CosignatureSigner, QuorumPolicy};
use sanduq_tlog::merkle::Tree;
use sanduq_tlog::signed_note::{Ed25519Signer, KeyName, Note, Verifier};

const FP: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

fn credential_json(seed: u8, group: Option<&str>) -> String {
    let g = group.map_or(String::new(), |g| format!(r#","group":"{g}""#));
    format!(
        r#"{{"election":"{FP}","format":"sanduq-voter-credential/0.1"{g},"secret":"{}","station":"st-1"}}"#,
        format!("{seed:02x}").repeat(32)
    )
}

fn setup() -> Setup {
    let key =
        Element::from_point("key", RISTRETTO_BASEPOINT_POINT * Scalar::from(987_654u64)).unwrap();
    Setup {
        fingerprint: FP.to_owned(),
        joint_key: key.to_hex(),
        contests: vec![SetupContest {
            contest: "president".to_owned(),
            selections: vec!["a".to_owned(), "b".to_owned()],
            max_selections: 1,
        }],
    }
}

#[test]
fn envelope_is_byte_for_byte_the_boards() {
    let key = SigningKey::from_bytes(&[7; 32]);
    for artefact in [&b""[..], b"abc", &[0xffu8; 300][..]] {
        let ours = board::encode_envelope("remote-ballot", &[9; 32], artefact, &key).unwrap();
        let theirs =
            Envelope::sign("remote-ballot", Fingerprint([9; 32]), artefact, true, &key).unwrap();
        assert_eq!(ours, theirs.as_bytes());
        // and each parser accepts the other's bytes
        let v = board::parse_envelope(theirs.as_bytes()).unwrap();
        assert_eq!(v.kind, "remote-ballot");
        assert_eq!(v.body.as_deref(), Some(artefact));
        assert_eq!(v.signer, key.verifying_key().to_bytes());
        assert_eq!(
            Envelope::parse(&ours).unwrap().tracking_code(),
            theirs.tracking_code()
        );
    }
    // 1 + 1 + 13 + 32 + 8 + 32 + 1 + 3 + 32 + 64 bytes (board-server.md §2)
    let e = board::encode_envelope("remote-ballot", &[9; 32], b"abc", &key).unwrap();
    assert_eq!(e.len(), 187);
}

#[test]
fn tampered_envelopes_are_refused() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let good = board::encode_envelope("remote-ballot", &[9; 32], b"abc", &key).unwrap();
    for at in [0, 3, 20, 50, 90, 120, good.len() - 1] {
        let mut bad = good.clone();
        bad[at] ^= 1;
        assert!(board::parse_envelope(&bad).is_err(), "flipped byte {at}");
        assert!(Envelope::parse(&bad).is_err(), "board agrees on byte {at}");
    }
    let mut long = good;
    long.push(0);
    assert!(board::parse_envelope(&long).is_err());
}

#[test]
fn credential_file_is_checked() {
    let c = Credential::parse(&credential_json(1, Some("kuchi"))).unwrap();
    assert_eq!(c.group.as_deref(), Some("kuchi"));
    assert_eq!(
        c.public_key(),
        SigningKey::from_bytes(&[1; 32]).verifying_key().to_bytes()
    );
    let wrong_format = credential_json(1, None).replace("/0.1", "/9");
    let e = Credential::parse(&wrong_format).unwrap_err();
    assert!(e.0.contains("format"), "{e}");
    let short_secret = credential_json(1, None).replace(&"01".repeat(32), "0101");
    assert!(
        Credential::parse(&short_secret)
            .unwrap_err()
            .0
            .contains("secret")
    );
    let extra = credential_json(1, None).replace("{\"election", "{\"x\":1,\"election");
    assert!(Credential::parse(&extra).is_err());
}

#[test]
fn remote_ballot_entry_follows_the_contract() {
    let cred = Credential::parse(&credential_json(3, Some("kuchi"))).unwrap();
    let choices = BTreeMap::from([("president".to_owned(), vec!["b".to_owned()])]);
    let enc = encrypt_ballot_for_credential(&setup(), &choices, [4; 32], &cred).unwrap();
    let cast = board::cast_with(&cred, &enc.contests).unwrap();
    let bytes = hex::decode(&cast.envelope).unwrap();
    let env = Envelope::parse(&bytes).unwrap();
    assert_eq!(env.kind(), "remote-ballot");
    assert_eq!(env.election().0, [0x5a; 32]);
    assert_eq!(env.signer(), cred.public_key());
    assert_eq!(env.tracking_code().to_string(), cast.tracking_code);
    let body = std::str::from_utf8(env.body().unwrap()).unwrap();
    // canonical JSON: keys sorted, no whitespace; the contests are the record's ContestWire
    let pk = hex::encode(cred.public_key());
    assert!(body.starts_with(r#"{"contests":[{"contest":"president","limit_proof":["#));
    assert!(body.ends_with(&format!(
        r#"],"credential":"{pk}","format":"sanduq-remote-ballot/0.1","group":"kuchi","station":"st-1"}}"#
    )));
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let contests: Vec<sanduq_record::wire::ContestWire> =
        serde_json::from_value(v["contests"].clone()).unwrap();
    assert_eq!(contests.len(), 1);
    assert_eq!(contests[0].selections.len(), 2);
    // a credential of another election is refused
    let other = credential_json(3, None).replace(FP, &"66".repeat(32));
    let other = Credential::parse(&other).unwrap();
    assert!(encrypt_ballot_for_credential(&setup(), &choices, [4; 32], &other).is_err());
}

/// A log of `n` entries, its checkpoint signed by the log key and cosigned by two witnesses
/// at time 1000; the receipt of entry `index`.
struct Fixture {
    receipt: Receipt,
    log_vkey: String,
    witness_vkeys: Vec<String>,
    entries: Vec<Vec<u8>>,
}

fn fixture(n: usize, index: usize) -> Fixture {
    let voter = SigningKey::from_bytes(&[2; 32]);
    let entries: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            board::encode_envelope(
                "remote-ballot",
                &[0x5a; 32],
                format!("b{i}").as_bytes(),
                &voter,
            )
            .unwrap()
        })
        .collect();
    let mut tree = Tree::new();
    for e in &entries {
        tree.append_entry(e);
    }
    let log = Ed25519Signer::from_seed(KeyName::new("board.example/af").unwrap(), &[11; 32]);
    let w1 = CosignatureSigner::from_seed(KeyName::new("w1.example").unwrap(), &[12; 32]);
    let w2 = CosignatureSigner::from_seed(KeyName::new("w2.example").unwrap(), &[13; 32]);
    let text = Checkpoint::new("board.example/af", n as u64, tree.root())
        .unwrap()
        .to_text();
    let sigs = vec![
        log.sign(&text).unwrap(),
        w1.sign(&text, 1000).unwrap(),
        w2.sign(&text, 1000).unwrap(),
    ];
    let checkpoint = SignedCheckpoint::from_note(Note::new(text, sigs).unwrap()).unwrap();
    let receipt = Receipt {
        index: index as u64,
        entry: entries[index].clone(),
        proof: tree.inclusion_proof(index as u64, n as u64).unwrap(),
        checkpoint,
    };
    Fixture {
        receipt,
        log_vkey: log.verifier().to_vkey(),
        witness_vkeys: vec![w1.verifier().to_vkey(), w2.verifier().to_vkey()],
        entries,
    }
}

fn boards_verdict(f: &Fixture, receipt: &Receipt, quorum: usize) -> bool {
    boards_verdict_at(f, receipt, quorum, 2000)
}

fn boards_verdict_at(f: &Fixture, receipt: &Receipt, quorum: usize, now: u64) -> bool {
    let log = Verifier::from_vkey(&f.log_vkey).unwrap();
    let ws = f
        .witness_vkeys
        .iter()
        .map(|w| match Verifier::from_vkey(w).unwrap() {
            Verifier::CosignatureV1(v) => v,
            _ => unreachable!(),
        });
    let policy = QuorumPolicy::new(ws, quorum).unwrap();
    receipt.verify(&log, &policy, now).is_ok()
}

fn code(entry: &[u8]) -> String {
    sanduq_board::envelope::TrackingCode::of(entry).to_string()
}

#[test]
fn a_good_receipt_verifies_as_the_board_says() {
    for (n, index) in [(1, 0), (2, 1), (7, 3), (13, 12)] {
        let f = fixture(n, index);
        let text = String::from_utf8(f.receipt.to_bytes()).unwrap();
        let c = board::check_receipt(
            &text,
            &code(&f.entries[index]),
            &f.log_vkey,
            &f.witness_vkeys,
            2,
            2000,
        )
        .unwrap();
        assert!(c.ok, "{n}/{index}: {:?}", c.error);
        assert!(boards_verdict(&f, &f.receipt, 2));
        assert_eq!((c.index, c.size), (index as u64, n as u64));
        assert_eq!(c.kind, "remote-ballot");
        // audit path length of leaf `index` in a tree of `n` (RFC 9162 §2.1.3): hand-counted
        let want_len = match (n, index) {
            (1, 0) => 0,
            (2, 1) => 1,
            (7, 3) => 3,
            _ => 2, // leaf 12 of 13: sibling subtree [8,12) then [0,8)
        };
        assert_eq!(c.proof.len(), want_len, "{n}/{index}");
        assert!(
            c.witnesses
                .iter()
                .all(|w| w.status == "ok" && w.timestamp == Some(1000))
        );
    }
}

#[test]
fn tampering_is_found_where_the_board_finds_it() {
    let f = fixture(7, 3);
    let good_code = code(&f.entries[3]);
    let check = |r: &Receipt, code: &str, quorum: usize, now: u64| {
        let text = String::from_utf8(r.to_bytes()).unwrap();
        board::check_receipt(&text, code, &f.log_vkey, &f.witness_vkeys, quorum, now).unwrap()
    };
    // a proof hash changed
    let mut r = f.receipt.clone();
    r.proof[1].0[0] ^= 1;
    let c = check(&r, &good_code, 2, 2000);
    assert!(!c.ok && !c.inclusion && c.log_signature && c.quorum);
    assert!(!boards_verdict(&f, &r, 2));
    // another entry's proof under this entry (wrong index)
    let mut r = f.receipt.clone();
    r.index = 2;
    let c = check(&r, &good_code, 2, 2000);
    assert!(!c.inclusion);
    assert!(!boards_verdict(&f, &r, 2));
    // the checkpoint's size changed: the log's signature no longer verifies
    let text = f.receipt.checkpoint.note().to_bytes();
    let text = String::from_utf8(text)
        .unwrap()
        .replacen("\n7\n", "\n8\n", 1);
    let mut r = f.receipt.clone();
    r.checkpoint = SignedCheckpoint::parse(text.as_bytes()).unwrap();
    let c = check(&r, &good_code, 2, 2000);
    assert!(!c.log_signature && !c.quorum, "{c:?}");
    assert!(c.witnesses.iter().all(|w| w.status == "bad"));
    assert!(!boards_verdict(&f, &r, 2));
    // a code that is not the entry's
    let c = check(&f.receipt, &code(&f.entries[2]), 2, 2000);
    assert!(!c.ok && c.inclusion);
    // cosignatures dated after now
    let c = check(&f.receipt, &good_code, 2, 999);
    assert!(!c.quorum && c.witnesses.iter().all(|w| w.status == "future"));
    assert!(!boards_verdict_at(&f, &f.receipt, 2, 999));
    // a witness that did not cosign: quorum 2 of (w1, w3) fails, 1 of them passes
    let w3 = CosignatureSigner::from_seed(KeyName::new("w3.example").unwrap(), &[14; 32]);
    let ws = vec![f.witness_vkeys[0].clone(), w3.verifier().to_vkey()];
    let text = String::from_utf8(f.receipt.to_bytes()).unwrap();
    let c = board::check_receipt(&text, &good_code, &f.log_vkey, &ws, 2, 2000).unwrap();
    assert!(!c.quorum);
    assert_eq!(c.witnesses[1].status, "missing");
    let c = board::check_receipt(&text, &good_code, &f.log_vkey, &ws, 1, 2000).unwrap();
    assert!(c.ok, "{:?}", c.error);
}

#[test]
fn proofs_are_bound_to_the_credential() {
    use sanduq_crypto::contest::{BallotContext, ContestDescription};
    use sanduq_crypto::elgamal::ElectionKey;
    use sanduq_crypto::params::ElectionFingerprint;
    let s = setup();
    let cred = Credential::parse(&credential_json(5, None)).unwrap();
    let choices = BTreeMap::from([("president".to_owned(), vec!["a".to_owned()])]);
    let enc = encrypt_ballot_for_credential(&s, &choices, [6; 32], &cred).unwrap();
    let wire: sanduq_record::wire::ContestWire =
        serde_json::from_value(serde_json::to_value(&enc.contests[0]).unwrap()).unwrap();
    let contest = sanduq_record::protocol::contest_from_wire(&wire).unwrap();
    let desc = ContestDescription::new("president", &["a", "b"], 1, 1).unwrap();
    let key = Element::from_hex("key", &s.joint_key).unwrap();
    let ctx = BallotContext {
        fingerprint: ElectionFingerprint([0x5a; 32]),
        key: ElectionKey::new(key),
    };
    contest
        .verify(&ctx.for_credential(&cred.public_key()), &desc)
        .unwrap();
    assert!(
        contest.verify(&ctx, &desc).is_err(),
        "not bound to the credential"
    );
    let other = Credential::parse(&credential_json(8, None)).unwrap();
    assert!(
        contest
            .verify(&ctx.for_credential(&other.public_key()), &desc)
            .is_err(),
        "valid under another credential"
    );
}

//! The election's entry validator behind a real server on loopback: station ballots, the
//! credential list and remote ballots, replays, batching; and property tests that no
//! content makes it panic.
//!
//! Expected answers come from the board-entry contract and `docs/spec/board-server.md`
//! §3.1 (status and code), the index from the order of submission, and the tracking code
//! from its definition (§2.1: SHA-256 of the envelope bytes, computed here with `sha2`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../benches/support/election_fixture.rs"]
mod fixture;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use sanduq_board::client::{Answer, Client};
use sanduq_board::credentials::{CredentialList, Registration, counted_remote_ballots};
use sanduq_board::election_validator::{ElectionSetup, ElectionValidator};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::net::Background;
use sanduq_board::router;
use sanduq_board::server::{Board, ServerConfig, WitnessEndpoint};
use sanduq_board::validator::{EntryValidator, LogView, Rejection};
use sanduq_crypto::BallotContext;
use sanduq_record::protocol::Election;
use sanduq_record::wire::BallotLine;
use sha2::{Digest, Sha256};

fn setup() -> &'static (Election, BallotContext) {
    static S: OnceLock<(Election, BallotContext)> = OnceLock::new();
    S.get_or_init(|| fixture::setup(false))
}

fn fp() -> Fingerprint {
    Fingerprint(*setup().0.fingerprint().as_bytes())
}

fn admin() -> SigningKey {
    SigningKey::from_bytes(&[0xa1; 32])
}
fn admin2() -> SigningKey {
    SigningKey::from_bytes(&[0xa4; 32])
}
fn authority() -> SigningKey {
    SigningKey::from_bytes(&[0xa2; 32])
}
fn outsider() -> SigningKey {
    SigningKey::from_bytes(&[0xa3; 32])
}
fn voter(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[0xc0 + n; 32])
}
fn pk(k: &SigningKey) -> [u8; 32] {
    k.verifying_key().to_bytes()
}

fn validator() -> ElectionValidator {
    let (election, ctx) = setup();
    ElectionValidator::new(ElectionSetup {
        election: election.clone(),
        context: ctx.clone(),
        administrators: [pk(&admin()), pk(&admin2())].into_iter().collect(),
        credential_authority: pk(&authority()),
    })
    .unwrap()
}

/// Delegates to the election validator and records the size of every batch.
struct Recording {
    inner: ElectionValidator,
    batches: Mutex<Vec<usize>>,
}

impl EntryValidator for Recording {
    fn validate_batch(
        &self,
        batch: &[&Envelope],
        log: &dyn LogView,
    ) -> Result<Vec<Result<(), Rejection>>, String> {
        self.batches.lock().unwrap().push(batch.len());
        self.inner.validate_batch(batch, log)
    }
}

struct Net {
    server: Option<Background>,
    board: Option<Board>,
    validator: Arc<Recording>,
    _witness: common::WitnessServer,
    _dir: tempfile::TempDir,
    url: String,
}

impl Net {
    fn start(batch_window: Duration) -> Self {
        let witness = common::start_witness(0);
        let dir = tempfile::tempdir().unwrap();
        let validator = Arc::new(Recording {
            inner: validator(),
            batches: Mutex::new(Vec::new()),
        });
        let mut limits = common::fast_limits();
        limits.batch_window = batch_window;
        let board = Board::start(
            ServerConfig {
                data_dir: dir.path().join("board"),
                log_signer: common::log_signer(),
                election: fp(),
                witnesses: vec![WitnessEndpoint {
                    url: witness.bg.url(),
                    key: common::witness_verifier(0),
                }],
                quorum: 1,
                limits,
            },
            Arc::clone(&validator) as Arc<dyn EntryValidator>,
        )
        .unwrap();
        let server =
            Background::start("127.0.0.1:0".parse().unwrap(), router::router(&board), 2).unwrap();
        let url = server.url();
        Self {
            server: Some(server),
            board: Some(board),
            validator,
            _witness: witness,
            _dir: dir,
            url,
        }
    }

    fn client(&self) -> Client {
        Client::new(&self.url)
    }

    fn size(&self) -> u64 {
        self.board.as_ref().unwrap().size()
    }

    fn submit(&self, e: &Envelope) -> Answer {
        self.client().submit(e.as_bytes()).unwrap()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        drop(self.server.take());
        drop(self.board.take());
    }
}

fn sign(kind: &str, content: &[u8], key: &SigningKey) -> Envelope {
    Envelope::sign(kind, fp(), content, true, key).unwrap()
}

fn ballot_env(line: &BallotLine) -> Envelope {
    sign("ballot", &fixture::line_bytes(line), &admin())
}

fn error_code(a: &Answer) -> String {
    let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    v["error"].as_str().unwrap().to_owned()
}

/// Asserts 201 with the expected index and the tracking code of §2.1.
fn assert_accepted(a: &Answer, e: &Envelope, index: u64) {
    assert_eq!(a.status, 201, "{}", a.text());
    let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(v["index"], index);
    assert_eq!(v["new"], true);
    let code = hex::encode(Sha256::digest(e.as_bytes()));
    assert_eq!(v["tracking_code"], code.as_str());
}

fn assert_refused(net: &Net, a: &Answer, status: u16, code: &str, size: u64) {
    assert_eq!(
        (a.status, error_code(a).as_str()),
        (status, code),
        "{}",
        a.text()
    );
    assert_eq!(net.size(), size, "a refused entry was stored");
}

/// The credential list of the contract, written from its text: voters 1 and 2 at the
/// first station, voter 3 at the kuchi station in group kuchi.
fn list_bytes() -> Vec<u8> {
    let (election, _) = setup();
    let (first, _, kuchi) = fixture::stations(election);
    let mut entries = vec![
        serde_json::json!({"key": hex::encode(pk(&voter(1))), "station": first}),
        serde_json::json!({"key": hex::encode(pk(&voter(2))), "station": first}),
        serde_json::json!({"group": "kuchi", "key": hex::encode(pk(&voter(3))), "station": kuchi}),
    ];
    entries.sort_by_key(|e| e["key"].as_str().unwrap().to_owned());
    sanduq_record::wire::to_canonical(&serde_json::json!({
        "credentials": entries,
        "election": hex::encode(fp().0),
        "format": "sanduq-credentials/0.1",
    }))
    .unwrap()
}

fn remote(key: &SigningKey, station: &str, group: Option<&str>, seed: u64) -> Envelope {
    let (election, ctx) = setup();
    let bound = ctx.for_credential(&pk(key));
    let mut rng = fixture::rng(seed);
    let contests = fixture::contests(election, &bound, station, group, &mut rng);
    sign(
        "remote-ballot",
        &fixture::remote_ballot_bytes(&pk(key), station, group, &contests),
        key,
    )
}

#[test]
fn station_ballot_accepted_then_bad_ones_refused() {
    let (election, ctx) = setup();
    let (first, other, _) = fixture::stations(election);
    assert_ne!(
        election.style(&first, None).unwrap(),
        election.style(&other, None).unwrap()
    );
    let net = Net::start(Duration::from_millis(2));
    let mut rng = fixture::rng(1);
    let mut dev = fixture::Device::new(election, "dev-1", &first);

    // A valid ballot: index 0, tracking code SHA-256 of the envelope.
    let good = ballot_env(&dev.cast(election, ctx, None, &mut rng));
    assert_accepted(&net.submit(&good), &good, 0);

    // The identical envelope again: the original index, not new (§3.1 step 4).
    let a = net.submit(&good);
    assert_eq!(a.status, 200);
    assert_eq!(common::json_field(&a, "index"), 0);
    assert_eq!(common::json_field(&a, "new"), false);

    // The same line under another administrator's envelope: a replay.
    let copy = sign("ballot", good.body().unwrap(), &admin2());
    assert_refused(&net, &net.submit(&copy), 409, "duplicate", 1);

    // Tampered proof: two ciphertexts swapped, confirmation code recomputed.
    let mut c = fixture::contests(election, ctx, &first, None, &mut rng);
    let s0 = c[0].selections[0].ciphertext.clone();
    c[0].selections[0].ciphertext = c[0].selections[1].ciphertext.clone();
    c[0].selections[1].ciphertext = s0;
    let bad = ballot_env(&dev.line(None, c));
    let a = net.submit(&bad);
    assert_refused(&net, &a, 422, "invalid_entry", 1);
    // The body says which field and why, after the stable code.
    let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .starts_with("bad_proof: ballot.contests[0].selections[0].proof: "),
        "{}",
        a.text()
    );

    // Wrong election fingerprint in the envelope: refused by the server.
    let other_fp = Envelope::sign(
        "ballot",
        Fingerprint([0x11; 32]),
        good.body().unwrap(),
        true,
        &admin(),
    )
    .unwrap();
    assert_refused(&net, &net.submit(&other_fp), 422, "wrong_election", 1);

    // A ballot chained under another election's fingerprint: its code is not this
    // election's.
    let mut stranger = fixture::Device::with_fingerprint([0x11; 32], "dev-9", &first);
    let c = fixture::contests(election, ctx, &first, None, &mut rng);
    let e = ballot_env(&stranger.line(None, c));
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 1);

    // Wrong station style: the first station's contests written as from the other station.
    let c = fixture::contests(election, ctx, &first, None, &mut rng);
    let e = ballot_env(&dev.line_at(&other, None, c));
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 1);

    // Non-canonical JSON of a valid line (pretty-printed).
    let line = dev.cast(election, ctx, None, &mut rng);
    let pretty = serde_json::to_vec_pretty(&line).unwrap();
    let e = sign("ballot", &pretty, &admin());
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 1);

    // Unknown kind.
    let e = sign("tally", b"{}", &admin());
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 1);

    // A valid ballot signed by a key that is not an administrator's.
    let line = dev.cast(election, ctx, None, &mut rng);
    let e = sign("ballot", &fixture::line_bytes(&line), &outsider());
    assert_refused(&net, &net.submit(&e), 403, "forbidden", 1);
    // ... and the credential authority may not submit ballots either.
    let e = sign("ballot", &fixture::line_bytes(&line), &authority());
    assert_refused(&net, &net.submit(&e), 403, "forbidden", 1);

    // The same line signed by an administrator is still good: index 1.
    let e = ballot_env(&line);
    assert_accepted(&net.submit(&e), &e, 1);
}

#[test]
fn refusals_name_the_field_and_the_reason() {
    let (election, ctx) = setup();
    let (first, other, _) = fixture::stations(election);
    let v = validator();
    let mut rng = fixture::rng(2);
    let mut dev = fixture::Device::new(election, "dev-2", &first);
    let mut c = fixture::contests(election, ctx, &first, None, &mut rng);
    let s0 = c[0].selections[0].ciphertext.clone();
    c[0].selections[0].ciphertext = c[0].selections[1].ciphertext.clone();
    c[0].selections[1].ciphertext = s0;
    let bad_proof = ballot_env(&dev.line(None, c));
    let c = fixture::contests(election, ctx, &first, None, &mut rng);
    let wrong_style = ballot_env(&dev.line_at(&other, None, c));
    let mut line = dev.cast(election, ctx, None, &mut rng);
    line.code = hex::encode([0u8; 32]);
    let bad_code = ballot_env(&line);
    let out = v
        .validate_batch(&[&bad_proof, &wrong_style, &bad_code], &NoLog)
        .unwrap();
    let msg = |r: &Result<(), Rejection>| match r {
        Err(Rejection::Invalid(m)) => m.clone(),
        other => panic!("{other:?}"),
    };
    assert!(
        msg(&out[0]).starts_with("bad_proof: ballot.contests[0].selections[0].proof: "),
        "{}",
        msg(&out[0])
    );
    assert!(
        msg(&out[1]).starts_with("wrong_style: ballot.contests: "),
        "{}",
        msg(&out[1])
    );
    assert!(
        msg(&out[2]).starts_with("bad_confirmation_code: code: "),
        "{}",
        msg(&out[2])
    );
}

#[test]
fn challenged_ballot_opening_and_code_replay() {
    use sanduq_record::protocol::Device;
    let (election, ctx) = setup();
    let (first, _, _) = fixture::stations(election);
    let net = Net::start(Duration::from_millis(2));
    let mut rng = fixture::rng(3);
    let mut dev = Device::new(election, "dev-c", &first);
    let style = election.style(&first, None).unwrap();
    let choices = style
        .iter()
        .map(|c| {
            let first = election.descriptions()[c].selection_ids()[0].clone();
            (c.clone(), vec![first])
        })
        .collect();
    let b = dev
        .encrypt(election, ctx, None, &choices, &mut rng)
        .unwrap();
    dev.challenge(b);
    let (lines, _) = dev.close();
    let challenged = lines[0].clone();
    assert_eq!(challenged.status, "challenged");

    // A wrong vote in the opening: refused.
    let mut wrong = challenged.clone();
    let o = &mut wrong.opening.as_mut().unwrap()[0].selections;
    o[0].vote = 0;
    o[1].vote = 1;
    assert_refused(
        &net,
        &net.submit(&ballot_env(&wrong)),
        422,
        "invalid_entry",
        0,
    );

    // The true opening: accepted.
    let e = ballot_env(&challenged);
    assert_accepted(&net.submit(&e), &e, 0);

    // The same ballot (same confirmation code) now claimed as cast: a replay.
    let mut cast = challenged.clone();
    cast.status = "cast".into();
    cast.opening = None;
    assert_refused(&net, &net.submit(&ballot_env(&cast)), 409, "duplicate", 1);
}

#[test]
fn concurrent_submissions_are_batched_and_a_bad_one_is_refused_alone() {
    let (election, ctx) = setup();
    let (first, _, _) = fixture::stations(election);
    // A long window so that the concurrent submissions meet in one batch.
    let net = Net::start(Duration::from_millis(300));
    let mut rng = fixture::rng(4);
    let mut envs = Vec::new();
    for d in 0..12 {
        let mut dev = fixture::Device::new(election, &format!("dev-b{d}"), &first);
        let mut c = fixture::contests(election, ctx, &first, None, &mut rng);
        if d == 5 {
            let s0 = c[0].selections[0].ciphertext.clone();
            c[0].selections[0].ciphertext = c[0].selections[1].ciphertext.clone();
            c[0].selections[1].ciphertext = s0;
        }
        envs.push(ballot_env(&dev.line(None, c)));
    }
    let url = net.url.clone();
    let handles: Vec<_> = envs
        .iter()
        .cloned()
        .map(|e| {
            let url = url.clone();
            std::thread::spawn(move || Client::new(&url).submit(e.as_bytes()).unwrap())
        })
        .collect();
    let answers: Vec<Answer> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut indices = BTreeSet::new();
    for (d, a) in answers.iter().enumerate() {
        if d == 5 {
            assert_eq!((a.status, error_code(a).as_str()), (422, "invalid_entry"));
        } else {
            assert_eq!(a.status, 201, "ballot {d}: {}", a.text());
            indices.insert(common::json_field(a, "index").as_u64().unwrap());
        }
    }
    assert_eq!(indices, (0..11).collect::<BTreeSet<u64>>());
    assert_eq!(net.size(), 11);
    let batches = net.validator.batches.lock().unwrap().clone();
    assert!(
        batches.iter().any(|&n| n > 1),
        "no batch held more than one entry: {batches:?}"
    );
}

#[test]
fn a_batch_is_judged_entry_by_entry() {
    // Directly: five ballots in one batch, the third with a bad proof, the fifth a copy of
    // the first's confirmation code under another envelope.
    let (election, ctx) = setup();
    let (first, _, _) = fixture::stations(election);
    let v = validator();
    let mut rng = fixture::rng(5);
    let mut envs = Vec::new();
    for d in 0..4 {
        let mut dev = fixture::Device::new(election, &format!("dev-d{d}"), &first);
        let mut c = fixture::contests(election, ctx, &first, None, &mut rng);
        if d == 2 {
            let s0 = c[0].selections[0].ciphertext.clone();
            c[0].selections[0].ciphertext = c[0].selections[1].ciphertext.clone();
            c[0].selections[1].ciphertext = s0;
        }
        envs.push(ballot_env(&dev.line(None, c)));
    }
    envs.push(sign("ballot", envs[0].body().unwrap(), &admin2()));
    let refs: Vec<&Envelope> = envs.iter().collect();
    let out = v.validate_batch(&refs, &NoLog).unwrap();
    assert!(
        out[0].is_ok() && out[1].is_ok() && out[3].is_ok(),
        "{out:?}"
    );
    assert!(
        matches!(&out[2], Err(Rejection::Invalid(m)) if m.starts_with("bad_proof: ballot.contests[0]")),
        "{out:?}"
    );
    assert_eq!(out[4], Err(Rejection::Duplicate));
    // The accepted codes are remembered: the first ballot again is a replay.
    let again = sign("ballot", envs[1].body().unwrap(), &admin2());
    assert_eq!(
        v.validate_batch(&[&again], &NoLog).unwrap(),
        vec![Err(Rejection::Duplicate)]
    );
}

#[test]
fn remote_ballots_with_credentials() {
    let (election, _) = setup();
    let (first, other, kuchi) = fixture::stations(election);
    let net = Net::start(Duration::from_millis(2));

    // Before the list: no remote ballot.
    let early = remote(&voter(1), &first, None, 10);
    assert_refused(&net, &net.submit(&early), 422, "invalid_entry", 0);

    // The list, signed by someone else than the authority: forbidden.
    let list = list_bytes();
    let e = sign("credentials", &list, &admin());
    assert_refused(&net, &net.submit(&e), 403, "forbidden", 0);
    // A list naming another election: refused.
    let text = String::from_utf8(list.clone()).unwrap();
    let wrong = text.replace(&hex::encode(fp().0), &hex::encode([0x11u8; 32]));
    let e = sign("credentials", wrong.as_bytes(), &authority());
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 0);
    // Keys out of order: refused.
    let mut v: serde_json::Value = serde_json::from_slice(&list).unwrap();
    v["credentials"].as_array_mut().unwrap().reverse();
    let e = sign(
        "credentials",
        serde_json::to_string(&v).unwrap().as_bytes(),
        &authority(),
    );
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 0);
    // The list by the authority: accepted.
    let e = sign("credentials", &list, &authority());
    assert_accepted(&net.submit(&e), &e, 0);
    // A second list: refused (one list per election).
    let mut v: serde_json::Value = serde_json::from_slice(&list).unwrap();
    v["credentials"].as_array_mut().unwrap().truncate(1);
    let second = sanduq_record::wire::to_canonical(&v).unwrap();
    let e = sign("credentials", &second, &authority());
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 1);

    // Voter 1 casts: accepted, index 1.
    let b1 = remote(&voter(1), &first, None, 11);
    assert_accepted(&net.submit(&b1), &b1, 1);
    // The identical submission: the original index (§3.1), not a second ballot.
    assert_eq!(net.submit(&b1).status, 200);
    // Voter 3 (kuchi group at its station): accepted.
    let b3 = remote(&voter(3), &kuchi, Some("kuchi"), 12);
    assert_accepted(&net.submit(&b3), &b3, 2);

    // Voter 1's contests re-signed as voter 2's ballot (same station): the proofs are bound
    // to voter 1's credential.
    let body: serde_json::Value = serde_json::from_slice(b1.body().unwrap()).unwrap();
    let contests: Vec<sanduq_record::wire::ContestWire> =
        serde_json::from_value(body["contests"].clone()).unwrap();
    let moved = sign(
        "remote-ballot",
        &fixture::remote_ballot_bytes(&pk(&voter(2)), &first, None, &contests),
        &voter(2),
    );
    assert_refused(&net, &net.submit(&moved), 422, "invalid_entry", 3);

    // A second ballot style on voter 1's credential (another station): refused.
    let e = remote(&voter(1), &other, None, 13);
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 3);
    // Voter 3 without their group: refused.
    let e = remote(&voter(3), &kuchi, None, 14);
    assert_refused(&net, &net.submit(&e), 422, "invalid_entry", 3);

    // A credential not in the list: forbidden.
    let e = remote(&voter(9), &first, None, 15);
    assert_refused(&net, &net.submit(&e), 403, "forbidden", 3);
    // A ballot naming voter 2's credential but signed by voter 1: forbidden.
    let (_, ctx) = setup();
    let mut rng = fixture::rng(16);
    let c = fixture::contests(
        election,
        &ctx.for_credential(&pk(&voter(2))),
        &first,
        None,
        &mut rng,
    );
    let e = sign(
        "remote-ballot",
        &fixture::remote_ballot_bytes(&pk(&voter(2)), &first, None, &c),
        &voter(1),
    );
    assert_refused(&net, &net.submit(&e), 403, "forbidden", 3);

    // Voter 1 casts again, voter 2 once: all accepted.
    let b1b = remote(&voter(1), &first, None, 17);
    assert_accepted(&net.submit(&b1b), &b1b, 3);
    let b2 = remote(&voter(2), &first, None, 18);
    assert_accepted(&net.submit(&b2), &b2, 4);

    // Last one counts, read back from the board: voter 3 at 2, voter 1 at 3 (not 1),
    // voter 2 at 4.
    let client = net.client();
    let entries: Vec<(u64, Envelope)> = (0..net.size())
        .map(|i| {
            let a = client.get(&format!("entry/{i}")).unwrap();
            assert_eq!(a.status, 200);
            (i, Envelope::parse(&a.body).unwrap())
        })
        .collect();
    let counted: Vec<(u64, [u8; 32])> = counted_remote_ballots(entries)
        .into_iter()
        .map(|c| (c.index, c.credential))
        .collect();
    assert_eq!(
        counted,
        vec![(2, pk(&voter(3))), (3, pk(&voter(1))), (4, pk(&voter(2)))]
    );
}

#[test]
fn last_one_counts_in_log_order() {
    let e = |k: &SigningKey, n: u8| sign("remote-ballot", &[n], k);
    let other = sign("ballot", b"x", &admin());
    let log = vec![
        (0, e(&voter(1), 0)),
        (1, other),
        (2, e(&voter(2), 1)),
        (3, e(&voter(1), 2)),
        (4, e(&voter(1), 3)),
    ];
    let counted = counted_remote_ballots(log.clone());
    // By hand: voter 1's last is entry 4, voter 2's only is entry 2; in log order.
    let got: Vec<(u64, [u8; 32])> = counted.iter().map(|c| (c.index, c.credential)).collect();
    assert_eq!(got, vec![(2, pk(&voter(2))), (4, pk(&voter(1)))]);
    assert_eq!(counted[1].envelope, log[4].1);
}

#[test]
fn history_is_reloaded_after_a_restart() {
    let (election, ctx) = setup();
    let (first, _, _) = fixture::stations(election);
    let mut rng = fixture::rng(6);
    let mut dev = fixture::Device::new(election, "dev-r", &first);
    let line = dev.cast(election, ctx, None, &mut rng);
    let dir = tempfile::tempdir().unwrap();
    {
        let mut db = sanduq_board::store::LogDb::open(dir.path()).unwrap();
        let a = ballot_env(&line);
        let l = sign("credentials", &list_bytes(), &authority());
        db.append(0, &[&a, &l]).unwrap();
    }
    let v = validator();
    assert_eq!(v.load_log(dir.path()).unwrap(), 2);
    // The code is known: the same ballot under another envelope is a replay (even though
    // this log view knows no content), and a second list is refused.
    let copy = sign("ballot", &fixture::line_bytes(&line), &admin2());
    let mut list: serde_json::Value = serde_json::from_slice(&list_bytes()).unwrap();
    list["credentials"].as_array_mut().unwrap().truncate(1);
    let second = sign(
        "credentials",
        &sanduq_record::wire::to_canonical(&list).unwrap(),
        &authority(),
    );
    // A remote ballot needs the reloaded list.
    let r = remote(&voter(2), &first, None, 19);
    // Voter 2's contests re-signed by voter 1: proofs bound to voter 2.
    let body: serde_json::Value = serde_json::from_slice(r.body().unwrap()).unwrap();
    let contests: Vec<sanduq_record::wire::ContestWire> =
        serde_json::from_value(body["contests"].clone()).unwrap();
    let moved = sign(
        "remote-ballot",
        &fixture::remote_ballot_bytes(&pk(&voter(1)), &first, None, &contests),
        &voter(1),
    );
    // Voter 3 (kuchi) voting as a voter of no group.
    let (_, _, kuchi) = fixture::stations(election);
    let styled = remote(&voter(3), &kuchi, None, 22);
    let out = v
        .validate_batch(&[&copy, &second, &r, &moved, &styled], &NoLog)
        .unwrap();
    assert_eq!(out[0], Err(Rejection::Duplicate));
    let starts = |r: &Result<(), Rejection>, p: &str| matches!(r, Err(Rejection::Invalid(m)) if m.starts_with(p));
    assert!(starts(&out[1], "credentials_exist: "), "{out:?}");
    assert_eq!(out[2], Ok(()));
    assert!(starts(&out[3], "bad_proof: contests[0]"), "{out:?}");
    assert!(starts(&out[4], "wrong_style: group: "), "{out:?}");
}

#[test]
fn storage_errors_of_the_log_view_stop_the_batch() {
    struct Broken;
    impl LogView for Broken {
        fn contains_content(&self, _: &[u8; 32]) -> Result<bool, String> {
            Err("disk on fire".into())
        }
    }
    let e = sign("record-file", b"file", &admin());
    assert!(validator().validate_batch(&[&e], &Broken).is_err());
}

#[test]
fn credential_list_round_trip_and_issuance() {
    let (election, _) = setup();
    let (first, _, kuchi) = fixture::stations(election);
    let parsed = CredentialList::parse(&list_bytes()).unwrap();
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed.to_bytes(), list_bytes());
    assert_eq!(
        parsed.get(&pk(&voter(3))),
        Some(&Registration {
            station: kuchi.clone(),
            group: Some("kuchi".into())
        })
    );
    let voters = vec![
        Registration {
            station: first.clone(),
            group: None,
        };
        5
    ];
    let (list, secrets) = sanduq_board::credentials::issue(fp().0, &voters, &mut fixture::rng(7));
    assert_eq!(list.len(), 5);
    for s in &secrets {
        assert!(list.get(&s.public_key()).is_some());
        let again = sanduq_board::credentials::VoterCredential::parse(&s.to_json()).unwrap();
        assert_eq!(again.public_key(), s.public_key());
    }
}

#[test]
fn voters_file_names_bad_lines() {
    let (election, _) = setup();
    let (first, _, kuchi) = fixture::stations(election);
    let text = format!(
        "station,group\n{first}\n# comment\n\n{kuchi},kuchi\nnowhere\n{first},martians\n{first},a,b\n"
    );
    let err = sanduq_board::credentials::parse_voters(&text, "voters.csv", election).unwrap_err();
    let lines: Vec<(usize, String)> = err.iter().map(|e| (e.line, e.file.clone())).collect();
    assert_eq!(
        lines,
        vec![
            (6, "voters.csv".into()),
            (7, "voters.csv".into()),
            (8, "voters.csv".into())
        ]
    );
    let ok = format!("{first}\n{kuchi},kuchi\n");
    let v = sanduq_board::credentials::parse_voters(&ok, "v", election).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[1].group.as_deref(), Some("kuchi"));
}

struct NoLog;
impl LogView for NoLog {
    fn contains_content(&self, _: &[u8; 32]) -> Result<bool, String> {
        Ok(false)
    }
}

fn kinds() -> impl Strategy<Value = (&'static str, u8)> {
    prop_oneof![
        Just(("ballot", 0xa1)),
        Just(("record-index", 0xa1)),
        Just(("record-file", 0xa1)),
        Just(("credentials", 0xa2)),
        Just(("remote-ballot", 0xc1)),
        Just(("tally", 0xa1)),
    ]
}

/// A valid artefact of each kind, made once.
fn base(kind: &str) -> &'static [u8] {
    static B: OnceLock<(Vec<u8>, Vec<u8>, Vec<u8>)> = OnceLock::new();
    let (list, remote_ballot, line) = B.get_or_init(|| {
        let (election, ctx) = setup();
        let (first, _, _) = fixture::stations(election);
        let mut dev = fixture::Device::new(election, "dev-p", &first);
        (
            list_bytes(),
            remote(&voter(1), &first, None, 20).body().unwrap().to_vec(),
            fixture::line_bytes(&dev.cast(election, ctx, None, &mut fixture::rng(21))),
        )
    });
    match kind {
        "credentials" => list,
        "remote-ballot" => remote_ballot,
        _ => line,
    }
}

/// A shared validator (its state grows across cases, as on a real board).
fn shared() -> &'static ElectionValidator {
    static V: OnceLock<ElectionValidator> = OnceLock::new();
    V.get_or_init(validator)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_arbitrary_bytes(
        (kind, seed) in kinds(),
        content in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let e = sign(kind, &content, &SigningKey::from_bytes(&[seed; 32]));
        let out = shared().validate_batch(&[&e], &NoLog).unwrap();
        prop_assert_eq!(out.len(), 1);
    }

    #[test]
    fn never_panics_on_mutated_json(
        (kind, seed) in kinds(),
        flip in any::<usize>(),
        to in prop_oneof![Just(b'{'), Just(b'"'), Just(b'0'), Just(b'a'), Just(b','), Just(b']')],
    ) {
        // Mutate a real artefact of the kind by one byte.
        let mut bytes = base(kind).to_vec();
        let i = flip % bytes.len();
        bytes[i] = to;
        let e = sign(kind, &bytes, &SigningKey::from_bytes(&[seed; 32]));
        let out = shared().validate_batch(&[&e], &NoLog).unwrap();
        prop_assert_eq!(out.len(), 1);
    }
}

#[test]
fn polls_closed_ends_remote_voting() {
    let (election, ctx) = setup();
    let (first, _, kuchi) = fixture::stations(election);
    let v = validator();
    let ok = |r: &Result<(), Rejection>| r.is_ok();
    let closed = |r: &Result<(), Rejection>| matches!(r, Err(Rejection::Invalid(t)) if t.starts_with("polls_closed: "));
    let close = sanduq_board::credentials::PollsClosed::new(fp().0).to_bytes();
    assert_eq!(
        String::from_utf8(close.clone()).unwrap(),
        format!(
            "{{\"election\":\"{}\",\"format\":\"sanduq-polls-closed/0.1\"}}",
            hex::encode(fp().0)
        )
    );
    // Not by an administrator: forbidden. For another election: refused.
    let by_outsider = sign("polls-closed", &close, &outsider());
    let other = sanduq_board::credentials::PollsClosed::new([0x11; 32]).to_bytes();
    let wrong = sign("polls-closed", &other, &admin());
    let r = v.validate_batch(&[&by_outsider, &wrong], &NoLog).unwrap();
    assert_eq!(r[0], Err(Rejection::Unauthorised));
    assert!(
        matches!(&r[1], Err(Rejection::Invalid(t)) if t.starts_with("wrong_election: ")),
        "{r:?}"
    );
    // In one batch: the list, a remote ballot, the closing, a remote ballot after it, a
    // second closing (another administrator, so other bytes are not the point).
    let list = sign("credentials", &list_bytes(), &authority());
    let before = remote(&voter(1), &first, None, 31);
    let closing = sign("polls-closed", &close, &admin());
    let after = remote(&voter(2), &first, None, 32);
    let again = sign("polls-closed", &close, &admin2());
    let r = v
        .validate_batch(&[&list, &before, &closing, &after, &again], &NoLog)
        .unwrap();
    assert!(ok(&r[0]) && ok(&r[1]) && ok(&r[2]), "{r:?}");
    assert!(closed(&r[3]) && closed(&r[4]), "{r:?}");
    // Later batches: remote ballots refused; a station's ballot still enters (the devices'
    // ballots are published after the polls close).
    let late = remote(&voter(3), &kuchi, Some("kuchi"), 33);
    let mut rng = fixture::rng(34);
    let mut device = fixture::Device::new(election, "dev-late", &first);
    let line = device.cast(election, ctx, None, &mut rng);
    let station_ballot = ballot_env(&line);
    let r = v.validate_batch(&[&late, &station_ballot], &NoLog).unwrap();
    assert!(closed(&r[0]), "{r:?}");
    assert!(ok(&r[1]), "{r:?}");
    // After a restart, the closing is remembered from the log.
    let fresh = validator();
    fresh
        .replay([(0, &list), (1, &before), (2, &closing)])
        .unwrap();
    let r = fresh.validate_batch(&[&late], &NoLog).unwrap();
    assert!(closed(&r[0]), "{r:?}");
}

#[test]
fn a_credential_list_too_large_for_an_entry_is_stored_beside_the_log() {
    // 1,000 voters: the list (about 100 bytes a voter) exceeds one entry's 65,535 bytes, so
    // its envelope commits to it and the list is uploaded beside the log first.
    let (election, _) = setup();
    let (first, _, kuchi) = fixture::stations(election);
    let mut voters = BTreeMap::new();
    voters.insert(
        pk(&voter(1)),
        Registration {
            station: first.clone(),
            group: None,
        },
    );
    voters.insert(
        pk(&voter(3)),
        Registration {
            station: kuchi.clone(),
            group: Some("kuchi".into()),
        },
    );
    for n in 0..998u32 {
        let mut seed = [0u8; 32];
        seed[..4].copy_from_slice(&n.to_be_bytes());
        seed[31] = 0x5a;
        voters.insert(
            pk(&SigningKey::from_bytes(&seed)),
            Registration {
                station: first.clone(),
                group: None,
            },
        );
    }
    let list = CredentialList::new(fp().0, voters).to_bytes();
    assert!(list.len() > 65_535, "{} bytes", list.len());
    let entry = Envelope::sign("credentials", fp(), &list, false, &authority()).unwrap();
    assert!(entry.body().is_none());

    let net = Net::start(Duration::from_millis(2));
    // Not uploaded: refused, nothing stored.
    assert_refused(&net, &net.submit(&entry), 422, "missing_artefact", 0);
    // Uploaded, then the entry: accepted; the list is judged like an inline one.
    let a = net
        .client()
        .put_artefact(&hex::encode(entry.content_hash()), &list)
        .unwrap();
    assert!(a.status == 201 || a.status == 200, "{}", a.text());
    assert_accepted(&net.submit(&entry), &entry, 0);
    let b1 = remote(&voter(1), &first, None, 41);
    assert_accepted(&net.submit(&b1), &b1, 1);
    // A voter outside the list is still refused.
    let stranger = remote(&voter(2), &first, None, 42);
    assert_refused(&net, &net.submit(&stranger), 403, "forbidden", 2);

    // A list of another election stored beside the log: refused.
    let net2 = Net::start(Duration::from_millis(2));
    let mut other: serde_json::Value = serde_json::from_slice(&list).unwrap();
    other["election"] = serde_json::Value::String(hex::encode([0x11u8; 32]));
    let other = sanduq_record::wire::to_canonical(&other).unwrap();
    let wrong = Envelope::sign("credentials", fp(), &other, false, &authority()).unwrap();
    net2.client()
        .put_artefact(&hex::encode(wrong.content_hash()), &other)
        .unwrap();
    assert_refused(&net2, &net2.submit(&wrong), 422, "invalid_entry", 0);

    // A validator started on the data directory reads the list back from beside the log.
    let fresh = validator();
    assert_eq!(fresh.load_log(&net._dir.path().join("board")).unwrap(), 2);
    let b3 = remote(&voter(3), &kuchi, Some("kuchi"), 43);
    assert_eq!(fresh.validate_batch(&[&b3], &NoLog).unwrap(), vec![Ok(())]);
}

//! What the booth casts, judged by the board's own election validator
//! (`sanduq_board::election_validator::ElectionValidator`).
//!
//! The credentials are issued by the board's issuing code and published as the `credentials`
//! entry; the voter's secret credential file is handed to the booth's browser entry points
//! (`encrypt_ballot_with_credential`, then `cast_ballot`), called natively. The expected
//! verdicts are those of the board-entry contract and `docs/spec/board-server.md` §8–§9:
//! a remote ballot is signed by the credential it names, the credential is in the published
//! list, its station and group are the list's, its contests are that ballot style's, every
//! proof is made in the credential's context (crypto.md §9.4), a byte-identical artefact is a
//! replay (`409 duplicate`), and a voter may cast again.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::SigningKey;
use rand_core::SeedableRng as _;
use sanduq_board::credentials::{Registration, VoterCredential, issue};
use sanduq_board::election_validator::{ElectionSetup, ElectionValidator};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::validator::{EntryValidator, LogView, Rejection};
use sanduq_booth_wasm::board::Cast;
use sanduq_booth_wasm::{Encrypted, Setup, SetupContest};
use sanduq_crypto::{BallotContext, ElectionKey, Element};
use sanduq_election::Manifest;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::protocol::Election;
use sha2::{Digest as _, Sha256};

/// The demo manifest (34 provinces, a `kuchi` voter group), every contest cut to one seat
/// and at most three candidates so that ballots stay small.
fn manifest() -> Manifest {
    let mut raw = generate(&DemoParams {
        voters: 150,
        privacy_threshold: 2,
        kuchi_permille: 60,
        seed: 11,
        ..DemoParams::default()
    })
    .unwrap()
    .to_raw();
    for c in &mut raw.contests {
        c.seats = c.seats.min(1);
        if c.reserved_women.is_some() {
            c.reserved_women = Some(0);
        }
        c.candidates.truncate(3);
    }
    Manifest::from_raw(&raw).unwrap()
}

/// The election, the joint key `x·G` of a fixed secret `x`, and its ballot context.
fn election() -> (Election, Element, BallotContext) {
    let election = Election::setup(manifest(), b"sanduq booth validator tests").unwrap();
    let key = Element::from_point(
        "joint key",
        RISTRETTO_BASEPOINT_POINT * Scalar::from(31_415_926u64),
    )
    .unwrap();
    let ctx = BallotContext {
        fingerprint: *election.fingerprint(),
        key: ElectionKey::new(key),
    };
    (election, key, ctx)
}

/// The booth's public values for a voter of `group` at `station`, built as the portal
/// builds them from the manifest: the ballot style's contests in order, each with its
/// candidates in ballot order and its `max_selections`.
fn booth_setup(
    election: &Election,
    key: &Element,
    fingerprint: [u8; 32],
    station: &str,
    group: Option<&str>,
) -> Setup {
    let contests = election
        .style(station, group)
        .unwrap()
        .iter()
        .map(|id| {
            let c = election.manifest().contest(id).unwrap();
            SetupContest {
                contest: id.clone(),
                selections: c
                    .candidates
                    .iter()
                    .map(|k| k.id.as_str().to_owned())
                    .collect(),
                max_selections: u64::from(c.max_selections),
            }
        })
        .collect();
    Setup {
        fingerprint: hex::encode(fingerprint),
        joint_key: key.to_hex(),
        contests,
    }
}

/// A vote for the candidate `pick` (modulo the list) of every contest.
fn choices(setup: &Setup, pick: usize) -> String {
    let m: BTreeMap<&str, Vec<&str>> = setup
        .contests
        .iter()
        .map(|c| {
            let k = &c.selections[pick % c.selections.len()];
            (c.contest.as_str(), vec![k.as_str()])
        })
        .collect();
    serde_json::to_string(&m).unwrap()
}

/// What the browser does: encrypt with the credential file, then sign the entry. Both are
/// the `#[wasm_bindgen]` entry points, called with the same JSON strings.
fn booth(setup: &Setup, credential: &str, pick: usize, seed: u8) -> (String, Encrypted, Cast) {
    let setup_json = serde_json::to_string(setup).unwrap();
    let seed_hex = hex::encode([seed; 32]);
    let encrypted = sanduq_booth_wasm::encrypt_ballot_with_credential(
        &setup_json,
        &choices(setup, pick),
        &seed_hex,
        credential,
    )
    .unwrap_or_else(|_| panic!("the booth refused to encrypt"));
    let cast = sanduq_booth_wasm::cast_ballot(credential, &encrypted)
        .unwrap_or_else(|_| panic!("the booth refused to cast"));
    let e: Encrypted = serde_json::from_str(&encrypted).unwrap();
    let c: Cast = serde_json::from_str(&cast).unwrap();
    (encrypted, e, c)
}

fn envelope(cast: &Cast) -> Envelope {
    Envelope::parse(&hex::decode(&cast.envelope).unwrap()).unwrap()
}

/// The committed log as the validator sees it: the artefact hashes of accepted entries.
#[derive(Default)]
struct Log(RefCell<BTreeSet<[u8; 32]>>);

impl LogView for Log {
    fn contains_content(&self, content_hash: &[u8; 32]) -> Result<bool, String> {
        Ok(self.0.borrow().contains(content_hash))
    }
}

/// The validator and the log it guards; each submission is one batch, appended if accepted.
struct Board {
    validator: ElectionValidator,
    log: Log,
}

impl Board {
    fn submit(&self, e: &Envelope) -> Result<(), Rejection> {
        let out = self.validator.validate_batch(&[e], &self.log).unwrap();
        assert_eq!(out.len(), 1, "one verdict per entry");
        let verdict = out.into_iter().next().unwrap();
        if verdict.is_ok() {
            self.log.0.borrow_mut().insert(e.content_hash());
        }
        verdict
    }
}

/// Asserts a `422 invalid_entry` whose text starts with `<reason>: <field>`
/// (board-server.md §8.3).
fn assert_invalid(verdict: Result<(), Rejection>, reason_and_field: &str, what: &str) {
    match verdict {
        Err(r @ Rejection::Invalid(_)) => {
            assert_eq!(r.status_code(), (422, "invalid_entry"), "{what}");
            let Rejection::Invalid(text) = r else {
                unreachable!()
            };
            assert!(
                text.starts_with(reason_and_field),
                "{what}: {text:?} is not `{reason_and_field}…`"
            );
        }
        other => panic!("{what}: expected 422 {reason_and_field}, got {other:?}"),
    }
}

fn assert_status(verdict: Result<(), Rejection>, want: (u16, &str), what: &str) {
    match verdict {
        Err(r) => assert_eq!(r.status_code(), want, "{what}: {r:?}"),
        Ok(()) => panic!("{what}: accepted, expected {want:?}"),
    }
}

#[test]
fn the_validator_accepts_what_the_booth_casts_and_refuses_its_copies() {
    let (election, key, ctx) = election();
    let fp = *election.fingerprint().as_bytes();

    // Two stations whose ballot styles (voters in no group) differ.
    let stations: Vec<String> = election
        .manifest()
        .polling_stations()
        .iter()
        .map(|s| s.id.as_str().to_owned())
        .collect();
    let home = stations[0].clone();
    let home_style = election.style(&home, None).unwrap();
    let away = stations
        .iter()
        .find(|s| election.style(s, None).unwrap() != home_style)
        .unwrap()
        .clone();

    // Two voters registered at `home`, credentials issued by the board's issuing code.
    let reg = Registration {
        station: home.clone(),
        group: None,
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let (list, secrets) = issue(fp, &[reg.clone(), reg.clone()], &mut rng);
    assert_eq!(list.len(), 2);
    let file = |c: &VoterCredential| String::from_utf8(c.to_json().to_vec()).unwrap();
    let (cred1, cred2) = (file(&secrets[0]), file(&secrets[1]));
    let pk1 = secrets[0].public_key();

    let authority = SigningKey::from_bytes(&[0xa2; 32]);
    let board = Board {
        validator: ElectionValidator::new(ElectionSetup {
            election: election.clone(),
            context: ctx,
            administrators: BTreeSet::from([SigningKey::from_bytes(&[0xa1; 32])
                .verifying_key()
                .to_bytes()]),
            credential_authority: authority.verifying_key().to_bytes(),
        })
        .unwrap(),
        log: Log::default(),
    };

    let setup = booth_setup(&election, &key, fp, &home, None);
    assert!(!setup.contests.is_empty());
    let (enc1_json, enc1, cast1) = booth(&setup, &cred1, 0, 1);
    let env1 = envelope(&cast1);

    // Before the list is on the board, no remote ballot is accepted (§8.3 no_credentials).
    assert_invalid(
        board.submit(&env1),
        "no_credentials: credential",
        "ballot before the list",
    );

    // The list, signed by the credential authority, goes on first.
    let list_env = Envelope::sign(
        "credentials",
        Fingerprint(fp),
        &list.to_bytes(),
        true,
        &authority,
    )
    .unwrap();
    board.submit(&list_env).unwrap();

    // Voter 1's ballot, as the browser makes it: accepted.
    assert_eq!(board.submit(&env1), Ok(()), "the booth's ballot");
    // It is the contract's entry: kind, election, signer = credential; its receipt is the
    // envelope's tracking code, SHA-256 of the envelope bytes (board-server.md §2.1), and the
    // code shown before casting is that receipt.
    assert_eq!(env1.kind(), "remote-ballot");
    assert_eq!(env1.election(), Fingerprint(fp));
    assert_eq!(env1.signer(), pk1);
    assert_eq!(cast1.credential, hex::encode(pk1));
    let sha = hex::encode(Sha256::digest(hex::decode(&cast1.envelope).unwrap()));
    assert_eq!(cast1.tracking_code, sha);
    assert_eq!(env1.tracking_code().to_string(), sha);
    assert_eq!(enc1.code, sha);

    // The same envelope again: a replay.
    assert_status(board.submit(&env1), (409, "duplicate"), "replayed envelope");
    // The same artefact twice in one batch: the second is a replay (§8.2).
    let (_, _, again) = booth(&setup, &cred1, 1, 2);
    let again = envelope(&again);
    let out = board
        .validator
        .validate_batch(&[&again, &again], &board.log)
        .unwrap();
    assert_eq!(out[0], Ok(()), "a voter may cast again");
    assert_status(out[1].clone(), (409, "duplicate"), "replay within a batch");
    board.log.0.borrow_mut().insert(again.content_hash());

    // Voter 1's encrypted contests cast by the booth under voter 2's credential (same
    // station, so the same style): the proofs are bound to voter 1.
    let moved = sanduq_booth_wasm::cast_ballot(&cred2, &enc1_json)
        .unwrap_or_else(|_| panic!("the booth refused to cast"));
    let moved = envelope(&serde_json::from_str(&moved).unwrap());
    assert_eq!(moved.signer(), secrets[1].public_key());
    assert_invalid(
        board.submit(&moved),
        "bad_proof: contests[0]",
        "voter 1's contests under voter 2",
    );
    // Voter 1's artefact byte for byte under voter 2's signature: the signer is not the
    // credential it names (403), and the artefact is already on the log (409); either
    // refusal is the contract's.
    let resigned = Envelope::sign(
        "remote-ballot",
        Fingerprint(fp),
        env1.body().unwrap(),
        true,
        &secrets[1].signing_key(),
    )
    .unwrap();
    assert!(
        matches!(
            board.submit(&resigned),
            Err(Rejection::Unauthorised | Rejection::Duplicate)
        ),
        "voter 1's artefact signed by voter 2"
    );

    // Voter 1's credential file claiming another station: the ballot's station is not the
    // list's.
    let elsewhere = cred1.replace(
        &format!(r#""station":"{home}""#),
        &format!(r#""station":"{away}""#),
    );
    assert_ne!(elsewhere, cred1);
    let away_setup = booth_setup(&election, &key, fp, &away, None);
    let (_, _, c) = booth(&away_setup, &elsewhere, 0, 3);
    assert_invalid(
        board.submit(&envelope(&c)),
        "wrong_style: station",
        "a ballot of another station",
    );
    // ... or claiming a voter group: the group is not the list's.
    let grouped = cred1.replace(r#","secret""#, r#","group":"kuchi","secret""#);
    assert_ne!(grouped, cred1);
    let (_, _, c) = booth(&setup, &grouped, 0, 4);
    assert_invalid(
        board.submit(&envelope(&c)),
        "wrong_style: group",
        "a ballot of another group",
    );
    // The true credential with another station's contests: not the credential's style.
    let (_, _, c) = booth(&away_setup, &cred1, 0, 5);
    assert_invalid(
        board.submit(&envelope(&c)),
        "wrong_style: contests",
        "another station's contests",
    );

    // A credential of this election that is not in the list.
    let stranger = VoterCredential::from_seed(fp, reg.clone(), &[0x33; 32]);
    assert!(list.get(&stranger.public_key()).is_none());
    let (_, _, c) = booth(&setup, &file(&stranger), 0, 6);
    assert_status(
        board.submit(&envelope(&c)),
        (403, "forbidden"),
        "a credential not in the list",
    );

    // A ballot encrypted for another election's fingerprint, with voter 1's key.
    let other_fp = [0x66; 32];
    let other_setup = booth_setup(&election, &key, other_fp, &home, None);
    let other_cred = cred1.replace(&hex::encode(fp), &hex::encode(other_fp));
    assert_ne!(other_cred, cred1);
    let (other_json, _, c) = booth(&other_setup, &other_cred, 0, 7);
    // As the booth casts it, the envelope names the other election.
    assert_invalid(
        board.submit(&envelope(&c)),
        "wrong_election: envelope.election",
        "an entry of another election",
    );
    // Cast under the true credential, the envelope names this election, but the proofs
    // were made for the other one.
    let c = sanduq_booth_wasm::cast_ballot(&cred1, &other_json)
        .unwrap_or_else(|_| panic!("the booth refused to cast"));
    assert_invalid(
        board.submit(&envelope(&serde_json::from_str(&c).unwrap())),
        "bad_proof: contests[0]",
        "proofs of another election",
    );

    // Only the two ballots of voter 1 and the list entered the log.
    assert_eq!(board.log.0.borrow().len(), 3);
}

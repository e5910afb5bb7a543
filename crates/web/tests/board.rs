//! The receipt check against the bulletin board, on the server: receipts built here with
//! `sanduq-tlog` (a Merkle tree of real envelopes, a checkpoint signed by a log key and
//! cosigned by witnesses), served by a stand-in board on a loopback port, checked by the
//! portal and shown in every locale; tampered proofs and checkpoints are refused.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::receipt::Receipt;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::{Quiet, RunOptions, run_election, synthetic_voters};
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::CosignatureSigner;
use sanduq_tlog::merkle::Tree;
use sanduq_tlog::signed_note::{Ed25519Signer, KeyName, Note};
use sanduq_web::Portal;
use sanduq_web::board::{BoardCheck, BoardLink, Cosigned, Lookup, check_receipt};
use sanduq_web::i18n::Locale;
use tower::ServiceExt;

const ORIGIN: &str = "board.test.example/af";

fn log_signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(KeyName::new(ORIGIN).unwrap(), &[31; 32])
}

fn witness(i: u8) -> CosignatureSigner {
    CosignatureSigner::from_seed(
        KeyName::new(&format!("w{i}.example")).unwrap(),
        &[40 + i; 32],
    )
}

/// Four remote-ballot entries in a log of size 4; the checkpoint is signed by the log and
/// cosigned by witnesses 1 and 2 at time 1000.
struct Log {
    entries: Vec<Vec<u8>>,
    tree: Tree,
    checkpoint: SignedCheckpoint,
}

fn log() -> Log {
    let voter = SigningKey::from_bytes(&[9; 32]);
    let entries: Vec<Vec<u8>> = (0..4)
        .map(|i| {
            let body = format!(
                r#"{{"contests":[],"credential":"{}","format":"sanduq-remote-ballot/0.1","station":"st-{i}"}}"#,
                hex::encode(voter.verifying_key().to_bytes())
            );
            Envelope::sign(
                "remote-ballot",
                Fingerprint([7; 32]),
                body.as_bytes(),
                true,
                &voter,
            )
            .unwrap()
            .as_bytes()
            .to_vec()
        })
        .collect();
    let mut tree = Tree::new();
    for e in &entries {
        tree.append_entry(e);
    }
    let text = Checkpoint::new(ORIGIN, 4, tree.root()).unwrap().to_text();
    let sigs = vec![
        log_signer().sign(&text).unwrap(),
        witness(1).sign(&text, 1000).unwrap(),
        witness(2).sign(&text, 1000).unwrap(),
    ];
    let checkpoint = SignedCheckpoint::from_note(Note::new(text, sigs).unwrap()).unwrap();
    Log {
        entries,
        tree,
        checkpoint,
    }
}

fn receipt(log: &Log, i: usize) -> Receipt {
    Receipt {
        index: i as u64,
        entry: log.entries[i].clone(),
        proof: log.tree.inclusion_proof(i as u64, 4).unwrap(),
        checkpoint: log.checkpoint.clone(),
    }
}

fn code(entry: &[u8]) -> String {
    sanduq_board::envelope::TrackingCode::of(entry).to_string()
}

fn link(url: &str, witnesses: &[u8], quorum: Option<usize>) -> BoardLink {
    let ws: Vec<String> = witnesses
        .iter()
        .map(|i| witness(*i).verifier().to_vkey())
        .collect();
    BoardLink::new(url, &log_signer().verifier().to_vkey(), &ws, quorum).unwrap()
}

fn checked(l: Lookup) -> BoardCheck {
    match l {
        Lookup::Checked(c) => *c,
        other => panic!("not checked: {other:?}"),
    }
}

#[test]
fn a_good_receipt_shows_every_step_passed() {
    let log = log();
    let l = link("http://127.0.0.1:1", &[1, 2], None);
    for i in 0..4 {
        let c = checked(check_receipt(
            &l,
            &code(&log.entries[i]),
            &receipt(&log, i).to_bytes(),
            2000,
        ));
        assert_eq!(c.verdict, Ok(()), "entry {i}");
        assert!(c.entry_ok && c.log_signature && c.inclusion);
        assert_eq!((c.index, c.size), (i as u64, 4));
        assert_eq!(c.kind.as_deref(), Some("remote-ballot"));
        assert_eq!(c.station, Some(format!("st-{i}")));
        assert_eq!(c.origin, ORIGIN);
        // in a tree of 4 leaves every audit path has 2 hashes (RFC 9162 §2.1.3)
        assert_eq!(c.proof.len(), 2);
        assert_eq!(
            c.witnesses,
            vec![
                ("w1.example".to_owned(), Cosigned::Valid(1000)),
                ("w2.example".to_owned(), Cosigned::Valid(1000)),
            ]
        );
    }
}

#[test]
fn a_tampered_proof_is_refused() {
    let log = log();
    let l = link("http://127.0.0.1:1", &[1, 2], None);
    let mut r = receipt(&log, 2);
    r.proof[0].0[31] ^= 0x80;
    let c = checked(check_receipt(
        &l,
        &code(&log.entries[2]),
        &r.to_bytes(),
        2000,
    ));
    assert!(!c.inclusion);
    assert!(c.log_signature, "the checkpoint itself is genuine");
    let e = c.verdict.unwrap_err();
    assert!(e.contains("inclusion proof"), "{e}");
    // another entry's proof
    let mut r = receipt(&log, 2);
    r.proof = log.tree.inclusion_proof(1, 4).unwrap();
    let c = checked(check_receipt(
        &l,
        &code(&log.entries[2]),
        &r.to_bytes(),
        2000,
    ));
    assert!(!c.inclusion && c.verdict.is_err());
}

#[test]
fn a_tampered_checkpoint_is_refused() {
    let log = log();
    let l = link("http://127.0.0.1:1", &[1, 2], None);
    // the root line of the signed note replaced by another root: no signature verifies
    let note = String::from_utf8(log.checkpoint.note().to_bytes()).unwrap();
    let root = sanduq_tlog::checkpoint::Checkpoint::parse(log.checkpoint.note().text())
        .unwrap()
        .to_text();
    let other = Checkpoint::new(ORIGIN, 4, log.tree.root_at(3).unwrap())
        .unwrap()
        .to_text();
    let forged = note.replacen(&root, &other, 1);
    assert_ne!(forged, note);
    let mut r = receipt(&log, 0);
    r.checkpoint = SignedCheckpoint::parse(forged.as_bytes()).unwrap();
    let c = checked(check_receipt(
        &l,
        &code(&log.entries[0]),
        &r.to_bytes(),
        2000,
    ));
    assert!(!c.log_signature);
    assert!(c.witnesses.iter().all(|(_, s)| *s == Cosigned::Invalid));
    assert!(c.verdict.is_err());
    // a checkpoint signed by another log key
    let stranger = Ed25519Signer::from_seed(KeyName::new(ORIGIN).unwrap(), &[99; 32]);
    let text = log.checkpoint.note().text().to_owned();
    let sigs = vec![
        stranger.sign(&text).unwrap(),
        witness(1).sign(&text, 1000).unwrap(),
        witness(2).sign(&text, 1000).unwrap(),
    ];
    let mut r = receipt(&log, 0);
    r.checkpoint = SignedCheckpoint::from_note(Note::new(text, sigs).unwrap()).unwrap();
    let c = checked(check_receipt(
        &l,
        &code(&log.entries[0]),
        &r.to_bytes(),
        2000,
    ));
    assert!(!c.log_signature && c.inclusion && c.verdict.is_err());
}

#[test]
fn witnesses_are_counted_against_the_quorum() {
    let log = log();
    let bytes = receipt(&log, 1).to_bytes();
    let c1 = code(&log.entries[1]);
    // witness 3 never cosigned: 2 of (1, 3) fails, 1 of them passes
    let c = checked(check_receipt(
        &link("http://x", &[1, 3], Some(2)),
        &c1,
        &bytes,
        2000,
    ));
    assert_eq!(c.witnesses[1], ("w3.example".to_owned(), Cosigned::Missing));
    assert!(c.verdict.is_err());
    let c = checked(check_receipt(
        &link("http://x", &[1, 3], Some(1)),
        &c1,
        &bytes,
        2000,
    ));
    assert_eq!(c.verdict, Ok(()));
    // cosignatures dated after now
    let c = checked(check_receipt(
        &link("http://x", &[1, 2], None),
        &c1,
        &bytes,
        999,
    ));
    assert_eq!(c.witnesses[0].1, Cosigned::Future(1000));
    assert!(c.verdict.is_err());
}

#[test]
fn a_receipt_of_another_code_or_garbage_is_malformed() {
    let log = log();
    let l = link("http://x", &[1, 2], None);
    let bytes = receipt(&log, 1).to_bytes();
    assert!(matches!(
        check_receipt(&l, &code(&log.entries[0]), &bytes, 2000),
        Lookup::Malformed(_)
    ));
    assert!(matches!(
        check_receipt(&l, &code(&log.entries[1]), b"hello\n", 2000),
        Lookup::Malformed(_)
    ));
}

#[test]
fn board_settings_are_checked() {
    let w = witness(1).verifier().to_vkey();
    let lk = log_signer().verifier().to_vkey();
    assert!(BoardLink::new("ftp://x", &lk, std::slice::from_ref(&w), None).is_err());
    // the witness key given as the log key, and the other way round
    assert!(BoardLink::new("http://x", &w, std::slice::from_ref(&w), None).is_err());
    assert!(BoardLink::new("http://x", &lk, std::slice::from_ref(&lk), None).is_err());
    assert!(BoardLink::new("http://x", &lk, std::slice::from_ref(&w), Some(2)).is_err());
    assert!(BoardLink::new("http://x", &lk, &[], None).is_err());
    assert!(BoardLink::new("http://x/", &lk, &[w], None).is_ok());
}

// ---------------------------------------------------------------- through the portal

/// The stand-in board's answers: receipts by code; codes announced as not yet published;
/// and the last `POST /entry` body.
#[derive(Default)]
struct Stand {
    receipts: BTreeMap<String, Vec<u8>>,
    pending: Vec<String>,
    posted: std::sync::Mutex<Vec<Vec<u8>>>,
}

async fn proof(State(s): State<Arc<Stand>>, Path(code): Path<String>) -> Response {
    if let Some(r) = s.receipts.get(&code) {
        return (StatusCode::OK, r.clone()).into_response();
    }
    let err = if s.pending.contains(&code) {
        "not_yet_published"
    } else {
        "not_found"
    };
    (StatusCode::NOT_FOUND, format!("{{\"error\":\"{err}\"}}\n")).into_response()
}

async fn entry(State(s): State<Arc<Stand>>, body: Bytes) -> Response {
    s.posted.lock().unwrap().push(body.to_vec());
    let code = code(&body);
    (
        StatusCode::CREATED,
        format!("{{\"index\":4,\"tracking_code\":\"{code}\",\"new\":true}}\n"),
    )
        .into_response()
}

fn election_files() -> sanduq_record::store::Files {
    static F: OnceLock<sanduq_record::store::Files> = OnceLock::new();
    F.get_or_init(|| {
        let params = DemoParams {
            voters: 700,
            seed: 5,
            ..DemoParams::default()
        };
        let manifest = generate(&params).unwrap();
        let options = RunOptions::standard(5).unwrap();
        let election =
            sanduq_record::protocol::Election::setup(manifest.clone(), &options.generator_seed)
                .unwrap();
        let voters = synthetic_voters(&election, 5, 0).unwrap();
        run_election(manifest, &voters, &options, &Quiet)
            .unwrap()
            .files
    })
    .clone()
}

/// The message `id` of locale `l`, read from its message file, HTML-escaped as a page
/// shows it.
fn message(l: Locale, id: &str) -> String {
    let file = match l.tag() {
        "en" => include_str!("../locales/en.ftl"),
        "fa-AF" => include_str!("../locales/fa-AF.ftl"),
        "ps" => include_str!("../locales/ps.ftl"),
        _ => include_str!("../locales/uz-Arab.ftl"),
    };
    let prefix = format!("{id} = ");
    file.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{id} missing in {}", l.tag()))
        .to_owned()
}

fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipt_pages_in_every_locale() {
    let log = log();
    let good = code(&log.entries[0]);
    let tampered = code(&log.entries[1]);
    let pending = code(&log.entries[2]);
    let unknown = code(&log.entries[3]);
    let mut bad = receipt(&log, 1);
    bad.proof[1].0[0] ^= 1;
    let stand = Arc::new(Stand {
        receipts: BTreeMap::from([
            (good.clone(), receipt(&log, 0).to_bytes()),
            (tampered.clone(), bad.to_bytes()),
        ]),
        pending: vec![pending.clone()],
        posted: std::sync::Mutex::default(),
    });
    let app = Router::new()
        .route("/proof/{code}", get(proof))
        .route("/entry", post(entry))
        .with_state(Arc::clone(&stand));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let portal = Arc::new(
        Portal::from_files(election_files(), 0)
            .unwrap()
            .with_board(link(&url, &[1, 2], None)),
    );
    let get = |path: String| {
        let portal = Arc::clone(&portal);
        async move {
            let resp = sanduq_web::router(portal)
                .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = resp.status();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            (status, unescape(std::str::from_utf8(&bytes).unwrap()))
        }
    };
    for l in Locale::ALL {
        let tag = l.tag();
        let m = |id: &str| message(l, id);
        let (status, page) = get(format!("/{tag}/receipt?code={good}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(&m("board-verified")), "{tag}: good receipt");
        assert!(page.contains(&good) && page.contains(ORIGIN));
        assert!(page.contains(&m("board-sig-ok")) && page.contains(&m("board-inclusion-ok")));
        assert_eq!(page.matches(&m("board-cosig-ok")).count(), 2, "{tag}");
        // the proof hashes are listed, leaf to root
        let proof = receipt(&log, 0).proof;
        let p0 = base64_of(&proof[0].0);
        let p1 = base64_of(&proof[1].0);
        let (a, b) = (page.find(&p0).unwrap(), page.find(&p1).unwrap());
        assert!(a < b, "{tag}: proof order");

        let (_, page) = get(format!("/{tag}/receipt?code={tampered}")).await;
        assert!(page.contains(&m("board-failed")), "{tag}: tampered proof");
        assert!(page.contains(&m("board-inclusion-bad")), "{tag}");
        assert!(!page.contains(&m("board-verified")), "{tag}");

        let (_, page) = get(format!("/{tag}/receipt?code={unknown}")).await;
        assert!(page.contains(&m("board-not-found")), "{tag}: unknown code");
        let (_, page) = get(format!("/{tag}/receipt?code={pending}")).await;
        assert!(
            page.contains(&m("board-not-yet")),
            "{tag}: not yet published"
        );
        let (_, page) = get(format!("/{tag}/receipt?code=12-34-zz")).await;
        assert!(page.contains(&m("receipt-bad-code")), "{tag}: wrong code");
        // the booth offers sign-in when a board is configured
        let (_, page) = get(format!("/{tag}/booth")).await;
        assert!(page.contains(&m("booth-signin-heading")), "{tag}: sign-in");
        // and says so in the page's language when the board has closed remote voting
        assert!(
            page.contains(&format!("data-cast-closed=\"{}\"", m("booth-cast-closed"))),
            "{tag}: closed message"
        );
    }

    // the browser's own check reads the board's receipt through the portal, unchanged
    let (status, body) = get(format!("/board/proof/{good}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_bytes(), &receipt(&log, 0).to_bytes()[..]);

    // POST /cast goes to the board's POST /entry, and its answer comes back
    let envelope = log.entries[3].clone();
    let resp = sanduq_web::router(Arc::clone(&portal))
        .oneshot(
            Request::builder()
                .method("POST")
                .uri("/cast")
                .body(Body::from(envelope.clone()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["tracking_code"], unknown.as_str());
    assert_eq!(
        stand.posted.lock().unwrap().as_slice(),
        std::slice::from_ref(&envelope)
    );
    // anything but a signed remote ballot stays here
    let key = SigningKey::from_bytes(&[3; 32]);
    let other = Envelope::sign("record-index", Fingerprint([7; 32]), b"{}", true, &key).unwrap();
    let mut forged = envelope.clone();
    *forged.last_mut().unwrap() ^= 1;
    for body in [other.as_bytes().to_vec(), forged, b"hello".to_vec()] {
        let resp = sanduq_web::router(Arc::clone(&portal))
            .oneshot(
                Request::builder()
                    .method("POST")
                    .uri("/cast")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(
        stand.posted.lock().unwrap().len(),
        1,
        "forwarded to the board"
    );
}

#[tokio::test]
async fn ballot_style_of_a_credential() {
    let portal = Arc::new(Portal::from_files(election_files(), 0).unwrap());
    let station = portal.manifest.polling_stations()[0].id.as_str().to_owned();
    let want: Vec<String> = portal
        .manifest
        .ballot_style(&station, None, 1)
        .unwrap()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let resp = sanduq_web::router(Arc::clone(&portal))
        .oneshot(
            Request::builder()
                .uri(format!("/en/booth/style?station={station}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let got: Vec<&str> = v["setup"]["contests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contest"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
    assert_eq!(v["setup"]["fingerprint"], portal.fingerprint.as_str());
    let resp = sanduq_web::router(portal)
        .oneshot(
            Request::builder()
                .uri("/en/booth/style?station=no-such-station")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

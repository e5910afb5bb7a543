//! The voting booth's ballot encryption, compiled to WebAssembly for the browser: the server
//! never sees a plaintext vote.
//!
//! The browser passes the election's public values ([`Setup`]: fingerprint, joint election
//! key, contests), the voter's choices and 32 bytes from `crypto.getRandomValues`, which seed
//! the ChaCha20 generator of every nonce and proof. The result is the encrypted ballot with
//! every range proof and selection-limit proof (`docs/spec/crypto.md` §9), its tracking code,
//! and the opening (votes and nonces) that stays in the page: shown only when the voter
//! challenges the ballot, then discarded.
//!
//! [`check_opening`] re-encrypts each revealed vote with its nonce and compares it with the
//! published ciphertext: what anyone can do with a challenged ballot.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sanduq_crypto::contest::{BallotContext, ContestDescription};
use sanduq_crypto::elgamal::{AggregateCiphertext, Ciphertext, ElectionKey, encrypt};
use sanduq_crypto::group::{Element, SecretScalar, from_hex, scalar_from_hex, to_hex};
use sanduq_crypto::params::ElectionFingerprint;
use sanduq_crypto::range::{RangeContext, RangeStatement, Subject, prove_range};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

pub mod board;

/// The election's public values the booth needs.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// The election fingerprint, hex.
    pub fingerprint: String,
    /// The joint election key, hex.
    pub joint_key: String,
    /// The contests of the voter's ballot, in order.
    pub contests: Vec<SetupContest>,
}

/// One contest of the ballot.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SetupContest {
    /// Contest identifier.
    pub contest: String,
    /// Candidate identifiers in ballot order.
    pub selections: Vec<String>,
    /// Most candidates a voter may mark.
    pub max_selections: u64,
}

/// One encrypted selection (the record's wire form).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct SelectionOut {
    /// Candidate.
    pub id: String,
    /// `α ‖ β`, hex.
    pub ciphertext: String,
    /// Range proof `0..=1`, one hex string per branch.
    pub proof: Vec<String>,
}

/// One encrypted contest.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct ContestOut {
    /// Contest.
    pub contest: String,
    /// Selections in ballot order.
    pub selections: Vec<SelectionOut>,
    /// Selection-limit proof.
    pub limit_proof: Vec<String>,
}

/// A revealed selection.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct OpenedSelection {
    /// Candidate.
    pub id: String,
    /// 0 or 1.
    pub vote: u64,
    /// Nonce, hex.
    pub nonce: String,
}

/// A revealed contest.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct OpenedContest {
    /// Contest.
    pub contest: String,
    /// Selections in ballot order.
    pub selections: Vec<OpenedSelection>,
}

/// The booth's output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Encrypted {
    /// The encrypted ballot.
    pub contests: Vec<ContestOut>,
    /// The code shown at review. Without a credential: `H("remote-ballot-code", fingerprint,
    /// canonical JSON of contests)`. With a credential (`encrypt_ballot_with_credential`): the
    /// board's tracking code of the signed envelope, which is the voter's receipt.
    pub code: String,
    /// The opening, kept by the page until the voter casts (discarded) or challenges
    /// (shown and published).
    pub opening: Vec<OpenedContest>,
}

/// What can go wrong, naming the field at fault.
#[derive(Debug)]
pub struct BoothError(pub String);

impl std::fmt::Display for BoothError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> BoothError {
    BoothError(format!("{what}: {e}"))
}

fn context(setup: &Setup) -> Result<BallotContext, BoothError> {
    let fp: [u8; 32] = from_hex("fingerprint", &setup.fingerprint)
        .map_err(|e| err("fingerprint", e))?
        .try_into()
        .map_err(|_| BoothError("fingerprint: not 32 bytes".to_owned()))?;
    let key = Element::from_hex("joint_key", &setup.joint_key).map_err(|e| err("joint_key", e))?;
    Ok(BallotContext {
        fingerprint: ElectionFingerprint(fp),
        key: ElectionKey::new(key),
    })
}

/// Encrypt a ballot. `choices`: contest → the candidates marked. `seed`: 32 random bytes.
pub fn encrypt_ballot_with(
    setup: &Setup,
    choices: &BTreeMap<String, Vec<String>>,
    seed: [u8; 32],
) -> Result<Encrypted, BoothError> {
    encrypt_in(&context(setup)?, setup, choices, seed)
}

/// Encrypt a ballot cast with a voter credential: every proof is bound to the credential's
/// public key (`BallotContext::for_credential`, `docs/spec/crypto.md` §9.4), so the ballot
/// cannot be moved to another credential.
pub fn encrypt_ballot_for_credential(
    setup: &Setup,
    choices: &BTreeMap<String, Vec<String>>,
    seed: [u8; 32],
    credential: &board::Credential,
) -> Result<Encrypted, BoothError> {
    let ctx = context(setup)?;
    if ctx.fingerprint.as_bytes() != &credential.election {
        return Err(BoothError(
            "credential file: field `election` is not this election's fingerprint".to_owned(),
        ));
    }
    encrypt_in(
        &ctx.for_credential(&credential.public_key()),
        setup,
        choices,
        seed,
    )
}

fn encrypt_in(
    ctx: &BallotContext,
    setup: &Setup,
    choices: &BTreeMap<String, Vec<String>>,
    seed: [u8; 32],
) -> Result<Encrypted, BoothError> {
    let mut rng = ChaCha20Rng::from_seed(seed);
    let fp = *ctx.fingerprint.as_bytes();
    let mut contests = Vec::new();
    let mut opening = Vec::new();
    for c in &setup.contests {
        let marked = choices.get(&c.contest).cloned().unwrap_or_default();
        for m in &marked {
            if !c.selections.contains(m) {
                return Err(BoothError(format!(
                    "contest {}: {m} is not a candidate",
                    c.contest
                )));
            }
        }
        let ids: Vec<&str> = c.selections.iter().map(String::as_str).collect();
        let desc = ContestDescription::new(&c.contest, &ids, c.max_selections, 1)
            .map_err(|e| err(&c.contest, e))?;
        let plaintext: Vec<u64> = c
            .selections
            .iter()
            .map(|s| u64::from(marked.contains(s)))
            .collect();
        let total: u64 = plaintext.iter().sum();
        if total > c.max_selections {
            return Err(BoothError(format!(
                "contest {}: {total} marks, at most {} allowed",
                c.contest, c.max_selections
            )));
        }
        let mut selections = Vec::new();
        let mut opened = Vec::new();
        let mut nonce_sum = Scalar::ZERO;
        let mut sum = AggregateCiphertext::zero();
        for (id, &m) in desc.selection_ids().iter().zip(&plaintext) {
            let nonce = SecretScalar::random(&mut rng);
            let ciphertext = encrypt(&ctx.key, m, &nonce).map_err(|e| err(id, e))?;
            let rctx = RangeContext {
                fingerprint: &fp,
                key: &ctx.key,
                contest: desc.contest_id(),
                subject: Subject::Selection(id),
            };
            let proof = prove_range(
                &rctx,
                desc.selection_max(),
                &RangeStatement::from_ciphertext(&ciphertext),
                m,
                &nonce,
                &mut rng,
            )
            .map_err(|e| err(id, e))?;
            nonce_sum += nonce.expose();
            sum.add(&ciphertext);
            selections.push(SelectionOut {
                id: id.clone(),
                ciphertext: ciphertext.to_hex(),
                proof: proof.to_compact_hex(),
            });
            opened.push(OpenedSelection {
                id: id.clone(),
                vote: m,
                nonce: to_hex(nonce.expose_bytes().as_ref()),
            });
        }
        let lctx = RangeContext {
            fingerprint: &fp,
            key: &ctx.key,
            contest: desc.contest_id(),
            subject: Subject::Limit,
        };
        let limit = prove_range(
            &lctx,
            desc.votes_allowed(),
            &RangeStatement::from_aggregate(&sum),
            total,
            &SecretScalar::new(nonce_sum),
            &mut rng,
        )
        .map_err(|e| err(&c.contest, e))?;
        contests.push(ContestOut {
            contest: c.contest.clone(),
            selections,
            limit_proof: limit.to_compact_hex(),
        });
        opening.push(OpenedContest {
            contest: c.contest.clone(),
            selections: opened,
        });
    }
    let body = serde_json::to_vec(&contests).map_err(|e| err("ballot", e))?;
    let code = sanduq_crypto::transcript::hash256("remote-ballot-code", &[&fp, &body]);
    Ok(Encrypted {
        contests,
        code: to_hex(&code),
        opening,
    })
}

/// Check a challenged ballot: every revealed vote, re-encrypted with its nonce, gives the
/// published ciphertext. Returns the candidates marked per contest.
pub fn check_opening_with(
    setup: &Setup,
    ballot: &[ContestOut],
    opening: &[OpenedContest],
) -> Result<BTreeMap<String, Vec<String>>, BoothError> {
    let ctx = context(setup)?;
    let mut marked = BTreeMap::new();
    if ballot.len() != opening.len() {
        return Err(BoothError("opening: not one entry per contest".to_owned()));
    }
    for (c, o) in ballot.iter().zip(opening) {
        if c.contest != o.contest || c.selections.len() != o.selections.len() {
            return Err(BoothError(format!(
                "contest {}: opening does not match",
                c.contest
            )));
        }
        let mut chosen = Vec::new();
        for (s, os) in c.selections.iter().zip(&o.selections) {
            let nonce = scalar_from_hex("nonce", &os.nonce).map_err(|e| err(&os.id, e))?;
            let again = encrypt(&ctx.key, os.vote, &SecretScalar::new(nonce))
                .map_err(|e| err(&os.id, e))?;
            let published = Ciphertext::from_hex(&s.ciphertext).map_err(|e| err(&s.id, e))?;
            if s.id != os.id || again != published {
                return Err(BoothError(format!(
                    "contest {}, candidate {}: the revealed vote does not re-encrypt to the published ciphertext",
                    c.contest, s.id
                )));
            }
            if os.vote > 0 {
                chosen.push(os.id.clone());
            }
        }
        marked.insert(c.contest.clone(), chosen);
    }
    Ok(marked)
}

fn js(e: BoothError) -> JsError {
    JsError::new(&e.0)
}

/// The confirmation code of a ballot of the record (`docs/spec/record.md` §4):
/// `H("confirmation-code", fingerprint, device, previous code, canonical JSON of the ballot)`.
pub fn confirmation_code_with(
    fingerprint_hex: &str,
    device: &str,
    prev_hex: &str,
    ballot_json: &str,
) -> Result<String, BoothError> {
    let fp = from_hex("fingerprint", fingerprint_hex).map_err(|e| err("fingerprint", e))?;
    let prev = from_hex("prev_code", prev_hex).map_err(|e| err("prev_code", e))?;
    let code = sanduq_crypto::transcript::hash256(
        "confirmation-code",
        &[&fp, device.as_bytes(), &prev, ballot_json.as_bytes()],
    );
    Ok(to_hex(&code))
}

/// Browser entry point: the confirmation code of a record ballot (hex), for the receipt page.
#[wasm_bindgen]
pub fn confirmation_code(
    fingerprint_hex: &str,
    device: &str,
    prev_hex: &str,
    ballot_json: &str,
) -> Result<String, JsError> {
    confirmation_code_with(fingerprint_hex, device, prev_hex, ballot_json).map_err(js)
}

/// Browser entry point: encrypt. `setup` and `choices` are JSON, `seed_hex` 64 hex digits
/// from `crypto.getRandomValues`. Returns the [`Encrypted`] JSON.
#[wasm_bindgen]
pub fn encrypt_ballot(setup: &str, choices: &str, seed_hex: &str) -> Result<String, JsError> {
    let setup: Setup = serde_json::from_str(setup).map_err(|e| js(err("setup", e)))?;
    let choices: BTreeMap<String, Vec<String>> =
        serde_json::from_str(choices).map_err(|e| js(err("choices", e)))?;
    let out = encrypt_ballot_with(&setup, &choices, seed_of(seed_hex)?).map_err(js)?;
    serde_json::to_string(&out).map_err(|e| JsError::new(&e.to_string()))
}

fn seed_of(seed_hex: &str) -> Result<[u8; 32], JsError> {
    hex::decode(seed_hex)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| JsError::new("seed: not 32 bytes of hex"))
}

/// Browser entry point: read a voter's credential file. Returns JSON
/// `{"public_key", "station", "group"?, "election"}` (never the secret).
#[wasm_bindgen]
pub fn credential_info(credential: &str) -> Result<String, JsError> {
    let c = board::Credential::parse(credential).map_err(js)?;
    let v = serde_json::json!({
        "public_key": hex::encode(c.public_key()),
        "station": c.station,
        "group": c.group,
        "election": hex::encode(c.election),
    });
    Ok(v.to_string())
}

/// Browser entry point: encrypt with a voter credential (JSON of the credential file).
/// Returns the [`Encrypted`] JSON with, in `code`, the tracking code the board will give
/// the signed entry (Ed25519 signatures are deterministic).
#[wasm_bindgen]
pub fn encrypt_ballot_with_credential(
    setup: &str,
    choices: &str,
    seed_hex: &str,
    credential: &str,
) -> Result<String, JsError> {
    let setup: Setup = serde_json::from_str(setup).map_err(|e| js(err("setup", e)))?;
    let choices: BTreeMap<String, Vec<String>> =
        serde_json::from_str(choices).map_err(|e| js(err("choices", e)))?;
    let c = board::Credential::parse(credential).map_err(js)?;
    let mut out =
        encrypt_ballot_for_credential(&setup, &choices, seed_of(seed_hex)?, &c).map_err(js)?;
    out.code = board::cast_with(&c, &out.contests)
        .map_err(js)?
        .tracking_code;
    serde_json::to_string(&out).map_err(|e| JsError::new(&e.to_string()))
}

/// Browser entry point: the signed `remote-ballot` entry of an encrypted ballot (the output
/// of [`encrypt_ballot_with_credential`]). Returns the [`board::Cast`] JSON.
#[wasm_bindgen]
pub fn cast_ballot(credential: &str, encrypted: &str) -> Result<String, JsError> {
    let c = board::Credential::parse(credential).map_err(js)?;
    let e: Encrypted = serde_json::from_str(encrypted).map_err(|e| js(err("ballot", e)))?;
    let cast = board::cast_with(&c, &e.contests).map_err(js)?;
    serde_json::to_string(&cast).map_err(|e| JsError::new(&e.to_string()))
}

/// Browser entry point: check a board receipt. `witnesses` is a JSON array of witness
/// verifier keys, `now` POSIX seconds. Returns the [`board::ReceiptCheck`] JSON (its `ok`
/// says whether every step passed).
#[wasm_bindgen]
pub fn verify_receipt(
    receipt: &str,
    code: &str,
    log_key: &str,
    witnesses: &str,
    quorum: u32,
    now: f64,
) -> Result<String, JsError> {
    let ws: Vec<String> = serde_json::from_str(witnesses).map_err(|e| js(err("witnesses", e)))?;
    let quorum = usize::try_from(quorum).map_err(|e| JsError::new(&e.to_string()))?;
    // POSIX seconds from Date.now() / 1000: non-negative and well below 2^53.
    let now = if now.is_finite() && now > 0.0 {
        now.floor() as u64
    } else {
        0
    };
    let c = board::check_receipt(receipt, code, log_key, &ws, quorum, now).map_err(js)?;
    serde_json::to_string(&c).map_err(|e| JsError::new(&e.to_string()))
}

/// Browser entry point: check a challenged ballot's opening. `encrypted` is the output of
/// [`encrypt_ballot`]. Returns JSON `{contest: [candidates marked]}`.
#[wasm_bindgen]
pub fn check_opening(setup: &str, encrypted: &str) -> Result<String, JsError> {
    let setup: Setup = serde_json::from_str(setup).map_err(|e| js(err("setup", e)))?;
    let e: Encrypted = serde_json::from_str(encrypted).map_err(|e| js(err("ballot", e)))?;
    let marked = check_opening_with(&setup, &e.contests, &e.opening).map_err(js)?;
    serde_json::to_string(&marked).map_err(|e| JsError::new(&e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

    fn setup() -> (Setup, Scalar) {
        let secret = Scalar::from(123_456_789u64);
        let key = Element::from_point("key", RISTRETTO_BASEPOINT_POINT * secret).unwrap();
        (
            Setup {
                fingerprint: "11".repeat(32),
                joint_key: key.to_hex(),
                contests: vec![SetupContest {
                    contest: "president".to_owned(),
                    selections: vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
                    max_selections: 1,
                }],
            },
            secret,
        )
    }

    #[test]
    fn encrypts_decrypts_and_opens() {
        let (s, secret) = setup();
        let choices = BTreeMap::from([("president".to_owned(), vec!["b".to_owned()])]);
        let e = encrypt_ballot_with(&s, &choices, [7; 32]).unwrap();
        // decrypting with the secret key gives 0, 1, 0: β − x·α = m·G
        for (sel, want) in e.contests[0].selections.iter().zip([0u64, 1, 0]) {
            let ct = Ciphertext::from_hex(&sel.ciphertext).unwrap();
            let m = ct.beta().point() - ct.alpha().point() * secret;
            assert_eq!(m, RISTRETTO_BASEPOINT_POINT * Scalar::from(want));
            assert_eq!(sel.proof.len(), 2, "range 0..=1 has two branches");
        }
        let marked = check_opening_with(&s, &e.contests, &e.opening).unwrap();
        assert_eq!(marked["president"], vec!["b".to_owned()]);
        assert_eq!(e.code.len(), 64);
    }

    #[test]
    fn tampered_opening_is_refused() {
        let (s, _) = setup();
        let choices = BTreeMap::from([("president".to_owned(), vec!["a".to_owned()])]);
        let mut e = encrypt_ballot_with(&s, &choices, [9; 32]).unwrap();
        // claim the vote went to "b": the nonces no longer re-encrypt
        e.opening[0].selections[0].vote = 0;
        e.opening[0].selections[1].vote = 1;
        assert!(check_opening_with(&s, &e.contests, &e.opening).is_err());
    }

    #[test]
    fn confirmation_code_is_the_records() {
        // the record's own chain function is the reference (docs/spec/record.md §4)
        let fp = [0x5a; 32];
        let prev = [0x17; 32];
        let ballot = r#"{"contests":[],"device":"s1-d1","seq":1,"station":"s1"}"#;
        let want = sanduq_record::chain::confirmation_code(&fp, "s1-d1", &prev, ballot.as_bytes());
        let got =
            confirmation_code_with(&"5a".repeat(32), "s1-d1", &"17".repeat(32), ballot).unwrap();
        assert_eq!(got, hex::encode(want));
        assert!(confirmation_code_with("zz", "s1-d1", &"17".repeat(32), ballot).is_err());
    }

    #[test]
    fn too_many_marks_and_strangers_are_refused() {
        let (s, _) = setup();
        let two = BTreeMap::from([("president".to_owned(), vec!["a".to_owned(), "b".to_owned()])]);
        assert!(encrypt_ballot_with(&s, &two, [1; 32]).is_err());
        let stranger = BTreeMap::from([("president".to_owned(), vec!["z".to_owned()])]);
        assert!(encrypt_ballot_with(&s, &stranger, [1; 32]).is_err());
    }
}

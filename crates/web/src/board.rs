//! The portal's link to the election's bulletin board: the receipt of a tracking code
//! fetched from the board (`GET /proof/<code>`: the entry, its leaf index, its inclusion proof
//! and the latest co-signed checkpoint) and verified here, for readers without JavaScript,
//! with the board's own receipt verifier (`sanduq_board::receipt`) and the configured log and
//! witness keys; and the casting of remote ballots, passed on to the board's `POST /entry`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sanduq_board::receipt::Receipt;
use sanduq_tlog::cosignature::{CosignatureVerifier, QuorumPolicy};
use sanduq_tlog::signed_note::Verifier;

/// Why the board settings are refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BoardConfigError {
    /// The board URL is not `http://` or `https://`.
    #[error("--board {0:?}: not an http:// or https:// URL")]
    Url(String),
    /// The log key does not parse or is not an Ed25519 note key.
    #[error("--log-key {key:?}: {reason}")]
    LogKey {
        /// The key as given.
        key: String,
        /// Why.
        reason: String,
    },
    /// A witness key does not parse or is not a `cosignature/v1` key.
    #[error("--witness-key {key:?}: {reason}")]
    WitnessKey {
        /// The key as given.
        key: String,
        /// Why.
        reason: String,
    },
    /// The quorum is 0 or larger than the number of witnesses.
    #[error("--quorum {quorum}: {reason}")]
    Quorum {
        /// The quorum.
        quorum: usize,
        /// Why.
        reason: String,
    },
}

/// The board a portal reads receipts from and passes cast ballots to, with the keys that
/// vouch for its checkpoints.
#[derive(Clone, Debug)]
pub struct BoardLink {
    /// The board's base URL, without a trailing `/`.
    pub url: String,
    /// The log's verifier key (an Ed25519 note key named by the log's origin).
    pub log_key: Verifier,
    /// The witnesses' `cosignature/v1` verifier keys.
    pub witnesses: Vec<CosignatureVerifier>,
    /// How many of them must have cosigned.
    pub quorum: usize,
}

impl BoardLink {
    /// Parses the settings: the board URL, the log's verifier key, the witnesses' verifier
    /// keys and the quorum (`None`: every witness).
    pub fn new(
        url: &str,
        log_vkey: &str,
        witness_vkeys: &[String],
        quorum: Option<usize>,
    ) -> Result<BoardLink, BoardConfigError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(BoardConfigError::Url(url.to_owned()));
        }
        let log_key = match Verifier::from_vkey(log_vkey) {
            Ok(v @ Verifier::Ed25519(_)) => v,
            Ok(_) => {
                return Err(BoardConfigError::LogKey {
                    key: log_vkey.to_owned(),
                    reason: "not an Ed25519 log key".to_owned(),
                });
            }
            Err(e) => {
                return Err(BoardConfigError::LogKey {
                    key: log_vkey.to_owned(),
                    reason: e.to_string(),
                });
            }
        };
        let mut witnesses = Vec::new();
        for w in witness_vkeys {
            match Verifier::from_vkey(w) {
                Ok(Verifier::CosignatureV1(v)) => witnesses.push(v),
                Ok(_) => {
                    return Err(BoardConfigError::WitnessKey {
                        key: w.clone(),
                        reason: "not a cosignature/v1 key".to_owned(),
                    });
                }
                Err(e) => {
                    return Err(BoardConfigError::WitnessKey {
                        key: w.clone(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        let quorum = quorum.unwrap_or(witnesses.len());
        QuorumPolicy::new(witnesses.clone(), quorum).map_err(|e| BoardConfigError::Quorum {
            quorum,
            reason: e.to_string(),
        })?;
        Ok(BoardLink {
            url: url.trim_end_matches('/').to_owned(),
            log_key,
            witnesses,
            quorum,
        })
    }

    /// The witness policy.
    fn policy(&self) -> Option<QuorumPolicy> {
        QuorumPolicy::new(self.witnesses.clone(), self.quorum).ok()
    }

    /// The verifier keys, for the page's own check in the browser.
    #[must_use]
    pub fn witness_vkeys(&self) -> Vec<String> {
        self.witnesses
            .iter()
            .map(|w| Verifier::CosignatureV1(w.clone()).to_vkey())
            .collect()
    }
}

/// One witness's cosignature on the checkpoint, as found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cosigned {
    /// Verifies, dated at or before now (POSIX seconds).
    Valid(u64),
    /// No cosignature of this witness on the checkpoint.
    Missing,
    /// A cosignature that does not verify.
    Invalid,
    /// Verifies but is dated after now.
    Future(u64),
}

/// A receipt from the board, checked step by step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardCheck {
    /// The entry's tracking code (SHA-256 of the envelope), hex.
    pub tracking_code: String,
    /// The entry's kind, when it is a valid envelope.
    pub kind: Option<String>,
    /// The entry's signer, hex, when it is a valid envelope.
    pub signer: Option<String>,
    /// The station and group named by a `remote-ballot` entry.
    pub station: Option<String>,
    /// The entry's leaf index.
    pub index: u64,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The checkpoint's origin.
    pub origin: String,
    /// The checkpoint's root, base64.
    pub root: String,
    /// The inclusion proof, base64 hashes from leaf to root.
    pub proof: Vec<String>,
    /// Whether the entry is a valid, validly signed envelope.
    pub entry_ok: bool,
    /// Whether the log key signed the checkpoint (and names its origin).
    pub log_signature: bool,
    /// Each configured witness, by name.
    pub witnesses: Vec<(String, Cosigned)>,
    /// Whether the inclusion proof leads from the entry to the checkpoint's root.
    pub inclusion: bool,
    /// The board's receipt verifier's verdict: `Ok` or why it refused.
    pub verdict: Result<(), String>,
}

/// What the board answered for a tracking code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A receipt, checked (whether it verifies is in [`BoardCheck::verdict`]).
    Checked(Box<BoardCheck>),
    /// The board's answer is not a receipt of this code.
    Malformed(String),
    /// The board has no entry of this code.
    NotFound,
    /// The entry is on the board, not yet in a published checkpoint.
    NotYetPublished,
    /// The board could not be reached or answered an error.
    Unreachable(String),
}

/// Checks a receipt (the bytes of `GET /proof/<code>`) for `code` at `now` (POSIX seconds).
#[must_use]
pub fn check_receipt(link: &BoardLink, code: &str, bytes: &[u8], now: u64) -> Lookup {
    let receipt = match Receipt::parse(bytes) {
        Ok(r) => r,
        Err(e) => return Lookup::Malformed(e.to_string()),
    };
    let tracking_code = sanduq_board::envelope::TrackingCode::of(&receipt.entry).to_string();
    if tracking_code != code {
        return Lookup::Malformed(format!(
            "the board answered the receipt of entry {tracking_code}, not of {code}"
        ));
    }
    let cp = receipt.checkpoint.checkpoint();
    let envelope = sanduq_board::envelope::Envelope::parse(&receipt.entry).ok();
    let station = envelope
        .as_ref()
        .filter(|e| e.kind() == "remote-ballot")
        .and_then(|e| e.body())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| {
            let st = v.get("station")?.as_str()?.to_owned();
            Some(match v.get("group").and_then(serde_json::Value::as_str) {
                Some(g) => format!("{st} ({g})"),
                None => st,
            })
        });
    let keys = core::iter::once(link.log_key.clone()).collect();
    let log_signature = cp.origin() == link.log_key.name().as_str()
        && receipt.checkpoint.note().verify(&keys).is_ok();
    let text = receipt.checkpoint.note().text().as_bytes();
    let witnesses = link
        .witnesses
        .iter()
        .map(|w| {
            let mut state = Cosigned::Missing;
            for sig in receipt.checkpoint.note().signatures() {
                if sig.name() == w.name() && sig.id() == w.id() {
                    state = match w.verify_text(text, sig.signature()) {
                        Some(t) if t <= now => Cosigned::Valid(t),
                        Some(t) => Cosigned::Future(t),
                        None => Cosigned::Invalid,
                    };
                    if !matches!(state, Cosigned::Valid(_)) {
                        break;
                    }
                }
            }
            (w.name().as_str().to_owned(), state)
        })
        .collect();
    let inclusion = envelope.as_ref().is_some_and(|e| {
        sanduq_tlog::merkle::verify_inclusion(
            receipt.index,
            cp.size(),
            &e.leaf_hash(),
            &receipt.proof,
            cp.root(),
        )
        .is_ok()
    });
    let verdict = match link.policy() {
        Some(policy) => receipt
            .verify(&link.log_key, &policy, now)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => Err("no witness policy".to_owned()),
    };
    Lookup::Checked(Box::new(BoardCheck {
        tracking_code,
        kind: envelope.as_ref().map(|e| e.kind().to_owned()),
        signer: envelope.as_ref().map(|e| hex::encode(e.signer())),
        station,
        index: receipt.index,
        size: cp.size(),
        origin: cp.origin().to_owned(),
        root: B64.encode(cp.root().as_bytes()),
        proof: receipt
            .proof
            .iter()
            .map(|h| B64.encode(h.as_bytes()))
            .collect(),
        entry_ok: envelope.is_some(),
        log_signature,
        witnesses,
        inclusion,
        verdict,
    }))
}

/// The board's answer to `GET /proof/<code>`: status and body.
pub fn fetch_receipt(link: &BoardLink, code: &str) -> Result<(u16, Vec<u8>), String> {
    let a = sanduq_board::client::Client::new(&link.url)
        .get(&format!("proof/{code}"))
        .map_err(|e| format!("{}: {e}", link.url))?;
    Ok((a.status, a.body))
}

/// Fetches and checks the receipt of `code` at `now`.
#[must_use]
pub fn lookup(link: &BoardLink, code: &str, now: u64) -> Lookup {
    match fetch_receipt(link, code) {
        Err(e) => Lookup::Unreachable(e),
        Ok((200, body)) => check_receipt(link, code, &body, now),
        Ok((404, body)) if String::from_utf8_lossy(&body).contains("not_yet_published") => {
            Lookup::NotYetPublished
        }
        Ok((404, _)) => Lookup::NotFound,
        Ok((status, body)) => Lookup::Unreachable(format!(
            "{}: status {status}: {}",
            link.url,
            String::from_utf8_lossy(&body).trim_end()
        )),
    }
}

/// Submits envelope bytes to the board's `POST /entry`: its status and JSON body.
pub fn submit(link: &BoardLink, envelope: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let a = sanduq_board::client::Client::new(&link.url)
        .submit(envelope)
        .map_err(|e| format!("{}: {e}", link.url))?;
    Ok((a.status, a.body))
}

/// Now, POSIX seconds.
#[must_use]
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

//! A provincial witness node: `sanduq-tlog`'s `add-checkpoint` state machine over HTTP, with
//! its state and the split-view evidence it collects in SQLite.
//!
//! | route | spec | answer |
//! |---|---|---|
//! | `POST /add-checkpoint` | [tlog-witness](https://c2sp.org/tlog-witness) v1.0.0, board §4.2 | cosignature lines, or 400/403/404/409/422 |
//! | `GET /evidence` | board-server §4 | JSON list of the split-view evidence kept |
//!
//! # Why updates are atomic
//!
//! [`SqliteWitnessStore::update`] runs the compare-and-swap of `WitnessStore` inside one
//! `BEGIN IMMEDIATE` transaction: the stored size is read and replaced under SQLite's write
//! lock, so two concurrent requests cannot both pass the check, and a stored size never
//! goes backwards. Evidence is appended in its own transaction before the answer is sent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use sanduq_tlog::merkle::Hash;
use sanduq_tlog::witness::{
    Conflict, MAX_REQUEST_LEN, Outcome, SplitViewEvidence, StoredCheckpoint, UpdateError, Witness,
    WitnessStore,
};

use crate::store::StoreError;

/// A witness's SQLite state: the latest cosigned checkpoint per origin, and evidence.
#[derive(Debug)]
pub struct SqliteWitnessStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// One piece of kept split-view evidence, as served by `GET /evidence`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRecord {
    /// The log's origin.
    pub origin: String,
    /// `same_size` or `failed_consistency`.
    pub kind: String,
    /// The checkpoint the witness had stored (signed note).
    pub stored: String,
    /// The submitted checkpoint (signed note).
    pub submitted: String,
    /// The submitted consistency proof, base64 hashes (empty for `same_size`).
    pub proof: Vec<String>,
    /// When it was received (POSIX seconds).
    pub received: u64,
}

impl EvidenceRecord {
    /// The evidence in the protocol crate's form, for [`SplitViewEvidence::check`].
    pub fn to_evidence(&self) -> Option<SplitViewEvidence> {
        let stored = self.stored.as_bytes().to_vec();
        let submitted = self.submitted.as_bytes().to_vec();
        match self.kind.as_str() {
            "same_size" => Some(SplitViewEvidence::SameSize { stored, submitted }),
            "failed_consistency" => {
                let proof = self
                    .proof
                    .iter()
                    .map(|p| B64.decode(p).ok().and_then(|b| Hash::from_slice(&b).ok()))
                    .collect::<Option<Vec<_>>>()?;
                Some(SplitViewEvidence::FailedConsistency {
                    older: stored,
                    newer: submitted,
                    proof,
                })
            }
            _ => None,
        }
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS checkpoints (
    origin TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    root   BLOB NOT NULL,
    note   BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    id        INTEGER PRIMARY KEY,
    origin    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    stored    BLOB NOT NULL,
    submitted BLOB NOT NULL,
    proof     TEXT NOT NULL,
    received  INTEGER NOT NULL
);
";

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl SqliteWitnessStore {
    /// Opens (creating) `witness.sqlite` in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join("witness.sqlite");
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let conn = Connection::open(&path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends a piece of evidence.
    pub fn record_evidence(
        &self,
        origin: &str,
        ev: &SplitViewEvidence,
        now: u64,
    ) -> Result<(), StoreError> {
        let (kind, a, b, proof) = match ev {
            SplitViewEvidence::SameSize { stored, submitted } => {
                ("same_size", stored, submitted, String::new())
            }
            SplitViewEvidence::FailedConsistency {
                older,
                newer,
                proof,
            } => (
                "failed_consistency",
                older,
                newer,
                proof
                    .iter()
                    .map(|h| B64.encode(h.0) + "\n")
                    .collect::<String>(),
            ),
            _ => return Ok(()),
        };
        self.lock()
            .execute(
                "INSERT INTO evidence (origin, kind, stored, submitted, proof, received)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![origin, kind, a, b, proof, to_i64(now)],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Every piece of evidence kept, oldest first.
    pub fn evidence(&self) -> Result<Vec<EvidenceRecord>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT origin, kind, stored, submitted, proof, received FROM evidence ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                let stored: Vec<u8> = r.get(2)?;
                let submitted: Vec<u8> = r.get(3)?;
                let proof: String = r.get(4)?;
                let received: i64 = r.get(5)?;
                Ok(EvidenceRecord {
                    origin: r.get(0)?,
                    kind: r.get(1)?,
                    stored: String::from_utf8_lossy(&stored).into_owned(),
                    submitted: String::from_utf8_lossy(&submitted).into_owned(),
                    proof: proof.lines().map(str::to_owned).collect(),
                    received: u64::try_from(received).unwrap_or(0),
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }
}

impl WitnessStore for SqliteWitnessStore {
    type Error = String;

    fn latest(&self, origin: &str) -> Result<Option<StoredCheckpoint>, String> {
        let row: Option<(i64, Vec<u8>, Vec<u8>)> = self
            .lock()
            .query_row(
                "SELECT size, root, note FROM checkpoints WHERE origin = ?1",
                [origin],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        row.map(|(size, root, note)| {
            Ok(StoredCheckpoint {
                size: u64::try_from(size).map_err(|_| "negative size".to_owned())?,
                root: Hash::from_slice(&root).map_err(|e| e.to_string())?,
                note,
            })
        })
        .transpose()
    }

    fn update(
        &self,
        origin: &str,
        expected_old_size: u64,
        new_size: u64,
        new_root: Hash,
        note: &[u8],
    ) -> Result<(), UpdateError<String>> {
        let storage =
            |e: rusqlite::Error| UpdateError::Storage(format!("{}: {e}", self.path.display()));
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage)?;
        let current: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT size, root FROM checkpoints WHERE origin = ?1",
                [origin],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(storage)?;
        let stored_size = current
            .as_ref()
            .map_or(0, |(s, _)| u64::try_from(*s).unwrap_or(u64::MAX));
        let conflict = UpdateError::Conflict(Conflict { stored_size });
        if stored_size != expected_old_size || new_size < expected_old_size {
            return Err(conflict);
        }
        if let Some((_, root)) = &current {
            if new_size == stored_size && root.as_slice() != new_root.0.as_slice() {
                return Err(conflict);
            }
        }
        tx.execute(
            "INSERT INTO checkpoints (origin, size, root, note) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root,
             note = excluded.note",
            params![origin, to_i64(new_size), &new_root.0[..], note],
        )
        .map_err(storage)?;
        tx.commit().map_err(storage)
    }
}

/// A witness and its store, shared by the request handlers.
#[derive(Debug, Clone)]
pub struct WitnessNode {
    witness: Arc<Witness>,
    store: Arc<SqliteWitnessStore>,
}

impl WitnessNode {
    /// A node.
    pub fn new(witness: Witness, store: SqliteWitnessStore) -> Self {
        Self {
            witness: Arc::new(witness),
            store: Arc::new(store),
        }
    }

    /// The store (for inspecting evidence).
    pub fn store(&self) -> &SqliteWitnessStore {
        &self.store
    }

    /// Handles one request body: the status, content type and body of the answer.
    pub fn handle(&self, body: &[u8]) -> (u16, &'static str, Vec<u8>) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let out = self.witness.add_checkpoint(&*self.store, body, now);
        if let Some(ev) = out.evidence() {
            let origin = match &out {
                Outcome::Conflict { origin, .. } | Outcome::BadProof { origin, .. } => {
                    origin.as_str()
                }
                _ => "",
            };
            if let Err(e) = self.store.record_evidence(origin, ev, now) {
                eprintln!("witness: evidence not stored: {e}");
                return (
                    500,
                    "text/plain; charset=utf-8",
                    b"internal error\n".to_vec(),
                );
            }
            eprintln!("witness: split-view evidence kept for {origin}");
        }
        if let Outcome::Internal(e) = &out {
            eprintln!("witness: internal error: {e}");
        }
        (out.status(), out.content_type(), out.body())
    }

    /// The node's router.
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/add-checkpoint",
                post(add_checkpoint).layer(DefaultBodyLimit::max(MAX_REQUEST_LEN)),
            )
            .route("/evidence", get(evidence))
            .with_state(self.clone())
    }
}

async fn add_checkpoint(State(node): State<WitnessNode>, body: Bytes) -> Response {
    let r = tokio::task::spawn_blocking(move || node.handle(&body)).await;
    match r {
        Ok((status, ct, body)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, ct)],
            body,
        )
            .into_response(),
        Err(e) => {
            eprintln!("witness: internal error: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn evidence(State(node): State<WitnessNode>) -> Response {
    let r = tokio::task::spawn_blocking(move || node.store.evidence()).await;
    match r {
        Ok(Ok(list)) => match serde_json::to_vec(&list) {
            Ok(b) => ([(header::CONTENT_TYPE, "application/json")], b).into_response(),
            Err(e) => {
                eprintln!("witness: internal error: {e}");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        Ok(Err(e)) => {
            eprintln!("witness: internal error: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            eprintln!("witness: internal error: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

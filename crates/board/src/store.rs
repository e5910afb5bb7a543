//! Durable storage of the log: SQLite (WAL, `synchronous=FULL`) for entries and the published
//! checkpoint, and a content-addressed directory for artefacts.
//!
//! Layout of a data directory:
//!
//! * `log.sqlite` — tables `entries(idx, entry, tracking, content)` and
//!   `published(id = 1, size, note)`;
//! * `artefacts/<64 hex digits>` — artefacts by SHA-256, written to a temporary file,
//!   synced and renamed, so that a name always denotes complete content.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, params};
use sanduq_tlog::merkle::{self, Hash};
use sha2::{Digest as _, Sha256};

use crate::envelope::{Envelope, TrackingCode};

/// Storage failures. The server stops accepting entries after one of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed on the named database.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The error.
        source: rusqlite::Error,
    },
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The stored log is not a gap-free sequence from index 0.
    #[error("database {path}: entry index {found} where {expected} was expected")]
    Gap {
        /// The database file.
        path: PathBuf,
        /// The index expected.
        expected: u64,
        /// The index found.
        found: u64,
    },
}

/// One connection to the log database.
#[derive(Debug)]
pub struct LogDb {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    idx      INTEGER PRIMARY KEY,
    entry    BLOB NOT NULL,
    tracking BLOB NOT NULL UNIQUE,
    content  BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_content ON entries(content);
CREATE TABLE IF NOT EXISTS published (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL,
    note BLOB NOT NULL
);
";

fn to_i64(n: u64) -> i64 {
    // Indices and sizes stay far below 2^63 (the log would need 2^63 entries).
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl LogDb {
    /// Opens (creating if needed) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = dir.join("log.sqlite");
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Self { conn, path })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The leaf hashes of every stored entry, in order, checking there is no gap.
    pub fn leaf_hashes(&self) -> Result<Vec<Hash>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, entry FROM entries ORDER BY idx")
            .map_err(self.err())?;
        let mut rows = stmt.query([]).map_err(self.err())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(self.err())? {
            let idx: i64 = row.get(0).map_err(self.err())?;
            let entry: Vec<u8> = row.get(1).map_err(self.err())?;
            let expected = out.len() as u64;
            if u64::try_from(idx).ok() != Some(expected) {
                return Err(StoreError::Gap {
                    path: self.path.clone(),
                    expected,
                    found: u64::try_from(idx).unwrap_or(u64::MAX),
                });
            }
            out.push(merkle::leaf_hash(&entry));
        }
        Ok(out)
    }

    /// Appends `entries` at indices `start..` in one transaction; returns after the commit
    /// is durable (`synchronous=FULL`).
    pub fn append(&mut self, start: u64, entries: &[&Envelope]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO entries (idx, entry, tracking, content) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(err)?;
            for (i, e) in entries.iter().enumerate() {
                let idx = to_i64(start.saturating_add(i as u64));
                stmt.execute(params![
                    idx,
                    e.as_bytes(),
                    &e.tracking_code().0[..],
                    &e.content_hash()[..]
                ])
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// The entry at `index`.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .prepare_cached("SELECT entry FROM entries WHERE idx = ?1")
            .and_then(|mut s| s.query_row([to_i64(index)], |r| r.get(0)).optional())
            .map_err(self.err())
    }

    /// Entries `start..end`, in order.
    pub fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entry FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([to_i64(start), to_i64(end)], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<Result<Vec<Vec<u8>>, _>>()
            .map_err(self.err())
    }

    /// The index of the entry with this tracking code.
    pub fn index_of(&self, code: &TrackingCode) -> Result<Option<u64>, StoreError> {
        let idx: Option<i64> = self
            .conn
            .prepare_cached("SELECT idx FROM entries WHERE tracking = ?1")
            .and_then(|mut s| s.query_row([&code.0[..]], |r| r.get(0)).optional())
            .map_err(self.err())?;
        Ok(idx.and_then(|i| u64::try_from(i).ok()))
    }

    /// Whether an entry commits to this artefact hash.
    pub fn contains_content(&self, hash: &[u8; 32]) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM entries WHERE content = ?1 LIMIT 1")
            .and_then(|mut s| s.exists([&hash[..]]))
            .map_err(self.err())
    }

    /// The latest published checkpoint (size and note bytes).
    pub fn published(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row("SELECT size, note FROM published WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(self.err())?;
        Ok(row.map(|(s, n)| (u64::try_from(s).unwrap_or(0), n)))
    }

    /// Durably records a newly published checkpoint.
    pub fn set_published(&self, size: u64, note: &[u8]) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO published (id, size, note) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET size = excluded.size, note = excluded.note",
                params![to_i64(size), note],
            )
            .map(|_| ())
            .map_err(self.err())
    }
}

/// Content-addressed artefacts beside the log.
#[derive(Debug, Clone)]
pub struct ArtefactStore {
    dir: PathBuf,
}

impl ArtefactStore {
    /// The store in `<data dir>/artefacts`, created if needed.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let dir = data_dir.join("artefacts");
        fs::create_dir_all(&dir).map_err(|source| StoreError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    fn path(&self, hash: &[u8; 32]) -> PathBuf {
        self.dir.join(hex::encode(hash))
    }

    /// Whether the artefact is stored.
    pub fn contains(&self, hash: &[u8; 32]) -> bool {
        self.path(hash).is_file()
    }

    /// The artefact's bytes.
    pub fn get(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(hash);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::Io { path, source }),
        }
    }

    /// Stores `bytes` durably under their SHA-256 and returns it.
    pub fn put(&self, bytes: &[u8]) -> Result<[u8; 32], StoreError> {
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        let path = self.path(&hash);
        if path.is_file() {
            return Ok(hash);
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|_| StoreError::Io {
            path: self.dir.clone(),
            source: std::io::Error::other("random number generator failed"),
        })?;
        let tmp = self.dir.join(format!(".tmp-{}", hex::encode(nonce)));
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))?;
        Ok(hash)
    }
}

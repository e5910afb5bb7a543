//! Mirroring a log (`docs/spec/board-server.md` §4): copy its checkpoint, hash tiles and
//! entry bundles, and check all of them before writing anything.
//!
//! The check is complete: the mirror rebuilds the Merkle tree from the entries of the
//! bundles, requires its root to be the root of the checkpoint (which must verify under the
//! log key and, if given, a witness quorum), and requires every hash tile to be byte-for-byte
//! the tile of that tree. A single altered hash, entry or length is therefore found and the
//! failing path is named.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::cosignature::{Quorum, QuorumPolicy};
use sanduq_tlog::merkle::Tree;
use sanduq_tlog::signed_note::{Verifier, VerifierSet};
use sanduq_tlog::tiles::{self, TilePath};

/// Where a log is read from.
pub trait Source {
    /// The resource at `path` (`checkpoint`, `tile/...`), `Ok(None)` if absent.
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, String>;
}

/// A log served over HTTP (tlog-tiles).
#[derive(Debug)]
pub struct HttpSource {
    base: String,
    agent: ureq::Agent,
}

impl HttpSource {
    /// Reads from `base` (for example `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(30)))
                .http_status_as_error(false)
                .build()
                .into(),
        }
    }
}

impl Source for HttpSource {
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let url = format!("{}/{path}", self.base);
        let mut r = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        match r.status().as_u16() {
            200 => r
                .body_mut()
                .with_config()
                .limit(4 << 20)
                .read_to_vec()
                .map(Some)
                .map_err(|e| format!("{url}: {e}")),
            404 => Ok(None),
            s => Err(format!("{url}: status {s}")),
        }
    }
}

/// A log mirrored in a directory (same relative paths).
#[derive(Debug)]
pub struct DirSource(pub PathBuf);

impl Source for DirSource {
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let p = self.0.join(path);
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    }
}

/// Why a mirror failed. Each variant names the resource at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    /// A resource could not be read.
    #[error("reading {path}: {reason}")]
    Fetch {
        /// The resource.
        path: String,
        /// Why.
        reason: String,
    },
    /// A resource the checkpoint needs is absent.
    #[error("{path} is missing")]
    Missing {
        /// The resource.
        path: String,
    },
    /// The checkpoint is malformed, not from this log, unsigned or not cosigned.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// A tile or bundle is malformed.
    #[error("{path}: {reason}")]
    Tile {
        /// The resource.
        path: String,
        /// Why.
        reason: String,
    },
    /// The entries do not hash to the checkpoint's root.
    #[error("the entry bundles do not hash to the checkpoint root (size {size})")]
    Root {
        /// The checkpoint size.
        size: u64,
    },
    /// A hash tile differs from the tree of the entries.
    #[error("{path} does not match the tree of the checked entries")]
    TileMismatch {
        /// The tile.
        path: String,
    },
    /// Writing the copy failed.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What a successful mirror copied and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorReport {
    /// The checkpoint's tree size.
    pub size: u64,
    /// Hash tiles checked.
    pub hash_tiles: usize,
    /// Entry bundles checked.
    pub bundles: usize,
    /// The witnesses whose cosignatures were checked, if a policy was given.
    pub quorum: Option<Quorum>,
}

fn fetch(src: &dyn Source, path: &str) -> Result<Vec<u8>, MirrorError> {
    src.get(path)
        .map_err(|reason| MirrorError::Fetch {
            path: path.to_owned(),
            reason,
        })?
        .ok_or_else(|| MirrorError::Missing {
            path: path.to_owned(),
        })
}

/// Reads the log from `src`, checks it, and (if `out` is given) writes the copy there, the
/// checkpoint last.
pub fn mirror(
    src: &dyn Source,
    out: Option<&Path>,
    log_key: &Verifier,
    policy: Option<&QuorumPolicy>,
    now: u64,
) -> Result<MirrorReport, MirrorError> {
    let cp_bytes = fetch(src, "checkpoint")?;
    let signed =
        SignedCheckpoint::parse(&cp_bytes).map_err(|e| MirrorError::Checkpoint(e.to_string()))?;
    let cp = signed.checkpoint();
    if cp.origin() != log_key.name().as_str() {
        return Err(MirrorError::Checkpoint(format!(
            "origin {:?} is not the log key name {:?}",
            cp.origin(),
            log_key.name().as_str()
        )));
    }
    let keys: VerifierSet = core::iter::once(log_key.clone()).collect();
    signed
        .note()
        .verify(&keys)
        .map_err(|e| MirrorError::Checkpoint(e.to_string()))?;
    let quorum = policy
        .map(|p| p.check(signed.note(), now))
        .transpose()
        .map_err(|e| MirrorError::Checkpoint(e.to_string()))?;
    let size = cp.size();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut tree = Tree::new();
    let bundles = tiles::entry_bundles_for_size(size);
    for b in &bundles {
        let path = b.to_string();
        let bytes = fetch(src, &path)?;
        let entries =
            tiles::parse_entry_bundle(&bytes, Some(b.width())).map_err(|e| MirrorError::Tile {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        for e in entries {
            tree.append_entry(e);
        }
        files.push((path, bytes));
    }
    if tree.size() != size || tree.root() != *cp.root() {
        return Err(MirrorError::Root { size });
    }
    let hash_tiles = tiles::hash_tiles_for_size(size);
    for t in &hash_tiles {
        let path = t.to_string();
        let bytes = fetch(src, &path)?;
        let TilePath::Hash {
            level,
            index,
            width,
        } = *t
        else {
            continue;
        };
        let want =
            tiles::hash_tile_bytes(&tree, level, index, width).map_err(|e| MirrorError::Tile {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if want != bytes {
            return Err(MirrorError::TileMismatch { path });
        }
        files.push((path, bytes));
    }
    if let Some(out) = out {
        files.push(("checkpoint".to_owned(), cp_bytes));
        for (path, bytes) in &files {
            let p = out.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|source| MirrorError::Write {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(&p, bytes).map_err(|source| MirrorError::Write { path: p, source })?;
        }
    }
    Ok(MirrorReport {
        size,
        hash_tiles: hash_tiles.len(),
        bundles: bundles.len(),
        quorum,
    })
}

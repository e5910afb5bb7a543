//! C2SP tlog-tiles v0.1.0: tile paths, tile contents, the tiles a tree size needs, and
//! reading Merkle proofs out of hash tiles.
//!
//! * Hash tile `tile/<L>/<N>[.p/<W>]`: `W` (1–256) consecutive hashes at tree level `8·L`,
//!   starting at hash `256·N`. A full tile holds 256 hashes (8,192 bytes); a partial one
//!   `W < 256` and has the `.p/<W>` suffix.
//! * Entry bundle `tile/entries/<N>[.p/<W>]`: the entries `256·N ..` as big-endian `u16`
//!   length-prefixed byte strings, so one entry is at most [`MAX_ENTRY_LEN`] bytes.
//! * `<N>` is written in 3-digit groups, all but the last prefixed with `x`:
//!   1234067 → `x001/x234/067`.
//!
//! [`TileStore`] implements [`NodeStore`] over hash tiles, so every function of
//! [`crate::merkle`] (root, inclusion and consistency proofs) works on a tiled log as read
//! by a client or mirror.

use core::fmt;
use std::collections::BTreeMap;

use crate::checkpoint::parse_decimal;
use crate::merkle::{self, HASH_LEN, Hash, NodeStore};

/// Tree levels covered by one tile level.
pub const TILE_HEIGHT: u8 = 8;

/// Hashes in a full tile (and entries in a full bundle).
pub const TILE_WIDTH: u16 = 256;

/// Largest tile level allowed in a path.
pub const MAX_TILE_LEVEL: u8 = 63;

/// Largest entry an entry bundle can hold (its length is a big-endian `u16`).
pub const MAX_ENTRY_LEN: usize = u16::MAX as usize;

/// Errors of tile paths and tile contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// A path is not a canonical tile or entry-bundle path.
    #[error("invalid tile path {path:?}: {reason}")]
    BadPath {
        /// The path (truncated to 200 bytes).
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A tile width outside 1..=256.
    #[error("tile width {0} is not within 1..=256")]
    BadWidth(u16),
    /// A hash tile's byte length is not 32 × its width.
    #[error("hash tile {path} has {len} bytes, expected {expected}")]
    BadTileLength {
        /// The tile.
        path: String,
        /// Its length.
        len: usize,
        /// The expected length.
        expected: usize,
    },
    /// An entry bundle ends in the middle of an entry.
    #[error("entry bundle truncated in entry {entry}")]
    TruncatedBundle {
        /// 0-based entry number within the bundle.
        entry: usize,
    },
    /// An entry bundle holds more than 256 entries, or not the expected number.
    #[error("entry bundle holds {got} entries, expected {expected}")]
    BundleCount {
        /// Entries found.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// An entry is longer than [`MAX_ENTRY_LEN`].
    #[error("entry {entry} is {len} bytes, more than {MAX_ENTRY_LEN}")]
    EntryTooLong {
        /// 0-based entry number within the bundle.
        entry: usize,
        /// Its length.
        len: usize,
    },
    /// An entry bundle does not hash to its level-0 tile.
    #[error("entry {index} does not match its leaf hash")]
    EntryMismatch {
        /// Global index of the entry.
        index: u64,
    },
}

/// Encodes a tile index as path elements: `1234067` → `x001/x234/067`.
pub fn encode_index(mut n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    n /= 1000;
    while n > 0 {
        s = format!("x{:03}/{s}", n % 1000);
        n /= 1000;
    }
    s
}

/// A tile resource: a hash tile or an entry bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TilePath {
    /// A Merkle hash tile.
    Hash {
        /// Tile level `L` (tree level `8·L`).
        level: u8,
        /// Tile index `N`.
        index: u64,
        /// Number of hashes, 1–256 (256 = full).
        width: u16,
    },
    /// An entry bundle.
    Entries {
        /// Bundle index `N`.
        index: u64,
        /// Number of entries, 1–256 (256 = full).
        width: u16,
    },
}

impl TilePath {
    /// The width (hashes or entries).
    pub fn width(&self) -> u16 {
        match *self {
            Self::Hash { width, .. } | Self::Entries { width, .. } => width,
        }
    }

    /// Parses a canonical path relative to the log prefix (`tile/...`).
    pub fn parse(path: &str) -> Result<Self, TileError> {
        let bad = |reason| TileError::BadPath {
            path: path.chars().take(200).collect(),
            reason,
        };
        let rest = path
            .strip_prefix("tile/")
            .ok_or_else(|| bad("does not start with tile/"))?;
        let (level, rest) = rest.split_once('/').ok_or_else(|| bad("no level"))?;
        let level = if level == "entries" {
            None
        } else {
            let l = parse_decimal(level).ok_or_else(|| bad("level is not a decimal"))?;
            let l = u8::try_from(l)
                .ok()
                .filter(|&l| l <= MAX_TILE_LEVEL)
                .ok_or_else(|| bad("level above 63"))?;
            Some(l)
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let w = parse_decimal(w).ok_or_else(|| bad("width is not a decimal"))?;
                let w = u16::try_from(w)
                    .ok()
                    .filter(|w| (1..TILE_WIDTH).contains(w))
                    .ok_or_else(|| bad("partial width not within 1..=255"))?;
                (i, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut index: u64 = 0;
        let elems: Vec<&str> = index_part.split('/').collect();
        let last = elems.len() - 1;
        for (i, e) in elems.iter().enumerate() {
            let digits = if i == last {
                *e
            } else {
                e.strip_prefix('x')
                    .ok_or_else(|| bad("non-final index element lacks 'x'"))?
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("index element is not 3 digits"));
            }
            let d: u64 = digits
                .parse()
                .map_err(|_| bad("index element is not 3 digits"))?;
            index = index
                .checked_mul(1000)
                .and_then(|x| x.checked_add(d))
                .ok_or_else(|| bad("index overflows 64 bits"))?;
        }
        let tile = match level {
            Some(level) => Self::Hash {
                level,
                index,
                width,
            },
            None => Self::Entries { index, width },
        };
        if tile.to_string() != path {
            return Err(bad("not canonical"));
        }
        Ok(tile)
    }
}

impl fmt::Display for TilePath {
    /// The path relative to the log prefix, e.g. `tile/0/x001/234.p/7`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, index, width) = match *self {
            Self::Hash {
                level,
                index,
                width,
            } => (level.to_string(), index, width),
            Self::Entries { index, width } => ("entries".to_owned(), index, width),
        };
        write!(f, "tile/{prefix}/{}", encode_index(index))?;
        if width < TILE_WIDTH {
            write!(f, ".p/{width}")?;
        }
        Ok(())
    }
}

/// Every hash tile that a tree of `size` leaves consists of (full tiles plus the partial tile
/// of each level), ordered by level then index.
pub fn hash_tiles_for_size(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    for level in 0..=(64 / u32::from(TILE_HEIGHT)) {
        let hashes = size
            .checked_shr(u32::from(TILE_HEIGHT) * level)
            .unwrap_or(0);
        if hashes == 0 {
            break;
        }
        let level = u8::try_from(level).unwrap_or(MAX_TILE_LEVEL);
        push_tiles(&mut out, hashes, |index, width| TilePath::Hash {
            level,
            index,
            width,
        });
    }
    out
}

/// Every entry bundle of a tree of `size` leaves, ordered by index.
pub fn entry_bundles_for_size(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    push_tiles(&mut out, size, |index, width| TilePath::Entries {
        index,
        width,
    });
    out
}

fn push_tiles(out: &mut Vec<TilePath>, count: u64, make: impl Fn(u64, u16) -> TilePath) {
    let full = count / u64::from(TILE_WIDTH);
    for n in 0..full {
        out.push(make(n, TILE_WIDTH));
    }
    let partial = u16::try_from(count % u64::from(TILE_WIDTH)).unwrap_or(0);
    if partial > 0 {
        out.push(make(full, partial));
    }
}

/// Splits a hash tile's bytes into hashes; the length must be `32 · width`.
pub fn parse_hash_tile(tile: &TilePath, bytes: &[u8]) -> Result<Vec<Hash>, TileError> {
    let expected = usize::from(tile.width()) * HASH_LEN;
    if bytes.len() != expected {
        return Err(TileError::BadTileLength {
            path: tile.to_string(),
            len: bytes.len(),
            expected,
        });
    }
    Ok(bytes
        .chunks_exact(HASH_LEN)
        .filter_map(|c| Hash::from_slice(c).ok())
        .collect())
}

/// The bytes of hash tile (`level`, `index`, `width`) read from a node store of a tree that
/// contains it.
pub fn hash_tile_bytes<S: NodeStore + ?Sized>(
    store: &S,
    level: u8,
    index: u64,
    width: u16,
) -> Result<Vec<u8>, merkle::Error> {
    let tree_level = level
        .checked_mul(TILE_HEIGHT)
        .ok_or(merkle::Error::MissingNode { level, index })?;
    let mut out = Vec::with_capacity(usize::from(width) * HASH_LEN);
    for i in 0..u64::from(width) {
        let n = index
            .checked_mul(u64::from(TILE_WIDTH))
            .and_then(|x| x.checked_add(i))
            .ok_or(merkle::Error::MissingNode { level, index })?;
        let h = store
            .node(tree_level, n)
            .ok_or(merkle::Error::MissingNode {
                level: tree_level,
                index: n,
            })?;
        out.extend_from_slice(&h.0);
    }
    Ok(out)
}

/// Parses an entry bundle into its entries. At most 256 entries; if `expected` is given, the
/// bundle must hold exactly that many.
pub fn parse_entry_bundle(bytes: &[u8], expected: Option<u16>) -> Result<Vec<&[u8]>, TileError> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let entry = out.len();
        if entry >= usize::from(TILE_WIDTH) {
            return Err(TileError::BundleCount {
                got: entry + 1,
                expected: usize::from(expected.unwrap_or(TILE_WIDTH)),
            });
        }
        let (len, tail) = match rest {
            [a, b, tail @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), tail),
            _ => return Err(TileError::TruncatedBundle { entry }),
        };
        let (e, tail) = tail
            .split_at_checked(len)
            .ok_or(TileError::TruncatedBundle { entry })?;
        out.push(e);
        rest = tail;
    }
    if let Some(w) = expected {
        if out.len() != usize::from(w) {
            return Err(TileError::BundleCount {
                got: out.len(),
                expected: usize::from(w),
            });
        }
    }
    Ok(out)
}

/// Encodes entries (at most 256, each at most [`MAX_ENTRY_LEN`] bytes) as an entry bundle.
pub fn format_entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TileError> {
    if entries.len() > usize::from(TILE_WIDTH) {
        return Err(TileError::BundleCount {
            got: entries.len(),
            expected: usize::from(TILE_WIDTH),
        });
    }
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let e = e.as_ref();
        let len = u16::try_from(e.len()).map_err(|_| TileError::EntryTooLong {
            entry: i,
            len: e.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Hash tiles held in memory, readable as a [`NodeStore`].
///
/// A node at tree level `h` lies in tile level `h / 8`: it is the Merkle tree hash of the
/// `2^(h mod 8)` tile hashes it spans. Those internal nodes are computed once, when the tile
/// is inserted, so a read is a lookup. For each (level, index) the widest tile supplied is
/// kept.
#[derive(Debug, Clone, Default)]
pub struct TileStore {
    /// `tiles[(L, N)][r][j]`: hash of tile hashes `[j·2^r, (j+1)·2^r)` of tile `(L, N)`.
    tiles: BTreeMap<(u8, u64), Vec<Vec<Hash>>>,
}

/// The complete internal levels of a tile: level 0 is the tile's hashes.
fn tile_levels(hashes: Vec<Hash>) -> Vec<Vec<Hash>> {
    let mut levels = vec![hashes];
    while let Some(prev) = levels.last() {
        if prev.len() < 2 {
            break;
        }
        let next: Vec<Hash> = prev
            .chunks_exact(2)
            .filter_map(|pair| match pair {
                [l, r] => Some(merkle::node_hash(l, r)),
                _ => None,
            })
            .collect();
        levels.push(next);
    }
    levels
}

impl TileStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a hash tile from its bytes (checked against the path's width).
    pub fn insert(&mut self, tile: &TilePath, bytes: &[u8]) -> Result<(), TileError> {
        let TilePath::Hash { level, index, .. } = *tile else {
            return Err(TileError::BadPath {
                path: tile.to_string(),
                reason: "not a hash tile",
            });
        };
        let hashes = parse_hash_tile(tile, bytes)?;
        let slot = self.tiles.entry((level, index)).or_default();
        if hashes.len() > slot.first().map_or(0, Vec::len) {
            *slot = tile_levels(hashes);
        }
        Ok(())
    }

    /// Checks that an entry bundle matches the level-0 tile of the same index: entry `i`
    /// must have leaf hash `tile[i]`.
    pub fn check_bundle(&self, bundle: &TilePath, bytes: &[u8]) -> Result<(), TileError> {
        let TilePath::Entries { index, width } = *bundle else {
            return Err(TileError::BadPath {
                path: bundle.to_string(),
                reason: "not an entry bundle",
            });
        };
        let entries = parse_entry_bundle(bytes, Some(width))?;
        let base = index.saturating_mul(u64::from(TILE_WIDTH));
        let hashes = self.tiles.get(&(0, index)).and_then(|t| t.first());
        for (i, e) in entries.iter().enumerate() {
            let global = base.saturating_add(i as u64);
            let want = hashes.and_then(|h| h.get(i));
            if want != Some(&merkle::leaf_hash(e)) {
                return Err(TileError::EntryMismatch { index: global });
            }
        }
        Ok(())
    }
}

impl NodeStore for TileStore {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        let tile_level = level / TILE_HEIGHT;
        let sub = level % TILE_HEIGHT;
        let first = index.checked_shl(u32::from(sub))?;
        if first >> u32::from(sub) != index {
            return None;
        }
        let tile_index = first / u64::from(TILE_WIDTH);
        let pos = usize::try_from(first % u64::from(TILE_WIDTH)).ok()?;
        let levels = self.tiles.get(&(tile_level, tile_index))?;
        levels.get(usize::from(sub))?.get(pos >> sub).copied()
    }
}

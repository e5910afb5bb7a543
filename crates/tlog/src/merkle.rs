//! RFC 6962 Merkle tree hashing and proofs (the same algorithms as RFC 9162 §2.1).
//!
//! * Leaf hash: `SHA-256(0x00 || entry)`; interior node: `SHA-256(0x01 || left || right)`;
//!   the root of the empty tree is `SHA-256("")` (RFC 9162 §2.1.1).
//! * [`inclusion_proof`] / [`verify_inclusion`]: RFC 9162 §2.1.3.1 and §2.1.3.2.
//! * [`consistency_proof`] / [`verify_consistency`]: RFC 9162 §2.1.4.1 and §2.1.4.2.
//! * [`verify_subtree_inclusion`]: inclusion of a leaf in a subtree `[start, end)` as defined by
//!   draft-ietf-plants-merkle-tree-certs §4.1;
//!   [`subtree_consistency_proof`] / [`verify_subtree_consistency`]: a subtree inside a tree
//!   (same draft, §4.4).
//!
//! Proof generation reads complete-subtree hashes from a [`NodeStore`]: node `(level, index)` is
//! the hash of leaves `[index · 2^level, (index + 1) · 2^level)`. A tree of `n` leaves needs, and
//! a log stores, exactly the nodes with `(index + 1) · 2^level <= n`. [`Tree`] is an in-memory
//! store; [`append_nodes`] tells an external store (a database) which nodes one append creates;
//! [`crate::tiles::TileStore`] reads nodes out of tlog-tiles hash tiles.
//!
//! Scope: pure functions over hashes. Nothing here does I/O.

use core::fmt;

use sha2::{Digest, Sha256};

/// Length in bytes of every hash in this crate (SHA-256).
pub const HASH_LEN: usize = 32;

/// The deepest level a node of a tree of at most `u64::MAX` leaves can have.
pub const MAX_LEVEL: u8 = 63;

/// A SHA-256 Merkle tree hash (leaf, node or root).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; HASH_LEN]);

impl Hash {
    /// Parses a hash from a byte string, which must be exactly [`HASH_LEN`] bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        <[u8; HASH_LEN]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| Error::HashLength { got: bytes.len() })
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hash(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Hash {
    /// Lower-case hex, as in RFC 6962 test data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Errors of Merkle proof generation and verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hash was not 32 bytes long.
    #[error("hash must be {HASH_LEN} bytes, got {got}")]
    HashLength {
        /// The length that was supplied.
        got: usize,
    },
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The two tree sizes of a consistency proof are not `0 < size1 <= size2`.
    #[error("consistency proof needs 0 < size1 <= size2, got size1 = {size1}, size2 = {size2}")]
    InvalidSizes {
        /// The older tree size.
        size1: u64,
        /// The newer tree size.
        size2: u64,
    },
    /// A subtree `[start, end)` is not valid (draft-ietf-plants-merkle-tree-certs §4.1).
    #[error("[{start}, {end}) is not a valid subtree")]
    InvalidSubtree {
        /// First leaf of the subtree.
        start: u64,
        /// One past the last leaf of the subtree.
        end: u64,
    },
    /// The proof has the wrong number of elements for the sizes involved.
    #[error("proof has {got} hashes, expected {expected}")]
    WrongProofLength {
        /// The number of proof hashes required.
        expected: usize,
        /// The number supplied.
        got: usize,
    },
    /// The proof does not lead to the expected root (or, for consistency proofs, to
    /// one of the two expected roots).
    #[error("proof does not match the expected root hash")]
    RootMismatch,
    /// The node store lacks a hash that the computation needs.
    #[error("node store has no hash for level {level}, index {index}")]
    MissingNode {
        /// Level of the missing node (0 = leaves).
        level: u8,
        /// Index of the missing node within its level.
        index: u64,
    },
}

/// RFC 6962 leaf hash: `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    Hash(h.finalize().into())
}

/// RFC 6962 interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// Root of the empty tree: `SHA-256("")` (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// Root of the tree whose leaf hashes are `leaves`, computed directly (no store).
pub fn root_from_leaves(leaves: &[Hash]) -> Hash {
    // Stack of (level, hash) of complete subtrees, as in an incremental append.
    let mut stack: Vec<(u32, Hash)> = Vec::new();
    for leaf in leaves {
        let mut cur = (0u32, *leaf);
        while let Some(&(lvl, top)) = stack.last() {
            if lvl != cur.0 {
                break;
            }
            stack.pop();
            cur = (lvl + 1, node_hash(&top, &cur.1));
        }
        stack.push(cur);
    }
    fold_right_border(&stack).unwrap_or_else(empty_root)
}

/// Hashes the stack of complete subtrees (largest first) into a root, right to left.
fn fold_right_border(stack: &[(u32, Hash)]) -> Option<Hash> {
    let mut iter = stack.iter().rev();
    let mut acc = iter.next()?.1;
    for (_, h) in iter {
        acc = node_hash(h, &acc);
    }
    Some(acc)
}

/// Largest power of two strictly smaller than `n`; requires `n >= 2`.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Read access to the complete-subtree hashes of a tree.
///
/// Node `(level, index)` is the Merkle tree hash of leaves
/// `[index · 2^level, (index + 1) · 2^level)`. Implementations return `None` for a node they
/// do not hold.
pub trait NodeStore {
    /// The hash of node `(level, index)`, if stored.
    fn node(&self, level: u8, index: u64) -> Option<Hash>;
}

impl<S: NodeStore + ?Sized> NodeStore for &S {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        (**self).node(level, index)
    }
}

fn get_node<S: NodeStore + ?Sized>(store: &S, level: u8, index: u64) -> Result<Hash, Error> {
    store
        .node(level, index)
        .ok_or(Error::MissingNode { level, index })
}

/// Merkle tree hash of leaves `[start, end)`, where `start` is a multiple of the smallest power
/// of two `>= end - start` (true of every range the RFC 6962 recursions visit).
pub fn subtree_hash<S: NodeStore + ?Sized>(store: &S, start: u64, end: u64) -> Result<Hash, Error> {
    if !is_valid_subtree(start, end) {
        return Err(Error::InvalidSubtree { start, end });
    }
    subtree_hash_unchecked(store, start, end)
}

fn subtree_hash_unchecked<S: NodeStore + ?Sized>(
    store: &S,
    start: u64,
    end: u64,
) -> Result<Hash, Error> {
    let n = end - start;
    if n.is_power_of_two() {
        let level = n.trailing_zeros();
        // level <= 63 because n is a u64 power of two.
        let level = u8::try_from(level).map_err(|_| Error::InvalidSubtree { start, end })?;
        return get_node(store, level, start >> level);
    }
    // n >= 3 here: 0 is rejected by callers, 1 and 2 are powers of two.
    let k = split_point(n);
    let left = subtree_hash_unchecked(store, start, start + k)?;
    let right = subtree_hash_unchecked(store, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// Whether `[start, end)` is a valid subtree: `start < end` and `start` is a multiple of the
/// smallest power of two `>= end - start` (draft-ietf-plants-merkle-tree-certs §4.1).
pub fn is_valid_subtree(start: u64, end: u64) -> bool {
    if start >= end {
        return false;
    }
    match (end - start).checked_next_power_of_two() {
        Some(p) => start % p == 0,
        // end - start > 2^63: only start = 0 is aligned.
        None => start == 0,
    }
}

/// Root hash of the tree of `size` leaves held by `store` (RFC 6962 MTH).
pub fn root<S: NodeStore + ?Sized>(store: &S, size: u64) -> Result<Hash, Error> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree_hash_unchecked(store, 0, size)
}

/// Inclusion proof (audit path, leaf to root) of leaf `index` in the tree of `size` leaves
/// (RFC 9162 §2.1.3.1).
pub fn inclusion_proof<S: NodeStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, Error> {
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let mut path = Vec::new();
    path_rec(store, index, 0, size, &mut path)?;
    Ok(path)
}

/// Inclusion proof of leaf `index` in the subtree `[start, end)`
/// (draft-ietf-plants-merkle-tree-certs §4.3): the audit path of `index` within that subtree.
pub fn subtree_inclusion_proof<S: NodeStore + ?Sized>(
    store: &S,
    index: u64,
    start: u64,
    end: u64,
) -> Result<Vec<Hash>, Error> {
    if !is_valid_subtree(start, end) {
        return Err(Error::InvalidSubtree { start, end });
    }
    if index < start || index >= end {
        return Err(Error::IndexOutOfRange { index, size: end });
    }
    let mut path = Vec::new();
    path_rec(store, index, start, end, &mut path)?;
    Ok(path)
}

/// `PATH(m, D[start:end])` with `m` an absolute index; appends leaf-to-root.
fn path_rec<S: NodeStore + ?Sized>(
    store: &S,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), Error> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < start + k {
        path_rec(store, m, start, start + k, out)?;
        out.push(subtree_hash_unchecked(store, start + k, end)?);
    } else {
        path_rec(store, m, start + k, end, out)?;
        out.push(subtree_hash_unchecked(store, start, start + k)?);
    }
    Ok(())
}

/// Consistency proof between the trees of `size1` and `size2` leaves (RFC 9162 §2.1.4.1).
///
/// Requires `0 < size1 <= size2`; for `size1 == size2` the proof is empty.
pub fn consistency_proof<S: NodeStore + ?Sized>(
    store: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, Error> {
    if size1 == 0 || size1 > size2 {
        return Err(Error::InvalidSizes { size1, size2 });
    }
    let mut out = Vec::new();
    if size1 < size2 {
        subproof_rec(store, size1, 0, size2, true, &mut out)?;
    }
    Ok(out)
}

/// `SUBPROOF(m, D[start:end], b)` with `m` counted from `start`.
fn subproof_rec<S: NodeStore + ?Sized>(
    store: &S,
    m: u64,
    start: u64,
    end: u64,
    b: bool,
    out: &mut Vec<Hash>,
) -> Result<(), Error> {
    let n = end - start;
    if m == n {
        if !b {
            out.push(subtree_hash_unchecked(store, start, end)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof_rec(store, m, start, start + k, b, out)?;
        out.push(subtree_hash_unchecked(store, start + k, end)?);
    } else {
        subproof_rec(store, m - k, start + k, end, false, out)?;
        out.push(subtree_hash_unchecked(store, start, start + k)?);
    }
    Ok(())
}

/// Root implied by an inclusion proof (RFC 9162 §2.1.3.2, steps 1–4).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, Error> {
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(Error::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    let mut f = index;
    let mut s = size - 1;
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(Error::WrongProofLength {
                expected,
                got: proof.len(),
            });
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(Error::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    Ok(r)
}

/// Number of hashes in the inclusion proof of `index` in a tree of `size` (`index < size`).
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    if index >= size {
        return 0;
    }
    // Bits below the point where the paths to `index` and `size - 1` diverge, plus one
    // left sibling per set bit above it.
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = if inner >= 64 {
        0
    } else {
        (index >> inner).count_ones()
    };
    (inner + border) as usize
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), Error> {
    let computed = root_from_inclusion_proof(index, size, leaf, proof)?;
    if computed == *root {
        Ok(())
    } else {
        Err(Error::RootMismatch)
    }
}

/// Verifies that leaf `index` lies in the subtree `[start, end)` whose hash is `subtree_root`
/// (draft-ietf-plants-merkle-tree-certs §4.3.2): an ordinary inclusion proof of
/// `index - start` in a tree of `end - start` leaves, after checking the subtree is valid.
pub fn verify_subtree_inclusion(
    index: u64,
    start: u64,
    end: u64,
    leaf: &Hash,
    proof: &[Hash],
    subtree_root: &Hash,
) -> Result<(), Error> {
    if !is_valid_subtree(start, end) {
        return Err(Error::InvalidSubtree { start, end });
    }
    if index < start || index >= end {
        return Err(Error::IndexOutOfRange { index, size: end });
    }
    verify_inclusion(index - start, end - start, leaf, proof, subtree_root)
}

/// Verifies a consistency proof between the tree of `size1` leaves with root `root1` and the
/// tree of `size2` leaves with root `root2` (RFC 9162 §2.1.4.2).
///
/// Requires `0 < size1 <= size2`. A consistency check from the empty tree is meaningless and is
/// an error here; the tlog-witness protocol handles `old 0` itself without calling this.
/// For `size1 == size2` the proof must be empty and the roots equal.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), Error> {
    if size1 == 0 || size1 > size2 {
        return Err(Error::InvalidSizes { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(Error::WrongProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(Error::RootMismatch)
        };
    }
    let expected = consistency_proof_len(size1, size2);
    if proof.len() != expected {
        return Err(Error::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    // Step 2: if size1 is a power of two, root1 is the first path element.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(*root1);
    }
    path.extend_from_slice(proof);
    let mut f = size1 - 1;
    let mut s = size2 - 1;
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (first, rest) = path.split_first().ok_or(Error::WrongProofLength {
        expected,
        got: proof.len(),
    })?;
    let mut fr = *first;
    let mut sr = *first;
    for c in rest {
        if s == 0 {
            return Err(Error::WrongProofLength {
                expected,
                got: proof.len(),
            });
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(Error::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    if fr == *root1 && sr == *root2 {
        Ok(())
    } else {
        Err(Error::RootMismatch)
    }
}

/// Subtree consistency proof (draft-ietf-plants-merkle-tree-certs §4.4): proves that the
/// valid subtree `[start, end)` is contained in the tree of `size` leaves.
///
/// The proof follows the RFC 9162 §2.1.4.1 recursion: descending towards the subtree, each
/// level contributes the hash of the sibling range, innermost first; when the subtree is a
/// prefix `[0, end)` the recursion is exactly `SUBPROOF(end, D[size], true)`. The proof of an
/// empty subtree (`start == end`) is empty.
pub fn subtree_consistency_proof<S: NodeStore + ?Sized>(
    store: &S,
    start: u64,
    end: u64,
    size: u64,
) -> Result<Vec<Hash>, Error> {
    if start == end && end <= size {
        return Ok(Vec::new());
    }
    if !is_valid_subtree(start, end) || end > size {
        return Err(Error::InvalidSubtree { start, end });
    }
    let mut out = Vec::new();
    subtree_subproof(store, start, end, 0, size, true, &mut out)?;
    Ok(out)
}

fn subtree_subproof<S: NodeStore + ?Sized>(
    store: &S,
    start: u64,
    end: u64,
    lo: u64,
    hi: u64,
    known: bool,
    out: &mut Vec<Hash>,
) -> Result<(), Error> {
    if start == lo && end == hi {
        if !known {
            out.push(subtree_hash_unchecked(store, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(hi - lo);
    let mid = lo + k;
    if end <= mid {
        subtree_subproof(store, start, end, lo, mid, known, out)?;
        out.push(subtree_hash_unchecked(store, mid, hi)?);
    } else if start >= mid {
        subtree_subproof(store, start, end, mid, hi, known, out)?;
        out.push(subtree_hash_unchecked(store, lo, mid)?);
    } else {
        // Only a prefix subtree (start == lo) can straddle the split.
        subtree_subproof(store, mid, end, mid, hi, false, out)?;
        out.push(subtree_hash_unchecked(store, lo, mid)?);
    }
    Ok(())
}

/// Verifies a subtree consistency proof (draft-ietf-plants-merkle-tree-certs §4.4): the valid
/// subtree `[start, end)` with hash `subtree_root` is part of the tree of `size` leaves with
/// root `root`.
///
/// An empty subtree (`start == end <= size`) is accepted with an empty proof when its hash is
/// the empty-tree hash, whatever `root` is, as the transparency-dev test vectors expect.
pub fn verify_subtree_consistency(
    start: u64,
    end: u64,
    size: u64,
    proof: &[Hash],
    subtree_root: &Hash,
    root: &Hash,
) -> Result<(), Error> {
    if start == end && end <= size {
        if !proof.is_empty() {
            return Err(Error::WrongProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        return if *subtree_root == empty_root() {
            Ok(())
        } else {
            Err(Error::RootMismatch)
        };
    }
    if !is_valid_subtree(start, end) || end > size {
        return Err(Error::InvalidSubtree { start, end });
    }
    let (old, new, rest) = verify_subtree_rec(start, end, 0, size, true, proof, subtree_root)?;
    if !rest.is_empty() {
        return Err(Error::WrongProofLength {
            expected: proof.len() - rest.len(),
            got: proof.len(),
        });
    }
    if old == *subtree_root && new == *root {
        Ok(())
    } else {
        Err(Error::RootMismatch)
    }
}

/// Walks the generator's recursion, consuming proof hashes from the end (outermost first).
/// Returns (hash of the old range, hash of `[lo, hi)`, unconsumed proof prefix).
fn verify_subtree_rec<'p>(
    start: u64,
    end: u64,
    lo: u64,
    hi: u64,
    known: bool,
    proof: &'p [Hash],
    subtree_root: &Hash,
) -> Result<(Hash, Hash, &'p [Hash]), Error> {
    let short = Error::WrongProofLength {
        expected: proof.len() + 1,
        got: proof.len(),
    };
    if start == lo && end == hi {
        if known {
            return Ok((*subtree_root, *subtree_root, proof));
        }
        let (h, rest) = proof.split_last().ok_or(short)?;
        return Ok((*h, *h, rest));
    }
    let (sib, rest) = proof.split_last().ok_or(short)?;
    let k = split_point(hi - lo);
    let mid = lo + k;
    if end <= mid {
        let (old, new, rest) = verify_subtree_rec(start, end, lo, mid, known, rest, subtree_root)?;
        Ok((old, node_hash(&new, sib), rest))
    } else if start >= mid {
        let (old, new, rest) = verify_subtree_rec(start, end, mid, hi, known, rest, subtree_root)?;
        Ok((old, node_hash(sib, &new), rest))
    } else {
        let (old, new, rest) = verify_subtree_rec(mid, end, mid, hi, false, rest, subtree_root)?;
        Ok((node_hash(sib, &old), node_hash(sib, &new), rest))
    }
}

/// Number of hashes in the consistency proof from `size1` to `size2` (`0 < size1 < size2`).
pub fn consistency_proof_len(size1: u64, size2: u64) -> usize {
    if size1 == 0 || size1 >= size2 {
        return 0;
    }
    // The proof is the inclusion path of leaf size1 - 1 in size2, minus the levels below
    // the largest complete subtree ending at size1, plus that subtree's hash unless it is
    // the whole old tree.
    let shift = size1.trailing_zeros();
    let full = inclusion_proof_len(size1 - 1, size2) - shift as usize;
    if size1.is_power_of_two() {
        full
    } else {
        full + 1
    }
}

/// Identifies a stored node: `(level, index)`, see [`NodeStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    /// Level (0 = leaf hashes).
    pub level: u8,
    /// Index within the level.
    pub index: u64,
}

/// The nodes that appending leaf hash `leaf` to a tree of `size` leaves creates: the leaf
/// itself at `(0, size)` and every newly completed parent. A log with its own storage writes
/// these, then the new tree of `size + 1` leaves is fully readable from the store.
///
/// Reads the left siblings from `store`.
pub fn append_nodes<S: NodeStore + ?Sized>(
    store: &S,
    size: u64,
    leaf: Hash,
) -> Result<Vec<(NodeId, Hash)>, Error> {
    let mut out = vec![(
        NodeId {
            level: 0,
            index: size,
        },
        leaf,
    )];
    let mut level: u8 = 0;
    let mut index = size;
    let mut cur = leaf;
    while index & 1 == 1 {
        let left = get_node(store, level, index - 1)?;
        cur = node_hash(&left, &cur);
        level = level
            .checked_add(1)
            .ok_or(Error::MissingNode { level, index })?;
        index >>= 1;
        out.push((NodeId { level, index }, cur));
    }
    Ok(out)
}

/// An in-memory append-only Merkle tree that stores every complete-subtree hash.
///
/// Memory: about `2 · size` hashes (64 bytes per leaf).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// `levels[l][i]` is node `(l, i)`.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Appends an entry (hashing it as a leaf) and returns its index.
    pub fn append_entry(&mut self, entry: &[u8]) -> u64 {
        self.append_leaf_hash(leaf_hash(entry))
    }

    /// Appends a leaf hash and returns its index.
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> u64 {
        let index = self.size();
        let mut level = 0usize;
        let mut cur = leaf;
        loop {
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(level) else {
                break;
            };
            row.push(cur);
            let len = row.len();
            if len % 2 == 1 {
                break;
            }
            match (row.get(len - 2), row.get(len - 1)) {
                (Some(l), Some(r)) => cur = node_hash(l, r),
                _ => break,
            }
            level += 1;
        }
        index
    }

    /// Root of the current tree.
    pub fn root(&self) -> Hash {
        // The store holds every node the root needs.
        root(self, self.size()).unwrap_or_else(|_| empty_root())
    }

    /// Root of the tree's prefix of `size` leaves (`size <= self.size()`).
    pub fn root_at(&self, size: u64) -> Result<Hash, Error> {
        if size > self.size() {
            return Err(Error::IndexOutOfRange {
                index: size,
                size: self.size(),
            });
        }
        root(self, size)
    }

    /// Inclusion proof of leaf `index` in the prefix of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, Error> {
        if size > self.size() {
            return Err(Error::IndexOutOfRange {
                index: size,
                size: self.size(),
            });
        }
        inclusion_proof(self, index, size)
    }

    /// Consistency proof between the prefixes of `size1` and `size2` leaves.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, Error> {
        if size2 > self.size() {
            return Err(Error::InvalidSizes { size1, size2 });
        }
        consistency_proof(self, size1, size2)
    }
}

impl NodeStore for Tree {
    fn node(&self, level: u8, index: u64) -> Option<Hash> {
        let row = self.levels.get(usize::from(level))?;
        row.get(usize::try_from(index).ok()?).copied()
    }
}

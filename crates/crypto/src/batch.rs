//! Batch verification by random linear combination (spec §10).
//!
//! Every proof in this crate is verified by equations of the form `Σᵢ sᵢ·Pᵢ = 0`. A batch
//! multiplies each equation by an independent 128-bit weight, adds them all and checks the
//! sum with **one** variable-time multiscalar multiplication. If any equation fails, the
//! sum is the identity with probability at most 2⁻¹²⁸ per batch (the weights are unknown to
//! the prover when the proofs are fixed).
//!
//! **Weights.** A 32-byte seed is drawn from the caller's CSPRNG once per call; the weights of
//! item `i` are the 16-byte blocks of
//! `SHA-512( lp("sanduq/0.1") ‖ lp("batch-weights") ‖ lp(seed) ‖ lp(u64_be(i)) ‖ lp(u64_be(block)) )`
//! for `block = 0, 1, …`, each read as a little-endian integer below 2¹²⁸. The seed never
//! leaves the verifier, so a prover cannot predict the weights; the construction needs no
//! operating-system randomness of its own, which keeps the crate usable in a browser.
//!
//! **Parallelism.** With the `parallel` feature (default), the items are split into chunks
//! of about [`TARGET_POINTS`] points and the chunks are verified on rayon's thread pool.
//!
//! **Blame.** When a chunk fails it is bisected: each half is re-checked as a batch, down to
//! single items, which are then verified one by one to obtain the precise error. The lowest
//! failing index is reported in [`BatchError`].
//!
//! Other crates batch their own proofs by implementing [`BatchVerifiable`].

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_core::CryptoRng;
use sha2::{Digest, Sha512};

use crate::SPEC_VERSION;
use crate::error::Error;
use crate::group::{Element, G};

/// Domain tag of the batch-weight derivation.
pub const TAG_BATCH_WEIGHTS: &str = "batch-weights";

/// About how many points one multiscalar multiplication of a chunk holds.
pub const TARGET_POINTS: usize = 2048;

/// A proof (or a bundle of proofs) whose verification is a set of linear equations.
pub trait BatchVerifiable: Sync {
    /// Verify on its own, with the precise error.
    fn verify_one(&self) -> Result<(), Error>;

    /// Do every check that is not an equation (structure, recomputed challenges) and push the
    /// weighted terms of every equation into `acc`, drawing one weight per equation with
    /// [`Accumulator::weight`].
    fn push_terms(&self, acc: &mut Accumulator) -> Result<(), Error>;

    /// About how many points this item adds to a multiscalar multiplication (for chunking).
    fn size_hint(&self) -> usize {
        4
    }
}

/// The weighted terms of the equations of a batch.
#[derive(Debug)]
pub struct Accumulator {
    seed: [u8; 32],
    item: u64,
    block: u64,
    pool: [[u8; 16]; 4],
    used: usize,
    g: Scalar,
    shared: Vec<([u8; 32], RistrettoPoint, Scalar)>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl Accumulator {
    /// An empty accumulator whose weights derive from `seed`.
    #[must_use]
    pub fn new(seed: [u8; 32], capacity: usize) -> Accumulator {
        Accumulator {
            seed,
            item: 0,
            block: 0,
            pool: [[0; 16]; 4],
            used: 4,
            g: Scalar::ZERO,
            shared: Vec::new(),
            scalars: Vec::with_capacity(capacity),
            points: Vec::with_capacity(capacity),
        }
    }

    /// Start the weights of item `index` (its position in the whole batch).
    pub fn start_item(&mut self, index: u64) {
        self.item = index;
        self.block = 0;
        self.used = 4;
    }

    /// The next 128-bit weight of the current item.
    pub fn weight(&mut self) -> Scalar {
        if self.used >= 4 {
            let mut h = Sha512::new();
            for v in [
                SPEC_VERSION.as_bytes(),
                TAG_BATCH_WEIGHTS.as_bytes(),
                &self.seed[..],
                &self.item.to_be_bytes()[..],
                &self.block.to_be_bytes()[..],
            ] {
                h.update(u32::try_from(v.len()).unwrap_or(u32::MAX).to_be_bytes());
                h.update(v);
            }
            let digest: [u8; 64] = h.finalize().into();
            for (slot, chunk) in self.pool.iter_mut().zip(digest.chunks_exact(16)) {
                slot.copy_from_slice(chunk);
            }
            self.block += 1;
            self.used = 0;
        }
        let mut wide = [0u8; 32];
        if let (Some(dst), Some(src)) = (wide.get_mut(..16), self.pool.get(self.used)) {
            dst.copy_from_slice(src);
        }
        self.used += 1;
        Scalar::from_bytes_mod_order(wide)
    }

    /// Add `s` to the coefficient of the generator `G`.
    pub fn add_g(&mut self, s: Scalar) {
        self.g += s;
    }

    /// Add `s` to the coefficient of a base shared by many items (the election key, `H`, a
    /// trustee's key): it enters the multiscalar multiplication once.
    pub fn add_shared(&mut self, base: &Element, s: Scalar) {
        for (bytes, _, coeff) in &mut self.shared {
            if bytes == base.as_bytes() {
                *coeff += s;
                return;
            }
        }
        self.shared.push((base.to_bytes(), *base.point(), s));
    }

    /// Add the term `s·P`.
    pub fn add(&mut self, s: Scalar, p: RistrettoPoint) {
        self.scalars.push(s);
        self.points.push(p);
    }

    /// Whether `Σ sᵢ·Pᵢ` over every term is the identity.
    #[must_use]
    pub fn check(self) -> bool {
        let scalars = core::iter::once(self.g)
            .chain(self.shared.iter().map(|(_, _, s)| *s))
            .chain(self.scalars);
        let points = core::iter::once(G)
            .chain(self.shared.iter().map(|(_, p, _)| *p))
            .chain(self.points);
        RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity()
    }
}

/// A failed batch: the lowest failing item and why it fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("item {index}: {error}")]
pub struct BatchError {
    /// The position of the failing item in the slice given.
    pub index: usize,
    /// Its error when verified on its own.
    pub error: Error,
}

fn chunk_ok<T: BatchVerifiable>(items: &[T], offset: usize, seed: [u8; 32]) -> bool {
    let cap = items.iter().map(BatchVerifiable::size_hint).sum();
    let mut acc = Accumulator::new(seed, cap);
    for (i, item) in (offset..).zip(items) {
        acc.start_item(i as u64);
        if item.push_terms(&mut acc).is_err() {
            return false;
        }
    }
    acc.check()
}

fn bisect<T: BatchVerifiable>(
    items: &[T],
    offset: usize,
    seed: [u8; 32],
    out: &mut Vec<BatchError>,
) {
    match items {
        [] => {}
        [one] => {
            let error = match one.verify_one() {
                Err(e) => e,
                // Cannot happen for a sound implementation of the trait: the batch equation
                // failed but the item verifies alone. Reported rather than accepted.
                Ok(()) => Error::Argument("batch and single verification disagree"),
            };
            out.push(BatchError {
                index: offset,
                error,
            });
        }
        _ => {
            let (left, right) = items.split_at(items.len() / 2);
            if !chunk_ok(left, offset, seed) {
                bisect(left, offset, seed, out);
            }
            let mid = offset + left.len();
            if !chunk_ok(right, mid, seed) {
                bisect(right, mid, seed, out);
            }
        }
    }
}

fn chunk_len<T: BatchVerifiable>(items: &[T]) -> usize {
    let per = items.first().map_or(4, |i| i.size_hint().max(1));
    (TARGET_POINTS / per).max(1)
}

/// Every failing item of a batch (empty if the batch verifies), with weights from `seed`.
#[must_use]
pub fn failing_items_with_seed<T: BatchVerifiable>(items: &[T], seed: [u8; 32]) -> Vec<BatchError> {
    let n = chunk_len(items);
    let check = |(ci, chunk): (usize, &[T])| {
        let offset = ci * n;
        let mut out = Vec::new();
        if !chunk_ok(chunk, offset, seed) {
            bisect(chunk, offset, seed, &mut out);
        }
        out
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items
            .par_chunks(n)
            .enumerate()
            .map(check)
            .reduce(Vec::new, |mut a, b| {
                a.extend(b);
                a
            })
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.chunks(n).enumerate().flat_map(check).collect()
    }
}

/// Verify a batch with weights from `seed` (spec §10); the lowest failing item on error.
pub fn verify_batch_with_seed<T: BatchVerifiable>(
    items: &[T],
    seed: [u8; 32],
) -> Result<(), BatchError> {
    let mut bad = failing_items_with_seed(items, seed);
    bad.sort_by_key(|e| e.index);
    match bad.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Verify a batch with a fresh weight seed from `rng` (spec §10).
pub fn verify_batch<T: BatchVerifiable, R: CryptoRng + ?Sized>(
    items: &[T],
    rng: &mut R,
) -> Result<(), BatchError> {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    verify_batch_with_seed(items, seed)
}

/// Every failing item of a batch, with a fresh weight seed from `rng`.
pub fn failing_items<T: BatchVerifiable, R: CryptoRng + ?Sized>(
    items: &[T],
    rng: &mut R,
) -> Vec<BatchError> {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let mut bad = failing_items_with_seed(items, seed);
    bad.sort_by_key(|e| e.index);
    bad
}

//! The floor of batched verification (`../shared/docs/performance.md`): decompress every
//! point the verification reads, then run the multiscalar multiplications of the batch
//! equations on the same chunks with the same number of points — nothing else.
//!
//! Per contest of `n` selections, vote for 1: `2n` ciphertext points, `4n` commitments of
//! the 0/1 proofs and 4 of the limit proof (124 points for the reference contest). Scalars:
//! 128-bit weights on the commitments, full-size scalars on the ciphertexts, `G` and `K`, as
//! the batch equations have. The same construction as the criterion benchmark of
//! `sanduq-crypto` (`benches/crypto.rs`).

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rayon::prelude::*;
use sanduq_crypto::contest::EncryptedContest;
use sanduq_crypto::group::G;

/// One encrypted contest in binary form: every point and scalar as 32 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawContest {
    /// `α ‖ β` of each selection.
    pub ciphertexts: Vec<[u8; 64]>,
    /// Each selection's range proof: per branch `a, b, c, z`.
    pub proofs: Vec<Vec<[u8; 32]>>,
    /// The limit proof, branches as for a selection.
    pub limit: Vec<[u8; 32]>,
}

impl RawContest {
    /// The binary form of an encrypted contest.
    #[must_use]
    pub fn from_contest(c: &EncryptedContest) -> RawContest {
        RawContest {
            ciphertexts: c
                .selections
                .iter()
                .map(|s| s.ciphertext.to_bytes())
                .collect(),
            proofs: c.selections.iter().map(|s| s.proof.to_words()).collect(),
            limit: c.limit_proof.to_words(),
        }
    }

    /// Bytes of the binary form.
    #[must_use]
    pub fn len_bytes(&self) -> usize {
        64 * self.ciphertexts.len()
            + 32 * (self.proofs.iter().map(Vec::len).sum::<usize>() + self.limit.len())
    }

    /// Points verification reads: ciphertext parts and commitments.
    #[must_use]
    pub fn points(&self) -> usize {
        2 * self.ciphertexts.len()
            + (self.proofs.iter().map(Vec::len).sum::<usize>() + self.limit.len()) / 2
    }
}

/// Fixed scalars of the floor's multiscalar multiplications: 97 distinct 128-bit weights and
/// 89 distinct full-size scalars, used in turn.
#[derive(Clone, Debug)]
pub struct FloorScalars {
    weights: Vec<Scalar>,
    full: Vec<Scalar>,
}

impl Default for FloorScalars {
    fn default() -> FloorScalars {
        FloorScalars {
            weights: (0..97u64)
                .map(|i| Scalar::from((u128::from(i) << 100) | 12345))
                .collect(),
            full: (0..89u64)
                .map(|i| Scalar::from(i + 1) * Scalar::from(u128::MAX) * Scalar::from(u128::MAX))
                .collect(),
        }
    }
}

fn pick(v: &[Scalar], i: usize) -> Scalar {
    v.get(i % v.len().max(1)).copied().unwrap_or(Scalar::ONE)
}

fn decompress(bytes: &[u8]) -> Option<RistrettoPoint> {
    CompressedRistretto::from_slice(bytes).ok()?.decompress()
}

/// One chunk: decompress every point, one multiscalar multiplication. `None` if a point
/// does not decode.
fn chunk(items: &[&RawContest], key: &RistrettoPoint, s: &FloorScalars) -> Option<bool> {
    let n: usize = items.iter().map(|c| c.points()).sum::<usize>() + 2;
    let mut points = Vec::with_capacity(n);
    let mut scalars = Vec::with_capacity(n);
    points.extend([G, *key]);
    scalars.extend([pick(&s.full, 0), pick(&s.full, 1)]);
    let (mut wi, mut fi) = (0usize, 2usize);
    for c in items {
        for ct in &c.ciphertexts {
            for half in ct.chunks_exact(32) {
                points.push(decompress(half)?);
                scalars.push(pick(&s.full, fi));
                fi += 1;
            }
        }
        for p in c.proofs.iter().chain(std::iter::once(&c.limit)) {
            for branch in p.chunks_exact(4) {
                for commitment in branch.iter().take(2) {
                    points.push(decompress(commitment)?);
                    scalars.push(pick(&s.weights, wi));
                    wi += 1;
                }
            }
        }
    }
    Some(RistrettoPoint::vartime_multiscalar_mul(&scalars, &points) == G)
}

/// The floor on `items`, `per_chunk` contests per multiscalar multiplication, chunks on
/// rayon's current pool. Returns whether every point decoded (the value of the equations is
/// meaningless and only kept so that the work is not optimised away).
#[must_use]
pub fn floor(
    items: &[&RawContest],
    key: &RistrettoPoint,
    per_chunk: usize,
    s: &FloorScalars,
) -> bool {
    items
        .par_chunks(per_chunk.max(1))
        .map(|c| chunk(c, key, s).is_some())
        .reduce(|| true, |a, b| a & b)
}

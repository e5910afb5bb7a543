//! Bounded discrete-logarithm recovery (spec §11): find `m ∈ 0..=max` with `P = m·G`.
//!
//! Baby-step giant-step: a table of the encodings of `j·G` for `j < s`, `s = ⌈√(max+1)⌉`,
//! then giant steps `P − i·s·G` for `i = 0, 1, …, ⌊max/s⌋`. The search is bounded: after the
//! last giant step it fails with [`Error::DlogNotFound`], so a tally outside the possible
//! range (a bad decryption) costs at most `√max` steps instead of an endless search. A value
//! found above `max` (possible within the last giant step) is also refused.

use std::collections::HashMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::elgamal::mul_g;
use crate::error::Error;
use crate::group::G;

/// The largest `max` a table may be built for (2⁴⁰: a table of 2²⁰ entries).
pub const MAX_DLOG: u64 = 1 << 40;

/// A baby-step table for discrete logarithms in `0..=max`. Build it once per tally.
#[derive(Clone, Debug)]
pub struct DlogTable {
    max: u64,
    step: u64,
    baby: HashMap<[u8; 32], u64>,
    giant: RistrettoPoint,
}

impl DlogTable {
    /// A table for values `0..=max`.
    pub fn new(max: u64) -> Result<DlogTable, Error> {
        if max > MAX_DLOG {
            return Err(Error::Argument("dlog bound above 2^40"));
        }
        // ⌈√(max+1)⌉ without floating point.
        let n = max + 1;
        let mut step = 1u64;
        while step.saturating_mul(step) < n {
            step += 1;
        }
        let mut baby = HashMap::with_capacity(usize::try_from(step).unwrap_or(0));
        let mut p = RistrettoPoint::identity();
        for j in 0..step {
            baby.entry(p.compress().to_bytes()).or_insert(j);
            p += G;
        }
        Ok(DlogTable {
            max,
            step,
            baby,
            giant: mul_g(&Scalar::from(step)),
        })
    }

    /// The largest value this table recovers.
    #[must_use]
    pub fn max(&self) -> u64 {
        self.max
    }

    /// `m` with `point = m·G` and `m ≤ max`, or [`Error::DlogNotFound`].
    pub fn solve(&self, point: &RistrettoPoint) -> Result<u64, Error> {
        let mut q = *point;
        let giants = self.max / self.step;
        for i in 0..=giants {
            if let Some(j) = self.baby.get(&q.compress().to_bytes()) {
                let m = i * self.step + j;
                return if m <= self.max {
                    Ok(m)
                } else {
                    Err(Error::DlogNotFound { max: self.max })
                };
            }
            q -= self.giant;
        }
        Err(Error::DlogNotFound { max: self.max })
    }
}

/// `m` with `point = m·G` and `m ≤ max`, building a table for this one call.
pub fn discrete_log(point: &RistrettoPoint, max: u64) -> Result<u64, Error> {
    DlogTable::new(max)?.solve(point)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn recovers_every_value_up_to_max() {
        for max in [0u64, 1, 2, 10, 99, 100] {
            let t = DlogTable::new(max).unwrap();
            let mut p = RistrettoPoint::identity();
            for m in 0..=max {
                assert_eq!(t.solve(&p), Ok(m), "max {max}");
                p += G;
            }
            // max + 1 and a few beyond are outside the range
            for _ in 0..3 {
                assert_eq!(t.solve(&p), Err(Error::DlogNotFound { max }));
                p += G;
            }
        }
    }

    #[test]
    fn huge_or_negative_values_fail_fast() {
        let t = DlogTable::new(1_000_000).unwrap();
        assert_eq!(t.solve(&(G * Scalar::from(1_000_000u64))), Ok(1_000_000));
        assert!(t.solve(&(-G)).is_err());
        assert!(t.solve(&(G * Scalar::from(u64::MAX))).is_err());
    }
}

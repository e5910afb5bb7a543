//! Trustee indices.

use core::fmt;
use core::num::NonZeroU32;

use crate::error::Error;

/// A trustee's 1-based index: the point at which its share of every polynomial is evaluated.
///
/// Zero is not an index (the polynomials' value at 0 is the secret), so it cannot be
/// represented. In every hash an index enters as 8 bytes big-endian (spec §1.2).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrusteeIndex(NonZeroU32);

impl TrusteeIndex {
    /// The index `value`, refusing 0.
    pub fn new(value: u32) -> Result<TrusteeIndex, Error> {
        NonZeroU32::new(value)
            .map(TrusteeIndex)
            .ok_or(Error::ZeroIndex)
    }

    /// The index as an integer.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0.get()
    }

    /// The 8-byte big-endian encoding hashed in transcripts.
    #[must_use]
    pub fn to_be_bytes(self) -> [u8; 8] {
        u64::from(self.0.get()).to_be_bytes()
    }

    /// The index as a scalar, for polynomial evaluation and Lagrange coefficients.
    #[must_use]
    pub fn scalar(self) -> curve25519_dalek::scalar::Scalar {
        curve25519_dalek::scalar::Scalar::from(self.0.get())
    }
}

impl fmt::Debug for TrusteeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrusteeIndex({})", self.0)
    }
}

impl fmt::Display for TrusteeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trustee {}", self.0)
    }
}

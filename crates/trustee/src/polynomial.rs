//! Secret polynomials over the scalar field.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::CryptoRng;
use sanduq_crypto::SecretScalar;

use crate::TrusteeIndex;

/// A secret polynomial `a_0 + a_1·x + … + a_{t-1}·x^{t-1}`; zeroized on drop.
#[derive(Clone)]
pub(crate) struct SecretPolynomial {
    coefficients: Vec<SecretScalar>,
}

impl core::fmt::Debug for SecretPolynomial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "SecretPolynomial(degree {}, <redacted>)",
            self.coefficients.len().saturating_sub(1)
        )
    }
}

impl SecretPolynomial {
    /// A random polynomial with `t` non-zero coefficients.
    pub(crate) fn random<R: CryptoRng + ?Sized>(t: u32, rng: &mut R) -> SecretPolynomial {
        SecretPolynomial {
            coefficients: (0..t).map(|_| SecretScalar::random(rng)).collect(),
        }
    }

    /// A polynomial with these coefficients, lowest degree first.
    pub(crate) fn from_coefficients(coefficients: Vec<SecretScalar>) -> SecretPolynomial {
        SecretPolynomial { coefficients }
    }

    /// The coefficients, lowest degree first.
    pub(crate) fn coefficients(&self) -> &[SecretScalar] {
        &self.coefficients
    }

    /// Evaluate at a trustee index (Horner's rule).
    pub(crate) fn evaluate(&self, at: TrusteeIndex) -> SecretScalar {
        let x = at.scalar();
        let mut acc = Scalar::ZERO;
        for c in self.coefficients.iter().rev() {
            acc = acc * x + c.expose();
        }
        SecretScalar::new(acc)
    }
}

/// `Σ_k x^k · C_k` for public commitments `C_k` (the commitment to a polynomial's value at `x`).
pub(crate) fn evaluate_in_exponent(
    commitments: &[RistrettoPoint],
    at: TrusteeIndex,
) -> RistrettoPoint {
    let x = at.scalar();
    let mut power = Scalar::ONE;
    let mut powers = Vec::with_capacity(commitments.len());
    for _ in commitments {
        powers.push(power);
        power *= x;
    }
    if commitments.is_empty() {
        return RistrettoPoint::identity();
    }
    RistrettoPoint::vartime_multiscalar_mul(powers.iter(), commitments.iter())
}

//! ristretto255 elements and scalars, and their one accepted encoding (spec §2).
//!
//! - A **scalar** is 32 bytes, little-endian, of a value below
//!   ℓ = 2^252 + 27742317777372353535851937790883648493. Any other 32 bytes are refused;
//!   nothing is ever silently reduced.
//! - An **element** is the 32-byte canonical ristretto255 encoding
//!   (RFC 9496 §4.3.1). Non-canonical encodings are refused by the decoder of
//!   `curve25519-dalek`. The identity (32 zero bytes) is refused by [`Element::decode`]:
//!   no key, commitment, ballot ciphertext part or decryption share may be the identity.
//!   Only aggregates that legitimately can be the identity (an encrypted tally of zero
//!   ballots) use [`decode_element_or_identity`].

use core::fmt;

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::Error;

/// Length of every scalar and element encoding.
pub const ENCODED_LEN: usize = 32;

/// The standard generator `G` of ristretto255 (RFC 9496 §4.4).
pub const G: RistrettoPoint = curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

/// The scalar `1/2 mod ℓ = (ℓ + 1)/2`.
#[must_use]
pub fn half() -> Scalar {
    // Already below ℓ, so the reduction leaves it unchanged.
    Scalar::from_bytes_mod_order(HALF_BYTES)
}

const HALF_BYTES: [u8; 32] = [
    247, 233, 122, 46, 141, 49, 9, 44, 107, 206, 123, 81, 239, 124, 111, 10, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 8,
];

/// A ristretto255 element that is not the identity, with its canonical encoding.
///
/// The only ways to get one are decoding canonical bytes ([`Element::decode`]) or checking a
/// computed point ([`Element::from_point`]); both refuse the identity.
#[derive(Clone, Copy)]
pub struct Element {
    point: RistrettoPoint,
    bytes: [u8; ENCODED_LEN],
}

impl Element {
    /// Decode the canonical encoding of a non-identity element.
    ///
    /// `what` names the object for the error message.
    pub fn decode(what: &'static str, bytes: &[u8]) -> Result<Element, Error> {
        let array: [u8; ENCODED_LEN] = bytes.try_into().map_err(|_| Error::Length {
            what,
            expected: ENCODED_LEN,
            got: bytes.len(),
        })?;
        // The identity's one canonical encoding is 32 zero bytes.
        if array == [0u8; ENCODED_LEN] {
            return Err(Error::Identity { what });
        }
        let point = decode_element_or_identity(what, bytes)?;
        Ok(Element {
            point,
            bytes: array,
        })
    }

    /// Wrap a computed point, refusing the identity.
    pub fn from_point(what: &'static str, point: RistrettoPoint) -> Result<Element, Error> {
        if point == RistrettoPoint::identity() {
            return Err(Error::Identity { what });
        }
        Ok(Element {
            point,
            bytes: point.compress().to_bytes(),
        })
    }

    /// Elements `2·Pᵢ` from halves `Pᵢ`, compressed together with one shared inversion
    /// (`double_and_compress_batch`), refusing the identity. Provers compute every point
    /// at half its scalar and finish here, which costs far less than compressing one by one.
    pub fn from_halves(
        what: &'static str,
        halves: &[RistrettoPoint],
    ) -> Result<Vec<Element>, Error> {
        let encoded = RistrettoPoint::double_and_compress_batch(halves);
        halves
            .iter()
            .zip(encoded)
            .map(|(half, bytes)| {
                let bytes = bytes.to_bytes();
                if bytes == [0u8; ENCODED_LEN] {
                    return Err(Error::Identity { what });
                }
                Ok(Element {
                    point: half + half,
                    bytes,
                })
            })
            .collect()
    }

    /// The group element.
    #[must_use]
    pub fn point(&self) -> &RistrettoPoint {
        &self.point
    }

    /// The canonical 32-byte encoding.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; ENCODED_LEN] {
        self.bytes
    }

    /// The canonical encoding as a slice.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; ENCODED_LEN] {
        &self.bytes
    }

    /// The canonical encoding in lower-case hex.
    #[must_use]
    pub fn to_hex(&self) -> String {
        to_hex(&self.bytes)
    }

    /// Decode from hex text of the canonical encoding.
    pub fn from_hex(what: &'static str, text: &str) -> Result<Element, Error> {
        Element::decode(what, &from_hex(what, text)?)
    }
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        // The encoding is canonical, so equal elements have equal bytes.
        self.bytes == other.bytes
    }
}

impl Eq for Element {}

impl fmt::Debug for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element({})", self.to_hex())
    }
}

/// Decode a canonical element encoding, accepting the identity.
///
/// For aggregates only (spec §2.2): an encrypted tally over zero ballots is the identity.
pub fn decode_element_or_identity(
    what: &'static str,
    bytes: &[u8],
) -> Result<RistrettoPoint, Error> {
    let array: [u8; ENCODED_LEN] = bytes.try_into().map_err(|_| Error::Length {
        what,
        expected: ENCODED_LEN,
        got: bytes.len(),
    })?;
    CompressedRistretto(array)
        .decompress()
        .ok_or(Error::NonCanonicalElement { what })
}

/// Decode a canonical scalar encoding (32 bytes little-endian, value below ℓ).
pub fn decode_scalar(what: &'static str, bytes: &[u8]) -> Result<Scalar, Error> {
    let array: [u8; ENCODED_LEN] = bytes.try_into().map_err(|_| Error::Length {
        what,
        expected: ENCODED_LEN,
        got: bytes.len(),
    })?;
    Option::<Scalar>::from(Scalar::from_canonical_bytes(array))
        .ok_or(Error::NonCanonicalScalar { what })
}

/// Decode a scalar from hex text of its canonical encoding.
pub fn scalar_from_hex(what: &'static str, text: &str) -> Result<Scalar, Error> {
    decode_scalar(what, &from_hex(what, text)?)
}

/// Lower-case hex of bytes.
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            // A nibble is below 16, so the lookup cannot miss.
            let digit = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
            out.push(char::from(digit));
        }
    }
    out
}

/// Decode lower- or upper-case hex text. Odd length or other characters are refused.
pub fn from_hex(what: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    fn value(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let raw = text.as_bytes();
    if raw.len() % 2 != 0 {
        return Err(Error::Hex { what });
    }
    raw.chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => match (value(*hi), value(*lo)) {
                (Some(h), Some(l)) => Ok((h << 4) | l),
                _ => Err(Error::Hex { what }),
            },
            _ => Err(Error::Hex { what }),
        })
        .collect()
}

/// A secret scalar: a private key, a key share, a polynomial coefficient, a nonce.
///
/// Zeroized on drop; `Debug` prints nothing of it; equality is constant-time.
/// Zeroization does not cover copies the compiler makes in registers or on the stack
/// during arithmetic, nor values the caller copies out with [`SecretScalar::expose`].
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretScalar(Scalar);

impl SecretScalar {
    /// A uniformly random non-zero secret scalar.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> SecretScalar {
        loop {
            let s = Scalar::random(rng);
            if s != Scalar::ZERO {
                return SecretScalar(s);
            }
        }
    }

    /// Wrap a scalar that is secret.
    #[must_use]
    pub fn new(s: Scalar) -> SecretScalar {
        SecretScalar(s)
    }

    /// Decode the canonical encoding of a secret scalar.
    pub fn decode(what: &'static str, bytes: &[u8]) -> Result<SecretScalar, Error> {
        decode_scalar(what, bytes).map(SecretScalar)
    }

    /// The secret value, for arithmetic. Named so that reviewers can find every use.
    #[must_use]
    pub fn expose(&self) -> &Scalar {
        &self.0
    }

    /// The canonical encoding of the secret, for storage encrypted at rest only.
    #[must_use]
    pub fn expose_bytes(&self) -> zeroize::Zeroizing<[u8; ENCODED_LEN]> {
        zeroize::Zeroizing::new(self.0.to_bytes())
    }
}

impl fmt::Debug for SecretScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretScalar(<redacted>)")
    }
}

impl PartialEq for SecretScalar {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bytes().ct_eq(&other.0.to_bytes()).into()
    }
}

impl Eq for SecretScalar {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// ℓ in little-endian bytes (RFC 9496 §4.1 / RFC 8032 §5.1).
    const ELL: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    #[test]
    fn generator_encoding_matches_rfc9496() {
        // RFC 9496 Appendix A.1, multiple 1 of the generator.
        assert_eq!(
            to_hex(&G.compress().to_bytes()),
            "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
        );
    }

    #[test]
    fn identity_is_refused_by_element_decode() {
        assert_eq!(
            Element::decode("key", &[0u8; 32]),
            Err(Error::Identity { what: "key" })
        );
        assert!(decode_element_or_identity("tally", &[0u8; 32]).is_ok());
    }

    #[test]
    fn non_canonical_elements_are_refused() {
        // RFC 9496 Appendix A.2: non-canonical field encodings and negative field elements.
        for hex in [
            "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ] {
            let bytes = from_hex("t", hex).unwrap();
            assert_eq!(
                Element::decode("c", &bytes),
                Err(Error::NonCanonicalElement { what: "c" }),
                "{hex}"
            );
        }
    }

    #[test]
    fn scalars_at_or_above_ell_are_refused() {
        assert_eq!(
            decode_scalar("z", &ELL),
            Err(Error::NonCanonicalScalar { what: "z" })
        );
        let mut below = ELL;
        below[0] -= 1;
        assert!(decode_scalar("z", &below).is_ok());
        assert!(decode_scalar("z", &[0xff; 32]).is_err());
        assert_eq!(
            decode_scalar("z", &[0; 31]),
            Err(Error::Length {
                what: "z",
                expected: 32,
                got: 31
            })
        );
    }

    #[test]
    fn half_is_the_inverse_of_two() {
        assert_eq!(half() * Scalar::from(2u64), Scalar::ONE);
        assert_eq!(half().to_bytes(), HALF_BYTES);
    }

    #[test]
    fn from_halves_doubles_and_encodes() {
        let p = G * Scalar::from(5u64);
        let e = Element::from_halves("x", &[p]).unwrap();
        assert_eq!(e[0].point(), &(G * Scalar::from(10u64)));
        assert_eq!(
            e[0].to_bytes(),
            (G * Scalar::from(10u64)).compress().to_bytes()
        );
        assert!(Element::from_halves("x", &[RistrettoPoint::identity()]).is_err());
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = SecretScalar::new(Scalar::from(42u64));
        assert_eq!(format!("{s:?}"), "SecretScalar(<redacted>)");
    }

    #[test]
    fn hex_round_trip_and_rejections() {
        assert_eq!(from_hex("h", "00ff10").unwrap(), vec![0, 255, 16]);
        assert!(from_hex("h", "0").is_err());
        assert!(from_hex("h", "zz").is_err());
    }
}

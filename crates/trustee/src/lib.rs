//! sanduq's trustee protocols: the key ceremony and threshold decryption.
//!
//! Specified byte by byte in `docs/spec/ceremony.md`; the encodings and the hash framing are
//! those of `docs/spec/crypto.md`.
//!
//! - [`dkg`]: a Pedersen/Feldman distributed key generation (Gennaro–Jarecki–Krawczyk–Rabin)
//!   for `t`-of-`n` trustees with **commit-before-reveal**: hiding Pedersen commitments and
//!   encrypted shares first, Feldman commitments with proofs of knowledge only after every
//!   share has been checked, so that no trustee can choose its contribution after seeing the
//!   others' (spec §3–§6);
//! - [`share_encryption`]: the authenticated public-key encryption that carries each share to
//!   its recipient, and the verifiable complaint of a recipient who cannot decrypt (spec §2);
//! - [`policy`]: "t of n trustees, from at least m provinces" (spec §7);
//! - [`decrypt`]: decryption shares with Chaum–Pedersen proofs and their Lagrange combination
//!   by any `t` trustees (spec §8);
//! - [`error`]: one error type whose variants name the trustee at fault.
//!
//! Every message a trustee publishes is a plain value that serialises to versioned JSON
//! ([`wire`]), so a ceremony can be run by each trustee in turn on its own machine,
//! exchanging only files. The crate does no I/O.
//!
//! # Assumptions
//!
//! - All published messages reach every trustee unchanged and every trustee sees the same
//!   set (a broadcast channel: in sanduq, the bulletin board). Shares travel over the same
//!   channel, encrypted to their recipient.
//! - At least `t` trustees are honest and present. A dishonest trustee can make the ceremony
//!   fail, but it is then named; it cannot bias the joint key while its contribution is
//!   hidden, and cannot learn the key.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod decrypt;
pub mod dkg;
pub mod error;
pub mod policy;
pub mod share_encryption;
pub mod wire;

mod index;
mod polynomial;

pub use error::Error;
pub use index::TrusteeIndex;
pub use policy::{Policy, ProvinceCode};

/// Domain tag of the Schnorr proof of knowledge of a trustee's encryption key (spec §2.1).
pub const TAG_ENCRYPTION_KEY_POK: &str = "trustee-encryption-key-pok";
/// Domain tag of the share-encryption key derivation (spec §2.2).
pub const TAG_SHARE_KDF: &str = "trustee-share-kdf";
/// Domain tag of the share-encryption associated data (spec §2.2).
pub const TAG_SHARE_AD: &str = "trustee-share-ad";
/// Domain tag of the proof that a complaint reveals the right shared point (spec §2.4).
pub const TAG_COMPLAINT_DLEQ: &str = "trustee-complaint-dleq";
/// Domain tag of the Schnorr proof of knowledge of a polynomial coefficient (spec §5).
pub const TAG_COEFFICIENT_POK: &str = "trustee-coefficient-pok";
/// Domain tag of the Chaum–Pedersen proof of a decryption share (spec §8).
pub const TAG_DECRYPTION_SHARE: &str = "decryption-share";

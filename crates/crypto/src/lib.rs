//! sanduq's cryptographic core.
//!
//! Everything a ballot, a trustee or a verifier computes stands on the pieces in this crate,
//! each specified byte by byte in `docs/spec/crypto.md`:
//!
//! - [`group`]: ristretto255 elements and scalars with their one accepted encoding;
//!   decoding refuses non-canonical bytes and, where it is not a legal value, the identity
//!   (spec §2);
//! - [`transcript`]: the length-prefixed Fiat–Shamir hash with a domain tag per proof type,
//!   the election fingerprint and the full statement (spec §3);
//! - [`params`]: the election parameters, the second generator `H` derived by hash-to-group
//!   from a published seed, and the election fingerprint (spec §4);
//! - [`elgamal`]: exponential ElGamal under the election key, homomorphic sums (spec §5);
//! - [`sigma`]: Schnorr proofs of knowledge and Chaum–Pedersen proofs of equal discrete
//!   logarithms (spec §6, §7);
//! - [`range`]: disjunctive Chaum–Pedersen proofs that a ciphertext encrypts `0..=L` (spec §8);
//! - [`contest`]: encrypted contests with selection-limit proofs (spec §9);
//! - [`batch`]: batch verification of every proof by random linear combination, with
//!   bisection to name a bad item (spec §10);
//! - [`dlog`]: bounded discrete-logarithm recovery of tallies (spec §11);
//! - [`wire`]: the versioned JSON wire form of every object (spec §12).
//!
//! Secrets live in [`group::SecretScalar`], which zeroizes on drop and never prints itself;
//! intermediate secret-derived scalars of the provers are wrapped in `Zeroizing`. Not covered:
//! copies the compiler leaves in registers or on the stack, and secrets a caller copies out
//! of [`group::SecretScalar::expose`].
//!
//! The crate does no I/O and draws no randomness of its own: every prover and batch verifier
//! takes a `CryptoRng` from the caller, so it builds for `wasm32-unknown-unknown` with
//! `--no-default-features` (the default feature `parallel` verifies batches on rayon's pool).
//!
//! `elgamal::encrypt` and `range::prove_range` take the nonce from the caller: a nonce must be
//! uniformly random, secret and used once; `contest::encrypt_contest` draws its own.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod batch;
pub mod contest;
pub mod dlog;
pub mod elgamal;
pub mod error;
pub mod group;
pub mod params;
pub mod range;
pub mod sigma;
pub mod transcript;
pub mod wire;

pub use batch::{BatchError, BatchVerifiable};
pub use contest::{BallotContext, ContestDescription, EncryptedContest, verify_contests_batched};
pub use elgamal::{AggregateCiphertext, Ciphertext, ElectionKey};
pub use error::{Error, Party};
pub use group::{Element, SecretScalar};
pub use params::{ElectionFingerprint, Parameters};
pub use transcript::Transcript;

/// The protocol version every transcript and wire object carries (spec §1).
pub const SPEC_VERSION: &str = "sanduq/0.1";

/// The cipher suite identifier (spec §1).
pub const SUITE: &str = "ristretto255-sha512";

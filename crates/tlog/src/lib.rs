//! Sans-I/O transparency-log protocols for the sanduq bulletin board.
//!
//! One module per specification:
//!
//! | module | specification |
//! |---|---|
//! | [`merkle`] | RFC 6962 §2.1 / RFC 9162 §2.1 Merkle trees, inclusion and consistency proofs; subtree inclusion (draft-ietf-plants-merkle-tree-certs) |
//! | [`signed_note`] | C2SP signed-note v1.0.0 |
//! | [`checkpoint`] | C2SP tlog-checkpoint v1.0.0 |
//! | [`cosignature`] | C2SP tlog-cosignature v1.0.1, `cosignature/v1` (Ed25519, type `0x04`), k-of-n quorums |
//! | [`witness`] | C2SP tlog-witness v1.0.0 `add-checkpoint` |
//! | [`tiles`] | C2SP tlog-tiles v0.1.0 |
//!
//! # Scope
//!
//! This crate does no I/O: no network, no files, no clock. Time is an argument
//! (`now`, POSIX seconds), storage is the caller's (a [`merkle::NodeStore`] for tree hashes,
//! a [`witness::WitnessStore`] for the witness's state). Servers and clients are thin layers
//! that move bytes between HTTP, disk and these functions.
//!
//! Every parser of untrusted input (notes, checkpoints, witness requests, tile paths, tiles,
//! entry bundles) returns a typed error and never panics; limits are documented constants.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]
#![deny(clippy::indexing_slicing)]

pub mod checkpoint;
pub mod cosignature;
pub mod merkle;
pub mod signed_note;
pub mod tiles;
pub mod witness;

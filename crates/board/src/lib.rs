//! The sanduq bulletin board: an election's public, witnessed, append-only log.
//!
//! A thin server over the sans-I/O protocol crate `sanduq-tlog`:
//!
//! | module | role |
//! |---|---|
//! | [`envelope`] | the signed entry envelope and the tracking code |
//! | [`receipt`] | voter receipts, checked offline |
//! | [`validator`] | the [`validator::EntryValidator`] seam for election-specific checks |
//! | [`election_validator`] | the election's validator: ballots, proofs, credentials, replays |
//! | [`credentials`] | voter credentials, remote ballots, which remote ballots count |
//! | [`store`] | SQLite log storage and content-addressed artefacts |
//! | [`server`] | group commit and witnessed publication of checkpoints |
//! | [`router`] | the log server's HTTP routes |
//! | [`witness_node`] | a witness node speaking tlog-witness, with SQLite state and evidence |
//! | [`mirror`] | copying and checking a log |
//! | [`publication`] | publishing an election record as entries, rebuilding it from a log |
//! | [`keys`], [`config`] | key files, the server configuration file |
//! | [`client`], [`net`] | HTTP client and server plumbing |
//!
//! The formats (envelope, tracking code, receipt) and the HTTP API are specified in
//! `docs/spec/board-server.md`; the use of the C2SP specifications in `docs/spec/board.md`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]
#![deny(clippy::indexing_slicing)]

pub mod client;
pub mod config;
pub mod election_validator;
pub mod keys;
pub mod mirror;
pub mod net;
pub mod publication;
pub mod receipt;
pub mod router;
pub mod server;
pub mod store;
pub mod validator;
pub mod witness_node;

/// Voter credentials and remote ballots (defined in `sanduq-record`, which counts them).
pub use sanduq_record::credentials;
/// The entry envelope and the tracking code (defined in `sanduq-record`, which the
/// election's record needs too).
pub use sanduq_record::envelope;

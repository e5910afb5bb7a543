//! sanduq's election from manifest to verified result, and the election record.
//!
//! - [`protocol`]: each step of the protocol as a function: set-up ([`protocol::Election`]),
//!   the key ceremony through `sanduq-trustee`, ballot encryption on a polling-station
//!   [`protocol::Device`] with chained confirmation codes and challenged ballots, homomorphic
//!   tallies per unit, the privacy rule, threshold decryption and the count through
//!   `sanduq-count`;
//! - [`hierarchy`]: the reporting units and the privacy rule for small units;
//! - [`chain`]: the confirmation codes chained per device;
//! - [`record`] and [`wire`]: the record's layout and the canonical JSON of every file;
//! - [`store`]: reading and writing a record directory or archive (the only file I/O);
//! - [`mod@verify`]: the verifier, with numbered checks and a verified-record token;
//! - [`partition`]: verification one district at a time, signed partial reports, merge;
//! - [`envelope`] and [`credentials`]: the board's signed entry envelope, voter credentials
//!   and remote ballots, which the record holds and the verifier counts;
//! - [`remote`]: remote ballots in the record, checked for the tally and the verifier;
//! - [`run`]: a whole election in one process, for the demonstration and the tests.
//!
//! The record format is specified in `docs/spec/record.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod chain;
pub mod credentials;
pub mod envelope;
pub mod error;
pub mod hierarchy;
pub mod partition;
pub mod protocol;
pub mod record;
pub mod remote;
pub mod run;
pub mod steps;
pub mod store;
pub mod verify;
pub mod wire;

pub use error::RecordError;
pub use run::{ElectionRun, Progress, Quiet, RunOptions, Voter, run_election, synthetic_voters};
pub use verify::{CHECKS, CheckResult, Report, Status, VerifiedRecord, verify};

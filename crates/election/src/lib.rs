//! The sanduq election model.
//!
//! An election is described by one **manifest** (format [`FORMAT`], specified in
//! `docs/spec/manifest.md`): the jurisdictions (nation → province → district → polling centre →
//! polling station, each station a men's or women's station with its voter-roll summary),
//! voter groups and the non-geographic constituencies they vote in (the nationwide Kuchi seats,
//! the Hindu/Sikh seat), offices, contests (office × constituency × round) with their counting
//! method, seats and reserved women's seats, and candidates with names in English, Dari, Pashto
//! and optionally Uzbek, plus the public counting tie-break seed and the privacy threshold K.
//!
//! - [`Manifest::parse`] reads TOML and applies every validation rule at once, reporting each
//!   problem with the path of its field ([`ManifestError`]). A [`Manifest`] is always valid.
//! - [`Manifest::ballot_style`] derives which contests a voter of a group gets at a station;
//!   [`Manifest::roll_summary`] sums the voter roll up the hierarchy;
//!   [`Contest::count_options`] gives the `sanduq count` options that count a contest.
//! - [`Manifest::canonical_bytes`] gives the canonical encoding and [`Manifest::manifest_digest`]
//!   a digest of it ([`canonical`]); the election fingerprint (`docs/spec/crypto.md` §4.2) hashes
//!   the same canonical bytes.
//! - [`demo::generate`] builds the embedded Afghan demo election for any number of voters.
//!
//! The crate does no I/O: it reads from `&str` and returns values.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod canonical;
pub mod demo;
mod error;
mod geo;
mod id;
mod manifest;
mod model;
pub mod raw;
mod style;
mod validate;

pub use error::{ManifestError, Problem, ProblemKind, RefKind};
pub use id::{ID_CHARSET, ID_MAX_LEN, Id, IdError};
pub use manifest::{Manifest, RollTotals};
pub use model::{
    Candidate, Constituency, Contest, Gender, GroupBallot, Jurisdiction, JurisdictionKind, Method,
    Names, Office, OfficeKind, Party, Percent, PollingCentre, PollingStation, ReservedRule, Scope,
    StationGender, Status, VoterGroup,
};
pub use style::{StyleError, StyleKey};

/// The value of the manifest's `format` field this library reads and writes.
pub const FORMAT: &str = "sanduq-manifest/0.1";

/// Default privacy threshold K: a reporting unit with fewer ballots is never decrypted on its
/// own but merged into its parent.
pub const DEFAULT_PRIVACY_THRESHOLD: u32 = 10;

/// Default ballot allocation cap of a polling station.
pub const DEFAULT_BALLOT_CAP: u32 = 600;

/// Largest ballot allocation cap accepted.
pub const MAX_BALLOT_CAP: u32 = 100_000;

/// Largest number of registered voters of one station accepted (the cap bounds it further).
pub const MAX_REGISTERED: u32 = 100_000;

/// Longest name (in characters) in any language.
pub const NAME_MAX_CHARS: usize = 200;

/// Longest ballot symbol (in characters).
pub const SYMBOL_MAX_CHARS: usize = 64;

/// Longest photo reference (in characters).
pub const PHOTO_MAX_CHARS: usize = 256;

/// Shortest tie-break seed, in bytes (32 hex digits).
pub const SEED_MIN_BYTES: usize = 16;

/// Longest tie-break seed, in bytes (128 hex digits).
pub const SEED_MAX_BYTES: usize = 64;

/// Most seats in one contest.
pub const MAX_SEATS: u32 = 1_000;

/// Highest polling round.
pub const MAX_ROUND: u32 = 9;

/// Highest ballot number, and the bound on selection limits.
pub const MAX_BALLOT_NUMBER: u32 = 9_999;

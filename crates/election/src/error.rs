//! Errors: a manifest that cannot be read, and every problem of one that can.

use std::fmt;

use crate::id::IdError;

/// Why a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The text is not TOML of the manifest's shape (bad syntax, a missing or unknown field, a
    /// value of the wrong type). Reported one at a time, at its position.
    #[error("manifest line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The parser's message (names the field).
        message: String,
    },
    /// The manifest has the right shape but breaks rules; every problem found is listed.
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
}

impl ManifestError {
    /// The problems of an [`ManifestError::Invalid`] manifest (empty for a syntax error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid(p) => p,
            Self::Syntax { .. } => &[],
        }
    }
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s) in the manifest:", self.0.len())?;
        for p in self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// One rule broken, at one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct Problem {
    /// The field's path, e.g. `contests[3].seats` or `polling_stations[0].groups.kuchi`.
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What kind of thing a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefKind {
    /// A jurisdiction, polling centre or station.
    Jurisdiction,
    /// A voter group.
    VoterGroup,
    /// A party.
    Party,
    /// An office.
    Office,
    /// A constituency.
    Constituency,
    /// A contest.
    Contest,
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Jurisdiction => "jurisdiction",
            Self::VoterGroup => "voter group",
            Self::Party => "party",
            Self::Office => "office",
            Self::Constituency => "constituency",
            Self::Contest => "contest",
        })
    }
}

/// The rule a [`Problem`] breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// `format` is not the supported format.
    #[error("unsupported format {found:?}; expected {expected:?}")]
    UnsupportedFormat {
        /// What the manifest says.
        found: String,
        /// What this library reads.
        expected: &'static str,
    },
    /// An identifier breaks the identifier rules.
    #[error("bad identifier {id:?}: {reason}")]
    BadId {
        /// The text.
        id: String,
        /// Why.
        reason: IdError,
    },
    /// An identifier is used twice in its namespace.
    #[error("duplicate id {id:?}, first used at {first}")]
    DuplicateId {
        /// The identifier.
        id: String,
        /// Path of the first use.
        first: String,
    },
    /// A reference to something not defined.
    #[error("unknown {kind} {id:?}")]
    UnknownReference {
        /// What was expected.
        kind: RefKind,
        /// The reference.
        id: String,
    },
    /// A required text (a name, a symbol) is empty or blank.
    #[error("must not be empty")]
    Empty,
    /// A text is longer than its limit.
    #[error("{len} characters; the limit is {max}")]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A word outside the field's vocabulary.
    #[error("{found:?} is not one of: {}", .allowed.join(", "))]
    NotInVocabulary {
        /// What the manifest says.
        found: String,
        /// The allowed words.
        allowed: Vec<&'static str>,
    },
    /// A number outside its range.
    #[error("{value} is out of range {min}..={max}")]
    OutOfRange {
        /// The value.
        value: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// The tie-break seed is not even-length hex of the allowed size.
    #[error("bad tie-break seed: {0}")]
    BadSeed(String),
    /// A parent of the wrong level (e.g. a station whose parent is not a polling centre).
    #[error("parent {parent:?} is a {found}; expected a {expected}")]
    WrongParentKind {
        /// The parent.
        parent: String,
        /// Its level.
        found: &'static str,
        /// The level required.
        expected: &'static str,
    },
    /// The nation has a parent, or a non-nation has none, or there is not exactly one nation.
    #[error("{0}")]
    Hierarchy(&'static str),
    /// Following parents from here comes back here.
    #[error("parent chain forms a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// More seats than candidates.
    #[error("{seats} seats but only {candidates} candidates")]
    SeatsExceedCandidates {
        /// Seats.
        seats: u32,
        /// Candidates.
        candidates: usize,
    },
    /// More reserved seats than seats.
    #[error("{reserved} reserved seats but only {seats} seats")]
    ReservedExceedsSeats {
        /// Reserved.
        reserved: u32,
        /// Seats.
        seats: u32,
    },
    /// The selection limit exceeds the number of candidates.
    #[error("selection limit {limit} exceeds the {candidates} candidates")]
    SelectionLimitExceedsCandidates {
        /// The limit.
        limit: u32,
        /// Candidates.
        candidates: usize,
    },
    /// `min_selections` exceeds `max_selections`.
    #[error("min_selections {min} exceeds max_selections {max}")]
    MinExceedsMax {
        /// Min.
        min: u32,
        /// Max.
        max: u32,
    },
    /// `max_selections` exceeds the selection limit.
    #[error("max_selections {max} exceeds the selection limit {limit}")]
    MaxExceedsLimit {
        /// Max.
        max: u32,
        /// Limit.
        limit: u32,
    },
    /// Two candidates share a ballot number.
    #[error("ballot number {number} already used at {first}")]
    DuplicateBallotNumber {
        /// The number.
        number: u32,
        /// Path of the first use.
        first: String,
    },
    /// Two candidates share a symbol.
    #[error("symbol {symbol:?} already used at {first}")]
    DuplicateSymbol {
        /// The symbol.
        symbol: String,
        /// Path of the first use.
        first: String,
    },
    /// A group constituency without a voter group.
    #[error("a group constituency needs a voter_group")]
    MissingVoterGroup,
    /// A field that the constituency's kind does not allow.
    #[error("not allowed for a {kind} constituency")]
    NotAllowedForKind {
        /// The constituency kind.
        kind: &'static str,
    },
    /// A geographic constituency without jurisdictions.
    #[error("a geographic constituency needs at least one jurisdiction")]
    MissingJurisdictions,
    /// A field or value the contest's method does not allow.
    #[error("{0}")]
    MethodMismatch(String),
    /// Two contests for the same office, constituency and round.
    #[error("contest for the same office, constituency and round already defined at {first}")]
    DuplicateContest {
        /// Path of the first one.
        first: String,
    },
    /// A run-off that does not follow its first-round contest.
    #[error("bad run-off: {0}")]
    BadRunoff(String),
    /// The voter-roll summary does not add up.
    #[error("{0}")]
    Roll(String),
    /// A percentage that is not 0–100 with at most three decimals.
    #[error("{0:?} is not a percentage (0 to 100, at most 3 decimals, e.g. \"2.5\")")]
    BadPercent(String),
    /// An ISO 3166-2 code of the wrong shape.
    #[error("{0:?} is not an ISO 3166-2 subdivision code (e.g. AF-BAL)")]
    BadIsoCode(String),
}

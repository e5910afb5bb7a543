//! Errors of the counting engine. Every variant names what is at fault: the input file and line,
//! the candidate, or the option.

use thiserror::Error;

/// A malformed input file: which file, which line (1-based), and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{origin}: line {line}: {problem}")]
pub struct ParseError {
    /// The name of the input, as the caller gave it (usually the file path).
    pub origin: String,
    /// The 1-based line number where the problem was found.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

impl ParseError {
    pub(crate) fn new(origin: &str, line: usize, problem: impl Into<String>) -> Self {
        ParseError {
            origin: origin.to_owned(),
            line,
            problem: problem.into(),
        }
    }
}

/// Why a count could not be run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CountError {
    /// The input could not be parsed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The method needs another kind of ballots than the ones given.
    #[error("method {method} cannot count {given}: it needs {needs}")]
    WrongBallots {
        /// The method asked for.
        method: &'static str,
        /// What was given.
        given: &'static str,
        /// What the method reads.
        needs: &'static str,
    },
    /// An option has a value the method cannot use.
    #[error("option {option}: {problem}")]
    BadOption {
        /// The option (as on the command line).
        option: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A ballot refers to a candidate that does not exist.
    #[error("ballot {ballot}: candidate number {candidate} does not exist ({count} candidates)")]
    UnknownCandidate {
        /// 0-based index of the ballot in the order given.
        ballot: usize,
        /// The 0-based candidate index used.
        candidate: usize,
        /// The number of candidates.
        count: usize,
    },
    /// A ballot ranks the same candidate twice.
    #[error("ballot {ballot}: candidate {candidate} is ranked twice")]
    DuplicateRanking {
        /// 0-based index of the ballot.
        ballot: usize,
        /// The candidate's name.
        candidate: String,
    },
    /// Two candidates share a name, so the result could not name them apart.
    #[error("two candidates are both named {name:?}")]
    DuplicateName {
        /// The shared name.
        name: String,
    },
    /// The method does not define equal rankings, and a ballot has one.
    #[error("ballot {ballot}: equal rankings are accepted by schulze only")]
    EqualRankings {
        /// 0-based index of the ballot.
        ballot: usize,
    },
    /// A tie-break column value is not a number.
    #[error("tie-break column {column:?} of candidate {candidate:?}: {value:?} is not a number")]
    TieBreakValue {
        /// The column.
        column: String,
        /// The candidate.
        candidate: String,
        /// The value found.
        value: String,
    },
    /// A tie-break column named in the options does not exist in the input.
    #[error("tie-break column {column:?} is not a column of the input")]
    UnknownTieBreakColumn {
        /// The column.
        column: String,
    },
    /// An intermediate value does not fit the arithmetic.
    #[error("arithmetic overflow while {during}")]
    Overflow {
        /// What was being computed.
        during: &'static str,
    },
}

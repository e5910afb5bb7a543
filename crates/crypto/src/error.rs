//! The crate's one error type, and the party each error blames.

/// Who is at fault when a check fails.
///
/// Every [`Error`] names one, so that a verifier report can say whose object was bad.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Party {
    /// The producer of the bytes being decoded (a ballot device, a trustee, a server).
    Encoder,
    /// The prover of the proof that failed.
    Prover,
    /// The trustee with this 1-based index.
    Trustee(u32),
    /// The caller passed inconsistent arguments (a programming error, not an attack).
    Caller,
}

/// Everything that can go wrong in the cryptographic core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes of the wrong length for the object named.
    #[error("{what}: expected {expected} bytes, got {got}")]
    Length {
        /// The object being decoded.
        what: &'static str,
        /// The length the encoding requires.
        expected: usize,
        /// The length that was given.
        got: usize,
    },
    /// A scalar encoding that is not the canonical little-endian form of a value below ℓ.
    #[error("{what}: non-canonical scalar encoding")]
    NonCanonicalScalar {
        /// The object being decoded.
        what: &'static str,
    },
    /// Bytes that are not the canonical encoding of a ristretto255 element.
    #[error("{what}: not a canonical ristretto255 encoding")]
    NonCanonicalElement {
        /// The object being decoded.
        what: &'static str,
    },
    /// The identity element where it is not a legal value.
    #[error("{what}: the identity element is not allowed here")]
    Identity {
        /// The object being decoded.
        what: &'static str,
    },
    /// A zero scalar where it is not a legal value.
    #[error("{what}: zero is not allowed here")]
    ZeroScalar {
        /// The object being decoded.
        what: &'static str,
    },
    /// Hex text that does not decode.
    #[error("{what}: invalid hex")]
    Hex {
        /// The object being decoded.
        what: &'static str,
    },
    /// A proof whose verification equations do not hold.
    #[error("{proof}: proof does not verify ({reason})")]
    InvalidProof {
        /// The kind of proof.
        proof: &'static str,
        /// Which equation or check failed.
        reason: &'static str,
        /// Who produced the proof.
        culprit: Party,
    },
    /// A value outside the range the statement allows.
    #[error("{what}: value {value} is outside 0..={max}")]
    OutOfRange {
        /// The object.
        what: &'static str,
        /// The value given.
        value: u64,
        /// The largest allowed value.
        max: u64,
    },
    /// Inconsistent arguments from the caller.
    #[error("invalid argument: {0}")]
    Argument(&'static str),
    /// A disjunctive proof with the wrong number of branches (spec §8).
    #[error("{proof}: expected {expected} branches, got {got}")]
    BranchCount {
        /// The kind of proof.
        proof: &'static str,
        /// `L + 1` for a range `0..=L`.
        expected: usize,
        /// The number of branches the proof carries.
        got: usize,
    },
    /// The stored challenges do not add up to the challenge recomputed from the transcript
    /// (spec §8): the proof was made for another statement, context or election.
    #[error("{proof}: stored challenges do not match the recomputed challenge")]
    ChallengeMismatch {
        /// The kind of proof.
        proof: &'static str,
    },
    /// A group element whose discrete logarithm is not in `0..=max` (spec §11).
    #[error("discrete logarithm not in 0..={max}")]
    DlogNotFound {
        /// The largest value searched.
        max: u64,
    },
    /// An object whose structure does not match what the election manifest declares (a
    /// contest or selection identifier, a count).
    #[error("{what}: {reason}")]
    Structure {
        /// The object.
        what: &'static str,
        /// What does not match.
        reason: String,
    },
    /// A wire object (JSON) that does not parse: unknown or missing fields, wrong version.
    #[error("{what}: malformed wire object: {detail}")]
    Wire {
        /// The object.
        what: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// An error inside the selection at this position (0-based) of a contest.
    #[error("selection {index}: {error}")]
    Selection {
        /// The selection's position in the contest.
        index: usize,
        /// What is wrong with it.
        error: Box<Error>,
    },
}

impl Error {
    /// The party at fault.
    #[must_use]
    pub fn culprit(&self) -> Party {
        match self {
            Error::Length { .. }
            | Error::NonCanonicalScalar { .. }
            | Error::NonCanonicalElement { .. }
            | Error::Identity { .. }
            | Error::ZeroScalar { .. }
            | Error::Hex { .. }
            | Error::OutOfRange { .. }
            | Error::DlogNotFound { .. }
            | Error::Structure { .. }
            | Error::Wire { .. } => Party::Encoder,
            Error::InvalidProof { culprit, .. } => culprit.clone(),
            Error::BranchCount { .. } | Error::ChallengeMismatch { .. } => Party::Prover,
            Error::Argument(_) => Party::Caller,
            Error::Selection { error, .. } => error.culprit(),
        }
    }

    /// The innermost error, looking through [`Error::Selection`].
    #[must_use]
    pub fn root(&self) -> &Error {
        match self {
            Error::Selection { error, .. } => error.root(),
            other => other,
        }
    }
}

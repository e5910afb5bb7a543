//! The crate's one error type; every variant that a trustee can cause names that trustee.

use std::collections::BTreeSet;

use crate::TrusteeIndex;

/// The protocol stage a missing or malformed message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Stage {
    /// Registration of the encryption keys (spec §3).
    Registration,
    /// Round 1: Pedersen commitments and encrypted shares (spec §4).
    Round1,
    /// Round 2: share checks and complaints (spec §4.3).
    Round2,
    /// Round 3: Feldman commitments with proofs of knowledge (spec §5).
    Round3,
    /// Decryption shares (spec §8).
    Decryption,
}

impl core::fmt::Display for Stage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Stage::Registration => "registration",
            Stage::Round1 => "round 1",
            Stage::Round2 => "round 2",
            Stage::Round3 => "round 3",
            Stage::Decryption => "decryption",
        })
    }
}

/// Everything that can go wrong in the ceremony and in threshold decryption.
///
/// [`Error::culprits`] returns the trustees at fault; an empty set means the caller passed
/// inconsistent arguments (or the failure is no single trustee's, such as too few shares).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Trustee index 0; indices are 1-based.
    #[error("trustee index 0 is not allowed (indices start at 1)")]
    ZeroIndex,
    /// The same trustee index appears twice.
    #[error("{trustee} appears more than once")]
    DuplicateIndex {
        /// The repeated index.
        trustee: TrusteeIndex,
    },
    /// A trustee that the ceremony does not know.
    #[error("{trustee} is not a trustee of this ceremony")]
    UnknownTrustee {
        /// The unknown index.
        trustee: TrusteeIndex,
    },
    /// A trustee's message for a stage is missing.
    #[error("{stage}: the message of {trustee} is missing")]
    MissingMessage {
        /// The stage.
        stage: Stage,
        /// The absent trustee.
        trustee: TrusteeIndex,
    },
    /// A trustee's message is malformed (bad encoding, identity, wrong count, wrong header).
    #[error("{stage}: malformed message from {trustee}: {detail}")]
    Malformed {
        /// The stage.
        stage: Stage,
        /// The trustee whose message it is.
        trustee: TrusteeIndex,
        /// What is wrong.
        detail: String,
    },
    /// A message that does not parse at all (not JSON, wrong header, unknown field), so no
    /// trustee can be named from it.
    #[error("unreadable message: {detail}")]
    Unreadable {
        /// What is wrong.
        detail: String,
    },
    /// A proof of knowledge of an encryption key that does not verify.
    #[error("{trustee}: the proof of knowledge of its encryption key does not verify")]
    InvalidEncryptionKeyProof {
        /// The trustee.
        trustee: TrusteeIndex,
    },
    /// A share that its recipient cannot decrypt (or that is not two canonical scalars).
    #[error("{dealer}: the share sent to {recipient} does not decrypt")]
    UndecryptableShare {
        /// The sender, at fault.
        dealer: TrusteeIndex,
        /// The recipient.
        recipient: TrusteeIndex,
    },
    /// A share inconsistent with its dealer's Pedersen commitments.
    #[error("{dealer}: the share sent to {recipient} does not match its Pedersen commitments")]
    ShareInconsistent {
        /// The dealer, at fault.
        dealer: TrusteeIndex,
        /// The recipient.
        recipient: TrusteeIndex,
    },
    /// A complaint whose revealed shared point is not proved correct.
    #[error("{complainer}: the proof of its complaint against {accused} does not verify")]
    InvalidComplaintProof {
        /// The complainer, at fault.
        complainer: TrusteeIndex,
        /// The trustee it accused.
        accused: TrusteeIndex,
    },
    /// A complaint against a share that decrypts and verifies.
    #[error("{complainer}: false complaint against {accused}, whose share is valid")]
    FalseComplaint {
        /// The complainer, at fault.
        complainer: TrusteeIndex,
        /// The trustee it accused.
        accused: TrusteeIndex,
    },
    /// A Schnorr proof of knowledge of a revealed coefficient that does not verify
    /// (for instance a proof copied from another trustee).
    #[error("{trustee}: the proof of knowledge of coefficient {coefficient} does not verify")]
    InvalidCoefficientProof {
        /// The trustee, at fault.
        trustee: TrusteeIndex,
        /// The coefficient's degree.
        coefficient: u32,
    },
    /// Revealed Feldman commitments inconsistent with a share already checked against the
    /// Pedersen commitments: the dealer changed its polynomial after seeing the others.
    #[error("{dealer}: its revealed commitments do not match the share of {recipient}")]
    RevealInconsistent {
        /// The dealer, at fault.
        dealer: TrusteeIndex,
        /// The recipient who detected it.
        recipient: TrusteeIndex,
    },
    /// A trustee's public share is the identity.
    #[error("{trustee}: its public share is the identity")]
    IdentityPublicShare {
        /// The trustee.
        trustee: TrusteeIndex,
    },
    /// The joint key is the identity.
    #[error("the joint election key is the identity")]
    IdentityJointKey {
        /// The qualified trustees whose contributions sum to it.
        contributors: Vec<TrusteeIndex>,
    },
    /// A decryption share that is the identity.
    #[error("{trustee}: its decryption share is the identity")]
    IdentityDecryptionShare {
        /// The trustee.
        trustee: TrusteeIndex,
    },
    /// A decryption share whose Chaum–Pedersen proof does not verify (for this ciphertext,
    /// this trustee and this election).
    #[error("{trustee}: the proof of its decryption share does not verify")]
    InvalidDecryptionProof {
        /// The trustee.
        trustee: TrusteeIndex,
    },
    /// A decryption share for a ciphertext other than the one being decrypted.
    #[error("{trustee}: its decryption share is for another ciphertext")]
    WrongCiphertext {
        /// The trustee.
        trustee: TrusteeIndex,
    },
    /// Fewer shares than the threshold.
    #[error("{got} shares, but the threshold is {threshold}")]
    TooFewShares {
        /// Shares given.
        got: usize,
        /// Shares required.
        threshold: u32,
    },
    /// Shares from fewer provinces than the policy requires.
    #[error("shares from {got} provinces ({provinces:?}), but the policy requires {required}")]
    TooFewProvinces {
        /// Distinct provinces among the shares.
        got: usize,
        /// Provinces required.
        required: u32,
        /// The provinces present.
        provinces: Vec<String>,
    },
    /// A policy that cannot be met or is not well formed.
    #[error("invalid policy: {reason}")]
    InvalidPolicy {
        /// Why.
        reason: String,
    },
    /// After disqualification the remaining trustees no longer meet the policy.
    #[error("the ceremony failed: after disqualifying {disqualified:?}, {reason}")]
    CeremonyFailed {
        /// The disqualified trustees.
        disqualified: Vec<TrusteeIndex>,
        /// Why the rest does not suffice.
        reason: String,
    },
    /// A trustee that was disqualified in round 2 sent a round-3 or decryption message.
    #[error("{trustee} was disqualified and may not take part in {stage}")]
    Disqualified {
        /// The trustee.
        trustee: TrusteeIndex,
        /// The stage.
        stage: Stage,
    },
    /// Arguments that do not belong together (a programming error, not an attack).
    #[error("invalid argument: {0}")]
    Argument(String),
}

impl Error {
    /// The trustees at fault; empty when no trustee is to blame.
    ///
    /// The match is exhaustive on purpose: a new variant must decide whom it blames.
    #[must_use]
    pub fn culprits(&self) -> BTreeSet<TrusteeIndex> {
        match self {
            Error::DuplicateIndex { trustee }
            | Error::UnknownTrustee { trustee }
            | Error::MissingMessage { trustee, .. }
            | Error::Malformed { trustee, .. }
            | Error::InvalidEncryptionKeyProof { trustee }
            | Error::InvalidCoefficientProof { trustee, .. }
            | Error::IdentityPublicShare { trustee }
            | Error::IdentityDecryptionShare { trustee }
            | Error::InvalidDecryptionProof { trustee }
            | Error::WrongCiphertext { trustee }
            | Error::Disqualified { trustee, .. } => BTreeSet::from([*trustee]),
            Error::UndecryptableShare { dealer, .. }
            | Error::ShareInconsistent { dealer, .. }
            | Error::RevealInconsistent { dealer, .. } => BTreeSet::from([*dealer]),
            Error::InvalidComplaintProof { complainer, .. }
            | Error::FalseComplaint { complainer, .. } => BTreeSet::from([*complainer]),
            Error::IdentityJointKey { contributors } => contributors.iter().copied().collect(),
            Error::CeremonyFailed { disqualified, .. } => disqualified.iter().copied().collect(),
            Error::ZeroIndex
            | Error::Unreadable { .. }
            | Error::TooFewShares { .. }
            | Error::TooFewProvinces { .. }
            | Error::InvalidPolicy { .. }
            | Error::Argument(_) => BTreeSet::new(),
        }
    }

    /// A short machine-readable name of the failure, used by the test vectors' `reason`.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Error::ZeroIndex => "zero-index",
            Error::DuplicateIndex { .. } => "duplicate-index",
            Error::UnknownTrustee { .. } => "unknown-trustee",
            Error::MissingMessage { .. } => "missing-message",
            Error::Malformed { .. } => "malformed",
            Error::Unreadable { .. } => "unreadable",
            Error::InvalidEncryptionKeyProof { .. } => "invalid-encryption-key-proof",
            Error::UndecryptableShare { .. } => "undecryptable-share",
            Error::ShareInconsistent { .. } => "share-inconsistent",
            Error::InvalidComplaintProof { .. } => "invalid-complaint-proof",
            Error::FalseComplaint { .. } => "false-complaint",
            Error::InvalidCoefficientProof { .. } => "invalid-coefficient-proof",
            Error::RevealInconsistent { .. } => "reveal-inconsistent",
            Error::IdentityPublicShare { .. } => "identity-public-share",
            Error::IdentityJointKey { .. } => "identity-joint-key",
            Error::IdentityDecryptionShare { .. } => "identity-decryption-share",
            Error::InvalidDecryptionProof { .. } => "invalid-decryption-proof",
            Error::WrongCiphertext { .. } => "wrong-ciphertext",
            Error::TooFewShares { .. } => "too-few-shares",
            Error::TooFewProvinces { .. } => "too-few-provinces",
            Error::InvalidPolicy { .. } => "invalid-policy",
            Error::CeremonyFailed { .. } => "ceremony-failed",
            Error::Disqualified { .. } => "disqualified",
            Error::Argument(_) => "argument",
        }
    }
}

//! The crate's error type: every variant names the object at fault.

/// What went wrong while running an election or reading a record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The manifest cannot be used (names the unit or contest).
    #[error("manifest: {0}")]
    Manifest(String),
    /// A cryptographic operation failed (names the object).
    #[error("{what}: {error}")]
    Crypto {
        /// The object.
        what: String,
        /// The underlying error.
        error: sanduq_crypto::Error,
    },
    /// The key ceremony or a decryption failed (names the trustee through the error).
    #[error("{what}: {error}")]
    Trustee {
        /// The step.
        what: String,
        /// The underlying error.
        error: sanduq_trustee::Error,
    },
    /// Too few trustees to decrypt.
    #[error(
        "decryption needs {threshold} trustees from at least {min_provinces} provinces; present: {present:?}"
    )]
    Quorum {
        /// The threshold t.
        threshold: u32,
        /// The minimum number of provinces.
        min_provinces: u32,
        /// The trustees present.
        present: Vec<u32>,
    },
    /// A ballot cannot be made (names the device and the reason).
    #[error("ballot on device {device}: {reason}")]
    Ballot {
        /// The device.
        device: String,
        /// Why.
        reason: String,
    },
    /// A remote ballot cannot be made (names the credential and the reason).
    #[error("remote ballot of credential {credential}: {reason}")]
    RemoteBallot {
        /// The credential's public key, hex.
        credential: String,
        /// Why.
        reason: String,
    },
    /// The counting engine refused a contest.
    #[error("counting contest {contest}: {reason}")]
    Count {
        /// The contest.
        contest: String,
        /// Why.
        reason: String,
    },
    /// A record file cannot be read or decoded (names the file and line).
    #[error("{file}: {reason}")]
    File {
        /// The file's path in the record (with `:line` for JSON lines).
        file: String,
        /// Why.
        reason: String,
    },
    /// An input/output error on a path.
    #[error("{path}: {error}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        error: std::io::Error,
    },
}

impl RecordError {
    /// A file error.
    pub(crate) fn file(file: impl Into<String>, reason: impl std::fmt::Display) -> RecordError {
        RecordError::File {
            file: file.into(),
            reason: reason.to_string(),
        }
    }

    /// A cryptographic error about an object.
    pub(crate) fn crypto(what: impl Into<String>, error: sanduq_crypto::Error) -> RecordError {
        RecordError::Crypto {
            what: what.into(),
            error,
        }
    }

    /// A trustee error about a step.
    pub(crate) fn trustee(what: impl Into<String>, error: sanduq_trustee::Error) -> RecordError {
        RecordError::Trustee {
            what: what.into(),
            error,
        }
    }
}

//! Identifiers: the one validated string type every reference in a manifest uses.

use std::fmt;

/// The longest identifier accepted, in bytes (identifiers are ASCII, so also in characters).
pub const ID_MAX_LEN: usize = 64;

/// The characters allowed in an identifier after the first: ASCII letters, digits, `-`, `_`, `.`.
/// The first character must be an ASCII letter or digit.
pub const ID_CHARSET: &str = "A-Z a-z 0-9 - _ .";

/// An identifier of a jurisdiction, polling centre or station, voter group, party, office,
/// constituency, contest or candidate.
///
/// Rules (see `docs/spec/manifest.md`, "Identifiers"): 1 to [`ID_MAX_LEN`] bytes; the first
/// character an ASCII letter or digit; the others ASCII letters, digits, `-`, `_` or `.`.
/// Comparison is exact (case-sensitive, byte-wise).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

/// Why a string is not an [`Id`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The string is empty.
    #[error("identifier is empty")]
    Empty,
    /// The string is longer than [`ID_MAX_LEN`] bytes.
    #[error("identifier is {len} bytes long; the limit is {max}", max = ID_MAX_LEN)]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A character outside the allowed set, or a first character that is not a letter or digit.
    #[error(
        "identifier has character {ch:?} at position {position}; allowed: {ID_CHARSET}, starting with a letter or digit"
    )]
    BadChar {
        /// The offending character.
        ch: char,
        /// Its position (0-based, in characters).
        position: usize,
    },
}

impl Id {
    /// Checks `s` against the identifier rules.
    pub fn new(s: &str) -> Result<Self, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.len() > ID_MAX_LEN {
            return Err(IdError::TooLong { len: s.len() });
        }
        for (position, ch) in s.chars().enumerate() {
            let ok = if position == 0 {
                ch.is_ascii_alphanumeric()
            } else {
                ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')
            };
            if !ok {
                return Err(IdError::BadChar { ch, position });
            }
        }
        Ok(Self(s.to_owned()))
    }

    /// The identifier as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({:?})", self.0)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(Id::new("af-bal").is_ok());
        assert!(Id::new("AF.BAL_01").is_ok());
        assert_eq!(Id::new(""), Err(IdError::Empty));
        assert_eq!(
            Id::new("-x"),
            Err(IdError::BadChar {
                ch: '-',
                position: 0
            })
        );
        assert_eq!(
            Id::new("a b"),
            Err(IdError::BadChar {
                ch: ' ',
                position: 1
            })
        );
        assert_eq!(
            Id::new("کابل"),
            Err(IdError::BadChar {
                ch: 'ک',
                position: 0
            })
        );
        assert!(Id::new(&"a".repeat(64)).is_ok());
        assert_eq!(Id::new(&"a".repeat(65)), Err(IdError::TooLong { len: 65 }));
    }
}

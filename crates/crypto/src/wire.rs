//! The JSON wire form of every object (spec §12).
//!
//! Elements and scalars travel as lower-case hex of their canonical 32-byte encodings
//! (upper-case hex is accepted on input and re-encoded lower-case). Top-level objects carry
//! `"version": "sanduq/0.1"`; every object refuses unknown fields. Parsing a wire object
//! decodes every element and scalar with the checks of spec §2, so a parsed object cannot
//! hold a non-canonical encoding or a forbidden identity.

use serde::{Deserialize, Serialize};

use crate::SPEC_VERSION;
use crate::contest::{EncryptedContest, EncryptedSelection};
use crate::elgamal::Ciphertext;
use crate::error::Error;
use crate::group::{Element, decode_scalar, from_hex, to_hex};
use crate::range::{RangeBranch, RangeProof};
use crate::sigma::{DleqProof, SchnorrProof};

fn element(what: &'static str, hex: &str) -> Result<Element, Error> {
    Element::decode(what, &from_hex(what, hex)?)
}

fn scalar(what: &'static str, hex: &str) -> Result<curve25519_dalek::scalar::Scalar, Error> {
    decode_scalar(what, &from_hex(what, hex)?)
}

/// Check the `version` header of a top-level object.
pub fn check_version(what: &'static str, version: &str) -> Result<(), Error> {
    if version == SPEC_VERSION {
        Ok(())
    } else {
        Err(Error::Wire {
            what,
            detail: format!("version {version:?}, expected {SPEC_VERSION:?}"),
        })
    }
}

/// Parse JSON text into a wire struct, mapping parser errors to [`Error::Wire`].
pub fn from_json<'de, T: Deserialize<'de>>(what: &'static str, text: &'de str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::Wire {
        what,
        detail: e.to_string(),
    })
}

/// Ciphertext `{"alpha", "beta"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiphertextWire {
    /// Hex of `α`.
    pub alpha: String,
    /// Hex of `β`.
    pub beta: String,
}

impl From<&Ciphertext> for CiphertextWire {
    fn from(c: &Ciphertext) -> Self {
        CiphertextWire {
            alpha: c.alpha().to_hex(),
            beta: c.beta().to_hex(),
        }
    }
}

impl CiphertextWire {
    /// Decode (both parts canonical and not the identity).
    pub fn parse(&self) -> Result<Ciphertext, Error> {
        Ok(Ciphertext::new(
            element("ciphertext alpha", &self.alpha)?,
            element("ciphertext beta", &self.beta)?,
        ))
    }
}

/// One range-proof branch `{"a", "b", "c", "z"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeBranchWire {
    /// Hex of `a_j`.
    pub a: String,
    /// Hex of `b_j`.
    pub b: String,
    /// Hex of `c_j`.
    pub c: String,
    /// Hex of `z_j`.
    pub z: String,
}

/// A range proof `{"branches": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeProofWire {
    /// The branches `j = 0..=L`.
    pub branches: Vec<RangeBranchWire>,
}

impl From<&RangeProof> for RangeProofWire {
    fn from(p: &RangeProof) -> Self {
        RangeProofWire {
            branches: p
                .branches
                .iter()
                .map(|b| RangeBranchWire {
                    a: b.a.to_hex(),
                    b: b.b.to_hex(),
                    c: to_hex(&b.challenge.to_bytes()),
                    z: to_hex(&b.response.to_bytes()),
                })
                .collect(),
        }
    }
}

impl RangeProofWire {
    /// Decode every branch.
    pub fn parse(&self) -> Result<RangeProof, Error> {
        let branches = self
            .branches
            .iter()
            .map(|b| {
                Ok(RangeBranch {
                    a: element("range commitment a", &b.a)?,
                    b: element("range commitment b", &b.b)?,
                    challenge: scalar("range challenge", &b.c)?,
                    response: scalar("range response", &b.z)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(RangeProof { branches })
    }
}

/// An encrypted selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionWire {
    /// The selection identifier.
    pub selection_id: String,
    /// The ciphertext.
    pub ciphertext: CiphertextWire,
    /// Its range proof.
    pub proof: RangeProofWire,
}

/// An encrypted contest (top-level: carries the version).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestWire {
    /// `"sanduq/0.1"`.
    pub version: String,
    /// The contest identifier.
    pub contest_id: String,
    /// The selections in manifest order.
    pub selections: Vec<SelectionWire>,
    /// The selection-limit proof.
    pub limit_proof: RangeProofWire,
}

impl From<&EncryptedContest> for ContestWire {
    fn from(c: &EncryptedContest) -> Self {
        ContestWire {
            version: SPEC_VERSION.to_owned(),
            contest_id: c.contest_id.clone(),
            selections: c
                .selections
                .iter()
                .map(|s| SelectionWire {
                    selection_id: s.selection_id.clone(),
                    ciphertext: (&s.ciphertext).into(),
                    proof: (&s.proof).into(),
                })
                .collect(),
            limit_proof: (&c.limit_proof).into(),
        }
    }
}

impl ContestWire {
    /// Decode, checking the version and every encoding.
    pub fn parse(&self) -> Result<EncryptedContest, Error> {
        check_version("encrypted contest", &self.version)?;
        let selections = self
            .selections
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let inner = || -> Result<EncryptedSelection, Error> {
                    Ok(EncryptedSelection {
                        selection_id: s.selection_id.clone(),
                        ciphertext: s.ciphertext.parse()?,
                        proof: s.proof.parse()?,
                    })
                };
                inner().map_err(|e| Error::Selection {
                    index,
                    error: Box::new(e),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(EncryptedContest {
            contest_id: self.contest_id.clone(),
            selections,
            limit_proof: self.limit_proof.parse()?,
        })
    }
}

impl EncryptedContest {
    /// The JSON wire form.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising strings and vectors of strings cannot fail.
        serde_json::to_string(&ContestWire::from(self)).unwrap_or_default()
    }

    /// Parse the JSON wire form.
    pub fn from_json(text: &str) -> Result<EncryptedContest, Error> {
        from_json::<ContestWire>("encrypted contest", text)?.parse()
    }
}

/// A Schnorr proof `{"commitment", "response"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchnorrProofWire {
    /// Hex of `R`.
    pub commitment: String,
    /// Hex of `z`.
    pub response: String,
}

impl From<&SchnorrProof> for SchnorrProofWire {
    fn from(p: &SchnorrProof) -> Self {
        SchnorrProofWire {
            commitment: p.commitment.to_hex(),
            response: to_hex(&p.response.to_bytes()),
        }
    }
}

impl SchnorrProofWire {
    /// Decode.
    pub fn parse(&self) -> Result<SchnorrProof, Error> {
        Ok(SchnorrProof {
            commitment: element("schnorr commitment", &self.commitment)?,
            response: scalar("schnorr response", &self.response)?,
        })
    }
}

/// A Chaum–Pedersen proof `{"a1", "a2", "response"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DleqProofWire {
    /// Hex of `a1`.
    pub a1: String,
    /// Hex of `a2`.
    pub a2: String,
    /// Hex of `z`.
    pub response: String,
}

impl From<&DleqProof> for DleqProofWire {
    fn from(p: &DleqProof) -> Self {
        DleqProofWire {
            a1: p.a1.to_hex(),
            a2: p.a2.to_hex(),
            response: to_hex(&p.response.to_bytes()),
        }
    }
}

impl DleqProofWire {
    /// Decode.
    pub fn parse(&self) -> Result<DleqProof, Error> {
        Ok(DleqProof {
            a1: element("dleq a1", &self.a1)?,
            a2: element("dleq a2", &self.a2)?,
            response: scalar("dleq response", &self.response)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn unknown_fields_and_versions_are_refused() {
        let ok = r#"{"version":"sanduq/0.1","contest_id":"c","selections":[],"limit_proof":{"branches":[]}}"#;
        assert!(EncryptedContest::from_json(ok).is_ok());
        let extra = r#"{"version":"sanduq/0.1","contest_id":"c","selections":[],"limit_proof":{"branches":[]},"x":1}"#;
        assert!(matches!(
            EncryptedContest::from_json(extra),
            Err(Error::Wire { .. })
        ));
        let old = r#"{"version":"sanduq/0.0","contest_id":"c","selections":[],"limit_proof":{"branches":[]}}"#;
        assert!(matches!(
            EncryptedContest::from_json(old),
            Err(Error::Wire { .. })
        ));
    }
}

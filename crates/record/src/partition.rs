//! Verification in parts (`docs/spec/record.md` §6.2): one district at a time, each giving a
//! signed partial report, then a merge that checks the reports and the levels above the
//! districts.
//!
//! [`verify_district`] runs the global checks (parameters, manifest, ceremony) and every
//! check of one district (its ballots, devices, tallies and decryptions, and its files'
//! hashes) and returns a [`PartialReport`]: the record's identifier, the district, each check
//! with its status, and what the levels above need (the district's encrypted tally, the
//! disclosures of its units, its trustees, devices and ciphertext traces). An operator signs
//! it with an Ed25519 [`OperatorKey`] ([`sign`]). [`merge`] accepts only reports signed by
//! trusted keys for the record at hand, which together cover every district exactly once
//! and all passed, then verifies the provinces, the nation, their decryptions and the
//! results.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::RecordError;
use crate::record::Location;
use crate::store::{INDEX, Source, sha256};
use crate::verify::{self, DisclosureEntry, Failure, Figures, Report, Scope, Status};
use crate::wire::{IndexFile, UnitTally, from_canonical, to_canonical};

/// Format of a partial report.
pub const PARTIAL_FORMAT: &str = "sanduq-partial/0.1";
/// First line of an operator's key file; the second is the hex of the 32-byte Ed25519 seed.
pub const KEY_FORMAT: &str = "sanduq-operator-key/0.1";
/// What a signature covers: this prefix, then the canonical JSON of the partial report.
pub const SIGNING_CONTEXT: &[u8] = b"sanduq/0.1 partial-report\n";

/// One check of a partial report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialCheck {
    /// Its number (`docs/spec/record.md` §6).
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Passed or failed.
    pub status: Status,
    /// Objects checked.
    pub objects: u64,
    /// On failure, the first guilty object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// What one district's verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialReport {
    /// [`PARTIAL_FORMAT`].
    pub format: String,
    /// SHA-256 of the record's `index.json`.
    pub record_id: String,
    /// The district's province.
    pub province: String,
    /// The district.
    pub district: String,
    /// The checks run: 1 to 13, 15 and 16 (14, the results, needs the nation).
    pub checks: Vec<PartialCheck>,
    /// Figures of the district (ballots, selections, shares; `files` counts the record's).
    pub figures: Figures,
    /// The district unit's encrypted tally as recorded (absent if unreadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<UnitTally>,
    /// The disclosure of every (unit, contest) of the district, for the privacy rule.
    pub disclosures: Vec<DisclosureEntry>,
    /// The trustees whose shares the district's decryptions use.
    pub trustees: Vec<u32>,
    /// The devices with ballots in the district.
    pub devices: Vec<String>,
    /// Hex of the first 16 bytes of every selection's `α`, sorted, concatenated: lets the
    /// merge find a ciphertext copied from one district into another.
    pub alphas: String,
}

impl PartialReport {
    /// Whether every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.status == Status::Passed)
    }

    /// The district's location.
    #[must_use]
    pub fn location(&self) -> Location {
        Location::District {
            province: self.province.clone(),
            district: self.district.clone(),
        }
    }

    /// The decoded `α` prefixes.
    pub(crate) fn alpha_keys(&self) -> Result<Vec<u128>, String> {
        let bytes = hex::decode(&self.alphas).map_err(|e| format!("alphas: {e}"))?;
        if bytes.len() % 16 != 0 {
            return Err("alphas: not a whole number of 16-byte values".into());
        }
        let keys: Vec<u128> = bytes
            .chunks_exact(16)
            .map(|c| {
                let mut k = [0u8; 16];
                k.copy_from_slice(c);
                u128::from_be_bytes(k)
            })
            .collect();
        if keys.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
            return Err("alphas: not sorted, or repeated".into());
        }
        Ok(keys)
    }
}

/// A partial report with its operator's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPartial {
    /// The report.
    pub partial: PartialReport,
    /// The operator's Ed25519 public key (hex).
    pub key: String,
    /// Ed25519 signature of [`SIGNING_CONTEXT`] ‖ canonical JSON of `partial` (hex).
    pub signature: String,
}

impl SignedPartial {
    /// Canonical JSON.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RecordError> {
        to_canonical(self)
    }

    /// Parse canonical JSON (`name` names the file in errors).
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<SignedPartial, RecordError> {
        from_canonical(name, bytes)
    }
}

/// An operator's signing key.
pub struct OperatorKey(SigningKey);

impl std::fmt::Debug for OperatorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OperatorKey({})", self.public_hex())
    }
}

/// A key file or public key that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl OperatorKey {
    /// The key of a 32-byte seed (from a secure random source).
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> OperatorKey {
        OperatorKey(SigningKey::from_bytes(&seed))
    }

    /// The key file's text: [`KEY_FORMAT`], a newline, the seed's hex, a newline.
    #[must_use]
    pub fn to_file_text(&self) -> String {
        format!("{KEY_FORMAT}\n{}\n", hex::encode(self.0.to_bytes()))
    }

    /// Parse a key file's text.
    pub fn parse(text: &str) -> Result<OperatorKey, KeyError> {
        let mut lines = text.lines();
        if lines.next() != Some(KEY_FORMAT) {
            return Err(KeyError(format!("the first line is not {KEY_FORMAT}")));
        }
        let seed = lines
            .next()
            .and_then(|l| hex::decode(l.trim()).ok())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| KeyError("the second line is not 64 hex digits".into()))?;
        if lines.any(|l| !l.trim().is_empty()) {
            return Err(KeyError("text after the key".into()));
        }
        Ok(OperatorKey::from_seed(seed))
    }

    /// The public key.
    #[must_use]
    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    /// The public key, hex.
    #[must_use]
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }
}

/// Parse a public key given as 64 hex digits.
pub fn parse_public(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| KeyError(format!("{:?} is not 64 hex digits", text.trim())))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| KeyError(format!("not an Ed25519 key: {e}")))
}

/// Sign a partial report.
pub fn sign(partial: PartialReport, key: &OperatorKey) -> Result<SignedPartial, RecordError> {
    let mut msg = SIGNING_CONTEXT.to_vec();
    msg.extend_from_slice(&to_canonical(&partial)?);
    let signature = key.0.sign(&msg);
    Ok(SignedPartial {
        partial,
        key: key.public_hex(),
        signature: hex::encode(signature.to_bytes()),
    })
}

/// The district folder named `district` (its identifier, or `province/district`).
pub fn find_district(src: &dyn Source, district: &str) -> Result<Location, RecordError> {
    let mut found: Vec<Location> = Vec::new();
    for p in src.paths() {
        let mut parts = p.split('/');
        if let (Some("districts"), Some(prov), Some(d), Some(_), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) {
            if d == district || format!("{prov}/{d}") == district {
                let loc = Location::District {
                    province: prov.to_owned(),
                    district: d.to_owned(),
                };
                if !found.contains(&loc) {
                    found.push(loc);
                }
            }
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(RecordError::file(
            format!("districts/*/{district}"),
            "no such district folder in the record",
        )),
        _ => Err(RecordError::file(
            format!("districts/*/{district}"),
            "the name is in several provinces: give province/district",
        )),
    }
}

/// The record's identifier: SHA-256 of `index.json`.
pub fn record_id(src: &dyn Source) -> Result<String, RecordError> {
    Ok(hex::encode(sha256(&src.read(INDEX)?)))
}

/// Verify one district (and the global prerequisites): the report and its partial report.
pub fn verify_district(
    src: &dyn Source,
    district: &str,
) -> Result<(Report, PartialReport), RecordError> {
    let loc = find_district(src, district)?;
    let id = record_id(src)?;
    let (report, mut out) = verify::run(src, &Scope::District(loc.clone()));
    let (province, district) = match loc {
        Location::District { province, district } => (province, district),
        _ => (String::new(), String::new()),
    };
    // the district's distinct α prefixes, in increasing order, from the merged runs
    let spill = |e: std::io::Error| RecordError::file("temporary file of check 6", e);
    let mut alphas = String::new();
    for a in out.alphas.sorted_keys().map_err(spill)? {
        alphas.push_str(&format!("{:032x}", a.map_err(spill)?));
    }
    let partial = PartialReport {
        format: PARTIAL_FORMAT.to_owned(),
        record_id: id,
        province,
        district,
        checks: report
            .checks
            .iter()
            .map(|c| PartialCheck {
                number: c.number,
                name: c.name.to_owned(),
                status: c.status,
                objects: c.objects,
                failure: c.failure.clone(),
            })
            .collect(),
        figures: report.figures.clone(),
        tally: out.tally,
        disclosures: out.disclosures,
        trustees: out.trustees,
        devices: out.devices,
        alphas,
    };
    Ok((report, partial))
}

/// Why the merge refused the partial reports (each names the district, key or check).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The record cannot be read.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A report's format is not [`PARTIAL_FORMAT`], or its content is malformed.
    #[error("partial report of district {district}: {reason}")]
    Malformed {
        /// The district.
        district: String,
        /// Why.
        reason: String,
    },
    /// Signed by a key not among the trusted ones.
    #[error("partial report of district {district}: signed by key {key}, which is not trusted")]
    Untrusted {
        /// The district.
        district: String,
        /// The key.
        key: String,
    },
    /// The signature does not verify (the report was altered, or signed by another key).
    #[error("partial report of district {district}: the signature does not verify")]
    BadSignature {
        /// The district.
        district: String,
    },
    /// For another record.
    #[error(
        "partial report of district {district}: for record {record_id}, not this record {expected}"
    )]
    OtherRecord {
        /// The district.
        district: String,
        /// The report's record identifier.
        record_id: String,
        /// This record's.
        expected: String,
    },
    /// Two reports for one district.
    #[error("district {district}: two partial reports")]
    Duplicate {
        /// The district.
        district: String,
    },
    /// A district of the record without a report.
    #[error("district {district}: no partial report")]
    Missing {
        /// The district.
        district: String,
    },
    /// A report for a district the record does not have.
    #[error("partial report of district {district}: the record has no such district")]
    Unknown {
        /// The district.
        district: String,
    },
    /// A report with a failed check.
    #[error(
        "partial report of district {district}: check {number} {name} failed: {object}: {reason}"
    )]
    Failed {
        /// The district.
        district: String,
        /// The check's number.
        number: u32,
        /// Its name.
        name: String,
        /// The guilty object.
        object: String,
        /// Why.
        reason: String,
    },
}

/// Accept the partial reports (trusted signers, this record, every district once, all
/// passed), then verify the levels above the districts and the results.
pub fn merge(
    src: &dyn Source,
    partials: &[SignedPartial],
    trusted: &[VerifyingKey],
) -> Result<Report, MergeError> {
    let expected_id = record_id(src)?;
    let index: IndexFile = from_canonical(INDEX, &src.read(INDEX)?)?;
    let districts: std::collections::BTreeSet<Location> = index
        .files
        .iter()
        .filter_map(|e| {
            let rest = e.path.strip_prefix("districts/")?;
            let (prov, rest) = rest.split_once('/')?;
            let (d, _) = rest.split_once('/')?;
            Some(Location::District {
                province: prov.to_owned(),
                district: d.to_owned(),
            })
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut accepted = Vec::with_capacity(partials.len());
    for s in partials {
        let p = &s.partial;
        let district = format!("{}/{}", p.province, p.district);
        if p.format != PARTIAL_FORMAT {
            return Err(MergeError::Malformed {
                district,
                reason: format!("format {:?} is not {PARTIAL_FORMAT}", p.format),
            });
        }
        let key = parse_public(&s.key).map_err(|e| MergeError::Malformed {
            district: district.clone(),
            reason: e.to_string(),
        })?;
        if !trusted.contains(&key) {
            return Err(MergeError::Untrusted {
                district,
                key: s.key.clone(),
            });
        }
        let sig = hex::decode(&s.signature)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or_else(|| MergeError::BadSignature {
                district: district.clone(),
            })?;
        let mut msg = SIGNING_CONTEXT.to_vec();
        msg.extend_from_slice(&to_canonical(p)?);
        if key.verify_strict(&msg, &sig).is_err() {
            return Err(MergeError::BadSignature { district });
        }
        if p.record_id != expected_id {
            return Err(MergeError::OtherRecord {
                district,
                record_id: p.record_id.clone(),
                expected: expected_id,
            });
        }
        let loc = p.location();
        if !districts.contains(&loc) {
            return Err(MergeError::Unknown { district });
        }
        if !seen.insert(loc) {
            return Err(MergeError::Duplicate { district });
        }
        if let Some(c) = p.checks.iter().find(|c| c.status != Status::Passed) {
            let (object, reason) = c
                .failure
                .as_ref()
                .map_or(("?".to_owned(), "?".to_owned()), |f| {
                    (f.object.clone(), f.reason.clone())
                });
            return Err(MergeError::Failed {
                district,
                number: c.number,
                name: c.name.clone(),
                object,
                reason,
            });
        }
        let want: Vec<u32> = verify::CHECKS
            .iter()
            .map(|c| c.0)
            .filter(|n| *n != 14)
            .collect();
        let have: Vec<u32> = p.checks.iter().map(|c| c.number).collect();
        if have != want {
            return Err(MergeError::Malformed {
                district,
                reason: format!("checks {have:?} where a partial report has {want:?}"),
            });
        }
        if p.tally.as_ref().map(|t| t.unit.as_str()) != Some(p.district.as_str()) {
            return Err(MergeError::Malformed {
                district,
                reason: "the tally is not the district's".into(),
            });
        }
        accepted.push(p.clone());
    }
    if let Some(m) = districts.iter().find(|d| !seen.contains(*d)) {
        return Err(MergeError::Missing {
            district: m.dir().trim_start_matches("districts/").to_owned(),
        });
    }
    Ok(verify::run(src, &Scope::Merge(&accepted)).0)
}

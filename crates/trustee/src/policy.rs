//! The regional policy: "t of n trustees, from at least m provinces" (spec §7).
//!
//! Each trustee belongs to a province. A policy is refused at ceremony setup when it cannot
//! be met by the trustees it names; a set of decryption shares is refused when it holds
//! fewer than `t` distinct trustees or spans fewer than `m` provinces.

use std::collections::{BTreeMap, BTreeSet};

use crate::TrusteeIndex;
use crate::error::Error;

/// Longest province code accepted.
pub const MAX_PROVINCE_CODE_LEN: usize = 16;

/// A province code such as `AF-KAB` (ISO 3166-2:AF): 1 to 16 characters from
/// `A–Z`, `0–9` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProvinceCode(String);

impl ProvinceCode {
    /// Validate a province code.
    pub fn new(code: &str) -> Result<ProvinceCode, Error> {
        let ok = !code.is_empty()
            && code.len() <= MAX_PROVINCE_CODE_LEN
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(ProvinceCode(code.to_owned()))
        } else {
            Err(Error::InvalidPolicy {
                reason: format!(
                    "province code {code:?} is not 1 to {MAX_PROVINCE_CODE_LEN} characters of A-Z, 0-9, '-'"
                ),
            })
        }
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated policy: the threshold `t`, the trustees with their provinces (`n` of them),
/// and the minimum number of provinces `m`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    threshold: u32,
    min_provinces: u32,
    trustees: BTreeMap<TrusteeIndex, ProvinceCode>,
}

impl Policy {
    /// Validate a policy. Refused (spec §7.1):
    /// - `t = 0`, or `t > n`;
    /// - `m = 0`, or `m > t` (then `t` trustees could never suffice);
    /// - `m` greater than the number of distinct provinces among the trustees;
    /// - fewer than two trustees.
    pub fn new(
        threshold: u32,
        min_provinces: u32,
        trustees: BTreeMap<TrusteeIndex, ProvinceCode>,
    ) -> Result<Policy, Error> {
        let n = trustees.len();
        let refuse = |reason: String| Err(Error::InvalidPolicy { reason });
        if n < 2 {
            return refuse(format!("{n} trustees; a ceremony needs at least 2"));
        }
        if threshold == 0 || usize::try_from(threshold).map_or(true, |t| t > n) {
            return refuse(format!(
                "threshold {threshold} is not between 1 and n = {n}"
            ));
        }
        if min_provinces == 0 || min_provinces > threshold {
            return refuse(format!(
                "minimum of {min_provinces} provinces is not between 1 and the threshold {threshold}"
            ));
        }
        let distinct: BTreeSet<&ProvinceCode> = trustees.values().collect();
        if usize::try_from(min_provinces).map_or(true, |m| m > distinct.len()) {
            return refuse(format!(
                "at least {min_provinces} provinces required, but the trustees come from only {}",
                distinct.len()
            ));
        }
        Ok(Policy {
            threshold,
            min_provinces,
            trustees,
        })
    }

    /// The threshold `t`.
    #[must_use]
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The minimum number of provinces `m`.
    #[must_use]
    pub fn min_provinces(&self) -> u32 {
        self.min_provinces
    }

    /// The trustees and their provinces.
    #[must_use]
    pub fn trustees(&self) -> &BTreeMap<TrusteeIndex, ProvinceCode> {
        &self.trustees
    }

    /// The number of trustees `n`.
    #[must_use]
    pub fn n(&self) -> usize {
        self.trustees.len()
    }

    /// The province of a trustee, refusing an unknown index.
    pub fn province(&self, trustee: TrusteeIndex) -> Result<&ProvinceCode, Error> {
        self.trustees
            .get(&trustee)
            .ok_or(Error::UnknownTrustee { trustee })
    }

    /// Check that a set of trustees may decrypt together (spec §7.2): every index known,
    /// at least `t` of them, from at least `m` provinces.
    pub fn check_quorum(&self, present: &BTreeSet<TrusteeIndex>) -> Result<(), Error> {
        let mut provinces = BTreeSet::new();
        for t in present {
            provinces.insert(self.province(*t)?.as_str().to_owned());
        }
        if usize::try_from(self.threshold).map_or(true, |t| present.len() < t) {
            return Err(Error::TooFewShares {
                got: present.len(),
                threshold: self.threshold,
            });
        }
        if usize::try_from(self.min_provinces).map_or(true, |m| provinces.len() < m) {
            return Err(Error::TooFewProvinces {
                got: provinces.len(),
                required: self.min_provinces,
                provinces: provinces.into_iter().collect(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn roster(codes: &[&str]) -> BTreeMap<TrusteeIndex, ProvinceCode> {
        codes
            .iter()
            .zip(1u32..)
            .map(|(c, i)| (TrusteeIndex::new(i).unwrap(), ProvinceCode::new(c).unwrap()))
            .collect()
    }

    fn set(ix: &[u32]) -> BTreeSet<TrusteeIndex> {
        ix.iter().map(|i| TrusteeIndex::new(*i).unwrap()).collect()
    }

    #[test]
    fn unmeetable_policies_are_refused() {
        let r = roster(&["AF-KAB", "AF-KAB", "AF-HER"]);
        assert!(Policy::new(0, 1, r.clone()).is_err());
        assert!(Policy::new(4, 1, r.clone()).is_err());
        assert!(Policy::new(2, 3, r.clone()).is_err(), "m > t");
        assert!(Policy::new(3, 3, r.clone()).is_err(), "only 2 provinces");
        assert!(Policy::new(2, 0, r.clone()).is_err());
        assert!(Policy::new(2, 2, r).is_ok());
        assert!(ProvinceCode::new("af-kab").is_err());
        assert!(ProvinceCode::new("").is_err());
    }

    #[test]
    fn quorum_counts_trustees_and_provinces() {
        let p = Policy::new(2, 2, roster(&["AF-KAB", "AF-KAB", "AF-HER"])).unwrap();
        assert_eq!(p.check_quorum(&set(&[1, 3])), Ok(()));
        assert_eq!(
            p.check_quorum(&set(&[1])),
            Err(Error::TooFewShares {
                got: 1,
                threshold: 2
            })
        );
        assert_eq!(
            p.check_quorum(&set(&[1, 2])),
            Err(Error::TooFewProvinces {
                got: 1,
                required: 2,
                provinces: vec!["AF-KAB".into()]
            })
        );
        assert!(matches!(
            p.check_quorum(&set(&[1, 9])),
            Err(Error::UnknownTrustee { .. })
        ));
    }
}

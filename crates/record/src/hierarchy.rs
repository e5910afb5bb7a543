//! The reporting units of an election and the privacy rule for small units
//! (`docs/spec/record.md` §5).
//!
//! Units form one tree: nation → province → district → polling centre → polling station.
//! Every contest is tallied on that tree, restricted to the ballots that carry it; a
//! non-geographic contest (the nationwide Kuchi seats) therefore aggregates its own voters'
//! ballots wherever they were cast, and a provincial contest is simply absent from the other
//! provinces' units.
//!
//! # The privacy rule
//!
//! For one contest let `n(u)` be the number of cast ballots carrying it in unit `u`, and `K`
//! the privacy threshold. A unit is *published* (its tally decrypted) or *merged* (never
//! decrypted on its own; its ballots count only inside its parent). The decision is made
//! bottom-up:
//!
//! 1. a unit with `n(u) < K` is merged into its parent;
//! 2. a unit with `n(u) ≥ K` is published; if its *residual* — `n(u)` minus the ballots of its
//!    published children — is between 1 and `K − 1`, its published child with the fewest
//!    ballots (the smallest identifier among equals) is merged into it, with all its
//!    descendants, which makes the residual at least `K`;
//! 3. the nation with `0 < n < K` is *withheld*: the contest is not decrypted at all.
//!
//! **Why this suffices.** The published units of one contest form a laminar family (a tree).
//! Any set of ballots whose tally can be derived by adding and subtracting published tallies
//! is a union of *atoms*: a published unit minus its nearest published descendants. Rule 2
//! makes every atom empty or at least `K` ballots, so no set of fewer than `K` ballots (other
//! than none) can be obtained by subtraction.

use std::collections::BTreeMap;

use sanduq_election::{JurisdictionKind, Manifest};

use crate::error::RecordError;

/// The level of a reporting unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The nation.
    Nation,
    /// A province.
    Province,
    /// A district.
    District,
    /// A polling centre.
    Centre,
    /// A polling station.
    Station,
}

impl Level {
    /// The name used in the record.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nation => "nation",
            Level::Province => "province",
            Level::District => "district",
            Level::Centre => "centre",
            Level::Station => "station",
        }
    }
}

/// One reporting unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Identifier (the manifest's).
    pub id: String,
    /// Level.
    pub level: Level,
    /// Parent (none for the nation).
    pub parent: Option<String>,
    /// Children, sorted by identifier.
    pub children: Vec<String>,
    /// The province this unit lies in (none for the nation).
    pub province: Option<String>,
    /// The district this unit lies in (none above the district level).
    pub district: Option<String>,
}

/// The tree of reporting units of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    nation: String,
    units: BTreeMap<String, Unit>,
}

/// What the privacy rule decides for one unit and one contest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Disclosure {
    /// Decrypted and published.
    Published,
    /// Never decrypted on its own: merged into this parent.
    Merged(String),
    /// The nation of a contest with fewer than K ballots: nothing is decrypted.
    Withheld,
}

impl Hierarchy {
    /// Build the tree from a validated manifest.
    pub fn from_manifest(m: &Manifest) -> Result<Hierarchy, RecordError> {
        let mut units: BTreeMap<String, Unit> = BTreeMap::new();
        let mut nation = None;
        for j in m.jurisdictions() {
            let level = match j.kind {
                JurisdictionKind::Nation => {
                    nation = Some(j.id.as_str().to_owned());
                    Level::Nation
                }
                JurisdictionKind::Province => Level::Province,
                JurisdictionKind::District => Level::District,
                #[allow(unreachable_patterns)]
                _ => {
                    return Err(RecordError::Manifest(format!(
                        "jurisdiction {} has a level the record does not know",
                        j.id.as_str()
                    )));
                }
            };
            units.insert(
                j.id.as_str().to_owned(),
                Unit {
                    id: j.id.as_str().to_owned(),
                    level,
                    parent: j.parent.as_ref().map(|p| p.as_str().to_owned()),
                    children: Vec::new(),
                    province: None,
                    district: None,
                },
            );
        }
        for c in m.polling_centres() {
            units.insert(
                c.id.as_str().to_owned(),
                Unit {
                    id: c.id.as_str().to_owned(),
                    level: Level::Centre,
                    parent: Some(c.district.as_str().to_owned()),
                    children: Vec::new(),
                    province: None,
                    district: None,
                },
            );
        }
        for s in m.polling_stations() {
            units.insert(
                s.id.as_str().to_owned(),
                Unit {
                    id: s.id.as_str().to_owned(),
                    level: Level::Station,
                    parent: Some(s.centre.as_str().to_owned()),
                    children: Vec::new(),
                    province: None,
                    district: None,
                },
            );
        }
        let nation = nation.ok_or_else(|| RecordError::Manifest("no nation".to_owned()))?;
        // children lists
        let links: Vec<(String, String)> = units
            .values()
            .filter_map(|u| u.parent.clone().map(|p| (p, u.id.clone())))
            .collect();
        for (parent, child) in links {
            let p = units.get_mut(&parent).ok_or_else(|| {
                RecordError::Manifest(format!("unit {child} has an unknown parent {parent}"))
            })?;
            p.children.push(child);
        }
        for u in units.values_mut() {
            u.children.sort();
        }
        // province and district of every unit
        let ids: Vec<String> = units.keys().cloned().collect();
        for id in ids {
            let mut province = None;
            let mut district = None;
            let mut cur = Some(id.clone());
            let mut steps = 0;
            while let Some(c) = cur {
                steps += 1;
                if steps > 16 {
                    return Err(RecordError::Manifest(format!("unit {id} is too deep")));
                }
                let u = units
                    .get(&c)
                    .ok_or_else(|| RecordError::Manifest(format!("unknown unit {c}")))?;
                match u.level {
                    Level::Province => province = Some(u.id.clone()),
                    Level::District => district = Some(u.id.clone()),
                    _ => {}
                }
                cur = u.parent.clone();
            }
            if let Some(u) = units.get_mut(&id) {
                u.province = province;
                u.district = district;
            }
        }
        Ok(Hierarchy { nation, units })
    }

    /// The nation's identifier.
    #[must_use]
    pub fn nation(&self) -> &str {
        &self.nation
    }

    /// A unit.
    #[must_use]
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.get(id)
    }

    /// Every unit, by identifier.
    #[must_use]
    pub fn units(&self) -> &BTreeMap<String, Unit> {
        &self.units
    }

    /// Units in post-order (every child before its parent), children by identifier.
    #[must_use]
    pub fn post_order(&self) -> Vec<&Unit> {
        let mut out = Vec::with_capacity(self.units.len());
        let mut stack: Vec<(&str, bool)> = vec![(self.nation.as_str(), false)];
        while let Some((id, expanded)) = stack.pop() {
            let Some(u) = self.units.get(id) else {
                continue;
            };
            if expanded {
                out.push(u);
            } else {
                stack.push((id, true));
                for c in u.children.iter().rev() {
                    stack.push((c.as_str(), false));
                }
            }
        }
        out
    }

    /// The privacy rule (module documentation) for one contest: `counts` gives the ballots
    /// of the contest per unit (units with none may be absent). Units with no ballot get no
    /// entry.
    #[must_use]
    pub fn disclosure(
        &self,
        counts: &BTreeMap<String, u64>,
        k: u64,
    ) -> BTreeMap<String, Disclosure> {
        let n = |id: &str| counts.get(id).copied().unwrap_or(0);
        let mut published: BTreeMap<&str, bool> = BTreeMap::new();
        for u in self.post_order() {
            let nu = n(&u.id);
            if nu == 0 {
                continue;
            }
            if nu < k {
                published.insert(&u.id, false);
                continue;
            }
            published.insert(&u.id, true);
            let mut pub_children: Vec<(u64, &str)> = u
                .children
                .iter()
                .filter(|c| published.get(c.as_str()).copied().unwrap_or(false))
                .map(|c| (n(c), c.as_str()))
                .collect();
            let covered: u64 = pub_children.iter().map(|(x, _)| x).sum();
            let residual = nu.saturating_sub(covered);
            if residual > 0 && residual < k {
                pub_children.sort();
                if let Some((_, smallest)) = pub_children.first() {
                    self.unpublish_subtree(smallest, &mut published);
                }
            }
        }
        let mut out = BTreeMap::new();
        for (id, is_pub) in published {
            let d = if is_pub {
                Disclosure::Published
            } else {
                match self.units.get(id).and_then(|u| u.parent.clone()) {
                    Some(p) => Disclosure::Merged(p),
                    None => Disclosure::Withheld,
                }
            };
            out.insert(id.to_owned(), d);
        }
        out
    }

    fn unpublish_subtree<'a>(&'a self, id: &'a str, published: &mut BTreeMap<&'a str, bool>) {
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            if let Some(flag) = published.get_mut(x) {
                *flag = false;
            }
            if let Some(u) = self.units.get(x) {
                stack.extend(u.children.iter().map(String::as_str));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn tree() -> Hierarchy {
        // nation n; province p; district d; centres c1, c2; stations s1, s2 (in c1), s3 (in c2)
        let mut units = BTreeMap::new();
        let mut add = |id: &str, level, parent: Option<&str>, children: &[&str]| {
            units.insert(
                id.to_owned(),
                Unit {
                    id: id.to_owned(),
                    level,
                    parent: parent.map(str::to_owned),
                    children: children.iter().map(|c| (*c).to_owned()).collect(),
                    province: None,
                    district: None,
                },
            );
        };
        add("n", Level::Nation, None, &["p"]);
        add("p", Level::Province, Some("n"), &["d"]);
        add("d", Level::District, Some("p"), &["c1", "c2"]);
        add("c1", Level::Centre, Some("d"), &["s1", "s2"]);
        add("c2", Level::Centre, Some("d"), &["s3"]);
        add("s1", Level::Station, Some("c1"), &[]);
        add("s2", Level::Station, Some("c1"), &[]);
        add("s3", Level::Station, Some("c2"), &[]);
        Hierarchy {
            nation: "n".to_owned(),
            units,
        }
    }

    fn counts(s1: u64, s2: u64, s3: u64) -> BTreeMap<String, u64> {
        let c1 = s1 + s2;
        let d = c1 + s3;
        [
            ("s1", s1),
            ("s2", s2),
            ("s3", s3),
            ("c1", c1),
            ("c2", s3),
            ("d", d),
            ("p", d),
            ("n", d),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn all_large_units_publish() {
        let d = tree().disclosure(&counts(10, 12, 30), 10);
        assert!(d.values().all(|x| *x == Disclosure::Published));
    }

    #[test]
    fn small_station_merges_and_sibling_follows() {
        // s2 has 3 < 10 ballots: merged into c1. c1 has 13 with published child s1 (10):
        // residual 3 would reveal s2 by subtraction, so s1 merges too. c1 publishes 13.
        let d = tree().disclosure(&counts(10, 3, 30), 10);
        assert_eq!(d["s2"], Disclosure::Merged("c1".into()));
        assert_eq!(d["s1"], Disclosure::Merged("c1".into()));
        assert_eq!(d["c1"], Disclosure::Published);
        assert_eq!(d["s3"], Disclosure::Published);
        assert_eq!(d["n"], Disclosure::Published);
    }

    #[test]
    fn tiny_contest_is_withheld() {
        let d = tree().disclosure(&counts(1, 2, 3), 10);
        assert_eq!(d["n"], Disclosure::Withheld);
        assert_eq!(d["s1"], Disclosure::Merged("c1".into()));
    }

    #[test]
    fn zero_ballot_units_get_no_entry() {
        let d = tree().disclosure(&counts(10, 0, 10), 10);
        assert!(!d.contains_key("s2"));
        assert_eq!(d["s1"], Disclosure::Published);
    }
}

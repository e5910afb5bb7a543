//! Ballot styles: which contests a voter of a given group at a given station gets.
//!
//! Rule (`docs/spec/manifest.md`, "Ballot styles"), for station S, voter group G (or none) and
//! round R, taking contests of round R in manifest order:
//!
//! 1. A contest in a **geographic** constituency is on the ballot when S or one of its ancestors
//!    is among the constituency's jurisdictions — unless G is set and some round-R contest for
//!    the *same office* in a **group** constituency of G with `group_ballot = "instead"` also
//!    covers S: then the group's contest replaces it (a Kuchi voter in Bamyan gets the Kuchi
//!    Wolesi Jirga ballot, not Bamyan's).
//! 2. A contest in a **group** constituency is on the ballot when G is its group and S lies
//!    within its jurisdictions (or it has none, meaning everywhere).

use std::collections::BTreeMap;

use crate::model::{Contest, GroupBallot, Scope};
use crate::{Id, Manifest};

/// Why a ballot style cannot be derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StyleError {
    /// No polling station has this identifier.
    #[error("unknown polling station {0:?}")]
    UnknownStation(String),
    /// No voter group has this identifier.
    #[error("unknown voter group {0:?}")]
    UnknownGroup(String),
}

/// The key of a ballot style: a station and a voter group (`None`: voters in no group).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StyleKey {
    /// The polling station.
    pub station: Id,
    /// The voter group, if any.
    pub group: Option<Id>,
}

impl Manifest {
    /// The ordered contests (by identifier) on the ballot of a voter of `group` at `station` in
    /// polling round `round` (see the module documentation for the rule).
    pub fn ballot_style(
        &self,
        station: &str,
        group: Option<&str>,
        round: u32,
    ) -> Result<Vec<&Id>, StyleError> {
        if self.polling_station(station).is_none() {
            return Err(StyleError::UnknownStation(station.to_owned()));
        }
        if let Some(g) = group {
            if self.voter_group(g).is_none() {
                return Err(StyleError::UnknownGroup(g.to_owned()));
            }
        }
        let ancestry = self.ancestry(station);
        let covers = |list: &[Id]| list.iter().any(|j| ancestry.contains(&j));
        let round_contests = || self.contests.iter().filter(move |c| c.round == round);

        // Offices whose geographic ballot this group's voters do not get here.
        let replaced: Vec<&Id> = match group {
            None => Vec::new(),
            Some(g) => round_contests()
                .filter(|c| match self.scope_of(c) {
                    Some(Scope::Group {
                        voter_group,
                        jurisdictions,
                        ballot: GroupBallot::Instead,
                    }) => {
                        voter_group.as_str() == g
                            && (jurisdictions.is_empty() || covers(jurisdictions))
                    }
                    _ => false,
                })
                .map(|c| &c.office)
                .collect(),
        };

        Ok(round_contests()
            .filter(|c| match self.scope_of(c) {
                Some(Scope::Geographic { jurisdictions }) => {
                    covers(jurisdictions) && !replaced.contains(&&c.office)
                }
                Some(Scope::Group {
                    voter_group,
                    jurisdictions,
                    ..
                }) => {
                    group == Some(voter_group.as_str())
                        && (jurisdictions.is_empty() || covers(jurisdictions))
                }
                None => false,
            })
            .map(|c| &c.id)
            .collect())
    }

    /// Every ballot style in use in round `round`: for each station, the style of voters in no
    /// group and of each voter group with registered voters at that station.
    pub fn ballot_styles(&self, round: u32) -> BTreeMap<StyleKey, Vec<&Id>> {
        let mut out = BTreeMap::new();
        for s in &self.polling_stations {
            let groups = std::iter::once(None).chain(
                s.groups
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(g, _)| Some(g)),
            );
            for g in groups {
                if let Ok(style) = self.ballot_style(s.id.as_str(), g.map(Id::as_str), round) {
                    out.insert(
                        StyleKey {
                            station: s.id.clone(),
                            group: g.cloned(),
                        },
                        style,
                    );
                }
            }
        }
        out
    }

    fn scope_of(&self, c: &Contest) -> Option<&Scope> {
        self.constituency(c.constituency.as_str()).map(|k| &k.scope)
    }
}

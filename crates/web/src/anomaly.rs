//! Station-level anomaly flags, computed from the record and the manifest alone
//! (`docs/domain.md` §4.7 of the shared documents). Pure functions: no I/O, no state.
//!
//! A flag is a reason to look, not a finding: observers and the complaints commission decide.

/// What is known about one polling station when its flags are computed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StationFacts {
    /// Cast ballots at the station (the largest count of any contest on its ballots).
    pub cast: u64,
    /// The station's ballot allocation (cap).
    pub ballot_cap: u64,
    /// Registered voters on the station's list.
    pub registered: u64,
    /// The station (or its polling centre) is listed as closed.
    pub listed_closed: bool,
    /// Per contest decrypted at this station: the votes of each candidate. Stations merged
    /// into their parent by the privacy rule have no decrypted counts.
    pub contest_votes: Vec<(String, Vec<(String, u64)>)>,
}

/// One anomaly flag.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flag {
    /// Ballots cast reach or exceed the station's ballot allocation.
    AtBallotCap {
        /// Cast ballots.
        cast: u64,
        /// The allocation.
        cap: u64,
    },
    /// More ballots than registered voters.
    TurnoutOver100 {
        /// Cast ballots.
        cast: u64,
        /// Registered voters.
        registered: u64,
    },
    /// One candidate has at least 95 % of the votes of a contest with more than 100 votes.
    OneCandidate95 {
        /// The contest.
        contest: String,
        /// The candidate.
        candidate: String,
        /// Their votes.
        votes: u64,
        /// All votes in the contest at the station.
        total: u64,
    },
    /// Results from a station listed as closed.
    ClosedStationReported {
        /// Cast ballots.
        cast: u64,
    },
}

impl Flag {
    /// The message identifier of the flag's label.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        match self {
            Flag::AtBallotCap { .. } => "flag-ballot-cap",
            Flag::TurnoutOver100 { .. } => "flag-turnout",
            Flag::OneCandidate95 { .. } => "flag-one-candidate",
            Flag::ClosedStationReported { .. } => "flag-closed",
        }
    }

    /// A short stable code (used in CSV and in element identifiers).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Flag::AtBallotCap { .. } => "ballot-cap",
            Flag::TurnoutOver100 { .. } => "turnout-over-100",
            Flag::OneCandidate95 { .. } => "one-candidate-95",
            Flag::ClosedStationReported { .. } => "closed-station",
        }
    }
}

/// The share one candidate must reach to be flagged, in per cent.
pub const DOMINANCE_PERCENT: u64 = 95;
/// The flag for one dominant candidate applies only above this many votes.
pub const DOMINANCE_MIN_VOTES: u64 = 100;

/// Every flag of one station, in a fixed order.
#[must_use]
pub fn flags(f: &StationFacts) -> Vec<Flag> {
    let mut out = Vec::new();
    if f.ballot_cap > 0 && f.cast >= f.ballot_cap {
        out.push(Flag::AtBallotCap {
            cast: f.cast,
            cap: f.ballot_cap,
        });
    }
    if f.cast > f.registered {
        out.push(Flag::TurnoutOver100 {
            cast: f.cast,
            registered: f.registered,
        });
    }
    for (contest, votes) in &f.contest_votes {
        let total: u64 = votes.iter().map(|(_, v)| *v).sum();
        if total <= DOMINANCE_MIN_VOTES {
            continue;
        }
        // integer comparison: v / total ≥ 95 / 100  ⇔  100·v ≥ 95·total
        if let Some((candidate, v)) = votes
            .iter()
            .find(|(_, v)| v.saturating_mul(100) >= total.saturating_mul(DOMINANCE_PERCENT))
        {
            out.push(Flag::OneCandidate95 {
                contest: contest.clone(),
                candidate: candidate.clone(),
                votes: *v,
                total,
            });
        }
    }
    if f.listed_closed && f.cast > 0 {
        out.push(Flag::ClosedStationReported { cast: f.cast });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(cast: u64, cap: u64, registered: u64) -> StationFacts {
        StationFacts {
            cast,
            ballot_cap: cap,
            registered,
            ..StationFacts::default()
        }
    }

    #[test]
    fn ordinary_station_has_no_flag() {
        // 350 of 400 registered, cap 600: nothing to see.
        assert_eq!(flags(&facts(350, 600, 400)), vec![]);
    }

    #[test]
    fn ballot_cap_is_reached_at_equality() {
        // domain §4.7: "votes ≥ ballot cap (600)" — 600 is flagged, 599 is not.
        assert_eq!(
            flags(&facts(600, 600, 700)),
            vec![Flag::AtBallotCap {
                cast: 600,
                cap: 600
            }]
        );
        assert_eq!(flags(&facts(599, 600, 700)), vec![]);
    }

    #[test]
    fn turnout_over_100_is_strict() {
        // 401 ballots for 400 registered is 100.25 %: flagged; exactly 100 % is not.
        assert_eq!(
            flags(&facts(401, 600, 400)),
            vec![Flag::TurnoutOver100 {
                cast: 401,
                registered: 400
            }]
        );
        assert_eq!(flags(&facts(400, 600, 400)), vec![]);
    }

    #[test]
    fn both_cap_and_turnout() {
        assert_eq!(
            flags(&facts(650, 600, 500)),
            vec![
                Flag::AtBallotCap {
                    cast: 650,
                    cap: 600
                },
                Flag::TurnoutOver100 {
                    cast: 650,
                    registered: 500
                }
            ]
        );
    }

    fn with_votes(votes: &[u64]) -> StationFacts {
        StationFacts {
            cast: votes.iter().sum(),
            ballot_cap: 600,
            registered: 600,
            contest_votes: vec![(
                "pres".to_owned(),
                votes
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("c{i}"), *v))
                    .collect(),
            )],
            ..StationFacts::default()
        }
    }

    #[test]
    fn one_candidate_95_percent() {
        // 190 of 200 = 95 % exactly, with 200 > 100 votes: flagged.
        assert_eq!(
            flags(&with_votes(&[190, 10])),
            vec![Flag::OneCandidate95 {
                contest: "pres".to_owned(),
                candidate: "c0".to_owned(),
                votes: 190,
                total: 200
            }]
        );
        // 189 of 200 = 94.5 %: not flagged.
        assert_eq!(flags(&with_votes(&[189, 11])), vec![]);
        // 100 of 100 votes: 100 %, but not more than 100 votes cast: not flagged.
        assert_eq!(flags(&with_votes(&[100, 0])), vec![]);
        // 101 of 101: flagged, and it is the second candidate.
        assert_eq!(
            flags(&with_votes(&[0, 101])),
            vec![Flag::OneCandidate95 {
                contest: "pres".to_owned(),
                candidate: "c1".to_owned(),
                votes: 101,
                total: 101
            }]
        );
    }

    #[test]
    fn closed_station_with_results() {
        let mut f = facts(12, 600, 400);
        f.listed_closed = true;
        assert_eq!(flags(&f), vec![Flag::ClosedStationReported { cast: 12 }]);
        // A closed station with no ballot is what closed means: no flag.
        f.cast = 0;
        assert_eq!(flags(&f), vec![]);
    }
}

//! The validated election model. Values of these types exist only inside a
//! [`crate::Manifest`] that passed every rule of `docs/spec/manifest.md`; the types are
//! `#[non_exhaustive]` so that other crates can read them but not build unchecked ones.

use std::collections::BTreeMap;
use std::fmt;

use crate::Id;

/// Names in the project's languages (see [`crate::raw::RawNames`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Names {
    /// English or Latin transliteration.
    pub en: String,
    /// Dari (`fa-AF`).
    pub fa_af: String,
    /// Pashto (`ps`).
    pub ps: String,
    /// Uzbek in Arabic script (`uz-Arab`), when given.
    pub uz_arab: Option<String>,
}

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        // Exhaustive on purpose: a new word is a new manifest format version.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $var),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The name used in the manifest.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $text),+ }
            }

            /// Parses the name used in the manifest.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$var),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The level of a geographic jurisdiction above the polling centre.
    JurisdictionKind {
        /// The country (exactly one).
        Nation = "nation",
        /// A province (wilayat); its parent is the nation.
        Province = "province",
        /// A district (wuluswali); its parent is a province.
        District = "district",
    }
}

vocabulary! {
    /// Operational status of a polling centre or station.
    Status {
        /// On the plan, not (yet) reported open.
        Planned = "planned",
        /// Opened on polling day.
        Open = "open",
        /// Closed (security, no materials, moved).
        Closed = "closed",
    }
}

vocabulary! {
    /// Which voters a polling station serves.
    StationGender {
        /// A men's station.
        Men = "men",
        /// A women's station.
        Women = "women",
    }
}

vocabulary! {
    /// A candidate's gender, as used by reserved-seat rules (`gender` column of `sanduq count`).
    Gender {
        /// Female.
        Female = "f",
        /// Male.
        Male = "m",
    }
}

vocabulary! {
    /// The kind of office a contest fills.
    OfficeKind {
        /// President (a ticket with two vice-presidents).
        President = "president",
        /// Member of the Wolesi Jirga (lower house).
        WolesiJirga = "wolesi-jirga",
        /// Member of the Meshrano Jirga (upper house).
        MeshranoJirga = "meshrano-jirga",
        /// Provincial council member.
        ProvincialCouncil = "provincial-council",
        /// District council member.
        DistrictCouncil = "district-council",
        /// Village council member.
        VillageCouncil = "village-council",
        /// Mayor.
        Mayor = "mayor",
        /// Municipal council member.
        MunicipalCouncil = "municipal-council",
        /// Provincial governor.
        Governor = "governor",
        /// District governor.
        DistrictGovernor = "district-governor",
        /// A referendum question.
        Referendum = "referendum",
    }
}

vocabulary! {
    /// Counting method; the names are those of `sanduq count --method`.
    Method {
        /// One mark; most votes win.
        Plurality = "plurality",
        /// One mark; a majority of valid votes wins, else a run-off between the top two.
        TwoRound = "two-round",
        /// Single non-transferable vote, multi-member, optional reserved women's seats.
        Sntv = "sntv",
        /// Approval voting.
        Approval = "approval",
        /// Instant-runoff voting.
        Irv = "irv",
        /// Scottish STV.
        StvScottish = "stv-scottish",
        /// Meek STV.
        StvMeek = "stv-meek",
        /// Weighted inclusive Gregory STV.
        StvWigm = "stv-wigm",
        /// D'Hondt list PR.
        Dhondt = "dhondt",
        /// Sainte-Laguë list PR.
        SainteLague = "sainte-lague",
        /// Modified Sainte-Laguë list PR.
        ModifiedSainteLague = "modified-sainte-lague",
        /// Largest remainder with the Hare quota.
        HareLr = "hare-lr",
        /// Largest remainder with the Droop quota.
        DroopLr = "droop-lr",
        /// Huntington–Hill apportionment (not a contest method).
        HuntingtonHill = "huntington-hill",
        /// Schulze method (winning votes).
        Schulze = "schulze",
    }
}

impl Method {
    /// Ballots carry one mark (`plurality`, `two-round`, `sntv` and the list methods).
    pub fn is_single_mark(self) -> bool {
        matches!(self, Self::Plurality | Self::TwoRound | Self::Sntv) || self.is_list()
    }

    /// Ballots rank candidates (`irv`, the STV methods, `schulze`).
    pub fn is_ranked(self) -> bool {
        matches!(
            self,
            Self::Irv | Self::StvScottish | Self::StvMeek | Self::StvWigm | Self::Schulze
        )
    }

    /// Party-list methods: the "candidates" are lists and may win several seats each.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Self::Dhondt
                | Self::SainteLague
                | Self::ModifiedSainteLague
                | Self::HareLr
                | Self::DroopLr
        )
    }

    /// Methods that elect exactly one candidate.
    pub fn is_single_winner(self) -> bool {
        matches!(self, Self::TwoRound | Self::Irv)
    }

    /// Apportions seats among units; not usable for a contest.
    pub fn is_apportionment(self) -> bool {
        matches!(self, Self::HuntingtonHill)
    }
}

vocabulary! {
    /// How reserved women's seats are filled (`sanduq count --reserved-rule`).
    ReservedRule {
        /// The N best-placed women first, then the best-placed of the rest (2005–2018 practice).
        ReserveFirst = "reserve-first",
        /// Seats − N open seats first, then the N best-placed remaining women.
        OpenThenExtra = "open-then-extra",
    }
}

vocabulary! {
    /// Whether a group constituency's ballot replaces or adds to the geographic one.
    GroupBallot {
        /// The group's voters get this ballot instead of the geographic ballot for the same office.
        Instead = "instead",
        /// The group's voters get this ballot as well.
        Additional = "additional",
    }
}

/// A percentage with up to three decimals, held exactly as thousandths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent {
    milli: u32,
}

impl Percent {
    /// The largest number of decimals accepted.
    pub const MAX_DECIMALS: usize = 3;

    /// Parses `"5"`, `"2.5"`, `"0.125"`: digits, an optional point and 1–3 decimals, at most 100.
    pub fn parse(s: &str) -> Option<Self> {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if int.is_empty() || int.len() > 3 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut milli: u32 = int.parse::<u32>().ok()?.checked_mul(1000)?;
        if let Some(f) = frac {
            if f.is_empty()
                || f.len() > Self::MAX_DECIMALS
                || !f.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let mut scaled = f.parse::<u32>().ok()?;
            for _ in f.len()..Self::MAX_DECIMALS {
                scaled = scaled.checked_mul(10)?;
            }
            milli = milli.checked_add(scaled)?;
        }
        (milli <= 100_000).then_some(Self { milli })
    }

    /// Thousandths of a percent.
    pub fn millipercent(self) -> u32 {
        self.milli
    }
}

impl fmt::Display for Percent {
    /// The canonical text: no trailing zeros in the decimals, no point when whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.milli / 1000;
        let frac = self.milli % 1000;
        if frac == 0 {
            write!(f, "{int}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{int}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// A geographic jurisdiction: nation, province or district.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Jurisdiction {
    /// Identifier.
    pub id: Id,
    /// Level.
    pub kind: JurisdictionKind,
    /// Parent (`None` only for the nation).
    pub parent: Option<Id>,
    /// ISO 3166-2 code.
    pub iso_code: Option<String>,
    /// Names.
    pub name: Names,
}

/// A polling centre.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollingCentre {
    /// Identifier.
    pub id: Id,
    /// Its district.
    pub district: Id,
    /// Names.
    pub name: Names,
    /// Status.
    pub status: Status,
}

/// A polling station and its voter-roll summary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollingStation {
    /// Identifier.
    pub id: Id,
    /// Its polling centre.
    pub centre: Id,
    /// Men's or women's station.
    pub gender: StationGender,
    /// Ballot allocation cap.
    pub ballot_cap: u32,
    /// Registered voters on its list.
    pub registered: u32,
    /// Of those, voters in each voter group (groups with a count only).
    pub groups: BTreeMap<Id, u32>,
    /// Status.
    pub status: Status,
}

impl PollingStation {
    /// Registered voters in no voter group.
    pub fn general_voters(&self) -> u32 {
        let in_groups: u32 = self.groups.values().sum();
        self.registered.saturating_sub(in_groups)
    }
}

/// A voter group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VoterGroup {
    /// Identifier.
    pub id: Id,
    /// Names.
    pub name: Names,
}

/// A political party.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Party {
    /// Identifier.
    pub id: Id,
    /// Names.
    pub name: Names,
}

/// An office.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Office {
    /// Identifier.
    pub id: Id,
    /// Kind.
    pub kind: OfficeKind,
    /// Names.
    pub name: Names,
}

/// Who votes in a constituency.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// Every voter registered in one of these jurisdictions (at any depth).
    Geographic {
        /// The jurisdictions (non-empty).
        jurisdictions: Vec<Id>,
    },
    /// Voters of one group.
    Group {
        /// The group.
        voter_group: Id,
        /// Where they may cast this ballot; empty means everywhere.
        jurisdictions: Vec<Id>,
        /// Replaces or adds to the geographic ballot of the same office.
        ballot: GroupBallot,
    },
}

/// A constituency.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Constituency {
    /// Identifier.
    pub id: Id,
    /// Names.
    pub name: Names,
    /// Who votes in it.
    pub scope: Scope,
}

/// A candidate (or a list, for list methods).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Candidate {
    /// Identifier, unique within the contest.
    pub id: Id,
    /// Number on the ballot.
    pub ballot_number: u32,
    /// Names.
    pub name: Names,
    /// Gender.
    pub gender: Gender,
    /// Ballot symbol.
    pub symbol: String,
    /// Photo reference.
    pub photo: Option<String>,
    /// Party.
    pub party: Option<Id>,
}

/// A contest: office × constituency × round.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contest {
    /// Identifier.
    pub id: Id,
    /// Office.
    pub office: Id,
    /// Constituency.
    pub constituency: Id,
    /// Polling round (1 = first).
    pub round: u32,
    /// The previous round's contest, for a run-off.
    pub runoff_of: Option<Id>,
    /// Seats.
    pub seats: u32,
    /// Counting method.
    pub method: Method,
    /// Reserved women's seats.
    pub reserved_women: u32,
    /// Rule filling them.
    pub reserved_rule: ReservedRule,
    /// List methods: the threshold.
    pub threshold: Option<Percent>,
    /// Votes allowed per voter.
    pub selection_limit: u32,
    /// Fewest candidates a ballot may mark.
    pub min_selections: u32,
    /// Most candidates a ballot may mark.
    pub max_selections: u32,
    /// Candidates in ballot order.
    pub candidates: Vec<Candidate>,
}

impl Contest {
    /// The options of `sanduq count` (see `count-cli.md`) that count this contest, given the
    /// election's tie-break seed: `--method`, `--seats`, `--reserved` and `--reserved-rule` when
    /// seats are reserved, `--threshold` when set, and `--seed`.
    pub fn count_options(&self, tie_break_seed: &[u8]) -> Vec<String> {
        let mut out = vec![
            "--method".to_owned(),
            self.method.as_str().to_owned(),
            "--seats".to_owned(),
            self.seats.to_string(),
        ];
        if self.reserved_women > 0 {
            out.extend([
                "--reserved".to_owned(),
                self.reserved_women.to_string(),
                "--reserved-rule".to_owned(),
                self.reserved_rule.as_str().to_owned(),
            ]);
        }
        if let Some(t) = self.threshold {
            out.extend(["--threshold".to_owned(), t.to_string()]);
        }
        out.extend(["--seed".to_owned(), hex::encode(tie_break_seed)]);
        out
    }

    /// The number of women standing.
    pub fn women_standing(&self) -> usize {
        self.candidates
            .iter()
            .filter(|c| c.gender == Gender::Female)
            .count()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn percent_parsing_and_canonical_text() {
        for (text, milli, canonical) in [
            ("5", 5_000, "5"),
            ("2.5", 2_500, "2.5"),
            ("2.50", 2_500, "2.5"),
            ("0.125", 125, "0.125"),
            ("100", 100_000, "100"),
            ("007", 7_000, "7"),
        ] {
            let p = Percent::parse(text).unwrap();
            assert_eq!(p.millipercent(), milli, "{text}");
            assert_eq!(p.to_string(), canonical, "{text}");
        }
        for bad in [
            "", ".5", "5.", "1.2345", "100.001", "-1", "1e2", "1000", " 5",
        ] {
            assert_eq!(Percent::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn vocabularies_round_trip() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(*m));
        }
        // The fifteen names of `sanduq count --method`.
        assert_eq!(Method::ALL.len(), 15);
        assert_eq!(Method::parse("borda"), None);
    }
}

//! The manifest's wire format, field by field, as read from and written to TOML.
//!
//! These types describe the *shape* of a manifest (`docs/spec/manifest.md`); they carry no
//! guarantees. Numbers are read as `i64` and enumerations as strings so that range and
//! vocabulary problems are collected by [`crate::Manifest::from_raw`] with the field's path,
//! rather than stopping at the first one. Every table rejects unknown fields.
//!
//! Build a [`RawManifest`] to produce a manifest programmatically, then validate it with
//! [`crate::Manifest::from_raw`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Names of one thing in the project's languages. `en`, `fa-AF` (Dari) and `ps` (Pashto) are
/// required and non-empty; `uz-Arab` (Uzbek in Arabic script) is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNames {
    /// English (or a Latin transliteration).
    pub en: String,
    /// Dari.
    #[serde(rename = "fa-AF")]
    pub fa_af: String,
    /// Pashto.
    pub ps: String,
    /// Uzbek in Arabic script.
    #[serde(rename = "uz-Arab", default, skip_serializing_if = "Option::is_none")]
    pub uz_arab: Option<String>,
}

/// The whole manifest document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    /// Format identifier; must be exactly [`crate::FORMAT`].
    pub format: String,
    /// The election's identifier.
    pub election_id: String,
    /// The election's names.
    pub name: RawNames,
    /// The counting tie-break seed, hex; published before any ballot is cast.
    pub tie_break_seed: String,
    /// The privacy threshold K (default [`crate::DEFAULT_PRIVACY_THRESHOLD`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_threshold: Option<i64>,
    /// Nation, provinces and districts.
    #[serde(default)]
    pub jurisdictions: Vec<RawJurisdiction>,
    /// Polling centres.
    #[serde(default)]
    pub polling_centres: Vec<RawPollingCentre>,
    /// Polling stations, each with its voter-roll summary.
    #[serde(default)]
    pub polling_stations: Vec<RawPollingStation>,
    /// Voter groups (Kuchi, Hindu/Sikh, ...).
    #[serde(default)]
    pub voter_groups: Vec<RawVoterGroup>,
    /// Political parties.
    #[serde(default)]
    pub parties: Vec<RawParty>,
    /// Offices.
    #[serde(default)]
    pub offices: Vec<RawOffice>,
    /// Constituencies.
    #[serde(default)]
    pub constituencies: Vec<RawConstituency>,
    /// Contests, in ballot order.
    #[serde(default)]
    pub contests: Vec<RawContest>,
}

/// A geographic jurisdiction above the polling centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJurisdiction {
    /// Identifier (shared namespace with centres and stations).
    pub id: String,
    /// `nation`, `province` or `district`.
    pub kind: String,
    /// The parent jurisdiction (absent for the nation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// ISO 3166-2 code, e.g. `AF-BAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_code: Option<String>,
    /// Names.
    pub name: RawNames,
}

/// A polling centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPollingCentre {
    /// Identifier.
    pub id: String,
    /// The district it lies in.
    pub parent: String,
    /// Names.
    pub name: RawNames,
    /// `planned`, `open` or `closed` (default `planned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A polling station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPollingStation {
    /// Identifier.
    pub id: String,
    /// The polling centre it belongs to.
    pub parent: String,
    /// `men` or `women`.
    pub gender: String,
    /// Ballot allocation cap (default [`crate::DEFAULT_BALLOT_CAP`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballot_cap: Option<i64>,
    /// Registered voters on the station's list.
    pub registered: i64,
    /// Of those, how many belong to each voter group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<BTreeMap<String, i64>>,
    /// `planned`, `open` or `closed` (default `planned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A voter group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVoterGroup {
    /// Identifier.
    pub id: String,
    /// Names.
    pub name: RawNames,
}

/// A political party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParty {
    /// Identifier.
    pub id: String,
    /// Names.
    pub name: RawNames,
}

/// An office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffice {
    /// Identifier.
    pub id: String,
    /// One of the office kinds (see [`crate::OfficeKind`]).
    pub kind: String,
    /// Names.
    pub name: RawNames,
}

/// A constituency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConstituency {
    /// Identifier.
    pub id: String,
    /// `geographic` or `group`.
    pub kind: String,
    /// Names.
    pub name: RawNames,
    /// Geographic: the jurisdictions it covers (required, non-empty). Group: where the group's
    /// voters may cast this ballot (optional; absent means everywhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdictions: Option<Vec<String>>,
    /// Group: the voter group whose voters get this ballot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voter_group: Option<String>,
    /// Group: `instead` (the ballot replaces the geographic ballot of the same office) or
    /// `additional`. Default `instead`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ballot: Option<String>,
}

/// A contest: office × constituency × round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContest {
    /// Identifier.
    pub id: String,
    /// The office.
    pub office: String,
    /// The constituency.
    pub constituency: String,
    /// Polling round, from 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<i64>,
    /// For a run-off: the contest of the previous round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runoff_of: Option<String>,
    /// Seats to fill.
    pub seats: i64,
    /// Counting method (the names of `sanduq count --method`).
    pub method: String,
    /// Seats reserved for women (default 0; `sntv` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_women: Option<i64>,
    /// `reserve-first` (default) or `open-then-extra`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_rule: Option<String>,
    /// List methods: the minimum share of valid votes, in percent, as a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// Votes allowed per voter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_limit: Option<i64>,
    /// The fewest candidates a ballot may mark (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selections: Option<i64>,
    /// The most candidates a ballot may mark (default: the selection limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selections: Option<i64>,
    /// The candidates (or lists), in ballot order.
    #[serde(default)]
    pub candidates: Vec<RawCandidate>,
}

/// A candidate (or, for list methods, a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCandidate {
    /// Identifier, unique within the contest.
    pub id: String,
    /// Number printed on the ballot, from 1, unique within the contest.
    pub ballot_number: i64,
    /// Names.
    pub name: RawNames,
    /// `f` or `m`.
    pub gender: String,
    /// The ballot symbol's identifier or short description.
    pub symbol: String,
    /// Reference to a photograph (path or content address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// The party, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
}

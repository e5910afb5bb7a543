//! The validated manifest: construction (parsing), lookups and conversion back to the format.

use std::collections::BTreeMap;

use crate::error::ManifestError;
use crate::model::{
    Constituency, Contest, Jurisdiction, Names, Office, Party, PollingCentre, PollingStation,
    Scope, VoterGroup,
};
use crate::raw::{
    RawCandidate, RawConstituency, RawContest, RawJurisdiction, RawManifest, RawNames, RawOffice,
    RawParty, RawPollingCentre, RawPollingStation, RawVoterGroup,
};
use crate::{FORMAT, Id};

/// Where an identifier of the geographic namespace points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GeoRef {
    Jurisdiction(usize),
    Centre(usize),
    Station(usize),
}

/// Lookup tables derived from the manifest's lists (a function of them, never serialised).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Index {
    pub(crate) geo: BTreeMap<Id, GeoRef>,
    pub(crate) voter_groups: BTreeMap<Id, usize>,
    pub(crate) parties: BTreeMap<Id, usize>,
    pub(crate) offices: BTreeMap<Id, usize>,
    pub(crate) constituencies: BTreeMap<Id, usize>,
    pub(crate) contests: BTreeMap<Id, usize>,
}

/// Voter-roll totals of one unit (see [`Manifest::roll_summary`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RollTotals {
    /// Polling stations in the unit.
    pub stations: u64,
    /// Registered voters.
    pub registered: u64,
    /// Registered at men's stations.
    pub men: u64,
    /// Registered at women's stations.
    pub women: u64,
    /// Registered voters of each voter group (groups with an entry on some list).
    pub groups: BTreeMap<Id, u64>,
}

/// A validated election manifest.
///
/// The only ways to get one are [`Manifest::parse`] (TOML text), [`Manifest::from_raw`] and the
/// [`crate::demo`] generator; all three apply every rule of `docs/spec/manifest.md`, so holding a
/// `Manifest` means holding a valid one. Lists keep the manifest's order (contests in ballot
/// order); lookups by identifier use ordered maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub(crate) election_id: Id,
    pub(crate) name: Names,
    pub(crate) tie_break_seed: Vec<u8>,
    pub(crate) privacy_threshold: u32,
    pub(crate) jurisdictions: Vec<Jurisdiction>,
    pub(crate) polling_centres: Vec<PollingCentre>,
    pub(crate) polling_stations: Vec<PollingStation>,
    pub(crate) voter_groups: Vec<VoterGroup>,
    pub(crate) parties: Vec<Party>,
    pub(crate) offices: Vec<Office>,
    pub(crate) constituencies: Vec<Constituency>,
    pub(crate) contests: Vec<Contest>,
    pub(crate) index: Index,
}

impl Manifest {
    /// Parses and validates a manifest from TOML text.
    ///
    /// A text that is not TOML of the manifest's shape gives [`ManifestError::Syntax`] (one
    /// problem, with its line and column); otherwise every rule is checked and all problems are
    /// returned together in [`ManifestError::Invalid`].
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            ManifestError::Syntax {
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        Self::from_raw(&raw)
    }

    /// Validates a manifest given in its raw form.
    pub fn from_raw(raw: &RawManifest) -> Result<Self, ManifestError> {
        crate::validate::validate(raw)
    }

    /// The manifest in its raw form with every default written out (the form that
    /// [`Manifest::canonical_bytes`] encodes).
    pub fn to_raw(&self) -> RawManifest {
        RawManifest {
            format: FORMAT.to_owned(),
            election_id: self.election_id.to_string(),
            name: raw_names(&self.name),
            tie_break_seed: hex::encode(&self.tie_break_seed),
            privacy_threshold: Some(i64::from(self.privacy_threshold)),
            jurisdictions: self
                .jurisdictions
                .iter()
                .map(|j| RawJurisdiction {
                    id: j.id.to_string(),
                    kind: j.kind.as_str().to_owned(),
                    parent: j.parent.as_ref().map(Id::to_string),
                    iso_code: j.iso_code.clone(),
                    name: raw_names(&j.name),
                })
                .collect(),
            polling_centres: self
                .polling_centres
                .iter()
                .map(|c| RawPollingCentre {
                    id: c.id.to_string(),
                    parent: c.district.to_string(),
                    name: raw_names(&c.name),
                    status: Some(c.status.as_str().to_owned()),
                })
                .collect(),
            polling_stations: self
                .polling_stations
                .iter()
                .map(|s| RawPollingStation {
                    id: s.id.to_string(),
                    parent: s.centre.to_string(),
                    gender: s.gender.as_str().to_owned(),
                    ballot_cap: Some(i64::from(s.ballot_cap)),
                    registered: i64::from(s.registered),
                    groups: (!s.groups.is_empty()).then(|| {
                        s.groups
                            .iter()
                            .map(|(g, n)| (g.to_string(), i64::from(*n)))
                            .collect()
                    }),
                    status: Some(s.status.as_str().to_owned()),
                })
                .collect(),
            voter_groups: self
                .voter_groups
                .iter()
                .map(|g| RawVoterGroup {
                    id: g.id.to_string(),
                    name: raw_names(&g.name),
                })
                .collect(),
            parties: self
                .parties
                .iter()
                .map(|p| RawParty {
                    id: p.id.to_string(),
                    name: raw_names(&p.name),
                })
                .collect(),
            offices: self
                .offices
                .iter()
                .map(|o| RawOffice {
                    id: o.id.to_string(),
                    kind: o.kind.as_str().to_owned(),
                    name: raw_names(&o.name),
                })
                .collect(),
            constituencies: self.constituencies.iter().map(raw_constituency).collect(),
            contests: self.contests.iter().map(raw_contest).collect(),
        }
    }

    /// The manifest as TOML text, every default written out. Parsing it gives back an equal
    /// manifest.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(&self.to_raw())
    }

    /// The election's identifier.
    pub fn election_id(&self) -> &Id {
        &self.election_id
    }
    /// The election's names.
    pub fn name(&self) -> &Names {
        &self.name
    }
    /// The counting tie-break seed (published before any ballot is cast).
    pub fn tie_break_seed(&self) -> &[u8] {
        &self.tie_break_seed
    }
    /// The privacy threshold K: a reporting unit with fewer than K ballots is never decrypted on
    /// its own but merged into its parent.
    pub fn privacy_threshold(&self) -> u32 {
        self.privacy_threshold
    }
    /// Nation, provinces and districts, in manifest order.
    pub fn jurisdictions(&self) -> &[Jurisdiction] {
        &self.jurisdictions
    }
    /// Polling centres, in manifest order.
    pub fn polling_centres(&self) -> &[PollingCentre] {
        &self.polling_centres
    }
    /// Polling stations, in manifest order.
    pub fn polling_stations(&self) -> &[PollingStation] {
        &self.polling_stations
    }
    /// Voter groups.
    pub fn voter_groups(&self) -> &[VoterGroup] {
        &self.voter_groups
    }
    /// Parties.
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }
    /// Offices.
    pub fn offices(&self) -> &[Office] {
        &self.offices
    }
    /// Constituencies.
    pub fn constituencies(&self) -> &[Constituency] {
        &self.constituencies
    }
    /// Contests, in ballot order.
    pub fn contests(&self) -> &[Contest] {
        &self.contests
    }

    /// The nation (validation guarantees exactly one).
    pub fn nation(&self) -> Option<&Jurisdiction> {
        self.jurisdictions
            .iter()
            .find(|j| j.kind == crate::JurisdictionKind::Nation)
    }
    /// A jurisdiction (nation, province, district) by identifier.
    pub fn jurisdiction(&self, id: &str) -> Option<&Jurisdiction> {
        match self.index.geo.get(id)? {
            GeoRef::Jurisdiction(i) => self.jurisdictions.get(*i),
            _ => None,
        }
    }
    /// A polling centre by identifier.
    pub fn polling_centre(&self, id: &str) -> Option<&PollingCentre> {
        match self.index.geo.get(id)? {
            GeoRef::Centre(i) => self.polling_centres.get(*i),
            _ => None,
        }
    }
    /// A polling station by identifier.
    pub fn polling_station(&self, id: &str) -> Option<&PollingStation> {
        match self.index.geo.get(id)? {
            GeoRef::Station(i) => self.polling_stations.get(*i),
            _ => None,
        }
    }
    /// A voter group by identifier.
    pub fn voter_group(&self, id: &str) -> Option<&VoterGroup> {
        self.voter_groups.get(*self.index.voter_groups.get(id)?)
    }
    /// An office by identifier.
    pub fn office(&self, id: &str) -> Option<&Office> {
        self.offices.get(*self.index.offices.get(id)?)
    }
    /// A constituency by identifier.
    pub fn constituency(&self, id: &str) -> Option<&Constituency> {
        self.constituencies.get(*self.index.constituencies.get(id)?)
    }
    /// A contest by identifier.
    pub fn contest(&self, id: &str) -> Option<&Contest> {
        self.contests.get(*self.index.contests.get(id)?)
    }

    /// The parent of any unit of the geographic namespace (station → centre → district →
    /// province → nation); `None` for the nation or an unknown identifier.
    pub fn parent_of(&self, id: &str) -> Option<&Id> {
        match self.index.geo.get(id)? {
            GeoRef::Jurisdiction(i) => self.jurisdictions.get(*i)?.parent.as_ref(),
            GeoRef::Centre(i) => Some(&self.polling_centres.get(*i)?.district),
            GeoRef::Station(i) => Some(&self.polling_stations.get(*i)?.centre),
        }
    }

    /// The unit itself followed by its ancestors up to the nation. Empty for an unknown
    /// identifier. (Validation rules out cycles, so this ends.)
    pub fn ancestry(&self, id: &str) -> Vec<&Id> {
        let mut out = Vec::new();
        let Some((first, _)) = self.index.geo.get_key_value(id) else {
            return out;
        };
        out.push(first);
        let mut current = first;
        while let Some(parent) = self.parent_of(current.as_str()) {
            if out.len() > self.index.geo.len() {
                break; // unreachable for a validated manifest; guards against a loop anyway
            }
            out.push(parent);
            current = parent;
        }
        out
    }

    /// The voter-roll summary of every unit of the geographic namespace (stations, centres,
    /// districts, provinces, the nation): registered voters by station gender and by group,
    /// summed upwards from the stations.
    pub fn roll_summary(&self) -> BTreeMap<Id, RollTotals> {
        let mut out: BTreeMap<Id, RollTotals> = self
            .index
            .geo
            .keys()
            .map(|id| (id.clone(), RollTotals::default()))
            .collect();
        for s in &self.polling_stations {
            for unit in self.ancestry(s.id.as_str()) {
                if let Some(t) = out.get_mut(unit) {
                    t.stations += 1;
                    t.registered += u64::from(s.registered);
                    match s.gender {
                        crate::StationGender::Men => t.men += u64::from(s.registered),
                        crate::StationGender::Women => t.women += u64::from(s.registered),
                    }
                    for (g, n) in &s.groups {
                        *t.groups.entry(g.clone()).or_default() += u64::from(*n);
                    }
                }
            }
        }
        out
    }

    /// Registered voters in the whole roll.
    pub fn registered_total(&self) -> u64 {
        self.polling_stations
            .iter()
            .map(|s| u64::from(s.registered))
            .sum()
    }

    /// Registered voters of each voter group in the whole roll (every group listed, zero or not).
    pub fn group_totals(&self) -> BTreeMap<Id, u64> {
        let mut totals: BTreeMap<Id, u64> = self
            .voter_groups
            .iter()
            .map(|g| (g.id.clone(), 0))
            .collect();
        for s in &self.polling_stations {
            for (g, n) in &s.groups {
                *totals.entry(g.clone()).or_default() += u64::from(*n);
            }
        }
        totals
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

pub(crate) fn raw_names(n: &Names) -> RawNames {
    RawNames {
        en: n.en.clone(),
        fa_af: n.fa_af.clone(),
        ps: n.ps.clone(),
        uz_arab: n.uz_arab.clone(),
    }
}

fn raw_constituency(c: &Constituency) -> RawConstituency {
    let ids = |v: &[Id]| v.iter().map(Id::to_string).collect::<Vec<_>>();
    match &c.scope {
        Scope::Geographic { jurisdictions } => RawConstituency {
            id: c.id.to_string(),
            kind: "geographic".to_owned(),
            name: raw_names(&c.name),
            jurisdictions: Some(ids(jurisdictions)),
            voter_group: None,
            group_ballot: None,
        },
        Scope::Group {
            voter_group,
            jurisdictions,
            ballot,
        } => RawConstituency {
            id: c.id.to_string(),
            kind: "group".to_owned(),
            name: raw_names(&c.name),
            jurisdictions: (!jurisdictions.is_empty()).then(|| ids(jurisdictions)),
            voter_group: Some(voter_group.to_string()),
            group_ballot: Some(ballot.as_str().to_owned()),
        },
    }
}

fn raw_contest(c: &Contest) -> RawContest {
    RawContest {
        id: c.id.to_string(),
        office: c.office.to_string(),
        constituency: c.constituency.to_string(),
        round: Some(i64::from(c.round)),
        runoff_of: c.runoff_of.as_ref().map(Id::to_string),
        seats: i64::from(c.seats),
        method: c.method.as_str().to_owned(),
        reserved_women: Some(i64::from(c.reserved_women)),
        reserved_rule: Some(c.reserved_rule.as_str().to_owned()),
        threshold: c.threshold.map(|t| t.to_string()),
        selection_limit: Some(i64::from(c.selection_limit)),
        min_selections: Some(i64::from(c.min_selections)),
        max_selections: Some(i64::from(c.max_selections)),
        candidates: c
            .candidates
            .iter()
            .map(|k| RawCandidate {
                id: k.id.to_string(),
                ballot_number: i64::from(k.ballot_number),
                name: raw_names(&k.name),
                gender: k.gender.as_str().to_owned(),
                symbol: k.symbol.clone(),
                photo: k.photo.clone(),
                party: k.party.as_ref().map(Id::to_string),
            })
            .collect(),
    }
}

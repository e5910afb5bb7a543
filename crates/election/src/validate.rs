//! The rules of `docs/spec/manifest.md` ("Validation"), applied to a [`RawManifest`].
//!
//! Every rule is checked and every problem collected with the path of its field; a
//! [`Manifest`] is built only when there are none.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{ManifestError, Problem, ProblemKind, RefKind};
use crate::manifest::{GeoRef, Index, Manifest};
use crate::model::{
    Candidate, Constituency, Contest, Gender, GroupBallot, Jurisdiction, JurisdictionKind, Method,
    Names, Office, OfficeKind, Party, Percent, PollingCentre, PollingStation, ReservedRule, Scope,
    StationGender, Status, VoterGroup,
};
use crate::raw::{RawContest, RawManifest, RawNames};
use crate::{
    DEFAULT_BALLOT_CAP, DEFAULT_PRIVACY_THRESHOLD, FORMAT, Id, MAX_BALLOT_CAP, MAX_BALLOT_NUMBER,
    MAX_REGISTERED, MAX_ROUND, MAX_SEATS, NAME_MAX_CHARS, PHOTO_MAX_CHARS, SEED_MAX_BYTES,
    SEED_MIN_BYTES, SYMBOL_MAX_CHARS,
};

struct V {
    problems: Vec<Problem>,
}

impl V {
    fn push(&mut self, path: impl Into<String>, kind: ProblemKind) {
        self.problems.push(Problem {
            path: path.into(),
            kind,
        });
    }

    fn id(&mut self, path: &str, s: &str) -> Option<Id> {
        match Id::new(s) {
            Ok(id) => Some(id),
            Err(reason) => {
                self.push(
                    path,
                    ProblemKind::BadId {
                        id: s.to_owned(),
                        reason,
                    },
                );
                None
            }
        }
    }

    /// An identifier that defines something: checked and entered in `seen` (its namespace).
    fn def_id(&mut self, path: &str, s: &str, seen: &mut BTreeMap<String, String>) -> Option<Id> {
        let id = self.id(path, s)?;
        if let Some(first) = seen.get(s) {
            self.push(
                path,
                ProblemKind::DuplicateId {
                    id: s.to_owned(),
                    first: first.clone(),
                },
            );
            return None;
        }
        seen.insert(s.to_owned(), path.to_owned());
        Some(id)
    }

    fn text(&mut self, path: &str, s: &str, max: usize) -> Option<String> {
        let len = s.chars().count();
        if s.trim().is_empty() {
            self.push(path, ProblemKind::Empty);
            None
        } else if len > max {
            self.push(path, ProblemKind::TooLong { len, max });
            None
        } else {
            Some(s.to_owned())
        }
    }

    fn names(&mut self, path: &str, n: &RawNames) -> Option<Names> {
        let en = self.text(&format!("{path}.en"), &n.en, NAME_MAX_CHARS);
        let fa_af = self.text(&format!("{path}.fa-AF"), &n.fa_af, NAME_MAX_CHARS);
        let ps = self.text(&format!("{path}.ps"), &n.ps, NAME_MAX_CHARS);
        let uz_arab = match &n.uz_arab {
            Some(u) => Some(self.text(&format!("{path}.uz-Arab"), u, NAME_MAX_CHARS)?),
            None => None,
        };
        Some(Names {
            en: en?,
            fa_af: fa_af?,
            ps: ps?,
            uz_arab,
        })
    }

    fn int(&mut self, path: &str, value: i64, min: i64, max: i64) -> Option<u32> {
        if value < min || value > max {
            self.push(path, ProblemKind::OutOfRange { value, min, max });
            return None;
        }
        u32::try_from(value).ok()
    }

    fn vocab<T: Copy>(
        &mut self,
        path: &str,
        s: &str,
        parse: fn(&str) -> Option<T>,
        all: &[&'static str],
    ) -> Option<T> {
        let v = parse(s);
        if v.is_none() {
            self.push(
                path,
                ProblemKind::NotInVocabulary {
                    found: s.to_owned(),
                    allowed: all.to_vec(),
                },
            );
        }
        v
    }
}

macro_rules! words {
    ($t:ty) => {
        &<$t>::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()
    };
}

/// The level of a unit of the geographic namespace, for parent checks and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Nation,
    Province,
    District,
    Centre,
    Station,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Self::Nation => "nation",
            Self::Province => "province",
            Self::District => "district",
            Self::Centre => "polling centre",
            Self::Station => "polling station",
        }
    }
}

fn is_iso_3166_2(s: &str) -> bool {
    let Some((country, sub)) = s.split_once('-') else {
        return false;
    };
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && (1..=3).contains(&sub.len())
        && sub
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn parse_seed(s: &str) -> Result<Vec<u8>, String> {
    if s.len() % 2 != 0 {
        return Err(format!("{} hex digits; need an even number", s.len()));
    }
    if let Some(c) = s.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("{c:?} is not a hex digit"));
    }
    let bytes = hex::decode(s).map_err(|e| e.to_string())?;
    if !(SEED_MIN_BYTES..=SEED_MAX_BYTES).contains(&bytes.len()) {
        return Err(format!(
            "{} bytes; need {SEED_MIN_BYTES} to {SEED_MAX_BYTES}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// Applies every rule; see the module documentation.
pub(crate) fn validate(raw: &RawManifest) -> Result<Manifest, ManifestError> {
    let mut v = V {
        problems: Vec::new(),
    };

    if raw.format != FORMAT {
        v.push(
            "format",
            ProblemKind::UnsupportedFormat {
                found: raw.format.clone(),
                expected: FORMAT,
            },
        );
    }
    let election_id = v.id("election_id", &raw.election_id);
    let name = v.names("name", &raw.name);
    let tie_break_seed = match parse_seed(&raw.tie_break_seed) {
        Ok(b) => Some(b),
        Err(e) => {
            v.push("tie_break_seed", ProblemKind::BadSeed(e));
            None
        }
    };
    let privacy_threshold = v.int(
        "privacy_threshold",
        raw.privacy_threshold
            .unwrap_or(i64::from(DEFAULT_PRIVACY_THRESHOLD)),
        1,
        1_000_000,
    );

    // ---- the geographic namespace: jurisdictions, centres, stations ----
    let mut geo_seen = BTreeMap::new();
    let mut levels: BTreeMap<String, Level> = BTreeMap::new();
    let mut jurisdictions = Vec::new();
    for (i, j) in raw.jurisdictions.iter().enumerate() {
        let p = format!("jurisdictions[{i}]");
        let id = v.def_id(&format!("{p}.id"), &j.id, &mut geo_seen);
        let kind = v.vocab(
            &format!("{p}.kind"),
            &j.kind,
            JurisdictionKind::parse,
            words!(JurisdictionKind),
        );
        if let (Some(id), Some(kind)) = (&id, kind) {
            levels.insert(
                id.to_string(),
                match kind {
                    JurisdictionKind::Nation => Level::Nation,
                    JurisdictionKind::Province => Level::Province,
                    JurisdictionKind::District => Level::District,
                },
            );
        }
        let parent = j.parent.as_ref().map(|s| v.id(&format!("{p}.parent"), s));
        let iso_code = match &j.iso_code {
            Some(code) if !is_iso_3166_2(code) => {
                v.push(
                    format!("{p}.iso_code"),
                    ProblemKind::BadIsoCode(code.clone()),
                );
                None
            }
            Some(code) => Some(Some(code.clone())),
            None => Some(None),
        };
        let name = v.names(&format!("{p}.name"), &j.name);
        if let (Some(id), Some(kind), Some(name), Some(iso_code)) = (id, kind, name, iso_code) {
            let parent = match parent {
                Some(Some(p)) => Some(p),
                Some(None) => continue,
                None => None,
            };
            jurisdictions.push(Jurisdiction {
                id,
                kind,
                parent,
                iso_code,
                name,
            });
        }
    }
    for (i, c) in raw.polling_centres.iter().enumerate() {
        let p = format!("polling_centres[{i}]");
        if let Some(id) = v.def_id(&format!("{p}.id"), &c.id, &mut geo_seen) {
            levels.insert(id.to_string(), Level::Centre);
        }
    }
    for (i, s) in raw.polling_stations.iter().enumerate() {
        let p = format!("polling_stations[{i}]");
        if let Some(id) = v.def_id(&format!("{p}.id"), &s.id, &mut geo_seen) {
            levels.insert(id.to_string(), Level::Station);
        }
    }

    // Parents of jurisdictions: existence, level, cycles, exactly one nation.
    let mut nations = 0usize;
    for (i, j) in raw.jurisdictions.iter().enumerate() {
        let p = format!("jurisdictions[{i}]");
        let Some(kind) = JurisdictionKind::parse(&j.kind) else {
            continue;
        };
        let expected = match kind {
            JurisdictionKind::Nation => {
                nations += 1;
                if nations > 1 {
                    v.push(
                        format!("{p}.kind"),
                        ProblemKind::Hierarchy("a second nation; there must be exactly one"),
                    );
                }
                if j.parent.is_some() {
                    v.push(
                        format!("{p}.parent"),
                        ProblemKind::Hierarchy("the nation has no parent"),
                    );
                }
                continue;
            }
            JurisdictionKind::Province => Level::Nation,
            JurisdictionKind::District => Level::Province,
        };
        match &j.parent {
            None => v.push(
                format!("{p}.parent"),
                ProblemKind::Hierarchy("only the nation has no parent"),
            ),
            Some(parent) => check_parent(&mut v, &format!("{p}.parent"), parent, &levels, expected),
        }
    }
    if nations == 0 && !raw.jurisdictions.is_empty() {
        v.push(
            "jurisdictions",
            ProblemKind::Hierarchy("no jurisdiction of kind nation"),
        );
    } else if raw.jurisdictions.is_empty() {
        v.push(
            "jurisdictions",
            ProblemKind::Hierarchy("no jurisdictions; the nation at least is required"),
        );
    }
    check_cycles(&mut v, raw);

    let mut polling_centres = Vec::new();
    for (i, c) in raw.polling_centres.iter().enumerate() {
        let p = format!("polling_centres[{i}]");
        let id = Id::new(&c.id).ok();
        let parent = v.id(&format!("{p}.parent"), &c.parent);
        if parent.is_some() {
            check_parent(
                &mut v,
                &format!("{p}.parent"),
                &c.parent,
                &levels,
                Level::District,
            );
        }
        let name = v.names(&format!("{p}.name"), &c.name);
        let status = v.vocab(
            &format!("{p}.status"),
            c.status.as_deref().unwrap_or("planned"),
            Status::parse,
            words!(Status),
        );
        if let (Some(id), Some(district), Some(name), Some(status)) = (id, parent, name, status) {
            polling_centres.push(PollingCentre {
                id,
                district,
                name,
                status,
            });
        }
    }

    // Voter groups come before stations, whose roll summary names them.
    let mut group_seen = BTreeMap::new();
    let mut voter_groups = Vec::new();
    for (i, g) in raw.voter_groups.iter().enumerate() {
        let p = format!("voter_groups[{i}]");
        let id = v.def_id(&format!("{p}.id"), &g.id, &mut group_seen);
        let name = v.names(&format!("{p}.name"), &g.name);
        if let (Some(id), Some(name)) = (id, name) {
            voter_groups.push(VoterGroup { id, name });
        }
    }

    let mut polling_stations = Vec::new();
    for (i, s) in raw.polling_stations.iter().enumerate() {
        let p = format!("polling_stations[{i}]");
        let id = Id::new(&s.id).ok();
        let parent = v.id(&format!("{p}.parent"), &s.parent);
        if parent.is_some() {
            check_parent(
                &mut v,
                &format!("{p}.parent"),
                &s.parent,
                &levels,
                Level::Centre,
            );
        }
        let gender = v.vocab(
            &format!("{p}.gender"),
            &s.gender,
            StationGender::parse,
            words!(StationGender),
        );
        let ballot_cap = v.int(
            &format!("{p}.ballot_cap"),
            s.ballot_cap.unwrap_or(i64::from(DEFAULT_BALLOT_CAP)),
            1,
            i64::from(MAX_BALLOT_CAP),
        );
        let registered = v.int(
            &format!("{p}.registered"),
            s.registered,
            0,
            i64::from(MAX_REGISTERED),
        );
        if let (Some(cap), Some(reg)) = (ballot_cap, registered) {
            if reg > cap {
                v.push(
                    format!("{p}.registered"),
                    ProblemKind::Roll(format!(
                        "{reg} registered voters exceed the ballot allocation cap of {cap}"
                    )),
                );
            }
        }
        let mut groups = BTreeMap::new();
        let mut groups_ok = true;
        for (g, n) in s.groups.iter().flatten() {
            let gp = format!("{p}.groups.{g}");
            let gid = v.id(&gp, g);
            if gid.is_some() && !group_seen.contains_key(g) {
                v.push(
                    &gp,
                    ProblemKind::UnknownReference {
                        kind: RefKind::VoterGroup,
                        id: g.clone(),
                    },
                );
                groups_ok = false;
            }
            let n = v.int(&gp, *n, 0, i64::from(registered.unwrap_or(MAX_REGISTERED)));
            match (gid, n) {
                (Some(gid), Some(n)) => {
                    groups.insert(gid, n);
                }
                _ => groups_ok = false,
            }
        }
        let in_groups: u64 = groups.values().map(|n| u64::from(*n)).sum();
        if let Some(reg) = registered {
            if groups_ok && in_groups > u64::from(reg) {
                v.push(
                    format!("{p}.groups"),
                    ProblemKind::Roll(format!(
                        "{in_groups} voters in groups but only {reg} registered (a voter is in at most one group)"
                    )),
                );
            }
        }
        let status = v.vocab(
            &format!("{p}.status"),
            s.status.as_deref().unwrap_or("planned"),
            Status::parse,
            words!(Status),
        );
        if let (
            Some(id),
            Some(centre),
            Some(gender),
            Some(ballot_cap),
            Some(registered),
            Some(status),
            true,
        ) = (
            id, parent, gender, ballot_cap, registered, status, groups_ok,
        ) {
            polling_stations.push(PollingStation {
                id,
                centre,
                gender,
                ballot_cap,
                registered,
                groups,
                status,
            });
        }
    }

    let mut party_seen = BTreeMap::new();
    let mut parties = Vec::new();
    for (i, x) in raw.parties.iter().enumerate() {
        let p = format!("parties[{i}]");
        let id = v.def_id(&format!("{p}.id"), &x.id, &mut party_seen);
        let name = v.names(&format!("{p}.name"), &x.name);
        if let (Some(id), Some(name)) = (id, name) {
            parties.push(Party { id, name });
        }
    }

    let mut office_seen = BTreeMap::new();
    let mut offices = Vec::new();
    for (i, o) in raw.offices.iter().enumerate() {
        let p = format!("offices[{i}]");
        let id = v.def_id(&format!("{p}.id"), &o.id, &mut office_seen);
        let kind = v.vocab(
            &format!("{p}.kind"),
            &o.kind,
            OfficeKind::parse,
            words!(OfficeKind),
        );
        let name = v.names(&format!("{p}.name"), &o.name);
        if let (Some(id), Some(kind), Some(name)) = (id, kind, name) {
            offices.push(Office { id, kind, name });
        }
    }

    let mut constituency_seen = BTreeMap::new();
    let mut constituencies = Vec::new();
    for (i, c) in raw.constituencies.iter().enumerate() {
        let p = format!("constituencies[{i}]");
        let id = v.def_id(&format!("{p}.id"), &c.id, &mut constituency_seen);
        let name = v.names(&format!("{p}.name"), &c.name);
        let mut juris = Some(Vec::new());
        for (k, j) in c.jurisdictions.iter().flatten().enumerate() {
            let jp = format!("{p}.jurisdictions[{k}]");
            let jid = v.id(&jp, j);
            if jid.is_some() && !levels.contains_key(j) {
                v.push(
                    &jp,
                    ProblemKind::UnknownReference {
                        kind: RefKind::Jurisdiction,
                        id: j.clone(),
                    },
                );
                juris = None;
            }
            match (jid, juris.as_mut()) {
                (Some(jid), Some(list)) => list.push(jid),
                _ => juris = None,
            }
        }
        let scope = match c.kind.as_str() {
            "geographic" => {
                if c.jurisdictions.as_ref().is_none_or(Vec::is_empty) {
                    v.push(
                        format!("{p}.jurisdictions"),
                        ProblemKind::MissingJurisdictions,
                    );
                    juris = None;
                }
                if c.voter_group.is_some() {
                    v.push(
                        format!("{p}.voter_group"),
                        ProblemKind::NotAllowedForKind { kind: "geographic" },
                    );
                }
                if c.group_ballot.is_some() {
                    v.push(
                        format!("{p}.group_ballot"),
                        ProblemKind::NotAllowedForKind { kind: "geographic" },
                    );
                }
                juris.map(|jurisdictions| Scope::Geographic { jurisdictions })
            }
            "group" => {
                let group = match &c.voter_group {
                    None => {
                        v.push(format!("{p}.voter_group"), ProblemKind::MissingVoterGroup);
                        None
                    }
                    Some(g) => {
                        let gid = v.id(&format!("{p}.voter_group"), g);
                        if gid.is_some() && !group_seen.contains_key(g) {
                            v.push(
                                format!("{p}.voter_group"),
                                ProblemKind::UnknownReference {
                                    kind: RefKind::VoterGroup,
                                    id: g.clone(),
                                },
                            );
                            None
                        } else {
                            gid
                        }
                    }
                };
                let ballot = v.vocab(
                    &format!("{p}.group_ballot"),
                    c.group_ballot.as_deref().unwrap_or("instead"),
                    GroupBallot::parse,
                    words!(GroupBallot),
                );
                match (group, juris, ballot) {
                    (Some(voter_group), Some(jurisdictions), Some(ballot)) => Some(Scope::Group {
                        voter_group,
                        jurisdictions,
                        ballot,
                    }),
                    _ => None,
                }
            }
            other => {
                v.push(
                    format!("{p}.kind"),
                    ProblemKind::NotInVocabulary {
                        found: other.to_owned(),
                        allowed: vec!["geographic", "group"],
                    },
                );
                None
            }
        };
        if let (Some(id), Some(name), Some(scope)) = (id, name, scope) {
            constituencies.push(Constituency { id, name, scope });
        }
    }

    // ---- contests ----
    let mut contest_seen = BTreeMap::new();
    for (i, c) in raw.contests.iter().enumerate() {
        // Enter every contest id first so that a run-off may name a later contest.
        let _ = v.def_id(&format!("contests[{i}].id"), &c.id, &mut contest_seen);
    }
    let mut triples: BTreeMap<(String, String, i64), String> = BTreeMap::new();
    let mut contests = Vec::new();
    for (i, c) in raw.contests.iter().enumerate() {
        let p = format!("contests[{i}]");
        if let Some(contest) = validate_contest(
            &mut v,
            &p,
            c,
            raw,
            &office_seen,
            &constituency_seen,
            &contest_seen,
            &party_seen,
        ) {
            let key = (
                c.office.clone(),
                c.constituency.clone(),
                c.round.unwrap_or(1),
            );
            if let Some(first) = triples.get(&key) {
                v.push(
                    format!("{p}.round"),
                    ProblemKind::DuplicateContest {
                        first: first.clone(),
                    },
                );
            } else {
                triples.insert(key, p.clone());
            }
            contests.push(contest);
        }
    }

    if !v.problems.is_empty() {
        return Err(ManifestError::Invalid(v.problems));
    }
    let (Some(election_id), Some(name), Some(tie_break_seed), Some(privacy_threshold)) =
        (election_id, name, tie_break_seed, privacy_threshold)
    else {
        // Each `None` above recorded a problem, so this is not reached.
        return Err(ManifestError::Invalid(v.problems));
    };
    let mut index = Index::default();
    for (i, j) in jurisdictions.iter().enumerate() {
        index.geo.insert(j.id.clone(), GeoRef::Jurisdiction(i));
    }
    for (i, c) in polling_centres.iter().enumerate() {
        index.geo.insert(c.id.clone(), GeoRef::Centre(i));
    }
    for (i, s) in polling_stations.iter().enumerate() {
        index.geo.insert(s.id.clone(), GeoRef::Station(i));
    }
    index.voter_groups = positions(voter_groups.iter().map(|g| &g.id));
    index.parties = positions(parties.iter().map(|g| &g.id));
    index.offices = positions(offices.iter().map(|g| &g.id));
    index.constituencies = positions(constituencies.iter().map(|g| &g.id));
    index.contests = positions(contests.iter().map(|g| &g.id));
    Ok(Manifest {
        election_id,
        name,
        tie_break_seed,
        privacy_threshold,
        jurisdictions,
        polling_centres,
        polling_stations,
        voter_groups,
        parties,
        offices,
        constituencies,
        contests,
        index,
    })
}

fn positions<'a>(ids: impl Iterator<Item = &'a Id>) -> BTreeMap<Id, usize> {
    ids.enumerate().map(|(i, id)| (id.clone(), i)).collect()
}

fn check_parent(
    v: &mut V,
    path: &str,
    parent: &str,
    levels: &BTreeMap<String, Level>,
    expected: Level,
) {
    match levels.get(parent) {
        None => v.push(
            path,
            ProblemKind::UnknownReference {
                kind: RefKind::Jurisdiction,
                id: parent.to_owned(),
            },
        ),
        Some(level) if *level != expected => v.push(
            path,
            ProblemKind::WrongParentKind {
                parent: parent.to_owned(),
                found: level.name(),
                expected: expected.name(),
            },
        ),
        Some(_) => {}
    }
}

/// Reports each cycle of `parent` links among jurisdictions once, at the member listed first.
fn check_cycles(v: &mut V, raw: &RawManifest) {
    let mut first_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, j) in raw.jurisdictions.iter().enumerate() {
        first_index.entry(j.id.as_str()).or_insert(i);
    }
    let parent_of = |id: &str| -> Option<&str> {
        let i = first_index.get(id)?;
        raw.jurisdictions.get(*i)?.parent.as_deref()
    };
    for (i, j) in raw.jurisdictions.iter().enumerate() {
        if first_index.get(j.id.as_str()) != Some(&i) {
            continue;
        }
        let mut chain = vec![j.id.as_str()];
        let mut current = j.id.as_str();
        let mut visited = BTreeSet::from([current]);
        while let Some(parent) = parent_of(current) {
            if parent == j.id {
                // A cycle through `j`: report it at its first-listed member only.
                let min = chain
                    .iter()
                    .filter_map(|m| first_index.get(m))
                    .min()
                    .copied();
                if min == Some(i) {
                    chain.push(parent);
                    v.push(
                        format!("jurisdictions[{i}].parent"),
                        ProblemKind::Cycle(chain.iter().map(|s| (*s).to_owned()).collect()),
                    );
                }
                break;
            }
            if !visited.insert(parent) {
                break; // a cycle not through `j`; reported from one of its members
            }
            chain.push(parent);
            current = parent;
        }
    }
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn validate_contest(
    v: &mut V,
    p: &str,
    c: &RawContest,
    raw: &RawManifest,
    offices: &BTreeMap<String, String>,
    constituencies: &BTreeMap<String, String>,
    contests: &BTreeMap<String, String>,
    parties: &BTreeMap<String, String>,
) -> Option<Contest> {
    let id = Id::new(&c.id).ok();
    let reference = |v: &mut V,
                     field: &str,
                     s: &str,
                     seen: &BTreeMap<String, String>,
                     kind: RefKind|
     -> Option<Id> {
        let path = format!("{p}.{field}");
        let id = v.id(&path, s)?;
        if !seen.contains_key(s) {
            v.push(
                path,
                ProblemKind::UnknownReference {
                    kind,
                    id: s.to_owned(),
                },
            );
            return None;
        }
        Some(id)
    };
    let office = reference(v, "office", &c.office, offices, RefKind::Office);
    let constituency = reference(
        v,
        "constituency",
        &c.constituency,
        constituencies,
        RefKind::Constituency,
    );
    let round = v.int(
        &format!("{p}.round"),
        c.round.unwrap_or(1),
        1,
        i64::from(MAX_ROUND),
    );
    let runoff_of = c
        .runoff_of
        .as_ref()
        .and_then(|r| reference(v, "runoff_of", r, contests, RefKind::Contest));
    let seats = v.int(&format!("{p}.seats"), c.seats, 1, i64::from(MAX_SEATS));
    let method = v.vocab(
        &format!("{p}.method"),
        &c.method,
        Method::parse,
        words!(Method),
    );
    if method.is_some_and(Method::is_apportionment) {
        v.push(
            format!("{p}.method"),
            ProblemKind::MethodMismatch(format!(
                "{} apportions seats among units; it is not a contest method",
                c.method
            )),
        );
    }
    let n = c.candidates.len();
    if n == 0 {
        v.push(format!("{p}.candidates"), ProblemKind::Empty);
    }
    if let (Some(seats), Some(m)) = (seats, method) {
        if m.is_single_winner() && seats != 1 {
            v.push(
                format!("{p}.seats"),
                ProblemKind::MethodMismatch(format!(
                    "{m} elects exactly one candidate; seats must be 1"
                )),
            );
        } else if !m.is_list() && n > 0 && usize::try_from(seats).is_ok_and(|s| s > n) {
            v.push(
                format!("{p}.seats"),
                ProblemKind::SeatsExceedCandidates {
                    seats,
                    candidates: n,
                },
            );
        }
    }
    let reserved_women = v.int(
        &format!("{p}.reserved_women"),
        c.reserved_women.unwrap_or(0),
        0,
        i64::from(MAX_SEATS),
    );
    if let (Some(r), Some(seats)) = (reserved_women, seats) {
        if r > seats {
            v.push(
                format!("{p}.reserved_women"),
                ProblemKind::ReservedExceedsSeats { reserved: r, seats },
            );
        }
    }
    if let (Some(r), Some(m)) = (reserved_women, method) {
        if r > 0 && m != Method::Sntv {
            v.push(
                format!("{p}.reserved_women"),
                ProblemKind::MethodMismatch(format!("reserved seats need method sntv, not {m}")),
            );
        }
    }
    let reserved_rule = v.vocab(
        &format!("{p}.reserved_rule"),
        c.reserved_rule.as_deref().unwrap_or("reserve-first"),
        ReservedRule::parse,
        words!(ReservedRule),
    );
    let threshold = match &c.threshold {
        None => Some(None),
        Some(t) => {
            let parsed = Percent::parse(t);
            if parsed.is_none() {
                v.push(format!("{p}.threshold"), ProblemKind::BadPercent(t.clone()));
            }
            if method.is_some_and(|m| !m.is_list()) {
                v.push(
                    format!("{p}.threshold"),
                    ProblemKind::MethodMismatch(format!(
                        "a threshold applies to list methods only, not {}",
                        c.method
                    )),
                );
                None
            } else {
                parsed.map(Some)
            }
        }
    };
    let default_limit = match method {
        Some(m) if !m.is_single_mark() => i64::try_from(n.max(1)).unwrap_or(1),
        _ => 1,
    };
    let selection_limit = v.int(
        &format!("{p}.selection_limit"),
        c.selection_limit.unwrap_or(default_limit),
        1,
        i64::from(MAX_BALLOT_NUMBER),
    );
    if let Some(limit) = selection_limit {
        if method.is_some_and(Method::is_single_mark) && limit != 1 {
            v.push(
                format!("{p}.selection_limit"),
                ProblemKind::MethodMismatch(format!(
                    "{} allows exactly one vote per voter; selection_limit must be 1",
                    c.method
                )),
            );
        } else if n > 0 && usize::try_from(limit).is_ok_and(|l| l > n) {
            v.push(
                format!("{p}.selection_limit"),
                ProblemKind::SelectionLimitExceedsCandidates {
                    limit,
                    candidates: n,
                },
            );
        }
    }
    let min_selections = v.int(
        &format!("{p}.min_selections"),
        c.min_selections.unwrap_or(0),
        0,
        i64::from(MAX_BALLOT_NUMBER),
    );
    let max_selections = v.int(
        &format!("{p}.max_selections"),
        c.max_selections
            .or(selection_limit.map(i64::from))
            .unwrap_or(1),
        1,
        i64::from(MAX_BALLOT_NUMBER),
    );
    if let (Some(min), Some(max)) = (min_selections, max_selections) {
        if min > max {
            v.push(
                format!("{p}.min_selections"),
                ProblemKind::MinExceedsMax { min, max },
            );
        }
    }
    if let (Some(max), Some(limit)) = (max_selections, selection_limit) {
        if max > limit {
            v.push(
                format!("{p}.max_selections"),
                ProblemKind::MaxExceedsLimit { max, limit },
            );
        }
    }

    // Candidates.
    let mut cand_seen = BTreeMap::new();
    let mut numbers: BTreeMap<u32, String> = BTreeMap::new();
    let mut symbols: BTreeMap<String, String> = BTreeMap::new();
    let mut candidates = Some(Vec::new());
    for (k, k_raw) in c.candidates.iter().enumerate() {
        let cp = format!("{p}.candidates[{k}]");
        let cid = v.def_id(&format!("{cp}.id"), &k_raw.id, &mut cand_seen);
        let number = v.int(
            &format!("{cp}.ballot_number"),
            k_raw.ballot_number,
            1,
            i64::from(MAX_BALLOT_NUMBER),
        );
        if let Some(num) = number {
            if let Some(first) = numbers.get(&num) {
                v.push(
                    format!("{cp}.ballot_number"),
                    ProblemKind::DuplicateBallotNumber {
                        number: num,
                        first: first.clone(),
                    },
                );
            } else {
                numbers.insert(num, format!("{cp}.ballot_number"));
            }
        }
        let name = v.names(&format!("{cp}.name"), &k_raw.name);
        let gender = v.vocab(
            &format!("{cp}.gender"),
            &k_raw.gender,
            Gender::parse,
            words!(Gender),
        );
        let symbol = v.text(&format!("{cp}.symbol"), &k_raw.symbol, SYMBOL_MAX_CHARS);
        if let Some(sym) = &symbol {
            if let Some(first) = symbols.get(sym) {
                v.push(
                    format!("{cp}.symbol"),
                    ProblemKind::DuplicateSymbol {
                        symbol: sym.clone(),
                        first: first.clone(),
                    },
                );
            } else {
                symbols.insert(sym.clone(), format!("{cp}.symbol"));
            }
        }
        let photo = match &k_raw.photo {
            Some(ph) => v
                .text(&format!("{cp}.photo"), ph, PHOTO_MAX_CHARS)
                .map(Some),
            None => Some(None),
        };
        let party = match &k_raw.party {
            Some(pa) => {
                let pid = v.id(&format!("{cp}.party"), pa);
                if pid.is_some() && !parties.contains_key(pa) {
                    v.push(
                        format!("{cp}.party"),
                        ProblemKind::UnknownReference {
                            kind: RefKind::Party,
                            id: pa.clone(),
                        },
                    );
                    None
                } else {
                    pid.map(Some)
                }
            }
            None => Some(None),
        };
        match (
            cid,
            number,
            name,
            gender,
            symbol,
            photo,
            party,
            candidates.as_mut(),
        ) {
            (
                Some(id),
                Some(ballot_number),
                Some(name),
                Some(gender),
                Some(symbol),
                Some(photo),
                Some(party),
                Some(list),
            ) => list.push(Candidate {
                id,
                ballot_number,
                name,
                gender,
                symbol,
                photo,
                party,
            }),
            _ => candidates = None,
        }
    }

    // Run-off: same office and constituency, the previous round, candidates from it.
    if let Some(prev_id) = &runoff_of {
        if let Some(prev) = raw.contests.iter().find(|x| x.id == prev_id.as_str()) {
            if prev.office != c.office || prev.constituency != c.constituency {
                v.push(
                    format!("{p}.runoff_of"),
                    ProblemKind::BadRunoff(format!(
                        "{prev_id} is for another office or constituency"
                    )),
                );
            }
            let prev_round = prev.round.unwrap_or(1);
            if round.is_some_and(|r| i64::from(r) != prev_round.saturating_add(1)) {
                v.push(
                    format!("{p}.round"),
                    ProblemKind::BadRunoff(format!(
                        "a run-off of a round-{prev_round} contest must be round {}",
                        prev_round.saturating_add(1)
                    )),
                );
            }
            for (k, k_raw) in c.candidates.iter().enumerate() {
                if !prev.candidates.iter().any(|x| x.id == k_raw.id) {
                    v.push(
                        format!("{p}.candidates[{k}].id"),
                        ProblemKind::BadRunoff(format!("{} did not stand in {prev_id}", k_raw.id)),
                    );
                }
            }
        }
    }

    Some(Contest {
        id: id?,
        office: office?,
        constituency: constituency?,
        round: round?,
        runoff_of,
        seats: seats?,
        method: method?,
        reserved_women: reserved_women?,
        reserved_rule: reserved_rule?,
        threshold: threshold?,
        selection_limit: selection_limit?,
        min_selections: min_selections?,
        max_selections: max_selections?,
        candidates: candidates?,
    })
}

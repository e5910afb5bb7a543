//! The election record's layout (`docs/spec/record.md` §3): which file holds what, and how
//! the protocol's outputs become files.

use std::collections::{BTreeMap, BTreeSet};

use sanduq_crypto::group::to_hex;
use sanduq_election::Manifest;
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::decrypt::DecryptionShare;
use sanduq_trustee::dkg::{
    CeremonySetup, PublicKeyPackage, Registration, Round1Package, Round2Package, Round3Package,
};
use sanduq_trustee::wire::Message;
use serde::{Deserialize, Serialize};

use crate::error::RecordError;
use crate::hierarchy::{Disclosure, Hierarchy, Level};
use crate::protocol::{Ceremony, Election, Tallies, Target};
use crate::store::Files;
use crate::wire::{
    BallotLine, ContestResult, ContestTally, Decryption, DecryptionFile, DeviceWire, DevicesFile,
    ResultsFile, SelectionDecryption, SelectionTally, ShareWire, TallyFile, UnitTally,
    to_canonical, to_lines,
};

/// `election/manifest.json`.
pub const MANIFEST: &str = "election/manifest.json";
/// `election/parameters.json`.
pub const PARAMETERS: &str = "election/parameters.json";
/// `ceremony/ceremony.json`.
pub const CEREMONY: &str = "ceremony/ceremony.json";
/// `results/results.json`.
pub const RESULTS: &str = "results/results.json";

/// Where the files of a location live: a district, a province or the nation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// `districts/<province>/<district>/`.
    District {
        /// The province.
        province: String,
        /// The district.
        district: String,
    },
    /// `provinces/<province>/`.
    Province(String),
    /// `nation/`.
    Nation,
}

impl Location {
    /// The folder.
    #[must_use]
    pub fn dir(&self) -> String {
        match self {
            Location::District { province, district } => format!("districts/{province}/{district}"),
            Location::Province(p) => format!("provinces/{p}"),
            Location::Nation => "nation".to_owned(),
        }
    }

    /// A file of the location.
    #[must_use]
    pub fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.dir())
    }
}

/// The location whose files hold a unit's tally and decryption.
#[must_use]
pub fn location_of(h: &Hierarchy, unit: &str) -> Option<Location> {
    let u = h.unit(unit)?;
    Some(match u.level {
        Level::Nation => Location::Nation,
        Level::Province => Location::Province(u.id.clone()),
        _ => Location::District {
            province: u.province.clone()?,
            district: u.district.clone()?,
        },
    })
}

/// The record folder (`districts/<province>/<district>`) of every polling station of the
/// record's `election/manifest.json` (canonical JSON of a valid manifest).
pub fn station_folders(manifest: &[u8]) -> Result<BTreeMap<String, String>, RecordError> {
    let raw: sanduq_election::raw::RawManifest = serde_json::from_slice(manifest)
        .map_err(|e| RecordError::Manifest(format!("{MANIFEST}: {e}")))?;
    let m =
        Manifest::from_raw(&raw).map_err(|e| RecordError::Manifest(format!("{MANIFEST}: {e}")))?;
    let h = Hierarchy::from_manifest(&m)?;
    Ok(h.units()
        .values()
        .filter(|u| u.level == Level::Station)
        .filter_map(|u| Some((u.id.clone(), location_of(&h, &u.id)?.dir())))
        .collect())
}

/// Districts with at least one polling station (the only ones with a folder).
#[must_use]
pub fn districts_with_stations(h: &Hierarchy) -> BTreeSet<Location> {
    h.units()
        .values()
        .filter(|u| u.level == Level::Station)
        .filter_map(|u| location_of(h, &u.id))
        .collect()
}

/// Every location with files, and the files each must have.
///
/// With `remote` (the election has a credential list), also `election/credentials.json` and
/// every district's `remote.jsonl`.
#[must_use]
pub fn expected_files(h: &Hierarchy, remote: bool) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = [MANIFEST, PARAMETERS, CEREMONY, RESULTS]
        .into_iter()
        .map(str::to_owned)
        .collect();
    if remote {
        out.insert(crate::remote::CREDENTIALS.to_owned());
    }
    for loc in districts_with_stations(h) {
        if remote {
            out.insert(loc.file(crate::remote::REMOTE));
        }
        for f in [
            "ballots.jsonl",
            "devices.json",
            "tally.json",
            "decryption.json",
        ] {
            out.insert(loc.file(f));
        }
    }
    for u in h.units().values() {
        let loc = match u.level {
            Level::Province => Location::Province(u.id.clone()),
            Level::Nation => Location::Nation,
            _ => continue,
        };
        out.insert(loc.file("tally.json"));
        out.insert(loc.file("decryption.json"));
    }
    out
}

/// Units whose tallies a location's `tally.json` holds, in identifier order.
#[must_use]
pub fn units_of(h: &Hierarchy, loc: &Location) -> Vec<String> {
    h.units()
        .values()
        .filter(|u| location_of(h, &u.id).as_ref() == Some(loc))
        .map(|u| u.id.clone())
        .collect()
}

/// `ceremony/ceremony.json`: every public message of the key ceremony.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyFile {
    /// The setup (fingerprint, parameters, policy).
    pub setup: <CeremonySetup as Message>::Wire,
    /// Registrations, by trustee.
    pub registrations: Vec<<Registration as Message>::Wire>,
    /// Round 1 (Pedersen commitments, encrypted shares), by trustee.
    pub round1: Vec<<Round1Package as Message>::Wire>,
    /// Round 2 (complaints), by trustee.
    pub round2: Vec<<Round2Package as Message>::Wire>,
    /// Round 3 (Feldman commitments with proofs of knowledge), by trustee.
    pub round3: Vec<<Round3Package as Message>::Wire>,
    /// The joint key and public shares.
    pub public_key: <PublicKeyPackage as Message>::Wire,
}

impl CeremonyFile {
    /// The file of a ceremony.
    #[must_use]
    pub fn of(c: &Ceremony) -> CeremonyFile {
        CeremonyFile {
            setup: c.setup.to_wire(),
            registrations: c
                .transcript
                .registrations
                .values()
                .map(Message::to_wire)
                .collect(),
            round1: c.transcript.round1.values().map(Message::to_wire).collect(),
            round2: c.transcript.round2.values().map(Message::to_wire).collect(),
            round3: c.transcript.round3.values().map(Message::to_wire).collect(),
            public_key: c.package.to_wire(),
        }
    }
}

/// The tally entry of one unit.
#[must_use]
pub fn unit_tally(
    election: &Election,
    unit: &str,
    tallies: &Tallies,
    disclosure: &BTreeMap<String, BTreeMap<String, Disclosure>>,
) -> UnitTally {
    let h = election.hierarchy();
    let u = h.unit(unit);
    let contests = tallies
        .get(unit)
        .map(|m| {
            m.iter()
                .map(|(cid, agg)| {
                    let d = disclosure.get(cid).and_then(|d| d.get(unit));
                    let (disc, merged_into) = match d {
                        Some(Disclosure::Published) => ("published", None),
                        Some(Disclosure::Merged(p)) => ("merged", Some(p.clone())),
                        Some(Disclosure::Withheld) | None => ("withheld", None),
                    };
                    let ids: Vec<String> = election
                        .descriptions()
                        .get(cid)
                        .map(|d| d.selection_ids().to_vec())
                        .unwrap_or_default();
                    ContestTally {
                        contest: cid.clone(),
                        ballots: agg.ballots,
                        disclosure: disc.to_owned(),
                        merged_into,
                        selections: ids
                            .into_iter()
                            .zip(&agg.selections)
                            .map(|(id, ct)| SelectionTally {
                                id,
                                ciphertext: to_hex(&ct.to_bytes()),
                            })
                            .collect(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    UnitTally {
        unit: unit.to_owned(),
        level: u.map_or("?", |u| u.level.as_str()).to_owned(),
        parent: u.and_then(|u| u.parent.clone()),
        contests,
    }
}

/// The encoded decryption share of the wire.
#[must_use]
pub fn share_to_wire(s: &DecryptionShare) -> ShareWire {
    let mut proof = Vec::with_capacity(96);
    proof.extend_from_slice(s.proof.a1.as_bytes());
    proof.extend_from_slice(s.proof.a2.as_bytes());
    proof.extend_from_slice(&s.proof.response.to_bytes());
    ShareWire {
        trustee: s.trustee.get(),
        share: s.share.to_hex(),
        proof: to_hex(&proof),
    }
}

/// Everything the protocol produced, ready to be laid out as files.
#[derive(Debug)]
pub struct Outputs<'a> {
    /// The election.
    pub election: &'a Election,
    /// The ceremony.
    pub ceremony: &'a Ceremony,
    /// Per district: its ballot lines (by device, then sequence) and devices.
    pub districts: BTreeMap<Location, (Vec<BallotLine>, Vec<DeviceWire>)>,
    /// Every unit's encrypted tallies.
    pub tallies: &'a Tallies,
    /// The privacy rule's decisions.
    pub disclosure: &'a BTreeMap<String, BTreeMap<String, Disclosure>>,
    /// The decrypted ciphertexts.
    pub targets: &'a [Target],
    /// Their counts.
    pub counts: &'a [u64],
    /// The shares of the present trustees, each in the order of `targets`.
    pub shares: &'a BTreeMap<TrusteeIndex, Vec<DecryptionShare>>,
    /// The results, by contest.
    pub results: Vec<ContestResult>,
    /// The remote ballots, when the election has a credential list.
    pub remote: Option<&'a crate::remote::CheckedRemote>,
}

/// Lay the outputs out as the record's files (without `index.json`).
pub fn build_files(out: &Outputs<'_>) -> Result<Files, RecordError> {
    let election = out.election;
    let h = election.hierarchy();
    let mut files = Files::new();
    files.insert(MANIFEST.to_owned(), election.manifest_bytes().to_vec());
    files.insert(
        PARAMETERS.to_owned(),
        to_canonical(&election.parameters_file())?,
    );
    files.insert(
        CEREMONY.to_owned(),
        to_canonical(&CeremonyFile::of(out.ceremony))?,
    );
    if let Some(remote) = out.remote {
        files.insert(
            crate::remote::CREDENTIALS.to_owned(),
            remote.list_bytes.clone(),
        );
        for (loc, lines) in remote.by_district(election) {
            files.insert(
                loc.file(crate::remote::REMOTE),
                crate::remote::to_jsonl(&lines)?,
            );
        }
    }
    for loc in districts_with_stations(h) {
        let (lines, devices) = out.districts.get(&loc).cloned().unwrap_or_default();
        files.insert(loc.file("ballots.jsonl"), to_lines(&lines)?);
        let district = match &loc {
            Location::District { district, .. } => district.clone(),
            _ => String::new(),
        };
        files.insert(
            loc.file("devices.json"),
            to_canonical(&DevicesFile { district, devices })?,
        );
    }
    // decryptions grouped by (unit, contest)
    let trustees: Vec<u32> = out.shares.keys().map(|t| t.get()).collect();
    let mut decs: BTreeMap<(String, String), Vec<SelectionDecryption>> = BTreeMap::new();
    for (i, (t, count)) in out.targets.iter().zip(out.counts).enumerate() {
        let shares = out
            .shares
            .values()
            .filter_map(|v| v.get(i))
            .map(share_to_wire)
            .collect();
        decs.entry((t.id.unit.clone(), t.id.contest.clone()))
            .or_default()
            .push(SelectionDecryption {
                id: t.id.selection.clone(),
                count: *count,
                shares,
            });
    }
    let mut locations: BTreeSet<Location> = districts_with_stations(h);
    for u in h.units().values() {
        match u.level {
            Level::Province => {
                locations.insert(Location::Province(u.id.clone()));
            }
            Level::Nation => {
                locations.insert(Location::Nation);
            }
            _ => {}
        }
    }
    for loc in locations {
        let units = units_of(h, &loc);
        let tally = TallyFile {
            units: units
                .iter()
                .map(|u| unit_tally(election, u, out.tallies, out.disclosure))
                .collect(),
        };
        files.insert(loc.file("tally.json"), to_canonical(&tally)?);
        let unit_set: BTreeSet<&String> = units.iter().collect();
        let decryptions = decs
            .iter()
            .filter(|((u, _), _)| unit_set.contains(u))
            .map(|((u, c), sels)| Decryption {
                unit: u.clone(),
                contest: c.clone(),
                selections: sels.clone(),
            })
            .collect();
        files.insert(
            loc.file("decryption.json"),
            to_canonical(&DecryptionFile {
                trustees: trustees.clone(),
                decryptions,
            })?,
        );
    }
    files.insert(
        RESULTS.to_owned(),
        to_canonical(&ResultsFile {
            results: out.results.clone(),
        })?,
    );
    Ok(files)
}

/// The nation-level totals of every contest of the round: `None` when withheld by the
/// privacy rule; zeros for a contest no ballot carries.
#[must_use]
pub fn nation_totals(
    manifest: &Manifest,
    h: &Hierarchy,
    tallies_ballots: &BTreeMap<String, u64>,
    disclosure: &BTreeMap<String, BTreeMap<String, Disclosure>>,
    decrypted: &BTreeMap<String, Vec<u64>>,
) -> BTreeMap<String, (u64, Option<Vec<u64>>)> {
    let mut out = BTreeMap::new();
    for c in manifest
        .contests()
        .iter()
        .filter(|c| c.round == crate::protocol::ROUND)
    {
        let cid = c.id.as_str();
        let ballots = tallies_ballots.get(cid).copied().unwrap_or(0);
        let d = disclosure.get(cid).and_then(|d| d.get(h.nation()));
        let totals = match d {
            None => Some(vec![0; c.candidates.len()]),
            Some(Disclosure::Published) => decrypted.get(cid).cloned(),
            Some(_) => None,
        };
        out.insert(cid.to_owned(), (ballots, totals));
    }
    out
}

//! The portal's data: an election record read once, verified, and indexed for the pages.

use std::collections::BTreeMap;
use std::path::Path;

use sanduq_count::{Ballots, Count, Options, Outcome};
use sanduq_election::raw::RawManifest;
use sanduq_election::{Gender, Manifest, StationGender, Status as SiteStatus};
use sanduq_record::hierarchy::{Hierarchy, Level};
use sanduq_record::store::{Files, INDEX};
use sanduq_record::verify::{Report, Status};
use sanduq_record::wire::{
    BallotLine, ContestResult, DecryptionFile, ParametersFile, ResultsFile, TallyFile, UnitTally,
    parse_lines, to_canonical,
};

use crate::anomaly::{Flag, StationFacts, flags};

/// Why a record cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PortalError {
    /// The record could not be read.
    #[error("record {path}: {reason}")]
    Read {
        /// The record's path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A file of the record is missing or malformed.
    #[error("record file {file}: {reason}")]
    File {
        /// The file, relative to the record.
        file: String,
        /// Why.
        reason: String,
    },
    /// The embedded province centroids are malformed.
    #[error("data/af_provinces.csv line {line}: {reason}")]
    Geo {
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The message files are malformed.
    #[error(transparent)]
    Messages(#[from] crate::i18n::MessageError),
}

fn file_err(file: &str, reason: impl std::fmt::Display) -> PortalError {
    PortalError::File {
        file: file.to_owned(),
        reason: reason.to_string(),
    }
}

/// Figures of one reporting unit (any level), summed over its polling stations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitFigures {
    /// Registered voters.
    pub registered: u64,
    /// Registered at men's stations.
    pub registered_men: u64,
    /// Registered at women's stations.
    pub registered_women: u64,
    /// Cast ballots.
    pub cast: u64,
    /// Cast at men's stations.
    pub cast_men: u64,
    /// Cast at women's stations.
    pub cast_women: u64,
    /// Stations expected to report (not listed as closed).
    pub expected: u64,
    /// Stations with at least one cast ballot.
    pub reported: u64,
    /// Stations with at least one anomaly flag.
    pub flagged: u64,
}

/// A ballot of the record found by its confirmation code (the voter's tracking code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptEntry {
    /// The record file and line that hold it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The device that encrypted it.
    pub device: String,
    /// Its position on the device.
    pub seq: u64,
    /// The polling station.
    pub station: String,
    /// `cast` or `challenged`.
    pub status: String,
    /// The previous code of the device's chain, hex.
    pub prev_code: String,
    /// Whether the code recomputes from the election fingerprint, the device, the previous
    /// code and the encrypted ballot (`docs/spec/record.md` §4).
    pub code_recomputes: bool,
    /// A challenged ballot's revealed choices: per contest, the candidates marked.
    pub opened: Vec<(String, Vec<String>)>,
    /// The canonical JSON of the ballot object (what the code covers).
    pub ballot_json: String,
}

/// The booth's WebAssembly package.
#[derive(Clone, Debug)]
pub struct BoothPkg {
    /// `sanduq_booth_wasm.js`.
    pub js: Vec<u8>,
    /// `sanduq_booth_wasm_bg.wasm`.
    pub wasm: Vec<u8>,
}

/// The record, indexed.
#[derive(Debug)]
pub struct Portal {
    /// The manifest.
    pub manifest: Manifest,
    /// Reporting units.
    pub hierarchy: Hierarchy,
    /// Results by contest.
    pub results: BTreeMap<String, ContestResult>,
    /// The round-by-round report of every counted contest (the count rerun on the record's
    /// totals, as check 14 of the verifier does).
    pub outcomes: BTreeMap<String, Outcome>,
    /// Encrypted tallies by unit (ballot counts and disclosures per contest).
    pub tallies: BTreeMap<String, UnitTally>,
    /// Decrypted counts by (unit, contest): per candidate, in ballot order.
    pub counts: BTreeMap<(String, String), Vec<(String, u64)>>,
    /// Figures by unit.
    pub figures: BTreeMap<String, UnitFigures>,
    /// Anomaly flags by station (flagged stations only).
    pub flags: BTreeMap<String, Vec<Flag>>,
    /// The verifier's report.
    pub report: Report,
    /// The record as a tar archive (for download).
    pub archive: Vec<u8>,
    /// SHA-256 of `index.json`, hex.
    pub record_id: String,
    /// The record's date (days since 1970-01-01): when `index.json` was written.
    pub as_of_days: i64,
    /// The voting booth's public values (JSON for `sanduq-booth-wasm`): fingerprint, joint
    /// key and the nationwide contests.
    pub booth_setup: String,
    /// The booth's WebAssembly package (`wasm-bindgen --target web` output), when the booth
    /// is served: the JavaScript glue and the module.
    pub booth_pkg: Option<BoothPkg>,
    /// The election fingerprint, hex.
    pub fingerprint: String,
    /// The joint election key, hex.
    pub joint_key: String,
    /// The bulletin board that receipts are checked against and remote ballots cast to.
    pub board: Option<crate::board::BoardLink>,
    /// Every ballot by confirmation code.
    pub receipts: BTreeMap<String, ReceiptEntry>,
    /// Province centroids by ISO 3166-2 code: (lat, lng).
    pub centroids: BTreeMap<String, (f64, f64)>,
    /// Messages.
    pub messages: crate::i18n::Messages,
}

/// `data/af_provinces.csv` (a copy of the shared geographic data): code, names, centroid.
pub const PROVINCES_CSV: &str = include_str!("../data/af_provinces.csv");

/// Parse the province centroids.
pub fn centroids(csv: &str) -> Result<BTreeMap<String, (f64, f64)>, PortalError> {
    let mut out = BTreeMap::new();
    for (i, line) in csv.lines().enumerate().skip(1) {
        let bad = |reason: &str| PortalError::Geo {
            line: i + 1,
            reason: reason.to_owned(),
        };
        let cols: Vec<&str> = line.split(',').collect();
        let (Some(code), Some(lat), Some(lng)) = (cols.first(), cols.get(4), cols.get(5)) else {
            return Err(bad("expected 6 columns"));
        };
        let lat: f64 = lat.parse().map_err(|_| bad("latitude is not a number"))?;
        let lng: f64 = lng.parse().map_err(|_| bad("longitude is not a number"))?;
        out.insert((*code).to_owned(), (lat, lng));
    }
    Ok(out)
}

fn json<T: serde::de::DeserializeOwned>(files: &Files, path: &str) -> Result<T, PortalError> {
    let bytes = files.get(path).ok_or_else(|| file_err(path, "missing"))?;
    serde_json::from_slice(bytes).map_err(|e| file_err(path, e))
}

/// The files as a deterministic tar archive (sorted paths, mode 0644, time 0), as
/// `sanduq_record::store::write_archive` writes it.
fn archive(files: &Files) -> Result<Vec<u8>, PortalError> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name, bytes.as_slice())
            .map_err(|e| file_err(name, e))?;
    }
    builder.into_inner().map_err(|e| file_err("(archive)", e))
}

impl Portal {
    /// Read, verify and index the record at `path` (a directory or a tar archive).
    pub fn load(path: &Path) -> Result<Portal, PortalError> {
        let files = sanduq_record::store::read(path).map_err(|e| PortalError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let index_path = if path.is_dir() {
            path.join(INDEX)
        } else {
            path.to_path_buf()
        };
        let as_of_days = std::fs::metadata(&index_path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_secs() / 86_400).unwrap_or(0));
        Portal::from_files(files, as_of_days)
    }

    /// Index a record held in memory; `as_of_days` dates it (days since 1970-01-01).
    pub fn from_files(files: Files, as_of_days: i64) -> Result<Portal, PortalError> {
        let report = sanduq_record::verify(&files);
        let raw: RawManifest = json(&files, "election/manifest.json")?;
        let manifest =
            Manifest::from_raw(&raw).map_err(|e| file_err("election/manifest.json", e))?;
        let hierarchy = Hierarchy::from_manifest(&manifest)
            .map_err(|e| file_err("election/manifest.json", e))?;
        let results_file: ResultsFile = json(&files, "results/results.json")?;
        let results: BTreeMap<String, ContestResult> = results_file
            .results
            .into_iter()
            .map(|r| (r.contest.clone(), r))
            .collect();

        let mut tallies = BTreeMap::new();
        let mut counts = BTreeMap::new();
        for (path, _) in files.iter() {
            if path.ends_with("/tally.json") || path == "nation/tally.json" {
                let t: TallyFile = json(&files, path)?;
                for u in t.units {
                    tallies.insert(u.unit.clone(), u);
                }
            } else if path.ends_with("/decryption.json") || path == "nation/decryption.json" {
                let d: DecryptionFile = json(&files, path)?;
                for dec in d.decryptions {
                    let v: Vec<(String, u64)> = dec
                        .selections
                        .into_iter()
                        .map(|s| (s.id, s.count))
                        .collect();
                    counts.insert((dec.unit, dec.contest), v);
                }
            }
        }

        let params: ParametersFile = json(&files, "election/parameters.json")?;
        let receipts = receipts(&files, &params.fingerprint);
        let ceremony: serde_json::Value = json(&files, "ceremony/ceremony.json")?;
        let joint_key = ceremony
            .get("public_key")
            .and_then(|k| k.get("joint_key"))
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| file_err("ceremony/ceremony.json", "no public_key.joint_key"))?;
        let booth_contests: Vec<serde_json::Value> = booth_contests(&manifest)
            .iter()
            .map(|c| {
                serde_json::json!({
                    "contest": c.id.as_str(),
                    "selections": c.candidates.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
                    "max_selections": c.max_selections,
                })
            })
            .collect();
        let booth_setup = serde_json::json!({
            "fingerprint": params.fingerprint,
            "joint_key": joint_key,
            "contests": booth_contests,
        })
        .to_string();

        let mut outcomes = BTreeMap::new();
        for r in results.values() {
            if let Some(o) = rerun(&manifest, r) {
                outcomes.insert(r.contest.clone(), o);
            }
        }

        let (figures, station_flags) = figures_and_flags(&manifest, &hierarchy, &tallies, &counts);
        let record_id = files.get(INDEX).map(|b| hex_sha256(b)).unwrap_or_default();
        Ok(Portal {
            archive: archive(&files)?,
            manifest,
            hierarchy,
            results,
            outcomes,
            tallies,
            counts,
            figures,
            flags: station_flags,
            report,
            record_id,
            as_of_days,
            receipts,
            fingerprint: params.fingerprint.clone(),
            joint_key: joint_key.to_owned(),
            board: None,
            booth_setup,
            booth_pkg: None,
            centroids: centroids(PROVINCES_CSV)?,
            messages: crate::i18n::Messages::load()?,
        })
    }

    /// Serve the voting booth's WebAssembly package from `dir` (the output of
    /// `wasm-bindgen --target web` for `sanduq-booth-wasm`).
    pub fn with_booth(mut self, dir: &Path) -> Result<Portal, PortalError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| PortalError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        };
        self.booth_pkg = Some(BoothPkg {
            js: read("sanduq_booth_wasm.js")?,
            wasm: read("sanduq_booth_wasm_bg.wasm")?,
        });
        Ok(self)
    }

    /// Check receipts against, and cast remote ballots to, the bulletin board `link`.
    #[must_use]
    pub fn with_board(mut self, link: crate::board::BoardLink) -> Portal {
        self.board = Some(link);
        self
    }

    /// The booth's public values for the ballot style of a voter of `group` at `station`
    /// (JSON for `sanduq-booth-wasm`: fingerprint, joint key, the style's contests in order).
    pub fn style_setup(
        &self,
        station: &str,
        group: Option<&str>,
    ) -> Result<(serde_json::Value, Vec<&sanduq_election::Contest>), String> {
        let ids = self
            .manifest
            .ballot_style(station, group, 1)
            .map_err(|e| e.to_string())?;
        let contests: Vec<&sanduq_election::Contest> = ids
            .iter()
            .filter_map(|id| self.manifest.contest(id.as_str()))
            .collect();
        let setup = serde_json::json!({
            "fingerprint": self.fingerprint,
            "joint_key": self.joint_key,
            "contests": contests.iter().map(|c| serde_json::json!({
                "contest": c.id.as_str(),
                "selections": c.candidates.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
                "max_selections": c.max_selections,
            })).collect::<Vec<_>>(),
        });
        Ok((setup, contests))
    }

    /// Cast ballots at a unit: the largest ballot count of any contest tallied there.
    #[must_use]
    pub fn cast_at(&self, unit: &str) -> u64 {
        cast_of(&self.tallies, unit)
    }

    /// Whether the checks that vouch for units of this level all passed, with every check
    /// the whole record rests on (parameters, manifest, ceremony, completeness).
    #[must_use]
    pub fn level_verified(&self, level: Level) -> bool {
        self.level_checks(level)
            .iter()
            .all(|n| self.check_passed(*n))
    }

    /// The numbers of the verifier's checks that vouch for a unit of `level`.
    #[must_use]
    pub fn level_checks(&self, level: Level) -> Vec<u32> {
        let mut v = vec![1, 2, 3, 15];
        match level {
            Level::Station => v.extend([4, 5, 6, 7, 8, 9, 11, 12, 13]),
            Level::Centre | Level::District | Level::Province => v.extend([9, 10, 11, 12, 13]),
            Level::Nation => v.extend([10, 11, 12, 13, 14]),
        }
        v.sort_unstable();
        v
    }

    fn check_passed(&self, n: u32) -> bool {
        self.report
            .checks
            .iter()
            .any(|c| c.number == n && c.status == Status::Passed)
    }
}

fn hex_sha256(b: &[u8]) -> String {
    sanduq_record::store::sha256(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn cast_of(tallies: &BTreeMap<String, UnitTally>, unit: &str) -> u64 {
    tallies
        .get(unit)
        .and_then(|t| t.contests.iter().map(|c| c.ballots).max())
        .unwrap_or(0)
}

/// Sum the station figures up the tree and compute each station's flags.
fn figures_and_flags(
    m: &Manifest,
    h: &Hierarchy,
    tallies: &BTreeMap<String, UnitTally>,
    counts: &BTreeMap<(String, String), Vec<(String, u64)>>,
) -> (BTreeMap<String, UnitFigures>, BTreeMap<String, Vec<Flag>>) {
    let mut figures: BTreeMap<String, UnitFigures> = BTreeMap::new();
    let mut out_flags = BTreeMap::new();
    for s in m.polling_stations() {
        let id = s.id.as_str();
        let cast = cast_of(tallies, id);
        let centre_closed = m
            .polling_centre(s.centre.as_str())
            .is_some_and(|c| c.status == SiteStatus::Closed);
        let closed = s.status == SiteStatus::Closed || centre_closed;
        let contest_votes = counts
            .iter()
            .filter(|((u, _), _)| u == id)
            .map(|((_, c), v)| (c.clone(), v.clone()))
            .collect();
        let facts = StationFacts {
            cast,
            ballot_cap: u64::from(s.ballot_cap),
            registered: u64::from(s.registered),
            listed_closed: closed,
            contest_votes,
        };
        let fl = flags(&facts);
        let women = s.gender == StationGender::Women;
        let mut chain = vec![id.to_owned()];
        let mut cur = h.unit(id).and_then(|u| u.parent.clone());
        while let Some(p) = cur {
            cur = h.unit(&p).and_then(|u| u.parent.clone());
            chain.push(p);
        }
        for unit in chain {
            let f = figures.entry(unit).or_default();
            let reg = u64::from(s.registered);
            f.registered += reg;
            f.cast += cast;
            if women {
                f.registered_women += reg;
                f.cast_women += cast;
            } else {
                f.registered_men += reg;
                f.cast_men += cast;
            }
            if !closed {
                f.expected += 1;
            }
            if cast > 0 {
                f.reported += 1;
            }
            if !fl.is_empty() {
                f.flagged += 1;
            }
        }
        if !fl.is_empty() {
            out_flags.insert(id.to_owned(), fl);
        }
    }
    (figures, out_flags)
}

/// The count of one contest rerun on the record's totals, for its round-by-round report;
/// the same options as `sanduq_record::protocol::count_contest`, which keeps only the
/// summary in the record.
fn rerun(m: &Manifest, r: &ContestResult) -> Option<Outcome> {
    if r.status != "counted" {
        return None;
    }
    let contest = m.contest(&r.contest)?;
    let method: sanduq_count::Method = contest.method.as_str().parse().ok()?;
    let candidates: Vec<sanduq_count::Candidate> = contest
        .candidates
        .iter()
        .map(|c| {
            let mut k = sanduq_count::Candidate::named(c.id.as_str());
            k.gender = Some(match c.gender {
                Gender::Female => sanduq_count::Gender::Female,
                _ => sanduq_count::Gender::Male,
            });
            k
        })
        .collect();
    let totals: Vec<u64> = contest
        .candidates
        .iter()
        .map(|c| r.totals.get(c.id.as_str()).copied().unwrap_or(0))
        .collect();
    let ballots = Ballots::from_counts(candidates, totals).ok()?;
    let options = Options {
        seats: usize::try_from(contest.seats).ok()?,
        reserved: usize::try_from(contest.reserved_women).ok()?,
        reserved_rule: match contest.reserved_rule.as_str() {
            "open-then-extra" => sanduq_count::ReservedRule::OpenThenExtra,
            _ => sanduq_count::ReservedRule::ReserveFirst,
        },
        seed: m.tie_break_seed().to_vec(),
        ..Options::default()
    };
    Count::run(&method, &ballots, &options).ok()
}

/// Index every ballot line by its code, recomputing each code.
fn receipts(files: &Files, fingerprint_hex: &str) -> BTreeMap<String, ReceiptEntry> {
    let fingerprint: Option<[u8; 32]> = hex::decode(fingerprint_hex)
        .ok()
        .and_then(|v| v.try_into().ok());
    let mut out = BTreeMap::new();
    for (path, bytes) in files {
        if !path.ends_with("/ballots.jsonl") {
            continue;
        }
        for (i, line) in parse_lines::<BallotLine>(path, bytes)
            .into_iter()
            .enumerate()
        {
            let Ok(b) = line else { continue };
            let mut ballot_json = String::new();
            let code_recomputes = (|| {
                let fp = fingerprint?;
                let prev: [u8; 32] = hex::decode(&b.prev_code).ok()?.try_into().ok()?;
                let body = to_canonical(&b.ballot).ok()?;
                ballot_json = String::from_utf8(body.clone()).ok()?;
                let code =
                    sanduq_record::chain::confirmation_code(&fp, &b.ballot.device, &prev, &body);
                Some(hex::encode(code) == b.code)
            })()
            .unwrap_or(false);
            let opened = b
                .opening
                .as_ref()
                .map(|o| {
                    o.iter()
                        .map(|c| {
                            (
                                c.contest.clone(),
                                c.selections
                                    .iter()
                                    .filter(|s| s.vote > 0)
                                    .map(|s| s.id.clone())
                                    .collect(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.insert(
                b.code.clone(),
                ReceiptEntry {
                    file: path.clone(),
                    line: i + 1,
                    device: b.ballot.device.clone(),
                    seq: b.ballot.seq,
                    station: b.ballot.station.clone(),
                    status: b.status.clone(),
                    prev_code: b.prev_code.clone(),
                    code_recomputes,
                    opened,
                    ballot_json,
                },
            );
        }
    }
    out
}

/// The contests of the remote ballot: those of round 1 whose constituency is the whole
/// nation (the presidential contest).
#[must_use]
pub fn booth_contests(m: &Manifest) -> Vec<&sanduq_election::Contest> {
    let nation = m
        .nation()
        .map(|n| n.id.as_str().to_owned())
        .unwrap_or_default();
    m.contests()
        .iter()
        .filter(|c| c.round == 1)
        .filter(|c| {
            m.constituency(c.constituency.as_str())
                .is_some_and(|k| match &k.scope {
                    sanduq_election::Scope::Geographic { jurisdictions } => {
                        jurisdictions.iter().any(|j| j.as_str() == nation)
                    }
                    _ => false,
                })
        })
        .collect()
}

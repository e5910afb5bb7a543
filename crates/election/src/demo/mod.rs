//! The embedded demo election: Afghanistan with its 34 provinces, sized for any number of voters.
//!
//! [`generate`] builds a [`Manifest`] from the embedded data (`data/README.md` gives provenance
//! and licences) and synthetic parts, all deterministic for given [`DemoParams`]:
//!
//! - **Jurisdictions.** The nation `af`; the 34 provinces with their ISO 3166-2:AF codes (the
//!   identifier is the code in lower case, e.g. `af-bam`) and English, Dari and Pashto names from
//!   `af_provinces.csv`; per province `clamp(3 + wj_seats / 2, 3, 16)` districts with
//!   **synthetic** names ("Bāmyān District 2"); the real country has about 387 districts.
//! - **Voters and stations.** The requested number of registered voters is shared among the
//!   provinces in proportion to their Wolesi Jirga seats (largest remainder) after each province
//!   gets `2 × K`; within a province [`DemoParams::women_permille`] of the voters are women (at
//!   least K, and at least K men). Each gender's voters fill
//!   `clamp(⌈n / target⌉, ⌈n / 600⌉, ⌊n / K⌋)` stations of that gender as evenly as possible, so
//!   every station has at least K and at most 600 (the ballot cap) registered voters. A polling
//!   centre holds at least one men's and one women's station; centres are spread over the
//!   province's districts in turn (with few voters, some districts have no centre).
//! - **Voter groups.** Kuchi voters ([`DemoParams::kuchi_permille`], about 2% as in 2018) are
//!   spread over all stations in proportion to their lists; Hindu/Sikh voters
//!   ([`DemoParams::hindu_sikh_per_million`]) over the stations of Kabul, Nangarhar and Ghazni.
//! - **Contests**, in ballot order: the presidential contest (nationwide, `two-round`, round 1,
//!   14 candidates, one woman); a Wolesi Jirga contest per province by SNTV with the seats and
//!   reserved women's seats of the 2018 file (**Ghazni**, absent from it because its vote was
//!   postponed, gets 11 seats — its legal allocation — and a *plausible* 3 reserved seats, 110
//!   candidates and 17 women, which are not from a source); the nationwide Kuchi constituency
//!   (10 seats, 3 reserved, 44 candidates of whom 7 women: its 2018 row), whose ballot Kuchi
//!   voters get **instead of** their provincial one; the Hindu/Sikh seat (plurality, 1 seat,
//!   1 candidate as in 2018), also instead of the provincial one; a provincial-council contest per
//!   province by SNTV with **synthetic** sizes (9, 15, 19, 23 or 33 seats as the province's
//!   Wolesi Jirga seats are ≤4, ≤8, ≤14, ≤20 or more), `(seats + 2) / 4` reserved (about 25%),
//!   5.7 candidates per seat and 11% women (at least reserved + 1), except Uruzgan, which
//!   deliberately has one woman fewer than its reserved seats (the unfillable-quota case of
//!   2005).
//! - **Candidate lists** are cut to at most [`MAX_LISTED`] candidates (but at least seats + 2)
//!   unless [`DemoParams::full_lists`]; a cut list keeps the real share of women, and at least
//!   the reserved count where the full list has that many. Candidates have synthetic names built
//!   from common name parts in English, Dari and Pashto, unique within a contest, a symbol, and
//!   in about 8% of cases one of four synthetic parties.
//! - The **tie-break seed** is SHA-256 of `"sanduq/demo/tie-break-seed"` and the seed (8 bytes
//!   big-endian), the privacy threshold [`DemoParams::privacy_threshold`].

mod names;

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use crate::geo::{self, GeoError, ProvinceRow, WjRow};
use crate::raw::{
    RawCandidate, RawConstituency, RawContest, RawJurisdiction, RawManifest, RawNames, RawOffice,
    RawParty, RawPollingCentre, RawPollingStation, RawVoterGroup,
};
use crate::{DEFAULT_BALLOT_CAP, FORMAT, Manifest, ManifestError};

pub use crate::geo::{PROVINCES_CSV, WJ_2018_CSV};

use names::{FAMILY, FEMALE_GIVEN, MALE_GIVEN, SYMBOLS, persian_digits};

/// Longest candidate list of a demo contest unless [`DemoParams::full_lists`] (a contest with
/// more seats keeps seats + 2 candidates).
pub const MAX_LISTED: u32 = 15;

/// Mapping of the commission's 2018 constituency codes to ISO 3166-2:AF.
pub const CONSTITUENCY_ISO: &[(&str, &str)] = &[
    ("G-01", "AF-KAB"),
    ("G-02", "AF-KAP"),
    ("G-03", "AF-PAR"),
    ("G-04", "AF-WAR"),
    ("G-05", "AF-LOG"),
    ("G-06", "AF-NAN"),
    ("G-07", "AF-LAG"),
    ("G-08", "AF-PAN"),
    ("G-09", "AF-BGL"),
    ("G-10", "AF-BAM"),
    ("G-11", "AF-GHA"),
    ("G-12", "AF-PKA"),
    ("G-13", "AF-PIA"),
    ("G-14", "AF-KHO"),
    ("G-15", "AF-KNR"),
    ("G-16", "AF-NUR"),
    ("G-17", "AF-BDS"),
    ("G-18", "AF-TAK"),
    ("G-19", "AF-KDZ"),
    ("G-20", "AF-SAM"),
    ("G-21", "AF-BAL"),
    ("G-22", "AF-SAR"),
    ("G-23", "AF-GHO"),
    ("G-24", "AF-DAY"),
    ("G-25", "AF-URU"),
    ("G-26", "AF-ZAB"),
    ("G-27", "AF-KAN"),
    ("G-28", "AF-JOW"),
    ("G-29", "AF-FYB"),
    ("G-30", "AF-HEL"),
    ("G-31", "AF-BDG"),
    ("G-32", "AF-HER"),
    ("G-33", "AF-FRA"),
    ("G-34", "AF-NIM"),
];

/// Ghazni's Wolesi Jirga contest (no 2018 row): seats by law; reserved seats and candidate
/// counts are plausible figures, not from a source.
const GHAZNI: (u32, u32, u32, u32) = (11, 3, 110, 17);

/// Parameters of the demo election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoParams {
    /// Registered voters in total (at least `34 × 2 × privacy_threshold`).
    pub voters: u32,
    /// Keep the real candidate counts instead of cutting lists to [`MAX_LISTED`].
    pub full_lists: bool,
    /// Seed of every synthetic choice (names, genders' positions, parties, group voters).
    pub seed: u64,
    /// Privacy threshold K (also the smallest station list).
    pub privacy_threshold: u32,
    /// Registered voters aimed at per station (~330–425 in 2018–19).
    pub station_target: u32,
    /// Women's share of registered voters, per mille (34% in 2018).
    pub women_permille: u32,
    /// Kuchi voters, per mille of all voters (~173k of 8.9M in 2018, about 2%).
    pub kuchi_permille: u32,
    /// Hindu/Sikh voters, per million of all voters (~583 of 8.9M in 2018).
    pub hindu_sikh_per_million: u32,
}

impl Default for DemoParams {
    fn default() -> Self {
        Self {
            voters: 20_000,
            full_lists: false,
            seed: 0,
            privacy_threshold: crate::DEFAULT_PRIVACY_THRESHOLD,
            station_target: 400,
            women_permille: 340,
            kuchi_permille: 20,
            hindu_sikh_per_million: 66,
        }
    }
}

/// Why the demo election could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// Too few voters for K per station with a men's and a women's station per province.
    #[error(
        "{voters} voters is too few: the demo needs at least {needed} (34 provinces × 2 stations × K)"
    )]
    TooFewVoters {
        /// Requested.
        voters: u32,
        /// Needed.
        needed: u32,
    },
    /// A parameter out of range.
    #[error("bad demo parameter {name}: {problem}")]
    BadParam {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The embedded data is malformed.
    #[error(transparent)]
    Data(#[from] GeoError),
    /// The generated manifest failed validation (a defect of the generator).
    #[error("generated manifest is invalid: {0}")]
    Invalid(#[from] ManifestError),
}

/// SplitMix64: a small, fully specified generator, so that output depends only on the seed.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: &str) -> Self {
        // Mix a stream label in (FNV-1a) so each contest draws independently.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Self(seed ^ h)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform-enough in `0..n` for demo purposes (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        let n64 = n.max(1) as u64;
        usize::try_from(self.next() % n64).unwrap_or(0)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

fn names(en: impl Into<String>, fa: impl Into<String>, ps: impl Into<String>) -> RawNames {
    RawNames {
        en: en.into(),
        fa_af: fa.into(),
        ps: ps.into(),
        uz_arab: None,
    }
}

/// Largest-remainder shares of `total` in proportion to `weights` (ties to the earlier entry).
fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest: Vec<(u64, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| ((total * w) % sum, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let given: u64 = shares.iter().sum();
    for (_, i) in rest
        .iter()
        .take(usize::try_from(total - given).unwrap_or(0))
    {
        if let Some(s) = shares.get_mut(*i) {
            *s += 1;
        }
    }
    shares
}

/// One province's parameters.
struct Prov {
    row: ProvinceRow,
    id: String,
    wj: (u32, u32, u32, u32),
}

/// Candidate list sizes (total, women) for a contest.
fn list_size(
    params: &DemoParams,
    seats: u32,
    reserved: u32,
    full: u32,
    women_full: u32,
) -> (u32, u32) {
    if params.full_lists {
        return (full, women_full);
    }
    let n = full.min(MAX_LISTED.max(seats + 2));
    let share =
        (u64::from(women_full) * u64::from(n) + u64::from(full) / 2) / u64::from(full.max(1));
    let share = u32::try_from(share).unwrap_or(0);
    let low = women_full.min(reserved);
    let high = women_full.min(n);
    (n, share.clamp(low, high.max(low)))
}

fn candidates(
    params: &DemoParams,
    contest: &str,
    total: u32,
    women: u32,
    parties: &[&str],
) -> Vec<RawCandidate> {
    let mut rng = Rng::new(params.seed, contest);
    let mut genders: Vec<bool> = (0..total).map(|i| i < women).collect();
    rng.shuffle(&mut genders);
    let mut used: BTreeSet<(bool, usize, usize)> = BTreeSet::new();
    let mut out = Vec::new();
    for (i, female) in genders.into_iter().enumerate() {
        let given = if female { FEMALE_GIVEN } else { MALE_GIVEN };
        let combos = given.len() * FAMILY.len();
        let mut pick = rng.below(combos);
        for _ in 0..combos {
            if !used.contains(&(female, pick / FAMILY.len(), pick % FAMILY.len())) {
                break;
            }
            pick = (pick + 1) % combos;
        }
        let (g, f) = (pick / FAMILY.len(), pick % FAMILY.len());
        let round = used.iter().filter(|u| u.0 == female).count() / combos.max(1);
        used.insert((female, g, f));
        let (Some(gp), Some(fp)) = (given.get(g), FAMILY.get(f)) else {
            continue;
        };
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        // A suffix only if every combination is taken (not reached with these list sizes).
        let suffix = if round > 0 {
            format!(" {}", round + 1)
        } else {
            String::new()
        };
        let symbol_word = SYMBOLS.get(i % SYMBOLS.len()).copied().unwrap_or("mark");
        let symbol = if i < SYMBOLS.len() {
            symbol_word.to_owned()
        } else {
            format!("{symbol_word}-{}", i / SYMBOLS.len() + 1)
        };
        let party = (rng.below(100) < 8 && !parties.is_empty())
            .then(|| {
                parties
                    .get(rng.below(parties.len()))
                    .map(|p| (*p).to_owned())
            })
            .flatten();
        out.push(RawCandidate {
            id: format!("c{number:04}"),
            ballot_number: i64::from(number),
            name: names(
                format!("{} {}{suffix}", gp.0, fp.0),
                format!("{} {}{suffix}", gp.1, fp.1),
                format!("{} {}{suffix}", gp.2, fp.2),
            ),
            gender: if female { "f" } else { "m" }.to_owned(),
            symbol,
            photo: None,
            party,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn sntv_contest(
    id: String,
    office: &str,
    constituency: String,
    seats: u32,
    reserved: u32,
    method: &str,
    cands: Vec<RawCandidate>,
) -> RawContest {
    RawContest {
        id,
        office: office.to_owned(),
        constituency,
        round: Some(1),
        runoff_of: None,
        seats: i64::from(seats),
        method: method.to_owned(),
        reserved_women: Some(i64::from(reserved)),
        reserved_rule: Some("reserve-first".to_owned()),
        threshold: None,
        selection_limit: Some(1),
        min_selections: Some(0),
        max_selections: Some(1),
        candidates: cands,
    }
}

/// Number of stations for `n` voters of one gender: see the module documentation.
fn station_count(n: u32, k: u32, target: u32) -> u32 {
    let by_target = n.div_ceil(target.max(1));
    let by_cap = n.div_ceil(DEFAULT_BALLOT_CAP);
    by_target.min(n / k.max(1)).max(by_cap).max(1)
}

/// Builds the demo election (see the module documentation).
#[allow(clippy::too_many_lines)]
pub fn generate(params: &DemoParams) -> Result<Manifest, DemoError> {
    let k = params.privacy_threshold;
    if k == 0 || k > DEFAULT_BALLOT_CAP / 2 {
        return Err(DemoError::BadParam {
            name: "privacy_threshold",
            problem: format!("{k}; must be 1 to {}", DEFAULT_BALLOT_CAP / 2),
        });
    }
    if !(1..1000).contains(&params.women_permille) {
        return Err(DemoError::BadParam {
            name: "women_permille",
            problem: format!("{}; must be 1 to 999", params.women_permille),
        });
    }
    if params.kuchi_permille > 500 || params.hindu_sikh_per_million > 10_000 {
        return Err(DemoError::BadParam {
            name: "kuchi_permille / hindu_sikh_per_million",
            problem: "at most 500 per mille / 10,000 per million".to_owned(),
        });
    }
    let needed = 34 * 2 * k;
    if params.voters < needed {
        return Err(DemoError::TooFewVoters {
            voters: params.voters,
            needed,
        });
    }

    // ---- provinces with their WJ parameters ----
    let wj_rows = geo::wj_2018()?;
    let by_iso: BTreeMap<&str, &WjRow> = wj_rows
        .iter()
        .filter_map(|r| {
            let code = r.constituency.get(..4)?;
            let iso = CONSTITUENCY_ISO.iter().find(|(c, _)| *c == code)?.1;
            Some((iso, r))
        })
        .collect();
    let mut provs = Vec::new();
    for row in geo::provinces()? {
        let wj = match by_iso.get(row.code) {
            Some(r) => (r.seats, r.reserved_women, r.candidates, r.women_candidates),
            None if row.code == "AF-GHA" => GHAZNI,
            None => {
                return Err(DemoError::Data(GeoError {
                    file: "af_wj_2018_constituencies.csv",
                    line: 0,
                    problem: format!("no constituency for {}", row.code),
                }));
            }
        };
        provs.push(Prov {
            id: row.code.to_ascii_lowercase(),
            row,
            wj,
        });
    }
    let kuchi_row = wj_rows.iter().find(|r| r.constituency.starts_with("K-"));
    let sikh_row = wj_rows.iter().find(|r| r.constituency.starts_with("S-"));
    let (Some(kuchi_row), Some(sikh_row)) = (kuchi_row, sikh_row) else {
        return Err(DemoError::Data(GeoError {
            file: "af_wj_2018_constituencies.csv",
            line: 0,
            problem: "no Kuchi (K-) or Hindu/Sikh (S-) row".to_owned(),
        }));
    };

    let mut raw = RawManifest {
        format: FORMAT.to_owned(),
        election_id: "af-demo".to_owned(),
        name: names(
            "Afghanistan demo election",
            "انتخابات نمایشی افغانستان",
            "د افغانستان نمایشي ټاکنې",
        ),
        tie_break_seed: {
            let mut h = Sha256::new();
            h.update(b"sanduq/demo/tie-break-seed");
            h.update(params.seed.to_be_bytes());
            hex::encode(h.finalize())
        },
        privacy_threshold: Some(i64::from(k)),
        jurisdictions: vec![RawJurisdiction {
            id: "af".to_owned(),
            kind: "nation".to_owned(),
            parent: None,
            iso_code: None,
            name: names("Afghanistan", "افغانستان", "افغانستان"),
        }],
        polling_centres: Vec::new(),
        polling_stations: Vec::new(),
        voter_groups: vec![
            RawVoterGroup {
                id: "kuchi".to_owned(),
                name: names("Kuchi (nomads)", "کوچی‌ها", "کوچیان"),
            },
            RawVoterGroup {
                id: "hindu-sikh".to_owned(),
                name: names("Hindus and Sikhs", "هندوها و سیک‌ها", "هندوان او سیکان"),
            },
        ],
        parties: Vec::new(),
        offices: vec![
            RawOffice {
                id: "president".to_owned(),
                kind: "president".to_owned(),
                name: names("President", "رئیس جمهور", "ولسمشر"),
            },
            RawOffice {
                id: "wolesi-jirga".to_owned(),
                kind: "wolesi-jirga".to_owned(),
                name: names(
                    "Wolesi Jirga (House of the People)",
                    "ولسی جرگه",
                    "ولسي جرګه",
                ),
            },
            RawOffice {
                id: "provincial-council".to_owned(),
                kind: "provincial-council".to_owned(),
                name: names("Provincial council", "شورای ولایتی", "ولایتي شورا"),
            },
        ],
        constituencies: Vec::new(),
        contests: Vec::new(),
    };
    let party_names = [
        (
            "p-unity",
            "National Unity Party",
            "حزب وحدت ملی",
            "د ملي یووالي ګوند",
        ),
        (
            "p-progress",
            "Progress Party",
            "حزب پیشرفت",
            "د پرمختګ ګوند",
        ),
        ("p-justice", "Justice Party", "حزب عدالت", "د عدالت ګوند"),
        (
            "p-green",
            "Green Valley Party",
            "حزب دره سبز",
            "د شنې درې ګوند",
        ),
    ];
    for (id, en, fa, ps) in party_names {
        raw.parties.push(RawParty {
            id: id.to_owned(),
            name: names(en, fa, ps),
        });
    }
    let party_ids: Vec<&str> = party_names.iter().map(|p| p.0).collect();

    // ---- districts, centres, stations ----
    let weights: Vec<u64> = provs.iter().map(|p| u64::from(p.wj.0)).collect();
    let base = u64::from(2 * k);
    let rest = u64::from(params.voters) - base * 34;
    let shares = apportion(rest, &weights);
    for (p, share) in provs.iter().zip(shares) {
        let voters = u32::try_from(base + share).unwrap_or(u32::MAX);
        raw.jurisdictions.push(RawJurisdiction {
            id: p.id.clone(),
            kind: "province".to_owned(),
            parent: Some("af".to_owned()),
            iso_code: Some(p.row.code.to_owned()),
            name: names(p.row.name_en, p.row.name_prs, p.row.name_ps),
        });
        let n_districts = (3 + p.wj.0 / 2).clamp(3, 16);
        let mut district_ids = Vec::new();
        for d in 1..=n_districts {
            let id = format!("{}-d{d:02}", p.id);
            raw.jurisdictions.push(RawJurisdiction {
                id: id.clone(),
                kind: "district".to_owned(),
                parent: Some(p.id.clone()),
                iso_code: None,
                name: names(
                    format!("{} District {d}", p.row.name_en),
                    format!("ولسوالی {} {}", persian_digits(d), p.row.name_prs),
                    format!("د {} {} ولسوالۍ", p.row.name_ps, persian_digits(d)),
                ),
            });
            district_ids.push(id);
        }
        let women = u32::try_from(u64::from(voters) * u64::from(params.women_permille) / 1000)
            .unwrap_or(0)
            .clamp(k, voters - k);
        let men = voters - women;
        let n_men = station_count(men, k, params.station_target);
        let n_women = station_count(women, k, params.station_target);
        let n_centres = n_men.min(n_women);
        let mut centre_ids = Vec::new();
        for c in 0..n_centres {
            let district = district_ids
                .get(usize::try_from(c % n_districts).unwrap_or(0))
                .cloned()
                .unwrap_or_default();
            let number = c / n_districts + 1;
            let id = format!("{district}-c{number:03}");
            raw.polling_centres.push(RawPollingCentre {
                id: id.clone(),
                parent: district,
                name: names(
                    format!("{} polling centre {}", p.row.name_en, c + 1),
                    format!("مرکز رأی‌دهی {} {}", persian_digits(c + 1), p.row.name_prs),
                    format!(
                        "د {} د رایې ورکولو {} مرکز",
                        p.row.name_ps,
                        persian_digits(c + 1)
                    ),
                ),
                status: Some("planned".to_owned()),
            });
            centre_ids.push(id);
        }
        for (gender, total, count) in [("men", men, n_men), ("women", women, n_women)] {
            let tag = if gender == "men" { 'm' } else { 'w' };
            for s in 0..count {
                let centre_index = usize::try_from(s % n_centres.max(1)).unwrap_or(0);
                let centre = centre_ids.get(centre_index).cloned().unwrap_or_default();
                let registered = total / count + u32::from(s < total % count);
                raw.polling_stations.push(RawPollingStation {
                    id: format!("{centre}-{tag}{}", s / n_centres.max(1) + 1),
                    parent: centre,
                    gender: gender.to_owned(),
                    ballot_cap: Some(i64::from(DEFAULT_BALLOT_CAP)),
                    registered: i64::from(registered),
                    groups: None,
                    status: Some("planned".to_owned()),
                });
            }
        }
    }

    // ---- voter groups on the roll ----
    let kuchi_total = u64::from(params.voters) * u64::from(params.kuchi_permille) / 1000;
    let registered: Vec<u64> = raw
        .polling_stations
        .iter()
        .map(|s| u64::try_from(s.registered).unwrap_or(0))
        .collect();
    let kuchi = apportion(kuchi_total, &registered);
    let hs_total = u64::from(params.voters) * u64::from(params.hindu_sikh_per_million) / 1_000_000;
    let hs_weights: Vec<u64> = raw
        .polling_stations
        .iter()
        .zip(&registered)
        .map(|(s, r)| {
            let home = ["af-kab-", "af-nan-", "af-gha-"]
                .iter()
                .any(|p| s.id.starts_with(p));
            if home { *r } else { 0 }
        })
        .collect();
    let hs = apportion(hs_total, &hs_weights);
    for ((s, kc), hc) in raw.polling_stations.iter_mut().zip(kuchi).zip(hs) {
        let reg = u64::try_from(s.registered).unwrap_or(0);
        let kc = kc.min(reg);
        let hc = hc.min(reg - kc);
        let mut groups = BTreeMap::new();
        if kc > 0 {
            groups.insert("kuchi".to_owned(), i64::try_from(kc).unwrap_or(0));
        }
        if hc > 0 {
            groups.insert("hindu-sikh".to_owned(), i64::try_from(hc).unwrap_or(0));
        }
        s.groups = (!groups.is_empty()).then_some(groups);
    }

    // ---- constituencies and contests ----
    raw.constituencies.push(RawConstituency {
        id: "national".to_owned(),
        kind: "geographic".to_owned(),
        name: names("Nationwide", "سراسری", "ټول هېواد"),
        jurisdictions: Some(vec!["af".to_owned()]),
        voter_group: None,
        group_ballot: None,
    });
    for p in &provs {
        raw.constituencies.push(RawConstituency {
            id: format!("prov-{}", p.id),
            kind: "geographic".to_owned(),
            name: names(p.row.name_en, p.row.name_prs, p.row.name_ps),
            jurisdictions: Some(vec![p.id.clone()]),
            voter_group: None,
            group_ballot: None,
        });
    }
    raw.constituencies.push(RawConstituency {
        id: "kuchi".to_owned(),
        kind: "group".to_owned(),
        name: names(
            "Kuchi (nationwide)",
            "کوچی‌ها (سراسری)",
            "کوچیان (ټول هېواد)",
        ),
        jurisdictions: None,
        voter_group: Some("kuchi".to_owned()),
        group_ballot: Some("instead".to_owned()),
    });
    raw.constituencies.push(RawConstituency {
        id: "hindu-sikh".to_owned(),
        kind: "group".to_owned(),
        name: names(
            "Hindus and Sikhs (nationwide)",
            "هندوها و سیک‌ها (سراسری)",
            "هندوان او سیکان (ټول هېواد)",
        ),
        jurisdictions: None,
        voter_group: Some("hindu-sikh".to_owned()),
        group_ballot: Some("instead".to_owned()),
    });

    let mut president = sntv_contest(
        "president".to_owned(),
        "president",
        "national".to_owned(),
        1,
        0,
        "two-round",
        candidates(params, "president", 14, 1, &party_ids),
    );
    president.reserved_rule = Some("reserve-first".to_owned());
    raw.contests.push(president);
    for p in &provs {
        let (seats, reserved, full, women_full) = p.wj;
        let (n, w) = list_size(params, seats, reserved, full, women_full);
        let id = format!("wj-{}", p.id);
        let cands = candidates(params, &id, n, w, &party_ids);
        raw.contests.push(sntv_contest(
            id,
            "wolesi-jirga",
            format!("prov-{}", p.id),
            seats,
            reserved,
            "sntv",
            cands,
        ));
    }
    let (n, w) = list_size(
        params,
        kuchi_row.seats,
        kuchi_row.reserved_women,
        kuchi_row.candidates,
        kuchi_row.women_candidates,
    );
    raw.contests.push(sntv_contest(
        "wj-kuchi".to_owned(),
        "wolesi-jirga",
        "kuchi".to_owned(),
        kuchi_row.seats,
        kuchi_row.reserved_women,
        "sntv",
        candidates(params, "wj-kuchi", n, w, &party_ids),
    ));
    raw.contests.push(sntv_contest(
        "wj-hindu-sikh".to_owned(),
        "wolesi-jirga",
        "hindu-sikh".to_owned(),
        sikh_row.seats,
        sikh_row.reserved_women,
        "plurality",
        candidates(
            params,
            "wj-hindu-sikh",
            sikh_row.candidates,
            sikh_row.women_candidates,
            &party_ids,
        ),
    ));
    for p in &provs {
        let seats: u32 = match p.wj.0 {
            0..=4 => 9,
            5..=8 => 15,
            9..=14 => 19,
            15..=20 => 23,
            _ => 33,
        };
        let reserved = (seats + 2) / 4;
        let full = (seats * 57).div_ceil(10);
        let women_full = if p.id == "af-uru" {
            reserved - 1
        } else {
            (full * 11 / 100).max(reserved + 1)
        };
        let (n, w) = list_size(params, seats, reserved, full, women_full);
        let id = format!("pc-{}", p.id);
        let cands = candidates(params, &id, n, w, &party_ids);
        raw.contests.push(sntv_contest(
            id,
            "provincial-council",
            format!("prov-{}", p.id),
            seats,
            reserved,
            "sntv",
            cands,
        ));
    }

    Ok(Manifest::from_raw(&raw)?)
}

//! The synthetic national geography: the 34 provinces of Afghanistan from the embedded data of
//! `sanduq-election`, districts per province, and polling stations sized for the number of
//! ballots asked for.
//!
//! - **Provinces**: every row of [`PROVINCES_CSV`], identifier the ISO 3166-2:AF code in lower
//!   case (`af-kab`).
//! - **Ballots per province**: in proportion to the province's 2018 Wolesi Jirga seats
//!   ([`WJ_2018_CSV`], Ghazni 11 seats by law), by largest remainder.
//! - **Districts**: `clamp(3 + seats / 2, 3, 16)` per province, as in the demonstration
//!   election (synthetic: the real country has about 387).
//! - **Stations**: `⌈ballots / station_size⌉` per province, their ballots shared as evenly as
//!   possible, spread over the districts in turn (a district may have no station).

use sanduq_election::demo::{CONSTITUENCY_ISO, PROVINCES_CSV, WJ_2018_CSV};

use crate::BenchError;

/// Ghazni's seats by law (its 2018 vote was postponed: no row in the 2018 file).
const GHAZNI_SEATS: u64 = 11;

/// A province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Province {
    /// Identifier, e.g. `af-kab`.
    pub id: String,
    /// Its Wolesi Jirga seats (the weight of its share of the ballots).
    pub seats: u64,
}

/// A district.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct District {
    /// Identifier, e.g. `af-kab-d03`.
    pub id: String,
    /// Index of its province in [`Geography::provinces`].
    pub province: usize,
}

/// A polling station.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Station {
    /// Identifier, e.g. `af-kab-d03-s0012`.
    pub id: String,
    /// Index of its district in [`Geography::districts`].
    pub district: usize,
    /// Ballots cast at the station.
    pub ballots: u64,
}

/// The nation's reporting units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Geography {
    /// The provinces, in the order of the embedded file.
    pub provinces: Vec<Province>,
    /// The districts, province by province.
    pub districts: Vec<District>,
    /// The stations, province by province: ballots are generated in this order.
    pub stations: Vec<Station>,
}

/// The identifier of the nation.
pub const NATION: &str = "af";

fn bad(file: &'static str, line: usize, problem: impl Into<String>) -> BenchError {
    BenchError::Geography {
        file,
        line,
        problem: problem.into(),
    }
}

/// `(ISO code, seats)` of every province, from the embedded files.
fn seats_by_province() -> Result<Vec<(String, u64)>, BenchError> {
    let mut out = Vec::new();
    for (i, line) in PROVINCES_CSV.lines().enumerate().skip(1) {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let code = line
            .split(',')
            .next()
            .filter(|c| c.starts_with("AF-"))
            .ok_or_else(|| bad("af_provinces.csv", i + 1, "no AF- code in the first field"))?;
        out.push((code.to_owned(), 0u64));
    }
    for (i, line) in WJ_2018_CSV.lines().enumerate().skip(1) {
        let mut fields = line.trim_end().split(',');
        let (Some(constituency), Some(seats)) = (fields.next(), fields.next()) else {
            continue;
        };
        let prefix = constituency.split('_').next().unwrap_or_default();
        let Some((_, iso)) = CONSTITUENCY_ISO.iter().find(|(g, _)| *g == prefix) else {
            // The nationwide Kuchi and Hindu/Sikh constituencies have no province.
            continue;
        };
        let seats: u64 = seats
            .parse()
            .map_err(|_| bad("af_wj_2018_constituencies.csv", i + 1, "seats not a number"))?;
        let slot = out
            .iter_mut()
            .find(|(code, _)| code == iso)
            .ok_or_else(|| bad("af_wj_2018_constituencies.csv", i + 1, "unknown province"))?;
        slot.1 = seats;
    }
    for (code, seats) in &mut out {
        if *seats == 0 {
            if code == "AF-GHA" {
                *seats = GHAZNI_SEATS;
            } else {
                return Err(bad(
                    "af_wj_2018_constituencies.csv",
                    0,
                    format!("no seats for {code}"),
                ));
            }
        }
    }
    if out.len() != 34 {
        return Err(bad(
            "af_provinces.csv",
            0,
            format!("{} provinces, expected 34", out.len()),
        ));
    }
    Ok(out)
}

/// Share `total` in proportion to `weights` by largest remainder (ties to the earlier entry).
#[must_use]
pub fn largest_remainder(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let total128 = u128::from(total);
    let sum128 = u128::from(sum);
    let mut shares: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = total128 * u128::from(*w);
        shares.push(u64::try_from(exact / sum128).unwrap_or(u64::MAX));
        remainders.push((exact % sum128, i));
    }
    let given: u64 = shares.iter().sum();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders
        .iter()
        .take(usize::try_from(total - given).unwrap_or(0))
    {
        if let Some(s) = shares.get_mut(*i) {
            *s += 1;
        }
    }
    shares
}

impl Geography {
    /// The geography for `ballots` ballots with stations of at most `station_size` ballots.
    pub fn afghanistan(ballots: u64, station_size: u64) -> Result<Geography, BenchError> {
        if station_size == 0 {
            return Err(BenchError::Config("station size must be at least 1".into()));
        }
        let rows = seats_by_province()?;
        let weights: Vec<u64> = rows.iter().map(|(_, s)| *s).collect();
        let per_province = largest_remainder(ballots, &weights);
        let mut geo = Geography {
            provinces: Vec::new(),
            districts: Vec::new(),
            stations: Vec::new(),
        };
        for (p, ((code, seats), n)) in rows.iter().zip(per_province).enumerate() {
            let pid = code.to_ascii_lowercase();
            let first_district = geo.districts.len();
            let n_districts = (3 + seats / 2).clamp(3, 16);
            for d in 1..=n_districts {
                geo.districts.push(District {
                    id: format!("{pid}-d{d:02}"),
                    province: p,
                });
            }
            let n_stations = n.div_ceil(station_size);
            let sizes = largest_remainder(n, &vec![1; usize::try_from(n_stations).unwrap_or(0)]);
            for (s, size) in (0u64..).zip(sizes) {
                let d = usize::try_from(s % n_districts).unwrap_or(0);
                let district = first_district + d;
                let did = geo
                    .districts
                    .get(district)
                    .map(|x| x.id.clone())
                    .unwrap_or_default();
                geo.stations.push(Station {
                    id: format!("{did}-s{:04}", s + 1),
                    district,
                    ballots: size,
                });
            }
            geo.provinces.push(Province {
                id: pid,
                seats: *seats,
            });
        }
        Ok(geo)
    }

    /// Total ballots.
    #[must_use]
    pub fn ballots(&self) -> u64 {
        self.stations.iter().map(|s| s.ballots).sum()
    }

    /// The station of every ballot, in the order ballots are generated.
    pub fn ballot_stations(&self) -> impl Iterator<Item = usize> + '_ {
        self.stations
            .iter()
            .enumerate()
            .flat_map(|(i, s)| std::iter::repeat_n(i, usize::try_from(s.ballots).unwrap_or(0)))
    }
}

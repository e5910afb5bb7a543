//! Gregorian → Solar Hijri (the calendar of Afghanistan: months Hamal … Hut).
//!
//! Written by hand rather than taken from a calendar library: the conversion is some thirty
//! lines, the published Rust calendar crates either cover only the Iranian month names or pull
//! in a large internationalisation data set, and the rule we need is simple inside the range we
//! serve. The year begins at Nowruz (1 Hamal), the day of the March equinox. Between the
//! years 1211 and 1634 the astronomical calendar coincides with a pure 33-year cycle in which
//! the years `y` with `y mod 33 ∈ {1, 5, 9, 13, 17, 22, 26, 30}` are leap years (30 days in Hut).
//! We accept the years 1300–1500 (Gregorian 1921–2122), well inside that range, and anchor the
//! count on 1 Hamal 1397 = 21 March 2018.

/// A date in the Solar Hijri calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SolarDate {
    /// Year (e.g. 1403).
    pub year: i32,
    /// Month, 1 (Hamal) to 12 (Hut).
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
}

/// First Solar Hijri year accepted.
pub const FIRST_YEAR: i32 = 1300;
/// Last Solar Hijri year accepted.
pub const LAST_YEAR: i32 = 1500;

const LEAP_RESIDUES: [i32; 8] = [1, 5, 9, 13, 17, 22, 26, 30];

/// Whether a Solar Hijri year (in the accepted range) has 366 days.
#[must_use]
pub fn is_leap(year: i32) -> bool {
    LEAP_RESIDUES.contains(&year.rem_euclid(33))
}

fn year_len(year: i32) -> i64 {
    if is_leap(year) { 366 } else { 365 }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
#[must_use]
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Gregorian date (year, month, day) of a day count since 1970-01-01.
#[must_use]
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        i32::try_from(y).unwrap_or(i32::MAX),
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// 1 Hamal 1397 = 2018-03-21.
const ANCHOR_YEAR: i32 = 1397;

fn nowruz(year: i32) -> i64 {
    let mut day = days_from_civil(2018, 3, 21);
    if year >= ANCHOR_YEAR {
        for y in ANCHOR_YEAR..year {
            day += year_len(y);
        }
    } else {
        for y in year..ANCHOR_YEAR {
            day -= year_len(y);
        }
    }
    day
}

/// Converts a day count since 1970-01-01 to the Solar Hijri calendar; `None` outside the
/// years [`FIRST_YEAR`]..=[`LAST_YEAR`].
#[must_use]
pub fn from_days(days: i64) -> Option<SolarDate> {
    let (gy, _, _) = civil_from_days(days);
    // The Solar Hijri year is the Gregorian year − 621 from Nowruz on, − 622 before.
    let mut year = gy - 621;
    if days < nowruz(year) {
        year -= 1;
    }
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let mut offset = days - nowruz(year); // 0-based day of the year
    // Months 1–6 have 31 days, 7–11 have 30, Hut 29 (30 in a leap year).
    let mut month = 1u32;
    loop {
        let len = match month {
            1..=6 => 31,
            7..=11 => 30,
            _ => year_len(year) - 336,
        };
        if offset < len || month == 12 {
            break;
        }
        offset -= len;
        month += 1;
    }
    Some(SolarDate {
        year,
        month,
        day: u32::try_from(offset + 1).ok()?,
    })
}

/// Converts a Gregorian date.
#[must_use]
pub fn from_gregorian(y: i32, m: u32, d: u32) -> Option<SolarDate> {
    from_days(days_from_civil(y, m, d))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sd(year: i32, month: u32, day: u32) -> Option<SolarDate> {
        Some(SolarDate { year, month, day })
    }

    #[test]
    fn known_pairs() {
        // Afghanistan Analysts Network quotes 14 April 2018 as 25 Hamal 1397.
        assert_eq!(from_gregorian(2018, 4, 14), sd(1397, 1, 25));
        // Nowruz 1403 fell on Wednesday 20 March 2024 (equinox 03:06 UTC, before noon in
        // Kabul), so 21 March 2024 is 2 Hamal 1403 and 20 March is 1 Hamal.
        assert_eq!(from_gregorian(2024, 3, 20), sd(1403, 1, 1));
        assert_eq!(from_gregorian(2024, 3, 21), sd(1403, 1, 2));
        // 1403 is a leap year: 30 Hut 1403 = 20 March 2025, Nowruz 1404 = 21 March 2025.
        assert_eq!(from_gregorian(2025, 3, 20), sd(1403, 12, 30));
        assert_eq!(from_gregorian(2025, 3, 21), sd(1404, 1, 1));
        // 1402 is not: 29 Hut 1402 = 19 March 2024.
        assert_eq!(from_gregorian(2024, 3, 19), sd(1402, 12, 29));
        // The 2019 presidential election: 28 September 2019 = 6 Mizan 1398.
        assert_eq!(from_gregorian(2019, 9, 28), sd(1398, 7, 6));
        // The 2014 run-off: 14 June 2014 = 24 Jawza 1393.
        assert_eq!(from_gregorian(2014, 6, 14), sd(1393, 3, 24));
        // 1 Jadi 1400 = 22 December 2021 (Shab-e Yalda the night before).
        assert_eq!(from_gregorian(2021, 12, 22), sd(1400, 10, 1));
    }

    #[test]
    fn leap_years_of_the_cycle() {
        // Leap years around today, from the published calendar: 1395, 1399, 1403, then 1408
        // (the five-year gap of the cycle).
        let leap: Vec<i32> = (1393..=1410).filter(|y| is_leap(*y)).collect();
        assert_eq!(leap, vec![1395, 1399, 1403, 1408]);
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for d in [-1000, 0, 11_017, 19_800, 20_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn out_of_range() {
        assert_eq!(from_gregorian(1900, 1, 1), None);
        assert_eq!(from_gregorian(2200, 1, 1), None);
    }
}

//! The embedded geographic data (`data/`), parsed.
//!
//! Both files are plain comma-separated UTF-8 with a header row and no quoted fields; a
//! malformed row is an error naming the file and line.

/// `data/af_provinces.csv`: the 34 provinces (ISO 3166-2:AF code, names, centroid).
pub const PROVINCES_CSV: &str = include_str!("../data/af_provinces.csv");

/// `data/af_wj_2018_constituencies.csv`: the 2018 Wolesi Jirga constituencies.
pub const WJ_2018_CSV: &str = include_str!("../data/af_wj_2018_constituencies.csv");

/// A row of the provinces file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProvinceRow {
    pub code: &'static str,
    pub name_en: &'static str,
    pub name_prs: &'static str,
    pub name_ps: &'static str,
}

/// A row of the constituencies file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WjRow {
    pub constituency: &'static str,
    pub seats: u32,
    pub reserved_women: u32,
    pub candidates: u32,
    pub women_candidates: u32,
}

/// A malformed line of an embedded file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {problem}")]
pub struct GeoError {
    /// The file.
    pub file: &'static str,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

fn rows(
    file: &'static str,
    text: &'static str,
    header: &str,
    width: usize,
) -> Result<Vec<(usize, Vec<&'static str>)>, GeoError> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end() == header => {}
        _ => {
            return Err(GeoError {
                file,
                line: 1,
                problem: format!("header is not {header:?}"),
            });
        }
    }
    let mut out = Vec::new();
    for (i, l) in lines {
        let l = l.trim_end();
        if l.is_empty() {
            continue;
        }
        let fields: Vec<&str> = l.split(',').collect();
        if fields.len() != width {
            return Err(GeoError {
                file,
                line: i + 1,
                problem: format!("{} fields, expected {width}", fields.len()),
            });
        }
        out.push((i + 1, fields));
    }
    Ok(out)
}

pub(crate) fn provinces() -> Result<Vec<ProvinceRow>, GeoError> {
    rows(
        "af_provinces.csv",
        PROVINCES_CSV,
        "code,name_en,name_prs,name_ps,lat,lng",
        6,
    )?
    .into_iter()
    .map(|(_, f)| match f.as_slice() {
        [code, name_en, name_prs, name_ps, _, _] => Ok(ProvinceRow {
            code,
            name_en,
            name_prs,
            name_ps,
        }),
        _ => unreachable_row("af_provinces.csv"),
    })
    .collect()
}

pub(crate) fn wj_2018() -> Result<Vec<WjRow>, GeoError> {
    let file = "af_wj_2018_constituencies.csv";
    rows(
        file,
        WJ_2018_CSV,
        "constituency,seats,reserved_women,candidates,women_candidates",
        5,
    )?
    .into_iter()
    .map(|(line, f)| match f.as_slice() {
        [c, s, r, n, w] => {
            let num = |x: &str| {
                x.parse::<u32>().map_err(|e| GeoError {
                    file,
                    line,
                    problem: format!("{x:?}: {e}"),
                })
            };
            Ok(WjRow {
                constituency: c,
                seats: num(s)?,
                reserved_women: num(r)?,
                candidates: num(n)?,
                women_candidates: num(w)?,
            })
        }
        _ => unreachable_row(file),
    })
    .collect()
}

fn unreachable_row<T>(file: &'static str) -> Result<T, GeoError> {
    Err(GeoError {
        file,
        line: 0,
        problem: "row width changed after checking".to_owned(),
    })
}

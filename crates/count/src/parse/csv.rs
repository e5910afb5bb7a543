//! CSV input: a header row, then one row per candidate, party or unit. UTF-8, comma-separated;
//! a field may be quoted (`"Doe, Jane"`, with `""` for a quote inside). Columns, by header name
//! (case-insensitive, in any order):
//!
//! - the name: `candidate`, `party` or `unit`;
//! - the total: `votes` or `population` (a whole number, not negative);
//! - optional `gender`: `f` or `m` (or empty);
//! - any other column is kept as-is for tie-breaking (`--tie-break education`).

use std::collections::BTreeMap;

use crate::ballots::{Ballots, Candidate, Gender};
use crate::error::ParseError;

/// What the rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// `candidate,votes`.
    Candidates,
    /// `party,votes`.
    Parties,
    /// `unit,population`.
    Units,
}

/// A parsed CSV file.
#[derive(Debug, Clone)]
pub struct Csv {
    /// What the rows are.
    pub kind: CsvKind,
    /// The totals.
    pub ballots: Ballots,
}

/// Split the text into records of fields, each with the line on which it starts.
fn records(origin: &str, text: &str) -> Result<Vec<(usize, Vec<String>)>, ParseError> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted_field = false;
        loop {
            match chars.next() {
                None => break,
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    break;
                }
                Some(',') => {
                    fields.push(finish(std::mem::take(&mut field), quoted_field));
                    quoted_field = false;
                }
                Some('"') if field.trim().is_empty() && !quoted_field => {
                    field.clear();
                    quoted_field = true;
                    loop {
                        match chars.next() {
                            None => {
                                return Err(ParseError::new(
                                    origin,
                                    start,
                                    "a quoted field is not closed",
                                ));
                            }
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => {
                                if c == '\n' {
                                    line += 1;
                                }
                                field.push(c);
                            }
                        }
                    }
                }
                Some(c) => {
                    if quoted_field && !c.is_whitespace() {
                        return Err(ParseError::new(
                            origin,
                            line,
                            format!("unexpected {c:?} after a closing quote"),
                        ));
                    }
                    if !quoted_field {
                        field.push(c);
                    }
                }
            }
        }
        fields.push(finish(field, quoted_field));
        if !(fields.len() == 1 && fields.first().is_some_and(|f| f.trim().is_empty())) {
            out.push((start, fields));
        }
    }
    Ok(out)
}

fn finish(field: String, quoted: bool) -> String {
    if quoted {
        field
    } else {
        field.trim().to_owned()
    }
}

/// Parse a CSV file. `origin` names the input in errors (usually its path).
pub fn csv(origin: &str, input: &[u8]) -> Result<Csv, ParseError> {
    let text = super::utf8(origin, input)?;
    let rows = records(origin, text)?;
    let mut rows = rows.into_iter();
    let (hline, header) = rows
        .next()
        .ok_or_else(|| ParseError::new(origin, 1, "empty input: expected a header row"))?;
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let name_col = find(&["candidate", "party", "unit"]).ok_or_else(|| {
        ParseError::new(
            origin,
            hline,
            "the header has no name column (candidate, party or unit)",
        )
    })?;
    let count_col = find(&["votes", "population"]).ok_or_else(|| {
        ParseError::new(
            origin,
            hline,
            "the header has no count column (votes or population)",
        )
    })?;
    let kind = match header.get(name_col).map(String::as_str) {
        Some("party") => CsvKind::Parties,
        Some("unit") => CsvKind::Units,
        _ => CsvKind::Candidates,
    };
    let gender_col = find(&["gender"]);
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            return Err(ParseError::new(
                origin,
                hline,
                format!("column {} of the header has no name", i + 1),
            ));
        }
        if header.iter().skip(i + 1).any(|o| o == h) {
            return Err(ParseError::new(
                origin,
                hline,
                format!("column {h:?} appears twice in the header"),
            ));
        }
    }
    let mut candidates = Vec::new();
    let mut counts = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (line, fields) in rows {
        let bad = |msg: String| ParseError::new(origin, line, msg);
        if fields.len() != header.len() {
            return Err(bad(format!(
                "{} fields, but the header has {} columns",
                fields.len(),
                header.len()
            )));
        }
        let name = fields.get(name_col).cloned().unwrap_or_default();
        if name.trim().is_empty() {
            return Err(bad("empty name".into()));
        }
        if let Some(prev) = seen.insert(name.clone(), line) {
            return Err(bad(format!(
                "the name {name:?} is already used on line {prev}"
            )));
        }
        let raw = fields.get(count_col).map(|s| s.trim()).unwrap_or("");
        let count: u64 = if raw.starts_with('-') && raw.len() > 1 {
            return Err(bad(format!("negative count {raw:?} for {name:?}")));
        } else if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            raw.parse()
                .map_err(|_| bad(format!("count {raw:?} for {name:?} is too large")))?
        } else {
            return Err(bad(format!(
                "count {raw:?} for {name:?} is not a whole number"
            )));
        };
        let mut cand = Candidate::named(name.clone());
        if let Some(g) = gender_col {
            cand.gender = match fields.get(g).map(|s| s.trim().to_lowercase()).as_deref() {
                Some("f") => Some(Gender::Female),
                Some("m") => Some(Gender::Male),
                Some("") | None => None,
                Some(other) => {
                    return Err(bad(format!(
                        "gender {other:?} of {name:?} is neither f nor m"
                    )));
                }
            };
        }
        for (i, h) in header.iter().enumerate() {
            if i != name_col && i != count_col && Some(i) != gender_col {
                cand.attributes
                    .insert(h.clone(), fields.get(i).cloned().unwrap_or_default());
            }
        }
        candidates.push(cand);
        counts.push(count);
    }
    if candidates.is_empty() {
        return Err(ParseError::new(origin, hline, "no rows after the header"));
    }
    let ballots = Ballots::from_counts(candidates, counts)
        .map_err(|e| ParseError::new(origin, hline, e.to_string()))?;
    Ok(Csv { kind, ballots })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::BallotData;

    #[test]
    fn quoted_names_and_columns() {
        let src = "candidate,votes,gender,education\r\n\"Doe, \"\"J\"\"\",12,f,3\nB,7,m,1\n\n";
        let c = csv("x.csv", src.as_bytes()).unwrap();
        assert_eq!(c.kind, CsvKind::Candidates);
        let first = c.ballots.candidates().first().unwrap();
        assert_eq!(first.name, "Doe, \"J\"");
        assert_eq!(first.gender, Some(Gender::Female));
        assert_eq!(first.attributes.get("education").unwrap(), "3");
        assert_eq!(c.ballots.data(), &BallotData::Counts(vec![12, 7]));
    }
}

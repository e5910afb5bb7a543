//! The BLT ballot format (from the Electoral Reform Society's counting programs, also read by
//! OpenSTV, Droop, stv-rs and RCTab exports):
//!
//! ```text
//! 4 2            <- candidates, seats
//! -2             <- optional: withdrawn candidates, negated
//! 3 1 3 0        <- weight, preferences (1-based), 0
//! 2 2=4 1 0      <- an equal ranking (schulze only)
//! 0              <- end of ballots
//! "Ann"          <- one quoted name per candidate
//! "Bob"
//! "Cy"
//! "Di"
//! "Title"        <- a quoted title
//! ```
//!
//! Dialects accepted: blank lines, any run of spaces or tabs, CRLF line ends, a UTF-8 byte-order
//! mark, `#` comments to the end of a line (outside quotes), and a ballot identifier in
//! parentheses before the weight (`(17) 1 2 3 0`). A ranked candidate must be named at most once
//! per ballot.

use crate::ballots::{Ballots, Candidate, RankedBallots};
use crate::error::{CountError, ParseError};

/// A parsed BLT file.
#[derive(Debug, Clone)]
pub struct Blt {
    /// The candidates (withdrawn ones marked) and the ballots (not aggregated).
    pub ballots: Ballots,
    /// The number of seats of the header line.
    pub seats: usize,
    /// The title, when present.
    pub title: Option<String>,
    /// The line of the first equal ranking (`a=b`), if any.
    pub first_equal_line: Option<usize>,
}

/// One line split into tokens: bare words and quoted strings.
#[derive(Debug)]
enum Tok<'a> {
    Word(&'a str),
    Quoted(&'a str),
}

fn tokenize<'a>(origin: &str, lineno: usize, line: &'a str) -> Result<Vec<Tok<'a>>, ParseError> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('#') {
            return Ok(out);
        }
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').ok_or_else(|| {
                ParseError::new(origin, lineno, "a quoted string is not closed on its line")
            })?;
            out.push(Tok::Quoted(r.get(..end).unwrap_or("")));
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '#')
                .unwrap_or(rest.len());
            out.push(Tok::Word(rest.get(..end).unwrap_or("")));
            rest = rest.get(end..).unwrap_or("");
        }
    }
}

/// Parse a BLT file. `origin` names the input in errors (usually its path).
pub fn blt(origin: &str, input: &[u8]) -> Result<Blt, ParseError> {
    let text = super::utf8(origin, input)?;
    let err = |line: usize, msg: String| ParseError::new(origin, line, msg);
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .map(|(i, l)| tokenize(origin, i, l).map(|t| (i, t)))
        .filter(|r| !matches!(r, Ok((_, t)) if t.is_empty()))
        .peekable();

    // Header: candidates and seats.
    let (hline, header) = lines.next().transpose()?.ok_or_else(|| {
        err(
            1,
            "empty input: expected the line \"candidates seats\"".into(),
        )
    })?;
    let (n, seats) = match header.as_slice() {
        [Tok::Word(a), Tok::Word(b)] => match (a.parse::<usize>(), b.parse::<usize>()) {
            (Ok(n), Ok(s)) if n > 0 && s > 0 => (n, s),
            _ => {
                return Err(err(
                    hline,
                    format!(
                        "header {a:?} {b:?}: expected two positive whole numbers, candidates and seats"
                    ),
                ));
            }
        },
        _ => {
            return Err(err(
                hline,
                "the first line must be two numbers: candidates and seats".into(),
            ));
        }
    };
    if n > crate::MAX_RANKED_CANDIDATES {
        return Err(err(
            hline,
            format!(
                "{n} candidates: at most {} supported",
                crate::MAX_RANKED_CANDIDATES
            ),
        ));
    }

    let mut withdrawn = vec![false; n];
    if let Some(Ok((wline, toks))) = lines.peek() {
        if matches!(toks.first(), Some(Tok::Word(w)) if w.starts_with('-')) {
            let wline = *wline;
            for t in toks {
                let Tok::Word(w) = t else {
                    return Err(err(
                        wline,
                        "withdrawn line: unexpected quoted string".into(),
                    ));
                };
                let k = w
                    .strip_prefix('-')
                    .and_then(|d| d.parse::<usize>().ok())
                    .filter(|&k| k >= 1 && k <= n)
                    .ok_or_else(|| {
                        err(wline, format!("withdrawn line: {w:?} is not -1 to -{n}"))
                    })?;
                if let Some(slot) = withdrawn.get_mut(k - 1) {
                    *slot = true;
                }
            }
            lines.next();
        }
    }

    let mut rb = RankedBallots::new(n);
    let mut first_equal_line = None;
    let mut ended = false;
    for item in lines.by_ref() {
        let (line, toks) = item?;
        let mut words: Vec<&str> = Vec::with_capacity(toks.len());
        for t in &toks {
            match t {
                Tok::Word(w) => words.push(w),
                Tok::Quoted(q) => {
                    return Err(err(
                        line,
                        format!(
                            "found the quoted string \"{q}\" among the ballots: the line \"0\" that ends the ballots is missing"
                        ),
                    ));
                }
            }
        }
        if words.as_slice() == ["0"] {
            ended = true;
            break;
        }
        // An optional ballot identifier in parentheses.
        if words
            .first()
            .is_some_and(|w| w.starts_with('(') && w.ends_with(')'))
        {
            words.remove(0);
        }
        let Some((weight, prefs)) = words.split_first() else {
            return Err(err(line, "a ballot identifier with no ballot".into()));
        };
        let weight: u64 = weight.parse().map_err(|_| {
            err(
                line,
                format!("ballot weight {weight:?} is not a whole number"),
            )
        })?;
        let Some((last, prefs)) = prefs.split_last() else {
            return Err(err(line, "the ballot does not end with 0".into()));
        };
        if *last != "0" {
            return Err(err(line, format!("the ballot ends with {last:?}, not 0")));
        }
        let mut groups: Vec<Vec<usize>> = Vec::with_capacity(prefs.len());
        for p in prefs {
            let mut group = Vec::new();
            for part in p.split('=') {
                let k: usize = part.parse().map_err(|_| {
                    err(line, format!("preference {p:?} is not a candidate number"))
                })?;
                if k == 0 || k > n {
                    return Err(err(
                        line,
                        format!("preference {k} refers to no candidate (there are {n})"),
                    ));
                }
                group.push(k - 1);
            }
            if group.len() > 1 && first_equal_line.is_none() {
                first_equal_line = Some(line);
            }
            groups.push(group);
        }
        rb.push_groups(weight, &groups).map_err(|e| match e {
            CountError::DuplicateRanking { .. } => {
                err(line, "the ballot ranks the same candidate twice".into())
            }
            other => err(line, other.to_string()),
        })?;
    }
    if !ended {
        return Err(err(
            text.lines().count().max(1),
            "the input ends before the line \"0\" that ends the ballots".into(),
        ));
    }

    // Names and title.
    let mut strings: Vec<(usize, String)> = Vec::with_capacity(n + 1);
    for item in lines {
        let (line, toks) = item?;
        for t in toks {
            match t {
                Tok::Quoted(q) => strings.push((line, q.to_owned())),
                Tok::Word(w) => {
                    return Err(err(
                        line,
                        format!("expected a quoted candidate name or title, found {w:?}"),
                    ));
                }
            }
        }
    }
    if strings.len() < n {
        let line = strings.last().map(|(l, _)| *l).unwrap_or(hline);
        return Err(err(
            line,
            format!(
                "the header declares {n} candidates but only {} quoted strings follow the ballots ({n} names and a title expected)",
                strings.len()
            ),
        ));
    }
    if strings.len() > n + 1 {
        let line = strings.get(n + 1).map(|(l, _)| *l).unwrap_or(hline);
        return Err(err(
            line,
            format!(
                "unexpected text after the title: {} candidates need {n} names and one title",
                n
            ),
        ));
    }
    let mut title = None;
    let mut candidates = Vec::with_capacity(n);
    let mut seen = std::collections::BTreeMap::new();
    for (i, (line, name)) in strings.into_iter().enumerate() {
        if i == n {
            title = Some(name);
            break;
        }
        if name.trim().is_empty() {
            return Err(err(line, format!("candidate {} has an empty name", i + 1)));
        }
        if let Some(prev) = seen.insert(name.clone(), line) {
            return Err(err(
                line,
                format!("candidate name \"{name}\" already given on line {prev}"),
            ));
        }
        let mut c = Candidate::named(name);
        c.withdrawn = withdrawn.get(i).copied().unwrap_or(false);
        candidates.push(c);
    }
    let ballots = Ballots::from_ranked(candidates, rb).map_err(|e| err(hline, e.to_string()))?;
    Ok(Blt {
        ballots,
        seats,
        title,
        first_equal_line,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::BallotData;

    #[test]
    fn dialects() {
        let src = "\u{feff}3 1 # header\r\n\r\n-3\n(a1)  2\t1 2 0\n1 2=1 0\n0\n\"Ann Lee\" \n\"Bob\"\n\"Cy\"\n\"T\"\n";
        let b = blt("x.blt", src.as_bytes()).unwrap();
        assert_eq!(b.seats, 1);
        assert_eq!(b.title.as_deref(), Some("T"));
        assert_eq!(b.first_equal_line, Some(5));
        assert!(b.ballots.candidates().get(2).unwrap().withdrawn);
        assert_eq!(b.ballots.candidates().first().unwrap().name, "Ann Lee");
        let BallotData::Ranked(rb) = b.ballots.data() else {
            panic!()
        };
        assert_eq!(rb.ranking(0), &[0, 1]);
        assert_eq!(rb.groups(1), vec![vec![1, 0]]);
    }
}

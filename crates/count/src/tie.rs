//! Breaking ties: an ordered list of criteria, ending in a reproducible lot.
//!
//! Each criterion splits the tied candidates into groups, most favoured first; a group still tied
//! goes on to the next criterion. When every criterion given is used up and candidates are still
//! tied, the lot decides, so that a count always ends. The lot is public: the tied candidates are
//! ordered by SHA-256(seed bytes ‖ UTF-8 name) read as a big-endian number, smallest first, and
//! the first is favoured (elected, or kept from exclusion). Anyone holding the published seed can
//! redo it.

use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::ballots::Ballots;
use crate::error::CountError;
use crate::outcome::TieRecord;

/// One tie-break criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TieCriterion {
    /// Compare the tied candidates' tallies at earlier rounds, the latest round first; higher is
    /// favoured.
    Backward,
    /// Compare the tallies at earlier rounds, the first round first; higher is favoured.
    Forward,
    /// A numeric input column (for example `education`); the higher value is favoured.
    Column(String),
    /// The seeded lot.
    Lot,
}

impl FromStr for TieCriterion {
    type Err = CountError;
    fn from_str(s: &str) -> Result<Self, CountError> {
        Ok(match s.trim() {
            "backward" => TieCriterion::Backward,
            "forward" => TieCriterion::Forward,
            "lot" => TieCriterion::Lot,
            "" => {
                return Err(CountError::BadOption {
                    option: "--tie-break",
                    problem: "empty criterion".into(),
                });
            }
            other => TieCriterion::Column(other.to_owned()),
        })
    }
}

impl TieCriterion {
    fn label(&self) -> &str {
        match self {
            TieCriterion::Backward => "backward",
            TieCriterion::Forward => "forward",
            TieCriterion::Column(c) => c,
            TieCriterion::Lot => "lot",
        }
    }
}

/// Parse a comma-separated list of criteria.
pub fn parse_criteria(s: &str) -> Result<Vec<TieCriterion>, CountError> {
    s.split(',').map(TieCriterion::from_str).collect()
}

/// The lot key of one candidate: SHA-256(seed ‖ name).
pub fn lot_key(seed: &[u8], name: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed);
    h.update(name.as_bytes());
    h.finalize().into()
}

/// Breaks ties for one count.
#[derive(Debug)]
pub(crate) struct TieBreaker<'a> {
    pub criteria: &'a [TieCriterion],
    pub seed: &'a [u8],
    pub ballots: &'a Ballots,
}

impl TieBreaker<'_> {
    /// Order `tied` from most to least favoured. `history[r][c]` is candidate `c`'s tally at
    /// earlier round `r` (oldest first). Returns the order and the criterion that decided it.
    pub fn order(
        &self,
        tied: &[usize],
        history: &[Vec<i128>],
    ) -> Result<(Vec<usize>, String), CountError> {
        let mut groups: Vec<Vec<usize>> = vec![tied.to_vec()];
        let mut decided_by = String::from("lot");
        for crit in self.criteria {
            if groups.iter().all(|g| g.len() <= 1) {
                break;
            }
            let split = match crit {
                TieCriterion::Backward => {
                    let mut any = false;
                    for tallies in history.iter().rev() {
                        any |= split_groups(&mut groups, |c| {
                            Ok(tallies.get(c).copied().unwrap_or(0))
                        })?;
                    }
                    any
                }
                TieCriterion::Forward => {
                    let mut any = false;
                    for tallies in history {
                        any |= split_groups(&mut groups, |c| {
                            Ok(tallies.get(c).copied().unwrap_or(0))
                        })?;
                    }
                    any
                }
                TieCriterion::Column(col) => split_groups(&mut groups, |c| self.column(col, c))?,
                TieCriterion::Lot => self.lot(&mut groups),
            };
            if split {
                decided_by = crit.label().to_owned();
            }
        }
        if groups.iter().any(|g| g.len() > 1) {
            self.lot(&mut groups);
            decided_by = "lot".into();
        }
        Ok((groups.into_iter().flatten().collect(), decided_by))
    }

    fn lot(&self, groups: &mut Vec<Vec<usize>>) -> bool {
        let mut any = false;
        let mut out = Vec::with_capacity(groups.len());
        for mut g in groups.drain(..) {
            if g.len() > 1 {
                any = true;
                g.sort_by_key(|&c| lot_key(self.seed, self.ballots.name(c)));
                out.extend(g.into_iter().map(|c| vec![c]));
            } else {
                out.push(g);
            }
        }
        *groups = out;
        any
    }

    fn column(&self, col: &str, c: usize) -> Result<i128, CountError> {
        let cand = self
            .ballots
            .candidates()
            .get(c)
            .ok_or(CountError::Overflow {
                during: "looking up a candidate",
            })?;
        let raw = cand
            .attributes
            .get(col)
            .ok_or_else(|| CountError::UnknownTieBreakColumn { column: col.into() })?;
        parse_decimal(raw).ok_or_else(|| CountError::TieBreakValue {
            column: col.into(),
            candidate: cand.name.clone(),
            value: raw.clone(),
        })
    }

    /// Order `tied` and record the tie, returning the order (most favoured first).
    pub fn resolve(
        &self,
        tied: &[usize],
        history: &[Vec<i128>],
        round: usize,
        ties: &mut Vec<TieRecord>,
    ) -> Result<Vec<usize>, CountError> {
        let (order, by) = self.order(tied, history)?;
        let mut names: Vec<usize> = tied.to_vec();
        names.sort_unstable();
        ties.push(TieRecord {
            round,
            candidates: names
                .iter()
                .map(|&c| self.ballots.name(c).to_owned())
                .collect(),
            resolved_by: by,
            favoured: order
                .first()
                .map(|&c| self.ballots.name(c).to_owned())
                .unwrap_or_default(),
        });
        Ok(order)
    }

    /// The `k` best of `pool` by `score` (higher first), breaking a tie at the boundary and
    /// recording it. The result is in order of score.
    pub fn top_k(
        &self,
        pool: &[usize],
        score: &dyn Fn(usize) -> i128,
        k: usize,
        history: &[Vec<i128>],
        round: usize,
        ties: &mut Vec<TieRecord>,
    ) -> Result<Vec<usize>, CountError> {
        let mut sorted = pool.to_vec();
        sorted.sort_by_key(|&c| std::cmp::Reverse(score(c)));
        if k >= sorted.len() {
            return Ok(sorted);
        }
        let (Some(&last_in), Some(&first_out)) = (sorted.get(k.wrapping_sub(1)), sorted.get(k))
        else {
            return Ok(sorted.into_iter().take(k).collect());
        };
        if k == 0 || score(last_in) != score(first_out) {
            sorted.truncate(k);
            return Ok(sorted);
        }
        let s = score(last_in);
        let start = sorted.iter().position(|&c| score(c) == s).unwrap_or(0);
        let tied: Vec<usize> = sorted.iter().copied().filter(|&c| score(c) == s).collect();
        let order = self.resolve(&tied, history, round, ties)?;
        let mut out: Vec<usize> = sorted.iter().copied().take(start).collect();
        out.extend(order.into_iter().take(k - start));
        Ok(out)
    }
}

/// Split every group of more than one candidate by `key`, higher first. Returns whether any
/// group was split.
fn split_groups(
    groups: &mut Vec<Vec<usize>>,
    key: impl Fn(usize) -> Result<i128, CountError>,
) -> Result<bool, CountError> {
    let mut any = false;
    let mut out = Vec::with_capacity(groups.len());
    for g in groups.drain(..) {
        if g.len() <= 1 {
            out.push(g);
            continue;
        }
        let mut keyed = g
            .iter()
            .map(|&c| Ok((key(c)?, c)))
            .collect::<Result<Vec<_>, CountError>>()?;
        keyed.sort_by_key(|&(k, _)| std::cmp::Reverse(k));
        let mut cur: Vec<usize> = Vec::new();
        let mut cur_key = None;
        let mut parts = 0;
        for (k, c) in keyed {
            if cur_key != Some(k) && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                parts += 1;
            }
            cur_key = Some(k);
            cur.push(c);
        }
        out.push(cur);
        parts += 1;
        if parts > 1 {
            any = true;
        }
    }
    *groups = out;
    Ok(any)
}

/// A decimal number (`12`, `-3.5`) scaled by 10^9; `None` when it is not one.
fn parse_decimal(s: &str) -> Option<i128> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 || int.len() > 20 {
        return None;
    }
    let i: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i128>().ok()? * 10i128.pow(9 - frac.len() as u32)
    };
    let v = i * 1_000_000_000 + f;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ballots() -> Ballots {
        let names = ["A", "B", "C"].map(crate::Candidate::named).to_vec();
        Ballots::from_counts(names, vec![0, 0, 0]).unwrap()
    }

    /// Hand-derived. Earlier rounds: r1 A 5, B 7, C 5; r2 A 9, B 8, C 9. Lot keys with seed 00
    /// (Python hashlib): SHA-256(00||"A") = c00b4d3c..., (00||"B") = 87afe608...,
    /// (00||"C") = b563a5e6..., so the lot orders B, C, A.
    #[test]
    fn backward_forward_then_lot() {
        let b = ballots();
        let history = vec![vec![5, 7, 5], vec![9, 8, 9]];
        let run = |criteria: &[TieCriterion]| {
            let tb = TieBreaker {
                criteria,
                seed: &[0],
                ballots: &b,
            };
            tb.order(&[0, 1, 2], &history).unwrap()
        };
        // Backward: r2 puts A and C (9) above B (8); r1 leaves A, C equal; the lot puts C first.
        let (order, by) = run(&[TieCriterion::Backward, TieCriterion::Lot]);
        assert_eq!((order, by.as_str()), (vec![2, 0, 1], "lot"));
        // Forward: r1 puts B (7) above A and C (5); r2 leaves A, C equal; the lot: C, A.
        let (order, by) = run(&[TieCriterion::Forward, TieCriterion::Lot]);
        assert_eq!((order, by.as_str()), (vec![1, 2, 0], "lot"));
        // The lot alone.
        let (order, by) = run(&[TieCriterion::Lot]);
        assert_eq!((order, by.as_str()), (vec![1, 2, 0], "lot"));
    }

    #[test]
    fn backward_decides_alone() {
        let b = ballots();
        let tb = TieBreaker {
            criteria: &[TieCriterion::Backward, TieCriterion::Lot],
            seed: &[0],
            ballots: &b,
        };
        // A and B tied now; at the only earlier round A had 3, B 4: B is favoured.
        let (order, by) = tb.order(&[0, 1], &[vec![3, 4, 0]]).unwrap();
        assert_eq!((order, by.as_str()), (vec![1, 0], "backward"));
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("7"), Some(7_000_000_000));
        assert_eq!(parse_decimal("-0.5"), Some(-500_000_000));
        assert_eq!(parse_decimal("x"), None);
        assert_eq!(parse_decimal(""), None);
    }
}

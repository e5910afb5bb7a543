//! STV with Gregory fractional transfers: the Scottish rules and weighted inclusive Gregory.
//!
//! **Scottish STV** follows the Scottish Local Government Elections Order 2007 (SSI 2007/42),
//! schedule 1, rules 45–52, in these words of our own:
//!
//! - rule 46: the quota is the number of valid votes divided by one more than the number of
//!   seats, fractions disregarded, plus one (a whole number);
//! - rule 47: a candidate whose votes reach the quota is elected;
//! - rule 48: an elected candidate's surplus is transferred by passing on *every* ballot paper
//!   the candidate holds, each at a new value: its present value times the surplus, divided by
//!   the candidate's total votes, calculated to five decimal places with any remainder ignored.
//!   Papers with no further continuing preference are non-transferable; the candidate keeps
//!   exactly the quota;
//! - rule 49: when several candidates have surpluses, the largest is transferred first;
//! - rule 50: when no surplus remains, the candidate with the fewest votes is excluded and all of
//!   their papers pass to the next continuing preference at the value they arrived with;
//! - rules 51–52: when the continuing candidates are no more than the seats left, they are all
//!   elected, and the count ends when every seat is filled.
//!
//! Ties (between surpluses, or for exclusion) are broken by the ordered criteria of
//! `--tie-break` (default `backward,lot`: the tallies at earlier stages, then the seeded lot),
//! and each one is recorded in the outcome.
//!
//! **Weighted inclusive Gregory (WIGM)** is the same procedure with a fractional quota: the
//! valid votes divided by one more than the seats, truncated to the working precision, plus the
//! smallest unit (default 6 decimals).

use std::collections::BTreeMap;

use crate::error::CountError;
use crate::fixed::Scale;
use crate::outcome::Round;
use crate::{Ctx, Method, Outcome, ranked};

/// A ballot paper in a pile: ballot number, position of the holder, value of one paper (raw).
#[derive(Debug, Clone, Copy)]
struct Paper {
    ballot: u32,
    pos: u16,
    value: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    Elected,
    Excluded,
}

pub(crate) fn run(ctx: &Ctx<'_>) -> Result<Outcome, CountError> {
    let rb = ranked(ctx)?;
    let n = rb.candidates();
    let decimals = ctx
        .opts
        .decimals
        .or(ctx.method.default_decimals())
        .unwrap_or(5);
    let scale = Scale::new(decimals)?;
    if scale.unit() > i128::from(i64::MAX) {
        return Err(CountError::BadOption {
            option: "--decimals",
            problem: format!("{decimals} decimals is too many for Gregory transfers"),
        });
    }
    let unit64 = i64::try_from(scale.unit()).unwrap_or(i64::MAX);
    let mut state: Vec<State> = (0..n)
        .map(|c| {
            if ctx.withdrawn(c) {
                State::Excluded
            } else {
                State::Hopeful
            }
        })
        .collect();
    let hopeful = |state: &[State], c: usize| state.get(c) == Some(&State::Hopeful);
    let next = |ranking: &[u16], from: usize, state: &[State]| -> Option<(usize, usize)> {
        ranking
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, c)| hopeful(state, usize::from(**c)))
            .map(|(p, c)| (p, usize::from(*c)))
    };

    let mut piles: Vec<Vec<Paper>> = vec![Vec::new(); n];
    let mut votes = vec![0i128; n];
    let mut valid: i128 = 0;
    for b in 0..rb.len() {
        let w = i128::from(rb.weight(b));
        if let Some((p, c)) = next(rb.ranking(b), 0, &state) {
            valid += w;
            if let (Some(pile), Some(v)) = (piles.get_mut(c), votes.get_mut(c)) {
                pile.push(Paper {
                    ballot: b as u32,
                    pos: p as u16,
                    value: unit64,
                });
                *v += scale.from_int(w)?;
            }
        }
    }
    let seats = i128::try_from(ctx.seats).unwrap_or(i128::MAX);
    let quota = if ctx.method == Method::StvScottish {
        scale.from_int(valid / (seats + 1) + 1)?
    } else {
        scale.from_int(valid)? / (seats + 1) + scale.epsilon()
    };
    let qs = Some(scale.format(quota));

    let mut out = ctx.outcome();
    let mut exhausted: i128 = 0;
    let mut pending: Vec<usize> = Vec::new();
    let mut history: Vec<Vec<i128>> = Vec::new();
    let snapshot = |state: &[State], votes: &[i128]| -> BTreeMap<String, String> {
        (0..n)
            .filter(|&c| state.get(c) != Some(&State::Excluded))
            .map(|c| {
                (
                    ctx.name(c),
                    scale.format(votes.get(c).copied().unwrap_or(0)),
                )
            })
            .collect()
    };
    let mut rec = Round {
        round: 1,
        tallies: snapshot(&state, &votes),
        elected: Vec::new(),
        excluded: Vec::new(),
        transfers: BTreeMap::new(),
        exhausted: scale.format(0),
        quota: qs.clone(),
    };
    for round in 1.. {
        // Rule 47: elect every continuing candidate who reached the quota, highest first.
        let mut newly: Vec<usize> = (0..n)
            .filter(|&c| hopeful(&state, c) && votes.get(c).copied().unwrap_or(0) >= quota)
            .collect();
        newly.sort_by_key(|&c| std::cmp::Reverse(votes.get(c).copied().unwrap_or(0)));
        for &c in &newly {
            if out.elected.len() >= ctx.seats {
                break;
            }
            if let Some(s) = state.get_mut(c) {
                *s = State::Elected;
            }
            out.elected.push(ctx.name(c));
            rec.elected.push(ctx.name(c));
            pending.push(c);
        }
        let left: Vec<usize> = (0..n).filter(|&c| hopeful(&state, c)).collect();
        let done = out.elected.len() >= ctx.seats;
        if !done && left.len() + out.elected.len() <= ctx.seats {
            // Rule 51: as many continuing candidates as seats left: all elected.
            let mut rest = left.clone();
            rest.sort_by_key(|&c| std::cmp::Reverse(votes.get(c).copied().unwrap_or(0)));
            for c in rest {
                if let Some(s) = state.get_mut(c) {
                    *s = State::Elected;
                }
                out.elected.push(ctx.name(c));
                rec.elected.push(ctx.name(c));
            }
            out.rounds.push(rec);
            break;
        }
        if done || left.is_empty() {
            out.rounds.push(rec);
            break;
        }
        out.rounds.push(rec);
        history.push(votes.clone());
        let mut moved = vec![0i128; n];
        let mut excluded_now = Vec::new();

        pending.retain(|&c| votes.get(c).copied().unwrap_or(0) > quota);
        let (from, factor): (usize, Option<(i128, i128)>) = if pending.is_empty() {
            // Rule 50: exclude the candidate with the fewest votes.
            let low = left
                .iter()
                .map(|&c| votes.get(c).copied().unwrap_or(0))
                .min()
                .unwrap_or(0);
            let tied: Vec<usize> = left
                .iter()
                .copied()
                .filter(|&c| votes.get(c).copied().unwrap_or(0) == low)
                .collect();
            let loser = if tied.len() > 1 {
                let order = ctx.tb.resolve(&tied, &history, round + 1, &mut out.ties)?;
                order.last().copied().unwrap_or(0)
            } else {
                tied.first().copied().unwrap_or(0)
            };
            if let Some(s) = state.get_mut(loser) {
                *s = State::Excluded;
            }
            excluded_now.push(ctx.name(loser));
            (loser, None)
        } else {
            // Rule 49: the largest surplus first.
            let high = pending
                .iter()
                .map(|&c| votes.get(c).copied().unwrap_or(0))
                .max()
                .unwrap_or(0);
            let tied: Vec<usize> = pending
                .iter()
                .copied()
                .filter(|&c| votes.get(c).copied().unwrap_or(0) == high)
                .collect();
            let chosen = if tied.len() > 1 {
                let order = ctx.tb.resolve(&tied, &history, round + 1, &mut out.ties)?;
                order.first().copied().unwrap_or(0)
            } else {
                tied.first().copied().unwrap_or(0)
            };
            pending.retain(|&c| c != chosen);
            (chosen, Some((high - quota, high)))
        };
        let exhausted_before = exhausted;
        // Rule 48 / 50: pass every paper on.
        let papers = piles.get_mut(from).map(std::mem::take).unwrap_or_default();
        for paper in papers {
            let b = paper.ballot as usize;
            let w = i128::from(rb.weight(b));
            let value = match factor {
                Some((surplus, total)) => {
                    i64::try_from(scale.mul_div(i128::from(paper.value), surplus, total)?)
                        .unwrap_or(0)
                }
                None => paper.value,
            };
            let amount = w
                .checked_mul(i128::from(value))
                .ok_or(CountError::Overflow {
                    during: "weighting a transfer",
                })?;
            match next(rb.ranking(b), usize::from(paper.pos) + 1, &state) {
                Some((p, c)) => {
                    if let (Some(pile), Some(v), Some(m)) =
                        (piles.get_mut(c), votes.get_mut(c), moved.get_mut(c))
                    {
                        if value > 0 {
                            pile.push(Paper {
                                ballot: paper.ballot,
                                pos: p as u16,
                                value,
                            });
                        }
                        *v += amount;
                        *m += amount;
                    }
                }
                None => exhausted += amount,
            }
        }
        if let Some((surplus, _)) = factor {
            // What truncation lost is reported with the non-transferable votes, as the official
            // Scottish stage reports do.
            let passed: i128 = moved.iter().sum::<i128>() + exhausted - exhausted_before;
            exhausted += surplus - passed;
        }
        if let Some(v) = votes.get_mut(from) {
            *v = if factor.is_some() { quota } else { 0 };
        }
        rec = Round {
            round: round + 1,
            tallies: snapshot(&state, &votes),
            elected: Vec::new(),
            excluded: excluded_now,
            transfers: moved
                .iter()
                .enumerate()
                .filter(|(_, m)| **m != 0)
                .map(|(c, m)| (ctx.name(c), scale.format(*m)))
                .collect(),
            exhausted: scale.format(exhausted),
            quota: qs.clone(),
        };
    }
    Ok(out)
}

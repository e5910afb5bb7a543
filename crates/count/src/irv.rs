//! Instant-runoff voting: single seat, one exclusion per round.
//!
//! Every ballot counts for its highest-ranked continuing candidate. A candidate with more than
//! half of the votes of continuing candidates (exhausted ballots do not count) is elected.
//! Otherwise the candidate with the fewest votes is excluded, alone (no batch exclusion), and
//! each of their ballots passes to its next continuing preference or is exhausted.

use std::collections::BTreeMap;

use crate::error::CountError;
use crate::outcome::Round;
use crate::{Ctx, Outcome, fmt_int, ranked};

/// A paper in a candidate's pile: the ballot and the position of that candidate in it.
type Paper = (u32, u16);

pub(crate) fn run(ctx: &Ctx<'_>) -> Result<Outcome, CountError> {
    if ctx.seats != 1 {
        return Err(CountError::BadOption {
            option: "--seats",
            problem: "irv fills one seat; use an STV method for more".into(),
        });
    }
    let rb = ranked(ctx)?;
    let n = rb.candidates();
    let mut continuing: Vec<bool> = (0..n).map(|c| !ctx.withdrawn(c)).collect();
    let mut piles: Vec<Vec<Paper>> = vec![Vec::new(); n];
    let mut votes = vec![0i128; n];
    let mut exhausted: i128 = 0;

    let next = |ranking: &[u16], from: usize, continuing: &[bool]| -> Option<(usize, usize)> {
        ranking
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, c)| continuing.get(usize::from(**c)).copied().unwrap_or(false))
            .map(|(p, c)| (p, usize::from(*c)))
    };

    for b in 0..rb.len() {
        let w = i128::from(rb.weight(b));
        match next(rb.ranking(b), 0, &continuing) {
            Some((p, c)) => {
                if let (Some(pile), Some(v)) = (piles.get_mut(c), votes.get_mut(c)) {
                    pile.push((b as u32, p as u16));
                    *v += w;
                }
            }
            None => exhausted += w,
        }
    }

    let mut out = ctx.outcome();
    let mut history: Vec<Vec<i128>> = Vec::new();
    let mut transfers: BTreeMap<String, String> = BTreeMap::new();
    for round in 1.. {
        let live: Vec<usize> = (0..n)
            .filter(|&c| continuing.get(c).copied().unwrap_or(false))
            .collect();
        let total: i128 = live
            .iter()
            .map(|&c| votes.get(c).copied().unwrap_or(0))
            .sum();
        let tallies: BTreeMap<String, String> = live
            .iter()
            .map(|&c| (ctx.name(c), fmt_int(votes.get(c).copied().unwrap_or(0))))
            .collect();
        let mut rec = Round {
            round,
            tallies,
            elected: Vec::new(),
            excluded: Vec::new(),
            transfers: std::mem::take(&mut transfers),
            exhausted: fmt_int(exhausted),
            quota: None,
        };
        let winner = live
            .iter()
            .copied()
            .find(|&c| votes.get(c).copied().unwrap_or(0) * 2 > total);
        let winner = match (winner, live.as_slice()) {
            (Some(w), _) => Some(w),
            (None, [only]) => Some(*only),
            _ => None,
        };
        if let Some(w) = winner {
            rec.elected.push(ctx.name(w));
            out.rounds.push(rec);
            out.elected.push(ctx.name(w));
            break;
        }
        if live.is_empty() {
            out.rounds.push(rec);
            break;
        }
        let low = live
            .iter()
            .map(|&c| votes.get(c).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        let tied: Vec<usize> = live
            .iter()
            .copied()
            .filter(|&c| votes.get(c).copied().unwrap_or(0) == low)
            .collect();
        let loser = if tied.len() > 1 {
            let order = ctx.tb.resolve(&tied, &history, round, &mut out.ties)?;
            order.last().copied().unwrap_or(0)
        } else {
            tied.first().copied().unwrap_or(0)
        };
        history.push(votes.clone());
        rec.excluded.push(ctx.name(loser));
        out.rounds.push(rec);
        if let Some(s) = continuing.get_mut(loser) {
            *s = false;
        }
        let papers = piles.get_mut(loser).map(std::mem::take).unwrap_or_default();
        if let Some(v) = votes.get_mut(loser) {
            *v = 0;
        }
        let mut moved = vec![0i128; n];
        for (b, p) in papers {
            let b = b as usize;
            let w = i128::from(rb.weight(b));
            match next(rb.ranking(b), usize::from(p) + 1, &continuing) {
                Some((p2, c)) => {
                    if let (Some(pile), Some(v), Some(m)) =
                        (piles.get_mut(c), votes.get_mut(c), moved.get_mut(c))
                    {
                        pile.push((b as u32, p2 as u16));
                        *v += w;
                        *m += w;
                    }
                }
                None => exhausted += w,
            }
        }
        transfers = moved
            .iter()
            .enumerate()
            .filter(|(_, m)| **m != 0)
            .map(|(c, m)| (ctx.name(c), fmt_int(*m)))
            .collect();
    }
    Ok(out)
}

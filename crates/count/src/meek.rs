//! Meek STV (B. L. Meek, 1969; the algorithm of Hill, Wichmann and Woodall, Computer Journal
//! 1987, "Algorithm 123"), in our words:
//!
//! Every candidate has a keep factor: 1 while hopeful, 0 once excluded, and for an elected
//! candidate the share of each vote reaching them that they keep. Each ballot starts with weight
//! 1 and walks down its preferences: an elected candidate keeps `weight × keep factor` (rounded
//! up to the working precision) and passes the rest on; the first hopeful candidate takes all
//! that is left; what passes beyond the last preference is excess. The quota is the non-excess
//! vote divided by one more than the seats, truncated, plus the smallest unit. The keep factors
//! of elected candidates are then scaled by `quota / votes` (rounded up) and the distribution is
//! repeated until the total surplus falls below a small limit (10⁻⁶) or stops falling. Hopeful
//! candidates who reach the quota are elected; when nobody does, the hopeful candidate with the
//! fewest votes is excluded. Default precision: 9 decimals.

use std::collections::BTreeMap;

use crate::error::CountError;
use crate::fixed::Scale;
use crate::outcome::Round;
use crate::{Ctx, Outcome, ranked};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hopeful,
    Elected,
    Excluded,
}

/// The most distributions within one stage.
const MAX_ITERATIONS: usize = 100_000;

pub(crate) fn run(ctx: &Ctx<'_>) -> Result<Outcome, CountError> {
    let rb = ranked(ctx)?;
    let n = rb.candidates();
    let scale = Scale::new(ctx.opts.decimals.unwrap_or(9))?;
    let unit = scale.unit();
    let omega = (unit / 1_000_000).max(1);
    let seats = i128::try_from(ctx.seats).unwrap_or(i128::MAX);
    let mut state: Vec<State> = (0..n)
        .map(|c| {
            if ctx.withdrawn(c) {
                State::Excluded
            } else {
                State::Hopeful
            }
        })
        .collect();
    let mut keep: Vec<i128> = state
        .iter()
        .map(|s| if *s == State::Excluded { 0 } else { unit })
        .collect();
    let mut total: i128 = 0;
    for (w, _) in rb.iter() {
        total += i128::from(w);
    }
    let total = scale.from_int(total)?;

    let mut out = ctx.outcome();
    let mut history: Vec<Vec<i128>> = Vec::new();
    let mut votes = vec![0i128; n];
    for round in 1.. {
        // Distribute until converged (or a hopeful candidate reaches the quota).
        let mut quota;
        let mut excess;
        let mut last_surplus: Option<i128> = None;
        let mut iterations = 0;
        loop {
            iterations += 1;
            votes.iter_mut().for_each(|v| *v = 0);
            excess = 0i128;
            for (w, ranking) in rb.iter() {
                let w = i128::from(w);
                let mut left = unit;
                for &c in ranking {
                    let c = usize::from(c);
                    match state.get(c) {
                        Some(State::Hopeful) => {
                            if let Some(v) = votes.get_mut(c) {
                                *v += w * left;
                            }
                            left = 0;
                            break;
                        }
                        Some(State::Elected) => {
                            let k = keep.get(c).copied().unwrap_or(0);
                            let take = scale.mul_up(left, k)?.min(left);
                            if let Some(v) = votes.get_mut(c) {
                                *v += w * take;
                            }
                            left -= take;
                            if left == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                excess += w * left;
            }
            quota = (total - excess) / (seats + 1) + scale.epsilon();
            let reached = (0..n).any(|c| {
                state.get(c) == Some(&State::Hopeful) && votes.get(c).copied().unwrap_or(0) >= quota
            });
            let surplus: i128 = (0..n)
                .filter(|&c| state.get(c) == Some(&State::Elected))
                .map(|c| (votes.get(c).copied().unwrap_or(0) - quota).max(0))
                .sum();
            let stuck = last_surplus.is_some_and(|s| surplus >= s);
            if reached || surplus < omega || stuck || iterations >= MAX_ITERATIONS {
                break;
            }
            last_surplus = Some(surplus);
            for c in 0..n {
                if state.get(c) == Some(&State::Elected) {
                    let v = votes.get(c).copied().unwrap_or(0);
                    if let Some(k) = keep.get_mut(c) {
                        if v > 0 {
                            let num = k.checked_mul(quota).ok_or(CountError::Overflow {
                                during: "updating a keep factor",
                            })?;
                            *k = (num / v + i128::from(num % v != 0)).min(unit);
                        }
                    }
                }
            }
        }
        let mut rec = Round {
            round,
            tallies: (0..n)
                .filter(|&c| state.get(c) != Some(&State::Excluded))
                .map(|c| {
                    (
                        ctx.name(c),
                        scale.format(votes.get(c).copied().unwrap_or(0)),
                    )
                })
                .collect(),
            elected: Vec::new(),
            excluded: Vec::new(),
            transfers: BTreeMap::new(),
            exhausted: scale.format(excess),
            quota: Some(scale.format(quota)),
        };
        let mut newly: Vec<usize> = (0..n)
            .filter(|&c| {
                state.get(c) == Some(&State::Hopeful) && votes.get(c).copied().unwrap_or(0) >= quota
            })
            .collect();
        newly.sort_by_key(|&c| std::cmp::Reverse(votes.get(c).copied().unwrap_or(0)));
        for c in newly.iter().copied() {
            if out.elected.len() >= ctx.seats {
                break;
            }
            if let Some(s) = state.get_mut(c) {
                *s = State::Elected;
            }
            out.elected.push(ctx.name(c));
            rec.elected.push(ctx.name(c));
        }
        let hopefuls: Vec<usize> = (0..n)
            .filter(|&c| state.get(c) == Some(&State::Hopeful))
            .collect();
        if out.elected.len() >= ctx.seats || hopefuls.is_empty() {
            out.rounds.push(rec);
            break;
        }
        if hopefuls.len() + out.elected.len() <= ctx.seats {
            let mut rest = hopefuls;
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
        if newly.is_empty() {
            let low = hopefuls
                .iter()
                .map(|&c| votes.get(c).copied().unwrap_or(0))
                .min()
                .unwrap_or(0);
            let tied: Vec<usize> = hopefuls
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
            if let Some(s) = state.get_mut(loser) {
                *s = State::Excluded;
            }
            if let Some(k) = keep.get_mut(loser) {
                *k = 0;
            }
            rec.excluded.push(ctx.name(loser));
        }
        history.push(votes.clone());
        out.rounds.push(rec);
    }
    Ok(out)
}

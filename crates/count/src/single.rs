//! Single-round methods: plurality, two-round (first round), SNTV with reserved seats, approval.

use std::collections::BTreeMap;

use crate::ballots::{BallotData, Gender};
use crate::error::CountError;
use crate::outcome::{ReservedShortfall, Round};
use crate::{Ctx, Method, Outcome, ReservedRule, fmt_int};

/// Each candidate's total: the given totals, each ballot's first (non-withdrawn) preference, or
/// for approval every candidate a ballot lists.
fn tallies(ctx: &Ctx<'_>) -> Vec<i128> {
    let n = ctx.ballots.candidates().len();
    match ctx.ballots.data() {
        BallotData::Counts(v) => v.iter().map(|&x| i128::from(x)).collect(),
        BallotData::Ranked(rb) => {
            let mut t = vec![0i128; n];
            for (w, ranking) in rb.iter() {
                if ctx.method == Method::Approval {
                    for &c in ranking {
                        if let Some(slot) = t.get_mut(usize::from(c)) {
                            *slot += i128::from(w);
                        }
                    }
                } else if let Some(&c) = ranking.iter().find(|&&c| !ctx.withdrawn(usize::from(c))) {
                    if let Some(slot) = t.get_mut(usize::from(c)) {
                        *slot += i128::from(w);
                    }
                }
            }
            t
        }
    }
}

pub(crate) fn run(ctx: &Ctx<'_>) -> Result<Outcome, CountError> {
    let votes = tallies(ctx);
    let score = |c: usize| votes.get(c).copied().unwrap_or(0);
    let pool: Vec<usize> = (0..votes.len()).filter(|&c| !ctx.withdrawn(c)).collect();
    let mut out = ctx.outcome();
    let mut ties = Vec::new();
    let elected: Vec<usize> = match ctx.method {
        Method::TwoRound => {
            if ctx.seats != 1 {
                return Err(CountError::BadOption {
                    option: "--seats",
                    problem: "two-round fills one seat".into(),
                });
            }
            let total: i128 = votes.iter().sum();
            // An absolute majority of valid votes (more than half) elects; at most one
            // candidate can have one, so no tie can arise here.
            match pool.iter().copied().find(|&c| score(c) * 2 > total) {
                Some(w) => vec![w],
                None => {
                    let top = ctx.tb.top_k(&pool, &score, 2, &[], 1, &mut ties)?;
                    out.runoff = Some(ctx.names(&top));
                    Vec::new()
                }
            }
        }
        Method::Sntv if ctx.opts.reserved > 0 => {
            sntv_reserved(ctx, &pool, &score, &mut out, &mut ties)?
        }
        _ => ctx.tb.top_k(&pool, &score, ctx.seats, &[], 1, &mut ties)?,
    };
    out.elected = ctx.names(&elected);
    out.rounds = vec![Round {
        round: 1,
        tallies: pool
            .iter()
            .map(|&c| (ctx.name(c), fmt_int(score(c))))
            .collect(),
        elected: out.elected.clone(),
        excluded: Vec::new(),
        transfers: BTreeMap::new(),
        exhausted: "0".into(),
        quota: None,
    }];
    out.ties = ties;
    Ok(out)
}

/// SNTV with `reserved` seats for women (count-cli.md `--reserved`, design.md §4).
///
/// `reserve-first` (minimum by replacement, as the Afghan Independent Election Commission
/// applied it from 2005 to 2018): the `reserved` best-placed women are elected first, then the
/// remaining seats go to the best-placed of all remaining candidates. `open-then-extra`: the
/// `seats − reserved` open seats go to the best-placed candidates of either gender, then the
/// `reserved` best-placed remaining women. Either way exactly `seats` candidates are elected:
/// when too few women stand, the reserved seats they cannot fill go to the best-placed remaining
/// candidates and the outcome reports `reserved_shortfall`. Ties at any boundary are broken by
/// the tie-break criteria and recorded.
fn sntv_reserved(
    ctx: &Ctx<'_>,
    pool: &[usize],
    score: &dyn Fn(usize) -> i128,
    out: &mut Outcome,
    ties: &mut Vec<crate::TieRecord>,
) -> Result<Vec<usize>, CountError> {
    let reserved = ctx.opts.reserved;
    if reserved > ctx.seats {
        return Err(CountError::BadOption {
            option: "--reserved",
            problem: format!("{reserved} reserved seats but only {} seats", ctx.seats),
        });
    }
    let is_woman = |c: usize| {
        ctx.ballots
            .candidates()
            .get(c)
            .is_some_and(|c| c.gender == Some(Gender::Female))
    };
    let without = |from: &[usize], taken: &[usize]| -> Vec<usize> {
        from.iter()
            .copied()
            .filter(|c| !taken.contains(c))
            .collect()
    };
    let women: Vec<usize> = pool.iter().copied().filter(|&c| is_woman(c)).collect();
    let (mut chosen, filled) = match ctx.opts.reserved_rule {
        ReservedRule::ReserveFirst => {
            let w = ctx.tb.top_k(&women, score, reserved, &[], 1, ties)?;
            let filled = w.len();
            let rest = without(pool, &w);
            let others = ctx
                .tb
                .top_k(&rest, score, ctx.seats - w.len(), &[], 1, ties)?;
            let mut all = w;
            all.extend(others);
            (all, filled)
        }
        ReservedRule::OpenThenExtra => {
            let open = ctx
                .tb
                .top_k(pool, score, ctx.seats - reserved, &[], 1, ties)?;
            let extra_pool = without(&women, &open);
            let extra = ctx.tb.top_k(&extra_pool, score, reserved, &[], 1, ties)?;
            let filled = extra.len();
            let mut all = open;
            all.extend(extra);
            let rest = without(pool, &all);
            let fill = ctx
                .tb
                .top_k(&rest, score, ctx.seats - all.len(), &[], 1, ties)?;
            all.extend(fill);
            (all, filled)
        }
    };
    if filled < reserved {
        out.reserved_shortfall = Some(ReservedShortfall { reserved, filled });
    }
    // In order of votes; candidates with equal votes keep the order of selection.
    chosen.sort_by_key(|&c| std::cmp::Reverse(score(c)));
    Ok(chosen)
}

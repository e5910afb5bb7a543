//! The Schulze method, winning votes (the strength of a defeat is the number of voters who
//! prefer its winner, as in the vote-counting appendix of the Debian constitution).
//!
//! `d[a][b]` is the number of voters who rank `a` strictly above `b`; a candidate a ballot leaves
//! out ranks equal to the other unranked ones and below every ranked one, and equal rankings
//! (`a=b`) count for neither side. A defeat of `b` by `a` (`d[a][b] > d[b][a]`) has strength
//! `d[a][b]` (winning votes). The strength of the strongest path `p[a][b]` is the widest path
//! through defeats (Floyd–Warshall). `a` ranks above `b` when `p[a][b] > p[b][a]`; this relation
//! is transitive, so candidates are ordered by how many others they rank above, and `--seats N`
//! returns the first N of that order. Candidates with equal standing are a tie.

use std::collections::BTreeMap;

use crate::error::CountError;
use crate::outcome::Round;
use crate::{Ctx, Outcome, fmt_int, ranked};

pub(crate) fn run(ctx: &Ctx<'_>) -> Result<Outcome, CountError> {
    let rb = ranked(ctx)?;
    let n = rb.candidates();
    let pool: Vec<usize> = (0..n).filter(|&c| !ctx.withdrawn(c)).collect();
    let at = |i: usize, j: usize| i * n + j;
    let mut d = vec![0i128; n * n];
    let mut rank = vec![usize::MAX; n];
    for b in 0..rb.len() {
        let w = i128::from(rb.weight(b));
        rank.iter_mut().for_each(|r| *r = usize::MAX);
        for (g, group) in rb.groups(b).iter().enumerate() {
            for &c in group {
                if let Some(r) = rank.get_mut(usize::from(c)) {
                    *r = g;
                }
            }
        }
        for &i in &pool {
            let ri = rank.get(i).copied().unwrap_or(usize::MAX);
            if ri == usize::MAX {
                continue;
            }
            for &j in &pool {
                if ri < rank.get(j).copied().unwrap_or(usize::MAX) {
                    if let Some(x) = d.get_mut(at(i, j)) {
                        *x += w;
                    }
                }
            }
        }
    }
    let get = |m: &[i128], i: usize, j: usize| m.get(at(i, j)).copied().unwrap_or(0);
    let mut p = vec![0i128; n * n];
    for &i in &pool {
        for &j in &pool {
            if i != j && get(&d, i, j) > get(&d, j, i) {
                if let Some(x) = p.get_mut(at(i, j)) {
                    *x = get(&d, i, j);
                }
            }
        }
    }
    for &k in &pool {
        for &i in &pool {
            if i == k {
                continue;
            }
            let pik = get(&p, i, k);
            if pik == 0 {
                continue;
            }
            for &j in &pool {
                if j == i || j == k {
                    continue;
                }
                let via = pik.min(get(&p, k, j));
                if let Some(x) = p.get_mut(at(i, j)) {
                    if via > *x {
                        *x = via;
                    }
                }
            }
        }
    }
    let wins: Vec<i128> = (0..n)
        .map(|i| {
            pool.iter()
                .filter(|&&j| j != i && get(&p, i, j) > get(&p, j, i))
                .count() as i128
        })
        .collect();
    let score = |c: usize| wins.get(c).copied().unwrap_or(0);
    let mut out = ctx.outcome();
    let mut ties = Vec::new();
    let elected = ctx.tb.top_k(&pool, &score, ctx.seats, &[], 1, &mut ties)?;
    out.elected = ctx.names(&elected);
    out.ties = ties;
    // One round: how many candidates each one ranks above in the Schulze order.
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
    Ok(out)
}

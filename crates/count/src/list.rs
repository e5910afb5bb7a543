//! Party-list seat allocation and apportionment of seats to units.
//!
//! - Highest averages: each seat in turn goes to the party with the highest quotient
//!   `votes / divisor(seats so far)`; divisors are 1, 2, 3, … (D'Hondt), 1, 3, 5, …
//!   (Sainte-Laguë) or 1.4, 3, 5, … (modified Sainte-Laguë, as in Norway and Sweden).
//! - Huntington–Hill (US House since 1941, 2 U.S.C. §2a): every unit first gets one seat, then
//!   each seat goes to the highest priority `population / √(n(n+1))`; compared exactly as
//!   `population² / (n(n+1))`.
//! - Largest remainder: each party gets the whole number of quotas its votes contain, and the
//!   seats left go to the largest remainders. Hare quota: votes / seats (exact fraction); Droop
//!   quota: ⌊votes / (seats + 1)⌋ + 1.
//!
//! Modifiers:
//! - `--threshold PCT`: parties below PCT % of the valid votes get no seat and do not enter the
//!   computation;
//! - `--base-seats N`: every unit first gets N seats outright and the method shares the rest
//!   (Spain's Congress of Deputies: 2 per province, Organic Law 5/1985 art. 162);
//! - `--min-seats N`: Afghan Election Law 2016, art. 49, as we read it: a unit whose exact share
//!   of the seats (`seats × population / total population`) falls below N gets N seats; those
//!   units and their seats are set aside, the share of every other unit is recomputed over the
//!   remaining population and seats, and so on until no further unit falls below N; the method
//!   then shares the remaining seats among the remaining units.
//!
//! All comparisons are exact integer cross-multiplications; no floating point.

use std::collections::BTreeMap;

use crate::ballots::BallotData;
use crate::error::CountError;
use crate::{Ctx, Method, Outcome, TieRecord};

/// A quotient `num / den`; `den == 0` stands for +infinity.
#[derive(Debug, Clone, Copy)]
struct Quotient {
    num: u128,
    den: u128,
}

fn cmp_q(a: Quotient, b: Quotient) -> Result<std::cmp::Ordering, CountError> {
    use std::cmp::Ordering;
    Ok(match (a.den == 0, b.den == 0) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            let ov = || CountError::Overflow {
                during: "comparing quotients",
            };
            let l = a.num.checked_mul(b.den).ok_or_else(ov)?;
            let r = b.num.checked_mul(a.den).ok_or_else(ov)?;
            l.cmp(&r)
        }
    })
}

fn quotient(method: Method, v: u128, n: u64) -> Result<Quotient, CountError> {
    let n = u128::from(n);
    let ov = || CountError::Overflow {
        during: "computing a quotient",
    };
    Ok(match method {
        Method::SainteLague => Quotient {
            num: v,
            den: 2 * n + 1,
        },
        Method::ModifiedSainteLague => {
            if n == 0 {
                Quotient {
                    num: v.checked_mul(5).ok_or_else(ov)?,
                    den: 7,
                }
            } else {
                Quotient {
                    num: v,
                    den: 2 * n + 1,
                }
            }
        }
        Method::HuntingtonHill => Quotient {
            num: v.checked_mul(v).ok_or_else(ov)?,
            den: n * (n + 1),
        },
        _ => Quotient { num: v, den: n + 1 },
    })
}

pub(crate) fn run(ctx: &Ctx<'_>) -> Result<Outcome, CountError> {
    let BallotData::Counts(counts) = ctx.ballots.data() else {
        return Err(CountError::WrongBallots {
            method: ctx.method.name(),
            given: "ranked ballots",
            needs: "party votes or unit populations (CSV)",
        });
    };
    let seats = u64::try_from(ctx.seats).unwrap_or(u64::MAX);
    let total: u128 = counts.iter().map(|&v| u128::from(v)).sum();
    let mut units: Vec<(usize, u128)> = counts
        .iter()
        .enumerate()
        .filter(|(c, _)| !ctx.withdrawn(*c))
        .map(|(c, &v)| (c, u128::from(v)))
        .collect();
    if let Some(t) = ctx.opts.threshold {
        units.retain(|&(_, v)| t.reached(v, total));
    }
    if units.is_empty() || units.iter().all(|&(_, v)| v == 0) {
        return Err(CountError::BadOption {
            option: "--threshold",
            problem:
                "no party or unit is eligible for a seat (no votes, or none reaches the threshold)"
                    .into(),
        });
    }
    let mut ties = Vec::new();
    let mut alloc: BTreeMap<usize, u64> = BTreeMap::new();
    let n_units = u64::try_from(units.len()).unwrap_or(u64::MAX);
    match (ctx.opts.base_seats, ctx.opts.min_seats) {
        (Some(_), Some(_)) => {
            return Err(CountError::BadOption {
                option: "--base-seats",
                problem: "cannot be combined with --min-seats (two different rules)".into(),
            });
        }
        (Some(base), None) => {
            let given = base
                .checked_mul(n_units)
                .filter(|&g| g <= seats)
                .ok_or_else(|| CountError::BadOption {
                    option: "--base-seats",
                    problem: format!(
                        "{base} seats for each of {n_units} units exceed the {seats} seats"
                    ),
                })?;
            let rest = allocate(ctx, &units, seats - given, &mut ties)?;
            for &(c, _) in &units {
                alloc.insert(c, base + rest.get(&c).copied().unwrap_or(0));
            }
        }
        (None, Some(min)) => {
            if min.checked_mul(n_units).is_none_or(|g| g > seats) {
                return Err(CountError::BadOption {
                    option: "--min-seats",
                    problem: format!(
                        "{min} seats for each of {n_units} units exceed the {seats} seats"
                    ),
                });
            }
            let mut remaining = units.clone();
            let mut left = seats;
            loop {
                let pop: u128 = remaining.iter().map(|&(_, v)| v).sum();
                let below: Vec<usize> = remaining
                    .iter()
                    .filter(|&&(_, v)| v * u128::from(left) < u128::from(min) * pop)
                    .map(|&(c, _)| c)
                    .collect();
                if below.is_empty() {
                    break;
                }
                for c in below {
                    alloc.insert(c, min);
                    left -= min;
                    remaining.retain(|&(u, _)| u != c);
                }
            }
            if !remaining.is_empty() {
                let rest = allocate(ctx, &remaining, left, &mut ties)?;
                alloc.extend(rest);
            }
        }
        (None, None) => alloc = allocate(ctx, &units, seats, &mut ties)?,
    }
    let mut out = ctx.outcome();
    out.allocation = Some(
        (0..counts.len())
            .map(|c| (ctx.name(c), alloc.get(&c).copied().unwrap_or(0)))
            .collect(),
    );
    out.ties = ties;
    Ok(out)
}

/// Share `seats` among `units` (`(candidate, votes)`) with the context's method.
fn allocate(
    ctx: &Ctx<'_>,
    units: &[(usize, u128)],
    seats: u64,
    ties: &mut Vec<TieRecord>,
) -> Result<BTreeMap<usize, u64>, CountError> {
    let mut alloc: BTreeMap<usize, u64> = units.iter().map(|&(c, _)| (c, 0)).collect();
    match ctx.method {
        Method::HareLr | Method::DroopLr => {
            let total: u128 = units.iter().map(|&(_, v)| v).sum();
            let s = u128::from(seats);
            // remainder_i / den is each unit's fractional quota left over.
            let mut rems: Vec<(usize, u128)> = Vec::new();
            let mut given: u64 = 0;
            for &(c, v) in units {
                let (whole, rem) = if ctx.method == Method::HareLr {
                    ((v * s) / total, (v * s) % total)
                } else {
                    let q = total / (s + 1) + 1;
                    (v / q, v % q)
                };
                let whole = u64::try_from(whole).unwrap_or(u64::MAX);
                alloc.insert(c, whole);
                given = given.saturating_add(whole);
                rems.push((c, rem));
            }
            let mut left = seats.saturating_sub(given);
            while left > 0 {
                let pool: Vec<usize> = rems.iter().map(|&(c, _)| c).collect();
                let score = |c: usize| -> i128 {
                    rems.iter()
                        .find(|&&(u, _)| u == c)
                        .map(|&(_, r)| i128::try_from(r).unwrap_or(i128::MAX))
                        .unwrap_or(0)
                };
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(pool.len());
                let winners = ctx.tb.top_k(&pool, &score, take, &[], 1, ties)?;
                for c in winners {
                    if let Some(a) = alloc.get_mut(&c) {
                        *a += 1;
                    }
                    left -= 1;
                }
            }
        }
        _ => {
            let mut left = seats;
            while left > 0 {
                let mut best: Vec<usize> = Vec::new();
                let mut best_q: Option<Quotient> = None;
                for &(c, v) in units {
                    let q = quotient(ctx.method, v, alloc.get(&c).copied().unwrap_or(0))?;
                    match best_q.map(|b| cmp_q(q, b)).transpose()? {
                        None | Some(std::cmp::Ordering::Greater) => {
                            best = vec![c];
                            best_q = Some(q);
                        }
                        Some(std::cmp::Ordering::Equal) => best.push(c),
                        Some(std::cmp::Ordering::Less) => {}
                    }
                }
                let n_best = u64::try_from(best.len()).unwrap_or(u64::MAX);
                let winners = if n_best <= left {
                    best
                } else {
                    let order = ctx.tb.resolve(&best, &[], 1, ties)?;
                    order
                        .into_iter()
                        .take(usize::try_from(left).unwrap_or(usize::MAX))
                        .collect()
                };
                for c in winners {
                    if let Some(a) = alloc.get_mut(&c) {
                        *a += 1;
                    }
                    left -= 1;
                }
            }
        }
    }
    Ok(alloc)
}

//! Properties that hold for every input, checked on random inputs.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use sanduq_count::{Ballots, Candidate, Count, Method, Options, RankedBallots};

const NAMES: [&str; 7] = ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus"];

/// Ballots as (weight, ranking) over `n` candidates.
fn ballots(n: usize) -> impl Strategy<Value = Vec<(u64, Vec<usize>)>> {
    let ballot = (
        1u64..6,
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        1..=n,
    )
        .prop_map(|(w, perm, len)| (w, perm[..len].to_vec()));
    prop::collection::vec(ballot, 1..25)
}

fn build(n: usize, names: &[&str], bs: &[(u64, Vec<usize>)]) -> Ballots {
    let mut rb = RankedBallots::new(n);
    for (w, r) in bs {
        rb.push(*w, r).unwrap();
    }
    let cands = names[..n].iter().map(|s| Candidate::named(*s)).collect();
    Ballots::from_ranked(cands, rb).unwrap()
}

fn run(method: Method, seats: usize, b: &Ballots) -> sanduq_count::Outcome {
    let opts = Options {
        seats,
        ..Options::default()
    };
    Count::run(&method, b, &opts).unwrap()
}

const RANKED: [(Method, usize); 5] = [
    (Method::Irv, 1),
    (Method::StvScottish, 2),
    (Method::StvWigm, 2),
    (Method::StvMeek, 2),
    (Method::Schulze, 2),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The order in which ballots are given changes nothing (ties included: the lot depends on
    /// names only, and earlier-round tallies do not depend on ballot order).
    #[test]
    fn ballot_order_is_irrelevant(
        (n, bs, shuffled) in (3usize..6).prop_flat_map(|n| ballots(n).prop_flat_map(move |bs| {
            let s = Just(bs.clone()).prop_shuffle();
            (Just(n), Just(bs), s)
        }))
    ) {
        let a = build(n, &NAMES, &bs);
        let b = build(n, &NAMES, &shuffled);
        for (m, seats) in RANKED {
            prop_assert_eq!(run(m, seats, &a).elected, run(m, seats, &b).elected, "{}", m);
        }
    }

    /// Renumbering the candidates (same names, different positions in the file) does not change
    /// who is elected, when no tie was met.
    #[test]
    fn relabelling_is_irrelevant(
        (n, bs, perm) in (3usize..6).prop_flat_map(|n| (
            Just(n),
            ballots(n),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        ))
    ) {
        let a = build(n, &NAMES, &bs);
        // Candidate i of `a` becomes candidate perm[i] of `b`.
        let mut names2 = vec![""; n];
        for i in 0..n {
            names2[perm[i]] = NAMES[i];
        }
        let bs2: Vec<(u64, Vec<usize>)> =
            bs.iter().map(|(w, r)| (*w, r.iter().map(|&c| perm[c]).collect())).collect();
        let b = build(n, &names2, &bs2);
        for (m, seats) in RANKED {
            let (x, y) = (run(m, seats, &a), run(m, seats, &b));
            if x.ties.is_empty() && y.ties.is_empty() {
                let sx: BTreeSet<_> = x.elected.iter().collect();
                let sy: BTreeSet<_> = y.elected.iter().collect();
                prop_assert_eq!(sx, sy, "{}", m);
            }
        }
    }

    /// A candidate ranked first by more than half of the voters wins IRV.
    #[test]
    fn majority_winner_wins_irv(n in 3usize..6, bs in ballots(5), extra in 1u64..4) {
        let bs: Vec<(u64, Vec<usize>)> = bs
            .into_iter()
            .map(|(w, r)| (w, r.into_iter().filter(|&c| c < n).collect::<Vec<_>>()))
            .collect();
        let others: u64 = bs.iter().map(|(w, _)| *w).sum();
        let mut all = bs;
        all.push((others + extra, vec![n - 1]));
        let out = run(Method::Irv, 1, &build(n, &NAMES, &all));
        prop_assert_eq!(out.elected, vec![NAMES[n - 1].to_owned()]);
    }

    /// A Condorcet winner (beats every other candidate head to head) wins Schulze.
    #[test]
    fn condorcet_winner_wins_schulze((n, bs) in (3usize..6).prop_flat_map(|n| (Just(n), ballots(n)))) {
        // Head-to-head counts, computed here independently: unranked candidates are below ranked.
        let mut d = vec![vec![0u64; n]; n];
        for (w, r) in &bs {
            for (i, &a) in r.iter().enumerate() {
                for b in 0..n {
                    if b != a && !r[..i].contains(&b) {
                        d[a][b] += w;
                    }
                }
            }
        }
        let winner = (0..n).find(|&a| (0..n).all(|b| b == a || d[a][b] > d[b][a]));
        if let Some(w) = winner {
            let out = run(Method::Schulze, 1, &build(n, &NAMES, &bs));
            prop_assert_eq!(out.elected, vec![NAMES[w].to_owned()]);
        }
    }

    /// Every list and apportionment method hands out exactly the seats.
    #[test]
    fn list_methods_allocate_every_seat(
        votes in prop::collection::vec(1u64..1_000_000, 1..8),
        extra in 0usize..120,
    ) {
        let seats = votes.len() + extra;
        let cands: Vec<Candidate> =
            (0..votes.len()).map(|i| Candidate::named(format!("P{i}"))).collect();
        let b = Ballots::from_counts(cands, votes).unwrap();
        for m in [
            Method::DHondt,
            Method::SainteLague,
            Method::ModifiedSainteLague,
            Method::HareLr,
            Method::DroopLr,
            Method::HuntingtonHill,
        ] {
            let out = run(m, seats, &b);
            let total: u64 = out.allocation.unwrap().values().sum();
            prop_assert_eq!(total, seats as u64, "{}", m);
        }
    }

    /// With `--min-seats m`, every unit gets at least m seats and all seats are handed out.
    #[test]
    fn min_seats_respected(
        pops in prop::collection::vec(1u64..10_000_000, 1..12),
        min in 1u64..4,
        extra in 0u64..100,
    ) {
        let units = pops.len() as u64;
        let seats = units * min + extra;
        let cands: Vec<Candidate> =
            (0..pops.len()).map(|i| Candidate::named(format!("U{i}"))).collect();
        let b = Ballots::from_counts(cands, pops).unwrap();
        for m in [Method::HareLr, Method::DroopLr, Method::DHondt, Method::SainteLague] {
            let opts = Options { seats: seats as usize, min_seats: Some(min), ..Options::default() };
            let alloc = Count::run(&m, &b, &opts).unwrap().allocation.unwrap();
            prop_assert_eq!(alloc.values().sum::<u64>(), seats, "{}", m);
            prop_assert!(alloc.values().all(|&s| s >= min), "{}: {:?}", m, alloc);
        }
    }
}

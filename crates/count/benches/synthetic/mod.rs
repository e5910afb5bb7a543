//! Deterministic synthetic ranked ballots for benchmarks: 20 candidates in 5 parties of 4 (of
//! unequal strength), voters who start with a candidate of their party, tend to stay with the party, then drift to any
//! candidate by popularity, and stop after a random number of preferences (1 to all 20, about 4
//! on average). A million ballots give hundreds of thousands of distinct rankings.

use sanduq_count::{Ballots, Candidate, RankedBallots};

/// SplitMix64: a small, fixed, portable generator, so that every run sees the same ballots.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

pub const CANDIDATES: usize = 20;
const PARTIES: usize = 5;

/// `count` ballots of weight 1 over 20 candidates.
pub fn ballots(count: usize, seed: u64) -> Ballots {
    let mut rng = SplitMix(seed);
    // Popularity of each candidate (integer weights), and of each party.
    let popularity: Vec<u64> = (0..CANDIDATES as u64)
        .map(|c| 40 + (c * 37 % 23) * 9 + if c % 4 == 0 { 120 } else { 0 })
        .collect();
    let party_weight: [u64; PARTIES] = [34, 27, 19, 12, 8];
    let party = |c: usize| c / (CANDIDATES / PARTIES);
    let mut rb = RankedBallots::new(CANDIDATES);
    let mut ranking: Vec<usize> = Vec::with_capacity(CANDIDATES);
    let mut used = [false; CANDIDATES];
    for _ in 0..count {
        ranking.clear();
        used.iter_mut().for_each(|u| *u = false);
        let mut r = rng.below(party_weight.iter().sum());
        let mut p = 0;
        for (i, w) in party_weight.iter().enumerate() {
            if r < *w {
                p = i;
                break;
            }
            r -= w;
        }
        loop {
            // Stay with the party with probability 0.7 while it has candidates left.
            let stay = rng.below(10) < 7;
            // The first preference is a candidate of the voter's party.
            let first = ranking.is_empty();
            let only_party = first || stay;
            let pick =
                |c: usize, used: &[bool; CANDIDATES]| !used[c] && (!only_party || party(c) == p);
            let mut total: u64 = (0..CANDIDATES)
                .filter(|&c| pick(c, &used))
                .map(|c| popularity[c])
                .sum();
            let mut only_party = only_party;
            if total == 0 {
                only_party = false;
                total = (0..CANDIDATES)
                    .filter(|&c| !used[c])
                    .map(|c| popularity[c])
                    .sum();
            }
            if total == 0 {
                break;
            }
            let mut r = rng.below(total);
            let mut chosen = 0;
            for c in 0..CANDIDATES {
                let ok = !used[c] && (!only_party || party(c) == p);
                if !ok {
                    continue;
                }
                if r < popularity[c] {
                    chosen = c;
                    break;
                }
                r -= popularity[c];
            }
            used[chosen] = true;
            ranking.push(chosen);
            // Stop after this preference with probability 1/4.
            if rng.below(4) == 0 || ranking.len() == CANDIDATES {
                break;
            }
        }
        rb.push(1, &ranking).expect("valid ranking");
    }
    let names = (0..CANDIDATES)
        .map(|c| Candidate::named(format!("Candidate {:02} (P{})", c + 1, party(c) + 1)))
        .collect();
    Ballots::from_ranked(names, rb).expect("valid ballots")
}

//! Candidates and ballots, built in memory or parsed from a file.
//!
//! Ranked ballots are stored compactly: one flat array of 16-bit candidate numbers, an offset
//! per ballot and a weight per ballot, so that a million ballots take a few tens of megabytes.
//! Identical ballots can be merged ([`RankedBallots::aggregate`]); every method counts an
//! aggregated ballot of weight `w` exactly as `w` separate ballots.

use std::collections::BTreeMap;

use crate::error::CountError;

/// The largest number of candidates a ranked ballot can refer to.
pub const MAX_RANKED_CANDIDATES: usize = u16::MAX as usize;

/// A candidate's gender, as the `gender` column gives it (`f` or `m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gender {
    /// `f`: counts towards reserved women's seats.
    Female,
    /// `m`.
    Male,
}

/// One candidate (or party, or apportionment unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The name exactly as in the input.
    pub name: String,
    /// The gender, when the input gives one.
    pub gender: Option<Gender>,
    /// Withdrawn before the count: never elected, skipped on every ballot.
    pub withdrawn: bool,
    /// Further columns (tie-break criteria such as `education`), raw text by column name.
    pub attributes: BTreeMap<String, String>,
}

impl Candidate {
    /// A candidate with only a name.
    pub fn named(name: impl Into<String>) -> Self {
        Candidate {
            name: name.into(),
            gender: None,
            withdrawn: false,
            attributes: BTreeMap::new(),
        }
    }
}

/// Ranked (or approval) ballots: each ballot is an ordered list of rank groups; a group of more
/// than one candidate is an equal ranking (`a=b` in BLT).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankedBallots {
    candidates: usize,
    weights: Vec<u64>,
    /// `offsets[i]..offsets[i+1]` is ballot `i` in `prefs`.
    offsets: Vec<u32>,
    prefs: Vec<u16>,
    /// Parallel to `prefs`, present only when some ballot has an equal ranking: `true` when the
    /// entry is ranked equal to the entry before it.
    equal: Option<Vec<bool>>,
}

impl RankedBallots {
    /// No ballots yet, for `candidates` candidates.
    pub fn new(candidates: usize) -> Self {
        RankedBallots {
            candidates,
            weights: Vec::new(),
            offsets: vec![0],
            prefs: Vec::new(),
            equal: None,
        }
    }

    /// Add a ballot of `weight` identical papers ranking `ranking` (0-based candidate numbers,
    /// most preferred first).
    pub fn push(&mut self, weight: u64, ranking: &[usize]) -> Result<(), CountError> {
        self.check(ranking.iter().copied())?;
        for &c in ranking {
            self.prefs.push(to_u16(c));
        }
        if let Some(eq) = self.equal.as_mut() {
            eq.extend(ranking.iter().map(|_| false));
        }
        self.finish(weight)
    }

    /// Add a ballot whose rank groups may hold several candidates ranked equal.
    pub fn push_groups(&mut self, weight: u64, groups: &[Vec<usize>]) -> Result<(), CountError> {
        self.check(groups.iter().flatten().copied())?;
        let has_equal = groups.iter().any(|g| g.len() > 1);
        if has_equal && self.equal.is_none() {
            self.equal = Some(vec![false; self.prefs.len()]);
        }
        for g in groups {
            for (i, &c) in g.iter().enumerate() {
                self.prefs.push(to_u16(c));
                if let Some(eq) = self.equal.as_mut() {
                    eq.push(i > 0);
                }
            }
        }
        self.finish(weight)
    }

    fn check(&self, it: impl Iterator<Item = usize>) -> Result<(), CountError> {
        let ballot = self.weights.len();
        let mut seen = vec![false; self.candidates];
        for c in it {
            match seen.get_mut(c) {
                None => {
                    return Err(CountError::UnknownCandidate {
                        ballot,
                        candidate: c,
                        count: self.candidates,
                    });
                }
                Some(s) if *s => {
                    return Err(CountError::DuplicateRanking {
                        ballot,
                        candidate: format!("number {}", c + 1),
                    });
                }
                Some(s) => *s = true,
            }
        }
        Ok(())
    }

    fn finish(&mut self, weight: u64) -> Result<(), CountError> {
        let end = u32::try_from(self.prefs.len()).map_err(|_| CountError::Overflow {
            during: "storing ballots (more than 4 billion preferences)",
        })?;
        self.offsets.push(end);
        self.weights.push(weight);
        Ok(())
    }

    /// The number of candidates these ballots refer to.
    pub fn candidates(&self) -> usize {
        self.candidates
    }

    /// The number of stored (possibly aggregated) ballots.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// No ballots at all.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Whether some ballot has an equal ranking; the 0-based index of the first such ballot.
    pub fn first_equal_ranking(&self) -> Option<usize> {
        let eq = self.equal.as_ref()?;
        let pos = eq.iter().position(|&e| e)?;
        // The ballot whose range holds `pos`.
        let b = self.offsets.partition_point(|&o| (o as usize) <= pos);
        Some(b.saturating_sub(1))
    }

    /// The weight of ballot `i`.
    pub fn weight(&self, i: usize) -> u64 {
        self.weights.get(i).copied().unwrap_or(0)
    }

    /// The candidates of ballot `i` in order (equal rankings flattened).
    pub fn ranking(&self, i: usize) -> &[u16] {
        let (Some(&a), Some(&b)) = (self.offsets.get(i), self.offsets.get(i + 1)) else {
            return &[];
        };
        self.prefs.get(a as usize..b as usize).unwrap_or(&[])
    }

    /// The rank groups of ballot `i` (each inner list is one rank, most preferred first).
    pub fn groups(&self, i: usize) -> Vec<Vec<u16>> {
        let (Some(&a), Some(&b)) = (self.offsets.get(i), self.offsets.get(i + 1)) else {
            return Vec::new();
        };
        let mut out: Vec<Vec<u16>> = Vec::new();
        for p in a as usize..b as usize {
            let c = self.prefs.get(p).copied().unwrap_or(0);
            let eq = self
                .equal
                .as_ref()
                .and_then(|e| e.get(p).copied())
                .unwrap_or(false);
            match out.last_mut() {
                Some(last) if eq => last.push(c),
                _ => out.push(vec![c]),
            }
        }
        out
    }

    /// Iterate over `(weight, ranking)`.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u16])> + '_ {
        (0..self.len()).map(|i| (self.weight(i), self.ranking(i)))
    }

    /// Merge identical ballots, adding their weights; ballots of weight 0 are dropped. The
    /// merged ballots keep the order in which each distinct ballot first appeared.
    ///
    /// Identical ballots are found by sorting, not hashing, so the time is O(n log n) whatever
    /// the ballots are (no input can provoke hash collisions). Short ballots over at most 31
    /// candidates, the usual case, are packed into one 128-bit key first, which makes the sort
    /// several times faster.
    pub fn aggregate(&self) -> Result<RankedBallots, CountError> {
        let live = (0..self.len()).filter(|&i| self.weight(i) > 0);
        let packable = self.equal.is_none()
            && self.candidates <= 31
            && (0..self.len()).all(|i| self.ranking(i).len() <= 25);
        // (first index, total weight) of each distinct ballot.
        let mut groups: Vec<(usize, u64)> = Vec::new();
        let add = |groups: &mut Vec<(usize, u64)>, same: bool, i: usize| {
            let w = self.weight(i);
            match groups.last_mut() {
                Some(last) if same => {
                    last.1 = last.1.checked_add(w).ok_or(CountError::Overflow {
                        during: "adding ballot weights",
                    })?;
                }
                _ => groups.push((i, w)),
            }
            Ok::<(), CountError>(())
        };
        if packable {
            let mut keys: Vec<(u128, u32)> = live
                .map(|i| {
                    let key = self
                        .ranking(i)
                        .iter()
                        .fold(0u128, |k, &c| (k << 5) | u128::from(c + 1));
                    (key, i as u32)
                })
                .collect();
            keys.sort_unstable();
            let mut prev = None;
            for (key, i) in keys {
                add(&mut groups, prev == Some(key), i as usize)?;
                prev = Some(key);
            }
        } else {
            let mut idx: Vec<usize> = live.collect();
            let content = |i: usize| (self.ranking(i), self.equal_slice(i));
            idx.sort_unstable_by(|&a, &b| content(a).cmp(&content(b)).then(a.cmp(&b)));
            let mut prev: Option<usize> = None;
            for i in idx {
                add(
                    &mut groups,
                    prev.is_some_and(|p| content(p) == content(i)),
                    i,
                )?;
                prev = Some(i);
            }
        }
        groups.sort_unstable_by_key(|&(first, _)| first);
        let mut out = RankedBallots::new(self.candidates);
        if self.equal.is_some() {
            out.equal = Some(Vec::new());
        }
        out.weights.reserve(groups.len());
        out.offsets.reserve(groups.len());
        for (i, w) in groups {
            out.prefs.extend_from_slice(self.ranking(i));
            if let Some(eq) = out.equal.as_mut() {
                eq.extend_from_slice(self.equal_slice(i));
            }
            out.finish(w)?;
        }
        Ok(out)
    }

    fn equal_slice(&self, i: usize) -> &[bool] {
        match (&self.equal, self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(e), Some(&a), Some(&b)) => e.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

fn to_u16(c: usize) -> u16 {
    // `check` has verified c < candidates <= MAX_RANKED_CANDIDATES.
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// What was voted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotData {
    /// One total per candidate (single-mark results, party votes, unit populations).
    Counts(Vec<u64>),
    /// Ranked or approval ballots.
    Ranked(RankedBallots),
}

/// The candidates and the ballots of one contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballots {
    candidates: Vec<Candidate>,
    data: BallotData,
}

impl Ballots {
    /// Totals per candidate (`counts[i]` belongs to `candidates[i]`).
    pub fn from_counts(candidates: Vec<Candidate>, counts: Vec<u64>) -> Result<Self, CountError> {
        if counts.len() != candidates.len() {
            return Err(CountError::BadOption {
                option: "counts",
                problem: format!(
                    "{} totals for {} candidates",
                    counts.len(),
                    candidates.len()
                ),
            });
        }
        check_names(&candidates)?;
        Ok(Ballots {
            candidates,
            data: BallotData::Counts(counts),
        })
    }

    /// Ranked ballots over `candidates`.
    pub fn from_ranked(
        candidates: Vec<Candidate>,
        ballots: RankedBallots,
    ) -> Result<Self, CountError> {
        if ballots.candidates() != candidates.len() {
            return Err(CountError::BadOption {
                option: "ballots",
                problem: format!(
                    "ballots are for {} candidates, {} candidates given",
                    ballots.candidates(),
                    candidates.len()
                ),
            });
        }
        if candidates.len() > MAX_RANKED_CANDIDATES {
            return Err(CountError::BadOption {
                option: "ballots",
                problem: format!("more than {MAX_RANKED_CANDIDATES} candidates"),
            });
        }
        check_names(&candidates)?;
        Ok(Ballots {
            candidates,
            data: BallotData::Ranked(ballots),
        })
    }

    /// The candidates.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The ballots.
    pub fn data(&self) -> &BallotData {
        &self.data
    }

    pub(crate) fn name(&self, c: usize) -> &str {
        self.candidates
            .get(c)
            .map(|c| c.name.as_str())
            .unwrap_or("?")
    }
}

fn check_names(candidates: &[Candidate]) -> Result<(), CountError> {
    let mut seen = std::collections::BTreeSet::new();
    for c in candidates {
        if !seen.insert(c.name.as_str()) {
            return Err(CountError::DuplicateName {
                name: c.name.clone(),
            });
        }
    }
    Ok(())
}

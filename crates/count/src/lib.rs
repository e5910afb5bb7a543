//! The counting engine of sanduq: one entry point, [`Count::run`], for every electoral method the
//! system supports, from single-mark plurality to Scottish STV, with a round-by-round report and a
//! record of every tie.
//!
//! The crate does no I/O. Ballots are built in memory ([`Ballots::from_counts`],
//! [`Ballots::from_ranked`] with [`RankedBallots`]) or parsed from text ([`parse::blt`],
//! [`parse::csv`]); the [`Outcome`] serialises to the JSON of the `sanduq count` contract.
//!
//! Arithmetic is exact: integers for every method that counts whole votes or seats, and a
//! truncating decimal fixed-point ([`fixed::Scale`]) where a statute prescribes one (STV).
//!
//! ```
//! use sanduq_count::{Ballots, Candidate, Count, Method, Options, RankedBallots};
//! let names = ["Ann", "Bob", "Cy"].map(Candidate::named).to_vec();
//! let mut rb = RankedBallots::new(3);
//! rb.push(4, &[0, 1]).unwrap();
//! rb.push(3, &[1, 0]).unwrap();
//! rb.push(2, &[2, 1]).unwrap();
//! let ballots = Ballots::from_ranked(names, rb).unwrap();
//! let out = Count::run(&Method::Irv, &ballots, &Options::default()).unwrap();
//! assert_eq!(out.elected, ["Bob"]); // Cy excluded, Cy's 2 go to Bob: 5 > 4
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

mod ballots;
mod error;
pub mod fixed;
mod gregory;
mod irv;
mod list;
mod meek;
mod outcome;
pub mod parse;
mod schulze;
mod single;
mod tie;

use std::fmt;
use std::str::FromStr;

pub use ballots::{BallotData, Ballots, Candidate, Gender, MAX_RANKED_CANDIDATES, RankedBallots};
pub use error::{CountError, ParseError};
pub use outcome::{Outcome, ReservedShortfall, Round, TieRecord};
pub use tie::{TieCriterion, lot_key, parse_criteria};

use tie::TieBreaker;

/// An electoral method (the names are those of `--method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Most votes wins (`--seats N`: the N with most votes).
    Plurality,
    /// A majority of valid votes wins; otherwise the top two go to a run-off.
    TwoRound,
    /// Single non-transferable vote, with optional reserved seats for women.
    Sntv,
    /// The N candidates with the most approvals.
    Approval,
    /// Instant-runoff: one exclusion per round until a majority of continuing votes.
    Irv,
    /// STV under the Scottish Local Government Elections Order 2007 (rules 45–52).
    StvScottish,
    /// Meek STV.
    StvMeek,
    /// Weighted inclusive Gregory STV.
    StvWigm,
    /// D'Hondt highest averages (divisors 1, 2, 3, ...).
    DHondt,
    /// Sainte-Laguë (divisors 1, 3, 5, ...).
    SainteLague,
    /// Modified Sainte-Laguë (divisors 1.4, 3, 5, ...).
    ModifiedSainteLague,
    /// Largest remainder with the Hare quota (votes / seats).
    HareLr,
    /// Largest remainder with the Droop quota (floor(votes / (seats + 1)) + 1).
    DroopLr,
    /// Huntington–Hill (equal proportions), as for the US House.
    HuntingtonHill,
    /// Schulze, winning votes.
    Schulze,
}

const METHODS: [(Method, &str); 15] = [
    (Method::Plurality, "plurality"),
    (Method::TwoRound, "two-round"),
    (Method::Sntv, "sntv"),
    (Method::Approval, "approval"),
    (Method::Irv, "irv"),
    (Method::StvScottish, "stv-scottish"),
    (Method::StvMeek, "stv-meek"),
    (Method::StvWigm, "stv-wigm"),
    (Method::DHondt, "dhondt"),
    (Method::SainteLague, "sainte-lague"),
    (Method::ModifiedSainteLague, "modified-sainte-lague"),
    (Method::HareLr, "hare-lr"),
    (Method::DroopLr, "droop-lr"),
    (Method::HuntingtonHill, "huntington-hill"),
    (Method::Schulze, "schulze"),
];

impl Method {
    /// The name used on the command line and in the output.
    pub fn name(self) -> &'static str {
        METHODS
            .iter()
            .find(|(m, _)| *m == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    /// All methods, in the order of the contract.
    pub fn all() -> impl Iterator<Item = Method> {
        METHODS.iter().map(|(m, _)| *m)
    }

    /// What input the method reads.
    pub fn input(self) -> InputKind {
        match self {
            Method::Irv
            | Method::StvScottish
            | Method::StvMeek
            | Method::StvWigm
            | Method::Schulze => InputKind::Ranked,
            Method::Plurality | Method::TwoRound | Method::Sntv => InputKind::SingleMark,
            Method::Approval => InputKind::Approval,
            Method::DHondt
            | Method::SainteLague
            | Method::ModifiedSainteLague
            | Method::HareLr
            | Method::DroopLr
            | Method::HuntingtonHill => InputKind::List,
        }
    }

    /// Whether equal rankings (`a=b`) are defined for the method.
    pub fn accepts_equal_rankings(self) -> bool {
        self == Method::Schulze
    }

    /// The default tie-break criteria: `backward,lot` for STV and IRV, `lot` otherwise.
    pub fn default_tie_break(self) -> Vec<TieCriterion> {
        match self {
            Method::Irv | Method::StvScottish | Method::StvMeek | Method::StvWigm => {
                vec![TieCriterion::Backward, TieCriterion::Lot]
            }
            _ => vec![TieCriterion::Lot],
        }
    }

    /// The default number of decimals of the fixed-point arithmetic, for STV methods.
    pub fn default_decimals(self) -> Option<u32> {
        match self {
            Method::StvScottish => Some(5),
            Method::StvMeek => Some(9),
            Method::StvWigm => Some(6),
            _ => None,
        }
    }
}

/// The kind of input a method reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Ranked ballots (BLT).
    Ranked,
    /// Candidate totals (CSV), or ranked ballots whose first preferences count (BLT).
    SingleMark,
    /// Approval ballots (BLT layout).
    Approval,
    /// Party votes or unit populations (CSV).
    List,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = CountError;
    fn from_str(s: &str) -> Result<Self, CountError> {
        METHODS
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(m, _)| *m)
            .ok_or_else(|| CountError::BadOption {
                option: "--method",
                problem: format!(
                    "unknown method {s:?}; known: {}",
                    METHODS.map(|(_, n)| n).join(", ")
                ),
            })
    }
}

/// How reserved seats for women are filled under SNTV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReservedRule {
    /// The N best-placed women are elected first, then the remaining seats go to the best-placed
    /// of all remaining candidates (minimum by replacement, as applied in Afghanistan 2005–2018).
    #[default]
    ReserveFirst,
    /// Seats − N open seats go to the best-placed of either gender, then the N best-placed
    /// remaining women.
    OpenThenExtra,
}

impl FromStr for ReservedRule {
    type Err = CountError;
    fn from_str(s: &str) -> Result<Self, CountError> {
        match s {
            "reserve-first" => Ok(ReservedRule::ReserveFirst),
            "open-then-extra" => Ok(ReservedRule::OpenThenExtra),
            _ => Err(CountError::BadOption {
                option: "--reserved-rule",
                problem: format!("{s:?} is neither reserve-first nor open-then-extra"),
            }),
        }
    }
}

/// A percentage given as an exact decimal (`5`, `3.5`): `num / den` percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent {
    num: u128,
    den: u128,
}

impl Percent {
    /// Whether `part` out of `whole` reaches this percentage (`part / whole >= pct / 100`).
    pub fn reached(self, part: u128, whole: u128) -> bool {
        // part * 100 * den >= num * whole, computed without overflow for realistic figures.
        match (
            part.checked_mul(100).and_then(|x| x.checked_mul(self.den)),
            self.num.checked_mul(whole),
        ) {
            (Some(a), Some(b)) => a >= b,
            _ => false,
        }
    }
}

impl FromStr for Percent {
    type Err = CountError;
    fn from_str(s: &str) -> Result<Self, CountError> {
        let bad = || CountError::BadOption {
            option: "--threshold",
            problem: format!("{s:?} is not a percentage between 0 and 100"),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty()
            || frac.len() > 12
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || int.len() > 3
        {
            return Err(bad());
        }
        let den = 10u128.pow(u32::try_from(frac.len()).map_err(|_| bad())?);
        let num: u128 = format!("{int}{frac}").parse().map_err(|_| bad())?;
        if num > 100 * den {
            return Err(bad());
        }
        Ok(Percent { num, den })
    }
}

/// Options of a count (the flags of `sanduq count`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Seats to fill.
    pub seats: usize,
    /// List methods: the share of valid votes a party needs for any seat.
    pub threshold: Option<Percent>,
    /// Apportionment: every unit whose share is below this many seats gets this many, and the
    /// others share the rest, recomputed (Afghan Election Law 2016, art. 49).
    pub min_seats: Option<u64>,
    /// Apportionment: seats every unit gets outright before the method shares the rest.
    pub base_seats: Option<u64>,
    /// SNTV: seats reserved for women.
    pub reserved: usize,
    /// SNTV: how reserved seats are filled.
    pub reserved_rule: ReservedRule,
    /// Tie-break criteria; `None` = the method's default.
    pub tie_break: Option<Vec<TieCriterion>>,
    /// Seed bytes of the lot.
    pub seed: Vec<u8>,
    /// Decimals of the fixed-point arithmetic (STV); `None` = the method's default.
    pub decimals: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seats: 1,
            threshold: None,
            min_seats: None,
            base_seats: None,
            reserved: 0,
            reserved_rule: ReservedRule::ReserveFirst,
            tie_break: None,
            seed: vec![0],
            decimals: None,
        }
    }
}

/// The shared state of one count.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub ballots: &'a Ballots,
    pub opts: &'a Options,
    pub seats: usize,
    pub method: Method,
    pub tb: TieBreaker<'a>,
}

impl Ctx<'_> {
    pub(crate) fn name(&self, c: usize) -> String {
        self.ballots.name(c).to_owned()
    }

    pub(crate) fn names(&self, cs: &[usize]) -> Vec<String> {
        cs.iter().map(|&c| self.name(c)).collect()
    }

    pub(crate) fn outcome(&self) -> Outcome {
        Outcome {
            method: self.method.name().to_owned(),
            seats: self.seats,
            elected: Vec::new(),
            allocation: None,
            runoff: None,
            reserved_shortfall: None,
            rounds: Vec::new(),
            ties: Vec::new(),
        }
    }

    pub(crate) fn withdrawn(&self, c: usize) -> bool {
        self.ballots
            .candidates()
            .get(c)
            .is_some_and(|c| c.withdrawn)
    }
}

/// The counting engine.
#[derive(Debug, Clone, Copy)]
pub struct Count;

impl Count {
    /// Count `ballots` with `method` under `options`.
    pub fn run(
        method: &Method,
        ballots: &Ballots,
        options: &Options,
    ) -> Result<Outcome, CountError> {
        count(*method, ballots, options)
    }
}

/// Count `ballots` with `method` under `options` (the same as [`Count::run`]).
pub fn count(method: Method, ballots: &Ballots, options: &Options) -> Result<Outcome, CountError> {
    let default_tb = method.default_tie_break();
    let criteria = options.tie_break.as_deref().unwrap_or(&default_tb);
    for crit in criteria {
        if let TieCriterion::Column(col) = crit {
            let known = ballots
                .candidates()
                .iter()
                .all(|c| c.attributes.contains_key(col));
            if !known {
                return Err(CountError::UnknownTieBreakColumn {
                    column: col.clone(),
                });
            }
        }
    }
    if options.reserved > 0 && method != Method::Sntv {
        return Err(CountError::BadOption {
            option: "--reserved",
            problem: format!("applies to sntv only, not {method}"),
        });
    }
    let list = method.input() == InputKind::List;
    let misplaced = [
        ("--threshold", options.threshold.is_some() && !list),
        ("--min-seats", options.min_seats.is_some() && !list),
        ("--base-seats", options.base_seats.is_some() && !list),
        (
            "--decimals",
            options.decimals.is_some() && method.default_decimals().is_none(),
        ),
    ];
    if let Some((option, _)) = misplaced.iter().find(|(_, bad)| *bad) {
        return Err(CountError::BadOption {
            option,
            problem: format!("does not apply to {method}"),
        });
    }
    if options.seats == 0 {
        return Err(CountError::BadOption {
            option: "--seats",
            problem: "at least one seat is needed".into(),
        });
    }
    if let BallotData::Ranked(rb) = ballots.data() {
        if !method.accepts_equal_rankings() {
            if let Some(b) = rb.first_equal_ranking() {
                return Err(CountError::EqualRankings { ballot: b });
            }
        }
    }
    // Identical ranked ballots are merged first: every method counts a ballot of weight w as w
    // ballots, and real elections repeat the same short rankings many times.
    let aggregated;
    let ballots = match ballots.data() {
        BallotData::Ranked(rb) => {
            aggregated = Ballots::from_ranked(ballots.candidates().to_vec(), rb.aggregate()?)?;
            &aggregated
        }
        BallotData::Counts(_) => ballots,
    };
    let ctx = Ctx {
        ballots,
        opts: options,
        seats: options.seats,
        method,
        tb: TieBreaker {
            criteria,
            seed: &options.seed,
            ballots,
        },
    };
    match method {
        Method::Plurality | Method::TwoRound | Method::Sntv | Method::Approval => single::run(&ctx),
        Method::Irv => irv::run(&ctx),
        Method::StvScottish | Method::StvWigm => gregory::run(&ctx),
        Method::StvMeek => meek::run(&ctx),
        Method::Schulze => schulze::run(&ctx),
        Method::DHondt
        | Method::SainteLague
        | Method::ModifiedSainteLague
        | Method::HareLr
        | Method::DroopLr
        | Method::HuntingtonHill => list::run(&ctx),
    }
}

pub(crate) fn ranked<'a>(ctx: &Ctx<'a>) -> Result<&'a RankedBallots, CountError> {
    match ctx.ballots.data() {
        BallotData::Ranked(rb) => Ok(rb),
        BallotData::Counts(_) => Err(CountError::WrongBallots {
            method: ctx.method.name(),
            given: "vote totals",
            needs: "ranked ballots (BLT)",
        }),
    }
}

pub(crate) fn fmt_int(v: i128) -> String {
    v.to_string()
}

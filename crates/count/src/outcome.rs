//! The result of a count, serialisable to the JSON of the `sanduq count` contract.

use std::collections::BTreeMap;

use serde::Serialize;

/// The result of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The method's name as on the command line (`stv-scottish`, ...).
    pub method: String,
    /// The number of seats filled.
    pub seats: usize,
    /// Elected names exactly as in the input, in order of election (reserved-seat SNTV: in
    /// order of votes). Empty for list methods and for a two-round count that goes to a run-off.
    pub elected: Vec<String>,
    /// Seats per party or unit (list and apportionment methods only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation: Option<BTreeMap<String, u64>>,
    /// The two candidates of the run-off (two-round only, when nobody has a majority).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runoff: Option<Vec<String>>,
    /// Reserved seats that no eligible candidate could fill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_shortfall: Option<ReservedShortfall>,
    /// Round by round (every method that has rounds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rounds: Vec<Round>,
    /// Every tie that affected the result, and how it was broken.
    pub ties: Vec<TieRecord>,
}

/// Reserved seats asked for and filled by eligible candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReservedShortfall {
    /// Seats reserved.
    pub reserved: usize,
    /// Seats filled by eligible candidates.
    pub filled: usize,
}

/// One round (stage) of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    /// 1-based.
    pub round: usize,
    /// Votes of every candidate still in the count (and those elected), as decimal text.
    pub tallies: BTreeMap<String, String>,
    /// Elected in this round.
    pub elected: Vec<String>,
    /// Excluded in this round.
    pub excluded: Vec<String>,
    /// Votes received in this round from the transfer, per candidate.
    pub transfers: BTreeMap<String, String>,
    /// Votes that could not be transferred, cumulative (for Gregory STV including the
    /// fractions of a vote lost to truncation, as official stage reports count them; for Meek,
    /// the excess).
    pub exhausted: String,
    /// The quota, for methods that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
}

/// One tie and how it was broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TieRecord {
    /// The round in which it arose (1 for methods without rounds).
    pub round: usize,
    /// The tied candidates.
    pub candidates: Vec<String>,
    /// The criterion that decided it (`backward`, `forward`, a column name, `lot`).
    pub resolved_by: String,
    /// The candidate favoured (elected, or kept from exclusion).
    pub favoured: String,
}

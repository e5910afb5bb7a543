//! Decimal fixed-point numbers for the fractional transfers of STV.
//!
//! The statutes fix the arithmetic: the Scottish Local Government Elections Order 2007, rule 48,
//! computes transfer values "to five decimal places (any remainder being ignored)"; Meek's method
//! is normally run with 9 decimals and weighted inclusive Gregory with 6. A count must reproduce
//! the official figures digit for digit, so every operation truncates to the chosen number of
//! decimals exactly as the rule text says, never rounds to the nearest value.
//!
//! The type is written here rather than taken from a big-decimal crate because the whole of what
//! is needed is small (add, subtract, one multiply-then-divide with truncation, round-up for
//! Meek's keep factors, printing) and must behave exactly as described above; a general decimal
//! library brings its own rounding modes and precision rules that would then have to be audited.
//! An `i128` holds 38 digits: with 9 decimals that leaves 29 integer digits, far beyond any
//! electorate even after multiplying two values together, and every operation is checked.

use crate::error::CountError;

/// The scale of a count: how many decimals every fixed-point value carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    decimals: u32,
    unit: i128,
}

/// The largest number of decimals accepted.
pub const MAX_DECIMALS: u32 = 18;

impl Scale {
    /// A scale with `decimals` digits after the point (at most [`MAX_DECIMALS`]).
    pub fn new(decimals: u32) -> Result<Self, CountError> {
        if decimals > MAX_DECIMALS {
            return Err(CountError::BadOption {
                option: "--decimals",
                problem: format!("{decimals} is more than the {MAX_DECIMALS} supported"),
            });
        }
        Ok(Scale {
            decimals,
            unit: 10i128.pow(decimals),
        })
    }

    /// Digits after the point.
    pub fn decimals(self) -> u32 {
        self.decimals
    }

    /// The raw value of 1.
    pub fn unit(self) -> i128 {
        self.unit
    }

    /// The smallest positive value, 10^-decimals, as a raw value.
    pub fn epsilon(self) -> i128 {
        1
    }

    /// The raw value of a whole number.
    pub fn from_int(self, n: i128) -> Result<i128, CountError> {
        n.checked_mul(self.unit).ok_or(CountError::Overflow {
            during: "scaling a vote total",
        })
    }

    /// `a * b / c`, truncated towards zero, all raw values of this scale (the result has the
    /// scale of `a`). This is the single operation of the Scottish rule 48(3): value of the paper
    /// times the surplus, divided by the candidate's total.
    pub fn mul_div(self, a: i128, b: i128, c: i128) -> Result<i128, CountError> {
        let p = a.checked_mul(b).ok_or(CountError::Overflow {
            during: "multiplying a transfer value",
        })?;
        p.checked_div(c).ok_or(CountError::Overflow {
            during: "dividing a transfer value",
        })
    }

    /// `a * b` of two scaled values, truncated.
    pub fn mul(self, a: i128, b: i128) -> Result<i128, CountError> {
        self.mul_div(a, b, self.unit)
    }

    /// `a * b` of two scaled values, rounded up (towards +infinity) to the scale.
    pub fn mul_up(self, a: i128, b: i128) -> Result<i128, CountError> {
        self.div_up_raw(
            a.checked_mul(b).ok_or(CountError::Overflow {
                during: "multiplying a keep factor",
            })?,
            self.unit,
        )
    }

    /// `a / b` of two scaled values, rounded up to the scale.
    pub fn div_up(self, a: i128, b: i128) -> Result<i128, CountError> {
        let n = a.checked_mul(self.unit).ok_or(CountError::Overflow {
            during: "dividing a keep factor",
        })?;
        self.div_up_raw(n, b)
    }

    fn div_up_raw(self, n: i128, d: i128) -> Result<i128, CountError> {
        if d <= 0 {
            return Err(CountError::Overflow {
                during: "dividing by a non-positive value",
            });
        }
        let q = n.div_euclid(d);
        Ok(if n.rem_euclid(d) == 0 { q } else { q + 1 })
    }

    /// The decimal text of a raw value, with exactly `decimals` digits after the point.
    pub fn format(self, raw: i128) -> String {
        if self.decimals == 0 {
            return raw.to_string();
        }
        let sign = if raw < 0 { "-" } else { "" };
        let abs = raw.unsigned_abs();
        let unit = self.unit.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / unit,
            abs % unit,
            width = self.decimals as usize
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn truncates_like_rule_48() {
        // 1.00000 * 236.00000 / 1914.00000 = 0.1233019... -> 0.12330 (5 decimals, remainder ignored)
        let s = Scale::new(5).unwrap();
        let v = s.mul_div(100_000, 23_600_000, 191_400_000).unwrap();
        assert_eq!(s.format(v), "0.12330");
    }

    #[test]
    fn rounds_up_for_keep_factors() {
        let s = Scale::new(3).unwrap();
        // 1/3 rounded up to 3 decimals is 0.334
        assert_eq!(s.div_up(1000, 3000).unwrap(), 334);
        assert_eq!(s.mul_up(500, 333).unwrap(), 167); // 0.1665 -> 0.167
        assert_eq!(s.format(-1500), "-1.500");
    }
}

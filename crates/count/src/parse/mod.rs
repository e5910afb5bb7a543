//! Parsers for the input formats of `sanduq count`: BLT (ranked and approval ballots) and CSV
//! (candidate totals, party votes, unit populations). They read from memory; every error names
//! the input, the line and the problem.

mod blt;
mod csv;

pub use blt::{Blt, blt};
pub use csv::{Csv, CsvKind, csv};

use crate::error::ParseError;

/// Decode UTF-8 (dropping a byte-order mark), naming the line of the first invalid byte.
fn utf8<'a>(origin: &str, input: &'a [u8]) -> Result<&'a str, ParseError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    std::str::from_utf8(input).map_err(|e| {
        let line = input
            .get(..e.valid_up_to())
            .map(|b| b.iter().filter(|&&c| c == b'\n').count() + 1)
            .unwrap_or(1);
        ParseError::new(origin, line, "not valid UTF-8")
    })
}

//! One line of a record's `ballots.jsonl`: the canonical-JSON reader never panics, and what it
//! accepts re-encodes to the same bytes; every contest of an accepted line decodes or is
//! refused without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_record::wire::{BallotLine, from_canonical, to_canonical};

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = from_canonical::<BallotLine>("fuzz", data) {
        let again = to_canonical(&line).expect("an accepted line encodes");
        assert_eq!(again, data, "one accepted encoding per ballot line");
        for c in &line.ballot.contests {
            let _ = sanduq_record::protocol::contest_from_wire(c);
        }
    }
});

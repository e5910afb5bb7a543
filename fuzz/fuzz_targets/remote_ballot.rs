//! A remote ballot's content: parsing never panics, and an accepted ballot re-encodes to its
//! bytes; its contests decode or are refused without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_board::credentials::RemoteBallot;

fuzz_target!(|data: &[u8]| {
    if let Ok((b, _key)) = RemoteBallot::parse(data) {
        assert_eq!(b.to_bytes(), data, "one accepted encoding per remote ballot");
        for c in &b.contests {
            let _ = sanduq_record::protocol::contest_from_wire(c);
        }
    }
});

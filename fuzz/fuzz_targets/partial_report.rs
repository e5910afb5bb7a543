//! A signed partial verification report: parsing never panics, and an accepted report
//! re-encodes to its bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_record::partition::SignedPartial;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = SignedPartial::from_bytes("fuzz", data) {
        assert_eq!(p.to_bytes().expect("an accepted report encodes"), data);
    }
});

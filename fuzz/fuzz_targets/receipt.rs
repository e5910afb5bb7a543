//! A voter's receipt file: parsing never panics, and an accepted receipt re-encodes to the
//! same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_board::receipt::Receipt;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Receipt::parse(data) {
        assert_eq!(r.to_bytes(), data, "one accepted encoding per receipt");
    }
});

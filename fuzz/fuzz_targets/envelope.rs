//! A board entry envelope: parsing never panics, and an accepted envelope is canonical
//! (its bytes are exactly the input).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_board::envelope::Envelope;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = Envelope::parse(data) {
        assert_eq!(e.as_bytes(), data, "one accepted encoding per envelope");
    }
});

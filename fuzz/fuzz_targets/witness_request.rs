//! A tlog-witness add-checkpoint request body: parsing never panics, and an accepted request
//! re-encodes to its bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_tlog::witness::AddCheckpointRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = AddCheckpointRequest::parse(data) {
        assert_eq!(r.to_bytes(), data, "one accepted encoding per request");
    }
});

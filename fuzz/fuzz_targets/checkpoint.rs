//! A signed tlog checkpoint: parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_tlog::checkpoint::SignedCheckpoint;

fuzz_target!(|data: &[u8]| {
    let _ = SignedCheckpoint::parse(data);
});

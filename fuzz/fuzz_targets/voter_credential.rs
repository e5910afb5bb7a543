//! A voter's secret credential file: parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_board::credentials::VoterCredential;

fuzz_target!(|data: &[u8]| {
    let _ = VoterCredential::parse(data);
});

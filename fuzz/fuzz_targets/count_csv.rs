//! A CSV ballot file: the parser never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sanduq_count::parse::csv("fuzz.csv", data);
});

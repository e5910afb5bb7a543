//! An election manifest (TOML): parsing and validation never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_election::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Manifest::parse(text);
    }
});

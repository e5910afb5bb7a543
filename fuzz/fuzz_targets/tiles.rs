//! tlog-tiles: tile paths, hash tiles and entry bundles never panic the parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_tlog::tiles::{TilePath, parse_entry_bundle, parse_hash_tile};

fuzz_target!(|data: &[u8]| {
    let _ = parse_entry_bundle(data, None);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(path) = TilePath::parse(text) {
            let _ = parse_hash_tile(&path, data);
        }
    }
});

//! A C2SP signed note: parsing never panics, and an accepted note re-encodes to its bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_tlog::signed_note::Note;

fuzz_target!(|data: &[u8]| {
    if let Ok(n) = Note::parse(data) {
        assert_eq!(n.to_bytes(), data, "one accepted encoding per note");
    }
});

//! A published voter-credential list: parsing never panics, and an accepted list re-encodes
//! to its bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_board::credentials::CredentialList;

fuzz_target!(|data: &[u8]| {
    if let Ok(l) = CredentialList::parse(data) {
        assert_eq!(l.to_bytes(), data, "one accepted encoding per list");
    }
});

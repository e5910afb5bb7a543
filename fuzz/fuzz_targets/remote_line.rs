//! A line of a record's `remote.jsonl`: parsing never panics; an accepted line re-encodes to
//! its bytes, and rebuilding its entry (signature, tracking code) never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_record::remote::RemoteLine;
use sanduq_record::wire::{from_canonical, to_canonical};

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = from_canonical::<RemoteLine>("fuzz", data) {
        assert_eq!(
            to_canonical(&line).ok().as_deref(),
            Some(data),
            "one accepted encoding per line"
        );
        let _ = line.envelope(&[7; 32]);
    }
});

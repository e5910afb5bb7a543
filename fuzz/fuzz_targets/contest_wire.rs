//! An encrypted contest in the crypto core's wire form: decoding never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sanduq_crypto::wire::ContestWire;

fuzz_target!(|data: &[u8]| {
    if let Ok(w) = serde_json::from_slice::<ContestWire>(data) {
        let _ = w.parse();
    }
});

//! Confirmation codes chained per polling-station device (`docs/spec/record.md` §4).
//!
//! ```text
//! code_0      = H("device-chain-start", fingerprint, device)
//! code_i      = H("confirmation-code",  fingerprint, device, code_{i−1}, ballot bytes_i)
//! closing     = H("device-chain-close", fingerprint, device, code_n, u64_be(n))
//! ```
//!
//! `H` is `sanduq_crypto::transcript::hash256` (SHA-256 over length-prefixed values after
//! `lp("sanduq/0.1") ‖ lp(tag)`), and the ballot bytes are the canonical JSON of the
//! ballot's body (device, sequence number, station, voter group, encrypted contests). A
//! device works offline; once its ballots are uploaded, the closing value published with
//! them shows whether any ballot was withheld, added or reordered.

use sanduq_crypto::transcript::hash256;

/// Domain tag of the chain's starting value.
pub const TAG_CHAIN_START: &str = "device-chain-start";
/// Domain tag of a confirmation code.
pub const TAG_CONFIRMATION_CODE: &str = "confirmation-code";
/// Domain tag of the chain's closing value.
pub const TAG_CHAIN_CLOSE: &str = "device-chain-close";

/// The value a device's chain starts from.
#[must_use]
pub fn chain_start(fingerprint: &[u8; 32], device: &str) -> [u8; 32] {
    hash256(TAG_CHAIN_START, &[fingerprint, device.as_bytes()])
}

/// The confirmation code of a ballot, chained to the previous code of its device.
#[must_use]
pub fn confirmation_code(
    fingerprint: &[u8; 32],
    device: &str,
    previous: &[u8; 32],
    ballot_bytes: &[u8],
) -> [u8; 32] {
    hash256(
        TAG_CONFIRMATION_CODE,
        &[fingerprint, device.as_bytes(), previous, ballot_bytes],
    )
}

/// The closing value of a device's chain after `count` ballots, the last code `last`
/// (the start value when there are none).
#[must_use]
pub fn chain_close(fingerprint: &[u8; 32], device: &str, last: &[u8; 32], count: u64) -> [u8; 32] {
    hash256(
        TAG_CHAIN_CLOSE,
        &[fingerprint, device.as_bytes(), last, &count.to_be_bytes()],
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use sha2::{Digest, Sha256};

    fn lp(out: &mut Vec<u8>, v: &[u8]) {
        out.extend_from_slice(&u32::try_from(v.len()).unwrap().to_be_bytes());
        out.extend_from_slice(v);
    }

    #[test]
    fn code_is_the_framed_sha256_of_the_spec() {
        // The framing written out by hand from the module documentation.
        let fp = [9u8; 32];
        let prev = [1u8; 32];
        let mut framed = Vec::new();
        lp(&mut framed, b"sanduq/0.1");
        lp(&mut framed, b"confirmation-code");
        lp(&mut framed, &fp);
        lp(&mut framed, b"dev-1");
        lp(&mut framed, &prev);
        lp(&mut framed, b"{}");
        let expected: [u8; 32] = Sha256::digest(&framed).into();
        assert_eq!(confirmation_code(&fp, "dev-1", &prev, b"{}"), expected);
    }

    #[test]
    fn chain_depends_on_order() {
        let fp = [3u8; 32];
        let s = chain_start(&fp, "d");
        let a = confirmation_code(&fp, "d", &s, b"a");
        let ab = confirmation_code(&fp, "d", &a, b"b");
        let b = confirmation_code(&fp, "d", &s, b"b");
        let ba = confirmation_code(&fp, "d", &b, b"a");
        assert_ne!(ab, ba);
        assert_ne!(chain_close(&fp, "d", &ab, 2), chain_close(&fp, "d", &ab, 1));
    }
}

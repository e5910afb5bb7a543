//! Property tests of the two parsers of untrusted input this crate adds: envelopes and
//! receipts. Mutations are described by a tweak enum, as in the frost test suite.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use sanduq_board::envelope::{Envelope, Fingerprint, MAX_ENVELOPE_LEN};
use sanduq_board::keys;
use sanduq_board::receipt::Receipt;
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::{CosignatureVerifier, QuorumPolicy};
use sanduq_tlog::merkle::Tree;
use sanduq_tlog::signed_note::{Note, Verifier};

const ORIGIN: &str = "board.example/prop";
const NOW: u64 = 1_800_000_000;

#[derive(Debug, Clone)]
enum Tweak {
    /// XOR one byte (position modulo the length) with a non-zero mask.
    Flip(usize, u8),
    /// Drop the last `n` bytes (1..).
    Truncate(usize),
    /// Append bytes.
    Append(Vec<u8>),
}

fn tweak() -> impl Strategy<Value = Tweak> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(i, m)| Tweak::Flip(i, m)),
        (1usize..200).prop_map(Tweak::Truncate),
        proptest::collection::vec(any::<u8>(), 1..8).prop_map(Tweak::Append),
    ]
}

fn apply(bytes: &[u8], t: &Tweak) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match t {
        Tweak::Flip(i, m) => {
            let i = i % b.len();
            b[i] ^= m;
        }
        Tweak::Truncate(n) => b.truncate(b.len().saturating_sub(*n)),
        Tweak::Append(x) => b.extend_from_slice(x),
    }
    b
}

fn kind() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,31}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn envelope_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Envelope::parse(&bytes);
    }

    #[test]
    fn envelopes_round_trip_and_every_tweak_is_refused(
        kind in kind(),
        election in any::<[u8; 32]>(),
        artefact in proptest::collection::vec(any::<u8>(), 0..300),
        inline in any::<bool>(),
        seed in any::<[u8; 32]>(),
        t in tweak(),
    ) {
        let key = SigningKey::from_bytes(&seed);
        let e = Envelope::sign(&kind, Fingerprint(election), &artefact, inline, &key).unwrap();
        let again = Envelope::parse(e.as_bytes()).unwrap();
        prop_assert_eq!(&again, &e);
        prop_assert_eq!(again.kind(), kind.as_str());
        prop_assert_eq!(again.content_len(), artefact.len() as u64);
        prop_assert_eq!(again.body().is_some(), inline);
        prop_assert!(e.as_bytes().len() <= MAX_ENVELOPE_LEN);
        // Any change to the bytes makes them not an envelope: there is one encoding and
        // the signature covers everything else.
        let bad = apply(e.as_bytes(), &t);
        prop_assert!(Envelope::parse(&bad).is_err(), "accepted tweak {:?}", t);
    }

    #[test]
    fn receipt_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Receipt::parse(&bytes);
        let mut framed = b"sanduq-receipt/v1\nindex 0\nentry AA==\n".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = Receipt::parse(&framed);
    }

    #[test]
    fn receipts_round_trip_verify_and_tampered_proofs_fail(
        n in 1u64..40,
        pick in any::<u64>(),
        flip in any::<(usize, u8)>(),
    ) {
        let key = SigningKey::from_bytes(&[8; 32]);
        let entries: Vec<Envelope> = (0..n)
            .map(|i| Envelope::sign("ballot", Fingerprint([1; 32]), &i.to_be_bytes(), true, &key).unwrap())
            .collect();
        let mut tree = Tree::new();
        for e in &entries {
            tree.append_entry(e.as_bytes());
        }
        let log = keys::log_signer_from_seed(ORIGIN, &[2; 32]).unwrap();
        let text = Checkpoint::new(ORIGIN, n, tree.root()).unwrap().to_text();
        let mut note = Note::new(text.clone(), vec![log.sign(&text).unwrap()]).unwrap();
        let mut ws: Vec<CosignatureVerifier> = Vec::new();
        for i in 0..3u8 {
            let w = keys::witness_signer_from_seed(&format!("w{i}.example"), &[30 + i; 32]).unwrap();
            if i < 2 {
                note.push_signature(w.sign(&text, NOW - 5).unwrap()).unwrap();
            }
            if let Verifier::CosignatureV1(v) = w.verifier() { ws.push(v); }
        }
        let policy = QuorumPolicy::new(ws.clone(), 2).unwrap();
        let index = pick % n;
        let r = Receipt {
            index,
            entry: entries[index as usize].as_bytes().to_vec(),
            proof: tree.inclusion_proof(index, n).unwrap(),
            checkpoint: SignedCheckpoint::from_note(note).unwrap(),
        };
        let bytes = r.to_bytes();
        let parsed = Receipt::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &r);
        let v = parsed.verify(&log.verifier(), &policy, NOW).unwrap();
        prop_assert_eq!(v.tracking_code, entries[index as usize].tracking_code());
        // Three of three is not reached with two cosignatures.
        let strict = QuorumPolicy::new(ws, 3).unwrap();
        prop_assert!(parsed.verify(&log.verifier(), &strict, NOW).is_err());
        // Any changed bit of any proof hash is caught.
        if !r.proof.is_empty() {
            let mut bad = r.clone();
            let (i, m) = flip;
            let h = i % bad.proof.len();
            bad.proof[h].0[i % 32] ^= m.max(1);
            prop_assert!(bad.verify(&log.verifier(), &policy, NOW).is_err());
        }
        // A receipt claiming another index fails.
        if n > 1 {
            let mut moved = r.clone();
            moved.index = (index + 1) % n;
            prop_assert!(moved.verify(&log.verifier(), &policy, NOW).is_err());
        }
    }
}

#[test]
fn receipt_parser_rejects_non_canonical_fields() {
    let base = "sanduq-receipt/v1\nindex 0\nentry AA==\n\n";
    for bad in [
        "sanduq-receipt/v2\nindex 0\nentry AA==\n\n",
        "sanduq-receipt/v1\nindex 00\nentry AA==\n\n",
        "sanduq-receipt/v1\nindex -1\nentry AA==\n\n",
        "sanduq-receipt/v1\nindex 0\nentry AA\n\n",
        "sanduq-receipt/v1\nindex 0\nentry AB==\n\n",
        "sanduq-receipt/v1\nindex 0\nentry AA==\nAAAA\n\n",
    ] {
        assert!(Receipt::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    // The framing is fine; only the (absent) checkpoint is wrong.
    assert!(matches!(
        Receipt::parse(base.as_bytes()),
        Err(sanduq_board::receipt::ParseError::Checkpoint(_))
    ));
}

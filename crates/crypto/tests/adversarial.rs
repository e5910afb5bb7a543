//! Attacks that real election systems shipped, each refused for the right reason.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{election, mayor, rng};
use curve25519_dalek::scalar::Scalar;
use sanduq_crypto::contest::{ContestDescription, EncryptedContest, encrypt_contest};
use sanduq_crypto::dlog::DlogTable;
use sanduq_crypto::elgamal::{AggregateCiphertext, Ciphertext, encrypt};
use sanduq_crypto::group::{Element, G, SecretScalar, decode_scalar, from_hex};
use sanduq_crypto::range::{RangeContext, RangeStatement, Subject, prove_range};
use sanduq_crypto::wire::RangeProofWire;
use sanduq_crypto::{Error, verify_contests_batched};

/// RFC 9496 Appendix A.2 and the encoding of G with the top bit set (which libsodium accepts).
const NON_CANONICAL: [&str; 4] = [
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2df6",
];

/// ℓ little-endian (RFC 8032 §5.1).
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn contest(
    seed: u64,
    pt: &[u64],
) -> (
    sanduq_crypto::BallotContext,
    ContestDescription,
    EncryptedContest,
) {
    let (_, ctx) = election(1, 7);
    let desc = mayor();
    let c = encrypt_contest(&ctx, &desc, pt, &mut rng(seed)).unwrap();
    (ctx, desc, c)
}

#[test]
fn non_canonical_points_are_refused_everywhere() {
    let (_, _, c) = contest(2, &[0, 1, 0]);
    for hex in NON_CANONICAL {
        let bad = from_hex("t", hex).unwrap();
        // as a key
        assert!(matches!(
            Element::decode("key", &bad),
            Err(Error::NonCanonicalElement { .. })
        ));
        // as a ciphertext part
        let mut bytes = c.selections[0].ciphertext.to_bytes();
        bytes[32..].copy_from_slice(&bad);
        assert!(matches!(
            Ciphertext::decode(&bytes),
            Err(Error::NonCanonicalElement { .. })
        ));
        // as a commitment, through the wire form
        let mut w = RangeProofWire::from(&c.selections[0].proof);
        w.branches[0].a = hex.to_owned();
        assert!(matches!(w.parse(), Err(Error::NonCanonicalElement { .. })));
    }
}

#[test]
fn non_reduced_scalars_are_refused() {
    let (ctx, desc, c) = contest(3, &[1, 0, 0]);
    // z + ℓ is the same scalar modulo ℓ, so the equations would hold if it were reduced.
    let z = c.selections[0].proof.branches[0].response;
    let mut sum = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(z.to_bytes()[i]) + u16::from(ELL[i]) + carry;
        sum[i] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    assert_eq!(Scalar::from_bytes_mod_order(sum), z);
    assert!(matches!(
        decode_scalar("z", &sum),
        Err(Error::NonCanonicalScalar { .. })
    ));
    let mut w = RangeProofWire::from(&c.selections[0].proof);
    w.branches[0].z = sanduq_crypto::group::to_hex(&sum);
    assert!(matches!(w.parse(), Err(Error::NonCanonicalScalar { .. })));
    assert!(matches!(
        decode_scalar("z", &ELL),
        Err(Error::NonCanonicalScalar { .. })
    ));
    c.verify(&ctx, &desc).unwrap();
}

#[test]
fn identity_is_refused_as_key_commitment_and_ciphertext_part() {
    let zero = [0u8; 32];
    assert_eq!(
        Element::decode("election key", &zero),
        Err(Error::Identity {
            what: "election key"
        })
    );
    assert!(matches!(
        Ciphertext::decode(&[0u8; 64]),
        Err(Error::Identity { .. })
    ));
    let (_, _, c) = contest(4, &[0, 0, 1]);
    let mut bytes = c.selections[1].ciphertext.to_bytes();
    bytes[32..].copy_from_slice(&zero);
    assert!(matches!(
        Ciphertext::decode(&bytes),
        Err(Error::Identity { .. })
    ));
    let mut w = RangeProofWire::from(&c.limit_proof);
    w.branches[1].b = "00".repeat(32);
    assert!(matches!(w.parse(), Err(Error::Identity { .. })));
    // An encrypted tally may be the identity, but only as an aggregate.
    assert!(AggregateCiphertext::decode(&[0u8; 64]).is_ok());
}

#[test]
fn one_branch_too_many_or_too_few() {
    let (ctx, desc, c) = contest(5, &[0, 1, 0]);
    let mut more = c.clone();
    let extra = more.selections[1].proof.branches[0].clone();
    more.selections[1].proof.branches.push(extra);
    let e = more.verify(&ctx, &desc).unwrap_err();
    assert_eq!(
        e.root(),
        &Error::BranchCount {
            proof: "range proof",
            expected: 2,
            got: 3
        }
    );
    let mut fewer = c.clone();
    fewer.limit_proof.branches.pop();
    assert_eq!(
        fewer.verify(&ctx, &desc),
        Err(Error::BranchCount {
            proof: "range proof",
            expected: 2,
            got: 1
        })
    );
    // and in a batch, the bad contest is named
    let all = vec![c.clone(), c.clone(), fewer, c];
    let err = verify_contests_batched(&ctx, &desc, &all, &mut rng(0)).unwrap_err();
    assert_eq!(err.index, 2);
}

#[test]
fn proofs_moved_to_another_selection_contest_or_election_fail() {
    let (ctx, desc, c) = contest(6, &[0, 1, 0]);
    // another selection: the proof of "b" attached to selection "a" with its ciphertext
    let mut moved = c.clone();
    moved.selections[0].proof = c.selections[1].proof.clone();
    moved.selections[0].ciphertext = c.selections[1].ciphertext;
    assert_eq!(
        moved.verify(&ctx, &desc).unwrap_err().root(),
        &Error::ChallengeMismatch {
            proof: "range proof"
        }
    );
    // another contest with the same selections
    let other = ContestDescription::new("council", &["a", "b", "c"], 1, 1).unwrap();
    let mut relabelled = c.clone();
    relabelled.contest_id = "council".into();
    assert_eq!(
        relabelled.verify(&ctx, &other).unwrap_err().root(),
        &Error::ChallengeMismatch {
            proof: "range proof"
        }
    );
    // another election: same key, other fingerprint
    let (_, other_election) = election(1, 8);
    assert_eq!(
        c.verify(&other_election, &desc).unwrap_err().root(),
        &Error::ChallengeMismatch {
            proof: "range proof"
        }
    );
}

#[test]
fn stored_challenge_differing_from_recomputed_fails() {
    let (ctx, desc, c) = contest(7, &[1, 0, 0]);
    let mut bad = c.clone();
    bad.selections[2].proof.branches[1].challenge += Scalar::ONE;
    let e = bad.verify(&ctx, &desc).unwrap_err();
    assert_eq!(
        e,
        Error::Selection {
            index: 2,
            error: Box::new(Error::ChallengeMismatch {
                proof: "range proof"
            })
        }
    );
    // moving one unit between two branch challenges keeps the sum: the equations catch it
    let mut shifted = c;
    shifted.selections[2].proof.branches[1].challenge += Scalar::ONE;
    shifted.selections[2].proof.branches[0].challenge -= Scalar::ONE;
    assert!(matches!(
        shifted.verify(&ctx, &desc).unwrap_err().root(),
        Error::InvalidProof { .. }
    ));
}

#[test]
fn over_vote_with_valid_selection_proofs_fails() {
    let (_, ctx) = election(1, 7);
    let desc = mayor();
    let mut r = rng(8);
    // The device refuses to encrypt it.
    assert!(matches!(
        encrypt_contest(&ctx, &desc, &[1, 1, 0], &mut r),
        Err(Error::OutOfRange { .. })
    ));
    // A malicious device: every selection honestly 0/1, the sum 2, a limit proof that lies.
    let mut sels = Vec::new();
    let mut nonce_sum = Scalar::ZERO;
    for (id, m) in desc.selection_ids().iter().zip([1u64, 1, 0]) {
        let n = SecretScalar::random(&mut r);
        let ct = encrypt(&ctx.key, m, &n).unwrap();
        let rc = RangeContext {
            fingerprint: ctx.fingerprint.as_bytes(),
            key: &ctx.key,
            contest: "mayor",
            subject: Subject::Selection(id),
        };
        let proof =
            prove_range(&rc, 1, &RangeStatement::from_ciphertext(&ct), m, &n, &mut r).unwrap();
        proof
            .verify(&rc, 1, &RangeStatement::from_ciphertext(&ct))
            .unwrap();
        nonce_sum += n.expose();
        sels.push(sanduq_crypto::contest::EncryptedSelection {
            selection_id: id.clone(),
            ciphertext: ct,
            proof,
        });
    }
    let sum = AggregateCiphertext::sum(sels.iter().map(|s| &s.ciphertext));
    let rc = RangeContext {
        fingerprint: ctx.fingerprint.as_bytes(),
        key: &ctx.key,
        contest: "mayor",
        subject: Subject::Limit,
    };
    let nonce = SecretScalar::new(nonce_sum);
    for claim in [0u64, 1] {
        let limit_proof = prove_range(
            &rc,
            1,
            &RangeStatement::from_aggregate(&sum),
            claim,
            &nonce,
            &mut r,
        )
        .unwrap();
        let c = EncryptedContest {
            contest_id: "mayor".into(),
            selections: sels.clone(),
            limit_proof,
        };
        assert!(matches!(
            c.verify(&ctx, &desc),
            Err(Error::InvalidProof { .. })
        ));
        assert_eq!(
            verify_contests_batched(&ctx, &desc, &[c], &mut r)
                .unwrap_err()
                .index,
            0
        );
    }
    // A limit proof for 0..=2 is refused for its branch count.
    let limit_proof = prove_range(
        &rc,
        2,
        &RangeStatement::from_aggregate(&sum),
        2,
        &nonce,
        &mut r,
    )
    .unwrap();
    let c = EncryptedContest {
        contest_id: "mayor".into(),
        selections: sels,
        limit_proof,
    };
    assert!(matches!(
        c.verify(&ctx, &desc),
        Err(Error::BranchCount { .. })
    ));
}

#[test]
fn out_of_range_decrypted_value_fails_fast() {
    // A tally of 1,000 ballots cannot exceed 1,000. The search is bounded by construction
    // (⌈√1001⌉ = 32 giant steps), so these return errors rather than searching on.
    let table = DlogTable::new(1000).unwrap();
    assert_eq!(table.solve(&(G * Scalar::from(1000u64))), Ok(1000));
    for bad in [
        Scalar::from(1001u64),
        Scalar::from(1u64 << 40),
        -Scalar::ONE,
        Scalar::from(u64::MAX),
    ] {
        assert_eq!(
            table.solve(&(G * bad)),
            Err(Error::DlogNotFound { max: 1000 })
        );
    }
    // A tally bound beyond 2^40 is refused up front.
    assert!(matches!(
        DlogTable::new((1 << 40) + 1),
        Err(Error::Argument(_))
    ));
}

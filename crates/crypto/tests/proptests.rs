//! Property tests: batch and one-by-one verification agree on random valid and mutated
//! inputs, and changing any single statement element of any proof makes it fail.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{election, mayor, rng};
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use sanduq_crypto::batch::{failing_items_with_seed, verify_batch_with_seed};
use sanduq_crypto::contest::{ContestItem, encrypt_contest};
use sanduq_crypto::elgamal::{Ciphertext, mul_g};
use sanduq_crypto::group::{Element, G, SecretScalar};
use sanduq_crypto::range::{RangeContext, RangeItem, RangeStatement, Subject, prove_range};
use sanduq_crypto::sigma::{DleqItem, DleqStatement, SchnorrItem, prove_dleq, prove_schnorr};

/// One mutation of one encrypted contest.
#[derive(Clone, Debug)]
enum Tweak {
    None,
    /// Add G to a selection's α or β.
    Ciphertext {
        sel: usize,
        beta: bool,
    },
    /// Add one to a branch challenge of a selection proof (or the limit proof).
    Challenge {
        sel: Option<usize>,
        branch: usize,
    },
    /// Add one to a branch response.
    Response {
        sel: Option<usize>,
        branch: usize,
    },
    /// Replace a commitment by G.
    Commitment {
        sel: Option<usize>,
        branch: usize,
        b: bool,
    },
    /// Swap two selections' ciphertexts.
    Swap,
    /// Rename the contest.
    ContestId,
}

fn tweak() -> impl Strategy<Value = Tweak> {
    let sel = prop::option::of(0usize..3);
    prop_oneof![
        Just(Tweak::None),
        (0usize..3, any::<bool>()).prop_map(|(sel, beta)| Tweak::Ciphertext { sel, beta }),
        (sel.clone(), 0usize..2).prop_map(|(sel, branch)| Tweak::Challenge { sel, branch }),
        (sel.clone(), 0usize..2).prop_map(|(sel, branch)| Tweak::Response { sel, branch }),
        (sel, 0usize..2, any::<bool>()).prop_map(|(sel, branch, b)| Tweak::Commitment {
            sel,
            branch,
            b
        }),
        Just(Tweak::Swap),
        Just(Tweak::ContestId),
    ]
}

fn apply(c: &mut sanduq_crypto::EncryptedContest, t: &Tweak) {
    let g = Element::from_point("g", G).unwrap();
    fn proof(
        c: &mut sanduq_crypto::EncryptedContest,
        sel: Option<usize>,
    ) -> &mut sanduq_crypto::range::RangeProof {
        match sel {
            Some(i) => &mut c.selections[i].proof,
            None => &mut c.limit_proof,
        }
    }
    match t {
        Tweak::None => {}
        Tweak::Ciphertext { sel, beta } => {
            let ct = c.selections[*sel].ciphertext;
            let (mut a, mut b) = (*ct.alpha(), *ct.beta());
            if *beta {
                b = Element::from_point("b", b.point() + G).unwrap();
            } else {
                a = Element::from_point("a", a.point() + G).unwrap();
            }
            c.selections[*sel].ciphertext = Ciphertext::new(a, b);
        }
        Tweak::Challenge { sel, branch } => {
            proof(c, *sel).branches[*branch].challenge += Scalar::ONE
        }
        Tweak::Response { sel, branch } => proof(c, *sel).branches[*branch].response += Scalar::ONE,
        Tweak::Commitment { sel, branch, b } => {
            let br = &mut proof(c, *sel).branches[*branch];
            if *b {
                br.b = g;
            } else {
                br.a = g;
            }
        }
        Tweak::Swap => {
            let t0 = c.selections[0].ciphertext;
            c.selections[0].ciphertext = c.selections[1].ciphertext;
            c.selections[1].ciphertext = t0;
        }
        Tweak::ContestId => c.contest_id = "other".into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn batch_agrees_with_one_by_one(
        seed in any::<u64>(),
        votes in prop::collection::vec(0usize..4, 1..5),
        tweaks in prop::collection::vec((0usize..4, tweak()), 0..3),
    ) {
        let (_, ctx) = election(1, 3);
        let desc = mayor();
        let mut r = rng(seed);
        let mut contests: Vec<_> = votes.iter().map(|&v| {
            let mut pt = [0u64; 3];
            if let Some(x) = pt.get_mut(v) { *x = 1; }
            encrypt_contest(&ctx, &desc, &pt, &mut r).unwrap()
        }).collect();
        for (i, t) in &tweaks {
            let n = contests.len();
            apply(&mut contests[i % n], t);
        }
        let one: Vec<_> = contests.iter().map(|c| c.verify(&ctx, &desc)).collect();
        let items: Vec<_> = contests.iter().map(|contest| ContestItem { ctx: &ctx, desc: &desc, contest }).collect();
        let bad = failing_items_with_seed(&items, seed.to_le_bytes().repeat(4).try_into().unwrap());
        let expected: Vec<usize> = one.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
        let mut got: Vec<usize> = bad.iter().map(|e| e.index).collect();
        got.sort_unstable();
        prop_assert_eq!(&got, &expected);
        for e in &bad {
            prop_assert_eq!(&Err(e.error.clone()), &one[e.index]);
        }
        // A contest changed by exactly one tweak other than None fails (two tweaks may cancel,
        // e.g. two swaps).
        let n = contests.len();
        for (i, t) in &tweaks {
            let count = tweaks.iter().filter(|(j, _)| j % n == i % n).count();
            if count == 1 && !matches!(t, Tweak::None) {
                prop_assert!(one[i % n].is_err(), "tweak {:?} not detected", t);
            }
        }
    }
}

/// A statement element of a range proof.
#[derive(Clone, Copy, Debug)]
enum RangeField {
    Key,
    Alpha,
    Beta,
    Contest,
    Subject,
    Max,
    Fingerprint,
    Kind,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn changing_any_statement_element_of_a_range_proof_fails(
        seed in any::<u64>(),
        m in 0u64..3,
        field in prop_oneof![
            Just(RangeField::Key), Just(RangeField::Alpha), Just(RangeField::Beta),
            Just(RangeField::Contest), Just(RangeField::Subject), Just(RangeField::Max),
            Just(RangeField::Fingerprint), Just(RangeField::Kind),
        ],
    ) {
        let (_, ctx) = election(seed, 1);
        let (_, other) = election(seed.wrapping_add(1), 2);
        let mut r = rng(seed);
        let n = SecretScalar::random(&mut r);
        let ct = sanduq_crypto::elgamal::encrypt(&ctx.key, m, &n).unwrap();
        let st = RangeStatement::from_ciphertext(&ct);
        let rc = RangeContext { fingerprint: ctx.fingerprint.as_bytes(), key: &ctx.key, contest: "c", subject: Subject::Selection("s") };
        let p = prove_range(&rc, 2, &st, m, &n, &mut r).unwrap();
        prop_assert!(p.verify(&rc, 2, &st).is_ok());
        let mut rc2 = rc;
        let mut st2 = st;
        let mut max = 2;
        let shifted = |pt: &Element| Element::from_point("x", pt.point() + G).unwrap();
        match field {
            RangeField::Key => rc2.key = &other.key,
            RangeField::Alpha => st2 = RangeStatement::from_ciphertext(&Ciphertext::new(shifted(ct.alpha()), *ct.beta())),
            RangeField::Beta => st2 = RangeStatement::from_ciphertext(&Ciphertext::new(*ct.alpha(), shifted(ct.beta()))),
            RangeField::Contest => rc2.contest = "d",
            RangeField::Subject => rc2.subject = Subject::Selection("t"),
            RangeField::Max => max = 3,
            RangeField::Fingerprint => rc2.fingerprint = other.fingerprint.as_bytes(),
            RangeField::Kind => rc2.subject = Subject::Limit,
        }
        let one = p.verify(&rc2, max, &st2);
        prop_assert!(one.is_err());
        let item = RangeItem { ctx: rc2, max, statement: st2, proof: &p };
        prop_assert_eq!(verify_batch_with_seed(&[item], [seed as u8; 32]).map_err(|e| e.error), one);
    }

    #[test]
    fn changing_any_statement_element_of_a_sigma_proof_fails(seed in any::<u64>(), field in 0usize..7) {
        let mut r = rng(seed);
        let x = SecretScalar::random(&mut r);
        let g = Element::from_point("g", G).unwrap();
        let y = Element::from_point("y", mul_g(x.expose())).unwrap();
        let h = Element::from_point("h", mul_g(&Scalar::from(seed | 2))).unwrap();
        let hy = Element::from_point("hy", h.point() * x.expose()).unwrap();
        let other = Element::from_point("o", y.point() + G).unwrap();
        let fp = [5u8; 32];
        let ctx: [&[u8]; 1] = [b"trustee 1"];
        let ctx2: [&[u8]; 1] = [b"trustee 2"];
        let fp2 = [6u8; 32];
        // Schnorr: Y, context, fingerprint.
        let sp = prove_schnorr("t", &fp, &ctx, &x, &y, &mut r).unwrap();
        let item = match field % 3 {
            0 => SchnorrItem { tag: "t", fingerprint: &fp, context: &ctx, public: &other, proof: &sp },
            1 => SchnorrItem { tag: "t", fingerprint: &fp, context: &ctx2, public: &y, proof: &sp },
            _ => SchnorrItem { tag: "t", fingerprint: &fp2, context: &ctx, public: &y, proof: &sp },
        };
        prop_assert!(verify_batch_with_seed(&[item], [1; 32]).is_err());
        // Chaum–Pedersen: g1, y1, g2, y2, context, fingerprint.
        let st = DleqStatement { g1: &g, y1: &y, g2: &h, y2: &hy };
        let dp = prove_dleq("d", &fp, &ctx, &st, &x, &mut r).unwrap();
        let good = DleqItem { tag: "d", fingerprint: &fp, context: &ctx, statement: st, proof: &dp };
        prop_assert!(verify_batch_with_seed(&[good], [1; 32]).is_ok());
        let (st2, c2, f2) = match field {
            0 => (DleqStatement { g1: &other, ..st }, &ctx, &fp),
            1 => (DleqStatement { y1: &other, ..st }, &ctx, &fp),
            2 => (DleqStatement { g2: &other, ..st }, &ctx, &fp),
            3 => (DleqStatement { y2: &other, ..st }, &ctx, &fp),
            4 => (st, &ctx2, &fp),
            5 => (st, &ctx, &fp2),
            _ => (DleqStatement { y1: &hy, y2: &y, ..st }, &ctx, &fp),
        };
        let item = DleqItem { tag: "d", fingerprint: f2, context: c2, statement: st2, proof: &dp };
        prop_assert!(sanduq_crypto::BatchVerifiable::verify_one(&item).is_err());
        prop_assert!(verify_batch_with_seed(&[item], [1; 32]).is_err());
    }
}

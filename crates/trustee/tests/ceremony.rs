//! The key ceremony, honest and with dishonest trustees, each named as the culprit.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{idx, rng, setup, setup_3_of_5};
use sanduq_crypto::SecretScalar;
use sanduq_crypto::group::G;
use sanduq_trustee::dkg::{
    self, CeremonyTranscript, Round1Package, Round3Package, judge_complaint,
    judge_reveal_complaint, part1, part2, part3, part4, prove_coefficient, qualify, register,
    run_locally, verify_ceremony,
};
use sanduq_trustee::error::Error;
use sanduq_trustee::share_encryption::{DealtShare, EncryptionKeyPair, ShareContext};
use sanduq_trustee::wire::Message;
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};

fn culprits(e: &Error) -> Vec<u32> {
    e.culprits().iter().map(|t| t.get()).collect()
}

/// Run registration and round 1 for every trustee.
fn rounds_0_1(
    s: &dkg::CeremonySetup,
    seed: u64,
) -> (
    CeremonyTranscript,
    BTreeMap<TrusteeIndex, EncryptionKeyPair>,
    BTreeMap<TrusteeIndex, dkg::Round1Secret>,
) {
    let mut rng = rng(seed);
    let mut tr = CeremonyTranscript::default();
    let mut keys = BTreeMap::new();
    for t in s.policy().trustees().keys() {
        let (k, r) = register(s, *t, &mut rng).unwrap();
        keys.insert(*t, k);
        tr.registrations.insert(*t, r);
    }
    let mut secrets = BTreeMap::new();
    for (t, k) in &keys {
        let (sec, p) = part1(s, *t, k.clone(), &tr.registrations, &mut rng).unwrap();
        secrets.insert(*t, sec);
        tr.round1.insert(*t, p);
    }
    (tr, keys, secrets)
}

#[test]
fn honest_ceremony_key_is_sum_of_contributions_and_shares_match() {
    let s = setup_3_of_5();
    let c = run_locally(&s, &mut rng(1)).unwrap();
    assert_eq!(c.key_shares.len(), 5);
    // Every public share is s_j·G.
    for (t, share) in &c.key_shares {
        assert_eq!(
            G * share.expose_secret().expose(),
            *c.public_key.public_shares[t].point()
        );
    }
    // Interpolating the key shares of trustees 1, 2, 3 at 0 gives the joint secret:
    // λ_1 = 2·3/((2−1)(3−1)) = 3, λ_2 = 1·3/((1−2)(3−2)) = −3, λ_3 = 1·2/((1−3)(2−3)) = 1.
    let s1 = c.key_shares[&idx(1)].expose_secret().expose();
    let s2 = c.key_shares[&idx(2)].expose_secret().expose();
    let s3 = c.key_shares[&idx(3)].expose_secret().expose();
    let three = curve25519_dalek::scalar::Scalar::from(3u64);
    let secret = three * s1 - three * s2 + s3;
    assert_eq!(G * secret, *c.public_key.joint_key.point());
    // The public verification reaches the same key.
    let (q, pk) = verify_ceremony(&s, &c.transcript).unwrap();
    assert_eq!(q.members().len(), 5);
    assert_eq!(pk, c.public_key);
}

#[test]
fn messages_round_trip_through_json_and_refuse_unknown_fields() {
    let s = setup_3_of_5();
    let c = run_locally(&s, &mut rng(2)).unwrap();
    for r in c.transcript.registrations.values() {
        assert_eq!(&dkg::Registration::from_json(&r.to_json()).unwrap(), r);
    }
    for p in c.transcript.round1.values() {
        assert_eq!(&Round1Package::from_json(&p.to_json()).unwrap(), p);
    }
    for p in c.transcript.round2.values() {
        assert_eq!(&dkg::Round2Package::from_json(&p.to_json()).unwrap(), p);
    }
    for p in c.transcript.round3.values() {
        assert_eq!(&Round3Package::from_json(&p.to_json()).unwrap(), p);
    }
    assert_eq!(dkg::CeremonySetup::from_json(&s.to_json()).unwrap(), s);
    assert_eq!(
        dkg::PublicKeyPackage::from_json(&c.public_key.to_json()).unwrap(),
        c.public_key
    );
    let r = &c.transcript.registrations[&idx(1)];
    let extra = r.to_json().replacen('{', "{\"extra\": 1,", 1);
    assert!(matches!(
        dkg::Registration::from_json(&extra),
        Err(Error::Unreadable { .. })
    ));
    let old = r.to_json().replace("sanduq/0.1", "sanduq/0.0");
    assert!(matches!(
        dkg::Registration::from_json(&old),
        Err(Error::Unreadable { .. })
    ));
    let zero = r.to_json().replace("\"trustee\": 1", "\"trustee\": 0");
    assert_eq!(dkg::Registration::from_json(&zero), Err(Error::ZeroIndex));
}

#[test]
fn unmeetable_policy_is_refused_at_setup() {
    let roster: BTreeMap<TrusteeIndex, ProvinceCode> = (1..=5)
        .map(|i| (idx(i), ProvinceCode::new("AF-KAB").unwrap()))
        .collect();
    assert!(matches!(
        Policy::new(3, 2, roster),
        Err(Error::InvalidPolicy { .. })
    ));
    assert_eq!(TrusteeIndex::new(0), Err(Error::ZeroIndex));
}

#[test]
fn a_bad_share_is_named_and_its_dealer_disqualified() {
    let s = setup_3_of_5();
    let (mut tr, keys, secrets) = rounds_0_1(&s, 3);
    // Trustee 2 sends trustee 4 a well-encrypted share that is not on its polynomial.
    let mut r = rng(99);
    let bogus = DealtShare {
        value: SecretScalar::random(&mut r),
        blinding: SecretScalar::random(&mut r),
    };
    let ctx = ShareContext {
        fingerprint: s.fingerprint(),
        sender: idx(2),
        recipient: idx(4),
        recipient_key: keys[&idx(4)].public(),
    };
    let enc = ctx.encrypt(&bogus, &mut r).unwrap();
    tr.round1
        .get_mut(&idx(2))
        .unwrap()
        .encrypted_shares
        .insert(idx(4), enc);
    let mut secrets2 = BTreeMap::new();
    for (t, sec) in secrets {
        let (s2, p) = part2(sec, &tr.round1, &mut r).unwrap();
        secrets2.insert(t, s2);
        tr.round2.insert(t, p);
    }
    // Only trustee 4 complains, and only about trustee 2.
    for (t, p) in &tr.round2 {
        let accused: Vec<u32> = p.complaints.keys().map(|a| a.get()).collect();
        assert_eq!(accused, if t.get() == 4 { vec![2] } else { vec![] }, "{t}");
    }
    let q = qualify(&s, &tr.registrations, &tr.round1, &tr.round2).unwrap();
    assert_eq!(
        q.disqualified().get(&idx(2)),
        Some(&Error::ShareInconsistent {
            dealer: idx(2),
            recipient: idx(4)
        })
    );
    assert_eq!(culprits(&q.disqualified()[&idx(2)]), vec![2]);
    // The ceremony goes on without trustee 2 and decrypts.
    let mut pk = None;
    let mut shares = BTreeMap::new();
    let mut secrets3 = BTreeMap::new();
    for (t, s2) in secrets2 {
        if t == idx(2) {
            assert!(matches!(
                part3(s2, &q, &mut r),
                Err(Error::Disqualified { .. })
            ));
            continue;
        }
        let (s3, p) = part3(s2, &q, &mut r).unwrap();
        secrets3.insert(t, s3);
        tr.round3.insert(t, p);
    }
    for (t, s3) in secrets3 {
        let (ks, p) = part4(s3, &tr.round3).unwrap();
        shares.insert(t, ks);
        pk = Some(p);
    }
    let pk = pk.unwrap();
    assert_eq!(pk.public_shares.len(), 4);
    assert_eq!(verify_ceremony(&s, &tr).unwrap().1, pk);
    let ct = common::encrypt(&pk.joint_key, 5, 1234);
    let id = sanduq_trustee::decrypt::CiphertextId {
        contest: "c".into(),
        selection: "s".into(),
        unit: "u".into(),
    };
    let ds: Vec<_> = [1, 3, 5]
        .iter()
        .map(|i| {
            sanduq_trustee::decrypt::decryption_share(
                s.fingerprint(),
                &shares[&idx(*i)],
                &ct,
                &id,
                &mut r,
            )
            .unwrap()
        })
        .collect();
    let m =
        sanduq_trustee::decrypt::combine(s.fingerprint(), s.policy(), &pk, &ct, &id, &ds).unwrap();
    assert_eq!(m, common::times_g(5));
}

#[test]
fn an_undecryptable_or_misaddressed_share_blames_its_sender() {
    let s = setup_3_of_5();
    let (mut tr, _keys, secrets) = rounds_0_1(&s, 4);
    // Trustee 1 flips a ciphertext byte of the share for 3, and trustee 2 files the share
    // meant for 4 under 5.
    tr.round1
        .get_mut(&idx(1))
        .unwrap()
        .encrypted_shares
        .get_mut(&idx(3))
        .unwrap()
        .ciphertext[7] ^= 1;
    let for4 = tr.round1[&idx(2)].encrypted_shares[&idx(4)].clone();
    tr.round1
        .get_mut(&idx(2))
        .unwrap()
        .encrypted_shares
        .insert(idx(5), for4);
    let mut r = rng(5);
    for (t, sec) in secrets {
        let (_, p) = part2(sec, &tr.round1, &mut r).unwrap();
        tr.round2.insert(t, p);
    }
    let q = qualify(&s, &tr.registrations, &tr.round1, &tr.round2).unwrap();
    assert_eq!(
        q.disqualified().get(&idx(1)),
        Some(&Error::UndecryptableShare {
            dealer: idx(1),
            recipient: idx(3)
        })
    );
    assert_eq!(
        q.disqualified().get(&idx(2)),
        Some(&Error::UndecryptableShare {
            dealer: idx(2),
            recipient: idx(5)
        })
    );
    assert_eq!(
        q.members().iter().map(|t| t.get()).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
}

#[test]
fn a_false_or_unproved_complaint_blames_the_complainer() {
    let s = setup_3_of_5();
    let (mut tr, keys, secrets) = rounds_0_1(&s, 6);
    let mut r = rng(7);
    for (t, sec) in secrets {
        let (_, p) = part2(sec, &tr.round1, &mut r).unwrap();
        tr.round2.insert(t, p);
    }
    // Trustee 3 accuses honest trustee 1 with genuine evidence of a valid share.
    let ctx = ShareContext {
        fingerprint: s.fingerprint(),
        sender: idx(1),
        recipient: idx(3),
        recipient_key: keys[&idx(3)].public(),
    };
    let enc = &tr.round1[&idx(1)].encrypted_shares[&idx(3)];
    let evidence = ctx.reveal(&keys[&idx(3)], enc, &mut r).unwrap();
    assert_eq!(
        judge_complaint(&s, &tr.registrations, &tr.round1, idx(3), idx(1), &evidence),
        Error::FalseComplaint {
            complainer: idx(3),
            accused: idx(1)
        }
    );
    // The same evidence presented by trustee 4 does not verify: its proof is bound to 3.
    assert_eq!(
        judge_complaint(&s, &tr.registrations, &tr.round1, idx(4), idx(1), &evidence),
        Error::InvalidComplaintProof {
            complainer: idx(4),
            accused: idx(1)
        }
    );
    tr.round2
        .get_mut(&idx(3))
        .unwrap()
        .complaints
        .insert(idx(1), evidence);
    let q = qualify(&s, &tr.registrations, &tr.round1, &tr.round2).unwrap();
    assert_eq!(
        q.disqualified().keys().map(|t| t.get()).collect::<Vec<_>>(),
        vec![3]
    );
}

/// Complete rounds 2 and 3 honestly; returns the round-3 secrets.
fn honest_to_round3(
    s: &dkg::CeremonySetup,
    tr: &mut CeremonyTranscript,
    secrets: BTreeMap<TrusteeIndex, dkg::Round1Secret>,
    seed: u64,
) -> BTreeMap<TrusteeIndex, dkg::Round3Secret> {
    let mut r = rng(seed);
    let mut secrets2 = BTreeMap::new();
    for (t, sec) in secrets {
        let (s2, p) = part2(sec, &tr.round1, &mut r).unwrap();
        secrets2.insert(t, s2);
        tr.round2.insert(t, p);
    }
    let q = qualify(s, &tr.registrations, &tr.round1, &tr.round2).unwrap();
    let mut out = BTreeMap::new();
    for (t, s2) in secrets2 {
        let (s3, p) = part3(s2, &q, &mut r).unwrap();
        out.insert(t, s3);
        tr.round3.insert(t, p);
    }
    out
}

#[test]
fn a_copied_proof_of_knowledge_is_named() {
    let s = setup_3_of_5();
    let (mut tr, _keys, secrets) = rounds_0_1(&s, 8);
    let secrets3 = honest_to_round3(&s, &mut tr, secrets, 9);
    // Trustee 3 copies trustee 1's reveal, proofs included.
    let mut copied = tr.round3[&idx(1)].clone();
    copied.trustee = idx(3);
    tr.round3.insert(idx(3), copied);
    let e = verify_ceremony(&s, &tr).unwrap_err();
    assert_eq!(
        e,
        Error::InvalidCoefficientProof {
            trustee: idx(3),
            coefficient: 0
        }
    );
    assert_eq!(culprits(&e), vec![3]);
    for (t, s3) in secrets3 {
        let e = part4(s3, &tr.round3).unwrap_err();
        assert_eq!(culprits(&e), vec![3], "{t}");
    }
}

#[test]
fn a_reveal_chosen_after_seeing_the_others_is_named_and_provable() {
    let s = setup_3_of_5();
    let (mut tr, _keys, secrets) = rounds_0_1(&s, 10);
    let secrets3 = honest_to_round3(&s, &mut tr, secrets, 11);
    // Trustee 5 reveals a fresh polynomial (with valid proofs of knowledge) instead of
    // the one its Pedersen commitments and shares hold.
    let mut r = rng(12);
    let fresh: Vec<_> = (0..3)
        .map(|k| {
            prove_coefficient(
                s.fingerprint(),
                idx(5),
                k,
                &SecretScalar::random(&mut r),
                &mut r,
            )
            .unwrap()
        })
        .collect();
    tr.round3.insert(
        idx(5),
        Round3Package {
            trustee: idx(5),
            commitments: fresh,
        },
    );
    // Publicly the reveal looks well formed: only recipients can tell.
    assert!(verify_ceremony(&s, &tr).is_ok());
    let mut evidence = None;
    for (t, s3) in secrets3 {
        if t == idx(5) {
            continue;
        }
        assert_eq!(
            s3.check_reveals(&tr.round3),
            Err(Error::RevealInconsistent {
                dealer: idx(5),
                recipient: t
            })
        );
        if t == idx(2) {
            evidence = Some(s3.reveal_complaint(idx(5), &mut r).unwrap());
            // A reveal complaint against honest trustee 1 is a false complaint.
            let ev1 = s3.reveal_complaint(idx(1), &mut r).unwrap();
            assert_eq!(
                judge_reveal_complaint(
                    &s,
                    &tr.registrations,
                    &tr.round1,
                    &tr.round3,
                    idx(2),
                    idx(1),
                    &ev1
                ),
                Error::FalseComplaint {
                    complainer: idx(2),
                    accused: idx(1)
                }
            );
        }
        let e = part4(s3, &tr.round3).unwrap_err();
        assert_eq!(culprits(&e), vec![5]);
    }
    let verdict = judge_reveal_complaint(
        &s,
        &tr.registrations,
        &tr.round1,
        &tr.round3,
        idx(2),
        idx(5),
        &evidence.unwrap(),
    );
    assert_eq!(
        verdict,
        Error::RevealInconsistent {
            dealer: idx(5),
            recipient: idx(2)
        }
    );
}

#[test]
fn missing_and_unknown_messages_are_named() {
    let s = setup_3_of_5();
    let (mut tr, _keys, _secrets) = rounds_0_1(&s, 13);
    let mut partial = tr.round1.clone();
    partial.remove(&idx(4));
    assert_eq!(
        dkg::verify_round1_shape(&s, &partial),
        Err(Error::MissingMessage {
            stage: sanduq_trustee::error::Stage::Round1,
            trustee: idx(4)
        })
    );
    // A registration whose proof was made for another index.
    let mut r3 = tr.registrations[&idx(3)].clone();
    r3.proof = tr.registrations[&idx(2)].proof.clone();
    tr.registrations.insert(idx(3), r3);
    let e = dkg::verify_registrations(&s, &tr.registrations).unwrap_err();
    assert_eq!(e, Error::InvalidEncryptionKeyProof { trustee: idx(3) });
    // Too few provinces left after disqualification fails the ceremony, naming them.
    let s2 = setup(2, 2, &["AF-KAB", "AF-HER", "AF-KAB"]);
    let q: BTreeSet<TrusteeIndex> = [idx(1), idx(3)].into();
    assert!(matches!(
        s2.policy().check_quorum(&q),
        Err(Error::TooFewProvinces {
            got: 1,
            required: 2,
            ..
        })
    ));
}

#[test]
fn a_ceremony_left_without_a_quorum_fails_naming_the_disqualified() {
    // 3 of 4, from at least 2 provinces; dealers 1 and 2 both cheat trustee 3.
    let s = setup(3, 2, &["AF-KAB", "AF-KAB", "AF-HER", "AF-BAL"]);
    let (mut tr, keys, secrets) = rounds_0_1(&s, 14);
    let mut r = rng(15);
    for dealer in [1, 2] {
        let bogus = DealtShare {
            value: SecretScalar::random(&mut r),
            blinding: SecretScalar::random(&mut r),
        };
        let ctx = ShareContext {
            fingerprint: s.fingerprint(),
            sender: idx(dealer),
            recipient: idx(3),
            recipient_key: keys[&idx(3)].public(),
        };
        let enc = ctx.encrypt(&bogus, &mut r).unwrap();
        tr.round1
            .get_mut(&idx(dealer))
            .unwrap()
            .encrypted_shares
            .insert(idx(3), enc);
    }
    for (t, sec) in secrets {
        let (_, p) = part2(sec, &tr.round1, &mut r).unwrap();
        tr.round2.insert(t, p);
    }
    let e = qualify(&s, &tr.registrations, &tr.round1, &tr.round2).unwrap_err();
    assert!(matches!(e, Error::CeremonyFailed { .. }), "{e}");
    assert_eq!(culprits(&e), vec![1, 2]);
}

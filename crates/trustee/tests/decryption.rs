//! Threshold decryption: any t trustees decrypt, t−1 do not, and every share is bound to its
//! trustee, ciphertext and election.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::sync::OnceLock;

use common::{encrypt, idx, rng, setup_3_of_5, times_g};
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use sanduq_crypto::group::G;
use sanduq_crypto::{ElectionFingerprint, Element};
use sanduq_trustee::decrypt::{
    Ciphertext, CiphertextId, DecryptionShare, ShareToVerify, combine, decryption_share,
    lagrange_at_zero, small_dlog, verify_decryption_share, verify_decryption_shares,
};
use sanduq_trustee::dkg::{CeremonySetup, LocalCeremony, run_locally};
use sanduq_trustee::error::Error;
use sanduq_trustee::wire::Message;

struct Fixture {
    setup: CeremonySetup,
    ceremony: LocalCeremony,
    ct: Ciphertext,
    id: CiphertextId,
    shares: Vec<DecryptionShare>,
}

/// One 3-of-5 ceremony and the five decryption shares of an encryption of 11.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let setup = setup_3_of_5();
        let ceremony = run_locally(&setup, &mut rng(20)).unwrap();
        let ct = encrypt(&ceremony.public_key.joint_key, 11, 777);
        let id = CiphertextId {
            contest: "wolesi-jirga-AF-KAB".into(),
            selection: "candidate-17".into(),
            unit: "district-0101".into(),
        };
        let mut r = rng(21);
        let shares = ceremony
            .key_shares
            .values()
            .map(|k| decryption_share(setup.fingerprint(), k, &ct, &id, &mut r).unwrap())
            .collect();
        Fixture {
            setup,
            ceremony,
            ct,
            id,
            shares,
        }
    })
}

fn run_combine(
    f: &Fixture,
    shares: &[DecryptionShare],
) -> Result<curve25519_dalek::ristretto::RistrettoPoint, Error> {
    combine(
        f.setup.fingerprint(),
        f.setup.policy(),
        &f.ceremony.public_key,
        &f.ct,
        &f.id,
        shares,
    )
}

#[test]
fn every_subset_of_three_decrypts_to_the_same_plaintext() {
    let f = fixture();
    let mut subsets = 0;
    for a in 0..5 {
        for b in a + 1..5 {
            for c in b + 1..5 {
                let chosen = [
                    f.shares[a].clone(),
                    f.shares[b].clone(),
                    f.shares[c].clone(),
                ];
                let m = run_combine(f, &chosen).unwrap();
                assert_eq!(m, times_g(11));
                assert_eq!(small_dlog(&m, 100), Some(11));
                subsets += 1;
            }
        }
    }
    assert_eq!(subsets, 10);
    // Four and five shares decrypt too.
    assert_eq!(run_combine(f, &f.shares[..4]).unwrap(), times_g(11));
    assert_eq!(run_combine(f, &f.shares).unwrap(), times_g(11));
}

#[test]
fn absent_trustees_do_not_matter_but_t_minus_1_is_refused() {
    let f = fixture();
    // Trustees 2 and 4 absent.
    let present = [
        f.shares[0].clone(),
        f.shares[2].clone(),
        f.shares[4].clone(),
    ];
    assert_eq!(run_combine(f, &present).unwrap(), times_g(11));
    assert_eq!(
        run_combine(f, &present[..2]),
        Err(Error::TooFewShares {
            got: 2,
            threshold: 3
        })
    );
    assert_eq!(
        run_combine(f, &[]),
        Err(Error::TooFewShares {
            got: 0,
            threshold: 3
        })
    );
}

#[test]
fn duplicate_and_zero_indices_are_refused() {
    let f = fixture();
    let dup = [
        f.shares[0].clone(),
        f.shares[1].clone(),
        f.shares[0].clone(),
    ];
    let e = run_combine(f, &dup).unwrap_err();
    assert_eq!(e, Error::DuplicateIndex { trustee: idx(1) });
    let json = f.shares[0]
        .to_json()
        .replace("\"trustee\": 1", "\"trustee\": 0");
    assert_eq!(DecryptionShare::from_json(&json), Err(Error::ZeroIndex));
    let mut set = std::collections::BTreeSet::new();
    set.insert(idx(1));
    assert!(lagrange_at_zero(&set, idx(2)).is_err());
}

#[test]
fn identity_as_decryption_share_or_public_share_is_refused() {
    let f = fixture();
    let zeros = "00".repeat(32);
    let s = &f.shares[1];
    let json = s.to_json().replace(&s.share.to_hex(), &zeros);
    assert_eq!(
        DecryptionShare::from_json(&json),
        Err(Error::IdentityDecryptionShare { trustee: idx(2) })
    );
    let pk = &f.ceremony.public_key;
    let p3 = pk.public_shares[&idx(3)].to_hex();
    let json = pk.to_json().replace(&p3, &zeros);
    assert_eq!(
        sanduq_trustee::dkg::PublicKeyPackage::from_json(&json),
        Err(Error::IdentityPublicShare { trustee: idx(3) })
    );
}

#[test]
fn shares_from_too_few_provinces_are_refused() {
    // Trustees 1, 2, 3 in Kabul, 4 in Herat, 5 in Balkh; 3 of 5 from at least 2 provinces.
    let setup = common::setup(3, 2, &["AF-KAB", "AF-KAB", "AF-KAB", "AF-HER", "AF-BAL"]);
    let c = run_locally(&setup, &mut rng(30)).unwrap();
    let ct = encrypt(&c.public_key.joint_key, 2, 99);
    let id = CiphertextId {
        contest: "c".into(),
        selection: "s".into(),
        unit: "u".into(),
    };
    let mut r = rng(31);
    let shares: Vec<_> = c
        .key_shares
        .values()
        .map(|k| decryption_share(setup.fingerprint(), k, &ct, &id, &mut r).unwrap())
        .collect();
    let kabul = &shares[..3];
    assert_eq!(
        combine(
            setup.fingerprint(),
            setup.policy(),
            &c.public_key,
            &ct,
            &id,
            kabul
        ),
        Err(Error::TooFewProvinces {
            got: 1,
            required: 2,
            provinces: vec!["AF-KAB".into()]
        })
    );
    let mixed = [shares[0].clone(), shares[1].clone(), shares[3].clone()];
    assert_eq!(
        combine(
            setup.fingerprint(),
            setup.policy(),
            &c.public_key,
            &ct,
            &id,
            &mixed
        )
        .unwrap(),
        times_g(2)
    );
}

#[test]
fn a_share_moved_to_another_ciphertext_trustee_or_election_fails() {
    let f = fixture();
    let pk = &f.ceremony.public_key;
    let fp = f.setup.fingerprint();
    let s = &f.shares[1];
    verify_decryption_share(fp, pk, &f.ct, &f.id, s).unwrap();
    // Another ciphertext with the same α: only β differs.
    let other = Ciphertext {
        alpha: f.ct.alpha,
        beta: Element::from_point("b", f.ct.beta.point() + G).unwrap(),
    };
    assert_eq!(
        verify_decryption_share(fp, pk, &other, &f.id, s),
        Err(Error::InvalidDecryptionProof { trustee: idx(2) })
    );
    // Another selection: relabelled share.
    let other_id = CiphertextId {
        selection: "candidate-18".into(),
        ..f.id.clone()
    };
    let mut relabelled = s.clone();
    relabelled.id = other_id.clone();
    assert_eq!(
        verify_decryption_share(fp, pk, &f.ct, &other_id, &relabelled),
        Err(Error::InvalidDecryptionProof { trustee: idx(2) })
    );
    assert_eq!(
        verify_decryption_share(fp, pk, &f.ct, &other_id, s),
        Err(Error::WrongCiphertext { trustee: idx(2) })
    );
    // Another trustee.
    let mut moved = s.clone();
    moved.trustee = idx(4);
    assert_eq!(
        verify_decryption_share(fp, pk, &f.ct, &f.id, &moved),
        Err(Error::InvalidDecryptionProof { trustee: idx(4) })
    );
    // Another election.
    let fp2 = ElectionFingerprint([0x43; 32]);
    assert_eq!(
        verify_decryption_share(&fp2, pk, &f.ct, &f.id, s),
        Err(Error::InvalidDecryptionProof { trustee: idx(2) })
    );
    // In a combination, the bad share is named.
    let chosen = [f.shares[0].clone(), moved, f.shares[4].clone()];
    let e = run_combine(f, &chosen).unwrap_err();
    assert_eq!(
        e.culprits()
            .into_iter()
            .map(|t| t.get())
            .collect::<Vec<_>>(),
        vec![4]
    );
}

/// One change to one statement element of a decryption proof.
#[derive(Clone, Debug)]
enum Tweak {
    PublicShare,
    Alpha,
    Beta,
    Share,
    Contest,
    Selection,
    Unit,
    Trustee,
    Fingerprint,
}

fn tweak_strategy() -> impl Strategy<Value = Tweak> {
    prop_oneof![
        Just(Tweak::PublicShare),
        Just(Tweak::Alpha),
        Just(Tweak::Beta),
        Just(Tweak::Share),
        Just(Tweak::Contest),
        Just(Tweak::Selection),
        Just(Tweak::Unit),
        Just(Tweak::Trustee),
        Just(Tweak::Fingerprint),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn changing_any_statement_element_breaks_the_proof(
        tweak in tweak_strategy(),
        which in 0usize..5,
        delta in 1u64..u64::MAX,
        byte in any::<u8>(),
    ) {
        let f = fixture();
        let mut pk = f.ceremony.public_key.clone();
        let mut ct = f.ct;
        let mut share = f.shares[which].clone();
        let mut fp = *f.setup.fingerprint();
        let shift = |e: &Element| Element::from_point("x", e.point() + G * Scalar::from(delta)).unwrap();
        let suffix = char::from(b'a' + byte % 26).to_string();
        match tweak {
            Tweak::PublicShare => {
                let p = pk.public_shares.get_mut(&share.trustee).unwrap();
                *p = shift(p);
            }
            Tweak::Alpha => ct.alpha = shift(&ct.alpha),
            Tweak::Beta => ct.beta = shift(&ct.beta),
            Tweak::Share => share.share = shift(&share.share),
            Tweak::Contest => share.id.contest.push_str(&suffix),
            Tweak::Selection => share.id.selection.push_str(&suffix),
            Tweak::Unit => share.id.unit.push_str(&suffix),
            Tweak::Trustee => {
                let other = (share.trustee.get() % 5) + 1;
                share.trustee = idx(other);
            }
            Tweak::Fingerprint => fp.0[usize::from(byte) % 32] ^= 1 << (delta % 8),
        }
        let id = share.id.clone();
        prop_assert_eq!(
            verify_decryption_share(&fp, &pk, &ct, &id, &share),
            Err(Error::InvalidDecryptionProof { trustee: share.trustee })
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Batched and one-by-one verification agree on every input, valid or mutated, and name
    /// the same share.
    #[test]
    fn batch_and_one_by_one_verification_agree(
        picks in proptest::collection::vec((0usize..5, any::<bool>(), 0u8..4), 1..12),
        seed in any::<u64>(),
    ) {
        let f = fixture();
        let fp = f.setup.fingerprint();
        let pk = &f.ceremony.public_key;
        let other = Ciphertext {
            alpha: f.ct.alpha,
            beta: Element::from_point("b", f.ct.beta.point() + G).unwrap(),
        };
        let mut shares = Vec::new();
        let mut cts = Vec::new();
        for (which, mutate, how) in &picks {
            let mut s = f.shares[*which].clone();
            let mut ct = f.ct;
            if *mutate {
                match how {
                    0 => s.proof.response += Scalar::ONE,
                    1 => s.share = Element::from_point("m", s.share.point() + G).unwrap(),
                    2 => ct = other,
                    _ => s.proof.a1 = s.proof.a2,
                }
            }
            shares.push(s);
            cts.push(ct);
        }
        let items: Vec<ShareToVerify<'_>> = shares
            .iter()
            .zip(&cts)
            .map(|(s, c)| ShareToVerify { ciphertext: c, id: &f.id, share: s })
            .collect();
        let one_by_one = items
            .iter()
            .try_for_each(|it| verify_decryption_share(fp, pk, it.ciphertext, it.id, it.share));
        let batched = verify_decryption_shares(fp, pk, &items, &mut rng(seed));
        prop_assert_eq!(batched, one_by_one);
    }
}

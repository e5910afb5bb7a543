//! A ceremony run as the CLI will run it: each trustee in turn, in a fresh "process" per step,
//! exchanging only JSON files and keeping only its stored secrets between steps.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use common::{encrypt, idx, rng, setup_3_of_5, times_g};
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::decrypt::{CiphertextId, DecryptionShare, combine, decryption_share};
use sanduq_trustee::dkg::{
    CeremonySetup, CeremonyTranscript, PublicKeyPackage, Registration, Round1Package, Round1Secret,
    Round2Package, Round2Secret, Round3Package, Round3Secret, StoredSecrets, part1, part2, part3,
    part4, qualify, register,
};
use sanduq_trustee::share_encryption::EncryptionKeyPair;
use sanduq_trustee::wire::Message;

/// The "bulletin board": file name → contents.
type Board = BTreeMap<String, String>;

fn read_all<M: Message>(board: &Board, prefix: &str) -> BTreeMap<TrusteeIndex, M> {
    board
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| {
            let i: u32 = k.trim_start_matches(prefix).parse().unwrap();
            (idx(i), M::from_json(v).unwrap())
        })
        .collect()
}

fn transcript(board: &Board) -> CeremonyTranscript {
    CeremonyTranscript {
        registrations: read_all::<Registration>(board, "registration-"),
        round1: read_all::<Round1Package>(board, "round1-"),
        round2: read_all::<Round2Package>(board, "round2-"),
        round3: read_all::<Round3Package>(board, "round3-"),
    }
}

#[test]
fn each_trustee_in_turn_exchanging_only_files() {
    let setup_json = setup_3_of_5().to_json();
    let mut board = Board::new();
    // Each trustee's private disk: the encryption key, then its stored secrets.
    let mut disk: BTreeMap<u32, String> = BTreeMap::new();
    let mut r = rng(40);

    for i in 1..=5 {
        let setup = CeremonySetup::from_json(&setup_json).unwrap();
        let (keys, reg) = register(&setup, idx(i), &mut r).unwrap();
        board.insert(format!("registration-{i}"), reg.to_json());
        disk.insert(
            i,
            sanduq_crypto::group::to_hex(keys.expose_secret().expose_bytes().as_ref()),
        );
    }
    for i in 1..=5 {
        let setup = CeremonySetup::from_json(&setup_json).unwrap();
        let secret = sanduq_crypto::SecretScalar::decode(
            "key",
            &sanduq_crypto::group::from_hex("key", &disk[&i]).unwrap(),
        )
        .unwrap();
        let keys = EncryptionKeyPair::from_secret(secret).unwrap();
        let regs = read_all::<Registration>(&board, "registration-");
        let (s1, p1) = part1(&setup, idx(i), keys, &regs, &mut r).unwrap();
        board.insert(format!("round1-{i}"), p1.to_json());
        disk.insert(i, s1.export().to_json().to_string());
    }
    for i in 1..=5 {
        let setup = CeremonySetup::from_json(&setup_json).unwrap();
        let stored = StoredSecrets::from_json(&disk[&i]).unwrap();
        let tr = transcript(&board);
        let s1 =
            Round1Secret::restore(&setup, &stored, &tr.registrations, &tr.round1[&idx(i)]).unwrap();
        let (s2, p2) = part2(s1, &tr.round1, &mut r).unwrap();
        assert!(p2.complaints.is_empty());
        board.insert(format!("round2-{i}"), p2.to_json());
        disk.insert(i, s2.export().to_json().to_string());
    }
    for i in 1..=5 {
        let setup = CeremonySetup::from_json(&setup_json).unwrap();
        let stored = StoredSecrets::from_json(&disk[&i]).unwrap();
        let tr = transcript(&board);
        let s2 = Round2Secret::restore(&setup, &stored, &tr.registrations, &tr.round1).unwrap();
        let q = qualify(&setup, &tr.registrations, &tr.round1, &tr.round2).unwrap();
        let (_, p3) = part3(s2, &q, &mut r).unwrap();
        board.insert(format!("round3-{i}"), p3.to_json());
    }
    let mut key_shares = BTreeMap::new();
    let mut public: Option<PublicKeyPackage> = None;
    for i in 1..=5 {
        let setup = CeremonySetup::from_json(&setup_json).unwrap();
        let stored = StoredSecrets::from_json(&disk[&i]).unwrap();
        let tr = transcript(&board);
        let s3 = Round3Secret::restore(&setup, &stored, &tr).unwrap();
        let (ks, pk) = part4(s3, &tr.round3).unwrap();
        if let Some(p) = &public {
            assert_eq!(p, &pk, "every trustee computes the same public key");
        }
        public = Some(pk);
        key_shares.insert(i, ks);
    }
    let pk = PublicKeyPackage::from_json(&public.unwrap().to_json()).unwrap();
    let setup = CeremonySetup::from_json(&setup_json).unwrap();
    let ct = encrypt(&pk.joint_key, 3, 4242);
    let id = CiphertextId {
        contest: "president".into(),
        selection: "candidate-2".into(),
        unit: "AF-HER".into(),
    };
    let shares: Vec<DecryptionShare> = [2u32, 4, 5]
        .iter()
        .map(|i| {
            let s =
                decryption_share(setup.fingerprint(), &key_shares[i], &ct, &id, &mut r).unwrap();
            DecryptionShare::from_json(&s.to_json()).unwrap()
        })
        .collect();
    let m = combine(setup.fingerprint(), setup.policy(), &pk, &ct, &id, &shares).unwrap();
    assert_eq!(m, times_g(3));
}

#[test]
fn restoring_with_the_wrong_secrets_is_refused() {
    let setup = setup_3_of_5();
    let mut r = rng(41);
    let c = sanduq_trustee::dkg::run_locally(&setup, &mut r).unwrap();
    // Trustee 2's stored secrets restored against trustee 1's round-1 message.
    let (s1, _) = part1(
        &setup,
        idx(2),
        c.encryption_keys[&idx(2)].clone(),
        &c.transcript.registrations,
        &mut r,
    )
    .unwrap();
    let stored = s1.export();
    assert_eq!(stored.trustee(), idx(2));
    assert!(
        Round1Secret::restore(
            &setup,
            &stored,
            &c.transcript.registrations,
            &c.transcript.round1[&idx(1)]
        )
        .is_err()
    );
    // And against its own earlier (different) round-1 message: the commitments differ.
    assert!(
        Round1Secret::restore(
            &setup,
            &stored,
            &c.transcript.registrations,
            &c.transcript.round1[&idx(2)]
        )
        .is_err()
    );
    assert!(format!("{stored:?}").contains("redacted"));
}

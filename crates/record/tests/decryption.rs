//! Threshold decryption with absent trustees, and its refusal below the threshold.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::group::Element;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::RecordError;
use sanduq_record::RunOptions;
use sanduq_record::protocol::{
    Device, Election, Tallies, Target, add_to_station, combine, run_ceremony, trustee_shares,
};
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::decrypt::{Ciphertext, CiphertextId};

#[test]
fn t_trustees_decrypt_and_t_minus_one_are_refused() {
    let manifest = generate(&DemoParams {
        voters: 136,
        privacy_threshold: 2,
        ..DemoParams::default()
    })
    .unwrap();
    let election = Election::setup(manifest, b"decryption test").unwrap();
    let options = RunOptions::standard(9).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let (ceremony, key_shares) = run_ceremony(&election, options.policy.clone(), &mut rng).unwrap();
    let ctx = ceremony.ballot_context();

    let station = election.manifest().polling_stations()[0]
        .id
        .as_str()
        .to_owned();
    let style = election.style(&station, None).unwrap();
    let pres = style
        .iter()
        .find(|c| election.manifest().contest(c).unwrap().method.as_str() == "two-round")
        .unwrap()
        .clone();
    let cands: Vec<String> = election
        .manifest()
        .contest(&pres)
        .unwrap()
        .candidates
        .iter()
        .map(|c| c.id.as_str().to_owned())
        .collect();

    // Five ballots: three for the first candidate, two for the second (hand count: 3, 2, 0…).
    let mut device = Device::new(&election, "test-device", &station);
    let mut tallies: Tallies = BTreeMap::new();
    for who in [0, 1, 0, 1, 0] {
        let choices = [(pres.clone(), vec![cands[who].clone()])]
            .into_iter()
            .collect();
        let b = device
            .encrypt(&election, &ctx, None, &choices, &mut rng)
            .unwrap();
        let contests = device.cast(b);
        add_to_station(&mut tallies, &station, &contests);
    }
    let agg = &tallies[&station][&pres];
    assert_eq!(agg.ballots, 5);
    let targets: Vec<Target> = cands
        .iter()
        .zip(&agg.selections)
        .map(|(sid, ct)| Target {
            id: CiphertextId {
                contest: pres.clone(),
                selection: sid.clone(),
                unit: station.clone(),
            },
            ciphertext: Ciphertext {
                alpha: Element::from_point("a", *ct.alpha()).unwrap(),
                beta: Element::from_point("b", *ct.beta()).unwrap(),
            },
            ballots: 5,
        })
        .collect();
    let mut expected = vec![0u64; cands.len()];
    expected[0] = 3;
    expected[1] = 2;

    let shares_of = |present: &[u32], rng: &mut ChaCha20Rng| {
        present
            .iter()
            .map(|i| {
                let t = TrusteeIndex::new(*i).unwrap();
                (
                    t,
                    trustee_shares(election.fingerprint(), &key_shares[&t], &targets, rng).unwrap(),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    // exactly t = 3 present, two absent: Lagrange compensation recovers the counts
    assert_eq!(
        combine(&options.policy, &targets, &shares_of(&[1, 2, 3], &mut rng)).unwrap(),
        expected
    );
    assert_eq!(
        combine(&options.policy, &targets, &shares_of(&[2, 4, 5], &mut rng)).unwrap(),
        expected
    );
    // t − 1 = 2 present: refused, naming the threshold and who is present
    let err = combine(&options.policy, &targets, &shares_of(&[1, 5], &mut rng)).unwrap_err();
    match &err {
        RecordError::Quorum {
            threshold, present, ..
        } => {
            assert_eq!(*threshold, 3);
            assert_eq!(present, &vec![1, 5]);
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("needs 3 trustees"), "{err}");
}

//! Encrypting a ballot in the booth: the presidential contest of the demo (14 candidates, one
//! mark), natively; the browser runs the same code as WebAssembly. Also: signing the
//! `remote-ballot` entry with a credential, and checking a receipt (inclusion proof in a log of
//! 4,096 entries, log signature, two witness cosignatures).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use sanduq_booth_wasm::{
    Setup, SetupContest, board, check_opening_with, encrypt_ballot_for_credential,
    encrypt_ballot_with,
};
use sanduq_crypto::group::Element;

fn setup(candidates: usize) -> Setup {
    let key = Element::from_point(
        "key",
        RISTRETTO_BASEPOINT_POINT * Scalar::from(987_654_321u64),
    )
    .unwrap();
    Setup {
        fingerprint: "22".repeat(32),
        joint_key: key.to_hex(),
        contests: vec![SetupContest {
            contest: "president".to_owned(),
            selections: (1..=candidates).map(|i| format!("c{i:04}")).collect(),
            max_selections: 1,
        }],
    }
}

fn bench(c: &mut Criterion) {
    let s = setup(14);
    let choices = BTreeMap::from([("president".to_owned(), vec!["c0003".to_owned()])]);
    c.bench_function("booth encrypt 14 candidates", |b| {
        b.iter(|| encrypt_ballot_with(&s, &choices, [3; 32]).unwrap());
    });
    let e = encrypt_ballot_with(&s, &choices, [3; 32]).unwrap();
    c.bench_function("booth check opening 14 candidates", |b| {
        b.iter(|| check_opening_with(&s, &e.contests, &e.opening).unwrap());
    });
    let cred = board::Credential::parse(&format!(
        r#"{{"election":"{}","format":"sanduq-voter-credential/0.1","secret":"{}","station":"s1"}}"#,
        "22".repeat(32),
        "07".repeat(32)
    ))
    .unwrap();
    let enc = encrypt_ballot_for_credential(&s, &choices, [3; 32], &cred).unwrap();
    c.bench_function(
        "booth cast: remote-ballot entry signed, 14 candidates",
        |b| {
            b.iter(|| board::cast_with(&cred, &enc.contests).unwrap());
        },
    );
    let (receipt, code, log_vkey, witnesses) = receipt_fixture(4096, 1234);
    c.bench_function("receipt check: log of 4096, 2 witnesses", |b| {
        b.iter(|| {
            let r = board::check_receipt(&receipt, &code, &log_vkey, &witnesses, 2, 2000).unwrap();
            assert!(r.ok);
        });
    });
}

fn receipt_fixture(n: u64, index: u64) -> (String, String, String, Vec<String>) {
    use sanduq_tlog::checkpoint::Checkpoint;
    use sanduq_tlog::cosignature::CosignatureSigner;
    use sanduq_tlog::merkle::Tree;
    use sanduq_tlog::signed_note::{Ed25519Signer, KeyName, Note};
    let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let mut tree = Tree::new();
    let mut entry = Vec::new();
    for i in 0..n {
        let e = board::encode_envelope("remote-ballot", &[1; 32], &i.to_be_bytes(), &key).unwrap();
        tree.append_entry(&e);
        if i == index {
            entry = e;
        }
    }
    let log = Ed25519Signer::from_seed(KeyName::new("log.example").unwrap(), &[1; 32]);
    let w1 = CosignatureSigner::from_seed(KeyName::new("w1.example").unwrap(), &[2; 32]);
    let w2 = CosignatureSigner::from_seed(KeyName::new("w2.example").unwrap(), &[3; 32]);
    let text = Checkpoint::new("log.example", n, tree.root())
        .unwrap()
        .to_text();
    let sigs = vec![
        log.sign(&text).unwrap(),
        w1.sign(&text, 1000).unwrap(),
        w2.sign(&text, 1000).unwrap(),
    ];
    let note = Note::new(text, sigs).unwrap();
    let b64 = |b: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let mut receipt = format!("sanduq-receipt/v1\nindex {index}\nentry {}\n", b64(&entry));
    for h in tree.inclusion_proof(index, n).unwrap() {
        receipt.push_str(&b64(h.as_bytes()));
        receipt.push('\n');
    }
    receipt.push('\n');
    receipt.push_str(std::str::from_utf8(&note.to_bytes()).unwrap());
    let code = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&entry));
    (
        receipt,
        code,
        log.verifier().to_vkey(),
        vec![w1.verifier().to_vkey(), w2.verifier().to_vkey()],
    )
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Deterministic generation of the ceremony test vectors (`docs/spec/ceremony.md` §10).
//!
//! Shared by `examples/gen_ceremony_vectors.rs`, which writes the files, and `tests/vectors.rs`, which
//! checks that a regeneration reproduces the committed bytes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, dead_code)]

use std::collections::BTreeMap;

use curve25519_dalek::scalar::Scalar;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::group::{G, to_hex};
use sanduq_crypto::transcript::hash256;
use sanduq_crypto::{ElectionFingerprint, Element, Parameters, SPEC_VERSION, SUITE, SecretScalar};
use sanduq_trustee::decrypt::{Ciphertext, CiphertextId, DecryptionShare, decryption_share};
use sanduq_trustee::dkg::{
    self, CeremonySetup, CeremonyTranscript, Round3Package, part1, part2, part3, part4,
    prove_coefficient, qualify, register,
};
use sanduq_trustee::share_encryption::{DealtShare, EncryptionKeyPair, ShareContext};
use sanduq_trustee::wire::{CiphertextWire, Message};
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};
use serde_json::{Value, json};

/// The seed of every vector file.
pub const SEED: u64 = 0x5a4e_4455_5143_4552; // "ZNDUQCER"

/// The plaintext of the decryption vectors.
pub const PLAINTEXT: u64 = 11;

/// The roster: trustees 1–3 in Kabul, 4 in Herat, 5 in Balkh; 3 of 5 from at least 2
/// provinces, so every 3-subset but {1, 2, 3} may decrypt.
pub const ROSTER: [&str; 5] = ["AF-KAB", "AF-KAB", "AF-KAB", "AF-HER", "AF-BAL"];

fn idx(i: u32) -> TrusteeIndex {
    TrusteeIndex::new(i).unwrap()
}

pub fn vector_setup() -> CeremonySetup {
    let roster: BTreeMap<TrusteeIndex, ProvinceCode> = ROSTER
        .iter()
        .zip(1u32..)
        .map(|(p, i)| (idx(i), ProvinceCode::new(p).unwrap()))
        .collect();
    let fingerprint = ElectionFingerprint(hash256("test-vector-fingerprint", &[b"ceremony"]));
    CeremonySetup::new(
        fingerprint,
        Parameters::standard().unwrap(),
        Policy::new(3, 2, roster).unwrap(),
    )
}

fn msg<M: Message>(m: &M) -> Value {
    serde_json::to_value(m.to_wire()).unwrap()
}

fn header(kind: &str, description: &str) -> serde_json::Map<String, Value> {
    let mut o = serde_json::Map::new();
    o.insert("version".into(), json!(SPEC_VERSION));
    o.insert("suite".into(), json!(SUITE));
    o.insert("kind".into(), json!(kind));
    o.insert("description".into(), json!(description));
    o
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap();
    s.push('\n');
    s
}

struct Honest {
    transcript: CeremonyTranscript,
    keys: BTreeMap<TrusteeIndex, EncryptionKeyPair>,
    shares: BTreeMap<TrusteeIndex, dkg::KeyShare>,
    public_key: dkg::PublicKeyPackage,
}

fn honest(setup: &CeremonySetup, rng: &mut ChaCha20Rng) -> Honest {
    let mut tr = CeremonyTranscript::default();
    let mut keys = BTreeMap::new();
    for t in setup.policy().trustees().keys() {
        let (k, r) = register(setup, *t, rng).unwrap();
        keys.insert(*t, k);
        tr.registrations.insert(*t, r);
    }
    let mut s1 = BTreeMap::new();
    for (t, k) in &keys {
        let (s, p) = part1(setup, *t, k.clone(), &tr.registrations, rng).unwrap();
        s1.insert(*t, s);
        tr.round1.insert(*t, p);
    }
    let mut s2 = BTreeMap::new();
    for (t, s) in s1 {
        let (s, p) = part2(s, &tr.round1, rng).unwrap();
        s2.insert(t, s);
        tr.round2.insert(t, p);
    }
    let q = qualify(setup, &tr.registrations, &tr.round1, &tr.round2).unwrap();
    let mut s3 = BTreeMap::new();
    for (t, s) in s2 {
        let (s, p) = part3(s, &q, rng).unwrap();
        s3.insert(t, s);
        tr.round3.insert(t, p);
    }
    let mut shares = BTreeMap::new();
    let mut pk = None;
    for (t, s) in s3 {
        let (k, p) = part4(s, &tr.round3).unwrap();
        shares.insert(t, k);
        pk = Some(p);
    }
    Honest {
        transcript: tr,
        keys,
        shares,
        public_key: pk.unwrap(),
    }
}

fn list<M: Message>(m: &BTreeMap<TrusteeIndex, M>) -> Value {
    Value::Array(m.values().map(msg).collect())
}

fn invalid(name: &str, reason: &str, culprits: &[u32], check: &str, extra: Value) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("name".into(), json!(name));
    o.insert("valid".into(), json!(false));
    o.insert("reason".into(), json!(reason));
    o.insert("culprits".into(), json!(culprits));
    o.insert("check".into(), json!(check));
    if let Value::Object(e) = extra {
        o.extend(e);
    }
    Value::Object(o)
}

/// Every vector file, by name, with its exact contents.
pub fn generate() -> Vec<(String, String)> {
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    let setup = vector_setup();
    let fp = *setup.fingerprint();
    let h = honest(&setup, &mut rng);
    let tr = &h.transcript;

    // ceremony.json
    let mut c = header(
        "ceremony",
        "A valid 3-of-5 key ceremony from at least 2 provinces (ceremony.md §3-§6). \
         test_secrets are for checking only: with them a checker replays every recipient's \
         private checks.",
    );
    c.insert("setup".into(), msg(&setup));
    c.insert(
        "test_secrets".into(),
        json!({
            "encryption_keys": h.keys.iter().map(|(t, k)| json!({
                "trustee": t.get(),
                "secret": to_hex(k.expose_secret().expose_bytes().as_ref()),
            })).collect::<Vec<_>>(),
            "key_shares": h.shares.iter().map(|(t, k)| json!({
                "trustee": t.get(),
                "secret": to_hex(k.expose_secret().expose_bytes().as_ref()),
            })).collect::<Vec<_>>(),
        }),
    );
    c.insert("registrations".into(), list(&tr.registrations));
    c.insert("round1".into(), list(&tr.round1));
    c.insert("round2".into(), list(&tr.round2));
    c.insert("round3".into(), list(&tr.round3));
    c.insert(
        "expected".into(),
        json!({"qualified": [1, 2, 3, 4, 5], "public_key": msg(&h.public_key)}),
    );

    // decryption.json
    let r = Scalar::from(0x0102_0304_0506_0708u64);
    let ct = Ciphertext {
        alpha: Element::from_point("alpha", G * r).unwrap(),
        beta: Element::from_point(
            "beta",
            G * Scalar::from(PLAINTEXT) + h.public_key.joint_key.point() * r,
        )
        .unwrap(),
    };
    let id = CiphertextId {
        contest: "wolesi-jirga-AF-KAB".into(),
        selection: "candidate-07".into(),
        unit: "district-0101".into(),
    };
    let shares: Vec<DecryptionShare> = h
        .shares
        .values()
        .map(|k| decryption_share(&fp, k, &ct, &id, &mut rng).unwrap())
        .collect();
    let m_g = Element::from_point("mG", G * Scalar::from(PLAINTEXT)).unwrap();
    let mut combos = Vec::new();
    for a in 1u32..=5 {
        for b in a + 1..=5 {
            for cc in b + 1..=5 {
                if [a, b, cc] == [1, 2, 3] {
                    continue; // one province only: in invalid.json
                }
                combos.push(json!({
                    "name": format!("trustees-{a}-{b}-{cc}"),
                    "valid": true,
                    "trustees": [a, b, cc],
                    "result": m_g.to_hex(),
                    "plaintext": PLAINTEXT,
                }));
            }
        }
    }
    combos.push(json!({
        "name": "all-five",
        "valid": true,
        "trustees": [1, 2, 3, 4, 5],
        "result": m_g.to_hex(),
        "plaintext": PLAINTEXT,
    }));
    let mut d = header(
        "decryption",
        "Decryption shares of one ciphertext by the five trustees of ceremony.json, and every \
         valid combination (ceremony.md §8).",
    );
    d.insert("setup".into(), msg(&setup));
    d.insert("public_key".into(), msg(&h.public_key));
    d.insert(
        "ciphertext".into(),
        serde_json::to_value(CiphertextWire::from_ciphertext(&ct)).unwrap(),
    );
    d.insert(
        "id".into(),
        json!({"contest": id.contest, "selection": id.selection, "unit": id.unit}),
    );
    d.insert(
        "shares".into(),
        Value::Array(shares.iter().map(msg).collect()),
    );
    d.insert("vectors".into(), Value::Array(combos));

    // invalid.json
    let mut cases = Vec::new();

    // A bad share: trustee 2 sends trustee 4 a share off its polynomial; 4 complains.
    {
        let bogus = DealtShare {
            value: SecretScalar::random(&mut rng),
            blinding: SecretScalar::random(&mut rng),
        };
        let ctx = ShareContext {
            fingerprint: &fp,
            sender: idx(2),
            recipient: idx(4),
            recipient_key: h.keys[&idx(4)].public(),
        };
        let mut p2 = tr.round1[&idx(2)].clone();
        let enc = ctx.encrypt(&bogus, &mut rng).unwrap();
        p2.encrypted_shares.insert(idx(4), enc.clone());
        let mut c4 = tr.round2[&idx(4)].clone();
        c4.complaints.insert(
            idx(2),
            ctx.reveal(&h.keys[&idx(4)], &enc, &mut rng).unwrap(),
        );
        cases.push(invalid(
            "bad-share",
            "share-inconsistent",
            &[2],
            "ceremony",
            json!({"replace": {"round1": [msg(&p2)], "round2": [msg(&c4)]}}),
        ));
    }
    // An undecryptable share: trustee 1's share for 3 has a flipped byte; 3 complains.
    {
        let mut p1 = tr.round1[&idx(1)].clone();
        let enc = p1.encrypted_shares.get_mut(&idx(3)).unwrap();
        enc.ciphertext[0] ^= 0x01;
        let enc = enc.clone();
        let ctx = ShareContext {
            fingerprint: &fp,
            sender: idx(1),
            recipient: idx(3),
            recipient_key: h.keys[&idx(3)].public(),
        };
        let mut c3 = tr.round2[&idx(3)].clone();
        c3.complaints.insert(
            idx(1),
            ctx.reveal(&h.keys[&idx(3)], &enc, &mut rng).unwrap(),
        );
        cases.push(invalid(
            "undecryptable-share",
            "undecryptable-share",
            &[1],
            "ceremony",
            json!({"replace": {"round1": [msg(&p1)], "round2": [msg(&c3)]}}),
        ));
    }
    // A share moved to another recipient: trustee 2 files the share for 4 under 5.
    {
        let mut p2 = tr.round1[&idx(2)].clone();
        let moved = p2.encrypted_shares[&idx(4)].clone();
        p2.encrypted_shares.insert(idx(5), moved.clone());
        let ctx = ShareContext {
            fingerprint: &fp,
            sender: idx(2),
            recipient: idx(5),
            recipient_key: h.keys[&idx(5)].public(),
        };
        let mut c5 = tr.round2[&idx(5)].clone();
        c5.complaints.insert(
            idx(2),
            ctx.reveal(&h.keys[&idx(5)], &moved, &mut rng).unwrap(),
        );
        cases.push(invalid(
            "share-moved-to-another-recipient",
            "undecryptable-share",
            &[2],
            "ceremony",
            json!({"replace": {"round1": [msg(&p2)], "round2": [msg(&c5)]}}),
        ));
    }
    // A false complaint: trustee 3 accuses honest trustee 1, revealing a valid share.
    {
        let ctx = ShareContext {
            fingerprint: &fp,
            sender: idx(1),
            recipient: idx(3),
            recipient_key: h.keys[&idx(3)].public(),
        };
        let enc = &tr.round1[&idx(1)].encrypted_shares[&idx(3)];
        let mut c3 = tr.round2[&idx(3)].clone();
        c3.complaints
            .insert(idx(1), ctx.reveal(&h.keys[&idx(3)], enc, &mut rng).unwrap());
        cases.push(invalid(
            "false-complaint",
            "false-complaint",
            &[3],
            "ceremony",
            json!({"replace": {"round2": [msg(&c3)]}}),
        ));
    }
    // A copied proof of knowledge: trustee 3 republishes trustee 1's reveal.
    {
        let mut copied = tr.round3[&idx(1)].clone();
        copied.trustee = idx(3);
        cases.push(invalid(
            "copied-proof-of-knowledge",
            "invalid-coefficient-proof",
            &[3],
            "ceremony",
            json!({"replace": {"round3": [msg(&copied)]}}),
        ));
    }
    // A reveal inconsistent with the Pedersen commitments: trustee 5 reveals a polynomial
    // chosen after seeing the others' reveals, with valid proofs of knowledge.
    {
        let fresh: Vec<_> = (0..3)
            .map(|k| {
                prove_coefficient(&fp, idx(5), k, &SecretScalar::random(&mut rng), &mut rng)
                    .unwrap()
            })
            .collect();
        let p5 = Round3Package {
            trustee: idx(5),
            commitments: fresh,
        };
        cases.push(invalid(
            "reveal-inconsistent-with-commitment",
            "reveal-inconsistent",
            &[5],
            "ceremony",
            json!({"replace": {"round3": [msg(&p5)]}}),
        ));
    }
    // A registration proof made for another index.
    {
        let mut r3 = tr.registrations[&idx(3)].clone();
        r3.proof = tr.registrations[&idx(2)].proof.clone();
        let mut regs = tr.registrations.clone();
        regs.insert(idx(3), r3);
        cases.push(invalid(
            "encryption-key-proof-of-another-trustee",
            "invalid-encryption-key-proof",
            &[3],
            "ceremony",
            json!({"replace": {"registrations": list(&regs)}}),
        ));
    }
    // Zero and duplicate indices.
    {
        let mut zero = msg(&tr.registrations[&idx(1)]);
        zero["trustee"] = json!(0);
        let mut regs: Vec<Value> = tr.registrations.values().map(msg).collect();
        regs[0] = zero;
        cases.push(invalid(
            "zero-index",
            "zero-index",
            &[],
            "ceremony",
            json!({"replace": {"registrations": regs}}),
        ));
        let mut regs: Vec<Value> = tr.registrations.values().map(msg).collect();
        regs.insert(2, msg(&tr.registrations[&idx(2)]));
        cases.push(invalid(
            "duplicate-index",
            "duplicate-index",
            &[2],
            "ceremony",
            json!({"replace": {"registrations": regs}}),
        ));
    }
    // Identity as a public share.
    {
        let mut pk = msg(&h.public_key);
        pk["public_shares"][2]["public_share"] = json!("00".repeat(32));
        cases.push(invalid(
            "identity-public-share",
            "identity-public-share",
            &[3],
            "public-key",
            json!({"public_key": pk}),
        ));
    }
    // Decryption shares.
    let share_msg = |i: usize| msg(&shares[i]);
    {
        let mut s = share_msg(1);
        s["share"] = json!("00".repeat(32));
        cases.push(invalid(
            "identity-decryption-share",
            "identity-decryption-share",
            &[2],
            "decryption-share",
            json!({"share": s}),
        ));
        let mut s = share_msg(0);
        s["trustee"] = json!(0);
        cases.push(invalid(
            "decryption-share-zero-index",
            "zero-index",
            &[],
            "decryption-share",
            json!({"share": s}),
        ));
        let mut s = share_msg(1);
        s["selection"] = json!("candidate-08");
        cases.push(invalid(
            "decryption-proof-moved-to-another-selection",
            "invalid-decryption-proof",
            &[2],
            "decryption-share",
            json!({"share": s, "id": {"contest": id.contest, "selection": "candidate-08", "unit": id.unit}}),
        ));
        let other_beta = Element::from_point("beta", ct.beta.point() + G).unwrap();
        cases.push(invalid(
            "decryption-proof-moved-to-another-ciphertext",
            "invalid-decryption-proof",
            &[2],
            "decryption-share",
            json!({"share": share_msg(1), "ciphertext": {"alpha": ct.alpha.to_hex(), "beta": other_beta.to_hex()}}),
        ));
        let mut s = share_msg(1);
        s["trustee"] = json!(4);
        cases.push(invalid(
            "decryption-proof-moved-to-another-trustee",
            "invalid-decryption-proof",
            &[4],
            "decryption-share",
            json!({"share": s}),
        ));
        let other_fp = hash256("test-vector-fingerprint", &[b"another election"]);
        cases.push(invalid(
            "decryption-proof-moved-to-another-election",
            "invalid-decryption-proof",
            &[2],
            "decryption-share",
            json!({"share": share_msg(1), "fingerprint": to_hex(&other_fp)}),
        ));
    }
    // Combinations.
    {
        cases.push(invalid(
            "t-minus-1-shares",
            "too-few-shares",
            &[],
            "combination",
            json!({"shares": [share_msg(0), share_msg(3)]}),
        ));
        cases.push(invalid(
            "shares-from-one-province",
            "too-few-provinces",
            &[],
            "combination",
            json!({"shares": [share_msg(0), share_msg(1), share_msg(2)]}),
        ));
        cases.push(invalid(
            "duplicate-trustee-in-combination",
            "duplicate-index",
            &[1],
            "combination",
            json!({"shares": [share_msg(0), share_msg(3), share_msg(0)]}),
        ));
    }
    let mut inv = header(
        "ceremony-invalid",
        "Invalid ceremony messages and decryption shares, each with the reason it must fail for \
         and the trustees to blame (ceremony.md §10). \"check\" names the procedure; ceremony \
         cases replace messages of ceremony.json, decryption cases use decryption.json.",
    );
    inv.insert("vectors".into(), Value::Array(cases));

    vec![
        ("ceremony.json".into(), pretty(&Value::Object(c))),
        ("decryption.json".into(), pretty(&Value::Object(d))),
        ("invalid.json".into(), pretty(&Value::Object(inv))),
    ]
}

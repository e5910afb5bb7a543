//! The committed test vectors: every valid one passes, every invalid one fails for its stated
//! reason naming its culprits, and a regeneration reproduces the committed bytes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "support/gen.rs"]
mod generator;

use std::collections::BTreeMap;

use sanduq_crypto::group::from_hex;
use sanduq_crypto::{ElectionFingerprint, SecretScalar};
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::decrypt::{CiphertextId, DecryptionShare, combine, verify_decryption_share};
use sanduq_trustee::dkg::{
    CeremonySetup, CeremonyTranscript, PublicKeyPackage, check_share_feldman, check_share_pedersen,
    public_key_package, qualify, verify_registrations, verify_round1_shape,
};
use sanduq_trustee::error::Error;
use sanduq_trustee::share_encryption::{EncryptionKeyPair, ShareContext};
use sanduq_trustee::wire::{CiphertextWire, Message};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/spec/vectors/ceremony"
);

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn parse<M: Message>(v: &Value) -> Result<M, Error> {
    M::from_json(&v.to_string())
}

fn parse_list<M: Message>(
    v: &Value,
    sender: impl Fn(&M) -> TrusteeIndex,
) -> Result<BTreeMap<TrusteeIndex, M>, Error> {
    let mut map = BTreeMap::new();
    for item in v.as_array().unwrap() {
        let m: M = parse(item)?;
        let t = sender(&m);
        if map.insert(t, m).is_some() {
            return Err(Error::DuplicateIndex { trustee: t });
        }
    }
    Ok(map)
}

fn secrets(v: &Value) -> BTreeMap<TrusteeIndex, SecretScalar> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let t =
                TrusteeIndex::new(u32::try_from(e["trustee"].as_u64().unwrap()).unwrap()).unwrap();
            let s = SecretScalar::decode(
                "secret",
                &from_hex("secret", e["secret"].as_str().unwrap()).unwrap(),
            )
            .unwrap();
            (t, s)
        })
        .collect()
}

/// The ceremony check of ceremony.md §10.2, in its fixed order.
fn check_ceremony(
    base: &Value,
    replace: &Value,
) -> Result<(CeremonySetup, PublicKeyPackage), Error> {
    let setup: CeremonySetup = parse(&base["setup"])?;
    let regs_v = replace
        .get("registrations")
        .unwrap_or(&base["registrations"]);
    let registrations = parse_list(regs_v, |r: &sanduq_trustee::dkg::Registration| r.trustee)?;
    let mut tr = CeremonyTranscript {
        registrations,
        round1: parse_list(&base["round1"], |p: &sanduq_trustee::dkg::Round1Package| {
            p.trustee
        })?,
        round2: parse_list(&base["round2"], |p: &sanduq_trustee::dkg::Round2Package| {
            p.trustee
        })?,
        round3: parse_list(&base["round3"], |p: &sanduq_trustee::dkg::Round3Package| {
            p.trustee
        })?,
    };
    for m in replace
        .get("round1")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p: sanduq_trustee::dkg::Round1Package = parse(m)?;
        tr.round1.insert(p.trustee, p);
    }
    for m in replace
        .get("round2")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p: sanduq_trustee::dkg::Round2Package = parse(m)?;
        tr.round2.insert(p.trustee, p);
    }
    for m in replace
        .get("round3")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p: sanduq_trustee::dkg::Round3Package = parse(m)?;
        tr.round3.insert(p.trustee, p);
    }
    let keys: BTreeMap<TrusteeIndex, EncryptionKeyPair> =
        secrets(&base["test_secrets"]["encryption_keys"])
            .into_iter()
            .map(|(t, s)| (t, EncryptionKeyPair::from_secret(s).unwrap()))
            .collect();
    // 1-3: public checks and complaints.
    verify_registrations(&setup, &tr.registrations)?;
    verify_round1_shape(&setup, &tr.round1)?;
    let q = qualify(&setup, &tr.registrations, &tr.round1, &tr.round2)?;
    if let Some(verdict) = q.disqualified().values().next() {
        return Err(verdict.clone());
    }
    // 4: every recipient's private share checks.
    let mut opened = BTreeMap::new();
    for (j, key) in &keys {
        for (i, p) in &tr.round1 {
            if i == j {
                continue;
            }
            let ctx = ShareContext {
                fingerprint: setup.fingerprint(),
                sender: *i,
                recipient: *j,
                recipient_key: key.public(),
            };
            let share = ctx.decrypt(key, &p.encrypted_shares[j])?;
            check_share_pedersen(&setup, *i, *j, &p.commitments, &share)?;
            opened.insert((*i, *j), share);
        }
    }
    // 5: reveals and the public key.
    let pk = public_key_package(&setup, &q, &tr.round3)?;
    // 6: recipients check the reveals.
    for ((i, j), share) in &opened {
        check_share_feldman(*i, *j, &tr.round3[i], share)?;
    }
    Ok((setup, pk))
}

fn blame(e: &Error) -> Vec<u64> {
    e.culprits().iter().map(|t| u64::from(t.get())).collect()
}

#[test]
fn the_valid_ceremony_reproduces_its_public_key() {
    let base = load("ceremony.json");
    let (_, pk) = check_ceremony(&base, &Value::Null).unwrap();
    let expected: PublicKeyPackage = parse(&base["expected"]["public_key"]).unwrap();
    assert_eq!(pk, expected);
    // The test secrets' key shares are the public shares' discrete logarithms.
    for (t, s) in secrets(&base["test_secrets"]["key_shares"]) {
        assert_eq!(
            sanduq_crypto::group::G * s.expose(),
            *expected.public_shares[&t].point()
        );
    }
}

struct Decryption {
    setup: CeremonySetup,
    pk: PublicKeyPackage,
    ct: sanduq_trustee::decrypt::Ciphertext,
    id: CiphertextId,
    shares: Vec<DecryptionShare>,
}

fn decryption_base() -> Decryption {
    let d = load("decryption.json");
    let cw: CiphertextWire = serde_json::from_value(d["ciphertext"].clone()).unwrap();
    Decryption {
        setup: parse(&d["setup"]).unwrap(),
        pk: parse(&d["public_key"]).unwrap(),
        ct: cw.to_ciphertext().unwrap(),
        id: id_of(&d["id"]),
        shares: d["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| parse(s).unwrap())
            .collect(),
    }
}

fn id_of(v: &Value) -> CiphertextId {
    CiphertextId {
        contest: v["contest"].as_str().unwrap().into(),
        selection: v["selection"].as_str().unwrap().into(),
        unit: v["unit"].as_str().unwrap().into(),
    }
}

#[test]
fn every_valid_combination_decrypts() {
    let d = load("decryption.json");
    let base = decryption_base();
    let mut n = 0;
    for v in d["vectors"].as_array().unwrap() {
        assert_eq!(v["valid"], Value::Bool(true));
        let chosen: Vec<DecryptionShare> = v["trustees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| base.shares[usize::try_from(t.as_u64().unwrap() - 1).unwrap()].clone())
            .collect();
        let m = combine(
            base.setup.fingerprint(),
            base.setup.policy(),
            &base.pk,
            &base.ct,
            &base.id,
            &chosen,
        )
        .unwrap();
        assert_eq!(
            sanduq_crypto::group::to_hex(&m.compress().to_bytes()),
            v["result"].as_str().unwrap(),
            "{}",
            v["name"]
        );
        let plaintext = v["plaintext"].as_u64().unwrap();
        assert_eq!(
            sanduq_trustee::decrypt::small_dlog(&m, 100),
            Some(plaintext)
        );
        n += 1;
    }
    assert_eq!(n, 10);
}

fn run_invalid(v: &Value) -> Result<(), Error> {
    match v["check"].as_str().unwrap() {
        "ceremony" => check_ceremony(&load("ceremony.json"), &v["replace"]).map(|_| ()),
        "public-key" => parse::<PublicKeyPackage>(&v["public_key"]).map(|_| ()),
        "decryption-share" => {
            let base = decryption_base();
            let share: DecryptionShare = parse(&v["share"])?;
            let fp = match v.get("fingerprint") {
                Some(h) => ElectionFingerprint(
                    from_hex("fp", h.as_str().unwrap())
                        .unwrap()
                        .try_into()
                        .unwrap(),
                ),
                None => *base.setup.fingerprint(),
            };
            let ct = match v.get("ciphertext") {
                Some(c) => serde_json::from_value::<CiphertextWire>(c.clone())
                    .unwrap()
                    .to_ciphertext()?,
                None => base.ct,
            };
            let id = v.get("id").map_or(base.id.clone(), id_of);
            verify_decryption_share(&fp, &base.pk, &ct, &id, &share)
        }
        "combination" => {
            let base = decryption_base();
            let shares = v["shares"]
                .as_array()
                .unwrap()
                .iter()
                .map(parse)
                .collect::<Result<Vec<DecryptionShare>, _>>()?;
            combine(
                base.setup.fingerprint(),
                base.setup.policy(),
                &base.pk,
                &base.ct,
                &base.id,
                &shares,
            )
            .map(|_| ())
        }
        other => panic!("unknown check {other}"),
    }
}

#[test]
fn every_invalid_vector_fails_for_its_reason_naming_its_culprits() {
    let inv = load("invalid.json");
    let mut n = 0;
    for v in inv["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        assert_eq!(v["valid"], Value::Bool(false), "{name}");
        let e = run_invalid(v).expect_err(name);
        assert_eq!(e.reason(), v["reason"].as_str().unwrap(), "{name}: {e}");
        let culprits: Vec<u64> = v["culprits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert_eq!(blame(&e), culprits, "{name}: {e}");
        n += 1;
    }
    assert_eq!(n, 19, "the number of invalid vectors");
}

#[test]
fn regeneration_reproduces_the_committed_files() {
    for (name, contents) in generator::generate() {
        let committed = std::fs::read_to_string(format!("{DIR}/{name}")).unwrap();
        assert!(
            committed == contents,
            "{name} differs from a regeneration: run `cargo run -p sanduq-trustee --example gen_ceremony_vectors`"
        );
    }
}

#[test]
fn the_spec_worked_example_challenge_and_equations_hold() {
    // ceremony.md §8.4: the values and the challenge are written out in the spec.
    use sanduq_crypto::Element;
    use sanduq_crypto::group::{G, scalar_from_hex};
    use sanduq_crypto::sigma::{DleqStatement, dleq_challenge};
    let e = |h: &str| Element::from_hex("x", h).unwrap();
    let fp: [u8; 32] = from_hex(
        "fp",
        "48ad4314abea582e0c6858b85f9854e05af850cf47b6e219675eddee835f448e",
    )
    .unwrap()
    .try_into()
    .unwrap();
    let p1 = e("1cbb9ebed0e93262b042cfb61f6a2de74c8086e76c493c94767b88f5f777b32b");
    let alpha = e("5ea857570abcf6010580794d21409ae9320df2043be4debddba864b6fb6de03a");
    let beta = e("1abed76f2a861f78670b74db2287de15d2afaa34d1c371f02b924e15778e7869");
    let m1 = e("86ffa492a0b7d5eaf0e782d72330e909ff1f6d028a565fba15f320edd37d6242");
    let a1 = e("a0aee07a8a04639613af5a13c90f47cfb9be4e88ade263ebaa8e258d35f73f73");
    let a2 = e("6071cfddc257e9170c6d9598868fee49cf41be33d3864a80bf62f4d362b38d12");
    let z = scalar_from_hex(
        "z",
        "12e0a3963bacb724bc2e8429347c566965495dee5725c2c8645b3750b01ca706",
    )
    .unwrap();
    let g = Element::from_point("G", G).unwrap();
    let st = DleqStatement {
        g1: &g,
        y1: &p1,
        g2: &alpha,
        y2: &m1,
    };
    let c = dleq_challenge(
        "decryption-share",
        &fp,
        &[
            &1u64.to_be_bytes(),
            b"wolesi-jirga-AF-KAB",
            b"candidate-07",
            b"district-0101",
            beta.as_bytes(),
        ],
        &st,
        &a1,
        &a2,
    );
    let expected = scalar_from_hex(
        "c",
        "c73934b9cfb1d30544d2e47a67e86b348c7db2296b6e250fde20da41b0af540d",
    )
    .unwrap();
    assert_eq!(c, expected);
    assert_eq!(G * z, a1.point() + p1.point() * c);
    assert_eq!(alpha.point() * z, a2.point() + m1.point() * c);
}

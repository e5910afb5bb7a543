//! The committed test vectors (`docs/spec/vectors/crypto/`): every valid vector verifies,
//! every invalid one is rejected for its stated reason, one by one and in batches, and
//! regeneration reproduces the committed bytes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

#[path = "../vectors/generate.rs"]
mod generate;

use curve25519_dalek::scalar::Scalar;
use sanduq_crypto::batch::verify_batch_with_seed;
use sanduq_crypto::contest::{BallotContext, ContestDescription, ContestItem};
use sanduq_crypto::dlog::DlogTable;
use sanduq_crypto::elgamal::{AggregateCiphertext, ElectionKey, encrypt};
use sanduq_crypto::group::{
    Element, SecretScalar, decode_element_or_identity, from_hex, scalar_from_hex, to_hex,
};
use sanduq_crypto::params::{ElectionFingerprint, Parameters};
use sanduq_crypto::range::{RangeContext, RangeItem, RangeStatement, Subject};
use sanduq_crypto::sigma::{DleqItem, DleqStatement, SchnorrItem, verify_dleq, verify_schnorr};
use sanduq_crypto::transcript::{Transcript, hash256};
use sanduq_crypto::wire::{
    CiphertextWire, ContestWire, DleqProofWire, RangeProofWire, SchnorrProofWire,
};
use sanduq_crypto::{Error, SPEC_VERSION, SUITE};
use serde_json::Value;

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/vectors/crypto")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(name)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], SPEC_VERSION);
    assert_eq!(v["suite"], SUITE);
    v
}

/// The spec's failure reason for an error (spec §13).
fn reason(e: &Error) -> &'static str {
    match e.root() {
        Error::NonCanonicalElement { .. } => "non-canonical-element",
        Error::NonCanonicalScalar { .. } => "non-canonical-scalar",
        Error::Identity { .. } => "identity",
        Error::Length { .. } => "length",
        Error::Hex { .. } => "hex",
        Error::BranchCount { .. } => "branch-count",
        Error::ChallengeMismatch { .. } => "challenge-mismatch",
        Error::InvalidProof { .. } => "equation",
        Error::Structure { .. } => "structure",
        Error::Wire { .. } => "wire",
        Error::DlogNotFound { .. } => "dlog-out-of-range",
        _ => "other",
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    from_hex("test", s(v)).unwrap()
}

fn fp(v: &Value) -> [u8; 32] {
    bytes(v).try_into().unwrap()
}

/// Check one vector: `run` returns the verification result; returns how many were checked.
fn expect(v: &Value, what: &str, run: impl FnOnce() -> Result<(), Error>) -> usize {
    let name = format!("{what}: {}", s(&v["name"]));
    match (v["valid"].as_bool().unwrap(), run()) {
        (true, Ok(())) => {}
        (true, Err(e)) => panic!("{name}: valid vector rejected: {e}"),
        (false, Ok(())) => panic!("{name}: invalid vector accepted"),
        (false, Err(e)) => assert_eq!(reason(&e), s(&v["reason"]), "{name}: {e}"),
    }
    1
}

const SEED: [u8; 32] = [42; 32];

#[test]
fn transcript_and_parameter_vectors() {
    for v in load("transcript.json")["vectors"].as_array().unwrap() {
        let values: Vec<Vec<u8>> = v["values"].as_array().unwrap().iter().map(bytes).collect();
        let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
        let got = if v["hash"] == "challenge" {
            let mut t = Transcript::new(s(&v["tag"]), &fp(&v["fingerprint"]));
            for r in &refs {
                t.append(r);
            }
            to_hex(&t.challenge().to_bytes())
        } else {
            to_hex(&hash256(s(&v["tag"]), &refs))
        };
        assert_eq!(got, s(&v["output"]), "{}", v["name"]);
    }
    let doc = load("parameters.json");
    for v in doc["generators"].as_array().unwrap() {
        assert_eq!(
            Parameters::new(&bytes(&v["seed"])).unwrap().h().to_hex(),
            s(&v["h"])
        );
    }
    for v in doc["fingerprints"].as_array().unwrap() {
        let p = Parameters::new(&bytes(&v["seed"])).unwrap();
        assert_eq!(
            to_hex(&p.fingerprint(&bytes(&v["manifest"])).0),
            s(&v["fingerprint"])
        );
    }
}

#[test]
fn encoding_and_elgamal_vectors() {
    let doc = load("encodings.json");
    let mut n = 0;
    for v in doc["elements"].as_array().unwrap() {
        n += expect(v, "element", || {
            let b = from_hex("element", s(&v["hex"]))?;
            if v["identity_allowed"].as_bool().unwrap() {
                decode_element_or_identity("element", &b).map(|_| ())
            } else {
                Element::decode("element", &b).map(|_| ())
            }
        });
    }
    for v in doc["scalars"].as_array().unwrap() {
        n += expect(v, "scalar", || {
            scalar_from_hex("scalar", s(&v["hex"])).map(|_| ())
        });
    }
    let doc = load("elgamal.json");
    for v in doc["encryptions"].as_array().unwrap() {
        let key = ElectionKey::new(Element::from_hex("key", s(&v["key"])).unwrap());
        let nonce = SecretScalar::new(scalar_from_hex("nonce", s(&v["nonce"])).unwrap());
        let c = encrypt(&key, v["m"].as_u64().unwrap(), &nonce).unwrap();
        assert_eq!(
            serde_json::to_value(CiphertextWire::from(&c)).unwrap(),
            v["ciphertext"]
        );
    }
    for v in doc["sums"].as_array().unwrap() {
        let cts: Vec<_> = v["ciphertexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                serde_json::from_value::<CiphertextWire>(c.clone())
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        let sum = AggregateCiphertext::sum(&cts);
        assert_eq!(to_hex(&sum.to_bytes()), s(&v["sum"]));
        let sk = SecretScalar::new(scalar_from_hex("s", s(&v["secret"])).unwrap());
        let m = DlogTable::new(100)
            .unwrap()
            .solve(&sum.decrypt_to_point(&sk))
            .unwrap();
        assert_eq!(m, v["plaintext_sum"].as_u64().unwrap());
    }
    for v in doc["ciphertexts"].as_array().unwrap() {
        n += expect(v, "ciphertext", || {
            serde_json::from_value::<CiphertextWire>(v["ciphertext"].clone())
                .unwrap()
                .parse()
                .map(|_| ())
        });
    }
    assert!(n > 15);
}

#[test]
fn schnorr_and_dleq_vectors() {
    for v in load("schnorr.json")["vectors"].as_array().unwrap() {
        let ctx: Vec<Vec<u8>> = v["context"].as_array().unwrap().iter().map(bytes).collect();
        let ctx: Vec<&[u8]> = ctx.iter().map(Vec::as_slice).collect();
        let fpr = fp(&v["fingerprint"]);
        expect(v, "schnorr", || {
            let public = Element::from_hex("public", s(&v["public"]))?;
            let proof = serde_json::from_value::<SchnorrProofWire>(v["proof"].clone())
                .unwrap()
                .parse()?;
            let one = verify_schnorr(s(&v["tag"]), &fpr, &ctx, &public, &proof);
            let item = SchnorrItem {
                tag: s(&v["tag"]),
                fingerprint: &fpr,
                context: &ctx,
                public: &public,
                proof: &proof,
            };
            let batch = verify_batch_with_seed(&[item], SEED).map_err(|e| e.error);
            assert_eq!(one, batch, "batch and one-by-one agree");
            one
        });
    }
    for v in load("dleq.json")["vectors"].as_array().unwrap() {
        let ctx: Vec<Vec<u8>> = v["context"].as_array().unwrap().iter().map(bytes).collect();
        let ctx: Vec<&[u8]> = ctx.iter().map(Vec::as_slice).collect();
        let fpr = fp(&v["fingerprint"]);
        expect(v, "dleq", || {
            let e = |k: &str| Element::from_hex("dleq statement", s(&v[k]));
            let (g1, y1, g2, y2) = (e("g1")?, e("y1")?, e("g2")?, e("y2")?);
            let st = DleqStatement {
                g1: &g1,
                y1: &y1,
                g2: &g2,
                y2: &y2,
            };
            let proof = serde_json::from_value::<DleqProofWire>(v["proof"].clone())
                .unwrap()
                .parse()?;
            let one = verify_dleq(s(&v["tag"]), &fpr, &ctx, &st, &proof);
            let item = DleqItem {
                tag: s(&v["tag"]),
                fingerprint: &fpr,
                context: &ctx,
                statement: st,
                proof: &proof,
            };
            assert_eq!(
                one,
                verify_batch_with_seed(&[item], SEED).map_err(|e| e.error)
            );
            one
        });
    }
}

#[test]
fn range_proof_vectors() {
    let mut n = 0;
    for v in load("range-proof.json")["vectors"].as_array().unwrap() {
        let fpr = fp(&v["fingerprint"]);
        n += expect(v, "range proof", || {
            let key = ElectionKey::new(Element::from_hex("key", s(&v["key"]))?);
            let ct = serde_json::from_value::<CiphertextWire>(v["ciphertext"].clone())
                .unwrap()
                .parse()?;
            let proof = serde_json::from_value::<RangeProofWire>(v["proof"].clone())
                .unwrap()
                .parse()?;
            let subject = if v["subject_kind"] == "selection" {
                Subject::Selection(s(&v["subject"]))
            } else {
                Subject::Limit
            };
            let ctx = RangeContext {
                fingerprint: &fpr,
                key: &key,
                contest: s(&v["contest"]),
                subject,
            };
            let st = RangeStatement::from_ciphertext(&ct);
            let max = v["max"].as_u64().unwrap();
            let one = proof.verify(&ctx, max, &st);
            let item = RangeItem {
                ctx,
                max,
                statement: st,
                proof: &proof,
            };
            assert_eq!(
                one,
                verify_batch_with_seed(&[item], SEED).map_err(|e| e.error)
            );
            one
        });
    }
    assert!(n >= 20);
}

#[test]
fn contest_vectors() {
    let mut n = 0;
    for v in load("encrypted-contest.json")["vectors"]
        .as_array()
        .unwrap()
    {
        n += expect(v, "contest", || {
            let d = &v["description"];
            let ids: Vec<&str> = d["selection_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(s)
                .collect();
            let desc = ContestDescription::new(
                s(&d["contest_id"]),
                &ids,
                d["votes_allowed"].as_u64().unwrap(),
                d["selection_max"].as_u64().unwrap(),
            )?;
            let ctx = BallotContext {
                fingerprint: ElectionFingerprint(fp(&v["fingerprint"])),
                key: ElectionKey::new(Element::from_hex("key", s(&v["key"]))?),
            };
            let wire: ContestWire =
                sanduq_crypto::wire::from_json("contest", &v["contest"].to_string())?;
            let contest = wire.parse()?;
            let one = contest.verify(&ctx, &desc);
            let item = ContestItem {
                ctx: &ctx,
                desc: &desc,
                contest: &contest,
            };
            assert_eq!(
                one,
                verify_batch_with_seed(&[item], SEED).map_err(|e| e.error)
            );
            one
        });
    }
    assert!(n >= 14);
}

#[test]
fn dlog_vectors() {
    for v in load("dlog.json")["vectors"].as_array().unwrap() {
        expect(v, "dlog", || {
            let p = decode_element_or_identity("point", &bytes(&v["point"]))?;
            let m = DlogTable::new(v["max"].as_u64().unwrap())?.solve(&p)?;
            assert_eq!(m, v["value"].as_u64().unwrap());
            Ok(())
        });
    }
}

#[test]
fn regeneration_reproduces_the_committed_files() {
    for (name, contents) in generate::all_files() {
        let committed = std::fs::read_to_string(dir().join(name)).unwrap();
        assert!(
            committed == contents,
            "{name} differs from its regeneration: run `cargo run -p sanduq-crypto --example gen_vectors`"
        );
    }
    // and the helper agrees with scalar arithmetic: (z + ℓ) reduces back to z
    let z = Scalar::from(5u64);
    assert_eq!(Scalar::from_bytes_mod_order(generate::add_ell(&z)), z);
}

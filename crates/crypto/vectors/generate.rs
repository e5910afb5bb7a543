//! Deterministic generation of the crypto test vectors (`docs/spec/vectors/crypto/`).
//!
//! Shared by `examples/gen_vectors.rs`, which writes the files, and `tests/vectors.rs`,
//! which checks that regeneration reproduces the committed bytes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, dead_code)]

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sanduq_crypto::contest::{ContestDescription, EncryptedContest, EncryptedSelection};
use sanduq_crypto::elgamal::{AggregateCiphertext, Ciphertext, ElectionKey, encrypt, mul_g};
use sanduq_crypto::group::{Element, G, SecretScalar, to_hex};
use sanduq_crypto::params::{DEFAULT_GENERATOR_SEED, Parameters};
use sanduq_crypto::range::{RangeContext, RangeProof, RangeStatement, Subject, prove_range};
use sanduq_crypto::sigma::{DleqStatement, prove_dleq, prove_schnorr};
use sanduq_crypto::transcript::{Transcript, hash256};
use sanduq_crypto::wire::{
    CiphertextWire, ContestWire, DleqProofWire, RangeProofWire, SchnorrProofWire,
};
use sanduq_crypto::{SPEC_VERSION, SUITE};
use serde_json::{Value, json};

/// ℓ, little-endian.
pub const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Non-canonical element encodings (RFC 9496 Appendix A.2, and a high-bit one).
pub const BAD_ELEMENTS: [(&str, &str); 5] = [
    (
        "non-canonical field element (p)",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ),
    (
        "negative field element",
        "0100000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "non-square x^2",
        "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    ),
    (
        "high bit set",
        "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2df6",
    ),
    (
        "all ones",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ),
];

const IDENTITY: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn hex_s(s: &Scalar) -> String {
    to_hex(&s.to_bytes())
}

fn hex_p(p: &RistrettoPoint) -> String {
    to_hex(&p.compress().to_bytes())
}

/// `s + ℓ` as 32 little-endian bytes (fits: s < ℓ < 2^253).
pub fn add_ell(s: &Scalar) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for (i, o) in out.iter_mut().enumerate() {
        let v = u16::from(s.to_bytes()[i]) + u16::from(ELL[i]) + carry;
        *o = (v & 0xff) as u8;
        carry = v >> 8;
    }
    out
}

fn file(kind: &str, description: &str, body: Value) -> String {
    let mut v = json!({
        "version": SPEC_VERSION,
        "suite": SUITE,
        "kind": kind,
        "description": description,
    });
    if let (Value::Object(m), Value::Object(b)) = (&mut v, body) {
        m.extend(b);
    }
    let mut s = String::new();
    write_sorted(&v, 0, &mut s);
    s.push('\n');
    s
}

/// Pretty JSON with object keys sorted, two-space indentation, independent of whether
/// serde_json preserves insertion order (a feature another crate may turn on).
fn write_sorted(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push_str(": ");
                write_sorted(&m[k.as_str()], indent + 1, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_sorted(x, indent + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

fn valid(name: &str, mut fields: Value) -> Value {
    fields["name"] = json!(name);
    fields["valid"] = json!(true);
    fields
}

fn invalid(name: &str, reason: &str, mut fields: Value) -> Value {
    fields["name"] = json!(name);
    fields["valid"] = json!(false);
    fields["reason"] = json!(reason);
    fields
}

/// The election key of the vectors: `s·G` for a secret drawn from seed 1000.
pub fn vector_key() -> (SecretScalar, ElectionKey) {
    let mut r = rng(1000);
    let s = SecretScalar::random(&mut r);
    let k = ElectionKey::new(Element::from_point("key", mul_g(s.expose())).unwrap());
    (s, k)
}

/// The fingerprint of the vectors' election: standard parameters, manifest bytes below.
pub fn vector_fingerprint() -> [u8; 32] {
    Parameters::standard()
        .unwrap()
        .fingerprint(b"{\"election\":\"vectors\"}")
        .0
}

fn transcript_file() -> String {
    let fp = vector_fingerprint();
    let mut vs = Vec::new();
    let cases: [(&str, &[&[u8]]); 3] = [
        ("no values", &[]),
        ("one value", &[b"abc"]),
        ("three values, one empty", &[b"", b"\x00\x01", b"contest-1"]),
    ];
    for (name, values) in cases {
        let mut t = Transcript::new("test-tag", &fp);
        for v in values {
            t.append(v);
        }
        vs.push(json!({
            "name": format!("sha512 challenge, {name}"),
            "hash": "challenge",
            "tag": "test-tag",
            "fingerprint": to_hex(&fp),
            "values": values.iter().map(|v| to_hex(v)).collect::<Vec<_>>(),
            "output": hex_s(&t.challenge()),
        }));
        vs.push(json!({
            "name": format!("sha256, {name}"),
            "hash": "hash256",
            "tag": "test-tag",
            "values": values.iter().map(|v| to_hex(v)).collect::<Vec<_>>(),
            "output": to_hex(&hash256("test-tag", values)),
        }));
    }
    file(
        "transcript",
        "Fiat-Shamir framing (spec §3): challenge = SHA-512(lp(version) lp(tag) lp(fingerprint) lp(values...)) mod l; hash256 = SHA-256(lp(version) lp(tag) lp(values...)).",
        json!({ "vectors": vs }),
    )
}

fn params_file() -> String {
    let mut gens = Vec::new();
    for seed in [
        DEFAULT_GENERATOR_SEED,
        b"another seed".as_slice(),
        b"".as_slice(),
    ] {
        let p = Parameters::new(seed).unwrap();
        gens.push(json!({ "seed": to_hex(seed), "h": p.h().to_hex() }));
    }
    let p = Parameters::standard().unwrap();
    let manifest = b"{\"election\":\"vectors\"}";
    let fps = vec![json!({
        "seed": to_hex(DEFAULT_GENERATOR_SEED),
        "manifest": to_hex(manifest),
        "fingerprint": to_hex(&p.fingerprint(manifest).0),
    })];
    file(
        "parameters",
        "Second generator H from a seed and the election fingerprint (spec §4).",
        json!({ "generators": gens, "fingerprints": fps }),
    )
}

fn encodings_file() -> String {
    let mut el = Vec::new();
    for m in [1u64, 2, 7] {
        el.push(valid(
            &format!("{m}·G"),
            json!({ "hex": hex_p(&(G * Scalar::from(m))), "identity_allowed": false }),
        ));
    }
    el.push(valid(
        "identity where legal (an aggregate)",
        json!({ "hex": IDENTITY, "identity_allowed": true }),
    ));
    el.push(invalid(
        "identity where not legal (a key, commitment or ciphertext part)",
        "identity",
        json!({ "hex": IDENTITY, "identity_allowed": false }),
    ));
    for (name, hex) in BAD_ELEMENTS {
        el.push(invalid(
            name,
            "non-canonical-element",
            json!({ "hex": hex, "identity_allowed": true }),
        ));
    }
    el.push(invalid(
        "31 bytes",
        "length",
        json!({ "hex": &IDENTITY[2..], "identity_allowed": true }),
    ));
    let mut sc = Vec::new();
    sc.push(valid("zero", json!({ "hex": IDENTITY })));
    sc.push(valid("one", json!({ "hex": hex_s(&Scalar::ONE) })));
    sc.push(valid("l - 1", json!({ "hex": hex_s(&(-Scalar::ONE)) })));
    sc.push(invalid(
        "l",
        "non-canonical-scalar",
        json!({ "hex": to_hex(&ELL) }),
    ));
    sc.push(invalid(
        "l + 1",
        "non-canonical-scalar",
        json!({ "hex": to_hex(&add_ell(&Scalar::ONE)) }),
    ));
    sc.push(invalid(
        "2^256 - 1",
        "non-canonical-scalar",
        json!({ "hex": "ff".repeat(32) }),
    ));
    file(
        "encodings",
        "Element and scalar encodings (spec §2).",
        json!({ "elements": el, "scalars": sc }),
    )
}

fn elgamal_file() -> String {
    let (s, key) = vector_key();
    let mut enc = Vec::new();
    let mut cts = Vec::new();
    for (m, seed) in [(0u64, 1u64), (1, 2), (5, 3)] {
        let r = SecretScalar::random(&mut rng(seed));
        let c = encrypt(&key, m, &r).unwrap();
        enc.push(json!({ "key": key.element().to_hex(), "m": m, "nonce": hex_s(r.expose()), "ciphertext": CiphertextWire::from(&c) }));
        cts.push((c, m));
    }
    let sum = AggregateCiphertext::sum(cts.iter().map(|(c, _)| c));
    let sums = vec![json!({
        "ciphertexts": cts.iter().map(|(c, _)| CiphertextWire::from(c)).collect::<Vec<_>>(),
        "sum": to_hex(&sum.to_bytes()),
        "secret": hex_s(s.expose()),
        "plaintext_sum": cts.iter().map(|(_, m)| m).sum::<u64>(),
    })];
    let good = CiphertextWire::from(&cts[1].0);
    let mut bad = Vec::new();
    bad.push(valid(
        "a ballot ciphertext",
        json!({ "ciphertext": good.clone() }),
    ));
    bad.push(invalid(
        "alpha is the identity",
        "identity",
        json!({ "ciphertext": { "alpha": IDENTITY, "beta": good.beta } }),
    ));
    bad.push(invalid(
        "beta is the identity",
        "identity",
        json!({ "ciphertext": { "alpha": good.alpha, "beta": IDENTITY } }),
    ));
    bad.push(invalid(
        "alpha non-canonical",
        "non-canonical-element",
        json!({ "ciphertext": { "alpha": BAD_ELEMENTS[0].1, "beta": good.beta } }),
    ));
    bad.push(invalid(
        "beta negative",
        "non-canonical-element",
        json!({ "ciphertext": { "alpha": good.alpha, "beta": BAD_ELEMENTS[1].1 } }),
    ));
    file(
        "elgamal",
        "Exponential ElGamal (spec §5): Enc(m; r) = (r·G, m·G + r·K); homomorphic sum; ballot ciphertext decoding.",
        json!({ "encryptions": enc, "sums": sums, "ciphertexts": bad }),
    )
}

fn schnorr_file() -> String {
    let fp = vector_fingerprint();
    let mut r = rng(2000);
    let x = SecretScalar::random(&mut r);
    let y = Element::from_point("y", mul_g(x.expose())).unwrap();
    let ctx: [&[u8]; 1] = [b"trustee 1"];
    let p = prove_schnorr("schnorr-test", &fp, &ctx, &x, &y, &mut r).unwrap();
    let w = SchnorrProofWire::from(&p);
    let base = json!({
        "tag": "schnorr-test", "fingerprint": to_hex(&fp),
        "context": ctx.iter().map(|c| to_hex(c)).collect::<Vec<_>>(),
        "public": y.to_hex(), "proof": w.clone(),
    });
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    let vs = vec![
        valid("valid proof", base.clone()),
        invalid(
            "moved to another trustee",
            "equation",
            with(&|v| v["context"] = json!([to_hex(b"trustee 2")])),
        ),
        invalid(
            "moved to another election",
            "equation",
            with(&|v| v["fingerprint"] = json!(to_hex(&[0u8; 32]))),
        ),
        invalid(
            "another tag",
            "equation",
            with(&|v| v["tag"] = json!("schnorr-other")),
        ),
        invalid(
            "response altered",
            "equation",
            with(&|v| v["proof"]["response"] = json!(hex_s(&(p.response + Scalar::ONE)))),
        ),
        invalid(
            "response + l (not reduced)",
            "non-canonical-scalar",
            with(&|v| v["proof"]["response"] = json!(to_hex(&add_ell(&p.response)))),
        ),
        invalid(
            "commitment is the identity",
            "identity",
            with(&|v| v["proof"]["commitment"] = json!(IDENTITY)),
        ),
        invalid(
            "public key is the identity",
            "identity",
            with(&|v| v["public"] = json!(IDENTITY)),
        ),
        invalid(
            "commitment non-canonical",
            "non-canonical-element",
            with(&|v| v["proof"]["commitment"] = json!(BAD_ELEMENTS[2].1)),
        ),
    ];
    file(
        "schnorr",
        "Schnorr proof of knowledge (spec §6): c = challenge(tag, fingerprint, context..., Y, R); z·G = R + c·Y.",
        json!({ "vectors": vs }),
    )
}

fn dleq_file() -> String {
    let fp = vector_fingerprint();
    let mut r = rng(3000);
    let (_, key) = vector_key();
    let x = SecretScalar::random(&mut r);
    let g1 = Element::from_point("g", G).unwrap();
    let y1 = Element::from_point("y1", mul_g(x.expose())).unwrap();
    let g2 = *key.element();
    let y2 = Element::from_point("y2", g2.point() * x.expose()).unwrap();
    let st = DleqStatement {
        g1: &g1,
        y1: &y1,
        g2: &g2,
        y2: &y2,
    };
    let ctx: [&[u8]; 2] = [b"trustee 3", b"contest-1"];
    let p = prove_dleq("dleq-test", &fp, &ctx, &st, &x, &mut r).unwrap();
    let base = json!({
        "tag": "dleq-test", "fingerprint": to_hex(&fp),
        "context": ctx.iter().map(|c| to_hex(c)).collect::<Vec<_>>(),
        "g1": g1.to_hex(), "y1": y1.to_hex(), "g2": g2.to_hex(), "y2": y2.to_hex(),
        "proof": DleqProofWire::from(&p),
    });
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    let vs = vec![
        valid("valid proof", base.clone()),
        invalid(
            "moved to another trustee",
            "equation",
            with(&|v| v["context"][0] = json!(to_hex(b"trustee 4"))),
        ),
        invalid(
            "moved to another election",
            "equation",
            with(&|v| v["fingerprint"] = json!(to_hex(&[1u8; 32]))),
        ),
        invalid(
            "y2 replaced (different logarithms)",
            "equation",
            with(&|v| v["y2"] = json!(hex_p(&(y2.point() + G)))),
        ),
        invalid(
            "response + l (not reduced)",
            "non-canonical-scalar",
            with(&|v| v["proof"]["response"] = json!(to_hex(&add_ell(&p.response)))),
        ),
        invalid(
            "a2 is the identity",
            "identity",
            with(&|v| v["proof"]["a2"] = json!(IDENTITY)),
        ),
        invalid(
            "y2 is the identity",
            "identity",
            with(&|v| v["y2"] = json!(IDENTITY)),
        ),
    ];
    file(
        "dleq",
        "Chaum-Pedersen proof (spec §7): c = challenge(tag, fingerprint, context..., g1, y1, g2, y2, a1, a2); z·g1 = a1 + c·y1, z·g2 = a2 + c·y2.",
        json!({ "vectors": vs }),
    )
}

fn range_vector(
    fp: &[u8; 32],
    key: &ElectionKey,
    contest: &str,
    subject: Subject<'_>,
    max: u64,
    ct: &Ciphertext,
    proof: &RangeProof,
) -> Value {
    let (kind, id) = match subject {
        Subject::Selection(id) => ("selection", id),
        Subject::Limit => ("limit", "limit"),
    };
    json!({
        "fingerprint": to_hex(fp), "key": key.element().to_hex(), "contest": contest,
        "subject_kind": kind, "subject": id, "max": max,
        "ciphertext": CiphertextWire::from(ct), "proof": RangeProofWire::from(proof),
    })
}

fn range_file() -> String {
    let fp = vector_fingerprint();
    let (_, key) = vector_key();
    let mut r = rng(4000);
    let mut vs = Vec::new();
    let make = |m: u64, max: u64, subject: Subject<'_>, r: &mut ChaCha20Rng| {
        let nonce = SecretScalar::random(r);
        let ct = encrypt(&key, m, &nonce).unwrap();
        let ctx = RangeContext {
            fingerprint: &fp,
            key: &key,
            contest: "contest-1",
            subject,
        };
        let p = prove_range(
            &ctx,
            max,
            &RangeStatement::from_ciphertext(&ct),
            m,
            &nonce,
            r,
        )
        .unwrap();
        range_vector(&fp, &key, "contest-1", subject, max, &ct, &p)
    };
    let v0 = make(0, 1, Subject::Selection("candidate-a"), &mut r);
    let v1 = make(1, 1, Subject::Selection("candidate-b"), &mut r);
    let v2 = make(2, 3, Subject::Selection("candidate-c"), &mut r);
    let vl = make(1, 2, Subject::Limit, &mut r);
    vs.push(valid("0 in 0..=1", v0.clone()));
    vs.push(valid("1 in 0..=1", v1.clone()));
    vs.push(valid("2 in 0..=3", v2.clone()));
    vs.push(valid("limit subject, 1 in 0..=2", vl.clone()));
    let with = |base: &Value, f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    vs.push(invalid(
        "moved to another selection",
        "challenge-mismatch",
        with(&v1, &|v| v["subject"] = json!("candidate-a")),
    ));
    vs.push(invalid(
        "moved to another contest",
        "challenge-mismatch",
        with(&v1, &|v| v["contest"] = json!("contest-2")),
    ));
    vs.push(invalid(
        "moved to another election",
        "challenge-mismatch",
        with(&v1, &|v| v["fingerprint"] = json!("00".repeat(32))),
    ));
    vs.push(invalid(
        "selection proof presented as a limit proof",
        "challenge-mismatch",
        with(&v1, &|v| v["subject_kind"] = json!("limit")),
    ));
    vs.push(invalid(
        "moved to another ciphertext",
        "challenge-mismatch",
        with(&v1, &|v| v["ciphertext"] = v0["ciphertext"].clone()),
    ));
    vs.push(invalid(
        "one branch too many (L stated as 2)",
        "branch-count",
        with(&v1, &|v| v["max"] = json!(2)),
    ));
    vs.push(invalid(
        "one branch too few",
        "branch-count",
        with(&v2, &|v| {
            let b = v["proof"]["branches"].as_array_mut().unwrap();
            b.pop();
        }),
    ));
    vs.push(invalid(
        "one branch too many (extra branch appended)",
        "branch-count",
        with(&v1, &|v| {
            let extra = v["proof"]["branches"][0].clone();
            v["proof"]["branches"].as_array_mut().unwrap().push(extra);
        }),
    ));
    // A stored challenge that differs from the recomputed one: shift c_0 by one and c_1 back,
    // so the branch equations of branch 1 fail and the sum still... no: change c_0 only.
    vs.push(invalid(
        "stored challenge c_0 altered",
        "challenge-mismatch",
        with(&v1, &|v| {
            let c0 = sanduq_crypto::group::scalar_from_hex(
                "c",
                v["proof"]["branches"][0]["c"].as_str().unwrap(),
            )
            .unwrap();
            v["proof"]["branches"][0]["c"] = json!(hex_s(&(c0 + Scalar::ONE)));
        }),
    ));
    vs.push(invalid(
        "challenges shifted between branches (sum kept)",
        "equation",
        with(&v1, &|v| {
            let c0 = sanduq_crypto::group::scalar_from_hex(
                "c",
                v["proof"]["branches"][0]["c"].as_str().unwrap(),
            )
            .unwrap();
            let c1 = sanduq_crypto::group::scalar_from_hex(
                "c",
                v["proof"]["branches"][1]["c"].as_str().unwrap(),
            )
            .unwrap();
            v["proof"]["branches"][0]["c"] = json!(hex_s(&(c0 + Scalar::ONE)));
            v["proof"]["branches"][1]["c"] = json!(hex_s(&(c1 - Scalar::ONE)));
        }),
    ));
    vs.push(invalid(
        "response z_1 altered",
        "equation",
        with(&v1, &|v| {
            let z = sanduq_crypto::group::scalar_from_hex(
                "z",
                v["proof"]["branches"][1]["z"].as_str().unwrap(),
            )
            .unwrap();
            v["proof"]["branches"][1]["z"] = json!(hex_s(&(z + Scalar::ONE)));
        }),
    ));
    vs.push(invalid(
        "response z_0 + l (not reduced)",
        "non-canonical-scalar",
        with(&v1, &|v| {
            let z = sanduq_crypto::group::scalar_from_hex(
                "z",
                v["proof"]["branches"][0]["z"].as_str().unwrap(),
            )
            .unwrap();
            v["proof"]["branches"][0]["z"] = json!(to_hex(&add_ell(&z)));
        }),
    ));
    vs.push(invalid(
        "commitment a_0 is the identity",
        "identity",
        with(&v1, &|v| v["proof"]["branches"][0]["a"] = json!(IDENTITY)),
    ));
    vs.push(invalid(
        "commitment b_1 non-canonical",
        "non-canonical-element",
        with(&v1, &|v| {
            v["proof"]["branches"][1]["b"] = json!(BAD_ELEMENTS[1].1)
        }),
    ));
    vs.push(invalid(
        "ciphertext alpha is the identity",
        "identity",
        with(&v1, &|v| v["ciphertext"]["alpha"] = json!(IDENTITY)),
    ));
    vs.push(invalid(
        "election key is the identity",
        "identity",
        with(&v1, &|v| v["key"] = json!(IDENTITY)),
    ));
    // A lying prover: encrypts 2, proves "in 0..=1" claiming 1.
    let nonce = SecretScalar::random(&mut r);
    let ct = encrypt(&key, 2, &nonce).unwrap();
    let ctx = RangeContext {
        fingerprint: &fp,
        key: &key,
        contest: "contest-1",
        subject: Subject::Selection("candidate-a"),
    };
    let p = prove_range(
        &ctx,
        1,
        &RangeStatement::from_ciphertext(&ct),
        1,
        &nonce,
        &mut r,
    )
    .unwrap();
    vs.push(invalid(
        "encrypts 2, claims 0..=1",
        "equation",
        range_vector(&fp, &key, "contest-1", ctx.subject, 1, &ct, &p),
    ));
    file(
        "range-proof",
        "Disjunctive Chaum-Pedersen range proofs (spec §8). subject_kind selection: tag range-proof/selection; limit: tag range-proof/limit, subject \"limit\".",
        json!({ "vectors": vs }),
    )
}

/// Build a contest by hand: every selection honestly proven in `0..=selection_max`, and a
/// limit proof for range `0..=limit_max` claiming `limit_claim` (a lie when it differs from
/// the real sum).
fn build_contest(
    fp: &[u8; 32],
    key: &ElectionKey,
    desc: &ContestDescription,
    pt: &[u64],
    limit_max: u64,
    limit_claim: u64,
    r: &mut ChaCha20Rng,
) -> EncryptedContest {
    let mut sels = Vec::new();
    let mut nonce_sum = Scalar::ZERO;
    for (id, &m) in desc.selection_ids().iter().zip(pt) {
        let nonce = SecretScalar::random(r);
        let ct = encrypt(key, m, &nonce).unwrap();
        let ctx = RangeContext {
            fingerprint: fp,
            key,
            contest: desc.contest_id(),
            subject: Subject::Selection(id),
        };
        let proof = prove_range(
            &ctx,
            desc.selection_max(),
            &RangeStatement::from_ciphertext(&ct),
            m,
            &nonce,
            r,
        )
        .unwrap();
        nonce_sum += nonce.expose();
        sels.push(EncryptedSelection {
            selection_id: id.clone(),
            ciphertext: ct,
            proof,
        });
    }
    let sum = AggregateCiphertext::sum(sels.iter().map(|s| &s.ciphertext));
    let ctx = RangeContext {
        fingerprint: fp,
        key,
        contest: desc.contest_id(),
        subject: Subject::Limit,
    };
    let limit_proof = prove_range(
        &ctx,
        limit_max,
        &RangeStatement::from_aggregate(&sum),
        limit_claim,
        &SecretScalar::new(nonce_sum),
        r,
    )
    .unwrap();
    EncryptedContest {
        contest_id: desc.contest_id().to_owned(),
        selections: sels,
        limit_proof,
    }
}

fn desc_json(d: &ContestDescription) -> Value {
    json!({ "contest_id": d.contest_id(), "selection_ids": d.selection_ids(), "votes_allowed": d.votes_allowed(), "selection_max": d.selection_max() })
}

fn contest_file() -> String {
    let fp = vector_fingerprint();
    let (_, key) = vector_key();
    let mut r = rng(5000);
    let d1 = ContestDescription::new("mayor", &["ali", "bahar", "chenar"], 1, 1).unwrap();
    let d2 = ContestDescription::new("council", &["d1", "d2", "d3", "d4"], 2, 1).unwrap();
    let item = |d: &ContestDescription, c: &EncryptedContest, fp: &[u8; 32]| json!({ "fingerprint": to_hex(fp), "key": key.element().to_hex(), "description": desc_json(d), "contest": serde_json::to_value(ContestWire::from(c)).unwrap() });
    let with = |base: &Value, f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    let mut vs = Vec::new();
    let c1 = build_contest(&fp, &key, &d1, &[0, 1, 0], 1, 1, &mut r);
    let v1 = item(&d1, &c1, &fp);
    vs.push(valid("vote for 1 of 3", v1.clone()));
    let c0 = build_contest(&fp, &key, &d1, &[0, 0, 0], 1, 0, &mut r);
    vs.push(valid("blank (under-vote)", item(&d1, &c0, &fp)));
    let c2 = build_contest(&fp, &key, &d2, &[1, 0, 1, 0], 2, 2, &mut r);
    let v2 = item(&d2, &c2, &fp);
    vs.push(valid("vote for 2 of 4", v2.clone()));
    let over = build_contest(&fp, &key, &d1, &[1, 1, 0], 1, 1, &mut r);
    vs.push(invalid(
        "over-vote: each selection 0/1, sum 2 > limit 1, limit proof lies",
        "equation",
        item(&d1, &over, &fp),
    ));
    let over3 = build_contest(&fp, &key, &d1, &[1, 1, 1], 2, 2, &mut r);
    vs.push(invalid(
        "over-vote: limit proof for 0..=2 where the limit is 1",
        "branch-count",
        item(&d1, &over3, &fp),
    ));
    vs.push(invalid(
        "moved to another election",
        "challenge-mismatch",
        with(&v1, &|v| v["fingerprint"] = json!("11".repeat(32))),
    ));
    vs.push(invalid(
        "moved to another contest (same selections)",
        "challenge-mismatch",
        with(&v1, &|v| {
            v["description"]["contest_id"] = json!("mayor-2");
            v["contest"]["contest_id"] = json!("mayor-2");
        }),
    ));
    vs.push(invalid(
        "contest identifier differs from the manifest",
        "structure",
        with(&v1, &|v| v["contest"]["contest_id"] = json!("council")),
    ));
    vs.push(invalid(
        "selections in another order than the manifest",
        "structure",
        with(&v1, &|v| {
            let s = v["contest"]["selections"].as_array_mut().unwrap();
            s.swap(0, 1);
        }),
    ));
    vs.push(invalid(
        "selection missing",
        "structure",
        with(&v1, &|v| {
            v["contest"]["selections"].as_array_mut().unwrap().pop();
        }),
    ));
    vs.push(invalid(
        "ciphertexts swapped between selections",
        "challenge-mismatch",
        with(&v1, &|v| {
            let a = v["contest"]["selections"][0]["ciphertext"].clone();
            v["contest"]["selections"][0]["ciphertext"] =
                v["contest"]["selections"][1]["ciphertext"].clone();
            v["contest"]["selections"][1]["ciphertext"] = a;
        }),
    ));
    vs.push(invalid(
        "selection beta is the identity",
        "identity",
        with(&v1, &|v| {
            v["contest"]["selections"][2]["ciphertext"]["beta"] = json!(IDENTITY)
        }),
    ));
    vs.push(invalid(
        "unknown field",
        "wire",
        with(&v1, &|v| v["contest"]["comment"] = json!("x")),
    ));
    vs.push(invalid(
        "wrong version",
        "wire",
        with(&v1, &|v| v["contest"]["version"] = json!("sanduq/0.0")),
    ));
    file(
        "encrypted-contest",
        "Encrypted contests (spec §9): a range proof per selection and the selection-limit proof on the homomorphic sum.",
        json!({ "vectors": vs }),
    )
}

fn dlog_file() -> String {
    let mut vs = Vec::new();
    for (m, max) in [(0u64, 10u64), (1, 1), (10, 10), (123, 1000), (1000, 1000)] {
        vs.push(valid(
            &format!("{m} in 0..={max}"),
            json!({ "point": hex_p(&mul_g(&Scalar::from(m))), "max": max, "value": m }),
        ));
    }
    vs.push(invalid(
        "11 in 0..=10",
        "dlog-out-of-range",
        json!({ "point": hex_p(&mul_g(&Scalar::from(11u64))), "max": 10 }),
    ));
    vs.push(invalid(
        "1001 in 0..=1000",
        "dlog-out-of-range",
        json!({ "point": hex_p(&mul_g(&Scalar::from(1001u64))), "max": 1000 }),
    ));
    vs.push(invalid(
        "-1 in 0..=1000",
        "dlog-out-of-range",
        json!({ "point": hex_p(&(-G)), "max": 1000 }),
    ));
    vs.push(invalid(
        "2^40 in 0..=1000",
        "dlog-out-of-range",
        json!({ "point": hex_p(&mul_g(&Scalar::from(1u64 << 40))), "max": 1000 }),
    ));
    file(
        "dlog",
        "Bounded discrete logarithm (spec §11): m in 0..=max with point = m·G, else fail.",
        json!({ "vectors": vs }),
    )
}

/// Every vector file: (file name, contents).
pub fn all_files() -> Vec<(&'static str, String)> {
    vec![
        ("transcript.json", transcript_file()),
        ("parameters.json", params_file()),
        ("encodings.json", encodings_file()),
        ("elgamal.json", elgamal_file()),
        ("schnorr.json", schnorr_file()),
        ("dleq.json", dleq_file()),
        ("range-proof.json", range_file()),
        ("encrypted-contest.json", contest_file()),
        ("dlog.json", dlog_file()),
    ]
}

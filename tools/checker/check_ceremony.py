#!/usr/bin/env python3
"""Check sanduq's key-ceremony and decryption test vectors independently (docs/spec/ceremony.md).

Usage: python3 tools/checker/check_ceremony.py [VECTOR_DIR]
(default: docs/spec/vectors/ceremony beside this tool). Written from the specification alone,
over libsodium's ristretto255 (pysodium) and the shared helpers of sanduq_check/common.py.
Every valid vector must verify and every invalid one must fail for its stated reason, naming
its culprits. Prints one line per failure and a final line "N passed, M failed"; exits 1 on
any failure.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pysodium  # noqa: E402

from sanduq_check.common import (  # noqa: E402
    G,
    IDENTITY,
    L,
    SUITE,
    VERSION,
    CheckError,
    add,
    challenge,
    decode_element,
    decode_scalar,
    derive_generator,
    hash256,
    smul,
    smul_base,
    sub,
    u64,
    unhex,
)

# ceremony.md §1.2
TAG_ENCRYPTION_KEY_POK = "trustee-encryption-key-pok"
TAG_SHARE_KDF = "trustee-share-kdf"
TAG_SHARE_AD = "trustee-share-ad"
TAG_COMPLAINT_DLEQ = "trustee-complaint-dleq"
TAG_COEFFICIENT_POK = "trustee-coefficient-pok"
TAG_DECRYPTION_SHARE = "decryption-share"


class Fail(Exception):
    """A check failed for ``reason`` (ceremony.md §10.3), blaming the trustees ``culprits``."""

    def __init__(self, reason, culprits=(), detail=""):
        super().__init__(f"{reason} {sorted(culprits)} {detail}")
        self.reason = reason
        self.culprits = sorted(set(culprits))


# --- wire (ceremony.md §9) -------------------------------------------------------------------


def fields(obj, names, what, culprit=None):
    if not isinstance(obj, dict) or set(obj) != set(names):
        raise Fail("unreadable" if culprit is None else "malformed", [] if culprit is None else [culprit], what)


def header(obj, kind, names):
    fields(obj, ["version", "suite", "message"] + names, kind)
    if obj["version"] != VERSION.decode() or obj["suite"] != SUITE.decode() or obj["message"] != kind:
        raise Fail("unreadable", [], f"header of {kind}")


def index(v):
    if not isinstance(v, int) or v < 0 or v >= 2**32:
        raise Fail("unreadable", [], "index")
    if v == 0:
        raise Fail("zero-index")
    return v


def element(h, culprit, identity_reason="malformed"):
    try:
        return decode_element(h)
    except CheckError as e:
        if e.reason == "identity":
            raise Fail(identity_reason, [culprit]) from e
        raise Fail("malformed", [culprit], e.reason) from e


def scalar(h, culprit):
    try:
        return decode_scalar(h)
    except CheckError as e:
        raise Fail("malformed", [culprit], e.reason) from e


def schnorr_proof(p, culprit):
    fields(p, ["commitment", "response"], "schnorr proof", culprit)
    return element(p["commitment"], culprit), scalar(p["response"], culprit)


def dleq_proof(p, culprit):
    fields(p, ["a1", "a2", "response"], "chaum-pedersen proof", culprit)
    return element(p["a1"], culprit), element(p["a2"], culprit), scalar(p["response"], culprit)


def ordered(pairs, culprit):
    out = {}
    last = 0
    for k, v in pairs:
        if k <= last:
            raise Fail("malformed", [culprit], "order")
        out[k] = v
        last = k
    return out


def parse_setup(m):
    header(m, "ceremony-setup", ["fingerprint", "generator_seed", "threshold", "min_provinces", "trustees"])
    fp = unhex(m["fingerprint"])
    roster = {}
    for e in m["trustees"]:
        fields(e, ["trustee", "province"], "roster entry")
        i = index(e["trustee"])
        if roster and i <= max(roster):
            raise Fail("duplicate-index", [i])
        roster[i] = e["province"]
    t, mp = m["threshold"], m["min_provinces"]
    if not (len(roster) >= 2 and 1 <= t <= len(roster) and 1 <= mp <= t and mp <= len(set(roster.values()))):
        raise Fail("invalid-policy")
    return {"fp": fp, "H": derive_generator(unhex(m["generator_seed"])), "t": t, "m": mp, "roster": roster}


def parse_registration(m):
    header(m, "registration", ["trustee", "province", "encryption_key", "proof"])
    i = index(m["trustee"])
    return {"trustee": i, "province": m["province"], "key": element(m["encryption_key"], i),
            "proof": schnorr_proof(m["proof"], i)}


def parse_round1(m):
    header(m, "ceremony-round1", ["trustee", "commitments", "encrypted_shares"])
    i = index(m["trustee"])
    shares = []
    for e in m["encrypted_shares"]:
        fields(e, ["recipient", "ephemeral", "ciphertext"], "encrypted share", i)
        ct = unhex(e["ciphertext"])
        if len(ct) != 80:
            raise Fail("malformed", [i], "ciphertext length")
        shares.append((index(e["recipient"]), (element(e["ephemeral"], i), ct)))
    return {"trustee": i, "commitments": [element(c, i) for c in m["commitments"]],
            "shares": ordered(shares, i)}


def parse_round2(m):
    header(m, "ceremony-round2", ["trustee", "complaints"])
    i = index(m["trustee"])
    complaints = []
    for c in m["complaints"]:
        fields(c, ["accused", "shared_point", "proof"], "complaint", i)
        complaints.append((index(c["accused"]), (element(c["shared_point"], i), dleq_proof(c["proof"], i))))
    return {"trustee": i, "complaints": ordered(complaints, i)}


def parse_round3(m):
    header(m, "ceremony-round3", ["trustee", "commitments"])
    i = index(m["trustee"])
    out = []
    for c in m["commitments"]:
        fields(c, ["commitment", "proof"], "coefficient", i)
        out.append((element(c["commitment"], i), schnorr_proof(c["proof"], i)))
    return {"trustee": i, "commitments": out}


def parse_public_key(m):
    header(m, "public-key", ["threshold", "joint_key", "public_shares"])
    try:
        k = decode_element(m["joint_key"])
    except CheckError as e:
        raise Fail("identity-joint-key" if e.reason == "identity" else "unreadable") from e
    shares = {}
    for p in m["public_shares"]:
        fields(p, ["trustee", "public_share"], "public share")
        j = index(p["trustee"])
        if shares and j <= max(shares):
            raise Fail("duplicate-index", [j])
        shares[j] = element(p["public_share"], j, "identity-public-share")
    return {"t": m["threshold"], "K": k, "P": shares}


def parse_decryption_share(m):
    header(m, "decryption-share", ["trustee", "contest", "selection", "unit", "share", "proof"])
    i = index(m["trustee"])
    return {"trustee": i, "id": (m["contest"], m["selection"], m["unit"]),
            "M": element(m["share"], i, "identity-decryption-share"), "proof": dleq_proof(m["proof"], i)}


def by_trustee(items):
    out = {}
    for x in items:
        if x["trustee"] in out:
            raise Fail("duplicate-index", [x["trustee"]])
        out[x["trustee"]] = x
    return out


# --- proofs (crypto.md §6, §7) ---------------------------------------------------------------


def schnorr_ok(tag, fp, ctx, Y, proof):
    R, z = proof
    c = challenge(tag, fp, list(ctx) + [Y, R])
    return smul_base(z) == add(R, smul(c, Y))


def dleq_ok(tag, fp, ctx, g1, y1, g2, y2, proof):
    a1, a2, z = proof
    c = challenge(tag, fp, list(ctx) + [g1, y1, g2, y2, a1, a2])
    return smul(z, g1) == add(a1, smul(c, y1)) and smul(z, g2) == add(a2, smul(c, y2))


def eval_exp(commitments, j):
    """Σ_k j^k · C_k."""
    acc = IDENTITY
    for k, c in enumerate(commitments):
        acc = add(acc, smul(pow(j, k, L), c))
    return acc


# --- share encryption (ceremony.md §2) -------------------------------------------------------


def open_share(fp, i, j, Pj, E, ct, S):
    """Decrypt dealer i's share for j with the shared point S; Fail blames i."""
    key = hash256(TAG_SHARE_KDF, [fp, u64(i), u64(j), E, Pj, S])
    ad = hash256(TAG_SHARE_AD, [fp, u64(i), u64(j)])
    try:
        pt = pysodium.crypto_aead_chacha20poly1305_ietf_decrypt(ct, ad, bytes(12), key)
    except Exception as e:
        raise Fail("undecryptable-share", [i]) from e
    f, fb = int.from_bytes(pt[:32], "little"), int.from_bytes(pt[32:], "little")
    if f >= L or fb >= L:
        raise Fail("undecryptable-share", [i])
    return f, fb


def pedersen_ok(st, commitments, j, f, fb):
    return add(smul_base(f), smul(fb, st["H"])) == eval_exp(commitments, j)


def judge(st, regs, r1, complainer, accused, evidence):
    """ceremony.md §4.4: returns the Fail of whoever is at fault."""
    S, proof = evidence
    if accused == complainer or complainer not in regs or accused not in r1 or complainer not in r1[accused]["shares"]:
        return Fail("malformed", [complainer])
    E, ct = r1[accused]["shares"][complainer]
    Pj = regs[complainer]["key"]
    if not dleq_ok(TAG_COMPLAINT_DLEQ, st["fp"], [u64(complainer), u64(accused)], G, Pj, E, S, proof):
        return Fail("invalid-complaint-proof", [complainer])
    try:
        f, fb = open_share(st["fp"], accused, complainer, Pj, E, ct, S)
    except Fail as e:
        return e
    if not pedersen_ok(st, r1[accused]["commitments"], complainer, f, fb):
        return Fail("share-inconsistent", [accused])
    return Fail("false-complaint", [complainer])


def check_ceremony(base, replace):
    """ceremony.md §10.2, in its order."""
    st = parse_setup(base["setup"])
    fp, t, roster = st["fp"], st["t"], st["roster"]
    regs = by_trustee(parse_registration(m) for m in replace.get("registrations", base["registrations"]))
    r1 = by_trustee(parse_round1(m) for m in base["round1"])
    r2 = by_trustee(parse_round2(m) for m in base["round2"])
    r3 = by_trustee(parse_round3(m) for m in base["round3"])
    for m in replace.get("round1", []):
        p = parse_round1(m)
        r1[p["trustee"]] = p
    for m in replace.get("round2", []):
        p = parse_round2(m)
        r2[p["trustee"]] = p
    for m in replace.get("round3", []):
        p = parse_round3(m)
        r3[p["trustee"]] = p
    secrets = {e["trustee"]: decode_scalar(e["secret"]) for e in base["test_secrets"]["encryption_keys"]}
    # 1. registrations
    for i in sorted(set(roster) | set(regs)):
        if i not in roster:
            raise Fail("unknown-trustee", [i])
        if i not in regs:
            raise Fail("missing-message", [i])
    for i, r in sorted(regs.items()):
        if r["province"] != roster[i]:
            raise Fail("malformed", [i])
        if not schnorr_ok(TAG_ENCRYPTION_KEY_POK, fp, [u64(i)], r["key"], r["proof"]):
            raise Fail("invalid-encryption-key-proof", [i])
    # 2. shape of round 1
    for i in sorted(roster):
        if i not in r1:
            raise Fail("missing-message", [i])
        if len(r1[i]["commitments"]) != t or set(r1[i]["shares"]) != set(roster) - {i}:
            raise Fail("malformed", [i])
    # 3. complaints and the qualified set
    disqualified = {}
    for j in sorted(r2):
        for i, ev in sorted(r2[j]["complaints"].items()):
            verdict = judge(st, regs, r1, j, i, ev)
            for c in verdict.culprits:
                disqualified.setdefault(c, verdict)
    if disqualified:
        raise disqualified[min(disqualified)]
    qual = sorted(roster)
    # 4. every recipient's private checks (with the test secrets)
    opened = {}
    for j in sorted(secrets):
        Pj = regs[j]["key"]
        if smul_base(secrets[j]) != Pj:
            raise Fail("test-secret-mismatch", [j])
        for i in qual:
            if i == j:
                continue
            E, ct = r1[i]["shares"][j]
            f, fb = open_share(fp, i, j, Pj, E, ct, smul(secrets[j], E))
            if not pedersen_ok(st, r1[i]["commitments"], j, f, fb):
                raise Fail("share-inconsistent", [i])
            opened[(i, j)] = f
    # 5. reveals, proofs of knowledge, the public key
    if set(r3) != set(qual):
        raise Fail("missing-message", sorted(set(qual) ^ set(r3)))
    for i in qual:
        cs = r3[i]["commitments"]
        if len(cs) != t:
            raise Fail("malformed", [i])
        for k, (A, proof) in enumerate(cs):
            if not schnorr_ok(TAG_COEFFICIENT_POK, fp, [u64(i), u64(k)], A, proof):
                raise Fail("invalid-coefficient-proof", [i])
    K = IDENTITY
    for i in qual:
        K = add(K, r3[i]["commitments"][0][0])
    if K == IDENTITY:
        raise Fail("identity-joint-key", qual)
    P = {}
    for j in qual:
        acc = IDENTITY
        for i in qual:
            acc = add(acc, eval_exp([A for A, _ in r3[i]["commitments"]], j))
        if acc == IDENTITY:
            raise Fail("identity-public-share", [j])
        P[j] = acc
    # 6. recipients check the reveals
    for (i, j), f in sorted(opened.items()):
        if smul_base(f) != eval_exp([A for A, _ in r3[i]["commitments"]], j):
            raise Fail("reveal-inconsistent", [i])
    return st, {"t": t, "K": K, "P": P}


# --- decryption (ceremony.md §8) -------------------------------------------------------------


def verify_share(fp, pk, ct, cid, s):
    j = s["trustee"]
    if j not in pk["P"]:
        raise Fail("unknown-trustee", [j])
    if s["id"] != cid:
        raise Fail("wrong-ciphertext", [j])
    alpha, beta = ct
    ctx = [u64(j), cid[0].encode(), cid[1].encode(), cid[2].encode(), beta]
    if not dleq_ok(TAG_DECRYPTION_SHARE, fp, ctx, G, pk["P"][j], alpha, s["M"], s["proof"]):
        raise Fail("invalid-decryption-proof", [j])


def lagrange(present, j):
    num, den = 1, 1
    for k in present:
        if k != j:
            num = num * k % L
            den = den * (k - j) % L
    return num * pow(den, -1, L) % L


def combine(st, pk, ct, cid, shares):
    present = []
    for s in shares:
        if s["trustee"] in present:
            raise Fail("duplicate-index", [s["trustee"]])
        if s["trustee"] not in pk["P"]:
            raise Fail("unknown-trustee", [s["trustee"]])
        present.append(s["trustee"])
    if len(present) < st["t"]:
        raise Fail("too-few-shares")
    if len({st["roster"][j] for j in present}) < st["m"]:
        raise Fail("too-few-provinces")
    for s in shares:
        verify_share(st["fp"], pk, ct, cid, s)
    acc = ct[1]
    for s in shares:
        acc = sub(acc, smul(lagrange(present, s["trustee"]), s["M"]))
    return acc


def ciphertext(c):
    fields(c, ["alpha", "beta"], "ciphertext")
    return decode_element(c["alpha"]), decode_element(c["beta"])


def cid_of(v):
    fields(v, ["contest", "selection", "unit"], "id")
    return (v["contest"], v["selection"], v["unit"])


def small_dlog(point, limit):
    acc = IDENTITY
    for m in range(limit + 1):
        if acc == point:
            return m
        acc = add(acc, G)
    return None


# --- driver ----------------------------------------------------------------------------------


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    vdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "docs", "spec", "vectors", "ceremony")

    def load(name):
        with open(os.path.join(vdir, name), encoding="utf-8") as f:
            return json.load(f)

    passed = failed = 0

    def report(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {what}")

    cer = load("ceremony.json")
    dec = load("decryption.json")
    inv = load("invalid.json")

    # The valid ceremony.
    try:
        st, pk = check_ceremony(cer, {})
        exp = parse_public_key(cer["expected"]["public_key"])
        ok = pk["K"] == exp["K"] and pk["P"] == exp["P"] and sorted(pk["P"]) == cer["expected"]["qualified"]
        shares = {e["trustee"]: decode_scalar(e["secret"]) for e in cer["test_secrets"]["key_shares"]}
        ok = ok and all(smul_base(s) == exp["P"][j] for j, s in shares.items())
        report(ok, "ceremony.json: public key differs from the recomputed one")
    except (Fail, CheckError) as e:
        report(False, f"ceremony.json: {e}")

    # Valid combinations.
    dst = parse_setup(dec["setup"])
    dpk = parse_public_key(dec["public_key"])
    dct = ciphertext(dec["ciphertext"])
    dcid = cid_of(dec["id"])
    dshares = {s["trustee"]: s for s in (parse_decryption_share(m) for m in dec["shares"])}
    for v in dec["vectors"]:
        try:
            point = combine(dst, dpk, dct, dcid, [dshares[j] for j in v["trustees"]])
            report(v["valid"] is True and point.hex() == v["result"] and small_dlog(point, 100) == v["plaintext"],
                   f"decryption.json {v['name']}: wrong result")
        except (Fail, CheckError) as e:
            report(False, f"decryption.json {v['name']}: {e}")

    # Invalid vectors.
    for v in inv["vectors"]:
        name = v["name"]
        try:
            kind = v["check"]
            if kind == "ceremony":
                check_ceremony(cer, v["replace"])
            elif kind == "public-key":
                parse_public_key(v["public_key"])
            elif kind == "decryption-share":
                s = parse_decryption_share(v["share"])
                fp = unhex(v["fingerprint"]) if "fingerprint" in v else dst["fp"]
                ct = ciphertext(v["ciphertext"]) if "ciphertext" in v else dct
                cid = cid_of(v["id"]) if "id" in v else dcid
                verify_share(fp, dpk, ct, cid, s)
            elif kind == "combination":
                combine(dst, dpk, dct, dcid, [parse_decryption_share(m) for m in v["shares"]])
            else:
                raise Fail("unknown-check")
            report(False, f"invalid.json {name}: accepted")
        except Fail as e:
            report(v["valid"] is False and e.reason == v["reason"] and e.culprits == sorted(v["culprits"]),
                   f"invalid.json {name}: failed with {e.reason} {e.culprits}, expected {v['reason']} {v['culprits']}")
        except CheckError as e:
            report(False, f"invalid.json {name}: {e}")

    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

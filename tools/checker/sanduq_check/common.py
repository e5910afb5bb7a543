"""Shared primitives of the independent sanduq checker, written from docs/spec/crypto.md.

Group arithmetic goes through libsodium (via pysodium), a ristretto255 implementation
independent of the one sanduq uses; hashing uses Python's hashlib and scalar arithmetic Python
integers modulo L.

Public API (used by check_crypto.py and check_ceremony.py):

- constants ``VERSION``, ``SUITE``, ``L`` (group order), ``P`` (field prime), ``IDENTITY``, ``G``;
- ``CheckError(reason)``: raised by every decoder and verifier; ``reason`` is one of the spec's
  failure reasons ("non-canonical-element", "non-canonical-scalar", "identity", "length",
  "hex", "branch-count", "challenge-mismatch", "equation", "structure", "wire",
  "dlog-out-of-range");
- framing: ``lp(b)``, ``challenge(tag, fingerprint, values) -> int``,
  ``hash256(tag, values) -> bytes``;
- decoding: ``unhex(s)``, ``decode_scalar(hex) -> int``,
  ``decode_element(hex, identity_allowed=False) -> bytes``;
- arithmetic on 32-byte canonical encodings: ``add(p, q)``, ``sub(p, q)``, ``neg(p)``,
  ``smul(s, p)``, ``smul_base(s)``, ``msm(pairs)`` (sum of s_i * P_i), all accepting and
  returning the identity (32 zero bytes);
- ``derive_generator(seed) -> bytes`` (spec §4.1) and ``fingerprint(seed, manifest)``
  (spec §4.2).
"""

import hashlib

import pysodium

VERSION = b"sanduq/0.1"
SUITE = b"ristretto255-sha512"
L = 2**252 + 27742317777372353535851937790883648493
P = 2**255 - 19
IDENTITY = bytes(32)
G = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")


class CheckError(Exception):
    """A check failed; ``reason`` names the spec's failure reason."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def lp(b):
    """Length prefix: 4-byte big-endian length, then the bytes (spec §3.1)."""
    return len(b).to_bytes(4, "big") + b


def _framed(tag, values, fingerprint=None):
    out = lp(VERSION) + lp(tag.encode() if isinstance(tag, str) else tag)
    if fingerprint is not None:
        out += lp(fingerprint)
    for v in values:
        out += lp(v)
    return out


def challenge(tag, fingerprint, values):
    """SHA-512(lp(version) lp(tag) lp(fingerprint) lp(v1)...) as a little-endian int mod L."""
    if len(fingerprint) != 32:
        raise CheckError("length", "fingerprint must be 32 bytes")
    digest = hashlib.sha512(_framed(tag, values, fingerprint)).digest()
    return int.from_bytes(digest, "little") % L


def hash256(tag, values):
    """SHA-256(lp(version) lp(tag) lp(v1)...)."""
    return hashlib.sha256(_framed(tag, values)).digest()


def u64(n):
    """An unsigned integer as 8 bytes big-endian (spec §3.1)."""
    return int(n).to_bytes(8, "big")


def unhex(s, what="value"):
    if not isinstance(s, str) or len(s) % 2:
        raise CheckError("hex", what)
    try:
        return bytes.fromhex(s)
    except ValueError as e:
        raise CheckError("hex", what) from e


def scalar_bytes(s):
    return (s % L).to_bytes(32, "little")


def decode_scalar(s):
    """Hex of a canonical scalar: exactly 32 bytes, little-endian value below L."""
    b = unhex(s, "scalar")
    if len(b) != 32:
        raise CheckError("length", "scalar")
    v = int.from_bytes(b, "little")
    if v >= L:
        raise CheckError("non-canonical-scalar", s)
    return v


def decode_element(s, identity_allowed=False):
    """Hex of a canonical ristretto255 encoding; returns the 32 bytes.

    libsodium's crypto_core_ristretto255_is_valid_point accepts the identity and ignores
    the top bit of the last byte, so both are checked here first: the encoding, read as a
    little-endian integer, must be below p and even (spec §2.2), then libsodium checks the
    rest of the decoding.
    """
    b = unhex(s, "element") if isinstance(s, str) else bytes(s)
    if len(b) != 32:
        raise CheckError("length", "element")
    v = int.from_bytes(b, "little")
    if v >= P or v & 1:
        raise CheckError("non-canonical-element", b.hex())
    if b == IDENTITY:
        if identity_allowed:
            return b
        raise CheckError("identity", "identity element not allowed here")
    if not pysodium.crypto_core_ristretto255_is_valid_point(b):
        raise CheckError("non-canonical-element", b.hex())
    return b


def add(p, q):
    if p == IDENTITY:
        return q
    if q == IDENTITY:
        return p
    return pysodium.crypto_core_ristretto255_add(p, q)


def sub(p, q):
    if q == IDENTITY:
        return p
    if p == IDENTITY:
        return neg(q)
    return pysodium.crypto_core_ristretto255_sub(p, q)


def neg(p):
    return smul(L - 1, p)


def smul(s, p):
    """s·P for any integer s; libsodium refuses to return the identity, which is mapped back."""
    s %= L
    if s == 0 or p == IDENTITY:
        return IDENTITY
    try:
        return pysodium.crypto_scalarmult_ristretto255(scalar_bytes(s), p)
    except Exception:  # libsodium returns -1 exactly when the result is the identity
        return IDENTITY


def smul_base(s):
    s %= L
    if s == 0:
        return IDENTITY
    try:
        return pysodium.crypto_scalarmult_ristretto255_base(scalar_bytes(s))
    except Exception:
        return IDENTITY


def msm(pairs):
    """Sum of s_i·P_i."""
    acc = IDENTITY
    for s, p in pairs:
        acc = add(acc, smul(s, p))
    return acc


TAG_GENERATOR = "generator-h"
TAG_FINGERPRINT = "election-fingerprint"


def derive_generator(seed):
    """H = ristretto255 one-way map of SHA-512(lp(version) lp("generator-h") lp(seed)) (spec §4.1)."""
    wide = hashlib.sha512(_framed(TAG_GENERATOR, [seed])).digest()
    return pysodium.crypto_core_ristretto255_from_hash(wide)


def fingerprint(seed, manifest):
    """hash256("election-fingerprint", [suite, seed, manifest]) (spec §4.2)."""
    return hash256(TAG_FINGERPRINT, [SUITE, seed, manifest])


def check_fields(obj, allowed, what):
    """Reject unknown (and missing) fields of a wire object (spec §12)."""
    if not isinstance(obj, dict) or set(obj) != set(allowed):
        raise CheckError("wire", f"{what}: fields {sorted(obj) if isinstance(obj, dict) else obj}")

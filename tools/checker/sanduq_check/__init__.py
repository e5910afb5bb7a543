"""Independent checker of sanduq's cryptographic test vectors (see docs/spec/crypto.md)."""

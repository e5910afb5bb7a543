//! Authenticated public-key encryption of the shares (spec §2).
//!
//! Hashed ElGamal on ristretto255 with ChaCha20-Poly1305 (an ECIES):
//!
//! ```text
//! e ← random non-zero scalar;  E = e·G;  S = e·P_j          (sender i, recipient j)
//! key = hash256("trustee-share-kdf", fp, i, j, E, P_j, S)
//! ad  = hash256("trustee-share-ad",  fp, i, j)
//! ct  = ChaCha20-Poly1305(key, nonce = 12 zero bytes, ad, f_i(j) ‖ f'_i(j))   (64 + 16 bytes)
//! ```
//!
//! The key is fresh for every message (a fresh `e`), so the fixed nonce is never reused
//! under one key. Because the key and the associated data hash the election fingerprint
//! and both indices, a ciphertext moved to another recipient, sender or election does not
//! decrypt.
//!
//! A recipient `j` who cannot decrypt proves it (spec §2.4): it publishes `S = x_j·E` with
//! a Chaum–Pedersen proof that `log_G P_j == log_E S`. Anyone can then derive the key and
//! try the decryption: whoever is wrong — the sender (undecryptable or inconsistent share)
//! or the complainer (bad proof, or a share that is in fact valid) — is named. Revealing
//! `S` discloses only the one share the accused sent, never the complainer's key.

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce, Tag};
use curve25519_dalek::ristretto::RistrettoPoint;
use rand_core::CryptoRng;
use sanduq_crypto::group::{ENCODED_LEN, G, decode_scalar};
use sanduq_crypto::sigma::{
    DleqProof, DleqStatement, SchnorrProof, prove_dleq, prove_schnorr, verify_dleq, verify_schnorr,
};
use sanduq_crypto::transcript::hash256;
use sanduq_crypto::{ElectionFingerprint, Element, SecretScalar};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::{
    TAG_COMPLAINT_DLEQ, TAG_ENCRYPTION_KEY_POK, TAG_SHARE_AD, TAG_SHARE_KDF, TrusteeIndex,
};

/// Length of an encrypted share: two 32-byte scalars and a 16-byte tag.
pub const CIPHERTEXT_LEN: usize = 2 * ENCODED_LEN + 16;

/// A trustee's long-term encryption key pair. The secret zeroizes on drop and never prints.
#[derive(Clone)]
pub struct EncryptionKeyPair {
    secret: SecretScalar,
    public: Element,
}

impl core::fmt::Debug for EncryptionKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "EncryptionKeyPair(public {:?}, secret <redacted>)",
            self.public
        )
    }
}

impl EncryptionKeyPair {
    /// A fresh random key pair.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<EncryptionKeyPair, Error> {
        let secret = SecretScalar::random(rng);
        EncryptionKeyPair::from_secret(secret)
    }

    /// The key pair of a stored secret (for instance one read back from an encrypted file).
    pub fn from_secret(secret: SecretScalar) -> Result<EncryptionKeyPair, Error> {
        let public = Element::from_point("encryption key", G * secret.expose())
            .map_err(|e| Error::Argument(e.to_string()))?;
        Ok(EncryptionKeyPair { secret, public })
    }

    /// The public key `P = x·G`.
    #[must_use]
    pub fn public(&self) -> &Element {
        &self.public
    }

    /// The secret key, for storage encrypted at rest only.
    #[must_use]
    pub fn expose_secret(&self) -> &SecretScalar {
        &self.secret
    }

    /// The Schnorr proof of knowledge of the secret key, bound to the fingerprint and the
    /// trustee index (spec §2.1).
    pub fn prove_possession<R: CryptoRng + ?Sized>(
        &self,
        fingerprint: &ElectionFingerprint,
        trustee: TrusteeIndex,
        rng: &mut R,
    ) -> Result<SchnorrProof, Error> {
        prove_schnorr(
            TAG_ENCRYPTION_KEY_POK,
            fingerprint.as_bytes(),
            &[&trustee.to_be_bytes()],
            &self.secret,
            &self.public,
            rng,
        )
        .map_err(|e| Error::Argument(e.to_string()))
    }
}

/// Verify a proof of knowledge of an encryption key (spec §2.1).
pub fn verify_possession(
    fingerprint: &ElectionFingerprint,
    trustee: TrusteeIndex,
    key: &Element,
    proof: &SchnorrProof,
) -> Result<(), Error> {
    verify_schnorr(
        TAG_ENCRYPTION_KEY_POK,
        fingerprint.as_bytes(),
        &[&trustee.to_be_bytes()],
        key,
        proof,
    )
    .map_err(|_| Error::InvalidEncryptionKeyProof { trustee })
}

/// The pair of values a dealer sends each recipient: `f_i(j)` and `f'_i(j)`. Secret.
#[derive(Clone, PartialEq, Eq)]
pub struct DealtShare {
    /// `f_i(j)`, the share of the dealer's secret.
    pub value: SecretScalar,
    /// `f'_i(j)`, the share of the dealer's blinding polynomial.
    pub blinding: SecretScalar,
}

impl core::fmt::Debug for DealtShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DealtShare(<redacted>)")
    }
}

/// A share encrypted to its recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedShare {
    /// The ephemeral key `E = e·G`.
    pub ephemeral: Element,
    /// ChaCha20-Poly1305 ciphertext and tag of `f_i(j) ‖ f'_i(j)`.
    pub ciphertext: [u8; CIPHERTEXT_LEN],
}

/// The key-derivation and associated-data inputs of one share (spec §2.2).
#[derive(Clone, Copy, Debug)]
pub struct ShareContext<'a> {
    /// The election fingerprint.
    pub fingerprint: &'a ElectionFingerprint,
    /// The dealer.
    pub sender: TrusteeIndex,
    /// The recipient.
    pub recipient: TrusteeIndex,
    /// The recipient's encryption key `P_j`.
    pub recipient_key: &'a Element,
}

impl ShareContext<'_> {
    fn key(&self, ephemeral: &Element, shared: &RistrettoPoint) -> Zeroizing<[u8; 32]> {
        let shared = Zeroizing::new(shared.compress().to_bytes());
        Zeroizing::new(hash256(
            TAG_SHARE_KDF,
            &[
                self.fingerprint.as_bytes(),
                &self.sender.to_be_bytes(),
                &self.recipient.to_be_bytes(),
                ephemeral.as_bytes(),
                self.recipient_key.as_bytes(),
                shared.as_ref(),
            ],
        ))
    }

    fn associated_data(&self) -> [u8; 32] {
        hash256(
            TAG_SHARE_AD,
            &[
                self.fingerprint.as_bytes(),
                &self.sender.to_be_bytes(),
                &self.recipient.to_be_bytes(),
            ],
        )
    }

    /// Encrypt a share to the recipient.
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        share: &DealtShare,
        rng: &mut R,
    ) -> Result<EncryptedShare, Error> {
        let e = SecretScalar::random(rng);
        let ephemeral = Element::from_point("ephemeral key", G * e.expose())
            .map_err(|err| Error::Argument(err.to_string()))?;
        let shared = self.recipient_key.point() * e.expose();
        let key = self.key(&ephemeral, &shared);
        let mut buffer = Zeroizing::new([0u8; 2 * ENCODED_LEN]);
        let (first, second) = buffer.split_at_mut(ENCODED_LEN);
        first.copy_from_slice(share.value.expose_bytes().as_ref());
        second.copy_from_slice(share.blinding.expose_bytes().as_ref());
        let cipher = ChaCha20Poly1305::new_from_slice(key.as_ref())
            .map_err(|_| Error::Argument("share key length".into()))?;
        let tag = cipher
            .encrypt_inout_detached(
                &Nonce::default(),
                &self.associated_data(),
                buffer.as_mut_slice().into(),
            )
            .map_err(|_| Error::Argument("share encryption failed".into()))?;
        let mut ciphertext = [0u8; CIPHERTEXT_LEN];
        let (body, tag_out) = ciphertext.split_at_mut(2 * ENCODED_LEN);
        body.copy_from_slice(buffer.as_ref());
        tag_out.copy_from_slice(tag.as_slice());
        Ok(EncryptedShare {
            ephemeral,
            ciphertext,
        })
    }

    /// Decrypt with the shared point `S`, known to the recipient (`x_j·E`) or revealed by
    /// a complaint. Failure — a wrong tag or a non-canonical scalar — blames the sender.
    pub fn decrypt_with_shared_point(
        &self,
        encrypted: &EncryptedShare,
        shared: &RistrettoPoint,
    ) -> Result<DealtShare, Error> {
        let fail = Error::UndecryptableShare {
            dealer: self.sender,
            recipient: self.recipient,
        };
        let key = self.key(&encrypted.ephemeral, shared);
        let cipher = ChaCha20Poly1305::new_from_slice(key.as_ref())
            .map_err(|_| Error::Argument("share key length".into()))?;
        let (body, tag) = encrypted.ciphertext.split_at(2 * ENCODED_LEN);
        let tag = Tag::try_from(tag).map_err(|_| fail.clone())?;
        let mut buffer = Zeroizing::new([0u8; 2 * ENCODED_LEN]);
        buffer.copy_from_slice(body);
        cipher
            .decrypt_inout_detached(
                &Nonce::default(),
                &self.associated_data(),
                buffer.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| fail.clone())?;
        let (first, second) = buffer.split_at(ENCODED_LEN);
        let value = decode_scalar("share value", first).map_err(|_| fail.clone())?;
        let blinding = decode_scalar("share blinding", second).map_err(|_| fail)?;
        Ok(DealtShare {
            value: SecretScalar::new(value),
            blinding: SecretScalar::new(blinding),
        })
    }

    /// Decrypt with the recipient's key pair.
    pub fn decrypt(
        &self,
        recipient: &EncryptionKeyPair,
        encrypted: &EncryptedShare,
    ) -> Result<DealtShare, Error> {
        if recipient.public() != self.recipient_key {
            return Err(Error::Argument(
                "the key pair is not the recipient's".into(),
            ));
        }
        let shared = encrypted.ephemeral.point() * recipient.secret.expose();
        self.decrypt_with_shared_point(encrypted, &shared)
    }

    /// A complaint's evidence: the shared point `S = x_j·E` with a Chaum–Pedersen proof of
    /// `log_G P_j == log_E S`, bound to the fingerprint, the complainer and the accused
    /// (spec §2.4).
    pub fn reveal<R: CryptoRng + ?Sized>(
        &self,
        recipient: &EncryptionKeyPair,
        encrypted: &EncryptedShare,
        rng: &mut R,
    ) -> Result<RevealedSharedPoint, Error> {
        let shared = Element::from_point(
            "shared point",
            encrypted.ephemeral.point() * recipient.secret.expose(),
        )
        .map_err(|e| Error::Argument(e.to_string()))?;
        let g = generator();
        let st = DleqStatement {
            g1: &g,
            y1: self.recipient_key,
            g2: &encrypted.ephemeral,
            y2: &shared,
        };
        let proof = prove_dleq(
            TAG_COMPLAINT_DLEQ,
            self.fingerprint.as_bytes(),
            &[&self.recipient.to_be_bytes(), &self.sender.to_be_bytes()],
            &st,
            &recipient.secret,
            rng,
        )
        .map_err(|e| Error::Argument(e.to_string()))?;
        Ok(RevealedSharedPoint { shared, proof })
    }

    /// Check a complaint's evidence and return the share it opens. A bad proof blames the
    /// complainer (the recipient); a failed decryption blames the sender.
    pub fn open_revealed(
        &self,
        encrypted: &EncryptedShare,
        revealed: &RevealedSharedPoint,
    ) -> Result<DealtShare, Error> {
        let g = generator();
        let st = DleqStatement {
            g1: &g,
            y1: self.recipient_key,
            g2: &encrypted.ephemeral,
            y2: &revealed.shared,
        };
        verify_dleq(
            TAG_COMPLAINT_DLEQ,
            self.fingerprint.as_bytes(),
            &[&self.recipient.to_be_bytes(), &self.sender.to_be_bytes()],
            &st,
            &revealed.proof,
        )
        .map_err(|_| Error::InvalidComplaintProof {
            complainer: self.recipient,
            accused: self.sender,
        })?;
        self.decrypt_with_shared_point(encrypted, revealed.shared.point())
    }
}

/// A revealed shared point `S = x_j·E` with its proof (spec §2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevealedSharedPoint {
    /// `S`.
    pub shared: Element,
    /// The Chaum–Pedersen proof of `log_G P_j == log_E S`.
    pub proof: DleqProof,
}

/// `G` as an [`Element`].
pub(crate) fn generator() -> Element {
    #[allow(clippy::expect_used)]
    // Invariant: G is a fixed non-identity element, so `from_point` cannot refuse it.
    Element::from_point("G", G).expect("G is not the identity")
}

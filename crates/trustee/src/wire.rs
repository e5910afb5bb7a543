//! The JSON form of every message (spec §9).
//!
//! Each message is one JSON object with a header — `"version": "sanduq/0.1"`,
//! `"suite": "ristretto255-sha512"`, `"message": <kind>` — and its fields. Unknown fields
//! are refused. Elements and scalars are the lower-case hex of their canonical 32-byte
//! encodings; trustee indices are JSON integers from 1. Lists that the protocol keys by
//! trustee are arrays in increasing index order, each entry naming its index; a repeated
//! or out-of-order index is refused. Parsing validates everything it can without context
//! (encodings, identity, indices) and names the trustee whose message is malformed.

use std::collections::BTreeMap;

use sanduq_crypto::group::{decode_scalar, from_hex, to_hex};
use sanduq_crypto::sigma::{DleqProof, SchnorrProof};
use sanduq_crypto::{ElectionFingerprint, Element, Parameters, SPEC_VERSION, SUITE};
use serde::{Deserialize, Serialize};

use crate::decrypt::{Ciphertext, CiphertextId, DecryptionShare};
use crate::dkg::{
    CeremonySetup, CoefficientCommitment, PublicKeyPackage, Registration, Round1Package,
    Round2Package, Round3Package,
};
use crate::error::{Error, Stage};
use crate::share_encryption::{CIPHERTEXT_LEN, EncryptedShare, RevealedSharedPoint};
use crate::{Policy, ProvinceCode, TrusteeIndex};

/// A message with a JSON form.
pub trait Message: Sized {
    /// The `message` field of the header.
    const KIND: &'static str;
    /// The serialisable form.
    type Wire: Serialize + for<'de> Deserialize<'de> + HasHeader;
    /// Convert to the serialisable form.
    fn to_wire(&self) -> Self::Wire;
    /// Validate the serialisable form.
    fn from_wire(wire: Self::Wire) -> Result<Self, Error>;

    /// The message as pretty-printed JSON (two-space indentation, fields in the order of
    /// the spec, a final newline).
    fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_wire())
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// Parse and validate a message.
    fn from_json(text: &str) -> Result<Self, Error> {
        let wire: Self::Wire = serde_json::from_str(text).map_err(|e| Error::Unreadable {
            detail: e.to_string(),
        })?;
        let header = wire.header();
        if header.version != SPEC_VERSION || header.suite != SUITE || header.message != Self::KIND {
            return Err(Error::Unreadable {
                detail: format!(
                    "header {}/{}/{} is not {SPEC_VERSION}/{SUITE}/{}",
                    header.version,
                    header.suite,
                    header.message,
                    Self::KIND
                ),
            });
        }
        Self::from_wire(wire)
    }
}

/// The header fields of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// `version`.
    pub version: &'a str,
    /// `suite`.
    pub suite: &'a str,
    /// `message`.
    pub message: &'a str,
}

/// Access to a wire struct's header.
pub trait HasHeader {
    /// The header.
    fn header(&self) -> Header<'_>;
}

macro_rules! wire_struct {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Always `sanduq/0.1`.
            pub version: String,
            /// Always `ristretto255-sha512`.
            pub suite: String,
            /// The message kind.
            pub message: String,
            $($(#[$fdoc])* pub $field: $ty,)*
        }
        impl HasHeader for $name {
            fn header(&self) -> Header<'_> {
                Header { version: &self.version, suite: &self.suite, message: &self.message }
            }
        }
    };
}

fn header_fields(kind: &str) -> (String, String, String) {
    (SPEC_VERSION.to_owned(), SUITE.to_owned(), kind.to_owned())
}

/// A Schnorr proof: `{"commitment": R, "response": z}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchnorrWire {
    /// `R`.
    pub commitment: String,
    /// `z`.
    pub response: String,
}

/// A Chaum–Pedersen proof: `{"a1", "a2", "response"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DleqWire {
    /// `a1 = k·g1`.
    pub a1: String,
    /// `a2 = k·g2`.
    pub a2: String,
    /// `z`.
    pub response: String,
}

/// Decoding with blame: the stage and the trustee whose message is being read.
#[derive(Clone, Copy)]
struct Reader {
    stage: Stage,
    trustee: TrusteeIndex,
}

impl Reader {
    fn malformed(self, detail: String) -> Error {
        Error::Malformed {
            stage: self.stage,
            trustee: self.trustee,
            detail,
        }
    }

    fn element(self, what: &'static str, hex: &str) -> Result<Element, Error> {
        Element::from_hex(what, hex).map_err(|e| self.malformed(e.to_string()))
    }

    fn scalar(
        self,
        what: &'static str,
        hex: &str,
    ) -> Result<curve25519_dalek::scalar::Scalar, Error> {
        let bytes = from_hex(what, hex).map_err(|e| self.malformed(e.to_string()))?;
        decode_scalar(what, &bytes).map_err(|e| self.malformed(e.to_string()))
    }

    fn index(self, value: u32) -> Result<TrusteeIndex, Error> {
        TrusteeIndex::new(value).map_err(|_| self.malformed("trustee index 0".into()))
    }

    fn schnorr(self, w: &SchnorrWire) -> Result<SchnorrProof, Error> {
        Ok(SchnorrProof {
            commitment: self.element("schnorr commitment", &w.commitment)?,
            response: self.scalar("schnorr response", &w.response)?,
        })
    }

    fn dleq(self, w: &DleqWire) -> Result<DleqProof, Error> {
        Ok(DleqProof {
            a1: self.element("chaum-pedersen a1", &w.a1)?,
            a2: self.element("chaum-pedersen a2", &w.a2)?,
            response: self.scalar("chaum-pedersen response", &w.response)?,
        })
    }

    /// Collect `(index, value)` pairs into a map, refusing a repeated or out-of-order index.
    fn ordered<V>(
        self,
        items: impl IntoIterator<Item = (TrusteeIndex, V)>,
    ) -> Result<BTreeMap<TrusteeIndex, V>, Error> {
        let mut map = BTreeMap::new();
        for (k, v) in items {
            if map.keys().next_back().is_some_and(|last| *last >= k) {
                return Err(self.malformed(format!("{k} repeated or out of order")));
            }
            map.insert(k, v);
        }
        Ok(map)
    }
}

fn sender(stage: Stage, value: u32) -> Result<Reader, Error> {
    Ok(Reader {
        stage,
        trustee: TrusteeIndex::new(value)?,
    })
}

fn schnorr_wire(p: &SchnorrProof) -> SchnorrWire {
    SchnorrWire {
        commitment: p.commitment.to_hex(),
        response: to_hex(&p.response.to_bytes()),
    }
}

fn dleq_wire(p: &DleqProof) -> DleqWire {
    DleqWire {
        a1: p.a1.to_hex(),
        a2: p.a2.to_hex(),
        response: to_hex(&p.response.to_bytes()),
    }
}

/// A trustee of the roster: `{"trustee": i, "province": "AF-KAB"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// The index.
    pub trustee: u32,
    /// The province code.
    pub province: String,
}

wire_struct! {
    /// `ceremony-setup`.
    SetupWire {
        /// The election fingerprint.
        fingerprint: String,
        /// The seed of `H`, hex.
        generator_seed: String,
        /// `t`.
        threshold: u32,
        /// `m`.
        min_provinces: u32,
        /// The trustees in increasing index order.
        trustees: Vec<RosterEntry>,
    }
}

impl Message for CeremonySetup {
    const KIND: &'static str = "ceremony-setup";
    type Wire = SetupWire;

    fn to_wire(&self) -> SetupWire {
        let (version, suite, message) = header_fields(Self::KIND);
        SetupWire {
            version,
            suite,
            message,
            fingerprint: to_hex(self.fingerprint().as_bytes()),
            generator_seed: to_hex(self.parameters().generator_seed()),
            threshold: self.policy().threshold(),
            min_provinces: self.policy().min_provinces(),
            trustees: self
                .policy()
                .trustees()
                .iter()
                .map(|(t, p)| RosterEntry {
                    trustee: t.get(),
                    province: p.as_str().to_owned(),
                })
                .collect(),
        }
    }

    fn from_wire(w: SetupWire) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidPolicy { reason };
        let fp = from_hex("fingerprint", &w.fingerprint).map_err(|e| invalid(e.to_string()))?;
        let fp: [u8; 32] = fp
            .try_into()
            .map_err(|_| invalid("fingerprint is not 32 bytes".into()))?;
        let seed =
            from_hex("generator seed", &w.generator_seed).map_err(|e| invalid(e.to_string()))?;
        let parameters = Parameters::new(&seed).map_err(|e| invalid(e.to_string()))?;
        let mut trustees = BTreeMap::new();
        for e in &w.trustees {
            let t = TrusteeIndex::new(e.trustee)?;
            if trustees.keys().next_back().is_some_and(|last| *last >= t) {
                return Err(Error::DuplicateIndex { trustee: t });
            }
            trustees.insert(t, ProvinceCode::new(&e.province)?);
        }
        let policy = Policy::new(w.threshold, w.min_provinces, trustees)?;
        Ok(CeremonySetup::new(
            ElectionFingerprint(fp),
            parameters,
            policy,
        ))
    }
}

wire_struct! {
    /// `registration`.
    RegistrationWire {
        /// The trustee.
        trustee: u32,
        /// Its province.
        province: String,
        /// Its encryption key.
        encryption_key: String,
        /// The proof of knowledge.
        proof: SchnorrWire,
    }
}

impl Message for Registration {
    const KIND: &'static str = "registration";
    type Wire = RegistrationWire;

    fn to_wire(&self) -> RegistrationWire {
        let (version, suite, message) = header_fields(Self::KIND);
        RegistrationWire {
            version,
            suite,
            message,
            trustee: self.trustee.get(),
            province: self.province.as_str().to_owned(),
            encryption_key: self.encryption_key.to_hex(),
            proof: schnorr_wire(&self.proof),
        }
    }

    fn from_wire(w: RegistrationWire) -> Result<Self, Error> {
        let r = sender(Stage::Registration, w.trustee)?;
        Ok(Registration {
            trustee: r.trustee,
            province: ProvinceCode::new(&w.province).map_err(|e| r.malformed(e.to_string()))?,
            encryption_key: r.element("encryption key", &w.encryption_key)?,
            proof: r.schnorr(&w.proof)?,
        })
    }
}

/// One encrypted share: `{"recipient", "ephemeral", "ciphertext"}` (80 bytes of hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedShareWire {
    /// The recipient.
    pub recipient: u32,
    /// `E`.
    pub ephemeral: String,
    /// Ciphertext ‖ tag.
    pub ciphertext: String,
}

wire_struct! {
    /// `ceremony-round1`.
    Round1Wire {
        /// The dealer.
        trustee: u32,
        /// `C_i0 … C_i(t−1)`.
        commitments: Vec<String>,
        /// The encrypted shares in increasing recipient order.
        encrypted_shares: Vec<EncryptedShareWire>,
    }
}

impl Message for Round1Package {
    const KIND: &'static str = "ceremony-round1";
    type Wire = Round1Wire;

    fn to_wire(&self) -> Round1Wire {
        let (version, suite, message) = header_fields(Self::KIND);
        Round1Wire {
            version,
            suite,
            message,
            trustee: self.trustee.get(),
            commitments: self.commitments.iter().map(Element::to_hex).collect(),
            encrypted_shares: self
                .encrypted_shares
                .iter()
                .map(|(j, e)| EncryptedShareWire {
                    recipient: j.get(),
                    ephemeral: e.ephemeral.to_hex(),
                    ciphertext: to_hex(&e.ciphertext),
                })
                .collect(),
        }
    }

    fn from_wire(w: Round1Wire) -> Result<Self, Error> {
        let r = sender(Stage::Round1, w.trustee)?;
        let commitments = w
            .commitments
            .iter()
            .map(|c| r.element("pedersen commitment", c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut shares = Vec::new();
        for e in &w.encrypted_shares {
            let bytes = from_hex("share ciphertext", &e.ciphertext)
                .map_err(|x| r.malformed(x.to_string()))?;
            let ciphertext: [u8; CIPHERTEXT_LEN] = bytes.try_into().map_err(|_| {
                r.malformed(format!("share ciphertext is not {CIPHERTEXT_LEN} bytes"))
            })?;
            shares.push((
                r.index(e.recipient)?,
                EncryptedShare {
                    ephemeral: r.element("ephemeral key", &e.ephemeral)?,
                    ciphertext,
                },
            ));
        }
        Ok(Round1Package {
            trustee: r.trustee,
            commitments,
            encrypted_shares: r.ordered(shares)?,
        })
    }
}

/// One complaint: `{"accused", "shared_point", "proof"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintWire {
    /// The accused dealer.
    pub accused: u32,
    /// `S = x_j·E`.
    pub shared_point: String,
    /// The proof of `log_G P_j == log_E S`.
    pub proof: DleqWire,
}

wire_struct! {
    /// `ceremony-round2`.
    Round2Wire {
        /// The complainer.
        trustee: u32,
        /// Complaints in increasing order of the accused.
        complaints: Vec<ComplaintWire>,
    }
}

impl Message for Round2Package {
    const KIND: &'static str = "ceremony-round2";
    type Wire = Round2Wire;

    fn to_wire(&self) -> Round2Wire {
        let (version, suite, message) = header_fields(Self::KIND);
        Round2Wire {
            version,
            suite,
            message,
            trustee: self.trustee.get(),
            complaints: self
                .complaints
                .iter()
                .map(|(a, e)| ComplaintWire {
                    accused: a.get(),
                    shared_point: e.shared.to_hex(),
                    proof: dleq_wire(&e.proof),
                })
                .collect(),
        }
    }

    fn from_wire(w: Round2Wire) -> Result<Self, Error> {
        let r = sender(Stage::Round2, w.trustee)?;
        let mut complaints = Vec::new();
        for c in &w.complaints {
            complaints.push((
                r.index(c.accused)?,
                RevealedSharedPoint {
                    shared: r.element("shared point", &c.shared_point)?,
                    proof: r.dleq(&c.proof)?,
                },
            ));
        }
        Ok(Round2Package {
            trustee: r.trustee,
            complaints: r.ordered(complaints)?,
        })
    }
}

/// One revealed coefficient: `{"commitment": A_ik, "proof": {…}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoefficientWire {
    /// `A_ik`.
    pub commitment: String,
    /// Its proof of knowledge.
    pub proof: SchnorrWire,
}

wire_struct! {
    /// `ceremony-round3`.
    Round3Wire {
        /// The dealer.
        trustee: u32,
        /// `A_i0 … A_i(t−1)` with proofs.
        commitments: Vec<CoefficientWire>,
    }
}

impl Message for Round3Package {
    const KIND: &'static str = "ceremony-round3";
    type Wire = Round3Wire;

    fn to_wire(&self) -> Round3Wire {
        let (version, suite, message) = header_fields(Self::KIND);
        Round3Wire {
            version,
            suite,
            message,
            trustee: self.trustee.get(),
            commitments: self
                .commitments
                .iter()
                .map(|c| CoefficientWire {
                    commitment: c.commitment.to_hex(),
                    proof: schnorr_wire(&c.proof),
                })
                .collect(),
        }
    }

    fn from_wire(w: Round3Wire) -> Result<Self, Error> {
        let r = sender(Stage::Round3, w.trustee)?;
        let commitments = w
            .commitments
            .iter()
            .map(|c| {
                Ok(CoefficientCommitment {
                    commitment: r.element("feldman commitment", &c.commitment)?,
                    proof: r.schnorr(&c.proof)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Round3Package {
            trustee: r.trustee,
            commitments,
        })
    }
}

/// One public share: `{"trustee", "public_share"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicShareWire {
    /// The trustee.
    pub trustee: u32,
    /// `P_j`.
    pub public_share: String,
}

wire_struct! {
    /// `public-key`.
    PublicKeyWire {
        /// `t`.
        threshold: u32,
        /// `K`.
        joint_key: String,
        /// `P_j` in increasing index order.
        public_shares: Vec<PublicShareWire>,
    }
}

impl Message for PublicKeyPackage {
    const KIND: &'static str = "public-key";
    type Wire = PublicKeyWire;

    fn to_wire(&self) -> PublicKeyWire {
        let (version, suite, message) = header_fields(Self::KIND);
        PublicKeyWire {
            version,
            suite,
            message,
            threshold: self.threshold,
            joint_key: self.joint_key.to_hex(),
            public_shares: self
                .public_shares
                .iter()
                .map(|(t, p)| PublicShareWire {
                    trustee: t.get(),
                    public_share: p.to_hex(),
                })
                .collect(),
        }
    }

    fn from_wire(w: PublicKeyWire) -> Result<Self, Error> {
        let joint_key = Element::from_hex("joint key", &w.joint_key).map_err(|e| match e {
            sanduq_crypto::Error::Identity { .. } => Error::IdentityJointKey {
                contributors: Vec::new(),
            },
            other => Error::Unreadable {
                detail: other.to_string(),
            },
        })?;
        let mut shares = BTreeMap::new();
        for p in &w.public_shares {
            let trustee = TrusteeIndex::new(p.trustee)?;
            if shares
                .keys()
                .next_back()
                .is_some_and(|last| *last >= trustee)
            {
                return Err(Error::DuplicateIndex { trustee });
            }
            let share =
                Element::from_hex("public share", &p.public_share).map_err(|e| match e {
                    sanduq_crypto::Error::Identity { .. } => Error::IdentityPublicShare { trustee },
                    other => Error::Malformed {
                        stage: Stage::Round3,
                        trustee,
                        detail: other.to_string(),
                    },
                })?;
            shares.insert(trustee, share);
        }
        Ok(PublicKeyPackage {
            threshold: w.threshold,
            joint_key,
            public_shares: shares,
        })
    }
}

wire_struct! {
    /// `decryption-share`.
    DecryptionShareWire {
        /// The trustee.
        trustee: u32,
        /// The contest.
        contest: String,
        /// The selection.
        selection: String,
        /// The counting unit.
        unit: String,
        /// `M_j`.
        share: String,
        /// The Chaum–Pedersen proof.
        proof: DleqWire,
    }
}

impl Message for DecryptionShare {
    const KIND: &'static str = "decryption-share";
    type Wire = DecryptionShareWire;

    fn to_wire(&self) -> DecryptionShareWire {
        let (version, suite, message) = header_fields(Self::KIND);
        DecryptionShareWire {
            version,
            suite,
            message,
            trustee: self.trustee.get(),
            contest: self.id.contest.clone(),
            selection: self.id.selection.clone(),
            unit: self.id.unit.clone(),
            share: self.share.to_hex(),
            proof: dleq_wire(&self.proof),
        }
    }

    fn from_wire(w: DecryptionShareWire) -> Result<Self, Error> {
        let r = sender(Stage::Decryption, w.trustee)?;
        let share = Element::from_hex("decryption share", &w.share).map_err(|e| match e {
            sanduq_crypto::Error::Identity { .. } => {
                Error::IdentityDecryptionShare { trustee: r.trustee }
            }
            other => r.malformed(other.to_string()),
        })?;
        Ok(DecryptionShare {
            trustee: r.trustee,
            id: CiphertextId {
                contest: w.contest,
                selection: w.selection,
                unit: w.unit,
            },
            share,
            proof: r.dleq(&w.proof)?,
        })
    }
}

/// A ciphertext: `{"alpha", "beta"}` (no header: it is part of larger objects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiphertextWire {
    /// `α`.
    pub alpha: String,
    /// `β`.
    pub beta: String,
}

impl CiphertextWire {
    /// The wire form of a ciphertext.
    #[must_use]
    pub fn from_ciphertext(c: &Ciphertext) -> CiphertextWire {
        CiphertextWire {
            alpha: c.alpha.to_hex(),
            beta: c.beta.to_hex(),
        }
    }

    /// Decode, refusing non-canonical encodings and the identity.
    pub fn to_ciphertext(&self) -> Result<Ciphertext, Error> {
        let d = |what: &'static str, h: &str| {
            Element::from_hex(what, h).map_err(|e| Error::Unreadable {
                detail: e.to_string(),
            })
        };
        Ok(Ciphertext {
            alpha: d("alpha", &self.alpha)?,
            beta: d("beta", &self.beta)?,
        })
    }
}

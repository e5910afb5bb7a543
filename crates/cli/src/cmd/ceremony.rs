//! `sanduq ceremony register|round1|round2|round3|finish`: the trustees' key ceremony, run by
//! each trustee in turn on its own machine (`docs/spec/ceremony.md`, `docs/spec/cli-files.md`
//! §2).
//!
//! Trustees exchange only public files through a board folder (`registration-<i>.json`,
//! `round1-<i>.json`, …); the shares inside `round1-<i>.json` are encrypted to their
//! recipient. Between steps each trustee keeps its secrets in one file, encrypted at rest under
//! its passphrase (Argon2id, then ChaCha20-Poly1305).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce, Tag};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sanduq_crypto::SecretScalar;
use sanduq_crypto::group::{from_hex, to_hex};
use sanduq_trustee::dkg::{
    self, CeremonyTranscript, Registration, Round1Package, Round1Secret, Round2Package,
    Round2Secret, Round3Package, Round3Secret, StoredSecrets,
};
use sanduq_trustee::share_encryption::EncryptionKeyPair;
use sanduq_trustee::wire::Message;
use sanduq_trustee::{Error as TrusteeError, TrusteeIndex};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::Failure;
use crate::cmd::election;

/// The environment variable that may hold the passphrase.
pub(crate) const PASSPHRASE_ENV: &str = "SANDUQ_PASSPHRASE";
/// The joint public key file each trustee writes at the end.
pub(crate) const PUBLIC_KEY_FILE: &str = "public-key.json";

/// The key ceremony, one step of one trustee at a time.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 the step is done;\n  1 a trustee cheated: its index and the reason are named;\n  2 bad input (unreadable file, wrong passphrase, missing message)."
)]
pub(crate) struct Args {
    #[command(subcommand)]
    step: Step,
}

#[derive(Debug, clap::Subcommand)]
enum Step {
    /// Make this trustee's encryption key and publish `registration-<i>.json`.
    Register(StepArgs),
    /// With every registration: deal shares, encrypted to each recipient (`round1-<i>.json`).
    Round1(StepArgs),
    /// With every round-1 file: check the shares received; complain about bad ones
    /// (`round2-<i>.json`).
    Round2(StepArgs),
    /// With every round-2 file: judge complaints and reveal the coefficient commitments
    /// (`round3-<i>.json`).
    Round3(StepArgs),
    /// With every round-3 file: compute this trustee's key share and the joint public key
    /// (`public-key.json`).
    Finish(StepArgs),
}

/// What every step needs.
#[derive(Debug, clap::Args)]
pub(crate) struct StepArgs {
    /// The election set-up folder (`sanduq election new --out`).
    #[arg(long)]
    election: PathBuf,
    /// This trustee's index (1-based, as in the policy).
    #[arg(long)]
    trustee: u32,
    /// The folder of public ceremony files: read from, and this trustee's file written to.
    #[arg(long)]
    board: PathBuf,
    /// This trustee's secret file, encrypted at rest.
    #[arg(long)]
    secret: PathBuf,
    /// A file whose first line is the passphrase (otherwise the environment variable
    /// SANDUQ_PASSPHRASE).
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    match args.step {
        Step::Register(a) => register(&a),
        Step::Round1(a) => round1(&a),
        Step::Round2(a) => round2(&a),
        Step::Round3(a) => round3(&a),
        Step::Finish(a) => finish(&a),
    }
}

/// A trustee error: a cheating trustee is named with exit 1; anything else is bad input.
pub(crate) fn trustee_failure(step: &str, e: &TrusteeError) -> Failure {
    let culprits = e.culprits();
    if culprits.is_empty() {
        Failure::BadInput(anyhow!("{step}: {e}"))
    } else {
        let names: Vec<String> = culprits
            .iter()
            .map(|t| format!("trustee {}", t.get()))
            .collect();
        Failure::CheckFailed(anyhow!("{step}: cheating {}: {e}", names.join(", ")))
    }
}

fn index(i: u32) -> Result<TrusteeIndex, Failure> {
    TrusteeIndex::new(i).map_err(|e| Failure::BadInput(anyhow!("--trustee {i}: {e}")))
}

/// An RNG seeded from the operating system.
pub(crate) fn os_rng() -> Result<ChaCha20Rng, Failure> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness from the system: {e}"))?;
    Ok(ChaCha20Rng::from_seed(seed))
}

fn write_public(board: &Path, name: &str, text: &str) -> Result<(), Failure> {
    std::fs::create_dir_all(board).with_context(|| format!("cannot create {}", board.display()))?;
    let path = board.join(name);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Every `<prefix>-<i>.json` of the policy's trustees on the board. A file that does not
/// parse names its author (exit 1); a missing file is bad input (exit 2).
pub(crate) fn read_all<M: Message>(
    board: &Path,
    prefix: &str,
    trustees: &[TrusteeIndex],
) -> Result<BTreeMap<TrusteeIndex, M>, Failure> {
    let mut out = BTreeMap::new();
    for t in trustees {
        let name = format!("{prefix}-{}.json", t.get());
        let path = board.join(&name);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (has trustee {} published it?)",
                path.display(),
                t.get()
            )
        })?;
        let m = M::from_json(&text).map_err(|e| {
            Failure::CheckFailed(anyhow!(
                "{name}: trustee {} published an unreadable file: {e}",
                t.get()
            ))
        })?;
        out.insert(*t, m);
    }
    Ok(out)
}

struct Context1 {
    setup: dkg::CeremonySetup,
    me: TrusteeIndex,
    trustees: Vec<TrusteeIndex>,
    passphrase: Zeroizing<String>,
}

fn context(a: &StepArgs) -> Result<Context1, Failure> {
    let setup = election::load(&a.election)?;
    let me = index(a.trustee)?;
    let trustees: Vec<TrusteeIndex> = setup.policy().trustees().keys().copied().collect();
    if !trustees.contains(&me) {
        return Err(anyhow!(
            "--trustee {}: not a trustee of this election (trustees 1 to {})",
            a.trustee,
            trustees.len()
        )
        .into());
    }
    let passphrase = passphrase(a.passphrase_file.as_deref())?;
    Ok(Context1 {
        setup,
        me,
        trustees,
        passphrase,
    })
}

fn transcript(c: &Context1, board: &Path, rounds: usize) -> Result<CeremonyTranscript, Failure> {
    let mut t = CeremonyTranscript {
        registrations: read_all::<Registration>(board, "registration", &c.trustees)?,
        ..CeremonyTranscript::default()
    };
    if rounds >= 1 {
        t.round1 = read_all::<Round1Package>(board, "round1", &c.trustees)?;
    }
    if rounds >= 2 {
        t.round2 = read_all::<Round2Package>(board, "round2", &c.trustees)?;
    }
    if rounds >= 3 {
        t.round3 = read_all::<Round3Package>(board, "round3", &c.trustees)?;
    }
    Ok(t)
}

fn register(a: &StepArgs) -> Result<(), Failure> {
    let c = context(a)?;
    if a.secret.exists() {
        return Err(anyhow!(
            "{} exists already: refusing to overwrite a secret",
            a.secret.display()
        )
        .into());
    }
    let mut rng = os_rng()?;
    let (keys, reg) =
        dkg::register(&c.setup, c.me, &mut rng).map_err(|e| trustee_failure("register", &e))?;
    let body = Zeroizing::new(to_hex(keys.expose_secret().expose_bytes().as_ref()));
    seal(&a.secret, c.me, STAGE_REGISTERED, &body, &c.passphrase)?;
    write_public(
        &a.board,
        &format!("registration-{}.json", c.me.get()),
        &reg.to_json(),
    )?;
    println!(
        "trustee {} registered: publish registration-{}.json",
        c.me.get(),
        c.me.get()
    );
    Ok(())
}

fn round1(a: &StepArgs) -> Result<(), Failure> {
    let c = context(a)?;
    let body = open(&a.secret, c.me, STAGE_REGISTERED, &c.passphrase)?;
    let bytes = Zeroizing::new(
        from_hex("secret", &body).map_err(|e| anyhow!("{}: {e}", a.secret.display()))?,
    );
    let secret = SecretScalar::decode("secret", &bytes)
        .map_err(|e| anyhow!("{}: {e}", a.secret.display()))?;
    let keys =
        EncryptionKeyPair::from_secret(secret).map_err(|e| trustee_failure("round 1", &e))?;
    let regs = read_all::<Registration>(&a.board, "registration", &c.trustees)?;
    let mut rng = os_rng()?;
    let (s1, p1) = dkg::part1(&c.setup, c.me, keys, &regs, &mut rng)
        .map_err(|e| trustee_failure("round 1", &e))?;
    seal(
        &a.secret,
        c.me,
        STAGE_DEALT,
        &s1.export().to_json(),
        &c.passphrase,
    )?;
    write_public(
        &a.board,
        &format!("round1-{}.json", c.me.get()),
        &p1.to_json(),
    )?;
    println!(
        "trustee {} dealt its shares: publish round1-{}.json",
        c.me.get(),
        c.me.get()
    );
    Ok(())
}

fn round2(a: &StepArgs) -> Result<(), Failure> {
    let c = context(a)?;
    let stored = stored(a, &c, STAGE_DEALT)?;
    let tr = transcript(&c, &a.board, 1)?;
    let own = tr
        .round1
        .get(&c.me)
        .ok_or_else(|| anyhow!("no round1-{}.json", c.me.get()))?;
    let s1 = Round1Secret::restore(&c.setup, &stored, &tr.registrations, own)
        .map_err(|e| trustee_failure("round 2", &e))?;
    let mut rng = os_rng()?;
    let (_, p2) =
        dkg::part2(s1, &tr.round1, &mut rng).map_err(|e| trustee_failure("round 2", &e))?;
    write_public(
        &a.board,
        &format!("round2-{}.json", c.me.get()),
        &p2.to_json(),
    )?;
    if p2.complaints.is_empty() {
        println!(
            "trustee {}: every share received checks: publish round2-{}.json",
            c.me.get(),
            c.me.get()
        );
        Ok(())
    } else {
        let accused: Vec<String> = p2
            .complaints
            .keys()
            .map(|t| format!("trustee {}", t.get()))
            .collect();
        Err(Failure::CheckFailed(anyhow!(
            "round 2: cheating {}: the share sent to trustee {} does not decrypt or does not match the dealer's commitments; the complaint with its evidence is in round2-{}.json, publish it",
            accused.join(", "),
            c.me.get(),
            c.me.get()
        )))
    }
}

fn round3(a: &StepArgs) -> Result<(), Failure> {
    let c = context(a)?;
    let stored = stored(a, &c, STAGE_DEALT)?;
    let tr = transcript(&c, &a.board, 2)?;
    let s2 = Round2Secret::restore(&c.setup, &stored, &tr.registrations, &tr.round1)
        .map_err(|e| trustee_failure("round 3", &e))?;
    let q = dkg::qualify(&c.setup, &tr.registrations, &tr.round1, &tr.round2)
        .map_err(|e| trustee_failure("round 3", &e))?;
    if let Some((t, why)) = q.disqualified().iter().next() {
        return Err(Failure::CheckFailed(anyhow!(
            "round 3: cheating trustee {} disqualified: {why}",
            t.get()
        )));
    }
    let mut rng = os_rng()?;
    let (_, p3) = dkg::part3(s2, &q, &mut rng).map_err(|e| trustee_failure("round 3", &e))?;
    write_public(
        &a.board,
        &format!("round3-{}.json", c.me.get()),
        &p3.to_json(),
    )?;
    println!("trustee {}: publish round3-{}.json", c.me.get(), c.me.get());
    Ok(())
}

fn finish(a: &StepArgs) -> Result<(), Failure> {
    let c = context(a)?;
    let stored = stored(a, &c, STAGE_DEALT)?;
    let tr = transcript(&c, &a.board, 3)?;
    let s3 =
        Round3Secret::restore(&c.setup, &stored, &tr).map_err(|e| trustee_failure("finish", &e))?;
    let (share, package) = dkg::part4(s3, &tr.round3).map_err(|e| trustee_failure("finish", &e))?;
    let body = Zeroizing::new(
        serde_json::to_string(&KeyShareFile {
            secret: to_hex(share.expose_secret().expose_bytes().as_ref()),
            public: share.public().to_hex(),
        })
        .map_err(|e| anyhow!("key share: {e}"))?,
    );
    let public = package.to_json();
    if let Ok(existing) = std::fs::read_to_string(a.board.join(PUBLIC_KEY_FILE))
        && existing != public
    {
        return Err(Failure::CheckFailed(anyhow!(
            "finish: the public key computed by trustee {} differs from {} on the board",
            c.me.get(),
            PUBLIC_KEY_FILE
        )));
    }
    seal(&a.secret, c.me, STAGE_KEY_SHARE, &body, &c.passphrase)?;
    write_public(&a.board, PUBLIC_KEY_FILE, &public)?;
    println!(
        "trustee {}: key share stored; joint key {}",
        c.me.get(),
        package.joint_key.to_hex()
    );
    Ok(())
}

fn stored(a: &StepArgs, c: &Context1, stage: &str) -> Result<StoredSecrets, Failure> {
    let body = open(&a.secret, c.me, stage, &c.passphrase)?;
    let stored =
        StoredSecrets::from_json(&body).map_err(|e| anyhow!("{}: {e}", a.secret.display()))?;
    if stored.trustee() != c.me {
        return Err(anyhow!(
            "{} holds the secrets of trustee {}",
            a.secret.display(),
            stored.trustee().get()
        )
        .into());
    }
    Ok(stored)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyShareFile {
    pub(crate) secret: String,
    pub(crate) public: String,
}

// ---- the secret file: encrypted at rest ------------------------------------------------

const SECRET_FORMAT: &str = "sanduq-trustee-secret/1";
const STAGE_REGISTERED: &str = "registered";
const STAGE_DEALT: &str = "dealt";
/// After `finish`: the key share (`{"secret": hex, "public": hex}`).
pub(crate) const STAGE_KEY_SHARE: &str = "key-share";
/// Argon2id cost: 19 MiB, 2 passes, 1 lane (the OWASP minimum for Argon2id).
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// The secret file (`docs/spec/cli-files.md` §2.2).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    format: String,
    trustee: u32,
    stage: String,
    kdf: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    aead: String,
    nonce: String,
    ciphertext: String,
}

/// The passphrase: the first line of `file`, or the environment variable.
pub(crate) fn passphrase(file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let p = match file {
        Some(f) => {
            let text = Zeroizing::new(
                std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read the passphrase file {}", f.display()))?,
            );
            Zeroizing::new(text.lines().next().unwrap_or_default().to_owned())
        }
        None => Zeroizing::new(std::env::var(PASSPHRASE_ENV).map_err(|_| {
            anyhow!("no passphrase: pass --passphrase-file or set {PASSPHRASE_ENV}")
        })?),
    };
    if p.is_empty() {
        return Err(anyhow!("the passphrase is empty").into());
    }
    Ok(p)
}

fn associated_data(trustee: u32, stage: &str) -> Vec<u8> {
    format!("{SECRET_FORMAT}\0{trustee}\0{stage}").into_bytes()
}

fn derive_key(
    passphrase: &str,
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, Failure> {
    let params =
        argon2::Params::new(m, t, p, Some(32)).map_err(|e| anyhow!("argon2 parameters: {e}"))?;
    let kdf = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    kdf.hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|e| anyhow!("argon2: {e}"))?;
    Ok(key)
}

fn seal(
    path: &Path,
    trustee: TrusteeIndex,
    stage: &str,
    body: &str,
    passphrase: &str,
) -> Result<(), Failure> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut salt).map_err(|e| anyhow!("no randomness: {e}"))?;
    getrandom::fill(&mut nonce).map_err(|e| anyhow!("no randomness: {e}"))?;
    let key = derive_key(passphrase, &salt, M_COST, T_COST, P_COST)?;
    let cipher =
        ChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| anyhow!("key length"))?;
    let mut buffer = Zeroizing::new(body.as_bytes().to_vec());
    let n = Nonce::try_from(&nonce[..]).map_err(|_| anyhow!("nonce length"))?;
    let tag = cipher
        .encrypt_inout_detached(
            &n,
            &associated_data(trustee.get(), stage),
            buffer.as_mut_slice().into(),
        )
        .map_err(|_| anyhow!("encryption failed"))?;
    let mut ct = buffer.to_vec();
    ct.extend_from_slice(tag.as_slice());
    let file = SecretFile {
        format: SECRET_FORMAT.to_owned(),
        trustee: trustee.get(),
        stage: stage.to_owned(),
        kdf: "argon2id".to_owned(),
        m_cost: M_COST,
        t_cost: T_COST,
        p_cost: P_COST,
        salt: to_hex(&salt),
        aead: "chacha20poly1305".to_owned(),
        nonce: to_hex(&nonce),
        ciphertext: to_hex(&ct),
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| anyhow!("{e}"))?;
    text.push('\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Written beside, then renamed: a crash never leaves half a secret.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub(crate) fn open(
    path: &Path,
    trustee: TrusteeIndex,
    stage: &str,
    passphrase: &str,
) -> Result<Zeroizing<String>, Failure> {
    let bad = |what: String| Failure::BadInput(anyhow!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the secret file {}", path.display()))?;
    let file: SecretFile =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a trustee secret file: {e}")))?;
    if file.format != SECRET_FORMAT || file.kdf != "argon2id" || file.aead != "chacha20poly1305" {
        return Err(bad("not a trustee secret file of this version".into()));
    }
    if file.trustee != trustee.get() {
        return Err(bad(format!(
            "holds the secrets of trustee {}, not {}",
            file.trustee,
            trustee.get()
        )));
    }
    if file.stage != stage {
        return Err(bad(format!(
            "holds the secrets of stage {:?}, this step needs {:?} (steps run out of order?)",
            file.stage, stage
        )));
    }
    let salt = from_hex("salt", &file.salt).map_err(|e| bad(e.to_string()))?;
    let nonce = from_hex("nonce", &file.nonce).map_err(|e| bad(e.to_string()))?;
    let ct = from_hex("ciphertext", &file.ciphertext).map_err(|e| bad(e.to_string()))?;
    let split = ct
        .len()
        .checked_sub(16)
        .ok_or_else(|| bad("ciphertext too short".into()))?;
    let (body, tag) = ct.split_at(split);
    let key = derive_key(passphrase, &salt, file.m_cost, file.t_cost, file.p_cost)?;
    let cipher =
        ChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| anyhow!("key length"))?;
    let n = Nonce::try_from(nonce.as_slice()).map_err(|_| bad("nonce length".into()))?;
    let tag = Tag::try_from(tag).map_err(|_| bad("tag length".into()))?;
    let mut buffer = Zeroizing::new(body.to_vec());
    cipher
        .decrypt_inout_detached(
            &n,
            &associated_data(file.trustee, &file.stage),
            buffer.as_mut_slice().into(),
            &tag,
        )
        .map_err(|_| bad("wrong passphrase (or the file was altered): cannot decrypt".into()))?;
    let s = String::from_utf8(buffer.to_vec()).map_err(|_| bad("not UTF-8".into()))?;
    Ok(Zeroizing::new(s))
}

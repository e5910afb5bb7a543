//! `sanduq election new`: validate a manifest and write the election's set-up — parameters,
//! fingerprint, tie-break seed, privacy threshold K and the trustees' policy — into a folder
//! (`docs/spec/cli-files.md` §1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use sanduq_election::{JurisdictionKind, Manifest};
use sanduq_record::protocol::Election;
use sanduq_trustee::dkg::CeremonySetup;
use sanduq_trustee::wire::Message;
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};

use crate::Failure;

/// The manifest, copied as given.
pub(crate) const MANIFEST_FILE: &str = "manifest.toml";
/// `election/parameters.json` of the record.
pub(crate) const PARAMETERS_FILE: &str = "parameters.json";
/// The ceremony set-up every trustee agrees on.
pub(crate) const SETUP_FILE: &str = "ceremony-setup.json";

/// Election set-up.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Validate a manifest and write the election set-up into a folder (exit 2 listing every
    /// problem of the manifest with its field path).
    New(NewArgs),
}

/// `sanduq election new`.
#[derive(Debug, clap::Args)]
pub(crate) struct NewArgs {
    /// The manifest (TOML, `docs/spec/manifest.md`).
    #[arg(long)]
    manifest: PathBuf,
    /// The folder to write the set-up into (created; must not hold a set-up already).
    #[arg(long)]
    out: PathBuf,
    /// Number of trustees n.
    #[arg(long, default_value_t = 3)]
    trustees: u32,
    /// Trustees needed to decrypt, t.
    #[arg(long, default_value_t = 2)]
    threshold: u32,
    /// Provinces the t trustees must come from, at least m.
    #[arg(long, default_value_t = 2)]
    min_provinces: u32,
    /// The trustees' provinces (ISO 3166-2:AF codes, comma separated, trustee 1 first).
    /// Default: the manifest's provinces in turn.
    #[arg(long, value_delimiter = ',')]
    provinces: Vec<String>,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::New(a) => new(a),
    }
}

fn new(args: NewArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("cannot read {}", args.manifest.display()))?;
    let manifest =
        Manifest::parse(&text).map_err(|e| anyhow!("{}: {e}", args.manifest.display()))?;
    let provinces = if args.provinces.is_empty() {
        let codes: Vec<String> = manifest
            .jurisdictions()
            .iter()
            .filter(|j| j.kind == JurisdictionKind::Province)
            .filter_map(|j| j.iso_code.clone())
            .collect();
        if codes.is_empty() {
            return Err(
                anyhow!("the manifest has no province with an iso_code; pass --provinces").into(),
            );
        }
        codes
            .iter()
            .cycle()
            .take(args.trustees as usize)
            .cloned()
            .collect()
    } else {
        if args.provinces.len() != args.trustees as usize {
            return Err(anyhow!(
                "--provinces names {} provinces for {} trustees",
                args.provinces.len(),
                args.trustees
            )
            .into());
        }
        args.provinces.clone()
    };
    let mut roster = BTreeMap::new();
    for (i, p) in (1u32..).zip(&provinces) {
        let idx = TrusteeIndex::new(i).map_err(|e| anyhow!("trustee {i}: {e}"))?;
        let code = ProvinceCode::new(p).map_err(|e| anyhow!("trustee {i}: province {p}: {e}"))?;
        roster.insert(idx, code);
    }
    let policy = Policy::new(args.threshold, args.min_provinces, roster)
        .map_err(|e| anyhow!("trustee policy: {e}"))?;
    let election = Election::setup(manifest, sanduq_crypto::params::DEFAULT_GENERATOR_SEED)
        .map_err(|e| anyhow!("{}: {e}", args.manifest.display()))?;
    let setup = CeremonySetup::new(
        *election.fingerprint(),
        election.parameters().clone(),
        policy,
    );
    let parameters = election.parameters_file();
    let params_bytes =
        sanduq_record::wire::to_canonical(&parameters).map_err(|e| anyhow!("parameters: {e}"))?;

    if args.out.join(SETUP_FILE).exists() {
        return Err(anyhow!("{} already holds an election set-up", args.out.display()).into());
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    write(&args.out, MANIFEST_FILE, text.as_bytes())?;
    write(&args.out, PARAMETERS_FILE, &params_bytes)?;
    write(&args.out, SETUP_FILE, setup.to_json().as_bytes())?;

    if args.json {
        let v = serde_json::json!({
            "out": args.out.display().to_string(),
            "fingerprint": parameters.fingerprint,
            "tie_break_seed": parameters.tie_break_seed,
            "privacy_threshold": parameters.privacy_threshold,
            "trustees": args.trustees,
            "threshold": args.threshold,
            "min_provinces": args.min_provinces,
        });
        println!("{v}");
    } else {
        println!(
            "election set-up written to {}\n  fingerprint       {}\n  tie-break seed    {}\n  privacy threshold K = {}\n  trustees          {} of {} from at least {} provinces ({})",
            args.out.display(),
            parameters.fingerprint,
            parameters.tie_break_seed,
            parameters.privacy_threshold,
            args.threshold,
            args.trustees,
            args.min_provinces,
            provinces.join(", ")
        );
    }
    Ok(())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Failure> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Read the set-up written by `sanduq election new`, checking that its parts agree.
pub(crate) fn load(dir: &Path) -> Result<CeremonySetup, Failure> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let text = read(MANIFEST_FILE)?;
    let manifest = Manifest::parse(&text)
        .map_err(|e| anyhow!("{}: {e}", dir.join(MANIFEST_FILE).display()))?;
    let election = Election::setup(manifest, sanduq_crypto::params::DEFAULT_GENERATOR_SEED)
        .map_err(|e| anyhow!("{}: {e}", dir.display()))?;
    let setup = CeremonySetup::from_json(&read(SETUP_FILE)?)
        .map_err(|e| anyhow!("{}: {e}", dir.join(SETUP_FILE).display()))?;
    if setup.fingerprint() != election.fingerprint() {
        return Err(anyhow!(
            "{}: the ceremony set-up is for another election (fingerprint differs)",
            dir.join(SETUP_FILE).display()
        )
        .into());
    }
    Ok(setup)
}

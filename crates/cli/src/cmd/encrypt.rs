//! `sanduq encrypt`: one polling-station device encrypts its voters' ballots offline and writes
//! them with its closing entry (`docs/spec/cli-files.md` §3). Also the loading of the election
//! set-up and the ceremony's public files that every later step shares.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use sanduq_election::Manifest;
use sanduq_record::hierarchy::Level;
use sanduq_record::protocol::{Ceremony, Election};
use sanduq_record::run::{Progress, Voter, synthetic_station_voters};
use sanduq_record::steps::{self, StepError};
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::dkg::{
    CeremonyTranscript, PublicKeyPackage, Registration, Round1Package, Round2Package, Round3Package,
};
use sanduq_trustee::wire::Message;

use crate::Failure;
use crate::cmd::ceremony::{PUBLIC_KEY_FILE, os_rng, read_all};
use crate::cmd::demo::Bars;
use crate::cmd::election;

/// Encrypt the ballots of one polling-station device.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 the ballots are written;\n  1 the ceremony's public files do not check;\n  2 bad input: an invalid plaintext file (its file, line and field are named), an unknown station, an unreadable set-up."
)]
pub(crate) struct Args {
    /// The election set-up folder (`sanduq election new --out`).
    #[arg(long)]
    election: PathBuf,
    /// The folder of the key ceremony's public files (with `public-key.json`).
    #[arg(long)]
    board: PathBuf,
    /// The device's identifier (letters, digits, `-`, `_`, `.`), unique in the election.
    #[arg(long)]
    device: String,
    /// The polling station the device serves.
    #[arg(long)]
    station: String,
    /// The device's ballots file to write (refused if it exists).
    #[arg(long)]
    out: PathBuf,
    /// The voters' choices: JSON lines (`cli-files.md` §3.1).
    #[arg(
        long,
        required_unless_present = "generate",
        conflicts_with = "generate"
    )]
    plaintext: Option<PathBuf>,
    /// Instead of a plaintext file: N synthetic voters (for demonstrations and tests).
    #[arg(long, requires = "seed")]
    generate: Option<u64>,
    /// Seed of the synthetic voters' choices.
    #[arg(long, requires = "generate")]
    seed: Option<u64>,
    /// Every K-th voter challenges a ballot (opened and published, not counted) before
    /// casting one (0: none besides the plaintext file's `challenge`).
    #[arg(long, default_value_t = 0)]
    challenge_every: u64,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

/// The election and its verified key ceremony, as every step after the ceremony needs them.
pub(crate) struct Loaded {
    pub(crate) election: Election,
    pub(crate) ceremony: Ceremony,
}

/// Read the set-up folder and the ceremony's public files on the board, and check them.
pub(crate) fn load(dir: &Path, board: &Path) -> Result<Loaded, Failure> {
    let setup = election::load(dir)?;
    let path = dir.join(election::MANIFEST_FILE);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest = Manifest::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let election = Election::setup(manifest, sanduq_crypto::params::DEFAULT_GENERATOR_SEED)
        .map_err(|e| anyhow!("{}: {e}", dir.display()))?;
    let trustees: Vec<TrusteeIndex> = setup.policy().trustees().keys().copied().collect();
    let transcript = CeremonyTranscript {
        registrations: read_all::<Registration>(board, "registration", &trustees)?,
        round1: read_all::<Round1Package>(board, "round1", &trustees)?,
        round2: read_all::<Round2Package>(board, "round2", &trustees)?,
        round3: read_all::<Round3Package>(board, "round3", &trustees)?,
    };
    let key_path = board.join(PUBLIC_KEY_FILE);
    let key_text = std::fs::read_to_string(&key_path).with_context(|| {
        format!(
            "cannot read {} (has the key ceremony finished?)",
            key_path.display()
        )
    })?;
    let published = PublicKeyPackage::from_json(&key_text)
        .map_err(|e| anyhow!("{}: {e}", key_path.display()))?;
    let ceremony =
        steps::verified_ceremony(&election, setup, transcript, &published).map_err(step_failure)?;
    Ok(Loaded { election, ceremony })
}

/// A step's error: a failed check is exit 1, anything else bad input (exit 2).
pub(crate) fn step_failure(e: StepError) -> Failure {
    if e.is_check() {
        Failure::CheckFailed(e.into())
    } else {
        Failure::BadInput(e.into())
    }
}

/// Read a file named on the command line.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    Ok(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?)
}

/// Write a new file beside, then rename it into place, refusing to replace one.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if path.exists() {
        return Err(anyhow!(
            "{} exists already: refusing to overwrite it",
            path.display()
        )
        .into());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let valid_id = !args.device.is_empty()
        && args
            .device
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid_id {
        return Err(anyhow!(
            "--device {:?}: letters, digits, '-', '_' and '.' only",
            args.device
        )
        .into());
    }
    let Loaded { election, ceremony } = load(&args.election, &args.board)?;
    let is_station = election
        .hierarchy()
        .unit(&args.station)
        .is_some_and(|u| u.level == Level::Station);
    if !is_station {
        return Err(anyhow!(
            "--station {}: not a polling station of the manifest",
            args.station
        )
        .into());
    }
    let mut voters: Vec<Voter> = match (&args.plaintext, args.generate, args.seed) {
        (Some(p), _, _) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            steps::parse_plaintexts(&election, &args.station, &p.display().to_string(), &text)
                .map_err(step_failure)?
        }
        (None, Some(n), Some(seed)) => {
            synthetic_station_voters(&election, seed, &args.station, n, 0)
                .map_err(|e| anyhow!("--station: {e}"))?
        }
        _ => return Err(anyhow!("pass --plaintext FILE or --generate N --seed S").into()),
    };
    if args.challenge_every > 0 {
        for (i, v) in (1u64..).zip(voters.iter_mut()) {
            v.challenge_first |= i % args.challenge_every == 0;
        }
    }
    if args.out.exists() {
        return Err(anyhow!(
            "{} exists already: refusing to overwrite it",
            args.out.display()
        )
        .into());
    }
    let refs: Vec<&Voter> = voters.iter().collect();
    let bars = Bars::new();
    bars.start("encrypting ballots", refs.len() as u64);
    let mut rng = os_rng()?;
    let run = steps::run_device(
        &election,
        &ceremony.ballot_context(),
        &args.device,
        &args.station,
        &refs,
        &mut rng,
        &bars,
    )
    .map_err(|e| anyhow!("{e}"))?;
    bars.finish();
    let bytes = steps::device_file(&election, &run).map_err(|e| anyhow!("{e}"))?;
    write_new(&args.out, &bytes)?;
    let cast = run.lines.iter().filter(|l| l.status == "cast").count();
    let challenged = run.lines.len() - cast;
    if args.json {
        let v = serde_json::json!({
            "out": args.out.display().to_string(),
            "device": run.device.device,
            "station": run.device.station,
            "cast": cast,
            "challenged": challenged,
            "ballots": run.device.ballots,
            "closing": run.device.closing,
        });
        println!("{v}");
    } else {
        println!(
            "device {} at {}: {cast} ballots cast, {challenged} challenged (opened, not counted)\n  closing value {}\n  written to {}",
            run.device.device,
            run.device.station,
            run.device.closing,
            args.out.display()
        );
    }
    Ok(())
}

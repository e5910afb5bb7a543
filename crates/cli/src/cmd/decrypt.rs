//! `sanduq decrypt share|combine`: each trustee present decrypts the tally's targets with its
//! key share, then anyone combines the shares into the election record
//! (`docs/spec/cli-files.md` §5).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::anyhow;
use sanduq_crypto::SecretScalar;
use sanduq_crypto::group::{Element, from_hex};
use sanduq_record::run::Progress;
use sanduq_record::steps::{self, TallyStep};
use sanduq_record::store::{write_archive, write_dir};
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::dkg::KeyShare;
use zeroize::Zeroizing;

use crate::Failure;
use crate::cmd::ceremony::{KeyShareFile, STAGE_KEY_SHARE, open, os_rng, passphrase};
use crate::cmd::demo::Bars;
use crate::cmd::encrypt::{Loaded, load, read, step_failure, write_new};
use crate::cmd::remote::{checked_remote, source_failure};
use crate::cmd::tally::checked_devices;

/// Threshold decryption of the tally.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 done;\n  1 a check failed: a trustee's share does not verify (the trustee is named), a remote ballot does not check (named as file:line), the ballots and remote ballots do not give the tally (without --remote, a tally that counts remote ballots);\n  2 bad input: an unreadable file, a wrong passphrase, or too few trustees (fewer than t, or from too few provinces)."
)]
pub(crate) struct Args {
    #[command(subcommand)]
    step: Step,
}

#[derive(Debug, clap::Subcommand)]
enum Step {
    /// One trustee's decryption shares, with Chaum–Pedersen proofs, of every target of the
    /// tally (`shares-<i>.json` on the board).
    Share(ShareArgs),
    /// Check the trustees' shares, combine them, count every contest and write the record.
    Combine(CombineArgs),
}

/// What both steps read: the set-up, the ceremony's public files and the tally.
#[derive(Debug, clap::Args)]
pub(crate) struct Inputs {
    /// The election set-up folder.
    #[arg(long)]
    election: PathBuf,
    /// The folder of the key ceremony's public files.
    #[arg(long)]
    board: PathBuf,
    /// The tally file (`sanduq tally --out`).
    #[arg(long)]
    tally: PathBuf,
}

impl Inputs {
    /// The election, its verified ceremony and the checked tally.
    fn load(&self) -> Result<(Loaded, TallyStep), Failure> {
        let loaded = load(&self.election, &self.board)?;
        let bytes = read(&self.tally)?;
        let tally = steps::read_tally(&loaded.election, &self.tally.display().to_string(), &bytes)
            .map_err(step_failure)?;
        Ok((loaded, tally))
    }
}

/// `sanduq decrypt share`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShareArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// This trustee's index.
    #[arg(long)]
    trustee: u32,
    /// This trustee's secret file (stage `key-share`, after `sanduq ceremony finish`).
    #[arg(long)]
    secret: PathBuf,
    /// A file whose first line is the passphrase (otherwise SANDUQ_PASSPHRASE).
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
    /// The devices' ballots files: if given, decrypt only if they give the tally exactly
    /// (otherwise the trustee relies on the tally's station tallies).
    #[arg(long, num_args = 1..)]
    ballots: Vec<PathBuf>,
    /// With --ballots, the remote ballots the tally counts: the folder `sanduq fetch-remote`
    /// writes (`credentials.json`, `remote.jsonl`).
    #[arg(long, value_name = "DIR", requires = "ballots")]
    remote: Option<PathBuf>,
    /// Where to write the shares (default: `shares-<i>.json` in the board folder).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

/// `sanduq decrypt combine`.
#[derive(Debug, clap::Args)]
pub(crate) struct CombineArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// The trustees' shares files (`sanduq decrypt share`), one per trustee present.
    #[arg(long, num_args = 1.., required = true)]
    shares: Vec<PathBuf>,
    /// The devices' ballots files the tally was made from.
    #[arg(long, num_args = 1.., required = true)]
    ballots: Vec<PathBuf>,
    /// The remote ballots the tally counts: the folder `sanduq fetch-remote` writes
    /// (`credentials.json`, `remote.jsonl`); the record then holds the credential list and
    /// every district's `remote.jsonl`. Required when the tally counts remote ballots.
    #[arg(long, value_name = "DIR")]
    remote: Option<PathBuf>,
    /// The record folder to write.
    #[arg(long)]
    out: PathBuf,
    /// Also write the record as a tar archive.
    #[arg(long)]
    archive: Option<PathBuf>,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    match args.step {
        Step::Share(a) => share(&a),
        Step::Combine(a) => combine(&a),
    }
}

fn key_share(a: &ShareArgs) -> Result<KeyShare, Failure> {
    let me = TrusteeIndex::new(a.trustee).map_err(|e| anyhow!("--trustee {}: {e}", a.trustee))?;
    let pass = passphrase(a.passphrase_file.as_deref())?;
    let body = open(&a.secret, me, STAGE_KEY_SHARE, &pass)?;
    let bad = |e: String| Failure::BadInput(anyhow!("{}: {e}", a.secret.display()));
    let file: KeyShareFile = serde_json::from_str(&body).map_err(|e| bad(e.to_string()))?;
    let bytes = Zeroizing::new(from_hex("secret", &file.secret).map_err(|e| bad(e.to_string()))?);
    let secret = SecretScalar::decode("secret", &bytes).map_err(|e| bad(e.to_string()))?;
    let public = Element::from_hex("public", &file.public).map_err(|e| bad(e.to_string()))?;
    KeyShare::new(me, secret, public).map_err(|e| bad(e.to_string()))
}

fn share(a: &ShareArgs) -> Result<(), Failure> {
    let (loaded, tally) = a.inputs.load()?;
    if !a.ballots.is_empty() {
        let devices = checked_devices(&loaded, &a.ballots)?;
        let remote = checked_remote(&loaded, a.remote.as_deref())?;
        steps::check_tally_source(&loaded.election, &tally, &devices, remote.as_ref())
            .map_err(|e| source_failure(e, remote.is_some()))?;
    }
    let key = key_share(a)?;
    if loaded.ceremony.package.public_shares.get(&key.trustee()) != Some(key.public()) {
        return Err(anyhow!(
            "{}: the key share of trustee {} is not the one of this election's ceremony",
            a.secret.display(),
            a.trustee
        )
        .into());
    }
    let bars = Bars::new();
    bars.start("decryption shares", tally.targets.len() as u64);
    let mut rng = os_rng()?;
    let bytes = steps::make_shares(&loaded.election, &tally, &key, &mut rng, &bars)
        .map_err(step_failure)?;
    bars.finish();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| a.inputs.board.join(format!("shares-{}.json", a.trustee)));
    write_new(&out, &bytes)?;
    if a.json {
        let v = serde_json::json!({
            "out": out.display().to_string(),
            "trustee": a.trustee,
            "shares": tally.targets.len(),
            "tally_sha256": tally.sha256_hex(),
        });
        println!("{v}");
    } else {
        println!(
            "trustee {}: {} decryption shares with proofs written to {}: publish it",
            a.trustee,
            tally.targets.len(),
            out.display()
        );
    }
    Ok(())
}

fn combine(a: &CombineArgs) -> Result<(), Failure> {
    let (loaded, tally) = a.inputs.load()?;
    let election = &loaded.election;
    let devices = checked_devices(&loaded, &a.ballots)?;
    let remote = checked_remote(&loaded, a.remote.as_deref())?;
    let mut shares = BTreeMap::new();
    for f in &a.shares {
        let bytes = read(f)?;
        let (t, s) = steps::read_shares(
            election,
            &loaded.ceremony.package,
            &tally,
            &f.display().to_string(),
            &bytes,
        )
        .map_err(step_failure)?;
        if shares.insert(t, s).is_some() {
            return Err(anyhow!(
                "{}: a second shares file of trustee {}",
                f.display(),
                t.get()
            )
            .into());
        }
    }
    let (files, results) = steps::combine_record(
        election,
        &loaded.ceremony,
        &tally,
        &devices,
        remote.as_ref(),
        &shares,
    )
    .map_err(|e| source_failure(e, remote.is_some()))?;
    if a.out.exists()
        && a.out
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(anyhow!("{} exists and is not empty", a.out.display()).into());
    }
    write_dir(&a.out, &files).map_err(|e| anyhow!("{e}"))?;
    if let Some(tar) = &a.archive {
        write_archive(tar, &files).map_err(|e| anyhow!("{e}"))?;
    }
    let trustees: Vec<u32> = shares.keys().map(|t| t.get()).collect();
    if a.json {
        let by_contest: BTreeMap<&str, _> =
            results.iter().map(|r| (r.contest.as_str(), r)).collect();
        let v = serde_json::json!({
            "record": a.out.display().to_string(),
            "trustees": trustees,
            "decrypted": tally.targets.len(),
            "remote": remote.as_ref().map_or(0, |r| r.lines.len()),
            "results": by_contest,
        });
        println!("{v}");
    } else {
        println!(
            "shares of trustees {trustees:?} checked and combined: {} tallies decrypted",
            tally.targets.len()
        );
        for r in &results {
            let elected = if r.status != "counted" {
                "withheld (fewer than K ballots)".to_owned()
            } else if let Some(runoff) = &r.runoff {
                format!("run-off between {}", runoff.join(" and "))
            } else {
                format!("elected {}", r.elected.join(", "))
            };
            println!("- {} ({} ballots): {elected}", r.contest, r.ballots);
        }
        println!(
            "record written to {}; check it with: sanduq verify {}",
            a.out.display(),
            a.out.display()
        );
    }
    Ok(())
}

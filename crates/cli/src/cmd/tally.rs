//! `sanduq tally`: check every device's ballots file, tally per reporting unit, apply the
//! privacy rule and write the tally file with the ciphertexts to decrypt
//! (`docs/spec/cli-files.md` §4). With `--remote`, the counted remote ballots are added to
//! the tallies of their voters' stations.

use std::path::PathBuf;

use sanduq_record::hierarchy::Disclosure;
use sanduq_record::run::Progress;
use sanduq_record::steps::{self, CheckedDevice};

use crate::Failure;
use crate::cmd::demo::Bars;
use crate::cmd::encrypt::{Loaded, load, read, step_failure, write_new};
use crate::cmd::remote::checked_remote;

/// Tally the devices' ballots.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 the tally file is written;\n  1 a ballot, a chain, a remote ballot or the ceremony does not check (the file and the ballot are named, a remote ballot as file:line);\n  2 bad input (an unreadable file, a file of another election, a remote-ballots line that is not JSON of its type)."
)]
pub(crate) struct Args {
    /// The election set-up folder (`sanduq election new --out`).
    #[arg(long)]
    election: PathBuf,
    /// The folder of the key ceremony's public files.
    #[arg(long)]
    board: PathBuf,
    /// The devices' ballots files (`sanduq encrypt --out`), every device of the election.
    #[arg(long, num_args = 1.., required = true)]
    ballots: Vec<PathBuf>,
    /// The remote ballots: the folder `sanduq fetch-remote` writes (`credentials.json`,
    /// `remote.jsonl`). Each counted remote ballot is added to the tally of the station where
    /// its credential's voter is registered. Required when the election has remote voting.
    #[arg(long, value_name = "DIR")]
    remote: Option<PathBuf>,
    /// The tally file to write (refused if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

/// Read and check every device file, naming the file and the ballot at fault.
pub(crate) fn checked_devices(
    loaded: &Loaded,
    files: &[PathBuf],
) -> Result<Vec<CheckedDevice>, Failure> {
    let ctx = loaded.ceremony.ballot_context();
    let bars = Bars::new();
    bars.start("checking ballots", files.len() as u64);
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let bytes = read(f)?;
        let d = steps::check_device_file(&loaded.election, &ctx, &f.display().to_string(), &bytes)
            .map_err(step_failure)?;
        out.push(d);
        bars.inc(1);
    }
    bars.finish();
    Ok(out)
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let loaded = load(&args.election, &args.board)?;
    let devices = checked_devices(&loaded, &args.ballots)?;
    let remote = checked_remote(&loaded, args.remote.as_deref())?;
    let tally =
        steps::tally_step(&loaded.election, &devices, remote.as_ref()).map_err(step_failure)?;
    let remote_read = remote.as_ref().map_or(0, |r| r.lines.len());
    let remote_counted = remote.as_ref().map_or(0, |r| r.counted().count());
    write_new(&args.out, &tally.bytes)?;
    let cast: u64 = devices.iter().map(CheckedDevice::cast).sum();
    let challenged: u64 = devices.iter().map(CheckedDevice::challenged).sum();
    let decisions = tally.disclosure.values().flat_map(|d| d.values());
    let (mut published, mut merged, mut withheld) = (0u64, 0u64, 0u64);
    for d in decisions {
        match d {
            Disclosure::Published => published += 1,
            Disclosure::Merged(_) => merged += 1,
            Disclosure::Withheld => withheld += 1,
        }
    }
    if args.json {
        let v = serde_json::json!({
            "out": args.out.display().to_string(),
            "devices": devices.len(),
            "cast": cast,
            "challenged": challenged,
            "remote": remote_read,
            "remote_counted": remote_counted,
            "published": published,
            "merged": merged,
            "withheld": withheld,
            "targets": tally.targets.len(),
            "tally_sha256": tally.sha256_hex(),
        });
        println!("{v}");
    } else {
        println!(
            "{} devices checked: {cast} ballots cast, {challenged} challenged (not counted)\n{remote_read} remote ballots read: {remote_counted} counted, {} superseded by a later ballot of the same credential\nprivacy rule (unit, contest): {published} published, {merged} merged into their parent (fewer than K = {} ballots), {withheld} withheld\n{} ciphertexts to decrypt; tally written to {} (SHA-256 {})",
            devices.len(),
            remote_read - remote_counted,
            loaded.election.privacy_threshold(),
            tally.targets.len(),
            args.out.display(),
            tally.sha256_hex()
        );
    }
    Ok(())
}

//! Reading an election record back from a bulletin board (`docs/spec/board-server.md` §7):
//! [`fetch_record`], and `sanduq fetch-record`, which writes the rebuilt record to a folder.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use sanduq_board::client::Client;
use sanduq_board::mirror::MirrorError;
use sanduq_board::publication::{
    self, CheckedLog, CrossCheck, HttpArtefacts, HttpTiles, PublicationError,
};
use sanduq_record::store::Files;

use crate::Failure;
use crate::cmd::receipt::{log_key, witness_policy};

/// How to check a log read from a board: its key and its witnesses.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct CheckpointArgs {
    /// The log's verifier key, or a file holding it (the checkpoint must verify under it).
    #[arg(long = "log-key")]
    pub(crate) log_key: Option<String>,
    /// A witness verifier key (or file); repeat for each witness.
    #[arg(long = "witness-key")]
    pub(crate) witness_keys: Vec<String>,
    /// How many of the witnesses must have cosigned the checkpoint (default: all given).
    #[arg(long)]
    pub(crate) quorum: Option<usize>,
}

/// How to check the log a record is read from.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct LogArgs {
    #[command(flatten)]
    pub(crate) checkpoint: CheckpointArgs,
    /// An administrator's public key (64 hex digits or verifier key, or a file holding it);
    /// repeat for each. When given, record entries signed by any other key are refused.
    #[arg(long = "admin-key")]
    pub(crate) admin_keys: Vec<String>,
}

/// A failure to read a log or a record from a board: exit 2 when the board cannot be read,
/// exit 1 when a check fails.
pub(crate) fn fetch_failure(url: &str, e: PublicationError) -> Failure {
    let unreadable = matches!(
        e,
        PublicationError::ArtefactFetch { .. }
            | PublicationError::Log(MirrorError::Fetch { .. } | MirrorError::Write { .. })
    );
    let e = anyhow!("{url}: {e}");
    if unreadable {
        Failure::BadInput(e)
    } else {
        Failure::CheckFailed(e)
    }
}

/// Downloads the log at `url` and checks it: the checkpoint signed by the log key and, when
/// witness keys are given, cosigned by a quorum (all of them without `--quorum`); the entry
/// bundles hashing to the checkpoint root; every hash tile equal to the tile of that tree.
pub(crate) fn read_checked_log(url: &str, log: &CheckpointArgs) -> Result<CheckedLog, Failure> {
    let key = log_key(
        log.log_key
            .as_deref()
            .ok_or_else(|| anyhow!("reading the log of {url} needs --log-key"))?,
    )?;
    let policy = match log.quorum {
        Some(k) => Some(witness_policy(&log.witness_keys, k)?),
        None if log.witness_keys.is_empty() => None,
        None => Some(witness_policy(&log.witness_keys, log.witness_keys.len())?),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    publication::read_log(&HttpTiles(Client::new(url)), &key, policy.as_ref(), now)
        .map_err(|e| fetch_failure(url, e))
}

/// Downloads the log at `url`, checks it (checkpoint signed by the log key and, when witness
/// keys are given, cosigned by a quorum; entry bundles hashing to the checkpoint root; every
/// hash tile equal to the tile of that tree), rebuilds the record of its latest
/// `record-index` entry (every file checked against the index's SHA-256) and compares the
/// ballots of record and log.
///
/// Errors: `CheckFailed` when a check fails or the record cannot be rebuilt (naming the
/// resource, log entry or file), `BadInput` when the board cannot be read or the keys are
/// unusable. A failed cross-check is not an error: see [`CrossCheck::passed`].
pub(crate) fn fetch_record(url: &str, log: &LogArgs) -> Result<(Files, CrossCheck), Failure> {
    let admins = log
        .admin_keys
        .iter()
        .map(|a| {
            sanduq_board::keys::public_key_arg(a)
                .map_err(|e| Failure::from(anyhow!("--admin-key {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let checked = read_checked_log(url, &log.checkpoint)?;
    let artefacts = HttpArtefacts(Client::new(url));
    let rebuilt = publication::rebuild(&checked.entries, &artefacts, &admins)
        .map_err(|e| fetch_failure(url, e))?;
    let cross = publication::cross_check(&rebuilt.files, &checked.entries, &artefacts)
        .map_err(|e| fetch_failure(url, e))?;
    Ok((rebuilt.files, cross))
}

/// The cross-check's failure, naming the first difference and counting the others.
pub(crate) fn cross_check_failure(url: &str, cross: &CrossCheck) -> Option<anyhow::Error> {
    let findings = cross.findings();
    let first = findings.first()?;
    let more = findings.len() - 1;
    let more = if more == 0 {
        String::new()
    } else {
        format!(" (and {more} more)")
    };
    Some(anyhow!(
        "{url}: the record and the log differ: {first}{more}"
    ))
}

/// Read an election record back from a bulletin board and write it to a folder.
///
/// Exit codes: 0 when the log checks, the record is rebuilt and record and log hold the same
/// ballots; 1 when a check fails (the record is still written when it could be rebuilt); 2
/// when the board cannot be read or the output cannot be written.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 when the log checks, the record is rebuilt and record and log hold the same ballots (remote ballots included);\n  1 when a check fails (named);\n  2 when the board cannot be read or the folder cannot be written."
)]
pub(crate) struct Args {
    /// The board's URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    board: String,
    /// Where to write the record (a folder; `sanduq verify` reads it).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    log: LogArgs,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let (files, cross) = fetch_record(&args.board, &args.log)?;
    sanduq_record::store::write_dir(&args.out, &files)
        .map_err(|e| anyhow!("{}: {e}", args.out.display()))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({
            "board": args.board,
            "out": args.out.display().to_string(),
            "files": files.len(),
            "cross_check": cross,
            "passed": cross.passed(),
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "Wrote {} files to {}; {} ballot lines in the record, {} ballot entries in the log; \
             {} remote ballots in the record, {} remote-ballot entries in the log.",
            files.len(),
            args.out.display(),
            cross.record_ballots,
            cross.log_ballots,
            cross.record_remote,
            cross.remote_ballots
        )?;
        for f in cross.findings() {
            writeln!(out, "  {f}")?;
        }
    }
    out.flush()?;
    match cross_check_failure(&args.board, &cross) {
        Some(e) => Err(Failure::CheckFailed(e)),
        None => Ok(()),
    }
}

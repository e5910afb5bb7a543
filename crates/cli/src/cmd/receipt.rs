//! `sanduq receipt`: fetch a voter's receipt from a board, and check one offline
//! (`docs/spec/board-server.md` §5).

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow};
use sanduq_board::client::Client;
use sanduq_board::keys;
use sanduq_board::receipt::Receipt;
use sanduq_tlog::cosignature::QuorumPolicy;
use sanduq_tlog::signed_note::Verifier;

use crate::Failure;

/// Voter receipts: fetch one by tracking code, or check one offline.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: ReceiptCmd,
}

#[derive(Debug, clap::Subcommand)]
enum ReceiptCmd {
    /// Check a receipt file offline: exit 0 if it verifies, 1 if it does not, 2 on bad input.
    Check(CheckArgs),
    /// Fetch the receipt of a tracking code from a board and write it to a file.
    Fetch(FetchArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The receipt file.
    file: PathBuf,
    /// The log's verifier key, or a file holding it.
    #[arg(long = "log-key")]
    log_key: String,
    /// A witness verifier key (or file); repeat for each witness.
    #[arg(long = "witness-key", required = true)]
    witness_keys: Vec<String>,
    /// How many of the witnesses must have cosigned.
    #[arg(long)]
    quorum: usize,
}

#[derive(Debug, clap::Args)]
struct FetchArgs {
    /// The board's URL.
    #[arg(long)]
    from: String,
    /// The tracking code (64 hex digits).
    code: String,
    /// Where to write the receipt.
    #[arg(long)]
    out: PathBuf,
}

/// Parses `--log-key`.
pub(crate) fn log_key(arg: &str) -> Result<Verifier, Failure> {
    let v = keys::verifier_arg(arg).map_err(|e| anyhow!("--log-key: {e}"))?;
    if !matches!(v, Verifier::Ed25519(_)) {
        return Err(anyhow!("--log-key {arg:?}: not an Ed25519 log key").into());
    }
    Ok(v)
}

/// Parses `--witness-key` … `--quorum k`.
pub(crate) fn witness_policy(args: &[String], k: usize) -> Result<QuorumPolicy, Failure> {
    let mut ws = Vec::new();
    for a in args {
        match keys::verifier_arg(a).map_err(|e| anyhow!("--witness-key: {e}"))? {
            Verifier::CosignatureV1(v) => ws.push(v),
            _ => return Err(anyhow!("--witness-key {a:?}: not a cosignature/v1 key").into()),
        }
    }
    QuorumPolicy::new(ws, k).map_err(|e| Failure::BadInput(anyhow!("--quorum {k}: {e}")))
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    match args.cmd {
        ReceiptCmd::Check(a) => check(a),
        ReceiptCmd::Fetch(a) => fetch(a),
    }
}

fn check(a: CheckArgs) -> Result<(), Failure> {
    let log = log_key(&a.log_key)?;
    let policy = witness_policy(&a.witness_keys, a.quorum)?;
    let origin = a.file.display().to_string();
    let bytes = std::fs::read(&a.file).with_context(|| format!("{origin}: cannot read"))?;
    let receipt = Receipt::parse(&bytes).map_err(|e| anyhow!("{origin}: {e}"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let v = receipt
        .verify(&log, &policy, now)
        .map_err(|e| Failure::CheckFailed(anyhow!("{origin}: {e}")))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{{\"tracking_code\":\"{}\",\"index\":{},\"checkpoint_size\":{},\"witnesses\":{},\"ok\":true}}",
        v.tracking_code,
        v.index,
        v.size,
        v.quorum.cosigners.len()
    )?;
    Ok(())
}

fn fetch(a: FetchArgs) -> Result<(), Failure> {
    let client = Client::new(&a.from);
    let ans = client
        .get(&format!("proof/{}", a.code))
        .map_err(|e| anyhow!("{}: {e}", a.from))?;
    if ans.status != 200 {
        return Err(anyhow!(
            "{}: status {}: {}",
            a.from,
            ans.status,
            ans.text().trim_end()
        )
        .into());
    }
    std::fs::write(&a.out, &ans.body)
        .with_context(|| format!("{}: cannot write", a.out.display()))?;
    Ok(())
}

//! `sanduq board`: key generation for logs and witnesses (`docs/spec/board-server.md` §6).

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use sanduq_board::keys;
use sanduq_tlog::signed_note::{TYPE_COSIGNATURE_V1, TYPE_ED25519};

use crate::Failure;

/// Bulletin-board key management.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: BoardCmd,
}

#[derive(Debug, clap::Subcommand)]
enum BoardCmd {
    /// Generate a key file and print its verifier key.
    Keygen(KeygenArgs),
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Role {
    /// A log key named by the log's origin, e.g. `board.example/af-2026-r1`.
    #[arg(long)]
    log: Option<String>,
    /// A witness key named by the witness, e.g. `witness.kandahar.example/sanduq`.
    #[arg(long)]
    witness: Option<String>,
}

#[derive(Debug, clap::Args)]
struct KeygenArgs {
    #[command(flatten)]
    role: Role,
    /// Where to write the private key (must not exist).
    #[arg(long)]
    out: PathBuf,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let BoardCmd::Keygen(k) = args.cmd;
    let (name, sig_type) = match (&k.role.log, &k.role.witness) {
        (Some(n), None) => (n, TYPE_ED25519),
        (None, Some(n)) => (n, TYPE_COSIGNATURE_V1),
        _ => return Err(anyhow!("give exactly one of --log and --witness").into()),
    };
    let (skey, vkey) = keys::generate(name, sig_type).map_err(|e| anyhow!("{e}"))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&k.out)
        .with_context(|| format!("{}: cannot create", k.out.display()))?;
    f.write_all(skey.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("{}: cannot write", k.out.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{vkey}")?;
    Ok(())
}

//! `sanduq witness`: run a provincial witness node speaking tlog-witness
//! (`docs/spec/board.md` §4, `docs/spec/board-server.md` §4).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use sanduq_board::witness_node::{SqliteWitnessStore, WitnessNode};
use sanduq_board::{keys, net};
use sanduq_tlog::signed_note::{Verifier, VerifierSet};
use sanduq_tlog::witness::Witness;

use crate::Failure;

/// Run a witness node: cosign checkpoints of the configured logs, refuse inconsistent ones
/// and keep the evidence.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long)]
    listen: SocketAddr,
    /// Directory of the witness's SQLite state.
    #[arg(long = "data-dir")]
    data_dir: PathBuf,
    /// The witness's private key file (sanduq board keygen --witness).
    #[arg(long)]
    key: PathBuf,
    /// A log to witness: its verifier key, or a file holding it. The key name is the origin.
    #[arg(long = "log", required = true)]
    logs: Vec<String>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&args.key)
        .with_context(|| format!("{}: cannot read", args.key.display()))?;
    let signer = keys::witness_signer(&text).map_err(|e| anyhow!("{}: {e}", args.key.display()))?;
    let mut witness = Witness::new(signer);
    for l in &args.logs {
        let v = keys::verifier_arg(l).map_err(|e| anyhow!("--log: {e}"))?;
        if !matches!(v, Verifier::Ed25519(_)) {
            return Err(anyhow!("--log {l:?}: not an Ed25519 log key").into());
        }
        let origin = v.name().as_str().to_owned();
        witness.add_log(&origin, core::iter::once(v).collect::<VerifierSet>());
    }
    let store = SqliteWitnessStore::open(&args.data_dir).map_err(|e| anyhow!("{e}"))?;
    let node = WitnessNode::new(witness, store);
    net::serve_forever(args.listen, node.router())
        .map_err(|e| anyhow!("listening on {}: {e}", args.listen))?;
    Ok(())
}

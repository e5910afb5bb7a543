//! `sanduq portal`: serve the results pages of an election record.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;

use crate::Failure;

/// Serve the pages for voters and observers (results, verification, anomaly flags,
/// downloads) in Dari, Pashto, Uzbek and English, from an election record.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The election record: a directory or a tar archive (as `sanduq demo` writes them).
    #[arg(long)]
    record: PathBuf,
    /// Address to listen on (port 0: any free port, printed on standard error).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The voting booth's WebAssembly package (the `wasm-bindgen --target web` output for
    /// `sanduq-booth-wasm`); without it the booth page says it is not available.
    #[arg(long)]
    booth_pkg: Option<PathBuf>,
    /// The election's bulletin board (its URL, e.g. `http://127.0.0.1:8081`): the receipt
    /// page checks tracking codes against it, and the booth casts remote ballots to it
    /// through the portal's `POST /cast`.
    #[arg(long, requires_all = ["log_key", "witness_keys"])]
    board: Option<String>,
    /// The board log's verifier key, or a file holding it (with `--board`).
    #[arg(long = "log-key", requires = "board")]
    log_key: Option<String>,
    /// A witness verifier key (or file) whose cosignatures the receipt check looks for;
    /// repeat for each witness (with `--board`).
    #[arg(long = "witness-key", requires = "board")]
    witness_keys: Vec<String>,
    /// How many of the witnesses must have cosigned a checkpoint (default: all of them).
    #[arg(long, requires = "board")]
    quorum: Option<usize>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut portal = sanduq_web::Portal::load(&args.record)
        .map_err(|e| anyhow!("{}: {e}", args.record.display()))?;
    if let Some(dir) = args.booth_pkg {
        portal = portal
            .with_booth(&dir)
            .map_err(|e| anyhow!("--booth-pkg: {e}"))?;
    }
    if let (Some(url), Some(log_key)) = (&args.board, &args.log_key) {
        let log_key = key_arg(log_key)?;
        let witnesses = args
            .witness_keys
            .iter()
            .map(|w| key_arg(w))
            .collect::<Result<Vec<_>, _>>()?;
        let link = sanduq_web::board::BoardLink::new(url, &log_key, &witnesses, args.quorum)
            .map_err(|e| Failure::BadInput(anyhow!("{e}")))?;
        portal = portal.with_board(link);
    }
    sanduq_web::serve_blocking(Arc::new(portal), args.listen)
        .map_err(|e| anyhow!("listening on {}: {e}", args.listen))?;
    Ok(())
}

/// A verifier key given on the command line, or the path of a file holding one.
fn key_arg(arg: &str) -> Result<String, Failure> {
    sanduq_board::keys::verifier_arg(arg)
        .map(|v| v.to_vkey())
        .map_err(|e| anyhow!("{arg:?}: {e}").into())
}

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
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let portal = sanduq_web::Portal::load(&args.record)
        .map_err(|e| anyhow!("{}: {e}", args.record.display()))?;
    sanduq_web::serve_blocking(Arc::new(portal), args.listen)
        .map_err(|e| anyhow!("listening on {}: {e}", args.listen))?;
    Ok(())
}

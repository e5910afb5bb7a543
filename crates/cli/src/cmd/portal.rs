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
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut portal = sanduq_web::Portal::load(&args.record)
        .map_err(|e| anyhow!("{}: {e}", args.record.display()))?;
    if let Some(dir) = args.booth_pkg {
        portal = portal
            .with_booth(&dir)
            .map_err(|e| anyhow!("--booth-pkg: {e}"))?;
    }
    sanduq_web::serve_blocking(Arc::new(portal), args.listen)
        .map_err(|e| anyhow!("listening on {}: {e}", args.listen))?;
    Ok(())
}

//! `sanduq serve`: run the election's bulletin-board log server
//! (`docs/spec/board-server.md`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;
use sanduq_board::server::Board;
use sanduq_board::validator::TestValidator;
use sanduq_board::{config, net, router};

use crate::Failure;

/// Run the election's bulletin-board log server.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The configuration file (TOML, see docs/spec/board-server.md §6).
    #[arg(long)]
    config: PathBuf,
    /// The entry validator. Only `test` exists so far: it accepts any well-formed, signed
    /// envelope of the configured election and refuses repeated artefacts, but checks no
    /// ballot proofs. It must be asked for explicitly.
    #[arg(long)]
    validator: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    match args.validator.as_deref() {
        Some("test") => {}
        Some(other) => return Err(anyhow!("--validator {other:?}: unknown validator").into()),
        None => {
            return Err(anyhow!(
                "no ballot validator is available yet; pass --validator test to run a board \
                 that checks envelopes but not ballot proofs"
            )
            .into());
        }
    }
    let cfg = config::load(&args.config).map_err(|e| anyhow!("{e}"))?;
    let board = Board::start(cfg.server, Arc::new(TestValidator::default()))
        .map_err(|e| anyhow!("{}: {e}", args.config.display()))?;
    let app = router::router(&board);
    net::serve_forever(cfg.listen, app).map_err(|e| anyhow!("listening on {}: {e}", cfg.listen))?;
    drop(board);
    Ok(())
}

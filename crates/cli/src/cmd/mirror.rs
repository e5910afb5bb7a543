//! `sanduq mirror`: copy a log's checkpoint, tiles and entry bundles, and check them all
//! (`docs/spec/board-server.md` §4).

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use sanduq_board::mirror::{self, DirSource, HttpSource, MirrorError, Source};

use crate::Failure;
use crate::cmd::receipt::{log_key, witness_policy};

/// Copy a log (from a URL or a directory) and check every tile against its checkpoint.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The log: an `http(s)://` URL prefix, or a directory holding a mirror.
    #[arg(long)]
    from: String,
    /// Where to write the copy (omit to check only).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The log's verifier key, or a file holding it.
    #[arg(long = "log-key")]
    log_key: String,
    /// A witness verifier key (or file); repeat for each witness.
    #[arg(long = "witness-key")]
    witness_keys: Vec<String>,
    /// How many of the witnesses must have cosigned the checkpoint.
    #[arg(long)]
    quorum: Option<usize>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let log = log_key(&args.log_key)?;
    let policy = match args.quorum {
        Some(k) => Some(witness_policy(&args.witness_keys, k)?),
        None if args.witness_keys.is_empty() => None,
        None => return Err(anyhow!("--witness-key needs --quorum").into()),
    };
    let src: Box<dyn Source> =
        if args.from.starts_with("http://") || args.from.starts_with("https://") {
            Box::new(HttpSource::new(&args.from))
        } else {
            Box::new(DirSource(PathBuf::from(&args.from)))
        };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match mirror::mirror(
        src.as_ref(),
        args.out.as_deref(),
        &log,
        policy.as_ref(),
        now,
    ) {
        Ok(r) => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{{\"size\":{},\"hash_tiles\":{},\"bundles\":{},\"ok\":true}}",
                r.size, r.hash_tiles, r.bundles
            )?;
            Ok(())
        }
        Err(e @ (MirrorError::Fetch { .. } | MirrorError::Write { .. })) => {
            Err(Failure::BadInput(anyhow!("{}: {e}", args.from)))
        }
        Err(e) => Err(Failure::CheckFailed(anyhow!("{}: {e}", args.from))),
    }
}

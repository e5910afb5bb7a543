//! `sanduq serve`: run the election's bulletin-board log server
//! (`docs/spec/board-server.md`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;
use sanduq_board::election_validator::{ElectionSetup, ElectionValidator};
use sanduq_board::keys::public_key_arg;
use sanduq_board::server::Board;
use sanduq_board::validator::{EntryValidator, TestValidator};
use sanduq_board::{config, net, publication, router};

use crate::Failure;

/// Run the election's bulletin-board log server.
#[derive(Debug, clap::Args)]
#[command(after_help = "Validators (docs/spec/board-server.md §8):\n  \
    election  every entry is checked against the election: ballot shape, canonical \
    encoding, ballot style, confirmation code, every proof (batched), credentials, replays. \
    Needs --election, --board, --admin-key (one or more) and --authority-key.\n  \
    test      accepts any well-formed, signed envelope of the configured election and \
    refuses repeated artefacts, but checks no ballot proofs.")]
pub(crate) struct Args {
    /// The configuration file (TOML, see docs/spec/board-server.md §6).
    #[arg(long)]
    config: PathBuf,
    /// The entry validator: `election` or `test`. It must be asked for explicitly.
    #[arg(long)]
    validator: Option<String>,
    /// With `--validator election`: the election set-up folder (`sanduq election new --out`).
    #[arg(long)]
    election: Option<PathBuf>,
    /// With `--validator election`: the folder of the key ceremony's public files (with
    /// `public-key.json`); the ceremony is checked and its joint key used.
    #[arg(long)]
    board: Option<PathBuf>,
    /// With `--validator election`: an administrator's public key, allowed to submit
    /// `ballot`, `record-file` and `record-index` entries. Repeat for several. 64 hex
    /// digits, or the verifier key printed by `sanduq board keygen --log NAME`, or a file
    /// holding either.
    #[arg(long = "admin-key", value_name = "KEY")]
    admin_keys: Vec<String>,
    /// With `--validator election`: the credential authority's public key, allowed to
    /// submit the `credentials` list (same forms as --admin-key).
    #[arg(long, value_name = "KEY")]
    authority_key: Option<String>,
    /// Also serve the pages for voters and observers (results portal, receipt check against
    /// this log, remote voting booth) over this election record, on the same address.
    #[arg(long, value_name = "RECORD")]
    portal_record: Option<PathBuf>,
    /// With `--portal-record`: the voting booth's WebAssembly package (as for `sanduq portal`).
    #[arg(long, value_name = "DIR", requires = "portal_record")]
    booth_pkg: Option<PathBuf>,
}

fn election_validator(args: &Args, cfg: &config::FileConfig) -> Result<ElectionValidator, Failure> {
    let need = |flag: &str| anyhow!("--validator election needs {flag}");
    let dir = args
        .election
        .as_ref()
        .ok_or_else(|| need("--election DIR"))?;
    let board = args.board.as_ref().ok_or_else(|| need("--board DIR"))?;
    if args.admin_keys.is_empty() {
        return Err(need("at least one --admin-key").into());
    }
    let authority = args
        .authority_key
        .as_deref()
        .ok_or_else(|| need("--authority-key"))?;
    let loaded = crate::cmd::encrypt::load(dir, board)?;
    let fp = *loaded.election.fingerprint().as_bytes();
    if fp != cfg.server.election.0 {
        return Err(anyhow!(
            "{}: election {} differs from the election of {}",
            args.config.display(),
            cfg.server.election,
            dir.display()
        )
        .into());
    }
    let administrators = args
        .admin_keys
        .iter()
        .map(|k| public_key_arg(k).map_err(|e| anyhow!("--admin-key {e}")))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let credential_authority =
        public_key_arg(authority).map_err(|e| anyhow!("--authority-key {e}"))?;
    let v = ElectionValidator::new(ElectionSetup {
        context: loaded.ceremony.ballot_context(),
        election: loaded.election,
        administrators,
        credential_authority,
    })
    .map_err(|e| anyhow!("{}: {e}", dir.display()))?;
    let n = v
        .load_log(&cfg.server.data_dir)
        .map_err(|e| anyhow!("{}: {e}", cfg.server.data_dir.display()))?;
    eprintln!(
        "validator: election {}, {n} logged entries reloaded",
        cfg.server.election
    );
    Ok(v)
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let cfg = config::load(&args.config).map_err(|e| anyhow!("{e}"))?;
    let validator: Arc<dyn EntryValidator> = match args.validator.as_deref() {
        Some("election") => Arc::new(election_validator(&args, &cfg)?),
        Some("test") => {
            // The kinds of the board-entry contract, and those of the board's own tests.
            let kinds = ["manifest", "artefact"]
                .into_iter()
                .chain(publication::KINDS);
            Arc::new(TestValidator::new(kinds))
        }
        Some(other) => return Err(anyhow!("--validator {other:?}: unknown validator").into()),
        None => {
            return Err(anyhow!(
                "choose a validator: --validator election (checks every ballot) or \
                 --validator test (checks envelopes but not ballot proofs)"
            )
            .into());
        }
    };
    let portal = match &args.portal_record {
        Some(record) => Some(portal(record, args.booth_pkg.as_deref(), &cfg.server)?),
        None => None,
    };
    let board = Board::start(cfg.server, validator)
        .map_err(|e| anyhow!("{}: {e}", args.config.display()))?;
    let served = match portal {
        None => net::serve_forever(cfg.listen, router::router(&board)),
        // The pages read this same log back over HTTP (receipt proofs) and forward the
        // booth's ballots to its `POST /entry`, exactly as when they run apart.
        Some(make) => net::serve_forever_with(cfg.listen, |addr| {
            let pages = sanduq_web::router(Arc::new(make(&format!("http://{addr}"))));
            pages.merge(router::routes(&board))
        }),
    };
    served.map_err(|e| anyhow!("listening on {}: {e}", cfg.listen))?;
    drop(board);
    Ok(())
}

/// The pages of `--portal-record`, linked once the server's address is known to the log
/// they are served beside: its key, its witnesses and quorum from the configuration.
#[allow(clippy::type_complexity)]
fn portal(
    record: &std::path::Path,
    booth: Option<&std::path::Path>,
    server: &sanduq_board::server::ServerConfig,
) -> Result<Box<dyn FnOnce(&str) -> sanduq_web::Portal>, Failure> {
    let mut portal = sanduq_web::Portal::load(record)
        .map_err(|e| Failure::BadInput(anyhow!("{}: {e}", record.display())))?;
    if let Some(dir) = booth {
        portal = portal
            .with_booth(dir)
            .map_err(|e| Failure::BadInput(anyhow!("--booth-pkg: {e}")))?;
    }
    let log_vkey = server.log_signer.verifier().to_vkey();
    let witnesses: Vec<String> = server
        .witnesses
        .iter()
        .map(|w| sanduq_tlog::signed_note::Verifier::CosignatureV1(w.key.clone()).to_vkey())
        .collect();
    let quorum = server.quorum;
    // Checked now, with a placeholder address, so that a bad key fails before the start.
    sanduq_web::board::BoardLink::new("http://127.0.0.1:1", &log_vkey, &witnesses, Some(quorum))
        .map_err(|e| Failure::BadInput(anyhow!("--portal-record: {e}")))?;
    Ok(Box::new(
        move |url: &str| match sanduq_web::board::BoardLink::new(
            url,
            &log_vkey,
            &witnesses,
            Some(quorum),
        ) {
            Ok(link) => portal.with_board(link),
            Err(_) => portal,
        },
    ))
}

//! `sanduq publish`: publish an election record on the bulletin board, one entry per ballot
//! line and per file, the index last (`docs/spec/board-server.md` §7).

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sanduq_board::client::Client;
use sanduq_board::publication::{self, Posted};
use sanduq_tlog::checkpoint::SignedCheckpoint;

use crate::Failure;

/// Publish an election record on a bulletin board.
///
/// Every ballot line becomes a `ballot` entry, every other file a `record-file` entry
/// (stored beside the log when too large for an envelope), and `index.json` the last entry,
/// `record-index`. Running it again after an interruption posts only what is missing: the
/// envelopes are the same, and an entry already in the log counts as done. It then waits
/// until a witnessed checkpoint covers the record.
///
/// Exit codes: 0 when every entry is in the log under a published checkpoint; 1 when the
/// board refused an entry; 2 on bad input, an unreadable record or key, or a board that cannot
/// be reached.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 when every entry is in the log under a published checkpoint;\n  1 when the board refused an entry (it is named);\n  2 on bad input, an unreadable record or key, or an unreachable board."
)]
pub(crate) struct Args {
    /// The record: its directory, or its archive (`record.tar`).
    record: PathBuf,
    /// The board's URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    board: String,
    /// The administrator's private key file (`sanduq board keygen --log <name>` writes one).
    #[arg(long)]
    key: PathBuf,
    /// Entries posted at once (the index always last, alone). With 1, the log holds the
    /// entries in the plan's order.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// How long to wait for a published checkpoint covering the record, in seconds.
    #[arg(long, default_value_t = 120)]
    wait: u64,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let files = sanduq_record::store::read(&args.record)
        .with_context(|| format!("{}: cannot read the record", args.record.display()))?;
    let key_text = std::fs::read_to_string(&args.key)
        .with_context(|| format!("{}: cannot read", args.key.display()))?;
    let key = publication::signing_key_from_file(&key_text)
        .map_err(|e| anyhow!("{}: {e}", args.key.display()))?;
    let plan = publication::plan(&files).map_err(|e| anyhow!("{}: {e}", args.record.display()))?;
    let signed = publication::sign_plan(&plan, &key)
        .map_err(|e| anyhow!("{}: {e}", args.record.display()))?;
    let client = Client::new(&args.board);

    let bar =
        ProgressBar::with_draw_target(Some(signed.len() as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("publishing");
    // Everything but the index, by `--jobs` workers; the index last, once all else is in.
    let (index_entry, rest) = signed
        .split_last()
        .ok_or_else(|| anyhow!("{}: nothing to publish", args.record.display()))?;
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Result<Posted, publication::PostError>>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(s) = rest.get(i) else { break };
                    let r = publication::post(&client, s);
                    let failed = r.is_err();
                    outcomes
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(r);
                    bar.inc(1);
                    if failed {
                        // Stop the other workers too.
                        next.store(rest.len(), Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
    });
    let mut outcomes = outcomes
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if outcomes.iter().all(Result::is_ok) {
        outcomes.push(publication::post(&client, index_entry));
        bar.inc(1);
    }
    let (mut new, mut already, mut duplicate) = (0u64, 0u64, 0u64);
    let mut last_index: Option<u64> = None;
    for r in outcomes {
        match r {
            Ok(Posted::New(i)) => {
                new += 1;
                last_index = last_index.max(Some(i));
            }
            Ok(Posted::Already(i)) => {
                already += 1;
                last_index = last_index.max(Some(i));
            }
            Ok(Posted::Duplicate) => duplicate += 1,
            Err(e @ publication::PostError::Http { .. }) => {
                bar.abandon();
                return Err(Failure::BadInput(anyhow!("{}: {e}", args.board)));
            }
            Err(e) => {
                bar.abandon();
                return Err(Failure::CheckFailed(anyhow!("{}: {e}", args.board)));
            }
        }
    }
    let beside = signed.iter().filter(|s| s.beside.is_some()).count();
    bar.finish_and_clear();

    // Wait for a published checkpoint that covers the record index.
    let need = last_index.map_or(0, |i| i + 1);
    let deadline = Instant::now() + Duration::from_secs(args.wait);
    let size = loop {
        let a = client
            .get("checkpoint")
            .map_err(|e| anyhow!("{}: {e}", args.board))?;
        let size = (a.status == 200)
            .then(|| SignedCheckpoint::parse(&a.body).ok())
            .flatten()
            .map(|c| c.checkpoint().size());
        if let Some(size) = size.filter(|s| *s >= need) {
            break size;
        }
        if Instant::now() >= deadline {
            return Err(Failure::BadInput(anyhow!(
                "{}: every entry is in the log, but no checkpoint of size {need} or more was \
                 published within {} s (are the witnesses up?); run the command again to wait",
                args.board,
                args.wait
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    let record_id: String = sanduq_record::store::sha256(
        files
            .get(sanduq_record::store::INDEX)
            .map(Vec::as_slice)
            .unwrap_or_default(),
    )
    .iter()
    .map(|b| format!("{b:02x}"))
    .collect();
    let summary = serde_json::json!({
        "board": args.board,
        "election": plan.election.to_string(),
        "record_id": record_id,
        "entries": signed.len(),
        "ballots": plan.entries.iter().filter(|p| p.kind == publication::KIND_BALLOT).count(),
        "new": new,
        "already_in_log": already,
        "duplicate_artefact": duplicate,
        "stored_beside_log": beside,
        "checkpoint_size": size,
    });
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "Published {} entries for election {} ({new} new, {already} already in the log, \
             {duplicate} with an artefact already recorded); checkpoint size {size}.\n\
             Record id (SHA-256 of index.json): {record_id}",
            signed.len(),
            plan.election
        )?;
    }
    Ok(())
}

//! `sanduq bench`: a synthetic national election, measured stage by stage
//! (`docs/performance-scale.md`).

use std::io::Write;
use std::sync::Mutex;

use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sanduq_bench::{Config, Progress, Report, StageFigures};

use crate::Failure;

/// Generate a synthetic national election (34 provinces, their districts and polling
/// stations; ballots of one or more contests of 20 candidates, vote for 1) in chunks and
/// measure encryption, the record's wire form, batched verification against its floor,
/// the homomorphic tally and the threshold decryption.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Ballots in the election (1000000: the million-ballot benchmark).
    #[arg(long, default_value_t = 20_000)]
    ballots: u64,
    /// Contests per ballot, each of 20 candidates, vote for 1.
    #[arg(long, default_value_t = 1)]
    contests: usize,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Ballots per chunk of the stream.
    #[arg(long, default_value_t = 1024)]
    chunk: usize,
    /// At most this many ballots per polling station.
    #[arg(long, default_value_t = 400)]
    station_size: u64,
    /// Seed of the synthetic plaintexts and encryption nonces.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Progress bars on stderr (hidden when stderr is not a terminal).
struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed}, {per_sec})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_owned());
        if let Ok(mut c) = self.current.lock() {
            if let Some(old) = c.replace(bar) {
                old.finish();
            }
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(c) = self.current.lock() {
            if let Some(b) = c.as_ref() {
                b.inc(n);
            }
        }
    }
}

fn row(name: &str, f: &StageFigures) -> String {
    format!(
        "  {name:<28} {:>10.2} {:>12.0} {:>12.3} {:>14.3}\n",
        f.seconds, f.ballots_per_second, f.ms_per_ballot, f.ms_per_ballot_per_core
    )
}

fn table(r: &Report) -> String {
    let mut out = format!(
        "sanduq bench: {} ballots ({} accepted), {} contest(s) of {} candidates, vote for 1\n\
         geography: {} provinces, {} districts, {} stations; {} threads; chunks of {}\n\
         machine: {} cores, {}, load average {} at start, {} at end\n\n",
        r.ballots,
        r.accepted,
        r.contests,
        r.candidates,
        r.provinces,
        r.districts,
        r.stations,
        r.threads,
        r.chunk,
        r.machine.nproc,
        r.machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
        r.machine
            .load_average_start
            .map_or_else(|| "?".to_owned(), |l| format!("{l:.2}")),
        r.machine
            .load_average_end
            .map_or_else(|| "?".to_owned(), |l| format!("{l:.2}")),
    );
    out.push_str(&format!(
        "  {:<28} {:>10} {:>12} {:>12} {:>14}\n",
        "stage", "seconds", "ballots/s", "ms/ballot", "ms/ballot/core"
    ));
    out.push_str(&row("encrypt + prove", &r.encrypt));
    out.push_str(&row("record (canonical wire form)", &r.record));
    out.push_str(&row("decode + verify batched", &r.verify));
    out.push_str(&row("floor (same ballots)", &r.floor));
    out.push_str(&row("tally (stations and up)", &r.tally));
    out.push_str(&format!(
        "\n  verification / floor: {:.3}x\n\
         \x20 threshold decryption ({} of {}, trustees {:?}): {} ciphertexts, {} shares with proofs, \
         {:.2} s (shares {:.2} s, proofs verified {:.2} s, combined {:.2} s)\n\
         \x20 key ceremony: {:.3} s; whole run: {:.1} s\n\
         \x20 record: {:.0} bytes per ballot (canonical JSON line), {:.0} bytes binary\n\
         \x20 peak memory (VmHWM): {}\n",
        r.verify_to_floor,
        r.decrypt.threshold,
        r.decrypt.trustees,
        r.decrypt.present,
        r.decrypt.ciphertexts,
        r.decrypt.shares,
        r.decrypt.seconds,
        r.decrypt.share_seconds,
        r.decrypt.verify_seconds,
        r.decrypt.combine_seconds,
        r.ceremony_seconds,
        r.total_seconds,
        r.record_bytes_per_ballot,
        r.binary_bytes_per_ballot,
        r.peak_memory_bytes
            .map_or_else(|| "unknown".to_owned(), |b| format!("{:.1} MB", b as f64 / 1e6)),
    ));
    if !r.rejected.is_empty() {
        out.push_str(&format!("  rejected ballots: {}\n", r.rejected.len()));
        for x in r.rejected.iter().take(10) {
            out.push_str(&format!(
                "    ballot {} ({}), {}: {}\n",
                x.ballot, x.station, x.contest, x.reason
            ));
        }
    }
    out
}

/// Run the benchmark and print its report.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let config = Config {
        ballots: args.ballots,
        contests: args.contests,
        threads: args.threads,
        seed: args.seed,
        station_size: args.station_size,
        chunk: args.chunk,
        tamper: None,
    };
    let bars = Bars {
        current: Mutex::new(None),
    };
    let outcome = sanduq_bench::run(&config, &bars).map_err(|e| anyhow!(e))?;
    if let Ok(mut c) = bars.current.lock() {
        if let Some(b) = c.take() {
            b.finish_and_clear();
        }
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&outcome.report).map_err(|e| anyhow!(e))?;
        writeln!(stdout, "{json}")?;
    } else {
        write!(stdout, "{}", table(&outcome.report))?;
    }
    if outcome.report.rejected.is_empty() {
        Ok(())
    } else {
        Err(Failure::CheckFailed(anyhow!(
            "{} ballots failed verification",
            outcome.report.rejected.len()
        )))
    }
}

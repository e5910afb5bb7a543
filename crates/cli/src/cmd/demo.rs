//! `sanduq demo`: a complete election on the embedded Afghan default, verified at the end.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sanduq_election::Manifest;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::protocol::Election;
use sanduq_record::wire::ContestResult;
use sanduq_record::{Progress, RunOptions, run_election, synthetic_voters};

use crate::Failure;

/// Run a complete election on the embedded Afghan default and verify its record.
///
/// The 34 provinces, districts, polling centres and men's and women's stations; a Wolesi
/// Jirga contest per province by SNTV with reserved women's seats; the nationwide Kuchi
/// constituency; a two-round presidential contest (the run-off reported when no one passes
/// 50 %); provincial councils. A 3-of-5 key ceremony with trustees from five provinces (at
/// least three provinces needed), one trustee absent at decryption, a few challenged ballots.
///
/// Exit codes: 0 when the election ran and its record verified; 1 when the verification
/// failed; 2 on bad arguments or an I/O error.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 when the election ran and its record verified;\n  1 when the verification of the record failed (the check and the object are named);\n  2 on bad arguments or an input/output error."
)]
pub(crate) struct Args {
    /// Registered voters; at each station 45 % to 85 % of them vote (at least K). Below 680
    /// (34 provinces × 2 stations × K = 10) stations hold fewer than K voters and the privacy
    /// rule merges them; at least 68.
    #[arg(long, default_value_t = 2000)]
    voters: u32,
    /// Real candidate counts (Kabul: ~800 candidates) instead of lists cut to 15.
    #[arg(long = "full-lists")]
    full_lists: bool,
    /// Where to write the election's files (default: a new folder `sanduq-demo-<seed>-<time>`
    /// in the current directory).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of the demo's synthetic choices and randomness (reproducible demonstrations).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// One voter in this many votes remotely with a voter credential (0: none); one remote
    /// voter in three casts twice, and only the last ballot counts.
    #[arg(long = "remote-every", default_value_t = 20)]
    remote_every: u64,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Progress bars on stderr (hidden when stderr is not a terminal).
pub(crate) struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// No bar yet: each step starts its own.
    pub(crate) fn new() -> Bars {
        Bars {
            current: Mutex::new(None),
        }
    }
}

impl Progress for Bars {
    fn start(&self, step: &str, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>20} [{bar:40}] {pos}/{len} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(step.to_owned());
        if let Ok(mut c) = self.current.lock() {
            *c = Some(bar);
        }
    }

    fn inc(&self, n: u64) {
        if let Ok(c) = self.current.lock() {
            if let Some(b) = c.as_ref() {
                b.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut c) = self.current.lock() {
            if let Some(b) = c.take() {
                b.finish();
            }
        }
    }
}

fn name_of(m: &Manifest, contest: &str, candidate: &str) -> String {
    m.contest(contest)
        .and_then(|c| c.candidates.iter().find(|k| k.id.as_str() == candidate))
        .map_or_else(|| candidate.to_owned(), |k| k.name.en.clone())
}

fn contest_line(m: &Manifest, r: &ContestResult) -> String {
    let title = m
        .contest(&r.contest)
        .map(|c| {
            let office = m
                .office(c.office.as_str())
                .map_or("", |o| o.name.en.as_str());
            let place = m
                .constituency(c.constituency.as_str())
                .map_or(c.id.as_str(), |k| k.name.en.as_str());
            format!("{office} — {place}")
        })
        .unwrap_or_else(|| r.contest.clone());
    let head = format!(
        "{} ({}, {} seat{}{}; {} ballots)",
        title,
        r.method,
        r.seats,
        if r.seats == 1 { "" } else { "s" },
        if r.reserved_women > 0 {
            format!(", {} reserved for women", r.reserved_women)
        } else {
            String::new()
        },
        r.ballots
    );
    if r.status != "counted" {
        return format!("{head}: withheld (fewer than K ballots)");
    }
    let total: u64 = r.totals.values().sum();
    let pct = |c: &str| {
        let v = r.totals.get(c).copied().unwrap_or(0);
        let permille = (v * 1000).checked_div(total).unwrap_or(0);
        format!("{}.{}%", permille / 10, permille % 10)
    };
    if let Some(runoff) = &r.runoff {
        let names: Vec<String> = runoff
            .iter()
            .map(|c| format!("{} {}", name_of(m, &r.contest, c), pct(c)))
            .collect();
        return format!(
            "{head}: no candidate above 50 % — run-off between {}",
            names.join(" and ")
        );
    }
    let elected: Vec<String> = r
        .elected
        .iter()
        .map(|c| {
            let mark = if r.reserved_elected.contains(c) {
                "*"
            } else {
                ""
            };
            format!(
                "{}{mark} ({})",
                name_of(m, &r.contest, c),
                r.totals.get(c).copied().unwrap_or(0)
            )
        })
        .collect();
    let unfilled = r
        .reserved_unfilled
        .map(|n| format!(" [{n} reserved seat(s) unfilled: too few women standing]"))
        .unwrap_or_default();
    format!("{head}: {}{unfilled}", elected.join(", "))
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    // Stations are laid out with at least K voters each; below 34 × 2 × K voters they are
    // laid out smaller, K stays the default, and the privacy rule merges small stations.
    let k = sanduq_election::DEFAULT_PRIVACY_THRESHOLD;
    let layout_k = if args.voters >= 68 * k {
        k
    } else {
        (args.voters / 68).max(1)
    };
    let params = DemoParams {
        voters: args.voters,
        full_lists: args.full_lists,
        seed: args.seed,
        privacy_threshold: layout_k,
        ..DemoParams::default()
    };
    let mut manifest = generate(&params).map_err(|e| anyhow!("demo election: {e}"))?;
    if layout_k < k {
        let mut raw = manifest.to_raw();
        raw.privacy_threshold = Some(i64::from(k));
        manifest = Manifest::from_raw(&raw).map_err(|e| anyhow!("demo election: {e}"))?;
        if !args.json {
            eprintln!(
                "note: {} voters give stations of fewer than K = {k} voters; their results are merged into larger units",
                args.voters
            );
        }
    }
    let out = match &args.out {
        Some(p) => p.clone(),
        None => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            PathBuf::from(format!("sanduq-demo-{}-{secs}", args.seed))
        }
    };
    std::fs::create_dir_all(&out).with_context(|| format!("{}: cannot create", out.display()))?;
    let toml = manifest.to_toml().map_err(|e| anyhow!("manifest: {e}"))?;
    let manifest_path = out.join("manifest.toml");
    std::fs::write(&manifest_path, toml)
        .with_context(|| format!("{}: cannot write", manifest_path.display()))?;

    let mut options = RunOptions::standard(args.seed).map_err(|e| anyhow!("{e}"))?;
    options.remote_every = args.remote_every;
    let election =
        Election::setup(manifest.clone(), &options.generator_seed).map_err(|e| anyhow!("{e}"))?;
    let voters = synthetic_voters(&election, args.seed, 250).map_err(|e| anyhow!("{e}"))?;
    let bars = Bars::new();
    let run =
        run_election(manifest.clone(), &voters, &options, &bars).map_err(|e| anyhow!("{e}"))?;
    let record_dir = out.join("record");
    let archive = out.join("record.tar");
    sanduq_record::store::write_dir(&record_dir, &run.files).map_err(|e| anyhow!("{e}"))?;
    sanduq_record::store::write_archive(&archive, &run.files).map_err(|e| anyhow!("{e}"))?;
    let ran = started.elapsed();

    // verify what is on disk, as anyone would
    let verifying = Instant::now();
    if !args.json {
        eprintln!("verifying the record...");
    }
    let files = sanduq_record::store::read(&record_dir).map_err(|e| anyhow!("{e}"))?;
    let report = sanduq_record::verify(&files);
    let verified_in = verifying.elapsed();

    let f = &run.figures;
    // turnout by station: ballots cast over the registered voters, in per cent
    let mut cast_at: BTreeMap<&str, u64> = BTreeMap::new();
    for v in &voters {
        *cast_at.entry(v.station.as_str()).or_default() += 1;
    }
    let turnouts: Vec<u64> = manifest
        .polling_stations()
        .iter()
        .filter_map(|s| {
            let n = cast_at.get(s.id.as_str()).copied().unwrap_or(0);
            (n * 100).checked_div(u64::from(s.registered))
        })
        .collect();
    let lowest = turnouts.iter().min().copied().unwrap_or(0);
    let highest = turnouts.iter().max().copied().unwrap_or(0);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let results: BTreeMap<&str, &ContestResult> = run
            .results
            .iter()
            .map(|r| (r.contest.as_str(), r))
            .collect();
        let v = serde_json::json!({
            "out": out.display().to_string(),
            "record": record_dir.display().to_string(),
            "archive": archive.display().to_string(),
            "registered": f.registered,
            "cast": f.cast,
            "remote": f.remote,
            "remote_superseded": f.remote_superseded,
            "turnout_by_station_percent": {"lowest": lowest, "highest": highest},
            "challenged": f.challenged,
            "stations": f.stations,
            "trustees_present": f.trustees_present,
            "results": results,
            "verification": super::verify::report_json(&report),
            "seconds_election": ran.as_secs_f64(),
            "seconds_verification": verified_in.as_secs_f64(),
        });
        writeln!(
            stdout,
            "{}",
            serde_json::to_string(&v).context("serialising")?
        )?;
    } else {
        writeln!(stdout, "sanduq demo — {}", manifest.name().en)?;
        writeln!(
            stdout,
            "{} registered voters at {} polling stations; {} ballots cast at the stations and {} remotely with a voter credential (turnout {}%, from {lowest}% to {highest}% by station), {} challenged ballots opened and published, not counted; {} remote ballots replaced by the voter's later one.",
            f.registered,
            f.stations,
            f.cast,
            f.remote,
            ((f.cast + f.remote) * 100)
                .checked_div(f.registered)
                .unwrap_or(0),
            f.challenged,
            f.remote_superseded
        )?;
        writeln!(
            stdout,
            "Key ceremony: 3 of 5 trustees (AF-KAB, AF-BAL, AF-HER, AF-KAN, AF-NAN), at least 3 provinces; decrypted by trustees {:?} (trustee 5 absent); {} tallies decrypted.",
            f.trustees_present, f.decrypted
        )?;
        writeln!(
            stdout,
            "\nResults (* = elected on a reserved women's seat):"
        )?;
        let order = |r: &ContestResult| match r.method.as_str() {
            "two-round" => 0,
            _ if r.contest.starts_with("wj-") => 1,
            _ => 2,
        };
        let mut rs: Vec<&ContestResult> = run.results.iter().collect();
        rs.sort_by_key(|r| (order(r), r.contest.clone()));
        for r in rs {
            writeln!(stdout, "- {}", contest_line(&manifest, r))?;
        }
        writeln!(stdout, "\nVerification of {}:", record_dir.display())?;
        write!(stdout, "{}", super::verify::report_text(&report))?;
        writeln!(
            stdout,
            "\nElection ran in {:.1} s, verification in {:.1} s.",
            ran.as_secs_f64(),
            verified_in.as_secs_f64()
        )?;
        writeln!(
            stdout,
            "The election's files are in {}: manifest.toml, record/ and record.tar.\nCheck it again with: sanduq verify {}",
            out.display(),
            record_dir.display()
        )?;
    }
    stdout.flush()?;
    match super::verify::failure_of(&report) {
        Some(e) => Err(Failure::CheckFailed(e)),
        None => Ok(()),
    }
}

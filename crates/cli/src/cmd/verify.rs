//! `sanduq verify RECORD`: run every numbered check of the verifier on an election record
//! (a directory or its single-file archive), read file by file with the ballot files
//! streamed; or one district of it, giving a signed partial report (`--partition`); or the
//! merge of the partial reports of every district (`--merge`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use sanduq_record::partition::{self, MergeError, OperatorKey, SignedPartial};
use sanduq_record::store::Source;
use sanduq_record::{Report, Status};

use crate::Failure;

/// Verify an election record: every numbered check, on every object.
///
/// Exit codes: 0 when every check passed (a summary of all checks is printed); 1 when a check
/// failed (the check and the guilty object are named); 2 when the record cannot be read.
///
/// With `--partition DISTRICT --key KEY --out PARTIAL.json`: the global checks and every
/// check of one district, written as a partial report signed with the operator's key. With
/// `--merge PARTIAL... --trust PUBKEY...`: the partial reports of every district (signed by
/// trusted keys, for this record, each district once, all passed) and the levels above.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Exit codes:\n  0 when every check passed (a summary of all checks is printed);\n  1 when a check failed (the check number and name and the guilty object are named), or a\n    partial report is refused (the district and the reason are named);\n  2 when the record, a key or a partial report cannot be read (missing, unreadable, not a record)."
)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Option<VerifyCmd>,
    /// The record: its directory, or its archive (`record.tar`).
    #[arg(required_unless_present = "board")]
    record: Option<PathBuf>,
    /// Read the record from a bulletin board's log instead (needs --log-key): the log is
    /// checked against its checkpoint, the record rebuilt from it and its ballots compared
    /// with the log's, then the record is verified.
    #[arg(long, value_name = "URL", conflicts_with_all = ["record", "partition", "merge"])]
    board: Option<String>,
    #[command(flatten)]
    log: crate::cmd::fetch::LogArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Verify one district only (its identifier, or `province/district`) and write a signed
    /// partial report.
    #[arg(long, value_name = "DISTRICT", requires_all = ["key", "out"], conflicts_with = "merge")]
    partition: Option<String>,
    /// The operator's key file (from `sanduq verify keygen`), to sign the partial report.
    #[arg(long, value_name = "OPERATOR_KEY", requires = "partition")]
    key: Option<PathBuf>,
    /// Where to write the partial report (canonical JSON).
    #[arg(long, value_name = "PARTIAL.json", requires = "partition")]
    out: Option<PathBuf>,
    /// Merge the partial reports of every district, then verify the levels above.
    #[arg(long, value_name = "PARTIAL", num_args = 1.., requires = "trust")]
    merge: Vec<PathBuf>,
    /// A trusted operator's public key: 64 hex digits, or a file holding them.
    #[arg(long, value_name = "PUBKEY", num_args = 1.., requires = "merge")]
    trust: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
enum VerifyCmd {
    /// Generate an operator's key for signing partial reports; print its public key.
    Keygen(KeygenArgs),
}

#[derive(Debug, clap::Args)]
struct KeygenArgs {
    /// Where to write the private key (must not exist); the public key goes to `FILE.pub`.
    #[arg(long)]
    out: PathBuf,
}

/// The report as text: one line per check.
pub(crate) fn report_text(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.checks {
        let mark = match c.status {
            Status::Passed => "ok  ",
            Status::Failed => "FAIL",
        };
        out.push_str(&format!(
            "  [{mark}] {:>2} {:<23} {:>7} objects  {}\n",
            c.number, c.name, c.objects, c.description
        ));
        if let Some(f) = &c.failure {
            out.push_str(&format!(
                "         guilty object: {}\n         reason: {}\n",
                f.object, f.reason
            ));
        }
    }
    out
}

/// The report as JSON.
pub(crate) fn report_json(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "passed": report.passed(),
        "record_id": report.verified.as_ref().map(|v| v.record_id.clone()),
        "fingerprint": report.verified.as_ref().map(|v| v.fingerprint.clone()),
        "figures": report.figures,
        "checks": report.checks,
    })
}

/// The failure of a report that did not pass, naming the first failed check and its object.
pub(crate) fn failure_of(report: &Report) -> Option<anyhow::Error> {
    let c = report.failures().next()?;
    let (object, reason) = c
        .failure
        .as_ref()
        .map_or(("?", "?"), |f| (f.object.as_str(), f.reason.as_str()));
    let others: Vec<String> = report
        .failures()
        .skip(1)
        .map(|c| format!("{} {}", c.number, c.name))
        .collect();
    let more = if others.is_empty() {
        String::new()
    } else {
        format!(" (also failed: {})", others.join(", "))
    };
    Some(anyhow!(
        "verification failed: check {} {}: {object}: {reason}{more}",
        c.number,
        c.name
    ))
}

fn bad(e: impl Into<anyhow::Error>) -> Failure {
    Failure::BadInput(e.into())
}

fn open_record(path: &Path) -> Result<Box<dyn Source + Send + Sync>, Failure> {
    let src = sanduq_record::store::open(path)
        .with_context(|| format!("{}: cannot read the record", path.display()))?;
    if !src.contains(sanduq_record::store::INDEX)
        && !src.contains(sanduq_record::record::PARAMETERS)
    {
        return Err(bad(anyhow!(
            "{}: not an election record (no index.json, no election/parameters.json)",
            path.display()
        )));
    }
    Ok(src)
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    if let Some(VerifyCmd::Keygen(k)) = &args.cmd {
        return keygen(&k.out);
    }
    if let Some(url) = &args.board {
        let (files, cross) = crate::cmd::fetch::fetch_record(url, &args.log)?;
        let report = sanduq_record::verify(&files);
        print_report(
            &report,
            &format!("Verifying the record on {url}"),
            args.json,
        )?;
        for f in cross.findings() {
            eprintln!("cross-check: {f}");
        }
        if let Some(e) = failure_of(&report) {
            return Err(Failure::CheckFailed(e));
        }
        return match crate::cmd::fetch::cross_check_failure(url, &cross) {
            Some(e) => Err(Failure::CheckFailed(e)),
            None => Ok(()),
        };
    }
    let path = args
        .record
        .clone()
        .ok_or_else(|| bad(anyhow!("give the record to verify")))?;
    let src = open_record(&path)?;
    if let Some(district) = &args.partition {
        return run_partition(&args, &path, src.as_ref(), district);
    }
    let (report, title) = if args.merge.is_empty() {
        (
            sanduq_record::verify::verify_source(src.as_ref()),
            format!("Verifying {}", path.display()),
        )
    } else {
        let (report, n) = run_merge(&args, src.as_ref())?;
        (
            report,
            format!(
                "Verifying {} from the partial reports of its {n} districts",
                path.display()
            ),
        )
    };
    print_report(&report, &title, args.json)?;
    match failure_of(&report) {
        Some(e) => Err(Failure::CheckFailed(e)),
        None => Ok(()),
    }
}

fn print_report(report: &Report, title: &str, json: bool) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string(&report_json(report)).context("serialising the report")?;
        writeln!(stdout, "{text}")?;
    } else {
        writeln!(stdout, "{title}")?;
        write!(stdout, "{}", report_text(report))?;
        if let Some(v) = &report.verified {
            let f = &report.figures;
            writeln!(
                stdout,
                "All {} checks passed: {} ballots ({} cast, {} challenged), {} remote ballots ({} counted, the last of each credential), {} encrypted selections, {} decryption shares, {} files.\nRecord id (SHA-256 of index.json): {}",
                report.checks.len(),
                f.ballots,
                f.cast,
                f.challenged,
                f.remote,
                f.remote_counted,
                f.selections,
                f.shares,
                f.files,
                v.record_id
            )?;
        }
    }
    stdout.flush()?;
    Ok(())
}

fn run_partition(
    args: &Args,
    path: &Path,
    src: &dyn Source,
    district: &str,
) -> Result<(), Failure> {
    let (Some(key_path), Some(out)) = (&args.key, &args.out) else {
        return Err(bad(anyhow!("--partition needs --key and --out")));
    };
    let text = std::fs::read_to_string(key_path)
        .with_context(|| format!("{}: cannot read the key", key_path.display()))?;
    let key = OperatorKey::parse(&text).map_err(|e| bad(anyhow!("{}: {e}", key_path.display())))?;
    let (report, partial) = partition::verify_district(src, district)
        .with_context(|| format!("{}: district {district}", path.display()))?;
    let passed = partial.passed();
    let signed = partition::sign(partial, &key).context("signing the partial report")?;
    let bytes = signed.to_bytes().context("encoding the partial report")?;
    std::fs::write(out, &bytes).with_context(|| format!("{}: cannot write", out.display()))?;
    let title = format!(
        "Verifying district {}/{} of {} (partial report: {})",
        signed.partial.province,
        signed.partial.district,
        path.display(),
        out.display()
    );
    if args.json {
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{}",
            serde_json::to_string(&signed.partial.checks).context("serialising the report")?
        )?;
    } else {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{title}")?;
        write!(stdout, "{}", report_text(&report))?;
        if passed {
            writeln!(
                stdout,
                "All {} checks of the district passed; the report is signed by {}.",
                report.checks.len(),
                signed.key
            )?;
        }
    }
    if passed {
        Ok(())
    } else {
        Err(Failure::CheckFailed(failure_of(&report).unwrap_or_else(
            || anyhow!("verification of the district failed"),
        )))
    }
}

fn run_merge(args: &Args, src: &dyn Source) -> Result<(Report, usize), Failure> {
    let mut trusted = Vec::new();
    for t in &args.trust {
        let text = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            t.clone()
        } else {
            std::fs::read_to_string(t).with_context(|| format!("{t}: cannot read the key"))?
        };
        trusted.push(partition::parse_public(&text).map_err(|e| bad(anyhow!("{t}: {e}")))?);
    }
    let mut partials = Vec::new();
    for p in &args.merge {
        let bytes = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
        let name = p.display().to_string();
        partials.push(
            SignedPartial::from_bytes(&name, &bytes)
                .with_context(|| format!("{name}: not a partial report"))?,
        );
    }
    let n = partials.len();
    match partition::merge(src, &partials, &trusted) {
        Ok(report) => Ok((report, n)),
        Err(MergeError::Record(e)) => Err(bad(e)),
        Err(e) => Err(Failure::CheckFailed(anyhow!("merge refused: {e}"))),
    }
}

fn keygen(out: &Path) -> Result<(), Failure> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| bad(anyhow!("no random source: {e}")))?;
    let key = OperatorKey::from_seed(seed);
    seed.fill(0);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(out)
        .with_context(|| format!("{}: cannot create", out.display()))?;
    f.write_all(key.to_file_text().as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("{}: cannot write", out.display()))?;
    let mut public = out.as_os_str().to_owned();
    public.push(".pub");
    let public = PathBuf::from(public);
    std::fs::write(&public, format!("{}\n", key.public_hex()))
        .with_context(|| format!("{}: cannot write", public.display()))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", key.public_hex())?;
    Ok(())
}

//! `sanduq verify RECORD`: run every numbered check of the verifier on an election record
//! (a directory or its single-file archive).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use sanduq_record::{Report, Status};

use crate::Failure;

/// Verify an election record: every numbered check, on every object.
///
/// Exit codes: 0 when every check passed (a summary of all checks is printed); 1 when a check
/// failed (the check and the guilty object are named); 2 when the record cannot be read.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0 when every check passed (a summary of all checks is printed);\n  1 when a check failed (the check number and name and the guilty object are named);\n  2 when the record cannot be read (missing, unreadable, not a record)."
)]
pub(crate) struct Args {
    /// The record: its directory, or its archive (`record.tar`).
    record: PathBuf,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
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

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let files = sanduq_record::store::read(&args.record)
        .with_context(|| format!("{}: cannot read the record", args.record.display()))?;
    if !files.contains_key(sanduq_record::store::INDEX)
        && !files.contains_key(sanduq_record::record::PARAMETERS)
    {
        return Err(Failure::BadInput(anyhow!(
            "{}: not an election record (no index.json, no election/parameters.json)",
            args.record.display()
        )));
    }
    let report = sanduq_record::verify(&files);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let text =
            serde_json::to_string(&report_json(&report)).context("serialising the report")?;
        writeln!(stdout, "{text}")?;
    } else {
        writeln!(stdout, "Verifying {}", args.record.display())?;
        write!(stdout, "{}", report_text(&report))?;
        if let Some(v) = &report.verified {
            let f = &report.figures;
            writeln!(
                stdout,
                "All {} checks passed: {} ballots ({} cast, {} challenged), {} encrypted selections, {} decryption shares, {} files.\nRecord id (SHA-256 of index.json): {}",
                report.checks.len(),
                f.ballots,
                f.cast,
                f.challenged,
                f.selections,
                f.shares,
                f.files,
                v.record_id
            )?;
        }
    }
    stdout.flush()?;
    match failure_of(&report) {
        Some(e) => Err(Failure::CheckFailed(e)),
        None => Ok(()),
    }
}

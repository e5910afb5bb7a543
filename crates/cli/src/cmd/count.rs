//! `sanduq count`: count a ballot file with one method and print the result as JSON
//! (contract: `docs/count-cli.md`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use sanduq_count::parse::{self, CsvKind};
use sanduq_count::{Count, InputKind, Method, Options, Percent, ReservedRule, parse_criteria};

use crate::Failure;

/// Count ballots with one electoral method and print the result as JSON.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// plurality, two-round, sntv, approval, irv, stv-scottish, stv-meek, stv-wigm, dhondt,
    /// sainte-lague, modified-sainte-lague, hare-lr, droop-lr, huntington-hill, schulze.
    #[arg(long)]
    method: String,
    /// Seats to fill (default: the BLT header's, else 1).
    #[arg(long)]
    seats: Option<usize>,
    /// List methods: the percentage of valid votes a party needs for a seat.
    #[arg(long)]
    threshold: Option<String>,
    /// Apportionment: minimum seats per unit, quota recomputed (Afghan Election Law 2016 art. 49).
    #[arg(long = "min-seats")]
    min_seats: Option<u64>,
    /// Apportionment: seats every unit gets outright before the rest are shared.
    #[arg(long = "base-seats")]
    base_seats: Option<u64>,
    /// sntv: seats reserved for candidates with gender f.
    #[arg(long)]
    reserved: Option<usize>,
    /// sntv: reserve-first (default) or open-then-extra.
    #[arg(long = "reserved-rule")]
    reserved_rule: Option<String>,
    /// Ordered tie-break criteria: backward, forward, a CSV column name, lot.
    #[arg(long = "tie-break")]
    tie_break: Option<String>,
    /// Seed of the lot, in hex (default 00).
    #[arg(long)]
    seed: Option<String>,
    /// Decimals of the fixed-point arithmetic (STV).
    #[arg(long)]
    decimals: Option<u32>,
    /// The input: .blt (ranked or approval ballots) or .csv (totals).
    input: PathBuf,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let method: Method = args.method.parse().map_err(|e| anyhow!("{e}"))?;
    let path = &args.input;
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{origin}: cannot read"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let pairing = |what: &str| {
        anyhow!("{origin}: method {method} cannot read {what} (see `sanduq count --help`)")
    };
    let (ballots, header_seats) = match ext.as_str() {
        "blt" => {
            if method.input() == InputKind::List {
                return Err(pairing(
                    "a .blt file: it reads a .csv of party votes or unit populations",
                )
                .into());
            }
            let blt = parse::blt(&origin, &bytes).map_err(|e| anyhow!("{e}"))?;
            if let Some(line) = blt.first_equal_line {
                if !method.accepts_equal_rankings() {
                    return Err(anyhow!(
                        "{origin}: line {line}: equal rankings (a=b) are accepted by schulze only, not {method}"
                    )
                    .into());
                }
            }
            (blt.ballots, Some(blt.seats))
        }
        "csv" => {
            let csv = parse::csv(&origin, &bytes).map_err(|e| anyhow!("{e}"))?;
            let ok = match method.input() {
                InputKind::SingleMark => csv.kind == CsvKind::Candidates,
                InputKind::List => matches!(csv.kind, CsvKind::Parties | CsvKind::Units),
                InputKind::Ranked | InputKind::Approval => false,
            };
            if !ok {
                return Err(pairing(match csv.kind {
                    CsvKind::Candidates => "a candidate,votes .csv",
                    CsvKind::Parties => "a party,votes .csv",
                    CsvKind::Units => "a unit,population .csv",
                })
                .into());
            }
            (csv.ballots, None)
        }
        _ => {
            return Err(
                anyhow!("{origin}: unknown input type {ext:?}: expected .blt or .csv").into(),
            );
        }
    };

    let mut opts = Options {
        seats: args.seats.or(header_seats).unwrap_or(1),
        min_seats: args.min_seats,
        base_seats: args.base_seats,
        reserved: args.reserved.unwrap_or(0),
        decimals: args.decimals,
        ..Options::default()
    };
    if let Some(t) = &args.threshold {
        opts.threshold = Some(t.parse::<Percent>().map_err(|e| anyhow!("{e}"))?);
    }
    if let Some(r) = &args.reserved_rule {
        opts.reserved_rule = r.parse::<ReservedRule>().map_err(|e| anyhow!("{e}"))?;
    }
    if let Some(tb) = &args.tie_break {
        opts.tie_break = Some(parse_criteria(tb).map_err(|e| anyhow!("{e}"))?);
    }
    if let Some(seed) = &args.seed {
        opts.seed = parse_hex(seed)
            .ok_or_else(|| anyhow!("--seed {seed:?}: not an even number of hex digits"))?;
    }
    let outcome = Count::run(&method, &ballots, &opts).map_err(|e| anyhow!("{origin}: {e}"))?;
    let json = serde_json::to_string(&outcome).context("serialising the result")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{json}").context("writing the result")?;
    stdout.flush().context("writing the result")?;
    Ok(())
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.is_empty() || s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

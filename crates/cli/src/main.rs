//! The `sanduq` command line: a thin layer over the library crates.
//!
//! Exit codes, the same for every subcommand:
//! - `0`: success;
//! - `1`: a check failed (for example `sanduq verify` found a fault);
//! - `2`: bad input, bad usage, or an I/O error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod exit;

pub(crate) use exit::Failure;

/// sanduq: elections that anyone can check and no central office can fake.
#[derive(Debug, Parser)]
#[command(name = "sanduq", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count ballots with one electoral method and print the result as JSON.
    Count(cmd::count::Args),
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Count(args) => cmd::count::run(args),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with exit 0; usage errors go to
            // stderr and exit 2, as every other bad input does.
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

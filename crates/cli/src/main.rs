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
    /// Run a complete election on the embedded Afghan default and verify its record
    /// (exit 0 verified, 1 verification failed, 2 bad input).
    Demo(cmd::demo::Args),
    /// Verify an election record: every numbered check (exit 0 all passed, 1 a check failed,
    /// naming it and the object, 2 unreadable record).
    Verify(cmd::verify::Args),
    /// Run the election's bulletin-board log server.
    Serve(cmd::serve::Args),
    /// Run a witness node that cosigns the log's checkpoints.
    Witness(cmd::witness::Args),
    /// Copy a log and check every tile against its checkpoint.
    Mirror(cmd::mirror::Args),
    /// Fetch or check a voter's receipt.
    Receipt(cmd::receipt::Args),
    /// Publish an election record on a bulletin board.
    Publish(cmd::publish::Args),
    /// Read an election record back from a bulletin board, checked, into a folder.
    FetchRecord(cmd::fetch::Args),
    /// Read the credential list and the remote ballots from a board's log, checked, into a
    /// folder for `tally --remote` (exit 1 a check failed, 2 board unreadable or bad input).
    FetchRemote(cmd::remote::FetchArgs),
    /// Bulletin-board keys.
    Board(cmd::board::Args),
    /// Voter credentials for remote voting: `issue` by the credential authority, `publish`.
    Credentials(cmd::credentials::Args),
    /// Serve the results pages of an election record (Dari, Pashto, Uzbek, English).
    Portal(cmd::portal::Args),
    /// Election set-up: `election new` validates a manifest and writes the set-up.
    Election(cmd::election::Args),
    /// The trustees' key ceremony, one step of one trustee at a time, exchanging files only
    /// (exit 1 naming a cheating trustee, 2 bad input or wrong passphrase).
    Ceremony(cmd::ceremony::Args),
    /// Benchmark a synthetic national election: encryption, verification against its floor,
    /// tally and threshold decryption.
    Bench(cmd::bench::Args),
    /// One polling-station device encrypts its ballots (exit 2 naming a bad plaintext line).
    Encrypt(cmd::encrypt::Args),
    /// Check the devices' ballots (and remote ballots, --remote), tally per unit, apply the
    /// privacy rule (1: a bad ballot).
    Tally(cmd::tally::Args),
    /// Threshold decryption: `share` per trustee, `combine` into the record (1: a bad share).
    Decrypt(cmd::decrypt::Args),
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Count(args) => cmd::count::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Witness(args) => cmd::witness::run(args),
        Command::Mirror(args) => cmd::mirror::run(args),
        Command::Receipt(args) => cmd::receipt::run(args),
        Command::Publish(args) => cmd::publish::run(args),
        Command::FetchRecord(args) => cmd::fetch::run(args),
        Command::FetchRemote(args) => cmd::remote::fetch(&args),
        Command::Board(args) => cmd::board::run(args),
        Command::Credentials(args) => cmd::credentials::run(args),
        Command::Portal(args) => cmd::portal::run(args),
        Command::Election(args) => cmd::election::run(args),
        Command::Ceremony(args) => cmd::ceremony::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Encrypt(args) => cmd::encrypt::run(args),
        Command::Tally(args) => cmd::tally::run(args),
        Command::Decrypt(args) => cmd::decrypt::run(args),
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

//! `sanduq credentials`: the credential authority issues one voter credential per eligible
//! voter for remote voting, and publishes the public list on the board
//! (`docs/spec/board-server.md` §9).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use sanduq_board::client::Client;
use sanduq_board::credentials::{self, CREDENTIALS_KIND, POLLS_CLOSED_KIND, PollsClosed};
use sanduq_board::envelope::{Envelope, Fingerprint};
use sanduq_board::publication::{fits_inline, signing_key_from_file};
use sanduq_election::Manifest;
use sanduq_record::protocol::Election;

use crate::Failure;
use crate::cmd::election;

/// Voter credentials for remote voting.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Issue one credential per voter of a voters file: writes the public list
    /// `credentials.json`, the signed board entry `credentials.entry`, and one secret file
    /// per voter under `secret/` (exit 2 naming each bad line as file:line).
    Issue(IssueArgs),
    /// Post the signed credential list (`credentials.entry`) to a board; prints its index and
    /// tracking code (exit 1 if the board refuses it).
    Publish(PublishArgs),
    /// Close remote voting: an administrator posts the `polls-closed` entry, after which the
    /// board refuses every remote ballot, so the ballots that count are fixed (exit 1 if the
    /// board refuses it, e.g. already closed).
    Close(CloseArgs),
}

/// `sanduq credentials issue`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The voters file is UTF-8 text, one eligible voter per line: `station` or \
                  `station,group` (spaces around a field ignored; empty lines and lines \
                  starting with # skipped; an optional first line `station,group`).\n\n\
                  Writes into OUT (created; refused if it exists): credentials.json (the \
                  public list), credentials.entry (that list as a board envelope signed by \
                  the authority key, ready for `sanduq credentials publish`), and \
                  secret/voter-NNNNNN.json, the secret credential of the N-th voter of the \
                  voters file (mode 0600), to be handed to that voter privately.\n\n\
                  Exit codes: 0 written; 2 bad input (every bad voters line is named)."
)]
pub(crate) struct IssueArgs {
    /// The election set-up folder (`sanduq election new --out`).
    #[arg(long)]
    election: PathBuf,
    /// The credential authority's signing key file (`sanduq board keygen --log NAME`);
    /// the board must be started with its public key as `--authority-key`.
    #[arg(long, visible_alias = "board-key")]
    authority_key: PathBuf,
    /// The voters file (see below).
    #[arg(long)]
    voters: PathBuf,
    /// The folder to write (must not exist).
    #[arg(long)]
    out: PathBuf,
}

/// `sanduq credentials publish`.
#[derive(Debug, clap::Args)]
pub(crate) struct PublishArgs {
    /// The signed list written by `issue` (`credentials.entry`).
    #[arg(long)]
    entry: PathBuf,
    /// The board's base URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    board: String,
}

/// `sanduq credentials close`.
#[derive(Debug, clap::Args)]
pub(crate) struct CloseArgs {
    /// The election set-up folder (`sanduq election new --out`).
    #[arg(long)]
    election: PathBuf,
    /// An administrator's signing key file (the board's `--admin-key` names its public key).
    #[arg(long)]
    key: PathBuf,
    /// The board's base URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    board: String,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Issue(a) => issue(&a),
        Command::Publish(a) => publish(&a),
        Command::Close(a) => close(&a),
    }
}

/// The election of a set-up folder (checked as every later step checks it).
pub(crate) fn load_election(dir: &Path) -> Result<Election, Failure> {
    election::load(dir)?;
    let path = dir.join(election::MANIFEST_FILE);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest = Manifest::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(
        Election::setup(manifest, sanduq_crypto::params::DEFAULT_GENERATOR_SEED)
            .map_err(|e| anyhow!("{}: {e}", dir.display()))?,
    )
}

fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<(), Failure> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = opts
        .open(path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

fn issue(a: &IssueArgs) -> Result<(), Failure> {
    let election = load_election(&a.election)?;
    let key_text = std::fs::read_to_string(&a.authority_key)
        .with_context(|| format!("cannot read {}", a.authority_key.display()))?;
    let key = signing_key_from_file(&key_text)
        .map_err(|e| anyhow!("{}: {e}", a.authority_key.display()))?;
    let text = std::fs::read_to_string(&a.voters)
        .with_context(|| format!("cannot read {}", a.voters.display()))?;
    let voters = credentials::parse_voters(&text, &a.voters.display().to_string(), &election)
        .map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow!("{}", lines.join("\n"))
        })?;
    if voters.is_empty() {
        return Err(anyhow!("{}: no voter", a.voters.display()).into());
    }
    let fp = *election.fingerprint().as_bytes();
    let mut rng = crate::cmd::ceremony::os_rng()?;
    let (list, secrets) = credentials::issue(fp, &voters, &mut rng);
    let list_bytes = list.to_bytes();
    // A list that does not fit in one entry is stored beside the log: the entry commits to
    // it, and `publish` uploads it first.
    let inline = fits_inline(CREDENTIALS_KIND, list_bytes.len());
    let entry = Envelope::sign(CREDENTIALS_KIND, Fingerprint(fp), &list_bytes, inline, &key)
        .map_err(|e| anyhow!("the entry of the list of {} credentials: {e}", list.len()))?;
    std::fs::create_dir(&a.out).with_context(|| {
        format!(
            "cannot create {} (it must not exist already)",
            a.out.display()
        )
    })?;
    let secret_dir = a.out.join("secret");
    std::fs::create_dir(&secret_dir)
        .with_context(|| format!("cannot create {}", secret_dir.display()))?;
    for (n, s) in secrets.iter().enumerate() {
        let path = secret_dir.join(format!("voter-{:06}.json", n + 1));
        write_file(&path, &s.to_json(), true)?;
    }
    write_file(&a.out.join("credentials.json"), &list_bytes, false)?;
    write_file(&a.out.join("credentials.entry"), entry.as_bytes(), false)?;
    println!(
        "{} credentials issued for election {}; publish {} with `sanduq credentials publish`",
        list.len(),
        sanduq_crypto::group::to_hex(&fp),
        a.out.join("credentials.entry").display()
    );
    Ok(())
}

fn publish(a: &PublishArgs) -> Result<(), Failure> {
    let bytes =
        std::fs::read(&a.entry).with_context(|| format!("cannot read {}", a.entry.display()))?;
    let e = Envelope::parse(&bytes).map_err(|e| anyhow!("{}: {e}", a.entry.display()))?;
    if e.kind() != CREDENTIALS_KIND {
        return Err(anyhow!(
            "{}: a {:?} entry, not a credential list",
            a.entry.display(),
            e.kind()
        )
        .into());
    }
    if e.body().is_none() {
        // the list is stored beside the log: upload it first, from beside the entry file
        let path = a
            .entry
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("credentials.json");
        let list =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if sanduq_record::store::sha256(&list) != e.content_hash() {
            return Err(anyhow!(
                "{}: not the list {} commits to (SHA-256 differs)",
                path.display(),
                a.entry.display()
            )
            .into());
        }
        let answer = Client::new(&a.board)
            .put_artefact(&sanduq_crypto::group::to_hex(&e.content_hash()), &list)
            .map_err(|e| anyhow!("{}: {e}", a.board))?;
        if answer.status != 200 && answer.status != 201 {
            return Err(Failure::CheckFailed(anyhow!(
                "{}: the board refused the list: {} {}",
                a.board,
                answer.status,
                answer.text().trim_end()
            )));
        }
    }
    post(&a.board, &bytes, "the list")
}

/// Posts an entry; prints its index and tracking code, or fails (exit 1) with the board's
/// answer.
fn post(board: &str, bytes: &[u8], what: &str) -> Result<(), Failure> {
    let answer = Client::new(board)
        .submit(bytes)
        .map_err(|e| anyhow!("{board}: {e}"))?;
    match answer.status {
        200 | 201 => {
            let v: serde_json::Value = serde_json::from_slice(&answer.body)
                .map_err(|e| anyhow!("{board}: unreadable answer: {e}"))?;
            let field = |k: &str| v.get(k).map(ToString::to_string).unwrap_or_default();
            println!(
                "index {} tracking code {}",
                field("index"),
                field("tracking_code").trim_matches('"')
            );
            Ok(())
        }
        s => Err(Failure::CheckFailed(anyhow!(
            "{board}: the board refused {what}: {s} {}",
            answer.text().trim_end()
        ))),
    }
}

fn close(a: &CloseArgs) -> Result<(), Failure> {
    let election = load_election(&a.election)?;
    let text = std::fs::read_to_string(&a.key)
        .with_context(|| format!("cannot read {}", a.key.display()))?;
    let key = signing_key_from_file(&text).map_err(|e| anyhow!("{}: {e}", a.key.display()))?;
    let fp = *election.fingerprint().as_bytes();
    let e = Envelope::sign(
        POLLS_CLOSED_KIND,
        Fingerprint(fp),
        &PollsClosed::new(fp).to_bytes(),
        true,
        &key,
    )
    .map_err(|e| anyhow!("the closing entry: {e}"))?;
    post(&a.board, e.as_bytes(), "the closing of remote voting")
}

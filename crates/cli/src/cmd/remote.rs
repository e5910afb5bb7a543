//! Remote ballots for the tally: `sanduq fetch-remote` reads them from the board's log into a
//! folder (`credentials.json`, `remote.jsonl`), and [`checked_remote`] reads such a folder
//! back for `sanduq tally --remote` and `sanduq decrypt … --remote`
//! (`docs/spec/board-server.md` §9, `docs/spec/cli-files.md` §4–5).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use sanduq_board::client::Client;
use sanduq_board::credentials::{CREDENTIALS_KIND, CredentialList, POLLS_CLOSED_KIND};
use sanduq_board::publication::{self, Artefacts, HttpArtefacts, LogEntry};
use sanduq_record::remote::{CheckedRemote, check_remote, lines_from_entries, to_jsonl};
use sanduq_record::steps::StepError;

use crate::Failure;
use crate::cmd::encrypt::{Loaded, read, step_failure, write_new};
use crate::cmd::fetch::{CheckpointArgs, fetch_failure, read_checked_log};

/// Name of the credential list in a remote-ballots folder.
pub(crate) const CREDENTIALS_FILE: &str = "credentials.json";
/// Name of the remote ballots in a remote-ballots folder.
pub(crate) const REMOTE_FILE: &str = "remote.jsonl";

/// Read the remote ballots of an election from a bulletin board's log into a folder, for
/// `sanduq tally --remote`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Writes into OUT (created if needed; refused if either file exists):\n  credentials.json, the credential list of the log's `credentials` entry, byte for byte;\n  remote.jsonl, every `remote-ballot` entry of the log before the `polls-closed` entry,\n    in log order, one JSON line each (ballot, tracking code, log index, the credential's signature, status `counted` for the\n    last ballot of each credential, `superseded` for the earlier ones).\n\nExit codes:\n  0 written;\n  1 a check failed: the log does not check against its checkpoint (or the witnesses), it\n    holds no credential list, remote voting is not closed (no `polls-closed` entry), the\n    list is not signed by the authority key, or a remote ballot entry is malformed (the\n    log entry is named);\n  2 bad input: the board cannot be read, a key is unusable, or the folder cannot be written."
)]
pub(crate) struct FetchArgs {
    /// The board's URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    board: String,
    /// The credential authority's public key (64 hex digits or verifier key, or a file
    /// holding it): the credential list must be signed by it.
    #[arg(long)]
    authority_key: String,
    /// The folder to write `credentials.json` and `remote.jsonl` into.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    log: CheckpointArgs,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

/// The `credentials` entry of the log, which must be signed by `authority`: its index and
/// the list's bytes.
fn credential_list(
    url: &str,
    entries: &[LogEntry],
    artefacts: &dyn Artefacts,
    authority: [u8; 32],
) -> Result<(u64, Vec<u8>), Failure> {
    let lists: Vec<&LogEntry> = entries
        .iter()
        .filter(|e| e.envelope.kind() == CREDENTIALS_KIND)
        .collect();
    let entry = match lists.as_slice() {
        [] => {
            return Err(Failure::CheckFailed(anyhow!(
                "{url}: the log holds no credential list (no `{CREDENTIALS_KIND}` entry)"
            )));
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(Failure::CheckFailed(anyhow!(
                "{url}: the log holds more than one credential list (log entries {} and {})",
                first.index,
                second.index
            )));
        }
    };
    if entry.envelope.signer() != authority {
        return Err(Failure::CheckFailed(anyhow!(
            "{url}: log entry {} (credentials): signed by {}, not by the authority key {}",
            entry.index,
            sanduq_crypto::group::to_hex(&entry.envelope.signer()),
            sanduq_crypto::group::to_hex(&authority)
        )));
    }
    let bytes = publication::content(entry, artefacts).map_err(|e| fetch_failure(url, e))?;
    let list = CredentialList::parse(&bytes).map_err(|e| {
        Failure::CheckFailed(anyhow!(
            "{url}: log entry {} (credentials): {e}",
            entry.index
        ))
    })?;
    if list.election() != entry.envelope.election().0 {
        return Err(Failure::CheckFailed(anyhow!(
            "{url}: log entry {} (credentials): the list's election is not the entry's",
            entry.index
        )));
    }
    Ok((entry.index, bytes))
}

pub(crate) fn fetch(args: &FetchArgs) -> Result<(), Failure> {
    let url = args.board.as_str();
    let authority = sanduq_board::keys::public_key_arg(&args.authority_key)
        .map_err(|e| anyhow!("--authority-key {e}"))?;
    let credentials = args.out.join(CREDENTIALS_FILE);
    let remote = args.out.join(REMOTE_FILE);
    for f in [&credentials, &remote] {
        if f.exists() {
            return Err(anyhow!("{} exists already: refusing to overwrite it", f.display()).into());
        }
    }
    let checked = read_checked_log(url, &args.log)?;
    let artefacts = HttpArtefacts(Client::new(url));
    let (list_entry, list_bytes) = credential_list(url, &checked.entries, &artefacts, authority)?;
    // The ballots that count are fixed only once remote voting is closed.
    let closed = checked
        .entries
        .iter()
        .find(|e| e.envelope.kind() == POLLS_CLOSED_KIND)
        .map(|e| e.index)
        .ok_or_else(|| {
            Failure::CheckFailed(anyhow!(
                "{url}: remote voting is not closed on this board (no `{POLLS_CLOSED_KIND}` \
                 entry): an administrator closes it with `sanduq credentials close` before the \
                 remote ballots are tallied"
            ))
        })?;
    let lines = lines_from_entries(
        checked
            .entries
            .iter()
            .filter(|e| e.index < closed)
            .map(|e| (e.index, e.envelope.clone())),
    )
    .map_err(|(i, e)| Failure::CheckFailed(anyhow!("{url}: log entry {i} (remote-ballot): {e}")))?;
    let jsonl = to_jsonl(&lines).map_err(|e| anyhow!("{e}"))?;
    write_new(&credentials, &list_bytes)?;
    write_new(&remote, &jsonl)?;
    let counted = lines.iter().filter(|l| l.is_counted()).count();
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({
            "board": url,
            "out": args.out.display().to_string(),
            "log_size": checked.entries.len(),
            "credentials_entry": list_entry,
            "closed_at": closed,
            "remote_ballots": lines.len(),
            "counted": counted,
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "{} log entries checked; credential list from log entry {list_entry} written to {}; \
             {} remote ballots ({counted} counted, {} superseded) written to {}",
            checked.entries.len(),
            credentials.display(),
            lines.len(),
            lines.len() - counted,
            remote.display()
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Reads and checks a remote-ballots folder (`sanduq fetch-remote --out`), when given, for
/// the tally:
/// the credential list of this election and every remote ballot (signature, tracking code,
/// credential, registration, ballot style, proofs, statuses). A failed check is exit 1, an
/// unusable file exit 2, naming the file, the line and the field.
pub(crate) fn checked_remote(
    loaded: &Loaded,
    dir: Option<&Path>,
) -> Result<Option<CheckedRemote>, Failure> {
    let Some(dir) = dir else { return Ok(None) };
    let list_path = dir.join(CREDENTIALS_FILE);
    let lines_path = dir.join(REMOTE_FILE);
    let list = read(&list_path)?;
    let lines = read(&lines_path)?;
    check_remote(
        &loaded.election,
        &loaded.ceremony.ballot_context(),
        &list_path.display().to_string(),
        &list,
        &lines_path.display().to_string(),
        &lines,
    )
    .map(Some)
    .map_err(step_failure)
}

/// A step's error about the ballots not giving the tally: without `--remote`, the tally may
/// count remote ballots, so the message says to give them.
pub(crate) fn source_failure(e: StepError, remote_given: bool) -> Failure {
    match e {
        StepError::Check { object, reason } if object == "ballots" && !remote_given => {
            Failure::CheckFailed(anyhow!(
                "{object}: {reason}; if the tally counts remote ballots, give them with \
                 --remote DIR (the folder `sanduq fetch-remote` writes)"
            ))
        }
        e => step_failure(e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::collections::BTreeMap;

    use ed25519_dalek::SigningKey;
    use sanduq_board::credentials::Registration;
    use sanduq_board::envelope::{Envelope, Fingerprint};

    use super::*;

    fn list_entry(index: u64, key: &SigningKey, station: &str) -> (LogEntry, Vec<u8>) {
        let mut voters = BTreeMap::new();
        voters.insert(
            SigningKey::from_bytes(&[9; 32]).verifying_key().to_bytes(),
            Registration {
                station: station.to_owned(),
                group: None,
            },
        );
        let bytes = CredentialList::new([7; 32], voters).to_bytes();
        let envelope =
            Envelope::sign(CREDENTIALS_KIND, Fingerprint([7; 32]), &bytes, true, key).unwrap();
        (LogEntry { index, envelope }, bytes)
    }

    fn message(r: Result<(u64, Vec<u8>), Failure>) -> String {
        match r {
            Err(Failure::CheckFailed(e)) => e.to_string(),
            Err(Failure::BadInput(e)) => panic!("exit 2, not 1: {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn the_list_must_be_there_once_and_signed_by_the_authority() {
        let authority = SigningKey::from_bytes(&[1; 32]);
        let other = SigningKey::from_bytes(&[2; 32]);
        let pk = authority.verifying_key().to_bytes();
        let none: BTreeMap<[u8; 32], Vec<u8>> = BTreeMap::new();
        let (good, bytes) = list_entry(3, &authority, "s1");
        assert_eq!(
            credential_list("b", std::slice::from_ref(&good), &none, pk).unwrap(),
            (3, bytes)
        );
        let e = message(credential_list("b", &[], &none, pk));
        assert!(e.contains("no credential list"), "{e}");
        let (forged, _) = list_entry(4, &other, "s1");
        let e = message(credential_list("b", &[forged], &none, pk));
        assert!(
            e.contains("log entry 4") && e.contains("not by the authority key"),
            "{e}"
        );
        let (second, _) = list_entry(5, &authority, "s2");
        let e = message(credential_list("b", &[good, second], &none, pk));
        assert!(e.contains("log entries 3 and 5"), "{e}");
    }
}

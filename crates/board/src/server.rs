//! The log server's engine: group commit of submitted entries and witnessed publication of
//! checkpoints. The HTTP layer is in [`crate::router`].
//!
//! # Group commit
//!
//! Request handlers parse and check each envelope (format, signature, election) on their
//! own, then hand it to one committer thread through a bounded queue. The committer takes
//! whatever is queued (up to [`Limits::max_batch`], waiting at most
//! [`Limits::batch_window`] for more), asks the [`EntryValidator`] about the whole batch,
//! writes the accepted entries in one SQLite transaction, and only after the commit
//! returned — the batch is on disk — extends the in-memory Merkle tree and answers the
//! waiting requests. If SQLite fails, the committer answers every waiting request with
//! 503, marks the server failed and stops: later submissions get 503 too, and the operator
//! restarts the server, which reloads exactly what was durable.
//!
//! # Publication
//!
//! A publisher thread signs a checkpoint of the committed tree, sends it to every witness
//! (`add-checkpoint` with a consistency proof from the size that witness last cosigned) and
//! publishes it — durably first, then in memory — only once a quorum of witnesses cosigned.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::{CosignatureVerifier, QuorumPolicy};
use sanduq_tlog::merkle::Tree;
use sanduq_tlog::signed_note::{Ed25519Signer, KeyName, Note, NoteSignature};
use sanduq_tlog::witness::AddCheckpointRequest;
use tokio::sync::oneshot;

use crate::envelope::{Envelope, Fingerprint, TrackingCode};
use crate::store::{ArtefactStore, LogDb, StoreError};
use crate::validator::{EntryValidator, LogView, Rejection};

/// How far in the future of the server's clock a witness cosignature may be dated when the
/// server checks the quorum before publishing (witness clocks are not the server's).
pub const CLOCK_SKEW_SECS: u64 = 60;

/// Tunable limits of a server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most entries written in one transaction.
    pub max_batch: usize,
    /// Longest wait for more entries once one is queued.
    pub batch_window: Duration,
    /// Capacity of the submission queue; beyond it submissions get 503 `busy`.
    pub queue: usize,
    /// Longest time a request may take.
    pub request_timeout: Duration,
    /// Largest artefact accepted by `PUT /artefact/<sha256>`.
    pub max_artefact_len: usize,
    /// Pause between publication attempts.
    pub publish_interval: Duration,
    /// Timeout of one `add-checkpoint` call.
    pub witness_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_batch: 256,
            batch_window: Duration::from_millis(2),
            queue: 16_384,
            request_timeout: Duration::from_secs(10),
            max_artefact_len: 16 << 20,
            publish_interval: Duration::from_millis(500),
            witness_timeout: Duration::from_secs(5),
        }
    }
}

/// A witness the log asks for cosignatures.
#[derive(Debug, Clone)]
pub struct WitnessEndpoint {
    /// Base URL; requests go to `<url>/add-checkpoint`.
    pub url: String,
    /// The witness's `cosignature/v1` key.
    pub key: CosignatureVerifier,
}

/// Everything a server needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Directory of `log.sqlite` and `artefacts/`.
    pub data_dir: PathBuf,
    /// The log's signing key; its name is the checkpoint origin.
    pub log_signer: Ed25519Signer,
    /// The only election fingerprint accepted.
    pub election: Fingerprint,
    /// The witnesses.
    pub witnesses: Vec<WitnessEndpoint>,
    /// How many witnesses must cosign before a checkpoint is published.
    pub quorum: usize,
    /// Limits.
    pub limits: Limits,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Storage could not be opened or loaded.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The witness quorum is impossible.
    #[error("witness quorum: {0}")]
    Quorum(#[from] sanduq_tlog::cosignature::CosignatureError),
    /// A stored checkpoint does not match the stored entries.
    #[error("data directory {dir}: published checkpoint does not match the stored entries")]
    Inconsistent {
        /// The data directory.
        dir: PathBuf,
    },
    /// A thread could not be started.
    #[error("starting a thread: {0}")]
    Thread(std::io::Error),
}

/// The answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Durably appended (or already present: `new == false`).
    Accepted {
        /// The entry's index.
        index: u64,
        /// Its tracking code.
        tracking_code: TrackingCode,
        /// Whether this submission appended it.
        new: bool,
    },
    /// Refused by the validator.
    Rejected(Rejection),
    /// The artefact of an envelope without inline body was not uploaded first.
    MissingArtefact,
    /// The server cannot accept entries (storage failed, shutting down, or queue full).
    Unavailable {
        /// The queue was full (try again later) rather than the server failed.
        busy: bool,
    },
}

struct Submission {
    envelope: Envelope,
    reply: oneshot::Sender<SubmitOutcome>,
}

/// The latest published checkpoint.
#[derive(Debug, Clone)]
pub(crate) struct Published {
    pub(crate) size: u64,
    pub(crate) note: Vec<u8>,
}

pub(crate) struct Shared {
    pub(crate) tree: RwLock<Tree>,
    pub(crate) published: RwLock<Option<Published>>,
    pub(crate) failed: AtomicBool,
    stop: AtomicBool,
    readers: Vec<Mutex<LogDb>>,
    next_reader: AtomicUsize,
    pub(crate) artefacts: ArtefactStore,
    pub(crate) election: Fingerprint,
    pub(crate) limits: Limits,
    queue: SyncSender<Submission>,
    wake: (Mutex<u64>, Condvar),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(PoisonError::into_inner)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Shared {
    /// Runs `f` with one of the read connections.
    pub(crate) fn with_reader<R>(
        &self,
        f: impl FnOnce(&LogDb) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let n = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len().max(1);
        match self.readers.get(n) {
            Some(m) => f(&lock(m)),
            None => Err(StoreError::Io {
                path: PathBuf::new(),
                source: std::io::Error::other("no read connection"),
            }),
        }
    }

    /// Queues an envelope for the next batch and waits until it is durable or refused.
    pub(crate) async fn submit(&self, envelope: Envelope) -> SubmitOutcome {
        if self.failed.load(Ordering::Acquire) || self.stop.load(Ordering::Acquire) {
            return SubmitOutcome::Unavailable { busy: false };
        }
        let (reply, rx) = oneshot::channel();
        match self.queue.try_send(Submission { envelope, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return SubmitOutcome::Unavailable { busy: true },
            Err(TrySendError::Disconnected(_)) => {
                return SubmitOutcome::Unavailable { busy: false };
            }
        }
        rx.await
            .unwrap_or(SubmitOutcome::Unavailable { busy: false })
    }

    fn notify_publisher(&self) {
        let (m, c) = &self.wake;
        *lock(m) += 1;
        c.notify_all();
    }
}

/// A running log engine (committer and publisher threads). Dropping it stops both.
pub struct Board {
    pub(crate) shared: Arc<Shared>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl core::fmt::Debug for Board {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Board")
            .field("size", &read(&self.shared.tree).size())
            .finish_non_exhaustive()
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.notify_publisher();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Board {
    /// Opens the data directory, reloads the durable log and starts the engine.
    pub fn start(
        config: ServerConfig,
        validator: Arc<dyn EntryValidator>,
    ) -> Result<Self, StartError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StoreError::Io {
            path: config.data_dir.clone(),
            source,
        })?;
        let writer = LogDb::open(&config.data_dir)?;
        let mut tree = Tree::new();
        for h in writer.leaf_hashes()? {
            tree.append_leaf_hash(h);
        }
        let published = writer.published()?;
        if let Some((size, note)) = &published {
            // The stored checkpoint must describe a prefix of the stored entries.
            let ok = SignedCheckpoint::parse(note).ok().is_some_and(|c| {
                c.checkpoint().size() == *size
                    && tree.root_at(*size).ok().as_ref() == Some(c.checkpoint().root())
            });
            if !ok {
                return Err(StartError::Inconsistent {
                    dir: config.data_dir.clone(),
                });
            }
        }
        let policy = QuorumPolicy::new(
            config.witnesses.iter().map(|w| w.key.clone()),
            config.quorum,
        )?;
        let readers = (0..4)
            .map(|_| LogDb::open(&config.data_dir).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let publisher_db = LogDb::open(&config.data_dir)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(config.limits.queue);
        let shared = Arc::new(Shared {
            tree: RwLock::new(tree),
            published: RwLock::new(published.map(|(size, note)| Published { size, note })),
            failed: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            readers,
            next_reader: AtomicUsize::new(0),
            artefacts: ArtefactStore::open(&config.data_dir)?,
            election: config.election,
            limits: config.limits.clone(),
            queue: tx,
            wake: (Mutex::new(0), Condvar::new()),
        });
        let mut threads = Vec::new();
        let s = Arc::clone(&shared);
        threads.push(
            std::thread::Builder::new()
                .name("board-commit".into())
                .spawn(move || committer(&s, writer, &rx, validator.as_ref()))
                .map_err(StartError::Thread)?,
        );
        let s = Arc::clone(&shared);
        let publisher = Publisher {
            signer: config.log_signer,
            witnesses: config
                .witnesses
                .into_iter()
                .map(|w| (w, Mutex::new(None)))
                .collect(),
            policy,
            db: Mutex::new(publisher_db),
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(config.limits.witness_timeout))
                .http_status_as_error(false)
                .build()
                .into(),
        };
        threads.push(
            std::thread::Builder::new()
                .name("board-publish".into())
                .spawn(move || publisher.run(&s))
                .map_err(StartError::Thread)?,
        );
        Ok(Self { shared, threads })
    }

    /// The number of durable entries.
    pub fn size(&self) -> u64 {
        read(&self.shared.tree).size()
    }

    /// The size of the latest published checkpoint.
    pub fn published_size(&self) -> Option<u64> {
        read(&self.shared.published).as_ref().map(|p| p.size)
    }
}

struct DbView<'a>(&'a LogDb, &'a ArtefactStore);

impl LogView for DbView<'_> {
    fn contains_content(&self, content_hash: &[u8; 32]) -> Result<bool, String> {
        self.0
            .contains_content(content_hash)
            .map_err(|e| e.to_string())
    }

    fn artefact(&self, content_hash: &[u8; 32]) -> Result<Option<Vec<u8>>, String> {
        self.1.get(content_hash).map_err(|e| e.to_string())
    }
}

fn collect_batch(
    shared: &Shared,
    rx: &Receiver<Submission>,
) -> Result<Vec<Submission>, RecvTimeoutError> {
    let first = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(s) => break s,
            Err(RecvTimeoutError::Timeout) if !shared.stop.load(Ordering::Acquire) => {}
            Err(e) => return Err(e),
        }
    };
    let max = shared.limits.max_batch.max(1);
    let deadline = Instant::now() + shared.limits.batch_window;
    let mut batch = vec![first];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(s) => batch.push(s),
            Err(_) => {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                match rx.recv_timeout(deadline - now) {
                    Ok(s) => batch.push(s),
                    Err(_) => break,
                }
            }
        }
    }
    Ok(batch)
}

fn committer(
    shared: &Shared,
    mut db: LogDb,
    rx: &Receiver<Submission>,
    validator: &dyn EntryValidator,
) {
    while let Ok(batch) = collect_batch(shared, rx) {
        if let Err(e) = commit_batch(shared, &mut db, batch, validator) {
            eprintln!("board: storage failure, no longer accepting entries: {e}");
            shared.failed.store(true, Ordering::Release);
            break;
        }
    }
    // Answer whatever is still queued.
    while let Ok(s) = rx.try_recv() {
        let _ = s.reply.send(SubmitOutcome::Unavailable { busy: false });
    }
}

/// Decides and writes one batch. On `Err` every submission of the batch has been answered
/// with 503 and nothing of the batch is in the tree.
fn commit_batch(
    shared: &Shared,
    db: &mut LogDb,
    batch: Vec<Submission>,
    validator: &dyn EntryValidator,
) -> Result<(), String> {
    // Verdict per submission; `None` = to append.
    let mut verdicts: Vec<Option<SubmitOutcome>> = Vec::with_capacity(batch.len());
    let mut first_of: std::collections::BTreeMap<TrackingCode, usize> = Default::default();
    let fail = |batch: Vec<Submission>, e: String| {
        for s in batch {
            let _ = s.reply.send(SubmitOutcome::Unavailable { busy: false });
        }
        Err(e)
    };
    for (i, s) in batch.iter().enumerate() {
        let code = s.envelope.tracking_code();
        match db.index_of(&code) {
            Err(e) => return fail(batch, e.to_string()),
            Ok(Some(index)) => {
                verdicts.push(Some(SubmitOutcome::Accepted {
                    index,
                    tracking_code: code,
                    new: false,
                }));
                continue;
            }
            Ok(None) => {}
        }
        if first_of.contains_key(&code) {
            // Resolved below, to whatever the first copy gets.
            verdicts.push(None);
            continue;
        }
        first_of.insert(code, i);
        if s.envelope.body().is_none() && !shared.artefacts.contains(&s.envelope.content_hash()) {
            verdicts.push(Some(SubmitOutcome::MissingArtefact));
            continue;
        }
        verdicts.push(None);
    }
    // Validate the candidates (first copies only).
    let candidates: Vec<usize> = (0..batch.len())
        .filter(|&i| {
            verdicts.get(i).is_some_and(Option::is_none)
                && batch
                    .get(i)
                    .is_some_and(|s| first_of.get(&s.envelope.tracking_code()) == Some(&i))
        })
        .collect();
    let envs: Vec<&Envelope> = candidates
        .iter()
        .filter_map(|&i| batch.get(i).map(|s| &s.envelope))
        .collect();
    let results = match validator.validate_batch(&envs, &DbView(db, &shared.artefacts)) {
        Ok(r) if r.len() == envs.len() => r,
        Ok(_) => {
            return fail(
                batch,
                "validator returned a wrong number of verdicts".into(),
            );
        }
        Err(e) => return fail(batch, e),
    };
    let start = read(&shared.tree).size();
    let mut accepted: Vec<&Envelope> = Vec::new();
    let mut index_of_code: std::collections::BTreeMap<TrackingCode, SubmitOutcome> =
        Default::default();
    for (&i, r) in candidates.iter().zip(results) {
        let Some(s) = batch.get(i) else { continue };
        let code = s.envelope.tracking_code();
        let outcome = match r {
            Ok(()) => {
                let index = start + accepted.len() as u64;
                accepted.push(&s.envelope);
                SubmitOutcome::Accepted {
                    index,
                    tracking_code: code,
                    new: true,
                }
            }
            Err(rej) => SubmitOutcome::Rejected(rej),
        };
        index_of_code.insert(code, outcome.clone());
        if let Some(v) = verdicts.get_mut(i) {
            *v = Some(outcome);
        }
    }
    if !accepted.is_empty() {
        if let Err(e) = db.append(start, &accepted) {
            return fail(batch, e.to_string());
        }
        let leaves: Vec<_> = accepted.iter().map(|e| e.leaf_hash()).collect();
        let mut tree = write(&shared.tree);
        for h in leaves {
            tree.append_leaf_hash(h);
        }
        drop(tree);
        shared.notify_publisher();
    }
    for (s, v) in batch.into_iter().zip(verdicts) {
        let code = s.envelope.tracking_code();
        let outcome = match v {
            Some(o) => o,
            None => match index_of_code.get(&code) {
                // A later copy of an entry of this batch: same index, not new.
                Some(SubmitOutcome::Accepted {
                    index,
                    tracking_code,
                    ..
                }) => SubmitOutcome::Accepted {
                    index: *index,
                    tracking_code: *tracking_code,
                    new: false,
                },
                Some(o) => o.clone(),
                None => SubmitOutcome::Unavailable { busy: false },
            },
        };
        let _ = s.reply.send(outcome);
    }
    Ok(())
}

struct Publisher {
    signer: Ed25519Signer,
    /// Each witness with the size it last cosigned, if known.
    witnesses: Vec<(WitnessEndpoint, Mutex<Option<u64>>)>,
    policy: QuorumPolicy,
    /// Behind a mutex only so that the publisher can be shared with the witness threads.
    db: Mutex<LogDb>,
    agent: ureq::Agent,
}

impl Publisher {
    fn run(&self, shared: &Shared) {
        let mut seen = u64::MAX;
        loop {
            {
                let (m, c) = &shared.wake;
                let g = lock(m);
                let (g, _) = c
                    .wait_timeout_while(g, shared.limits.publish_interval, |g| *g == seen)
                    .unwrap_or_else(PoisonError::into_inner);
                seen = *g;
            }
            if shared.stop.load(Ordering::Acquire) || shared.failed.load(Ordering::Acquire) {
                return;
            }
            let size = read(&shared.tree).size();
            let published = read(&shared.published).as_ref().map(|p| p.size);
            if size == 0 || published == Some(size) {
                continue;
            }
            if let Err(e) = self.publish(shared, size) {
                eprintln!("board: checkpoint of size {size} not published: {e}");
            }
            // Pace publication rounds.
            std::thread::sleep(shared.limits.publish_interval);
        }
    }

    fn publish(&self, shared: &Shared, size: u64) -> Result<(), String> {
        let root = read(&shared.tree)
            .root_at(size)
            .map_err(|e| e.to_string())?;
        let text = Checkpoint::new(self.signer.name().as_str(), size, root)
            .map_err(|e| e.to_string())?
            .to_text();
        let sig = self.signer.sign(&text).map_err(|e| e.to_string())?;
        let note = Note::new(text, vec![sig]).map_err(|e| e.to_string())?;
        let signed = SignedCheckpoint::from_note(note.clone()).map_err(|e| e.to_string())?;
        let cosigs: Vec<NoteSignature> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .witnesses
                .iter()
                .map(|(w, known)| scope.spawn(|| self.cosign(shared, w, known, &signed, size)))
                .collect();
            handles
                .into_iter()
                .filter_map(|h| h.join().ok().flatten())
                .collect()
        });
        let mut full = note;
        for c in cosigs {
            full.push_signature(c).map_err(|e| e.to_string())?;
        }
        self.policy
            .check(&full, now_secs().saturating_add(CLOCK_SKEW_SECS))
            .map_err(|e| e.to_string())?;
        let bytes = full.to_bytes();
        if let Err(e) = lock(&self.db).set_published(size, &bytes) {
            shared.failed.store(true, Ordering::Release);
            return Err(format!("storage failure, no longer accepting entries: {e}"));
        }
        *write(&shared.published) = Some(Published { size, note: bytes });
        Ok(())
    }

    /// Asks one witness to cosign; returns its cosignature line.
    fn cosign(
        &self,
        shared: &Shared,
        w: &WitnessEndpoint,
        known: &Mutex<Option<u64>>,
        signed: &SignedCheckpoint,
        size: u64,
    ) -> Option<NoteSignature> {
        let url = format!("{}/add-checkpoint", w.url.trim_end_matches('/'));
        for _ in 0..3 {
            let old = lock(known).unwrap_or(0);
            if old > size {
                eprintln!("board: witness {url} has size {old}, beyond the log's {size}");
                return None;
            }
            let proof = if old == 0 || old == size {
                Vec::new()
            } else {
                read(&shared.tree).consistency_proof(old, size).ok()?
            };
            let body = AddCheckpointRequest::new(old, proof, signed.clone())
                .ok()?
                .to_bytes();
            let mut resp = match self
                .agent
                .post(&url)
                .header("Content-Type", "text/plain; charset=utf-8")
                .send(&body[..])
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("board: witness {url}: {e}");
                    return None;
                }
            };
            let status = resp.status().as_u16();
            let text = resp
                .body_mut()
                .with_config()
                .limit(64 << 10)
                .read_to_string()
                .unwrap_or_default();
            match status {
                200 => {
                    *lock(known) = Some(size);
                    let want: (&KeyName, _) = (w.key.name(), w.key.id());
                    return text
                        .lines()
                        .enumerate()
                        .filter_map(|(i, l)| NoteSignature::parse_line(l, i + 1).ok())
                        .find(|s| (s.name(), s.id()) == want);
                }
                409 => {
                    let Some(n) = text.trim_end().parse::<u64>().ok() else {
                        eprintln!("board: witness {url}: 409 without a size");
                        return None;
                    };
                    *lock(known) = Some(n);
                }
                _ => {
                    eprintln!("board: witness {url}: status {status}: {}", text.trim_end());
                    *lock(known) = None;
                    return None;
                }
            }
        }
        None
    }
}

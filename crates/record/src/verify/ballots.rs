//! Checks 4 to 8, and the station sums of check 9, on ballot files read line by line.
//!
//! Each `ballots.jsonl` is read in chunks of at most [`CHUNK_LINES`] lines and
//! [`CHUNK_BYTES`] bytes. A chunk is decoded and checked in parallel (encoding, batched
//! proofs, openings), then in order (device chains, duplicate traces), its cast ballots are
//! added into the running station sums, and it is dropped. What is kept across chunks:
//!
//! - per device, its station, file, last code and count (O(devices));
//! - per station, per contest, the running encrypted sums (O(stations × candidates));
//! - for the duplicate check, two sets of traces (a 16-byte digest of each ballot's code;
//!   the first 16 bytes of each selection's `α`), each with its place (file, line,
//!   selection). A ciphertext copied from one ballot into another can sit anywhere in the
//!   record, so finding it needs a trace of every selection; two distinct random `α` agree
//!   on 16 bytes with probability 2⁻¹²⁸. The traces are not kept in memory: each set holds
//!   a buffer of at most `buffer` records (default [`TRACE_BUFFER`], 32 bytes each), sorted
//!   and written to a temporary file as a run whenever it fills, and the runs are merged at
//!   the end (k-way, one 8 KiB read buffer and one heap entry per run; 32 runs of one size
//!   are merged into one of the next size as they appear, so there are at most 31 of each
//!   size). The first repeated trace in reading order is the duplicate reported, and its
//!   ballot line is read again to name it. Memory is O(buffer + runs), not O(ballots): for
//!   21 million selections and the default buffer, 2 MiB of buffer and at most 62 runs
//!   (0.5 MiB of read buffers) per set. A record whose traces fit in the buffer never
//!   touches the disk.

use std::collections::BTreeMap;

use rayon::prelude::*;
use sanduq_crypto::BallotContext;
use sanduq_crypto::contest::{ContestItem, EncryptedContest};
use sanduq_crypto::elgamal::AggregateCiphertext;
use sanduq_crypto::group::to_hex;

use super::traces::{Trace, Traces};
use super::{Fail, State, Verified, check_opening, fail};
use crate::chain::{chain_close, chain_start, confirmation_code};
use crate::credentials::CredentialList;
use crate::hierarchy::Level;
use crate::protocol::{Election, contest_from_wire};
use crate::record::{Location, location_of};
use crate::remote::{DecodedRemote, REMOTE, RemoteLine, StatusCheck, decode_line};
use crate::store::sha256;
use crate::wire::{BallotLine, DevicesFile, from_canonical, to_canonical};

/// Most lines in one chunk.
pub(crate) const CHUNK_LINES: usize = 64;
/// Most bytes of lines in one chunk (a chunk holds at least one line).
pub(crate) const CHUNK_BYTES: usize = 16 << 20;

/// Per station, per contest: cast ballots and the product of their ciphertexts.
pub(crate) type Sums = BTreeMap<String, BTreeMap<String, (u64, Vec<AggregateCiphertext>)>>;

/// A decoded ballot line.
pub(super) struct Ballot {
    file: String,
    line: usize,
    pub(super) raw: BallotLine,
    pub(super) contests: Vec<EncryptedContest>,
    /// Canonical JSON of the `ballot` object (what the confirmation code covers).
    canonical: Vec<u8>,
}

impl Ballot {
    pub(super) fn name(&self) -> String {
        format!("{}:{} (ballot {})", self.file, self.line, self.raw.code)
    }
}

/// Device → (station, last code, count, file).
type Chains = BTreeMap<String, (String, [u8; 32], u64, String)>;

fn key16(bytes: &[u8]) -> u128 {
    let mut k = [0u8; 16];
    for (d, s) in k.iter_mut().zip(bytes) {
        *d = *s;
    }
    u128::from_be_bytes(k)
}

/// What the ballot checks leave for the later ones.
pub(crate) struct BallotsOutcome {
    /// Whether checks 4 to 8 passed.
    pub(crate) ok: bool,
    /// The station sums of the cast ballots read.
    pub(crate) sums: Sums,
    /// Every device with ballots.
    pub(crate) devices: Vec<String>,
    /// The first 16 bytes of every selection's `α`, with their places.
    pub(crate) alphas: Traces,
}

struct Run<'e> {
    election: &'e Election,
    c: &'e Verified,
    fp: [u8; 32],
    styles: BTreeMap<(String, Option<String>), Vec<String>>,
    r4: Result<(), Fail>,
    r5: Result<(), Fail>,
    r6: Result<(), Fail>,
    r7: Result<(), Fail>,
    r8: Result<(), Fail>,
    /// Check 16, the remote ballots.
    r16: Result<(), Fail>,
    n5: u64,
    n8: u64,
    /// The credential list, when the record has remote ballots.
    list: Option<&'e CredentialList>,
    /// Trace file numbers of the remote files start here (after the ballot files).
    remote_base: u32,
    /// Index of the ballot file being read.
    file_no: u32,
    codes: Traces,
    alphas: Traces,
    chains: Chains,
    previous: Option<(String, String, u64)>,
    sums: Sums,
}

/// Checks 4 to 8 and 16 on the ballot files and remote-ballot files of `districts`,
/// streamed; records the checks in `st`. `list` is the credential list when the record has
/// one, or why it is unusable.
pub(super) fn check_ballots(
    st: &mut State<'_>,
    election: &Election,
    c: &Verified,
    districts: &[Location],
    list: Result<Option<&CredentialList>, Fail>,
    buffer: usize,
) -> BallotsOutcome {
    let (list, r16) = match list {
        Ok(l) => (l, Ok(())),
        Err(e) => (None, Err(e)),
    };
    let mut run = Run {
        election,
        c,
        fp: *election.fingerprint().as_bytes(),
        styles: BTreeMap::new(),
        r4: Ok(()),
        r5: Ok(()),
        r6: Ok(()),
        r7: Ok(()),
        r8: Ok(()),
        r16,
        n5: 0,
        n8: 0,
        list,
        remote_base: u32::try_from(districts.len()).unwrap_or(u32::MAX),
        file_no: 0,
        codes: Traces::new(buffer),
        alphas: Traces::new(buffer),
        chains: BTreeMap::new(),
        previous: None,
        sums: BTreeMap::new(),
    };
    for (i, loc) in districts.iter().enumerate() {
        run.file_no = u32::try_from(i).unwrap_or(u32::MAX);
        if !run.file(st, loc) {
            break;
        }
        if run.list.is_some() {
            run.remote_file(st, loc, run.remote_base.saturating_add(run.file_no));
        }
    }
    if run.r6.is_ok() {
        run.r6 = first_duplicate(st, districts, &mut run.codes, &mut run.alphas);
    }
    let ok4 = run.r4.is_ok();
    let unread = || fail("ballots", "not every ballot could be read (check 4)");
    if run.r7.is_ok() {
        run.r7 = check_devices(st, districts, &run.chains, &run.fp);
    }
    let r5 = match run.r5 {
        Ok(()) if !ok4 => Err(unread()),
        r => r,
    };
    let r6 = match run.r6 {
        Ok(()) if !ok4 => Err(unread()),
        r => r,
    };
    let r7 = match run.r7 {
        Ok(()) if !ok4 => Err(unread()),
        r => r,
    };
    let r8 = match run.r8 {
        Ok(()) if !ok4 => Err(unread()),
        r => r,
    };
    let n = st.figures.ballots;
    let ok = [
        st.record(4, n, run.r4),
        st.record(5, run.n5, r5),
        st.record(6, n, r6),
        st.record(7, n, r7),
        st.record(8, run.n8, r8),
        st.record(16, st.figures.remote, run.r16),
    ]
    .iter()
    .all(|x| *x);
    BallotsOutcome {
        ok,
        sums: run.sums,
        devices: run.chains.into_keys().collect(),
        alphas: run.alphas,
    }
}

impl Run<'_> {
    /// One district's ballot file. Returns false when reading must stop (check 4 failed).
    fn file(&mut self, st: &mut State<'_>, loc: &Location) -> bool {
        let path = loc.file("ballots.jsonl");
        let mut reader = match st.open(&path) {
            Ok(r) => r,
            Err(e) => {
                self.r4 = Err(e);
                return false;
            }
        };
        let mut line_no = 0usize;
        loop {
            let (lines, read_err) = read_chunk(&mut reader, &path, &mut line_no);
            if lines.is_empty() && read_err.is_none() {
                break;
            }
            let more = read_err.is_none();
            if !self.chunk(st, loc, &path, lines) {
                return false;
            }
            if let Some(e) = read_err {
                self.r4 = Err(e);
                return false;
            }
            if !more {
                break;
            }
        }
        // the whole file was read: its hash and length for check 15
        st.finish(&path, reader);
        true
    }

    /// One chunk. Returns false when check 4 failed in it.
    fn chunk(
        &mut self,
        st: &mut State<'_>,
        loc: &Location,
        path: &str,
        lines: Vec<(usize, Vec<u8>)>,
    ) -> bool {
        let h = self.election.hierarchy();
        // ---- 4. parse (parallel), styles (in order), decode (parallel)
        let parsed: Vec<(usize, Result<BallotLine, Fail>)> = lines
            .into_par_iter()
            .map(|(n, line)| {
                let name = format!("{path}:{n}");
                let r = from_canonical::<BallotLine>(&name, &line).map_err(|e| fail(&name, e));
                (n, r)
            })
            .collect();
        for (_, raw) in &parsed {
            let Ok(raw) = raw else { break };
            let key = (raw.ballot.station.clone(), raw.ballot.group.clone());
            if !self.styles.contains_key(&key) {
                // an unknown station's style error is reported by the decoding below
                if let Ok(s) = self
                    .election
                    .style(&raw.ballot.station, raw.ballot.group.as_deref())
                {
                    self.styles.insert(key, s);
                }
            }
        }
        let election = self.election;
        let styles = &self.styles;
        let decoded: Vec<Result<Ballot, Fail>> = parsed
            .into_par_iter()
            .map(|(n, raw)| {
                let raw = raw?;
                match decode(election, styles, h, loc, &raw) {
                    Ok((contests, canonical)) => Ok(Ballot {
                        file: path.to_owned(),
                        line: n,
                        raw,
                        contests,
                        canonical,
                    }),
                    Err(reason) => Err(fail(format!("{path}:{n} (ballot {})", raw.code), reason)),
                }
            })
            .collect();
        let mut ballots = Vec::with_capacity(decoded.len());
        let mut r4 = Ok(());
        for d in decoded {
            match d {
                Ok(b) => ballots.push(b),
                Err(e) => {
                    r4 = Err(e);
                    break;
                }
            }
        }
        let f = &mut st.figures;
        f.ballots += ballots.len() as u64;
        f.cast += ballots.iter().filter(|b| b.raw.status == "cast").count() as u64;
        f.challenged += ballots
            .iter()
            .filter(|b| b.raw.status == "challenged")
            .count() as u64;
        f.selections += ballots
            .iter()
            .flat_map(|b| b.contests.iter())
            .map(|c| c.selections.len() as u64)
            .sum::<u64>();
        self.proofs(&ballots);
        self.duplicates(&ballots);
        self.chain(&ballots);
        self.openings(&ballots);
        self.add_cast(&ballots);
        if r4.is_err() {
            self.r4 = r4;
            return false;
        }
        true
    }

    /// 5. Range and limit proofs, batched (in parallel inside the batch verifier).
    fn proofs(&mut self, ballots: &[Ballot]) {
        let ctx = &self.c.ctx;
        let owned: Vec<(String, &BallotContext, &[EncryptedContest])> = ballots
            .iter()
            .map(|b| (b.name(), ctx, b.contests.as_slice()))
            .collect();
        let r = batch_proofs(self.election, &owned, &mut self.n5, self.r5.is_ok());
        if self.r5.is_ok() {
            self.r5 = r;
        }
    }

    /// 6 (first half). The traces of the codes and selection ciphertexts.
    fn duplicates(&mut self, ballots: &[Ballot]) {
        let file = self.file_no;
        let traced: Vec<(usize, &str, &[EncryptedContest])> = ballots
            .iter()
            .map(|b| (b.line, b.raw.code.as_str(), b.contests.as_slice()))
            .collect();
        self.trace(file, &traced);
    }

    /// 6 (first half), for any ballots: `(line, code, contests)` of file number `file`.
    fn trace(&mut self, file: u32, ballots: &[(usize, &str, &[EncryptedContest])]) {
        if self.r6.is_err() {
            return;
        }
        let r = (|| {
            for (line, code, contests) in ballots {
                let line = *line as u64;
                let key = key16(&sha256(code.as_bytes()));
                self.codes.push(Trace {
                    key,
                    file,
                    line,
                    sub: 0,
                })?;
                let selections = contests.iter().flat_map(|c| c.selections.iter());
                for (rank, s) in (1u32..).zip(selections) {
                    let key = key16(s.ciphertext.alpha().as_bytes());
                    self.alphas.push(Trace {
                        key,
                        file,
                        line,
                        sub: rank,
                    })?;
                }
            }
            Ok(())
        })();
        if let Err(e) = r {
            self.r6 = Err(spill_fail(&e));
        }
    }

    /// 7. The chain of confirmation codes of each device.
    fn chain(&mut self, ballots: &[Ballot]) {
        if self.r7.is_err() {
            return;
        }
        for b in ballots {
            if let Err(e) = self.chain_one(b) {
                self.r7 = Err(e);
                return;
            }
        }
    }

    fn chain_one(&mut self, b: &Ballot) -> Result<(), Fail> {
        let fp = &self.fp;
        let dev = &b.raw.ballot.device;
        let seq = b.raw.ballot.seq;
        if let Some((file, d, s)) = &self.previous {
            if file == &b.file && (d.as_str(), *s) >= (dev.as_str(), seq) {
                return Err(fail(
                    b.name(),
                    "ballots not in order of device and sequence number",
                ));
            }
        }
        self.previous = Some((b.file.clone(), dev.clone(), seq));
        let entry = self.chains.entry(dev.clone()).or_insert_with(|| {
            (
                b.raw.ballot.station.clone(),
                chain_start(fp, dev),
                0,
                b.file.clone(),
            )
        });
        if entry.0 != b.raw.ballot.station || entry.3 != b.file {
            return Err(fail(
                b.name(),
                format!("device {dev} appears at two stations or in two files"),
            ));
        }
        if seq != entry.2 + 1 {
            return Err(fail(
                b.name(),
                format!(
                    "sequence number {seq} where {} follows on device {dev}",
                    entry.2 + 1
                ),
            ));
        }
        if b.raw.prev_code != to_hex(&entry.1) {
            return Err(fail(
                b.name(),
                "previous code is not the device's last code",
            ));
        }
        let code = confirmation_code(fp, dev, &entry.1, &b.canonical);
        if to_hex(&code) != b.raw.code {
            return Err(fail(
                b.name(),
                "confirmation code is not the hash of the chain and the ballot",
            ));
        }
        entry.1 = code;
        entry.2 += 1;
        Ok(())
    }

    /// 8. Challenged ballots re-encrypt from their openings (in parallel).
    fn openings(&mut self, ballots: &[Ballot]) {
        let challenged: Vec<&Ballot> = ballots
            .iter()
            .filter(|b| b.raw.status == "challenged")
            .collect();
        self.n8 += challenged.len() as u64;
        if self.r8.is_err() {
            return;
        }
        let (election, c) = (self.election, self.c);
        let bad = challenged
            .par_iter()
            .map(|b| check_opening(election, c, &b.raw, &b.contests).map_err(|r| fail(b.name(), r)))
            .find_first(Result::is_err);
        if let Some(Err(e)) = bad {
            self.r8 = Err(e);
        }
    }

    /// 9 (first half). Cast ballots into their station's sums.
    fn add_cast(&mut self, ballots: &[Ballot]) {
        for b in ballots.iter().filter(|b| b.raw.status == "cast") {
            self.add(&b.raw.ballot.station, &b.contests);
        }
    }

    /// 9 (first half). One counted ballot into `station`'s sums.
    fn add(&mut self, station: &str, contests: &[EncryptedContest]) {
        let unit = self.sums.entry(station.to_owned()).or_default();
        for c in contests {
            let e = unit
                .entry(c.contest_id.clone())
                .or_insert_with(|| (0, vec![AggregateCiphertext::zero(); c.selections.len()]));
            e.0 += 1;
            for (a, s) in e.1.iter_mut().zip(&c.selections) {
                a.add(&s.ciphertext);
            }
        }
    }

    /// One district's remote ballots (check 16, and their part of checks 5, 6 and 9), read
    /// in chunks like the ballot files. Stops at the first failure of check 16.
    fn remote_file(&mut self, st: &mut State<'_>, loc: &Location, file_no: u32) {
        let Some(list) = self.list else { return };
        if self.r16.is_err() {
            return;
        }
        let path = loc.file(REMOTE);
        let mut reader = match st.open(&path) {
            Ok(r) => r,
            Err(e) => {
                self.r16 = Err(e);
                return;
            }
        };
        let mut status = StatusCheck::default();
        let mut line_no = 0usize;
        loop {
            let (lines, read_err) = read_chunk(&mut reader, &path, &mut line_no);
            if lines.is_empty() && read_err.is_none() {
                break;
            }
            let (election, ctx) = (self.election, &self.c.ctx);
            let decoded: Vec<Result<(usize, RemoteLine, DecodedRemote), Fail>> = lines
                .into_par_iter()
                .map(|(n, bytes)| {
                    let at = format!("{path}:{n}");
                    let line: RemoteLine = from_canonical(&at, &bytes).map_err(|e| fail(&at, e))?;
                    let d = decode_line(election, ctx, list, Some(loc), &line)
                        .map_err(|r| fail(format!("{at} (remote ballot {})", line.code), r))?;
                    Ok((n, line, d))
                })
                .collect();
            let mut ok = Vec::with_capacity(decoded.len());
            for d in decoded {
                let checked = d.and_then(|(n, line, d)| {
                    status.next(d.credential, &line, n).map_err(|r| {
                        fail(format!("{path}:{n} (remote ballot {})", line.code), r)
                    })?;
                    Ok((n, line, d))
                });
                match checked {
                    Ok(x) => ok.push(x),
                    Err(e) => {
                        self.r16 = Err(e);
                        break;
                    }
                }
            }
            let f = &mut st.figures;
            f.remote += ok.len() as u64;
            f.remote_counted += ok.iter().filter(|(_, l, _)| l.is_counted()).count() as u64;
            f.selections += ok
                .iter()
                .flat_map(|(_, _, d)| d.contests.iter())
                .map(|c| c.selections.len() as u64)
                .sum::<u64>();
            let owned: Vec<(String, &BallotContext, &[EncryptedContest])> = ok
                .iter()
                .map(|(n, l, d)| {
                    (
                        format!("{path}:{n} (remote ballot {})", l.code),
                        &d.context,
                        d.contests.as_slice(),
                    )
                })
                .collect();
            let r = batch_proofs(self.election, &owned, &mut self.n5, self.r5.is_ok());
            if self.r5.is_ok() {
                self.r5 = r;
            }
            let traced: Vec<(usize, &str, &[EncryptedContest])> = ok
                .iter()
                .map(|(n, l, d)| (*n, l.code.as_str(), d.contests.as_slice()))
                .collect();
            self.trace(file_no, &traced);
            for (_, l, d) in ok.iter().filter(|(_, l, _)| l.is_counted()) {
                self.add(&l.ballot.station, &d.contests);
            }
            if let Some(e) = read_err {
                self.r16 = Err(e);
            }
            if self.r16.is_err() {
                return;
            }
        }
        if let Some((k, n)) = status.uncounted_last() {
            self.r16 = Err(fail(
                format!("{path}:{n}"),
                format!(
                    "status: the last ballot of credential {} is not marked counted",
                    hex::encode(k)
                ),
            ));
            return;
        }
        st.finish(&path, reader);
    }
}

/// Reads the next chunk of at most [`CHUNK_LINES`] lines and [`CHUNK_BYTES`] bytes (at least
/// one line), each without its `\n`, numbered from `line_no + 1`; and the read error that
/// ended it, if any.
fn read_chunk(
    reader: &mut super::Hashing<'_>,
    path: &str,
    line_no: &mut usize,
) -> (Vec<(usize, Vec<u8>)>, Option<Fail>) {
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut bytes = 0usize;
    while lines.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {
                *line_no += 1;
                if line.pop() != Some(b'\n') {
                    let e = fail(
                        format!("{path}:{line_no}"),
                        format!("{path}: last line not terminated"),
                    );
                    return (lines, Some(e));
                }
                bytes += line.len();
                lines.push((*line_no, line));
            }
            Err(e) => return (lines, Some(fail(path, e))),
        }
    }
    (lines, None)
}

/// Check 5 on `ballots` (name, context, contests): their range and limit proofs, batched;
/// counts the contests in `n5`. With `check` false, only counts.
fn batch_proofs(
    election: &Election,
    ballots: &[(String, &BallotContext, &[EncryptedContest])],
    n5: &mut u64,
    check: bool,
) -> Result<(), Fail> {
    let mut items = Vec::new();
    let mut owner = Vec::new();
    for (bi, (_, ctx, contests)) in ballots.iter().enumerate() {
        for contest in *contests {
            if let Some(desc) = election.descriptions().get(&contest.contest_id) {
                items.push(ContestItem { ctx, desc, contest });
                owner.push(bi);
            }
        }
    }
    *n5 += items.len() as u64;
    if !check {
        return Ok(());
    }
    let mut rng = rand::rng();
    if let Some(e) = sanduq_crypto::batch::failing_items(&items, &mut rng).first() {
        let name = owner
            .get(e.index)
            .and_then(|i| ballots.get(*i))
            .map_or("?", |b| b.0.as_str());
        let contest = items
            .get(e.index)
            .map_or("?", |i| i.contest.contest_id.as_str());
        return Err(fail(format!("{name} contest {contest}"), &e.error));
    }
    Ok(())
}

fn spill_fail(e: &std::io::Error) -> Fail {
    fail("temporary file of check 6", e)
}

/// 6 (second half). The first code or selection ciphertext read a second time, named as it
/// was read: the runs of both sets of traces merged, and that ballot's line read again.
fn first_duplicate(
    st: &State<'_>,
    districts: &[Location],
    codes: &mut Traces,
    alphas: &mut Traces,
) -> Result<(), Fail> {
    let code = codes.first_repeat().map_err(|e| spill_fail(&e))?;
    let alpha = alphas.first_repeat().map_err(|e| spill_fail(&e))?;
    // a ballot's code is traced before its selections (sub 0 against 1 and up)
    let first = match (code, alpha) {
        (Some(c), Some(a)) => Some(if c.place() <= a.place() { c } else { a }),
        (c, a) => c.or(a),
    };
    let Some(t) = first else { return Ok(()) };
    // ballot files are numbered 0.., remote files after them
    let (path, remote) = match usize::try_from(t.file).ok() {
        Some(i) if i < districts.len() => {
            (districts.get(i).map(|l| l.file("ballots.jsonl")), false)
        }
        Some(i) => (
            districts.get(i - districts.len()).map(|l| l.file(REMOTE)),
            true,
        ),
        None => (None, false),
    };
    let path = path.unwrap_or_else(|| "?".to_owned());
    let raw = reread(st, &path, t.line, remote);
    let name = match &raw {
        Some((code, _)) if remote => format!("{path}:{} (remote ballot {code})", t.line),
        Some((code, _)) => format!("{path}:{} (ballot {code})", t.line),
        None => format!("{path}:{}", t.line),
    };
    if t.sub == 0 {
        return Err(fail(name, "this confirmation code appears twice"));
    }
    let selection = raw.as_ref().and_then(|(_, contests)| {
        contests
            .iter()
            .flat_map(|c| c.selections.iter().map(move |s| (&c.contest, &s.id)))
            .nth(usize::try_from(t.sub - 1).ok()?)
    });
    let object = match selection {
        Some((contest, id)) => format!("{name} contest {contest} selection {id}"),
        None => name,
    };
    Err(fail(object, "this ciphertext appears in another ballot"))
}

/// Line `line` (from 1) of a ballot file (or, with `remote`, a remote-ballot file), parsed
/// again: its code and contests.
fn reread(
    st: &State<'_>,
    path: &str,
    line: u64,
    remote: bool,
) -> Option<(String, Vec<crate::wire::ContestWire>)> {
    let mut reader = st.open(path).ok()?;
    let mut buf = Vec::new();
    for _ in 0..line {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).ok()? == 0 {
            return None;
        }
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if remote {
        let l = from_canonical::<RemoteLine>(path, &buf).ok()?;
        Some((l.code, l.ballot.contests))
    } else {
        let l = from_canonical::<BallotLine>(path, &buf).ok()?;
        Some((l.code, l.ballot.contests))
    }
}

/// Check 4 on one parsed line: station, status, style, candidates, encodings. Returns the
/// decoded contests and the canonical JSON of the `ballot` object.
fn decode(
    election: &Election,
    styles: &BTreeMap<(String, Option<String>), Vec<String>>,
    h: &crate::hierarchy::Hierarchy,
    loc: &Location,
    raw: &BallotLine,
) -> Result<(Vec<EncryptedContest>, Vec<u8>), String> {
    if location_of(h, &raw.ballot.station).as_ref() != Some(loc)
        || h.unit(&raw.ballot.station).map(|u| u.level) != Some(Level::Station)
    {
        return Err(format!(
            "station {} is not a polling station of this district",
            raw.ballot.station
        ));
    }
    match (raw.status.as_str(), raw.opening.is_some()) {
        ("cast", false) | ("challenged", true) => {}
        _ => {
            return Err(format!(
                "status {:?} with{} an opening",
                raw.status,
                if raw.opening.is_some() { "" } else { "out" }
            ));
        }
    }
    let key = (raw.ballot.station.clone(), raw.ballot.group.clone());
    let style = match styles.get(&key) {
        Some(s) => s.clone(),
        None => election
            .style(&raw.ballot.station, raw.ballot.group.as_deref())
            .map_err(|e| e.to_string())?,
    };
    let have: Vec<&str> = raw
        .ballot
        .contests
        .iter()
        .map(|c| c.contest.as_str())
        .collect();
    if have != style.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(format!(
            "contests {have:?} are not the ballot style {style:?}"
        ));
    }
    let mut out = Vec::with_capacity(raw.ballot.contests.len());
    for cw in &raw.ballot.contests {
        let desc = election
            .descriptions()
            .get(&cw.contest)
            .ok_or_else(|| format!("unknown contest {}", cw.contest))?;
        let ids: Vec<&str> = cw.selections.iter().map(|s| s.id.as_str()).collect();
        if ids
            != desc
                .selection_ids()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        {
            return Err(format!(
                "contest {}: selections are not the manifest's candidates",
                cw.contest
            ));
        }
        out.push(contest_from_wire(cw).map_err(|e| format!("contest {}: {e}", cw.contest))?);
    }
    let canonical = to_canonical(&raw.ballot).map_err(|e| e.to_string())?;
    Ok((out, canonical))
}

/// Check 7, second half: every device's closing entry in its district's `devices.json`.
fn check_devices(
    st: &State<'_>,
    districts: &[Location],
    chains: &Chains,
    fp: &[u8; 32],
) -> Result<(), Fail> {
    let mut listed = std::collections::BTreeSet::new();
    for loc in districts {
        let path = loc.file("devices.json");
        let file: DevicesFile = st.json(&path)?;
        if let Location::District { district, .. } = loc {
            if &file.district != district {
                return Err(fail(&path, "names another district"));
            }
        }
        let mut prev: Option<&str> = None;
        for d in &file.devices {
            if prev.is_some_and(|p| p >= d.device.as_str()) {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    "devices not in increasing order",
                ));
            }
            prev = Some(&d.device);
            listed.insert(d.device.clone());
            let (station, last, count, bfile) =
                chains.get(&d.device).cloned().unwrap_or_else(|| {
                    (
                        d.station.clone(),
                        chain_start(fp, &d.device),
                        0,
                        loc.file("ballots.jsonl"),
                    )
                });
            if station != d.station || bfile != loc.file("ballots.jsonl") {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    "station or district differs from its ballots'",
                ));
            }
            if count != d.ballots {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    format!(
                        "{} ballots recorded, the device closed with {}",
                        count, d.ballots
                    ),
                ));
            }
            if to_hex(&chain_close(fp, &d.device, &last, count)) != d.closing {
                return Err(fail(
                    format!("{path} device {}", d.device),
                    "closing value does not match the chain of its ballots",
                ));
            }
        }
    }
    if let Some(dev) = chains.keys().find(|d| !listed.contains(*d)) {
        return Err(fail(
            format!("device {dev}"),
            "has ballots but no closing entry",
        ));
    }
    Ok(())
}

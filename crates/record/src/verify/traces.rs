//! The traces of check 6 (duplicates) in bounded memory.
//!
//! A [`Traces`] takes 32-byte records — a 16-byte trace and the place it comes from (ballot
//! file, line, and the selection within the ballot) — into a buffer of at most `cap`
//! records. A full buffer is sorted and written to an anonymous temporary file as one run,
//! then emptied; whenever [`FAN_IN`] runs of one size are on disk they are merged into one
//! run of the next size, so there are at most `FAN_IN - 1` runs of each size and
//! 1 + log_FAN_IN(records / cap) sizes. Reading back merges the runs and the buffer (k-way,
//! with a heap holding one record per run), giving every record in order of trace, then
//! place. Memory is therefore `cap` records plus one read buffer and one heap entry per run:
//! O(cap + runs), not O(records); a set that fits in the buffer never touches the disk.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Default buffer of one set of traces, in records (32 bytes each: 2 MiB).
pub(crate) const TRACE_BUFFER: usize = 1 << 16;

/// Bytes of one record in a run.
const RECORD: usize = 32;

/// Read buffer of one run while merging.
const RUN_READ: usize = 8 << 10;

/// Most runs of one size: that many are merged into one run of the next size.
const FAN_IN: usize = 32;

/// A trace and its place: ordered by trace, then file, line and selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Trace {
    /// The first 16 bytes of the traced value (or of its digest).
    pub(crate) key: u128,
    /// Index of the ballot file in the order the files are read.
    pub(crate) file: u32,
    /// Line in the ballot file (from 1).
    pub(crate) line: u64,
    /// 0 for the ballot's code; 1 + the selection's rank in the ballot for its `α`.
    pub(crate) sub: u32,
}

impl Trace {
    /// Where the trace was read: file, line, selection.
    pub(crate) fn place(&self) -> (u32, u64, u32) {
        (self.file, self.line, self.sub)
    }

    fn to_bytes(self) -> [u8; RECORD] {
        let mut out = Vec::with_capacity(RECORD);
        out.extend_from_slice(&self.key.to_be_bytes());
        out.extend_from_slice(&self.file.to_be_bytes());
        out.extend_from_slice(&self.line.to_be_bytes());
        out.extend_from_slice(&self.sub.to_be_bytes());
        array(&out)
    }

    fn from_bytes(b: &[u8; RECORD]) -> Trace {
        let (key, rest) = b.split_at(16);
        let (file, rest) = rest.split_at(4);
        let (line, sub) = rest.split_at(8);
        Trace {
            key: u128::from_be_bytes(array(key)),
            file: u32::from_be_bytes(array(file)),
            line: u64::from_be_bytes(array(line)),
            sub: u32::from_be_bytes(array(sub)),
        }
    }
}

fn array<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    for (d, x) in a.iter_mut().zip(s) {
        *d = *x;
    }
    a
}

/// A set of traces kept in sorted runs of at most `cap` records.
#[derive(Debug)]
pub(crate) struct Traces {
    cap: usize,
    buf: Vec<Trace>,
    /// The runs, each with its size class (0 for a spilled buffer, n + 1 for a merge of
    /// [`FAN_IN`] runs of class n), classes not increasing.
    runs: Vec<(u32, File)>,
}

impl Default for Traces {
    fn default() -> Self {
        Traces::new(TRACE_BUFFER)
    }
}

impl Traces {
    /// An empty set with a buffer of `cap` records (at least one).
    pub(crate) fn new(cap: usize) -> Traces {
        Traces {
            cap: cap.max(1),
            buf: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Add a trace; a full buffer is written out as a run.
    pub(crate) fn push(&mut self, t: Trace) -> io::Result<()> {
        self.buf.push(t);
        if self.buf.len() >= self.cap {
            self.spill()?;
        }
        Ok(())
    }

    /// Number of runs written to disk.
    #[cfg(test)]
    pub(crate) fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buf.sort_unstable();
        let mut w = BufWriter::new(tempfile::tempfile()?);
        for t in self.buf.drain(..) {
            w.write_all(&t.to_bytes())?;
        }
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        self.runs.push((0, file));
        // FAN_IN runs of one class become one of the next: at most FAN_IN - 1 runs per class
        loop {
            let n = self.runs.len();
            let Some(class) = self.runs.last().map(|r| r.0) else {
                break;
            };
            let Some(tail) = n.checked_sub(FAN_IN).and_then(|i| self.runs.get(i..)) else {
                break;
            };
            if tail.iter().any(|r| r.0 != class) {
                break;
            }
            let merged = {
                let mut w = BufWriter::new(tempfile::tempfile()?);
                for t in Merged::new(&[], tail)? {
                    w.write_all(&t?.to_bytes())?;
                }
                w.into_inner().map_err(io::IntoInnerError::into_error)?
            };
            self.runs.truncate(n - FAN_IN);
            self.runs.push((class + 1, merged));
        }
        Ok(())
    }

    /// Every trace, in order of trace then place.
    pub(crate) fn merged(&mut self) -> io::Result<Merged<'_>> {
        self.buf.sort_unstable();
        Merged::new(&self.buf, &self.runs)
    }

    /// The distinct traces, in increasing order, as they are merged.
    pub(crate) fn sorted_keys(&mut self) -> io::Result<impl Iterator<Item = io::Result<u128>>> {
        let mut last = None;
        Ok(self.merged()?.filter_map(move |t| match t {
            Ok(t) if last == Some(t.key) => None,
            Ok(t) => {
                last = Some(t.key);
                Some(Ok(t.key))
            }
            Err(e) => Some(Err(e)),
        }))
    }

    /// The repeated trace read first (the second reading of its value, earliest in place
    /// over all repeated values), if any.
    pub(crate) fn first_repeat(&mut self) -> io::Result<Option<Trace>> {
        let mut best: Option<Trace> = None;
        let mut prev: Option<Trace> = None;
        for t in self.merged()? {
            let t = t?;
            if let Some(p) = prev {
                // the group's second record is its earliest repeat: later ones come after it
                if p.key == t.key && best.is_none_or(|b| t.place() < b.place()) {
                    best = Some(t);
                }
            }
            prev = Some(t);
        }
        Ok(best)
    }
}

/// The k-way merge of a set's runs and buffer.
pub(crate) struct Merged<'t> {
    mem: std::slice::Iter<'t, Trace>,
    readers: Vec<BufReader<&'t File>>,
    heap: BinaryHeap<Reverse<(Trace, usize)>>,
}

impl<'t> Merged<'t> {
    /// The merge of `runs` (each read from its start) and of the sorted `mem`.
    fn new(mem: &'t [Trace], runs: &'t [(u32, File)]) -> io::Result<Merged<'t>> {
        let mut readers = Vec::with_capacity(runs.len());
        for r in runs {
            let mut f = &r.1;
            f.seek(SeekFrom::Start(0))?;
            readers.push(BufReader::with_capacity(RUN_READ, f));
        }
        let mut m = Merged {
            mem: mem.iter(),
            readers,
            heap: BinaryHeap::new(),
        };
        for i in 0..=m.readers.len() {
            if let Some(t) = m.pull(i)? {
                m.heap.push(Reverse((t, i)));
            }
        }
        Ok(m)
    }

    /// The next record of source `i` (a run, or the buffer when `i` is the number of runs).
    fn pull(&mut self, i: usize) -> io::Result<Option<Trace>> {
        let Some(r) = self.readers.get_mut(i) else {
            return Ok(self.mem.next().copied());
        };
        if r.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let mut b = [0u8; RECORD];
        r.read_exact(&mut b)?;
        Ok(Some(Trace::from_bytes(&b)))
    }
}

impl Iterator for Merged<'_> {
    type Item = io::Result<Trace>;

    fn next(&mut self) -> Option<io::Result<Trace>> {
        let Reverse((t, i)) = self.heap.pop()?;
        match self.pull(i) {
            Ok(Some(n)) => self.heap.push(Reverse((n, i))),
            Ok(None) => {}
            Err(e) => {
                self.heap.clear();
                return Some(Err(e));
            }
        }
        Some(Ok(t))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn t(key: u128, file: u32, line: u64, sub: u32) -> Trace {
        Trace {
            key,
            file,
            line,
            sub,
        }
    }

    fn keys(s: &mut Traces) -> Vec<u128> {
        s.sorted_keys().unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_record_survives_its_bytes() {
        let x = t(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10, 7, 1 << 40, 21);
        assert_eq!(Trace::from_bytes(&x.to_bytes()), x);
    }

    #[test]
    fn a_set_within_the_buffer_stays_in_memory() {
        let mut s = Traces::new(4);
        for k in [3, 1, 2] {
            s.push(t(k, 0, k as u64, 0)).unwrap();
        }
        assert_eq!(s.runs(), 0);
        assert_eq!(keys(&mut s), vec![1, 2, 3]);
        assert_eq!(s.first_repeat().unwrap(), None);
    }

    #[test]
    fn runs_merge_in_order_and_the_first_repeat_is_found() {
        // keys 100, 99, ..., 1 on lines 1..=100, then key 50 again on line 101 and key 7
        // on line 102: 50 is read again first (line 101), in the last run; 7 after it
        let mut s = Traces::new(3);
        for line in 1..=100u64 {
            s.push(t(u128::from(101 - line), 0, line, 0)).unwrap();
        }
        s.push(t(50, 0, 101, 0)).unwrap();
        s.push(t(7, 0, 102, 0)).unwrap();
        // 102 records in runs of 3: 34 spilled runs, 32 of them merged into one, empty buffer
        assert_eq!(s.runs(), 3);
        let all: Vec<Trace> = s.merged().unwrap().map(Result::unwrap).collect();
        assert_eq!(all.len(), 102);
        assert!(all.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(keys(&mut s), (1..=100).collect::<Vec<u128>>());
        assert_eq!(s.first_repeat().unwrap(), Some(t(50, 0, 101, 0)));
    }
}

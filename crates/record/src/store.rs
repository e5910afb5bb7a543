//! Reading and writing a record: a directory, or a single-file archive (POSIX tar) of the
//! same files. The only module of the crate that touches the file system.
//!
//! In memory a record is a map from path (`/`-separated, relative) to bytes; `index.json`
//! lists every other file with its SHA-256 ([`with_index`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::RecordError;
use crate::wire::{IndexEntry, IndexFile, RECORD_FORMAT, to_canonical};

/// The record's files: path → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Name of the index file.
pub const INDEX: &str = "index.json";

/// SHA-256 of bytes.
#[must_use]
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The index of `files` (every file but the index itself).
pub fn index_of(files: &Files) -> Result<Vec<u8>, RecordError> {
    let index = IndexFile {
        format: RECORD_FORMAT.to_owned(),
        files: files
            .iter()
            .filter(|(p, _)| p.as_str() != INDEX)
            .map(|(p, b)| IndexEntry {
                path: p.clone(),
                sha256: hex::encode(sha256(b)),
                bytes: b.len() as u64,
            })
            .collect(),
    };
    to_canonical(&index)
}

/// Add (or replace) `index.json`.
pub fn with_index(mut files: Files) -> Result<Files, RecordError> {
    let index = index_of(&files)?;
    files.insert(INDEX.to_owned(), index);
    Ok(files)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> RecordError + '_ {
    move |error| RecordError::Io {
        path: path.display().to_string(),
        error,
    }
}

/// A safe relative path: plain components only.
fn checked(path: &str) -> Result<&str, RecordError> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && !path.contains('\\');
    if ok {
        Ok(path)
    } else {
        Err(RecordError::file(path, "not a plain relative path"))
    }
}

/// Write the files under `dir` (created if needed; existing files are overwritten).
pub fn write_dir(dir: &Path, files: &Files) -> Result<(), RecordError> {
    for (path, bytes) in files {
        let full = dir.join(checked(path)?);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&full, bytes).map_err(io(&full))?;
    }
    Ok(())
}

/// Read every file under `dir`.
pub fn read_dir(dir: &Path) -> Result<Files, RecordError> {
    let mut out = Files::new();
    for (name, path) in DirSource::new(dir)?.files {
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        out.insert(name, bytes);
    }
    Ok(out)
}

/// Write the files as one deterministic tar archive (sorted paths, mode 0644, time 0).
pub fn write_archive(path: &Path, files: &Files) -> Result<(), RecordError> {
    let file = std::fs::File::create(path).map_err(io(path))?;
    let mut builder = tar::Builder::new(std::io::BufWriter::new(file));
    for (name, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, checked(name)?, bytes.as_slice())
            .map_err(io(path))?;
    }
    builder
        .into_inner()
        .and_then(|mut w| std::io::Write::flush(&mut w))
        .map_err(io(path))?;
    Ok(())
}

/// Read the files of a tar archive. Only regular files are accepted, each once.
pub fn read_archive(path: &Path) -> Result<Files, RecordError> {
    let src = ArchiveSource::new(path)?;
    let mut out = Files::new();
    for name in src.paths() {
        let bytes = src.read(&name)?.into_owned();
        out.insert(name, bytes);
    }
    Ok(out)
}

/// Read a record from a directory or an archive file.
pub fn read(path: &Path) -> Result<Files, RecordError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        read_dir(path)
    } else {
        read_archive(path)
    }
}

/// Where a record's files are read from, one at a time: a directory, an archive, or files
/// already in memory. The verifier streams the large files (`ballots.jsonl`) through
/// [`Source::open`] and reads the others whole with [`Source::read`]; it never needs the
/// whole record in memory.
pub trait Source {
    /// Every file's path (`/`-separated, relative), sorted.
    fn paths(&self) -> Vec<String>;

    /// Whether the record has a file at `path`.
    fn contains(&self, path: &str) -> bool;

    /// A buffered reader over one file's bytes.
    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, RecordError>;

    /// One file, whole.
    fn read(&self, path: &str) -> Result<Cow<'_, [u8]>, RecordError> {
        let mut out = Vec::new();
        self.open(path)?
            .read_to_end(&mut out)
            .map_err(|e| RecordError::file(path, e))?;
        Ok(Cow::Owned(out))
    }
}

fn missing(path: &str) -> RecordError {
    RecordError::file(path, "file missing")
}

/// A record already in memory.
#[derive(Debug, Clone, Copy)]
pub struct MemorySource<'a>(pub &'a Files);

impl Source for MemorySource<'_> {
    fn paths(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }

    fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, RecordError> {
        let bytes = self.0.get(path).ok_or_else(|| missing(path))?;
        Ok(Box::new(bytes.as_slice()))
    }

    fn read(&self, path: &str) -> Result<Cow<'_, [u8]>, RecordError> {
        let bytes = self.0.get(path).ok_or_else(|| missing(path))?;
        Ok(Cow::Borrowed(bytes.as_slice()))
    }
}

/// A record directory: the file list is read once, each file when asked for.
#[derive(Debug, Clone)]
pub struct DirSource {
    files: BTreeMap<String, PathBuf>,
}

impl DirSource {
    /// List the files under `dir`.
    pub fn new(dir: &Path) -> Result<DirSource, RecordError> {
        let mut files = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).map_err(io(&d))? {
                let entry = entry.map_err(io(&d))?;
                let path = entry.path();
                let kind = entry.file_type().map_err(io(&path))?;
                if kind.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(dir)
                        .map_err(|e| RecordError::file(path.display().to_string(), e))?;
                    let name = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    files.insert(name, path);
                }
            }
        }
        Ok(DirSource { files })
    }
}

impl Source for DirSource {
    fn paths(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, RecordError> {
        let full = self.files.get(path).ok_or_else(|| missing(path))?;
        let file = std::fs::File::open(full).map_err(io(full))?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// A record archive (POSIX tar): the archive is scanned once for the position and size of
/// each file; a file is then read by seeking to it.
#[derive(Debug, Clone)]
pub struct ArchiveSource {
    archive: PathBuf,
    /// path → (offset of its bytes, length).
    files: BTreeMap<String, (u64, u64)>,
}

impl ArchiveSource {
    /// Scan the archive at `path`. Only regular files are accepted, each once.
    pub fn new(path: &Path) -> Result<ArchiveSource, RecordError> {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let mut archive = tar::Archive::new(BufReader::new(file));
        let mut files = BTreeMap::new();
        for entry in archive.entries_with_seek().map_err(io(path))? {
            let entry = entry.map_err(io(path))?;
            if entry.header().entry_type() != tar::EntryType::Regular {
                return Err(RecordError::file(
                    path.display().to_string(),
                    "archive holds something other than a regular file",
                ));
            }
            let name = entry
                .path()
                .map_err(io(path))?
                .to_string_lossy()
                .into_owned();
            checked(&name)?;
            let at = (entry.raw_file_position(), entry.size());
            if files.insert(name.clone(), at).is_some() {
                return Err(RecordError::file(name, "appears twice in the archive"));
            }
        }
        Ok(ArchiveSource {
            archive: path.to_path_buf(),
            files,
        })
    }
}

impl Source for ArchiveSource {
    fn paths(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, RecordError> {
        let (offset, len) = *self.files.get(path).ok_or_else(|| missing(path))?;
        let mut file = std::fs::File::open(&self.archive).map_err(io(&self.archive))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(io(&self.archive))?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, file.take(len))))
    }
}

/// Open a record, a directory or an archive file, for reading file by file.
pub fn open(path: &Path) -> Result<Box<dyn Source + Send + Sync>, RecordError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        Ok(Box::new(DirSource::new(path)?))
    } else {
        Ok(Box::new(ArchiveSource::new(path)?))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn dir_and_archive_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let mut files = Files::new();
        files.insert("a/b.json".into(), b"{}".to_vec());
        files.insert("c.jsonl".into(), b"{\"x\":1}\n".to_vec());
        let files = with_index(files).unwrap();
        write_dir(&tmp.path().join("r"), &files).unwrap();
        assert_eq!(read(&tmp.path().join("r")).unwrap(), files);
        write_archive(&tmp.path().join("r.tar"), &files).unwrap();
        assert_eq!(read(&tmp.path().join("r.tar")).unwrap(), files);
        // the same files, one at a time, from both sources
        for src in [
            open(&tmp.path().join("r")).unwrap(),
            open(&tmp.path().join("r.tar")).unwrap(),
        ] {
            assert_eq!(src.paths(), files.keys().cloned().collect::<Vec<_>>());
            for (p, b) in &files {
                assert_eq!(src.read(p).unwrap().as_ref(), b.as_slice());
            }
            assert!(src.read("nope").is_err());
        }
    }

    #[test]
    fn index_hash_is_sha256_of_the_file() {
        let mut files = Files::new();
        files.insert("x".into(), b"abc".to_vec());
        let index = String::from_utf8(index_of(&files).unwrap()).unwrap();
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert!(index.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assert!(checked("../x").is_err());
        assert!(checked("/x").is_err());
    }
}

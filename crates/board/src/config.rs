//! The log server's configuration file (`docs/spec/board-server.md` §6), TOML:
//!
//! ```toml
//! listen = "127.0.0.1:8080"        # port 0 picks a free port
//! data_dir = "board-data"          # relative paths are relative to this file
//! log_key_file = "log.key"         # PRIVATE+KEY+<origin>+... (sanduq board keygen --log)
//! election = "<64 hex digits>"     # the election fingerprint
//! quorum = 2                       # k of the n witnesses below
//!
//! [[witness]]
//! url = "http://127.0.0.1:9001"
//! key = "witness.kandahar.example/sanduq+1234abcd+BA..."
//!
//! [limits]                         # optional, every field optional
//! max_batch = 256
//! batch_window_ms = 2
//! queue = 16384
//! request_timeout_ms = 10000
//! max_artefact_len = 16777216
//! publish_interval_ms = 500
//! witness_timeout_ms = 5000
//! ```
//!
//! Unknown fields are errors; every error names the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sanduq_tlog::signed_note::Verifier;

use crate::envelope::Fingerprint;
use crate::server::{Limits, ServerConfig, WitnessEndpoint};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: SocketAddr,
    data_dir: PathBuf,
    log_key_file: PathBuf,
    election: String,
    quorum: usize,
    #[serde(default)]
    witness: Vec<RawWitness>,
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWitness {
    url: String,
    key: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_batch: Option<usize>,
    batch_window_ms: Option<u64>,
    queue: Option<usize>,
    request_timeout_ms: Option<u64>,
    max_artefact_len: Option<usize>,
    publish_interval_ms: Option<u64>,
    witness_timeout_ms: Option<u64>,
}

/// A configuration error, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ConfigError {
    /// The file at fault.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct FileConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The engine's configuration.
    pub server: ServerConfig,
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
    let fail = |p: &Path, reason: String| ConfigError {
        path: p.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(path, e.to_string()))?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| fail(path, e.to_string()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let key_path = base.join(&raw.log_key_file);
    let key_text =
        std::fs::read_to_string(&key_path).map_err(|e| fail(&key_path, e.to_string()))?;
    let log_signer =
        crate::keys::log_signer(&key_text).map_err(|e| fail(&key_path, e.to_string()))?;
    let election = Fingerprint::from_hex(&raw.election).ok_or_else(|| {
        fail(
            path,
            "field `election` is not 64 lower-case hex digits".to_owned(),
        )
    })?;
    let mut witnesses = Vec::new();
    for (i, w) in raw.witness.iter().enumerate() {
        let key = match Verifier::from_vkey(&w.key) {
            Ok(Verifier::CosignatureV1(v)) => v,
            Ok(_) => {
                return Err(fail(
                    path,
                    format!("witness {}: key is not a cosignature/v1 key", i + 1),
                ));
            }
            Err(e) => return Err(fail(path, format!("witness {}: key: {e}", i + 1))),
        };
        witnesses.push(WitnessEndpoint {
            url: w.url.clone(),
            key,
        });
    }
    if raw.quorum == 0 || raw.quorum > witnesses.len() {
        return Err(fail(
            path,
            format!(
                "field `quorum` is {} but must be within 1..={} (the witnesses listed)",
                raw.quorum,
                witnesses.len()
            ),
        ));
    }
    let d = Limits::default();
    let ms = |v: Option<u64>, d: Duration| v.map_or(d, Duration::from_millis);
    let l = &raw.limits;
    let limits = Limits {
        max_batch: l.max_batch.unwrap_or(d.max_batch).max(1),
        batch_window: ms(l.batch_window_ms, d.batch_window),
        queue: l.queue.unwrap_or(d.queue).max(1),
        request_timeout: ms(l.request_timeout_ms, d.request_timeout),
        max_artefact_len: l.max_artefact_len.unwrap_or(d.max_artefact_len),
        publish_interval: ms(l.publish_interval_ms, d.publish_interval),
        witness_timeout: ms(l.witness_timeout_ms, d.witness_timeout),
    };
    Ok(FileConfig {
        listen: raw.listen,
        server: ServerConfig {
            data_dir: base.join(raw.data_dir),
            log_signer,
            election,
            witnesses,
            quorum: raw.quorum,
            limits,
        },
    })
}

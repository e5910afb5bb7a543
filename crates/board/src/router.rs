//! The log server's HTTP routes (`docs/spec/board-server.md` §3).
//!
//! | route | spec | answer |
//! |---|---|---|
//! | `POST /entry` | board-server §3.1 | submit an envelope; JSON `{"index", "tracking_code", "new"}` once durable |
//! | `PUT /artefact/<sha256>` | board-server §3.2 | store an artefact content-addressed (before its envelope) |
//! | `GET /artefact/<sha256>` | board-server §3.2 | the artefact |
//! | `GET /entry/<index>` | board-server §3.3 | the envelope bytes of a durable entry |
//! | `GET /proof/<tracking code>` | board-server §5 | a receipt against the latest published checkpoint |
//! | `GET /checkpoint` | [tlog-tiles](https://c2sp.org/tlog-tiles), board §4.3 | the latest checkpoint cosigned by a witness quorum |
//! | `GET /tile/<L>/<N>[.p/<W>]` | [tlog-tiles](https://c2sp.org/tlog-tiles) | hash tile within the published size |
//! | `GET /tile/entries/<N>[.p/<W>]` | [tlog-tiles](https://c2sp.org/tlog-tiles) | entry bundle within the published size |
//!
//! # Why updates are atomic
//!
//! Only the committer thread writes entries, one SQLite transaction per batch; the in-memory
//! tree is extended under its write lock only after that transaction committed, so readers
//! see either none or all of a batch, and never an entry that is not durable. The published
//! checkpoint is written to SQLite before it replaces the in-memory one, and it only ever
//! names a size whose entries were durable before it was signed. Tiles and bundles are only
//! served within the published size, where they never change.
//!
//! # Errors
//!
//! Every error answer is JSON `{"error": "<code>"}` with a stable code (listed in the spec);
//! internal errors are logged and answered with a bare 500 `{"error": "internal"}`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::tiles::{self, TILE_HEIGHT, TILE_WIDTH, TilePath};

use crate::envelope::{Envelope, EnvelopeError, MAX_ENVELOPE_LEN, TrackingCode, parse_hex32};
use crate::receipt::Receipt;
use crate::server::{Board, Shared, SubmitOutcome, read};
use crate::validator::Rejection;

/// A failed request. Client errors carry a stable code; internal ones are logged and
/// answered with a bare 500.
#[derive(Debug)]
enum AppError {
    Client(StatusCode, &'static str),
    /// A refused entry: the stable code and the validator's reason (which field, and why).
    Refused(StatusCode, &'static str, String),
    Internal(String),
}

impl AppError {
    fn internal(e: impl core::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}

fn json_error(status: StatusCode, code: &str) -> Response {
    let body = format!("{{\"error\":\"{code}\"}}\n");
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::Client(status, code) => json_error(status, code),
            Self::Refused(status, code, detail) => {
                let body = serde_json::json!({ "error": code, "detail": detail }).to_string();
                (
                    status,
                    [(header::CONTENT_TYPE, "application/json")],
                    body + "\n",
                )
                    .into_response()
            }
            Self::Internal(e) => {
                eprintln!("board: internal error: {e}");
                json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

type AppState = Arc<Shared>;

/// The router of a running [`Board`]. Every route is limited to
/// [`Limits::request_timeout`](crate::server::Limits) and answers errors as JSON codes.
pub fn router(board: &Board) -> Router {
    build(board, true)
}

/// The same routes without a fallback, to be merged into a router that has its own (as
/// `sanduq serve --portal-record` merges them with the pages).
pub fn routes(board: &Board) -> Router {
    build(board, false)
}

fn build(board: &Board, fallback: bool) -> Router {
    let shared = Arc::clone(&board.shared);
    let limits = shared.limits.clone();
    let routes = Router::new()
        .route(
            "/entry",
            post(submit).layer(DefaultBodyLimit::max(MAX_ENVELOPE_LEN)),
        )
        .route(
            "/artefact/{hash}",
            get(get_artefact)
                .put(put_artefact)
                .layer(DefaultBodyLimit::max(limits.max_artefact_len)),
        )
        .route("/entry/{index}", get(get_entry))
        .route("/proof/{code}", get(get_proof))
        .route("/checkpoint", get(get_checkpoint))
        .route("/tile/{*path}", get(get_tile));
    let routes = if fallback {
        routes.fallback(|| async { AppError::Client(StatusCode::NOT_FOUND, "not_found") })
    } else {
        routes
    };
    routes
        .layer(middleware::from_fn_with_state(
            limits.request_timeout,
            guard,
        ))
        .with_state(shared)
}

async fn guard(State(limit): State<std::time::Duration>, req: Request, next: Next) -> Response {
    let r = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => return json_error(StatusCode::SERVICE_UNAVAILABLE, "timeout"),
    };
    // Rejections produced by the framework itself (body too large, wrong method, …) carry
    // a plain-text body; answer them with a stable code as well.
    let is_json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let status = r.status();
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            s if s.is_client_error() => "bad_request",
            _ => "internal",
        };
        return json_error(status, code);
    }
    r
}

fn envelope_error(e: &EnvelopeError) -> AppError {
    let code = match e {
        EnvelopeError::TooLong { .. } => {
            return AppError::Client(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        }
        EnvelopeError::Truncated { .. } | EnvelopeError::Version(_) => "malformed",
        EnvelopeError::Kind
        | EnvelopeError::InlineFlag { .. }
        | EnvelopeError::Trailing(_)
        | EnvelopeError::ContentHash => "non_canonical",
        EnvelopeError::Signer | EnvelopeError::Signature => "bad_signature",
        // a variant added later: refused as malformed until given its own code
        _ => "malformed",
    };
    AppError::Client(StatusCode::BAD_REQUEST, code)
}

async fn submit(State(s): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    if s.failed.load(Ordering::Acquire) {
        return Err(AppError::Client(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ));
    }
    let envelope = Envelope::parse(&body).map_err(|e| envelope_error(&e))?;
    if envelope.election() != s.election {
        return Err(AppError::Client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_election",
        ));
    }
    match s.submit(envelope).await {
        SubmitOutcome::Accepted {
            index,
            tracking_code,
            new,
        } => {
            let body = format!(
                "{{\"index\":{index},\"tracking_code\":\"{tracking_code}\",\"new\":{new}}}\n"
            );
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
        }
        SubmitOutcome::Rejected(r) => {
            let (status, code) = r.status_code();
            let status = StatusCode::from_u16(status).map_err(AppError::internal)?;
            match r {
                Rejection::Invalid(detail) => Err(AppError::Refused(status, code, detail)),
                _ => Err(AppError::Client(status, code)),
            }
        }
        SubmitOutcome::MissingArtefact => Err(AppError::Client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_artefact",
        )),
        SubmitOutcome::Unavailable { busy } => Err(AppError::Client(
            StatusCode::SERVICE_UNAVAILABLE,
            if busy { "busy" } else { "unavailable" },
        )),
    }
}

fn hash_param(p: &str) -> Result<[u8; 32], AppError> {
    parse_hex32(p).ok_or(AppError::Client(StatusCode::BAD_REQUEST, "bad_hash"))
}

async fn put_artefact(
    State(s): State<AppState>,
    Path(hash): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    if s.failed.load(Ordering::Acquire) {
        return Err(AppError::Client(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ));
    }
    let want = hash_param(&hash)?;
    let got: [u8; 32] = {
        use sha2::Digest as _;
        sha2::Sha256::digest(&body).into()
    };
    if got != want {
        return Err(AppError::Client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "content_mismatch",
        ));
    }
    let store = s.artefacts.clone();
    tokio::task::spawn_blocking(move || store.put(&body))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok((StatusCode::CREATED, "").into_response())
}

async fn get_artefact(
    State(s): State<AppState>,
    Path(hash): Path<String>,
) -> Result<Response, AppError> {
    let h = hash_param(&hash)?;
    let store = s.artefacts.clone();
    let bytes = tokio::task::spawn_blocking(move || store.get(&h))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?
        .ok_or(AppError::Client(StatusCode::NOT_FOUND, "not_found"))?;
    Ok(immutable(bytes, "application/octet-stream"))
}

fn immutable(bytes: Vec<u8>, content_type: &'static str) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}

fn canonical_u64(p: &str) -> Option<u64> {
    if p.is_empty() || (p.len() > 1 && p.starts_with('0')) || !p.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    p.parse().ok()
}

async fn get_entry(
    State(s): State<AppState>,
    Path(index): Path<String>,
) -> Result<Response, AppError> {
    let index =
        canonical_u64(&index).ok_or(AppError::Client(StatusCode::BAD_REQUEST, "bad_index"))?;
    if index >= read(&s.tree).size() {
        return Err(AppError::Client(StatusCode::NOT_FOUND, "not_found"));
    }
    let e = s
        .with_reader(|db| db.entry(index))
        .map_err(AppError::internal)?
        .ok_or(AppError::Client(StatusCode::NOT_FOUND, "not_found"))?;
    Ok(immutable(e, "application/octet-stream"))
}

async fn get_checkpoint(State(s): State<AppState>) -> Result<Response, AppError> {
    let p = read(&s.published)
        .clone()
        .ok_or(AppError::Client(StatusCode::NOT_FOUND, "not_found"))?;
    let mut r = (StatusCode::OK, p.note).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

async fn get_proof(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let code = TrackingCode::from_hex(&code).ok_or(AppError::Client(
        StatusCode::BAD_REQUEST,
        "bad_tracking_code",
    ))?;
    let index = s
        .with_reader(|db| db.index_of(&code))
        .map_err(AppError::internal)?
        .ok_or(AppError::Client(StatusCode::NOT_FOUND, "not_found"))?;
    let p = read(&s.published).clone();
    let Some(p) = p.filter(|p| index < p.size) else {
        return Err(AppError::Client(StatusCode::NOT_FOUND, "not_yet_published"));
    };
    let proof = read(&s.tree)
        .inclusion_proof(index, p.size)
        .map_err(AppError::internal)?;
    let entry = s
        .with_reader(|db| db.entry(index))
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::internal("published entry missing"))?;
    let checkpoint = SignedCheckpoint::parse(&p.note).map_err(AppError::internal)?;
    let receipt = Receipt {
        index,
        entry,
        proof,
        checkpoint,
    };
    let mut r = (StatusCode::OK, receipt.to_bytes()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(r)
}

async fn get_tile(
    State(s): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, AppError> {
    let path = format!("tile/{path}");
    let tile =
        TilePath::parse(&path).map_err(|_| AppError::Client(StatusCode::NOT_FOUND, "not_found"))?;
    let published = read(&s.published).as_ref().map_or(0, |p| p.size);
    let not_found = AppError::Client(StatusCode::NOT_FOUND, "not_found");
    match tile {
        TilePath::Hash {
            level,
            index,
            width,
        } => {
            let available = published
                .checked_shr(u32::from(TILE_HEIGHT) * u32::from(level))
                .unwrap_or(0);
            let end = index
                .checked_mul(u64::from(TILE_WIDTH))
                .and_then(|x| x.checked_add(u64::from(width)));
            if end.is_none_or(|e| e > available) {
                return Err(not_found);
            }
            let bytes = tiles::hash_tile_bytes(&*read(&s.tree), level, index, width)
                .map_err(AppError::internal)?;
            Ok(immutable(bytes, "application/octet-stream"))
        }
        TilePath::Entries { index, width } => {
            let start = index.checked_mul(u64::from(TILE_WIDTH)).ok_or(not_found)?;
            let end = start
                .checked_add(u64::from(width))
                .filter(|&e| e <= published)
                .ok_or(AppError::Client(StatusCode::NOT_FOUND, "not_found"))?;
            let entries = s
                .with_reader(|db| db.entries(start, end))
                .map_err(AppError::internal)?;
            if entries.len() as u64 != end - start {
                return Err(AppError::internal(
                    "entries missing below the published size",
                ));
            }
            let bytes = tiles::format_entry_bundle(&entries).map_err(AppError::internal)?;
            Ok(immutable(bytes, "application/octet-stream"))
        }
    }
}

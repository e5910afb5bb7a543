//! The pages of a sanduq election for voters and observers, in Dari, Pashto, Uzbek (Arabic
//! script) and English.
//!
//! - [`portal`]: an election record read once, verified, and indexed;
//! - [`pages`]: the results portal as server-rendered HTML (askama), usable without
//!   JavaScript — drill-down nation → province → district → polling centre → station,
//!   results with seats and reserved seats, charts, turnout, counting progress, anomaly flags,
//!   the verification status, the round-by-round report of each count, downloads; the receipt
//!   check (a tracking code looked up in the record, its code recomputed by the server and, where
//!   JavaScript runs, again in the browser); the voting booth (the ballot encrypted in the
//!   browser by `sanduq-booth-wasm`, reviewed, challenged and opened, and, for a voter signed
//!   in with a credential, cast to the bulletin board);
//! - [`board`]: the bulletin board behind the portal: receipts (entry, inclusion proof,
//!   co-signed checkpoint) fetched and verified, remote ballots passed on;
//! - [`anomaly`]: station-level anomaly flags (pure);
//! - [`i18n`]: locales, fluent messages, locale digits and dates;
//! - [`solar_hijri`]: the Solar Hijri calendar;
//! - [`svg`]: inline SVG charts that respect the reading direction;
//! - [`csv`]: results as CSV.
//!
//! [`router`] gives an axum `Router` that `sanduq portal` serves and that a larger server can
//! mount.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod anomaly;
pub mod board;
pub mod csv;
pub mod i18n;
pub mod pages;
pub mod portal;
pub mod solar_hijri;
pub mod svg;

use std::net::SocketAddr;
use std::sync::Arc;

pub use pages::router;
pub use portal::{Portal, PortalError};

/// Serve the portal on `addr` until the process ends.
pub async fn serve(portal: Arc<Portal>, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router(portal)).await
}

/// Serve the portal on `addr` on a runtime of its own, blocking until the process ends.
/// Prints the address actually bound (useful with port 0) on standard error.
pub fn serve_blocking(portal: Arc<Portal>, addr: SocketAddr) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        eprintln!("portal listening on http://{local}/");
        axum::serve(listener, router(portal)).await
    })
}

//! Running a router on a TCP listener, in the foreground (the `sanduq` commands) or on a
//! background runtime (tests, benchmarks, embedding).

use std::net::SocketAddr;

use axum::Router;
use tokio::sync::oneshot;

/// A server running on its own tokio runtime. Dropping it stops the server.
#[derive(Debug)]
pub struct Background {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    rt: Option<tokio::runtime::Runtime>,
}

impl Background {
    /// Binds `addr` (port 0 picks a free port) and serves `router` on `threads` worker
    /// threads.
    pub fn start(addr: SocketAddr, router: Router, threads: usize) -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .enable_all()
            .build()?;
        let listener = rt.block_on(tokio::net::TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        rt.spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            stop: Some(tx),
            rt: Some(rt),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}

/// Serves `router` on `addr` until the process ends, printing `listening on <addr>` on
/// stdout once bound (so a supervisor that asked for port 0 learns the port).
pub fn serve_forever(addr: SocketAddr, router: Router) -> std::io::Result<()> {
    serve_forever_with(addr, |_| router)
}

/// As [`serve_forever`], the router made once the address is bound (for routes that need
/// the server's own address, such as pages that read the log back over HTTP).
pub fn serve_forever_with(
    addr: SocketAddr,
    make: impl FnOnce(SocketAddr) -> Router,
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = make(addr);
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {addr}")?;
            out.flush()?;
        }
        axum::serve(listener, router).await
    })
}

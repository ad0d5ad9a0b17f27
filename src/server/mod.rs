//! Server: all HTTP code, and only that. A front door answers page requests straight
//! from the running site's snapshot; warp routes answer the rest (search, assets,
//! health, live reload), each handler returning `Result`, with one place
//! ([`failure`]) that turns errors into responses. The server asks the running site
//! ([`crate::app::Live`]) what to serve; requests never touch the file system.
//!
//! - `route`: the route table; `routes`: the handlers; `front`: the front door,
//!   security headers, metrics and the access log for every answer.
//! - `payload`: held documents as responses (codings, validators, 304).
//! - `reply`: response builders; `metrics`: Prometheus text and the query log.

mod failure;
mod front;
mod metrics;
mod payload;
mod reply;
mod route;
mod routes;

use metrics::Metrics;
pub use metrics::QueryLog;

use crate::app::Live;
use crate::error::{Error, Result};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// What the server holds besides the running site: its counters, the query log, the
/// search permits and the signal that ends live-reload streams.
pub struct State {
    live: Arc<Live>,
    metrics: Metrics,
    query_log: Option<QueryLog>,
    /// One permit per core for searches that are not cached.
    searching: Arc<tokio::sync::Semaphore>,
    closing: watch::Sender<bool>,
}

impl State {
    /// Serves `live`; searches that find nothing go to `query_log` when there is one.
    pub fn new(live: Arc<Live>, query_log: Option<QueryLog>) -> State {
        State {
            live,
            metrics: Metrics::default(),
            query_log,
            searching: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, usize::from),
            )),
            closing: watch::channel(false).0,
        }
    }

    /// Counts a search that found `total` pages; one that found nothing goes to the
    /// query log, when there is one.
    fn searched(&self, query: &str, total: usize) {
        self.metrics.search(total);
        if let (0, Some(log)) = (total, &self.query_log) {
            log.record(query);
        }
    }

    /// Ends the live-reload streams, so that a graceful shutdown does not wait on them.
    fn close(&self) {
        let _ = self.closing.send(true);
    }
}

/// Binds `addr`, turning a busy port or a bad address into a clear error.
pub async fn bind(addr: &str) -> Result<TcpListener> {
    let bind_error = |source| Error::Bind {
        addr: addr.to_string(),
        source,
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(addr)
        .await
        .map_err(bind_error)?
        .collect();
    let mut last = std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address to bind");
    for socket in addrs {
        match TcpListener::bind(socket).await {
            Ok(listener) => return Ok(listener),
            Err(error) => last = error,
        }
    }
    Err(bind_error(last))
}

/// How long a client may take to send a request's headers (slow clients hold
/// connections open otherwise).
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `state` on `listener` until `shutdown` resolves, then closes live-reload
/// streams, stops accepting, and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let front = front::Front::new(
        state.clone(),
        hyper_util::service::TowerToHyperService::new(warp::service(routes::all(state.clone()))),
    );
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), front.clone())
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    state.close();
    graceful.shutdown().await;
}

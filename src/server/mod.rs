//! Server: all HTTP code, and only that. A front door answers page requests straight
//! from the running site's snapshot; warp routes answer the rest (search, assets,
//! health, live reload, files beside the pages), each handler returning `Result`, with
//! one place ([`failure`]) that turns errors into responses. The server asks the
//! running site ([`crate::app::Live`]) what to serve; requests touch the file system
//! only through it, to open a file beside the pages.
//!
//! - `route`: the route table; `routes`: the handlers; `front`: the front door,
//!   security headers, metrics and the access log for every answer.
//! - `payload`: held documents as responses (codings, validators, 304).
//! - `file`: files beside the pages as responses (types, ranges, streaming).
//! - `reply`: response builders; `metrics`: Prometheus text and the query log.

mod conn;
mod failure;
mod file;
mod front;
mod metrics;
mod payload;
mod reply;
mod route;
mod routes;

pub use conn::{Limits, raise_file_limit};
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
    /// Whether `/metrics` is served on the site's own address.
    metrics_public: bool,
    metrics: Metrics,
    query_log: Option<QueryLog>,
    /// One permit per core for searches that are not cached.
    searching: Arc<tokio::sync::Semaphore>,
    closing: watch::Sender<bool>,
}

impl State {
    /// Serves `live`; searches that find nothing go to `query_log` when there is one;
    /// `metrics_public` serves `/metrics` beside the site.
    pub fn new(live: Arc<Live>, query_log: Option<QueryLog>, metrics_public: bool) -> State {
        State {
            live,
            metrics_public,
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

    /// Counts an answer and writes its access-log line.
    fn answered(
        &self,
        route: &'static str,
        method: &str,
        path: &str,
        status: u16,
        elapsed: std::time::Duration,
    ) {
        self.metrics.request(route, status, elapsed);
        tracing::info!(
            target: "folio::access",
            method,
            path,
            status,
            ms = elapsed.as_secs_f64() * 1e3,
        );
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

/// How often a peer is pinged on an idle HTTP/2 connection, and how long its answer
/// may take before the connection is closed.
const HTTP2_PING: std::time::Duration = std::time::Duration::from_secs(20);

/// How often running out of file handles is logged at most.
const EXHAUSTION_LOG_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `state` on `listener` under `limits` until `shutdown` resolves, then closes
/// live-reload streams, stops accepting, and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    limits: conn::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    use hyper_util::rt::TokioIo;
    let front = front::Front::new(
        state.clone(),
        hyper_util::service::TowerToHyperService::new(warp::service(routes::all(state.clone()))),
    );
    let builder = protocols(&limits);
    let connections = Arc::new(conn::Connections::new(limits));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut exhaustion = Exhaustion::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let Some(stream) = next_connection(&listener, shutdown.as_mut(), &mut exhaustion, || {
            connections.count()
        })
        .await
        else {
            break;
        };
        // A streamed body reaches the socket after its head, in writes of its own: without
        // this, a small file's last write would wait on the client's delayed ACK.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
        let Some(tracked) = connections.admit() else {
            state.metrics.refused();
            continue;
        };
        let front = front.on(tracked.clone());
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        let (state, connections) = (state.clone(), connections.clone());
        tokio::spawn(async move {
            let opened = std::time::Instant::now();
            let served = async {
                let mut watched = conn::Watched::new(stream, tracked.clone());
                let longest = front::MAX_TARGET_BYTES + 1024;
                let read = match conn::first_line(&mut watched, longest).await {
                    conn::Opening::Line(read) => read,
                    conn::Opening::TooLong => {
                        uri_too_long(&mut watched).await;
                        state.answered("invalid", "-", "-", 414, opened.elapsed());
                        return;
                    }
                    conn::Opening::Closed => return,
                };
                watched.give_back(read);
                let io = TokioIo::new(watched);
                let connection = builder
                    .serve_connection_with_upgrades(io, front)
                    .into_owned();
                if let Err(error) = watcher.watch(connection).await {
                    refused_by_parser(&state, &*error, opened);
                    tracing::debug!(%error, "connection ended with an error");
                }
            };
            tokio::select! {
                () = served => {}
                closed = connections.watchdog(&tracked) => {
                    state.metrics.closed(closed);
                    tracing::debug!(?closed, "connection closed");
                }
            }
            connections.release(&tracked);
        });
    }
    drop(listener);
    state.close();
    graceful.shutdown().await;
}

/// Answers a request line too long to read with 414 and closes.
async fn uri_too_long<S: tokio::io::AsyncWrite + Unpin>(stream: &mut S) {
    use tokio::io::AsyncWriteExt;
    let answer = b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: 42\r\nconnection: close\r\n\r\n{\"error\":\"the request target is too long\"}";
    let _ = stream.write_all(answer).await;
    let _ = stream.shutdown().await;
}

/// Counts and logs the answer hyper's parser sent on its own for a request it could
/// not read (400, or 431 for a head too large), so that the access log and the
/// metrics miss no answer.
fn refused_by_parser(
    state: &State,
    error: &(dyn std::error::Error + 'static),
    opened: std::time::Instant,
) {
    let Some(error) = error.downcast_ref::<hyper::Error>() else {
        return;
    };
    if !error.is_parse() || error.is_parse_version_h2() {
        return;
    }
    let status = match error.is_parse_too_large() {
        true => 431,
        false => 400,
    };
    state.answered("invalid", "-", "-", status, opened.elapsed());
}

/// Serves `/metrics` alone on `listener`, off the site's address, until `shutdown`.
pub async fn serve_metrics(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use warp::Filter;
    let metrics = warp::path!("metrics")
        .and(warp::get().or(warp::head()).unify())
        .map(move || routes::metrics(&state))
        .recover(failure::recover);
    let service = hyper_util::service::TowerToHyperService::new(warp::service(metrics));
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut exhaustion = Exhaustion::default();
    loop {
        let Some(stream) =
            next_connection(&listener, shutdown.as_mut(), &mut exhaustion, || 0).await
        else {
            break;
        };
        let service = service.clone();
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), connection).await;
        });
    }
}

/// How connections speak HTTP/1 and HTTP/2: hyper's header timeout kept as a second
/// line behind the watchdog, and HTTP/2 peers pinged.
fn protocols(
    limits: &conn::Limits,
) -> hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor> {
    use hyper_util::rt::{TokioExecutor, TokioTimer};
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(HTTP2_PING)
        .keep_alive_timeout(HTTP2_PING);
    builder
}

/// The next connection `listener` accepts; `None` once `shutdown` resolves. A failed
/// accept (file handles run out, say) is noted in `exhaustion`, with `open`
/// connections, and retried after a pause.
async fn next_connection(
    listener: &TcpListener,
    mut shutdown: std::pin::Pin<&mut impl Future<Output = ()>>,
    exhaustion: &mut Exhaustion,
    open: impl Fn() -> usize,
) -> Option<tokio::net::TcpStream> {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => return Some(stream),
                Err(error) => {
                    exhaustion.note(&error, open());
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            () = &mut shutdown => return None,
        }
    }
}

/// Accept errors, logged once per interval rather than once per failed accept: when
/// file handles run out, every accept fails until one is freed.
#[derive(Default)]
struct Exhaustion {
    since: Option<std::time::Instant>,
    failed: u64,
}

impl Exhaustion {
    fn note(&mut self, error: &std::io::Error, open: usize) {
        self.failed += 1;
        let due = self
            .since
            .is_none_or(|since| since.elapsed() >= EXHAUSTION_LOG_INTERVAL);
        if due {
            tracing::warn!(
                %error,
                failed = self.failed,
                open,
                "accepting connections fails; raise LimitNOFILE or lower max_connections"
            );
            self.since = Some(std::time::Instant::now());
            self.failed = 0;
        }
    }
}

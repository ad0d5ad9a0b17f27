//! Connections: how long each may live and how many there may be, so that clients
//! that say nothing, stop reading or hold connections open cannot keep others out.
//!
//! Every accepted connection is registered and its socket watched: the time of its
//! last read or write, whether a write is waiting on the client, how many requests it
//! made and how many are in flight. A watchdog per connection closes it when
//!
//! - no request arrived within the header timeout (bytes before the protocol is known
//!   included: a silent socket, one byte, a partial HTTP/2 preface);
//! - a write has waited on the client for longer than the send timeout;
//! - nothing is in flight and nothing was read or written for the idle timeout.
//!
//! Open connections are capped: near the cap the oldest idle connection is closed to
//! make room, as nginx drains keep-alive connections; with none idle a new connection
//! is refused. The cap is derived from the file-handle limit, which is raised to its
//! hard limit at start.
//!
//! hyper's own limits stay on as a second line: the HTTP/1 header read timeout, and
//! HTTP/2 keep-alive pings that close a connection whose peer stopped answering.

use crate::config::Config;
use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// How long connections may live and how many may be open.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// For a request's headers, the first request's included.
    pub header: Duration,
    /// With nothing in flight and nothing read or written.
    pub idle: Duration,
    /// For a write waiting on a client that does not read.
    pub send: Duration,
    /// Open connections at once.
    pub max_connections: usize,
}

/// File handles kept for everything but connections (the index, the content, logs):
/// an eighth of the limit, and at least this many.
const RESERVED_HANDLES: u64 = 64;

impl Limits {
    /// The limits `config` sets; a cap of 0 is derived from `file_handles`.
    pub fn of(config: &Config, file_handles: u64) -> Limits {
        let derived = file_handles.saturating_sub(RESERVED_HANDLES.max(file_handles / 8));
        let max = match config.max_connections {
            0 => derived.max(8),
            set => set,
        };
        Limits {
            header: Duration::from_millis(config.header_timeout_ms.max(1)),
            idle: Duration::from_millis(config.idle_timeout_ms.max(1)),
            send: Duration::from_millis(config.send_timeout_ms.max(1)),
            max_connections: usize::try_from(max).unwrap_or(usize::MAX),
        }
    }

    /// How often a watchdog looks: often enough to close a connection within a
    /// quarter of its shortest timeout, and at least once a second.
    fn tick(&self) -> Duration {
        (self.header.min(self.idle).min(self.send) / 4)
            .clamp(Duration::from_millis(5), Duration::from_secs(1))
    }
}

/// Raises the soft limit on open files to the hard limit, and returns the limit now in
/// force.
#[cfg(unix)]
pub fn raise_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

/// Raises the soft limit on open files (a no-op here), and returns the limit.
#[cfg(not(unix))]
pub fn raise_file_limit() -> u64 {
    1024
}

/// Every open connection.
pub struct Connections {
    limits: Limits,
    open: Mutex<HashMap<u64, Arc<Tracked>>>,
    next: AtomicU64,
    /// When the clock of every connection started: times are milliseconds since.
    epoch: Instant,
}

/// What is watched of one connection.
pub struct Tracked {
    id: u64,
    epoch: Instant,
    /// Milliseconds since the epoch of the last read or write that moved bytes.
    last_active: AtomicU64,
    /// Milliseconds since the epoch when a write started waiting on the client, plus
    /// one; 0 while no write waits.
    blocked_since: AtomicU64,
    requests: AtomicU64,
    in_flight: AtomicUsize,
    opened: u64,
    close: Notify,
    /// Whether it was told to close to make room (it is not told twice).
    shed: std::sync::atomic::AtomicBool,
}

/// Why a connection was closed by its watchdog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Closed {
    /// No request arrived within the header timeout.
    NoRequest,
    /// A write waited on the client for longer than the send timeout.
    NotReading,
    /// Nothing happened for the idle timeout.
    Idle,
    /// Closed to make room for another connection near the cap.
    Shed,
}

impl Closed {
    /// Every reason, in the order of their numbers.
    pub const ALL: [Closed; 4] = [
        Closed::NoRequest,
        Closed::NotReading,
        Closed::Idle,
        Closed::Shed,
    ];

    /// The reason as metrics label it.
    pub fn label(self) -> &'static str {
        match self {
            Closed::NoRequest => "no_request",
            Closed::NotReading => "not_reading",
            Closed::Idle => "idle",
            Closed::Shed => "shed",
        }
    }
}

impl Connections {
    /// No connection yet, under `limits`.
    pub fn new(limits: Limits) -> Connections {
        Connections {
            limits,
            open: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Registers a new connection; `None` when the cap is reached and no connection
    /// is idle (the new one is then refused). At the cap the oldest idle connection is
    /// told to close.
    pub fn admit(&self) -> Option<Arc<Tracked>> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.len() >= self.limits.max_connections {
            let oldest = open
                .values()
                .filter(|tracked| tracked.in_flight.load(Ordering::Relaxed) == 0)
                .filter(|tracked| !tracked.shed.load(Ordering::Relaxed))
                .min_by_key(|tracked| tracked.last_active.load(Ordering::Relaxed))?;
            oldest.shed.store(true, Ordering::Relaxed);
            oldest.close.notify_one();
            // It leaves the registry when its task ends; until then it counts, so the
            // cap is passed by at most the connections being shed.
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let now = self.now();
        let tracked = Arc::new(Tracked {
            id,
            epoch: self.epoch,
            last_active: AtomicU64::new(now),
            blocked_since: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            opened: now,
            close: Notify::new(),
            shed: std::sync::atomic::AtomicBool::new(false),
        });
        open.insert(id, tracked.clone());
        Some(tracked)
    }

    /// Forgets a connection that ended.
    pub fn release(&self, tracked: &Tracked) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.remove(&tracked.id);
    }

    /// How many connections are open.
    pub fn count(&self) -> usize {
        self.open.lock().map_or(0, |open| open.len())
    }

    /// Resolves when the watchdog of `tracked` closes it, with the reason.
    pub async fn watchdog(&self, tracked: &Tracked) -> Closed {
        let limits = self.limits;
        let millis = |duration: Duration| duration.as_millis() as u64;
        loop {
            tokio::select! {
                () = tracked.close.notified() => return Closed::Shed,
                () = tokio::time::sleep(limits.tick()) => {}
            }
            let now = self.now();
            let requests = tracked.requests.load(Ordering::Relaxed);
            if requests == 0 && now.saturating_sub(tracked.opened) >= millis(limits.header) {
                return Closed::NoRequest;
            }
            let blocked = tracked.blocked_since.load(Ordering::Relaxed);
            if blocked != 0 && (now + 1).saturating_sub(blocked) >= millis(limits.send) {
                return Closed::NotReading;
            }
            let quiet = now.saturating_sub(tracked.last_active.load(Ordering::Relaxed));
            let idle = tracked.in_flight.load(Ordering::Relaxed) == 0;
            if idle && requests > 0 && quiet >= millis(limits.idle) {
                return Closed::Idle;
            }
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }
}

impl Tracked {
    /// A request began.
    pub fn begin(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.touch();
    }

    /// A request's response was made.
    pub fn end(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.touch();
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn touch(&self) {
        self.last_active.store(self.now(), Ordering::Relaxed);
    }

    fn wrote(&self) {
        self.blocked_since.store(0, Ordering::Relaxed);
        self.touch();
    }

    fn write_waits(&self) {
        let _ = self.blocked_since.compare_exchange(
            0,
            self.now() + 1,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }
}

/// A socket whose reads and writes are noted in its [`Tracked`], and which can be
/// given back bytes read from it (to be read again first).
pub struct Watched<S> {
    inner: S,
    tracked: Arc<Tracked>,
    replay: Vec<u8>,
    replayed: usize,
}

impl<S> Watched<S> {
    /// Watches `inner` for `tracked`.
    pub fn new(inner: S, tracked: Arc<Tracked>) -> Watched<S> {
        Watched {
            inner,
            tracked,
            replay: Vec::new(),
            replayed: 0,
        }
    }

    /// Gives back `read`, read from this socket before, to be read again first.
    pub fn give_back(&mut self, read: Vec<u8>) {
        self.replay = read;
        self.replayed = 0;
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.replayed < self.replay.len() {
            let rest = &self.replay[self.replayed..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            self.replayed += n;
            if self.replayed == self.replay.len() {
                self.replay = Vec::new();
                self.replayed = 0;
            }
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.tracked.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.noted(&polled);
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.noted(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S> Watched<S> {
    fn noted(&self, polled: &Poll<io::Result<usize>>) {
        match polled {
            Poll::Ready(Ok(n)) if *n > 0 => self.tracked.wrote(),
            Poll::Pending => self.tracked.write_waits(),
            _ => {}
        }
    }
}

/// What was read of a connection before its protocol is known.
pub enum Opening {
    /// The bytes read, up to the end of the first line.
    Line(Vec<u8>),
    /// The first line is longer than the longest request line served: the answer is
    /// 414, as nginx gives.
    TooLong,
    /// The client closed or the read failed before a line ended.
    Closed,
}

/// Reads `stream` up to the end of its first line (the request line, or the HTTP/2
/// preface's), refusing one longer than `longest` bytes. hyper would read on to the end
/// of its buffer and call the whole head too large (431); a request line that long is
/// a URI too long (414).
pub async fn first_line<S: AsyncRead + Unpin>(stream: &mut S, longest: usize) -> Opening {
    use tokio::io::AsyncReadExt;
    let mut read = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Opening::Closed,
            Ok(n) => read.extend_from_slice(&chunk[..n]),
        }
        if read.contains(&b'\n') {
            return Opening::Line(read);
        }
        if read.len() > longest {
            return Opening::TooLong;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize) -> Limits {
        Limits {
            header: Duration::from_millis(40),
            idle: Duration::from_millis(40),
            send: Duration::from_millis(40),
            max_connections: max,
        }
    }

    #[test]
    fn the_cap_is_derived_from_the_file_handle_limit() {
        let config = Config::default();
        assert_eq!(Limits::of(&config, 1024).max_connections, 1024 - 128);
        assert_eq!(Limits::of(&config, 256).max_connections, 256 - 64);
        assert_eq!(Limits::of(&config, 16).max_connections, 8);
        let set = Config {
            max_connections: 10,
            ..Config::default()
        };
        assert_eq!(Limits::of(&set, 1024).max_connections, 10);
    }

    #[tokio::test]
    async fn a_connection_that_sends_no_request_is_closed() {
        let connections = Connections::new(limits(4));
        let tracked = connections.admit().unwrap();
        assert_eq!(connections.watchdog(&tracked).await, Closed::NoRequest);
    }

    #[tokio::test]
    async fn an_idle_connection_is_closed_but_not_one_with_a_request_in_flight() {
        let connections = Connections::new(limits(4));
        let tracked = connections.admit().unwrap();
        tracked.begin();
        let waited =
            tokio::time::timeout(Duration::from_millis(150), connections.watchdog(&tracked));
        assert!(waited.await.is_err(), "a request in flight keeps it open");
        tracked.end();
        assert_eq!(connections.watchdog(&tracked).await, Closed::Idle);
    }

    #[tokio::test]
    async fn a_write_waiting_on_the_client_closes_it() {
        let connections = Connections::new(limits(4));
        let tracked = connections.admit().unwrap();
        tracked.begin();
        tracked.write_waits();
        assert_eq!(connections.watchdog(&tracked).await, Closed::NotReading);
    }

    #[tokio::test]
    async fn a_first_line_is_read_whole_and_given_back_or_refused_when_too_long() {
        use tokio::io::AsyncReadExt;
        let mut short: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let Opening::Line(read) = first_line(&mut short, 64).await else {
            panic!("a line");
        };
        let connections = Connections::new(limits(1));
        let mut again = Watched::new(short, connections.admit().unwrap());
        again.give_back(read);
        let mut all = String::new();
        again.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(10_000));
        assert!(matches!(
            first_line(&mut long.as_bytes(), 64).await,
            Opening::TooLong
        ));
        assert!(matches!(
            first_line(&mut &b"GET"[..], 64).await,
            Opening::Closed
        ));
    }

    #[tokio::test]
    async fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let connections = Connections::new(limits(2));
        let old = connections.admit().unwrap();
        let busy = connections.admit().unwrap();
        busy.begin();
        let _new = connections.admit().expect("room is made");
        let _newer = connections.admit().expect("room is made again");
        assert!(
            !busy.shed.load(Ordering::Relaxed),
            "a busy one is never shed"
        );
        assert_eq!(connections.watchdog(&old).await, Closed::Shed);
        connections.release(&old);
        let full = Connections::new(limits(1));
        let only = full.admit().unwrap();
        only.begin();
        assert!(full.admit().is_none(), "nothing idle: refused");
    }
}

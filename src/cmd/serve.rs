//! `folio serve`: the running site behind the HTTP server, with the watcher feeding
//! edits back in. [`start`] starts it all in-process and hands back a [`Serving`]
//! with the address it listens on; tests and benchmarks wait on it rather than on
//! log lines.

use crate::app::{self, Live};
use crate::config::{Config, Watch};
use crate::error::{Error, Result};
use crate::server::{self, QueryLog};
use crate::watch;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::watch as signal;

/// A site being served.
pub struct Serving {
    addr: SocketAddr,
    base_path: String,
    live: Arc<Live>,
    stop: signal::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    /// The watcher, once registered: dropping it ends the thread that applies changes.
    watcher: Arc<std::sync::Mutex<Watcher>>,
    /// The thread that finishes the start and then applies changes.
    site: std::thread::JoinHandle<()>,
}

/// Starts serving the site `config` names on `config.addr`: binds, starts the site
/// (from the page manifest when it is current), serves, and finishes the start and
/// watches for changes on a thread of its own.
pub async fn start(config: Config) -> Result<Serving> {
    let listener = server::bind(&config.addr).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io(&config.addr, e))?;
    let query_log = match config.query_log.as_deref() {
        None => None,
        Some(path) => Some(QueryLog::open(path.into()).map_err(|e| Error::io(path, e))?),
    };
    let watching = config.watch != Watch::Off && !config.read_only;
    let (started, listening) = start_site(&config, watching)?;
    let live = started.live.clone();
    let watcher = Arc::new(std::sync::Mutex::new(Watcher::Pending));
    let site = finish_behind(&config, watching, started, listening, watcher.clone())?;
    let metrics = metrics_listener(&config).await?;
    let state = Arc::new(server::State::new(
        live.clone(),
        query_log,
        config.metrics_addr.is_none(),
    ));
    if config.site_url.is_none() {
        tracing::warn!(
            "site_url is not set: sitemap.xml, robots.txt and opensearch.xml name the host each request gives and are sent as private; set site_url to the site's public URL"
        );
    }
    let limits = server::Limits::of(&config, server::raise_file_limit());
    tracing::info!(
        max_connections = limits.max_connections,
        "connections are capped"
    );
    let (stop, stopped) = signal::channel(false);
    let stopping = |mut stopped: signal::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    if let Some(metrics) = metrics {
        tokio::spawn(server::serve_metrics(
            metrics,
            state.clone(),
            stopping(stopped.clone()),
        ));
    }
    let server = tokio::spawn(server::serve(listener, state, limits, stopping(stopped)));
    tracing::info!(
        pages = live.snapshot().page_count(),
        "serving on http://{addr}"
    );
    Ok(Serving {
        addr,
        base_path: config.base_path,
        live,
        stop,
        server,
        watcher,
        site,
    })
}

/// What a watcher registered at start brings: its handle, and the changes it sees.
type Listened = Option<(watch::Watching, watch::Listening)>;

/// The folder whose files are served at the site's root: `public/` in the content
/// folder, when there is one.
fn public_folder(config: &Config) -> Option<std::path::PathBuf> {
    let public = config.content.join("public");
    public.is_dir().then_some(public)
}

/// Starts the site, from its manifest when it is current; otherwise loads every page
/// with the watcher registered beside. Start-up blocks the task that starts the
/// server: nothing else runs yet, and the load's allocations stay on one thread's
/// heap.
fn start_site(config: &Config, watching: bool) -> Result<(app::Started, Listened)> {
    let starting = app::Starting::new(config, watching, public_folder(config))?;
    // Serving starts at once; the watcher is registered on the site's thread, before
    // the site loads there.
    if let Some(started) = starting.from_manifest(config) {
        return Ok((started, None));
    }
    // Registering the watcher walks the folders: it runs beside the load, which uses
    // one core for much of its time.
    std::thread::scope(|scope| {
        let listening = scope.spawn(|| listen(config, watching));
        let started = starting.load(config);
        let listening = listening
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((started?, listening?))
    })
}

/// On a thread of its own: registers the watcher (unless it is already), finishes the
/// start, then applies changes until [`Serving::stop`].
fn finish_behind(
    config: &Config,
    watching: bool,
    started: app::Started,
    listening: Listened,
    watcher: Arc<std::sync::Mutex<Watcher>>,
) -> Result<std::thread::JoinHandle<()>> {
    let config = config.clone();
    std::thread::Builder::new()
        .name("folio-site".into())
        .spawn(move || {
            let listening = match listening {
                Some(listening) => Some(listening),
                None => listen(&config, watching)
                    .map_err(|error| tracing::error!(%error, "watching failed to start"))
                    .ok()
                    .flatten(),
            };
            let (watching, listening) = listening.unzip();
            {
                let mut kept = watcher.lock().unwrap_or_else(|p| p.into_inner());
                if matches!(*kept, Watcher::Stopped) {
                    return;
                }
                *kept = Watcher::Running {
                    _watching: watching,
                };
            }
            if let (Some(editor), Some(listening)) = (started.finish(), listening) {
                watch::run(listening, editor);
            }
        })
        .map_err(|source| Error::Thread {
            name: "folio-site",
            source,
        })
}

impl Serving {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the site's root, without a trailing `/` (`http://127.0.0.1:8080/docs`).
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.base_path)
    }

    /// Resolves once every page has loaded and what the next start reads is recorded
    /// (after a start from the page manifest, the load runs behind the server).
    pub async fn loaded(&self) {
        self.live.loaded().await;
    }

    /// Stops accepting, lets in-flight requests finish, stops watching, and returns
    /// once the site has let go of the index (its writer is free for the next start).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        if let Ok(mut watcher) = self.watcher.lock() {
            *watcher = Watcher::Stopped;
        }
        let site = self.site;
        let _ = tokio::task::spawn_blocking(move || site.join()).await;
        tracing::info!("stopped");
    }
}

/// The watcher as the site's thread registers it and [`Serving::stop`] ends it.
enum Watcher {
    /// Not registered yet.
    Pending,
    /// Registered (`None` when watching is off); held until stopped.
    Running { _watching: Option<watch::Watching> },
    /// Stopped: one registered late is dropped at once.
    Stopped,
}

/// Registers the watcher when watching is on.
fn listen(config: &Config, watching: bool) -> Result<Listened> {
    match watching {
        true => watch::listen(config),
        false => Ok(None),
    }
}

/// The listener of `/metrics` when `metrics_addr` names an address of its own.
async fn metrics_listener(config: &Config) -> Result<Option<tokio::net::TcpListener>> {
    match config.metrics_addr.as_deref() {
        None | Some("off") => Ok(None),
        Some(addr) => server::bind(addr).await.map(Some),
    }
}

/// Serves until SIGINT or SIGTERM; prints the site's URL on stdout once it serves.
pub async fn run(config: Config) -> Result<ExitCode> {
    let serving = start(config).await?;
    println!("{}/", serving.url());
    shutdown_signal().await;
    serving.stop().await;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

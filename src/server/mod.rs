//! Server: all warp code. Serves pre-rendered pages from memory, search as HTML and
//! JSON, the assets, a health check and, while watching, live-reload events.
//! Requests never touch the file system.

mod front;
mod metrics;
mod payload;
mod routes;

use metrics::Metrics;
pub use metrics::QueryLog;

use payload::Payload;

use crate::content::manifest::Outline;
use crate::content::{Listing, Page, PageRef, Site};
use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::render::{Renderer, ResultView};
use arc_swap::ArcSwap;
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

/// Everything served, replaced whole when content or templates change. Pages are
/// rendered the first time they are asked for and then held as ready bytes; a page
/// that did not change keeps its bytes from one snapshot to the next.
pub struct Snapshot {
    pages: HashMap<String, Arc<Served>>,
    assets: HashMap<String, Arc<Payload>>,
    renderer: Arc<Renderer>,
    /// The pages that head a group, offered when a search finds nothing.
    groups: Vec<ResultView>,
    /// Every page's URL and modification time, for the sitemap.
    sitemap: Vec<(String, Option<SystemTime>)>,
    /// Bytes of rendered HTML held, by this snapshot and those it came from.
    held: Arc<AtomicUsize>,
    /// How many such bytes may be held.
    budget: usize,
}

/// The most bytes of rendered HTML held in memory. Past it, a page not yet held is
/// rendered for each request (a crawler cannot make the server hold every page).
const HELD_HTML_BYTES: usize = 16 * 1024 * 1024;

/// One URL's page: its parsed form (or its file), and its HTML and JSON once rendered.
struct Served {
    page: Option<PageRef>,
    html: OnceLock<Option<Arc<Payload>>>,
    json: OnceLock<Option<Arc<Payload>>>,
    held: Arc<AtomicUsize>,
}

impl Served {
    fn lazy(page: PageRef, held: &Arc<AtomicUsize>) -> Served {
        Served {
            page: Some(page),
            html: OnceLock::new(),
            json: OnceLock::new(),
            held: held.clone(),
        }
    }
}

/// The file in the index folder that keeps the home page as last rendered, for a start
/// from the page manifest.
const HOME_FILE: &str = "folio-home";

/// The version of what [`HOME_FILE`] holds.
const HOME_FORMAT: u32 = 1;

/// The home page as kept in [`HOME_FILE`]: valid for the renderer and the content it
/// names.
#[derive(Serialize, serde::Deserialize)]
struct KeptHome {
    format: u32,
    /// The identity of the renderer that made it.
    renderer: u64,
    /// The fingerprint of the content it lists.
    content: u64,
    /// The pages that head its groups: URL and title.
    heads: Vec<(String, String)>,
    html: String,
}

impl KeptHome {
    /// The home page kept in `dir` for this renderer and content, when there is one.
    fn read(dir: &Path, renderer: u64, content: u64) -> Option<KeptHome> {
        let bytes = std::fs::read(dir.join(HOME_FILE)).ok()?;
        let (format, _) = postcard::take_from_bytes::<u32>(&bytes).ok()?;
        if format != HOME_FORMAT {
            return None;
        }
        let kept: KeptHome = postcard::from_bytes(&bytes).ok()?;
        (kept.renderer == renderer && kept.content == content).then_some(kept)
    }

    /// Whether the home page kept in `dir` is this renderer's of this content, told
    /// from the head of the file alone.
    fn holds(dir: &Path, renderer: u64, content: u64) -> bool {
        use std::io::Read;
        let mut head = Vec::with_capacity(32);
        let read = std::fs::File::open(dir.join(HOME_FILE))
            .and_then(|file| file.take(32).read_to_end(&mut head));
        read.is_ok()
            && postcard::take_from_bytes::<(u32, u64, u64)>(&head)
                .is_ok_and(|(kept, _)| kept == (HOME_FORMAT, renderer, content))
    }
}

/// What lists every page: the home page, the pages that head its groups, the sitemap.
struct Lists {
    home: Served,
    groups: Vec<ResultView>,
    sitemap: Vec<(String, Option<SystemTime>)>,
}

impl Lists {
    /// Renders the home page of `home` (the `/` page) and `listings`; `sitemap` is
    /// every page's URL and time.
    fn render(
        renderer: &Renderer,
        home: Option<Arc<Page>>,
        listings: &[Listing],
        sitemap: Vec<(String, Option<SystemTime>)>,
        held: &Arc<AtomicUsize>,
    ) -> Result<Lists> {
        let newest = sitemap.iter().filter_map(|(_, time)| *time).max();
        let (html, groups) = renderer.home(home.as_deref(), listings)?;
        let html = Payload::new(Bytes::from(html), HTML, newest);
        held.fetch_add(html.size(), Ordering::Relaxed);
        let home = Served {
            page: home.map(PageRef::Parsed),
            html: OnceLock::from(Some(Arc::new(html))),
            json: OnceLock::new(),
            held: held.clone(),
        };
        Ok(Lists {
            home,
            groups,
            sitemap,
        })
    }

    /// The lists of a home page kept from an earlier run; `home` is the `/` page's file.
    fn kept(
        kept: KeptHome,
        home: Option<PageRef>,
        sitemap: Vec<(String, Option<SystemTime>)>,
        held: &Arc<AtomicUsize>,
    ) -> Lists {
        let newest = sitemap.iter().filter_map(|(_, time)| *time).max();
        let html = Payload::new(Bytes::from(kept.html), HTML, newest);
        held.fetch_add(html.size(), Ordering::Relaxed);
        let groups = kept
            .heads
            .into_iter()
            .map(|(url, title)| ResultView {
                url,
                title,
                section: None,
                snippet: String::new(),
            })
            .collect();
        Lists {
            home: Served {
                page: home,
                html: OnceLock::from(Some(Arc::new(html))),
                json: OnceLock::new(),
                held: held.clone(),
            },
            groups,
            sitemap,
        }
    }

    /// The lists of `site`.
    fn of_site(renderer: &Renderer, site: &Site, held: &Arc<AtomicUsize>) -> Result<Lists> {
        let sitemap = site
            .pages
            .iter()
            .map(|page| (page.url.clone(), page.modified))
            .collect();
        let home = site.shared_page("/").cloned();
        Lists::render(renderer, home, &site.listings(), sitemap, held)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(Some(html)) = self.html.get() {
            self.held.fetch_sub(html.size(), Ordering::Relaxed);
        }
    }
}

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";

impl Snapshot {
    /// Serves every page of `site`, each rendered on its first request.
    pub fn render(site: &Site, renderer: Arc<Renderer>) -> Result<Snapshot> {
        let held = Arc::new(AtomicUsize::new(0));
        let pages = site
            .pages
            .iter()
            .map(|page| {
                let served = Served::lazy(PageRef::Parsed(page.clone()), &held);
                (page.url.clone(), Arc::new(served))
            })
            .collect();
        let lists = Lists::of_site(&renderer, site, &held)?;
        Ok(Snapshot::with_lists(pages, lists, renderer, held))
    }

    /// Serves the pages of `outline`, each read from its file and rendered on its first
    /// request. The home page is the one kept in `dir` when it was made by an equal
    /// renderer from the same content; otherwise it is rendered beside building the
    /// page map.
    pub fn outline(outline: &Outline, renderer: Arc<Renderer>, dir: &Path) -> Result<Snapshot> {
        let held = Arc::new(AtomicUsize::new(0));
        let (pages, lists) = rayon::join(
            || {
                let mut pages = HashMap::with_capacity(outline.pages.len() + 1);
                for page in &outline.pages {
                    let served = Served::lazy(PageRef::File(page.file.clone()), &held);
                    pages.insert(page.url().to_string(), Arc::new(served));
                }
                pages
            },
            || {
                let sitemap = outline
                    .pages
                    .iter()
                    .map(|page| (page.url().to_string(), page.modified))
                    .collect();
                let home = outline.pages.iter().find(|page| page.url() == "/");
                let kept = KeptHome::read(dir, renderer.identity(), outline.fingerprint());
                if let Some(kept) = kept {
                    let home = home.map(|page| PageRef::File(page.file.clone()));
                    return Ok(Lists::kept(kept, home, sitemap, &held));
                }
                let listings: Vec<Listing> = outline.pages.iter().map(|p| p.listing()).collect();
                let home = home.and_then(|page| page.file.page());
                Lists::render(&renderer, home, &listings, sitemap, &held)
            },
        );
        Ok(Snapshot::with_lists(pages, lists?, renderer, held))
    }

    fn with_lists(
        mut pages: HashMap<String, Arc<Served>>,
        lists: Lists,
        renderer: Arc<Renderer>,
        held: Arc<AtomicUsize>,
    ) -> Snapshot {
        pages.insert("/".to_string(), Arc::new(lists.home));
        let assets = renderer
            .assets()
            .into_iter()
            .map(|asset| {
                let body = Bytes::from(asset.body.clone());
                (
                    asset.url.clone(),
                    Arc::new(Payload::new(body, asset.content_type, None)),
                )
            })
            .collect();
        Snapshot {
            pages,
            assets,
            renderer,
            groups: lists.groups,
            sitemap: lists.sitemap,
            held,
            budget: HELD_HTML_BYTES,
        }
    }

    /// A copy of this snapshot with the pages at `changed` taken anew from `site`,
    /// those at `removed` gone, and the home page re-rendered when `home` says its list
    /// of pages changed.
    pub fn with_changes(
        &self,
        site: &Site,
        changed: &[String],
        removed: &[String],
        home: bool,
    ) -> Result<Snapshot> {
        let mut snapshot = Snapshot {
            pages: self.pages.clone(),
            assets: self.assets.clone(),
            renderer: self.renderer.clone(),
            groups: self.groups.clone(),
            sitemap: self.sitemap.clone(),
            held: self.held.clone(),
            budget: self.budget,
        };
        for url in removed {
            snapshot.pages.remove(url);
        }
        for page in changed.iter().filter_map(|url| site.shared_page(url)) {
            let served = Served::lazy(PageRef::Parsed(page.clone()), &self.held);
            snapshot.pages.insert(page.url.clone(), Arc::new(served));
        }
        if home || changed.iter().any(|url| url == "/") {
            let lists = Lists::of_site(&snapshot.renderer, site, &snapshot.held)?;
            snapshot.pages.insert("/".to_string(), Arc::new(lists.home));
            snapshot.groups = lists.groups;
            snapshot.sitemap = lists.sitemap;
        } else {
            let changed: HashMap<&str, Option<SystemTime>> = changed
                .iter()
                .filter_map(|url| site.page(url))
                .map(|page| (page.url.as_str(), page.modified))
                .collect();
            for (url, modified) in &mut snapshot.sitemap {
                if let Some(time) = changed.get(url.as_str()) {
                    *modified = *time;
                }
            }
        }
        Ok(snapshot)
    }

    /// The HTML of the page at `url`, rendered now if it is not held yet; it is then
    /// held while the budget allows. A page that fails to render is logged and not
    /// served.
    fn html(&self, url: &str) -> Option<Arc<Payload>> {
        let served = self.pages.get(url)?;
        if let Some(held) = served.html.get() {
            return held.clone();
        }
        let page = served.page.as_ref()?.get()?;
        let payload = match self.renderer.page(&page) {
            Ok(mut html) => {
                html.shrink_to_fit();
                Arc::new(Payload::new(Bytes::from(html), HTML, page.modified))
            }
            Err(error) => {
                tracing::error!(url, %error, "page not served");
                let _ = served.html.set(None);
                return None;
            }
        };
        let size = payload.size();
        let kept = self.held.fetch_add(size, Ordering::Relaxed) + size <= self.budget
            && served.html.set(Some(payload.clone())).is_ok();
        if !kept {
            self.held.fetch_sub(size, Ordering::Relaxed);
        }
        Some(payload)
    }

    /// The metadata of the page at `url` as JSON, made now if this is its first request.
    fn metadata(&self, url: &str) -> Option<Arc<Payload>> {
        let served = self.pages.get(url)?;
        served
            .json
            .get_or_init(|| {
                let page = served.page.as_ref()?.get()?;
                let json = Bytes::from(self.renderer.page_json(&page));
                Some(Arc::new(Payload::new(json, JSON, page.modified)))
            })
            .clone()
    }

    /// Whether a page is served at `url`.
    fn serves(&self, url: &str) -> bool {
        self.pages.contains_key(url)
    }

    /// Keeps the home page in `dir` for the next start from the page manifest, as made
    /// from content of `fingerprint`; nothing when it is kept there already.
    pub fn record_home(&self, dir: &Path, fingerprint: u64) -> Result<()> {
        let Some(Some(home)) = self.pages.get("/").and_then(|served| served.html.get()) else {
            return Ok(());
        };
        if KeptHome::holds(dir, self.renderer.identity(), fingerprint) {
            return Ok(());
        }
        let path = dir.join(HOME_FILE);
        let kept = KeptHome {
            format: HOME_FORMAT,
            renderer: self.renderer.identity(),
            content: fingerprint,
            heads: self
                .groups
                .iter()
                .map(|head| (head.url.clone(), head.title.clone()))
                .collect(),
            html: String::from_utf8_lossy(home.bytes()).into_owned(),
        };
        let bytes = postcard::to_allocvec(&kept)
            .map_err(|error| Error::io(&path, std::io::Error::other(error)))?;
        crate::write_atomically(&path, &bytes)
    }

    /// How many pages are served, the home page included.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }
}

/// What one rebuild changed, as sent to browsers: `{"changed": ["/502"], "removed":
/// [], "errors": []}`. `errors` lists every file that is broken now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReloadEvent {
    /// URLs whose page changed (every URL after a template change).
    pub changed: Vec<String>,
    /// URLs no longer served.
    pub removed: Vec<String>,
    /// Files that fail to build; their last good version is still served.
    pub errors: Vec<BuildError>,
}

/// A file that fails to build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildError {
    /// The file, relative to the content folder (or the templates folder as
    /// configured).
    pub path: String,
    /// The URL its page is (or would be) served at, when it is a page.
    pub url: Option<String>,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Everything a request may read, shared by every request.
pub struct State {
    snapshot: ArcSwap<Snapshot>,
    index: Arc<SearchIndex>,
    reload: Option<broadcast::Sender<Arc<str>>>,
    /// The last event, for browsers that connect after it was sent.
    last_event: ArcSwap<String>,
    closing: watch::Sender<bool>,
    metrics: Metrics,
    query_log: Option<QueryLog>,
    /// One permit per core for searches that are not cached.
    searching: Arc<tokio::sync::Semaphore>,
}

impl State {
    /// Serves `snapshot` and searches `index`; `live` turns live-reload events on;
    /// searches that find nothing go to `query_log` when there is one.
    pub fn new(
        snapshot: Snapshot,
        index: Arc<SearchIndex>,
        live: bool,
        query_log: Option<QueryLog>,
    ) -> State {
        State {
            snapshot: ArcSwap::from_pointee(snapshot),
            index,
            reload: live.then(|| broadcast::channel(64).0),
            last_event: ArcSwap::from_pointee(String::new()),
            closing: watch::channel(false).0,
            metrics: Metrics::default(),
            query_log,
            searching: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, usize::from),
            )),
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

    /// Counts a rebuild after an edit.
    pub fn reindexed(&self, elapsed: std::time::Duration) {
        self.metrics.reindex(elapsed);
    }

    /// What is served now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// Serves `snapshot` from the next request on.
    pub fn publish(&self, snapshot: Snapshot) {
        self.snapshot.store(Arc::new(snapshot));
    }

    /// Sends `event` to every browser listening for live reloads.
    pub fn announce(&self, event: &ReloadEvent) {
        let json = serde_json::to_string(event).unwrap_or_default();
        if let Some(sender) = &self.reload {
            let _ = sender.send(Arc::from(json.as_str()));
        }
        let pending = ReloadEvent {
            errors: event.errors.clone(),
            ..ReloadEvent::default()
        };
        self.last_event.store(Arc::new(
            serde_json::to_string(&pending).unwrap_or_default(),
        ));
    }

    /// Ends the live-reload streams, so that a graceful shutdown does not wait on them.
    pub fn close(&self) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_page;
    use std::path::Path;

    #[test]
    fn a_kept_home_page_is_told_by_its_renderer_and_content() {
        let site = Site {
            pages: vec![Arc::new(
                parse_page(Path::new("a.md"), b"# Page a\n").0.unwrap(),
            )],
            ..Site::default()
        };
        let renderer =
            Arc::new(Renderer::new(Path::new("/nonexistent"), &Default::default()).unwrap());
        let identity = renderer.identity();
        let snapshot = Snapshot::render(&site, renderer).unwrap();
        let dir = tempfile::tempdir().unwrap();
        assert!(!KeptHome::holds(dir.path(), identity, 7));
        snapshot.record_home(dir.path(), 7).unwrap();
        assert!(KeptHome::holds(dir.path(), identity, 7));
        assert!(!KeptHome::holds(dir.path(), identity, 8), "other content");
        assert!(
            !KeptHome::holds(dir.path(), identity ^ 1, 7),
            "another renderer"
        );
        let kept = KeptHome::read(dir.path(), identity, 7).unwrap();
        let served = snapshot.html("/").unwrap();
        assert_eq!(kept.html.as_bytes(), served.bytes().as_ref());
        assert!(KeptHome::read(dir.path(), identity, 8).is_none());
    }

    #[test]
    fn rendered_pages_are_held_within_a_budget_and_released_with_their_snapshot() {
        let site = Site {
            pages: ["a", "b"]
                .iter()
                .map(|name| {
                    let text = format!("# Page {name}\n\nSome text.\n");
                    Arc::new(
                        parse_page(Path::new(&format!("{name}.md")), text.as_bytes())
                            .0
                            .unwrap(),
                    )
                })
                .collect(),
            ..Site::default()
        };
        let renderer =
            Arc::new(Renderer::new(Path::new("/nonexistent"), &Default::default()).unwrap());
        let mut snapshot = Snapshot::render(&site, renderer).unwrap();
        let held = snapshot.held.clone();
        let home = held.load(Ordering::Relaxed);
        assert!(home > 0, "the home page is held");
        let page = snapshot.html("/a").unwrap().size();
        snapshot.budget = home + page;
        assert!(snapshot.html("/a").is_some());
        assert_eq!(held.load(Ordering::Relaxed), home + page, "/a is held");
        assert!(snapshot.html("/b").is_some(), "/b is served");
        assert!(snapshot.pages["/b"].html.get().is_none(), "but not held");
        assert_eq!(held.load(Ordering::Relaxed), home + page);
        let next = snapshot
            .with_changes(&site, &["/a".to_string()], &[], false)
            .unwrap();
        drop(snapshot);
        assert_eq!(held.load(Ordering::Relaxed), home, "the old /a is released");
        drop(next);
        assert_eq!(held.load(Ordering::Relaxed), 0);
    }
}

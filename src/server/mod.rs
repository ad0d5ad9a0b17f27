//! Server: all warp code. Serves pre-rendered pages from memory, search as HTML and
//! JSON, the assets, a health check and, while watching, live-reload events.
//! Requests never touch the file system.

mod routes;

use crate::content::Site;
use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::render::{Renderer, ResultView, group_pages};
use arc_swap::ArcSwap;
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

/// Everything rendered, ready to send: replaced whole when content or templates change.
pub struct Snapshot {
    pages: HashMap<String, Bytes>,
    assets: HashMap<String, (&'static str, Bytes)>,
    renderer: Arc<Renderer>,
    /// The pages that head a group, offered when a search finds nothing.
    groups: Vec<ResultView>,
}

impl Snapshot {
    /// Renders every page of `site`. A page that fails to render is logged and left out.
    pub fn render(site: &Site, renderer: Arc<Renderer>) -> Result<Snapshot> {
        let mut pages = HashMap::with_capacity(site.pages.len() + 1);
        for page in site.pages.iter().filter(|page| page.url != "/") {
            match renderer.page(page) {
                Ok(html) => {
                    pages.insert(page.url.clone(), Bytes::from(html));
                }
                Err(error) => tracing::error!(%error, "page not served"),
            }
        }
        pages.insert("/".to_string(), Bytes::from(renderer.home(site)?));
        let assets = renderer
            .assets()
            .into_iter()
            .map(|asset| {
                let body = Bytes::from(asset.body.clone());
                (asset.url.clone(), (asset.content_type, body))
            })
            .collect();
        Ok(Snapshot {
            pages,
            assets,
            renderer,
            groups: group_pages(site),
        })
    }

    /// A copy of this snapshot with the pages at `changed` re-rendered from `site`,
    /// those at `removed` gone, and the home page re-rendered when `home` says its list
    /// of pages changed.
    pub fn with_changes(
        &self,
        site: &Site,
        changed: &[String],
        removed: &[String],
        home: bool,
    ) -> Result<Snapshot> {
        let mut pages = self.pages.clone();
        for url in removed {
            pages.remove(url);
        }
        for url in changed.iter().filter(|url| *url != "/") {
            if let Some(page) = site.page(url) {
                pages.insert(url.clone(), Bytes::from(self.renderer.page(page)?));
            }
        }
        if home || changed.iter().any(|url| url == "/") {
            pages.insert("/".to_string(), Bytes::from(self.renderer.home(site)?));
        }
        Ok(Snapshot {
            pages,
            assets: self.assets.clone(),
            renderer: self.renderer.clone(),
            groups: if home {
                group_pages(site)
            } else {
                self.groups.clone()
            },
        })
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
    /// The file.
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
}

impl State {
    /// Serves `snapshot` and searches `index`; `live` turns live-reload events on.
    pub fn new(snapshot: Snapshot, index: Arc<SearchIndex>, live: bool) -> State {
        State {
            snapshot: ArcSwap::from_pointee(snapshot),
            index,
            reload: live.then(|| broadcast::channel(64).0),
            last_event: ArcSwap::from_pointee(String::new()),
            closing: watch::channel(false).0,
        }
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

/// Serves `state` on `listener` until `shutdown` resolves, then closes live-reload
/// streams and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let closing = state.clone();
    let shutdown = async move {
        shutdown.await;
        closing.close();
    };
    warp::serve(routes::all(state))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
}

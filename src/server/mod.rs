//! Server: all warp code. Serves pre-rendered pages from memory, search as HTML and
//! JSON, the assets and a health check. Requests never touch the file system.

mod routes;

use crate::content::Site;
use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::render::Renderer;
use bytes::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Everything a request may read: built once, shared by every request.
pub struct State {
    pages: HashMap<String, Bytes>,
    assets: HashMap<String, (&'static str, Bytes)>,
    renderer: Renderer,
    index: SearchIndex,
}

impl State {
    /// Renders every page of `site` once and keeps the bytes. A page that fails to
    /// render is logged and left out; the rest are served.
    pub fn new(site: &Site, renderer: Renderer, index: SearchIndex) -> Result<State> {
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
        Ok(State {
            pages,
            assets,
            renderer,
            index,
        })
    }

    /// How many pages are served, the home page included.
    pub fn page_count(&self) -> usize {
        self.pages.len()
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

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    warp::serve(routes::all(state))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
}

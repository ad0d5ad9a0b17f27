//! The snapshot: everything served, replaced whole when content or templates change.
//! Pages are rendered the first time they are asked for and then held as ready bytes
//! within a memory budget; a page that did not change keeps its bytes from one
//! snapshot to the next.

use super::document::{Document, HTML, JSON};
use super::outline::Outline;
use crate::content::{Listing, Navigation, NodeId, Page, PageRef, Pages, Site};
use crate::error::Result;
use crate::render::{Asset, Renderer, ResultView};
use crate::store::{KeptHome, Store};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

/// Everything served, replaced whole when content or templates change. Pages are
/// rendered the first time they are asked for and then held as ready bytes; a page
/// that did not change keeps its bytes from one snapshot to the next.
pub struct Snapshot {
    pages: HashMap<String, Arc<Served>>,
    /// The navigation every page carries; made anew when what lists show changes.
    nav: Arc<Navigation>,
    assets: HashMap<String, Arc<Document>>,
    renderer: Arc<Renderer>,
    /// The pages that head a group, offered when a search finds nothing.
    groups: Vec<ResultView>,
    /// Every page's URL and modification time, for the sitemap.
    sitemap: Vec<(String, Option<SystemTime>)>,
    /// Bytes of rendered HTML held, by this snapshot and those it came from.
    held: Arc<AtomicUsize>,
    /// How many such bytes may be held.
    budget: usize,
    /// Pages rendered but not held (past the budget, or too large to hold for good),
    /// kept while they are asked for, within a bound of their own.
    overflow: Arc<Overflow>,
}

/// The most bytes of rendered HTML held for good. Past it, pages are kept in the
/// overflow cache while they are asked for (a crawler cannot make the server hold
/// every page, nor make it render one page again and again).
const HELD_HTML_BYTES: usize = 16 * 1024 * 1024;

/// A page larger than this is never held for good, only kept in the overflow cache.
const LARGEST_HELD_PAGE: usize = 1024 * 1024;

/// The most bytes the overflow cache keeps, compressed variants counted.
const OVERFLOW_BYTES: u64 = 64 * 1024 * 1024;

/// Pages rendered but not held, by the id of what serves them.
type Overflow = quick_cache::sync::Cache<u64, Arc<Document>, DocumentWeight>;

/// Weighs a document by its bytes and, before they are made, room for its two
/// compressed variants.
#[derive(Debug, Clone, Copy)]
struct DocumentWeight;

impl quick_cache::Weighter<u64, Arc<Document>> for DocumentWeight {
    fn weight(&self, _: &u64, document: &Arc<Document>) -> u64 {
        (document.size() as u64).saturating_mul(2).max(1)
    }
}

/// A new overflow cache.
fn overflow() -> Arc<Overflow> {
    Arc::new(Overflow::with_weighter(64, OVERFLOW_BYTES, DocumentWeight))
}

/// A number for each page version served, never reused: the key of the overflow cache.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// One URL's page: its parsed form (or its file), and its HTML and JSON once rendered.
struct Served {
    id: u64,
    page: Option<PageRef>,
    /// For a section without an index page, its node: folio lists its entries.
    folder: Option<NodeId>,
    html: OnceLock<Option<Arc<Document>>>,
    json: OnceLock<Option<Arc<Document>>>,
    held: Arc<AtomicUsize>,
}

impl Served {
    /// The listing folio makes of the section at `folder`, rendered when first asked for.
    fn folder(folder: NodeId, held: &Arc<AtomicUsize>) -> Served {
        Served {
            id: next_id(),
            page: None,
            folder: Some(folder),
            html: OnceLock::new(),
            json: OnceLock::new(),
            held: held.clone(),
        }
    }

    fn lazy(page: PageRef, held: &Arc<AtomicUsize>) -> Served {
        Served {
            id: next_id(),
            page: Some(page),
            folder: None,
            html: OnceLock::new(),
            json: OnceLock::new(),
            held: held.clone(),
        }
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
        nav: &Navigation,
        sitemap: Vec<(String, Option<SystemTime>)>,
        held: &Arc<AtomicUsize>,
    ) -> Result<Lists> {
        let newest = sitemap.iter().filter_map(|(_, time)| *time).max();
        let (html, groups) = renderer.home(home.as_deref(), listings, nav)?;
        let html = Document::new(Bytes::from(html), HTML, newest);
        held.fetch_add(html.size(), Ordering::Relaxed);
        let home = Served {
            id: next_id(),
            page: home.map(PageRef::Parsed),
            folder: None,
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
        let html = Document::new(Bytes::from(kept.html), HTML, newest);
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
                id: next_id(),
                page: home,
                folder: None,
                html: OnceLock::from(Some(Arc::new(html))),
                json: OnceLock::new(),
                held: held.clone(),
            },
            groups,
            sitemap,
        }
    }

    /// The lists of `site`, whose pages list as `listings` and whose navigation is
    /// `nav`.
    fn of_site(
        renderer: &Renderer,
        site: &Site,
        listings: &[Listing],
        nav: &Navigation,
        held: &Arc<AtomicUsize>,
    ) -> Result<Lists> {
        let sitemap = site
            .pages
            .iter()
            .map(|page| (page.url.clone(), page.modified))
            .collect();
        let home = site.shared_page("/").cloned();
        Lists::render(renderer, home, listings, nav, sitemap, held)
    }
}

impl Pages for Snapshot {
    fn page_at(&self, url: &str) -> Option<Arc<Page>> {
        self.pages.get(url)?.page.as_ref()?.get()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(Some(html)) = self.html.get() {
            self.held.fetch_sub(html.size(), Ordering::Relaxed);
        }
    }
}

impl Snapshot {
    /// Serves every page of `site`, each rendered on its first request.
    pub fn render(site: &Site, renderer: Arc<Renderer>) -> Result<Snapshot> {
        Snapshot::of_site(site, renderer, Arc::new(AtomicUsize::new(0)))
    }

    /// Every page of `site` and its navigation, made anew; `held` counts the bytes of
    /// rendered HTML held.
    fn of_site(site: &Site, renderer: Arc<Renderer>, held: Arc<AtomicUsize>) -> Result<Snapshot> {
        let listings = site.listings();
        let nav = Arc::new(Navigation::build(
            &listings,
            renderer.lang(),
            site.nav.as_deref(),
            &site.locales,
        ));
        let pages = Snapshot::site_pages(site, &held);
        let lists = Lists::of_site(&renderer, site, &listings, &nav, &held)?;
        Ok(Snapshot::with_lists(pages, lists, nav, renderer, held))
    }

    /// Every page of `site`, each to be rendered on its first request.
    fn site_pages(site: &Site, held: &Arc<AtomicUsize>) -> HashMap<String, Arc<Served>> {
        site.pages
            .iter()
            .map(|page| {
                let served = Served::lazy(PageRef::Parsed(page.clone()), held);
                (page.url.clone(), Arc::new(served))
            })
            .collect()
    }

    /// Serves the pages of `outline`, each read from its file and rendered on its first
    /// request. The home page is the one kept in `dir` when it was made by an equal
    /// renderer from the same content; otherwise it is rendered beside building the
    /// page map.
    pub fn outline(outline: &Outline, renderer: Arc<Renderer>, store: &Store) -> Result<Snapshot> {
        let held = Arc::new(AtomicUsize::new(0));
        let listings: Vec<Listing> = outline.pages.iter().map(|p| p.listing()).collect();
        let nav = Arc::new(Navigation::build(
            &listings,
            renderer.lang(),
            outline.nav.as_deref(),
            &outline.locales,
        ));
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
                let kept = store.home(renderer.identity(), outline.fingerprint());
                if let Some(kept) = kept {
                    let home = home.map(|page| PageRef::File(page.file.clone()));
                    return Ok(Lists::kept(kept, home, sitemap, &held));
                }
                let home = home.and_then(|page| page.file.page());
                Lists::render(&renderer, home, &listings, &nav, sitemap, &held)
            },
        );
        Ok(Snapshot::with_lists(pages, lists?, nav, renderer, held))
    }

    fn with_lists(
        mut pages: HashMap<String, Arc<Served>>,
        lists: Lists,
        nav: Arc<Navigation>,
        renderer: Arc<Renderer>,
        held: Arc<AtomicUsize>,
    ) -> Snapshot {
        for (url, folder) in nav.folders() {
            if url != "/" && !pages.contains_key(url) {
                pages.insert(url.to_string(), Arc::new(Served::folder(folder, &held)));
            }
        }
        pages.insert("/".to_string(), Arc::new(lists.home));
        let assets = renderer
            .assets()
            .into_iter()
            .map(|asset: &Asset| {
                let body = Bytes::from(asset.body.clone());
                (
                    asset.url.clone(),
                    Arc::new(Document::new(body, asset.content_type, None)),
                )
            })
            .collect();
        Snapshot {
            pages,
            nav,
            assets,
            renderer,
            groups: lists.groups,
            sitemap: lists.sitemap,
            held,
            budget: HELD_HTML_BYTES,
            overflow: overflow(),
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
        if home {
            // What lists show changed: the navigation every page carries is made anew,
            // and with it every page.
            let mut snapshot = Snapshot::of_site(site, self.renderer.clone(), self.held.clone())?;
            snapshot.budget = self.budget;
            snapshot.overflow = self.overflow.clone();
            return Ok(snapshot);
        }
        let mut snapshot = Snapshot {
            pages: self.pages.clone(),
            nav: self.nav.clone(),
            assets: self.assets.clone(),
            renderer: self.renderer.clone(),
            groups: self.groups.clone(),
            sitemap: self.sitemap.clone(),
            held: self.held.clone(),
            budget: self.budget,
            overflow: self.overflow.clone(),
        };
        for url in removed {
            snapshot.pages.remove(url);
        }
        for page in changed.iter().filter_map(|url| site.shared_page(url)) {
            let served = Served::lazy(PageRef::Parsed(page.clone()), &self.held);
            snapshot.pages.insert(page.url.clone(), Arc::new(served));
        }
        if changed.iter().any(|url| url == "/") {
            let listings = site.listings();
            let (renderer, nav) = (&snapshot.renderer, &snapshot.nav);
            let lists = Lists::of_site(renderer, site, &listings, nav, &snapshot.held)?;
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

    /// The HTML of the page at `url` when it is rendered already: cheap enough for
    /// any thread.
    pub fn held(&self, url: &str) -> Option<Arc<Document>> {
        if url == "/" && self.nav.home().is_some() {
            return None;
        }
        let served = self.pages.get(url)?;
        match served.html.get() {
            Some(held) => held.clone(),
            None => self.overflow.get(&served.id),
        }
    }

    /// The HTML of the page at `url`, rendered now if it is not held yet: call it off
    /// the request threads. A page is then held while the budget allows, else kept in
    /// the overflow cache, so that it is rendered once per version while it is asked
    /// for (concurrent first requests wait for one rendering). A page that fails to
    /// render is logged and not served.
    pub fn html(&self, url: &str) -> Option<Arc<Document>> {
        let served = self.pages.get(url)?;
        if let Some(held) = served.html.get() {
            return held.clone();
        }
        let overflowed = self.overflow.get_or_insert_with(&served.id, || {
            let document = self.render_page(url, served).ok_or(())?;
            let size = document.size();
            let kept = size <= LARGEST_HELD_PAGE
                && self.held.fetch_add(size, Ordering::Relaxed) + size <= self.budget;
            match kept && served.html.set(Some(document.clone())).is_ok() {
                true => Err(()),
                false => {
                    if size <= LARGEST_HELD_PAGE {
                        self.held.fetch_sub(size, Ordering::Relaxed);
                    }
                    Ok(document)
                }
            }
        });
        // A page held for good is not put in the overflow cache; a page that did not
        // render is remembered as such.
        overflowed
            .ok()
            .or_else(|| served.html.get().cloned().flatten())
    }

    /// Renders the page of `served` at `url`; `None`, logged and remembered, when it
    /// does not render.
    fn render_page(&self, url: &str, served: &Served) -> Option<Arc<Document>> {
        let (rendered, modified) = match (&served.page, served.folder) {
            (Some(page), _) => {
                let page = page.get()?;
                (self.renderer.page(&page, &self.nav), page.modified)
            }
            (None, Some(folder)) => (self.renderer.folder(&self.nav, folder), None),
            (None, None) => return None,
        };
        match rendered {
            Ok(mut html) => {
                html.shrink_to_fit();
                Some(Arc::new(Document::new(Bytes::from(html), HTML, modified)))
            }
            Err(error) => {
                tracing::error!(url, %error, "page not served");
                let _ = served.html.set(None);
                None
            }
        }
    }

    /// The metadata of the page at `url` as JSON, made now if this is its first request.
    pub fn metadata(&self, url: &str) -> Option<Arc<Document>> {
        let served = self.pages.get(url)?;
        served
            .json
            .get_or_init(|| {
                let page = served.page.as_ref()?.get()?;
                let json = Bytes::from(self.renderer.page_json(&page));
                Some(Arc::new(Document::new(json, JSON, page.modified)))
            })
            .clone()
    }

    /// The URL of the page that `path` names in another form (`/x.md`, `/x.html`,
    /// `/x/`), or where the site's root leads when every page is in a locale folder.
    /// The second value says whether the way there is for good (a page's other
    /// forms) or only for now (a locale's missing page stood in for by its own
    /// language's).
    pub fn canonical(&self, path: &str) -> Option<(String, bool)> {
        if path == "/" {
            return self.nav.home().map(|home| (home.to_string(), true));
        }
        let links = self.nav.links();
        let url = links.canonical(path)?;
        let lasting = !links.stands_in(path, &url);
        Some((url, lasting))
    }

    /// Whether a page is served at `url`.
    pub fn serves(&self, url: &str) -> bool {
        self.pages.contains_key(url)
    }

    /// Keeps the home page in `store` for the next start from the page manifest, as
    /// made from content of `fingerprint`; nothing when it is kept there already.
    pub fn record_home(&self, store: &Store, fingerprint: u64) -> Result<()> {
        let Some(Some(home)) = self.pages.get("/").and_then(|served| served.html.get()) else {
            return Ok(());
        };
        let renderer = self.renderer.identity();
        if store.holds_home(renderer, fingerprint) {
            return Ok(());
        }
        store.write_home(&KeptHome {
            renderer,
            content: fingerprint,
            heads: self
                .groups
                .iter()
                .map(|head| (head.url.clone(), head.title.clone()))
                .collect(),
            html: String::from_utf8_lossy(home.bytes()).into_owned(),
        })
    }

    /// The 404 page for `path`, with the site's navigation.
    pub fn not_found(&self, path: &str) -> Result<String> {
        self.renderer.not_found(path, &self.nav)
    }

    /// The renderer its pages are made with.
    pub fn renderer(&self) -> &Arc<Renderer> {
        &self.renderer
    }

    /// The asset at `url` (`/assets/folio.1a2b….css`).
    pub fn asset(&self, url: &str) -> Option<&Arc<Document>> {
        self.assets.get(url)
    }

    /// The pages that head a group, offered when a search finds nothing.
    pub fn groups(&self) -> &[ResultView] {
        &self.groups
    }

    /// Every page's URL and the time it last changed, for the sitemap.
    pub fn sitemap(&self) -> &[(String, Option<SystemTime>)] {
        &self.sitemap
    }

    /// How many pages are served, the home page included.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_page;
    use std::path::Path;

    #[test]
    fn the_home_page_is_kept_for_its_renderer_and_content() {
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
        let store = Store::new(dir.path());
        snapshot.record_home(&store, 7).unwrap();
        let kept = store.home(identity, 7).unwrap();
        let served = snapshot.html("/").unwrap();
        assert_eq!(kept.html.as_bytes(), served.bytes().as_ref());
        assert_eq!(kept.heads.len(), snapshot.groups().len());
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

//! Applying changes: the [`Editor`] owns the loaded site while the server runs and is
//! the one place a change reaches what is served: the index is updated, pages are
//! rendered anew, a snapshot is published and browsers hear of it. The watcher, the
//! load behind a quick start and the start itself all come through [`Editor::apply`].

use super::outline;
use super::snapshot::Snapshot;
use super::{BrokenFile, Live, ReloadEvent};
use crate::config::Config;
use crate::content::{self, ContentFolder, Problem, Reloaded, Site};
use crate::index;
use crate::render::{self, Renderer};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A path under the content or templates folder that changed, as the watcher names
/// it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Touched {
    /// A Markdown page, relative to the content folder (created, changed or removed).
    Page(PathBuf),
    /// The synonym table.
    Synonyms,
    /// A template or asset.
    Templates,
    /// A folder of the content (renamed or removed): rescan it all.
    Folder,
    /// A file served beside the pages (an image, a PDF), relative to the content folder
    /// (added, changed or removed).
    File(PathBuf),
}

/// What changed in the site, by URL: what [`Editor::apply`] takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// URLs whose page was added or changed.
    pub changed: Vec<String>,
    /// URLs no longer served.
    pub removed: Vec<String>,
    /// Whether what lists of pages show changed (the home page is made anew).
    pub listing: bool,
    /// Whether the templates changed: every page is rendered anew.
    pub templates: bool,
    /// URLs of files served beside the pages that were added, changed or removed.
    pub files: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
            && self.removed.is_empty()
            && !self.listing
            && !self.templates
            && self.files.is_empty()
    }
}

/// Owns the site while serving and applies each change to what is served.
pub struct Editor {
    config: Config,
    folder: Arc<ContentFolder>,
    site: Site,
    renderer: Arc<Renderer>,
    live: Arc<Live>,
    /// The index folder, when this process writes it.
    store: Option<Store>,
    /// Files that fail to build now, by path.
    broken: BTreeMap<PathBuf, BrokenFile>,
    /// Whether the site changed since what the next start reads was recorded.
    unrecorded: bool,
    /// Bytes of page files let go (edited or removed) since memory was last given back.
    let_go: usize,
}

/// Past this many bytes of page files let go (a large page edited or removed), the
/// memory the allocator keeps free is given back to the system.
const GIVE_BACK_BYTES: usize = 1024 * 1024;

impl Editor {
    /// An editor of `site`, served by `live` with pages from `renderer`; `store` is the
    /// index folder when this process writes it.
    pub fn new(
        config: Config,
        folder: Arc<ContentFolder>,
        site: Site,
        renderer: Arc<Renderer>,
        live: Arc<Live>,
        store: Option<Store>,
    ) -> Editor {
        Editor {
            config,
            folder,
            site,
            renderer,
            live,
            store,
            broken: BTreeMap::new(),
            unrecorded: false,
            let_go: 0,
        }
    }

    /// The content folder.
    pub(super) fn folder(&self) -> &ContentFolder {
        &self.folder
    }

    /// Takes `site` as the site served, once it has loaded behind a quick start.
    pub(super) fn take_site(&mut self, site: Site) {
        self.site = site;
    }

    /// Reads the `touched` files into the site and applies what that changed. When only
    /// files beside the pages were touched, nothing is rebuilt: browsers hear of them.
    pub fn apply_touched(&mut self, touched: &BTreeSet<Touched>) {
        let started = Instant::now();
        let mut pages: BTreeSet<PathBuf> = BTreeSet::new();
        let mut changes = Changes::default();
        let mut rebuild = false;
        for touched in touched {
            rebuild |= !matches!(touched, Touched::File(_));
            if let Touched::Page(relative) | Touched::File(relative) = touched {
                let includers = self.site.includers(relative);
                if !includers.is_empty() && matches!(touched, Touched::File(_)) {
                    self.site.restamp(&self.folder, relative);
                    rebuild = true;
                }
                pages.extend(includers);
            }
            match touched {
                Touched::Page(relative) => {
                    pages.insert(relative.clone());
                }
                Touched::Folder => pages.extend(self.rescan()),
                Touched::Synonyms => self.reload_synonyms(),
                Touched::Templates => {
                    self.reload_templates();
                    changes.templates = true;
                }
                Touched::File(relative) => changes.files.extend(self.live.files().urls(relative)),
            }
        }
        if !rebuild {
            tracing::info!(
                files = changes.files.len(),
                "files beside the pages changed"
            );
            self.live.announce(&ReloadEvent {
                files: changes.files,
                errors: self.broken.values().cloned().collect(),
                ..ReloadEvent::default()
            });
            return;
        }
        for relative in &pages {
            self.reload(relative, &mut changes);
        }
        self.apply_since(changes, started);
    }

    /// Applies `changes` to what is served: the index, the pages, browsers.
    pub fn apply(&mut self, changes: Changes) {
        self.apply_since(changes, Instant::now());
    }

    fn apply_since(&mut self, mut changes: Changes, started: Instant) {
        let navigation = changes.templates || changes.listing || !changes.removed.is_empty();
        let snapshot = if changes.templates {
            Snapshot::render(&self.site, self.renderer.clone())
        } else {
            let home = navigation;
            self.live
                .snapshot()
                .with_changes(&self.site, &changes.changed, &changes.removed, home)
        };
        let rendered = started.elapsed();
        match snapshot {
            Ok(snapshot) => self.live.publish(snapshot),
            Err(error) => tracing::error!(%error, "rebuild failed; the previous pages stay"),
        }
        self.update_index(&changes);
        let indexed_at = started.elapsed();
        if changes.templates {
            changes.changed = self
                .site
                .pages
                .iter()
                .map(|page| page.url.clone())
                .collect();
        }
        self.live.rebuilt(started.elapsed());
        tracing::info!(
            changed = changes.changed.len(),
            removed = changes.removed.len(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            render_ms = rendered.as_secs_f64() * 1e3,
            index_ms = (indexed_at - rendered).as_secs_f64() * 1e3,
            "rebuilt"
        );
        self.live.announce(&ReloadEvent {
            navigation,
            changed: changes.changed,
            removed: changes.removed,
            files: changes.files,
            errors: self.broken.values().cloned().collect(),
        });
        self.unrecorded = self.broken.is_empty();
        if self.let_go >= GIVE_BACK_BYTES {
            self.let_go = 0;
            give_back_memory();
        }
    }

    /// Puts the changed pages into the index and records which content it holds now
    /// (or that it is stale, while a file is broken).
    fn update_index(&self, changes: &Changes) {
        let index = self.live.index();
        if !index.is_writable() {
            if !changes.changed.is_empty() || !changes.removed.is_empty() {
                tracing::warn!(index = %self.config.index.display(), "the index was built from other content; run `folio index` to rebuild it");
            }
            return;
        }
        // A page that others include is found as their text, not on its own.
        let parts = self.site.parts();
        let (parts, pages): (Vec<&Arc<content::Page>>, Vec<&Arc<content::Page>>) = changes
            .changed
            .iter()
            .filter_map(|url| self.site.shared_page(url))
            .partition(|page| parts.contains(page.source.as_path()));
        let pages: Vec<Arc<content::Page>> = pages.into_iter().cloned().collect();
        let mut removed = changes.removed.clone();
        removed.extend(parts.iter().map(|page| page.url.clone()));
        if let Err(error) = index.update(&removed, &pages) {
            tracing::error!(%error, "index update failed");
        }
        let Some(store) = &self.store else {
            return;
        };
        let line = match self.broken.is_empty() {
            true => index::identity(
                self.site.fingerprint(),
                &super::start::searched(&self.config, &self.site.locales),
            ),
            false => "stale\n".to_string(),
        };
        if let Err(error) = store.write_fingerprint(&line) {
            tracing::warn!(%error, "could not record the index fingerprint");
        }
    }

    /// Whether the site changed since what the next start reads was recorded.
    pub fn unrecorded(&self) -> bool {
        self.unrecorded
    }

    /// Records what the next start reads to serve at once: the page manifest, and once
    /// that is written, the home page as served. Nothing when this process does not
    /// write the index folder.
    pub fn record(&mut self) {
        self.unrecorded = false;
        let Some(store) = &self.store else {
            return;
        };
        let recorded = outline::manifest(&self.folder, &self.site)
            .and_then(|manifest| store.write_pages(&manifest))
            .and_then(|()| {
                self.live
                    .snapshot()
                    .record_home(store, self.site.fingerprint())
            });
        if let Err(error) = recorded {
            tracing::warn!(%error, "the page manifest was not written; the next start loads every page");
        }
    }

    /// Keeps the home page as served for the next start (its manifest is current).
    pub(super) fn record_home(&self) {
        let Some(store) = &self.store else {
            return;
        };
        if let Err(error) = self
            .live
            .snapshot()
            .record_home(store, self.site.fingerprint())
        {
            tracing::warn!(%error, "the home page was not kept for the next start");
        }
    }

    /// Reads one page file again into the site, noting in `changes` what that changed.
    fn reload(&mut self, relative: &Path, changes: &mut Changes) {
        let path = self.folder.path().join(relative);
        // The file as last read: one lookup, where finding its page scans them all.
        let read = self.site.files.get(relative).map_or(0, |stamp| stamp.size);
        self.let_go += usize::try_from(read).unwrap_or(usize::MAX);
        match self.site.reload(&self.folder, relative) {
            Reloaded::Updated {
                url,
                old_url,
                listing_changed,
            } => {
                self.broken.remove(&path);
                changes.listing |= listing_changed;
                changes.removed.extend(old_url);
                changes.changed.push(url);
            }
            Reloaded::Removed(url) => {
                self.broken.remove(&path);
                changes.removed.push(url);
            }
            Reloaded::Failed(problem) => self.report(relative, problem),
            Reloaded::Navigation => {
                self.broken.remove(&path);
                changes.listing = true;
            }
            Reloaded::Unchanged => {
                self.broken.remove(&path);
            }
        }
    }

    /// Every page file whose bytes differ from what the site holds, or that appeared
    /// or vanished: after a folder was renamed or removed.
    fn rescan(&mut self) -> Vec<PathBuf> {
        let fresh = match content::load(&self.folder) {
            Ok(fresh) => fresh,
            Err(error) => {
                tracing::error!(%error, "content rescan failed");
                return Vec::new();
            }
        };
        let mut differing: Vec<PathBuf> = fresh
            .files
            .iter()
            .filter(|(path, stamp)| {
                self.site.files.get(*path).map(|known| known.hash) != Some(stamp.hash)
            })
            .map(|(path, _)| path.clone())
            .collect();
        // An included file that is not a page changes the pages that include it.
        let (included, mut differing): (Vec<PathBuf>, Vec<PathBuf>) =
            differing.drain(..).partition(|path| {
                !content::is_page_file(path) && !self.folder.project().is_nav_file(path)
            });
        for path in &included {
            self.site.restamp(&self.folder, path);
            differing.extend(self.site.includers(path));
        }
        differing.extend(
            self.site
                .files
                .keys()
                .filter(|path| !fresh.files.contains_key(*path))
                .cloned(),
        );
        differing.sort();
        differing
    }

    fn reload_synonyms(&mut self) {
        match index::synonyms::read(&self.folder) {
            Err(problem) => self.report(Path::new(index::synonyms::FILE), problem),
            Ok(groups) => {
                self.broken
                    .remove(&self.folder.path().join(index::synonyms::FILE));
                if let Err(error) = self.live.index().set_synonyms(&groups) {
                    tracing::error!(%error, "synonyms not applied");
                }
            }
        }
    }

    /// Makes the renderer anew from the templates folder; a template that does not
    /// parse keeps the last renderer and is reported.
    fn reload_templates(&mut self) {
        let templates = &self.config.templates;
        let options = render::Options::of(&self.config, self.folder.project(), true);
        match Renderer::new(templates, &options) {
            Ok(renderer) => {
                self.broken.retain(|path, _| !path.starts_with(templates));
                self.renderer = Arc::new(renderer);
            }
            Err(error) => {
                tracing::error!("{error}");
                let problem = Problem::error(1, error.to_string()).in_file(templates);
                self.broken
                    .insert(templates.clone(), BrokenFile { url: None, problem });
            }
        }
    }

    /// Logs a broken file in one line and remembers it until it is fixed.
    fn report(&mut self, relative: &Path, problem: Problem) {
        tracing::error!("{problem}");
        let url = self
            .site
            .pages
            .iter()
            .find(|page| page.source == relative)
            .map(|page| page.url.clone())
            .or_else(|| content::url::url_for(relative, &Default::default()).ok());
        let key = problem.path.clone();
        let problem = problem.in_file(relative);
        self.broken.insert(key, BrokenFile { url, problem });
    }
}

/// Gives the memory the allocator keeps free back to the system, after a large page
/// was let go or the site loaded: glibc keeps freed memory for reuse, in one heap per
/// thread that allocated it, so a server that once held a large page (or the parser's
/// and the manifest's working memory) would otherwise keep its size for good.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(super) fn give_back_memory() {
    // SAFETY: malloc_trim only returns free memory of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Gives the memory the allocator keeps free back to the system (the system's
/// allocator does it by itself here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn give_back_memory() {}

//! Start-up: from the page manifest when every page file is as it recorded (serving
//! before a page is parsed, the site loading behind), else by loading every page
//! first. Either way the start ends in [`Started::finish`], which leaves the site
//! loaded, applied and recorded for the next start, and gives the [`Editor`] that
//! applies changes from then on.

use super::edit::Editor;
use super::files::Files;
use super::outline::Outline;
use super::snapshot::Snapshot;
use super::{IndexOpening, Live, Start, StartFrom};
use crate::config::Config;
use crate::content::{self, ContentFolder, Site};
use crate::error::{Error, Result};
use crate::index::{self, SearchIndex};
use crate::render::{self, Renderer};
use crate::store::Store;
use std::sync::Arc;
use std::time::Instant;

/// A site that serves, with what is left of its start.
pub struct Started {
    /// What the server holds.
    pub live: Arc<Live>,
    editor: Editor,
    rest: Rest,
}

/// What is left of a start once the site serves.
enum Rest {
    /// The site is served from its manifest and still to load.
    Outlined(Outline),
    /// Every page was loaded before serving; the manifest is still to record.
    Loaded,
}

/// What every start needs, made once: the renderer, the content folder and the files
/// served beside the pages.
pub struct Starting {
    renderer: Arc<Renderer>,
    folder: Arc<ContentFolder>,
    files: Arc<Files>,
    /// Whether changes will be applied while the site runs.
    live: bool,
}

impl Starting {
    /// Prepares to start the site `config` names; `watching` says whether changes will
    /// be applied while it runs. Files of the project's public folder (VitePress's
    /// `public/`) are served at the site's root, those of the content folder at their
    /// paths in it.
    pub fn new(config: &Config, watching: bool) -> Result<Starting> {
        let live = watching && !config.read_only;
        let folder = Arc::new(ContentFolder::of(config)?);
        let options = render::Options::of(config, folder.project(), live);
        let renderer = Renderer::new(&config.templates, &options)?;
        let public = folder
            .project()
            .public
            .as_ref()
            .map(|public| ContentFolder::at(public, config));
        Ok(Starting {
            renderer: Arc::new(renderer),
            files: Arc::new(Files::new(folder.clone(), public)),
            folder,
            live,
        })
    }

    /// Starts from the page manifest, when it is current (serving before a page is
    /// parsed; [`Started::finish`] loads them); `None` when every page must be loaded
    /// first ([`Starting::load`]).
    pub fn from_manifest(&self, config: &Config) -> Option<Started> {
        quick_start(config, self)
    }

    /// Starts by loading every page first.
    pub fn load(self, config: &Config) -> Result<Started> {
        start_loaded(config, self)
    }
}

/// Starts the site `config` names by loading every page first.
fn start_loaded(config: &Config, starting: Starting) -> Result<Started> {
    let Starting {
        renderer,
        folder,
        files,
        live,
    } = starting;
    let site = load_site(&folder)?;
    let synonyms = read_synonyms(&folder);
    let (index, store, opening) = open_index(config, &site, &synonyms)?;
    let snapshot = Snapshot::render(&site, renderer.clone())?;
    let index = Arc::new(index);
    let start = Start {
        from: StartFrom::Pages,
        index: opening,
    };
    let live_state = Arc::new(Live::new(snapshot, index.clone(), files, live, start));
    let editor = Editor::new(
        config.clone(),
        folder,
        site,
        renderer,
        live_state.clone(),
        store,
    );
    Ok(Started {
        live: live_state,
        editor,
        rest: Rest::Loaded,
    })
}

impl Started {
    /// Finishes the start behind the server: after a start from the manifest, loads
    /// every page and applies what changed since the manifest was written; then
    /// records what the next start reads. Returns the editor that applies changes from
    /// now on, or `None` when the site did not load (pages are then read as asked for).
    pub fn finish(self) -> Option<Editor> {
        let Started {
            live,
            mut editor,
            rest,
        } = self;
        match rest {
            Rest::Loaded => editor.record(),
            Rest::Outlined(outline) => {
                let recorded = outline.into_recorded();
                let site = match load_site(editor.folder()) {
                    Ok(site) => site,
                    Err(error) => {
                        tracing::error!(%error, "the site did not load; pages are read as they are asked for");
                        return None;
                    }
                };
                recorded.fill(&site);
                let changes = recorded.changes(&site);
                editor.take_site(site);
                if changes.is_empty() {
                    editor.record_home();
                } else {
                    tracing::info!(
                        changed = changes.changed.len(),
                        removed = changes.removed.len(),
                        "pages changed since the manifest was written"
                    );
                    let count = changes.changed.len() + changes.removed.len();
                    live.caught_up
                        .store(count, std::sync::atomic::Ordering::Relaxed);
                    editor.apply(changes);
                    editor.record();
                }
            }
        }
        // Loading parsed every page on many threads and read the manifest: what that
        // freed goes back to the system rather than stay with the allocator.
        super::edit::give_back_memory();
        live.mark_loaded();
        tracing::info!("start complete: every page is loaded");
        Some(editor)
    }
}

/// The site served from the manifest in the index folder, when every page file still
/// has the size and time it records: serving starts without parsing a page. `None`
/// when a page must be loaded first.
fn quick_start(config: &Config, starting: &Starting) -> Option<Started> {
    let started = Instant::now();
    let store = Store::new(&config.index);
    let outline = Outline::read(&store, &starting.folder)?;
    let synonyms = index::synonyms::read(&starting.folder).ok()?;
    let (opened, snapshot) = rayon::join(
        || {
            outline
                .is_current(starting.folder.path())
                .then(|| open_outlined(config, &store, &outline, &synonyms))
        },
        || Snapshot::outline(&outline, starting.renderer.clone(), &store),
    );
    let index = match opened {
        Some(Ok(Some(index))) => index,
        Some(Err(error)) => {
            tracing::warn!(%error, "the index did not open from its manifest; loading every page");
            return None;
        }
        Some(Ok(None)) | None => return None,
    };
    let snapshot = snapshot
        .map_err(|error| tracing::warn!(%error, "the manifest's pages did not render"))
        .ok()?;
    tracing::info!(index = %config.index.display(), "index is up to date");
    tracing::info!(
        pages = outline.pages.len(),
        ms = started.elapsed().as_millis() as u64,
        "pages listed from the manifest; the site loads behind the server"
    );
    let start = Start {
        from: StartFrom::Manifest,
        index: match index.is_writable() {
            true => IndexOpening::Reused,
            false => IndexOpening::ReadOnly,
        },
    };
    let writes = index.is_writable().then_some(store);
    let index = Arc::new(index);
    let live_state = Arc::new(Live::new(
        snapshot,
        index.clone(),
        starting.files.clone(),
        starting.live,
        start,
    ));
    let editor = Editor::new(
        config.clone(),
        starting.folder.clone(),
        Site::default(),
        starting.renderer.clone(),
        live_state.clone(),
        writes,
    );
    Some(Started {
        live: live_state,
        editor,
        rest: Rest::Outlined(outline),
    })
}

/// Opens the index in the store's folder when it was built from the content `outline`
/// describes, with these facet keys, by this version of folio; `None` otherwise. When
/// another process holds the writer, the index is opened for reading only.
fn open_outlined(
    config: &Config,
    store: &Store,
    outline: &Outline,
    synonyms: &[Vec<String>],
) -> Result<Option<SearchIndex>> {
    let searched = searched(config, &outline.locales);
    if store.fingerprint() != Some(index::identity(outline.fingerprint(), &searched)) {
        return Ok(None);
    }
    let writable = !config.read_only;
    match SearchIndex::open(&config.index, writable, &searched, synonyms) {
        Err(Error::IndexBusy(_)) => {
            SearchIndex::open(&config.index, false, &searched, synonyms).map(Some)
        }
        opened => opened.map(Some),
    }
}

/// Loads the site and logs every problem.
pub fn load_site(folder: &ContentFolder) -> Result<Site> {
    let started = Instant::now();
    let site = content::load(folder)?;
    tracing::info!(
        pages = site.pages.len(),
        ms = started.elapsed().as_millis() as u64,
        "content loaded"
    );
    for problem in &site.problems {
        match problem.is_error() {
            false => tracing::warn!("{problem}"),
            true => tracing::error!("{problem}"),
        }
    }
    Ok(site)
}

/// The synonym groups of the content; none, logged, when the table does not read.
fn read_synonyms(folder: &ContentFolder) -> Vec<Vec<String>> {
    index::synonyms::read(folder).unwrap_or_else(|problem| {
        tracing::error!("{problem}");
        Vec::new()
    })
}

/// Opens the index of `site` in the index folder: as it is when it was built from
/// this content, else rebuilt there; read-only as `folio index` built it for a
/// replica. The store is given back when this process may write the folder, with how
/// the index was had. A folder that cannot hold an index gives an index held in
/// memory.
pub fn open_index(
    config: &Config,
    site: &Site,
    synonyms: &[Vec<String>],
) -> Result<(SearchIndex, Option<Store>, IndexOpening)> {
    let store = Store::new(&config.index);
    let searched = searched(config, &site.locales);
    if config.read_only {
        if !store.has_index() {
            return Err(Error::NoIndex(config.index.clone()));
        }
        if store.fingerprint() != Some(index::identity(site.fingerprint(), &searched)) {
            tracing::warn!(index = %config.index.display(), "the index was built from other content; run `folio index` to rebuild it");
        }
        let index = SearchIndex::open(&config.index, false, &searched, synonyms)?;
        return Ok((index, None, IndexOpening::ReadOnly));
    }
    let started = Instant::now();
    let (index, reason) = match open_or_build(config, &store, site, synonyms) {
        Ok(opened) => opened,
        Err(error @ (Error::Io { .. } | Error::Index(_))) => {
            tracing::warn!(
                index = %config.index.display(),
                "cannot use the index folder ({error}); searching an index held in memory"
            );
            let index = SearchIndex::in_memory(&searched, synonyms)?;
            index.replace_all(&site.searched_pages())?;
            return Ok((index, None, IndexOpening::InMemory));
        }
        Err(error) => return Err(error),
    };
    let opening = match reason {
        None => {
            tracing::info!(index = %config.index.display(), "index is up to date");
            IndexOpening::Reused
        }
        Some(reason) => {
            tracing::info!(
                index = %config.index.display(),
                pages = site.pages.len(),
                ms = started.elapsed().as_millis() as u64,
                "index rebuilt ({reason})"
            );
            IndexOpening::Rebuilt
        }
    };
    let opening = match index.is_writable() {
        true => opening,
        false => IndexOpening::ReadOnly,
    };
    let writes = index.is_writable().then_some(store);
    Ok((index, writes, opening))
}

/// Opens the index in the store's folder when it was built from exactly this site,
/// with these facet keys, by this version of folio; otherwise rebuilds it there. The
/// reason for a rebuild comes with the index.
fn open_or_build(
    config: &Config,
    store: &Store,
    site: &Site,
    synonyms: &[Vec<String>],
) -> Result<(SearchIndex, Option<&'static str>)> {
    let (dir, searched) = (&config.index, &searched(config, &site.locales));
    store.create()?;
    let wanted = index::identity(site.fingerprint(), searched);
    let stale = match store.fingerprint() {
        None => Some("no index yet"),
        Some(line) if line != wanted => Some("content or folio version changed"),
        Some(_) => None,
    };
    let reason = match (SearchIndex::open(dir, true, searched, synonyms), stale) {
        (Ok(index), None) => return Ok((index, None)),
        (Ok(index), Some(reason)) => {
            index.replace_all(&site.searched_pages())?;
            store.write_fingerprint(&wanted)?;
            return Ok((index, Some(reason)));
        }
        (Err(Error::IndexBusy(_)), None) => {
            let index = SearchIndex::open(dir, false, searched, synonyms)?;
            return Ok((index, None));
        }
        (Err(error @ Error::IndexBusy(_)), Some(_)) => return Err(error),
        (Err(error), reason) => {
            if store.has_index() {
                tracing::warn!(%error, "index unreadable; rebuilding it");
            }
            reason.unwrap_or("index unreadable")
        }
    };
    store.clear()?;
    let index = SearchIndex::create(dir, searched, synonyms)?;
    index.replace_all(&site.searched_pages())?;
    store.write_fingerprint(&wanted)?;
    Ok((index, Some(reason)))
}

/// What the index holds besides the words, as `config` and the locale folders say.
pub fn searched(config: &Config, locales: &content::LocaleFolders) -> index::Searched {
    index::Searched {
        facets: config.facets.clone(),
        languages: locales.clone(),
    }
}

/// Builds the index of `site` in the index folder, with its page manifest for a start
/// that serves at once, as `folio index` does; returns how many pages it holds.
pub fn index_site(config: &Config, folder: &ContentFolder, site: Site) -> Result<u64> {
    let synonyms = read_synonyms(folder);
    let (index, store, _) = open_index(config, &site, &synonyms)?;
    if let Some(store) = &store {
        let recorded = super::outline::manifest(folder, &site)
            .and_then(|manifest| store.write_pages(&manifest));
        if let Err(error) = recorded {
            tracing::warn!(%error, "the page manifest was not written; the next start loads every page");
        }
    }
    Ok(index.len())
}

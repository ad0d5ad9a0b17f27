//! Watch: notices edits under content/ and templates/ and applies them while serving.
//!
//! File events (native, or polled for Docker volumes and network mounts) are
//! debounced, classified by a pure function into [`Target`]s, and applied: only the
//! pages that changed are re-parsed, re-rendered and re-indexed, then browsers hear of
//! it. A broken file keeps its last good page live and is reported, never fatal.

use crate::config::{Config, Watch};
use crate::content::{self, Diagnostic, Reloaded, Site};
use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::render::Renderer;
use crate::server::{BuildError, ReloadEvent, Snapshot, State};
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Quiet time that ends a burst of events (an editor's save is several events).
const DEBOUNCE: Duration = Duration::from_millis(15);
/// The longest a burst is collected before it is applied anyway.
const MAX_BURST: Duration = Duration::from_millis(250);
/// Quiet time after the last change before the page manifest is written anew (it
/// lists every page: rewriting it after each save would delay the next one).
const MANIFEST_DELAY: Duration = Duration::from_secs(1);
/// How often files are compared in polling mode. Polling compares contents, not only
/// modification times, which the poller reads in whole seconds and so would miss a
/// second save within the same second.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What a changed path means for the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A Markdown page, relative to the content folder (created, changed or removed).
    Page(PathBuf),
    /// The synonym table.
    Synonyms,
    /// A template or asset.
    Templates,
    /// A folder of the content (renamed or removed): rescan it all.
    Folder,
}

/// Classifies a changed path; `None` for paths that do not matter (hidden files,
/// editor back-ups, other extensions). Pure: it looks at names only.
pub fn classify(path: &Path, content: &Path, templates: &Path) -> Option<Target> {
    if let Ok(relative) = path.strip_prefix(templates) {
        let hidden = relative.components().any(|c| is_hidden(c.as_os_str()));
        let extension = relative.extension().and_then(|e| e.to_str());
        return (!hidden && matches!(extension, Some("hbs" | "css" | "js")))
            .then_some(Target::Templates);
    }
    let relative = path.strip_prefix(content).ok()?;
    if relative.as_os_str().is_empty() || relative.components().any(|c| is_hidden(c.as_os_str())) {
        return None;
    }
    if relative == Path::new(content::SYNONYMS_FILE) {
        return Some(Target::Synonyms);
    }
    match relative.extension().and_then(|e| e.to_str()) {
        Some("md") => Some(Target::Page(relative.to_path_buf())),
        None => Some(Target::Folder),
        Some(_) => None,
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') || n.ends_with('~') || n == "node_modules")
}

/// Whether an event is a creation, modification, removal or rename: opens, reads
/// and closes (which inotify reports too) are not.
fn counts(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
        // A new modification time is how polling reports a write; other metadata
        // (permissions, access times) is not a change of content.
        EventKind::Modify(ModifyKind::Metadata(metadata)) => *metadata == MetadataKind::WriteTime,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Other => false,
    }
}

/// A running watcher: dropping it stops watching.
pub struct Watching {
    _watcher: Box<dyn Watcher + Send>,
}

/// Watchers registered on the content and templates folders, holding the changes
/// seen since, until [`start`] applies them.
pub struct Listening {
    watcher: Box<dyn Watcher + Send>,
    batches: mpsc::Receiver<PathBuf>,
    content: PathBuf,
    templates: Option<PathBuf>,
}

/// Starts watching `config.content` and `config.templates` (`None` when watching is
/// off). Changes made from then on are kept for [`start`], so this may run before or
/// beside loading the site.
pub fn listen(config: &Config) -> Result<Option<Listening>> {
    let (events, batches) = mpsc::channel::<PathBuf>();
    let handler = move |result: notify::Result<notify::Event>| match result {
        Ok(event) if counts(&event.kind) => {
            for path in event.paths {
                let _ = events.send(path);
            }
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "file watching reported an error"),
    };
    let mut watcher: Box<dyn Watcher + Send> = match config.watch {
        Watch::Off => return Ok(None),
        Watch::Native => Box::new(
            RecommendedWatcher::new(handler, notify::Config::default()).map_err(watch_error)?,
        ),
        Watch::Poll => Box::new(
            PollWatcher::new(
                handler,
                notify::Config::default()
                    .with_poll_interval(POLL_INTERVAL)
                    .with_compare_contents(true),
            )
            .map_err(watch_error)?,
        ),
    };
    let content = config
        .content
        .canonicalize()
        .map_err(|e| Error::io(&config.content, e))?;
    watcher
        .watch(&content, RecursiveMode::Recursive)
        .map_err(watch_error)?;
    let templates = config.templates.canonicalize().ok();
    if let Some(templates) = &templates {
        watcher
            .watch(templates, RecursiveMode::Recursive)
            .map_err(watch_error)?;
    }
    Ok(Some(Listening {
        watcher,
        batches,
        content,
        templates,
    }))
}

/// Applies the changes `listening` sees to `site`, `state` and `index` on a thread of
/// its own, starting with those seen since it began.
pub fn start(
    listening: Listening,
    config: &Config,
    site: Site,
    renderer: Arc<Renderer>,
    state: Arc<State>,
    index: Arc<SearchIndex>,
) -> Result<Watching> {
    let Listening {
        watcher,
        batches,
        content,
        templates,
    } = listening;
    let mut applier = Applier {
        content,
        templates: templates.unwrap_or_else(|| config.templates.clone()),
        title: config.title.clone(),
        site_url: config.site_url.clone().unwrap_or_default(),
        base_path: config.base_path.clone(),
        site,
        renderer,
        state,
        index,
        broken: BTreeMap::new(),
        index_dir: config.index.clone(),
        unrecorded: false,
    };
    std::thread::Builder::new()
        .name("folio-watch".into())
        .spawn(move || {
            loop {
                let quiet = applier.unrecorded.then_some(MANIFEST_DELAY);
                match next_burst(&batches, quiet) {
                    Burst::Paths(paths) => applier.apply(&paths),
                    Burst::Quiet => applier.record_manifest(),
                    Burst::Closed => break,
                }
            }
        })
        .map_err(|e| Error::io(&config.content, e))?;
    tracing::info!(mode = ?config.watch, "watching {} for changes", config.content.display());
    Ok(Watching { _watcher: watcher })
}

fn watch_error(error: notify::Error) -> Error {
    let path = error.paths.first().cloned().unwrap_or_default();
    Error::io(path, std::io::Error::other(error.to_string()))
}

/// What waiting for events brought.
enum Burst {
    /// The paths of a burst of changes.
    Paths(BTreeSet<PathBuf>),
    /// Nothing changed for as long as was asked.
    Quiet,
    /// The watcher is gone.
    Closed,
}

/// Waits for an event (for at most `quiet`, when given), then collects the burst it
/// starts.
fn next_burst(events: &mpsc::Receiver<PathBuf>, quiet: Option<Duration>) -> Burst {
    let first = match quiet {
        Some(quiet) => match events.recv_timeout(quiet) {
            Ok(path) => path,
            Err(mpsc::RecvTimeoutError::Timeout) => return Burst::Quiet,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Burst::Closed,
        },
        None => match events.recv() {
            Ok(path) => path,
            Err(_) => return Burst::Closed,
        },
    };
    let started = Instant::now();
    let mut paths = BTreeSet::from([first]);
    while started.elapsed() < MAX_BURST {
        match events.recv_timeout(DEBOUNCE) {
            Ok(path) => {
                paths.insert(path);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => break,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    Burst::Paths(paths)
}

/// Owns the site while serving and applies each burst of changes to it.
struct Applier {
    content: PathBuf,
    templates: PathBuf,
    title: String,
    site_url: String,
    base_path: String,
    site: Site,
    renderer: Arc<Renderer>,
    state: Arc<State>,
    index: Arc<SearchIndex>,
    /// Files that fail to build now, by path.
    broken: BTreeMap<PathBuf, BuildError>,
    /// The index folder, where what the next start reads is recorded.
    index_dir: PathBuf,
    /// Whether the site changed since the page manifest was last written.
    unrecorded: bool,
}

impl Applier {
    fn apply(&mut self, paths: &BTreeSet<PathBuf>) {
        let started = Instant::now();
        let targets: BTreeSet<Target> = paths
            .iter()
            .filter_map(|path| classify(path, &self.content, &self.templates))
            .collect();
        if targets.is_empty() {
            return;
        }
        let mut pages: BTreeSet<PathBuf> = BTreeSet::new();
        let mut templates = false;
        for target in targets {
            match target {
                Target::Page(relative) => {
                    pages.insert(relative);
                }
                Target::Folder => pages.extend(self.rescan()),
                Target::Synonyms => self.reload_synonyms(),
                Target::Templates => templates = true,
            }
        }
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        let mut listing = false;
        for relative in &pages {
            let path = self.content.join(relative);
            match self.site.reload(&self.content, relative) {
                Reloaded::Updated {
                    url,
                    old_url,
                    listing_changed,
                } => {
                    self.broken.remove(&path);
                    listing |= listing_changed;
                    removed.extend(old_url);
                    changed.push(url);
                }
                Reloaded::Removed(url) => {
                    self.broken.remove(&path);
                    removed.push(url);
                }
                Reloaded::Failed(diagnostic) => self.report(relative, &diagnostic),
                Reloaded::Unchanged => {
                    self.broken.remove(&path);
                }
            }
        }
        if templates {
            self.reload_templates();
        }
        let snapshot = if templates {
            Snapshot::render(&self.site, self.renderer.clone())
        } else {
            let home = listing || !removed.is_empty();
            self.state
                .snapshot()
                .with_changes(&self.site, &changed, &removed, home)
        };
        let rendered = started.elapsed();
        match snapshot {
            Ok(snapshot) => self.state.publish(snapshot),
            Err(error) => tracing::error!(%error, "rebuild failed; the previous pages stay"),
        }
        let indexed: Vec<Arc<content::Page>> = changed
            .iter()
            .filter_map(|url| self.site.shared_page(url).cloned())
            .collect();
        if let Err(error) = self.index.update(&removed, &indexed) {
            tracing::error!(%error, "index update failed");
        }
        let indexed_at = started.elapsed();
        let clean = self.broken.is_empty();
        if let Err(error) = self.index.record(clean.then_some(&self.site)) {
            tracing::warn!(%error, "could not record the index fingerprint");
        }
        if templates {
            changed = self
                .site
                .pages
                .iter()
                .map(|page| page.url.clone())
                .collect();
        }
        self.state.reindexed(started.elapsed());
        tracing::info!(
            changed = changed.len(),
            removed = removed.len(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            render_ms = rendered.as_secs_f64() * 1e3,
            index_ms = (indexed_at - rendered).as_secs_f64() * 1e3,
            "rebuilt"
        );
        self.state.announce(&ReloadEvent {
            changed,
            removed,
            errors: self.broken.values().cloned().collect(),
        });
        self.unrecorded = clean;
    }

    /// Records the site as it is now for the next start: its page manifest and home
    /// page.
    fn record_manifest(&mut self) {
        self.unrecorded = false;
        let (content, index_dir) = (&self.content, &self.index_dir);
        crate::record_next_start(&self.index, &self.state, content, index_dir, &self.site);
    }

    /// Every page file whose bytes differ from what the site holds, or that appeared
    /// or vanished: after a folder was renamed or removed.
    fn rescan(&mut self) -> Vec<PathBuf> {
        let fresh = match content::load(&self.content) {
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
        match content::load_synonyms(&mut self.site, &self.content) {
            Some(diagnostic) => {
                let relative = PathBuf::from(content::SYNONYMS_FILE);
                self.report(&relative, &diagnostic);
            }
            None => {
                self.broken
                    .remove(&self.content.join(content::SYNONYMS_FILE));
                if let Err(error) = self.index.set_synonyms(&self.site.synonyms) {
                    tracing::error!(%error, "synonyms not applied");
                }
            }
        }
    }

    fn reload_templates(&mut self) {
        let options = crate::render::Options {
            title: &self.title,
            site_url: &self.site_url,
            base_path: &self.base_path,
            live: true,
        };
        match Renderer::new(&self.templates, &options) {
            Ok(renderer) => {
                self.broken
                    .retain(|path, _| !path.starts_with(&self.templates));
                self.renderer = Arc::new(renderer);
            }
            Err(error) => {
                tracing::error!("{error}");
                self.broken.insert(
                    self.templates.clone(),
                    BuildError {
                        path: self.templates.display().to_string(),
                        url: None,
                        line: 1,
                        message: error.to_string(),
                    },
                );
            }
        }
    }

    /// Logs a broken file in one line and remembers it until it is fixed.
    fn report(&mut self, relative: &Path, diagnostic: &Diagnostic) {
        tracing::error!("{diagnostic}");
        let url = self
            .site
            .pages
            .iter()
            .find(|page| page.source == relative)
            .map(|page| page.url.clone())
            .or_else(|| content::url::url_for(relative, &Default::default()).ok());
        self.broken.insert(
            diagnostic.path.clone(),
            BuildError {
                path: relative.display().to_string(),
                url,
                line: diagnostic.line,
                message: diagnostic.message.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> Option<Target> {
        classify(
            Path::new(path),
            Path::new("/site/content"),
            Path::new("/site/templates"),
        )
    }

    #[test]
    fn pages_templates_and_folders_are_told_apart() {
        assert_eq!(
            target("/site/content/502.md"),
            Some(Target::Page("502.md".into()))
        );
        assert_eq!(
            target("/site/content/guides/a.md"),
            Some(Target::Page("guides/a.md".into()))
        );
        assert_eq!(target("/site/content/guides"), Some(Target::Folder));
        assert_eq!(
            target("/site/content/_synonyms.toml"),
            Some(Target::Synonyms)
        );
        assert_eq!(target("/site/templates/page.hbs"), Some(Target::Templates));
        assert_eq!(
            target("/site/templates/assets/folio.css"),
            Some(Target::Templates)
        );
    }

    #[test]
    fn noise_is_ignored() {
        for path in [
            "/site/content/.502.md.swp",
            "/site/content/.git/index",
            "/site/content/502.md~",
            "/site/content/image.png",
            "/site/content",
            "/site/templates/.page.hbs.swp",
            "/site/templates/notes.txt",
            "/elsewhere/502.md",
        ] {
            assert_eq!(target(path), None, "{path}");
        }
    }

    #[test]
    fn only_changes_count_not_reads() {
        use notify::event::{AccessKind, CreateKind, DataChange, RemoveKind, RenameMode};
        assert!(counts(&EventKind::Create(CreateKind::File)));
        assert!(counts(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(counts(&EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
        assert!(counts(&EventKind::Remove(RemoveKind::Folder)));
        assert!(!counts(&EventKind::Access(AccessKind::Read)));
        assert!(!counts(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(!counts(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Permissions
        ))));
        assert!(counts(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::WriteTime
        ))));
    }
}

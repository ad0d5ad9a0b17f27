//! App: the running site. What a server holds while it runs ([`Live`]: the rendered
//! snapshot, the index, the live-reload events, the [`Files`] served beside the pages), how it starts ([`Starting`]: from the
//! page manifest or by loading every page), and the one place a change is applied
//! ([`Editor::apply`]), whether it comes from the watcher, from the load behind a quick
//! start, or from the start itself.
//!
//! The app knows no HTTP: the server asks it what to serve. It alone talks to the
//! index folder's own files, through [`crate::store`].

mod document;
mod edit;
mod files;
mod outline;
mod snapshot;
mod start;

pub use document::{Coding, Document};
pub use edit::{Changes, Editor, Touched};
pub use files::Files;
pub use snapshot::Snapshot;
pub use start::{Started, Starting, index_site, load_site, open_index};

use crate::content::Problem;
use crate::index::SearchIndex;
use arc_swap::ArcSwap;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Everything a request may read of the running site, shared by every request.
pub struct Live {
    snapshot: ArcSwap<Snapshot>,
    index: Arc<SearchIndex>,
    /// The files served beside the pages.
    files: Arc<Files>,
    /// Live-reload events, while watching.
    reload: Option<broadcast::Sender<Arc<str>>>,
    /// The last event, for browsers that connect after it was sent.
    last_event: ArcSwap<String>,
    /// Whether every page has loaded (after a quick start, the load runs behind).
    loaded: watch::Sender<bool>,
    rebuilds: AtomicU64,
    rebuild_micros: AtomicU64,
    start: Start,
    /// Pages found changed, once the site loaded, since the manifest was written.
    caught_up: AtomicUsize,
}

/// How the site started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Start {
    /// What was served first.
    pub from: StartFrom,
    /// How the index was had.
    pub index: IndexOpening,
}

/// What a start served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartFrom {
    /// The page manifest: pages are read when asked for while the site loads behind.
    Manifest,
    /// Every page, loaded before serving.
    Pages,
}

/// How the index was had at the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexOpening {
    /// Opened as it was: it was built from this content.
    Reused,
    /// Built anew from the content.
    Rebuilt,
    /// Opened for reading only: a replica's, or another process writes it.
    ReadOnly,
    /// Built in memory: the index folder could not hold it.
    InMemory,
}

impl Live {
    /// Serves `snapshot` and `files` and searches `index`; `watching` turns live-reload
    /// events on.
    pub fn new(
        snapshot: Snapshot,
        index: Arc<SearchIndex>,
        files: Arc<Files>,
        watching: bool,
        start: Start,
    ) -> Live {
        Live {
            start,
            caught_up: AtomicUsize::new(0),
            snapshot: ArcSwap::from_pointee(snapshot),
            index,
            files,
            reload: watching.then(|| broadcast::channel(64).0),
            last_event: ArcSwap::from_pointee(String::new()),
            loaded: watch::channel(false).0,
            rebuilds: AtomicU64::new(0),
            rebuild_micros: AtomicU64::new(0),
        }
    }

    /// What is served now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The search index.
    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// The files served beside the pages.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Serves `snapshot` from the next request on.
    pub fn publish(&self, snapshot: Snapshot) {
        self.snapshot.store(Arc::new(snapshot));
    }

    /// Sends `event` to every browser listening for live reloads, and keeps its errors
    /// for browsers that connect later.
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

    /// The live-reload stream, while watching: the pending event (the files broken
    /// now, when any) and the events from now on.
    pub fn reloads(&self) -> Option<(Option<String>, broadcast::Receiver<Arc<str>>)> {
        let sender = self.reload.as_ref()?;
        let pending = self.last_event.load_full();
        let first = (!pending.is_empty()).then(|| pending.to_string());
        Some((first, sender.subscribe()))
    }

    /// Whether every page has loaded and what the next start reads is recorded.
    pub fn is_loaded(&self) -> bool {
        *self.loaded.borrow()
    }

    /// Resolves once every page has loaded ([`Live::is_loaded`]).
    pub async fn loaded(&self) {
        let mut loaded = self.loaded.subscribe();
        let _ = loaded.wait_for(|loaded| *loaded).await;
    }

    fn mark_loaded(&self) {
        self.loaded.send_replace(true);
    }

    /// How the site started.
    pub fn start(&self) -> Start {
        self.start
    }

    /// How many pages were found changed, once the site loaded behind a start from
    /// the manifest, since the manifest was written.
    pub fn caught_up(&self) -> usize {
        self.caught_up.load(Ordering::Relaxed)
    }

    /// How many rebuilds after edits there were, and the time they took in all.
    pub fn rebuilds(&self) -> (u64, Duration) {
        (
            self.rebuilds.load(Ordering::Relaxed),
            Duration::from_micros(self.rebuild_micros.load(Ordering::Relaxed)),
        )
    }

    fn rebuilt(&self, elapsed: Duration) {
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.rebuild_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }
}

/// What one rebuild changed, as sent to browsers: `{"changed": ["/502"], "removed":
/// [], "navigation": false, "files": ["/img/a.png"], "errors": []}`. `errors` lists
/// every file that is broken now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReloadEvent {
    /// URLs whose page changed (every URL after a template change).
    pub changed: Vec<String>,
    /// URLs no longer served.
    pub removed: Vec<String>,
    /// Whether the navigation changed (a page added, removed, renamed or reordered):
    /// every page carries it, so every page is new.
    pub navigation: bool,
    /// URLs of files served beside the pages that were added, changed or removed: a
    /// page that uses one is reloaded.
    pub files: Vec<String>,
    /// Files that fail to build; their last good version is still served.
    pub errors: Vec<BrokenFile>,
}

/// A file that fails to build, as the browser's error overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenFile {
    /// The URL its page is (or would be) served at, when it is a page.
    pub url: Option<String>,
    /// What is wrong, with the file relative to its folder.
    #[serde(flatten)]
    pub problem: Problem,
}

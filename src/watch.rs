//! Watch: notices edits under content/ and templates/ while serving and hands them to
//! the running site.
//!
//! File events (native, or polled for Docker volumes and network mounts) are
//! debounced and classified by a pure function into what was [`Touched`]; the
//! [`Editor`] applies them: only the pages that changed are re-parsed, re-rendered and
//! re-indexed, then browsers hear of it.

use crate::app::{Editor, Touched};
use crate::config::{Config, Watch};
use crate::error::{Error, Result};
use crate::index;
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Quiet time that ends a burst of events (an editor's save is several events).
const DEBOUNCE: Duration = Duration::from_millis(15);
/// The longest a burst is collected before it is applied anyway.
const MAX_BURST: Duration = Duration::from_millis(250);
/// Quiet time after the last change before what the next start reads is written anew
/// (the page manifest lists every page: rewriting it after each save would delay the
/// next one).
const RECORD_DELAY: Duration = Duration::from_secs(1);
/// How often files are compared in polling mode. Polling compares contents, not only
/// modification times, which the poller reads in whole seconds and so would miss a
/// second save within the same second.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What a changed path means for the site; `None` for paths that do not matter
/// (hidden files, editor back-ups, templates of other extensions). A file of the
/// content with an extension other than Markdown's is a file served beside the pages.
/// Pure: it looks at names only.
pub fn classify(path: &Path, content: &Path, templates: &Path) -> Option<Touched> {
    if let Ok(relative) = path.strip_prefix(templates) {
        let hidden = relative.components().any(|c| is_hidden(c.as_os_str()));
        let extension = relative.extension().and_then(|e| e.to_str());
        return (!hidden && matches!(extension, Some("hbs" | "css" | "js")))
            .then_some(Touched::Templates);
    }
    let relative = path.strip_prefix(content).ok()?;
    if relative.as_os_str().is_empty() || relative.components().any(|c| is_hidden(c.as_os_str())) {
        return None;
    }
    if relative == Path::new(index::synonyms::FILE) {
        return Some(Touched::Synonyms);
    }
    if crate::content::is_page_file(relative) {
        return Some(Touched::Page(relative.to_path_buf()));
    }
    match relative.extension().and_then(|e| e.to_str()) {
        None => Some(Touched::Folder),
        Some(_) => Some(Touched::File(relative.to_path_buf())),
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

/// A registered watcher: dropping it stops watching, and [`run`] then returns.
pub struct Watching {
    _watcher: Box<dyn Watcher + Send>,
}

/// The changes a watcher has seen since it was registered, until [`run`] applies
/// them.
pub struct Listening {
    batches: mpsc::Receiver<PathBuf>,
    content: PathBuf,
    templates: PathBuf,
}

/// Starts watching `config.content` and `config.templates` (`None` when watching is
/// off). Changes made from then on are kept for [`run`], so this may run before or
/// beside loading the site.
pub fn listen(config: &Config) -> Result<Option<(Watching, Listening)>> {
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
            RecommendedWatcher::new(handler, notify::Config::default())
                .map_err(|e| watch_error(&config.content, e))?,
        ),
        Watch::Poll => Box::new(
            PollWatcher::new(
                handler,
                notify::Config::default()
                    .with_poll_interval(POLL_INTERVAL)
                    .with_compare_contents(true)
                    // A link is noticed as itself; what it leads to is read, or
                    // refused, by the content folder's one way in.
                    .with_follow_symlinks(false),
            )
            .map_err(|e| watch_error(&config.content, e))?,
        ),
    };
    // The pages of a project (an mdBook's `src/`, MkDocs' `docs/`) are what is watched.
    let pages = crate::content::Project::detect(&config.content)
        .map_or_else(|_| config.content.clone(), |project| project.pages);
    let content = pages.canonicalize().map_err(|e| Error::io(&pages, e))?;
    watcher
        .watch(&content, RecursiveMode::Recursive)
        .map_err(|e| watch_error(&content, e))?;
    let templates = config.templates.canonicalize().ok();
    if let Some(templates) = &templates {
        watcher
            .watch(templates, RecursiveMode::Recursive)
            .map_err(|e| watch_error(templates, e))?;
    }
    tracing::info!(mode = ?config.watch, "watching {} for changes", config.content.display());
    Ok(Some((
        Watching { _watcher: watcher },
        Listening {
            batches,
            content,
            templates: templates.unwrap_or_else(|| config.templates.clone()),
        },
    )))
}

/// Applies the changes `listening` sees through `editor`, starting with those seen
/// since it began, until its [`Watching`] is dropped. Once edits pause, what the next
/// start reads is recorded.
pub fn run(listening: Listening, mut editor: Editor) {
    loop {
        let quiet = editor.unrecorded().then_some(RECORD_DELAY);
        match next_burst(&listening.batches, quiet) {
            Burst::Paths(paths) => {
                let touched: BTreeSet<Touched> = paths
                    .iter()
                    .filter_map(|path| classify(path, &listening.content, &listening.templates))
                    .collect();
                if !touched.is_empty() {
                    editor.apply_touched(&touched);
                }
            }
            Burst::Quiet => editor.record(),
            Burst::Closed => break,
        }
    }
}

/// The error of a watcher that could not watch `path`.
fn watch_error(path: &Path, source: notify::Error) -> Error {
    Error::Watch {
        path: source
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| path.to_path_buf()),
        source,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> Option<Touched> {
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
            Some(Touched::Page("502.md".into()))
        );
        assert_eq!(
            target("/site/content/guides/a.md"),
            Some(Touched::Page("guides/a.md".into()))
        );
        assert_eq!(
            target("/site/content/guides/page.mdx"),
            Some(Touched::Page("guides/page.mdx".into()))
        );
        assert_eq!(target("/site/content/guides"), Some(Touched::Folder));
        assert_eq!(
            target("/site/content/_synonyms.toml"),
            Some(Touched::Synonyms)
        );
        assert_eq!(target("/site/templates/page.hbs"), Some(Touched::Templates));
        assert_eq!(
            target("/site/content/guides/img/a.png"),
            Some(Touched::File("guides/img/a.png".into()))
        );
        assert_eq!(
            target("/site/content/public/logo.svg"),
            Some(Touched::File("public/logo.svg".into()))
        );
        assert_eq!(
            target("/site/templates/assets/folio.css"),
            Some(Touched::Templates)
        );
    }

    #[test]
    fn noise_is_ignored() {
        for path in [
            "/site/content/.502.md.swp",
            "/site/content/.git/index",
            "/site/content/502.md~",
            "/site/content/.image.png",
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

//! Configuration: where content, templates and the index live, and where to listen.
//! Resolved once, before any stage runs.

use std::path::PathBuf;

/// How `serve` notices content changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// The operating system's file events (inotify on Linux).
    Native,
    /// Comparing files every 200 ms: for Docker volumes and network mounts, where
    /// native events are unreliable.
    Poll,
    /// Watching is off: content is read once at start.
    Off,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Markdown pages.
    pub content: PathBuf,
    /// Template overrides; built-in templates fill the gaps.
    pub templates: PathBuf,
    /// The search index folder (derived data).
    pub index: PathBuf,
    /// `HOST:PORT` to listen on.
    pub addr: String,
    /// The site's name, shown in the header and page titles.
    pub title: String,
    /// How content changes are noticed.
    pub watch: Watch,
    /// Frontmatter keys whose values search results count and filter by.
    pub facets: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            content: PathBuf::from("content"),
            templates: PathBuf::from("templates"),
            index: PathBuf::from("index"),
            addr: "127.0.0.1:8080".into(),
            title: "folio".into(),
            watch: Watch::Native,
            facets: vec!["class".into()],
        }
    }
}

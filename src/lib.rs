//! folio turns a folder of Markdown pages into a fast, searchable website.
//!
//! A page travels one way:
//!
//! ```text
//! content/*.md ─▶ content (parse: frontmatter, Markdown, URL) ─▶ Site
//!                   ├─▶ render (Handlebars) ─▶ HTML bytes held in memory ─┐
//!                   └─▶ index (Tantivy, on disk under index/) ────────────┴─▶ server (warp)
//! ```
//!
//! Nothing reaches back up the path: content knows nothing of templates, the index
//! knows nothing of HTTP, and all warp code lives in [`server`]. While serving,
//! [`watch`] feeds edits back in at the top, one changed page at a time.

#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod index;
pub mod render;
pub mod server;
pub mod watch;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::content::{Severity, Site};
use crate::error::Result;
use crate::index::{Freshness, SearchIndex};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Runs a parsed command line to its end with the configuration resolved for it.
pub async fn run(cli: Cli, config: Config) -> Result<ExitCode> {
    match cli.command {
        Command::Serve => serve(&config).await,
        Command::Index => index(&config),
        Command::Check => check(&config),
        Command::Search(args) => search(&config, &args.query.join(" "), args.limit),
        Command::Report(args) => report(&config, args.top),
        Command::Config => {
            print!("{}", config.to_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the site and logs every diagnostic.
fn load_site(config: &Config) -> Result<Site> {
    let started = Instant::now();
    let site = content::load(&config.content)?;
    tracing::info!(
        pages = site.pages.len(),
        ms = started.elapsed().as_millis() as u64,
        "content loaded"
    );
    for diagnostic in &site.diagnostics {
        match diagnostic.severity {
            Severity::Warning => tracing::warn!("{diagnostic}"),
            Severity::Error => tracing::error!("{diagnostic}"),
        }
    }
    Ok(site)
}

fn open_index(config: &Config, site: &Site) -> Result<SearchIndex> {
    if config.read_only {
        return SearchIndex::open_read_only(&config.index, site, &config.facets);
    }
    let started = Instant::now();
    let (index, freshness) = match SearchIndex::open_or_build(&config.index, site, &config.facets) {
        Ok(opened) => opened,
        Err(error @ (error::Error::Io { .. } | error::Error::Index(_))) => {
            tracing::warn!(
                index = %config.index.display(),
                "cannot use the index folder ({error}); searching an index held in memory"
            );
            let index = SearchIndex::in_memory(site, &config.facets)?;
            (index, Freshness::Rebuilt("index folder unusable".into()))
        }
        Err(error) => return Err(error),
    };
    match freshness {
        Freshness::Reused => tracing::info!(index = %config.index.display(), "index is up to date"),
        Freshness::Rebuilt(reason) => tracing::info!(
            index = %config.index.display(),
            pages = site.pages.len(),
            ms = started.elapsed().as_millis() as u64,
            "index rebuilt ({reason})"
        ),
    }
    Ok(index)
}

async fn serve(config: &Config) -> Result<ExitCode> {
    let listener = server::bind(&config.addr).await?;
    let live = config.watch != config::Watch::Off && !config.read_only;
    let query_log = match config.query_log.as_deref() {
        None => None,
        Some(path) => {
            Some(server::QueryLog::open(path.into()).map_err(|e| error::Error::io(path, e))?)
        }
    };
    let options = render::Options {
        title: &config.title,
        site_url: config.site_url.as_deref().unwrap_or(""),
        base_path: &config.base_path,
        live,
    };
    let renderer = Arc::new(render::Renderer::new(&config.templates, &options)?);
    let (index, snapshot, started) = match quick_start(config, &renderer) {
        Some((index, snapshot, outline)) => (index, snapshot, Started::Outlined(outline)),
        None => {
            let site = load_site(config)?;
            // Registering the watcher walks the folders; it runs beside opening the
            // index and rendering the home page, which use one core.
            let (listening, opened) = std::thread::scope(|scope| {
                let listening = scope.spawn(|| listen(config, live));
                let opened = open_index(config, &site).and_then(|index| {
                    let snapshot = server::Snapshot::render(&site, renderer.clone())?;
                    Ok((Arc::new(index), snapshot))
                });
                let listening = listening
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (listening, opened)
            });
            let (listening, (index, snapshot)) = (listening?, opened?);
            (index, snapshot, Started::Loaded(site, listening))
        }
    };
    let state = Arc::new(server::State::new(snapshot, index.clone(), live, query_log));
    let behind = Behind {
        config: config.clone(),
        renderer,
        state: state.clone(),
        index,
        live,
    };
    let behind = std::thread::Builder::new()
        .name("folio-behind".into())
        .spawn(move || behind.run(started))
        .map_err(|e| error::Error::io(&config.content, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| error::Error::io(&config.addr, e))?;
    tracing::info!(
        pages = state.snapshot().page_count(),
        "serving on http://{addr}"
    );
    server::serve(listener, state, shutdown_signal()).await;
    // The watcher stops with the thread's answer.
    drop(behind.join());
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The index and snapshot of the site that the manifest in the index folder
/// describes, when every page file still has the size and time it records: serving
/// starts without parsing a page. `None` when a page must be loaded first.
fn quick_start(
    config: &Config,
    renderer: &Arc<render::Renderer>,
) -> Option<(
    Arc<SearchIndex>,
    server::Snapshot,
    content::manifest::Outline,
)> {
    let started = Instant::now();
    let outline = content::manifest::read(&config.index, &config.content)?;
    let (opened, snapshot) = rayon::join(
        || {
            outline.is_current(&config.content).then(|| {
                let writable = !config.read_only;
                SearchIndex::open_outlined(&config.index, &outline, &config.facets, writable)
            })
        },
        || server::Snapshot::outline(&outline, renderer.clone(), &config.index),
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
    Some((Arc::new(index), snapshot, outline))
}

/// Registers the watcher when watching is on.
fn listen(config: &Config, live: bool) -> Result<Option<watch::Listening>> {
    match live {
        true => watch::listen(config),
        false => Ok(None),
    }
}

/// How the server started: from the manifest, with the site still to load, or with
/// the site loaded (and the watcher registered, when watching).
enum Started {
    Outlined(content::manifest::Outline),
    Loaded(Site, Option<watch::Listening>),
}

/// The work done on a thread beside the server once it serves; its answer is the
/// running watcher.
struct Behind {
    config: Config,
    renderer: Arc<render::Renderer>,
    state: Arc<server::State>,
    index: Arc<SearchIndex>,
    live: bool,
}

impl Behind {
    /// Finishes what the start left: the site's load after a quick start, then
    /// watching.
    fn run(self, started: Started) -> Option<watch::Watching> {
        let watching = match started {
            Started::Outlined(outline) => self.load(outline),
            Started::Loaded(site, listening) => self.watch(site, listening, true),
        };
        tracing::info!("start complete: every page is loaded");
        watching
    }

    /// Loads the whole site after a quick start: the outline's page files take the
    /// loaded pages (the index and the server no longer read files), anything that
    /// changed since the manifest was written is applied, and the watcher starts.
    fn load(self, outline: content::manifest::Outline) -> Option<watch::Watching> {
        let recorded = outline.into_recorded();
        let listening = listen(&self.config, self.live)
            .map_err(|error| tracing::error!(%error, "watching failed to start"))
            .ok()
            .flatten();
        let site = match load_site(&self.config) {
            Ok(site) => site,
            Err(error) => {
                tracing::error!(%error, "the site did not load; pages are read as they are asked for");
                return None;
            }
        };
        recorded.fill(&site);
        let (changed, removed) = recorded.changes(&site);
        let unchanged = changed.is_empty() && removed.is_empty();
        if !unchanged {
            self.catch_up(&site, changed, removed);
        } else if !self.config.read_only
            && let Err(error) = self
                .state
                .snapshot()
                .record_home(&self.config.index, site.fingerprint())
        {
            tracing::warn!(%error, "the home page was not kept for the next start");
        }
        self.watch(site, listening, !unchanged)
    }

    /// Applies what changed in the files since the manifest was written (an edit
    /// that kept a file's size and time, or one made while the site loaded).
    fn catch_up(&self, site: &Site, changed: Vec<String>, removed: Vec<String>) {
        tracing::info!(
            changed = changed.len(),
            removed = removed.len(),
            "pages changed since the manifest was written"
        );
        let wanted: std::collections::HashSet<&str> = changed.iter().map(String::as_str).collect();
        let pages: Vec<Arc<content::Page>> = site
            .pages
            .iter()
            .filter(|page| wanted.contains(page.url.as_str()))
            .cloned()
            .collect();
        if self.config.read_only {
            tracing::warn!(index = %self.config.index.display(), "the index was built from other content; run `folio index` to rebuild it");
        } else if let Err(error) = self
            .index
            .update(&removed, &pages)
            .and_then(|()| self.index.record(Some(site)))
        {
            tracing::error!(%error, "index update failed");
        }
        match server::Snapshot::render(site, self.renderer.clone()) {
            Ok(snapshot) => self.state.publish(snapshot),
            Err(error) => tracing::error!(%error, "rebuild failed; the previous pages stay"),
        }
        self.state.announce(&server::ReloadEvent {
            changed,
            removed,
            errors: Vec::new(),
        });
    }

    /// Records the manifest of `site` for the next start when `record` says it is not
    /// recorded yet, then applies the changes `listening` sees.
    fn watch(
        self,
        site: Site,
        listening: Option<watch::Listening>,
        record: bool,
    ) -> Option<watch::Watching> {
        if record && !self.config.read_only {
            let config = &self.config;
            record_next_start(
                &self.index,
                &self.state,
                &config.content,
                &config.index,
                &site,
            );
        }
        let listening = listening?;
        watch::start(
            listening,
            &self.config,
            site,
            self.renderer,
            self.state,
            self.index,
        )
        .map_err(|error| tracing::error!(%error, "watching failed to start"))
        .ok()
    }
}

/// Records what the next start reads to serve at once: the page manifest of `site`,
/// loaded from `content`, and once that is written, the home page as `state` serves
/// it, both into `index_dir`.
pub(crate) fn record_next_start(
    index: &SearchIndex,
    state: &server::State,
    content: &Path,
    index_dir: &Path,
    site: &Site,
) {
    let recorded = index
        .record_manifest(content, site)
        .and_then(|written| match written {
            true => state.snapshot().record_home(index_dir, site.fingerprint()),
            false => Ok(()),
        });
    if let Err(error) = recorded {
        tracing::warn!(%error, "the page manifest was not written; the next start loads every page");
    }
}

/// Replaces the file at `path` with `bytes` whole: they are written beside it under a
/// name of this process's own (two servers may share an index folder), then renamed
/// over it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(|e| error::Error::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| error::Error::io(path, e))
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

fn index(config: &Config) -> Result<ExitCode> {
    let started = Instant::now();
    let site = load_site(config)?;
    let index = open_index(config, &site)?;
    if let Err(error) = index.record_manifest(&config.content, &site) {
        tracing::warn!(%error, "the page manifest was not written; the next start loads every page");
    }
    println!(
        "indexed {} pages in {} ms into {}",
        index.len(),
        started.elapsed().as_millis(),
        config.index.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(config: &Config) -> Result<ExitCode> {
    let site = content::load(&config.content)?;
    for diagnostic in &site.diagnostics {
        println!("{diagnostic}");
    }
    let count = |severity| {
        site.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    eprintln!(
        "checked {} pages: {} errors, {} warnings",
        site.pages.len() + count(Severity::Error),
        count(Severity::Error),
        count(Severity::Warning)
    );
    Ok(if site.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the most frequent queries of the zero-result log, most searched first.
fn report(config: &Config, top: usize) -> Result<ExitCode> {
    let Some(query_log) = config.query_log.as_deref() else {
        eprintln!("no query log: set query_log (or --query-log FILE) while serving");
        return Ok(ExitCode::FAILURE);
    };
    let text = std::fs::read_to_string(query_log).map_err(|e| error::Error::io(query_log, e))?;
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        *counts.entry(line).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    println!("searches\tquery (found nothing)");
    for (query, count) in ranked.into_iter().take(top) {
        println!("{count}\t{query}");
    }
    Ok(ExitCode::SUCCESS)
}

fn search(config: &Config, query: &str, limit: usize) -> Result<ExitCode> {
    let site = load_site(config)?;
    let index = open_index(config, &site)?;
    let request = index::SearchRequest {
        query,
        limit,
        filters: &[],
    };
    let results = index.search(&request)?;
    for hit in &results.hits {
        println!("{:.3}\t{}\t{}", hit.score, hit.url, hit.title);
    }
    Ok(if results.hits.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

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
    let site = load_site(config)?;
    // Registering the watcher walks the folders; it runs beside opening the index and
    // rendering the home page, which use one core.
    let (listening, served) = std::thread::scope(|scope| {
        let listening = scope.spawn(|| match live {
            true => watch::listen(config),
            false => Ok(None),
        });
        let served = index_and_snapshot(config, &site, live);
        let listening = listening
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (listening, served)
    });
    let (listening, (index, renderer, snapshot)) = (listening?, served?);
    let query_log = match config.query_log.as_str() {
        "" => None,
        path => Some(server::QueryLog::open(path.into()).map_err(|e| error::Error::io(path, e))?),
    };
    let state = Arc::new(server::State::new(snapshot, index.clone(), live, query_log));
    let _watching = match listening {
        Some(listening) => Some(watch::start(
            listening,
            config,
            site,
            renderer,
            state.clone(),
            index,
        )?),
        None => None,
    };
    let addr = listener
        .local_addr()
        .map_err(|e| error::Error::io(&config.addr, e))?;
    tracing::info!(
        pages = state.snapshot().page_count(),
        "serving on http://{addr}"
    );
    server::serve(listener, state, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The index of `site`, opened or built, and the renderer and snapshot that serve it.
fn index_and_snapshot(
    config: &Config,
    site: &Site,
    live: bool,
) -> Result<(Arc<SearchIndex>, Arc<render::Renderer>, server::Snapshot)> {
    let index = Arc::new(open_index(config, site)?);
    let options = render::Options {
        title: &config.title,
        site_url: &config.site_url,
        base_path: &config.base_path,
        live,
    };
    let renderer = Arc::new(render::Renderer::new(&config.templates, &options)?);
    let snapshot = server::Snapshot::render(site, renderer.clone())?;
    Ok((index, renderer, snapshot))
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
    if config.query_log.is_empty() {
        eprintln!("no query log: set query_log (or --query-log FILE) while serving");
        return Ok(ExitCode::FAILURE);
    }
    let text = std::fs::read_to_string(&config.query_log)
        .map_err(|e| error::Error::io(&config.query_log, e))?;
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

//! The command line (clap derive). Every configuration key is also a flag; flags are
//! the last layer of the configuration (see [`crate::config`]).

use crate::config::{LogFormat, Watch};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// folio: a folder of Markdown pages in, a fast searchable website out.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about)]
pub struct Cli {
    /// Configuration file [default: folio.toml when present; env: FOLIO_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Settings that override the configuration file and the environment.
    #[command(flatten)]
    pub settings: Settings,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// folio's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site: pages, search, the JSON API and, while watching, live reload.
    Serve,
    /// Build the search index and the page manifest; print the page count and time taken.
    Index,
    /// Validate every page; print `path:line: message` per problem; exit 1 on errors.
    Check,
    /// Search the site and print ranked hits, one per line.
    Search(SearchArgs),
    /// Print the effective configuration (defaults < file < environment < flags).
    Config,
    /// List the most searched queries that found nothing (from `query_log`).
    Report(ReportArgs),
}

/// Options of `folio report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How many queries to list
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

/// Options of `folio search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// How many hits to print
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// The words to search for
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

/// Configuration keys as flags; each one given overrides the other layers.
#[derive(Debug, Args)]
pub struct Settings {
    /// Folder of Markdown pages [default: content]
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Folder of template overrides [default: templates]
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Folder of the search index, rebuilt when stale [default: index]
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// The site's name [default: folio]
    #[arg(long, global = true)]
    pub title: Option<String>,
    /// Public URL of the site's root, for canonical links and the sitemap
    #[arg(long, global = true, value_name = "URL")]
    pub site_url: Option<String>,
    /// Path to serve everything under, behind a proxy (/docs)
    #[arg(long, global = true, value_name = "PATH")]
    pub base_path: Option<String>,
    /// How to watch content/ and templates/ [default: native]
    #[arg(long, global = true, value_enum)]
    pub watch: Option<Watch>,
    /// Do not watch content/ and templates/ for changes (same as --watch off)
    #[arg(long, global = true, conflicts_with_all = ["poll", "watch"])]
    pub no_watch: bool,
    /// Watch by polling instead of file events (same as --watch poll)
    #[arg(long, global = true, conflicts_with = "watch")]
    pub poll: bool,
    /// Frontmatter keys to count and filter search results by, comma-separated [default: class]
    #[arg(long, global = true, value_delimiter = ',', value_name = "KEYS")]
    pub facets: Option<Vec<String>>,
    /// Log format [default: text]
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Serve the index as built by `folio index`: no watching, no index writes
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Append searches that find nothing to FILE (queries only), for `folio report`
    #[arg(long, global = true, value_name = "FILE")]
    pub query_log: Option<PathBuf>,
}

impl Settings {
    /// The flags given, as a configuration layer.
    pub fn overrides(&self) -> toml::Table {
        let mut table = toml::Table::new();
        let mut set = |key: &str, value: toml::Value| {
            table.insert(key.to_string(), value);
        };
        let path = |p: &PathBuf| toml::Value::String(p.display().to_string());
        if let Some(content) = &self.content {
            set("content", path(content));
        }
        if let Some(templates) = &self.templates {
            set("templates", path(templates));
        }
        if let Some(index) = &self.index {
            set("index", path(index));
        }
        if let Some(addr) = &self.addr {
            set("addr", toml::Value::String(addr.clone()));
        }
        if let Some(title) = &self.title {
            set("title", toml::Value::String(title.clone()));
        }
        if let Some(site_url) = &self.site_url {
            set("site_url", toml::Value::String(site_url.clone()));
        }
        if let Some(base_path) = &self.base_path {
            set("base_path", toml::Value::String(base_path.clone()));
        }
        let watch = match (self.watch, self.no_watch, self.poll) {
            (Some(watch), ..) => Some(watch),
            (None, true, _) => Some(Watch::Off),
            (None, false, true) => Some(Watch::Poll),
            (None, false, false) => None,
        };
        if let Some(watch) = watch
            && let Ok(value) = toml::Value::try_from(watch)
        {
            set("watch", value);
        }
        if let Some(facets) = &self.facets {
            let list = facets
                .iter()
                .map(|f| toml::Value::String(f.clone()))
                .collect();
            set("facets", toml::Value::Array(list));
        }
        if let Some(format) = self.log_format
            && let Ok(value) = toml::Value::try_from(format)
        {
            set("log_format", value);
        }
        if self.read_only {
            set("read_only", toml::Value::Boolean(true));
        }
        if let Some(query_log) = &self.query_log {
            set("query_log", path(query_log));
        }
        table
    }
}

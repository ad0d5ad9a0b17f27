//! The command line (clap derive). Flags override the configuration's defaults.

use crate::config::{Config, Watch};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// folio: a folder of Markdown pages in, a fast searchable website out.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// folio's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site: pages, search and the JSON API.
    Serve(ServeArgs),
    /// Build the search index and print the page count and the time taken.
    Index(SiteArgs),
    /// Validate every page; print `path:line: message` per problem; exit 1 on errors.
    Check(ContentArgs),
    /// Search the site and print ranked hits, one per line.
    Search(SearchArgs),
}

/// The content folder.
#[derive(Debug, Args)]
pub struct ContentArgs {
    /// Folder of Markdown pages [default: content]
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
}

/// The content and index folders.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The content folder.
    #[command(flatten)]
    pub content: ContentArgs,
    /// Folder of the search index, rebuilt when stale [default: index]
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
}

/// Options of `folio serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The content and index folders.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Folder of template overrides [default: templates]
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Do not watch content/ and templates/ for changes
    #[arg(long, conflicts_with = "poll")]
    pub no_watch: bool,
    /// Watch by polling instead of file events (Docker volumes, network mounts)
    #[arg(long)]
    pub poll: bool,
}

/// Options of `folio search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The content and index folders.
    #[command(flatten)]
    pub site: SiteArgs,
    /// How many hits to print
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// The words to search for
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

impl ContentArgs {
    /// Applies the flags over `config`.
    pub fn apply(&self, config: &mut Config) {
        if let Some(content) = &self.content {
            config.content = content.clone();
        }
    }
}

impl SiteArgs {
    /// Applies the flags over `config`.
    pub fn apply(&self, config: &mut Config) {
        self.content.apply(config);
        if let Some(index) = &self.index {
            config.index = index.clone();
        }
    }
}

impl ServeArgs {
    /// Applies the flags over `config`.
    pub fn apply(&self, config: &mut Config) {
        self.site.apply(config);
        if let Some(templates) = &self.templates {
            config.templates = templates.clone();
        }
        if let Some(addr) = &self.addr {
            config.addr = addr.clone();
        }
        if self.no_watch {
            config.watch = Watch::Off;
        }
        if self.poll {
            config.watch = Watch::Poll;
        }
    }
}

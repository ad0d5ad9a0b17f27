//! The command line (clap derive). Every configuration key is also a flag: the flags
//! are [`Config`]'s own fields (it derives [`clap::Args`]), so there is one list of
//! keys. Flags are the last layer of the configuration (see [`crate::config`]), and
//! only the flags actually given on the command line make that layer: a key's clap
//! default must not hide the file's or the environment's value.

use crate::config::{Config, HELP_HEADING, Watch};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// folio: a folder of Markdown pages in, a fast searchable website out.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about)]
pub struct Cli {
    /// Configuration file [default: folio.toml when present; env: FOLIO_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The configuration keys as clap parsed them, defaults filled in. Not the
    /// configuration: [`Cli::parse_with_overrides`] keeps the keys given on the command
    /// line and [`Config::load`] puts them over the other layers.
    #[command(flatten)]
    flags: Config,
    /// Do not watch for changes (same as --watch off)
    #[arg(long, global = true, help_heading = HELP_HEADING, conflicts_with_all = ["poll", "watch"])]
    pub no_watch: bool,
    /// Watch by polling instead of file events (same as --watch poll)
    #[arg(long, global = true, help_heading = HELP_HEADING, conflicts_with = "watch")]
    pub poll: bool,
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

impl Cli {
    /// Parses the process's arguments, exiting with clap's message on an error (or
    /// after `--help` / `--version`), and returns the command line with the flags
    /// layer of the configuration: the keys given on the command line.
    pub fn parse_with_overrides() -> (Cli, toml::Table) {
        Cli::try_parse_with_overrides(std::env::args_os()).unwrap_or_else(|error| error.exit())
    }

    /// [`Cli::parse_with_overrides`] for the given arguments (the first is the program
    /// name), returning clap's error.
    pub fn try_parse_with_overrides<I, T>(args: I) -> Result<(Cli, toml::Table), clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = Cli::command();
        let matches = command.try_get_matches_from_mut(args)?;
        // Not `from_arg_matches_mut`: it takes the values out, and their sources with them.
        let cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
        let flags = cli
            .overrides(&matches)
            .map_err(|e| e.format(&mut command))?;
        Ok((cli, flags))
    }

    /// The flags layer: the clap-parsed [`Config`] as a table, keeping only the keys
    /// given on the command line, then `--no-watch` / `--poll` as `watch`.
    fn overrides(&self, matches: &ArgMatches) -> Result<toml::Table, clap::Error> {
        let mut table = toml::Table::try_from(&self.flags)
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e.to_string()))?;
        table.retain(|key, _| given(matches, key));
        // clap refuses `--watch` with a shorthand at one level only; across the
        // subcommand (`folio --no-watch serve --watch poll`) it is refused here.
        let mut watch: Vec<(&str, Option<Watch>)> = [
            ("--no-watch", self.no_watch, Watch::Off),
            ("--poll", self.poll, Watch::Poll),
        ]
        .into_iter()
        .filter(|(_, given, _)| *given)
        .map(|(flag, _, watch)| (flag, Some(watch)))
        .collect();
        if table.contains_key("watch") {
            watch.push(("--watch", None));
        }
        match watch[..] {
            [(first, _), (second, _), ..] => {
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("the argument '{first}' cannot be used with '{second}'"),
                ));
            }
            [(_, Some(shorthand))] => {
                let value = toml::Value::try_from(shorthand).map_err(|e| {
                    clap::Error::raw(clap::error::ErrorKind::InvalidValue, e.to_string())
                })?;
                table.insert("watch".into(), value);
            }
            _ => {}
        }
        Ok(table)
    }
}

/// Whether the argument `id` was given on the command line, before the subcommand or
/// after it (the configuration flags are global, so either level may hold it).
fn given(matches: &ArgMatches, id: &str) -> bool {
    let mut level = Some(matches);
    while let Some(current) = level {
        if current.value_source(id) == Some(ValueSource::CommandLine) {
            return true;
        }
        level = current.subcommand().map(|(_, sub)| sub);
    }
    false
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LogFormat;
    use std::path::Path;

    /// Parses `args` (after the program name) and loads the configuration over
    /// `file` (written to a temp folder when given) and `env`.
    fn load(args: &[&str], file: Option<&str>, env: &[(&str, &str)]) -> (toml::Table, Config) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("folio.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let (cli, flags) =
            Cli::try_parse_with_overrides(std::iter::once("folio").chain(args.iter().copied()))
                .unwrap();
        let file = cli
            .config
            .as_deref()
            .or(file.is_some().then_some(path.as_path()));
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let config = Config::load(file, env, flags.clone()).unwrap();
        (flags, config)
    }

    #[test]
    fn a_flag_given_overrides_the_environment_before_or_after_the_subcommand() {
        let env = [("FOLIO_ADDR", "127.0.0.1:2"), ("FOLIO_TITLE", "From env")];
        for args in [
            &["--addr", "127.0.0.1:3", "serve"][..],
            &["serve", "--addr", "127.0.0.1:3"][..],
        ] {
            let (flags, config) = load(args, None, &env);
            assert_eq!(flags.keys().collect::<Vec<_>>(), ["addr"], "{args:?}");
            assert_eq!(config.addr, "127.0.0.1:3", "{args:?}");
            assert_eq!(config.title.as_deref(), Some("From env"), "{args:?}");
        }
    }

    #[test]
    fn a_flag_not_given_leaves_the_file_alone() {
        let file = "watch = \"poll\"\ntitle = \"From file\"\nread_only = true\n\
                    facets = [\"status\"]\nlog_format = \"json\"\nsite_url = \"https://a.example\"\n";
        let (flags, config) = load(&["serve"], Some(file), &[]);
        assert!(flags.is_empty(), "{flags:?}");
        assert_eq!(config.watch, Watch::Poll);
        assert_eq!(config.title.as_deref(), Some("From file"));
        assert!(config.read_only);
        assert_eq!(config.facets, ["status"]);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.site_url.as_deref(), Some("https://a.example"));
        // Given, even with the default's value, a flag wins.
        let (_, config) = load(
            &[
                "serve", "--watch", "native", "--facets", "class", "--title", "folio",
            ],
            Some(file),
            &[],
        );
        assert_eq!(config.watch, Watch::Native);
        assert_eq!(config.facets, ["class"]);
        assert_eq!(config.title.as_deref(), Some("folio"));
        assert!(config.read_only);
    }

    #[test]
    fn no_watch_and_poll_are_shorthands_for_watch() {
        let file = Some("watch = \"poll\"\n");
        let (flags, config) = load(&["serve", "--no-watch"], file, &[("FOLIO_WATCH", "poll")]);
        assert_eq!(flags["watch"].as_str(), Some("off"));
        assert_eq!(config.watch, Watch::Off);
        let (flags, config) = load(&["--poll", "serve"], None, &[("FOLIO_WATCH", "off")]);
        assert_eq!(flags["watch"].as_str(), Some("poll"));
        assert_eq!(config.watch, Watch::Poll);
        for args in [
            &["folio", "serve", "--poll", "--no-watch"][..],
            &["folio", "serve", "--poll", "--watch", "off"][..],
            &["folio", "--no-watch", "serve", "--watch", "native"][..],
            &["folio", "--poll", "serve", "--no-watch"][..],
        ] {
            let error = Cli::try_parse_with_overrides(args).unwrap_err();
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{args:?}"
            );
        }
    }

    #[test]
    fn enum_flags_take_the_config_enums_values() {
        let (flags, config) = load(
            &["serve", "--watch", "off", "--log-format", "json"],
            None,
            &[],
        );
        assert_eq!(flags["watch"].as_str(), Some("off"));
        assert_eq!(flags["log_format"].as_str(), Some("json"));
        assert_eq!(
            (config.watch, config.log_format),
            (Watch::Off, LogFormat::Json)
        );
        let error =
            Cli::try_parse_with_overrides(["folio", "serve", "--watch", "sometimes"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::InvalidValue);
        let message = error.to_string();
        assert!(message.contains("sometimes"), "{message}");
        assert!(message.contains("native, poll, off"), "{message}");
    }

    #[test]
    fn optional_flags_set_and_unset_their_keys() {
        let file = Some("site_url = \"https://a.example\"\n");
        let (flags, config) = load(&["serve"], file, &[("FOLIO_QUERY_LOG", "")]);
        assert!(flags.is_empty(), "{flags:?}");
        assert_eq!(config.site_url.as_deref(), Some("https://a.example"));
        assert_eq!(config.query_log, None);
        let (_, config) = load(
            &["serve", "--site-url", "", "--query-log", "q.log"],
            file,
            &[],
        );
        assert_eq!(config.site_url, None);
        assert_eq!(config.query_log.as_deref(), Some(Path::new("q.log")));
    }

    #[test]
    fn the_other_flags_reach_their_keys() {
        let (flags, config) = load(
            &[
                "index",
                "--content",
                "c",
                "--templates",
                "t",
                "--index",
                "i",
                "--facets",
                "a,b",
                "--read-only",
                "--base-path",
                "docs/",
            ],
            None,
            &[],
        );
        assert_eq!(flags.len(), 6, "{flags:?}");
        assert_eq!(config.content, Path::new("c"));
        assert_eq!(config.templates, Path::new("t"));
        assert_eq!(config.index, Path::new("i"));
        assert_eq!(config.facets, ["a", "b"]);
        assert!(config.read_only);
        assert_eq!(config.base_path, "/docs");
    }

    #[test]
    fn the_clap_defaults_are_the_configuration_defaults() {
        let (cli, flags) = Cli::try_parse_with_overrides(["folio", "config"]).unwrap();
        assert!(flags.is_empty(), "{flags:?}");
        assert_eq!(cli.flags, Config::default());
    }
}

//! Configuration: one struct, resolved once before any stage runs. Values come from
//! the defaults, then `folio.toml` (or `--config` / `FOLIO_CONFIG`), then `FOLIO_*`
//! environment variables, then command-line flags, each over the last. Every layer is
//! a TOML table merged into the next, so there is no second copy of the struct, and
//! an unknown key is an error that names it, wherever it came from. The flags are the
//! struct's own fields too ([`Config`] derives [`clap::Args`]); the flags layer holds
//! only the flags given (see [`crate::cli::Cli::parse_with_overrides`]).
//!
//! A key that may be unset is an `Option`, left out of the printed TOML when unset; an
//! empty value in any layer (`FOLIO_SITE_URL=`) unsets it.

use serde::{Deserialize, Deserializer, Serialize};
use std::path::{Path, PathBuf};

/// The configuration file read when none is named.
pub const DEFAULT_FILE: &str = "folio.toml";

/// How `serve` notices content changes. The names are the same in the file, the
/// environment and on the command line (serde and clap both spell them in lowercase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum Watch {
    /// The operating system's file events (inotify on Linux).
    Native,
    /// Compare files every 200 ms: for Docker volumes and network mounts, where file
    /// events are unreliable.
    Poll,
    /// Do not watch: content is read once at start.
    Off,
}

/// How log lines are written. Named alike in every layer, as [`Watch`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The heading the configuration keys are listed under in `--help`.
pub const HELP_HEADING: &str = "Configuration (each flag given overrides FOLIO_* and the file)";

/// The effective configuration. It is also the command line's list of configuration
/// flags ([`clap::Args`]): each key is a global `--key` flag whose help is the key's
/// doc comment and whose shown default is [`Config::default`]'s. A flag overrides the
/// other layers only when it is given (see [`crate::cli::Cli::parse_with_overrides`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = HELP_HEADING)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, global = true, value_name = "HOST:PORT", default_value_t = Config::default().addr)]
    pub addr: String,
    /// Folder of Markdown pages.
    #[arg(long, global = true, value_name = "DIR", default_value_os_t = Config::default().content)]
    pub content: PathBuf,
    /// Folder of template overrides; built-in templates fill the gaps.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value_os_t = Config::default().templates,
    )]
    pub templates: PathBuf,
    /// Folder of the search index (derived data, rebuilt when stale).
    #[arg(long, global = true, value_name = "DIR", default_value_os_t = Config::default().index)]
    pub index: PathBuf,
    /// The site's name, shown in the header and page titles; unset: the project's own
    /// (book.toml's title, mkdocs.yml's site_name, a VitePress home page's hero.name),
    /// else "folio".
    #[arg(long, global = true)]
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_is_unset"
    )]
    pub title: Option<String>,
    /// The language of pages outside locale folders (en, pt-BR); unset: the project's
    /// own (book.toml's language, mkdocs.yml's theme.language), else en.
    #[arg(long, global = true, value_name = "CODE")]
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_is_unset"
    )]
    pub lang: Option<String>,
    /// Folders that are locales besides those named by a language code (zh, pt-BR),
    /// comma-separated: `folder` or `folder=lang` (`docs-fr=fr`).
    #[arg(long, global = true, value_name = "FOLDERS", value_delimiter = ',')]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<String>,
    /// The deepest heading level a page's "on this page" list shows (2 to 6); a page's
    /// frontmatter `outline` overrides it.
    #[arg(long, global = true, value_name = "LEVEL", default_value_t = Config::default().toc_depth)]
    pub toc_depth: u8,
    /// Public URL of the site's root (https://example.com/docs); unset: the request's host.
    ///
    /// For canonical links, the sitemap, robots.txt and OpenSearch. Unset (an empty value
    /// in any layer unsets it): canonical links stay root-relative (/502) and the others
    /// use the request's host.
    #[arg(long, global = true, value_name = "URL")]
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_is_unset"
    )]
    pub site_url: Option<String>,
    /// Path to serve everything under behind a proxy (/docs); empty (the default): the root.
    ///
    /// Empty is a value, the root, not "unset". Normalised to "" or "/docs".
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        default_value_t = Config::default().base_path,
        hide_default_value = true,
    )]
    pub base_path: String,
    /// How changes to the content and templates are noticed while serving.
    #[arg(long, global = true, value_enum, default_value_t = Config::default().watch)]
    pub watch: Watch,
    /// Frontmatter keys search results count and filter by, comma-separated.
    #[arg(
        long,
        global = true,
        value_name = "KEYS",
        value_delimiter = ',',
        default_values_t = Config::default().facets,
    )]
    pub facets: Vec<String>,
    /// How log lines are written.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Config::default().log_format,
    )]
    pub log_format: LogFormat,
    /// Serve the index as built by `folio index`: no watching, no index writes (for
    /// replicas).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// File to append searches that found nothing to, for `folio report`; unset: no log.
    ///
    /// Only the query is written. An empty value in any layer unsets it.
    #[arg(long, global = true, value_name = "FILE")]
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_is_unset"
    )]
    pub query_log: Option<PathBuf>,
    /// The largest page file read, in bytes; a larger one is a `folio check` error and
    /// is not served.
    #[arg(
        long,
        global = true,
        value_name = "BYTES",
        default_value_t = Config::default().max_page_bytes,
    )]
    pub max_page_bytes: u64,
    /// The largest file served beside the pages (an image, a PDF, a video), in bytes; a
    /// larger one is not served.
    #[arg(
        long,
        global = true,
        value_name = "BYTES",
        default_value_t = Config::default().max_file_bytes,
    )]
    pub max_file_bytes: u64,
    /// How long a connection may take to send a request's headers, its first request's
    /// included (bytes before the protocol is known count too), in milliseconds.
    #[arg(
        long,
        global = true,
        value_name = "MS",
        default_value_t = Config::default().header_timeout_ms,
    )]
    pub header_timeout_ms: u64,
    /// How long a connection may stay open with no request in flight, in milliseconds.
    #[arg(
        long,
        global = true,
        value_name = "MS",
        default_value_t = Config::default().idle_timeout_ms,
    )]
    pub idle_timeout_ms: u64,
    /// How long a response may wait on a client that does not read it, in
    /// milliseconds, before the connection is closed.
    #[arg(
        long,
        global = true,
        value_name = "MS",
        default_value_t = Config::default().send_timeout_ms,
    )]
    pub send_timeout_ms: u64,
    /// The most connections open at once; 0: derived from the file-handle limit, with
    /// a reserve for the index and the content. Near the cap the oldest idle
    /// connections are closed first.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = Config::default().max_connections,
    )]
    pub max_connections: u64,
    /// Where /metrics is served: unset: on the site's own address; `off`: nowhere; an
    /// address (127.0.0.1:9100): on a listener of its own, off the public one.
    #[arg(long, global = true, value_name = "HOST:PORT|off")]
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_is_unset"
    )]
    pub metrics_addr: Option<String>,
}

/// The largest page file read unless configured otherwise: 4 MiB of Markdown is far
/// beyond any page written by hand.
pub const DEFAULT_MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// The largest file served beside the pages unless configured otherwise: 256 MiB, room
/// for a screencast, not for a disk image left in the folder by mistake.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".into(),
            content: PathBuf::from("content"),
            templates: PathBuf::from("templates"),
            index: PathBuf::from("index"),
            title: None,
            lang: None,
            locales: Vec::new(),
            toc_depth: 3,
            site_url: None,
            base_path: String::new(),
            watch: Watch::Native,
            facets: vec!["class".into()],
            log_format: LogFormat::Text,
            read_only: false,
            query_log: None,
            max_page_bytes: DEFAULT_MAX_PAGE_BYTES,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            header_timeout_ms: 10_000,
            idle_timeout_ms: 30_000,
            send_timeout_ms: 30_000,
            max_connections: 0,
            metrics_addr: None,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named with `--config` or `FOLIO_CONFIG` cannot be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A layer has an unknown key or a value of the wrong kind.
    #[error("{origin}: {message}")]
    Invalid {
        /// The file, the environment or the command line.
        origin: String,
        /// What is wrong, naming the key.
        message: String,
    },
}

impl Config {
    /// Resolves the configuration: defaults < file < `env` (`FOLIO_*` pairs) < `flags`.
    /// `file` is the file named on the command line, if any; `flags` holds the keys
    /// given on the command line (from [`crate::cli::Cli::parse_with_overrides`]).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: toml::Table,
    ) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = env
            .into_iter()
            .filter(|(key, _)| key.starts_with("FOLIO_"))
            .collect();
        let named = file.map(Path::to_path_buf).or_else(|| {
            env.iter()
                .find(|(key, _)| key == "FOLIO_CONFIG")
                .map(|(_, value)| PathBuf::from(value))
        });
        let keys = Config::keys();
        let mut table =
            toml::Table::try_from(Config::default()).map_err(|e| invalid("defaults", e))?;
        if let Some((layer, origin)) = read_file(named.as_deref())? {
            merge(&mut table, layer, &origin, &keys)?;
        }
        let defaults = table.clone();
        merge(&mut table, env_table(&env, &defaults), "environment", &keys)?;
        merge(&mut table, flags, "command line", &keys)?;
        let mut config: Config = table
            .try_into()
            .map_err(|e: toml::de::Error| invalid("configuration", e.message()))?;
        config.base_path = normalize_base(&config.base_path)?;
        Ok(config)
    }

    /// Every key, in the order of the fields. They are the ids of the flags clap
    /// derives, which are the field names, as are serde's keys.
    pub fn keys() -> Vec<String> {
        use clap::Args;
        Config::augment_args(clap::Command::new("folio"))
            .get_arguments()
            .map(|arg| arg.get_id().to_string())
            .collect()
    }

    /// The configuration as TOML, as `folio config` prints it.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

/// An optional key's value: an empty string (`FOLIO_SITE_URL=`, `site_url = ""`,
/// `--site-url ""`) is unset, like a missing key.
fn empty_is_unset<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.is_empty()).map(T::from))
}

/// `docs/` → `/docs`; `/` → empty. Only plain path segments are allowed.
fn normalize_base(raw: &str) -> Result<String, ConfigError> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let clean = trimmed.split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    });
    if !clean {
        return Err(invalid(
            "base_path",
            format!("{raw:?} is not a plain path such as /docs"),
        ));
    }
    Ok(format!("/{trimmed}"))
}

fn invalid(origin: &str, message: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.to_string(),
        message: message.to_string(),
    }
}

/// The configuration file's table and its name: the named file (which must exist),
/// else `folio.toml` when there is one.
fn read_file(named: Option<&Path>) -> Result<Option<(toml::Table, String)>, ConfigError> {
    let path = match named {
        Some(path) => path.to_path_buf(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let origin = path.display().to_string();
    let table = text
        .parse::<toml::Table>()
        .map_err(|e| invalid(&origin, e.message()))?;
    Ok(Some((table, origin)))
}

/// `FOLIO_ADDR=…` → `addr = "…"`; each value typed as its key's default is: a list is
/// comma-separated (`FOLIO_FACETS=a,b`), a boolean `true`/`1`/`yes` or `false`/`0`/`no`,
/// a number in digits. A value that does not read as its type stays a string, and the
/// error then names the key. `FOLIO_CONFIG` names the file and is not a key.
fn env_table(env: &[(String, String)], defaults: &toml::Table) -> toml::Table {
    env.iter()
        .filter(|(key, _)| key != "FOLIO_CONFIG")
        .map(|(key, value)| {
            let key = key.trim_start_matches("FOLIO_").to_lowercase();
            let text = || toml::Value::String(value.clone());
            let value = match defaults.get(&key) {
                Some(toml::Value::Array(_)) => toml::Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| toml::Value::String(v.into()))
                        .collect(),
                ),
                Some(toml::Value::Boolean(_)) => match value.as_str() {
                    "1" | "true" | "yes" => toml::Value::Boolean(true),
                    "0" | "false" | "no" | "" => toml::Value::Boolean(false),
                    _ => text(),
                },
                Some(toml::Value::Integer(_)) => value
                    .trim()
                    .parse()
                    .map_or_else(|_| text(), toml::Value::Integer),
                _ => text(),
            };
            (key, value)
        })
        .collect()
}

/// Puts `layer`'s keys over `table`'s, refusing keys not in `keys`.
fn merge(
    table: &mut toml::Table,
    layer: toml::Table,
    origin: &str,
    keys: &[String],
) -> Result<(), ConfigError> {
    for (key, value) in layer {
        if !keys.contains(&key) {
            return Err(invalid(
                origin,
                format!("unknown key `{key}`; the keys are {}", keys.join(", ")),
            ));
        }
        table.insert(key, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn flags(pairs: &[(&str, &str)]) -> toml::Table {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), toml::Value::String(v.to_string())))
            .collect()
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("folio.toml");
        std::fs::write(
            &file,
            "addr = \"0.0.0.0:1\"\ntitle = \"From file\"\ncontent = \"docs\"\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&file),
            env(&[
                ("FOLIO_ADDR", "0.0.0.0:2"),
                ("FOLIO_TITLE", "From env"),
                ("HOME", "/root"),
            ]),
            flags(&[("addr", "0.0.0.0:3")]),
        )
        .unwrap();
        assert_eq!(config.addr, "0.0.0.0:3");
        assert_eq!(config.title.as_deref(), Some("From env"));
        assert_eq!(config.content, PathBuf::from("docs"));
        assert_eq!(config.index, PathBuf::from("index"));
    }

    #[test]
    fn env_values_are_typed() {
        let config = Config::load(
            None,
            env(&[
                ("FOLIO_FACETS", "class, status"),
                ("FOLIO_READ_ONLY", "true"),
                ("FOLIO_WATCH", "poll"),
            ]),
            toml::Table::new(),
        )
        .unwrap();
        assert_eq!(config.facets, ["class", "status"]);
        assert!(config.read_only);
        assert_eq!(config.watch, Watch::Poll);
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("folio.toml");
        std::fs::write(&file, "adress = \"x\"\n").unwrap();
        let error = Config::load(Some(&file), env(&[]), toml::Table::new())
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown key `adress`"), "{error}");
        let error = Config::load(None, env(&[("FOLIO_PORT", "1")]), toml::Table::new())
            .unwrap_err()
            .to_string();
        assert!(error.contains("environment: unknown key `port`"), "{error}");
        let error = Config::load(
            None,
            env(&[("FOLIO_WATCH", "sometimes")]),
            toml::Table::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("sometimes"), "{error}");
    }

    #[test]
    fn base_paths_are_normalised() {
        assert_eq!(normalize_base("docs/").unwrap(), "/docs");
        assert_eq!(normalize_base("/a/b").unwrap(), "/a/b");
        assert_eq!(normalize_base("/").unwrap(), "");
        assert!(normalize_base("/a/../b").is_err());
        assert!(normalize_base("/a b").is_err());
    }

    #[test]
    fn a_named_file_must_exist() {
        let error = Config::load(
            Some(Path::new("/nonexistent/folio.toml")),
            env(&[]),
            toml::Table::new(),
        );
        assert!(matches!(error, Err(ConfigError::Read { .. })));
    }

    #[test]
    fn the_printed_configuration_reads_back() {
        let config = Config::default();
        let table: toml::Table = config.to_toml().parse().unwrap();
        let again: Config = table.try_into().unwrap();
        assert_eq!(again.addr, config.addr);
    }

    #[test]
    fn the_printed_configuration_leaves_unset_keys_out_and_reads_back() {
        let printed = Config::default().to_toml();
        assert!(!printed.contains("site_url"), "{printed}");
        assert!(!printed.contains("query_log"), "{printed}");
        let again: Config = toml::from_str(&printed).unwrap();
        assert_eq!(again, Config::default());
        let set = Config {
            site_url: Some("https://docs.example".into()),
            query_log: Some(PathBuf::from("misses.log")),
            ..Config::default()
        };
        let again: Config = toml::from_str(&set.to_toml()).unwrap();
        assert_eq!(again, set);
    }

    #[test]
    fn optional_keys_are_unset_by_default_and_when_empty() {
        let config = Config::load(None, env(&[]), toml::Table::new()).unwrap();
        assert_eq!((config.site_url, config.query_log), (None, None));
        let config = Config::load(
            None,
            env(&[("FOLIO_SITE_URL", ""), ("FOLIO_QUERY_LOG", "")]),
            toml::Table::new(),
        )
        .unwrap();
        assert_eq!((config.site_url, config.query_log), (None, None));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("folio.toml");
        std::fs::write(&file, "site_url = \"\"\nquery_log = \"q.log\"\n").unwrap();
        let config = Config::load(Some(&file), env(&[]), toml::Table::new()).unwrap();
        assert_eq!(config.site_url, None);
        assert_eq!(config.query_log, Some(PathBuf::from("q.log")));
        // An empty value over a set one unsets it.
        let config =
            Config::load(Some(&file), env(&[("FOLIO_QUERY_LOG", "")]), flags(&[])).unwrap();
        assert_eq!(config.query_log, None);
        let config = Config::load(
            None,
            env(&[("FOLIO_SITE_URL", "https://docs.example")]),
            flags(&[]),
        )
        .unwrap();
        assert_eq!(config.site_url.as_deref(), Some("https://docs.example"));
    }

    #[test]
    fn an_empty_base_path_is_the_root() {
        let config = Config::load(None, env(&[("FOLIO_BASE_PATH", "/")]), flags(&[])).unwrap();
        assert_eq!(config.base_path, "");
        let config = Config::load(None, env(&[]), flags(&[("base_path", "docs/")])).unwrap();
        assert_eq!(config.base_path, "/docs");
    }

    #[test]
    fn enum_names_are_the_same_for_clap_and_serde() {
        use clap::ValueEnum;
        fn same<T: ValueEnum + Serialize>() {
            for variant in T::value_variants() {
                let clap = variant.to_possible_value().unwrap();
                let serde = toml::Value::try_from(variant).unwrap();
                assert_eq!(Some(clap.get_name()), serde.as_str());
                assert!(clap.get_help().is_some(), "{} has no help", clap.get_name());
            }
        }
        same::<Watch>();
        same::<LogFormat>();
    }

    #[test]
    fn the_keys_are_the_flags_and_the_fields() {
        let keys = Config::keys();
        let full = Config {
            site_url: Some("u".into()),
            title: Some("t".into()),
            lang: Some("en".into()),
            locales: vec!["fr".into()],
            query_log: Some("q".into()),
            metrics_addr: Some("off".into()),
            ..Config::default()
        };
        let fields: Vec<String> = toml::Table::try_from(full)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, fields);
        assert_eq!(keys[0], "addr");
    }
}

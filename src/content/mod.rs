//! Content: reads `content/**/*.md` into [`Page`]s. Owns frontmatter, Markdown and URL
//! mapping; knows nothing of templates, the index or HTTP.

pub mod frontmatter;
pub mod manifest;
pub mod markdown;
pub mod url;

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

pub use markdown::{Heading, Section};

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The page is served, but something should be fixed.
    Warning,
    /// The page cannot be served.
    Error,
}

/// A problem in one content file, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it (content folder joined with the relative path).
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// Warning or error.
    pub severity: Severity,
    /// What is wrong, in lowercase words.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}: {severity}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

/// A `<meta>` or `<link>` tag a page asks for in its `<head>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadTag {
    /// `meta` or `link`.
    pub name: String,
    /// Attributes in their order.
    pub attrs: Vec<(String, String)>,
}

/// One parsed page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The file, relative to the content folder.
    pub source: PathBuf,
    /// The URL path it is served at (`/502`).
    pub url: String,
    /// The document title: frontmatter `title`, else the first `#` heading, else the file name.
    pub title: String,
    /// The page's name as a reader sees it: the first `#` heading, else the title.
    pub heading: String,
    /// Frontmatter `description`, or empty.
    pub description: String,
    /// Frontmatter `keywords` (a list or a comma-separated string).
    pub keywords: Vec<String>,
    /// Frontmatter `aliases`: other names of the page's subject, searched like its title.
    pub aliases: Vec<String>,
    /// Every frontmatter key.
    pub frontmatter: Map<String, Value>,
    /// Tags from frontmatter `head`.
    pub head: Vec<HeadTag>,
    /// JSON-LD objects, serialised safely for a `<script>` tag.
    pub json_ld: Vec<String>,
    /// The Markdown body, after the frontmatter: made into HTML when the page is
    /// served ([`Page::html`]).
    pub body: String,
    /// The body's plain text, cut at every `##` heading, for the index.
    pub sections: Vec<Section>,
    /// The body's headings.
    pub headings: Vec<Heading>,
    /// Every link's target with its 1-based line in the file.
    pub links: Vec<(usize, String)>,
    /// When the file was last modified, when known.
    pub modified: Option<std::time::SystemTime>,
}

impl Page {
    /// The body as HTML.
    pub fn html(&self) -> String {
        markdown::render(&self.body).html
    }

    /// A frontmatter value as a string, when it is a string or a number.
    pub fn field(&self, key: &str) -> Option<String> {
        match self.frontmatter.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Frontmatter `boost`: how much more (above 1) or less (below 1) search should
    /// favour the page; 1 when absent, and kept between 0.1 and 10.
    pub fn boost(&self) -> f64 {
        self.frontmatter
            .get("boost")
            .and_then(Value::as_f64)
            .filter(|b| b.is_finite())
            .map_or(1.0, |b| b.clamp(0.1, 10.0))
    }

    /// What lists of pages show of this page.
    pub fn listing(&self) -> Listing<'_> {
        let group = match self.frontmatter.get("class") {
            Some(Value::String(class)) => Some(Cow::Borrowed(class.as_str())),
            Some(Value::Number(class)) => Some(Cow::Owned(class.to_string())),
            _ => None,
        };
        Listing {
            url: &self.url,
            heading: &self.heading,
            description: &self.description,
            group,
        }
    }

    /// A frontmatter value as strings: a list's scalar items, or one scalar.
    pub fn field_values(&self, key: &str) -> Vec<String> {
        match self.frontmatter.get(key) {
            Some(Value::Array(items)) => items.iter().filter_map(scalar_string).collect(),
            Some(value) => scalar_string(value).into_iter().collect(),
            None => Vec::new(),
        }
    }
}

/// What lists of pages (the home page, its groups) show of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<'a> {
    /// Where the page is served.
    pub url: &'a str,
    /// Its name as a reader sees it.
    pub heading: &'a str,
    /// Its description, or empty.
    pub description: &'a str,
    /// Frontmatter `class`, which groups pages on the home page.
    pub group: Option<Cow<'a, str>>,
}

/// A content file as it was read: a hash of its path and bytes, its size and its
/// modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// The hash of the path and the bytes: equal hashes, equal files.
    pub hash: u64,
    /// The size in bytes.
    pub size: u64,
    /// When it was last modified, when known.
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    fn of(relative: &Path, bytes: &[u8], modified: Option<SystemTime>) -> FileStamp {
        let mut hasher = DefaultHasher::new();
        relative.hash(&mut hasher);
        bytes.hash(&mut hasher);
        FileStamp {
            hash: hasher.finish(),
            size: bytes.len() as u64,
            modified,
        }
    }
}

/// A page known by its file and parsed the first time it is needed: how a site
/// known from its [`manifest`] serves pages before it has loaded them all.
#[derive(Debug)]
pub struct PageFile {
    /// The content folder.
    dir: Arc<Path>,
    /// The path relative to the content folder.
    source: PathBuf,
    page: OnceLock<Option<Arc<Page>>>,
}

impl PageFile {
    /// The page of the file at `source` (relative to `dir`), not read yet.
    pub fn new(dir: Arc<Path>, source: PathBuf) -> PageFile {
        PageFile {
            dir,
            source,
            page: OnceLock::new(),
        }
    }

    /// Takes `page`, loaded with the whole site from this file, unless the file was
    /// read already: from then on the file is not read.
    pub fn fill(&self, page: &Arc<Page>) {
        let _ = self.page.set(Some(page.clone()));
    }

    /// The page, read and parsed on the first call; `None` (logged) when the file no
    /// longer reads or parses.
    pub fn page(&self) -> Option<Arc<Page>> {
        self.page
            .get_or_init(|| {
                let path = self.dir.join(&self.source);
                let (bytes, modified) = read_with_time(&path)
                    .map_err(
                        |error| tracing::warn!(path = %path.display(), %error, "page not read"),
                    )
                    .ok()?;
                match parse_file(&self.source, &bytes, modified).0 {
                    Ok(page) => Some(Arc::new(page)),
                    Err((line, message)) => {
                        tracing::warn!("{}", Diagnostic::error(path, line, message));
                        None
                    }
                }
            })
            .clone()
    }
}

/// A page as what serves it holds it: parsed, or known by its file until first needed.
#[derive(Debug, Clone)]
pub enum PageRef {
    /// Parsed when the site loaded.
    Parsed(Arc<Page>),
    /// Parsed on first use.
    File(Arc<PageFile>),
}

impl PageRef {
    /// The parsed page; `None` when its file no longer reads or parses.
    pub fn get(&self) -> Option<Arc<Page>> {
        match self {
            PageRef::Parsed(page) => Some(page.clone()),
            PageRef::File(file) => file.page(),
        }
    }
}

/// Every page of a content folder, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Site {
    /// The pages that parsed, sorted by source path; shared with what serves them.
    pub pages: Vec<Arc<Page>>,
    /// Warnings and errors, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Each content file as it was read, by path relative to the content folder.
    pub files: HashMap<PathBuf, FileStamp>,
    /// Groups of words that mean the same, from `_synonyms.toml` in the content folder.
    pub synonyms: Vec<Vec<String>>,
}

impl Site {
    /// The page served at `url`.
    pub fn page(&self, url: &str) -> Option<&Page> {
        self.shared_page(url).map(|page| &**page)
    }

    /// The page served at `url`, as shared with what serves it.
    pub fn shared_page(&self, url: &str) -> Option<&Arc<Page>> {
        self.pages.iter().find(|page| page.url == url)
    }

    /// A hash of every content file's path and bytes: equal fingerprints, equal sites.
    pub fn fingerprint(&self) -> u64 {
        fingerprint(self.files.values().map(|stamp| stamp.hash))
    }

    /// What lists of pages show of each page, in source order.
    pub fn listings(&self) -> Vec<Listing<'_>> {
        self.pages.iter().map(|page| page.listing()).collect()
    }

    /// Re-reads one file (relative to `dir`) after it changed, was created or removed.
    /// A file that no longer parses leaves its last good page in place.
    pub fn reload(&mut self, dir: &Path, relative: &Path) -> Reloaded {
        let previous = self.pages.iter().position(|page| page.source == relative);
        let path = dir.join(relative);
        let (bytes, modified) = match read_with_time(&path) {
            Ok(read) => read,
            Err(_) if !path.exists() => {
                self.files.remove(relative);
                return match previous {
                    Some(index) => Reloaded::Removed(self.pages.remove(index).url.clone()),
                    None => Reloaded::Unchanged,
                };
            }
            Err(error) => return Reloaded::Failed(Diagnostic::error(path, 1, error.to_string())),
        };
        self.files.insert(
            relative.to_path_buf(),
            FileStamp::of(relative, &bytes, modified),
        );
        let (page, _warnings) = parse_file(relative, &bytes, modified);
        let page = match page {
            Ok(page) => page,
            Err((line, message)) => {
                return Reloaded::Failed(Diagnostic::error(path, line, message));
            }
        };
        if let Some(other) = self
            .pages
            .iter()
            .find(|other| other.url == page.url && other.source != relative)
        {
            let message = served_twice(&page.url, &dir.join(&other.source));
            return Reloaded::Failed(Diagnostic::error(path, 1, message));
        }
        let page = Arc::new(page);
        let old = match previous {
            Some(index) => Some(std::mem::replace(&mut self.pages[index], page.clone())),
            None => {
                let at = self
                    .pages
                    .partition_point(|other| other.source.as_path() < relative);
                self.pages.insert(at, page.clone());
                None
            }
        };
        Reloaded::Updated {
            listing_changed: old
                .as_ref()
                .is_none_or(|old| old.listing() != page.listing()),
            old_url: old
                .map(|old| old.url.clone())
                .filter(|old| *old != page.url),
            url: page.url.clone(),
        }
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// What [`Site::reload`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// The page at `url` was added or replaced; `old_url` is where it was served before
    /// when that changed.
    Updated {
        /// Where the page is served now.
        url: String,
        /// Where it was served before, when that differs.
        old_url: Option<String>,
        /// Whether what lists of pages show of it (URL, name, description, group) changed.
        listing_changed: bool,
    },
    /// The file is gone; its page was served at this URL.
    Removed(String),
    /// The file is broken; its last good page, if any, stays.
    Failed(Diagnostic),
    /// Nothing to do (a file that never was a page is gone).
    Unchanged,
}

impl Diagnostic {
    fn error(path: PathBuf, line: usize, message: String) -> Diagnostic {
        Diagnostic {
            path,
            line,
            severity: Severity::Error,
            message,
        }
    }
}

/// The error for a second file claiming `url`, already served from `first`.
fn served_twice(url: &str, first: &Path) -> String {
    format!("URL {url} is already served by {}", first.display())
}

/// A file's bytes and modification time, from one open file (one lookup of its path).
fn read_with_time(path: &Path) -> std::io::Result<(Vec<u8>, Option<std::time::SystemTime>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    file.read_to_end(&mut bytes)?;
    Ok((bytes, metadata.modified().ok()))
}

/// The fingerprint of a site whose files hash to `hashes`: equal fingerprints, equal
/// sites, whatever the order.
pub fn fingerprint(hashes: impl Iterator<Item = u64>) -> u64 {
    hashes.fold(0, |all, hash| all ^ hash)
}

/// Reads the synonym table of `dir` into the site, or reports why it cannot.
pub fn load_synonyms(site: &mut Site, dir: &Path) -> Option<Diagnostic> {
    match read_synonyms(&dir.join(SYNONYMS_FILE)) {
        Ok(groups) => {
            site.synonyms = groups;
            None
        }
        Err((line, message)) => Some(Diagnostic::error(dir.join(SYNONYMS_FILE), line, message)),
    }
}

/// Every `*.md` file under `dir`, in file order, with a warning for each symbolic
/// link, which is not followed.
fn page_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    if !dir.is_dir() {
        return Err(Error::ContentMissing(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for entry in walk(dir) {
        let entry = entry.map_err(|error| {
            let path = error.path().unwrap_or(dir).to_path_buf();
            Error::io(path, error.into())
        })?;
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "md") {
            continue;
        }
        if entry.path_is_symlink() {
            warnings.push(Diagnostic {
                path: path.to_path_buf(),
                line: 1,
                severity: Severity::Warning,
                message: "symbolic link not followed".into(),
            });
            continue;
        }
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok((files, warnings))
}

/// Everything under `dir` that is looked at for pages, in file order (sorted by name,
/// folder by folder): dot-folders and `node_modules` are skipped, links not followed.
fn walk(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()))
}

/// Reads every `*.md` under `dir` (dot-folders and symbolic links are skipped). Files
/// are read and parsed in parallel; pages, URL claims and diagnostics keep file order.
pub fn load(dir: &Path) -> Result<Site> {
    use rayon::prelude::*;
    let (files, warnings) = page_files(dir)?;
    let mut site = Site {
        diagnostics: warnings,
        ..Site::default()
    };
    let parsed: Vec<_> = files
        .par_iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
            let (bytes, modified) = read_with_time(path).map_err(|error| Error::io(path, error))?;
            let stamp = FileStamp::of(&relative, &bytes, modified);
            let (page, problems) = parse_file(&relative, &bytes, modified);
            let page = page.map(Arc::new);
            Ok((relative, stamp, page, problems))
        })
        .collect::<Result<_>>()?;
    let mut claimed: HashMap<String, PathBuf> = HashMap::new();
    let mut stamps = Vec::with_capacity(files.len());
    for (path, (relative, stamp, page, problems)) in files.iter().zip(parsed) {
        stamps.push((relative.clone(), stamp));
        let mut diagnose = |line, severity, message| {
            site.diagnostics.push(Diagnostic {
                path: path.to_path_buf(),
                line,
                severity,
                message,
            })
        };
        for (line, message) in problems {
            diagnose(line, Severity::Warning, message);
        }
        match page {
            Ok(page) => match claimed.get(&page.url) {
                Some(first) => diagnose(
                    1,
                    Severity::Error,
                    served_twice(&page.url, &dir.join(first)),
                ),
                None => {
                    claimed.insert(page.url.clone(), relative);
                    site.pages.push(page);
                }
            },
            Err((line, message)) => diagnose(line, Severity::Error, message),
        }
    }
    site.files = stamps.into_iter().collect();
    if let Some(problem) = load_synonyms(&mut site, dir) {
        site.diagnostics.push(problem);
    }
    let checks = check_site(&site);
    site.diagnostics.extend(
        checks
            .into_iter()
            .map(|(source, line, message)| Diagnostic {
                path: dir.join(source),
                line,
                severity: Severity::Warning,
                message,
            }),
    );
    Ok(site)
}

/// The synonym table's file name, in the content folder.
pub const SYNONYMS_FILE: &str = "_synonyms.toml";

/// The synonym table: `groups = [["backend", "upstream", "origin"], …]`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymTable {
    groups: Vec<Vec<String>>,
}

/// Reads the synonym table; a missing file is an empty table.
fn read_synonyms(path: &Path) -> Result<Vec<Vec<String>>, (usize, String)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err((1, error.to_string())),
    };
    toml::from_str::<SynonymTable>(&text)
        .map(|table| table.groups)
        .map_err(|error| {
            let line = error
                .span()
                .map_or(1, |span| text[..span.start].matches('\n').count() + 1);
            (line, error.message().to_lowercase())
        })
}

/// The longest `description` that search engines show whole.
pub const MAX_DESCRIPTION: usize = 160;

/// Site-wide checks: links to pages or anchors that do not exist, and descriptions
/// too long to show whole. Returns (source, line, message).
fn check_site(site: &Site) -> Vec<(PathBuf, usize, String)> {
    let anchors: HashMap<&str, Vec<&str>> = site
        .pages
        .iter()
        .map(|page| {
            (
                page.url.as_str(),
                page.headings.iter().map(|h| h.id.as_str()).collect(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for page in &site.pages {
        let length = page.description.chars().count();
        if length > MAX_DESCRIPTION {
            problems.push((
                page.source.clone(),
                1,
                format!("description is {length} characters; search engines cut it after {MAX_DESCRIPTION}"),
            ));
        }
        for (line, target) in &page.links {
            let Some((url, fragment)) = internal_target(&page.url, target) else {
                continue;
            };
            let message = match (anchors.get(url.as_str()), fragment) {
                (None, _) => format!("link to {target}: no page is served at {url}"),
                (Some(ids), Some(id)) if !ids.contains(&id) => {
                    format!("link to {target}: {url} has no heading with id {id:?}")
                }
                _ => continue,
            };
            problems.push((page.source.clone(), *line, message));
        }
    }
    problems
}

/// Resolves a link found on the page at `from` to (URL path, fragment) when it points
/// inside the site; `None` for external links, `mailto:` and the like.
fn internal_target<'a>(from: &str, target: &'a str) -> Option<(String, Option<&'a str>)> {
    let has_scheme = target.split_once(':').is_some_and(|(scheme, _)| {
        scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if target.starts_with("//") || has_scheme {
        return None;
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment).filter(|f| !f.is_empty())),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let joined = if path.is_empty() {
        from.to_string()
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        let base = from.rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("{base}/{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other.strip_suffix(".md").unwrap_or(other)),
        }
    }
    if segments.last() == Some(&"index") {
        segments.pop();
    }
    let decoded = percent_encoding::percent_decode_str(&segments.join("/"))
        .decode_utf8_lossy()
        .into_owned();
    Some((format!("/{decoded}"), fragment))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| name.starts_with('.') || name == "node_modules")
}

/// The outcome of parsing one file: the page or (line, error), plus (line, warning)s.
pub type Parsed = (Result<Page, (usize, String)>, Vec<(usize, String)>);

/// Parses one page from the bytes of its file, last modified at `modified`.
fn parse_file(source: &Path, bytes: &[u8], modified: Option<SystemTime>) -> Parsed {
    let (page, warnings) = parse_page(source, bytes);
    let page = page.map(|page| Page { modified, ..page });
    (page, warnings)
}

/// Parses one page from its bytes. `source` is its path relative to the content folder.
pub fn parse_page(source: &Path, bytes: &[u8]) -> Parsed {
    let mut warnings = Vec::new();
    let page = parse_into(source, bytes, &mut warnings);
    (page, warnings)
}

fn parse_into(
    source: &Path,
    bytes: &[u8],
    warnings: &mut Vec<(usize, String)>,
) -> Result<Page, (usize, String)> {
    if bytes.contains(&0) {
        return Err((
            1,
            "binary file (it contains NUL bytes), not Markdown".into(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes[..error.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        (line, "not valid UTF-8".to_string())
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    let split = frontmatter::split(&text).map_err(|p| (p.line, p.message))?;
    let frontmatter = match split.yaml {
        Some(yaml) => frontmatter::parse(yaml).map_err(|p| (p.line, p.message))?,
        None => frontmatter::Frontmatter::default(),
    };
    if let Some(warning) = frontmatter.warning {
        warnings.push((warning.line, warning.message));
    }
    let fields = frontmatter.fields;
    let url = url::url_for(source, &fields).map_err(|message| (1, message))?;
    let rendered = markdown::outline(split.body);
    for (line, message) in rendered.warnings {
        warnings.push((line + split.body_line - 1, message));
    }
    if split.body.trim().is_empty() && fields.is_empty() {
        warnings.push((1, "page is empty".into()));
    }
    let h1 = rendered
        .headings
        .iter()
        .find(|h| h.level == 1)
        .map(|h| h.text.clone());
    let stem = source
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("untitled")
        .to_string();
    let title = string_field(&fields, "title")
        .or_else(|| h1.clone())
        .unwrap_or(stem);
    let head = head_tags(fields.get("head"), warnings);
    Ok(Page {
        source: source.to_path_buf(),
        url,
        heading: h1.unwrap_or_else(|| title.clone()),
        title,
        description: string_field(&fields, "description").unwrap_or_default(),
        keywords: string_list(fields.get("keywords")),
        aliases: string_list(fields.get("aliases")),
        head,
        json_ld: rendered.json_ld,
        body: split.body.to_string(),
        sections: rendered.sections,
        headings: rendered.headings,
        links: rendered
            .links
            .into_iter()
            .map(|(line, target)| (line + split.body_line - 1, target))
            .collect(),
        modified: None,
        frontmatter: fields,
    })
}

fn string_field(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A list of strings, or one comma-separated string.
fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(list)) => list
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(scalar_string)
            .filter(|k| !k.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads VitePress `head` entries: `[tag, {attr: value}]` pairs; only `meta` and `link`.
fn head_tags(value: Option<&Value>, warnings: &mut Vec<(usize, String)>) -> Vec<HeadTag> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(entries) = value.as_array() else {
        warnings.push((
            1,
            "`head` must be a list of [tag, {attributes}] pairs".into(),
        ));
        return Vec::new();
    };
    let mut tags = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let pair = entry.as_array().map(Vec::as_slice);
        let (Some(name), Some(attrs)) = (
            pair.and_then(|p| p.first()).and_then(Value::as_str),
            pair.and_then(|p| p.get(1)).and_then(Value::as_object),
        ) else {
            warnings.push((
                1,
                format!(
                    "`head` entry {} is not a [tag, {{attributes}}] pair",
                    index + 1
                ),
            ));
            continue;
        };
        if name != "meta" && name != "link" {
            warnings.push((
                1,
                format!(
                    "`head` entry {}: only meta and link tags are served, not {name}",
                    index + 1
                ),
            ));
            continue;
        }
        let attrs = attrs
            .iter()
            .filter(|(key, _)| is_attribute_name(key))
            .filter_map(|(key, value)| Some((key.clone(), scalar_string(value)?)))
            .collect();
        tags.push(HeadTag {
            name: name.to_string(),
            attrs,
        });
    }
    tags
}

fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        parse_page(Path::new("guide/page.md"), text.as_bytes())
    }

    #[test]
    fn page_without_frontmatter_takes_its_title_from_the_first_heading() {
        let (page, warnings) = parse("# tar\n\n> Archiving utility.\n");
        let page = page.unwrap();
        assert_eq!(page.title, "tar");
        assert_eq!(page.url, "/guide/page");
        assert!(warnings.is_empty());
    }

    #[test]
    fn frontmatter_fields_reach_the_page() {
        let text = "---\ntitle: \"T\"\ndescription: \"D\"\nkeywords: [a, b]\ncode: 502\nhead:\n  - - meta\n    - name: keywords\n      content: x, y\n  - - script\n    - src: evil.js\n---\n# Heading\n";
        let (page, warnings) = parse(text);
        let page = page.unwrap();
        assert_eq!(page.title, "T");
        assert_eq!(page.heading, "Heading");
        assert_eq!(page.description, "D");
        assert_eq!(page.keywords, ["a", "b"]);
        assert_eq!(page.field("code").as_deref(), Some("502"));
        assert_eq!(page.head.len(), 1);
        assert_eq!(page.head[0].attrs[1], ("content".into(), "x, y".into()));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].1.contains("not script"));
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let (page, _) = parse("\u{feff}---\r\ntitle: Windows\r\n---\r\n# H\r\n");
        assert_eq!(page.unwrap().title, "Windows");
    }

    #[test]
    fn bad_files_are_errors_with_lines() {
        assert_eq!(
            parse("ok\n\u{0}").0.unwrap_err().1,
            "binary file (it contains NUL bytes), not Markdown"
        );
        let invalid = parse_page(Path::new("a.md"), b"line one\nline \xff two\n");
        assert_eq!(invalid.0.unwrap_err(), (2, "not valid UTF-8".to_string()));
        let (list, _) = parse("---\n- a\n- b\n---\n");
        assert!(list.unwrap_err().1.contains("mapping"));
    }

    #[test]
    fn internal_links_resolve_against_the_page_url() {
        assert_eq!(
            internal_target("/guide/a", "/502#when-to-use"),
            Some(("/502".into(), Some("when-to-use")))
        );
        assert_eq!(
            internal_target("/guide/a", "b.md"),
            Some(("/guide/b".into(), None))
        );
        assert_eq!(
            internal_target("/guide/a", "../502/"),
            Some(("/502".into(), None))
        );
        assert_eq!(
            internal_target("/guide/a", "#x"),
            Some(("/guide/a".into(), Some("x")))
        );
        assert_eq!(
            internal_target("/a", "./index.md"),
            Some(("/".into(), None))
        );
        assert_eq!(internal_target("/a", "https://example.com/x"), None);
        assert_eq!(internal_target("/a", "mailto:a@b.c"), None);
        assert_eq!(internal_target("/a", "//cdn.example/x"), None);
    }

    #[test]
    fn site_checks_find_dead_links_anchors_and_long_descriptions() {
        let page = |path: &str, text: &str| {
            Arc::new(parse_page(Path::new(path), text.as_bytes()).0.unwrap())
        };
        let long = "x".repeat(161);
        let site = Site {
            pages: vec![
                page(
                    "a.md",
                    &format!(
                        "---\ndescription: {long}\n---\n# A\n\n## Here\n\n[ok](/b) [dead](/nope)\n[anchor](#here) [bad anchor](/b#nowhere)\n"
                    ),
                ),
                page("b.md", "# B\n"),
            ],
            ..Site::default()
        };
        let problems: Vec<String> = check_site(&site)
            .into_iter()
            .map(|(_, line, m)| format!("{line}: {m}"))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("description is 161 characters"));
        assert!(problems[1].starts_with("8: link to /nope"));
        assert!(problems[2].contains("no heading with id \"nowhere\""));
    }

    #[test]
    fn warning_lines_count_from_the_top_of_the_file() {
        let (_, warnings) = parse(
            "---\ntitle: T\n---\n\n<script setup>\nconst d = { \"@context\": x }\n</script>\n",
        );
        assert_eq!(warnings[0].0, 5);
    }
}

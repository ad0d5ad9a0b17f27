//! The page model: a parsed [`Page`], what lists show of it, and a page known by its
//! file until it is first needed ([`PageFile`], [`PageRef`]).

use super::folder::ContentFolder;
use super::links::LinkMap;
use super::markdown::{self, Heading, Section};
use super::parse::parse_file;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
    /// Frontmatter `description`, else the page's lead (its first paragraph or
    /// blockquote, as plain text), else empty: see [`Page::written_description`].
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
    /// The Markdown body, after the frontmatter, with the files it includes spliced
    /// in: made into HTML when the page is served ([`Page::html`]).
    pub body: String,
    /// The files the body includes, found or not, relative to the content folder: a
    /// change to one of them changes the page.
    pub includes: Vec<std::path::PathBuf>,
    /// The body's plain text, cut at every `##`, `###` and `####` heading, for the index
    /// and for search to show the section that matches.
    pub sections: Vec<Section>,
    /// The body's headings.
    pub headings: Vec<Heading>,
    /// Every link's target with its 1-based line in the file.
    pub links: Vec<(usize, String)>,
    /// When the file was last modified, when known.
    pub modified: Option<std::time::SystemTime>,
    /// Where the page goes among its siblings in the navigation (frontmatter `order`,
    /// `sidebar_position`, `nav_order` or `weight`); unordered pages come after.
    pub order: Option<f64>,
}

impl Page {
    /// The body as HTML, each link resolved through `links` to a root-absolute URL.
    pub fn html(&self, links: &LinkMap) -> String {
        let rewrite = |target: &str| links.resolve(&self.source, target).href();
        markdown::render_with(&self.body, &rewrite).html
    }

    /// The `description` its frontmatter gives, when it gives one; otherwise
    /// [`Page::description`] is taken from the page's lead.
    pub fn written_description(&self) -> Option<&str> {
        text_field(&self.frontmatter, "description")
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
            source: &self.source,
            url: &self.url,
            heading: &self.heading,
            description: &self.description,
            group,
            order: self.order,
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

/// What lists of pages (the home page, its groups, the navigation) show of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<'a> {
    /// Its file, relative to the content folder.
    pub source: &'a Path,
    /// Where the page is served.
    pub url: &'a str,
    /// Its name as a reader sees it.
    pub heading: &'a str,
    /// Its description, or empty.
    pub description: &'a str,
    /// Frontmatter `class`, which groups pages on the home page.
    pub group: Option<Cow<'a, str>>,
    /// Where it goes among its siblings in the navigation.
    pub order: Option<f64>,
}

/// A page known by its file and parsed the first time it is needed: how a site
/// known from its [`manifest`] serves pages before it has loaded them all.
#[derive(Debug)]
pub struct PageFile {
    /// The content folder.
    folder: Arc<ContentFolder>,
    /// The path relative to the content folder.
    source: PathBuf,
    page: OnceLock<Option<Arc<Page>>>,
}

impl PageFile {
    /// The page of the file at `source` in `folder`, not read yet.
    pub fn new(folder: Arc<ContentFolder>, source: PathBuf) -> PageFile {
        PageFile {
            folder,
            source,
            page: OnceLock::new(),
        }
    }

    /// The path relative to the content folder.
    pub fn source(&self) -> &Path {
        &self.source
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
                let path = self.folder.path().join(&self.source);
                let (bytes, modified) = self
                    .folder
                    .read(&self.source)
                    .map_err(
                        |error| tracing::warn!(path = %path.display(), %error, "page not read"),
                    )
                    .ok()?;
                match parse_file(&self.source, &bytes, modified, self.folder.as_ref()).0 {
                    Ok(page) => Some(Arc::new(page)),
                    Err(problem) => {
                        tracing::warn!("{}", problem.in_file(path));
                        None
                    }
                }
            })
            .clone()
    }
}

/// Whatever holds pages by URL: a loaded [`Site`](super::Site), a map, or what the
/// running site serves. Search reads the sections of its hits through it.
pub trait Pages: Sync {
    /// The page served at `url`, parsed.
    fn page_at(&self, url: &str) -> Option<Arc<Page>>;
}

impl<S: std::hash::BuildHasher + Sync> Pages for std::collections::HashMap<String, Arc<Page>, S> {
    fn page_at(&self, url: &str) -> Option<Arc<Page>> {
        self.get(url).cloned()
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

/// A frontmatter string, trimmed, when it is not empty.
pub(super) fn text_field<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A scalar frontmatter value as a string.
pub(super) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

//! Where a link written in a page leads, resolved the way the tools people write docs
//! for resolve it: against the folder of the file it is written in (not the URL the
//! page is served at), with `x.md`, `x.mdx`, `x.html`, `x/`, `x/index.md` and
//! `x/README.md` all reaching the page of `x`, and root-absolute links (`/guide/x`)
//! taken from the content folder's root or as a page's URL.

use super::nav::LocaleFolders;
use super::url::encode_path;
use percent_encoding::percent_decode_str;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::path::Path;

/// Every page's file and URL: what links resolve against.
#[derive(Debug, Default)]
pub struct LinkMap {
    /// Page URL by source path (`guide/setup.md`, `/`-separated).
    by_source: FxHashMap<Box<str>, Box<str>>,
    /// Every page's URL, for links written as URLs.
    urls: FxHashSet<Box<str>>,
    /// The locale folders (`zh`, `pt-BR`): a page missing from one is the page of the
    /// site's own language at the same place, as Starlight and MkDocs' i18n plugins
    /// fall back.
    locales: Vec<Box<str>>,
}

/// What a link resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Leaves the site (`https://…`, `mailto:`), or only names a fragment of this
    /// page (`#usage`): written as it is.
    Kept,
    /// A page, at its URL, with the fragment and query as written.
    Page {
        /// The page's URL (`/guide/setup`).
        url: String,
        /// `?…#…` as written, or empty.
        suffix: String,
    },
    /// Any other file under the content folder (or the public folder), by its path
    /// relative to the content folder (`guide/img/a.png`).
    File {
        /// The path, `/`-separated, not encoded.
        path: String,
        /// `?…#…` as written, or empty.
        suffix: String,
    },
    /// A page-like link that reaches no page: the path it names (`/guide/gone`).
    Missing {
        /// The URL the link would have, root-absolute.
        url: String,
        /// `?…#…` as written, or empty.
        suffix: String,
    },
}

impl Resolved {
    /// The link as an `href`: a root-absolute URL (to be put under the base path), or
    /// `None` when the link is kept as written.
    pub fn href(&self) -> Option<String> {
        match self {
            Resolved::Kept => None,
            Resolved::Page { url, suffix } | Resolved::Missing { url, suffix } => {
                Some(format!("{url}{suffix}"))
            }
            Resolved::File { path, suffix } => Some(format!("/{}{suffix}", encode_path(path))),
        }
    }
}

/// The extensions of page files.
pub const PAGE_EXTENSIONS: [&str; 2] = ["md", "mdx"];

/// Whether a file is a page by its extension (`.md`, `.mdx`).
pub fn is_page_file(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| PAGE_EXTENSIONS.contains(&ext))
}

impl LinkMap {
    /// The map of `pages`: each page's source path (relative to the content folder) and
    /// URL.
    /// `locales` says which top-level folders are locales.
    pub fn new<'a>(
        pages: impl IntoIterator<Item = (&'a Path, &'a str)>,
        locales: &LocaleFolders,
    ) -> LinkMap {
        let pages = pages.into_iter();
        let mut map = LinkMap {
            by_source: FxHashMap::with_capacity_and_hasher(pages.size_hint().0, Default::default()),
            urls: FxHashSet::with_capacity_and_hasher(pages.size_hint().0, Default::default()),
            locales: Vec::new(),
        };
        for (source, url) in pages {
            let source = slashed(source);
            if let Some((first, _)) = source.split_once('/')
                && locales.lang_of(first).is_some()
                && !map.locales.iter().any(|locale| &**locale == first)
            {
                map.locales.push(first.into());
            }
            map.urls.insert(url.into());
            map.by_source.insert(source.into(), url.into());
        }
        map
    }

    /// The page of the site's own language at the place of `url` in a locale that
    /// lacks it (`/hi/guides/pages` → `/guides/pages`), when there is one.
    pub fn fallback(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix('/')?;
        let (first, rest) = rest.split_once('/')?;
        if !self.locales.iter().any(|locale| &**locale == first) {
            return None;
        }
        let own = format!("/{}", rest.trim_end_matches('/'));
        self.urls.contains(own.as_str()).then_some(own)
    }

    /// The URL of the page whose file is `source` (relative to the content folder).
    pub fn url_of(&self, source: &str) -> Option<&str> {
        self.by_source.get(source).map(|url| &**url)
    }

    /// The locale folders among the pages' top-level folders (`zh`, `pt-BR`).
    pub fn locale_folders(&self) -> &[Box<str>] {
        &self.locales
    }

    /// The URL of the page a request's path names in another form (`/x.md`, `/x.html`,
    /// `/x/`, `/x/README.md`), when it is not that URL itself.
    pub fn canonical(&self, path: &str) -> Option<String> {
        if self.urls.contains(path) {
            return None;
        }
        match self.resolve(Path::new(""), path) {
            Resolved::Page { url, suffix } if suffix.is_empty() && url != path => Some(url),
            _ => None,
        }
    }

    /// Whether the page `url` leads to from `path` ([`LinkMap::canonical`]) stands in
    /// for a translation that may come (a locale's missing page), so the way there is
    /// not for good.
    pub fn stands_in(&self, path: &str, url: &str) -> bool {
        self.fallback(path.trim_end_matches('/')).as_deref() == Some(url)
    }

    /// Resolves `target`, written in the page whose file is `from`.
    pub fn resolve(&self, from: &Path, target: &str) -> Resolved {
        let target = target.trim();
        if target.is_empty() || target.starts_with(['#', '?']) || is_external(target) {
            return Resolved::Kept;
        }
        let cut = target.find(['?', '#']).unwrap_or(target.len());
        let (path, suffix) = target.split_at(cut);
        let suffix = suffix.to_string();
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let absolute = decoded.starts_with('/');
        let base = match absolute {
            true => String::new(),
            false => slashed(from.parent().unwrap_or(Path::new(""))).into_owned(),
        };
        let Some(joined) = join(&base, &decoded) else {
            let url = format!("/{}", decoded.trim_start_matches('/'));
            return Resolved::Missing { url, suffix };
        };
        if absolute && let Some(url) = self.page_by_url(&joined) {
            return Resolved::Page { url, suffix };
        }
        if let Some(url) = self.page_by_file(&joined) {
            return Resolved::Page { url, suffix };
        }
        // `x.html` that is no page's is a file of its own (`public/pure.html`).
        let is_file = joined
            .rsplit('/')
            .next()
            .and_then(|name| name.rsplit_once('.'))
            .is_some_and(|(_, ext)| !PAGE_EXTENSIONS.contains(&ext));
        if is_file {
            return Resolved::File {
                path: joined,
                suffix,
            };
        }
        let url = match joined.trim_end_matches('/') {
            "" => "/".to_string(),
            path => format!("/{}", strip_page_extension(path)),
        };
        match self.fallback(&url) {
            Some(url) => Resolved::Page { url, suffix },
            None => Resolved::Missing { url, suffix },
        }
    }

    /// The page at the URL `/path` (as written, or with a trailing `/` or `.html`).
    fn page_by_url(&self, path: &str) -> Option<String> {
        let bare = path.trim_end_matches('/');
        let bare = bare.strip_suffix(".html").unwrap_or(bare);
        let bare = bare.strip_suffix("/index").unwrap_or(bare);
        let url = format!("/{bare}");
        self.urls.contains(url.as_str()).then_some(url)
    }

    /// The page whose file the link names, in any of the forms the tools accept.
    fn page_by_file(&self, path: &str) -> Option<String> {
        let folder = path.is_empty() || path.ends_with('/');
        let bare = path.trim_end_matches('/');
        let mut candidates: Vec<String> = Vec::with_capacity(8);
        let stem = bare
            .strip_suffix(".html")
            .or_else(|| bare.strip_suffix(".htm"));
        match stem {
            Some(stem) => {
                let stem = stem.strip_suffix("/index").unwrap_or(stem);
                push_page_files(&mut candidates, stem, false);
                push_index_files(&mut candidates, stem);
            }
            None if folder => push_index_files(&mut candidates, bare),
            None => {
                candidates.push(bare.to_string());
                push_page_files(&mut candidates, bare, true);
                push_index_files(&mut candidates, bare);
            }
        }
        candidates
            .iter()
            .find_map(|candidate| self.by_source.get(candidate.as_str()))
            .map(|url| url.to_string())
    }
}

fn push_page_files(candidates: &mut Vec<String>, stem: &str, skip_if_page: bool) {
    if stem.is_empty() {
        return;
    }
    let has_page_extension = stem
        .rsplit_once('.')
        .is_some_and(|(_, ext)| PAGE_EXTENSIONS.contains(&ext));
    if skip_if_page && has_page_extension {
        return;
    }
    for ext in PAGE_EXTENSIONS {
        candidates.push(format!("{stem}.{ext}"));
    }
}

fn push_index_files(candidates: &mut Vec<String>, folder: &str) {
    for name in ["index.md", "README.md", "index.mdx", "readme.md"] {
        candidates.push(match folder {
            "" => name.to_string(),
            folder => format!("{folder}/{name}"),
        });
    }
}

/// Whether a link leaves the site: it has a scheme (`https:`, `mailto:`) or is
/// protocol-relative (`//host/x`).
pub fn is_external(target: &str) -> bool {
    if target.starts_with("//") {
        return true;
    }
    target.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !scheme.contains('/')
    })
}

/// `base` (a folder, `/`-separated, no trailing `/`) joined with `path`, `.` and `..`
/// resolved; a trailing `/` is kept. `None` when `..` climbs above the root.
fn join(base: &str, path: &str) -> Option<String> {
    let mut segments: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            segment => segments.push(segment),
        }
    }
    let mut joined = segments.join("/");
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

fn strip_page_extension(path: &str) -> &str {
    for ext in [".md", ".mdx", ".html", ".htm"] {
        if let Some(stem) = path.strip_suffix(ext) {
            return stem.strip_suffix("/index").unwrap_or(stem);
        }
    }
    path
}

/// A relative path with `/` between its parts, whatever the platform; borrowed when it
/// is written so already (always, on Unix, for a path found by walking a folder).
pub fn slashed(path: &Path) -> Cow<'_, str> {
    if let Some(text) = path.to_str()
        && !text.contains('\\')
        && !text.starts_with('/')
        && !text.starts_with("./")
        && !text.contains("/./")
        && !text.contains("//")
        && !text.ends_with('/')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    for part in path.components() {
        if let std::path::Component::Normal(part) = part {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&part.to_string_lossy());
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> LinkMap {
        let pages = [
            ("index.md", "/"),
            ("guide/index.md", "/guide"),
            ("guide/setup.md", "/guide/setup"),
            ("plugins/index.md", "/plugins"),
            ("plugins/privacy.md", "/plugins/privacy"),
            ("cli/README.md", "/cli"),
            ("cli/init.md", "/cli/init"),
            ("moved.md", "/elsewhere/moved"),
            ("comp.mdx", "/comp"),
        ];
        let owned: Vec<(std::path::PathBuf, &str)> = pages
            .iter()
            .map(|(source, url)| (Path::new(source).to_path_buf(), *url))
            .collect();
        LinkMap::new(
            owned.iter().map(|(s, u)| (s.as_path(), *u)),
            &LocaleFolders::default(),
        )
    }

    fn href(from: &str, target: &str) -> Option<String> {
        map().resolve(Path::new(from), target).href()
    }

    #[test]
    fn a_folder_index_resolves_against_its_own_folder() {
        assert_eq!(
            href("plugins/index.md", "privacy.md").as_deref(),
            Some("/plugins/privacy")
        );
        assert_eq!(
            href("plugins/index.md", "./privacy").as_deref(),
            Some("/plugins/privacy")
        );
    }

    #[test]
    fn every_form_of_a_page_link_reaches_the_page() {
        for target in [
            "setup.md",
            "setup",
            "setup.html",
            "./setup.md#usage",
            "../guide/setup.md",
            "/guide/setup",
            "/guide/setup.md",
            "/guide/setup.html",
            "/guide/setup/",
        ] {
            let resolved = map().resolve(Path::new("guide/other.md"), target);
            match resolved {
                Resolved::Page { url, .. } => assert_eq!(url, "/guide/setup", "{target}"),
                other => panic!("{target}: {other:?}"),
            }
        }
        for target in [
            "../cli/",
            "../cli",
            "../cli/README.md",
            "../cli/index.html",
            "/cli/",
        ] {
            assert_eq!(
                href("guide/other.md", target).as_deref(),
                Some("/cli"),
                "{target}"
            );
        }
        assert_eq!(href("guide/setup.md", "../index.md").as_deref(), Some("/"));
        assert_eq!(href("guide/setup.md", "../").as_deref(), Some("/"));
        assert_eq!(
            href("guide/setup.md", "../comp.mdx").as_deref(),
            Some("/comp")
        );
    }

    #[test]
    fn requests_for_other_forms_of_a_url_have_a_canonical_one() {
        let map = map();
        for path in [
            "/guide/setup.md",
            "/guide/setup.html",
            "/guide/setup/",
            "/cli/README.md",
            "/cli/index.html",
        ] {
            assert!(
                map.canonical(path)
                    .is_some_and(|url| path.starts_with(&url)),
                "{path}"
            );
        }
        assert_eq!(map.canonical("/guide/setup"), None);
        assert_eq!(map.canonical("/nothing.md"), None);
        assert_eq!(
            map.canonical("/moved.md").as_deref(),
            Some("/elsewhere/moved")
        );
    }

    #[test]
    fn a_page_missing_from_a_locale_is_its_own_language_page() {
        let pages = [("guide/a.md", "/guide/a"), ("zh/guide/b.md", "/zh/guide/b")];
        let owned: Vec<(std::path::PathBuf, &str)> = pages
            .iter()
            .map(|(s, u)| (Path::new(s).to_path_buf(), *u))
            .collect();
        let map = LinkMap::new(
            owned.iter().map(|(s, u)| (s.as_path(), *u)),
            &LocaleFolders::default(),
        );
        assert_eq!(
            map.resolve(Path::new("zh/guide/b.md"), "/zh/guide/a/#x")
                .href()
                .as_deref(),
            Some("/guide/a#x")
        );
        assert_eq!(map.canonical("/zh/guide/a").as_deref(), Some("/guide/a"));
        assert_eq!(map.canonical("/zh/guide/b"), None);
        assert_eq!(
            map.fallback("/de/guide/a"),
            None,
            "de is no locale of this site"
        );
    }

    #[test]
    fn fragments_and_queries_are_kept() {
        assert_eq!(
            href("guide/setup.md", "../cli/init.md#options").as_deref(),
            Some("/cli/init#options")
        );
        assert_eq!(href("guide/setup.md", "#usage"), None);
        assert_eq!(href("guide/setup.md", "?q=x"), None);
    }

    #[test]
    fn a_page_moved_by_its_slug_is_reached_by_its_file() {
        assert_eq!(
            href("guide/setup.md", "../moved.md").as_deref(),
            Some("/elsewhere/moved")
        );
    }

    #[test]
    fn files_resolve_to_their_path_and_external_links_are_kept() {
        assert_eq!(
            map().resolve(Path::new("guide/index.md"), "img/a b.png"),
            Resolved::File {
                path: "guide/img/a b.png".into(),
                suffix: String::new()
            }
        );
        assert_eq!(
            href("guide/index.md", "img/a%20b.png").as_deref(),
            Some("/guide/img/a%20b.png")
        );
        for external in ["https://x.org/a.md", "mailto:a@b", "//cdn/x.js", "tel:1"] {
            assert_eq!(href("a.md", external), None, "{external}");
        }
    }

    #[test]
    fn links_to_no_page_are_missing_with_the_url_they_would_have() {
        assert_eq!(
            map().resolve(Path::new("guide/setup.md"), "gone.md#x"),
            Resolved::Missing {
                url: "/guide/gone".into(),
                suffix: "#x".into()
            }
        );
        assert_eq!(
            href("guide/setup.md", "/pure.html#top").as_deref(),
            Some("/pure.html#top"),
            "an HTML file that is no page is a file"
        );
        assert!(matches!(
            map().resolve(Path::new("a.md"), "../../etc/passwd"),
            Resolved::Missing { .. }
        ));
    }
}

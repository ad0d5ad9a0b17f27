//! Real documentation projects (`../shared/corpora`), each served from its project root
//! as its tool lays it out, and crawled from `/`: every internal link and image resolves,
//! every page carries its navigation, no page shows its tool's Markdown syntax as text,
//! and every code block in a known language is highlighted.

use crate::support::{Response, Server, Site, request};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::LazyLock;
use std::time::Instant;

/// Links in the VitePress docs that are dead in the source itself: (URL, why).
const VITEPRESS_DEAD: &[(&str, &str)] = &[(
    "/vitepress-logo-large.svg",
    "the hero image of every */index.md; public/vitepress-logo-large.svg links to \
     ../../art/vitepress-logo.svg, outside the docs and not shipped",
)];

/// Markers of the VitePress docs shown as text because the source itself is broken,
/// as VitePress shows them too: (URL, marker, why).
const VITEPRESS_SHOWN: &[(&str, &str, &str)] = &[(
    "/es/guide/markdown",
    ":::",
    "a ```md fence around an example with its own ```js fence closes early, leaving \
     the example's last `:::` outside it (the English page fences it with ````md)",
)];

/// Links in the mdBook guide that are dead in the source itself: (URL, why).
const MDBOOK_DEAD: &[(&str, &str)] = &[];

/// The most requests one crawl may send; a site that needs more is not crawled
/// link by link.
const MAX_REQUESTS: usize = 5000;

/// The most redirects followed from one link.
const MAX_HOPS: usize = 5;

#[test]
fn the_mdbook_guide_is_served_whole_with_its_navigation() {
    let Some(site) = Site::unpack("mdbook-guide", "mdbook-guide") else {
        return;
    };
    let server = site.serve();
    let crawl = Crawl::of(&server, "mdbook-guide");
    let mut faults = crawl.faults(MDBOOK_DEAD);
    faults.extend(crawl.dialect_faults(&[]));

    for (url, html) in &crawl.pages {
        let title = between(html, "<title>", "</title>").unwrap_or_default();
        if !title.ends_with("| mdBook Documentation") {
            faults.push(format!("{url}: title {title:?}"));
        }
    }

    // SUMMARY.md: part titles, then the chapters in their order, a draft without a link.
    let sidebar = sidebar(crawl.page("/guide/installation")).unwrap_or_default();
    let order = [
        "User guide",
        "Installation",
        "Reading books",
        "Creating a book",
        "Reference guide",
        "Command-line tool",
        "SUMMARY.md",
        "Draft chapter",
        "Configuration",
        "Contributors",
    ];
    let places: Vec<Option<usize>> = order
        .iter()
        .map(|title| sidebar.find(&format!(">{title}<")))
        .collect();
    if places.contains(&None) || !places.is_sorted() {
        faults.push(format!(
            "the sidebar is not in SUMMARY.md order: {order:?} at {places:?} in {sidebar}"
        ));
    }
    for label in ["Draft chapter", "User guide", "Reference guide"] {
        if let Some(at) = sidebar.find(&format!(">{label}<")) {
            let tag = &sidebar[sidebar[..=at].rfind('<').unwrap_or(0)..=at];
            if tag.starts_with("<a ") || tag.starts_with("<a>") {
                faults.push(format!(
                    "{label:?} is a link in the sidebar, not a label: {tag}"
                ));
            }
        }
    }
    assert!(
        faults.is_empty(),
        "mdbook-guide: {} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[test]
fn the_vitepress_docs_are_served_whole_with_their_navigation() {
    let Some(site) = Site::unpack("vitepress-docs", "vitepress-docs") else {
        return;
    };
    let server = site.serve();
    let crawl = Crawl::of(&server, "vitepress-docs");
    let mut faults = crawl.faults(VITEPRESS_DEAD);
    faults.extend(crawl.dialect_faults(VITEPRESS_SHOWN));

    let root = crawl.redirects.get("/").map(String::as_str);
    if root != Some("/en") {
        faults.push(format!("/ redirects to {root:?}, not to /en"));
    }
    let zh: Vec<&String> = (crawl.pages.keys())
        .filter(|url| *url == "/zh" || url.starts_with("/zh/"))
        .collect();
    if zh.len() < 30 {
        faults.push(format!("only {} zh pages reached from /", zh.len()));
    }
    for url in zh {
        if !crawl.page(url).contains("<html lang=\"zh\"") {
            faults.push(format!("{url}: not marked as Chinese"));
        }
    }

    let routing = crawl.page("/en/guide/routing");
    match between(
        routing,
        "<nav class=\"locales\" aria-label=\"Languages\">",
        "</nav>",
    ) {
        Some(locales) if locales.contains("href=\"/zh/guide/routing\"") => {}
        locales => faults.push(format!(
            "/en/guide/routing: no locale switcher to /zh/guide/routing: {locales:?}"
        )),
    }

    // public/ is served at the root. Its SVG logos are links to ../../art/, outside
    // the docs and not shipped, so the shipped PNG and WebP logos stand for them.
    for (path, media) in [
        ("/vitepress-logo-mini.png", "image/png"),
        ("/vitepress-logo-large.webp", "image/webp"),
        ("/pure.html", "text/html; charset=utf-8"),
    ] {
        let file = request("GET", &server.url(path));
        if file.status != 200 || file.header("content-type") != Some(media) {
            faults.push(format!(
                "{path}: {} {:?}, not 200 {media}",
                file.status,
                file.header("content-type")
            ));
        }
    }
    assert!(
        faults.is_empty(),
        "vitepress-docs: {} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

/// Everything reached from `/` by following links, each URL fetched once.
struct Crawl {
    site: &'static str,
    /// Every page served, by URL, with its HTML.
    pages: BTreeMap<String, String>,
    /// Every file served (not a page), by URL.
    files: BTreeSet<String>,
    /// Every redirect, by the URL asked for, with where it led.
    redirects: BTreeMap<String, String>,
    /// Every link that led to no page or file, by URL, with its status and the pages
    /// that link to it.
    dead: BTreeMap<String, (u16, BTreeSet<String>)>,
    /// Links followed, counting a link each time a page has it.
    links: usize,
    requests: usize,
}

/// Where a URL led, once redirects are followed.
#[derive(Clone)]
enum Reached {
    Page(String),
    File,
    Missing(u16),
}

impl Crawl {
    fn of(server: &Server, site: &'static str) -> Crawl {
        let start = Instant::now();
        let mut crawl = Crawl {
            site,
            pages: BTreeMap::new(),
            files: BTreeSet::new(),
            redirects: BTreeMap::new(),
            dead: BTreeMap::new(),
            links: 0,
            requests: 0,
        };
        let mut known: BTreeMap<String, Reached> = BTreeMap::new();
        let mut queue = VecDeque::new();
        let mut queued = BTreeSet::new();
        match crawl.visit(server, &mut known, "/") {
            Reached::Page(url) => queue.push_back(url),
            other => panic!("{site}: / is no page ({})", other.describe()),
        }
        queued.extend(queue.iter().cloned());
        while let Some(url) = queue.pop_front() {
            let html = crawl.pages[&url].clone();
            for href in links(&html) {
                let Some(target) = resolve(&url, &href) else {
                    continue;
                };
                crawl.links += 1;
                match crawl.visit(server, &mut known, &target) {
                    Reached::Page(page) if queued.insert(page.clone()) => queue.push_back(page),
                    Reached::Missing(status) => {
                        let entry = crawl
                            .dead
                            .entry(target)
                            .or_insert((status, BTreeSet::new()));
                        entry.1.insert(url.clone());
                    }
                    _ => {}
                }
            }
        }
        let marked = (crawl.pages.values())
            .filter(|html| sidebar(html).is_some_and(|nav| nav.contains("aria-current=\"page\"")))
            .count();
        let outlined = (crawl.pages.values())
            .filter(|html| html.contains("<nav class=\"toc\""))
            .count();
        eprintln!(
            "{site}: {} pages ({marked} marked in the sidebar, {outlined} with a table of \
             contents), {} files, {} links, {} redirects, {} dead, {} requests in {:.1?}",
            crawl.pages.len(),
            crawl.files.len(),
            crawl.links,
            crawl.redirects.len(),
            crawl.dead.len(),
            crawl.requests,
            start.elapsed()
        );
        crawl
    }

    /// Fetches `url` (and where it redirects) unless known, and says where it led.
    fn visit(
        &mut self,
        server: &Server,
        known: &mut BTreeMap<String, Reached>,
        url: &str,
    ) -> Reached {
        let mut chain = Vec::new();
        let mut current = url.to_string();
        let reached = loop {
            if let Some(reached) = known.get(&current) {
                break reached.clone();
            }
            if chain.len() > MAX_HOPS {
                // Too many redirects, as browsers once numbered it.
                break Reached::Missing(310);
            }
            self.requests += 1;
            assert!(
                self.requests <= MAX_REQUESTS,
                "{}: more than {MAX_REQUESTS} requests",
                self.site
            );
            let answer = request("GET", &server.url(&encode(&current)));
            chain.push(current.clone());
            match answer.status {
                300..=399 => {
                    let location = answer.header("location").unwrap_or_default();
                    let next = resolve(&current, location)
                        .unwrap_or_else(|| panic!("{current} redirects away, to {location:?}"));
                    self.redirects.insert(current.clone(), next.clone());
                    current = next;
                }
                200 if is_page(&answer) => {
                    self.pages.insert(current.clone(), answer.body);
                    break Reached::Page(current);
                }
                200 => {
                    self.files.insert(current);
                    break Reached::File;
                }
                status => break Reached::Missing(status),
            }
        };
        for url in chain {
            known.insert(url, reached.clone());
        }
        reached
    }

    fn page(&self, url: &str) -> &str {
        self.pages
            .get(url)
            .unwrap_or_else(|| panic!("{}: {url} was not reached from /", self.site))
    }

    /// What is wrong with the site: a dead link not dead in the source (`expected`),
    /// a page without its sidebar, a pager, its own link marked in the sidebar, or a
    /// table of contents when it has three headings or more.
    fn faults(&self, expected: &[(&str, &str)]) -> Vec<String> {
        let mut faults = Vec::new();
        let expected: BTreeSet<&str> = expected.iter().map(|(url, _)| *url).collect();
        for (url, (status, from)) in &self.dead {
            if !expected.contains(url.as_str()) {
                faults.push(format!("dead link {url} ({status}) on {from:?}"));
            }
        }
        for url in expected {
            if !self.dead.contains_key(url) {
                faults.push(format!(
                    "{url} is listed as dead in the source, but resolves"
                ));
            }
        }
        for (url, html) in &self.pages {
            faults.extend(navigation_faults(url, html));
        }
        faults
    }
}

impl Reached {
    fn describe(&self) -> String {
        match self {
            Reached::Page(url) => format!("the page {url}"),
            Reached::File => "a file".into(),
            Reached::Missing(status) => format!("status {status}"),
        }
    }
}

/// Syntax of a documentation tool that must never reach a reader as text: containers,
/// admonitions, tabs, alerts, includes, snippets, math fences, emoji and icon
/// shortcodes, attribute lists.
static MARKERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?m)(^|\s)(:::+|!!!|\?\?\?\+?|===[!+]?)(\s|$)",
        r#"|\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]"#,
        r"|\{\{#(include|rustdoc_include|playground|title)\b",
        r"|<!--\s*@include:|<<<\s+[@./]|--8<--",
        r"|\$\$",
        r"|(^|\s):[a-z0-9_+-]+:(\s|$)",
        r#"|\{\s*[:.#][\w-][^}]*\}|\{\s*\w+="[^"]*"\s*\}"#,
    ))
    .unwrap()
});

/// The languages every code block of which is highlighted, by the name its fence gives.
const HIGHLIGHTED: &[&str] = &[
    "bash",
    "sh",
    "shell",
    "console",
    "http",
    "json",
    "yaml",
    "yml",
    "toml",
    "ini",
    "js",
    "javascript",
    "ts",
    "typescript",
    "jsx",
    "tsx",
    "vue",
    "html",
    "css",
    "rust",
    "rs",
    "python",
    "py",
    "go",
    "java",
    "c",
    "cpp",
    "sql",
    "diff",
    "dockerfile",
    "nginx",
    "md",
    "markdown",
];

impl Crawl {
    /// What every page shows that it should not: a tool's syntax in its visible text
    /// (outside code), or a code block in a known language left unhighlighted.
    /// `expected` lists what the source itself shows: (URL, marker, why).
    fn dialect_faults(&self, expected: &[(&str, &str, &str)]) -> Vec<String> {
        let mut faults = Vec::new();
        let mut blocks = 0;
        for (url, html) in &self.pages {
            let body = between(html, "<article", "</article>").unwrap_or_default();
            let text = visible_text(body);
            let shown = MARKERS.find_iter(&text).filter(|found| {
                !expected
                    .iter()
                    .any(|(at, marker, _)| at == url && found.as_str().trim() == *marker)
            });
            for found in shown.take(3) {
                let at = found.start();
                let from = text.floor_char_boundary(at.saturating_sub(40));
                let to = text.ceil_char_boundary((found.end() + 40).min(text.len()));
                faults.push(format!(
                    "{url}: {:?} shown as text: …{}…",
                    found.as_str().trim(),
                    &text[from..to]
                ));
            }
            for (lang, read, code) in code_blocks(body) {
                let empty = tags_removed(code).trim().is_empty();
                if !HIGHLIGHTED.contains(&lang.as_str()) || empty {
                    continue;
                }
                blocks += 1;
                // Prose in a Markdown block has no tokens; its grammar still read it.
                let tokens = has_token(code) || matches!(lang.as_str(), "md" | "markdown");
                if !read || !tokens {
                    let start = &code[..code.floor_char_boundary(code.len().min(120))];
                    faults.push(format!("{url}: a {lang} block is not highlighted: {start}"));
                }
            }
        }
        if blocks == 0 {
            faults.push(format!(
                "{}: no code block in a known language was seen",
                self.site
            ));
        }
        faults
    }
}

/// The text a reader sees of an article: tags, code, scripts and comments left out,
/// entities decoded.
fn visible_text(html: &str) -> String {
    static HIDDEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<!--.*?-->|<(pre|code|script|style|template|svg|math)\b.*?</(pre|code|script|style|template|svg|math)>").unwrap()
    });
    tags_removed(&HIDDEN.replace_all(html, " "))
}

/// HTML with its tags taken out and entities decoded.
fn tags_removed(html: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap());
    TAG.replace_all(html, " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Each code block of an article: its language (as its fence names it), whether its
/// grammar read it, and the HTML of its code.
fn code_blocks(html: &str) -> Vec<(String, bool, &str)> {
    static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?s)<div class="code-block[^"]*" data-lang="([^"]*)"( data-highlighted)?>.*?<pre[^>]*>(.*?)</pre>"#,
        )
        .unwrap()
    });
    BLOCK
        .captures_iter(html)
        .map(|block| {
            let code = block.get(3).map_or("", |code| code.as_str());
            (block[1].to_ascii_lowercase(), block.get(2).is_some(), code)
        })
        .collect()
}

/// Whether highlighted code holds a token's span, not only line spans.
fn has_token(code: &str) -> bool {
    tags(code).any(|(name, attrs)| {
        name == "span"
            && attribute(attrs, "class").is_some_and(|class| {
                class
                    .split_whitespace()
                    .any(|c| c != "line" && !c.starts_with("line-"))
            })
    })
}

/// What is wrong with the navigation of the page at `url`.
fn navigation_faults(url: &str, html: &str) -> Vec<String> {
    let mut faults = Vec::new();
    match sidebar(html) {
        None => faults.push(format!("{url}: no sidebar")),
        Some(sidebar) => {
            let own: Vec<&str> = tags(sidebar)
                .filter(|(name, attrs)| {
                    name == "a" && attribute(attrs, "href").as_deref() == Some(url)
                })
                .map(|(_, attrs)| attrs)
                .collect();
            if !own.is_empty()
                && !own
                    .iter()
                    .any(|attrs| attrs.contains("aria-current=\"page\""))
            {
                faults.push(format!(
                    "{url}: its link in the sidebar is not marked current"
                ));
            }
        }
    }
    let pager = between(html, "<nav class=\"pager\"", "</nav>");
    if !pager.is_some_and(|pager| pager.contains("rel=\"prev\"") || pager.contains("rel=\"next\""))
    {
        faults.push(format!("{url}: no previous or next page"));
    }
    let body = between(html, "<article class=\"page", "</article>").unwrap_or_default();
    static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<h[23][\s>]").unwrap());
    let headings = HEADING.find_iter(body).count();
    if headings >= 3 && !html.contains("<nav class=\"toc\"") {
        faults.push(format!(
            "{url}: {headings} headings but no table of contents"
        ));
    }
    faults
}

/// Whether an answer is a page folio rendered (not a file, HTML or not).
fn is_page(answer: &Response) -> bool {
    answer
        .header("content-type")
        .is_some_and(|kind| kind.starts_with("text/html"))
        && !answer
            .header("content-security-policy")
            .is_some_and(|policy| policy.starts_with("sandbox"))
        && answer.body.contains("<main id=\"main\">")
}

/// The page's sidebar, from its opening tag to its end.
fn sidebar(html: &str) -> Option<&str> {
    between(
        html,
        "<nav class=\"sidebar\" id=\"sidebar\" aria-label=\"Site navigation\">",
        "</nav>",
    )
}

/// The text from `start` to the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)?;
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// Every tag of HTML with its name (lowercased) and attribute text.
fn tags(html: &str) -> impl Iterator<Item = (String, &str)> {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<([a-z][a-z0-9]*)\b([^>]*)>").unwrap());
    TAG.captures_iter(html).map(|tag| {
        let name = tag[1].to_ascii_lowercase();
        (name, tag.get(2).map_or("", |attrs| attrs.as_str()))
    })
}

/// The value of the attribute `name` in a tag's attribute text, entities decoded.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?s)([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))"#).unwrap()
    });
    ATTRIBUTE
        .captures_iter(attrs)
        .find(|found| found[1].eq_ignore_ascii_case(name))
        .map(|found| {
            let value = found.get(2).or(found.get(3)).or(found.get(4)).unwrap();
            value
                .as_str()
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
}

/// Every link a reader or a browser follows from a page: anchors, images, media
/// sources, and the head's previous, next and alternate links.
fn links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for (name, attrs) in tags(html) {
        match name.as_str() {
            "a" => links.extend(attribute(attrs, "href")),
            "link" => {
                let rel = attribute(attrs, "rel").unwrap_or_default();
                if rel
                    .split_ascii_whitespace()
                    .any(|rel| ["prev", "next", "alternate"].contains(&rel))
                {
                    links.extend(attribute(attrs, "href"));
                }
            }
            "img" | "source" => {
                links.extend(attribute(attrs, "src"));
                if let Some(set) = attribute(attrs, "srcset") {
                    links.extend(
                        set.split(',')
                            .filter_map(|candidate| candidate.split_whitespace().next())
                            .map(str::to_string),
                    );
                }
            }
            _ => {}
        }
    }
    links
}

/// The path `href` names on this site, seen from the page at `base`; `None` for a
/// fragment of the same page, another site or another scheme.
fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.trim();
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let path = &href[..end];
    if path.is_empty() || path.starts_with("//") {
        return None;
    }
    let scheme = path
        .find(':')
        .is_some_and(|colon| !path[..colon].contains('/'));
    if scheme {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}{path}", &base[..=base.rfind('/').unwrap_or(0)])
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = joined.split('/').skip(1).collect();
    for (i, segment) in parts.iter().enumerate() {
        match *segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
        let last = i + 1 == parts.len();
        if last && matches!(*segment, "." | "..") {
            segments.push("");
        }
    }
    Some(format!("/{}", segments.join("/")))
}

/// What must be escaped in a path sent on the wire (non-ASCII always is).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn encode(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

#[test]
fn links_resolve_as_a_browser_resolves_them() {
    assert_eq!(resolve("/guide/a", "b").as_deref(), Some("/guide/b"));
    assert_eq!(resolve("/guide/a", "../b.md#x").as_deref(), Some("/b.md"));
    assert_eq!(resolve("/guide/", "./").as_deref(), Some("/guide/"));
    assert_eq!(resolve("/guide/a", "/c?q=1").as_deref(), Some("/c"));
    for away in [
        "#top",
        "https://x.org/a",
        "//x.org/a",
        "mailto:a@b.c",
        "",
        "?q",
    ] {
        assert_eq!(resolve("/guide/a", away), None, "{away}");
    }
}

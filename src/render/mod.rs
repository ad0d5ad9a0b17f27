//! Render: pages and views to HTML through Handlebars templates. Templates ship inside
//! the binary; files in the templates folder override them by name. Knows nothing of
//! the index or HTTP: views are built from content and plain values.

mod navigation;
mod view;

use crate::config::Config;
use crate::content::markdown::{TOC_LEVELS, toc_html};
use crate::content::{HeadTag, Listing, Locale, Navigation, NodeId, Page, Project};
use crate::error::{Error, Result};
use crate::html::escape_html;
use handlebars::Handlebars;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use view::{
    ActionView, Chrome, FeatureView, FolderView, GroupView, HeroView, HomeView, LandingView,
    LinkView, NotFoundView, PageView, SearchView,
};
pub use view::{LanguageChoice, ResultView};

/// The templates folio ships, by name: the same files as the repository's `templates/`.
const TEMPLATES: [(&str, &str); 6] = [
    ("layout", include_str!("../../templates/layout.hbs")),
    ("page", include_str!("../../templates/page.hbs")),
    ("folder", include_str!("../../templates/folder.hbs")),
    ("home", include_str!("../../templates/home.hbs")),
    ("search", include_str!("../../templates/search.hbs")),
    ("not_found", include_str!("../../templates/not_found.hbs")),
];

const CSS: &str = include_str!("../../templates/assets/folio.css");
const JS: &str = include_str!("../../templates/assets/folio.js");
const LIVE_JS: &str = include_str!("../../templates/assets/livereload.js");

/// What the renderer needs to know of the site besides its pages.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// The site's name.
    pub title: &'a str,
    /// The public URL of the site, or empty.
    pub site_url: &'a str,
    /// The path the site is served under (`/docs`), or empty.
    pub base_path: &'a str,
    /// Whether pages carry the live-reload script.
    pub live: bool,
    /// The language of pages outside any locale folder (`en`).
    pub lang: &'a str,
    /// The deepest heading level the "on this page" list shows.
    pub toc_depth: u8,
}

impl<'a> Options<'a> {
    /// The options `config` sets, with the title and language of `project` where
    /// `config` leaves them unset; `live` says whether pages carry the live-reload
    /// script (watching is on).
    pub fn of(config: &'a Config, project: &'a Project, live: bool) -> Options<'a> {
        Options {
            title: (config.title.as_deref())
                .or(project.title.as_deref())
                .unwrap_or("folio"),
            site_url: config.site_url.as_deref().unwrap_or_default(),
            base_path: &config.base_path,
            live,
            lang: (config.lang.as_deref())
                .or(project.lang.as_deref())
                .unwrap_or("en"),
            toc_depth: config.toc_depth,
        }
    }
}

/// A static file served beside the pages.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The URL path, with a hash of the content in the name (`/assets/folio.1a2b….css`).
    pub url: String,
    /// The same under the base path, as pages link to it.
    pub public: String,
    /// The MIME type.
    pub content_type: &'static str,
    /// The bytes.
    pub body: Vec<u8>,
}

/// Turns pages and views into HTML. Built once; rendering takes `&self`.
pub struct Renderer {
    registry: Handlebars<'static>,
    site_title: String,
    /// The public URL of the site without a trailing `/`, or empty.
    site_url: String,
    /// The path the site is served under, without a trailing `/` (`/docs`), or empty.
    base: String,
    /// The language of pages outside any locale folder.
    lang: String,
    /// The heading levels the "on this page" list shows unless a page says otherwise.
    toc_levels: (u8, u8),
    css: Asset,
    js: Asset,
    /// The live-reload script, when pages should carry it.
    live: Option<Asset>,
    /// A hash of everything the renderer was made from: equal identities, equal HTML
    /// for equal pages.
    identity: u64,
}

/// The running executable's size and modification time, as text; empty when unknown.
fn build_stamp() -> String {
    let metadata = std::env::current_exe().and_then(std::fs::metadata);
    metadata.map_or_else(
        |_| String::new(),
        |metadata| {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            format!("{} {modified}", metadata.len())
        },
    )
}

impl Renderer {
    /// Loads the built-in templates, then any `*.hbs` (and `assets/folio.css`,
    /// `assets/folio.js`, `assets/livereload.js`) in `dir` over them. A missing `dir`
    /// is fine. With `live`, pages carry the live-reload script.
    pub fn new(dir: &Path, options: &Options) -> Result<Self> {
        let mut identity = Identity::default();
        identity.add(env!("CARGO_PKG_VERSION"));
        // Another build of the same version may render Markdown otherwise: the
        // executable's size and time tell builds apart without reading it.
        identity.add(&build_stamp());
        identity.add(options.title);
        identity.add(options.site_url);
        identity.add(options.base_path);
        identity.add(if options.live { "live" } else { "still" });
        identity.add(options.lang);
        identity.add(&options.toc_depth.to_string());
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        for (name, source) in TEMPLATES {
            let file = dir.join(format!("{name}.hbs"));
            let source = read_override(&file)?.unwrap_or_else(|| source.to_string());
            identity.add(&source);
            registry
                .register_template_string(name, source)
                .map_err(|error| Error::Template {
                    name: file.display().to_string(),
                    message: error.to_string(),
                })?;
        }
        let asset = |name: &str, built_in: &str, content_type| -> Result<Asset> {
            let (stem, extension) = name.split_once('.').unwrap_or((name, ""));
            let body = read_override(&dir.join("assets").join(name))?
                .unwrap_or_else(|| built_in.to_string())
                .into_bytes();
            let url = format!("/assets/{stem}.{:016x}.{extension}", hash(&body));
            Ok(Asset {
                public: format!("{}{url}", options.base_path.trim_end_matches('/')),
                url,
                content_type,
                body,
            })
        };
        let css = asset("folio.css", CSS, "text/css; charset=utf-8")?;
        let js = asset("folio.js", JS, "text/javascript; charset=utf-8")?;
        let live = match options.live {
            true => Some(asset(
                "livereload.js",
                LIVE_JS,
                "text/javascript; charset=utf-8",
            )?),
            false => None,
        };
        for asset in [Some(&css), Some(&js), live.as_ref()].into_iter().flatten() {
            identity.add(&asset.url);
        }
        Ok(Renderer {
            css,
            js,
            live,
            identity: identity.0.digest(),
            registry,
            site_title: options.title.to_string(),
            site_url: options.site_url.trim_end_matches('/').to_string(),
            base: options.base_path.trim_end_matches('/').to_string(),
            toc_levels: match options.toc_depth {
                0 => TOC_LEVELS,
                depth => (2, depth.clamp(2, 6)),
            },
            lang: match options.lang {
                "" => "en".to_string(),
                lang => lang.to_string(),
            },
        })
    }

    /// A hash of the templates, assets and options this renderer was made from: two
    /// renderers of equal identity make the same HTML of the same pages.
    pub fn identity(&self) -> u64 {
        self.identity
    }

    /// The stylesheet and the scripts.
    pub fn assets(&self) -> Vec<&Asset> {
        [&self.css, &self.js]
            .into_iter()
            .chain(&self.live)
            .collect()
    }

    /// Renders one content page, with its place in `nav`: the sidebar, breadcrumbs,
    /// the table of contents, previous and next pages and its translations.
    pub fn page(&self, page: &Page, nav: &Navigation) -> Result<String> {
        let html = self.rebase(&page.html(nav.links()));
        let id = nav.at(&page.url);
        let locale = match id {
            Some(id) => nav.locale_of(id),
            None => nav.locale_of_source(&page.source),
        };
        let (previous, next) = navigation::neighbours(nav, id, Some(page));
        let mut chrome = self.chrome(page, "");
        self.place(&mut chrome, nav, id, Some(page), locale);
        chrome.head.push_str(&navigation::pager_links(
            previous.as_ref(),
            next.as_ref(),
            &self.base,
        ));
        chrome
            .head
            .push_str(&navigation::alternates(nav, page, &self.base));
        let landing = self.landing(page, nav);
        let toc = match (&landing, toc_levels(page, self.toc_levels)) {
            (None, Some(levels)) => {
                let listed = page
                    .headings
                    .iter()
                    .filter(|h| h.level >= levels.0 && h.level <= levels.1)
                    .count();
                match listed >= 2 {
                    true => toc_html(&page.headings, levels, "toc", "On this page"),
                    false => String::new(),
                }
            }
            _ => String::new(),
        };
        let view = PageView {
            breadcrumbs: match (&landing, id) {
                (None, Some(id)) => navigation::breadcrumbs(nav, id, &self.base),
                _ => String::new(),
            },
            pager: navigation::pager(previous.as_ref(), next.as_ref(), &self.base),
            chrome,
            html: &html,
            toc,
            landing,
        };
        self.render("page", &page.url, &view)
    }

    /// Renders the page folio makes for a section without an index page: a list of
    /// its entries.
    pub fn folder(&self, nav: &Navigation, id: NodeId) -> Result<String> {
        let node = nav.node(id);
        let url = node.url.as_deref().unwrap_or("/");
        let mut chrome = self.plain_chrome(&self.page_title(&node.title), "");
        self.place(&mut chrome, nav, Some(id), None, nav.locale_of(id));
        let entries: Vec<ResultView> = node
            .children
            .iter()
            .map(|child| nav.node(*child))
            .filter_map(|child| {
                Some(ResultView {
                    url: child.url.as_deref()?.to_string(),
                    title: child.title.to_string(),
                    section: None,
                    snippet: String::new(),
                })
            })
            .collect();
        let (previous, next) = navigation::neighbours(nav, Some(id), None);
        let view = FolderView {
            breadcrumbs: navigation::breadcrumbs(nav, id, &self.base),
            pager: navigation::pager(previous.as_ref(), next.as_ref(), &self.base),
            chrome,
            title: &node.title,
            entries,
        };
        self.render("folder", url, &view)
    }

    /// Puts the navigation of the page at `id` (in `locale`) into `chrome`.
    fn place(
        &self,
        chrome: &mut Chrome,
        nav: &Navigation,
        id: Option<NodeId>,
        page: Option<&Page>,
        locale: &Locale,
    ) {
        chrome.sidebar = navigation::sidebar(nav, id, locale, &self.base);
        chrome.locales = navigation::locale_switcher(nav, page, locale, &self.base);
        chrome.lang = page
            .and_then(|page| page.field("lang"))
            .filter(|lang| !lang.is_empty())
            .unwrap_or_else(|| locale.lang.clone());
    }

    /// A VitePress home page's hero and features (`layout: home`), with their links
    /// resolved.
    fn landing(&self, page: &Page, nav: &Navigation) -> Option<LandingView> {
        if page.field("layout").as_deref() != Some("home") {
            return None;
        }
        // VitePress reads a frontmatter link from the site's root unless it starts
        // with `./` or `../` (its theme's `normalizeLink`), unlike a link in the body.
        let link = |target: &str| {
            let from_root = !target.starts_with("./") && !target.starts_with("../");
            let target = match from_root && !crate::content::links::is_external(target) {
                true => format!("/{}", target.trim_start_matches('/')),
                false => target.to_string(),
            };
            match nav.links().resolve(&page.source, &target).href() {
                Some(href) => format!("{}{href}", self.base),
                None => target,
            }
        };
        let text = |value: Option<&serde_json::Value>| {
            value
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let hero = page.frontmatter.get("hero").map(|hero| {
            let image = match hero.get("image") {
                Some(serde_json::Value::String(src)) => Some((src.clone(), String::new())),
                Some(image) => text(image.get("src"))
                    .or_else(|| text(image.get("light")))
                    .map(|src| (src, text(image.get("alt")).unwrap_or_default())),
                None => None,
            };
            let actions = hero
                .get("actions")
                .and_then(serde_json::Value::as_array)
                .map(|actions| {
                    actions
                        .iter()
                        .filter_map(|action| {
                            Some(ActionView {
                                text: text(action.get("text"))?,
                                link: link(&text(action.get("link"))?),
                                theme: match text(action.get("theme")).as_deref() {
                                    Some("alt") => "alt",
                                    _ => "brand",
                                },
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            HeroView {
                name: text(hero.get("name")),
                text: text(hero.get("text")),
                tagline: text(hero.get("tagline")),
                image: image.as_ref().map(|(src, _)| link(src)),
                image_alt: image.map(|(_, alt)| alt).unwrap_or_default(),
                actions,
            }
        });
        let features = page
            .frontmatter
            .get("features")
            .and_then(serde_json::Value::as_array)
            .map(|features| {
                features
                    .iter()
                    .filter_map(|feature| {
                        let icon = match feature.get("icon") {
                            Some(serde_json::Value::String(icon)) if !icon.contains('<') => {
                                Some(icon.clone())
                            }
                            _ => None,
                        };
                        Some(FeatureView {
                            icon,
                            title: text(feature.get("title"))?,
                            details: text(feature.get("details")).unwrap_or_default(),
                            link: text(feature.get("link")).map(|target| link(&target)),
                            link_text: text(feature.get("linkText")),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(LandingView { hero, features })
    }

    /// Renders the home page: the body of `home` (the `/` page), if any, and every
    /// page of `listings` grouped, with the site's navigation. A home page of
    /// `layout: home` is a landing page instead. Returns it with the pages that head
    /// its groups.
    pub fn home(
        &self,
        home: Option<&Page>,
        listings: &[Listing],
        nav: &Navigation,
    ) -> Result<(String, Vec<ResultView>)> {
        let groups = groups(listings);
        let heads = group_heads(&groups);
        if let Some(page) = home.filter(|page| page.field("layout").as_deref() == Some("home")) {
            return Ok((self.page(page, nav)?, heads));
        }
        let mut chrome = match home {
            Some(page) => self.chrome(page, ""),
            None => self.plain_chrome(&self.site_title, ""),
        };
        let id = nav.at("/");
        self.place(&mut chrome, nav, id, home, &nav.locales()[0]);
        let (previous, next) = navigation::neighbours(nav, id, home);
        chrome.head.push_str(&navigation::pager_links(
            previous.as_ref(),
            next.as_ref(),
            &self.base,
        ));
        let intro = home.map(|page| self.rebase(&page.html(nav.links())));
        let view = HomeView {
            chrome,
            intro: intro.as_deref(),
            // A site whose navigation is written down (a book) opens on its first
            // chapter; the others list their pages by group.
            groups: match nav.is_written() {
                true => Vec::new(),
                false => groups,
            },
            pager: navigation::pager(previous.as_ref(), next.as_ref(), &self.base),
        };
        Ok((self.render("home", "/", &view)?, heads))
    }

    /// Renders the search results page for `query`; `nearest` (titles near the query)
    /// and `groups` (pages to browse) are shown when there is no hit.
    pub fn search(
        &self,
        query: &str,
        total: usize,
        results: (&[ResultView], &[ResultView], &[ResultView]),
        lang: Option<&str>,
        languages: &[LanguageChoice],
    ) -> Result<String> {
        let (hits, nearest, groups) = results;
        let title = if query.is_empty() {
            self.page_title("Search")
        } else {
            self.page_title(&format!("{query} - Search"))
        };
        let description = if query.is_empty() {
            format!("Search {} by word, phrase or status code.", self.site_title)
        } else {
            format!("Pages of {} that match “{query}”.", self.site_title)
        };
        let mut chrome = self.plain_chrome(&title, query);
        chrome.head = head_html(&[], &description, self.public_root());
        if let Some(lang) = lang.filter(|lang| !lang.is_empty()) {
            chrome.lang = lang.to_string();
        }
        let view = SearchView {
            chrome,
            query,
            total,
            one: total == 1,
            hits,
            nearest,
            groups,
            languages,
        };
        self.render("search", "/search", &view)
    }

    /// The language of pages outside any locale folder (`en`).
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The path the site is served under (`/docs`), or empty.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// What root-relative URLs are resolved against: the public URL when configured,
    /// else the base path.
    fn public_root(&self) -> &str {
        if self.site_url.is_empty() {
            &self.base
        } else {
            &self.site_url
        }
    }

    /// Root-relative links and sources in page HTML (`href="/502"`) under the base path.
    fn rebase(&self, html: &str) -> String {
        if self.base.is_empty() {
            return html.to_string();
        }
        let mut out = html.to_string();
        for attribute in ["href=\"/", "src=\"/"] {
            let mut rebased = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(at) = rest.find(attribute) {
                let end = at + attribute.len();
                rebased.push_str(&rest[..end - 1]);
                if !rest[end..].starts_with('/') {
                    rebased.push_str(&self.base);
                }
                rebased.push('/');
                rest = &rest[end..];
            }
            rebased.push_str(rest);
            out = rebased;
        }
        out
    }

    /// The site's public URL (`https://docs.example.com`), or empty when not configured.
    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    /// A page's metadata as JSON (`/502.json`): URL, titles, description, headings and
    /// every frontmatter key.
    pub fn page_json(&self, page: &Page) -> String {
        let view = view::PageJson {
            url: &page.url,
            title: &page.title,
            heading: &page.heading,
            description: &page.description,
            keywords: &page.keywords,
            headings: page
                .headings
                .iter()
                .map(|h| view::HeadingJson {
                    level: h.level,
                    id: &h.id,
                    text: &h.text,
                })
                .collect(),
            frontmatter: &page.frontmatter,
        };
        serde_json::to_string(&view).unwrap_or_default()
    }

    /// The OpenSearch description: search and suggestions under `origin`, the site's
    /// public root (`https://docs.example.com/docs`).
    pub fn opensearch(&self, origin: &str) -> String {
        let title = escape_html(&self.site_title);
        let origin = escape_html(origin.trim_end_matches('/'));
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>{title}</ShortName>
  <Description>Search {title}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" method="get" template="{origin}/search?q={{searchTerms}}"/>
  <Url type="application/x-suggestions+json" method="get" template="{origin}/api/suggest?q={{searchTerms}}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="{origin}/opensearch.xml"/>
</OpenSearchDescription>
"#
        )
    }

    /// Renders the 404 page for the path that was asked for, with the navigation of the
    /// locale the path is in, to go on from.
    pub fn not_found(&self, path: &str, nav: &Navigation) -> Result<String> {
        let title = self.page_title("Not found");
        let mut chrome = self.plain_chrome(&title, "");
        let locale = nav
            .locales()
            .iter()
            .skip(1)
            .find(|locale| {
                let rest = path.strip_prefix('/').unwrap_or(path);
                rest.split('/').next() == Some(locale.folder.as_str())
            })
            .unwrap_or(&nav.locales()[0]);
        self.place(&mut chrome, nav, None, None, locale);
        let view = NotFoundView { chrome, path };
        self.render("not_found", path, &view)
    }

    fn render<T: Serialize>(&self, template: &str, what: &str, view: &T) -> Result<String> {
        self.registry
            .render(template, view)
            .map_err(|error| Error::Render {
                template: template.to_string(),
                what: what.to_string(),
                message: error.to_string(),
            })
    }

    /// A document title: `page | site`, or the site's name alone when the page has it.
    fn page_title(&self, page: &str) -> String {
        match page == self.site_title || page.is_empty() {
            true => self.site_title.clone(),
            false => format!("{page} | {}", self.site_title),
        }
    }

    fn chrome<'a>(&'a self, page: &'a Page, query: &'a str) -> Chrome<'a> {
        Chrome {
            site_title: &self.site_title,
            base: &self.base,
            lang: self.lang.clone(),
            sidebar: String::new(),
            locales: String::new(),
            title: self.page_title(&page.title),
            head: head_html(&page.head, &page.description, self.public_root()),
            json_ld: &page.json_ld,
            query,
            css: self.css.public.as_str(),
            js: self.js.public.as_str(),
            live: self.live.as_ref().map(|asset| asset.public.as_str()),
        }
    }

    fn plain_chrome<'a>(&'a self, title: &str, query: &'a str) -> Chrome<'a> {
        Chrome {
            site_title: &self.site_title,
            base: &self.base,
            lang: self.lang.clone(),
            sidebar: String::new(),
            locales: String::new(),
            title: title.to_string(),
            head: String::new(),
            json_ld: &[],
            query,
            css: self.css.public.as_str(),
            js: self.js.public.as_str(),
            live: self.live.as_ref().map(|asset| asset.public.as_str()),
        }
    }
}

/// The heading levels a page's table of contents lists: frontmatter `outline` (as
/// VitePress names it: a level, `[from, to]`, `deep` for 2 to 6, `false` for none),
/// else `default`.
fn toc_levels(page: &Page, default: (u8, u8)) -> Option<(u8, u8)> {
    use serde_json::Value;
    let level = |value: &Value| value.as_u64().map(|n| n.clamp(1, 6) as u8);
    match page.frontmatter.get("outline") {
        None | Some(Value::Null) | Some(Value::Bool(true)) => Some(default),
        Some(Value::Bool(false)) => None,
        Some(Value::String(deep)) if deep == "deep" => Some((2, 6)),
        Some(Value::Array(pair)) => {
            match (pair.first().and_then(level), pair.get(1).and_then(level)) {
                (Some(from), Some(to)) if from <= to => Some((from, to)),
                _ => Some(default),
            }
        }
        Some(value) => level(value).map(|n| (n, n)).or(Some(default)),
    }
}

fn read_override(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(Error::io(path, error)),
    }
}

/// XXH3 of `bytes`: its values are fixed by its specification, so an asset keeps its
/// name from one build of folio to the next.
fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// A hash of the pieces a renderer is made from, each length-prefixed so that no two
/// lists of pieces hash alike by running into each other.
#[derive(Default)]
struct Identity(xxhash_rust::xxh3::Xxh3);

impl Identity {
    fn add(&mut self, piece: &str) {
        self.0.update(&(piece.len() as u64).to_le_bytes());
        self.0.update(piece.as_bytes());
    }
}

/// The page's `<head>` tags as HTML, with the description as `<meta name="description">`
/// and as Open Graph's `og:description`, each unless the page's tags set it, and
/// root-relative link URLs (a canonical `/502`) made absolute with `site_url`.
fn head_html(tags: &[HeadTag], description: &str, site_url: &str) -> String {
    let has_meta = |key: &str, value: &str| {
        tags.iter().any(|tag| {
            tag.name == "meta"
                && (tag.attrs.iter()).any(|(k, v)| k == key && v.eq_ignore_ascii_case(value))
        })
    };
    let mut html = String::new();
    if !description.is_empty() {
        for (key, value) in [("name", "description"), ("property", "og:description")] {
            if !has_meta(key, value) {
                html.push_str(&format!(
                    "<meta {key}=\"{value}\" content=\"{}\">\n",
                    escape_html(description)
                ));
            }
        }
    }
    for tag in tags {
        html.push('<');
        html.push_str(&tag.name);
        for (key, value) in &tag.attrs {
            let value = match (tag.name.as_str(), key.as_str()) {
                ("link", "href") if value.starts_with('/') && !value.starts_with("//") => {
                    format!("{site_url}{value}")
                }
                _ => value.clone(),
            };
            html.push_str(&format!(" {key}=\"{}\"", escape_html(&value)));
        }
        html.push_str(">\n");
    }
    html
}

/// The most pages a group lists on the home page; search and the sitemap reach the rest.
const GROUP_LISTING: usize = 200;

/// Groups pages for the home page: by frontmatter `class`, else by top folder, else
/// "Pages". A group links to the page whose URL is `/<class>` when there is one.
fn groups<'a>(listings: &'a [Listing<'a>]) -> Vec<GroupView<'a>> {
    let mut by_key: BTreeMap<(u8, &str), Vec<&Listing>> = BTreeMap::new();
    for listing in listings.iter().filter(|listing| listing.url != "/") {
        let key = match (&listing.group, listing.url[1..].split_once('/')) {
            (Some(class), _) => (0, class.as_ref()),
            (None, Some((folder, _))) => (1, folder),
            (None, None) => (2, "Pages"),
        };
        by_key.entry(key).or_default().push(listing);
    }
    // The page that heads each group, found in one pass over the pages.
    let mut heads: HashMap<String, Option<&Listing>> = by_key
        .keys()
        .map(|(_, key)| (format!("/{key}"), None))
        .collect();
    for listing in listings {
        if let Some(head) = heads.get_mut(listing.url) {
            *head = Some(listing);
        }
    }
    by_key
        .into_iter()
        .map(|((_, key), pages)| {
            let url = format!("/{key}");
            let head = heads.get(&url).copied().flatten();
            GroupView {
                title: head.map_or_else(|| title_case(key), |page| page.heading.to_string()),
                url: head.map(|_| url),
                more: pages.len().saturating_sub(GROUP_LISTING),
                pages: pages
                    .into_iter()
                    .take(GROUP_LISTING)
                    .map(|page| LinkView {
                        url: page.url,
                        title: page.heading,
                        description: page.description,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The pages that head a group of the home page (`/5xx` for the pages of class 5xx).
fn group_heads(groups: &[GroupView]) -> Vec<ResultView> {
    groups
        .iter()
        .filter_map(|group| {
            Some(ResultView {
                url: group.url.clone()?,
                title: group.title.clone(),
                section: None,
                snippet: String::new(),
            })
        })
        .collect()
}

fn title_case(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Site, parse_page};

    fn page(path: &str, text: &str) -> std::sync::Arc<Page> {
        std::sync::Arc::new(parse_page(Path::new(path), text.as_bytes()).0.unwrap())
    }

    #[test]
    fn a_build_is_told_apart_by_its_executable() {
        let stamp = build_stamp();
        let size = std::fs::metadata(std::env::current_exe().unwrap())
            .unwrap()
            .len();
        assert!(stamp.starts_with(&format!("{size} ")), "{stamp}");
        assert_eq!(stamp, build_stamp());
    }

    #[test]
    fn head_tags_are_escaped_and_description_added_once() {
        let p = page(
            "a.md",
            "---\ndescription: \"a \\\"quoted\\\" <b>\"\nhead:\n  - - link\n    - rel: canonical\n      href: /a\n---\n# A\n",
        );
        let html = head_html(&p.head, &p.description, "https://docs.example");
        assert!(
            html.contains("<meta name=\"description\" content=\"a &quot;quoted&quot; &lt;b&gt;\">")
        );
        assert!(html.contains("<link rel=\"canonical\" href=\"https://docs.example/a\">"));
        assert!(html.contains(
            "<meta property=\"og:description\" content=\"a &quot;quoted&quot; &lt;b&gt;\">"
        ));
        let own = page(
            "b.md",
            "---\nhead:\n  - - meta\n    - name: description\n      content: Its own.\n---\n# B\n\n> The lead.\n",
        );
        let html = head_html(&own.head, &own.description, "https://docs.example");
        assert_eq!(html.matches("name=\"description\"").count(), 1, "{html}");
        assert!(html.contains("<meta name=\"description\" content=\"Its own.\">"));
        assert!(html.contains("<meta property=\"og:description\" content=\"The lead.\">"));
    }

    #[test]
    fn pages_group_by_class_then_folder() {
        let site = Site {
            pages: vec![
                page("5xx.md", "# 5xx Server Errors\n"),
                page("502.md", "---\nclass: 5xx\n---\n# 502 Bad Gateway\n"),
                page("guides/a.md", "# A guide\n"),
                page("about.md", "# About\n"),
            ],
            ..Site::default()
        };
        let listings = site.listings();
        let groups = groups(&listings);
        let titles: Vec<_> = groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles, ["5xx Server Errors", "Guides", "Pages"]);
        assert_eq!(groups[0].url.as_deref(), Some("/5xx"));
        assert_eq!(groups[0].pages[0].url, "/502");
    }

    #[test]
    fn the_home_page_lists_a_bounded_number_of_pages_per_group() {
        let site = Site {
            pages: (0..GROUP_LISTING + 5)
                .map(|n| page(&format!("many/{n:04}.md"), &format!("# Page {n}\n")))
                .collect(),
            ..Site::default()
        };
        let listings = site.listings();
        let groups = groups(&listings);
        assert_eq!(groups[0].pages.len(), GROUP_LISTING);
        assert_eq!(groups[0].more, 5);
        let renderer = Renderer::new(Path::new("/nonexistent"), &Options::default()).unwrap();
        let nav = Navigation::from_folders(&listings, "en");
        let (html, heads) = renderer.home(None, &listings, &nav).unwrap();
        assert!(heads.is_empty(), "no page heads the group");
        assert!(html.contains("and 5 more pages"), "{html}");
        assert!(!html.contains("Page 0203"));
    }

    #[test]
    fn renderers_made_alike_have_one_identity_and_any_difference_another() {
        let dir = tempfile::tempdir().unwrap();
        let identity = |live| {
            let options = Options {
                title: "Docs",
                live,
                ..Options::default()
            };
            Renderer::new(dir.path(), &options).unwrap().identity()
        };
        let plain = identity(false);
        assert_eq!(identity(false), plain);
        assert_ne!(identity(true), plain, "the live-reload script");
        std::fs::write(dir.path().join("page.hbs"), "{{chrome.title}}").unwrap();
        assert_ne!(identity(false), plain, "an overriding template");
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("assets/folio.css"), "body {}").unwrap();
        let styled = identity(false);
        std::fs::write(dir.path().join("assets/folio.css"), "main {}").unwrap();
        assert_ne!(identity(false), styled, "an overriding stylesheet");
    }

    #[test]
    fn search_pages_carry_a_meta_description_with_the_query_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            title: "folio",
            ..Options::default()
        };
        let renderer = Renderer::new(dir.path(), &options).unwrap();
        let html = renderer
            .search("<gateway>", 0, (&[], &[], &[]), None, &[])
            .unwrap();
        assert!(
            html.contains("<meta name=\"description\" content=\"Pages of folio that match “&lt;gateway&gt;”.\">"),
            "{html}"
        );
        let html = renderer.search("", 0, (&[], &[], &[]), None, &[]).unwrap();
        assert!(html.contains("<meta name=\"description\" content=\"Search folio"));
    }

    #[test]
    fn a_broken_override_template_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("page.hbs"), "{{#if}}").unwrap();
        let error = Renderer::new(dir.path(), &Options::default())
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("page.hbs"), "{error}");
    }
}

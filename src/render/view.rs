//! Typed data handed to templates: one struct per template, no untyped maps.

use serde::Serialize;

/// What the layout needs on every page.
#[derive(Serialize)]
pub struct Chrome<'a> {
    pub site_title: &'a str,
    /// The page's language, for `<html lang>`.
    pub lang: String,
    /// The sidebar's HTML, escaped.
    pub sidebar: String,
    /// The locale switcher's HTML, escaped; empty for a site of one locale.
    pub locales: String,
    /// The path the site is served under (`/docs`), or empty.
    pub base: &'a str,
    pub title: String,
    /// Ready `<meta>`/`<link>` tags, escaped.
    pub head: String,
    pub json_ld: &'a [String],
    /// The search box's value.
    pub query: &'a str,
    pub css: &'a str,
    pub js: &'a str,
    /// The live-reload script's URL, while watching.
    pub live: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PageView<'a> {
    pub chrome: Chrome<'a>,
    pub html: &'a str,
    /// The "on this page" table of contents, or empty.
    pub toc: String,
    pub breadcrumbs: String,
    /// Previous and next pages, or empty.
    pub pager: String,
    /// A landing page's hero and features (`layout: home`).
    pub landing: Option<LandingView>,
}

/// A landing page: VitePress's `layout: home` frontmatter.
#[derive(Serialize)]
pub struct LandingView {
    pub hero: Option<HeroView>,
    pub features: Vec<FeatureView>,
}

#[derive(Serialize)]
pub struct HeroView {
    pub name: Option<String>,
    pub text: Option<String>,
    pub tagline: Option<String>,
    /// The image's URL, resolved.
    pub image: Option<String>,
    pub image_alt: String,
    pub actions: Vec<ActionView>,
}

#[derive(Serialize)]
pub struct ActionView {
    pub text: String,
    pub link: String,
    /// `brand` or `alt`.
    pub theme: &'static str,
}

#[derive(Serialize)]
pub struct FeatureView {
    /// An emoji or short text.
    pub icon: Option<String>,
    pub title: String,
    pub details: String,
    pub link: Option<String>,
    pub link_text: Option<String>,
}

/// A section without an index page: its entries.
#[derive(Serialize)]
pub struct FolderView<'a> {
    pub chrome: Chrome<'a>,
    pub title: &'a str,
    pub entries: Vec<ResultView>,
    pub breadcrumbs: String,
    pub pager: String,
}

#[derive(Serialize)]
pub struct HomeView<'a> {
    pub chrome: Chrome<'a>,
    pub intro: Option<&'a str>,
    pub groups: Vec<GroupView<'a>>,
    /// Previous and next pages, or empty.
    pub pager: String,
}

#[derive(Serialize)]
pub struct GroupView<'a> {
    pub title: String,
    pub url: Option<String>,
    pub pages: Vec<LinkView<'a>>,
    /// How many pages of the group are not listed.
    pub more: usize,
}

#[derive(Serialize)]
pub struct LinkView<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

#[derive(Serialize)]
pub struct SearchView<'a> {
    pub chrome: Chrome<'a>,
    pub query: &'a str,
    pub total: usize,
    pub one: bool,
    pub hits: &'a [ResultView],
    /// Titles near the query, when nothing matched.
    pub nearest: &'a [ResultView],
    /// The pages that head a group (class pages), to browse when nothing matched.
    pub groups: &'a [ResultView],
    /// The languages the query's words are found in, when more than one, to search
    /// in another or in all.
    pub languages: &'a [LanguageChoice],
}

/// A language the results page offers to search in.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageChoice {
    /// The language's own name (`Deutsch`), or "All languages".
    pub label: String,
    /// The results page for the same query in that language.
    pub url: String,
    /// How many pages in that language match the words; none for "All languages".
    pub count: Option<u64>,
    /// Whether these are the results shown.
    pub current: bool,
}

/// One search result as the results page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    /// The page's URL; for a hit, the link to its best section.
    pub url: String,
    /// The page's name.
    pub title: String,
    /// The heading of the section that matched best, after the headings that hold it
    /// (`Configuration › Theme`), when not the top of the page.
    pub section: Option<String>,
    /// HTML: escaped text with `<mark>` around matched words.
    pub snippet: String,
}

/// A page's metadata, as `/{url}.json` serves it.
#[derive(Serialize)]
pub struct PageJson<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub heading: &'a str,
    pub description: &'a str,
    pub keywords: &'a [String],
    pub headings: Vec<HeadingJson<'a>>,
    pub frontmatter: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
pub struct HeadingJson<'a> {
    pub level: u8,
    pub id: &'a str,
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct NotFoundView<'a> {
    pub chrome: Chrome<'a>,
    pub path: &'a str,
}

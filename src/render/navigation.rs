//! The navigation around a page, as HTML: the sidebar, breadcrumbs, previous and next
//! pages and the locale switcher. Written here rather than in templates because the
//! sidebar is a tree of any depth, which Handlebars would walk with a recursive partial
//! per entry; the templates place the finished pieces.
//!
//! A page carries its own section's entries and its ancestors open; other sections
//! show their entries only when they are small, so a page of a site with tens of
//! thousands of pages carries a few kilobytes of navigation, never every link.

use crate::content::{LinkMap, Locale, Navigation, NodeId, NodeKind, Page};
use crate::html::escape_html;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write as _;

/// The most entries all collapsed sections of a page hold together (at any depth):
/// past it, a collapsed section is a link to its own page.
const COLLAPSED_ENTRIES: usize = 24;

/// The most entries of one list shown; past it, the entries around the current page
/// and a link to the section's page for the rest.
const WINDOW: usize = 16;

/// The sidebar of the page at `current` (none for pages outside the navigation), in
/// `locale`; links are under `base`.
pub fn sidebar(nav: &Navigation, current: Option<NodeId>, locale: &Locale, base: &str) -> String {
    let mut open: HashSet<NodeId> = HashSet::new();
    if let Some(current) = current {
        open.extend(nav.ancestors(current));
        open.insert(current);
    }
    let mut html = String::with_capacity(2048);
    html.push_str("<nav class=\"sidebar\" id=\"sidebar\" aria-label=\"Site navigation\">\n");
    let sidebar = Sidebar {
        nav,
        open: &open,
        current,
        base,
        collapsed: std::cell::Cell::new(COLLAPSED_ENTRIES),
    };
    let root = nav.node(locale.root);
    if let Some(url) = &root.url {
        let here = current == Some(locale.root);
        let _ = writeln!(
            html,
            "<p class=\"sidebar-home\"><a href=\"{}{}\"{}>{}</a></p>",
            base,
            escape_html(url),
            if here { " aria-current=\"page\"" } else { "" },
            escape_html(&root.title)
        );
    }
    sidebar.list(locale.root, &mut html);
    html.push_str("</nav>\n");
    html
}

struct Sidebar<'a> {
    nav: &'a Navigation,
    open: &'a HashSet<NodeId>,
    current: Option<NodeId>,
    base: &'a str,
    /// How many more entries collapsed sections may hold.
    collapsed: std::cell::Cell<usize>,
}

impl Sidebar<'_> {
    /// The entries under `parent` as a list, windowed around the open one.
    fn list(&self, parent: NodeId, html: &mut String) {
        let children = &self.nav.node(parent).children;
        if children.is_empty() {
            return;
        }
        let (start, end) = window(children, self.open);
        html.push_str("<ul>\n");
        let more = |count: usize, html: &mut String| {
            let label = format!("{count} more pages");
            match &self.nav.node(parent).url {
                Some(url) => {
                    let _ = writeln!(
                        html,
                        "<li class=\"more\"><a href=\"{}{}\">{label}</a></li>",
                        self.base,
                        escape_html(url)
                    );
                }
                None => {
                    let _ = writeln!(html, "<li class=\"more\">{label}</li>");
                }
            }
        };
        if start > 0 {
            more(start, html);
        }
        for child in &children[start..end] {
            self.item(*child, html);
        }
        if end < children.len() {
            more(children.len() - end, html);
        }
        html.push_str("</ul>\n");
    }

    fn item(&self, id: NodeId, html: &mut String) {
        let node = self.nav.node(id);
        let label = self.label(id);
        if node.children.is_empty() {
            let class = match node.kind {
                NodeKind::Label => " class=\"part\"",
                NodeKind::Section => " class=\"draft\"",
                _ => "",
            };
            let _ = writeln!(html, "<li{class}>{label}</li>");
            return;
        }
        if node.kind == NodeKind::Label {
            let _ = writeln!(html, "<li class=\"part\">{label}");
            self.list(id, html);
            html.push_str("</li>\n");
            return;
        }
        let open = self.open.contains(&id);
        if !open && node.url.is_some() {
            let size = self.nav.descendants(id);
            let room = self.collapsed.get();
            if size > room {
                let _ = writeln!(html, "<li class=\"section\">{label}</li>");
                return;
            }
            self.collapsed.set(room - size);
        }
        let open = if open { " open" } else { "" };
        if node.url.is_some() {
            // A link inside a summary would be a control inside a control: the title
            // links before the details, whose summary only folds, named for screen
            // readers.
            let _ = writeln!(
                html,
                "<li class=\"section\">{label}<details{open}><summary><span class=\"visually-hidden\">{}</span></summary>",
                escape_html(&node.title)
            );
        } else {
            let _ = writeln!(
                html,
                "<li class=\"section\"><details{open}><summary>{label}</summary>"
            );
        }
        self.list(id, html);
        html.push_str("</details></li>\n");
    }

    /// The entry's link (marked when it is the current page), or its plain title.
    fn label(&self, id: NodeId) -> String {
        let node = self.nav.node(id);
        let title = escape_html(&node.title);
        match &node.url {
            Some(url) => format!(
                "<a href=\"{}{}\"{}>{title}</a>",
                self.base,
                escape_html(url),
                if self.current == Some(id) {
                    " aria-current=\"page\""
                } else {
                    ""
                }
            ),
            None => format!("<span>{title}</span>"),
        }
    }
}

/// Which of `children` to show: all when they are few; else a window around the one
/// that is open (or the first ones).
fn window(children: &[NodeId], open: &HashSet<NodeId>) -> (usize, usize) {
    if children.len() <= WINDOW + WINDOW / 3 {
        return (0, children.len());
    }
    let focus = children
        .iter()
        .position(|child| open.contains(child))
        .unwrap_or(0);
    let start = focus
        .saturating_sub(WINDOW / 2)
        .min(children.len() - WINDOW);
    (start, start + WINDOW)
}

/// The breadcrumbs of the page at `id`: its locale's home, its sections, itself.
pub fn breadcrumbs(nav: &Navigation, id: NodeId, base: &str) -> String {
    let ancestors = nav.ancestors(id);
    let node = nav.node(id);
    if node.kind == NodeKind::Root {
        return String::new();
    }
    let mut html = String::from("<nav class=\"breadcrumbs\" aria-label=\"Breadcrumbs\">\n<ol>\n");
    let root = nav.node(nav.locale_of(id).root);
    if let Some(url) = &root.url {
        let _ = writeln!(
            html,
            "<li><a href=\"{base}{}\">{}</a></li>",
            escape_html(url),
            escape_html(&root.title)
        );
    }
    for ancestor in ancestors {
        let node = nav.node(ancestor);
        let title = escape_html(&node.title);
        match &node.url {
            Some(url) => {
                let _ = writeln!(
                    html,
                    "<li><a href=\"{base}{}\">{title}</a></li>",
                    escape_html(url)
                );
            }
            None => {
                let _ = writeln!(html, "<li>{title}</li>");
            }
        }
    }
    let _ = writeln!(
        html,
        "<li aria-current=\"page\">{}</li>\n</ol>\n</nav>",
        escape_html(&node.title)
    );
    html
}

/// A link to a neighbouring page: its URL (root-absolute) and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// Where it leads.
    pub url: String,
    /// What it says.
    pub title: String,
}

/// The pages before and after the entry at `id` (if the page is in the navigation) in
/// reading order, as the frontmatter `prev` and `next` of its `page` (when it has one,
/// not a folder's listing) may override them: `false` for none, a string for other
/// text, or `{text, link}` for another page.
pub fn neighbours(
    nav: &Navigation,
    id: Option<NodeId>,
    page: Option<&Page>,
) -> (Option<Neighbour>, Option<Neighbour>) {
    let (previous, next) = id.map_or((None, None), |id| nav.neighbours(id));
    let of = |node: Option<NodeId>| {
        let node = nav.node(node?);
        Some(Neighbour {
            url: node.url.as_deref()?.to_string(),
            title: node.title.to_string(),
        })
    };
    let Some(page) = page else {
        return (of(previous), of(next));
    };
    (
        overridden(
            page.frontmatter.get("prev"),
            of(previous),
            page,
            nav.links(),
        ),
        overridden(page.frontmatter.get("next"), of(next), page, nav.links()),
    )
}

fn overridden(
    value: Option<&Value>,
    found: Option<Neighbour>,
    page: &Page,
    links: &LinkMap,
) -> Option<Neighbour> {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(true)) => found,
        Some(Value::Bool(false)) => None,
        Some(Value::String(text)) => found.map(|found| Neighbour {
            title: text.clone(),
            ..found
        }),
        Some(Value::Object(fields)) => {
            let link = fields.get("link").and_then(Value::as_str);
            let text = fields.get("text").and_then(Value::as_str);
            let url = match link {
                Some(link) => links
                    .resolve(&page.source, link)
                    .href()
                    .unwrap_or(link.to_string()),
                None => found.as_ref()?.url.clone(),
            };
            let title = text
                .map(String::from)
                .or_else(|| found.map(|found| found.title))
                .unwrap_or_else(|| url.clone());
            Some(Neighbour { url, title })
        }
        Some(_) => found,
    }
}

/// The previous and next links at the foot of a page.
pub fn pager(previous: Option<&Neighbour>, next: Option<&Neighbour>, base: &str) -> String {
    if previous.is_none() && next.is_none() {
        return String::new();
    }
    let mut html = String::from("<nav class=\"pager\" aria-label=\"Previous and next pages\">\n");
    for (neighbour, rel, label) in [(previous, "prev", "Previous"), (next, "next", "Next")] {
        if let Some(neighbour) = neighbour {
            let _ = writeln!(
                html,
                "<a class=\"pager-{rel}\" rel=\"{rel}\" href=\"{}\"><span class=\"pager-label\">{label}</span> <span class=\"pager-title\">{}</span></a>",
                href(base, &neighbour.url),
                escape_html(&neighbour.title)
            );
        }
    }
    html.push_str("</nav>\n");
    html
}

/// The `<link rel="prev">` and `<link rel="next">` tags for a page's head.
pub fn pager_links(previous: Option<&Neighbour>, next: Option<&Neighbour>, base: &str) -> String {
    let mut html = String::new();
    for (neighbour, rel) in [(previous, "prev"), (next, "next")] {
        if let Some(neighbour) = neighbour {
            let _ = writeln!(
                html,
                "<link rel=\"{rel}\" href=\"{}\">",
                href(base, &neighbour.url)
            );
        }
    }
    html
}

/// The switcher to the same page in the other locales (their home page when the page
/// has no translation); empty for a site of one locale.
pub fn locale_switcher(nav: &Navigation, page: Option<&Page>, own: &Locale, base: &str) -> String {
    if nav.locales().len() < 2 {
        return String::new();
    }
    let mut html =
        String::from("<nav class=\"locales\" aria-label=\"Languages\">\n<details><summary>");
    let _ = write!(html, "{}</summary>\n<ul>\n", escape_html(&own.label));
    for locale in nav.locales() {
        let translated = page.and_then(|page| nav.translation(&page.source, locale));
        let url = translated.or_else(|| nav.node(locale.root).url.as_deref());
        let Some(url) = url else {
            continue;
        };
        let current = if locale.root == own.root {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = writeln!(
            html,
            "<li><a href=\"{}\" hreflang=\"{lang}\" lang=\"{lang}\"{current}>{}</a></li>",
            href(base, url),
            escape_html(&locale.label),
            lang = escape_html(&locale.lang),
        );
    }
    html.push_str("</ul>\n</details>\n</nav>\n");
    html
}

/// `<link rel="alternate" hreflang>` tags for a page's translations.
pub fn alternates(nav: &Navigation, page: &Page, base: &str) -> String {
    let mut html = String::new();
    if nav.locales().len() < 2 {
        return html;
    }
    for locale in nav.locales() {
        if let Some(url) = nav.translation(&page.source, locale) {
            let _ = writeln!(
                html,
                "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">",
                escape_html(&locale.lang),
                href(base, url)
            );
        }
    }
    html
}

/// A root-absolute URL under `base`, escaped for an attribute (an external URL as is).
fn href(base: &str, url: &str) -> String {
    match url.starts_with('/') && !url.starts_with("//") {
        true => escape_html(&format!("{base}{url}")),
        false => escape_html(url),
    }
}

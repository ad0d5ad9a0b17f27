//! The site's navigation: a tree of pages per locale, in reading order, built from
//! what lists of pages show of each page (so a start from the manifest builds it
//! without parsing a page), and the [`LinkMap`] links resolve against.
//!
//! The tree comes from the folder structure: a folder is a section headed by its index
//! page (`index.md`, `README.md`), pages are ordered by frontmatter `order` (or
//! `sidebar_position`, `nav_order`, `weight`) and then by title, naturally (`2` before
//! `10`). A page whose frontmatter `class` names another page (`class: 5xx` and a page
//! at `/5xx`) sits under that page. A folder without an index page is a section whose
//! listing folio makes. Top-level folders named by a language code (`zh/`, `pt-BR/`)
//! are locales, each with a tree of its own.

use super::links::{LinkMap, Resolved, is_external, slashed};
use super::page::Listing;
use super::project::NavEntry;
use super::url::{index_folder, title_from_name};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;
use std::path::Path;

/// A node's place in [`Navigation::nodes`].
pub type NodeId = u32;

/// The navigation of a site.
#[derive(Debug, Default)]
pub struct Navigation {
    nodes: Vec<Node>,
    /// The locales; the first is the site's root locale.
    locales: Vec<Locale>,
    by_url: FxHashMap<Box<str>, NodeId>,
    links: LinkMap,
    /// Where the site's root leads when every page is in a locale folder.
    home: Option<Box<str>>,
    /// Whether the navigation is as the project wrote it down.
    written: bool,
}

/// One entry of the navigation: a page, a section or a label.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the entry shows.
    pub title: Box<str>,
    /// Where it leads, when it leads anywhere.
    pub url: Option<Box<str>>,
    /// What it is.
    pub kind: NodeKind,
    /// The entry it sits under; `None` for a locale's root.
    pub parent: Option<NodeId>,
    /// The entries under it, in order.
    pub children: Vec<NodeId>,
    /// Its place in its locale's reading order, when it leads to a page.
    pub position: Option<u32>,
    order: Option<f64>,
    /// How many entries are under it, at any depth.
    descendants: u32,
}

/// What a navigation entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A page of the site.
    Page,
    /// A folder without an index page: folio lists its pages at its URL.
    Folder,
    /// A label that heads entries and leads nowhere (an mdBook part title).
    Label,
    /// An entry of a written navigation without a page: a draft chapter, or a section
    /// that only holds entries.
    Section,
    /// A locale's root (its home page's place).
    Root,
    /// A link that leaves the site, as a written navigation may hold.
    External,
}

/// A locale: a top-level folder named by a language code, or the site's root.
#[derive(Debug, Clone)]
pub struct Locale {
    /// The folder (`zh`, `pt-BR`), empty for the root locale.
    pub folder: String,
    /// The language code for `<html lang>` (`zh`, `pt-BR`).
    pub lang: String,
    /// The language's own name (`简体中文`), or its code.
    pub label: String,
    /// Its root node.
    pub root: NodeId,
    /// Its pages in reading order.
    sequence: Vec<NodeId>,
}

impl Navigation {
    /// The navigation of the pages `listings`, whose root locale speaks `lang`, from
    /// their folders.
    pub fn from_folders(listings: &[Listing], lang: &str) -> Navigation {
        Navigation::build(listings, lang, None, &LocaleFolders::default())
    }

    /// The navigation of the pages `listings`, whose root locale speaks `lang`: as
    /// `written` (SUMMARY.md, MkDocs' `nav`, `_nav.md`) when the project writes one
    /// down, with the pages it leaves out after its own, by folder; else from the
    /// folders. `locales` says which top-level folders are locales.
    pub fn build(
        listings: &[Listing],
        lang: &str,
        written: Option<&[NavEntry]>,
        locales: &LocaleFolders,
    ) -> Navigation {
        let mut builder = Builder::new(listings, lang, locales);
        let mut placed = std::collections::HashSet::new();
        if let Some(entries) = written {
            let root = builder.nav.locales[0].root;
            let by_url: HashMap<&str, &Listing> = listings.iter().map(|l| (l.url, l)).collect();
            let mut next = 0.0;
            builder.write_down(root, entries, &by_url, &mut placed, &mut next);
        }
        builder.nav.written = written.is_some();
        for listing in listings.iter().filter(|l| !placed.contains(l.url)) {
            builder.place(listing);
        }
        if written.is_none() {
            builder.nest_by_class(listings);
        }
        builder.finish()
    }

    /// The node at `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The node of the page or section served at `url`.
    pub fn at(&self, url: &str) -> Option<NodeId> {
        self.by_url.get(url).copied()
    }

    /// Whether the navigation is as the project wrote it down (SUMMARY.md, MkDocs'
    /// `nav`, `_nav.md`) rather than made from the folders.
    pub fn is_written(&self) -> bool {
        self.written
    }

    /// Where the site's root leads when it has no pages of its own and every page is
    /// in a locale folder: the home page of the site's language (`/en`).
    pub fn home(&self) -> Option<&str> {
        self.home.as_deref()
    }

    /// What links resolve against.
    pub fn links(&self) -> &LinkMap {
        &self.links
    }

    /// Every locale; the first is the root.
    pub fn locales(&self) -> &[Locale] {
        &self.locales
    }

    /// The locale a node is in.
    pub fn locale_of(&self, id: NodeId) -> &Locale {
        let mut at = id;
        while let Some(parent) = self.node(at).parent {
            at = parent;
        }
        self.locales
            .iter()
            .find(|locale| locale.root == at)
            .unwrap_or(&self.locales[0])
    }

    /// The locale of the page whose file is `source`.
    pub fn locale_of_source(&self, source: &Path) -> &Locale {
        let first = source
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("");
        let in_folder = source.components().count() > 1;
        self.locales
            .iter()
            .skip(1)
            .find(|locale| in_folder && locale.folder == first)
            .unwrap_or(&self.locales[0])
    }

    /// The entries above `id`, from its locale's root (excluded) down (`id` excluded).
    pub fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let mut chain = Vec::new();
        let mut at = self.node(id).parent;
        while let Some(node) = at {
            if self.node(node).kind != NodeKind::Root {
                chain.push(node);
            }
            at = self.node(node).parent;
        }
        chain.reverse();
        chain
    }

    /// The pages before and after `id` in its locale's reading order.
    pub fn neighbours(&self, id: NodeId) -> (Option<NodeId>, Option<NodeId>) {
        let Some(position) = self.node(id).position else {
            return (None, None);
        };
        let sequence = &self.locale_of(id).sequence;
        let position = position as usize;
        let previous = position
            .checked_sub(1)
            .and_then(|p| sequence.get(p))
            .copied();
        (previous, sequence.get(position + 1).copied())
    }

    /// How many entries are under `id`, at any depth.
    pub fn descendants(&self, id: NodeId) -> usize {
        self.node(id).descendants as usize
    }

    /// The sections folio lists itself: folders without an index page, by URL.
    pub fn folders(&self) -> impl Iterator<Item = (&str, NodeId)> {
        self.nodes.iter().enumerate().filter_map(|(id, node)| {
            (node.kind == NodeKind::Folder)
                .then(|| Some((node.url.as_deref()?, id as NodeId)))
                .flatten()
        })
    }

    /// The URL of the page at the same place as `source` in the locale `other`
    /// (`zh/guide/a.md` in `ja` → the URL of `ja/guide/a.md`), when it exists.
    pub fn translation(&self, source: &Path, other: &Locale) -> Option<&str> {
        let own = self.locale_of_source(source);
        let relative = slashed(source);
        let rest = match own.folder.as_str() {
            "" => &*relative,
            folder => relative.strip_prefix(folder)?.trim_start_matches('/'),
        };
        let wanted = match other.folder.as_str() {
            "" => rest.to_string(),
            folder => format!("{folder}/{rest}"),
        };
        self.links.url_of(&wanted)
    }
}

/// Builds a [`Navigation`] node by node.
struct Builder {
    nav: Navigation,
    /// Folder nodes by folder path (`guide/advanced`, the locale's folder included).
    folders: FxHashMap<String, NodeId>,
}

impl Builder {
    fn new(listings: &[Listing], lang: &str, locales: &LocaleFolders) -> Builder {
        let links = LinkMap::new(listings.iter().map(|l| (l.source, l.url)), locales);
        // The link map found the locale folders among the pages' top-level folders.
        let mut locale_folders: Vec<(String, String)> = (links.locale_folders().iter())
            .filter_map(|folder| Some((folder.to_string(), locales.lang_of(folder)?)))
            .collect();
        locale_folders.sort_unstable();
        let mut nav = Navigation {
            links,
            ..Navigation::default()
        };
        let mut folders = FxHashMap::default();
        let root_lang = if lang.is_empty() { "en" } else { lang };
        let all = std::iter::once((String::new(), root_lang.to_string())).chain(locale_folders);
        for (folder, lang) in all {
            let root = nav.nodes.len() as NodeId;
            nav.nodes.push(Node {
                title: "".into(),
                url: None,
                kind: NodeKind::Root,
                parent: None,
                children: Vec::new(),
                position: None,
                order: None,
                descendants: 0,
            });
            folders.insert(folder.clone(), root);
            nav.locales.push(Locale {
                folder,
                label: language_name(&lang).to_string(),
                lang,
                root,
                sequence: Vec::new(),
            });
        }
        Builder { nav, folders }
    }

    fn push(&mut self, node: Node) -> NodeId {
        let id = self.nav.nodes.len() as NodeId;
        if let Some(parent) = node.parent {
            self.nav.nodes[parent as usize].children.push(id);
        }
        self.nav.nodes.push(node);
        id
    }

    /// The node of the folder at `path` (`/`-separated), made with its parents.
    fn folder(&mut self, path: &str) -> NodeId {
        if let Some(id) = self.folders.get(path) {
            return *id;
        }
        let (parent_path, name) = path.rsplit_once('/').unwrap_or(("", path));
        let parent = self.folder(parent_path);
        let id = self.push(Node {
            title: title_from_name(name).into(),
            url: Some(format!("/{path}").into()),
            kind: NodeKind::Folder,
            parent: Some(parent),
            children: Vec::new(),
            position: None,
            descendants: 0,
            order: None,
        });
        self.folders.insert(path.to_string(), id);
        id
    }

    /// Places one page in the tree: as its folder's head when it is the folder's index
    /// page, else as an entry of its folder.
    fn place(&mut self, listing: &Listing) {
        let source = slashed(listing.source);
        let index_of = index_folder(&source);
        if let Some(folder) = index_of {
            let id = self.folder(folder);
            let node = &mut self.nav.nodes[id as usize];
            if node.kind != NodeKind::Page || node.url.is_none() {
                if node.kind != NodeKind::Root {
                    node.kind = NodeKind::Page;
                    node.order = listing.order;
                }
                node.title = listing.heading.into();
                node.url = Some(listing.url.into());
                return;
            }
        }
        let folder = source.rsplit_once('/').map_or("", |(folder, _)| folder);
        let parent = self.folder(folder);
        self.push(Node {
            title: listing.heading.into(),
            url: Some(listing.url.into()),
            kind: NodeKind::Page,
            parent: Some(parent),
            children: Vec::new(),
            position: None,
            descendants: 0,
            order: listing.order,
        });
    }

    /// Places the entries a project writes down under `parent`, in their order (kept
    /// by numbering them from `next`); the URLs of the pages placed go in `placed`.
    fn write_down<'a>(
        &mut self,
        parent: NodeId,
        entries: &[NavEntry],
        by_url: &HashMap<&str, &'a Listing<'a>>,
        placed: &mut std::collections::HashSet<&'a str>,
        next: &mut f64,
    ) {
        for entry in entries.iter().filter(|entry| !entry.is_separator()) {
            // A section whose first entry is a folder's index page is headed by that
            // page, as Material for MkDocs shows it (`navigation.indexes`).
            let headed = match (&entry.target, entry.children.first()) {
                (None, Some(first)) if !entry.part && is_index_target(first) => Some(NavEntry {
                    title: entry.title.clone(),
                    target: first.target.clone(),
                    children: entry.children[1..].to_vec(),
                    part: false,
                }),
                _ => None,
            };
            let entry = headed.as_ref().unwrap_or(entry);
            let target = entry.target.as_deref().filter(|t| !t.trim().is_empty());
            let (url, listing) = match target {
                Some(target) if is_external(target) => (Some(target.to_string()), None),
                Some(target) => match self.nav.links.resolve(Path::new("_"), target) {
                    Resolved::Page { url, .. } => {
                        let listing = by_url.get(url.as_str()).copied();
                        (Some(url), listing)
                    }
                    _ => (None, None),
                },
                None => (None, None),
            };
            if let Some(listing) = listing
                && !placed.insert(listing.url)
            {
                continue;
            }
            let title = entry
                .title
                .clone()
                .or_else(|| listing.map(|l| l.heading.to_string()))
                .or_else(|| target.map(String::from))
                .unwrap_or_default();
            let kind = match (&url, listing) {
                (Some(_), Some(_)) => NodeKind::Page,
                (Some(_), None) => NodeKind::External,
                (None, _) if entry.part => NodeKind::Label,
                (None, _) => NodeKind::Section,
            };
            *next += 1.0;
            let id = self.push(Node {
                title: title.into(),
                url: url.map(Into::into),
                kind,
                parent: Some(parent),
                children: Vec::new(),
                position: None,
                descendants: 0,
                order: Some(*next),
            });
            // A folder's index page placed here heads the folder: the pages the written
            // navigation leaves out of that folder go under it.
            if let Some(listing) = listing
                && let Some(folder) = index_folder(&slashed(listing.source))
                && !folder.is_empty()
            {
                self.folders.entry(folder.to_string()).or_insert(id);
            }
            self.write_down(id, &entry.children, by_url, placed, next);
        }
    }

    /// Moves each page whose `class` names another page of its folder under that page.
    fn nest_by_class(&mut self, listings: &[Listing]) {
        let by_url: HashMap<&str, NodeId> = self
            .nav
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(id, node)| Some((node.url.as_deref()?, id as NodeId)))
            .collect();
        let mut moves = Vec::new();
        for listing in listings {
            let Some(class) = &listing.group else {
                continue;
            };
            let (Some(&page), Some(&head)) = (
                by_url.get(listing.url),
                by_url.get(format!("/{class}").as_str()),
            ) else {
                continue;
            };
            let nodes = &self.nav.nodes;
            if page != head && nodes[page as usize].parent == nodes[head as usize].parent {
                moves.push((page, head));
            }
        }
        for (page, head) in moves {
            if let Some(parent) = self.nav.nodes[page as usize].parent {
                self.nav.nodes[parent as usize]
                    .children
                    .retain(|child| *child != page);
            }
            self.nav.nodes[page as usize].parent = Some(head);
            self.nav.nodes[head as usize].children.push(page);
        }
    }

    fn finish(mut self) -> Navigation {
        let nodes = &mut self.nav.nodes;
        let pages: FxHashSet<&str> = nodes
            .iter()
            .filter(|node| node.kind == NodeKind::Page)
            .filter_map(|node| node.url.as_deref())
            .collect();
        // A folder whose URL a page claims (`guide.md` beside `guide/`) heads its
        // entries without a listing of its own.
        let claimed: Vec<usize> = (nodes.iter().enumerate())
            .filter(|(_, node)| node.kind == NodeKind::Folder)
            .filter(|(_, node)| node.url.as_deref().is_some_and(|url| pages.contains(url)))
            .map(|(id, _)| id)
            .collect();
        drop(pages);
        for id in claimed {
            nodes[id].url = None;
        }
        let lowered: Vec<String> = nodes.iter().map(|node| node.title.to_lowercase()).collect();
        let mut children: Vec<Vec<NodeId>> = nodes
            .iter_mut()
            .map(|node| std::mem::take(&mut node.children))
            .collect();
        for list in &mut children {
            list.sort_by(|a, b| {
                let (a, b) = (*a as usize, *b as usize);
                compare(nodes[a].order, nodes[b].order)
                    .then_with(|| alphanumeric_sort::compare_str(&lowered[a], &lowered[b]))
            });
        }
        for (node, list) in nodes.iter_mut().zip(children) {
            node.children = list;
        }
        for root in 0..nodes.len() {
            if nodes[root].parent.is_none() {
                count_descendants(nodes, root as NodeId);
            }
        }
        // A site whose every page is in a language folder (`en/`, `zh/`) has no root
        // locale: the folder of the site's language (else the first) comes first, and
        // the site's root leads to it.
        let root = &self.nav.nodes[self.nav.locales[0].root as usize];
        if self.nav.locales.len() > 1 && root.children.is_empty() && root.url.is_none() {
            let lang = self.nav.locales.remove(0).lang;
            let own = self
                .nav
                .locales
                .iter()
                .position(|locale| locale.lang.eq_ignore_ascii_case(&lang))
                .unwrap_or(0);
            let own = self.nav.locales.remove(own);
            self.nav.home = self.nav.nodes[own.root as usize].url.clone();
            self.nav.locales.insert(0, own);
        }
        for index in 0..self.nav.locales.len() {
            let root = self.nav.locales[index].root;
            let mut sequence = Vec::new();
            if self.nav.nodes[root as usize].url.is_some() {
                sequence.push(root);
            }
            in_reading_order(&self.nav.nodes, root, &mut sequence);
            for (position, id) in sequence.iter().enumerate() {
                self.nav.nodes[*id as usize].position = Some(position as u32);
            }
            self.nav.locales[index].sequence = sequence;
        }
        self.nav.by_url = self
            .nav
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.kind != NodeKind::External)
            .filter_map(|(id, node)| Some((node.url.clone()?, id as NodeId)))
            .collect();
        self.nav
    }
}

/// Counts the entries under `id` at any depth into each node, and returns its count.
fn count_descendants(nodes: &mut [Node], id: NodeId) -> u32 {
    let children = std::mem::take(&mut nodes[id as usize].children);
    let count = children
        .iter()
        .map(|child| 1 + count_descendants(nodes, *child))
        .sum();
    let node = &mut nodes[id as usize];
    node.children = children;
    node.descendants = count;
    count
}

/// Whether a written entry leads to a folder's index page (`tutorials/index.md`) and
/// holds no entries of its own.
fn is_index_target(entry: &NavEntry) -> bool {
    let Some(target) = entry.target.as_deref() else {
        return false;
    };
    entry.children.is_empty() && !is_external(target) && index_folder(target).is_some()
}

/// Every node under `id` that leads to a page, depth first.
fn in_reading_order(nodes: &[Node], id: NodeId, sequence: &mut Vec<NodeId>) {
    for child in &nodes[id as usize].children {
        let node = &nodes[*child as usize];
        if node.url.is_some() && node.kind != NodeKind::External {
            sequence.push(*child);
        }
        in_reading_order(nodes, *child, sequence);
    }
}

/// Ordered entries first, by their order; the rest after (then by title).
fn compare(a: Option<f64>, b: Option<f64>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// Which top-level folders are locales, and their languages: those named by a
/// language code (`zh`, `pt-BR`, or tldr's `pages.zh` beside `pages`), and those the
/// settings declare (`docs-fr=fr`); and the language of every other page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocaleFolders {
    declared: Vec<(String, String)>,
    /// The language of pages outside locale folders; empty: `en`.
    site_lang: String,
}

/// A page's language and the key it shares with its translations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLanguage {
    /// The language code (`en`, `pt-BR`).
    pub lang: String,
    /// The page's file without its locale folder (`guide/setup` for `zh/guide/setup.md`,
    /// `pages/common/tar` for `pages.de/common/tar.md`) and extension: equal for a
    /// page and its translations.
    pub key: String,
}

impl LocaleFolders {
    /// The locales `settings` declare: `folder` (its name is its language) or
    /// `folder=lang`.
    pub fn declared(settings: &[String]) -> LocaleFolders {
        let declared = settings
            .iter()
            .map(|item| item.trim())
            .filter(|item| !item.is_empty())
            .map(|item| match item.split_once('=') {
                Some((folder, lang)) => (folder.trim().to_string(), lang.trim().to_string()),
                None => (item.to_string(), item.to_string()),
            })
            .collect();
        LocaleFolders {
            declared,
            site_lang: String::new(),
        }
    }

    /// The same folders, with `lang` the language of pages outside them.
    pub fn with_site_lang(self, lang: &str) -> LocaleFolders {
        LocaleFolders {
            site_lang: lang.trim().to_string(),
            ..self
        }
    }

    /// The language of pages outside locale folders (`en` unless set).
    pub fn site_lang(&self) -> &str {
        match self.site_lang.as_str() {
            "" => "en",
            lang => lang,
        }
    }

    /// The language of the top-level folder `name` when it is a locale.
    pub fn lang_of(&self, name: &str) -> Option<String> {
        self.locale(name).map(|(lang, _)| lang)
    }

    /// The language of the top-level folder `name` when it is a locale, and the name
    /// its pages share with their translations: none for `zh`, `pages` for `pages.zh`.
    fn locale<'a>(&self, name: &'a str) -> Option<(String, &'a str)> {
        if let Some((_, lang)) = self.declared.iter().find(|(folder, _)| folder == name) {
            return Some((lang.clone(), ""));
        }
        if is_language_code(name) {
            return Some((name.replace('_', "-"), ""));
        }
        let (base, code) = name.rsplit_once('.')?;
        (!base.is_empty() && is_language_code(code)).then(|| (code.replace('_', "-"), base))
    }

    /// The language of `page`: its frontmatter `lang`, else its locale folder's, else
    /// the site's; with the key it shares with its translations.
    pub fn page_language(&self, page: &super::Page) -> PageLanguage {
        let mut parts = page.source.iter().filter_map(|part| part.to_str());
        let first = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        let locale = match rest.is_empty() {
            true => None,
            false => self.locale(first),
        };
        let (folder_lang, file) = match locale {
            Some((lang, base)) => (Some(lang), Path::new(base).join(rest.join("/"))),
            None => (None, page.source.clone()),
        };
        let key = file.with_extension("").to_string_lossy().replace('\\', "/");
        let lang = page
            .field("lang")
            .map(|lang| lang.trim().to_string())
            .filter(|lang| !lang.is_empty())
            .or(folder_lang)
            .unwrap_or_else(|| self.site_lang().to_string());
        PageLanguage { lang, key }
    }
}

/// Whether a folder's name is a language code as locales are named: an ISO 639-1
/// language, optionally with a script or region (`zh`, `pt-BR`, `zh-Hans`, `zh_CN`).
pub fn is_language_code(name: &str) -> bool {
    let (language, rest) = match name.split_once(['-', '_']) {
        Some((language, rest)) => (language, Some(rest)),
        None => (name, None),
    };
    let subtag_ok = rest.is_none_or(|rest| {
        (rest.len() == 2 && rest.chars().all(|c| c.is_ascii_alphabetic()))
            || (rest.len() == 4 && rest.chars().all(|c| c.is_ascii_alphabetic()))
            || (rest.len() == 3 && rest.chars().all(|c| c.is_ascii_digit()))
    });
    subtag_ok && ISO_639_1.binary_search(&language).is_ok()
}

/// The two-letter ISO 639-1 language codes, sorted. A list of data, written out: the
/// crates that carry it bring every ISO 639-3 language with them.
const ISO_639_1: [&str; 183] = [
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
    "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk",
    "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa",
    "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// The name a language gives itself, for the locale switcher; the code when it is not
/// one of the languages docs are most often translated into.
pub fn language_name(lang: &str) -> &str {
    const NAMES: [(&str, &str); 40] = [
        ("ar", "العربية"),
        ("bg", "Български"),
        ("bn", "বাংলা"),
        ("ca", "Català"),
        ("cs", "Čeština"),
        ("da", "Dansk"),
        ("de", "Deutsch"),
        ("el", "Ελληνικά"),
        ("en", "English"),
        ("es", "Español"),
        ("fa", "فارسی"),
        ("fi", "Suomi"),
        ("fr", "Français"),
        ("he", "עברית"),
        ("hi", "हिन्दी"),
        ("hu", "Magyar"),
        ("id", "Bahasa Indonesia"),
        ("it", "Italiano"),
        ("ja", "日本語"),
        ("ko", "한국어"),
        ("lt", "Lietuvių"),
        ("nl", "Nederlands"),
        ("no", "Norsk"),
        ("pl", "Polski"),
        ("pt", "Português"),
        ("pt-BR", "Português (Brasil)"),
        ("ro", "Română"),
        ("ru", "Русский"),
        ("sk", "Slovenčina"),
        ("sr", "Српски"),
        ("sv", "Svenska"),
        ("ta", "தமிழ்"),
        ("th", "ไทย"),
        ("tr", "Türkçe"),
        ("uk", "Українська"),
        ("vi", "Tiếng Việt"),
        ("zh", "简体中文"),
        ("zh-CN", "简体中文"),
        ("zh-Hans", "简体中文"),
        ("zh-TW", "繁體中文"),
    ];
    NAMES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(lang))
        .or_else(|| {
            let language = lang.split(['-', '_']).next().unwrap_or(lang);
            NAMES.iter().find(|(code, _)| *code == language)
        })
        .map_or(lang, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::path::PathBuf;

    #[test]
    fn a_page_language_and_the_key_it_shares_with_its_translations() {
        let locales = LocaleFolders::declared(&["docs-fr=fr".to_string()]).with_site_lang("en-US");
        let of = |path: &str, text: &str| {
            let page = crate::content::parse_page(Path::new(path), text.as_bytes())
                .0
                .unwrap();
            let language = locales.page_language(&page);
            (language.lang, language.key)
        };
        assert_eq!(
            of("guide/x.md", "# X\n"),
            ("en-US".into(), "guide/x".into())
        );
        assert_eq!(
            of("zh/guide/x.md", "# X\n"),
            ("zh".into(), "guide/x".into())
        );
        assert_eq!(
            of("docs-fr/guide/x.md", "# X\n"),
            ("fr".into(), "guide/x".into())
        );
        assert_eq!(
            of("pages.pt_BR/common/tar.md", "# tar\n"),
            ("pt-BR".into(), "pages/common/tar".into())
        );
        assert_eq!(
            of("pages/common/tar.md", "# tar\n"),
            ("en-US".into(), "pages/common/tar".into())
        );
        assert_eq!(
            of("zh.md", "# Zh\n"),
            ("en-US".into(), "zh".into()),
            "a file is no locale"
        );
        assert_eq!(of("notes.md", "---\nlang: de\n---\n# N\n").0, "de");
    }

    /// A page as the fixture holds it: source, URL, title, class, order.
    type Entry = (PathBuf, String, String, Option<String>, Option<f64>);

    struct Fixture(Vec<Entry>);

    impl Fixture {
        fn new(pages: &[(&str, &str, &str)]) -> Fixture {
            Fixture(
                pages
                    .iter()
                    .map(|(source, url, title)| {
                        (
                            source.into(),
                            url.to_string(),
                            title.to_string(),
                            None,
                            None,
                        )
                    })
                    .collect(),
            )
        }

        fn listings(&self) -> Vec<Listing<'_>> {
            self.0
                .iter()
                .map(|(source, url, heading, group, order)| Listing {
                    source,
                    url,
                    heading,
                    description: "",
                    group: group.as_deref().map(Cow::Borrowed),
                    order: *order,
                })
                .collect()
        }
    }

    fn titles(nav: &Navigation, id: NodeId) -> Vec<&str> {
        nav.node(id)
            .children
            .iter()
            .map(|child| &*nav.node(*child).title)
            .collect()
    }

    #[test]
    fn folders_are_sections_headed_by_their_index_page_in_natural_order() {
        let mut fixture = Fixture::new(&[
            ("index.md", "/", "Home"),
            ("guide/index.md", "/guide", "The guide"),
            ("guide/step-10.md", "/guide/step-10", "Step 10"),
            ("guide/step-2.md", "/guide/step-2", "Step 2"),
            ("guide/intro.md", "/guide/intro", "Intro"),
            ("api/b.md", "/api/b", "B"),
        ]);
        fixture.0[4].4 = Some(1.0);
        let listings = fixture.listings();
        let nav = Navigation::from_folders(&listings, "en");
        let root = nav.locales()[0].root;
        assert_eq!(titles(&nav, root), ["Api", "The guide"]);
        let guide = nav.at("/guide").unwrap();
        assert_eq!(titles(&nav, guide), ["Intro", "Step 2", "Step 10"]);
        let api = nav.at("/api").unwrap();
        assert_eq!(nav.node(api).kind, NodeKind::Folder);
        let step2 = nav.at("/guide/step-2").unwrap();
        let (previous, next) = nav.neighbours(step2);
        assert_eq!(
            nav.node(previous.unwrap()).url.as_deref(),
            Some("/guide/intro")
        );
        assert_eq!(
            nav.node(next.unwrap()).url.as_deref(),
            Some("/guide/step-10")
        );
        assert_eq!(nav.ancestors(step2), [guide]);
        let (first, _) = nav.neighbours(nav.at("/").unwrap());
        assert_eq!(first, None, "the home page comes first");
    }

    #[test]
    fn pages_sit_under_the_page_their_class_names() {
        let mut fixture = Fixture::new(&[
            ("5xx.md", "/5xx", "5xx Server Errors"),
            ("502.md", "/502", "502 Bad Gateway"),
            ("500.md", "/500", "500 Internal Server Error"),
            ("4xx.md", "/4xx", "4xx Client Errors"),
        ]);
        fixture.0[1].3 = Some("5xx".into());
        fixture.0[2].3 = Some("5xx".into());
        let listings = fixture.listings();
        let nav = Navigation::from_folders(&listings, "en");
        assert_eq!(
            titles(&nav, nav.locales()[0].root),
            ["4xx Client Errors", "5xx Server Errors"]
        );
        let class = nav.at("/5xx").unwrap();
        assert_eq!(
            titles(&nav, class),
            ["500 Internal Server Error", "502 Bad Gateway"]
        );
    }

    #[test]
    fn language_folders_are_locales_with_trees_of_their_own() {
        let fixture = Fixture::new(&[
            ("guide/a.md", "/guide/a", "A"),
            ("zh/guide/a.md", "/zh/guide/a", "甲"),
            ("zh/index.md", "/zh", "首页"),
            ("pt-BR/guide/a.md", "/pt-BR/guide/a", "A pt"),
            ("api/x.md", "/api/x", "X"),
        ]);
        let listings = fixture.listings();
        let nav = Navigation::from_folders(&listings, "en");
        let codes: Vec<&str> = nav.locales().iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(codes, ["en", "pt-BR", "zh"]);
        let declared = LocaleFolders::declared(&["api=fr".to_string()]);
        let nav_fr = Navigation::build(&listings, "en", None, &declared);
        let codes: Vec<&str> = nav_fr.locales().iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(
            codes,
            ["en", "fr", "pt-BR", "zh"],
            "a declared folder is a locale"
        );
        assert_eq!(titles(&nav, nav.locales()[0].root), ["Api", "Guide"]);
        let zh = nav.at("/zh/guide/a").unwrap();
        assert_eq!(nav.locale_of(zh).label, "简体中文");
        let zh_locale = &nav.locales()[2];
        assert_eq!(
            nav.translation(Path::new("guide/a.md"), zh_locale),
            Some("/zh/guide/a")
        );
        assert_eq!(
            nav.translation(Path::new("zh/guide/a.md"), &nav.locales()[0]),
            Some("/guide/a")
        );
        assert_eq!(nav.translation(Path::new("api/x.md"), zh_locale), None);
    }

    #[test]
    fn a_site_of_language_folders_leads_to_its_own_language() {
        let fixture = Fixture::new(&[
            ("en/index.md", "/en", "Home"),
            ("en/guide/a.md", "/en/guide/a", "A"),
            ("de/index.md", "/de", "Start"),
        ]);
        let listings = fixture.listings();
        let nav = Navigation::from_folders(&listings, "en");
        let codes: Vec<&str> = nav.locales().iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(codes, ["en", "de"]);
        assert_eq!(nav.home(), Some("/en"));
        assert_eq!(Navigation::from_folders(&listings[1..2], "en").home(), None);
    }

    #[test]
    fn a_written_navigation_keeps_its_order_parts_and_drafts_and_adds_the_rest() {
        let fixture = Fixture::new(&[
            ("README.md", "/", "Introduction"),
            ("guide/b.md", "/guide/b", "B"),
            ("guide/a.md", "/guide/a", "A"),
            ("cli/README.md", "/cli", "CLI"),
            ("cli/init.md", "/cli/init", "init"),
            ("extra.md", "/extra", "Extra"),
        ]);
        let listings = fixture.listings();
        let (entries, problems) = crate::content::read_summary(
            "# Summary\n\n[Introduction](README.md)\n\n# Guide\n\n- [Bee](guide/b.md)\n- [A](guide/a.md)\n- [CLI](cli/README.md)\n    - [init](cli/init.md)\n    - [Draft]()\n- [Home](https://example.com)\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let nav = Navigation::build(&listings, "en", Some(&entries), &LocaleFolders::default());
        let root = nav.locales()[0].root;
        assert_eq!(
            titles(&nav, root),
            ["Introduction", "Guide", "Bee", "A", "CLI", "Home", "Extra"]
        );
        let cli = nav.at("/cli").unwrap();
        assert_eq!(titles(&nav, cli), ["init", "Draft"]);
        assert_eq!(nav.node(nav.node(cli).children[1]).kind, NodeKind::Section);
        let guide = nav.node(root).children[1];
        assert_eq!(nav.node(guide).kind, NodeKind::Label);
        let reading: Vec<&str> = (0..6)
            .scan(nav.at("/").unwrap(), |at, _| {
                let url = nav.node(*at).url.as_deref();
                if let (_, Some(next)) = nav.neighbours(*at) {
                    *at = next;
                }
                url
            })
            .collect();
        assert_eq!(
            reading,
            ["/", "/guide/b", "/guide/a", "/cli", "/cli/init", "/extra"]
        );
    }

    #[test]
    fn only_language_codes_name_locales() {
        for code in ["zh", "pt-BR", "zh-Hans", "es-419", "zh_CN", "en"] {
            assert!(is_language_code(code), "{code}");
        }
        for name in ["api", "go", "guide", "js", "pt-", "zz", "EN", "src"] {
            assert!(!is_language_code(name), "{name}");
        }
        assert!(ISO_639_1.windows(2).all(|pair| pair[0] < pair[1]));
    }
}

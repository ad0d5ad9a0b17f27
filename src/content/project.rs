//! The project behind a content folder: which tool it was written for (a plain folder,
//! mdBook, MkDocs, VitePress or Starlight), where its pages and static files are, its
//! title and language, and where its navigation comes from.
//!
//! Only settings written as data are read (`book.toml`, `mkdocs.yml`); a settings file
//! written as code (`.vitepress/config.ts`, `astro.config.mjs`) is never run, and a
//! note says so. Nothing here reads pages or walks the folder: that is `load`'s.

use super::folder::{ContentFolder, Refusal};
use super::problem::Problem;
use serde::Deserialize;
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// The largest settings file read: far more than any real `book.toml` or `mkdocs.yml`.
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// folio's own navigation file, in SUMMARY.md syntax, at the root of the pages.
const OWN_NAV: &str = "_nav.md";

/// mdBook's navigation file, at the root of the pages.
const SUMMARY: &str = "SUMMARY.md";

/// What tool a content folder was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectKind {
    /// A folder of Markdown with no settings folio knows.
    Folder,
    /// An mdBook book: `book.toml`, pages in `src/`, navigation in `SUMMARY.md`.
    MdBook,
    /// An MkDocs site: `mkdocs.yml`, pages in `docs/`, navigation in its `nav`.
    MkDocs,
    /// A VitePress site: a `.vitepress/` folder beside the pages.
    VitePress,
    /// An Astro Starlight site: `astro.config.*`, pages in `src/content/docs/`.
    Starlight,
}

impl ProjectKind {
    /// The tool's name as its authors write it, for the log.
    pub fn name(self) -> &'static str {
        match self {
            ProjectKind::Folder => "folder",
            ProjectKind::MdBook => "mdBook",
            ProjectKind::MkDocs => "MkDocs",
            ProjectKind::VitePress => "VitePress",
            ProjectKind::Starlight => "Starlight",
        }
    }
}

/// Where a project's pages, static files and settings are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// What tool the folder was written for.
    pub kind: ProjectKind,
    /// The folder named by `--content`.
    pub root: PathBuf,
    /// Where the Markdown pages are: `root` or a folder joined to it.
    pub pages: PathBuf,
    /// The folder served at the site root, when it exists.
    pub public: Option<PathBuf>,
    /// The site's title: `book.toml` `[book].title`, `mkdocs.yml` `site_name`.
    pub title: Option<String>,
    /// The site's description: `[book].description`, `site_description`.
    pub description: Option<String>,
    /// The pages' language: `[book].language`, `mkdocs.yml` `theme.language`.
    pub lang: Option<String>,
    /// Where the navigation comes from; `None`: from the folder tree.
    pub nav: Option<NavSource>,
    /// The navigation `_nav.md` replaced when it was there at the start: the one to
    /// read again when it goes.
    replaced_nav: Option<NavSource>,
    /// Things to say once in the log: settings that are code and not run, navigation
    /// entries left out, a navigation file that replaces another.
    pub notes: Vec<String>,
}

/// Where a project's navigation is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavSource {
    /// A SUMMARY.md-syntax file, relative to `pages` (mdBook `SUMMARY.md`, folio's own
    /// `_nav.md`), to be read with `read_summary`.
    Summary(PathBuf),
    /// A navigation given as data (MkDocs `nav`), targets relative to `pages`.
    Entries(Vec<NavEntry>),
}

/// One item of a navigation as its source wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NavEntry {
    /// The title to show; `None`: take the page's own title.
    pub title: Option<String>,
    /// A path relative to `pages` (`guide/install.md`), an external URL, or `None`: a
    /// draft chapter, or a section without a page of its own.
    pub target: Option<String>,
    /// The entries below it.
    pub children: Vec<NavEntry>,
    /// An mdBook part title (`# User guide`) or a separator: a label, not a link.
    pub part: bool,
}

impl NavEntry {
    /// Whether it is a separator line (`---` in SUMMARY.md): a part with neither title
    /// nor target.
    pub fn is_separator(&self) -> bool {
        self.part && self.title.is_none() && self.target.is_none()
    }
}

impl Project {
    /// Detects the project in `dir`; errors (with file and line, as [`Problem`]) only
    /// when a settings file exists but cannot be read.
    ///
    /// The first rule that fits decides:
    /// 1. `book.toml`: mdBook, pages in `[book].src` (default `src`), navigation from
    ///    `SUMMARY.md` when the pages hold one;
    /// 2. `mkdocs.yml` (or `mkdocs.yaml`): MkDocs, pages in `docs_dir` (default
    ///    `docs`), navigation from `nav` when it is given. YAML tags (`!ENV`,
    ///    `!!python/name:…`, `!relative`) are read as the untagged value, never acted
    ///    on; a value written `!ENV [VARIABLE, default]` reads as its default, one
    ///    written `!ENV VARIABLE` is not read (the environment is not looked at);
    /// 3. a `.vitepress/` folder: VitePress, pages beside it (in `dir` or `dir/docs`),
    ///    static files in `public/` beside the pages;
    /// 4. `astro.config.{mjs,ts,js,cjs,mts}` with `src/content/docs/`: Starlight;
    /// 5. anything else: a folder of pages, static files in `public/`.
    ///
    /// In every kind, folio's own `_nav.md` at the root of the pages is the navigation
    /// when it is there, even over `SUMMARY.md` or the `nav` of `mkdocs.yml`: an author
    /// who writes one means it. A note then says what it replaces.
    ///
    /// The problems name the settings file relative to `dir`. A `book.toml` or
    /// `mkdocs.yml` that is not valid, or that names a pages folder that does not
    /// exist, is an error.
    pub fn detect(dir: &Path) -> Result<Project, Problem> {
        let settings = ContentFolder::new(dir, MAX_SETTINGS_BYTES);
        let mut project = if let Some(text) = read_settings(&settings, "book.toml")? {
            mdbook(dir, &text).map_err(|problem| problem.in_file("book.toml"))?
        } else if let Some((name, text)) = read_mkdocs(&settings)? {
            mkdocs(dir, name, &text).map_err(|problem| problem.in_file(name))?
        } else if let Some(project) = vitepress(dir) {
            project
        } else if let Some(project) = starlight(dir) {
            project
        } else {
            Project::new(ProjectKind::Folder, dir, dir.to_path_buf())
                .with_public(dir.join("public"))
        };
        project.prefer_own_nav();
        Ok(project)
    }

    /// A plain folder of pages at `dir`, with its `public/` folder and `_nav.md` when
    /// it has them: what a content folder named directly is.
    pub fn plain(dir: &Path) -> Project {
        let mut project = Project::new(ProjectKind::Folder, dir, dir.to_path_buf())
            .with_public(dir.join("public"));
        project.prefer_own_nav();
        project
    }

    /// Whether `relative` (to `pages`) is a navigation file and not a page:
    /// `SUMMARY.md` for mdBook, `_nav.md` at the pages root for any kind, and the
    /// SUMMARY-syntax file the navigation comes from.
    pub fn is_nav_file(&self, relative: &Path) -> bool {
        let relative: PathBuf = relative
            .components()
            .filter(|part| *part != Component::CurDir)
            .collect();
        relative == Path::new(OWN_NAV)
            || (self.kind == ProjectKind::MdBook && relative == Path::new(SUMMARY))
            || matches!(&self.nav, Some(NavSource::Summary(file)) if *file == relative)
    }

    /// A project of `kind` in `root` with its pages in `pages` and nothing else known.
    fn new(kind: ProjectKind, root: &Path, pages: PathBuf) -> Project {
        Project {
            kind,
            root: root.to_path_buf(),
            pages,
            public: None,
            title: None,
            description: None,
            lang: None,
            nav: None,
            replaced_nav: None,
            notes: Vec::new(),
        }
    }

    /// Sets `public` to `folder` when it is a folder.
    fn with_public(mut self, folder: PathBuf) -> Project {
        self.public = folder.is_dir().then_some(folder);
        self
    }

    /// Makes `_nav.md` the navigation when the pages hold one.
    fn prefer_own_nav(&mut self) {
        if !self.pages.join(OWN_NAV).is_file() {
            return;
        }
        let replaced = match &self.nav {
            Some(NavSource::Summary(file)) => Some(format!("`{}`", file.display())),
            Some(NavSource::Entries(_)) => Some("the `nav` of mkdocs.yml".to_string()),
            None => None,
        };
        if let Some(replaced) = replaced {
            self.notes.push(format!(
                "the navigation comes from `{OWN_NAV}`; {replaced} is not used"
            ));
        }
        self.replaced_nav = self.nav.replace(NavSource::Summary(PathBuf::from(OWN_NAV)));
    }

    /// Where the navigation comes from now: `_nav.md` when the pages hold one, though
    /// it came or went since the project was detected, else the project's own.
    pub fn nav_now(&self) -> Option<NavSource> {
        let own = PathBuf::from(OWN_NAV);
        if self.pages.join(&own).is_file() {
            return Some(NavSource::Summary(own));
        }
        match &self.nav {
            Some(NavSource::Summary(file)) if *file == own => self.replaced_nav.clone(),
            nav => nav.clone(),
        }
    }

    /// Ends the last note with where the navigation comes from: `_nav.md` or the
    /// folder tree, for a kind whose own navigation is not read.
    fn note_nav(mut self) -> Project {
        let from = match self.pages.join(OWN_NAV).is_file() {
            true => format!("`{OWN_NAV}`"),
            false => "the folder tree".to_string(),
        };
        if let Some(note) = self.notes.last_mut() {
            note.push_str(&format!("; navigation comes from {from}"));
        }
        self
    }
}

/// Reads the settings file `name` in the folder: `None` when there is none.
fn read_settings(folder: &ContentFolder, name: &str) -> Result<Option<String>, Problem> {
    let bytes = match folder.read(Path::new(name)) {
        Ok((bytes, _)) => bytes,
        Err(Refusal::Missing) => return Ok(None),
        Err(refusal) => return Err(Problem::error(1, refusal.to_string()).in_file(name)),
    };
    String::from_utf8(bytes).map(Some).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&byte| byte == b'\n').count();
        Problem::error(line, "not UTF-8 text").in_file(name)
    })
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
}

/// The parts of `book.toml` folio reads; every other table is mdBook's.
#[derive(Deserialize, Default)]
struct BookToml {
    #[serde(default)]
    book: Book,
}

/// `[book]` of `book.toml`.
#[derive(Deserialize, Default)]
struct Book {
    title: Option<String>,
    description: Option<String>,
    language: Option<String>,
    src: Option<toml::Spanned<String>>,
}

/// An mdBook book in `dir`, from its `book.toml`.
fn mdbook(dir: &Path, text: &str) -> Result<Project, Problem> {
    let settings: BookToml = toml::from_str(text).map_err(|error| {
        let line = error.span().map_or(1, |span| line_of(text, span.start));
        Problem::error(line, error.message().trim().to_string())
    })?;
    let book = settings.book;
    let (src, line) = match &book.src {
        Some(src) => (src.get_ref().as_str(), line_of(text, src.span().start)),
        None => ("src", 1),
    };
    let pages = dir.join(src);
    if !pages.is_dir() {
        let named = match book.src {
            Some(_) => "named by [book].src",
            None => "where mdBook looks when [book].src is not given",
        };
        return Err(Problem::error(
            line,
            format!("the pages folder `{src}` {named} does not exist"),
        ));
    }
    let mut project = Project::new(ProjectKind::MdBook, dir, pages);
    project.title = book.title;
    project.description = book.description;
    project.lang = book.language;
    if project.pages.join(SUMMARY).is_file() {
        project.nav = Some(NavSource::Summary(PathBuf::from(SUMMARY)));
    } else {
        project.notes.push(format!(
            "the book has no `{src}/{SUMMARY}`; navigation comes from the folder tree"
        ));
    }
    Ok(project)
}

/// `mkdocs.yml`, or else `mkdocs.yaml`, with its name.
fn read_mkdocs(folder: &ContentFolder) -> Result<Option<(&'static str, String)>, Problem> {
    for name in ["mkdocs.yml", "mkdocs.yaml"] {
        if let Some(text) = read_settings(folder, name)? {
            return Ok(Some((name, text)));
        }
    }
    Ok(None)
}

/// An MkDocs site in `dir`, from its `mkdocs.yml`.
fn mkdocs(dir: &Path, name: &str, text: &str) -> Result<Project, Problem> {
    let settings = match read_yaml(text)? {
        Value::Object(settings) => settings,
        Value::Null => serde_json::Map::new(),
        _ => {
            return Err(Problem::error(
                1,
                "the settings must be a mapping of keys to values",
            ));
        }
    };
    let mut notes = Vec::new();
    let mut setting = |key: &str| match env_variable(text, key) {
        Some(variable) => {
            notes.push(format!(
                "the {key} of {name} is the environment variable {variable}, which is not read"
            ));
            None
        }
        None => settings.get(key).and_then(scalar),
    };
    let docs_dir = setting("docs_dir");
    let src = docs_dir.as_deref().unwrap_or("docs");
    let pages = dir.join(src);
    if !pages.is_dir() {
        let (line, named) = match docs_dir {
            Some(_) => (key_line(text, "docs_dir"), "named by docs_dir"),
            None => (1, "where MkDocs looks when docs_dir is not given"),
        };
        return Err(Problem::error(
            line,
            format!("the pages folder `{src}` {named} does not exist"),
        ));
    }
    let title = setting("site_name");
    let description = setting("site_description");
    let mut project = Project::new(ProjectKind::MkDocs, dir, pages);
    project.title = title;
    project.description = description;
    project.notes = notes;
    project.lang = settings
        .get("theme")
        .and_then(|theme| theme.get("language"))
        .and_then(scalar);
    if let Some(parent) = settings.get("INHERIT").and_then(scalar) {
        project.notes.push(format!(
            "{name} inherits from `{parent}`, which is not read"
        ));
    }
    match settings.get("nav") {
        Some(Value::Array(items)) => {
            let entries = nav_entries(items, name, &mut project.notes);
            project.nav = Some(NavSource::Entries(entries));
        }
        Some(Value::Null) | None => project.notes.push(format!(
            "{name} has no nav; navigation comes from the folder tree"
        )),
        Some(_) => project.notes.push(format!(
            "the nav of {name} is not a list and is not used; navigation comes from the folder tree"
        )),
    }
    Ok(project)
}

/// Reads YAML settings as data. A text that strict YAML reading refuses is read again
/// with its tags taken out; when that fails too, its problem is the answer.
fn read_yaml(text: &str) -> Result<Value, Problem> {
    if let Ok(value) = serde_saphyr::from_str::<Value>(text) {
        return Ok(value);
    }
    serde_saphyr::from_str::<Value>(&untag(text)).map_err(|error| {
        let line = error.location().map_or(1, |at| at.line() as usize);
        let message = error.to_string();
        let message = message.lines().next().unwrap_or("invalid YAML");
        Problem::error(line, message.trim().to_lowercase())
    })
}

/// `text` without YAML tags (`!ENV`, `!!python/name:…`, `!relative`): each tag at the
/// start of a value is removed, leaving the value it tagged (or nothing). Lines stay
/// where they were, so a problem's line is still right. Only for a text strict reading
/// refused: a quoted string holding `: !word` loses the word too.
fn untag(text: &str) -> String {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?m)(^[ \t]*|[:\-][ \t]+|[\[{,][ \t]*)![^ \t\r\n,\[\]{}'"]*[ \t]*"#)
            .unwrap_or_else(|_| unreachable!("the tag pattern is valid"))
    });
    TAG.replace_all(text, "$1").into_owned()
}

/// A setting read as text: a string or number, or the default of `!ENV [VAR, default]`.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Array(items) if items.len() >= 2 => items.last().and_then(scalar),
        _ => None,
    }
}

/// The line on which the top-level `key` is set, or 1.
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| key_value(line, key).is_some())
        .map_or(1, |index| index + 1)
}

/// What follows `key:` on `line`, when the line sets the top-level `key`.
fn key_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key)?.trim_start().strip_prefix(':')
}

/// The variable a top-level `key: !ENV VARIABLE` names: a value only the environment
/// gives (with `!ENV [VARIABLE, default]` the default is read instead).
fn env_variable(text: &str, key: &str) -> Option<String> {
    let value = text.lines().find_map(|line| key_value(line, key))?;
    let variable = value.trim().strip_prefix("!ENV")?.trim();
    let variable = variable.split('#').next().unwrap_or_default().trim();
    (!variable.is_empty() && !variable.starts_with('[')).then(|| variable.to_string())
}

/// The entries of an MkDocs `nav` list; an item that is none of `path.md`,
/// `Title: path.md`, `Title: https://…` or `Section: [ … ]` is left out with a note.
fn nav_entries(items: &[Value], name: &str, notes: &mut Vec<String>) -> Vec<NavEntry> {
    items
        .iter()
        .filter_map(|item| nav_entry(item, name, notes))
        .collect()
}

/// One item of an MkDocs `nav`.
fn nav_entry(item: &Value, name: &str, notes: &mut Vec<String>) -> Option<NavEntry> {
    let entry = match item {
        Value::String(target) => Some(NavEntry {
            target: Some(target.clone()),
            ..NavEntry::default()
        }),
        Value::Object(pair) if pair.len() == 1 => pair.iter().next().and_then(|(title, value)| {
            let title = Some(title.clone());
            match value {
                Value::Array(children) => Some(NavEntry {
                    title,
                    children: nav_entries(children, name, notes),
                    ..NavEntry::default()
                }),
                Value::String(target) => Some(NavEntry {
                    title,
                    target: Some(target.clone()),
                    ..NavEntry::default()
                }),
                _ => None,
            }
        }),
        _ => None,
    };
    if entry.is_none() {
        notes.push(format!(
            "the nav of {name} has an item that is neither a page, a link nor a section, left out: {}",
            shorten(&item.to_string()),
        ));
    }
    entry
}

/// At most 80 characters of `text`.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The extensions VitePress's and Astro's settings files are written with.
const CODE_EXTENSIONS: [&str; 6] = ["ts", "mts", "cts", "js", "mjs", "cjs"];

/// The first of `stem` + each code extension that is a file in `dir`, relative to `root`.
fn code_settings(root: &Path, dir: &Path, stem: &str) -> Option<String> {
    CODE_EXTENSIONS.iter().find_map(|extension| {
        let file = dir.join(format!("{stem}.{extension}"));
        file.is_file().then(|| {
            file.strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string()
        })
    })
}

/// A VitePress site with `.vitepress/` in `dir` or in `dir/docs`.
fn vitepress(dir: &Path) -> Option<Project> {
    let pages = [dir.to_path_buf(), dir.join("docs")]
        .into_iter()
        .find(|pages| pages.join(".vitepress").is_dir())?;
    let config = code_settings(dir, &pages.join(".vitepress"), "config");
    let public = pages.join("public");
    let mut project = Project::new(ProjectKind::VitePress, dir, pages).with_public(public);
    project.notes.push(match config {
        Some(config) => {
            format!("`{config}` is code and is not run: its title, nav and sidebar are not read")
        }
        None => "the `.vitepress` folder holds no config file folio knows".to_string(),
    });
    Some(project.note_nav())
}

/// A Starlight site: an Astro config and `src/content/docs/` in `dir`.
fn starlight(dir: &Path) -> Option<Project> {
    let config = code_settings(dir, dir, "astro.config")?;
    let pages = dir.join("src/content/docs");
    if !pages.is_dir() {
        return None;
    }
    let mut project =
        Project::new(ProjectKind::Starlight, dir, pages).with_public(dir.join("public"));
    project.notes.push(format!(
        "`{config}` is code and is not run: its title and sidebar are not read"
    ));
    Some(project.note_nav())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A temporary folder holding `files` (path, text); a path ending in `/` is a folder.
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            if path.to_string_lossy().ends_with('/') {
                fs::create_dir_all(&path).unwrap();
            } else {
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, text).unwrap();
            }
        }
        dir
    }

    fn page(target: &str) -> NavEntry {
        NavEntry {
            target: Some(target.into()),
            ..NavEntry::default()
        }
    }

    fn titled(title: &str, target: &str) -> NavEntry {
        NavEntry {
            title: Some(title.into()),
            ..page(target)
        }
    }

    fn section(title: &str, children: Vec<NavEntry>) -> NavEntry {
        NavEntry {
            title: Some(title.into()),
            children,
            ..NavEntry::default()
        }
    }

    fn error(dir: &tempfile::TempDir) -> Problem {
        let problem = Project::detect(dir.path()).unwrap_err();
        assert!(problem.is_error());
        problem
    }

    #[test]
    fn book_toml_is_mdbook_with_its_src_title_and_summary() {
        let dir = folder(&[
            (
                "book.toml",
                "[book]\ntitle = \"The Book\"\ndescription = \"All of it\"\nlanguage = \"de\"\nsrc = \"chapters\"\n\n[output.html]\nmathjax-support = true\n",
            ),
            ("chapters/SUMMARY.md", "- [One](one.md)\n"),
            ("public/", ""),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::MdBook);
        assert_eq!(project.root, dir.path());
        assert_eq!(project.pages, dir.path().join("chapters"));
        assert_eq!(project.public, None);
        assert_eq!(project.title.as_deref(), Some("The Book"));
        assert_eq!(project.description.as_deref(), Some("All of it"));
        assert_eq!(project.lang.as_deref(), Some("de"));
        assert_eq!(project.nav, Some(NavSource::Summary("SUMMARY.md".into())));
        assert_eq!(project.notes, Vec::<String>::new());
    }

    #[test]
    fn a_book_without_summary_takes_the_folder_tree() {
        let dir = folder(&[("book.toml", ""), ("src/intro.md", "# Intro\n")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::MdBook);
        assert_eq!(project.pages, dir.path().join("src"));
        assert_eq!(project.title, None);
        assert_eq!(project.nav, None);
        assert!(project.notes[0].contains("no `src/SUMMARY.md`"));
    }

    #[test]
    fn a_broken_book_toml_is_an_error_at_its_line() {
        let dir = folder(&[
            ("book.toml", "[book]\ntitle = \"A\"\nsrc = [\n"),
            ("src/", ""),
        ]);
        let problem = error(&dir);
        assert_eq!(problem.path, Path::new("book.toml"));
        assert!(problem.line >= 3, "{problem}");

        let dir = folder(&[("book.toml", "[book]\n\ntitle = 5\n"), ("src/", "")]);
        let problem = error(&dir);
        assert_eq!(problem.line, 3, "{problem}");
        assert!(problem.message.contains("string"), "{problem}");
    }

    #[test]
    fn a_missing_pages_folder_is_an_error_naming_it() {
        let dir = folder(&[("book.toml", "[book]\ntitle = \"A\"\nsrc = \"pages\"\n")]);
        let problem = error(&dir);
        assert_eq!(
            (problem.path.as_path(), problem.line),
            (Path::new("book.toml"), 3)
        );
        assert!(problem.message.contains("`pages`"), "{problem}");

        let dir = folder(&[("book.toml", "[book]\n")]);
        assert!(error(&dir).message.contains("`src`"));

        let dir = folder(&[("mkdocs.yml", "site_name: A\n\ndocs_dir: pages\n")]);
        let problem = error(&dir);
        assert_eq!(
            (problem.path.as_path(), problem.line),
            (Path::new("mkdocs.yml"), 3)
        );
        assert!(problem.message.contains("`pages`"), "{problem}");

        let dir = folder(&[("mkdocs.yml", "site_name: A\n")]);
        assert!(error(&dir).message.contains("`docs`"));
    }

    #[test]
    fn a_settings_file_that_cannot_be_read_is_an_error() {
        let dir = folder(&[("book.toml/", ""), ("src/", "")]);
        let problem = error(&dir);
        assert_eq!(problem.path, Path::new("book.toml"));
        assert!(problem.message.contains("not a regular file"), "{problem}");

        let dir = folder(&[("docs/", "")]);
        fs::write(dir.path().join("mkdocs.yml"), b"site_name: A\nnav: \xff\n").unwrap();
        assert_eq!(error(&dir).line, 2);
    }

    /// Material for MkDocs's own `mkdocs.yml` (squidfunk/mkdocs-material), trimmed: its
    /// Python tags, `!ENV`, and the nesting of its nav kept.
    const MATERIAL: &str = r#"# Project information
site_name: Material for MkDocs
site_url: https://squidfunk.github.io/mkdocs-material/
site_description: >-
  Write your documentation in Markdown and create a professional static site in
  minutes – searchable, customizable, in 60+ languages, for all devices

theme:
  name: material
  custom_dir: material/overrides
  features:
    - content.code.annotate
    # - content.tabs.link
    - navigation.indexes
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default

plugins:
  - search:
      separator: '[\s\u200b\-_,:!=\[\]()"`/]+|\.(?!\d)|&[lg]t;|(?!\b)(?=[A-Z][a-z])'

extra:
  analytics:
    provider: google
    property: !ENV GOOGLE_ANALYTICS_KEY

markdown_extensions:
  - pymdownx.emoji:
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
      emoji_index: !!python/name:material.extensions.emoji.twemoji
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.tabbed:
      alternate_style: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.snippets:
      base_path: !relative $config_dir
      check_paths: !ENV [SNIPPETS_CHECK, false]

not_in_nav: |
  /tutorials/**/*.md

# Page tree
nav:
  - Home: index.md
  - Getting started:
    - Installation: getting-started.md
    - Tutorials:
      - tutorials/index.md
      - "Blogs":
        - tutorials/blogs/basic.md
        - tutorials/blogs/navigation.md
    - Changelog:
      - changelog/index.md
      - How to upgrade: upgrade.md
  - Community:
    - Contributing:
      - contributing/index.md
      - Asking a question: https://github.com/squidfunk/mkdocs-material/discussions
  - Blog:
    - blog/index.md
"#;

    #[test]
    fn material_for_mkdocs_settings_with_python_tags() {
        let dir = folder(&[("mkdocs.yml", MATERIAL), ("docs/index.md", "# Home\n")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::MkDocs);
        assert_eq!(project.pages, dir.path().join("docs"));
        assert_eq!(project.public, None);
        assert_eq!(project.title.as_deref(), Some("Material for MkDocs"));
        assert!(
            project.description.as_deref().is_some_and(|d| d
                .starts_with("Write your documentation")
                && d.ends_with("devices"))
        );
        assert_eq!(project.lang, None);
        assert_eq!(project.notes, Vec::<String>::new());
        let expected = vec![
            titled("Home", "index.md"),
            section(
                "Getting started",
                vec![
                    titled("Installation", "getting-started.md"),
                    section(
                        "Tutorials",
                        vec![
                            page("tutorials/index.md"),
                            section(
                                "Blogs",
                                vec![
                                    page("tutorials/blogs/basic.md"),
                                    page("tutorials/blogs/navigation.md"),
                                ],
                            ),
                        ],
                    ),
                    section(
                        "Changelog",
                        vec![
                            page("changelog/index.md"),
                            titled("How to upgrade", "upgrade.md"),
                        ],
                    ),
                ],
            ),
            section(
                "Community",
                vec![section(
                    "Contributing",
                    vec![
                        page("contributing/index.md"),
                        titled(
                            "Asking a question",
                            "https://github.com/squidfunk/mkdocs-material/discussions",
                        ),
                    ],
                )],
            ),
            section("Blog", vec![page("blog/index.md")]),
        ];
        assert_eq!(project.nav, Some(NavSource::Entries(expected)));
    }

    #[test]
    fn tags_are_taken_out_and_lines_kept() {
        let text = "a: !!python/name:x.y\nb: !ENV [VAR, 'd']\nc:\n  - !relative $config_dir\nd: '- !gone'\ne: [!x 1, !y 2]\n";
        assert_eq!(
            untag(text),
            "a: \nb: [VAR, 'd']\nc:\n  - $config_dir\nd: '- '\ne: [1, 2]\n"
        );
        assert_eq!(untag(MATERIAL).lines().count(), MATERIAL.lines().count());
        assert!(serde_saphyr::from_str::<Value>(&untag(MATERIAL)).is_ok());
    }

    #[test]
    fn mkdocs_yaml_with_docs_dir_theme_language_and_env_defaults() {
        let dir = folder(&[
            (
                "mkdocs.yaml",
                "site_name: !ENV [SITE_NAME, 'Handbook']\ndocs_dir: pages\ntheme: {name: material, language: de}\nnav:\n  - intro.md\n  - 42\n",
            ),
            ("pages/", ""),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::MkDocs);
        assert_eq!(project.pages, dir.path().join("pages"));
        assert_eq!(project.title.as_deref(), Some("Handbook"));
        assert_eq!(project.lang.as_deref(), Some("de"));
        assert_eq!(
            project.nav,
            Some(NavSource::Entries(vec![page("intro.md")]))
        );
        assert!(
            project.notes[0].contains("left out: 42"),
            "{:?}",
            project.notes
        );
    }

    #[test]
    fn a_value_only_the_environment_gives_is_not_read() {
        let dir = folder(&[
            (
                "mkdocs.yml",
                "site_name: !ENV SITE_NAME
site_description: !ENV [DESCRIPTION, About]
",
            ),
            ("docs/", ""),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.title, None);
        assert_eq!(project.description.as_deref(), Some("About"));
        assert_eq!(
            project.notes[0],
            "the site_name of mkdocs.yml is the environment variable SITE_NAME, which is not read"
        );
    }

    #[test]
    fn tags_strict_yaml_refuses_are_read_without_them() {
        let dir = folder(&[
            (
                "mkdocs.yml",
                "site_name: Tagged\nextra:\n  logo: !!binary not-base64\n  list: !!seq {a: 1}\nnav:\n  - a.md\n",
            ),
            ("docs/", ""),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.title.as_deref(), Some("Tagged"));
        assert_eq!(project.nav, Some(NavSource::Entries(vec![page("a.md")])));
    }

    #[test]
    fn mkdocs_without_nav_takes_the_folder_tree() {
        let dir = folder(&[
            ("mkdocs.yml", "site_name: A\ntheme: readthedocs\n"),
            ("docs/", ""),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!((project.nav, project.lang), (None, None));
        assert!(project.notes[0].contains("no nav"));
    }

    #[test]
    fn a_broken_mkdocs_yml_is_an_error_at_its_line() {
        let dir = folder(&[
            (
                "mkdocs.yml",
                "site_name: A\nnav:\n  - Home: index.md\n - [broken\n",
            ),
            ("docs/", ""),
        ]);
        let problem = error(&dir);
        assert_eq!(problem.path, Path::new("mkdocs.yml"));
        assert!((3..=5).contains(&problem.line), "{problem}");

        let dir = folder(&[("mkdocs.yml", "- a\n- b\n"), ("docs/", "")]);
        assert!(error(&dir).message.contains("mapping"));
    }

    #[test]
    fn a_vitepress_folder_is_the_pages_with_its_public_folder() {
        let dir = folder(&[
            (".vitepress/config.mts", "export default {}\n"),
            ("public/logo.svg", "<svg/>"),
            ("index.md", "# Home\n"),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::VitePress);
        assert_eq!(project.pages, dir.path());
        assert_eq!(project.public, Some(dir.path().join("public")));
        assert_eq!(project.nav, None);
        assert_eq!(
            project.notes,
            [
                "`.vitepress/config.mts` is code and is not run: its title, nav and sidebar are not read; navigation comes from the folder tree"
            ]
        );
    }

    #[test]
    fn a_vitepress_site_in_docs() {
        let dir = folder(&[("docs/.vitepress/config.ts", ""), ("docs/index.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::VitePress);
        assert_eq!(project.root, dir.path());
        assert_eq!(project.pages, dir.path().join("docs"));
        assert_eq!(project.public, None);
        assert!(project.notes[0].starts_with("`docs/.vitepress/config.ts` is code"));
    }

    #[test]
    fn starlight_needs_an_astro_config_and_content_docs() {
        let dir = folder(&[
            ("astro.config.mjs", "export default defineConfig({})\n"),
            ("src/content/docs/index.mdx", ""),
            ("public/", ""),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::Starlight);
        assert_eq!(project.pages, dir.path().join("src/content/docs"));
        assert_eq!(project.public, Some(dir.path().join("public")));
        assert!(project.notes[0].starts_with("`astro.config.mjs` is code and is not run"));

        let dir = folder(&[("astro.config.ts", ""), ("src/pages/index.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::Folder);
    }

    #[test]
    fn anything_else_is_a_folder() {
        let dir = folder(&[("index.md", "# Home\n")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.kind, ProjectKind::Folder);
        assert_eq!(project.pages, dir.path());
        assert_eq!((project.public, project.nav), (None, None));
        assert_eq!(project.notes, Vec::<String>::new());

        let dir = folder(&[("index.md", ""), ("public/", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.public, Some(dir.path().join("public")));
    }

    #[test]
    fn book_toml_comes_before_mkdocs_and_vitepress() {
        let dir = folder(&[
            ("book.toml", ""),
            ("src/", ""),
            ("mkdocs.yml", "site_name: A\n"),
            (".vitepress/", ""),
        ]);
        assert_eq!(
            Project::detect(dir.path()).unwrap().kind,
            ProjectKind::MdBook
        );
    }

    #[test]
    fn folios_own_nav_wins_over_every_other_source() {
        let dir = folder(&[
            ("book.toml", ""),
            ("src/SUMMARY.md", "- [A](a.md)\n"),
            ("src/_nav.md", "- [B](b.md)\n"),
        ]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.nav, Some(NavSource::Summary("_nav.md".into())));
        assert_eq!(
            project.notes,
            ["the navigation comes from `_nav.md`; `SUMMARY.md` is not used"]
        );

        let dir = folder(&[("mkdocs.yml", "nav:\n  - a.md\n"), ("docs/_nav.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.nav, Some(NavSource::Summary("_nav.md".into())));
        assert!(project.notes[0].contains("the `nav` of mkdocs.yml is not used"));

        let dir = folder(&[(".vitepress/config.js", ""), ("_nav.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.nav, Some(NavSource::Summary("_nav.md".into())));
        assert!(project.notes[0].ends_with("navigation comes from `_nav.md`"));

        let dir = folder(&[("_nav.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.nav, Some(NavSource::Summary("_nav.md".into())));
        assert_eq!(project.notes, Vec::<String>::new());
    }

    #[test]
    fn own_nav_that_comes_or_goes_is_the_navigation_now() {
        let dir = folder(&[("mkdocs.yml", "nav:\n  - a.md\n"), ("docs/_nav.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join("docs/_nav.md")).unwrap();
        assert_eq!(
            project.nav_now(),
            Some(NavSource::Entries(vec![page("a.md")]))
        );

        let dir = folder(&[("index.md", "")]);
        let project = Project::detect(dir.path()).unwrap();
        assert_eq!(project.nav_now(), None);
        std::fs::write(dir.path().join("_nav.md"), "").unwrap();
        assert_eq!(
            project.nav_now(),
            Some(NavSource::Summary("_nav.md".into()))
        );
    }

    #[test]
    fn nav_files_are_not_pages() {
        let book = folder(&[("book.toml", ""), ("src/SUMMARY.md", "")]);
        let book = Project::detect(book.path()).unwrap();
        assert!(book.is_nav_file(Path::new("SUMMARY.md")));
        assert!(book.is_nav_file(Path::new("./SUMMARY.md")));
        assert!(book.is_nav_file(Path::new("_nav.md")));
        assert!(!book.is_nav_file(Path::new("guide/SUMMARY.md")));
        assert!(!book.is_nav_file(Path::new("guide/_nav.md")));
        assert!(!book.is_nav_file(Path::new("README.md")));

        let plain = folder(&[("SUMMARY.md", "")]);
        let plain = Project::detect(plain.path()).unwrap();
        assert!(!plain.is_nav_file(Path::new("SUMMARY.md")));
        assert!(plain.is_nav_file(Path::new("_nav.md")));
    }

    /// The corpus `name` unpacked into a temporary folder, or `None` when absent.
    fn corpus(name: &str) -> Option<tempfile::TempDir> {
        let archive = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpora")
            .join(format!("{name}.tar.gz"));
        if !archive.exists() {
            eprintln!("skipped: {} is not there", archive.display());
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "tar could not unpack {}",
            archive.display()
        );
        Some(dir)
    }

    #[test]
    fn the_mdbook_guide_is_an_mdbook() {
        let Some(dir) = corpus("mdbook-guide") else {
            return;
        };
        let root = dir.path().join("mdbook-guide");
        let project = Project::detect(&root).unwrap();
        assert_eq!(project.kind, ProjectKind::MdBook);
        assert_eq!(project.pages, root.join("src"));
        assert_eq!(project.title.as_deref(), Some("mdBook Documentation"));
        assert_eq!(project.lang.as_deref(), Some("en"));
        assert_eq!(project.nav, Some(NavSource::Summary("SUMMARY.md".into())));
    }

    #[test]
    fn the_vitepress_docs_are_a_vitepress_site() {
        let Some(dir) = corpus("vitepress-docs") else {
            return;
        };
        let root = dir.path().join("vitepress-docs");
        let project = Project::detect(&root).unwrap();
        assert_eq!(project.kind, ProjectKind::VitePress);
        assert_eq!(project.pages, root);
        assert_eq!(project.public, Some(root.join("public")));
        assert!(project.notes[0].starts_with("`.vitepress/config.ts` is code"));
    }
}

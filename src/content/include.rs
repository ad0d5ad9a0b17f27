//! Text a page takes from other files, as each tool writes it, spliced into the body
//! before the Markdown is read: so the HTML, the search text and the checks all see
//! what the reader sees.
//!
//! - mdBook: `{{#include file}}`, `{{#include file:anchor}}`, `{{#include file:2:10}}`,
//!   `{{#rustdoc_include file:2}}` (the lines left out become hidden `# ` lines),
//!   `{{#playground file}}` (a Rust block) and `{{#title Text}}`; `\{{#…}}` is the
//!   written text.
//! - VitePress: `<!--@include: ./file.md{3,10}-->` or `…/file.md#region-->`, and
//!   `<<< @/path#region{1,2 ts:line-numbers} [label]` as a code block of the file.
//!   `@/` is the content root; `<!--@@include:` is the written text.
//! - Material for MkDocs (pymdownx.snippets): `--8<-- "file"` alone on a line, with
//!   `:3:10` line ranges or `:name` sections, and the block form between two `--8<--`
//!   lines; `;--8<--` is the written text.
//!
//! Every path resolves inside the content root, through the one way in; a file that
//! is missing or outside it is an error at the line that names it, and the directive
//! is left out of the page. The syntaxes are small and line-based, and no crate reads
//! them outside the tools themselves, so they are read here.

use super::markdown::{Fence, LineMap};
use super::problem::Problem;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

/// Where included files are read from: the content root.
pub trait IncludeSource {
    /// The text of the file at `relative` (to the content root), or why it cannot be
    /// read.
    fn read_text(&self, relative: &Path) -> Result<String, String>;

    /// The text of the file at `relative` to the project root, which holds the
    /// content root (MkDocs' `docs/`): where pymdownx.snippets names files from.
    /// Without a project root around the content root, the content root's.
    fn read_project_text(&self, relative: &Path) -> Result<String, String> {
        self.read_text(relative)
    }

    /// The content root's path inside the project root (`docs`); empty when they are
    /// one folder.
    fn pages_prefix(&self) -> PathBuf {
        PathBuf::new()
    }
}

/// A body with what it includes spliced in.
#[derive(Debug, Default)]
pub struct Included {
    /// The body with every include replaced by the text it names.
    pub text: String,
    /// For each line of `text`, the body's line it came from.
    pub lines: LineMap,
    /// Every file the body named, found or not, relative to the content root: a change
    /// to any of them changes the page.
    pub files: Vec<PathBuf>,
    /// What could not be included, at the body's line.
    pub problems: Vec<Problem>,
    /// The title set by mdBook's `{{#title …}}`.
    pub title: Option<String>,
}

/// How deep includes may nest: mdBook stops at 10; a loop stops sooner.
const MAX_DEPTH: usize = 8;

/// The most bytes a page may take from other files in all: a file included many times
/// over at every level (`a` includes `b` ten times, `b` includes `c` ten times…) would
/// otherwise grow a page without bound.
const MAX_SPLICED_BYTES: usize = 16 * 1024 * 1024;

/// The markers that say a body may include something: a body without any is left as
/// it is, without a copy.
const MARKERS: [&str; 4] = ["{{#", "<!--@", "<<<", "--8<--"];

/// Splices into `body`, the body of the page at `page` (relative to the content root),
/// every file it includes; `None` when it includes nothing.
pub fn expand(page: &Path, body: &str, source: &dyn IncludeSource) -> Option<Included> {
    if !MARKERS.iter().any(|marker| body.contains(marker)) {
        return None;
    }
    // Paths are read relative to the project root, which holds the content root.
    let prefix = source.pages_prefix();
    let from = prefix.join(page);
    let mut splicer = Splicer {
        source,
        out: Included::default(),
        line: 1,
        stack: vec![prefix.join(page)],
        prefix: prefix.clone(),
        spliced: 0,
        exhausted: false,
        too_deep: false,
    };
    let mut text = String::with_capacity(body.len());
    let mut state = LineState::default();
    for (index, line) in body.split('\n').enumerate() {
        splicer.line = index + 1;
        let Some(spliced) = splicer.splice_line(line, &from, 0, &mut state) else {
            continue;
        };
        if index > 0 {
            text.push('\n');
        }
        splicer
            .out
            .lines
            .push_many(index + 1, spliced.matches('\n').count() + 1);
        text.push_str(&spliced);
    }
    text.push_str(&state.unclosed());
    splicer.out.text = text;
    splicer.out.files.sort();
    splicer.out.files.dedup();
    Some(splicer.out)
}

/// What reading a text line by line keeps between lines: the fence it is in, and a
/// block of snippet names being read.
#[derive(Default)]
struct LineState {
    /// The line that opened the fence the text is in.
    fence: Option<String>,
    /// The block's indentation and the names read so far.
    snippet_block: Option<(String, Vec<String>)>,
}

impl LineState {
    /// A block of snippet names never closed, as written.
    fn unclosed(&self) -> String {
        let Some((indent, names)) = &self.snippet_block else {
            return String::new();
        };
        let mut text = format!("\n{indent}--8<--");
        for name in names {
            text.push('\n');
            text.push_str(name);
        }
        text
    }
}

/// One expansion: where files are read, what was found so far, the body's line being
/// read, and the files being included (to stop a loop).
struct Splicer<'s> {
    source: &'s dyn IncludeSource,
    out: Included,
    line: usize,
    /// The files being included, relative to the project root.
    stack: Vec<PathBuf>,
    /// The content root's path in the project root.
    prefix: PathBuf,
    /// Bytes read from included files so far.
    spliced: usize,
    /// Whether the page was told its includes exceed the bound.
    exhausted: bool,
    /// Whether the page was told its includes nest too deep.
    too_deep: bool,
}

static MDBOOK: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(\\)?\{\{#(include|rustdoc_include|playground|title)(?:\s+([^}]*?))?\s*\}\}",
    )
    .expect("the mdBook pattern is valid")
});
static VITEPRESS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"<!--\s*(@)?@include:\s*(.*?)\s*-->").expect("the include pattern is valid")
});
static SNIPPET: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"^(\s*)(;)?--8<--\s+(?:"([^"]*)"|'([^']*)')\s*$"#)
        .expect("the snippet pattern is valid")
});
static IMPORT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^ {0,3}<<<\s+([^\s{#\[]+)(#[^\s{\[]*)?(\{[^}]*\})?\s*(\[[^\]]*\])?\s*$")
        .expect("the import pattern is valid")
});

impl Splicer<'_> {
    /// `line` of the file `from` with its includes spliced in; `None` for a line that
    /// belongs to a block of snippet names.
    fn splice_line(
        &mut self,
        line: &str,
        from: &Path,
        depth: usize,
        state: &mut LineState,
    ) -> Option<String> {
        // The block form of snippets: names between two `--8<--` lines.
        if let Some((indent, names)) = state.snippet_block.as_mut() {
            if line.trim() != "--8<--" {
                names.push(line.to_string());
                return None;
            }
            let (indent, names) = (std::mem::take(indent), std::mem::take(names));
            state.snippet_block = None;
            let mut parts = Vec::new();
            for name in names.iter().filter(|name| !name.trim().is_empty()) {
                if let Some(text) = self.snippet(name.trim(), from, depth) {
                    parts.push(indented(&text, &indent));
                }
            }
            return Some(parts.join("\n"));
        }
        let trimmed = line.trim_start();
        match &state.fence {
            Some(opening) => {
                if Fence::open(opening).is_some_and(|fence| fence.closed_by(line)) {
                    state.fence = None;
                }
            }
            None if Fence::open(line).is_some() => state.fence = Some(line.to_string()),
            None => {
                if let Some(captures) = IMPORT.captures(line) {
                    return Some(self.import(&captures, from));
                }
            }
        }
        if trimmed == "--8<--" {
            let indent = &line[..line.len() - trimmed.len()];
            state.snippet_block = Some((indent.to_string(), Vec::new()));
            return None;
        }
        if let Some(captures) = SNIPPET.captures(line) {
            let indent = captures.get(1).map_or("", |m| m.as_str());
            let name = (captures.get(3).or_else(|| captures.get(4))).map_or("", |m| m.as_str());
            if captures.get(2).is_some() {
                return Some(line.replacen(";--8<--", "--8<--", 1));
            }
            let text = self.snippet(name, from, depth).unwrap_or_default();
            return Some(indented(&text, indent));
        }
        let line = self.splice_vitepress(line, from, depth);
        Some(self.splice_mdbook(&line, from, depth))
    }

    /// Splices the text of each `<!--@include: …-->` into `line`.
    fn splice_vitepress<'l>(&mut self, line: &'l str, from: &Path, depth: usize) -> Cow<'l, str> {
        if !line.contains("<!--") {
            return line.into();
        }
        let mut spliced = String::new();
        let mut last = 0;
        for captures in VITEPRESS.captures_iter(line) {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            spliced.push_str(&line[last..whole.start()]);
            last = whole.end();
            let argument = captures.get(2).map_or("", |m| m.as_str());
            if captures.get(1).is_some() {
                spliced.push_str(&format!("<!--@include: {argument}-->"));
                continue;
            }
            let (path, selector) = split_selector(argument);
            let Some((relative, text)) = self.read(path, from, true) else {
                continue;
            };
            let chosen = match select_vitepress(&text, selector) {
                Ok(chosen) => chosen,
                Err(message) => {
                    self.problem(format!("include {argument}: {message}"));
                    continue;
                }
            };
            spliced.push_str(&self.nested(&chosen, &relative, depth));
        }
        if last == 0 {
            return line.into();
        }
        spliced.push_str(&line[last..]);
        spliced.into()
    }

    /// Splices mdBook's `{{#include}}`, `{{#rustdoc_include}}` and `{{#playground}}` into
    /// `line`, takes `{{#title}}` out of it, and unescapes `\{{#…}}`.
    fn splice_mdbook(&mut self, line: &str, from: &Path, depth: usize) -> String {
        if !line.contains("{{#") {
            return line.to_string();
        }
        let mut spliced = String::new();
        let mut last = 0;
        for captures in MDBOOK.captures_iter(line) {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            spliced.push_str(&line[last..whole.start()]);
            last = whole.end();
            if captures.get(1).is_some() {
                spliced.push_str(&whole.as_str()[1..]);
                continue;
            }
            let kind = captures.get(2).map_or("", |m| m.as_str());
            let argument = captures.get(3).map_or("", |m| m.as_str()).trim();
            if argument.is_empty() {
                // `{{#include}}` without a file is prose about the syntax.
                spliced.push_str(whole.as_str());
                continue;
            }
            if kind == "title" {
                if !argument.is_empty() {
                    self.out.title = Some(argument.to_string());
                }
                continue;
            }
            let (path, rest) = match kind {
                "playground" => argument
                    .split_once(char::is_whitespace)
                    .map_or((argument, ""), |(path, attributes)| {
                        (path, attributes.trim())
                    }),
                _ => (argument, ""),
            };
            let (path, range) = path.split_once(':').unwrap_or((path, ""));
            let Some((relative, text)) = self.read(path, from, false) else {
                continue;
            };
            let lines = match kind {
                "rustdoc_include" => rustdoc_lines(&text, range),
                _ => mdbook_lines(&text, range),
            };
            let Some(lines) = lines else {
                self.problem(format!("include {argument}: no anchor {range:?} in {path}"));
                continue;
            };
            match kind {
                "playground" => {
                    let attributes = rest.split_whitespace().collect::<Vec<_>>().join(",");
                    let info = match attributes.is_empty() {
                        true => "rust".to_string(),
                        false => format!("rust,{attributes}"),
                    };
                    spliced.push_str(&fenced(&info, &lines));
                }
                "include" => spliced.push_str(&self.nested(&lines, &relative, depth)),
                _ => spliced.push_str(&lines),
            }
        }
        spliced.push_str(&line[last..]);
        spliced
    }

    /// A VitePress `<<< path#region{lines lang} [label]` import as a fenced code block.
    fn import(&mut self, captures: &regex::Captures<'_>, from: &Path) -> String {
        let path = captures.get(1).map_or("", |m| m.as_str());
        let region = captures.get(2).map_or("", |m| &m.as_str()[1..]);
        let braces = captures.get(3).map_or("", |m| m.as_str());
        let label = captures.get(4).map_or("", |m| m.as_str());
        let Some((relative, text)) = self.read(path, from, true) else {
            return String::new();
        };
        let code = match region.is_empty() {
            true => strip_region_markers(&text),
            false => match region_of(&text, region) {
                Some(code) => code,
                None => {
                    self.problem(format!("import {path}: no region {region:?}"));
                    return String::new();
                }
            },
        };
        let inner = braces.trim_start_matches('{').trim_end_matches('}').trim();
        let (lines, rest) = match inner.split_once(' ') {
            Some((lines, rest)) if is_line_list(lines) => (lines, rest.trim()),
            _ if is_line_list(inner) => (inner, ""),
            _ => ("", inner),
        };
        let (lang, options) = rest.split_once(':').map_or((rest, ""), |(l, o)| (l, o));
        let lang = match lang.is_empty() {
            true => relative
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_string(),
            false => lang.to_string(),
        };
        let mut info = lang;
        if !lines.is_empty() {
            info.push_str(&format!("{{{lines}}}"));
        }
        if !options.is_empty() {
            info.push_str(&format!(":{options}"));
        }
        if !label.is_empty() {
            info.push_str(&format!(" {label}"));
        }
        fenced(&info, code.trim_end_matches('\n'))
    }

    /// The text of the snippet `name` (`file`, `file:3:10`, `file:section`), nested
    /// snippets spliced in; `None` when it cannot be had (noted).
    fn snippet(&mut self, name: &str, from: &Path, depth: usize) -> Option<String> {
        if name.contains("://") {
            self.problem(format!("snippet {name}: remote snippets are not fetched"));
            return None;
        }
        let (path, selector) = snippet_selector(name);
        let (relative, text) = self.read_snippet(path, from)?;
        let chosen = match select_snippet(&text, selector) {
            Ok(chosen) => chosen,
            Err(message) => {
                self.problem(format!("snippet {name}: {message}"));
                return None;
            }
        };
        Some(self.nested(&chosen, &relative, depth))
    }

    /// Reads a snippet as pymdownx.snippets finds it: from the project root, else
    /// beside the page, else from the content root.
    fn read_snippet(&mut self, path: &str, from: &Path) -> Option<(PathBuf, String)> {
        if self.over_budget() {
            return None;
        }
        let candidates = [
            normal(Path::new(path)),
            from.parent().and_then(|folder| normal(&folder.join(path))),
            normal(&self.prefix.join(path)),
        ];
        for candidate in candidates.into_iter().flatten() {
            if let Ok(text) = self.fetch(&candidate) {
                return Some((candidate, text));
            }
        }
        self.problem(format!("snippet {path}: no such file"));
        None
    }

    /// Reads `path` as written in the file `from`: relative to that file's folder, or
    /// to the content root when it starts with `/` or, where `at_root`, with `@/`.
    /// Notes the file as a dependency and any problem at the body's line.
    fn read(&mut self, path: &str, from: &Path, at_root: bool) -> Option<(PathBuf, String)> {
        if self.over_budget() {
            return None;
        }
        let written = path;
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let joined = match (at_root, path.strip_prefix("@/"), path.strip_prefix('/')) {
            (true, Some(rooted), _) => self.prefix.join(rooted),
            (_, _, Some(rooted)) => self.prefix.join(rooted),
            _ => from.parent().unwrap_or(Path::new("")).join(path.as_ref()),
        };
        let Some(relative) = normal(&joined) else {
            self.problem(format!("include {written}: outside the content folder"));
            return None;
        };
        if self.stack.contains(&relative) {
            self.problem(format!("include {written}: includes itself"));
            return None;
        }
        match self.fetch(&relative) {
            Ok(text) => Some((relative, text)),
            Err(reason) => {
                self.problem(format!("include {written}: {reason}"));
                None
            }
        }
    }

    /// Whether the page has taken all it may from other files; said once, at the
    /// line where it happened.
    fn over_budget(&mut self) -> bool {
        if self.spliced <= MAX_SPLICED_BYTES {
            return false;
        }
        if !self.exhausted {
            self.exhausted = true;
            self.problem(format!(
                "the page's includes exceed {} MiB; the rest are left out",
                MAX_SPLICED_BYTES >> 20
            ));
        }
        true
    }

    /// The text of the file at `relative` to the project root. A file in the content
    /// root is noted as a dependency, found or not; one beside it in the project (an
    /// mdBook's `listings/`, MkDocs' `includes/`) is read but not watched.
    fn fetch(&mut self, relative: &Path) -> Result<String, String> {
        let text = match relative.strip_prefix(&self.prefix) {
            Ok(inside) => {
                self.out.files.push(inside.to_path_buf());
                self.source.read_text(inside)
            }
            Err(_) => self.source.read_project_text(relative),
        };
        let text = text?;
        self.spliced += text.len();
        Ok(text.replace("\r\n", "\n"))
    }

    /// `text`, read from the file `relative`, with what it includes spliced in, one
    /// level deeper.
    fn nested(&mut self, text: &str, relative: &Path, depth: usize) -> String {
        if depth + 1 >= MAX_DEPTH {
            // Said once: a file included many times at the deepest level is one fault.
            if !self.too_deep {
                self.too_deep = true;
                self.problem(format!(
                    "include {}: includes nest deeper than {MAX_DEPTH}",
                    relative.display()
                ));
            }
            return String::new();
        }
        if !MARKERS.iter().any(|marker| text.contains(marker)) {
            return text.to_string();
        }
        self.stack.push(relative.to_path_buf());
        let mut out = String::with_capacity(text.len());
        let mut state = LineState::default();
        for line in text.split('\n') {
            if let Some(spliced) = self.splice_line(line, relative, depth + 1, &mut state) {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&spliced);
            }
        }
        out.push_str(&state.unclosed());
        self.stack.pop();
        out
    }

    fn problem(&mut self, message: String) {
        self.out.problems.push(Problem::error(self.line, message));
    }
}

/// `text` with every line but empty ones indented by `indent`.
fn indented(text: &str, indent: &str) -> String {
    if indent.is_empty() {
        return text.to_string();
    }
    text.split('\n')
        .map(|line| match line.is_empty() {
            true => String::new(),
            false => format!("{indent}{line}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fenced code block of `code` with `info`, its fence longer than any run of
/// backticks in the code.
fn fenced(info: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{info}\n{code}\n{fence}")
}

/// `path` with `.` and `..` resolved, relative to the content root; `None` when it
/// climbs out of it.
fn normal(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.iter().collect())
}

/// Whether `text` is a list of lines and ranges: `1,2,4-6`.
fn is_line_list(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '-')
}

/// Splits a VitePress include argument into its path and its `#region{3,10}` part.
fn split_selector(argument: &str) -> (&str, &str) {
    match argument.find(['#', '{']) {
        Some(at) => (&argument[..at], &argument[at..]),
        None => (argument, ""),
    }
}

/// The part of `text` a VitePress selector names: `#region` (a `#region` block, else
/// the section under the heading with that id), then `{3,10}` lines of it.
fn select_vitepress(text: &str, selector: &str) -> Result<String, String> {
    let (region, lines) = match selector.find('{') {
        Some(at) => (&selector[..at], &selector[at..]),
        None => (selector, ""),
    };
    let region = region.trim_start_matches('#');
    let text: String = match region.is_empty() {
        true => text.to_string(),
        false => region_of(text, region)
            .or_else(|| section_of(text, region))
            .ok_or_else(|| format!("no region or heading {region:?}"))?,
    };
    let lines = lines.trim_start_matches('{').trim_end_matches('}');
    if lines.is_empty() {
        return Ok(text.trim_end_matches('\n').to_string());
    }
    let (start, end) = lines.split_once(',').unwrap_or((lines, lines));
    let start = start.trim().parse::<usize>().unwrap_or(1).max(1);
    let end = end.trim().parse::<usize>().unwrap_or(usize::MAX);
    Ok(text
        .lines()
        .skip(start - 1)
        .take(end.saturating_sub(start - 1))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The lines between `#region name` and `#endregion name` (in any comment style), the
/// markers of other regions left out.
fn region_of(text: &str, name: &str) -> Option<String> {
    let opens = |line: &str| region_marker(line, "region").is_some_and(|n| n == name);
    let closes =
        |line: &str| region_marker(line, "endregion").is_some_and(|n| n == name || n.is_empty());
    let mut lines = text.lines();
    lines.find(|line| opens(line))?;
    let inside: Vec<&str> = lines.take_while(|line| !closes(line)).collect();
    Some(strip_region_markers(&inside.join("\n")))
}

/// The name after a `#region` or `#endregion` marker on `line`, when it has one.
fn region_marker<'l>(line: &'l str, word: &str) -> Option<&'l str> {
    let trimmed = line.trim();
    let after = trimmed.find(&format!("#{word}"))?;
    let before = trimmed[..after].trim();
    if !matches!(before, "" | "//" | "/*" | "<!--" | "#" | "--" | "{/*") {
        return None;
    }
    let rest = &trimmed[after + word.len() + 1..];
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some(
        rest.trim_end_matches("-->")
            .trim_end_matches("*/}")
            .trim_end_matches("*/")
            .trim(),
    )
}

/// `text` without its region marker lines.
fn strip_region_markers(text: &str) -> String {
    text.lines()
        .filter(|line| {
            region_marker(line, "region").is_none() && region_marker(line, "endregion").is_none()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The section of a Markdown text under the heading whose slug is `id`, down to the
/// next heading of the same or a higher level.
fn section_of(text: &str, id: &str) -> Option<String> {
    let mut lines = text.lines();
    let level = lines.by_ref().find_map(|line| {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        let title = line[hashes..].trim();
        ((1..=6).contains(&hashes) && super::markdown::slug(title) == id).then_some(hashes)
    })?;
    let inside: Vec<&str> = lines
        .take_while(|line| {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            !((1..=level).contains(&hashes) && line[hashes..].starts_with(' '))
        })
        .collect();
    Some(inside.join("\n").trim_matches('\n').to_string())
}

static ANCHOR: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"ANCHOR(_END)?:\s*([\w_-]+)").expect("the anchor pattern is valid")
});

/// The lines mdBook's `{{#include file:range}}` takes: `2` (line 2), `:10`, `2:`, `2:10`,
/// or an anchor's lines (other anchors' markers left out); `None` for an anchor that
/// is not in the file.
fn mdbook_lines(text: &str, range: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    match mdbook_range(range, lines.len()) {
        MdBookRange::Lines(start, end) => Some(lines[start.min(end)..end].join("\n")),
        MdBookRange::Anchor(name) => {
            let (start, end) = anchor_span(&lines, name)?;
            Some(
                lines[start..end]
                    .iter()
                    .filter(|line| !ANCHOR.is_match(line))
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }
    }
}

/// The lines of `{{#rustdoc_include file:range}}`: all of the file, those outside the
/// range or anchor hidden as `# ` lines, anchor markers left out.
fn rustdoc_lines(text: &str, range: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let (start, end) = match mdbook_range(range, lines.len()) {
        MdBookRange::Lines(start, end) => (start, end),
        MdBookRange::Anchor(name) => anchor_span(&lines, name)?,
    };
    Some(
        lines
            .iter()
            .enumerate()
            .filter(|(_, line)| !ANCHOR.is_match(line))
            .map(|(at, line)| match (start..end).contains(&at) {
                true => (*line).to_string(),
                false if line.is_empty() => "#".to_string(),
                false => format!("# {line}"),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// What an mdBook include's `:…` part names.
enum MdBookRange<'r> {
    /// Lines `start..end`, 0-based, clamped to the file.
    Lines(usize, usize),
    /// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(&'r str),
}

/// Reads an mdBook range as mdBook does: `2` is line 2 alone, `2:` from line 2 on,
/// `:10` up to line 10, `2:10` lines 2 to 10; a word is an anchor.
fn mdbook_range(range: &str, count: usize) -> MdBookRange<'_> {
    let mut parts = range.splitn(2, ':');
    let first = parts.next().unwrap_or("");
    let second = parts.next();
    let start = match first.parse::<usize>() {
        Ok(line) => Some(line.saturating_sub(1)),
        Err(_) if first.is_empty() => None,
        Err(_) => return MdBookRange::Anchor(first),
    };
    let end = second.map(|end| end.parse::<usize>().ok());
    let (start, end) = match (start, end) {
        (Some(start), Some(Some(end))) => (start, end),
        (Some(start), Some(None)) => (start, count),
        (Some(start), None) => (start, start + 1),
        (None, Some(Some(end))) => (0, end),
        (None, _) => (0, count),
    };
    MdBookRange::Lines(start.min(count), end.min(count))
}

/// The 0-based span of lines inside the anchor `name`: after its `ANCHOR:` line, up to
/// its `ANCHOR_END:` line (or the end).
fn anchor_span(lines: &[&str], name: &str) -> Option<(usize, usize)> {
    let named = |line: &str, end: bool| {
        ANCHOR.captures(line).is_some_and(|c| {
            c.get(1).is_some() == end && c.get(2).is_some_and(|n| n.as_str() == name)
        })
    };
    let open = lines.iter().position(|line| named(line, false))?;
    let close = lines[open + 1..]
        .iter()
        .position(|line| named(line, true))
        .map_or(lines.len(), |at| open + 1 + at);
    Some((open + 1, close))
}

/// Splits a snippet name into its path and its `:3:10` or `:section` part (a Windows
/// drive letter is not a part).
fn snippet_selector(name: &str) -> (&str, &str) {
    match name.find(':') {
        Some(at) if at > 1 => (&name[..at], &name[at + 1..]),
        _ => (name, ""),
    }
}

static SECTION: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"--8<--\s*\[(start|end):([\w-]+)\]").expect("the section pattern is valid")
});

/// The part of a snippet a selector names: lines `3:10` (`3` alone runs to the end;
/// several ranges joined by `,`) or a section between `--8<-- [start:name]` and
/// `--8<-- [end:name]`; section markers are left out.
fn select_snippet(text: &str, selector: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let keep = |line: &str| !SECTION.is_match(line);
    if selector.is_empty() {
        return Ok(lines
            .into_iter()
            .filter(|l| keep(l))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    if selector
        .chars()
        .all(|c| c.is_ascii_digit() || c == ':' || c == ',')
    {
        let mut chosen = Vec::new();
        for range in selector.split(',') {
            let (start, end) = range.split_once(':').unwrap_or((range, ""));
            let start = start.parse::<usize>().unwrap_or(1).max(1) - 1;
            let end = end.parse::<usize>().unwrap_or(lines.len()).min(lines.len());
            let range = lines.get(start..end.max(start)).unwrap_or(&[]);
            chosen.extend(range.iter().copied().filter(|l| keep(l)));
        }
        return Ok(chosen.join("\n"));
    }
    let marks = |line: &str, kind: &str| {
        SECTION
            .captures(line)
            .is_some_and(|c| &c[1] == kind && &c[2] == selector)
    };
    let open = lines
        .iter()
        .position(|line| marks(line, "start"))
        .ok_or_else(|| format!("no section {selector:?}"))?;
    let inside = lines[open + 1..]
        .iter()
        .take_while(|line| !marks(line, "end"))
        .copied()
        .filter(|l| keep(l))
        .collect::<Vec<_>>();
    Ok(inside.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Files(HashMap<&'static str, &'static str>);

    impl IncludeSource for Files {
        fn read_text(&self, relative: &Path) -> Result<String, String> {
            let key = relative.to_str().unwrap_or("");
            self.0
                .get(key)
                .map(|text| text.to_string())
                .ok_or_else(|| "no such file".to_string())
        }
    }

    fn files(list: &[(&'static str, &'static str)]) -> Files {
        Files(list.iter().copied().collect())
    }

    const CODE: &str =
        "fn main() {\n    // ANCHOR: body\n    let x = 1;\n    // ANCHOR_END: body\n}\n";

    /// A project whose pages are in `src/`, with files beside it.
    struct Book {
        pages: Files,
        project: Files,
    }

    impl IncludeSource for Book {
        fn read_text(&self, relative: &Path) -> Result<String, String> {
            self.pages.read_text(relative)
        }
        fn read_project_text(&self, relative: &Path) -> Result<String, String> {
            self.project.read_text(relative)
        }
        fn pages_prefix(&self) -> PathBuf {
            PathBuf::from("src")
        }
    }

    #[test]
    fn files_beside_the_content_root_in_the_project_are_read_but_not_watched() {
        let book = Book {
            pages: files(&[("ch1/note.md", "a note")]),
            project: files(&[
                ("listings/ch1/main.rs", "fn main() {}"),
                ("includes/abbr.md", "*[X]: x"),
            ]),
        };
        let body = "{{#include ../../listings/ch1/main.rs}}\n{{#include note.md}}\n--8<-- \"includes/abbr.md\"\n{{#include ../../../up.rs}}";
        let out = expand(Path::new("ch1/page.md"), body, &book).unwrap();
        assert_eq!(out.text, "fn main() {}\na note\n*[X]: x\n");
        assert_eq!(out.files, [PathBuf::from("ch1/note.md")]);
        assert_eq!(out.problems.len(), 1);
        assert!(
            out.problems[0]
                .message
                .contains("outside the content folder")
        );
    }

    #[test]
    fn includes_that_multiply_stop_at_a_bound() {
        // Each level includes the next ten times: 10^6 copies of a 64 kB file unbounded.
        let big: &'static str = Box::leak("x".repeat(64 * 1024).into_boxed_str());
        let level = |next: &str| -> &'static str {
            Box::leak(
                format!("{{{{#include {next}}}}}\n")
                    .repeat(10)
                    .into_boxed_str(),
            )
        };
        let mut list = vec![("l6.md", big)];
        for n in (0..6).rev() {
            let name: &'static str = Box::leak(format!("l{n}.md").into_boxed_str());
            let next = format!("l{}.md", n + 1);
            list.push((name, level(&next)));
        }
        let out = expand(Path::new("p.md"), "{{#include l0.md}}", &files(&list)).unwrap();
        assert!(
            out.text.len() < 2 * MAX_SPLICED_BYTES,
            "{} bytes",
            out.text.len()
        );
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems.first());
        assert!(out.problems[0].message.contains("exceed 16 MiB"));
    }

    #[test]
    fn a_body_without_markers_is_not_copied() {
        assert!(expand(Path::new("a.md"), "# A\n\ntext {{ x }}\n", &files(&[])).is_none());
    }

    #[test]
    fn mdbook_includes_lines_and_anchors() {
        let source = files(&[("ch/code.rs", CODE), ("ch/part.md", "Part *one*.")]);
        let body = "{{#title Custom}}\n# Ch\n\n{{#include part.md}}\n\n```rust\n{{#include code.rs:body}}\n```\n\n```\n{{#include code.rs:2:3}}\n{{#include code.rs:1}}\n```\n\\{{#include code.rs}}\n";
        let out = expand(Path::new("ch/page.md"), body, &source).unwrap();
        assert_eq!(out.title.as_deref(), Some("Custom"));
        assert!(out.text.contains("\nPart *one*.\n"), "{}", out.text);
        assert!(
            out.text.contains("```rust\n    let x = 1;\n```"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("```\n    // ANCHOR: body\n    let x = 1;\nfn main() {\n```"),
            "{}",
            out.text
        );
        assert!(out.text.ends_with("{{#include code.rs}}\n"), "{}", out.text);
        assert_eq!(
            out.files,
            [PathBuf::from("ch/code.rs"), PathBuf::from("ch/part.md")]
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
    }

    #[test]
    fn rustdoc_include_hides_the_lines_outside_its_range() {
        let source = files(&[("code.rs", CODE)]);
        let out = expand(
            Path::new("p.md"),
            "```rust\n{{#rustdoc_include code.rs:body}}\n```",
            &source,
        )
        .unwrap();
        assert_eq!(out.text, "```rust\n# fn main() {\n    let x = 1;\n# }\n```");
        let out = expand(
            Path::new("p.md"),
            "{{#playground code.rs editable}}",
            &source,
        )
        .unwrap();
        assert!(
            out.text.starts_with("```rust,editable\nfn main() {"),
            "{}",
            out.text
        );
    }

    #[test]
    fn lines_map_back_to_the_directive() {
        let source = files(&[("part.md", "one\ntwo\nthree")]);
        let out = expand(
            Path::new("p.md"),
            "a\n{{#include part.md}}\nb [x](y.md)",
            &source,
        )
        .unwrap();
        assert_eq!(out.text, "a\none\ntwo\nthree\nb [x](y.md)");
        assert_eq!(
            (1..=5).map(|l| out.lines.line(l)).collect::<Vec<_>>(),
            [1, 2, 2, 2, 3]
        );
    }

    #[test]
    fn missing_escaping_and_looping_includes_are_errors_at_their_line() {
        let source = files(&[("loop.md", "{{#include loop.md}}"), ("a/b.md", "x")]);
        let body = "x\n{{#include gone.md}}\n{{#include ../../etc/passwd}}\n{{#include loop.md}}\n<!--@include: ./a/b.md{9,-->";
        let out = expand(Path::new("p.md"), body, &source).unwrap();
        let lines: Vec<usize> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(out.problems.iter().all(Problem::is_error));
        assert!(
            out.problems[1]
                .message
                .contains("outside the content folder")
        );
        assert!(out.problems[2].message.contains("includes itself"));
        assert!(!out.text.contains("{{#include"), "{}", out.text);
    }

    #[test]
    fn vitepress_includes_take_lines_regions_and_sections() {
        let part = "# Part\n\n## Basic usage\n\nline a\nline b\n\n## Other\n\nno\n<!-- #region r -->\nin region\n<!-- #endregion r -->\n";
        let source = files(&[
            ("parts/basics.md", part),
            ("g/p2.md", "nested <!--@include: @/parts/basics.md{1,1}-->"),
        ]);
        let body = "<!--@include: ./parts/basics.md{3,4}-->\n\n<!--@include: ./parts/basics.md#basic-usage{,2}-->\n\n<!--@include: ./parts/basics.md#r-->\n\n<!--@include: ./g/p2.md-->\n\n<!--@@include: ./x.md-->";
        let out = expand(Path::new("index.md"), body, &source).unwrap();
        assert_eq!(
            out.text,
            "## Basic usage\n\n\nline a\nline b\n\nin region\n\nnested # Part\n\n<!--@include: ./x.md-->"
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
    }

    #[test]
    fn vitepress_imports_become_code_blocks() {
        let js = "export default {\n  // #region snippet\n  a: 1,\n  // #endregion snippet\n}\n";
        let source = files(&[("snippets/s.js", js), ("snippets/x.cs", "class X {}")]);
        let body = "<<< @/snippets/s.js\n\n<<< @/snippets/s.js#snippet{1 ts:line-numbers} [with region]\n\n<<< ../snippets/x.cs{c#}\n\n```md\n<<< @/snippets/s.js\n```";
        let out = expand(Path::new("guide/p.md"), body, &source).unwrap();
        assert!(
            out.text
                .starts_with("```js\nexport default {\n  a: 1,\n}\n```"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("```ts{1}:line-numbers [with region]\n  a: 1,\n```"),
            "{}",
            out.text
        );
        assert!(out.text.contains("```c#\nclass X {}\n```"), "{}", out.text);
        assert!(
            out.text.ends_with("```md\n<<< @/snippets/s.js\n```"),
            "{}",
            out.text
        );
    }

    #[test]
    fn a_deeper_fence_inside_a_fence_keeps_an_import_as_code() {
        let source = files(&[("s.js", "let a = 1;")]);
        let body = "```md\n    ```\n<<< @/s.js\n```\n\n<<< @/s.js";
        let out = expand(Path::new("p.md"), body, &source).unwrap();
        assert_eq!(
            out.text,
            "```md\n    ```\n<<< @/s.js\n```\n\n```js\nlet a = 1;\n```"
        );
    }

    #[test]
    fn mkdocs_snippets_take_files_lines_and_sections_with_indentation() {
        let abbr = "*[HTML]: Hyper Text\n--8<-- [start:part]\ninside\n--8<-- [end:part]\nlast";
        let source = files(&[("includes/abbr.md", abbr), ("docs/x.md", "one\ntwo\nthree")]);
        let body = "--8<-- \"includes/abbr.md\"\n\n!!! note\n    --8<-- \"docs/x.md:2:3\"\n\n--8<-- \"includes/abbr.md:part\"\n\n--8<--\ndocs/x.md\n--8<--\n;--8<-- \"docs/x.md\"";
        let out = expand(Path::new("docs/p.md"), body, &source).unwrap();
        assert_eq!(
            out.text,
            "*[HTML]: Hyper Text\ninside\nlast\n\n!!! note\n    two\n    three\n\ninside\n\none\ntwo\nthree\n--8<-- \"docs/x.md\""
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
    }
}

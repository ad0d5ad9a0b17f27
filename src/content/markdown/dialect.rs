//! Block syntax of other documentation tools, turned into CommonMark and HTML wrappers
//! before pulldown-cmark reads a body: VitePress containers (`::: tip`), Material for
//! MkDocs admonitions (`!!! note`), collapsible blocks (`??? note`, `???+ note`) and
//! content tabs (`=== "Label"`), and pymdownx's generic blocks (`/// note | Title` …
//! `///`, with `admonition`, `details` and `tab`).
//!
//! It owns only the block structure; what is inside a block is Markdown and is read by
//! the one pass in `mod.rs`. Fenced code is never touched: a marker in a fence is code.
//!
//! The parser is written by hand because no maintained crate reads these syntaxes over
//! pulldown-cmark: markdown-it-container and Python-Markdown's admonition, details and
//! tabbed extensions are plugins of other parsers. Each is line based, so a line pass
//! that writes an HTML wrapper with blank lines around it (so what is inside is parsed
//! as Markdown) gives the same structure, and a [`LineMap`] carries every rewritten line
//! back to the line written.

use super::LineMap;
use super::inline::inline_html;
use crate::html::escape_html;
use std::ops::Range;
use std::sync::LazyLock;

/// A body rewritten: its text, where each line came from, and the rewritten lines
/// where `{{ }}` is shown as written without a warning (`::: v-pre`, `::: raw`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Dialect {
    /// The body as CommonMark with HTML wrappers.
    pub text: String,
    /// The written line of each rewritten line.
    pub lines: LineMap,
    /// Rewritten lines (1-based, end exclusive) inside `::: v-pre` or `::: raw`.
    pub verbatim: Vec<Range<usize>>,
}

/// How deep blocks nest before markers are read as text: a bound on the recursion a
/// hostile page could ask for.
const MAX_DEPTH: usize = 16;

/// Rewrites the block syntax of `body`; `None` (and nothing allocated) when it has
/// none of the markers, as most pages have not.
pub fn rewrite(body: &str) -> Option<Dialect> {
    let marked = [":::", "!!!", "???", "===", "///", " markdown"]
        .iter()
        .any(|marker| body.contains(marker));
    if !marked {
        return None;
    }
    let lines: Vec<Line<'_>> = body
        .lines()
        .enumerate()
        .map(|(index, text)| Line {
            text,
            origin: index + 1,
        })
        .collect();
    let mut out = Out::default();
    block(&lines, 0, &mut out);
    if out.changed {
        Some(Dialect {
            text: out.text,
            lines: out.lines,
            verbatim: out.verbatim,
        })
    } else {
        None
    }
}

/// A line of the text being read, with the written line it came from.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    origin: usize,
}

/// The rewritten text being written.
#[derive(Debug, Default)]
struct Out {
    text: String,
    lines: LineMap,
    verbatim: Vec<Range<usize>>,
    /// Lines written so far.
    count: usize,
    /// Whether any block syntax was found.
    changed: bool,
}

impl Out {
    fn push(&mut self, indent: &str, text: &str, origin: usize) {
        if !text.is_empty() {
            self.text.push_str(indent);
        }
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(origin);
        self.count += 1;
    }

    /// Writes a wrapper's HTML line(s) with a blank line on each side, so what
    /// follows is Markdown again.
    fn wrapper(&mut self, indent: &str, html: &str, origin: usize) {
        self.changed = true;
        self.push("", "", origin);
        for line in html.lines() {
            self.push(indent, line, origin);
        }
        self.push("", "", origin);
    }
}

/// An open `:::` container: its colons and how it closes.
struct Container {
    colons: usize,
    close: &'static str,
    code_group: bool,
    /// A `::: tabs` container, and whether one of its tabs is open.
    tabs: bool,
    tab_open: bool,
    /// The first rewritten line of a `v-pre` or `raw` container.
    verbatim_from: Option<usize>,
    indent: String,
}

/// Reads `lines` (already dedented) into `out`, `depth` blocks deep.
fn block(lines: &[Line<'_>], depth: usize, out: &mut Out) {
    let mut containers: Vec<Container> = Vec::new();
    let mut blocks = Blocks::default();
    // HTML elements open with a `markdown` attribute, whose content is Markdown.
    let mut markdown_elements = 0usize;
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        if !line.text.trim().is_empty() {
            match blocks.read(lines, at, depth, out) {
                Some(next) => {
                    at = next;
                    continue;
                }
                None => blocks.end_set(out, line.origin),
            }
        }
        if let Some(fence) = Fence::open(line.text) {
            let in_group = containers.last().is_some_and(|c| c.code_group);
            let end = fence.end(lines, at + 1);
            if in_group && !fence.info.contains('[') {
                let lang = fence.info.split_whitespace().next().unwrap_or("text");
                let info = if fence.info.trim().is_empty() {
                    "text [text]".to_string()
                } else {
                    format!("{} [{lang}]", fence.info.trim_end())
                };
                out.changed = true;
                out.push(
                    fence.indent,
                    &format!("{}{info}", fence.marker),
                    line.origin,
                );
            } else {
                out.push("", line.text, line.origin);
            }
            for inner in &lines[at + 1..end] {
                out.push("", inner.text, inner.origin);
            }
            at = end;
            continue;
        }
        if depth < MAX_DEPTH
            && let Some(first) = definition_marker(line.text)
        {
            // Python-Markdown's def_list: `:   !!! note` holds a block in a definition
            // whose lines are indented four columns; it is read as a block of its own.
            let mut inner = vec![Line {
                text: first,
                origin: line.origin,
            }];
            let held = body(lines, at + 1, 4);
            let next = at + 1 + held.len();
            inner.extend(held);
            out.changed = true;
            block(&inner, depth + 1, out);
            at = next;
            continue;
        }
        if depth < MAX_DEPTH {
            if let Some(next) = admonition(lines, at, depth, out) {
                at = next;
                continue;
            }
            if let Some(next) = tabs(lines, at, depth, out) {
                at = next;
                continue;
            }
        }
        if let Some(open) = containers.last_mut().filter(|c| c.tabs)
            && let Some(label) = plugin_tab(line.text)
        {
            let close = if open.tab_open { "</div>\n" } else { "" };
            open.tab_open = true;
            let html = format!(
                "{close}<div class=\"tabbed-block\">\n<p class=\"tabbed-label\">{}</p>",
                inline_html(label)
            );
            let indent = open.indent.clone();
            out.wrapper(&indent, &html, line.origin);
            at += 1;
            continue;
        }
        if let Some((colons, rest)) = colon_marker(line.text) {
            let indent = leading(line.text);
            if rest.is_empty() {
                if containers.last().is_some_and(|c| colons >= c.colons) {
                    if let Some(open) = containers.pop() {
                        if let Some(from) = open.verbatim_from {
                            out.verbatim.push(from..out.count + 1);
                        }
                        if open.close.is_empty() {
                            out.changed = true;
                            out.push("", "", line.origin);
                        } else if open.tab_open {
                            let close = format!("</div>\n{}", open.close);
                            out.wrapper(&open.indent, &close, line.origin);
                        } else {
                            out.wrapper(&open.indent, open.close, line.origin);
                        }
                    }
                    at += 1;
                    continue;
                }
            } else if depth < MAX_DEPTH {
                let (name, title) = match rest.split_once(char::is_whitespace) {
                    Some((name, title)) => (name, title.trim()),
                    None => (rest, ""),
                };
                let (open, close) = container_html(name, title);
                let verbatim = matches!(name, "v-pre" | "raw");
                if open.is_empty() {
                    out.changed = true;
                    out.push("", "", line.origin);
                } else {
                    out.wrapper(indent, &open, line.origin);
                }
                containers.push(Container {
                    colons,
                    close,
                    code_group: name == "code-group",
                    tabs: name == "tabs",
                    tab_open: false,
                    verbatim_from: verbatim.then_some(out.count + 1),
                    indent: indent.to_string(),
                });
                at += 1;
                continue;
            }
        }
        if let Some(opening) = markdown_element(line.text) {
            // Python-Markdown's md_in_html: a blank line after the tag ends the HTML
            // block, so its content is read as Markdown.
            out.changed = true;
            out.push("", &opening, line.origin);
            out.push("", "", line.origin);
            markdown_elements += 1;
            at += 1;
            continue;
        }
        if markdown_elements > 0 && is_closing_tag(line.text) {
            out.push("", "", line.origin);
            markdown_elements -= 1;
        }
        out.push("", line.text, line.origin);
        at += 1;
    }
    // A container left open closes at the end of the text, as markdown-it's does.
    let last = lines.last().map_or(1, |line| line.origin);
    blocks.end_set(out, last);
    while let Some(open) = blocks.open.pop() {
        out.wrapper(&open.indent, &open.close, last);
    }
    while let Some(open) = containers.pop() {
        if let Some(from) = open.verbatim_from {
            out.verbatim.push(from..out.count + 1);
        }
        if !open.close.is_empty() {
            out.wrapper(&open.indent, open.close, last);
        }
    }
}

/// pymdownx's generic blocks: `/// name | Title`, options indented on the lines after
/// (`    type: warning`, `    open: True`), Markdown, then `///` (more slashes nest).
/// Consecutive `/// tab | Label` blocks make one set of tabs.
#[derive(Default)]
struct Blocks {
    open: Vec<Block>,
    /// A set of tabs whose last tab has closed: its slashes and indent. It ends at the
    /// next line that is not another tab of the same set.
    set: Option<(usize, String)>,
}

/// An open `///` block.
struct Block {
    slashes: usize,
    close: String,
    indent: String,
}

impl Blocks {
    /// Reads a `///` line at `at`, if it is one; the index of the next line to read.
    fn read(
        &mut self,
        lines: &[Line<'_>],
        at: usize,
        depth: usize,
        out: &mut Out,
    ) -> Option<usize> {
        let line = lines[at];
        let indent = leading(line.text);
        let rest = &line.text[indent.len()..];
        let slashes = rest.bytes().take_while(|b| *b == b'/').count();
        if slashes < 3 {
            return None;
        }
        let rest = rest[slashes..].trim();
        if rest.is_empty() {
            let open = self.open.last().filter(|b| b.slashes == slashes)?;
            let tab = open.close == "</div>\n</div>";
            let close = if tab {
                "</div>".to_string()
            } else {
                open.close.clone()
            };
            let indent = open.indent.clone();
            self.open.pop();
            self.end_set(out, line.origin);
            out.wrapper(&indent, &close, line.origin);
            if tab {
                self.set = Some((slashes, indent));
            }
            return Some(at + 1);
        }
        if depth >= MAX_DEPTH {
            return None;
        }
        let (name, title) = match rest.split_once('|') {
            Some((name, title)) => (name.trim(), title.trim()),
            None => (rest, ""),
        };
        let name = name.to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        // The options: `key: value` lines indented under the opening line.
        let mut options = Vec::new();
        let mut next = at + 1;
        while let Some(option) = lines.get(next) {
            let text = option.text;
            let Some((key, value)) = text
                .split_once(':')
                .filter(|_| columns(text) >= columns(line.text) + 4)
            else {
                break;
            };
            options.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
            next += 1;
        }
        let option = |key: &str| {
            options
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let titled = |default: &str| {
            if title.is_empty() {
                default.to_string()
            } else {
                title.to_string()
            }
        };
        let (open, close) = match name.as_str() {
            "tab" => {
                let label = format!(
                    "<div class=\"tabbed-block\">\n<p class=\"tabbed-label\">{}</p>",
                    inline_html(title)
                );
                let same_set = self
                    .set
                    .as_ref()
                    .is_some_and(|(s, i)| *s == slashes && i == indent)
                    && option("new").is_none_or(|v| !v.eq_ignore_ascii_case("true"));
                if same_set {
                    self.set = None;
                    (label, "</div>\n</div>".to_string())
                } else {
                    self.end_set(out, line.origin);
                    (
                        format!("<div class=\"tabbed-set\">\n{label}"),
                        "</div>\n</div>".to_string(),
                    )
                }
            }
            "details" => {
                let class = admonition_class(option("type").unwrap_or("note"));
                let open = if option("open").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                    " open"
                } else {
                    ""
                };
                (
                    format!(
                        "<details class=\"admonition {}\"{open}>\n<summary>{}</summary>",
                        escape_html(class),
                        inline_html(&titled("Details"))
                    ),
                    "</details>".to_string(),
                )
            }
            "html" | "caption" => (String::new(), String::new()),
            _ => {
                let kind = if name == "admonition" {
                    option("type").unwrap_or("note").to_ascii_lowercase()
                } else {
                    name.clone()
                };
                let mut chars = kind.chars();
                let default: String = chars
                    .next()
                    .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect());
                let title = titled(&default);
                (
                    format!(
                        "<div class=\"admonition {}\">\n<p class=\"admonition-title\">{}</p>",
                        escape_html(admonition_class(&kind)),
                        inline_html(&title)
                    ),
                    "</div>".to_string(),
                )
            }
        };
        self.end_set(out, line.origin);
        if open.is_empty() {
            out.changed = true;
            out.push("", "", line.origin);
        } else {
            out.wrapper(indent, &open, line.origin);
        }
        self.open.push(Block {
            slashes,
            close,
            indent: indent.to_string(),
        });
        Some(next)
    }

    /// Closes a set of tabs left open, before a line that is not one of its tabs.
    fn end_set(&mut self, out: &mut Out, origin: usize) {
        if let Some((_, indent)) = self.set.take() {
            out.wrapper(&indent, "</div>", origin);
        }
    }
}

/// A `:::` line: its number of colons and what follows them, trimmed.
fn colon_marker(text: &str) -> Option<(usize, &str)> {
    let trimmed = text.trim_start();
    let colons = trimmed.bytes().take_while(|b| *b == b':').count();
    (colons >= 3).then(|| (colons, trimmed[colons..].trim()))
}

/// The opening and closing HTML of a `::: name Title` container, as VitePress writes
/// them; empty for the containers whose wrapper is removed (`v-pre`, `raw`).
fn container_html(name: &str, title: &str) -> (String, &'static str) {
    let class = escape_html(name);
    match name {
        "v-pre" | "raw" => (String::new(), ""),
        "code-group" => ("<div class=\"code-group\">".into(), "</div>"),
        // vitepress-plugin-tabs: `== Label` lines inside start its tabs.
        "tabs" => ("<div class=\"tabbed-set\">".into(), "</div>"),
        "details" => {
            let title = if title.is_empty() { "Details" } else { title };
            (
                format!(
                    "<details class=\"custom-block details\">\n<summary>{}</summary>",
                    inline_html(title)
                ),
                "</details>",
            )
        }
        _ => {
            let title = if title.is_empty() {
                name.to_uppercase()
            } else {
                title.to_string()
            };
            (
                format!(
                    "<div class=\"custom-block {class}\">\n<p class=\"custom-block-title\">{}</p>",
                    inline_html(&title)
                ),
                "</div>",
            )
        }
    }
}

/// A code fence's opening line: its indent, marker (```` ``` ```` or `~~~`, any
/// length) and info string.
pub struct Fence<'a> {
    indent: &'a str,
    marker: &'a str,
    info: &'a str,
}

impl<'a> Fence<'a> {
    /// The fence `text` opens, if it opens one.
    pub fn open(text: &'a str) -> Option<Fence<'a>> {
        let indent = leading(text);
        let rest = &text[indent.len()..];
        let char = rest.bytes().next().filter(|b| *b == b'`' || *b == b'~')?;
        let length = rest.bytes().take_while(|b| *b == char).count();
        let info = &rest[length..];
        // A backtick fence's info string has no backtick (CommonMark), else it is code.
        if length < 3 || (char == b'`' && info.contains('`')) {
            return None;
        }
        Some(Fence {
            indent,
            marker: &rest[..length],
            info,
        })
    }

    /// The index of the line after this fence's closing line (or the end). A closing
    /// line is indented at most three columns past the opening one (CommonMark): a
    /// fence indented deeper is code inside this one.
    fn end(&self, lines: &[Line<'_>], from: usize) -> usize {
        (from..lines.len())
            .find(|&index| self.closed_by(lines[index].text))
            .map_or(lines.len(), |index| index + 1)
    }

    /// Whether `line` closes this fence: the same character, at least as many, nothing
    /// after them, indented at most three columns past the opening line.
    pub fn closed_by(&self, line: &str) -> bool {
        if columns(line) > columns(self.indent) + 3 {
            return false;
        }
        let char = self.marker.as_bytes()[0];
        let rest = line.trim();
        let length = rest.bytes().take_while(|b| *b == char).count();
        length >= self.marker.len() && length == rest.len()
    }
}

/// A line that is only an opening HTML tag with a `markdown` attribute (`<div
/// class="grid" markdown>`, `markdown="1"`, `markdown="block"`), as the tag without it.
fn markdown_element(text: &str) -> Option<String> {
    static OPENING: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(r#"^(\s*<[a-zA-Z][\w-]*\b[^>]*?)\s+markdown(?:="[^"]*")?([^>]*>)\s*$"#)
            .ok()
    });
    let captures = OPENING.as_ref()?.captures(text)?;
    Some(format!("{}{}", &captures[1], &captures[2]))
}

/// The label of a `== Label` line, which starts a tab of vitepress-plugin-tabs.
fn plugin_tab(text: &str) -> Option<&str> {
    let rest = text.trim_start();
    let equals = rest.bytes().take_while(|b| *b == b'=').count();
    let label = rest[equals..].strip_prefix(' ')?.trim();
    (equals >= 2 && !label.is_empty()).then_some(label)
}

/// The block syntax a definition line (`:   !!! note`) holds, without its `:   `;
/// `None` for a definition of plain text, which stays as written.
fn definition_marker(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(':')?;
    let held = dedent(rest, 3);
    let marked = ["!!! ", "??? ", "???+ ", "=== ", "/// "]
        .iter()
        .any(|marker| held.starts_with(marker));
    (columns(rest) == 3 && marked).then_some(held)
}

/// Whether a line is only a closing HTML tag (`</div>`).
fn is_closing_tag(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("</")
        && text.ends_with('>')
        && text[2..text.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The leading spaces and tabs of a line.
fn leading(text: &str) -> &str {
    &text[..text.len() - text.trim_start_matches([' ', '\t']).len()]
}

/// The columns of a line's indentation (a tab reaches the next multiple of four).
fn columns(text: &str) -> usize {
    leading(text).chars().fold(0, |col, c| match c {
        '\t' => col + 4 - col % 4,
        _ => col + 1,
    })
}

/// `text` without its first `width` columns of indentation (or all it has).
fn dedent(text: &str, width: usize) -> &str {
    let mut col = 0;
    for (index, c) in text.char_indices() {
        if col >= width {
            return &text[index..];
        }
        match c {
            ' ' => col += 1,
            '\t' => col += 4 - col % 4,
            _ => return &text[index..],
        }
    }
    ""
}

/// The lines of a block's body after `at`: blank lines and lines indented at least
/// `width` columns, dedented by `width`; trailing blank lines are left out.
fn body<'a>(lines: &[Line<'a>], at: usize, width: usize) -> Vec<Line<'a>> {
    let mut end = at;
    let mut last = at;
    while end < lines.len() {
        let text = lines[end].text;
        if text.trim().is_empty() {
            end += 1;
            continue;
        }
        if columns(text) < width {
            break;
        }
        end += 1;
        last = end;
    }
    lines[at..last]
        .iter()
        .map(|line| Line {
            text: dedent(line.text, width),
            origin: line.origin,
        })
        .collect()
}

/// Writes a dedented body, read as a block of its own, indented by `indent`.
fn nested(lines: &[Line<'_>], indent: &str, depth: usize, out: &mut Out) {
    let mut inner = Out {
        count: out.count,
        ..Out::default()
    };
    block(lines, depth + 1, &mut inner);
    for (text, index) in inner.text.lines().zip(1..) {
        out.push(indent, text, inner.lines.line(index));
    }
    out.verbatim.extend(inner.verbatim);
    out.changed |= inner.changed;
}

/// The class of a Material for MkDocs admonition type, its aliases read as Material
/// reads them; any other type is its own class.
fn admonition_class(kind: &str) -> &str {
    match kind {
        "abstract" | "summary" | "tldr" => "abstract",
        "info" | "todo" => "info",
        "tip" | "hint" | "important" => "tip",
        "success" | "check" | "done" => "success",
        "question" | "help" | "faq" => "question",
        "warning" | "caution" | "attention" => "warning",
        "failure" | "fail" | "missing" => "failure",
        "danger" | "error" => "danger",
        "quote" | "cite" => "quote",
        other => other,
    }
}

/// An admonition (`!!! type "Title"`) or collapsible block (`??? type`, `???+ type`)
/// at `at`: writes it and returns the index of the line after it.
fn admonition(lines: &[Line<'_>], at: usize, depth: usize, out: &mut Out) -> Option<usize> {
    let line = lines[at];
    let indent = leading(line.text);
    let rest = &line.text[indent.len()..];
    let (marker, rest) = ["???+", "!!!", "???"]
        .iter()
        .find_map(|marker| rest.strip_prefix(marker).map(|rest| (*marker, rest)))?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let (words, title) = match rest.find('"') {
        Some(quote) => {
            let title = rest[quote + 1..].trim_end().strip_suffix('"')?;
            (&rest[..quote], Some(title))
        }
        None => (rest, None),
    };
    let mut words = words.split_whitespace();
    let kind = words.next()?.to_ascii_lowercase();
    if !kind
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    // `inline` and `inline end` place the box beside the text in Material; here they
    // are accepted and the box stays in the flow.
    let extra: Vec<String> = words
        .filter(|w| !matches!(*w, "inline" | "end"))
        .map(escape_html)
        .collect();
    let class = admonition_class(&kind);
    let mut classes = escape_html(class);
    for word in &extra {
        classes.push(' ');
        classes.push_str(word);
    }
    let title = match title {
        Some(title) => title.to_string(),
        None => {
            let mut chars = kind.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        }
    };
    let (open, close) = if marker == "!!!" {
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(
                "\n<p class=\"admonition-title\">{}</p>",
                inline_html(&title)
            )
        };
        (
            format!("<div class=\"admonition {classes}\">{title}"),
            "</div>",
        )
    } else {
        let open = if marker == "???+" { " open" } else { "" };
        (
            format!(
                "<details class=\"admonition {classes}\"{open}>\n<summary>{}</summary>",
                inline_html(&title)
            ),
            "</details>",
        )
    };
    let width = columns(line.text) + 4;
    let inner = body(lines, at + 1, width);
    let next = at + 1 + inner.len();
    let last = inner.last().map_or(line.origin, |l| l.origin);
    out.wrapper(indent, &open, line.origin);
    nested(&inner, indent, depth, out);
    out.wrapper(indent, close, last);
    Some(next)
}

/// A `=== "Label"` line: its indent, whether it starts a new set (`===!`), its label.
fn tab_marker(text: &str) -> Option<(&str, bool, &str)> {
    let indent = leading(text);
    let rest = text[indent.len()..].strip_prefix("===")?;
    let (new_set, rest) = match rest.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, rest.strip_prefix('+').unwrap_or(rest)),
    };
    let label = rest
        .trim()
        .strip_prefix('"')?
        .strip_suffix('"')
        .filter(|_| rest.starts_with([' ', '\t']))?;
    Some((indent, new_set, label))
}

/// A set of content tabs at `at`: writes it and returns the index of the line after.
fn tabs(lines: &[Line<'_>], at: usize, depth: usize, out: &mut Out) -> Option<usize> {
    let (indent, _, _) = tab_marker(lines[at].text)?;
    let width = columns(lines[at].text) + 4;
    let mut next = at;
    let mut first = true;
    while let Some(line) = lines.get(next) {
        let Some((this_indent, new_set, label)) = tab_marker(line.text) else {
            break;
        };
        if this_indent != indent || (new_set && !first) {
            break;
        }
        // `===+` is the tab shown first.
        let selected = if line.text.trim_start().starts_with("===+") {
            " data-selected"
        } else {
            ""
        };
        let label = format!(
            "<div class=\"tabbed-block\"{selected}>\n<p class=\"tabbed-label\">{}</p>",
            inline_html(label)
        );
        let open = if first {
            format!("<div class=\"tabbed-set\">\n{label}")
        } else {
            format!("</div>\n{label}")
        };
        out.wrapper(indent, &open, line.origin);
        first = false;
        let inner = body(lines, next + 1, width);
        nested(&inner, indent, depth, out);
        next += 1 + inner.len();
        // Blank lines between two tabs keep them in one set.
        let blanks = lines[next..]
            .iter()
            .take_while(|l| l.text.trim().is_empty())
            .count();
        match lines.get(next + blanks).and_then(|l| tab_marker(l.text)) {
            Some((i, false, _)) if i == indent => next += blanks,
            _ => break,
        }
    }
    let last = lines[next.saturating_sub(1)].origin;
    out.wrapper(indent, "</div>\n</div>", last);
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        rewrite(body).map(|d| d.text).unwrap_or_default()
    }

    #[test]
    fn a_body_without_markers_is_left_alone() {
        assert_eq!(rewrite("# Title\n\nText: with a colon.\n"), None);
        // A marker-like string that is no block changes nothing either.
        assert_eq!(rewrite("a ::: b and x === y\n"), None);
    }

    #[test]
    fn vitepress_containers_get_their_class_and_title() {
        let out = text("::: tip\nBe *kind*.\n:::\n");
        assert!(
            out.contains("<div class=\"custom-block tip\">\n<p class=\"custom-block-title\">TIP</p>\n\nBe *kind*.\n\n</div>"),
            "{out}"
        );
        let out = text("::: danger Take <care>\nx\n:::\n");
        assert!(out.contains(">Take &lt;care&gt;</p>"), "{out}");
        let out = text("::: unknown-kind\nx\n:::\n");
        assert!(out.contains("custom-block unknown-kind"), "{out}");
    }

    #[test]
    fn details_containers_collapse() {
        let out = text("::: details Click me\nhidden\n:::\n");
        assert!(
            out.contains("<details class=\"custom-block details\">\n<summary>Click me</summary>\n\nhidden\n\n</details>"),
            "{out}"
        );
        assert!(text("::: details\nx\n:::\n").contains("<summary>Details</summary>"));
    }

    #[test]
    fn containers_nest_by_their_colons() {
        let out = text(":::: warning\nouter\n::: tip\ninner\n:::\nstill outer\n::::\nafter\n");
        let outer = out.find("custom-block warning").unwrap();
        let inner = out.find("custom-block tip").unwrap();
        let inner_close = out.find("inner\n\n</div>").unwrap();
        let still = out.find("still outer").unwrap();
        let after = out.find("after").unwrap();
        assert!(outer < inner && inner < inner_close && inner_close < still && still < after);
        assert_eq!(out.matches("</div>").count(), 2);
        // Same-length markers nest too: the first `:::` closes the inner one.
        let out = text("::: info\n::: tip\na\n:::\nb\n:::\n");
        assert_eq!(out.matches("</div>").count(), 2, "{out}");
        assert!(out.find("b\n").unwrap() > out.find("a\n").unwrap());
    }

    #[test]
    fn v_pre_and_raw_lose_their_wrapper_and_are_verbatim() {
        let dialect = rewrite("a\n\n::: v-pre\n{{ x }}\n:::\n").unwrap();
        assert!(!dialect.text.contains("v-pre"), "{}", dialect.text);
        assert!(dialect.text.contains("{{ x }}"));
        let line = dialect.text.lines().position(|l| l == "{{ x }}").unwrap() + 1;
        assert!(dialect.verbatim.iter().any(|r| r.contains(&line)));
        assert!(!text("::: raw\nx\n:::\n").contains("raw"));
    }

    #[test]
    fn code_groups_give_each_fence_a_label() {
        let out = text("::: code-group\n```ts\na\n```\n```js [b.js]\nb\n```\n````\nc\n````\n:::\n");
        assert!(out.contains("<div class=\"code-group\">"), "{out}");
        assert!(out.contains("```ts [ts]\n"), "{out}");
        assert!(out.contains("```js [b.js]\n"), "{out}");
        assert!(out.contains("````text [text]\n"), "{out}");
        // Outside a group a fence keeps its info line.
        assert_eq!(rewrite("```ts\n:::\n```\n"), None);
    }

    #[test]
    fn a_deeper_fence_inside_a_fence_does_not_close_it() {
        let body = "``` title=\"x\"\n!!! example\n    ``` md\n    a\n        ```\n```\n\n!!! note\n    Shown.\n";
        let out = rewrite(body).unwrap();
        assert!(out.text.contains("!!! example"), "{}", out.text);
        assert!(!out.text.contains("!!! note"), "{}", out.text);
    }

    #[test]
    fn blocks_in_definitions_are_read() {
        let body = "<!-- md:option type:note -->\n\n:   !!! note\n\n        Lorem ipsum.\n\n: plain definition\n";
        let out = rewrite(body).unwrap();
        assert!(out.text.contains("admonition note"), "{}", out.text);
        assert!(out.text.contains("\nLorem ipsum.\n"), "{}", out.text);
        assert!(!out.text.contains("!!!"), "{}", out.text);
        assert!(out.text.contains(": plain definition"), "{}", out.text);
        assert_eq!(
            out.lines
                .line(out.text.lines().position(|l| l == "Lorem ipsum.").unwrap() + 1),
            5
        );
    }

    #[test]
    fn plugin_tabs_become_tabs() {
        let out =
            rewrite(":::: tabs key:k\n=== npm\n\nnpm i\n\n== pnpm\npnpm add\n::::\n").unwrap();
        let text = &out.text;
        assert!(text.contains("<div class=\"tabbed-set\">"), "{text}");
        assert!(text.contains("<p class=\"tabbed-label\">npm</p>"), "{text}");
        assert!(
            text.contains(
                "</div>\n<div class=\"tabbed-block\">\n<p class=\"tabbed-label\">pnpm</p>"
            ),
            "{text}"
        );
        assert!(text.trim_end().ends_with("</div>\n</div>"), "{text}");
        assert!(!text.contains("=="), "{text}");
    }

    #[test]
    fn content_of_markdown_elements_is_markdown() {
        let body = "<div class=\"result\" markdown>\n!!! note\n    In a result.\n</div>\n\n<div markdown=\"1\">\n*em*\n</div>\n";
        let out = rewrite(body).unwrap();
        assert!(
            out.text.starts_with("<div class=\"result\">\n\n"),
            "{}",
            out.text
        );
        assert!(out.text.contains("<div>\n\n*em*\n\n</div>"), "{}", out.text);
        assert!(out.text.contains("admonition note"), "{}", out.text);
        assert_eq!(out.lines.line(2), 1);
    }

    #[test]
    fn markers_in_fences_stay_code() {
        let body = "```md\n::: tip\n!!! note\n=== \"A\"\n    x\n:::\n```\n~~~~\n??? q\n~~~~\n";
        assert_eq!(rewrite(body), None);
        // A longer fence is not closed by a shorter one.
        assert_eq!(rewrite("````\n```\n::: tip\n```\n````\n"), None);
    }

    #[test]
    fn lines_map_back_to_the_written_lines() {
        let body = "# T\n\n::: tip\nline four\n:::\n\n!!! note\n    line eight\n";
        let dialect = rewrite(body).unwrap();
        let at = |needle: &str| {
            let index = dialect
                .text
                .lines()
                .position(|l| l.contains(needle))
                .unwrap();
            dialect.lines.line(index + 1)
        };
        assert_eq!(at("line four"), 4);
        assert_eq!(at("line eight"), 8);
        assert_eq!(at("custom-block tip"), 3);
        assert_eq!(at("admonition note"), 7);
        assert_eq!(at("# T"), 1);
    }

    #[test]
    fn admonitions_take_their_indented_body() {
        let out = text("!!! warning \"Mind the gap\"\n    Body *text*.\n\n    More.\nOutside.\n");
        assert!(
            out.contains("<div class=\"admonition warning\">\n<p class=\"admonition-title\">Mind the gap</p>\n\nBody *text*.\n\nMore.\n\n</div>"),
            "{out}"
        );
        assert!(out.ends_with("</div>\n\nOutside.\n"), "{out}");
        // The default title is the type; `""` means none.
        assert!(text("!!! note\n    x\n").contains(">Note</p>"));
        assert!(!text("!!! note \"\"\n    x\n").contains("admonition-title"));
    }

    #[test]
    fn admonition_aliases_map_to_material_classes() {
        for (kind, class) in [
            ("tldr", "abstract"),
            ("todo", "info"),
            ("hint", "tip"),
            ("check", "success"),
            ("faq", "question"),
            ("caution", "warning"),
            ("missing", "failure"),
            ("error", "danger"),
            ("bug", "bug"),
            ("example", "example"),
            ("cite", "quote"),
        ] {
            let out = text(&format!("!!! {kind}\n    x\n"));
            assert!(
                out.contains(&format!("admonition {class}\"")),
                "{kind}: {out}"
            );
        }
        // The modifiers are accepted and change nothing.
        let out = text("!!! info inline end \"Side\"\n    x\n");
        assert!(out.contains("<div class=\"admonition info\">"), "{out}");
    }

    #[test]
    fn collapsible_blocks_are_details_open_with_a_plus() {
        let out = text("??? question \"Why?\"\n    Because.\n");
        assert!(
            out.contains("<details class=\"admonition question\">\n<summary>Why?</summary>"),
            "{out}"
        );
        let out = text("???+ note\n    Shown.\n");
        assert!(
            out.contains("<details class=\"admonition note\" open>"),
            "{out}"
        );
    }

    #[test]
    fn admonitions_in_lists_keep_the_list_indent() {
        let out = text("1. Step\n\n    !!! tip\n        Inside.\n\n2. Next\n");
        assert!(
            out.contains("\n    <div class=\"admonition tip\">"),
            "{out}"
        );
        assert!(out.contains("\n    Inside.\n"), "{out}");
        assert!(out.contains("\n2. Next"), "{out}");
    }

    #[test]
    fn tabs_group_into_one_set_and_nest() {
        let body = "=== \"Python\"\n    ```py\n    print(1)\n    ```\n\n=== \"Rust\"\n\n    !!! note\n        In a tab.\n\n===! \"New\"\n    x\n";
        let out = text(body);
        assert_eq!(out.matches("tabbed-set").count(), 2, "{out}");
        assert!(out.contains("<p class=\"tabbed-label\">Python</p>"));
        let selected = text("=== \"A\"\n    a\n===+ \"B\"\n    b\n");
        assert!(
            selected.contains(
                "<div class=\"tabbed-block\" data-selected>\n<p class=\"tabbed-label\">B</p>"
            ),
            "{selected}"
        );
        assert_eq!(selected.matches("tabbed-set").count(), 1, "{selected}");
        assert!(out.contains("\n```py\nprint(1)\n```\n"), "{out}");
        assert!(out.contains("<div class=\"admonition note\">"), "{out}");
        assert!(out.contains("\nIn a tab.\n"), "{out}");
        assert_eq!(
            out.matches("<div").count(),
            out.matches("</div>").count(),
            "{out}"
        );
    }

    #[test]
    fn admonitions_hold_tabs_and_fences() {
        let out = text(
            "!!! example\n    === \"A\"\n        a\n    === \"B\"\n        b\n\n    ```\n    !!! not\n    ```\n",
        );
        assert!(out.contains("tabbed-set"), "{out}");
        assert!(out.contains("\n!!! not\n"), "{out}");
        assert_eq!(out.matches("<div").count(), out.matches("</div>").count());
    }

    #[test]
    fn pymdownx_blocks_become_admonitions_details_and_tabs() {
        let out = text(
            "/// warning | Heads up\nBody.\n///\n\n/// admonition | Custom\n    type: tip\nTip body.\n///\n",
        );
        assert!(out.contains("<div class=\"admonition warning\">\n<p class=\"admonition-title\">Heads up</p>\n\nBody.\n\n</div>"), "{out}");
        assert!(
            out.contains(
                "<div class=\"admonition tip\">\n<p class=\"admonition-title\">Custom</p>"
            ),
            "{out}"
        );
        assert!(!out.contains("type: tip"), "{out}");
        let out = text("/// details | More\n    open: True\nx\n///\n");
        assert!(
            out.contains("<details class=\"admonition note\" open>\n<summary>More</summary>"),
            "{out}"
        );
        let out = text(
            "/// tab | A\na\n///\n\n/// tab | B\nb\n///\n\nAfter.\n\n/// tab | C\n    new: true\nc\n///\n",
        );
        assert_eq!(out.matches("tabbed-set").count(), 2, "{out}");
        assert_eq!(out.matches("tabbed-block").count(), 3, "{out}");
        assert_eq!(
            out.matches("<div").count(),
            out.matches("</div>").count(),
            "{out}"
        );
        assert!(out.find("After.").unwrap() > out.find("b\n").unwrap());
        // A longer fence holds a shorter one.
        let out = text("//// note\n/// tip\nx\n///\n////\n");
        assert_eq!(out.matches("</div>").count(), 2, "{out}");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let body: String = (0..200)
            .map(|depth| format!("{}!!! note\n", " ".repeat(depth * 4)))
            .collect();
        let out = text(&body);
        assert!(out.matches("admonition note").count() <= MAX_DEPTH + 1);
    }
}

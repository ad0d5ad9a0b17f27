//! Code blocks: a fence's info string read as VitePress, MkDocs and mdBook write it, the
//! code as it is displayed (hidden lines, line markers) and its HTML, highlighted on the
//! server with CSS classes (`l-keyword`, …) whose colours live in `folio.css`.
//!
//! It owns the HTML of a `<div class="code-block">` and nothing around it; it must not
//! touch the rest of the page's events, and [`displayed`] (what search reads) never
//! highlights, so reading a page's outline stays cheap.

use crate::html::escape_html;
use lumis::highlight::{HighlightOptions, highlight_iter_with_options};
use lumis::languages::Language;
use std::fmt::Write as _;
use std::ops::RangeInclusive;

/// Code larger than this is shown unhighlighted: highlighting takes time in proportion
/// (about half a second for 170 kB of TypeScript on one core), so a generated file of
/// megabytes would hold a page's first render for seconds, and its thousands of spans
/// help no reader.
const MAX_HIGHLIGHTED_BYTES: usize = 200 * 1024;

/// The names a fence may give a language, each with the grammar that highlights it.
/// `console` is listed for its name only: its prompt lines are highlighted as bash.
const ALIASES: &[(&str, Language)] = &[
    ("bash", Language::Bash),
    ("sh", Language::Bash),
    ("shell", Language::Bash),
    ("zsh", Language::Bash),
    ("console", Language::Bash),
    ("shell-session", Language::Bash),
    ("http", Language::HTTP),
    ("json", Language::JSON),
    ("jsonc", Language::JSON),
    ("json5", Language::JSON),
    ("yaml", Language::YAML),
    ("yml", Language::YAML),
    ("toml", Language::Toml),
    ("ini", Language::INI),
    ("javascript", Language::JavaScript),
    ("js", Language::JavaScript),
    ("mjs", Language::JavaScript),
    ("cjs", Language::JavaScript),
    ("jsx", Language::JavaScript),
    ("typescript", Language::TypeScript),
    ("ts", Language::TypeScript),
    ("mts", Language::TypeScript),
    ("cts", Language::TypeScript),
    ("tsx", Language::Tsx),
    ("vue", Language::Vue),
    ("html", Language::HTML),
    ("xml", Language::XML),
    ("svg", Language::XML),
    ("css", Language::CSS),
    ("scss", Language::SCSS),
    ("rust", Language::Rust),
    ("rs", Language::Rust),
    ("python", Language::Python),
    ("py", Language::Python),
    ("go", Language::Go),
    ("golang", Language::Go),
    ("java", Language::Java),
    ("c", Language::C),
    ("h", Language::C),
    ("cpp", Language::CPlusPlus),
    ("c++", Language::CPlusPlus),
    ("cxx", Language::CPlusPlus),
    ("hpp", Language::CPlusPlus),
    ("sql", Language::SQL),
    ("diff", Language::Diff),
    ("patch", Language::Diff),
    ("dockerfile", Language::Dockerfile),
    ("docker", Language::Dockerfile),
    ("nginx", Language::Nginx),
    ("markdown", Language::Markdown),
    ("md", Language::Markdown),
];

/// Words mdBook reads after `rust,` (or alone, for a Rust block without a language).
const MDBOOK_ATTRIBUTES: &[&str] = &[
    "ignore",
    "noplayground",
    "noplaypen",
    "no_run",
    "should_panic",
    "compile_fail",
    "editable",
    "mdbook-runnable",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
];

/// The grammar for a fence's language name, case-insensitively; `None` when folio has
/// none for it.
pub fn language(name: &str) -> Option<Language> {
    let name = name.to_ascii_lowercase();
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|(_, language)| *language)
}

/// What a fence's info string says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fence {
    /// The language as written (`ts`), empty when none is given.
    pub lang: String,
    /// The title shown above the code (`[vite.config.ts]`, `title="x.py"`).
    pub title: Option<String>,
    /// Lines to highlight, 1-based, as ranges.
    pub highlighted: Vec<RangeInclusive<usize>>,
    /// The number of the first line when lines are numbered.
    pub line_numbers: Option<usize>,
    /// mdBook's words after the language (`ignore`, `editable`, …).
    pub attributes: Vec<String>,
}

impl Fence {
    fn highlights(&self, line: usize) -> bool {
        self.highlighted.iter().any(|range| range.contains(&line))
    }

    /// Whether this is a Rust block as mdBook reads one (hidden `# ` lines).
    fn is_rust(&self) -> bool {
        language(&self.lang) == Some(Language::Rust)
    }
}

/// Reads a fence's info string: VitePress (`ts{1,4-6}:line-numbers=5 [title]`), MkDocs
/// (`py title="x.py" hl_lines="2 3" linenums="1"` and `{ .py title="x.py" }`) and mdBook
/// (`rust,ignore`; `should_panic` alone means Rust).
pub fn parse_info(info: &str) -> Fence {
    let mut fence = Fence::default();
    let mut rest = info.trim();
    // MkDocs' attribute-list form: the whole info string is `{ … }`.
    if let Some(inner) = rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        for (key, value) in words(inner) {
            match (key.strip_prefix('.'), value) {
                (Some(class), None) if fence.lang.is_empty() => fence.lang = class.to_string(),
                _ => key_value(&mut fence, key, value),
            }
        }
        return fence;
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '{' | '[' | ':' | ','))
        .unwrap_or(rest.len());
    // No language, only options (``` title="x.py" ```): the first word is a key.
    let first = &rest[..end];
    if !first.contains('=') {
        // pymdownx also takes `.lang` (``` .sh ```).
        fence.lang = first.strip_prefix('.').unwrap_or(first).to_string();
        rest = &rest[end..];
    }
    while let Some(c) = rest.chars().next() {
        match c {
            ',' => {
                let end = rest[1..]
                    .find(|c: char| c.is_whitespace() || matches!(c, '{' | '[' | ','))
                    .map_or(rest.len(), |at| at + 1);
                let word = rest[1..end].trim();
                if !word.is_empty() {
                    fence.attributes.push(word.to_string());
                }
                rest = &rest[end..];
            }
            '{' => {
                let end = rest.find('}').unwrap_or(rest.len());
                fence.highlighted.extend(line_ranges(&rest[1..end]));
                rest = rest.get(end + 1..).unwrap_or("");
            }
            '[' => {
                let end = rest.find(']').unwrap_or(rest.len());
                let title = rest[1..end].trim();
                if !title.is_empty() {
                    fence.title = Some(title.to_string());
                }
                rest = rest.get(end + 1..).unwrap_or("");
            }
            ':' => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, '{' | '['))
                    .unwrap_or(rest.len());
                let flag = &rest[1..end];
                if flag == "line-numbers" {
                    fence.line_numbers = Some(1);
                } else if let Some(start) = flag.strip_prefix("line-numbers=") {
                    fence.line_numbers = Some(start.parse().unwrap_or(1));
                } else if flag == "no-line-numbers" {
                    fence.line_numbers = None;
                }
                rest = &rest[end..];
            }
            c if c.is_whitespace() => rest = rest.trim_start(),
            _ => {
                let (read, remaining) = next_word(rest);
                if let Some((key, value)) = read {
                    key_value(&mut fence, key, value);
                }
                rest = remaining;
            }
        }
    }
    if MDBOOK_ATTRIBUTES.contains(&fence.lang.as_str()) {
        let attribute = std::mem::replace(&mut fence.lang, "rust".to_string());
        fence.attributes.insert(0, attribute);
    }
    fence
}

/// An MkDocs option (`title="x"`, `hl_lines="2 3"`, `linenums="1"`); others are ignored.
fn key_value(fence: &mut Fence, key: &str, value: Option<&str>) {
    let Some(value) = value else { return };
    match key {
        "title" if !value.trim().is_empty() => fence.title = Some(value.trim().to_string()),
        "hl_lines" => fence.highlighted.extend(line_ranges(value)),
        "linenums" => fence.line_numbers = value.trim().parse().ok().filter(|n| *n > 0),
        _ => {}
    }
}

/// Every `key`, `key=value` or `key="quoted value"` in `text`.
fn words(mut text: &str) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return out;
        }
        let (read, rest) = next_word(text);
        out.extend(read);
        text = rest;
    }
}

/// One `key`, `key=value` or `key="quoted value"` at the start of `text` (which starts
/// with neither a space nor a quote), and what follows it.
fn next_word(text: &str) -> (Option<(&str, Option<&str>)>, &str) {
    let key_end = text
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(text.len());
    let key = &text[..key_end];
    let rest = &text[key_end..];
    let Some(after) = rest.strip_prefix('=') else {
        return (Some((key, None)), rest);
    };
    for quote in ['"', '\''] {
        if let Some(quoted) = after.strip_prefix(quote) {
            let end = quoted.find(quote).unwrap_or(quoted.len());
            let rest = quoted.get(end + 1..).unwrap_or("");
            return (Some((key, Some(&quoted[..end]))), rest);
        }
    }
    let end = after.find(char::is_whitespace).unwrap_or(after.len());
    (Some((key, Some(&after[..end]))), &after[end..])
}

/// `1,4-6` or `2 3 5-6` as ranges; what is not a number is skipped.
fn line_ranges(text: &str) -> Vec<RangeInclusive<usize>> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|part| {
            let part = part.trim();
            match part.split_once('-') {
                Some((from, to)) => Some(from.trim().parse().ok()?..=to.trim().parse().ok()?),
                None => {
                    let line = part.parse().ok()?;
                    Some(line..=line)
                }
            }
        })
        .collect()
}

/// A line as displayed: its text and the classes a `[!code …]` marker gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line<'c> {
    text: std::borrow::Cow<'c, str>,
    mark: Option<&'static str>,
    /// An mdBook hidden line (`# ` in a Rust block): folded away until the reader
    /// shows it, and not searched.
    hidden: bool,
}

/// The code's lines as a reader sees them: mdBook's hidden lines of a Rust block
/// marked and shown without their `# ` (`##` shows as `#`), and VitePress's
/// `[!code …]` markers taken out of the line they mark.
fn display_lines<'c>(code: &'c str, fence: &Fence) -> Vec<Line<'c>> {
    let code = code.strip_suffix('\n').unwrap_or(code);
    if code.is_empty() {
        return Vec::new();
    }
    let rust = fence.is_rust();
    code.split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let trimmed = line.trim_start();
            if rust && (trimmed == "#" || trimmed.starts_with("# ")) {
                let indent = &line[..line.len() - trimmed.len()];
                let rest = trimmed.strip_prefix("# ").unwrap_or("");
                return Line {
                    text: format!("{indent}{rest}").into(),
                    mark: None,
                    hidden: true,
                };
            }
            let text = if rust {
                match trimmed.strip_prefix("##") {
                    Some(after) => {
                        let indent = &line[..line.len() - trimmed.len()];
                        format!("{indent}#{after}").into()
                    }
                    None => line.into(),
                }
            } else {
                std::borrow::Cow::Borrowed(line)
            };
            match marker(&text) {
                Some((at, mark)) => Line {
                    text: text[..at].to_string().into(),
                    mark: Some(mark),
                    hidden: false,
                },
                None => Line {
                    text,
                    mark: None,
                    hidden: false,
                },
            }
        })
        .collect()
}

/// Where a trailing VitePress marker comment (`// [!code ++]`, `# [!code focus]`,
/// `<!-- [!code error] -->`) starts in `line`, and the class it gives the line.
fn marker(line: &str) -> Option<(usize, &'static str)> {
    let open = line.rfind("[!code ")?;
    let close = open + line[open..].find(']')?;
    let mark = match line[open + "[!code ".len()..close].trim() {
        "highlight" | "hl" => "highlighted",
        "++" => "diff add",
        "--" => "diff remove",
        "focus" => "focus",
        "error" => "error",
        "warning" => "warning",
        _ => return None,
    };
    let after = line[close + 1..].trim();
    if !matches!(after, "" | "-->" | "*/") {
        return None;
    }
    let before = line[..open].trim_end();
    let comment = ["//", "#", "<!--", "/*", "--", ";", "%"]
        .iter()
        .find(|opener| before.ends_with(*opener))?;
    Some((
        before[..before.len() - comment.len()].trim_end().len(),
        mark,
    ))
}

/// The code's text as displayed, for search: hidden lines and markers left out.
pub fn displayed(code: &str, info: &str) -> String {
    let fence = parse_info(info);
    let lines = display_lines(code, &fence);
    let mut text = String::with_capacity(code.len());
    for line in lines.iter().filter(|line| !line.hidden) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line.text);
    }
    text
}

/// The HTML of a fenced block (`info` is the info string) or, with `info` `None`, of an
/// indented one.
pub fn html(code: &str, info: Option<&str>) -> String {
    let fence = info.map(parse_info).unwrap_or_default();
    let lines = display_lines(code, &fence);
    let lang = fence.lang.to_ascii_lowercase();
    if lang == "mermaid" {
        return mermaid(&lines);
    }
    let grammar = language(&lang);
    let plain = || lines.iter().map(|line| escape_html(&line.text)).collect();
    let (bodies, by_grammar): (Vec<String>, bool) = match grammar {
        _ if lang == "console" || lang == "shell-session" => (console(&lines), true),
        Some(grammar) => match highlighted(&lines, grammar) {
            Some(bodies) => (bodies, true),
            None => (plain(), false),
        },
        None => (plain(), false),
    };
    let mut html = String::with_capacity(code.len() * 3 + 200);
    if info.is_some() && !fence.lang.is_empty() {
        let lang = escape_html(&fence.lang);
        // `data-highlighted`: its grammar read it (plain prose in Markdown has no
        // tokens, yet it was read).
        let read = if by_grammar { " data-highlighted" } else { "" };
        let _ = writeln!(
            html,
            "<div class=\"code-block\" data-lang=\"{lang}\"{read}>"
        );
    } else {
        html.push_str("<div class=\"code-block\">\n");
    }
    if let Some(title) = &fence.title {
        let _ = writeln!(
            html,
            "<div class=\"code-title\">{}</div>",
            escape_html(title)
        );
    }
    html.push_str("<pre class=\"code");
    if fence.line_numbers.is_some() {
        html.push_str(" line-numbers");
    }
    if lines.iter().any(|line| line.mark == Some("focus")) {
        html.push_str(" has-focus");
    }
    html.push_str("\"><code");
    if !fence.lang.is_empty() {
        let _ = write!(html, " class=\"language-{}\"", escape_html(&fence.lang));
    }
    html.push('>');
    for (n, (line, body)) in lines.iter().zip(&bodies).enumerate() {
        html.push_str("<span class=\"line");
        if fence.highlights(n + 1) && line.mark != Some("highlighted") {
            html.push_str(" highlighted");
        }
        if let Some(mark) = line.mark {
            html.push(' ');
            html.push_str(mark);
        }
        if line.hidden {
            html.push_str(" hidden-line\" hidden=\"");
        }
        html.push('"');
        if let Some(start) = fence.line_numbers {
            let _ = write!(html, " data-line=\"{}\"", start + n);
        }
        html.push('>');
        html.push_str(body);
        // The newline stays in the text, so the code reads and copies as written; a
        // hidden line holds its own, so folded it leaves no blank line.
        html.push_str(if line.hidden {
            "\n</span>"
        } else {
            "</span>\n"
        });
    }
    html.push_str("</code></pre>\n</div>\n");
    html
}

/// A Mermaid diagram's source, shown as code under a title; no client library draws it.
fn mermaid(lines: &[Line<'_>]) -> String {
    let mut html = String::from(
        "<div class=\"code-block mermaid\" data-lang=\"mermaid\">\n<div class=\"code-title\">Mermaid diagram</div>\n<pre class=\"code mermaid-source\"><code class=\"language-mermaid\">",
    );
    for line in lines {
        let _ = writeln!(html, "{}", escape_html(&line.text));
    }
    html.push_str("</code></pre>\n</div>\n");
    html
}

/// A terminal session: the commands after a `$ ` or `# ` prompt are highlighted as
/// bash, the prompt is marked so that copying leaves it out, and output is plain.
fn console(lines: &[Line<'_>]) -> Vec<String> {
    let prompt_of = |text: &str| {
        ["$ ", "# "]
            .into_iter()
            .find(|prompt| text.starts_with(prompt))
    };
    let commands: Vec<Line<'_>> = lines
        .iter()
        .filter_map(|line| {
            let prompt = prompt_of(&line.text)?;
            Some(Line {
                text: line.text[prompt.len()..].to_string().into(),
                mark: None,
                hidden: false,
            })
        })
        .collect();
    let plain = || {
        commands
            .iter()
            .map(|line| escape_html(&line.text))
            .collect()
    };
    let mut commands = highlighted(&commands, Language::Bash)
        .unwrap_or_else(plain)
        .into_iter();
    lines
        .iter()
        .map(|line| match prompt_of(&line.text) {
            Some(prompt) => format!(
                "<span class=\"prompt\">{prompt}</span>{}",
                commands.next().unwrap_or_default()
            ),
            None => escape_html(&line.text),
        })
        .collect()
}

/// Each line's HTML with its tokens in `<span class="l-…">`, one string per line;
/// `None` when the code is too large or empty, or the grammar fails.
fn highlighted(lines: &[Line<'_>], grammar: Language) -> Option<Vec<String>> {
    let mut source = String::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            source.push('\n');
        }
        source.push_str(&line.text);
    }
    if source.len() > MAX_HIGHLIGHTED_BYTES || source.trim().is_empty() {
        return None;
    }
    // Grammars read a last line only when it ends (Markdown's `# Title` alone is no
    // heading without its newline).
    source.push('\n');
    let mut out = vec![String::new()];
    let result = highlight_iter_with_options(
        &source,
        grammar,
        None,
        HighlightOptions::default(),
        |text, _, _, scope, _| {
            // A token that spans lines (a block comment) is closed at each line's end
            // and opened again, so every line is a whole element.
            for (n, piece) in text.split('\n').enumerate() {
                if n > 0 {
                    out.push(String::new());
                }
                if piece.is_empty() {
                    continue;
                }
                let Some(line) = out.last_mut() else { continue };
                if scope.is_empty() {
                    line.push_str(&escape_html(piece));
                } else {
                    let class = lumis::html::scope_to_class(scope);
                    let _ = write!(
                        line,
                        "<span class=\"{class}\">{}</span>",
                        escape_html(piece)
                    );
                }
            }
            Ok::<(), std::fmt::Error>(())
        },
    );
    if out.len() == lines.len() + 1 && out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    if result.is_err() || out.len() != lines.len() {
        tracing::debug!(?grammar, "code left unhighlighted");
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fence(info: &str) -> Fence {
        parse_info(info)
    }

    #[test]
    fn options_without_a_language_and_dotted_languages() {
        let f = fence("title=\"Content tabs\" hl_lines=\"2\"");
        assert_eq!(f.lang, "");
        assert_eq!(f.title.as_deref(), Some("Content tabs"));
        assert_eq!(fence(".sh").lang, "sh");
    }

    #[test]
    fn vitepress_info_strings() {
        let f = fence("ts{1,4-6}");
        assert_eq!(f.lang, "ts");
        assert_eq!(f.highlighted, vec![1..=1, 4..=6]);
        assert_eq!(fence("ts:line-numbers").line_numbers, Some(1));
        assert_eq!(fence("ts:line-numbers=5").line_numbers, Some(5));
        assert_eq!(fence("ts:no-line-numbers").line_numbers, None);
        let f = fence("[vite.config.ts]");
        assert_eq!(f.title.as_deref(), Some("vite.config.ts"));
        let f = fence("ts{2} [config.ts]");
        assert_eq!(
            (f.lang.as_str(), f.title.as_deref()),
            ("ts", Some("config.ts"))
        );
        assert_eq!(f.highlighted, vec![2..=2]);
        let f = fence("ts [vite.config.ts]{3}:line-numbers");
        assert_eq!(f.title.as_deref(), Some("vite.config.ts"));
        assert_eq!(f.highlighted, vec![3..=3]);
        assert_eq!(f.line_numbers, Some(1));
    }

    #[test]
    fn mkdocs_info_strings() {
        let f = fence(r#"py title="x.py" hl_lines="2 3 5-6" linenums="1""#);
        assert_eq!(f.lang, "py");
        assert_eq!(f.title.as_deref(), Some("x.py"));
        assert_eq!(f.highlighted, vec![2..=2, 3..=3, 5..=6]);
        assert_eq!(f.line_numbers, Some(1));
        let f = fence(r#"{ .py title="my file.py" hl_lines="2" }"#);
        assert_eq!(f.lang, "py");
        assert_eq!(f.title.as_deref(), Some("my file.py"));
        assert_eq!(f.highlighted, vec![2..=2]);
    }

    #[test]
    fn mdbook_info_strings() {
        let f = fence("rust,ignore");
        assert_eq!(
            (f.lang.as_str(), f.attributes.as_slice()),
            ("rust", &["ignore".to_string()][..])
        );
        let f = fence("rust,editable,should_panic");
        assert_eq!(f.attributes, ["editable", "should_panic"]);
        let f = fence("should_panic");
        assert_eq!(f.lang, "rust");
        assert_eq!(fence("").lang, "");
        assert_eq!(fence("  python  ").lang, "python");
    }

    #[test]
    fn odd_info_strings_do_not_panic() {
        for info in [
            "{",
            "}",
            "ts{",
            "ts[",
            "ts:",
            "x title=",
            "x title=\"",
            "{.}",
            "ts{a-b,-,3-}",
            ",",
            "é{é}[é]",
        ] {
            let _ = parse_info(info);
        }
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(language("TS"), Some(Language::TypeScript));
        assert_eq!(language("yml"), Some(Language::YAML));
        assert_eq!(language("jsonc"), Some(Language::JSON));
        assert_eq!(language("c++"), Some(Language::CPlusPlus));
        assert_eq!(language("docker"), Some(Language::Dockerfile));
        assert_eq!(language("brainfuck"), None);
    }

    #[test]
    fn every_language_yields_token_spans() {
        let samples: &[(&str, &str)] = &[
            ("bash", "echo \"hi\" # note\n"),
            ("sh", "if [ -f x ]; then echo 1; fi\n"),
            ("shell", "export A=1\n"),
            ("console", "$ ls -la\nfile\n"),
            ("http", "GET /a HTTP/1.1\nHost: example.org\n"),
            ("json", "{\"a\": 1, \"b\": true}\n"),
            ("jsonc", "{\"a\": 1}\n"),
            ("json5", "{\"a\": 1}\n"),
            ("yaml", "a: 1\nb: [x, y]\n"),
            ("yml", "key: value\n"),
            ("toml", "[package]\nname = \"x\"\n"),
            ("ini", "[section]\nkey = value\n"),
            ("javascript", "const a = 1;\n"),
            ("js", "function f() { return 1 }\n"),
            ("mjs", "export const a = 1;\n"),
            ("cjs", "module.exports = {};\n"),
            ("typescript", "let a: number = 1;\n"),
            ("ts", "interface A { b: string }\n"),
            ("jsx", "const a = <div>hi</div>;\n"),
            ("tsx", "const a: X = <div>hi</div>;\n"),
            ("vue", "<template><div>{{ a }}</div></template>\n"),
            ("html", "<p class=\"a\">hi</p>\n"),
            ("xml", "<a b=\"c\">d</a>\n"),
            ("css", "a { color: red; }\n"),
            ("scss", "$a: 1px; a { b: $a; }\n"),
            ("rust", "fn main() { let a = 1; }\n"),
            ("rs", "struct A;\n"),
            ("python", "def f(x):\n    return x\n"),
            ("py", "import os\n"),
            ("go", "package main\nfunc main() {}\n"),
            ("java", "class A { int b; }\n"),
            ("c", "int main(void) { return 0; }\n"),
            ("cpp", "int main() { return 0; }\n"),
            ("c++", "class A {};\n"),
            ("sql", "SELECT a FROM b WHERE c = 1;\n"),
            ("diff", "--- a\n+++ b\n-x\n+y\n"),
            ("dockerfile", "FROM alpine\nRUN echo hi\n"),
            ("docker", "FROM alpine\n"),
            ("nginx", "server { listen 80; }\n"),
            ("markdown", "# Title\n\n*text*\n"),
            ("md", "Some *emphasis* and `code`\n"),
        ];
        for (lang, code) in samples {
            let html = html(code, Some(lang));
            assert!(html.contains("<span class=\"l-"), "{lang}: {html}");
            assert!(!html.contains("style="), "{lang}: {html}");
        }
    }

    #[test]
    fn unknown_language_is_escaped_with_its_class() {
        let html = html("<script>alert(1)</script>\n", Some("brainfuck"));
        assert!(html.contains("class=\"language-brainfuck\""), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        assert!(!html.contains("l-"));
    }

    #[test]
    fn code_in_known_languages_stays_escaped() {
        let html = html("const a = \"<script>\" && b;\n", Some("js"));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&amp;&amp;"), "{html}");
    }

    #[test]
    fn the_contract_holds() {
        let html = html(
            "let a = 1;\nlet b = 2;\n",
            Some("ts{2}:line-numbers [vite.config.ts]"),
        );
        assert!(html.starts_with("<div class=\"code-block\" data-lang=\"ts\" data-highlighted>\n<div class=\"code-title\">vite.config.ts</div>\n<pre class=\"code line-numbers\"><code class=\"language-ts\"><span class=\"line\" data-line=\"1\">"), "{html}");
        assert!(
            html.contains("<span class=\"line highlighted\" data-line=\"2\">"),
            "{html}"
        );
        assert!(html.ends_with("</code></pre>\n</div>\n"));
        assert!(fence("ts").title.is_none());
        assert!(!self::html("a\n", Some("ts")).contains("code-title"));
    }

    #[test]
    fn line_numbers_start_where_asked() {
        let html = html("a\nb\n", Some("py:line-numbers=5"));
        assert!(html.contains("data-line=\"5\""), "{html}");
        assert!(html.contains("data-line=\"6\""), "{html}");
        assert!(!self::html("a\n", Some("py")).contains("data-line"));
    }

    #[test]
    fn markers_mark_lines_and_leave_the_code() {
        let code = "a(); // [!code highlight]\nb(); // [!code ++]\nc(); // [!code --]\nd(); // [!code focus]\ne(); // [!code error]\nf(); // [!code warning]\n<p/> <!-- [!code ++] -->\nx = 1 # [!code --]\n";
        let html = html(code, Some("js"));
        for class in [
            "line highlighted",
            "line diff add",
            "line diff remove",
            "line focus",
            "line error",
            "line warning",
        ] {
            assert!(
                html.contains(&format!("<span class=\"{class}\">")),
                "{class}: {html}"
            );
        }
        assert!(!html.contains("[!code"), "{html}");
        assert!(html.contains("has-focus"));
        assert_eq!(displayed(code, "js").lines().next(), Some("a();"));
        assert!(!displayed(code, "js").contains("[!code"));
        // A marker that is not in a trailing comment is code.
        assert!(displayed("s = \"[!code ++]\"\n", "py").contains("[!code ++]"));
    }

    #[test]
    fn mermaid_is_shown_as_source() {
        let html = html("graph TD\n  A --> B\n", Some("mermaid"));
        assert_eq!(
            html,
            "<div class=\"code-block mermaid\" data-lang=\"mermaid\">\n<div class=\"code-title\">Mermaid diagram</div>\n<pre class=\"code mermaid-source\"><code class=\"language-mermaid\">graph TD\n  A --&gt; B\n</code></pre>\n</div>\n"
        );
    }

    #[test]
    fn mdbook_hidden_lines_are_folded_and_not_searched() {
        let code = "# fn main() {\nlet x = 1;\n    #\n## not hidden\n#[derive(Debug)]\n# }\n";
        for info in ["rust", "rust,ignore", "should_panic"] {
            let html = html(code, Some(info));
            assert_eq!(html.matches("<span class=\"line").count(), 6, "{html}");
            assert_eq!(
                html.matches(" hidden-line\" hidden=\"\"").count(),
                3,
                "{html}"
            );
            assert!(
                html.contains("hidden=\"\"><span class=\"l-keyword-function\">fn</span>"),
                "{info}: {html}"
            );
            assert_eq!(
                displayed(code, info),
                "let x = 1;\n# not hidden\n#[derive(Debug)]"
            );
        }
        // Other languages keep their `#` lines.
        assert!(displayed("# comment\n", "py").contains("# comment"));
    }

    #[test]
    fn indented_code_is_plain() {
        let html = html("fn <a>\n", None);
        assert_eq!(
            html,
            "<div class=\"code-block\">\n<pre class=\"code\"><code><span class=\"line\">fn &lt;a&gt;</span>\n</code></pre>\n</div>\n"
        );
    }

    #[test]
    fn console_prompts_are_marked_and_commands_highlighted() {
        let html = html("$ echo hi\nhi\n# apt-get install x\n", Some("console"));
        assert!(
            html.contains("<span class=\"prompt\">$ </span><span class=\"l-"),
            "{html}"
        );
        assert!(html.contains("<span class=\"line\">hi</span>"), "{html}");
    }

    #[test]
    fn empty_and_huge_blocks_render() {
        assert!(html("", Some("ts")).contains("<code class=\"language-ts\"></code>"));
        assert!(html("\n\n", Some("rust")).contains("<span class=\"line\"></span>"));
        let huge = "let a = \"x\"; // y\n".repeat(60_000);
        let start = std::time::Instant::now();
        let html = html(&huge, Some("ts"));
        assert_eq!(html.matches("<span class=\"line\">").count(), 60_000);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn a_block_just_under_the_limit_is_highlighted_in_bounded_time() {
        let code = "const a = { b: \"c\" }; // d\n".repeat(MAX_HIGHLIGHTED_BYTES / 32);
        let start = std::time::Instant::now();
        let html = html(&code, Some("ts"));
        let took = start.elapsed();
        assert!(html.contains("<span class=\"l-"));
        eprintln!("{} bytes of TypeScript highlighted in {took:?}", code.len());
        assert!(took < std::time::Duration::from_secs(10));
    }

    proptest::proptest! {
        #[test]
        fn any_code_renders(code in "\\PC{0,200}", lang in "(ts|rust|console|bash|json|html|py|mermaid|x|)") {
            let html = html(&code, Some(&lang));
            proptest::prop_assert!(!html.contains("<script"));
            proptest::prop_assert!(html.ends_with("</div>\n"));
        }
    }
}

//! A page's lead as plain text, the summary of a page whose frontmatter gives no
//! description.
//!
//! The lead is the first paragraph, or the first blockquote (as tldr pages write their
//! summary), that stands before any heading but the page's `#` title and outside any
//! HTML element. What is not prose is passed over: lists, tables, code, HTML blocks,
//! admonitions and alerts, a paragraph that is only an image or `[[toc]]`. Its text is
//! what a reader sees, with links as their text and code as its text; a line that only
//! names links or code after a label ("More information: <https://…>.", "See also:
//! `tar`.") is left out, a URL written as such stands as its host, and the text is cut
//! at [`MAX_CHARS`].
//!
//! It reads nothing itself: the one pass over a body (`mod.rs`) gives it every event,
//! for the structure, and the text a reader sees.

use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};
use std::ops::Range;

/// The longest summary, in characters.
pub const MAX_CHARS: usize = 300;

/// The most words of a label that introduces links or code ("More information").
const LABEL_WORDS: usize = 5;

/// Words that join what follows a label (`` `a`, `b` and `c` ``), in the languages
/// documentation is most often translated to.
const JOINERS: &[&str] = &[
    "and", "or", "und", "oder", "et", "ou", "y", "o", "e", "i", "en", "of", "и", "или", "和", "或",
];

/// HTML elements that hold Markdown written inside them, as other tools' admonitions
/// and tabs do once rewritten: text inside one is not the lead.
const CONTAINERS: &[&str] = &[
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "div",
    "figure",
    "footer",
    "header",
    "main",
    "nav",
    "section",
    "table",
    "template",
];

/// Where the reading of a lead stands.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the lead: blocks that are not prose are passed over.
    #[default]
    Seeking,
    /// In a paragraph or a blockquote at the top of the body.
    Reading,
    /// The lead is read, or a heading came first.
    Done,
}

/// The lead of a body being read, event by event.
#[derive(Debug, Default)]
pub(super) struct Lead {
    state: State,
    /// Elements open at the current event.
    depth: usize,
    /// HTML container elements opened by HTML blocks and not closed yet.
    html_depth: usize,
    /// Whether the page's `#` title has been passed.
    titled: bool,
    /// The depth below which text is not read (an image, a list in a blockquote).
    hidden_below: Option<usize>,
    /// The link being read, by how it is written.
    link: Option<LinkType>,
    draft: Draft,
    summary: String,
}

impl Lead {
    /// Takes the next event of the body, as parsed.
    pub(super) fn event(&mut self, event: &Event<'_>) {
        if self.state == State::Done {
            return;
        }
        match event {
            Event::Start(tag) => {
                self.start(tag);
                self.depth += 1;
            }
            Event::End(tag) => {
                self.depth = self.depth.saturating_sub(1);
                self.end(*tag);
            }
            Event::Html(html) if self.state == State::Seeking => {
                self.html_depth = containers_open(self.html_depth, html);
            }
            Event::SoftBreak | Event::HardBreak if self.reads() => self.draft.text.push('\n'),
            Event::InlineHtml(html) if self.reads() && html.trim_start().starts_with("<br") => {
                self.draft.text.push('\n');
            }
            _ => {}
        }
    }

    /// Takes text of the body as a reader sees it.
    pub(super) fn text(&mut self, text: &str) {
        if !self.reads() {
            return;
        }
        match self.link {
            None => self.draft.prose(text),
            Some(LinkType::Autolink) => self.draft.url(text),
            Some(_) => self.draft.reference(text),
        }
    }

    /// Takes the text of a code span.
    pub(super) fn code(&mut self, code: &str) {
        if self.reads() {
            self.draft.reference(code);
        }
    }

    /// The lead read, or empty.
    pub(super) fn finish(self) -> String {
        self.summary
    }

    /// Whether text now is text of the lead.
    fn reads(&self) -> bool {
        self.state == State::Reading && self.hidden_below.is_none()
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match self.state {
            State::Seeking => match tag {
                Tag::Heading {
                    level: HeadingLevel::H1,
                    ..
                } if !self.titled => self.titled = true,
                Tag::Heading { .. } => self.state = State::Done,
                Tag::Paragraph | Tag::BlockQuote(None)
                    if self.depth == 0 && self.html_depth == 0 =>
                {
                    self.state = State::Reading;
                }
                _ => {}
            },
            State::Reading if self.hidden_below.is_some() => {}
            State::Reading => match tag {
                Tag::Paragraph => self.draft.text.push('\n'),
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript => {}
                Tag::Link { link_type, .. } => self.link = Some(*link_type),
                _ => self.hidden_below = Some(self.depth),
            },
            State::Done => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        if self.state != State::Reading {
            return;
        }
        match self.hidden_below {
            Some(depth) if depth == self.depth => self.hidden_below = None,
            Some(_) => return,
            None if tag == TagEnd::Link => self.link = None,
            None => {}
        }
        if self.depth == 0 {
            let draft = std::mem::take(&mut self.draft);
            self.summary = draft.finish();
            self.state = match self.summary.is_empty() {
                true => State::Seeking,
                false => State::Done,
            };
        }
    }
}

/// The text of the block being read, and where in it links, code and URLs stand.
#[derive(Debug, Default)]
struct Draft {
    text: String,
    /// Byte ranges of `text` that a link's text, a code span or a URL's host fill; a
    /// URL without a host is an empty range.
    references: Vec<Range<usize>>,
}

impl Draft {
    /// Text outside links: URLs in it stand as their hosts.
    fn prose(&mut self, mut text: &str) {
        while let Some((at, end)) = next_url(text) {
            self.text.push_str(&text[..at]);
            self.url(&text[at..end]);
            text = &text[end..];
        }
        self.text.push_str(text);
    }

    /// A link's text or a code span.
    fn reference(&mut self, text: &str) {
        if is_url(text.trim()) {
            self.url(text.trim());
        } else {
            let start = self.text.len();
            self.text.push_str(text);
            self.references.push(start..self.text.len());
        }
    }

    /// A URL, which stands as its host (`www.gnu.org`).
    fn url(&mut self, url: &str) {
        let start = self.text.len();
        self.text.push_str(host(url));
        self.references.push(start..self.text.len());
    }

    /// The text, without the parts that only name links, whitespace collapsed, cut
    /// at [`MAX_CHARS`]; empty when nothing in it is prose.
    fn finish(self) -> String {
        let mut kept = String::with_capacity(self.text.len());
        for part in self.parts() {
            let references: Vec<&Range<usize>> = (self.references.iter())
                .filter(|r| r.start >= part.start && r.end <= part.end)
                .collect();
            let mut outside = String::new();
            let mut at = part.start;
            for reference in &references {
                outside.push_str(&self.text[at..reference.start]);
                at = reference.end;
            }
            outside.push_str(&self.text[at..part.end]);
            if references.is_empty() || !is_label(&outside) {
                kept.push_str(&self.text[part]);
            }
        }
        let text = tidy(&kept);
        if text.eq_ignore_ascii_case("[[toc]]") || text.eq_ignore_ascii_case("[toc]") {
            return String::new();
        }
        clip(&text, MAX_CHARS)
    }

    /// The text in lines and sentences, as byte ranges: a label and its links are one
    /// of them.
    fn parts(&self) -> Vec<Range<usize>> {
        let in_reference = |at: usize| self.references.iter().any(|r| r.contains(&at));
        let mut parts = Vec::new();
        let mut start = 0;
        let mut chars = self.text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let next = chars.peek().map(|(_, next)| *next);
            let end = match c {
                '\n' => true,
                '.' | '!' | '?' => next.is_none_or(char::is_whitespace),
                _ => is_wide_stop(c),
            };
            if end && !in_reference(at) {
                let after = at + c.len_utf8();
                parts.push(start..after);
                start = after;
            }
        }
        if start < self.text.len() {
            parts.push(start..self.text.len());
        }
        parts
    }
}

/// `text` with its whitespace collapsed, and none left before a `.` or `,` that ends
/// a sentence or a clause (where an image was left out).
fn tidy(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut tidy = String::with_capacity(text.len());
    for word in words {
        if !tidy.is_empty() && !matches!(word, "." | ",") {
            tidy.push(' ');
        }
        tidy.push_str(word);
    }
    tidy
}

/// Whether `c` ends a sentence in Chinese or Japanese, where no space follows.
fn is_wide_stop(c: char) -> bool {
    matches!(c, '。' | '！' | '？')
}

/// Whether the text outside a part's links and code is only a short label and what
/// joins them: "More information: .", "See also: , and .", "更多信息：。".
fn is_label(outside: &str) -> bool {
    let Some((label, rest)) = outside.split_once([':', '：']) else {
        return false;
    };
    let words = label.split_whitespace().count();
    (1..=LABEL_WORDS).contains(&words)
        && rest
            .split(|c: char| !c.is_alphanumeric())
            .all(|word| word.is_empty() || JOINERS.contains(&word.to_lowercase().as_str()))
}

fn is_url(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !text.contains(char::is_whitespace)
}

/// The host of a URL: `https://www.gnu.org/software/tar` → `www.gnu.org`.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.rsplit('@').next().unwrap_or_default()
}

/// The byte range of the first URL written in `text`, without the punctuation that
/// ends the sentence around it.
fn next_url(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    loop {
        let at = from + text[from..].find("http")?;
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let rest = &text[at..];
        if starts_word && (rest.starts_with("http://") || rest.starts_with("https://")) {
            let length = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
                .unwrap_or(rest.len());
            let url = &rest[..length];
            let opened = url.contains('(');
            let url = url.trim_end_matches(|c: char| {
                matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\'') || (c == ')' && !opened)
            });
            return Some((at, at + url.len()));
        }
        from = at + "http".len();
    }
}

/// How many HTML container elements are open after `html`, given `open` before it.
fn containers_open(mut open: usize, html: &str) -> usize {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        let name: String = rest[usize::from(closing)..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !CONTAINERS.contains(&name.as_str()) {
            continue;
        }
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        match (closing, tag.ends_with('/')) {
            (true, _) => open = open.saturating_sub(1),
            (false, false) => open += 1,
            (false, true) => {}
        }
    }
    open
}

/// `text` cut to at most `max` characters: after its last sentence that fits when
/// that keeps a third of it, else at a word, with `…`.
fn clip(text: &str, max: usize) -> String {
    let Some((end, _)) = text.char_indices().nth(max) else {
        return text.to_string();
    };
    let cut = &text[..end];
    let sentence = cut
        .char_indices()
        .rev()
        .find(|&(at, c)| {
            let next = text[at + c.len_utf8()..].chars().next();
            (matches!(c, '.' | '!' | '?') && next.is_some_and(char::is_whitespace))
                || is_wide_stop(c)
        })
        .map(|(at, c)| at + c.len_utf8());
    if let Some(sentence) = sentence.filter(|&at| text[..at].chars().count() >= max / 3) {
        return text[..sentence].to_string();
    }
    let words = match cut.rfind(char::is_whitespace) {
        Some(at) if at > 0 => &cut[..at],
        _ => cut,
    };
    format!("{}…", words.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(body: &str) -> String {
        super::super::outline(body).lead
    }

    #[test]
    fn a_tldr_page_is_summed_up_by_its_blockquote_without_its_links() {
        assert_eq!(
            lead(
                "# du\n\n> Disk usage: estimate and summarize file and directory space usage.\n> More information: <https://www.gnu.org/software/coreutils/du>.\n\n- List the sizes:\n\n`du -h`\n"
            ),
            "Disk usage: estimate and summarize file and directory space usage."
        );
        assert_eq!(
            lead(
                "# tar\n\n> Archiving utility.\n> Often combined with a compression method, such as `gzip` or `bzip2`.\n> More information: <https://www.gnu.org/software/tar/manual/tar.html>.\n"
            ),
            "Archiving utility. Often combined with a compression method, such as gzip or bzip2."
        );
        assert_eq!(
            lead(
                "# xz\n\n> Compress or decompress files.\n> See also: `unxz`, `xzcat` and [lzma](lzma.md).\n> Plus d'informations : <https://tukaani.org/xz>.\n"
            ),
            "Compress or decompress files."
        );
        assert_eq!(
            lead(
                "# tar\n\n> 归档实用程序。\n> 通常与压缩方法结合使用，例如 `gzip` 或 `bzip2`。\n> 更多信息：<https://www.gnu.org/software/tar/manual/tar.html>。\n"
            ),
            "归档实用程序。 通常与压缩方法结合使用，例如 gzip 或 bzip2。"
        );
    }

    #[test]
    fn a_first_paragraph_is_the_lead_as_a_reader_reads_it() {
        assert_eq!(
            lead(
                "# What is VitePress?\n\nVitePress is a [Static Site Generator](https://en.wikipedia.org/wiki/Static_site_generator) (SSG) for **fast**, `content`-centric\nwebsites :tada:.\n\nA second paragraph.\n\n## Use Cases\n\nDocs.\n"
            ),
            "VitePress is a Static Site Generator (SSG) for fast, content-centric websites 🎉."
        );
        assert_eq!(
            lead("No title, straight to the point.\n\n## Details\n"),
            "No title, straight to the point."
        );
        assert_eq!(
            lead(
                "# Grace\n\n> A reimplementation of Grace (<https://plasma-gate.weizmann.ac.il/Grace/>), from https://example.org/x.\n"
            ),
            "A reimplementation of Grace (plasma-gate.weizmann.ac.il), from example.org."
        );
    }

    #[test]
    fn no_lead_before_the_first_section_is_no_summary() {
        assert_eq!(lead(""), "");
        assert_eq!(lead("# Only a title\n"), "");
        assert_eq!(lead("# Title\n\n## Usage\n\nText under a heading.\n"), "");
        assert_eq!(lead("# Title\n\n### Usage\n\nText under a heading.\n"), "");
        assert_eq!(
            lead("# Title\n\n- a list\n- only\n\n## Usage\n\nText.\n"),
            ""
        );
    }

    #[test]
    fn what_is_not_prose_is_passed_over() {
        for before in [
            "![Logo](logo.png)",
            "[![Build](https://ci.example/badge.svg)](https://ci.example)",
            "<p align=\"center\"><img src=\"logo.png\"></p>",
            "<div class=\"hero\">\n\nInside an element.\n\n</div>",
            "```sh\nnpm install\n```",
            "- one\n- two",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "::: tip\nA tip is no summary.\n:::",
            "!!! note\n    Nor is an admonition.",
            "> [!NOTE]\n> Nor an alert.",
            "[[toc]]",
            "$$\n\\sum_{n=1}^N n\n$$",
            "---",
            "> More information: <https://example.org>.",
        ] {
            let body = format!("# Title\n\n{before}\n\nThe real lead.\n\n## Next\n");
            assert_eq!(lead(&body), "The real lead.", "after {before:?}");
        }
        assert_eq!(
            lead(
                "[![Build](https://ci.example/badge.svg)](https://ci.example)\n\n# Project\n\nA fast thing.\n"
            ),
            "A fast thing.",
            "badges above the title"
        );
    }

    #[test]
    fn a_long_lead_is_cut_at_a_sentence() {
        let sentence = "Each sentence of this lead says a little more about the page. ";
        let body = format!("# Long\n\n{}\n", sentence.repeat(8));
        let cut = lead(&body);
        assert!(cut.chars().count() <= MAX_CHARS, "{cut}");
        assert!(cut.ends_with("about the page."), "{cut}");
        assert_eq!(cut.matches("Each sentence").count(), 4, "{cut}");
    }

    #[test]
    fn urls_are_found_without_the_punctuation_around_them() {
        fn found(text: &str) -> Option<&str> {
            next_url(text).map(|(at, end)| &text[at..end])
        }
        assert_eq!(found("see https://a.org/x."), Some("https://a.org/x"));
        assert_eq!(
            found("(https://en.wikipedia.org/wiki/A_(b)), more"),
            Some("https://en.wikipedia.org/wiki/A_(b))")
        );
        assert_eq!(found("(at https://a.org)"), Some("https://a.org"));
        assert_eq!(found("xhttp://a.org and http text"), None);
        assert_eq!(host("https://user@www.gnu.org:80/x?y#z"), "www.gnu.org:80");
    }

    #[test]
    fn labels_name_links_and_nothing_else() {
        assert!(is_label("More information: ."));
        assert!(is_label("See also: , , and ."));
        assert!(is_label("Plus d'informations : ."));
        assert!(is_label("更多信息：。"));
        assert!(!is_label("Disk usage: estimate and summarize ."));
        assert!(!is_label("For a list of channels, frequencies and more: ."));
        assert!(!is_label("Use the command."));
    }

    #[test]
    fn html_containers_are_counted_open_and_closed() {
        assert_eq!(containers_open(0, "<div class=\"tip\">\n<p>Tip</p>\n"), 1);
        assert_eq!(containers_open(1, "</div>\n"), 0);
        assert_eq!(containers_open(0, "<div>one</div><img src=x><br/>"), 0);
        assert_eq!(
            containers_open(0, "<details open>\n<summary>More</summary>"),
            1
        );
        assert_eq!(containers_open(0, "<!-- note -->"), 0);
    }

    #[test]
    fn long_text_is_cut_at_a_sentence_or_a_word() {
        let sentences = "One sentence here. ".repeat(30);
        let cut = clip(sentences.trim(), 100);
        assert!(cut.ends_with("here."), "{cut}");
        assert!(cut.chars().count() <= 100);
        let words = format!("Short. {}", "word ".repeat(80));
        let cut = clip(words.trim(), 100);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= 101);
        assert_eq!(clip("fits", 10), "fits");
    }
}

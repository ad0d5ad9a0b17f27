//! Markdown to HTML and to plain text: the one place that sets pulldown-cmark options.
//!
//! Besides the HTML, one pass collects what search needs (plain text cut into sections,
//! headings with stable ids, and the lead, `lead`, that describes a page without a
//! written description) and strips what is Vue-only: `<script setup>` blocks, whose
//! JSON-LD object is kept as data, and any element bound with `v-html`.
//!
//! Other tools' Markdown comes in around that pass: `dialect` rewrites block syntax
//! before it (its `LineMap` keeps lines as written), `inline` makes each run of text
//! what a reader sees, `math` makes MathML; GitHub alerts get their title here.

mod code;
mod dialect;
mod inline;
mod lead;
mod lines;
mod math;

pub use dialect::Fence;
pub use lead::MAX_CHARS as MAX_LEAD_CHARS;
pub use lines::LineMap;

use super::problem::Problem;
use crate::html::escape_html;
use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeWithOffset,
};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::ops::Range;

/// A heading of a page, with the id its anchor uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, 2 for `##`, …
    pub level: u8,
    /// The heading's text.
    pub text: String,
    /// The element id, unique within the page (`when-to-use`).
    pub id: String,
}

/// The heading levels that start a [`Section`]: `##`, `###` and `####`; `#####` and
/// `######` stay in their section's text.
pub const SECTION_LEVELS: std::ops::RangeInclusive<u8> = 2..=4;

/// A part of a page under one `##`, `###` or `####` heading, up to the next of them
/// (the first part runs from the top of the page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// The heading's id; empty for the part before the first cut.
    pub id: String,
    /// The heading's text; empty for the part before the first cut.
    pub title: String,
    /// The heading's level (2 to 4); 0 for the part before the first cut.
    pub level: u8,
    /// The plain text under the heading, up to the next cut, for the index.
    pub text: String,
}

/// The titles of the sections that hold `sections[index]`, outermost first: `["Usage"]`
/// for a `###` section under `## Usage`.
pub fn section_parents(sections: &[Section], index: usize) -> Vec<&str> {
    let Some(mut level) = sections.get(index).map(|section| section.level) else {
        return Vec::new();
    };
    let mut parents = Vec::new();
    for section in sections[..index].iter().rev() {
        if section.level > 0 && section.level < level {
            parents.push(section.title.as_str());
            level = section.level;
        }
    }
    parents.reverse();
    parents
}

/// A Markdown body, read once.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The body as HTML; empty from [`outline`].
    pub html: String,
    /// The body's plain text cut at every `##`, `###` and `####` heading.
    pub sections: Vec<Section>,
    /// Every heading, in order.
    pub headings: Vec<Heading>,
    /// The page's lead as plain text (its first paragraph or blockquote before any
    /// heading but its title), at most [`MAX_LEAD_CHARS`] long; empty when it has none.
    pub lead: String,
    /// JSON-LD objects found in `<script setup>`, serialised safely for a `<script>` tag.
    pub json_ld: Vec<String>,
    /// Every link's target, with its 1-based line in the body.
    pub links: Vec<(usize, String)>,
    /// Problems worth a warning, at their line in the body.
    pub warnings: Vec<Problem>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
}

/// Renders a Markdown body: its HTML and all that [`outline`] reads. Links and
/// images are written as they are.
pub fn render(body: &str) -> Rendered {
    walk(body, Some(&|_: &str| None))
}

/// Renders a Markdown body as [`render`] does, with each link's and image's target
/// passed through `rewrite`: `Some(href)` replaces it, `None` keeps it.
pub fn render_with(body: &str, rewrite: &Rewrite<'_>) -> Rendered {
    walk(body, Some(rewrite))
}

/// Reads a Markdown body without making its HTML: sections, headings, JSON-LD,
/// links and warnings, as [`render`] reads them. Loading a site needs only these; a
/// page's HTML is made when it is first served.
pub fn outline(body: &str) -> Rendered {
    walk(body, None)
}

/// How link targets are rewritten: `Some(href)` replaces one, `None` keeps it.
type Rewrite<'r> = dyn Fn(&str) -> Option<String> + 'r;

/// Reads `body` once; with `rewrite` (how link targets are rewritten) it makes the
/// HTML too. Other tools' block syntax is first rewritten as CommonMark (`dialect`);
/// lines are reported as written.
fn walk(body: &str, rewrite: Option<&Rewrite<'_>>) -> Rendered {
    let rewritten = dialect::rewrite(body);
    let (text, lines, verbatim) = match &rewritten {
        Some(d) => (d.text.as_str(), Some(&d.lines), d.verbatim.as_slice()),
        None => (body, None, &[][..]),
    };
    let mut walk = Walk {
        body: text,
        lines,
        verbatim,
        rewrite,
        out: Rendered::default(),
        text: String::new(),
        section: Section::default(),
        events: Vec::new(),
        used_ids: HashSet::new(),
        heading: None,
        lead: lead::Lead::default(),
        html_block: None,
        code_block: None,
        v_pre: false,
        in_html_code: false,
        after_inline: false,
    };
    // Text merged, so mdBook's `\\( … \\)` math is one run of text, not three.
    let events = TextMergeWithOffset::new(Parser::new_ext(text, options()).into_offset_iter());
    for (event, range) in events {
        // An attribute list may follow any inline element (`**Update**{ title="…" }`).
        let ends_inline = matches!(
            event,
            Event::Code(_)
                | Event::End(
                    TagEnd::Link
                        | TagEnd::Image
                        | TagEnd::Strong
                        | TagEnd::Emphasis
                        | TagEnd::Strikethrough
                )
        );
        walk.lead.event(&event);
        if walk.code_block.is_some() {
            walk.in_code_block(event);
        } else if walk.html_block.is_some() {
            walk.in_html_block(event);
        } else if walk.heading.is_some() {
            walk.in_heading(event, range.start);
        } else {
            walk.in_body(event, range.start);
        }
        walk.after_inline = ends_inline;
    }
    walk.finish()
}

/// A heading being read: its level, its `{#id}` when it has one, its events and text.
type OpenHeading<'a> = (HeadingLevel, Option<CowStr<'a>>, Vec<Event<'a>>, String);

/// One pass over a body's events: the events to render, and what search and the
/// checks read of them.
struct Walk<'a> {
    body: &'a str,
    /// Where the lines of a rewritten body were written; `None` when it was not.
    lines: Option<&'a LineMap>,
    /// Rewritten lines where `{{ }}` is shown as written without a warning.
    verbatim: &'a [Range<usize>],
    /// How link targets are rewritten, when the HTML is made.
    rewrite: Option<&'a Rewrite<'a>>,
    out: Rendered,
    /// Plain text of the current section; moved into `out.sections` at each cut.
    text: String,
    section: Section,
    events: Vec<Event<'a>>,
    used_ids: HashSet<String>,
    heading: Option<OpenHeading<'a>>,
    /// The lead, read as the events pass.
    lead: lead::Lead,
    /// An HTML block being read: where it starts and its text.
    html_block: Option<(usize, String)>,
    /// A code block being read: its info string (`None` when indented) and its code.
    code_block: Option<(Option<CowStr<'a>>, String)>,
    /// Inside an element marked `v-pre`, where `{{ }}` is meant as written.
    v_pre: bool,
    /// Inside a `<code>` element written as HTML, whose text is shown as written.
    in_html_code: bool,
    /// The last event ended a link or image, which an attribute list may follow.
    after_inline: bool,
}

impl<'a> Walk<'a> {
    /// The written line of a byte offset in the (perhaps rewritten) body.
    fn line_of(&self, offset: usize) -> usize {
        let line = self.body[..offset].matches('\n').count() + 1;
        self.lines.map_or(line, |lines| lines.line(line))
    }

    /// The text a reader sees of a text event, with a warning for a Vue interpolation
    /// shown as written.
    fn visible(&mut self, text: CowStr<'a>, offset: usize) -> CowStr<'a> {
        if inline::has_interpolation(&inline::expand_macros(&text)) && !self.v_pre {
            let rewritten = self.body[..offset].matches('\n').count() + 1;
            if !self.verbatim.iter().any(|r| r.contains(&rewritten)) {
                let line = self.line_of(offset);
                self.out
                    .warnings
                    .push(Problem::warning(line, "`{{ … }}` shown as written: folio runs no template code (VitePress would evaluate it as Vue)"));
            }
        }
        match inline::visible(&text, self.after_inline) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(visible) => visible.into(),
        }
    }

    /// Notes an element marked `v-pre` opening, or the element closing.
    fn note_v_pre(&mut self, html: &str) {
        if html.contains("v-pre") {
            self.v_pre = !(html.contains("</span>") || html.contains("</div>"));
        } else if self.v_pre && (html.contains("</span>") || html.contains("</div>")) {
            self.v_pre = false;
        }
    }

    fn in_html_block(&mut self, event: Event<'a>) {
        match event {
            Event::Html(html) => {
                if let Some((_, block)) = self.html_block.as_mut() {
                    block.push_str(&html);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                let (offset, block) = self.html_block.take().unwrap_or_default();
                let line = self.line_of(offset);
                self.note_v_pre(&block);
                if let Some(kept) = filter_html_block(&block, line, &mut self.out) {
                    add_text(&mut self.text, &strip_tags(&kept));
                    self.events.push(Event::Html(kept.into()));
                }
            }
            _ => {}
        }
    }

    /// Gathers a code block's text; at its end the block becomes one piece of HTML
    /// (`code.rs`), and its displayed text goes to search.
    fn in_code_block(&mut self, event: Event<'a>) {
        match event {
            Event::Text(text) => {
                if let Some((_, code)) = self.code_block.as_mut() {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (info, text) = self.code_block.take().unwrap_or_default();
                let info = info.as_deref();
                self.text
                    .push_str(&code::displayed(&text, info.unwrap_or_default()));
                self.text.push('\n');
                if self.rewrite.is_some() {
                    self.events
                        .push(Event::Html(code::html(&text, info).into()));
                }
            }
            _ => {}
        }
    }

    fn in_heading(&mut self, event: Event<'a>, offset: usize) {
        let event = match event {
            Event::Text(t) => Event::Text(self.visible(t, offset)),
            other => other,
        };
        let Some((_, _, inner, heading_text)) = self.heading.as_mut() else {
            return;
        };
        match event {
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Text(t) => {
                heading_text.push_str(&t);
                inner.push(Event::Text(t));
            }
            other => {
                if let Event::Code(t) = &other {
                    heading_text.push_str(t);
                }
                inner.push(other);
            }
        }
    }

    /// Renders the heading read, with its unique id and anchor; a `##`, `###` or `####`
    /// starts a section.
    fn end_heading(&mut self) {
        let Some((level, mut id, mut inner, mut heading_text)) = self.heading.take() else {
            return;
        };
        let level = level as u8;
        if id.is_none()
            && let Some((leading, rest)) = leading_id(&heading_text)
        {
            // `## {#id} Title`: the id written first, as some translations place it.
            if let Some(Event::Text(first)) = inner.first_mut()
                && let Some(after) = first.trim_start().strip_prefix(&format!("{{#{leading}}}"))
            {
                *first = after.trim_start().to_string().into();
            }
            id = Some(leading.to_string().into());
            heading_text = rest.to_string();
        }
        let id = match id {
            Some(id) => unique_id(&id, &mut self.used_ids),
            None => unique_id(&slug(&heading_text), &mut self.used_ids),
        };
        self.events
            .push(Event::Html(format!("<h{level} id=\"{id}\">").into()));
        self.events.append(&mut inner);
        self.events.push(Event::Html(
            format!(
                "<a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h{level}>\n"
            )
            .into(),
        ));
        let heading_text = heading_text.trim().to_string();
        if SECTION_LEVELS.contains(&level) {
            self.section.text = collapse_blank_lines(&std::mem::take(&mut self.text));
            let next = Section {
                id: id.clone(),
                title: heading_text.clone(),
                level,
                text: String::new(),
            };
            self.out
                .sections
                .push(std::mem::replace(&mut self.section, next));
        } else if level > *SECTION_LEVELS.end() {
            add_text(&mut self.text, &heading_text);
        }
        self.out.headings.push(Heading {
            level,
            text: heading_text,
            id,
        });
    }

    fn in_body(&mut self, mut event: Event<'a>, offset: usize) {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &mut event {
            let written = std::mem::replace(dest_url, CowStr::Borrowed(""));
            *dest_url = self.target(written, offset);
            self.events.push(event);
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.heading = Some((level, id, Vec::new(), String::new()));
            }
            Event::Start(Tag::HtmlBlock) => self.html_block = Some((offset, String::new())),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => Some(info),
                    CodeBlockKind::Indented => None,
                };
                self.code_block = Some((info, String::new()));
            }
            Event::Text(t) if self.in_html_code => self.push_text(t),
            Event::Text(t) => match math::delimited(&t) {
                Some(pieces) => {
                    for piece in pieces {
                        match piece {
                            math::Piece::Text(text) => {
                                let text = self.visible(text.to_string().into(), offset);
                                self.push_text(text);
                            }
                            math::Piece::Math(latex, block) => self.math(latex, block, offset),
                        }
                    }
                }
                None => {
                    let t = self.visible(t, offset);
                    self.push_text(t);
                }
            },
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let title = alert_title(kind);
                add_text(&mut self.text, title);
                self.events.push(event);
                self.events.push(Event::Html(
                    format!("<p class=\"markdown-alert-title\">{title}</p>\n").into(),
                ));
            }
            Event::InlineMath(latex) if math::is_prose(&latex) => {
                self.push_text(format!("${latex}$").into());
            }
            Event::InlineMath(latex) => self.math(&latex, false, offset),
            Event::DisplayMath(latex) => self.math(&latex, true, offset),
            Event::Code(ref t) => {
                self.text.push_str(t);
                self.lead.code(t);
                self.events.push(event);
            }
            Event::InlineHtml(ref html) | Event::Html(ref html) => {
                self.note_v_pre(html);
                let tag = html.trim_start().to_ascii_lowercase();
                if tag.starts_with("<code") {
                    self.in_html_code = !tag.contains("</code");
                } else if tag.starts_with("</code") {
                    self.in_html_code = false;
                }
                add_text(&mut self.text, &strip_tags(html));
                self.events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                self.text.push(' ');
                self.events.push(event);
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => {
                self.text.push('\n');
                self.events.push(event);
            }
            other => self.events.push(other),
        }
    }

    /// Text a reader sees in the body, for the HTML, search and the lead.
    fn push_text(&mut self, text: CowStr<'a>) {
        self.text.push_str(&text);
        self.lead.text(&text);
        self.events.push(Event::Text(text));
    }

    /// Math as MathML; LaTeX that cannot be converted is shown as its source, with a
    /// warning. Search reads the LaTeX source, and so does the lead of inline math.
    fn math(&mut self, latex: &str, block: bool, offset: usize) {
        if block {
            add_text(&mut self.text, latex);
        } else {
            self.text.push_str(latex);
            self.lead.text(latex);
        }
        let html = match math::mathml(latex, block) {
            Ok(mathml) => mathml,
            Err(message) => {
                let line = self.line_of(offset);
                self.out
                    .warnings
                    .push(Problem::warning(line, format!("math not shown: {message}")));
                math::error_html(latex, block)
            }
        };
        if self.rewrite.is_some() {
            self.events.push(Event::InlineHtml(html.into()));
        }
    }

    /// Notes a link's or image's target at its line, and rewrites it for the HTML.
    fn target(&mut self, dest_url: CowStr<'a>, offset: usize) -> CowStr<'a> {
        let line = self.line_of(offset);
        self.out.links.push((line, dest_url.to_string()));
        match self.rewrite.and_then(|rewrite| rewrite(&dest_url)) {
            Some(rewritten) => rewritten.into(),
            None => dest_url,
        }
    }

    fn finish(mut self) -> Rendered {
        self.out.lead = self.lead.finish();
        if self.rewrite.is_some() {
            let events = toc_in_place(std::mem::take(&mut self.events), &self.out.headings);
            pulldown_cmark::html::push_html(&mut self.out.html, events.into_iter());
        }
        self.section.text = collapse_blank_lines(&self.text);
        self.out.sections.push(self.section);
        self.out
            .sections
            .retain(|s| !s.text.is_empty() || !s.title.is_empty());
        self.out
    }
}

/// The title line of a GitHub alert (`> [!NOTE]`).
fn alert_title(kind: pulldown_cmark::BlockQuoteKind) -> &'static str {
    use pulldown_cmark::BlockQuoteKind as Kind;
    match kind {
        Kind::Note => "Note",
        Kind::Tip => "Tip",
        Kind::Important => "Important",
        Kind::Warning => "Warning",
        Kind::Caution => "Caution",
    }
}

/// The levels of headings a table of contents lists unless told otherwise: `##` and
/// `###`.
pub const TOC_LEVELS: (u8, u8) = (2, 3);

/// Replaces each paragraph that holds only `[[toc]]` (as VitePress writes it) with
/// the page's table of contents.
fn toc_in_place<'a>(events: Vec<Event<'a>>, headings: &[Heading]) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut at = 0;
    while at < events.len() {
        if matches!(events[at], Event::Start(Tag::Paragraph)) {
            let texts = events[at + 1..]
                .iter()
                .take_while(|event| matches!(event, Event::Text(_)))
                .count();
            let end = at + 1 + texts;
            let only_toc = matches!(events.get(end), Some(Event::End(TagEnd::Paragraph)))
                && events[at + 1..end]
                    .iter()
                    .map(|event| match event {
                        Event::Text(text) => text.as_ref(),
                        _ => "",
                    })
                    .collect::<String>()
                    .trim()
                    .eq_ignore_ascii_case("[[toc]]");
            if only_toc {
                let html = toc_html(headings, TOC_LEVELS, "toc-inline", "Table of contents");
                out.push(Event::Html(html.into()));
                at = end + 1;
                continue;
            }
        }
        out.push(events[at].clone());
        at += 1;
    }
    out
}

/// A table of contents of `headings` between `levels` (inclusive) as a nested list in
/// a `<nav>` of class `class`; empty when no heading is in range.
pub fn toc_html(headings: &[Heading], levels: (u8, u8), class: &str, label: &str) -> String {
    let (top, bottom) = levels;
    let listed: Vec<&Heading> = headings
        .iter()
        .filter(|h| h.level >= top && h.level <= bottom)
        .collect();
    // The shallowest heading listed is the outer list's, so a page whose first level is
    // `###` gets a flat list, not lists nested in nothing.
    let Some(top) = listed.iter().map(|h| h.level).min() else {
        return String::new();
    };
    let mut html = format!("<nav class=\"{class}\" aria-label=\"{label}\">\n<ul>\n");
    let mut depth = 0usize;
    let mut open_item = false;
    for heading in listed {
        let level = usize::from(heading.level - top);
        while depth < level {
            // A list sits in an item: a skipped level gets an empty one.
            if !open_item {
                html.push_str("<li>");
            }
            html.push_str("<ul>\n");
            depth += 1;
            open_item = false;
        }
        while depth > level {
            html.push_str("</li>\n</ul>\n");
            depth -= 1;
        }
        if open_item {
            html.push_str("</li>\n");
        }
        let _ = write!(
            html,
            "<li><a href=\"#{}\">{}</a>",
            heading.id,
            escape_html(&heading.text)
        );
        open_item = true;
    }
    while depth > 0 {
        html.push_str("</li>\n</ul>\n");
        depth -= 1;
    }
    html.push_str("</li>\n</ul>\n</nav>\n");
    html
}

/// Decides what of a raw HTML block reaches the browser. `<script setup>` blocks are
/// dropped (their JSON-LD kept), and so is any `<script>` but a plain JSON-LD one.
fn filter_html_block(block: &str, line: usize, out: &mut Rendered) -> Option<String> {
    let trimmed = block.trim_start();
    let is_script = trimmed
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("<script"));
    if !is_script {
        return Some(block.to_string());
    }
    let open_tag = &trimmed[..trimmed.find('>').unwrap_or(trimmed.len())];
    let open_lower = open_tag.to_ascii_lowercase();
    if open_lower.contains("setup") {
        match json_ld_in_script(block) {
            Ok(Some(json)) => out.json_ld.push(json),
            Ok(None) => {}
            Err(message) => out.warnings.push(Problem::warning(line, message)),
        }
        return None;
    }
    if open_lower.contains("v-html") || open_lower.contains("v-bind") {
        return None;
    }
    if open_lower.contains("application/ld+json") {
        let inner = script_inner(block);
        return match serde_json::from_str::<serde_json::Value>(inner) {
            Ok(value) => {
                out.json_ld.push(safe_json(&value));
                None
            }
            Err(error) => {
                out.warnings.push(Problem::warning(
                    line,
                    format!("JSON-LD script is not valid JSON: {error}"),
                ));
                None
            }
        };
    }
    out.warnings.push(Problem::warning(
        line,
        "inline <script> blocks are not served; put scripts in templates",
    ));
    None
}

fn script_inner(block: &str) -> &str {
    let start = block.find('>').map_or(block.len(), |i| i + 1);
    let end = block
        .to_ascii_lowercase()
        .rfind("</script")
        .unwrap_or(block.len())
        .max(start);
    &block[start..end]
}

/// Finds the first object literal assigned in a `<script setup>` block and, when it is
/// a JSON-LD object (it has `@context`), returns it serialised for a `<script>` tag.
fn json_ld_in_script(block: &str) -> Result<Option<String>, String> {
    let inner = script_inner(block);
    let Some(eq) = inner.find('=') else {
        return Ok(None);
    };
    let Some(open) = inner[eq..].find('{').map(|i| i + eq) else {
        return Ok(None);
    };
    let Some(close) = matching_brace(&inner[open..]).map(|i| i + open) else {
        return Err("structured data in <script setup> has an unclosed `{`".into());
    };
    let literal = &inner[open..=close];
    if !literal.contains("@context") {
        return Ok(None);
    }
    serde_json::from_str::<serde_json::Value>(literal)
        .map(|value| Some(safe_json(&value)))
        .map_err(|error| format!("structured data in <script setup> is not valid JSON: {error}"))
}

/// The byte index of the `}` closing the `{` at index 0, skipping string contents.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// Serialises JSON so that it cannot end the `<script>` element that holds it.
fn safe_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The id of a heading written `{#id} Title`, and the title after it.
fn leading_id(heading: &str) -> Option<(&str, &str)> {
    let rest = heading.trim_start().strip_prefix("{#")?;
    let (id, title) = rest.split_once('}')?;
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    plain.then(|| (id, title.trim_start()))
}

/// Turns heading text into an id: `When to Use` → `when-to-use`.
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "section".into()
    } else {
        slug.into()
    }
}

fn unique_id(wanted: &str, used: &mut HashSet<String>) -> String {
    let mut id = wanted.to_string();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{wanted}-{n}");
        n += 1;
    }
    escape_html(&id)
}

/// The text of an HTML fragment: tags removed, common entities decoded.
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (c, in_tag) {
            ('<', _) => in_tag = true,
            ('>', true) => {
                in_tag = false;
                text.push(' ');
            }
            (_, false) => text.push(c),
            _ => {}
        }
    }
    decode_entities(&text)
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (entity, plain) in [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ] {
        out = out.replace(entity, plain);
    }
    out
}

fn add_text(text: &mut String, more: &str) {
    let more = more.trim();
    if !more.is_empty() {
        let _ = writeln!(text, " {more}");
    }
}

fn collapse_blank_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(out: &Rendered) -> String {
        out.sections
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn text_is_cut_into_sections_at_each_h2_h3_and_h4() {
        let out = render(
            "# Page\n\nIntro.\n\n## When to Use\n\nUse it.\n\n### Detail\n\nMore.\n\n#### Finer\n\nFine.\n\n##### Finest\n\nTiny.\n\n###### Last\n\nEnd.\n\n## Source\n\nRFC.\n",
        );
        let sections: Vec<(&str, &str, u8, &str)> = out
            .sections
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str(), s.level, s.text.as_str()))
            .collect();
        assert_eq!(
            sections,
            [
                ("", "", 0, "Intro."),
                ("when-to-use", "When to Use", 2, "Use it."),
                ("detail", "Detail", 3, "More."),
                ("finer", "Finer", 4, "Fine.\nFinest\nTiny.\nLast\nEnd."),
                ("source", "Source", 2, "RFC.")
            ]
        );
    }

    #[test]
    fn a_section_knows_the_headings_above_it() {
        let out = outline(
            "Top.\n\n## Configuration\n\n### Theme\n\n#### Colors\n\nRed.\n\n### Fonts\n\n## Usage\n\n#### Skipped a level\n\nText.\n",
        );
        let parents: Vec<(&str, Vec<&str>)> = (0..out.sections.len())
            .map(|i| {
                (
                    out.sections[i].title.as_str(),
                    section_parents(&out.sections, i),
                )
            })
            .collect();
        assert_eq!(
            parents,
            [
                ("", vec![]),
                ("Configuration", vec![]),
                ("Theme", vec!["Configuration"]),
                ("Colors", vec!["Configuration", "Theme"]),
                ("Fonts", vec!["Configuration"]),
                ("Usage", vec![]),
                ("Skipped a level", vec!["Usage"]),
            ]
        );
        assert!(section_parents(&out.sections, 99).is_empty());
    }

    #[test]
    fn a_page_without_h2_is_cut_at_its_h3() {
        let out = outline("# Book page\n\nOpening.\n\n### First\n\nOne.\n\n### Second\n\nTwo.\n");
        let ids: Vec<&str> = out.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["", "first", "second"]);
        assert_eq!(out.sections[2].text, "Two.");
    }

    #[test]
    fn template_macros_render_as_their_text() {
        let out = render(
            "See {{HTTPStatus(\"404\", \"404 Not Found\")}} from a {{Glossary(\"Proxy_server\")}}.\n\n{{Specifications}}\n\n`{{path/to/file}}`\n",
        );
        assert!(
            out.html.contains("See 404 Not Found from a Proxy server."),
            "{}",
            out.html
        );
        assert!(!out.html.contains("Specifications"));
        assert!(out.html.contains("<code>{{path/to/file}}</code>"));
    }

    #[test]
    fn headings_get_stable_unique_ids_and_self_links() {
        let out = render("# Title\n\n## When to Use\n\ntext\n\n## When to Use\n");
        assert_eq!(out.headings[1].id, "when-to-use");
        assert_eq!(out.headings[2].id, "when-to-use-1");
        assert!(out.html.contains(
            "<h2 id=\"when-to-use\">When to Use<a class=\"anchor\" href=\"#when-to-use\""
        ));
    }

    #[test]
    fn explicit_heading_ids_win() {
        let out = render("## Setup {#install}\n");
        assert_eq!(out.headings[0].id, "install");
    }

    #[test]
    fn slug_keeps_letters_digits_and_dashes() {
        assert_eq!(slug("401 vs. 403: Which?"), "401-vs-403-which");
        assert_eq!(slug("  Ünïcode  Title "), "ünïcode-title");
        assert_eq!(slug("!!!"), "section");
    }

    #[test]
    fn gfm_extensions_render() {
        let out = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n",
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("footnote"));
    }

    #[test]
    fn raw_html_renders_as_html() {
        let out = render("<div class=\"note\">Hello <b>there</b></div>\n");
        assert!(
            out.html
                .contains("<div class=\"note\">Hello <b>there</b></div>")
        );
        assert!(text_of(&out).contains("Hello"));
    }

    #[test]
    fn script_setup_is_dropped_and_its_json_ld_kept_safely() {
        let body = "<script setup>\nconst data = {\n  \"@context\": \"https://schema.org\",\n  \"headline\": \"x <\\/script><script>alert(1)<\\/script>\"\n}\n</script>\n\n<script type=\"application/ld+json\" v-html=\"JSON.stringify(data)\"></script>\n\n# Title\n";
        let out = render(body);
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("v-html"));
        assert_eq!(out.json_ld.len(), 1);
        assert!(out.json_ld[0].contains("\\u003c/script\\u003e"));
        assert!(!out.json_ld[0].contains("</script>"));
        assert!(!text_of(&out).contains("schema.org"));
    }

    #[test]
    fn invalid_json_ld_is_a_warning_with_a_line() {
        let out = render("# T\n\n<script setup>\nconst d = { \"@context\": oops }\n</script>\n");
        assert_eq!(out.warnings.len(), 1);
        assert_eq!(out.warnings[0].line, 3);
        assert!(out.json_ld.is_empty());
    }

    #[test]
    fn script_setup_inside_a_code_fence_is_shown_as_code() {
        let out = render("```html\n<script setup>\nconst a = 1\n</script>\n```\n");
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(out.html.contains("&lt;"), "{}", out.html);
        assert!(text_of(&out).contains("<script setup>"));
    }

    #[test]
    fn text_leaves_out_headings_and_markup() {
        let out = render("# Title\n\nSome *emphasis* and `code`.\n\n- one\n- two\n");
        assert_eq!(text_of(&out), "Some emphasis and code.\none\ntwo");
    }

    #[test]
    fn toc_in_place_lists_h2_and_h3_nested() {
        let out = render("# T\n\n[[toc]]\n\n## A\n\n### A1\n\n## B & C\n\n#### deep\n");
        assert!(!out.html.contains("[[toc]]"), "{}", out.html);
        let toc = &out.html[out.html.find("<nav").unwrap()..out.html.find("</nav>").unwrap()];
        assert!(
            toc.contains("<li><a href=\"#a\">A</a><ul>\n<li><a href=\"#a1\">A1</a>"),
            "{toc}"
        );
        assert!(toc.contains("<a href=\"#b-c\">B &amp; C</a>"), "{toc}");
        assert!(!toc.contains("deep"));
        assert_eq!(toc.matches("<ul>").count(), toc.matches("</ul>").count());
    }

    #[test]
    fn toc_lists_only_items_in_lists_whatever_levels_the_page_skips() {
        let heading = |level, id: &str| Heading {
            level,
            id: id.to_string(),
            text: id.to_string(),
        };
        // From `#` straight to `###`, as mdBook's guide writes SUMMARY.md's page.
        let flat = toc_html(&[heading(3, "a"), heading(3, "b")], (2, 3), "toc", "T");
        assert!(!flat.contains("<ul>\n<ul>"), "{flat}");
        assert_eq!(flat.matches("<ul>").count(), 1, "{flat}");
        // `##` then `####`: the skipped level is an empty item holding the list.
        let gap = toc_html(
            &[heading(2, "a"), heading(4, "b"), heading(3, "c")],
            (2, 4),
            "toc",
            "T",
        );
        assert!(!gap.contains("<ul>\n<ul>"), "{gap}");
        assert!(gap.contains("<ul>\n<li><ul>\n<li><a href=\"#b\">"), "{gap}");
        assert_eq!(
            gap.matches("<li>").count(),
            gap.matches("</li>").count(),
            "{gap}"
        );
    }

    #[test]
    fn link_and_image_targets_are_rewritten_and_collected() {
        let out = render_with(
            "[a](x.md) ![i](img/p.png) [e](https://e.org)\n",
            &|target| (!target.starts_with("http")).then(|| format!("/r/{target}")),
        );
        assert!(out.html.contains("href=\"/r/x.md\""), "{}", out.html);
        assert!(out.html.contains("src=\"/r/img/p.png\""));
        assert!(out.html.contains("href=\"https://e.org\""));
        assert_eq!(out.links.len(), 3);
    }

    #[test]
    fn links_are_collected_with_their_lines() {
        let out = render("# T\n\nSee [a](/a) and\n[b](b#x).\n");
        assert_eq!(out.links, [(3, "/a".to_string()), (4, "b#x".to_string())]);
    }

    proptest::proptest! {
        #[test]
        fn json_ld_never_closes_its_script(headline in "\\PC{0,60}") {
            let data = serde_json::json!({"@context": "https://schema.org", "headline": headline});
            let body = format!("<script setup>\nconst d = {data}\n</script>\n");
            let out = render(&body);
            for json in &out.json_ld {
                proptest::prop_assert!(!json.to_lowercase().contains("</script"));
                proptest::prop_assert!(!json.contains('<'));
            }
        }

        #[test]
        fn any_markdown_renders(body in "\\PC{0,300}") {
            let out = render(&body);
            proptest::prop_assert!(!out.html.contains("<script setup"));
        }
    }

    #[test]
    fn math_renders_and_shell_dollars_stay_text() {
        let out = render(
            "Euler: $e^{i\\pi} = -1$.\n\n$$\n\\sum_{n=1}^N n\n$$\n\nSet `$PATH`, $HOME and $PATH, costs $5 or $10. `$HOME/bin:$PATH` and $HOME/bin:$PATH.\n",
        );
        assert_eq!(out.html.matches("<math").count(), 2, "{}", out.html);
        assert!(out.html.contains("display=\"block\""));
        assert!(
            out.html.contains("$HOME and $PATH, costs $5 or $10."),
            "{}",
            out.html
        );
        assert!(out.html.contains("and $HOME/bin:$PATH."), "{}", out.html);
        assert!(text_of(&out).contains("e^{i\\pi} = -1"));
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn mdbook_mathjax_delimiters_render() {
        let out = render(
            "Inline \\\\( \\int x dx \\\\) here.\n\n\\\\[ \\mu = \\frac{1}{N} \\\\]\n\n```\n\\\\( code \\\\)\n```\n",
        );
        assert_eq!(out.html.matches("<math").count(), 2, "{}", out.html);
        assert!(out.html.contains("\\\\( code \\\\)"), "{}", out.html);
    }

    #[test]
    fn invalid_math_is_shown_as_source_with_a_warning() {
        let out = render("# T\n\nBad $\\frac{a}$ here.\n");
        assert!(
            out.html
                .contains("<code class=\"math-error\">$\\frac{a}$</code>"),
            "{}",
            out.html
        );
        assert_eq!(out.warnings.len(), 1);
        assert_eq!(out.warnings[0].line, 3);
    }

    #[test]
    fn github_alerts_get_a_title() {
        let out = render("> [!WARNING]\n> Mind the step.\n");
        assert!(
            out.html
                .contains("<blockquote class=\"markdown-alert-warning\">"),
            "{}",
            out.html
        );
        assert!(
            out.html
                .contains("<p class=\"markdown-alert-title\">Warning</p>"),
            "{}",
            out.html
        );
        assert!(!text_of(&out).contains("[!WARNING]"));
        assert!(text_of(&out).contains("Warning"));
    }

    #[test]
    fn dialect_lines_map_back_for_links_and_warnings() {
        let out =
            render("# T\n\n::: tip\nSee [a](/a).\n:::\n\n!!! note\n    {{ count }} and [b](/b)\n");
        assert_eq!(out.links, [(4, "/a".to_string()), (8, "/b".to_string())]);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert_eq!(out.warnings[0].line, 8);
        assert!(out.html.contains("{{ count }}"));
    }

    #[test]
    fn interpolations_in_v_pre_are_not_warned() {
        let out = render(
            "::: v-pre\n`{{ a }}` and {{ b }}\n:::\n\n<span v-pre>{{ c }}</span>\n\nCode: `{{ d }}`\n\n```\n{{ e }}\n```\n",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert!(out.html.contains("{{ b }}") && out.html.contains("{{ c }}"));
    }

    #[test]
    fn search_text_has_no_dialect_syntax_and_sections_hold() {
        let body = "# T\n\n## Install { #setup }\n\n::: tip Before you start\nRead this :tada:.\n:::\n\n=== \"Linux\"\n    !!! warning \"Root\"\n        Use sudo. { .note }\n\n=== \"Mac\"\n    :material-apple: Use brew.\n\n## Next\n\n> [!NOTE]\n> Later.\n";
        let out = outline(body);
        let all = text_of(&out);
        for syntax in [
            ":::",
            "!!!",
            "???",
            "===",
            "[!NOTE]",
            "{ .note }",
            ":tada:",
            ":material-",
        ] {
            assert!(!all.contains(syntax), "{syntax} in {all}");
        }
        let install = &out.sections[0];
        assert_eq!(install.id, "setup");
        for seen in [
            "Before you start",
            "Read this 🎉.",
            "Linux",
            "Root",
            "Use sudo.",
            "Mac",
            "Use brew.",
        ] {
            assert!(
                install.text.contains(seen),
                "{seen} not in {:?}",
                install.text
            );
        }
        assert_eq!(out.sections[1].title, "Next");
        assert!(out.sections[1].text.contains("Later."));
    }

    #[test]
    fn an_id_written_before_the_heading_text_is_its_id() {
        let out = render("## {#features} Features here\n");
        assert_eq!(out.headings[0].id, "features");
        assert_eq!(out.headings[0].text, "Features here");
        assert!(
            out.html.contains("<h2 id=\"features\">Features here<a"),
            "{}",
            out.html
        );
    }

    #[test]
    fn attribute_lists_after_any_inline_element_are_removed() {
        let out = render("__Update__{ title=\"August 21, 2024\" }: news. `x`{ .lang }\n");
        assert!(
            out.html
                .contains("<strong>Update</strong>: news. <code>x</code>"),
            "{}",
            out.html
        );
    }

    #[test]
    fn heading_attribute_forms_still_work() {
        let out = render("## Title { #custom-id }\n\n## Other {#id}\n\n## Styled { .big }\n");
        assert_eq!(out.headings[0].id, "custom-id");
        assert_eq!(out.headings[1].id, "id");
        assert_eq!(out.headings[2].text, "Styled");
    }

    #[test]
    fn a_page_of_code_blocks_renders_as_reviewed() {
        let body = include_str!("../../../tests/fixtures/markdown/code-blocks.md");
        insta::assert_snapshot!(render(body).html);
    }

    #[test]
    fn code_blocks_give_search_their_displayed_text() {
        let out = render("# T\n\n```rust\n# hidden()\nshown() // [!code ++]\n```\n\nafter\n");
        assert_eq!(text_of(&out), "shown()\nafter");
        assert_eq!(
            text_of(&outline("```rust\n# hidden()\nshown()\n```\n")),
            "shown()"
        );
    }

    #[test]
    fn strip_tags_decodes_entities() {
        assert_eq!(strip_tags("<p>a &amp; b</p>").trim(), "a & b");
    }
}

//! Text-level syntax of other documentation tools, applied to the text of a page
//! (never to code spans or code blocks): emoji shortcodes (`:tada:`), Material for
//! MkDocs icon shortcodes (`:material-check:`, shown as nothing), attribute lists
//! (`{ .class #id }`, removed), MDN's KumaScript macros (`{{Glossary("x")}}`, shown as
//! their text) and Vue interpolations (`{{ count }}`, kept as written).
//!
//! The shortcodes and attribute lists are read by hand: they are short patterns with
//! guards (`12:30:45` is a time, not a shortcode) that a crate of their own would not
//! save; the emoji table is GitHub's, from the `emojis` crate.

use std::borrow::Cow;
use std::sync::LazyLock;

/// The text a reader sees of a run of text: shortcodes replaced, attribute lists and
/// MDN macros resolved. `after_inline` says the text follows a link or image, where
/// an attribute list may start it.
pub fn visible(text: &str, after_inline: bool) -> Cow<'_, str> {
    let text = expand_macros(text);
    let text = match shortcodes(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(replaced) => Cow::Owned(replaced),
    };
    match attribute_lists(&text, after_inline) {
        Cow::Borrowed(_) => text,
        Cow::Owned(stripped) => Cow::Owned(stripped),
    }
}

/// A title or label written in Markdown (`:octicons-file-code-16: \`docs/page.md\``,
/// `[a link] as well`) as the inline HTML a reader sees: code spans and emphasis kept,
/// shortcodes and attribute lists as in text, links as their text (a title is often
/// itself a link target's label).
pub fn inline_html(title: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    // A reference whose definition is elsewhere in the page still reads as its text.
    let mut any_reference = |_: pulldown_cmark::BrokenLink<'_>| Some(("".into(), "".into()));
    let parser = Parser::new_with_broken_link_callback(
        title,
        pulldown_cmark::Options::empty(),
        Some(&mut any_reference),
    );
    let events = parser.filter_map(|event| match event {
        Event::Text(text) => Some(Event::Text(visible(&text, false).into_owned().into())),
        Event::Start(Tag::Paragraph | Tag::Link { .. })
        | Event::End(TagEnd::Paragraph | TagEnd::Link) => None,
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim().to_string()
}

/// Whether `text` holds a Vue interpolation (`{{ expr }}`) shown as written; mdBook's
/// `{{#include}}` directives are not interpolations.
pub fn has_interpolation(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        rest = &rest[open + 2..];
        if !rest.starts_with('#') && rest.contains("}}") {
            return true;
        }
    }
    false
}

/// Replaces `:name:` with its emoji, and Material's icon shortcodes with nothing. A
/// shortcode stands alone: no letter or digit touches its colons, so `12:30:45` and
/// `a:b:c` stay as they are, and so does any `:word:` that names no emoji.
fn shortcodes(text: &str) -> Cow<'_, str> {
    if !text.contains(':') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find(':') {
        let open = at + found;
        at = open + 1;
        if open > 0 && bytes[open - 1].is_ascii_alphanumeric() {
            continue;
        }
        let name_len = text[open + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
            .count();
        let close = open + 1 + name_len;
        if name_len == 0 || bytes.get(close) != Some(&b':') {
            continue;
        }
        if bytes.get(close + 1).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let name = &text[open + 1..close];
        let replacement = if is_icon(name) {
            ""
        } else if let Some(emoji) = emoji(name) {
            emoji.as_str()
        } else {
            continue;
        };
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..open]);
        out.push_str(replacement);
        copied = close + 1;
        // An icon's attribute list (`:fontawesome-brands-mastodon:{ style="…" }`) goes
        // with it.
        if is_icon(name)
            && let Some(list) = LIST.as_ref().and_then(|list| list.find(&text[copied..]))
            && list.start() == 0
        {
            copied += list.end();
        }
        // A removed icon leaves one space between the words around it, not two.
        if replacement.is_empty() && out.ends_with(' ') && text[copied..].starts_with(' ') {
            copied += 1;
        }
        at = copied;
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
}

/// The emoji a shortcode names: GitHub's name (`raising_hand_man`), or Twemoji's as
/// Material for MkDocs writes it, the person first (`man_raising_hand`).
fn emoji(name: &str) -> Option<&'static emojis::Emoji> {
    emojis::get_by_shortcode(name).or_else(|| {
        let (person, rest) = name.split_once('_')?;
        // `woman_in_lotus_position` is GitHub's `lotus_position_woman`.
        let rest = rest.strip_prefix("in_").unwrap_or(rest);
        matches!(person, "man" | "woman" | "person")
            .then(|| emojis::get_by_shortcode(&format!("{rest}_{person}")))
            .flatten()
    })
}

/// Whether a shortcode names one of Material for MkDocs' icon sets.
fn is_icon(name: &str) -> bool {
    ["material-", "octicons-", "fontawesome-", "simple-"]
        .iter()
        .any(|set| name.starts_with(set) && name.len() > set.len())
}

/// An attribute list: `{ .class #id key="v" }`, `{: .class }`, `{target="_self"}`.
static LIST: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(
        r#"\{:?[ \t]*(?:[.#][\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}"']+))(?:[ \t]+(?:[.#][\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}"']+)))*[ \t]*\}"#,
    )
    .ok()
});

/// Removes attribute lists (`{ .class #id key="v" }`, `{: .class }`) where Python-
/// Markdown's attr_list and VitePress read them: at the end of the text, or at its
/// start when it follows a link or image.
fn attribute_lists(text: &str, after_inline: bool) -> Cow<'_, str> {
    if !text.contains('{') {
        return Cow::Borrowed(text);
    }
    let Some(list) = LIST.as_ref() else {
        return Cow::Borrowed(text);
    };
    let mut out = Cow::Borrowed(text);
    if after_inline
        && let Some(found) = list.find(text)
        && found.start() == 0
    {
        out = Cow::Owned(text[found.end()..].to_string());
    }
    let trimmed = out.trim_end();
    let last = list
        .find_iter(trimmed)
        .last()
        .filter(|m| m.end() == trimmed.len())
        .map(|m| m.start());
    match last {
        Some(start) => Cow::Owned(out[..start].trim_end().to_string()),
        None => out,
    }
}

/// Replaces MDN's KumaScript macros with the text they display:
/// `{{HTTPStatus("404", "404 Not Found")}}` → `404 Not Found`,
/// `{{Glossary("Proxy_server", "proxy")}}` → `proxy`, `{{HTTPHeader("ETag")}}` →
/// `ETag`; a bare CamelCase macro (`{{Specifications}}`, `{{Compat}}`) is removed.
/// Anything else in `{{ }}` (`{{ count }}`, `{{ $frontmatter.title }}`) is a Vue
/// interpolation and stays as written.
pub fn expand_macros(text: &str) -> Cow<'_, str> {
    static MACRO: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(
            r#"\{\{\s*[A-Za-z][\w.-]*\s*\(([^)]*)\)\s*\}\}|\{\{[A-Z][A-Za-z0-9_.-]*\}\}"#,
        )
        .ok()
    });
    static ARGUMENT: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r#""([^"]*)"|'([^']*)'"#).ok());
    if !text.contains("{{") {
        return text.into();
    }
    let (Some(macro_), Some(argument)) = (MACRO.as_ref(), ARGUMENT.as_ref()) else {
        return text.into();
    };
    macro_.replace_all(text, |captures: &regex::Captures| {
        let arguments: Vec<&str> = captures
            .get(1)
            .map(|args| {
                argument
                    .captures_iter(args.as_str())
                    .filter_map(|c| c.get(1).or_else(|| c.get(2)))
                    .map(|m| m.as_str())
                    .collect()
            })
            .unwrap_or_default();
        match arguments.as_slice() {
            [_, display, ..] if !display.trim().is_empty() => display.to_string(),
            [target, ..] => target.replace('_', " "),
            [] => String::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_render_as_inline_markdown() {
        assert_eq!(
            inline_html(":octicons-file-code-16: `docs/page.md`"),
            "<code>docs/page.md</code>"
        );
        assert_eq!(
            inline_html("[Insiders] is *free* <b>"),
            "Insiders is <em>free</em> &lt;b&gt;"
        );
        assert_eq!(inline_html("Tom & Jerry"), "Tom &amp; Jerry");
    }

    #[test]
    fn emoji_shortcodes_become_emoji() {
        assert_eq!(visible("Done :tada: :+1:", false), "Done 🎉 👍");
        assert_eq!(visible(":rocket:launch", false), ":rocket:launch");
        assert_eq!(
            visible("an :unknown-word: here", false),
            "an :unknown-word: here"
        );
    }

    #[test]
    fn twemoji_names_with_the_person_first_are_emoji() {
        assert_eq!(visible("Hi :man_raising_hand: there", false), "Hi 🙋‍♂️ there");
        assert_eq!(visible(":woman_in_lotus_position: Rank", false), "🧘‍♀️ Rank");
        assert_eq!(
            visible(
                "e.g. :fontawesome-brands-mastodon:{ style=\"color: #5A4CE0\" } or",
                false
            ),
            "e.g. or"
        );
    }

    #[test]
    fn times_and_urls_are_not_shortcodes() {
        for text in [
            "at 12:30:45",
            "a:b:c",
            "urn:smile:x",
            "std::fs::read",
            "x :: y",
        ] {
            assert_eq!(visible(text, false), text);
        }
    }

    #[test]
    fn icon_shortcodes_show_nothing() {
        assert_eq!(
            visible(
                ":material-check: Yes :octicons-mark-github-16: :fontawesome-brands-twitter: :simple-rust:",
                false
            ),
            " Yes "
        );
        assert_eq!(visible(":material-:", false), ":material-:");
    }

    #[test]
    fn attribute_lists_are_removed() {
        assert_eq!(
            visible("A paragraph. { .lead #intro }", false),
            "A paragraph."
        );
        assert_eq!(visible("Text {: .note }", false), "Text");
        assert_eq!(visible("{target=\"_self\"} and on", true), " and on");
        assert_eq!(visible("{ .md-button }", true), "");
        // Braces in prose are no attribute list.
        assert_eq!(visible("a set {1, 2} here", false), "a set {1, 2} here");
        assert_eq!(visible("{ .x } at the start", false), "{ .x } at the start");
    }

    #[test]
    fn mdn_macros_render_and_interpolations_stay() {
        assert_eq!(
            visible("See {{HTTPStatus(\"404\", \"404 Not Found\")}} now", false),
            "See 404 Not Found now"
        );
        assert_eq!(visible("{{ domxref(\"Window\") }}", false), "Window");
        assert_eq!(visible("{{Specifications}}{{Compat}}", false), "");
        for kept in [
            "{{ count }}",
            "{{ $frontmatter.title }}",
            "{{ 1 + 1 }}",
            "{{count}}",
        ] {
            assert_eq!(visible(kept, false), kept);
            assert!(has_interpolation(kept));
        }
        assert!(!has_interpolation("{{#include file.rs}}"));
        assert!(!has_interpolation("no braces {x}"));
    }
}

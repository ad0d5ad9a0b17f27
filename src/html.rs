//! HTML escaping, the one way text is put into HTML made by hand (snippets, the
//! sitemap, tag attributes) outside the templates.

/// Escapes text for HTML content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html_into(&mut out, text);
    out
}

/// [`escape_html`], written at the end of `out`.
pub fn escape_html_into(out: &mut String, text: &str) {
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(escaped);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn escaping_into_a_buffer_appends_and_keeps_other_characters_whole() {
        let mut out = String::from("<mark>");
        escape_html_into(&mut out, "é<ü>€ & \"中文\"");
        assert_eq!(out, "<mark>é&lt;ü&gt;€ &amp; &quot;中文&quot;");
    }
}

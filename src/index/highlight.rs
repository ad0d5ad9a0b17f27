//! Highlighting: the passage of a text where the query's words stand closest together,
//! HTML-escaped, with those words in `<mark>`.
//!
//! Words are found in one pass over the text, its ASCII letters lower-cased: a packed
//! (SIMD) searcher finds where the first bytes of a pattern stand; there, the query's
//! few patterns are compared, and only words that start like one are stemmed to confirm
//! them, each word once for all the hits of a search. A packed searcher builds in a
//! microsecond or two, far less than a full automaton, and lower-casing the text first
//! keeps it to one prefix per pattern rather than one per way of writing it.

use super::analysis::is_unspaced;
use super::query::analyze;
use crate::html::escape_html_into;
use aho_corasick::packed;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::Mutex;
use tantivy::tokenizer::TextAnalyzer;

/// How much of a text is looked through for the query's words: a passage is taken
/// from the start of a very long section, which bounds the work per hit.
const MAX_SCAN_BYTES: usize = 64 * 1024;

/// How far a passage's end may move to finish a word.
const WORD_SLACK: usize = 24;

/// How a pattern found in the text confirms a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The word as typed: the text's word must be the same word.
    Word,
    /// An index term: the text's word must stem to it.
    Stem,
    /// The unfinished last word: the text's word must start with it.
    Prefix,
}

/// Finds and marks the query's words in texts.
pub struct Highlighter {
    /// Lowercase patterns, shortest first: at one place in a text, the shortest that
    /// is confirmed marks the word.
    patterns: Vec<(String, Kind)>,
    /// How the places where a pattern may start are found.
    starts: Starts,
    stems: HashSet<String>,
    /// The stemmer, and each word of the texts stemmed so far with whether its stem is
    /// one of `stems`: the same words come back in every hit of a search.
    stemmed: Mutex<(TextAnalyzer, HashMap<String, bool>)>,
}

/// How a highlighter finds the places where one of its patterns may start.
enum Starts {
    /// A packed (SIMD) searcher over each pattern's first bytes.
    Packed(packed::Searcher),
    /// The bytes that start a pattern: for when no packed searcher can be built (too
    /// many prefixes, another CPU).
    Bytes(Box<[bool; 256]>),
}

/// A passage to show: its byte range and the number of different words it marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// How many different query words the whole text holds.
    pub words: usize,
    /// The marked words, as byte ranges into the text.
    marks: Vec<Range<usize>>,
    /// The byte range of the passage.
    range: Range<usize>,
}

impl Highlighter {
    /// A highlighter for `words` as typed, the query's index `stems`, and the last
    /// word as a prefix when it may be unfinished. `None` when there is nothing to find.
    pub fn new(
        words: &[String],
        stems: &[String],
        prefix: Option<&str>,
        stemmer: TextAnalyzer,
    ) -> Option<Highlighter> {
        let mut patterns: Vec<(String, Kind)> = Vec::new();
        let mut add = |text: &str, kind| {
            let text = text.to_lowercase();
            if !text.is_empty() && !patterns.iter().any(|(t, k)| *t == text && *k == kind) {
                patterns.push((text, kind));
            }
        };
        // A stem confirms the word written the same way too: one pattern is enough.
        stems.iter().for_each(|s| add(s, Kind::Stem));
        let stems: HashSet<String> = stems.iter().map(|s| s.to_lowercase()).collect();
        words
            .iter()
            .filter(|w| !stems.contains(&w.to_lowercase()))
            .for_each(|w| add(w, Kind::Word));
        prefix.into_iter().for_each(|p| add(p, Kind::Prefix));
        if patterns.is_empty() {
            return None;
        }
        patterns.sort_by_key(|(text, _)| text.len());
        let prefixes: BTreeSet<&[u8]> = patterns
            .iter()
            .map(|(pattern, _)| &pattern.as_bytes()[..pattern.len().min(PREFIX_BYTES)])
            .collect();
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&prefixes)
            .build();
        let starts = match packed {
            Some(searcher) => Starts::Packed(searcher),
            None => {
                let mut first_bytes = Box::new([false; 256]);
                for (pattern, _) in &patterns {
                    first_bytes[usize::from(pattern.as_bytes()[0])] = true;
                }
                Starts::Bytes(first_bytes)
            }
        };
        Some(Highlighter {
            starts,
            stems,
            patterns,
            stemmed: Mutex::new((stemmer, HashMap::new())),
        })
    }

    /// The best passage of `text`, at most `max_chars` long, or `None` when no word
    /// of the query is in it.
    pub fn passage(&self, text: &str, max_chars: usize) -> Option<Passage> {
        let text = &text[..floor_boundary(text, text.len().min(MAX_SCAN_BYTES))];
        // ASCII letters lower-cased, every byte where it was: the patterns are found in
        // it, the words confirmed and cut in `text`.
        let lower = text.to_ascii_lowercase();
        let marks = self.marks(text, &lower);
        if marks.is_empty() {
            return None;
        }
        let ids = word_ids(text, &marks);
        let words = ids.iter().max().map_or(0, |max| max + 1);
        // The window of marks from `start` that fits in `max_bytes`, with how often
        // each word stands in it, slides over the marks once.
        let max_bytes = max_chars;
        let mut in_window = vec![0usize; words];
        let mut distinct = 0;
        let mut best = (0, 0);
        let mut end = 0;
        for start in 0..marks.len() {
            // A word longer than a passage leaves the window empty.
            end = end.max(start);
            while end < marks.len() && marks[end].end <= marks[start].start + max_bytes {
                if in_window[ids[end]] == 0 {
                    distinct += 1;
                }
                in_window[ids[end]] += 1;
                end += 1;
            }
            if distinct > best.0 {
                best = (distinct, start);
            }
            if end > start {
                in_window[ids[start]] -= 1;
                if in_window[ids[start]] == 0 {
                    distinct -= 1;
                }
            }
        }
        let first = marks[best.1].start;
        let from = word_start(text, first.saturating_sub(max_bytes / 4))
            .max(first.saturating_sub(max_bytes / 2));
        let from = floor_boundary(text, from);
        let to = floor_boundary(text, (from + max_bytes).min(text.len()));
        let to = word_end(text, to).min(floor_boundary(text, (to + WORD_SLACK).min(text.len())));
        let marks = marks
            .into_iter()
            .filter(|m| m.start >= from && m.end <= to)
            .collect();
        Some(Passage {
            words,
            marks,
            range: from..to,
        })
    }

    /// The passage of `text` (the text [`Highlighter::passage`] was given) as HTML:
    /// escaped text, marks, and `…` where text was cut.
    pub fn html(&self, text: &str, passage: &Passage) -> String {
        let mut html = String::with_capacity(passage.range.len() + 16 * passage.marks.len());
        if passage.range.start > 0 {
            html.push('…');
        }
        let mut at = passage.range.start;
        for mark in &passage.marks {
            escape_html_into(&mut html, &text[at..mark.start]);
            html.push_str("<mark>");
            escape_html_into(&mut html, &text[mark.clone()]);
            html.push_str("</mark>");
            at = mark.end;
        }
        escape_html_into(&mut html, &text[at..passage.range.end]);
        if passage.range.end < text.len() {
            html.push('…');
        }
        html
    }

    /// Every confirmed word of the query in `text` (`lower` is `text` with its ASCII
    /// letters lower-cased), in order, not overlapping.
    fn marks(&self, text: &str, lower: &str) -> Vec<Range<usize>> {
        let mut marks: Vec<Range<usize>> = Vec::new();
        let mut from = 0;
        while let Some(at) = self.next_start(lower, from) {
            match self.word_at(text, lower, at) {
                Some(end) => {
                    marks.push(at..end);
                    from = end;
                }
                None => from = at + 1,
            }
        }
        marks
    }

    /// The first place at or after `from` where a pattern's first bytes stand after
    /// anything but a letter or digit, in `text` lower-cased.
    fn next_start(&self, text: &str, mut from: usize) -> Option<usize> {
        loop {
            let at = match &self.starts {
                Starts::Packed(searcher) => searcher
                    .find_in(text, aho_corasick::Span::from(from..text.len()))?
                    .start(),
                Starts::Bytes(first_bytes) => {
                    from + text.as_bytes()[from..]
                        .iter()
                        .position(|byte| first_bytes[usize::from(*byte)])?
                }
            };
            // A pattern's first byte never continues a character, so `at` is a
            // character boundary.
            // In scripts written without spaces (Chinese, Japanese) a word may start
            // right after another, or right after a word in another script.
            let unspaced = text[at..].chars().next().is_some_and(is_unspaced);
            let after_word = !unspaced
                && text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() && !is_unspaced(c));
            if !after_word {
                return Some(at);
            }
            from = at + 1;
        }
    }

    /// The end of the query's word that starts at `at` in `text`, if one does (`lower`
    /// is `text` with its ASCII letters lower-cased).
    fn word_at(&self, text: &str, lower: &str, at: usize) -> Option<usize> {
        let rest = &lower.as_bytes()[at..];
        for (pattern, kind) in &self.patterns {
            if !rest.starts_with(pattern.as_bytes()) {
                continue;
            }
            let length = pattern.len();
            // The pattern's bytes matched, so `at + length` is a character boundary.
            let end = word_end(text, at + length);
            let word = text[at..end].to_lowercase();
            let confirmed = match kind {
                Kind::Word => word == *pattern,
                Kind::Prefix => true,
                Kind::Stem => word == *pattern || self.stems_to_a_term(word),
            };
            if confirmed {
                return Some(end);
            }
        }
        None
    }

    /// Whether `word` (lower-cased) stems to one of the query's terms.
    fn stems_to_a_term(&self, word: String) -> bool {
        let mut stemmed = self.stemmed.lock().unwrap_or_else(|p| p.into_inner());
        let (stemmer, known) = &mut *stemmed;
        if let Some(found) = known.get(&word) {
            return *found;
        }
        let found = analyze(stemmer, &word)
            .first()
            .is_some_and(|stem| self.stems.contains(stem));
        known.insert(word, found);
        found
    }
}

/// How many of a pattern's first bytes the packed searcher looks for.
const PREFIX_BYTES: usize = 3;

/// For each mark, a number for its word (case ignored): equal words, equal numbers,
/// counted from 0.
fn word_ids(text: &str, marks: &[Range<usize>]) -> Vec<usize> {
    let mut words: Vec<String> = Vec::new();
    marks
        .iter()
        .map(|mark| {
            let word = text[mark.clone()].to_lowercase();
            match words.iter().position(|known| *known == word) {
                Some(id) => id,
                None => {
                    words.push(word);
                    words.len() - 1
                }
            }
        })
        .collect()
}

/// The end of the word that `at` is inside (or `at`, between words). A word of a
/// script written without spaces ends where the pattern that found it ends; any other
/// ends at the first character that is neither a letter nor a digit, or that is of
/// such a script.
fn word_end(text: &str, at: usize) -> usize {
    if text[..at].chars().next_back().is_some_and(is_unspaced) {
        return at;
    }
    text[at..]
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric() || is_unspaced(*c))
        .map_or(text.len(), |(offset, _)| at + offset)
}

/// The start of the word that `at` is inside (or `at`, between words).
fn word_start(text: &str, at: usize) -> usize {
    let at = floor_boundary(text, at);
    text[..at]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(0, |(offset, c)| offset + c.len_utf8())
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(words: &[&str], stems: &[&str], prefix: Option<&str>) -> Highlighter {
        let stemmer = super::super::analysis::Analysis::of("en").stemmed;
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Highlighter::new(&owned(words), &owned(stems), prefix, stemmer).unwrap()
    }

    fn snippet(h: &Highlighter, text: &str, max: usize) -> Option<String> {
        h.passage(text, max).map(|p| h.html(text, &p))
    }

    #[test]
    fn one_highlighter_marks_the_same_words_in_every_text() {
        // Words are stemmed once per highlighter and remembered: a word confirmed or
        // refused in one hit's text is marked the same way in the next.
        let h = highlighter(&[], &["respons"], None);
        for text in ["Responses and a respite.", "A respite, then responses."] {
            let html = snippet(&h, text, 200).unwrap();
            assert!(
                html.contains("<mark>Responses</mark>") || html.contains("<mark>responses</mark>"),
                "{html}"
            );
            assert!(!html.contains("<mark>respite</mark>"), "{html}");
        }
    }

    #[test]
    fn words_in_unspaced_scripts_are_marked_inside_a_run() {
        let h = highlighter(&["归档"], &["归档"], None);
        assert_eq!(
            snippet(&h, "使用tar归档文件。", 100).unwrap(),
            "使用tar<mark>归档</mark>文件。"
        );
        let h = highlighter(&["tar"], &["tar"], None);
        assert_eq!(
            snippet(&h, "使用tar归档文件。", 100).unwrap(),
            "使用<mark>tar</mark>归档文件。"
        );
    }

    #[test]
    fn marks_words_stems_and_prefixes_and_escapes_the_rest() {
        let h = highlighter(&["responses"], &["respons", "invalid"], Some("upstr"));
        let text = "The <upstream> sent an Invalid response & more responsibility, but a respite.";
        assert_eq!(
            snippet(&h, text, 200).unwrap(),
            "The &lt;<mark>upstream</mark>&gt; sent an <mark>Invalid</mark> <mark>response</mark> &amp; more <mark>responsibility</mark>, but a respite."
        );
    }

    #[test]
    fn words_inside_other_words_are_not_marked() {
        let h = highlighter(&["too"], &["too"], None);
        assert_eq!(snippet(&h, "a tool took it", 100), None);
        assert_eq!(snippet(&h, "me too", 100).unwrap(), "me <mark>too</mark>");
    }

    #[test]
    fn the_passage_is_where_most_words_stand_together() {
        let h = highlighter(&["alpha", "beta", "gamma"], &[], None);
        let text = format!(
            "{}alpha {}alpha beta gamma {}",
            "x ".repeat(200),
            "y ".repeat(200),
            "z ".repeat(200)
        );
        let passage = h.passage(&text, 60).unwrap();
        assert_eq!(passage.words, 3);
        let html = h.html(&text, &passage);
        assert!(
            html.contains("<mark>alpha</mark> <mark>beta</mark> <mark>gamma</mark>"),
            "{html}"
        );
        assert!(html.starts_with('…') && html.ends_with('…'));
        let visible = html.replace("<mark>", "").replace("</mark>", "");
        assert!(
            visible.chars().count() <= 60 + 2,
            "{} chars: {html}",
            visible.chars().count()
        );
    }

    proptest::proptest! {
        #[test]
        fn snippets_of_any_text_are_escaped_html(text in "\\PC{0,400}", word in "[a-zé<&]{1,6}") {
            let h = highlighter(&[word.as_str()], &[word.as_str()], Some(word.as_str()));
            if let Some(html) = snippet(&h, &text, 60) {
                let stripped = html.replace("<mark>", "").replace("</mark>", "");
                proptest::prop_assert!(!stripped.contains('<') && !stripped.contains('>'), "{html}");
            }
        }
    }

    #[test]
    fn words_typed_with_punctuation_and_words_after_punctuation_are_marked() {
        let h = highlighter(&["--force", "upstream"], &["forc", "upstream"], None);
        assert_eq!(
            snippet(&h, "Use --force (UPSTREAM) or re-force it; forced.", 100).unwrap(),
            "Use <mark>--force</mark> (<mark>UPSTREAM</mark>) or re-<mark>force</mark> it; <mark>forced</mark>."
        );
    }

    #[test]
    fn many_words_are_marked_without_the_packed_searcher() {
        let words: Vec<String> = (0..70u8)
            .map(|n| {
                format!(
                    "{}{}q{n}",
                    char::from(b'a' + n % 26),
                    char::from(b'a' + n / 26)
                )
            })
            .collect();
        let list: Vec<&str> = words.iter().map(String::as_str).collect();
        let h = highlighter(&list, &[], None);
        assert!(
            matches!(h.starts, Starts::Bytes(_)),
            "more prefixes than a packed searcher takes"
        );
        assert_eq!(
            snippet(&h, "Haq7 and Nbq39, not nbq40.", 100).unwrap(),
            "<mark>Haq7</mark> and <mark>Nbq39</mark>, not nbq40."
        );
    }

    #[test]
    fn a_word_longer_than_the_passage_does_not_hide_the_others() {
        let h = highlighter(&["pneumonoultramicroscopic", "lung"], &[], None);
        let text = "pneumonoultramicroscopic disease of the lung";
        let passage = h.passage(text, 12).unwrap();
        assert_eq!(passage.words, 2);
        assert!(h.html(text, &passage).contains("<mark>lung</mark>"));
    }

    #[test]
    fn non_ascii_text_is_cut_on_character_boundaries() {
        let h = highlighter(&["café"], &[], None);
        let text = format!("{} café {}", "é".repeat(300), "ü".repeat(300));
        let html = snippet(&h, &text, 40).unwrap();
        assert!(html.contains("<mark>café</mark>"));
    }
}

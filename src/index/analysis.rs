//! Text analysis: how the words of a page, and of a query, become index terms, per
//! language.
//!
//! Words are runs of letters and digits. A run in a script written without spaces
//! (Chinese, Japanese, Thai and their neighbours) is cut into words by ICU's
//! dictionary segmenter, whatever the page's language, so that a page without any
//! setting is still found by its words. Each word is lower-cased; the stemmed fields
//! then take the stem in the page's language (Snowball, where tantivy has a stemmer)
//! with accents folded, so that `repertoire` finds `répertoire`; the exact field keeps
//! the word as written, lower-cased, so that the exact form and the exact accents rank
//! above a stem.

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use std::sync::LazyLock;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

/// The name the exact field's analyzer is registered under.
pub const EXACT: &str = "folio_exact";

/// The name the stemmed fields' analyzer (in the site's language) is registered under.
/// Pages are indexed pre-analysed in their own language; this one reads text given to
/// those fields as plain text.
pub const STEMMED: &str = "folio_stemmed";

/// Words longer than this many bytes are not indexed (hashes, base64, minified code).
const MAX_WORD_BYTES: usize = 60;

/// The analysis of one language: its stemmed form of words and its stop words.
#[derive(Clone)]
pub struct Analysis {
    /// The language's primary subtag, lower-cased (`en`, `pt`, `zh`).
    pub language: String,
    /// Words into stemmed, folded terms.
    pub stemmed: TextAnalyzer,
    /// Words into exact terms (lower-cased).
    pub exact: TextAnalyzer,
    /// The language's stop words, when a list is known (NLTK's, from Snowball).
    stop_words: &'static [&'static str],
}

impl Analysis {
    /// The analysis of the language `code` (`de`, `pt-BR`, `zh_TW`); a language
    /// without a stemmer gets words lower-cased and folded.
    pub fn of(code: &str) -> Analysis {
        let language = primary(code);
        let stemmed = match stemmer(&language) {
            Some(stem) => TextAnalyzer::builder(Words)
                .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
                .filter(LowerCaser)
                .filter(Stemmer::new(stem))
                .filter(AsciiFoldingFilter)
                .build(),
            None => TextAnalyzer::builder(Words)
                .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        };
        Analysis {
            stop_words: stop_words::lookup(&language).unwrap_or_default(),
            language,
            stemmed,
            exact: exact(),
        }
    }

    /// Whether `word` (lower-cased, as written) is one of the language's stop words.
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(&word)
    }

    /// The stemmed tokens of `text`, with their offsets and positions.
    pub fn stemmed_tokens(&mut self, text: &str) -> Vec<Token> {
        tokens(&mut self.stemmed, text)
    }

    /// The stemmed tokens of `text` and, at the same positions, each word as written
    /// (see [`as_written`]): a title holds both, so that the word typed ranks above
    /// another word of the same stem (`duplicate` above `duplicity`).
    pub fn stemmed_and_written_tokens(&mut self, text: &str) -> Vec<Token> {
        let stems = tokens(&mut self.stemmed, text);
        let written = tokens(&mut self.exact, text);
        let mut both = Vec::with_capacity(stems.len() * 2);
        for (stem, word) in stems.into_iter().zip(written) {
            both.push(stem);
            both.push(Token {
                text: as_written(&word.text),
                ..word
            });
        }
        both
    }
}

/// A word as written, lower-cased, as a term of a stemmed field: marked so that it is
/// never taken for a stem.
pub fn as_written(word: &str) -> String {
    format!("{AS_WRITTEN_MARK}{word}")
}

/// What starts a word as written in a stemmed field (see [`as_written`]).
pub const AS_WRITTEN_MARK: char = '=';

/// The exact field's analyzer: words lower-cased, neither stemmed nor folded.
pub fn exact() -> TextAnalyzer {
    TextAnalyzer::builder(Words)
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Every token `analyzer` makes of `text`.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

/// The primary subtag of a language code, lower-cased: `pt-BR` → `pt`.
pub fn primary(code: &str) -> String {
    code.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The Snowball stemmer tantivy has for a language, by primary subtag.
fn stemmer(language: &str) -> Option<Language> {
    Some(match language {
        "ar" => Language::Arabic,
        "da" => Language::Danish,
        "nl" => Language::Dutch,
        "en" => Language::English,
        "fi" => Language::Finnish,
        "fr" => Language::French,
        "de" => Language::German,
        "el" => Language::Greek,
        "hu" => Language::Hungarian,
        "it" => Language::Italian,
        "no" | "nb" | "nn" => Language::Norwegian,
        "pt" => Language::Portuguese,
        "ro" => Language::Romanian,
        "ru" => Language::Russian,
        "es" => Language::Spanish,
        "sv" => Language::Swedish,
        "ta" => Language::Tamil,
        "tr" => Language::Turkish,
        _ => return None,
    })
}

/// The scripts that tell languages apart in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters, and digits.
    Latin,
    /// Chinese characters (used by Chinese and Japanese).
    Han,
    /// Hiragana and katakana (Japanese only).
    Kana,
    /// Hangul (Korean).
    Hangul,
    /// Cyrillic.
    Cyrillic,
    /// Greek.
    Greek,
    /// Arabic (Arabic, Persian, Urdu).
    Arabic,
    /// Hebrew.
    Hebrew,
    /// Devanagari (Hindi, Marathi, Nepali).
    Devanagari,
    /// Thai.
    Thai,
    /// Any other script.
    Other,
}

/// The script of a letter. Written as Unicode block ranges: the few scripts that tell
/// a query's language apart, where a crate of Unicode's script table would bring all
/// of it for these.
pub fn script(c: char) -> Script {
    match u32::from(c) {
        0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x0900..=0x097F => Script::Devanagari,
        0x0E00..=0x0E7F => Script::Thai,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => Script::Han,
        _ => Script::Other,
    }
}

/// The script a language is written in, by primary subtag.
pub fn script_of_language(language: &str) -> Script {
    match language {
        "zh" => Script::Han,
        "ja" => Script::Kana,
        "ko" => Script::Hangul,
        "ru" | "uk" | "bg" | "be" | "sr" | "mk" | "kk" | "ky" | "tg" | "mn" => Script::Cyrillic,
        "el" => Script::Greek,
        "ar" | "fa" | "ur" | "ps" => Script::Arabic,
        "he" | "yi" => Script::Hebrew,
        "hi" | "mr" | "ne" | "sa" => Script::Devanagari,
        "th" => Script::Thai,
        _ => Script::Latin,
    }
}

/// Whether a character belongs to a script written without spaces between words,
/// which a dictionary cuts into words.
pub fn is_unspaced(c: char) -> bool {
    matches!(script(c), Script::Han | Script::Kana | Script::Thai)
        || matches!(
            u32::from(c),
            0x0E80..=0x0EFF // Lao
                | 0x1000..=0x109F // Myanmar
                | 0x1780..=0x17FF // Khmer
        )
}

/// The tokenizer: runs of letters and digits, runs in unspaced scripts cut by ICU's
/// dictionary word segmenter.
#[derive(Clone, Copy, Default)]
pub struct Words;

/// The words of one text, found as the stream advances.
pub struct WordStream<'a> {
    text: &'a str,
    /// Where the next word is looked for.
    at: usize,
    /// The words ICU cut out of a run in an unspaced script, still to give, last first.
    pending: Vec<(usize, usize)>,
    token: Token,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream {
            text,
            at: 0,
            pending: Vec::new(),
            token: Token::default(),
        }
    }
}

impl WordStream<'_> {
    /// The next word's byte range.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        if let Some(word) = self.pending.pop() {
            return Some(word);
        }
        let rest = &self.text[self.at..];
        let (offset, _) = rest.char_indices().find(|(_, c)| c.is_alphanumeric())?;
        let from = self.at + offset;
        let mut unspaced = false;
        let to = self.text[from..]
            .char_indices()
            .find(|(_, c)| {
                unspaced |= is_unspaced(*c);
                !c.is_alphanumeric()
            })
            .map_or(self.text.len(), |(end, _)| from + end);
        self.at = to;
        if !unspaced {
            return Some((from, to));
        }
        segment(self.text, from, to, &mut self.pending);
        self.pending.reverse();
        self.pending.pop().or_else(|| self.next_word())
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((from, to)) = self.next_word() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The byte ranges of the words of `text`, in order.
#[cfg(test)]
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut words = Words;
    let mut stream = words.token_stream(text);
    let mut spans = Vec::new();
    while let Some(span) = stream.next_word() {
        spans.push(span);
    }
    spans
}

/// ICU's word segmenter with its dictionaries for Chinese, Japanese and the scripts of
/// South-East Asia (compiled into the binary; made once, on first use).
static SEGMENTER: LazyLock<icu_segmenter::WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

/// The words of `text[from..to]`, a run of letters and digits holding an unspaced
/// script, as ICU cuts it.
fn segment(text: &str, from: usize, to: usize, spans: &mut Vec<(usize, usize)>) {
    let run = &text[from..to];
    let mut breaks = SEGMENTER.segment_str(run);
    let mut last = 0;
    while let Some(at) = breaks.next() {
        if at > last && breaks.is_word_like() {
            spans.push((from + last, from + at));
        }
        last = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_split_at_punctuation_and_keep_their_offsets() {
        let text = "nginx.conf: upstream_timed out";
        let words: Vec<&str> = word_spans(text).iter().map(|&(f, t)| &text[f..t]).collect();
        assert_eq!(words, ["nginx", "conf", "upstream", "timed", "out"]);
    }

    #[test]
    fn chinese_and_japanese_runs_are_cut_into_words() {
        let text = "使用tar归档文件";
        let words: Vec<&str> = word_spans(text).iter().map(|&(f, t)| &text[f..t]).collect();
        assert_eq!(words, ["使用", "tar", "归档", "文件"]);
        let text = "ファイルを削除する";
        let words: Vec<&str> = word_spans(text).iter().map(|&(f, t)| &text[f..t]).collect();
        assert!(
            words.contains(&"ファイル") && words.contains(&"削除"),
            "{words:?}"
        );
    }

    #[test]
    fn german_is_stemmed_and_folded() {
        let mut german = Analysis::of("de");
        assert_eq!(
            terms(&mut german.stemmed, "Datei Dateien"),
            terms(&mut german.stemmed, "datei datei")
        );
        assert_eq!(
            terms(&mut german.stemmed, "Lösche"),
            terms(&mut german.stemmed, "löschen")
        );
        assert_eq!(
            terms(&mut german.stemmed, "löschen"),
            terms(&mut german.stemmed, "loschen")
        );
    }

    #[test]
    fn accents_are_folded_in_stems_and_kept_in_exact_words() {
        let mut french = Analysis::of("fr");
        assert_eq!(
            terms(&mut french.stemmed, "répertoire"),
            terms(&mut french.stemmed, "repertoire")
        );
        assert_eq!(terms(&mut french.exact, "Répertoire"), ["répertoire"]);
    }

    #[test]
    fn english_stems_and_exact_forms_differ() {
        let mut english = Analysis::of("en-US");
        assert_eq!(english.language, "en");
        assert_eq!(
            terms(&mut english.stemmed, "duplicate duplicity"),
            ["duplic", "duplic"]
        );
        assert_eq!(
            terms(&mut english.exact, "Duplicate duplicity"),
            ["duplicate", "duplicity"]
        );
    }

    #[test]
    fn stop_words_per_language() {
        assert!(Analysis::of("en").is_stop_word("which"));
        assert!(Analysis::of("en").is_stop_word("am"));
        assert!(!Analysis::of("en").is_stop_word("folder"));
        assert!(Analysis::of("de").is_stop_word("und"));
        assert!(!Analysis::of("xx").is_stop_word("the"));
    }

    #[test]
    fn scripts_of_letters_and_languages() {
        assert_eq!(script('é'), Script::Latin);
        assert_eq!(script('归'), Script::Han);
        assert_eq!(script('を'), Script::Kana);
        assert_eq!(script('파'), Script::Hangul);
        assert_eq!(script('ф'), Script::Cyrillic);
        assert_eq!(script_of_language("pt"), Script::Latin);
        assert_eq!(script_of_language("ru"), Script::Cyrillic);
        for unspaced in ['归', 'を', 'ก', 'ກ', 'က', 'ក'] {
            assert!(is_unspaced(unspaced), "{unspaced}");
        }
        for spaced in ['a', 'é', '파', 'ф'] {
            assert!(!is_unspaced(spaced), "{spaced}");
        }
    }
}

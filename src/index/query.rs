//! Query building: a person's words into a Tantivy query. Lenient by design: no
//! character is syntax except `"`, and an unbalanced `"` is ignored.

use super::schema::Fields;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

/// The most words a query is read for; the rest are ignored.
pub const MAX_WORDS: usize = 32;

/// How much of a query is read, in bytes (cut at a character boundary).
pub const MAX_QUERY_BYTES: usize = 1024;

/// A part of a query as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A free word.
    Word(String),
    /// Words in double quotes: they must stand together, in order.
    Phrase(Vec<String>),
}

/// Splits a query into free words and quoted phrases.
pub fn parse_query(query: &str) -> Vec<Clause> {
    let query = truncate(query, MAX_QUERY_BYTES);
    let mut clauses = Vec::new();
    let quotes = query.matches('"').count();
    let balanced_end = if quotes.is_multiple_of(2) {
        query.len()
    } else {
        query.rfind('"').unwrap_or(query.len())
    };
    let mut words_seen = 0;
    for (index, part) in query[..balanced_end].split('"').enumerate() {
        let words: Vec<String> = part.split_whitespace().map(String::from).collect();
        if index % 2 == 1 && words.len() > 1 {
            words_seen += words.len();
            clauses.push(Clause::Phrase(words));
        } else {
            for word in words {
                words_seen += 1;
                clauses.push(Clause::Word(word));
            }
        }
        if words_seen >= MAX_WORDS {
            break;
        }
    }
    clauses.extend(
        query[balanced_end..]
            .split_whitespace()
            .map(|w| Clause::Word(w.trim_matches('"').to_string()))
            .filter(|c| !matches!(c, Clause::Word(w) if w.is_empty())),
    );
    clauses.truncate(MAX_WORDS);
    clauses
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The analysed tokens of `text`, as the index stores them.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Builds the query: each word matches any field (the best field counts most), each
/// phrase must match in some field. Field weights come from [`Fields::weighted`].
pub fn build(clauses: &[Clause], analyzer: &mut TextAnalyzer, fields: &Fields) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut free_tokens = Vec::new();
    for clause in clauses {
        match clause {
            Clause::Word(word) => free_tokens.extend(tokens(analyzer, word)),
            Clause::Phrase(words) => {
                let tokens = tokens(analyzer, &words.join(" "));
                if let Some(phrase) = phrase_any_field(fields, &tokens, 0) {
                    parts.push((Occur::Must, phrase));
                }
            }
        }
    }
    free_tokens.dedup();
    for token in &free_tokens {
        parts.push((
            Occur::Should,
            any_field(fields, |field| term_query(field, token)),
        ));
    }
    if free_tokens.len() > 1 {
        // Pages holding every word score again; pages holding them close together, more.
        let all: Vec<(Occur, Box<dyn Query>)> = free_tokens
            .iter()
            .map(|token| {
                (
                    Occur::Must,
                    any_field(fields, |field| term_query(field, token)),
                )
            })
            .collect();
        parts.push((Occur::Should, Box::new(BooleanQuery::new(all))));
        if let Some(near) = phrase_any_field(fields, &free_tokens, PROXIMITY_SLOP) {
            parts.push((
                Occur::Should,
                Box::new(BoostQuery::new(near, PROXIMITY_BOOST)),
            ));
        }
    }
    if parts.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(BooleanQuery::new(parts))
}

/// How far apart (in positions) words may stand and still count as close together.
const PROXIMITY_SLOP: u32 = 3;

/// The weight of the words standing close together, relative to one word's match.
const PROXIMITY_BOOST: f32 = 2.0;

/// The tokens as a phrase (with `slop`) in any field; one token is a plain term.
fn phrase_any_field(fields: &Fields, tokens: &[String], slop: u32) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [token] => Some(any_field(fields, |field| term_query(field, token))),
        _ => Some(any_field(fields, |field| {
            let terms = tokens
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            let mut phrase = PhraseQuery::new(terms);
            phrase.set_slop(slop);
            Box::new(phrase)
        })),
    }
}

fn term_query(field: tantivy::schema::Field, token: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, token),
        IndexRecordOption::WithFreqs,
    ))
}

fn any_field(
    fields: &Fields,
    query_for: impl Fn(tantivy::schema::Field) -> Box<dyn Query>,
) -> Box<dyn Query> {
    let per_field = fields
        .weighted()
        .into_iter()
        .map(|(field, weight)| {
            Box::new(BoostQuery::new(query_for(field), weight)) as Box<dyn Query>
        })
        .collect();
    Box::new(DisjunctionMaxQuery::with_tie_breaker(per_field, 0.3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<Clause> {
        list.iter().map(|w| Clause::Word(w.to_string())).collect()
    }

    #[test]
    fn free_words_and_phrases() {
        assert_eq!(
            parse_query("bad \"upstream server\" gateway"),
            vec![
                Clause::Word("bad".into()),
                Clause::Phrase(vec!["upstream".into(), "server".into()]),
                Clause::Word("gateway".into()),
            ]
        );
    }

    #[test]
    fn an_unbalanced_quote_is_ignored() {
        assert_eq!(parse_query("bad \"gateway"), words(&["bad", "gateway"]));
        assert_eq!(parse_query("\""), vec![]);
    }

    #[test]
    fn syntax_characters_are_plain_text() {
        assert_eq!(
            parse_query("title:(a OR b)"),
            words(&["title:(a", "OR", "b)"])
        );
    }

    #[test]
    fn long_queries_are_capped() {
        let long = "word ".repeat(10_000);
        assert_eq!(parse_query(&long).len(), MAX_WORDS);
        let wide = "é".repeat(5_000);
        assert!(matches!(&parse_query(&wide)[0], Clause::Word(w) if w.len() <= MAX_QUERY_BYTES));
    }

    #[test]
    fn a_one_word_phrase_is_a_word_in_a_phrase_clause() {
        assert_eq!(parse_query("\"gateway\""), words(&["gateway"]));
    }
}

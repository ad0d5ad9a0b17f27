//! Search: a query string into ranked hits with highlighted snippets.

use super::query::{build, parse_query};
use super::{Fields, SearchIndex};
use crate::content::markdown::escape_html;
use crate::error::Result;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument};

/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 180;

/// One ranked page.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The page's URL path.
    pub url: String,
    /// The page's name.
    pub title: String,
    /// HTML: escaped page text with `<mark>` around matched words.
    pub snippet: String,
    /// The relevance score (higher is better).
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    /// How many pages match in all.
    pub total: usize,
    /// The best `limit` of them, best first.
    pub hits: Vec<Hit>,
}

impl SearchIndex {
    /// Runs `query` and returns at most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResults> {
        let clauses = parse_query(query);
        if clauses.is_empty() || limit == 0 {
            return Ok(SearchResults::default());
        }
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body)?;
        let query = build(&clauses, &mut analyzer, &self.fields);
        let searcher = self.reader.searcher();
        let (top, total) = searcher.search(
            &query,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
        )?;
        let snippets = Snippets::new(&searcher, query.as_ref(), self.fields)?;
        let hits = top
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, &snippets, score, address))
            .collect::<Result<_>>()?;
        Ok(SearchResults { total, hits })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        snippets: &Snippets,
        score: f32,
        address: DocAddress,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok(Hit {
            url: text(&doc, self.fields.url).to_string(),
            title: text(&doc, self.fields.name).to_string(),
            snippet: snippets.for_doc(&doc),
            score,
        })
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> &str {
    doc.get_first(field)
        .and_then(|value| value.as_str())
        .unwrap_or_default()
}

/// Snippet generators for the body, then the description.
struct Snippets {
    body: SnippetGenerator,
    description: SnippetGenerator,
    fields: Fields,
}

impl Snippets {
    fn new(searcher: &Searcher, query: &dyn Query, fields: Fields) -> Result<Self> {
        let make = |field| -> Result<SnippetGenerator> {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            Ok(generator)
        };
        Ok(Snippets {
            body: make(fields.body)?,
            description: make(fields.description)?,
            fields,
        })
    }

    /// The body's best passage with matches marked; else the description, marked where
    /// it matches; else the start of the description or the body.
    fn for_doc(&self, doc: &TantivyDocument) -> String {
        for generator in [&self.body, &self.description] {
            let mut snippet = generator.snippet_from_doc(doc);
            if !snippet.highlighted().is_empty() {
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                return snippet.to_html();
            }
        }
        let description = text(doc, self.fields.description);
        let plain = if description.is_empty() {
            text(doc, self.fields.body)
        } else {
            description
        };
        escape_html(&leading_words(plain, SNIPPET_CHARS))
    }
}

/// The start of `text`, cut at a word boundary before `max` characters, with an ellipsis.
fn leading_words(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut
        .rsplit_once(char::is_whitespace)
        .map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_words_cuts_at_a_space() {
        assert_eq!(leading_words("short", 10), "short");
        assert_eq!(leading_words("one two three", 9), "one two…");
    }
}

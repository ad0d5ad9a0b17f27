//! The index schema: field names and options, resolved once.

use super::analysis;
use tantivy::schema::{
    FAST, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

/// The name of the fast field holding each page's score multiplier.
pub const BOOST: &str = "boost";

/// The facet key of a page's language, kept in the facet field like the declared ones.
pub const LANG: &str = "lang";

/// Bumped whenever the schema or the way documents are built changes, so that an
/// index written by an older folio is rebuilt.
pub const SCHEMA_VERSION: u32 = 7;

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The page's URL path; a raw term, stored.
    pub url: Field,
    /// The page's name as shown in results; stored only.
    pub name: Field,
    /// Title, first heading and aliases; the most heavily weighted text.
    pub title: Field,
    /// Every other heading.
    pub headings: Field,
    /// The description (frontmatter, or the page's lead).
    pub description: Field,
    /// The description, stored for title suggestions and snippets.
    pub summary: Field,
    /// Frontmatter keywords.
    pub keywords: Field,
    /// The body text, one value per section. Not stored: snippets read the sections
    /// of the pages in memory.
    pub body: Field,
    /// Every word of the page's text as written, lower-cased, neither stemmed nor
    /// folded: an exact form or exact accents rank above a stem.
    pub exact: Field,
    /// Facets, `/key/value`: the page's language (`/lang/de`) and the frontmatter keys
    /// declared as facets.
    pub facets: Field,
    /// Frontmatter `boost`: the page's scores are multiplied by it (default 1).
    pub boost: Field,
}

impl Fields {
    /// Builds the schema and its fields.
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        // The stemmed fields are given their tokens, analysed in each page's language;
        // the tokenizer named here reads plain text given to them.
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analysis::STEMMED)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let text = TextOptions::default().set_indexing_options(indexing.clone());
        // The exact field is matched word by word, never as a phrase: no positions.
        let exact = TextOptions::default().set_indexing_options(
            indexing
                .set_tokenizer(analysis::EXACT)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            url: builder.add_text_field("url", STRING | STORED),
            name: builder.add_text_field("name", STORED),
            title: builder.add_text_field("title", text.clone()),
            headings: builder.add_text_field("headings", text.clone()),
            description: builder.add_text_field("description", text.clone()),
            summary: builder.add_text_field("summary", STORED),
            keywords: builder.add_text_field("keywords", text.clone()),
            body: builder.add_text_field("body", text),
            exact: builder.add_text_field("exact", exact),
            facets: builder.add_facet_field("facets", FacetOptions::default()),
            boost: builder.add_f64_field(BOOST, FAST),
        };
        (builder.build(), fields)
    }

    /// The fields a query searches, with their weights.
    pub fn weighted(&self) -> [(Field, f32); 5] {
        [
            (self.title, 2.5),
            (self.headings, 1.5),
            (self.keywords, 1.3),
            (self.description, 1.3),
            (self.body, 1.0),
        ]
    }
}

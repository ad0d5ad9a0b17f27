//! Index: the Tantivy full-text index, derived from the content.
//!
//! One writer behind a lock and one reader for the life of the process; every search
//! takes a fresh searcher. The index holds no page text of its own for snippets: a
//! search reads the sections of its hits from the pages it is given
//! ([`Pages`](crate::content::Pages)).
//! Which folder it lives in and whether it is fresh is the running site's business
//! ([`crate::app`]); this module only opens, creates, fills and searches it.

pub mod analysis;
mod expand;
mod highlight;
mod query;
mod schema;
mod search;
pub mod synonyms;
mod union;

use crate::content::{LocaleFolders, Page};
use crate::error::{Error, Result};
use analysis::Analysis;
use query::Synonyms;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::schema::Facet;
use tantivy::tokenizer::PreTokenizedString;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use schema::Fields;

pub use search::{ALL_LANGUAGES, Hit, SearchRequest, SearchResults, Suggestion};

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// How the index stores documents. A hit reads its page's stored fields (URL, name,
/// description); small blocks, stored as they are, make that read a copy of a few
/// kilobytes rather than the decompression of a large block.
fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::None,
        docstore_blocksize: DOCSTORE_BLOCK,
        ..tantivy::IndexSettings::default()
    }
}

/// How many pages are analysed at once while indexing.
const DOCUMENT_BATCH: usize = 256;

/// The doc store's block size, in bytes.
const DOCSTORE_BLOCK: usize = 4096;

/// The search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    /// The facet keys: the page's language, then the frontmatter keys declared.
    facet_keys: Vec<String>,
    /// How a page's language is found.
    languages: LocaleFolders,
    /// The languages of the documents the reader sees, with their counts, and the
    /// generation they were counted at.
    languages_seen: Mutex<(u64, Arc<LanguageCounts>)>,
    synonyms: RwLock<Synonyms>,
    /// Recent results by request; only entries of the current generation are read.
    cache: quick_cache::sync::Cache<CacheKey, Arc<SearchResults>, AnswerBytes>,
    /// Counts the changes to what searches see (documents, synonyms).
    generation: AtomicU64,
}

/// Each language of the index, with its number of pages.
type LanguageCounts = Vec<(String, u64)>;

/// How many recent searches are kept, about.
const CACHED_SEARCHES: usize = 4096;
/// The most bytes of answers kept: long queries and many hits weigh more.
const CACHED_BYTES: u64 = 16 * 1024 * 1024;

/// Weighs a cached answer by the bytes it holds, request included, and what the
/// server makes of it (about as much again).
#[derive(Debug, Clone, Copy)]
struct AnswerBytes;

impl quick_cache::Weighter<CacheKey, Arc<SearchResults>> for AnswerBytes {
    fn weight(&self, key: &CacheKey, results: &Arc<SearchResults>) -> u64 {
        let filters: usize = key
            .filters
            .iter()
            .map(|(k, v)| k.len() + v.len() + 48)
            .sum();
        let hits: usize = results
            .hits
            .iter()
            .map(|hit| {
                let section = hit.section.as_ref().map_or(0, String::len);
                let parents: usize = hit.parents.iter().map(|p| p.len() + 24).sum();
                2 * (hit.url.len()
                    + hit.anchor.len()
                    + hit.href.len()
                    + hit.title.len()
                    + hit.snippet.len()
                    + section
                    + parents)
                    + 128
            })
            .sum();
        let facets: usize = results
            .facets
            .values()
            .map(|values| 64 + values.len() * 48)
            .sum();
        (key.query.len() + filters + hits + facets + 256) as u64
    }
}

/// A search request, and the index generation it was answered from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    generation: u64,
    query: String,
    limit: usize,
    filters: Vec<(String, String)>,
}

/// A [`CacheKey`] that borrows its request, to look one up without copying it. It
/// hashes as the key does: the same fields, in the same order, of the same types.
#[derive(Hash)]
struct CacheLookup<'a> {
    generation: u64,
    query: &'a str,
    limit: usize,
    filters: &'a [(String, String)],
}

impl quick_cache::Equivalent<CacheKey> for CacheLookup<'_> {
    fn equivalent(&self, key: &CacheKey) -> bool {
        self.generation == key.generation
            && self.query == key.query
            && self.limit == key.limit
            && self.filters == key.filters.as_slice()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`. `writable` asks for its writer; when another process
    /// holds it, the error is [`Error::IndexBusy`].
    pub fn open(
        dir: &Path,
        writable: bool,
        searched: &Searched,
        synonyms: &[Vec<String>],
    ) -> Result<SearchIndex> {
        let index = Index::open_in_dir(dir)?;
        Self::with_index(index, writable, dir, synonyms, searched)
    }

    /// Creates an empty index in `dir` (which holds no index) and takes its writer.
    pub fn create(
        dir: &Path,
        searched: &Searched,
        synonyms: &[Vec<String>],
    ) -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_dir(dir)?;
        Self::with_index(index, true, dir, synonyms, searched)
    }

    /// An empty index held in memory, for one-off use and tests.
    pub fn in_memory(searched: &Searched, synonyms: &[Vec<String>]) -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_ram()?;
        Self::with_index(index, true, Path::new(""), synonyms, searched)
    }

    /// Whether this process holds the writer (it may update the index).
    pub fn is_writable(&self) -> bool {
        self.writer.is_some()
    }

    fn with_index(
        index: Index,
        writable: bool,
        dir: &Path,
        synonyms: &[Vec<String>],
        searched: &Searched,
    ) -> Result<SearchIndex> {
        let fields = Fields::schema().1;
        let site = Analysis::of(searched.languages.site_lang());
        index
            .tokenizers()
            .register(analysis::STEMMED, site.stemmed.clone());
        index
            .tokenizers()
            .register(analysis::EXACT, analysis::exact());
        let mut facet_keys = vec![schema::LANG.to_string()];
        facet_keys.extend(
            searched
                .facets
                .iter()
                .filter(|key| key.as_str() != schema::LANG)
                .cloned(),
        );
        if index.schema() != Fields::schema().0 {
            return Err(TantivyError::SchemaError("index schema differs".into()).into());
        }
        let writer = if writable {
            match index.writer(WRITER_MEMORY) {
                Ok(writer) => Some(Mutex::new(writer)),
                Err(TantivyError::LockFailure(..)) => {
                    return Err(Error::IndexBusy(dir.into()));
                }
                Err(error) => return Err(error.into()),
            }
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let built = SearchIndex {
            index,
            reader,
            writer,
            fields,
            facet_keys,
            languages: searched.languages.clone(),
            languages_seen: Mutex::new((u64::MAX, Arc::default())),
            synonyms: RwLock::default(),
            cache: quick_cache::sync::Cache::with_weighter(
                CACHED_SEARCHES,
                CACHED_BYTES,
                AnswerBytes,
            ),
            generation: AtomicU64::new(0),
        };
        built.set_synonyms(synonyms)?;
        Ok(built)
    }

    /// Replaces the synonym groups applied to queries.
    pub fn set_synonyms(&self, groups: &[Vec<String>]) -> Result<()> {
        let mut analyzer = self.site_analysis().stemmed;
        let synonyms = Synonyms::new(groups, &mut analyzer);
        *self.synonyms.write().unwrap_or_else(|p| p.into_inner()) = synonyms;
        self.changed();
        Ok(())
    }

    /// Makes every cached result stale: called once a change is visible to searches.
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.cache.clear();
    }

    /// Replaces the documents of `removed` URLs and of `pages` (by their URL) with
    /// `pages`, commits, and makes the change visible to the next search. Readers keep
    /// seeing the old documents until then; they never wait on the writer.
    pub fn update(&self, removed: &[String], pages: &[Arc<Page>]) -> Result<()> {
        let Some(writer) = &self.writer else {
            return Ok(());
        };
        let mut writer = writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for url in removed
            .iter()
            .map(String::as_str)
            .chain(pages.iter().map(|p| p.url.as_str()))
        {
            writer.delete_term(tantivy::Term::from_field_text(self.fields.url, url));
        }
        self.add_documents(&writer, pages)?;
        writer.commit()?;
        self.reader.reload()?;
        self.changed();
        Ok(())
    }

    /// Replaces every document with those of `pages` and commits.
    pub fn replace_all(&self, pages: &[Arc<Page>]) -> Result<()> {
        let Some(writer) = &self.writer else {
            return Ok(());
        };
        let mut writer = writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        writer.delete_all_documents()?;
        self.add_documents(&writer, pages)?;
        writer.commit()?;
        // Each indexing thread leaves a segment; a search visits every segment, so
        // one segment answers faster.
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        self.reader.reload()?;
        self.changed();
        Ok(())
    }

    /// The analysis of the site's language.
    fn site_analysis(&self) -> Analysis {
        Analysis::of(self.languages.site_lang())
    }

    /// Adds the documents of `pages`, analysed in parallel a batch at a time (each in
    /// its page's language), so that only one batch of analysed text is held at once.
    fn add_documents(&self, writer: &IndexWriter, pages: &[Arc<Page>]) -> Result<()> {
        for batch in pages.chunks(DOCUMENT_BATCH) {
            let documents: Vec<TantivyDocument> = batch
                .par_iter()
                .map_init(
                    HashMap::new,
                    |analyses: &mut HashMap<String, Analysis>, page| {
                        let language = self.languages.page_language(page);
                        let analysis = analyses
                            .entry(language.lang.clone())
                            .or_insert_with(|| Analysis::of(&language.lang));
                        self.document(page, &language, analysis)
                    },
                )
                .collect();
            for document in documents {
                writer.add_document(document)?;
            }
        }
        Ok(())
    }

    fn document(
        &self,
        page: &Page,
        language: &crate::content::PageLanguage,
        analysis: &mut Analysis,
    ) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        let mut add = |doc: &mut TantivyDocument, field, text: &str| {
            let tokens = match field == f.title {
                true => analysis.stemmed_and_written_tokens(text),
                false => analysis.stemmed_tokens(text),
            };
            // The stemmed fields are not stored: their tokens are all the index keeps of
            // them, so the text is not copied in beside the tokens.
            doc.add_pre_tokenized_text(
                field,
                PreTokenizedString {
                    text: String::new(),
                    tokens,
                },
            );
            doc.add_text(f.exact, text);
        };
        doc.add_text(f.url, &page.url);
        doc.add_text(f.name, &page.heading);
        add(&mut doc, f.title, &page.title);
        if page.heading != page.title {
            add(&mut doc, f.title, &page.heading);
        }
        for alias in &page.aliases {
            add(&mut doc, f.title, alias);
        }
        for heading in page.headings.iter().filter(|h| h.level > 1) {
            add(&mut doc, f.headings, &heading.text);
        }
        add(&mut doc, f.description, &page.description);
        doc.add_text(f.summary, &page.description);
        for keyword in &page.keywords {
            add(&mut doc, f.keywords, keyword);
        }
        for section in &page.sections {
            add(&mut doc, f.body, &section.text);
        }
        doc.add_f64(f.boost, page.boost());
        doc.add_facet(
            f.facets,
            Facet::from_path([schema::LANG, language.lang.as_str()]),
        );
        for key in self.facet_keys.iter().skip(1) {
            for value in page.field_values(key) {
                doc.add_facet(f.facets, Facet::from_path([key.as_str(), value.as_str()]));
            }
        }
        doc
    }

    /// The number of documents the reader sees.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the index is asked to hold besides the words: the facet keys declared, and how
/// a page's language is found.
#[derive(Debug, Clone, Default)]
pub struct Searched {
    /// The frontmatter keys indexed as facets.
    pub facets: Vec<String>,
    /// The locale folders and the site's language.
    pub languages: LocaleFolders,
}

/// The line that tells an index apart: the folio version and schema that built it,
/// the fingerprint of the content it holds, its facet keys and how languages were
/// read. Equal lines, equal indexes.
pub fn identity(content: u64, searched: &Searched) -> String {
    format!(
        "folio {} schema {} content {content:016x} facets {} languages {:?}\n",
        env!("CARGO_PKG_VERSION"),
        schema::SCHEMA_VERSION,
        searched.facets.join(","),
        searched.languages,
    )
}

//! Index: the Tantivy full-text index, derived from the content.
//!
//! One writer behind a lock and one reader for the life of the process; every search
//! takes a fresh searcher. The index holds no page text of its own for snippets: a
//! search reads the sections of its hits from the pages it is given
//! ([`Pages`](crate::content::Pages)).
//! Which folder it lives in and whether it is fresh is the running site's business
//! ([`crate::app`]); this module only opens, creates, fills and searches it.

mod expand;
mod highlight;
mod query;
mod schema;
mod search;
pub mod synonyms;

use crate::content::Page;
use crate::error::{Error, Result};
use query::Synonyms;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::schema::Facet;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use schema::Fields;

pub use search::{Hit, SearchRequest, SearchResults, Suggestion};

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

/// The doc store's block size, in bytes.
const DOCSTORE_BLOCK: usize = 4096;

/// The search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    /// The frontmatter keys indexed as facets.
    facet_keys: Vec<String>,
    synonyms: RwLock<Synonyms>,
    /// Recent results by request; only entries of the current generation are read.
    cache: quick_cache::sync::Cache<CacheKey, Arc<SearchResults>, AnswerBytes>,
    /// Counts the changes to what searches see (documents, synonyms).
    generation: AtomicU64,
}

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
                2 * (hit.url.len()
                    + hit.anchor.len()
                    + hit.title.len()
                    + hit.snippet.len()
                    + section)
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
        facet_keys: &[String],
        synonyms: &[Vec<String>],
    ) -> Result<SearchIndex> {
        let index = Index::open_in_dir(dir)?;
        Self::with_index(index, writable, dir, synonyms, facet_keys)
    }

    /// Creates an empty index in `dir` (which holds no index) and takes its writer.
    pub fn create(
        dir: &Path,
        facet_keys: &[String],
        synonyms: &[Vec<String>],
    ) -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_dir(dir)?;
        Self::with_index(index, true, dir, synonyms, facet_keys)
    }

    /// An empty index held in memory, for one-off use and tests.
    pub fn in_memory(facet_keys: &[String], synonyms: &[Vec<String>]) -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_ram()?;
        Self::with_index(index, true, Path::new(""), synonyms, facet_keys)
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
        facet_keys: &[String],
    ) -> Result<SearchIndex> {
        let fields = Fields::schema().1;
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
            facet_keys: facet_keys.to_vec(),
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
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body)?;
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
        for page in pages {
            writer.add_document(self.document(page))?;
        }
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
        for page in pages {
            writer.add_document(self.document(page))?;
        }
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

    fn document(&self, page: &Page) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.url, &page.url);
        doc.add_text(f.name, &page.heading);
        doc.add_text(f.title, &page.title);
        if page.heading != page.title {
            doc.add_text(f.title, &page.heading);
        }
        for alias in &page.aliases {
            doc.add_text(f.title, alias);
        }
        for heading in page.headings.iter().filter(|h| h.level > 1) {
            doc.add_text(f.headings, &heading.text);
        }
        doc.add_text(f.description, &page.description);
        for keyword in &page.keywords {
            doc.add_text(f.keywords, keyword);
        }
        for section in &page.sections {
            doc.add_text(f.body, &section.text);
        }
        doc.add_f64(f.boost, page.boost());
        for key in &self.facet_keys {
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

/// The line that tells an index apart: the folio version and schema that built it,
/// the fingerprint of the content it holds and its facet keys. Equal lines, equal
/// indexes.
pub fn identity(content: u64, facet_keys: &[String]) -> String {
    format!(
        "folio {} schema {} content {content:016x} facets {}\n",
        env!("CARGO_PKG_VERSION"),
        schema::SCHEMA_VERSION,
        facet_keys.join(",")
    )
}

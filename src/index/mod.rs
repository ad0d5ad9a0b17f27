//! Index: the Tantivy full-text index under `index/`, derived from the content.
//!
//! One writer behind a lock and one reader for the life of the process; every search
//! takes a fresh searcher. A missing, stale or incompatible index is rebuilt.

mod expand;
mod highlight;
mod query;
mod schema;
mod search;

use crate::content::manifest::{self, Outline};
use crate::content::{Page, PageRef, Site};
use crate::error::{Error, Result};
use crate::write_atomically;
use query::Synonyms;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::schema::Facet;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use schema::Fields;

pub use search::{Hit, SearchRequest, SearchResults, Suggestion};

/// The file in the index folder that records which content the index was built from.
const FINGERPRINT_FILE: &str = "folio-fingerprint";

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
    /// The folder on disk; `None` in memory.
    dir: Option<PathBuf>,
    synonyms: RwLock<Synonyms>,
    /// The pages indexed, by URL: hits take their sections' text from here rather
    /// than from the index's doc store.
    pages: RwLock<HashMap<String, PageRef>>,
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

/// Whether [`SearchIndex::open_or_build`] reused the index on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// The index matched the content and was opened as it was.
    Reused,
    /// The index was (re)built, for the reason given.
    Rebuilt(String),
}

impl SearchIndex {
    /// Opens the index in `dir` when it was built from exactly this site, with these
    /// facet keys, by this version of folio; otherwise rebuilds it there.
    pub fn open_or_build(
        dir: &Path,
        site: &Site,
        facet_keys: &[String],
    ) -> Result<(SearchIndex, Freshness)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let wanted = fingerprint_line(site.fingerprint(), facet_keys);
        let recorded = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).ok();
        let stale_reason = match recorded {
            None => Some("no index yet".to_string()),
            Some(line) if line != wanted => Some("content or folio version changed".to_string()),
            Some(_) => None,
        };
        let opened = Index::open_in_dir(dir)
            .map_err(Error::from)
            .and_then(|index| Self::with_site(index, true, Some(dir), site, facet_keys));
        let reason = match (opened, stale_reason) {
            (Ok(index), None) => return Ok((index, Freshness::Reused)),
            (Ok(index), Some(reason)) => {
                index.replace_all(&site.pages)?;
                write_atomically(&dir.join(FINGERPRINT_FILE), wanted.as_bytes())?;
                return Ok((index, Freshness::Rebuilt(reason)));
            }
            (Err(Error::IndexBusy(_)), None) => {
                let index = Index::open_in_dir(dir)?;
                let index = Self::with_site(index, false, Some(dir), site, facet_keys)?;
                return Ok((index, Freshness::Reused));
            }
            (Err(error @ Error::IndexBusy(_)), Some(_)) => return Err(error),
            (Err(error), reason) => {
                if dir.join("meta.json").exists() {
                    tracing::warn!(%error, "index unreadable; rebuilding it");
                }
                reason.unwrap_or_else(|| "index unreadable".into())
            }
        };
        clear_index_dir(dir)?;
        let (schema, _) = Fields::schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_dir(dir)?;
        let built = Self::with_site(index, true, Some(dir), site, facet_keys)?;
        built.replace_all(&site.pages)?;
        write_atomically(&dir.join(FINGERPRINT_FILE), wanted.as_bytes())?;
        Ok((built, Freshness::Rebuilt(reason)))
    }

    /// Opens the index in `dir` when it was built from the content `outline`
    /// describes, with these facet keys, by this version of folio; `None` otherwise.
    /// Hits read their pages through the outline's files. `writable` asks for the
    /// writer; when another process holds it, the index is opened for reading only.
    pub fn open_outlined(
        dir: &Path,
        outline: &Outline,
        facet_keys: &[String],
        writable: bool,
    ) -> Result<Option<SearchIndex>> {
        let recorded = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).unwrap_or_default();
        if recorded != fingerprint_line(outline.fingerprint(), facet_keys) {
            return Ok(None);
        }
        let pages = || {
            outline
                .pages
                .iter()
                .map(|page| (page.url().to_string(), PageRef::File(page.file.clone())))
                .collect()
        };
        let index = Index::open_in_dir(dir)?;
        let open = |index, writable| {
            Self::with_index(
                index,
                writable,
                Some(dir),
                pages(),
                &outline.synonyms,
                facet_keys,
            )
        };
        match open(index, writable) {
            Err(Error::IndexBusy(_)) => open(Index::open_in_dir(dir)?, false).map(Some),
            opened => opened.map(Some),
        }
    }

    /// Opens the index in `dir` for reading only, as built by `folio index`: for
    /// replicas that share one build. A stale index is served with a warning.
    pub fn open_read_only(dir: &Path, site: &Site, facet_keys: &[String]) -> Result<SearchIndex> {
        if !dir.join("meta.json").exists() {
            return Err(Error::NoIndex(dir.to_path_buf()));
        }
        let recorded = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).unwrap_or_default();
        if recorded != fingerprint_line(site.fingerprint(), facet_keys) {
            tracing::warn!(index = %dir.display(), "the index was built from other content; run `folio index` to rebuild it");
        }
        let index = Index::open_in_dir(dir)?;
        Self::with_site(index, false, Some(dir), site, facet_keys)
    }

    /// Builds an index in memory, for tests and one-off use.
    pub fn in_memory(site: &Site, facet_keys: &[String]) -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_ram()?;
        let built = Self::with_site(index, true, None, site, facet_keys)?;
        built.replace_all(&site.pages)?;
        Ok(built)
    }

    fn with_site(
        index: Index,
        writable: bool,
        dir: Option<&Path>,
        site: &Site,
        facet_keys: &[String],
    ) -> Result<SearchIndex> {
        let pages = site
            .pages
            .iter()
            .map(|page| (page.url.clone(), PageRef::Parsed(page.clone())))
            .collect();
        Self::with_index(index, writable, dir, pages, &site.synonyms, facet_keys)
    }

    fn with_index(
        index: Index,
        writable: bool,
        dir: Option<&Path>,
        pages: HashMap<String, PageRef>,
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
                    return Err(Error::IndexBusy(dir.unwrap_or(Path::new("")).into()));
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
            dir: dir.map(Path::to_path_buf),
            synonyms: RwLock::default(),
            pages: RwLock::new(pages),
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
        {
            let mut held = self.pages.write().unwrap_or_else(|p| p.into_inner());
            for url in removed {
                held.remove(url);
            }
            for page in pages {
                held.insert(page.url.clone(), PageRef::Parsed(page.clone()));
            }
        }
        self.reader.reload()?;
        self.changed();
        Ok(())
    }

    /// Records which content the index now holds, so that the next start reuses it;
    /// `None` marks it stale (the next start rebuilds it).
    pub fn record(&self, site: Option<&Site>) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let line = match site {
            Some(site) => fingerprint_line(site.fingerprint(), &self.facet_keys),
            None => "stale\n".into(),
        };
        write_atomically(&dir.join(FINGERPRINT_FILE), line.as_bytes())
    }

    /// Writes the manifest of `site`, loaded from `content` (its files and what lists
    /// show of its pages), beside the index, for a quick start. Only the process that
    /// holds the writer records it; nothing for an index held in memory. Returns
    /// whether it was written.
    pub fn record_manifest(&self, content: &Path, site: &Site) -> Result<bool> {
        match (&self.dir, &self.writer) {
            (Some(dir), Some(_)) => manifest::write(dir, content, site).map(|()| true),
            _ => Ok(false),
        }
    }

    /// Replaces every document with those of `pages` and commits. `pages` are the
    /// pages of the site the index was opened with, which it already holds in memory.
    fn replace_all(&self, pages: &[Arc<Page>]) -> Result<()> {
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

/// What the fingerprint file says of an index built from content of `fingerprint`.
fn fingerprint_line(fingerprint: u64, facet_keys: &[String]) -> String {
    format!(
        "folio {} schema {} content {fingerprint:016x} facets {}\n",
        env!("CARGO_PKG_VERSION"),
        schema::SCHEMA_VERSION,
        facet_keys.join(",")
    )
}

/// Empties an index folder before a rebuild, refusing when it holds anything folio did
/// not put there (a dot-file such as `.gitignore` is left alone).
fn clear_index_dir(dir: &Path) -> Result<()> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    // folio's own files (the fingerprint, the page manifest, the kept home page) are
    // all named `folio-…`.
    let ours = |name: &str| {
        name.starts_with("folio-")
            || name == "meta.json"
            || name.starts_with(".tantivy")
            || name == ".managed.json"
            || name.rsplit_once('.').is_some_and(|(stem, _)| {
                stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit())
            })
    };
    let names: Vec<&str> = entries
        .iter()
        .filter_map(|path| path.file_name().and_then(|n| n.to_str()))
        .collect();
    let foreign = entries
        .iter()
        .zip(&names)
        .any(|(path, name)| path.is_dir() || (!ours(name) && !name.starts_with('.')))
        || entries.len() != names.len();
    if foreign {
        return Err(Error::ForeignIndexDir(dir.to_path_buf()));
    }
    for (path, name) in entries.iter().zip(names) {
        if ours(name) {
            std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
        }
    }
    Ok(())
}

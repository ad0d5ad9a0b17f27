//! Index: the Tantivy full-text index under `index/`, derived from the content.
//!
//! One writer behind a lock and one reader for the life of the process; every search
//! takes a fresh searcher. A missing, stale or incompatible index is rebuilt.

mod query;
mod schema;
mod search;

use crate::content::{Page, Site};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

pub use query::{Clause, parse_query};
pub use schema::Fields;
pub use search::{Hit, SearchResults};

/// The file in the index folder that records which content the index was built from.
const FINGERPRINT_FILE: &str = "folio-fingerprint";

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
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
    /// Opens the index in `dir` when it was built from exactly this site by this
    /// version of folio; otherwise rebuilds it there.
    pub fn open_or_build(dir: &Path, site: &Site) -> Result<(SearchIndex, Freshness)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let wanted = fingerprint_line(site);
        let recorded = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).ok();
        let stale_reason = match recorded {
            None => Some("no index yet".to_string()),
            Some(line) if line != wanted => Some("content or folio version changed".to_string()),
            Some(_) => None,
        };
        let reason = match (Self::open(dir), stale_reason) {
            (Ok(index), None) => return Ok((index, Freshness::Reused)),
            (Ok(index), Some(reason)) => {
                index.replace_all(&site.pages)?;
                write_atomically(&dir.join(FINGERPRINT_FILE), &wanted)?;
                return Ok((index, Freshness::Rebuilt(reason)));
            }
            (Err(Error::IndexBusy(_)), None) => return Self::open_read_only(dir),
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
        let index = Index::create_in_dir(dir, schema)?;
        let built = Self::with_index(index, true, dir)?;
        built.replace_all(&site.pages)?;
        write_atomically(&dir.join(FINGERPRINT_FILE), &wanted)?;
        Ok((built, Freshness::Rebuilt(reason)))
    }

    /// Builds an index in memory, for tests and one-off use.
    pub fn in_memory(site: &Site) -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        let built = Self::with_index(Index::create_in_ram(schema), true, Path::new(":memory:"))?;
        built.replace_all(&site.pages)?;
        Ok(built)
    }

    fn open(dir: &Path) -> Result<SearchIndex> {
        let index = Index::open_in_dir(dir)?;
        Self::with_index(index, true, dir)
    }

    fn open_read_only(dir: &Path) -> Result<(SearchIndex, Freshness)> {
        let index = Index::open_in_dir(dir)?;
        Ok((Self::with_index(index, false, dir)?, Freshness::Reused))
    }

    fn with_index(index: Index, writable: bool, dir: &Path) -> Result<SearchIndex> {
        let fields = Fields::schema().1;
        if index.schema() != Fields::schema().0 {
            return Err(TantivyError::SchemaError("index schema differs".into()).into());
        }
        let writer = if writable {
            match index.writer(WRITER_MEMORY) {
                Ok(writer) => Some(Mutex::new(writer)),
                Err(TantivyError::LockFailure(..)) => return Err(Error::IndexBusy(dir.into())),
                Err(error) => return Err(error.into()),
            }
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer,
            fields,
        })
    }

    /// Replaces every document with the given pages and commits.
    fn replace_all(&self, pages: &[Page]) -> Result<()> {
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
        self.reader.reload()?;
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
        for heading in page.headings.iter().filter(|h| h.level > 1) {
            doc.add_text(f.headings, &heading.text);
        }
        doc.add_text(f.description, &page.description);
        for keyword in &page.keywords {
            doc.add_text(f.keywords, keyword);
        }
        doc.add_text(f.body, &page.text);
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

fn fingerprint_line(site: &Site) -> String {
    format!(
        "folio {} schema {} content {:016x}\n",
        env!("CARGO_PKG_VERSION"),
        schema::SCHEMA_VERSION,
        site.fingerprint
    )
}

/// Empties an index folder before a rebuild, refusing when it holds anything folio did
/// not put there (a dot-file such as `.gitignore` is left alone).
fn clear_index_dir(dir: &Path) -> Result<()> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    let ours = |name: &str| {
        name.starts_with(FINGERPRINT_FILE)
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

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).map_err(|e| Error::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| Error::io(path, e))
}

//! The library's one error type. Content problems are not errors: they are
//! [`Diagnostic`](crate::content::Diagnostic)s, so one bad page never stops a site.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong outside a single page.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The content folder is missing.
    #[error("content folder {0} does not exist")]
    ContentMissing(PathBuf),
    /// A template does not parse.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// A template failed while rendering a view.
    #[error("rendering {what} with template {template}: {message}")]
    Render {
        /// The template's name.
        template: String,
        /// The page or view being rendered.
        what: String,
        /// What went wrong.
        message: String,
    },
    /// The search index failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index folder holds files that folio did not write.
    #[error("index folder {0} holds files that are not a folio index; refusing to overwrite it")]
    ForeignIndexDir(PathBuf),
    /// A read-only server found no index to serve.
    #[error("no search index in {0}: build it with `folio index` before serving read-only")]
    NoIndex(PathBuf),
    /// The index is out of date, and another process holds its writer.
    #[error("index {0} is out of date and another folio process is writing it")]
    IndexBusy(PathBuf),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// What the operating system said.
        source: io::Error,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

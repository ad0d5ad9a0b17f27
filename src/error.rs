//! The library's one error type. Content problems are not errors: they are
//! [`Problem`](crate::content::Problem)s, so one bad page never stops a site. How each
//! error reaches an HTTP client is decided in one place, `server::failure`.

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
        #[source]
        source: io::Error,
    },
    /// A project's settings file (`book.toml`, `mkdocs.yml`) cannot be used.
    #[error("{0}")]
    Settings(crate::content::Problem),
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
    /// A file of the index folder could not be encoded.
    #[error("cannot encode {path}: {source}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// What the encoder said.
        #[source]
        source: postcard::Error,
    },
    /// A file name that is not UTF-8 cannot be recorded.
    #[error("{0} has a name that is not UTF-8")]
    NotUtf8Name(PathBuf),
    /// Watching a folder for changes failed.
    #[error("cannot watch {path}: {source}")]
    Watch {
        /// The folder, when the watcher named one.
        path: PathBuf,
        /// What the watcher said.
        #[source]
        source: notify::Error,
    },
    /// A thread of folio's own could not be started.
    #[error("cannot start the {name} thread: {source}")]
    Thread {
        /// The thread's name.
        name: &'static str,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// A search task ended without an answer (it panicked or was cancelled).
    #[error("a search task failed: {0}")]
    SearchTask(#[from] tokio::task::JoinError),
    /// A request asked for something the way it cannot be answered (a bad parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The server is stopping and takes no new work.
    #[error("the server is stopping")]
    Stopping,
    /// Nothing is served at the path asked for.
    #[error("nothing is served at {0}")]
    NotFound(String),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// What the operating system said.
        #[source]
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

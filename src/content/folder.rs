//! The content folder and the one way in for every file read from it: at start-up,
//! on a live reload, when polling, on a rescan and when a page is read on demand.
//!
//! A file is read only when it is a regular file inside the folder: a symbolic link is
//! resolved and followed only when its target is inside the folder too; a FIFO, a
//! device or a socket is refused without being opened for reading (the file is opened
//! non-blocking and its type checked on the open handle, so one swapped in between
//! cannot block); and no more than `max_page_bytes` are read.

use super::project::{Project, ProjectKind};
use crate::config::Config;
use crate::error::Error;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

/// The content folder.
#[derive(Debug)]
pub struct ContentFolder {
    path: PathBuf,
    /// The folder with every link resolved, found on the first checked read.
    canonical: OnceLock<Option<PathBuf>>,
    max_page_bytes: u64,
    /// What the folder was written for: where its public files and navigation are.
    project: Project,
}

/// Why a content file was not read.
#[derive(Debug)]
pub enum Refusal {
    /// There is no file at the path (it was removed, or never was).
    Missing,
    /// A symbolic link whose target is outside the content folder.
    Outside(PathBuf),
    /// Not a regular file: a FIFO, a device, a socket or a folder.
    NotAFile(&'static str),
    /// Larger than the largest page read.
    TooLarge {
        /// Its size, or the bytes read before giving up.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The operating system refused.
    Io(std::io::Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Missing => write!(f, "no such file"),
            Refusal::Outside(target) => write!(
                f,
                "symbolic link to {}, outside the content folder; not read",
                target.display()
            ),
            Refusal::NotAFile(kind) => write!(f, "{kind}, not a regular file; not read"),
            Refusal::TooLarge { size, max } => write!(
                f,
                "file is {size} bytes, over the {max} bytes a page may have (max_page_bytes); not served"
            ),
            Refusal::Io(error) => write!(f, "{error}"),
        }
    }
}

impl From<std::io::Error> for Refusal {
    fn from(error: std::io::Error) -> Refusal {
        match error.kind() {
            std::io::ErrorKind::NotFound => Refusal::Missing,
            _ => Refusal::Io(error),
        }
    }
}

/// A file's bytes and its modification time.
pub type FileBytes = (Vec<u8>, Option<SystemTime>);

impl ContentFolder {
    /// The pages of the project `config.content` names (a folder of pages, or the root
    /// of an mdBook, MkDocs, VitePress or Starlight project), read as `config` says.
    /// What the project's settings say that folio does not follow is logged once.
    pub fn of(config: &Config) -> Result<ContentFolder, Error> {
        let project = Project::detect(&config.content).map_err(|problem| {
            let path = config.content.join(&problem.path);
            Error::Settings(problem.in_file(path))
        })?;
        for note in &project.notes {
            tracing::info!("{}: {note}", config.content.display());
        }
        if project.kind != ProjectKind::Folder {
            tracing::info!(
                "{} is a {} project: pages in {}",
                config.content.display(),
                project.kind.name(),
                project.pages.display()
            );
        }
        Ok(ContentFolder {
            path: project.pages.clone(),
            canonical: OnceLock::new(),
            max_page_bytes: config.max_page_bytes,
            project,
        })
    }

    /// The folder of pages at `path`, whose page files are read up to `max_page_bytes`.
    pub fn new(path: impl Into<PathBuf>, max_page_bytes: u64) -> ContentFolder {
        let path = path.into();
        ContentFolder {
            project: Project::plain(&path),
            path,
            canonical: OnceLock::new(),
            max_page_bytes,
        }
    }

    /// What the folder was written for: its public folder, its navigation, its name.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The folder, as named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a file exists at `relative` (`/`-separated) in the folder or, for a
    /// root-absolute link (`absolute`), in its public folder: what `folio check` asks of
    /// a link to an image or a download.
    pub fn has_file(&self, relative: &str, absolute: bool) -> bool {
        let clean = Path::new(relative)
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
        clean
            && (self.path.join(relative).is_file()
                || (absolute
                    && (self.project.public.as_ref())
                        .is_some_and(|public| public.join(relative).is_file())))
    }

    /// Reads the file at `relative`, after checking that it resolves to a regular file
    /// inside the folder: for a path that came from outside a walk (a file event, the
    /// manifest, a name in a page), which may be or pass through a link.
    pub fn read(&self, relative: &Path) -> Result<FileBytes, Refusal> {
        let path = self.path.join(relative);
        let resolved = path.canonicalize()?;
        let root = self
            .canonical
            .get_or_init(|| self.path.canonicalize().ok())
            .as_deref()
            .ok_or(Refusal::Missing)?;
        if !resolved.starts_with(root) {
            return Err(Refusal::Outside(resolved));
        }
        read_regular(&resolved, self.max_page_bytes)
    }

    /// Reads a file found by walking the folder without following links (so it is
    /// inside the folder), still checking its type and size.
    pub(super) fn read_walked(&self, path: &Path) -> Result<FileBytes, Refusal> {
        read_regular(path, self.max_page_bytes)
    }
}

/// Reads the regular file at `path`, at most `max` bytes. The file is opened without
/// blocking (a FIFO with no writer would otherwise hold the open) and without following
/// a link, and its type is read from the open handle.
fn read_regular(path: &Path, max: u64) -> Result<FileBytes, Refusal> {
    let file = open_nonblocking(path)?;
    let metadata = file.metadata()?;
    let kind = metadata.file_type();
    if !kind.is_file() {
        return Err(Refusal::NotAFile(describe(&kind)));
    }
    if metadata.len() > max {
        return Err(Refusal::TooLarge {
            size: metadata.len(),
            max,
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    // The file may grow while it is read: no more than one byte past the limit is read.
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(Refusal::TooLarge {
            size: bytes.len() as u64,
            max,
        });
    }
    Ok((bytes, metadata.modified().ok()))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        // Not following a link at the last step: a path checked as a regular file
        // that became a link since is refused rather than followed.
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a file that is not a regular file is, in words.
fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> (tempfile::TempDir, ContentFolder) {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("guide")).unwrap();
        std::fs::write(content.join("guide/a.md"), "# A\n").unwrap();
        let folder = ContentFolder::new(&content, 64);
        (dir, folder)
    }

    #[test]
    fn a_regular_file_inside_is_read() {
        let (_dir, folder) = folder();
        let (bytes, modified) = folder.read(Path::new("guide/a.md")).unwrap();
        assert_eq!(bytes, b"# A\n");
        assert!(modified.is_some());
        assert!(matches!(
            folder.read(Path::new("nothing.md")),
            Err(Refusal::Missing)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_inside_the_folder() {
        let (dir, folder) = folder();
        let secret = dir.path().join("secret.md");
        std::fs::write(&secret, "# Secret\n").unwrap();
        let content = folder.path().to_path_buf();
        std::os::unix::fs::symlink(&secret, content.join("out.md")).unwrap();
        std::os::unix::fs::symlink(content.join("guide/a.md"), content.join("in.md")).unwrap();
        std::os::unix::fs::symlink(dir.path(), content.join("up")).unwrap();
        assert!(matches!(
            folder.read(Path::new("out.md")),
            Err(Refusal::Outside(_))
        ));
        assert!(matches!(
            folder.read(Path::new("up/secret.md")),
            Err(Refusal::Outside(_)),
        ));
        assert_eq!(folder.read(Path::new("in.md")).unwrap().0, b"# A\n");
        assert!(
            read_regular(&content.join("in.md"), 64).is_err(),
            "a link is never opened as if it were its target"
        );
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let (_dir, folder) = folder();
        let fifo = folder.path().join("pipe.md");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let refused = folder.read(Path::new("pipe.md")).unwrap_err();
        assert!(matches!(refused, Refusal::NotAFile("a FIFO")), "{refused}");
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 64),
            Err(Refusal::NotAFile("a device"))
        ));
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let (_dir, folder) = folder();
        std::fs::write(folder.path().join("big.md"), "x".repeat(65)).unwrap();
        let refused = folder.read(Path::new("big.md")).unwrap_err();
        assert!(matches!(refused, Refusal::TooLarge { size: 65, max: 64 }));
        assert!(refused.to_string().contains("max_page_bytes"));
    }
}

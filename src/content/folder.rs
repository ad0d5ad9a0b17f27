//! The content folder and the one way in for every file read from it: at start-up,
//! on a live reload, when polling, on a rescan, when a page is read on demand, and when
//! a file is opened to be served beside the pages.
//!
//! A file is read only when it is a regular file inside the folder: a symbolic link is
//! resolved and followed only when its target is inside the folder too; a FIFO, a
//! device or a socket is refused without being opened for reading (the file is opened
//! non-blocking and its type checked on the open handle, so one swapped in between
//! cannot block); and no more than `max_page_bytes` are read. A file opened to be
//! served ([`ContentFolder::open`]) is also refused when its path, as asked or as
//! resolved, steps up or passes through a hidden name (`.git`, `.env`), and when it is
//! over `max_file_bytes`.

use super::include::IncludeSource;
use super::nav::LocaleFolders;
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
    /// Which of its top-level folders are locales.
    locales: LocaleFolders,
    max_file_bytes: u64,
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
    /// A path that steps up (`..`), is not relative, or passes through a hidden name
    /// (one that starts with `.`): never served.
    Hidden(PathBuf),
    /// Larger than the largest file read.
    TooLarge {
        /// Its size, or the bytes read before giving up.
        size: u64,
        /// The limit.
        max: u64,
        /// The setting that sets the limit (`max_page_bytes`, `max_file_bytes`).
        key: &'static str,
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
            Refusal::Hidden(path) => write!(
                f,
                "{} steps up or through a hidden name; not read",
                path.display()
            ),
            Refusal::TooLarge { size, max, key } => write!(
                f,
                "file is {size} bytes, over the {max} bytes allowed ({key}); not served"
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

/// A regular file opened to be read as it is sent ([`ContentFolder::open`]): its handle
/// and what it was when opened.
#[derive(Debug)]
pub struct OpenFile {
    /// The open handle, at the file's start.
    pub file: File,
    /// Its size in bytes.
    pub len: u64,
    /// When it last changed, when the system says.
    pub modified: Option<SystemTime>,
    /// Its inode number (0 where there is none): with the size and the time, what tells
    /// one version of the file from another.
    pub inode: u64,
}

/// The limits of the files read, by what they are read for.
const PAGE_KEY: &str = "max_page_bytes";
const FILE_KEY: &str = "max_file_bytes";

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
        let lang = (config.lang.as_deref())
            .or(project.lang.as_deref())
            .unwrap_or("en");
        let locales = LocaleFolders::declared(&config.locales).with_site_lang(lang);
        let mut folder = ContentFolder {
            path: project.pages.clone(),
            canonical: OnceLock::new(),
            max_page_bytes: config.max_page_bytes,
            max_file_bytes: config.max_file_bytes,
            project,
            locales,
        };
        if folder.project.title.is_none() {
            folder.project.title = folder.home_name();
        }
        Ok(folder)
    }

    /// The name a VitePress home page gives the site (`hero.name` in the frontmatter
    /// of `index.md`, or of `en/index.md` when every page is in a language folder):
    /// its title lives in `.vitepress/config`, which is code and is not run.
    fn home_name(&self) -> Option<String> {
        ["index.md", "en/index.md"].iter().find_map(|home| {
            let (bytes, _) = self.read(Path::new(home)).ok()?;
            let page = super::parse_page(Path::new(home), &bytes).0.ok()?;
            let hero = page.frontmatter.get("hero")?;
            let name = hero.get("name")?.as_str()?.trim();
            (!name.is_empty()).then(|| name.to_string())
        })
    }

    /// The folder at `path` (the content folder, or another served beside it), read
    /// with the limits `config` sets.
    pub fn at(path: impl Into<PathBuf>, config: &Config) -> ContentFolder {
        ContentFolder::new(path, config.max_page_bytes).with_max_file_bytes(config.max_file_bytes)
    }

    /// The folder at `path`, whose page files are read up to `max_page_bytes` (other
    /// files are opened up to [`crate::config::DEFAULT_MAX_FILE_BYTES`]).
    pub fn new(path: impl Into<PathBuf>, max_page_bytes: u64) -> ContentFolder {
        let path = path.into();
        ContentFolder {
            project: Project::plain(&path),
            locales: LocaleFolders::default(),
            path,
            canonical: OnceLock::new(),
            max_page_bytes,
            max_file_bytes: crate::config::DEFAULT_MAX_FILE_BYTES,
        }
    }

    /// The same folder, whose files are opened up to `max_file_bytes`.
    pub fn with_max_file_bytes(self, max_file_bytes: u64) -> ContentFolder {
        ContentFolder {
            max_file_bytes,
            ..self
        }
    }

    /// What the folder was written for: its public folder, its navigation, its name.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Which of its top-level folders are locales: those named by a language code and
    /// those the settings declare.
    pub fn locales(&self) -> &LocaleFolders {
        &self.locales
    }

    /// The folder, as named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a file exists at `relative` (`/`-separated) in the folder or, for a
    /// root-absolute link (`absolute`), in its public folder: what `folio check` asks of
    /// a link to an image or a download.
    /// It asks what serving the file asks ([`ContentFolder::open`]), so a link the
    /// check passes is a file that is served.
    pub fn has_file(&self, relative: &str, absolute: bool) -> bool {
        let relative = Path::new(relative);
        self.open(relative).is_ok()
            || (absolute
                && (self.project.public.as_ref()).is_some_and(|public| {
                    ContentFolder::new(public, self.max_page_bytes)
                        .with_max_file_bytes(self.max_file_bytes)
                        .open(relative)
                        .is_ok()
                }))
    }

    /// Reads the file at `relative`, after checking that it resolves to a regular file
    /// inside the folder: for a path that came from outside a walk (a file event, the
    /// manifest, a name in a page), which may be or pass through a link.
    pub fn read(&self, relative: &Path) -> Result<FileBytes, Refusal> {
        let (resolved, _) = self.resolve(relative)?;
        read_regular(&resolved, self.max_page_bytes)
    }

    /// Opens the file at `relative` to be sent as it is read, under the rules of
    /// [`ContentFolder::read`], refusing besides a path that steps up or passes through
    /// a hidden name, as asked or once its links are resolved, and a file over
    /// `max_file_bytes`.
    pub fn open(&self, relative: &Path) -> Result<OpenFile, Refusal> {
        if !is_plain(relative) {
            return Err(Refusal::Hidden(relative.to_path_buf()));
        }
        let (resolved, inside) = self.resolve(relative)?;
        if !is_plain(&inside) {
            return Err(Refusal::Hidden(inside));
        }
        let (file, metadata) = open_regular(&resolved, self.max_file_bytes, FILE_KEY)?;
        Ok(OpenFile {
            file,
            len: metadata.len(),
            modified: metadata.modified().ok(),
            inode: inode(&metadata),
        })
    }

    /// The file at `relative` with every link resolved, and that path relative to the
    /// folder, when it is inside the folder.
    fn resolve(&self, relative: &Path) -> Result<(PathBuf, PathBuf), Refusal> {
        let path = self.path.join(relative);
        let resolved = path.canonicalize()?;
        let root = self
            .canonical
            .get_or_init(|| self.path.canonicalize().ok())
            .as_deref()
            .ok_or(Refusal::Missing)?;
        match resolved.strip_prefix(root) {
            Ok(inside) => {
                let inside = inside.to_path_buf();
                Ok((resolved, inside))
            }
            Err(_) => Err(Refusal::Outside(resolved)),
        }
    }

    /// Reads a file found by walking the folder without following links (so it is
    /// inside the folder), still checking its type and size.
    pub(super) fn read_walked(&self, path: &Path) -> Result<FileBytes, Refusal> {
        read_regular(path, self.max_page_bytes)
    }
}

impl IncludeSource for ContentFolder {
    /// Reads an included file through the one way in, refusing what serving it would
    /// refuse (dotfiles, `..`, links out of the folder) and what is not UTF-8 text.
    fn read_text(&self, relative: &Path) -> Result<String, String> {
        if !is_plain(relative) {
            return Err(Refusal::Hidden(relative.to_path_buf()).to_string());
        }
        let (bytes, _) = self.read(relative).map_err(|refusal| refusal.to_string())?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
    }

    fn read_project_text(&self, relative: &Path) -> Result<String, String> {
        match self.project.root == self.path {
            true => self.read_text(relative),
            false => {
                ContentFolder::new(&self.project.root, self.max_page_bytes).read_text(relative)
            }
        }
    }

    fn pages_prefix(&self) -> PathBuf {
        self.path
            .strip_prefix(&self.project.root)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// Whether `relative` names a file by plain names only: no root, no `.` or `..`, and
/// no name that starts with `.` (a dotfile, `.git`, `.env`).
fn is_plain(relative: &Path) -> bool {
    relative.components().all(|component| match component {
        std::path::Component::Normal(name) => !name.as_encoded_bytes().starts_with(b"."),
        _ => false,
    })
}

#[cfg(unix)]
fn inode(metadata: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// Reads the regular file at `path`, at most `max` bytes.
fn read_regular(path: &Path, max: u64) -> Result<FileBytes, Refusal> {
    let (file, metadata) = open_regular(path, max, PAGE_KEY)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    // The file may grow while it is read: no more than one byte past the limit is read.
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(Refusal::TooLarge {
            size: bytes.len() as u64,
            max,
            key: PAGE_KEY,
        });
    }
    Ok((bytes, metadata.modified().ok()))
}

/// Opens the regular file at `path` when it has at most `max` bytes (the limit `key`
/// sets). The file is opened without blocking (a FIFO with no writer would otherwise
/// hold the open) and without following a link, and its type is read from the open
/// handle.
fn open_regular(
    path: &Path,
    max: u64,
    key: &'static str,
) -> Result<(File, std::fs::Metadata), Refusal> {
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
            key,
        });
    }
    Ok((file, metadata))
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
        assert!(matches!(
            refused,
            Refusal::TooLarge {
                size: 65,
                max: 64,
                ..
            }
        ));
        assert!(refused.to_string().contains("max_page_bytes"));
    }

    #[test]
    fn a_file_opened_to_be_served_is_plain_inside_and_bounded() {
        let (_dir, folder) = folder();
        let folder = folder.with_max_file_bytes(8);
        std::fs::write(folder.path().join("guide/img.png"), b"\x89PNG").unwrap();
        let open = folder.open(Path::new("guide/img.png")).unwrap();
        assert_eq!(open.len, 4);
        assert!(open.modified.is_some());
        for hidden in [
            ".env",
            ".git/config",
            "guide/../guide/img.png",
            "/etc/passwd",
        ] {
            let refused = folder.open(Path::new(hidden)).unwrap_err();
            assert!(matches!(refused, Refusal::Hidden(_)), "{hidden}: {refused}");
        }
        std::fs::write(folder.path().join("big.bin"), [0u8; 9]).unwrap();
        let refused = folder.open(Path::new("big.bin")).unwrap_err();
        assert!(refused.to_string().contains("max_file_bytes"), "{refused}");
        assert!(matches!(
            folder.open(Path::new("guide")),
            Err(Refusal::NotAFile("a folder"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_hidden_file_inside_is_not_opened() {
        let (dir, folder) = folder();
        let content = folder.path().to_path_buf();
        std::fs::create_dir(content.join(".git")).unwrap();
        std::fs::write(content.join(".git/config"), "secret").unwrap();
        std::os::unix::fs::symlink(content.join(".git/config"), content.join("config.txt"))
            .unwrap();
        std::fs::write(dir.path().join("outside.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), content.join("out.txt"))
            .unwrap();
        assert!(matches!(
            folder.open(Path::new("config.txt")),
            Err(Refusal::Hidden(_))
        ));
        assert!(matches!(
            folder.open(Path::new("out.txt")),
            Err(Refusal::Outside(_))
        ));
    }
}

//! Store: folio's own files in the index folder, beside Tantivy's. It owns their names,
//! their formats and versions, how they are written (whole, atomically) and how the
//! folder is cleared for a rebuild. Only the running site ([`crate::app`]) uses it.
//!
//! - `folio-fingerprint`: one line naming the folio version, the schema, the content
//!   and the facet keys the index was built from.
//! - `folio-pages`: the [`PageManifest`], each page file's size, time and hash, for a
//!   start that serves before it has read a page.
//! - `folio-home`: the home page as last served ([`KeptHome`]).
//!
//! The two binary files are postcard, a format version first: a file of another
//! version is never decoded, only ignored (and rewritten).

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The fingerprint's file name.
const FINGERPRINT_FILE: &str = "folio-fingerprint";
/// The page manifest's file name.
const PAGES_FILE: &str = "folio-pages";
/// The kept home page's file name.
const HOME_FILE: &str = "folio-home";

/// The version of [`PageManifest`] as stored.
const PAGES_FORMAT: u32 = 3;
/// The version of [`KeptHome`] as stored.
const HOME_FORMAT: u32 = 2;

/// The index folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// Every page file and folder of the content, as a start from the manifest checks them.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PageManifest {
    /// Every folder walked for pages, the content folder first: a page added, removed
    /// or renamed changes its folder's modification time.
    pub folders: Vec<FolderRecord>,
    /// Every page file, sorted by path.
    pub files: Vec<FileRecord>,
}

/// One folder of the content.
#[derive(Debug, Serialize, Deserialize)]
pub struct FolderRecord {
    /// Relative to the content folder (empty for the content folder itself).
    pub path: PathBuf,
    /// Nanoseconds since the Unix epoch.
    pub modified: Option<u64>,
}

/// One content file.
#[derive(Debug, Serialize, Deserialize)]
pub struct FileRecord {
    /// Relative to the content folder.
    pub source: PathBuf,
    /// The size in bytes.
    pub size: u64,
    /// Nanoseconds since the Unix epoch.
    pub modified: Option<u64>,
    /// The hash of its path and bytes.
    pub hash: u64,
    /// What lists show of its page; `None` for a file that is not served (it does not
    /// parse, or another file claims its URL).
    pub page: Option<ListingRecord>,
}

/// What lists of pages show of one page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListingRecord {
    /// Where it is served.
    pub url: String,
    /// Its name as a reader sees it.
    pub heading: String,
    /// Its description, or empty.
    pub description: String,
    /// The group it is listed in.
    pub group: Option<String>,
    /// Where it goes among its siblings in the navigation.
    pub order: Option<f64>,
}

/// The home page as kept: valid for the renderer and the content it names.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptHome {
    /// The identity of the renderer that made it.
    pub renderer: u64,
    /// The fingerprint of the content it lists.
    pub content: u64,
    /// The pages that head its groups: URL and title.
    pub heads: Vec<(String, String)>,
    /// The page.
    pub html: String,
}

impl Store {
    /// The index folder at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// Makes the folder when it is missing.
    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))
    }

    /// Whether the folder holds a Tantivy index.
    pub fn has_index(&self) -> bool {
        self.dir.join("meta.json").exists()
    }

    /// The fingerprint line of the index in the folder, when there is one.
    pub fn fingerprint(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.join(FINGERPRINT_FILE)).ok()
    }

    /// Records the fingerprint line of the index now in the folder.
    pub fn write_fingerprint(&self, line: &str) -> Result<()> {
        write_atomically(&self.dir.join(FINGERPRINT_FILE), line.as_bytes())
    }

    /// The page manifest, when there is one of this version.
    pub fn pages(&self) -> Option<PageManifest> {
        read_versioned(&self.dir.join(PAGES_FILE), PAGES_FORMAT)
    }

    /// Replaces the page manifest. A file name that is not UTF-8 is refused.
    pub fn write_pages(&self, manifest: &PageManifest) -> Result<()> {
        let files = manifest.files.iter().map(|file| &file.source);
        let mut paths = files.chain(manifest.folders.iter().map(|folder| &folder.path));
        if let Some(odd) = paths.find(|path| path.to_str().is_none()) {
            return Err(Error::NotUtf8Name(odd.clone()));
        }
        write_versioned(&self.dir.join(PAGES_FILE), PAGES_FORMAT, manifest)
    }

    /// The home page kept for this renderer and content, when there is one.
    pub fn home(&self, renderer: u64, content: u64) -> Option<KeptHome> {
        let kept: KeptHome = read_versioned(&self.dir.join(HOME_FILE), HOME_FORMAT)?;
        (kept.renderer == renderer && kept.content == content).then_some(kept)
    }

    /// Whether the home page kept is this renderer's of this content, told from the
    /// head of the file alone.
    pub fn holds_home(&self, renderer: u64, content: u64) -> bool {
        use std::io::Read;
        let mut head = Vec::with_capacity(32);
        let read = std::fs::File::open(self.dir.join(HOME_FILE))
            .and_then(|file| file.take(32).read_to_end(&mut head));
        read.is_ok()
            && postcard::take_from_bytes::<(u32, u64, u64)>(&head)
                .is_ok_and(|(kept, _)| kept == (HOME_FORMAT, renderer, content))
    }

    /// Keeps `home` for the next start.
    pub fn write_home(&self, home: &KeptHome) -> Result<()> {
        write_versioned(&self.dir.join(HOME_FILE), HOME_FORMAT, home)
    }

    /// Empties the folder before a rebuild, refusing when it holds anything folio did
    /// not put there (a dot-file such as `.gitignore` is left alone).
    pub fn clear(&self) -> Result<()> {
        let dir = &self.dir;
        let entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        let names: Vec<&str> = entries
            .iter()
            .filter_map(|path| path.file_name().and_then(|n| n.to_str()))
            .collect();
        let foreign = entries
            .iter()
            .zip(&names)
            .any(|(path, name)| path.is_dir() || (!is_ours(name) && !name.starts_with('.')))
            || entries.len() != names.len();
        if foreign {
            return Err(Error::ForeignIndexDir(dir.to_path_buf()));
        }
        for (path, name) in entries.iter().zip(names) {
            if is_ours(name) {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            }
        }
        Ok(())
    }
}

/// Whether a file of the index folder is folio's or Tantivy's.
fn is_ours(name: &str) -> bool {
    [FINGERPRINT_FILE, PAGES_FILE, HOME_FILE].contains(&name)
        || name.starts_with("folio-")
        || name == "meta.json"
        || name.starts_with(".tantivy")
        || name == ".managed.json"
        || name.rsplit_once('.').is_some_and(|(stem, _)| {
            stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit())
        })
}

/// The value of `T` stored at `path` under `version`; `None` when the file is missing,
/// of another version (never decoded), or unreadable.
fn read_versioned<T: DeserializeOwned>(path: &Path, version: u32) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let (stored, _) = postcard::take_from_bytes::<u32>(&bytes).ok()?;
    if stored != version {
        return None;
    }
    postcard::from_bytes::<(u32, T)>(&bytes)
        .ok()
        .map(|(_, value)| value)
}

/// Stores `value` at `path` under `version`, replacing the file whole.
fn write_versioned<T: Serialize>(path: &Path, version: u32, value: &T) -> Result<()> {
    let bytes = postcard::to_allocvec(&(version, value)).map_err(|source| Error::Encode {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomically(path, &bytes)
}

/// Replaces the file at `path` with `bytes` whole: they are written beside it under a
/// name of this process's own (two servers may share an index folder), then renamed
/// over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(|e| Error::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_another_version_or_garbage_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert!(store.pages().is_none());
        write_versioned(
            &dir.path().join(PAGES_FILE),
            PAGES_FORMAT + 1,
            &PageManifest::default(),
        )
        .unwrap();
        assert!(store.pages().is_none());
        std::fs::write(dir.path().join(PAGES_FILE), "not a manifest").unwrap();
        assert!(store.pages().is_none());
        store.write_pages(&PageManifest::default()).unwrap();
        assert!(store.pages().is_some());
    }

    #[test]
    fn a_kept_home_page_is_told_by_its_renderer_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert!(!store.holds_home(1, 7));
        let home = KeptHome {
            renderer: 1,
            content: 7,
            heads: vec![("/a".into(), "A".into())],
            html: "<p>home</p>".into(),
        };
        store.write_home(&home).unwrap();
        assert!(store.holds_home(1, 7));
        assert!(!store.holds_home(1, 8), "other content");
        assert!(!store.holds_home(2, 7), "another renderer");
        assert_eq!(store.home(1, 7).unwrap().html, "<p>home</p>");
        assert!(store.home(1, 8).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_that_is_not_utf8_is_named_and_nothing_is_written() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"\xffodd.md"));
        let manifest = PageManifest {
            folders: Vec::new(),
            files: vec![FileRecord {
                source: odd,
                size: 1,
                modified: None,
                hash: 1,
                page: None,
            }],
        };
        let error = store.write_pages(&manifest).unwrap_err().to_string();
        assert!(
            error.contains("odd.md has a name that is not UTF-8"),
            "{error}"
        );
        assert!(store.pages().is_none());
    }

    #[test]
    fn clearing_refuses_a_folder_that_holds_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.write_fingerprint("x\n").unwrap();
        std::fs::write(dir.path().join(".gitignore"), "*\n").unwrap();
        store.clear().unwrap();
        assert!(store.fingerprint().is_none());
        assert!(dir.path().join(".gitignore").exists(), "dot-files stay");
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(store.clear(), Err(Error::ForeignIndexDir(_))));
        assert!(dir.path().join("notes.txt").exists());
    }
}

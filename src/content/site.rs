//! A loaded site: every page, what was wrong with the rest, and each file as it was
//! read; and how one changed file is read again into it.

use super::folder::{ContentFolder, Refusal};
use super::nav::LocaleFolders;
use super::page::{Listing, Page, Pages};
use super::parse::parse_file;
use super::problem::Problem;
use super::project::{NavEntry, NavSource};
use super::summary::read_summary;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use xxhash_rust::xxh3::Xxh3;

/// A content file as it was read: a hash of its path and bytes, its size and its
/// modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// The hash of the path and the bytes: equal hashes, equal files. XXH3, whose
    /// values are fixed by its specification, so they can be kept on disk.
    pub hash: u64,
    /// The size in bytes.
    pub size: u64,
    /// When it was last modified, when known.
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    /// The stamp of the file at `relative` holding `bytes`.
    pub fn of(relative: &Path, bytes: &[u8], modified: Option<SystemTime>) -> FileStamp {
        let mut hasher = Xxh3::new();
        hasher.update(relative.as_os_str().as_encoded_bytes());
        hasher.update(&[0]);
        hasher.update(bytes);
        FileStamp {
            hash: hasher.digest(),
            size: bytes.len() as u64,
            modified,
        }
    }
}

/// Every page of a content folder, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Site {
    /// The pages that parsed, sorted by source path; shared with what serves them.
    pub pages: Vec<Arc<Page>>,
    /// Warnings and errors, in file order.
    pub problems: Vec<Problem>,
    /// Each content file as it was read, by path relative to the content folder.
    pub files: HashMap<PathBuf, FileStamp>,
    /// The navigation its project writes down (SUMMARY.md, MkDocs' `nav`, `_nav.md`);
    /// `None`: it comes from the folders.
    pub nav: Option<Vec<NavEntry>>,
    /// Which top-level folders are locales.
    pub locales: LocaleFolders,
}

impl Site {
    /// The page served at `url`.
    pub fn page(&self, url: &str) -> Option<&Page> {
        self.shared_page(url).map(|page| &**page)
    }

    /// The page served at `url`, as shared with what serves it.
    pub fn shared_page(&self, url: &str) -> Option<&Arc<Page>> {
        self.pages.iter().find(|page| page.url == url)
    }

    /// A hash of every content file's path and bytes: equal fingerprints, equal sites.
    pub fn fingerprint(&self) -> u64 {
        fingerprint(self.files.values().map(|stamp| stamp.hash))
    }

    /// What lists of pages show of each page, in source order; a page that others
    /// include is a part of them and is left out.
    pub fn listings(&self) -> Vec<Listing<'_>> {
        let parts = self.parts();
        self.pages
            .iter()
            .filter(|page| !parts.contains(page.source.as_path()))
            .map(|page| page.listing())
            .collect()
    }

    /// The pages search finds: all but those that other pages include, which are
    /// found as the text of the pages that include them.
    pub fn searched_pages(&self) -> Vec<Arc<Page>> {
        let parts = self.parts();
        self.pages
            .iter()
            .filter(|page| !parts.contains(page.source.as_path()))
            .cloned()
            .collect()
    }

    /// The files that some page includes.
    pub fn parts(&self) -> std::collections::HashSet<&Path> {
        self.pages
            .iter()
            .flat_map(|page| page.includes.iter().map(PathBuf::as_path))
            .collect()
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// The files that pages include and that are not pages themselves: stamped with
    /// the page files, so that a change to one while folio is stopped is seen.
    pub fn included_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self
            .pages
            .iter()
            .flat_map(|page| page.includes.iter())
            .filter(|file| !super::links::is_page_file(file))
            .cloned()
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// Stamps the included file at `relative` as it is now (or forgets it, gone), after
    /// it changed.
    pub fn restamp(&mut self, folder: &ContentFolder, relative: &Path) {
        match stamp(folder, relative) {
            Some(stamp) => self.files.insert(relative.to_path_buf(), stamp),
            None => self.files.remove(relative),
        };
    }

    /// The files of the pages that include the file at `relative` (found or not): they
    /// change when it does.
    pub fn includers(&self, relative: &Path) -> Vec<PathBuf> {
        self.pages
            .iter()
            .filter(|page| page.includes.iter().any(|file| file == relative))
            .map(|page| page.source.clone())
            .collect()
    }

    /// Re-reads one file of `folder` after it changed, was created or removed. A file
    /// that no longer parses, or may not be read, leaves its last good page in place.
    pub fn reload(&mut self, folder: &ContentFolder, relative: &Path) -> Reloaded {
        if folder.project().is_nav_file(relative) {
            let (nav, stamp, problems) = read_nav(folder);
            self.nav = nav;
            // The file read may be another than the one that changed (`_nav.md` gone,
            // SUMMARY.md read again).
            self.files.remove(relative);
            if let Some((path, stamp)) = stamp {
                self.files.insert(path, stamp);
            }
            return match problems.into_iter().find(Problem::is_error) {
                Some(problem) => Reloaded::Failed(problem),
                None => Reloaded::Navigation,
            };
        }
        let previous = self.pages.iter().position(|page| page.source == relative);
        let dir = folder.path();
        let path = dir.join(relative);
        let (bytes, modified) = match folder.read(relative) {
            Ok(read) => read,
            Err(Refusal::Missing) => {
                self.files.remove(relative);
                return match previous {
                    Some(index) => Reloaded::Removed(self.pages.remove(index).url.clone()),
                    None => Reloaded::Unchanged,
                };
            }
            Err(refusal) => {
                return Reloaded::Failed(Problem::error(1, refusal.to_string()).in_file(path));
            }
        };
        self.files.insert(
            relative.to_path_buf(),
            FileStamp::of(relative, &bytes, modified),
        );
        let page = match parse_file(relative, &bytes, modified, folder).0 {
            Ok(page) => page,
            Err(problem) => return Reloaded::Failed(problem.in_file(path)),
        };
        if let Some(other) = self
            .pages
            .iter()
            .find(|other| other.url == page.url && other.source != relative)
        {
            let message = served_twice(&page.url, &dir.join(&other.source));
            return Reloaded::Failed(Problem::error(1, message).in_file(path));
        }
        let page = Arc::new(page);
        let old = match previous {
            Some(index) => Some(std::mem::replace(&mut self.pages[index], page.clone())),
            None => {
                let at = self
                    .pages
                    .partition_point(|other| other.source.as_path() < relative);
                self.pages.insert(at, page.clone());
                None
            }
        };
        Reloaded::Updated {
            listing_changed: old
                .as_ref()
                .is_none_or(|old| old.listing() != page.listing()),
            old_url: old
                .map(|old| old.url.clone())
                .filter(|old| *old != page.url),
            url: page.url.clone(),
        }
    }
}

impl Pages for Site {
    fn page_at(&self, url: &str) -> Option<Arc<Page>> {
        self.shared_page(url).cloned()
    }
}

/// What [`Site::reload`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// The page at `url` was added or replaced; `old_url` is where it was served before
    /// when that changed.
    Updated {
        /// Where the page is served now.
        url: String,
        /// Where it was served before, when that differs.
        old_url: Option<String>,
        /// Whether what lists of pages show of it (URL, name, description, group) changed.
        listing_changed: bool,
    },
    /// The file is gone; its page was served at this URL.
    Removed(String),
    /// The file is broken; its last good page, if any, stays.
    Failed(Problem),
    /// Nothing to do (a file that never was a page is gone).
    Unchanged,
    /// The navigation file changed: every page's navigation is made anew.
    Navigation,
}

/// The navigation `folder`'s project writes down, the stamp of the file it was read
/// from, and what is wrong with it (each problem naming the file).
pub type NavRead = (
    Option<Vec<NavEntry>>,
    Option<(PathBuf, FileStamp)>,
    Vec<Problem>,
);

/// Reads the navigation `folder`'s project writes down now: `SUMMARY.md` or `_nav.md`
/// through the one way in, or MkDocs' `nav` as read with its settings.
pub fn read_nav(folder: &ContentFolder) -> NavRead {
    match &folder.project().nav_now() {
        None => (None, None, Vec::new()),
        Some(NavSource::Entries(entries)) => (Some(entries.clone()), None, Vec::new()),
        Some(NavSource::Summary(file)) => {
            let path = folder.path().join(file);
            match folder.read(file) {
                Ok((bytes, modified)) => {
                    let stamp = FileStamp::of(file, &bytes, modified);
                    let text = String::from_utf8_lossy(&bytes);
                    let (entries, problems) = read_summary(&text);
                    let problems = problems.into_iter().map(|p| p.in_file(&path)).collect();
                    (Some(entries), Some((file.clone(), stamp)), problems)
                }
                Err(refusal) => {
                    let problem = Problem::error(1, refusal.to_string()).in_file(path);
                    (None, None, vec![problem])
                }
            }
        }
    }
}

/// The error for a second file claiming `url`, already served from `first`.
/// The stamp of the file at `relative` in `folder`; `None` when it cannot be read.
pub(super) fn stamp(folder: &ContentFolder, relative: &Path) -> Option<FileStamp> {
    let (bytes, modified) = folder.read(relative).ok()?;
    Some(FileStamp::of(relative, &bytes, modified))
}

pub(super) fn served_twice(url: &str, first: &Path) -> String {
    format!("URL {url} is already served by {}", first.display())
}

/// The fingerprint of a site whose files hash to `hashes`: equal fingerprints, equal
/// sites, whatever the order.
pub fn fingerprint(hashes: impl Iterator<Item = u64>) -> u64 {
    hashes.fold(0, |all, hash| all ^ hash)
}

//! The outline of a site as its page manifest recorded it: every page's listing and
//! file, none parsed. A start whose page files still have the sizes and times the
//! manifest recorded serves from the outline, and each page is parsed when first
//! asked for while the whole site loads behind the server. The load then compares
//! every file's hash with the manifest's, which catches an edit that kept both the
//! size and the time.

use super::edit::Changes;
use crate::content::{ContentFolder, Listing, LocaleFolders, NavEntry, PageFile, Site};
use crate::error::Result;
use crate::store::{FileRecord, FolderRecord, ListingRecord, PageManifest, Store};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The page manifest of `site`, loaded from `content`. The folders' times are read
/// now: a page added since the site loaded makes the next start load every page, or,
/// when it came just before this call, reach the server when the site has loaded.
pub fn manifest(folder: &ContentFolder, site: &Site) -> Result<PageManifest> {
    let served: HashMap<&Path, Listing<'_>> = site
        .pages
        .iter()
        .map(|page| (page.source.as_path(), page.listing()))
        .collect();
    let mut files: Vec<FileRecord> = site
        .files
        .iter()
        .map(|(source, stamp)| FileRecord {
            source: source.clone(),
            size: stamp.size,
            modified: stamp.modified.and_then(nanos),
            hash: stamp.hash,
            page: served.get(source.as_path()).map(|listing| ListingRecord {
                url: listing.url.to_string(),
                heading: listing.heading.to_string(),
                description: listing.description.to_string(),
                group: listing.group.as_deref().map(String::from),
                order: listing.order,
            }),
        })
        .collect();
    files.sort_unstable_by(|a, b| a.source.cmp(&b.source));
    let folders = crate::content::folders(folder)?
        .into_iter()
        .map(|(path, modified)| FolderRecord {
            path,
            modified: modified.and_then(nanos),
        })
        .collect();
    Ok(PageManifest { folders, files })
}

/// A site as its manifest describes it: every page's listing and file, none parsed.
pub struct Outline {
    /// The pages, sorted by source path.
    pub pages: Vec<OutlinePage>,
    /// The navigation the project writes down, read now.
    pub nav: Option<Vec<NavEntry>>,
    /// Which top-level folders are locales.
    pub locales: LocaleFolders,
    folders: Vec<FolderRecord>,
    files: Vec<FileRecord>,
}

/// One page of an [`Outline`].
pub struct OutlinePage {
    /// Its file, parsed when first needed.
    pub file: Arc<PageFile>,
    /// When its file was last modified, when known.
    pub modified: Option<SystemTime>,
    listing: ListingRecord,
}

impl OutlinePage {
    /// What lists of pages show of this page.
    pub fn listing(&self) -> Listing<'_> {
        Listing {
            source: self.file.source(),
            url: &self.listing.url,
            heading: &self.listing.heading,
            description: &self.listing.description,
            group: self.listing.group.as_deref().map(Cow::Borrowed),
            order: self.listing.order,
        }
    }

    /// Where the page is served.
    pub fn url(&self) -> &str {
        &self.listing.url
    }
}

impl Outline {
    /// The outline of the site in `folder` from the manifest in `store`; `None` when
    /// there is no manifest of this version.
    pub fn read(store: &Store, folder: &Arc<ContentFolder>) -> Option<Outline> {
        let manifest = store.pages()?;
        let mut pages = Vec::with_capacity(manifest.files.len());
        let mut files = manifest.files;
        for record in &mut files {
            if let Some(listing) = record.page.take() {
                pages.push(OutlinePage {
                    file: Arc::new(PageFile::new(folder.clone(), record.source.clone())),
                    modified: record
                        .modified
                        .map(|ns| UNIX_EPOCH + Duration::from_nanos(ns)),
                    listing,
                });
            }
        }
        Some(Outline {
            pages,
            nav: crate::content::read_nav(folder).0,
            locales: folder.locales().clone(),
            folders: manifest.folders,
            files,
        })
    }

    /// A hash of every file's path and bytes, as [`Site::fingerprint`] makes it.
    pub fn fingerprint(&self) -> u64 {
        crate::content::fingerprint(self.files.iter().map(|file| file.hash))
    }

    /// Whether the page files under `content` are the manifest's: every folder with the
    /// modification time recorded (so no page was added, removed or renamed), and every
    /// page file with the size and time recorded.
    pub fn is_current(&self, content: &Path) -> bool {
        use rayon::prelude::*;
        let time = |metadata: &std::fs::Metadata| metadata.modified().ok().and_then(nanos);
        let folders = self.folders.par_iter().all(|folder| {
            std::fs::metadata(content.join(&folder.path))
                .is_ok_and(|metadata| metadata.is_dir() && time(&metadata) == folder.modified)
        });
        folders
            && self.files.par_iter().all(|file| {
                std::fs::symlink_metadata(content.join(&file.source)).is_ok_and(|metadata| {
                    metadata.is_file()
                        && metadata.len() == file.size
                        && time(&metadata) == file.modified
                })
            })
    }

    /// What the manifest recorded of each file and page, for [`Recorded::changes`]
    /// once the site has loaded; the rest of the outline is let go.
    pub fn into_recorded(self) -> Recorded {
        let (urls, files) = self
            .pages
            .into_iter()
            .map(|page| (page.listing.url, page.file))
            .unzip();
        Recorded {
            hashes: self
                .files
                .into_iter()
                .map(|file| (file.source, file.hash))
                .collect(),
            urls,
            files,
        }
    }
}

/// What a manifest recorded of a site: each file's hash, and each page's URL and file.
pub struct Recorded {
    hashes: HashMap<PathBuf, u64>,
    urls: Vec<String>,
    /// The pages' files, sorted by source path.
    files: Vec<Arc<PageFile>>,
}

impl Recorded {
    /// Gives each page file the page of `site` loaded from it, so that what serves the
    /// outline's pages no longer reads their files.
    pub fn fill(&self, site: &Site) {
        let mut pages = site.pages.iter().peekable();
        for file in &self.files {
            while pages.next_if(|page| page.source < *file.source()).is_some() {}
            if let Some(page) = pages.next_if(|page| page.source == *file.source()) {
                file.fill(page);
            }
        }
    }

    /// What differs in `site`, as loaded from the files, from what was recorded: the
    /// URLs of pages whose file is new or has other bytes, and the URLs recorded that
    /// `site` no longer serves; the lists of pages are made anew from `site`.
    pub fn changes(&self, site: &Site) -> Changes {
        let changed: Vec<String> = site
            .pages
            .iter()
            .filter(|page| {
                let hash = site.files.get(&page.source).map(|stamp| stamp.hash);
                self.hashes.get(&page.source).copied() != hash
            })
            .map(|page| page.url.clone())
            .collect();
        let served: HashSet<&str> = site.pages.iter().map(|page| page.url.as_str()).collect();
        let removed: Vec<String> = self
            .urls
            .iter()
            .filter(|url| !served.contains(url.as_str()))
            .cloned()
            .collect();
        let listing = !changed.is_empty() || !removed.is_empty();
        Changes {
            changed,
            removed,
            listing,
            templates: false,
            files: Vec::new(),
        }
    }
}

/// Nanoseconds since the Unix epoch, for times after it.
fn nanos(time: SystemTime) -> Option<u64> {
    let since = time.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_nanos()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(content: &Path) -> Arc<ContentFolder> {
        Arc::new(ContentFolder::new(
            content,
            crate::config::DEFAULT_MAX_PAGE_BYTES,
        ))
    }

    fn load(content: &Path) -> Site {
        crate::content::load(&folder(content)).unwrap()
    }

    fn write(index: &Path, content: &Path, site: &Site) {
        let manifest = manifest(&folder(content), site).unwrap();
        Store::new(index).write_pages(&manifest).unwrap();
    }

    fn urls(changes: Changes) -> (Vec<String>, Vec<String>) {
        (changes.changed, changes.removed)
    }

    /// A temp folder (kept while the first value lives) with `content/` holding `files`
    /// and an empty `index/`, and the site loaded from it.
    fn work(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf, Site) {
        let work = tempfile::tempdir().unwrap();
        let (content, index) = (work.path().join("content"), work.path().join("index"));
        std::fs::create_dir_all(&index).unwrap();
        for (name, text) in files {
            let path = content.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let site = load(&content);
        (work, content, index, site)
    }

    /// Sets the time of every folder and file under `dir` a day back, so that a change
    /// made after it is told apart however coarse the file system's clock is.
    fn age(dir: &Path) {
        let day_ago = SystemTime::now() - Duration::from_secs(86_400);
        for entry in walkdir::WalkDir::new(dir) {
            let entry = entry.unwrap();
            let file = std::fs::File::open(entry.path()).unwrap();
            file.set_modified(day_ago).unwrap();
        }
    }

    #[test]
    fn a_written_manifest_outlines_the_site_it_was_written_from() {
        let (_work, content, index, site) = work(&[
            ("index.md", "# Home\n"),
            (
                "502.md",
                "---\ndescription: Bad gateway.\nclass: 5xx\n---\n# 502 Bad Gateway\n",
            ),
            ("guide/a.md", "# A guide\n\nText.\n"),
            ("broken.md", "---\n- not a mapping\n---\n"),
        ]);
        write(&index, &content, &site);
        let outline = Outline::read(&Store::new(&index), &folder(&content)).unwrap();
        assert!(outline.is_current(&content));
        assert_eq!(outline.fingerprint(), site.fingerprint());
        let listings: Vec<Listing> = outline.pages.iter().map(OutlinePage::listing).collect();
        assert_eq!(listings.len(), 3, "the broken file lists no page");
        let gateway = listings.iter().find(|l| l.url == "/502").unwrap();
        assert_eq!(gateway.heading, "502 Bad Gateway");
        assert_eq!(gateway.description, "Bad gateway.");
        assert_eq!(gateway.group.as_deref(), Some("5xx"));
        let file = &outline
            .pages
            .iter()
            .find(|p| p.url() == "/guide/a")
            .unwrap()
            .file;
        assert_eq!(file.page().unwrap().sections[0].text, "Text.");
        assert_eq!(
            urls(outline.into_recorded().changes(&site)),
            (vec![], vec![])
        );
    }

    #[test]
    fn a_new_removed_or_resized_file_makes_the_manifest_out_of_date() {
        let (_work, content, index, _site) = work(&[("a.md", "# A\n"), ("guide/b.md", "# B\n")]);
        let current = || {
            age(&content);
            let site = load(&content);
            write(&index, &content, &site);
            let outline = Outline::read(&Store::new(&index), &folder(&content)).unwrap();
            assert!(outline.is_current(&content));
            outline
        };
        let outline = current();
        std::fs::write(content.join("guide/c.md"), "# C\n").unwrap();
        assert!(!outline.is_current(&content), "a new file");
        let outline = current();
        std::fs::remove_file(content.join("guide/c.md")).unwrap();
        assert!(!outline.is_current(&content), "a removed file");
        let outline = current();
        std::fs::create_dir(content.join("more")).unwrap();
        assert!(!outline.is_current(&content), "a new folder");
        let outline = current();
        // Written in place: the folder keeps its time, the file's size changes.
        std::fs::write(content.join("guide/b.md"), "# B, longer\n").unwrap();
        assert!(!outline.is_current(&content), "a file of another size");
        let site = load(&content);
        assert_eq!(
            urls(outline.into_recorded().changes(&site)),
            (vec!["/guide/b".to_string()], vec![])
        );
    }

    #[test]
    fn a_file_is_told_by_its_time_to_the_nanosecond_and_then_by_its_hash() {
        let (_work, content, index, site) = work(&[("a.md", "# A\n\nOld.\n")]);
        write(&index, &content, &site);
        let outline = Outline::read(&Store::new(&index), &folder(&content)).unwrap();
        let path = content.join("a.md");
        let time = std::fs::metadata(&path).unwrap().modified().unwrap();
        let set_time = |time| {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(time).unwrap();
        };
        set_time(time + Duration::from_nanos(1));
        assert!(!outline.is_current(&content));
        // Other bytes of the same size, and the old time put back.
        std::fs::write(&path, "# A\n\nNew.\n").unwrap();
        set_time(time);
        assert!(outline.is_current(&content), "size and time match");
        let site = load(&content);
        assert_ne!(outline.fingerprint(), site.fingerprint());
        assert_eq!(
            urls(outline.into_recorded().changes(&site)),
            (vec!["/a".to_string()], vec![])
        );
    }

    #[test]
    fn page_files_given_the_loaded_pages_are_not_read_again() {
        let (_work, content, index, site) = work(&[("a.md", "# A\n"), ("guide/b.md", "# B\n")]);
        write(&index, &content, &site);
        let outline = Outline::read(&Store::new(&index), &folder(&content)).unwrap();
        let files: Vec<Arc<PageFile>> = outline.pages.iter().map(|p| p.file.clone()).collect();
        outline.into_recorded().fill(&site);
        std::fs::remove_dir_all(&content).unwrap();
        for (file, page) in files.iter().zip(&site.pages) {
            assert!(Arc::ptr_eq(&file.page().unwrap(), page), "{}", page.url);
        }
    }
}

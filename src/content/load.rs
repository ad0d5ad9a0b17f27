//! Reading the content folder: which files are pages, and every page read and parsed
//! into a [`Site`]. Every file is read through [`ContentFolder`].

use super::check::check_site;
use super::folder::ContentFolder;
use super::parse::parse_file;
use super::problem::Problem;
use super::site::{FileStamp, Site, read_nav, served_twice};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// Reads every page (`*.md`, `*.mdx`) under the folder (dot-folders are skipped; a symbolic link is
/// followed only to a file inside the folder). Files are read and parsed in parallel;
/// pages, URL claims and problems keep file order. A file that cannot be read is a
/// problem of its own, never the end of the load.
pub fn load(folder: &ContentFolder) -> Result<Site> {
    use rayon::prelude::*;
    let dir = folder.path();
    let (mut files, problems) = page_files(dir)?;
    let project = folder.project();
    files.retain(|found| !project.is_nav_file(found.path.strip_prefix(dir).unwrap_or(&found.path)));
    let mut site = Site {
        problems,
        locales: folder.locales().clone(),
        ..Site::default()
    };
    let parsed: Vec<Read> = files
        .par_iter()
        .map(|found| {
            let relative = found.path.strip_prefix(dir).unwrap_or(&found.path);
            let read = match found.link {
                true => folder.read(relative),
                false => folder.read_walked(&found.path),
            };
            let (bytes, modified) =
                read.map_err(|refusal| Problem::error(1, refusal.to_string()))?;
            let stamp = FileStamp::of(relative, &bytes, modified);
            let (page, problems) = parse_file(relative, &bytes, modified, folder);
            Ok((stamp, page.map(Arc::new), problems))
        })
        .collect();
    let mut claimed: HashMap<String, PathBuf> = HashMap::new();
    let mut stamps = Vec::with_capacity(files.len());
    for (found, parsed) in files.iter().zip(parsed) {
        let path = &found.path;
        let (stamp, page, problems) = match parsed {
            Ok(parsed) => parsed,
            Err(refused) => {
                site.problems.push(refused.in_file(path));
                continue;
            }
        };
        let relative = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
        stamps.push((relative.clone(), stamp));
        site.problems
            .extend(problems.into_iter().map(|problem| problem.in_file(path)));
        match page {
            Ok(page) => match claimed.get(&page.url) {
                Some(first) => site.problems.push(
                    Problem::error(1, served_twice(&page.url, &dir.join(first))).in_file(path),
                ),
                None => {
                    claimed.insert(page.url.clone(), relative);
                    site.pages.push(page);
                }
            },
            Err(problem) => site.problems.push(problem.in_file(path)),
        }
    }
    let (nav, nav_stamp, nav_problems) = read_nav(folder);
    site.nav = nav;
    site.problems.extend(nav_problems);
    stamps.extend(nav_stamp);
    stamps.extend(site.included_files().into_iter().filter_map(|relative| {
        let stamp = super::site::stamp(folder, &relative)?;
        Some((relative, stamp))
    }));
    site.files = stamps.into_iter().collect();
    let checks = check_site(&site, folder);
    site.problems.extend(checks.into_iter().map(|problem| {
        let path = dir.join(&problem.path);
        problem.in_file(path)
    }));
    Ok(site)
}

/// What reading one page file gave: its stamp, its page (or the error that stops it)
/// and its warnings; or why it was not read.
type Read = std::result::Result<
    (
        FileStamp,
        std::result::Result<Arc<super::Page>, Problem>,
        Vec<Problem>,
    ),
    Problem,
>;

/// A page file found by walking the folder.
struct Found {
    path: PathBuf,
    /// Whether it is a symbolic link (read only when its target is inside the folder).
    link: bool,
}

/// Every page file under `dir`, in file order, with a problem for each that is not a
/// file at all (a FIFO, a device, a socket), which is never opened.
fn page_files(dir: &Path) -> Result<(Vec<Found>, Vec<Problem>)> {
    if !dir.is_dir() {
        return Err(Error::ContentMissing(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in walk(dir) {
        let entry = entry.map_err(|error| walk_error(dir, error))?;
        let kind = entry.file_type();
        if !super::links::is_page_file(entry.path()) || kind.is_dir() {
            continue;
        }
        if kind.is_file() || kind.is_symlink() {
            files.push(Found {
                link: kind.is_symlink(),
                path: entry.into_path(),
            });
        } else {
            let message =
                "a special file (a FIFO, a device or a socket), not a regular file; not read";
            problems.push(Problem::error(1, message).in_file(entry.path()));
        }
    }
    Ok((files, problems))
}

/// Every folder looked at for pages in `folder`, relative to it (the folder itself
/// first, as an empty path), with its modification time.
pub fn folders(folder: &ContentFolder) -> Result<Vec<(PathBuf, Option<SystemTime>)>> {
    let dir = folder.path();
    let mut folders = Vec::new();
    for entry in walk(dir) {
        let entry = entry.map_err(|error| walk_error(dir, error))?;
        if entry.file_type().is_dir() {
            let metadata = entry.metadata().map_err(|error| walk_error(dir, error))?;
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            folders.push((relative.to_path_buf(), metadata.modified().ok()));
        }
    }
    Ok(folders)
}

fn walk_error(dir: &Path, error: walkdir::Error) -> Error {
    let path = error.path().unwrap_or(dir).to_path_buf();
    Error::io(path, error.into())
}

/// Everything under `dir` that is looked at for pages, in file order (sorted by name,
/// folder by folder): dot-folders and `node_modules` are skipped, links not followed.
pub(super) fn walk(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| name.starts_with('.') || name == "node_modules")
}

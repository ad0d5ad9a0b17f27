//! Reading the content folder: which files are pages, and every page read and parsed
//! into a [`Site`].

use super::check::check_site;
use super::parse::parse_file;
use super::problem::Problem;
use super::site::{FileStamp, Site, served_twice};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// Reads every `*.md` under `dir` (dot-folders and symbolic links are skipped). Files
/// are read and parsed in parallel; pages, URL claims and problems keep file order.
pub fn load(dir: &Path) -> Result<Site> {
    use rayon::prelude::*;
    let (files, warnings) = page_files(dir)?;
    let mut site = Site {
        problems: warnings,
        ..Site::default()
    };
    let parsed: Vec<_> = files
        .par_iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
            let (bytes, modified) = read_file(path).map_err(|error| Error::io(path, error))?;
            let stamp = FileStamp::of(&relative, &bytes, modified);
            let (page, problems) = parse_file(&relative, &bytes, modified);
            Ok((relative, stamp, page.map(Arc::new), problems))
        })
        .collect::<Result<_>>()?;
    let mut claimed: HashMap<String, PathBuf> = HashMap::new();
    let mut stamps = Vec::with_capacity(files.len());
    for (path, (relative, stamp, page, problems)) in files.iter().zip(parsed) {
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
    site.files = stamps.into_iter().collect();
    let checks = check_site(&site);
    site.problems.extend(checks.into_iter().map(|problem| {
        let path = dir.join(&problem.path);
        problem.in_file(path)
    }));
    Ok(site)
}

/// A file's bytes and modification time, from one open file (one lookup of its path).
pub(super) fn read_file(path: &Path) -> std::io::Result<(Vec<u8>, Option<SystemTime>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    file.read_to_end(&mut bytes)?;
    Ok((bytes, metadata.modified().ok()))
}

/// Every `*.md` file under `dir`, in file order, with a warning for each symbolic
/// link, which is not followed.
fn page_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<Problem>)> {
    if !dir.is_dir() {
        return Err(Error::ContentMissing(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for entry in walk(dir) {
        let entry = entry.map_err(|error| walk_error(dir, error))?;
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "md") {
            continue;
        }
        if entry.path_is_symlink() {
            warnings.push(Problem::warning(1, "symbolic link not followed").in_file(path));
            continue;
        }
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok((files, warnings))
}

/// Every folder looked at for pages under `dir`, relative to it (the folder itself
/// first, as an empty path), with its modification time.
pub fn folders(dir: &Path) -> Result<Vec<(PathBuf, Option<SystemTime>)>> {
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

//! Files served beside the pages (images, PDFs, videos): first from the public folder,
//! served at the site's root (`/logo.png` is `<public>/logo.png`), then from the content
//! folder (`/guide/img/a.png` is `<content>/guide/img/a.png`). Each folder is read
//! through its one way in, [`ContentFolder::open`]; a Markdown source is a page and is
//! never served as a file. Knows no HTTP: the server asks it for a file by its path.

use crate::content::{ContentFolder, OpenFile, Refusal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folders files are served from.
#[derive(Debug)]
pub struct Files {
    /// The public folder, when the site has one.
    public: Option<ContentFolder>,
    /// Where the public folder is within the content folder, when it is inside it.
    public_in_content: Option<PathBuf>,
    content: Arc<ContentFolder>,
}

impl Files {
    /// The files of `content`, and of `public` first when there is one.
    pub fn new(content: Arc<ContentFolder>, public: Option<ContentFolder>) -> Files {
        let public_in_content = public.as_ref().and_then(|public| {
            let (public, content) = (public.path().canonicalize(), content.path().canonicalize());
            Some(public.ok()?.strip_prefix(content.ok()?).ok()?.to_path_buf())
        });
        Files {
            public,
            public_in_content,
            content,
        }
    }

    /// Opens the file at `relative` (a request's path, below the site's root): from the
    /// public folder when it holds it, else from the content folder (but not from the
    /// public folder inside it, served at the root only). A Markdown source (`.md`,
    /// `.mdx`) is never opened: it is as if it were missing.
    pub fn open(&self, relative: &Path) -> Result<OpenFile, Refusal> {
        if is_markdown(relative) {
            return Err(Refusal::Missing);
        }
        if let Some(public) = &self.public {
            match public.open(relative) {
                Err(Refusal::Missing) => {}
                opened => return opened,
            }
        }
        // The public folder's files are served at the site's root only, as the tools
        // that have one serve them (`/logo.png`, never `/public/logo.png`).
        if let Some(inside) = &self.public_in_content
            && !inside.as_os_str().is_empty()
            && relative.starts_with(inside)
        {
            return Err(Refusal::Missing);
        }
        self.content.open(relative)
    }

    /// The URLs (below the base path) the file at `relative` in the content folder is
    /// served at: its path in the public folder when it is in it, else its path.
    /// None for a Markdown source.
    pub fn urls(&self, relative: &Path) -> Vec<String> {
        if is_markdown(relative) {
            return Vec::new();
        }
        let in_public = self
            .public_in_content
            .as_deref()
            .and_then(|public| relative.strip_prefix(public).ok());
        match in_public {
            Some(in_public) => url_of(in_public).into_iter().collect(),
            None => url_of(relative).into_iter().collect(),
        }
    }
}

/// `/a/b.png` for the relative path `a/b.png`; `None` for a path that is not UTF-8.
fn url_of(relative: &Path) -> Option<String> {
    let mut url = String::new();
    for component in relative.components() {
        url.push('/');
        url.push_str(component.as_os_str().to_str()?);
    }
    (!url.is_empty()).then_some(url)
}

/// Whether `path` is a Markdown source, which is served as a page only.
fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            (crate::content::links::PAGE_EXTENSIONS.iter())
                .any(|page| extension.eq_ignore_ascii_case(page))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> (tempfile::TempDir, Files) {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("public")).unwrap();
        std::fs::create_dir_all(content.join("guide")).unwrap();
        std::fs::write(content.join("public/logo.png"), b"public").unwrap();
        std::fs::write(content.join("logo.png"), b"content").unwrap();
        std::fs::write(content.join("guide/a.png"), b"guide").unwrap();
        std::fs::write(content.join("guide/a.md"), b"# A").unwrap();
        let files = Files::new(
            Arc::new(ContentFolder::new(&content, 64)),
            Some(ContentFolder::new(content.join("public"), 64)),
        );
        (dir, files)
    }

    fn read(files: &Files, path: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        files
            .open(Path::new(path))
            .ok()?
            .file
            .read_to_end(&mut bytes)
            .ok()?;
        Some(bytes)
    }

    #[test]
    fn the_public_folder_comes_first_and_markdown_is_never_a_file() {
        let (_dir, files) = files();
        assert_eq!(read(&files, "logo.png").as_deref(), Some(&b"public"[..]));
        assert_eq!(read(&files, "guide/a.png").as_deref(), Some(&b"guide"[..]));
        assert_eq!(read(&files, "guide/a.md"), None);
        assert_eq!(read(&files, "guide/A.MD"), None);
        assert_eq!(read(&files, "nothing.png"), None);
        assert_eq!(read(&files, "public/logo.png"), None, "at the root only");
    }

    #[test]
    fn a_file_is_announced_at_each_url_it_is_served_at() {
        let (_dir, files) = files();
        assert_eq!(files.urls(Path::new("guide/a.png")), ["/guide/a.png"]);
        assert_eq!(files.urls(Path::new("public/logo.png")), ["/logo.png"]);
        assert!(files.urls(Path::new("guide/a.md")).is_empty());
    }
}
